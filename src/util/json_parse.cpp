// SPDX-License-Identifier: Apache-2.0
#include "util/json_parse.hpp"
#include "util/json.hpp"

#include <cstdint>

namespace leura::util {

namespace {

constexpr int k_max_depth = 64;

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    std::expected<JsonValue, JsonError> document() {
        JsonValue v;
        if (!value(v, 0)) return std::unexpected(m_error);
        skip_space();
        if (m_at != m_text.size()) return fail("unexpected text after the JSON value");
        return v;
    }

private:
    std::unexpected<JsonError> fail(std::string message) {
        m_error = {m_at, std::move(message)};
        return std::unexpected(m_error);
    }
    bool error(std::string message) {
        m_error = {m_at, std::move(message)};
        return false;
    }
    void skip_space() {
        while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t' ||
                                        m_text[m_at] == '\n' || m_text[m_at] == '\r'))
            ++m_at;
    }
    bool literal(std::string_view word) {
        if (m_text.substr(m_at, word.size()) != word) return error("invalid literal");
        m_at += word.size();
        return true;
    }

    bool value(JsonValue& v, int depth) {
        if (depth > k_max_depth) return error("nested too deeply");
        skip_space();
        if (m_at >= m_text.size()) return error("unexpected end of input");
        char c = m_text[m_at];
        switch (c) {
        case '{':
            v.type = JsonValue::Type::object;
            return object(v, depth);
        case '[':
            v.type = JsonValue::Type::array;
            return array(v, depth);
        case '"':
            v.type = JsonValue::Type::string;
            return string(v.text);
        case 't':
            v.type = JsonValue::Type::boolean;
            v.boolean = true;
            return literal("true");
        case 'f':
            v.type = JsonValue::Type::boolean;
            return literal("false");
        case 'n':
            return literal("null");
        default:
            v.type = JsonValue::Type::number;
            return number(v.text);
        }
    }

    bool object(JsonValue& v, int depth) {
        ++m_at; // {
        skip_space();
        if (m_at < m_text.size() && m_text[m_at] == '}') return ++m_at, true;
        while (true) {
            skip_space();
            if (m_at >= m_text.size() || m_text[m_at] != '"')
                return error("expected a member name");
            std::string key;
            if (!string(key)) return false;
            skip_space();
            if (m_at >= m_text.size() || m_text[m_at] != ':') return error("expected ':'");
            ++m_at;
            v.members.push_back({std::move(key), JsonValue{}});
            if (!value(v.members.back().value, depth + 1)) return false;
            skip_space();
            if (m_at < m_text.size() && m_text[m_at] == ',') {
                ++m_at;
                continue;
            }
            if (m_at < m_text.size() && m_text[m_at] == '}') return ++m_at, true;
            return error("expected ',' or '}'");
        }
    }

    bool array(JsonValue& v, int depth) {
        ++m_at; // [
        skip_space();
        if (m_at < m_text.size() && m_text[m_at] == ']') return ++m_at, true;
        while (true) {
            v.items.emplace_back();
            if (!value(v.items.back(), depth + 1)) return false;
            skip_space();
            if (m_at < m_text.size() && m_text[m_at] == ',') {
                ++m_at;
                continue;
            }
            if (m_at < m_text.size() && m_text[m_at] == ']') return ++m_at, true;
            return error("expected ',' or ']'");
        }
    }

    bool number(std::string& out) {
        size_t start = m_at;
        auto digits = [this] {
            size_t from = m_at;
            while (m_at < m_text.size() && m_text[m_at] >= '0' && m_text[m_at] <= '9')
                ++m_at;
            return m_at > from;
        };
        if (m_at < m_text.size() && m_text[m_at] == '-') ++m_at;
        if (m_at < m_text.size() && m_text[m_at] == '0')
            ++m_at;
        else if (!digits())
            return m_at = start, error("expected a value");
        if (m_at < m_text.size() && m_text[m_at] == '.') {
            ++m_at;
            if (!digits()) return error("expected digits after '.'");
        }
        if (m_at < m_text.size() && (m_text[m_at] == 'e' || m_text[m_at] == 'E')) {
            ++m_at;
            if (m_at < m_text.size() && (m_text[m_at] == '+' || m_text[m_at] == '-')) ++m_at;
            if (!digits()) return error("expected digits in the exponent");
        }
        out = std::string(m_text.substr(start, m_at - start));
        return true;
    }

    bool hex4(uint32_t& out) {
        if (m_at + 4 > m_text.size()) return error("incomplete \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            char c = m_text[m_at++];
            out <<= 4;
            if (c >= '0' && c <= '9')
                out |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f')
                out |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                out |= uint32_t(c - 'A' + 10);
            else
                return --m_at, error("bad hex digit in \\u escape");
        }
        return true;
    }

    static void append_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    bool escape(std::string& out) {
        if (m_at >= m_text.size()) return error("unterminated string");
        char c = m_text[m_at++];
        switch (c) {
        case '"':
        case '\\':
        case '/':
            out += c;
            return true;
        case 'b':
            out += '\b';
            return true;
        case 'f':
            out += '\f';
            return true;
        case 'n':
            out += '\n';
            return true;
        case 'r':
            out += '\r';
            return true;
        case 't':
            out += '\t';
            return true;
        case 'u':
            break;
        default:
            return --m_at, error("invalid escape");
        }
        uint32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (m_text.substr(m_at, 2) != "\\u") return error("unpaired surrogate");
            m_at += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return error("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return error("unpaired surrogate");
        }
        append_utf8(out, cp);
        return true;
    }

    bool string(std::string& out) {
        ++m_at; // "
        while (m_at < m_text.size()) {
            char c = m_text[m_at];
            if (c == '"') return ++m_at, true;
            if (static_cast<unsigned char>(c) < 0x20) return error("control character in string");
            if (static_cast<unsigned char>(c) >= 0x80) {
                size_t n = utf8_length(m_text, m_at);
                if (n == 0) return error("invalid UTF-8 in string");
                out.append(m_text.substr(m_at, n));
                m_at += n;
                continue;
            }
            ++m_at;
            if (c == '\\') {
                if (!escape(out)) return false;
            } else {
                out += c;
            }
        }
        return error("unterminated string");
    }

    std::string_view m_text;
    size_t m_at = 0;
    JsonError m_error{0, {}};
};

} // namespace

const JsonValue* JsonValue::get(std::string_view key) const {
    if (type != Type::object) return nullptr;
    for (const auto& [name, value] : members)
        if (name == key) return &value;
    return nullptr;
}

std::expected<JsonValue, JsonError> parse_json(std::string_view text) {
    return Parser(text).document();
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
