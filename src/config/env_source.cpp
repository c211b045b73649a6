// SPDX-License-Identifier: Apache-2.0
#include "config/env_source.hpp"

#include <cstdlib>

namespace leura::config {

namespace {

EnvSource& source() {
    static EnvSource s;
    return s;
}

} // namespace

void set_env_source(EnvSource s) {
    source() = std::move(s);
}

std::optional<std::string> env_value(const std::string& name) {
    if (source()) return source()(name);
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
}

} // namespace leura::config
