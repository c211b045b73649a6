// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

namespace leura::util {

// The CRC that POSIX `cksum` prints (CRC-32, polynomial 0x04C11DB7, the length folded in), so a
// host can check what arrived with a tool every system has, in one process with its size.
class Cksum {
public:
    void update(std::string_view data);
    uint32_t finish() const; // over everything given to update()
    uint64_t length() const { return m_length; }

private:
    uint32_t m_crc = 0;
    uint64_t m_length = 0;
};

} // namespace leura::util
