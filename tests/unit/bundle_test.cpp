// SPDX-License-Identifier: Apache-2.0
#include "archive/bundle.hpp"
#include "archive/tarball.hpp"
#include "config_fixture.hpp"
#include "exec/script.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sys/stat.h>

namespace leura::archive {
namespace {

namespace fs = std::filesystem;

class BundleTest : public config::TempDirTest {
protected:
    // What the host would print for the tree in `dir`: the same shell text, run here.
    std::string host_manifest(const fs::path& dir) {
        std::string cmd = "cd '" + dir.string() + "' && " + exec::manifest_command();
        std::FILE* p = ::popen(cmd.c_str(), "r");
        std::string out;
        std::array<char, 256> buf{};
        while (p && std::fgets(buf.data(), int(buf.size()), p))
            out += buf.data();
        if (p) ::pclose(p);
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        return out;
    }
};

TEST_F(BundleTest, PacksTheTreeWithModesAndAManifestTheHostCanRecompute) {
    write("tree/b.txt", "bee\n");
    write("tree/a/z.txt", "zed\n");
    write("tree/a b/space.txt", "sp\n");
    write("tree/A.txt", "upper\n");
    fs::create_directories(m_dir / "tree/empty");
    ::chmod((m_dir / "tree/b.txt").c_str(), 0751);
    auto bundle = pack_directory(m_dir / "tree", m_dir / "out.tar");
    ASSERT_TRUE(bundle) << bundle.error().message;
    EXPECT_EQ(bundle->files, 4u);
    EXPECT_EQ(bundle->manifest_sha256, host_manifest(m_dir / "tree"));
    struct stat st {};
    ASSERT_EQ(::stat((m_dir / "out.tar").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto members = list_members(m_dir / "out.tar");
    ASSERT_TRUE(members) << members.error().message;
    EXPECT_EQ(*members,
              (std::vector<std::string>{"./", "./A.txt", "./a/", "./a b/", "./a b/space.txt",
                                        "./a/z.txt", "./b.txt", "./empty/"}));
    std::string content;
    ASSERT_TRUE(read_member(m_dir / "out.tar", "./a/z.txt",
                            [&](std::string_view d) { content.append(d); }));
    EXPECT_EQ(content, "zed\n");

    // Unpacked by tar as the host does, the tree and its modes come back.
    fs::create_directories(m_dir / "unpacked");
    std::string cmd = "tar -xpf '" + (m_dir / "out.tar").string() + "' -C '" +
                      (m_dir / "unpacked").string() + "' --no-same-owner";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    ASSERT_EQ(::stat((m_dir / "unpacked/b.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0751u);
    EXPECT_EQ(host_manifest(m_dir / "unpacked"), bundle->manifest_sha256);
}

TEST_F(BundleTest, ADifferentTreeHasADifferentManifest) {
    write("one/f", "1\n");
    write("two/f", "1\n");
    write("two/g", "\n");
    auto one = pack_directory(m_dir / "one", m_dir / "one.tar");
    auto two = pack_directory(m_dir / "two", m_dir / "two.tar");
    ASSERT_TRUE(one && two);
    EXPECT_NE(one->manifest_sha256, two->manifest_sha256) << "an extra file must show";
}

TEST_F(BundleTest, SymlinksAndMissingDirectoriesAreRefused) {
    write("tree/f", "x");
    fs::create_symlink("f", m_dir / "tree/link");
    auto linked = pack_directory(m_dir / "tree", m_dir / "out.tar");
    ASSERT_FALSE(linked);
    EXPECT_EQ(linked.error().kind, ErrorKind::config);
    EXPECT_EQ(linked.error().message,
              "cannot upload " + (m_dir / "tree/link").string() +
                  ": directory uploads carry regular files and directories only");
    auto missing = pack_directory(m_dir / "nope", m_dir / "out.tar");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::config);
}

} // namespace
} // namespace leura::archive
