// SPDX-License-Identifier: Apache-2.0
// The reader is nlohmann-json's SAX parser (strict RFC 8259, UTF-8 checked, fuzzed upstream)
// building our JsonValue, which keeps numbers as written and members in order; the depth limit
// is ours, checked before parsing so the error can say where.
#include "util/json_parse.hpp"
#include "util/json.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace leura::util {

namespace {

constexpr int k_max_depth = 64;

// The offset of the first bracket nested deeper than k_max_depth, outside strings.
std::optional<size_t> too_deep(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > k_max_depth) return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return std::nullopt;
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error
// while parsing value - invalid literal; last read: 'tru'" as "invalid literal": the position is
// reported apart, and the last bytes read come from the host, so they stay out of a message that
// reaches a terminal.
std::string message_of(const std::string& what) {
    std::string m = what;
    if (auto col = m.find(", column "); col != m.npos)
        if (auto colon = m.find(": ", col); colon != m.npos) m = m.substr(colon + 2);
    if (auto last = m.find("; last read:"); last != m.npos) m.resize(last);
    if (m.starts_with("syntax error while parsing "))
        if (auto dash = m.find(" - "); dash != m.npos) m = m.substr(dash + 3);
    return m;
}

class Builder {
public:
    using json = nlohmann::json;

    bool null() { return put(JsonValue{}); }
    bool boolean(bool b) {
        JsonValue v;
        v.type = JsonValue::Type::boolean;
        v.boolean = b;
        return put(std::move(v));
    }
    bool number_integer(json::number_integer_t n) { return number(std::to_string(n)); }
    bool number_unsigned(json::number_unsigned_t n) { return number(std::to_string(n)); }
    bool number_float(json::number_float_t, const std::string& text) { return number(text); }
    bool string(std::string& s) {
        JsonValue v;
        v.type = JsonValue::Type::string;
        v.text = std::move(s);
        return put(std::move(v));
    }
    bool binary(json::binary_t&) { return false; } // never produced by the text parser
    bool start_object(std::size_t) { return open(JsonValue::Type::object); }
    bool key(std::string& name) {
        m_open.back().key = std::move(name);
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(JsonValue::Type::array); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) {
        // nlohmann counts the byte that failed as read; the offset names that byte.
        m_error = {position == 0 ? 0 : position - 1, message_of(e.what())};
        return false;
    }

    JsonValue root;
    JsonError m_error{0, {}};

private:
    struct Open {
        JsonValue value;
        std::string key; // an object's member waiting for its value
    };

    bool number(std::string text) {
        JsonValue v;
        v.type = JsonValue::Type::number;
        v.text = std::move(text);
        return put(std::move(v));
    }
    bool put(JsonValue v) {
        if (m_open.empty()) {
            root = std::move(v);
        } else if (auto& top = m_open.back(); top.value.is(JsonValue::Type::array)) {
            top.value.items.push_back(std::move(v));
        } else {
            top.value.members.push_back({std::move(top.key), std::move(v)});
        }
        return true;
    }
    bool open(JsonValue::Type type) {
        m_open.emplace_back();
        m_open.back().value.type = type;
        return true;
    }
    bool close() {
        JsonValue done = std::move(m_open.back().value);
        m_open.pop_back();
        return put(std::move(done));
    }

    std::vector<Open> m_open;
};

} // namespace

const JsonValue* JsonValue::get(std::string_view key) const {
    if (type != Type::object) return nullptr;
    for (const auto& [name, value] : members)
        if (name == key) return &value;
    return nullptr;
}

std::expected<JsonValue, JsonError> parse_json(std::string_view text) {
    if (auto at = too_deep(text)) return std::unexpected(JsonError{*at, "nested too deeply"});
    Builder builder;
    if (!nlohmann::json::sax_parse(text.begin(), text.end(), &builder))
        return std::unexpected(builder.m_error);
    return std::move(builder.root);
}

std::string to_json(const JsonValue& v) {
    switch (v.type) {
    case JsonValue::Type::null:
        return "null";
    case JsonValue::Type::boolean:
        return v.boolean ? "true" : "false";
    case JsonValue::Type::number:
        return v.text;
    case JsonValue::Type::string:
        return json_string(v.text);
    case JsonValue::Type::array: {
        std::vector<std::string> items;
        for (const auto& item : v.items)
            items.push_back(to_json(item));
        return json_array(items);
    }
    case JsonValue::Type::object: {
        std::string out = "{";
        for (const auto& [name, value] : v.members) {
            if (out.size() > 1) out += ',';
            out += json_string(name) + ":" + to_json(value);
        }
        return out + "}";
    }
    }
    return "null";
}

} // namespace leura::util
