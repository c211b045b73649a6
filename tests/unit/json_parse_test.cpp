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
    const Bad cases[] = {
        {"", 0, "unexpected end of input"},
        {"{", 1, "expected a member name"},
        {"{\"a\" 1}", 5, "expected ':'"},
        {"[1,]", 3, "expected a value"},
        {"[1 2]", 3, "expected ',' or ']'"},
        {"01", 1, "unexpected text after the JSON value"},
        {"1.", 2, "expected digits after '.'"},
        {"1e", 2, "expected digits in the exponent"},
        {"\"a", 2, "unterminated string"},
        {"\"a\nb\"", 2, "control character in string"},
        {"\"\\x\"", 2, "invalid escape"},
        {"\"\\u12g4\"", 5, "bad hex digit in \\u escape"},
        {"\"\\ud83d\"", 7, "unpaired surrogate"},
        {"\"\\ude00\"", 7, "unpaired surrogate"},
        {"tru", 0, "invalid literal"},
        {"{} {}", 3, "unexpected text after the JSON value"},
        {"\"0\xca\xc7\"", 2, "invalid UTF-8 in string"},    // found by fuzz_json
        {"\"\xed\xa0\x80\"", 1, "invalid UTF-8 in string"}, // an encoded surrogate
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
    std::string ok = std::string(60, '[') + std::string(60, ']');
    EXPECT_TRUE(parse_json(ok));
}

} // namespace
} // namespace leura::util
