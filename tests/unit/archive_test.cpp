// SPDX-License-Identifier: Apache-2.0
#include "archive/names.hpp"
#include "archive/spool.hpp"
#include "archive/tarball.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace leura::archive {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

bool safe_component(const std::string& c) {
    if (c.empty() || c.size() > 100 || c == "." || c == ".." || c[0] == '.') return false;
    return std::all_of(c.begin(), c.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '.' || ch == '_' || ch == '-';
    });
}

TEST(ArchiveNames, SanitizeNeverYieldsAnEscapingComponent) {
    std::vector<std::string> hostile = {"../../etc/passwd",
                                        "..",
                                        ".",
                                        "",
                                        "a/b",
                                        "/",
                                        "//",
                                        ".hidden",
                                        "...",
                                        "a\0b"s,
                                        "line\nbreak",
                                        "with space",
                                        "tab\there",
                                        "h\xc3\xa9llo",
                                        "\xff\xfe",
                                        "~root",
                                        "a\\b",
                                        std::string(500, 'x'),
                                        std::string(500, '/'),
                                        "." + std::string(300, '.')};
    for (const auto& name : hostile) {
        std::string c = sanitize_component(name);
        EXPECT_TRUE(safe_component(c)) << "'" << name << "' -> '" << c << "'";
        fs::path inside = fs::path("/base") / c;
        EXPECT_EQ(inside.lexically_normal().parent_path(), "/base") << c;
    }
    EXPECT_EQ(sanitize_component("web-01.example.com"), "web-01.example.com");
    EXPECT_EQ(sanitize_component("a/b"), "a_b");
    EXPECT_EQ(sanitize_component(""), "_");
    EXPECT_EQ(sanitize_component("."), "_");
    EXPECT_EQ(sanitize_component(".."), "_.");
    EXPECT_EQ(sanitize_component("../../etc/passwd"), "_._.._etc_passwd");
    EXPECT_EQ(sanitize_component("h\xc3\xa9llo"), "h__llo");
    EXPECT_EQ(sanitize_component(std::string(500, 'x')), std::string(100, 'x'));
}

TEST(ArchiveNames, StepMemberNumbersFromOneWithTwoDigitsAtLeast) {
    EXPECT_EQ(step_member("web-1", 0, "install", false), "hosts/web-1/01-install.stdout");
    EXPECT_EQ(step_member("web-1", 0, "install", true), "hosts/web-1/01-install.stderr");
    EXPECT_EQ(step_member("h", 8, "x", false), "hosts/h/09-x.stdout");
    EXPECT_EQ(step_member("h", 9, "x", false), "hosts/h/10-x.stdout");
    EXPECT_EQ(step_member("h", 99, "x", false), "hosts/h/100-x.stdout");
    EXPECT_EQ(step_member("h", 1, "../up and away", false), "hosts/h/02-_._up_and_away.stdout");
}

TEST(ArchiveNames, HostDirsAreUniqueAndStable) {
    HostDirs dirs;
    std::vector<std::string> hosts = {"a/b", "a_b", "a b", "web-1", "a\\b"};
    std::vector<std::string> names;
    for (const auto& h : hosts)
        names.push_back(dirs.get(h));
    EXPECT_EQ(names[0], "a_b");
    EXPECT_EQ(names[1], "a_b~2");
    EXPECT_EQ(names[2], "a_b~3");
    EXPECT_EQ(names[3], "web-1");
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), hosts.size());
    for (size_t i = 0; i < hosts.size(); ++i) {
        EXPECT_EQ(dirs.get(hosts[i]), names[i]) << "asked again";
        EXPECT_EQ(names[i].find('/'), std::string::npos);
        EXPECT_NE(names[i][0], '.');
    }
    // A host literally named like a suffixed one cannot take the suffix: '~' is sanitized away.
    EXPECT_EQ(dirs.get("a_b~2"), "a_b_2");
}

std::string patterned(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = char((i * 7 + i / 251) & 0xff);
    return s;
}

TEST(ArchivePreview, SmallTextIsUnchanged) {
    EXPECT_EQ(preview_of("", 10), "");
    EXPECT_EQ(preview_of("hello", 10), "hello");
    EXPECT_EQ(preview_of("0123456789", 10), "0123456789");
}

TEST(ArchivePreview, LargeTextKeepsHeadAndTailAroundAMarker) {
    std::string data = patterned(1000);
    EXPECT_EQ(preview_of(data, 100),
              data.substr(0, 50) + "\n[... 900 bytes omitted ...]\n" + data.substr(950));
    EXPECT_EQ(preview_of(data, 101),
              data.substr(0, 50) + "\n[... 900 bytes omitted ...]\n" + data.substr(950));
    EXPECT_EQ(preview_of("0123456789A", 10), "01234\n[... 1 bytes omitted ...]\n6789A");
}

class ArchiveTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() / ("leura-archive-test-" + std::to_string(getpid()) +
                                             "-" + std::to_string(counter++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }
    fs::path write(const fs::path& path, const std::string& data) {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << data;
        return path;
    }
    static std::string read(const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    static std::string member(const fs::path& archive, const std::string& name) {
        std::string out;
        auto status = read_member(archive, name, [&](std::string_view d) { out += d; });
        EXPECT_TRUE(status) << name << ": " << (status ? "" : status.error().message);
        return out;
    }
    // Runs a shell command and returns its stdout.
    static std::string shell(const std::string& command) {
        std::string out;
        FILE* p = ::popen(command.c_str(), "r");
        if (!p) return out;
        char buf[4096];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
            out.append(buf, n);
        EXPECT_EQ(::pclose(p), 0) << command;
        return out;
    }
    fs::path m_dir;
};

TEST_F(ArchiveTest, PreviewFileMatchesPreviewOfItsContent) {
    for (size_t size : {0, 1, 64, 100, 101, 4096, 1 << 20}) {
        std::string data = patterned(size);
        auto file = write(m_dir / ("f" + std::to_string(size)), data);
        auto preview = preview_file(file, 100);
        ASSERT_TRUE(preview) << size;
        EXPECT_EQ(*preview, preview_of(data, 100)) << size;
    }
    auto missing = preview_file(m_dir / "missing", 100);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::io);
}

TEST_F(ArchiveTest, SpoolWritesStepFilesUnderSanitizedHostFolders) {
    auto spool = Spool::create(m_dir / "spool");
    ASSERT_TRUE(spool);
    auto file = spool->open("../evil", 0, "say hi");
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->write(false, "out"));
    ASSERT_TRUE((*file)->write(true, "err"));
    file->reset();
    std::string dir = spool->host_dir("../evil");
    EXPECT_EQ(dir, "_._evil");
    EXPECT_EQ(read(spool->path_of(step_member(dir, 0, "say hi", false))), "out");
    EXPECT_EQ(read(spool->path_of(step_member(dir, 0, "say hi", true))), "err");
    struct stat st {};
    ASSERT_EQ(::stat(spool->path_of(step_member(dir, 0, "say hi", false)).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_FALSE(fs::exists(m_dir / "evil"));
}

TEST_F(ArchiveTest, WriteListAndReadBackRoundTrip) {
    fs::path spool = m_dir / "spool";
    std::string all_bytes;
    for (size_t i = 0; i < 3 * 1024 * 1024; ++i)
        all_bytes += char((i + i / 256) & 0xff);
    std::map<std::string, std::string> files = {
        {"hosts/web-1/01-install.stdout", "installed\n"},
        {"hosts/web-1/01-install.stderr", ""},
        {"hosts/web-2/01-install.stdout", all_bytes},
        {"hosts/web-2/02-check.stderr", "nul\0inside\n"s},
    };
    for (const auto& [name, data] : files)
        write(spool / name, data);
    const std::string run_json = R"({"id":"20260101-000000-aaaa"})";
    fs::path out_dir = m_dir / "archives";
    fs::create_directories(out_dir);
    fs::path out = out_dir / "run.tar.gz";
    write(out, "an older archive");
    fs::permissions(out, fs::perms(0644));

    auto status = write_archive(out, run_json, spool);
    ASSERT_TRUE(status) << status.error().message;

    struct stat st {};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::vector<fs::path> beside;
    for (const auto& e : fs::directory_iterator(out_dir))
        beside.push_back(e.path());
    EXPECT_EQ(beside, std::vector<fs::path>{out}) << "no temporary file left beside it";

    auto members = list_members(out);
    ASSERT_TRUE(members) << members.error().message;
    std::vector<std::string> expected = {"run.json"};
    for (const auto& [name, data] : files)
        expected.push_back(name); // std::map: sorted, as the archive is
    EXPECT_EQ(*members, expected);

    EXPECT_EQ(member(out, "run.json"), run_json);
    for (const auto& [name, data] : files) {
        std::string got = member(out, name);
        EXPECT_EQ(got.size(), data.size()) << name;
        EXPECT_TRUE(got == data) << name << " differs";
    }

    // The system tar reads the same archive.
    std::string quoted = util::shell_quote(out.string());
    std::string listing = shell("tar -tzf " + quoted);
    std::string expected_listing;
    for (const auto& m : expected)
        expected_listing += m + "\n";
    EXPECT_EQ(listing, expected_listing);
    fs::path extracted = m_dir / "extracted";
    fs::create_directories(extracted);
    shell("tar -xzf " + quoted + " -C " + util::shell_quote(extracted.string()));
    EXPECT_EQ(read(extracted / "run.json"), run_json);
    for (const auto& [name, data] : files)
        EXPECT_TRUE(read(extracted / name) == data) << name << " differs after tar -x";
}

TEST_F(ArchiveTest, MissingSpoolGivesAnArchiveWithOnlyRunJson) {
    fs::path out = m_dir / "run.tar.gz";
    ASSERT_TRUE(write_archive(out, "{}", m_dir / "no-spool"));
    auto members = list_members(out);
    ASSERT_TRUE(members);
    EXPECT_EQ(*members, std::vector<std::string>{"run.json"});
}

TEST_F(ArchiveTest, ReadingAMissingMemberIsNotFound) {
    fs::path out = m_dir / "run.tar.gz";
    write(m_dir / "spool/hosts/h/01-a.stdout", "x");
    ASSERT_TRUE(write_archive(out, "{}", m_dir / "spool"));
    bool called = false;
    auto status = read_member(out, "hosts/h/02-b.stdout", [&](std::string_view) { called = true; });
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().kind, ErrorKind::not_found);
    EXPECT_FALSE(called);
}

TEST_F(ArchiveTest, UnwritableDestinationFailsWithoutLeavingFiles) {
    auto status = write_archive(m_dir / "absent/run.tar.gz", "{}", m_dir);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().kind, ErrorKind::io);
    EXPECT_FALSE(fs::exists(m_dir / "absent"));
}

TEST_F(ArchiveTest, ReadingSomethingThatIsNotAnArchiveFails) {
    auto junk = write(m_dir / "junk.tar.gz", "this is not gzip");
    auto members = list_members(junk);
    EXPECT_FALSE(members);
    auto missing = list_members(m_dir / "missing.tar.gz");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::io);
}

} // namespace
} // namespace leura::archive
