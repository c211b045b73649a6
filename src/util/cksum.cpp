// SPDX-License-Identifier: Apache-2.0
#include "util/cksum.hpp"

#include <array>

namespace leura::util {

namespace {

constexpr std::array<uint32_t, 256> make_table() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t crc = i << 24;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        table[i] = crc;
    }
    return table;
}

constexpr std::array<uint32_t, 256> k_table = make_table();

uint32_t step(uint32_t crc, unsigned char byte) {
    return (crc << 8) ^ k_table[((crc >> 24) ^ byte) & 0xff];
}

} // namespace

void Cksum::update(std::string_view data) {
    for (char c : data)
        m_crc = step(m_crc, static_cast<unsigned char>(c));
    m_length += data.size();
}

uint32_t Cksum::finish() const {
    uint32_t crc = m_crc;
    for (uint64_t n = m_length; n != 0; n >>= 8)
        crc = step(crc, static_cast<unsigned char>(n & 0xff));
    return ~crc;
}

} // namespace leura::util
