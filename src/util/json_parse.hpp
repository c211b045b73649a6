// SPDX-License-Identifier: Apache-2.0
#pragma once

// A strict JSON reader (RFC 8259, nlohmann-json underneath) for what custom steps answer.
// Numbers are kept as their text; objects keep their members in order; nesting deeper than 64
// is refused.

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leura::util {

struct JsonValue {
    enum class Type { null, boolean, number, string, array, object };
    struct Member; // name and value; a std::pair may not hold the incomplete JsonValue
    Type type = Type::null;
    bool boolean = false;
    std::string text; // a string's value, or a number as written
    std::vector<JsonValue> items;
    std::vector<Member> members;

    // The member named `key` of an object; nullptr when absent or not an object.
    const JsonValue* get(std::string_view key) const;
    bool is(Type t) const { return type == t; }
};

struct JsonValue::Member {
    std::string name;
    JsonValue value;
};

struct JsonError {
    size_t offset; // byte offset of the problem
    std::string message;
};

std::expected<JsonValue, JsonError> parse_json(std::string_view text);

// The value written back as compact JSON.
std::string to_json(const JsonValue& value);

} // namespace leura::util
