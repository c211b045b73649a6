// SPDX-License-Identifier: Apache-2.0
#include "util/json_parse.hpp"

#include <gtest/gtest.h>

#include <string>

namespace leura::util {
namespace {

TEST(JsonParse, ReadsEveryKindOfValue) {
    auto v = parse_json(R"( {"s":"a\"b\\\/\n\u00e9\ud83d\ude00","n":-12.5e+3,"z":0,"t":true,
                            "f":false,"x":null,"a":[1,[],{}],"o":{"k":"v"}} )");
    ASSERT_TRUE(v) << v.error().message;
    ASSERT_TRUE(v->is(JsonValue::Type::object));
    EXPECT_EQ(v->get("s")->text, "a\"b\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    EXPECT_EQ(v->get("n")->text, "-12.5e+3");
    EXPECT_EQ(v->get("z")->text, "0");
    EXPECT_TRUE(v->get("t")->boolean);
    EXPECT_TRUE(v->get("f")->is(JsonValue::Type::boolean));
    EXPECT_FALSE(v->get("f")->boolean);
    EXPECT_TRUE(v->get("x")->is(JsonValue::Type::null));
    EXPECT_EQ(v->get("a")->items.size(), 3u);
    EXPECT_EQ(v->get("o")->get("k")->text, "v");
    EXPECT_EQ(v->get("missing"), nullptr);
    EXPECT_EQ(v->get("s")->get("k"), nullptr) << "get() on a non-object";
}

TEST(JsonParse, WritesBackCompactly) {
    auto v = parse_json(R"({ "b" : [ 1 , "x\n" , null ] , "a" : { } })");
    ASSERT_TRUE(v);
    EXPECT_EQ(to_json(*v), R"({"b":[1,"x\n",null],"a":{}})") << "member order is kept";
}

struct Bad {
    const char* text;
    size_t offset;
    const char* message;
};

TEST(JsonParse, RejectsWhatRfc8259Rejects) {
    // nlohmann-json's messages, without its prefix and without the bytes it last read.
    const Bad cases[] = {
        {"", 0, "unexpected end of input; expected '[', '{', or a literal"},
        {"{", 1, "unexpected end of input; expected string literal"},
        {"{\"a\" 1}", 5, "unexpected number literal; expected ':'"},
        {"[1,]", 3, "unexpected ']'; expected '[', '{', or a literal"},
        {"[1 2]", 3, "unexpected number literal; expected ']'"},
        {"01", 1, "unexpected number literal; expected end of input"},
        {"1.", 2, "invalid number; expected digit after '.'"},
        {"1e", 2, "invalid number; expected '+', '-', or digit after exponent"},
        {"\"a", 2, "invalid string: missing closing quote"},
        {"\"a\nb\"", 2,
         "invalid string: control character U+000A (LF) must be escaped to \\u000A or \\n"},
        {"\"\\x\"", 2, "invalid string: forbidden character after backslash"},
        {"\"\\u12g4\"", 5, "invalid string: '\\u' must be followed by 4 hex digits"},
        {"\"\\ud83d\"", 7,
         "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"},
        {"\"\\ude00\"", 6, "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF"},
        {"tru", 3, "invalid literal"},
        {"{} {}", 3, "unexpected '{'; expected end of input"},
        {"\"0\xca\xc7\"", 3, "invalid string: ill-formed UTF-8 byte"},    // found by fuzz_json
        {"\"\xed\xa0\x80\"", 2, "invalid string: ill-formed UTF-8 byte"}, // an encoded surrogate
        {"\"a\x1b]0;x\x07\"", 2,
         "invalid string: control character U+001B (ESC) must be escaped "
         "to \\u001B"}, // the bytes read stay out of the message
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto v = parse_json(c.text);
        ASSERT_FALSE(v);
        EXPECT_EQ(v.error().message, c.message);
        EXPECT_EQ(v.error().offset, c.offset);
    }
}

TEST(JsonParse, DeepNestingIsRefusedNotACrash) {
    std::string deep(100000, '[');
    auto v = parse_json(deep);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().message, "nested too deeply");
    EXPECT_EQ(v.error().offset, 64u);
    std::string ok = std::string(60, '[') + std::string(60, ']');
    EXPECT_TRUE(parse_json(ok));
    EXPECT_TRUE(parse_json("\"" + std::string(100, '[') + "\\\"\"")) << "brackets in a string";
}

TEST(JsonParse, NumbersKeepTheirText) {
    auto v = parse_json(R"([0, -7, 18446744073709551615, 123456789012345678901234567890, 1E-2])");
    ASSERT_TRUE(v);
    std::string all;
    for (const auto& item : v->items)
        all += item.text + " ";
    EXPECT_EQ(all, "0 -7 18446744073709551615 123456789012345678901234567890 1E-2 ");
}

} // namespace
} // namespace leura::util
