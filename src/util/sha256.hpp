// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace leura::util {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// The same over pieces, as they stream by.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    std::string finish_hex(); // once
private:
    void* m_ctx; // EVP_MD_CTX, kept out of this header
};

struct FileDigest {
    std::string sha256;
    unsigned long long size = 0;
    uint32_t cksum = 0; // POSIX cksum's CRC (util/cksum.hpp)
};
// The file's sha256, cksum CRC and size, read once in chunks. Errors: io.
Result<FileDigest> sha256_file(const std::string& path);
// The same from an open descriptor, read to its end; `path` names it in errors.
Result<FileDigest> sha256_fd(int fd, const std::string& path);

} // namespace leura::util
