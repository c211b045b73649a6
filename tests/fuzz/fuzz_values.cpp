// SPDX-License-Identifier: Apache-2.0
// The small value parsers, one input each: batch specs (--batches), durations, jump host
// chains and logins, and host ranges (expanded, then folded back).
#include "config/login.hpp"
#include "config/task.hpp"
#include "inventory/range.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    if (auto amounts = leura::config::parse_amounts(text))
        for (const auto& a : *amounts)
            if (a.value < 0 || (a.percent && a.value > 100)) __builtin_trap();
    if (auto d = leura::config::parse_duration(text))
        if (d->count() < 0) __builtin_trap(); // 0 is allowed: --grace 0, --keepalive 0
    if (auto chain = leura::config::parse_jump_chain(text)) {
        for (const auto& hop : *chain)
            if (hop.host.empty() || (hop.port && (*hop.port < 1 || *hop.port > 65535)))
                __builtin_trap();
    } else if (chain.error().offset > text.size()) {
        __builtin_trap();
    }
    if (auto names = leura::inventory::expand_range(text, 10'000)) {
        if (names->size() > 10'000) __builtin_trap();
        (void)leura::inventory::fold_hosts(*names);
    }
    return 0;
}
