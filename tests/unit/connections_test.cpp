// SPDX-License-Identifier: Apache-2.0
// The precedence of a host's connection settings (app/connections.hpp), layer by layer, over a
// real inventory file and a real ssh config: flag > host entry > group > defaults > leura's
// setting > ssh config > built-in default.
#include "app/connections.hpp"
#include "config/inventory_file.hpp"
#include "config_fixture.hpp"
#include "inventory/inventory.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace leura::app {
namespace {

class ConnectionsTest : public config::TempDirTest {
protected:
    // The first host of an inventory whose layers each set known_hosts and user, or fewer:
    // `layers` is a subset of "dgh" (defaults, group, host entry).
    inventory::Host host_with(const std::string& layers) {
        std::string text;
        if (layers.find('d') != std::string::npos)
            text += "[defaults]\nknown_hosts = \"/kh/defaults\"\nuser = \"d-user\"\n";
        text += "[[hosts]]\nnames = \"web1\"\ngroups = [\"web\"]\n";
        if (layers.find('h') != std::string::npos)
            text += "known_hosts = \"/kh/host\"\nuser = \"h-user\"\n";
        if (layers.find('g') != std::string::npos)
            text += "[groups.web]\nknown_hosts = \"/kh/group\"\nuser = \"g-user\"\n";
        config::Diagnostics diags;
        auto file = config::load_inventory_file(write("inv.toml", text), diags);
        EXPECT_TRUE(file) << (diags.empty() ? "" : config::format(diags.items()[0]));
        auto inv = inventory::build(*file, diags);
        EXPECT_TRUE(inv);
        return inv->hosts.at(0);
    }

    SshSources sources(const std::string& flag, const std::string& setting, bool file) {
        auto cfg =
            write(".ssh/config", "Host web1\n  User file-user\n  UserKnownHostsFile /kh/file\n"
                                 "  ConnectTimeout 4\n");
        ::chmod(cfg.c_str(), 0600);
        SshSources s;
        s.home = m_dir.string();
        s.local_user = "me";
        s.known_hosts_flag = flag;
        s.known_hosts_setting = setting;
        s.known_hosts_origin = "config.toml:1:1";
        if (file) {
            auto loaded = sshconfig::Config::load({{cfg, true, true}}, s.home);
            EXPECT_TRUE(loaded) << loaded.error().message;
            s.config = std::move(*loaded);
        }
        return s;
    }
};

TEST_F(ConnectionsTest, EachLayerWinsOverTheOnesBelow) {
    struct Case {
        std::string flag, setting, layers;
        bool file;
        std::string known_hosts, origin;
    };
    const std::vector<Case> cases = {
        {"/kh/flag", "/kh/setting", "dgh", true, "/kh/flag", "flag --known-hosts"},
        {"", "/kh/setting", "dgh", true, "/kh/host", "host entry"},
        {"", "/kh/setting", "dg", true, "/kh/group", "group web"},
        {"", "/kh/setting", "d", true, "/kh/defaults", "defaults"},
        {"", "/kh/setting", "", true, "/kh/setting", "setting config.toml:1:1"},
        {"", "", "", true, "/kh/file", "ssh config " + (m_dir / ".ssh/config").string() + ":3"},
        {"", "", "", false, (m_dir / ".ssh/known_hosts").string(), "default"},
    };
    for (const auto& c : cases) {
        auto s = sources(c.flag, c.setting, c.file);
        auto conn = connection_for(host_with(c.layers), s);
        ASSERT_TRUE(conn) << conn.error().message;
        EXPECT_EQ(conn->known_hosts.value, c.known_hosts) << c.layers << " " << c.setting;
        EXPECT_EQ(conn->known_hosts.origin, c.origin) << c.layers << " " << c.setting;
        EXPECT_EQ(conn->endpoint.known_hosts, c.known_hosts);
    }
}

TEST_F(ConnectionsTest, TheInventoryUserWinsAndTheFileFillsTheRest) {
    auto s = sources("", "", true);
    auto from_group = connection_for(host_with("dg"), s);
    ASSERT_TRUE(from_group);
    EXPECT_EQ(from_group->endpoint.user, "g-user");
    EXPECT_EQ(from_group->user.origin, "group web");
    EXPECT_EQ(from_group->endpoint.connect_timeout, std::chrono::seconds(4));
    auto from_file = connection_for(host_with(""), s);
    ASSERT_TRUE(from_file);
    EXPECT_EQ(from_file->endpoint.user, "file-user");
    s.connect_timeout_given = true; // --connect-timeout or the setting
    auto given = connection_for(host_with(""), s);
    ASSERT_TRUE(given);
    EXPECT_EQ(given->endpoint.connect_timeout.count(), 0);
    auto none = connection_for(host_with(""), sources("", "", false));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->endpoint.user, "");
    EXPECT_EQ(none->user.origin, "default (you)");
}

} // namespace
} // namespace leura::app
