// SPDX-License-Identifier: Apache-2.0
#include "util/sha256.hpp"
#include "util/cksum.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

namespace leura::util {

namespace {
// The digest an EVP context ends with, in lower-case hex.
std::string final_hex(EVP_MD_CTX* ctx) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}
} // namespace

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish_hex();
}

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(m_ctx), EVP_sha256(), nullptr);
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(m_ctx));
}

void Sha256::update(std::string_view data) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(m_ctx), data.data(), data.size());
}

std::string Sha256::finish_hex() {
    return final_hex(static_cast<EVP_MD_CTX*>(m_ctx));
}

Result<FileDigest> sha256_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorKind::io, "cannot read " + path + ": " + std::strerror(errno));
    auto d = sha256_fd(fd, path);
    ::close(fd);
    return d;
}

Result<FileDigest> sha256_fd(int fd, const std::string& path) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    FileDigest d;
    Cksum crc;
    std::vector<char> buf(1 << 16);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
        EVP_DigestUpdate(ctx.get(), buf.data(), size_t(n));
        crc.update(std::string_view(buf.data(), size_t(n)));
        d.size += (unsigned long long)n;
    }
    d.cksum = crc.finish();
    int saved = errno;
    if (n < 0) return fail(ErrorKind::io, "reading " + path + ": " + std::strerror(saved));
    d.sha256 = final_hex(ctx.get());
    return d;
}

} // namespace leura::util
