// SPDX-License-Identifier: Apache-2.0
// Any bytes as a task file: load_task must report problems as diagnostics, never crash, hang
// or leave a diagnostic that cannot be formatted.
#include "config/task.hpp"
#include "fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto path = leura::fuzz::write_input("task.toml", data, size);
    leura::config::Diagnostics diags;
    auto task = leura::config::load_task(path, diags);
    if (!task && diags.empty()) __builtin_trap(); // a refusal must say why
    for (const auto& d : diags.items())
        (void)leura::config::format(d);
    return 0;
}
