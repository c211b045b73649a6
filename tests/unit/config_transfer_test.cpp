// SPDX-License-Identifier: Apache-2.0
// Task files: upload and download steps (task.hpp's Upload and Download).
#include "config/diagnostic.hpp"
#include "config/task.hpp"
#include "config_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::config {
namespace {

namespace fs = std::filesystem;

class TransferConfigTest : public TaskFileTest {
protected:
    void TearDown() override {
        if (m_old_home)
            ::setenv("HOME", m_old_home->c_str(), 1);
        else if (m_home_set)
            ::unsetenv("HOME");
        TempDirTest::TearDown();
    }

    // Points $HOME at `dir` for this test only.
    void set_home(const fs::path& dir) {
        if (!m_home_set) {
            if (const char* old = std::getenv("HOME")) m_old_home = old;
            m_home_set = true;
        }
        ::setenv("HOME", dir.c_str(), 1);
    }

    std::string in_dir(const std::string& name) const {
        return "'" + (m_dir / name).string() + "'";
    }

private:
    bool m_home_set = false;
    std::optional<std::string> m_old_home;
};

// ---- upload ----

TEST_F(TransferConfigTest, UploadRoundTripsInStepsAndRollback) {
    write("files/app.tar", "tarball");
    write("files/app.conf", "conf");
    write("home/.config/app.env", "X=1");
    set_home(m_dir / "home");
    Task t = task(R"([[steps]]
name = "ship"
upload = { src = "files/app.tar", dest = "/opt/app/app.tar", mode = "644", owner = "app:app" }
run_as = "root"
timeout = "5m"
retries = 2
env = { A = "1" }
ignore_errors = true

[[steps]]
[steps.upload]
src = "files/app.conf"
dest = "/etc/app.conf"
mode = "0755"

[[steps]]
upload = { src = "~/.config/app.env", dest = "/etc/app.env", owner = "_svc.x-1" }

[[rollback]]
upload = { src = "files/app.conf", dest = "/etc/app.conf.orig" }
)");
    ASSERT_EQ(t.steps.size(), 3u);
    const Step& ship = t.steps[0];
    EXPECT_EQ(ship.name, "ship");
    EXPECT_EQ(ship.kind, StepKind::upload);
    EXPECT_TRUE(ship.body.empty());
    EXPECT_FALSE(ship.download.has_value());
    ASSERT_TRUE(ship.upload.has_value());
    EXPECT_EQ(ship.upload->src, m_dir / "files/app.tar");
    EXPECT_EQ(ship.upload->dest, "/opt/app/app.tar");
    EXPECT_EQ(ship.upload->mode, "0644");
    EXPECT_EQ(ship.upload->owner, "app:app");
    EXPECT_EQ(ship.run_as, "root");
    EXPECT_EQ(ship.timeout, std::chrono::milliseconds(300'000));
    EXPECT_EQ(ship.retries, 2);
    EXPECT_EQ(ship.env, (KeyValues{{"A", "1"}}));
    EXPECT_TRUE(ship.ignore_errors);

    const Step& conf = t.steps[1];
    EXPECT_EQ(conf.name, "step 2");
    EXPECT_EQ(conf.kind, StepKind::upload);
    ASSERT_TRUE(conf.upload.has_value());
    EXPECT_EQ(conf.upload->src, m_dir / "files/app.conf");
    EXPECT_EQ(conf.upload->dest, "/etc/app.conf");
    EXPECT_EQ(conf.upload->mode, "0755");
    EXPECT_EQ(conf.upload->owner, "");

    ASSERT_TRUE(t.steps[2].upload.has_value());
    EXPECT_EQ(t.steps[2].upload->src, m_dir / "home" / ".config/app.env");
    EXPECT_EQ(t.steps[2].upload->owner, "_svc.x-1");
    EXPECT_EQ(t.steps[2].upload->mode, "");

    ASSERT_EQ(t.rollback.size(), 1u);
    EXPECT_EQ(t.rollback[0].kind, StepKind::upload);
    ASSERT_TRUE(t.rollback[0].upload.has_value());
    EXPECT_EQ(t.rollback[0].upload->dest, "/etc/app.conf.orig");
}

TEST_F(TransferConfigTest, UploadAbsoluteSourceIsKept) {
    auto file = write("elsewhere/blob.bin", "x");
    Task t = task("[[steps]]\nupload = { src = \"" + file.string() + "\", dest = \"/b\" }\n");
    ASSERT_EQ(t.steps.size(), 1u);
    ASSERT_TRUE(t.steps[0].upload.has_value());
    EXPECT_EQ(t.steps[0].upload->src, file);
}

TEST_F(TransferConfigTest, UploadSourceMustBeARegularFileOrADirectory) {
    fs::create_directories(m_dir / "dir");
    ASSERT_EQ(::mkfifo((m_dir / "fifo").c_str(), 0600), 0);
    auto errors =
        task_errors("[[steps]]\nupload = { src = \"missing.tar\", dest = \"/a\" }\n"
                    "[[steps]]\nupload = { src = \"dir\", dest = \"/a\", mode = \"0644\" }\n"
                    "[[steps]]\nupload = { src = \"fifo\", dest = \"/a\" }\n"
                    "[[steps]]\nupload = { src = \"\", dest = \"/a\" }\n"
                    "[[steps]]\nupload = { src = 7, dest = \"/a\" }\n");
    ASSERT_EQ(errors.size(), 5u);
    expect_at(errors[0], 2, 18,
              "cannot read upload source " + in_dir("missing.tar") + ": No such file or directory");
    expect_at(errors[1], 4, 45,
              "'mode' is for file uploads; the files of a directory upload keep their own modes");
    expect_at(errors[2], 6, 18,
              "upload source " + in_dir("fifo") + " is neither a regular file nor a directory");
    expect_at(errors[3], 8, 18, "'src' must not be empty");
    expect_at(errors[4], 10, 18, "'src' must be a string");

    Task t = task("[[steps]]\nupload = { src = \"dir\", dest = \"/srv/site\", owner = \"www\" }\n");
    ASSERT_TRUE(t.steps[0].upload.has_value());
    EXPECT_TRUE(t.steps[0].upload->directory);
    EXPECT_EQ(t.steps[0].upload->owner, "www");
}

TEST_F(TransferConfigTest, UnreadableUploadSource) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
    auto file = write("secret.bin", "x");
    fs::permissions(file, fs::perms::none, fs::perm_options::replace);
    auto errors = task_errors("[[steps]]\nupload = { src = \"secret.bin\", dest = \"/a\" }\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 18,
              "cannot read upload source " + in_dir("secret.bin") + ": Permission denied");
}

TEST_F(TransferConfigTest, UploadHomeWithoutHome) {
    set_home(m_dir);
    ::unsetenv("HOME");
    auto errors = task_errors("[[steps]]\nupload = { src = \"~/x\", dest = \"/a\" }\n");
    ASSERT_EQ(errors.size(), 1u);
    expect_at(errors[0], 2, 18,
              "cannot read upload source '~/x': cannot expand '~/' as HOME is not set");
}

TEST_F(TransferConfigTest, UploadFieldProblems) {
    write("a.txt", "a");
    auto errors = task_errors(R"([[steps]]
upload = { src = "a.txt", dest = "relative/x", mode = "0o644", owner = "App" }
[[steps]]
upload = { src = "a.txt", dest = "/etc/", mode = "8644", owner = "a:b:c" }
[[steps]]
upload = { src = "a.txt", dest = "/x\ny", mode = 644, owner = 3 }
[[steps]]
upload = { srce = "a.txt" }
[[steps]]
upload = "a.txt"
[[steps]]
[steps.upload]
src = "a.txt"
mdoe = "0644"
[[steps]]
upload = { src = "a.txt", dest = "", mode = "", owner = "" }
[[steps]]
upload = { src = "a.txt", dest = "/", mode = "00644", owner = "app:" }
)");
    const std::string dest = "'dest' must be an absolute file path on the host";
    const std::string mode = "'mode' must be octal such as \"0644\"";
    const std::string owner = "'owner' must be user or user:group";
    ASSERT_EQ(errors.size(), 21u);
    expect_at(errors[0], 2, 34, dest);
    expect_at(errors[1], 2, 55, mode);
    expect_at(errors[2], 2, 72, owner);
    expect_at(errors[3], 4, 34, dest);
    expect_at(errors[4], 4, 50, mode);
    expect_at(errors[5], 4, 66, owner);
    expect_at(errors[6], 6, 34, dest);
    expect_at(errors[7], 6, 50, mode);
    expect_at(errors[8], 6, 63, "'owner' must be a string");
    expect_at(errors[9], 8, 12, "unknown key 'srce' in the upload of step 4; did you mean 'src'?");
    expect_at(errors[10], 8, 1, "the upload of step 4 needs 'src'");
    expect_at(errors[11], 8, 1, "the upload of step 4 needs 'dest'");
    expect_at(errors[12], 10, 10,
              "'upload' must be a table such as { src = \"...\", dest = \"...\" }");
    expect_at(errors[13], 14, 1,
              "unknown key 'mdoe' in the upload of step 6; did you mean 'mode'?");
    expect_at(errors[14], 12, 8, "the upload of step 6 needs 'dest'");
    expect_at(errors[15], 16, 34, dest);
    expect_at(errors[16], 16, 45, mode);
    expect_at(errors[17], 16, 57, owner);
    expect_at(errors[18], 18, 34, dest);
    expect_at(errors[19], 18, 46, mode);
    expect_at(errors[20], 18, 63, owner);
}

// ---- download ----

TEST_F(TransferConfigTest, DownloadRoundTrips) {
    Task t = task(R"([[steps]]
name = "fetch log"
download = { src = "/var/log/app.log", dest = "logs/{host}/app.log" }
run_as = "root"

[[steps]]
download = { src = "/etc/app.conf" }

[[rollback]]
[rollback.download]
src = "/var/log/app.err"
dest = "/srv/keep/{host}..err"
)");
    ASSERT_EQ(t.steps.size(), 2u);
    EXPECT_EQ(t.steps[0].name, "fetch log");
    EXPECT_EQ(t.steps[0].kind, StepKind::download);
    EXPECT_TRUE(t.steps[0].body.empty());
    EXPECT_FALSE(t.steps[0].upload.has_value());
    ASSERT_TRUE(t.steps[0].download.has_value());
    EXPECT_EQ(t.steps[0].download->src, "/var/log/app.log");
    // Relative to the task file, as upload.src is.
    EXPECT_EQ(t.steps[0].download->dest, (m_dir / "logs/{host}/app.log").string());
    EXPECT_EQ(t.steps[0].download->dest_pos.line, 3);
    EXPECT_EQ(t.steps[0].run_as, "root");

    EXPECT_EQ(t.steps[1].kind, StepKind::download);
    ASSERT_TRUE(t.steps[1].download.has_value());
    EXPECT_EQ(t.steps[1].download->src, "/etc/app.conf");
    EXPECT_EQ(t.steps[1].download->dest, "");

    ASSERT_EQ(t.rollback.size(), 1u);
    ASSERT_TRUE(t.rollback[0].download.has_value());
    EXPECT_EQ(t.rollback[0].download->dest, "/srv/keep/{host}..err");
}

TEST_F(TransferConfigTest, DownloadProblems) {
    auto errors = task_errors(R"([[steps]]
download = { src = "var/log/x", dest = "../logs" }
[[steps]]
download = { src = "/a\nb", dest = "logs/{host}/../x" }
[[steps]]
download = { dest = "x", mode = "0644" }
[[steps]]
download = ["x"]
[[steps]]
download = { src = "/a", dest = "" }
[[steps]]
download = { src = "/a", dest = "x\ny" }
[[steps]]
download = { src = 1, dest = "logs/.." }
)");
    const std::string src = "'src' must be an absolute path on the host";
    const std::string dots = "'dest' must not contain \"..\" path components";
    ASSERT_EQ(errors.size(), 11u);
    expect_at(errors[0], 2, 20, src);
    expect_at(errors[1], 2, 40, dots);
    expect_at(errors[2], 4, 20, src);
    expect_at(errors[3], 4, 36, dots);
    expect_at(errors[4], 6, 26, "unknown key 'mode' in the download of step 3");
    expect_at(errors[5], 6, 1, "the download of step 3 needs 'src'");
    expect_at(errors[6], 8, 12, "'download' must be a table such as { src = \"...\" }");
    expect_at(errors[7], 10, 33, "'dest' must not be empty");
    expect_at(errors[8], 12, 33, "'dest' must not contain a newline");
    expect_at(errors[9], 14, 20, "'src' must be a string");
    expect_at(errors[10], 14, 30, dots);
}

// ---- bodies and lists ----

TEST_F(TransferConfigTest, ExactlyOneBodyPerStep) {
    write("a.txt", "a");
    auto errors = task_errors(R"([[steps]]
command = "ls"
upload = { src = "a.txt", dest = "/a" }
[[steps]]
download = { src = "/a" }
local = "x"
[[steps]]
upload = { src = "a.txt", dest = "/a" }
download = { src = "/a" }
[[steps]]
run_as = "root"
)");
    const std::string tail = "; a step runs exactly one of them";
    ASSERT_EQ(errors.size(), 4u);
    expect_at(errors[0], 3, 1, "'upload' cannot be combined with 'command' in step 1" + tail);
    expect_at(errors[1], 6, 1, "'local' cannot be combined with 'download' in step 2" + tail);
    expect_at(errors[2], 9, 1, "'download' cannot be combined with 'upload' in step 3" + tail);
    expect_at(errors[3], 10, 1,
              "step 4 needs one of 'command', 'script', 'script_file', 'local', 'custom', "
              "'upload' or 'download'");
}

TEST_F(TransferConfigTest, CombinedBodiesAreStillChecked) {
    auto errors = task_errors("[[steps]]\nupload = { src = \"nope\", dest = \"/a\" }\n"
                              "command = \"ls\"\n");
    ASSERT_EQ(errors.size(), 2u);
    expect_at(errors[0], 2, 18,
              "cannot read upload source " + in_dir("nope") + ": No such file or directory");
    expect_at(errors[1], 3, 1,
              "'command' cannot be combined with 'upload' in step 1; a step runs exactly one of "
              "them");
}

TEST_F(TransferConfigTest, TransfersAreNotAllowedInVerify) {
    write("a.txt", "a");
    auto errors = task_errors(R"([[steps]]
command = "true"
[[verify]]
upload = { src = "a.txt", dest = "/a" }
[[verify]]
command = "x"
  download = { src = "/a" }
[[rollback]]
download = { src = "/var/log/app.log", dest = "logs/{host}.log" }
[[verify]]
retries = 2
)");
    ASSERT_EQ(errors.size(), 3u);
    expect_at(errors[0], 4, 1, "'upload' is not allowed in [[verify]]");
    expect_at(errors[1], 7, 3, "'download' is not allowed in [[verify]]");
    expect_at(errors[2], 10, 1,
              "verify 3 needs one of 'command', 'script', 'script_file', 'local' or 'custom'");
}

} // namespace
} // namespace leura::config
