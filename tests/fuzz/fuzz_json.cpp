// SPDX-License-Identifier: Apache-2.0
// Custom step answers: any bytes through the JSON reader; what it accepts must write back as
// JSON it accepts again, unchanged by a second round.
#include "util/json_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto v = leura::util::parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!v) {
        if (v.error().offset > size) __builtin_trap();
        return 0;
    }
    std::string once = leura::util::to_json(*v);
    auto again = leura::util::parse_json(once);
    if (!again || leura::util::to_json(*again) != once) __builtin_trap();
    return 0;
}
