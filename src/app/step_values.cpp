// SPDX-License-Identifier: Apache-2.0
#include "app/step_values.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"

#include <algorithm>
#include <cctype>

namespace leura::app {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

size_t ValueCut::partial() const {
    // The longest tail of m_held that begins the marker (which begins with a newline).
    size_t from = m_held.size() > m_marker.size() ? m_held.size() - m_marker.size() + 1 : 0;
    for (size_t at = m_held.find('\n', from); at != std::string::npos;
         at = m_held.find('\n', at + 1))
        if (m_marker.compare(0, m_held.size() - at, m_held, at) == 0) return m_held.size() - at;
    return 0;
}

bool is_value_name(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

std::string env_part(std::string_view name) {
    std::string out;
    for (char c : name)
        out += std::isalnum(static_cast<unsigned char>(c))
                   ? char(std::toupper(static_cast<unsigned char>(c)))
                   : '_';
    return out;
}

StepValues parse_values_text(std::string_view text) {
    StepValues out;
    size_t number = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line[0] == '#') continue;
        size_t eq = line.find('=');
        std::string_view name = line.substr(0, eq);
        if (eq == std::string_view::npos || !is_value_name(name)) {
            out.problems.push_back("$LEURA_OUTPUT line " + std::to_string(number) +
                                   ": not name=value (a name is letters, digits and _)");
            continue;
        }
        std::string value(line.substr(eq + 1));
        auto same = std::find_if(out.values.begin(), out.values.end(),
                                 [&](const auto& kv) { return kv.first == name; });
        if (same != out.values.end())
            same->second = std::move(value);
        else
            out.values.emplace_back(std::string(name), std::move(value));
    }
    return out;
}

StepValues parse_values(const ValueCut& cut) {
    if (cut.too_long())
        return {{},
                {"$LEURA_OUTPUT is over " + std::to_string(k_max_values_bytes / 1024) +
                 " KiB; its values were not taken"}};
    const std::string& hex = cut.hex();
    std::string text;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return {{}, {"the step's values arrived garbled"}};
        text += char(hi * 16 + lo);
    }
    if (hex.size() % 2) return {{}, {"the step's values arrived garbled"}};
    return parse_values_text(text);
}

std::string values_json(const config::KeyValues& values, const std::vector<std::string>& secret) {
    util::JsonObject o;
    for (const auto& [name, value] : values)
        if (std::find(secret.begin(), secret.end(), name) != secret.end())
            o.add(name, "[secret:" + name + "]");
        else
            o.add(name, value);
    return o.str();
}

config::KeyValues parse_values_json(std::string_view json) {
    config::KeyValues out;
    auto v = util::parse_json(json);
    if (!v || !v->is(util::JsonValue::Type::object)) return out;
    for (const auto& m : v->members)
        if (m.value.is(util::JsonValue::Type::string)) out.emplace_back(m.name, m.value.text);
    return out;
}

} // namespace leura::app
