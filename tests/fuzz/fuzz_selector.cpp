// SPDX-License-Identifier: Apache-2.0
// Any bytes as a host selector over a small fixed inventory: select() answers hosts or an
// error, and every host it answers belongs to the inventory, once.
#include "inventory/selector.hpp"

#include <set>
#include <string>

namespace {

leura::inventory::Inventory make_inventory() {
    leura::inventory::Inventory inv;
    const char* names[] = {"web01.dc1", "web02.dc1", "db1.dc2", "edge-a", "10.0.0.1"};
    for (int i = 0; i < 5; ++i) {
        leura::inventory::Host h;
        h.name = names[i];
        h.groups = {i < 2 ? "web" : "other"};
        h.attrs = {{"az", i % 2 ? "dc1" : "dc2"}, {"cluster", "c" + std::to_string(i / 2)}};
        inv.hosts.push_back(h);
    }
    inv.groups = {"other", "web"};
    return inv;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const auto inv = make_inventory();
    auto hosts = leura::inventory::select(inv, std::string(reinterpret_cast<const char*>(data), size));
    if (!hosts) return 0;
    std::set<const leura::inventory::Host*> seen;
    for (const auto* h : *hosts) {
        if (h < &inv.hosts.front() || h > &inv.hosts.back()) __builtin_trap();
        if (!seen.insert(h).second) __builtin_trap();
    }
    return 0;
}
