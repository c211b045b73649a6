// SPDX-License-Identifier: Apache-2.0
#include "util/random.hpp"

#include <random>

namespace leura::util {

std::string random_hex(size_t bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::random_device rd;
    std::string out;
    out.reserve(bytes * 2);
    for (size_t i = 0; i < bytes; ++i) {
        unsigned b = rd() & 0xff;
        out += k_digits[b >> 4];
        out += k_digits[b & 0xf];
    }
    return out;
}

} // namespace leura::util
