// SPDX-License-Identifier: Apache-2.0
// leura's CRC must be what the host's `cksum` prints for the same bytes: checked against this
// machine's coreutils cksum, across sizes that fold 1 to 4 length bytes.
#include "util/cksum.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

std::string system_cksum(const std::string& path) {
    std::string cmd = "cksum < '" + path + "'";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return {};
    char line[128] = {};
    std::string out = fgets(line, sizeof line, p) ? line : "";
    pclose(p);
    return out.substr(0, out.find(' '));
}

} // namespace

TEST(Cksum, MatchesPosixCksum) {
    auto path =
        (std::filesystem::temp_directory_path() / ("leura-cksum-" + std::to_string(getpid())))
            .string();
    for (size_t size : {size_t(0), size_t(1), size_t(9), size_t(255), size_t(256), size_t(70000),
                        size_t(16777217)}) {
        std::string data(size, '\0');
        for (size_t i = 0; i < size; ++i)
            data[i] = char((i * 131 + size) & 0xff);
        {
            std::ofstream f(path, std::ios::binary);
            f << data;
        }
        leura::util::Cksum c;
        c.update(data.substr(0, size / 3));
        c.update(data.substr(size / 3));
        EXPECT_EQ(std::to_string(c.finish()), system_cksum(path)) << size << " bytes";
        auto d = leura::util::sha256_file(path);
        ASSERT_TRUE(d.has_value());
        EXPECT_EQ(d->cksum, c.finish());
        EXPECT_EQ(d->size, size);
    }
    std::filesystem::remove(path);
}
