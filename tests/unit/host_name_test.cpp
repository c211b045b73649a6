// SPDX-License-Identifier: Apache-2.0
#include "inventory/host_name.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace leura {
namespace {

TEST(HostName, DnsNamesAndAddressesAreAccepted) {
    for (const char* ok : {"web01.phx01.example.com", "db_2", "a-b", "10.0.0.1", "::1", "fe80::1:2",
                           "::ffff:10.0.0.1", "localhost"})
        EXPECT_EQ(inventory::host_name_problem(ok), "") << ok;
}

TEST(HostName, ShellSelectorAndPathCharactersAreRefused) {
    for (const char* bad : {"web1;rm -rf /",
                            "../../etc/evil",
                            "web 1",
                            "a,b",
                            "!a",
                            "a&b",
                            "a^b",
                            "u@h",
                            "w*",
                            "w?",
                            "(a)",
                            "a=b",
                            "a$b",
                            "a/b",
                            "a\nb",
                            "a\x1b]0;x",
                            "-oProxyCommand",
                            ".hidden",
                            "fe80::1%eth0",
                            ""})
        EXPECT_NE(inventory::host_name_problem(bad), "") << bad;
    EXPECT_NE(inventory::host_name_problem(std::string(254, 'a')), "");
}

TEST(HostName, ProblemNeverCarriesControlBytes) {
    std::string p = inventory::host_name_problem("evil\x1b[2J\r\n");
    for (char c : p)
        EXPECT_GE(static_cast<unsigned char>(c), 0x20) << p;
}

TEST(TerminalSafe, ControlBytesAreEscapedAndTextKept) {
    EXPECT_EQ(util::terminal_safe("plain text\n\tok"), "plain text\n\tok");
    EXPECT_EQ(util::terminal_safe("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
    EXPECT_EQ(util::terminal_safe("a\rb\x7f"), "a\\x0db\\x7f");
    EXPECT_EQ(util::terminal_safe("line\nnext", true), "line\\nnext");
    EXPECT_EQ(util::terminal_safe("caf\xc3\xa9"), "caf\xc3\xa9"); // UTF-8 stays
    EXPECT_EQ(util::terminal_safe("\xc2\x9b"
                                  "2J"),
              "\\u009b2J"); // C1 CSI does not
}

} // namespace
} // namespace leura
