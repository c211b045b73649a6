// SPDX-License-Identifier: Apache-2.0
#pragma once

// The parsers read files (their errors name file, line and column): each input is written to
// one file per process in a private temporary folder, rewritten every run.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace leura::fuzz {

inline std::filesystem::path write_input(const std::string& name, const uint8_t* data, size_t size) {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("leura-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    auto path = dir / name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    return path;
}

} // namespace leura::fuzz
