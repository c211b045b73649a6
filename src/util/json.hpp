// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::util {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 (Unicode Table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_length(std::string_view s, size_t i);

// "..." with JSON escapes (nlohmann-json's serializer); bytes that are not UTF-8 become U+FFFD
// so the output always parses. JsonObject below only orders fields; every string goes through
// this.
std::string json_string(std::string_view s);

// Builds one JSON object, fields in the order added.
class JsonObject {
public:
    JsonObject& add(std::string_view key, std::string_view value);
    JsonObject& add(std::string_view key, const std::string& value) {
        return add(key, std::string_view(value));
    }
    JsonObject& add(std::string_view key, const char* value) {
        return add(key, std::string_view(value));
    }
    JsonObject& add(std::string_view key, int64_t value);
    JsonObject& add(std::string_view key, int value) { return add(key, int64_t(value)); }
    JsonObject& add(std::string_view key, size_t value) { return add(key, int64_t(value)); }
    JsonObject& add(std::string_view key, bool value);
    JsonObject& add(std::string_view key, const std::optional<std::string>& value);
    JsonObject& add(std::string_view key, const std::optional<int64_t>& value);
    JsonObject& add(std::string_view key, const std::vector<std::string>& values);
    JsonObject& add_null(std::string_view key);
    // `json` must already be valid JSON (a nested object or array).
    JsonObject& add_raw(std::string_view key, std::string_view json);
    std::string str() const { return "{" + m_body + "}"; }

private:
    void key(std::string_view k);
    std::string m_body;
};

std::string json_array(const std::vector<std::string>& raw_items);
// ["a","b"]: each string quoted and escaped.
std::string json_string_array(const std::vector<std::string>& values);

} // namespace leura::util
