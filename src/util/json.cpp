// SPDX-License-Identifier: Apache-2.0
#include "util/json.hpp"

#include <nlohmann/json.hpp>

namespace leura::util {

size_t utf8_length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = byte(0);
    if (c < 0x80) return 1;
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    if (n == 0 || i + n > s.size()) return 0;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
    if (byte(1) < lo || byte(1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
        if ((byte(k) >> 6) != 0x2) return 0;
    return n;
}

std::string json_string(std::string_view s) {
    // nlohmann's serializer: RFC 8259 escapes, and each byte sequence that is not UTF-8 becomes
    // U+FFFD, so the output always parses.
    return nlohmann::json(std::string(s))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonObject::key(std::string_view k) {
    if (!m_body.empty()) m_body += ',';
    m_body += json_string(k);
    m_body += ':';
}

JsonObject& JsonObject::add(std::string_view k, std::string_view value) {
    key(k);
    m_body += json_string(value);
    return *this;
}
JsonObject& JsonObject::add(std::string_view k, int64_t value) {
    key(k);
    m_body += std::to_string(value);
    return *this;
}
JsonObject& JsonObject::add(std::string_view k, bool value) {
    key(k);
    m_body += value ? "true" : "false";
    return *this;
}
JsonObject& JsonObject::add(std::string_view k, const std::optional<std::string>& value) {
    return value ? add(k, std::string_view(*value)) : add_null(k);
}
JsonObject& JsonObject::add(std::string_view k, const std::optional<int64_t>& value) {
    return value ? add(k, *value) : add_null(k);
}
JsonObject& JsonObject::add(std::string_view k, const std::vector<std::string>& values) {
    return add_raw(k, json_string_array(values));
}

std::string json_string_array(const std::vector<std::string>& values) {
    std::vector<std::string> items;
    items.reserve(values.size());
    for (const auto& v : values)
        items.push_back(json_string(v));
    return json_array(items);
}
JsonObject& JsonObject::add_null(std::string_view k) {
    key(k);
    m_body += "null";
    return *this;
}
JsonObject& JsonObject::add_raw(std::string_view k, std::string_view json) {
    key(k);
    m_body += json;
    return *this;
}

std::string json_array(const std::vector<std::string>& raw_items) {
    std::string out = "[";
    for (size_t i = 0; i < raw_items.size(); ++i) {
        if (i) out += ',';
        out += raw_items[i];
    }
    return out + "]";
}

} // namespace leura::util
