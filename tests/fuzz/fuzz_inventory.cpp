// SPDX-License-Identifier: Apache-2.0
// Any bytes as an inventory, TOML or plain text (the first byte chooses), then built: ranges
// expanded, layers applied. Problems must be diagnostics.
#include "config/inventory_file.hpp"
#include "fuzz_file.hpp"
#include "inventory/inventory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    bool toml = data[0] & 1;
    auto path = leura::fuzz::write_input(toml ? "inv.toml" : "inv.txt", data + 1, size - 1);
    leura::config::Diagnostics diags;
    auto file = leura::config::load_inventory_file(path, diags);
    if (!file) {
        if (diags.empty()) __builtin_trap();
        return 0;
    }
    auto inv = leura::inventory::build(*file, diags);
    if (!inv && diags.empty()) __builtin_trap();
    for (const auto& d : diags.items())
        (void)leura::config::format(d);
    return 0;
}
