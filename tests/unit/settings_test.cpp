// SPDX-License-Identifier: Apache-2.0
// Settings layered over real files in a temporary folder and a fake environment.
#include "config/settings.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace leura::config {
namespace {

namespace fs = std::filesystem;

class SettingsTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir = fs::temp_directory_path() /
              ("leura-settings-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        fs::create_directories(dir / "etc");
        fs::create_directories(dir / "user");
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path write(const std::string& name, const std::string& text) {
        fs::path p = dir / name;
        std::ofstream(p) << text;
        return p;
    }
    std::optional<Settings> load(std::vector<fs::path> files) {
        diags = Diagnostics();
        return load_settings(
            files,
            [this](const char* name) -> const char* {
                auto it = env.find(name);
                return it == env.end() ? nullptr : it->second.c_str();
            },
            diags);
    }
    fs::path dir;
    std::map<std::string, std::string> env;
    Diagnostics diags;
};

TEST_F(SettingsTest, EachLayerGoesOverTheOneBeforeAndSaysWhereItCameFrom) {
    auto etc =
        write("etc/config.toml", "concurrency = 10\ngrace = \"30s\"\nknown_hosts = \"kh\"\n");
    auto user = write("user/config.toml", "# mine\nconcurrency = 20\n");
    env["LEURA_GRACE"] = "5s";
    env["LEURA_HOST"] = "web01"; // leura's own exports are not settings: ignored
    auto s = load({etc, user, dir / "missing.toml"});
    ASSERT_TRUE(s) << (diags.empty() ? "" : format(diags.items()[0]));
    EXPECT_EQ(s->count("concurrency"), 20);
    EXPECT_EQ(s->get("concurrency").origin, user.string() + ":2:1");
    EXPECT_EQ(s->duration("grace"), std::chrono::seconds(5));
    EXPECT_EQ(s->get("grace").origin, "LEURA_GRACE");
    EXPECT_EQ(s->text("known_hosts"), (dir / "etc" / "kh").string()) << "relative to its file";
    EXPECT_EQ(s->text("connect_timeout"), "10s");
    EXPECT_TRUE(s->is_default("connect_timeout"));
}

TEST_F(SettingsTest, UnknownKeysAndBadValuesAreErrorsAtTheirPlace) {
    auto f =
        write("user/config.toml", "concurency = 5\nconnect_timeout = \"0\"\ncolor = \"allways\"\n");
    env["LEURA_CONCURRENCY"] = "lots";
    ASSERT_FALSE(load({f}));
    ASSERT_EQ(diags.size(), 4u);
    EXPECT_EQ(diags.items()[0].pos.line, 1);
    EXPECT_EQ(diags.items()[0].message,
              "unknown setting 'concurency'; did you mean \"concurrency\"?");
    EXPECT_EQ(diags.items()[1].pos.line, 2);
    EXPECT_NE(diags.items()[1].message.find("more than 0"), std::string::npos);
    EXPECT_NE(diags.items()[2].message.find("did you mean \"always\""), std::string::npos);
    EXPECT_EQ(diags.items()[3].pos.file, "LEURA_CONCURRENCY");
}

TEST_F(SettingsTest, ServiceUserComesFromRootsFileOnly) {
    // It decides whose SUDO_UID leura believes: a user naming it would pick their identity.
    auto user = write("user/config.toml", "service_user = \"me\"\n");
    env["LEURA_SERVICE_USER"] = "me";
    ASSERT_FALSE(load({user}));
    ASSERT_EQ(diags.size(), 2u);
    EXPECT_EQ(diags.items()[0].message, "'service_user' is read from /etc/leura/config.toml only");
    EXPECT_EQ(diags.items()[0].pos.line, 1);
    EXPECT_EQ(diags.items()[1].pos.file, "LEURA_SERVICE_USER");
    env.clear();
    auto s = load({});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->text("service_user"), "") << "a single-user controller by default";
}

TEST_F(SettingsTest, RetentionAndWarnSizeAreCheckedLikeTheOthers) {
    auto defaults = load({});
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->text("retention"), "") << "no retention unless asked: gc needs --keep";
    EXPECT_EQ(defaults->count("retention_runs"), 10);
    EXPECT_EQ(defaults->size("warn_size"), 10ull << 30);
    auto f = write("user/config.toml",
                   "retention = \"90d\"\nretention_runs = 0\nwarn_size = \"500MiB\"\n");
    env["LEURA_WARN_SIZE"] = "1KiB";
    auto s = load({f});
    ASSERT_TRUE(s) << (diags.empty() ? "" : format(diags.items()[0]));
    EXPECT_EQ(s->duration("retention"), std::chrono::hours(24 * 90));
    EXPECT_EQ(s->count("retention_runs"), 0);
    EXPECT_EQ(s->size("warn_size"), 1024u);
    EXPECT_EQ(s->get("warn_size").origin, "LEURA_WARN_SIZE");
    auto bad = write("user/bad.toml",
                     "retension = \"90d\"\nretention = \"forever\"\nwarn_size = \"10GB\"\n");
    env.clear();
    ASSERT_FALSE(load({bad}));
    ASSERT_EQ(diags.size(), 3u);
    EXPECT_EQ(diags.items()[0].message, "unknown setting 'retension'; did you mean \"retention\"?");
    EXPECT_NE(diags.items()[1].message.find("such as \"90d\""), std::string::npos)
        << diags.items()[1].message;
    EXPECT_NE(diags.items()[2].message.find("must be a size such as \"10GiB\""), std::string::npos)
        << diags.items()[2].message;
}

TEST_F(SettingsTest, EveryDefaultIsAValidValueOfItsSetting) {
    for (const auto& spec : setting_specs()) {
        if (std::string(spec.fallback).empty()) continue;
        std::string why;
        EXPECT_TRUE(setting_value(spec, spec.fallback, why)) << spec.key << ": " << why;
    }
}

} // namespace
} // namespace leura::config
