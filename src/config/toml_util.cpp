// SPDX-License-Identifier: Apache-2.0
#include "config/toml_util.hpp"
#include "util/json.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <sstream>
#include <system_error>

namespace leura::config::detail {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

Error file_error(int err) {
    ErrorKind kind = err == ENOENT   ? ErrorKind::not_found
                     : err == EACCES ? ErrorKind::permission
                                     : ErrorKind::io;
    return Error(kind, std::generic_category().message(err));
}

int clamp_index(toml::source_index i) {
    return static_cast<int>(std::min<toml::source_index>(i, std::numeric_limits<int>::max()));
}

std::string in_quotes(std::string_view name) {
    return "'" + std::string(name) + "'";
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

std::string float_to_string(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string out(buf, ec == std::errc() ? end : buf);
    // Keep "1.0" looking like the float the user wrote rather than the integer "1".
    if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
    return out;
}

std::optional<std::string> scalar_to_string(const toml::node& node) {
    if (const auto* s = node.as_string()) return s->get();
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* f = node.as_floating_point()) return float_to_string(f->get());
    if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    return std::nullopt;
}

} // namespace

// Task, inventory and script files are text of a human size: a FIFO must not block `check`,
// nor /dev/zero fill the memory.
constexpr size_t k_max_text_file = 64u << 20;

Result<std::string> read_text_file(const std::filesystem::path& file) {
    std::error_code ec;
    auto type = std::filesystem::status(file, ec).type();
    if (!ec && type != std::filesystem::file_type::regular &&
        type != std::filesystem::file_type::directory)
        return fail(ErrorKind::io, "not a regular file");
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
    if (!f) return std::unexpected(file_error(errno));
    std::string text;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        text.append(buf, n);
        if (text.size() > k_max_text_file)
            return fail(ErrorKind::io, "larger than " + std::to_string(k_max_text_file >> 20) +
                                           " MiB: not a task, inventory or script");
    }
    // Opening a directory succeeds on Linux; the read then fails with EISDIR.
    if (std::ferror(f.get())) return std::unexpected(file_error(errno));
    return text;
}

SourcePos Reporter::pos(const toml::source_region& region) const {
    return {m_file, clamp_index(region.begin.line), clamp_index(region.begin.column)};
}

void Reporter::error(const SourcePos& at, std::string message) {
    m_diags.add(at, std::move(message), line_of(m_text, at.line));
}

std::optional<toml::table> parse_toml_text(const std::string& text, const std::string& name,
                                           Diagnostics& diags) {
    try {
        return toml::parse(std::string_view(text), std::string_view(name));
    } catch (const toml::parse_error& e) {
        std::string message(e.description());
        // toml++ says "Error while parsing ..."; ours follows "error: ", so drop the capital.
        if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z') message[0] += 'a' - 'A';
        Reporter r(name, text, diags);
        r.error(r.pos(e.source()), std::move(message));
        return std::nullopt;
    }
}

std::optional<toml::table> parse_toml_file(const std::filesystem::path& file, std::string& text,
                                           Diagnostics& diags) {
    auto read = read_text_file(file);
    if (!read) {
        diags.add({file.string(), 0, 0}, "cannot read the file: " + read.error().message);
        return std::nullopt;
    }
    text = std::move(*read);
    return parse_toml_text(text, file.string(), diags);
}

std::vector<Entry> in_source_order(const toml::table& table) {
    std::vector<Entry> entries;
    for (auto&& [key, value] : table)
        entries.emplace_back(&key, &value);
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        const auto& pa = a.first->source().begin;
        const auto& pb = b.first->source().begin;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    return entries;
}

SourcePos table_pos(const toml::table& table, const Reporter& r) {
    if (table.source().begin.line > 0) return r.pos(table.source());
    auto entries = in_source_order(table);
    if (!entries.empty()) return r.pos(entries.front().first->source());
    return r.pos(0, 0);
}

bool check_key(const toml::key& key, const KeySet& keys, std::string_view where, Reporter& r) {
    const std::string name = name_of(key);
    if (contains(keys.supported, name)) return true;
    if (contains(keys.planned, name)) {
        r.error(key, in_quotes(name) + " is not supported yet by this version of leura");
        return false;
    }
    std::string message = "unknown key " + in_quotes(name) + " in " + std::string(where);
    if (auto match = util::closest_match(name, keys.supported); !match.empty())
        message += "; did you mean " + in_quotes(match) + "?";
    r.error(key, std::move(message));
    return false;
}

std::optional<std::string> read_string(const toml::node& node, std::string_view name, Reporter& r) {
    if (const auto* s = node.as_string()) return s->get();
    r.error(node, in_quotes(name) + " must be a string");
    return std::nullopt;
}

std::optional<bool> read_bool(const toml::node& node, std::string_view name, Reporter& r) {
    if (const auto* b = node.as_boolean()) return b->get();
    r.error(node, in_quotes(name) + " must be true or false");
    return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_array(const toml::node& node,
                                                          std::string_view name, Reporter& r) {
    const auto* array = node.as_array();
    if (!array) {
        r.error(node, in_quotes(name) + " must be an array of strings");
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (const auto& item : *array) {
        if (const auto* s = item.as_string()) {
            out.push_back(s->get());
        } else {
            r.error(item, "every entry of " + in_quotes(name) + " must be a string");
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<int> read_port(const toml::node& node, std::string_view name, Reporter& r) {
    if (const auto* i = node.as_integer(); i && i->get() >= 1 && i->get() <= 65535)
        return static_cast<int>(i->get());
    r.error(node, in_quotes(name) + " must be an integer from 1 to 65535");
    return std::nullopt;
}

std::optional<std::string> read_non_empty(const toml::node& node, std::string_view name,
                                          Reporter& r) {
    auto text = read_string(node, name, r);
    if (text && text->empty()) {
        r.error(node, in_quotes(name) + " must not be empty");
        return std::nullopt;
    }
    return text;
}

std::optional<int64_t> read_integer(const toml::node& node, std::string_view name, int64_t min,
                                    int64_t max, Reporter& r) {
    const auto* i = node.as_integer();
    if (!i || i->get() < min) {
        r.error(node,
                in_quotes(name) + " must be an integer of " + std::to_string(min) + " or more");
        return std::nullopt;
    }
    if (i->get() > max) {
        r.error(node, in_quotes(name) + " is too large");
        return std::nullopt;
    }
    return i->get();
}

std::optional<std::chrono::milliseconds> read_duration(const toml::node& node,
                                                       std::string_view name, Reporter& r) {
    std::optional<std::chrono::milliseconds> duration;
    if (const auto* seconds = node.as_integer()) {
        // Negative counts become 0 (rejected below) so that scaling cannot overflow.
        const int64_t k_max_seconds = k_max_duration.count() / 1000;
        if (seconds->get() > k_max_seconds) {
            r.error(node, in_quotes(name) + " is too large");
            return std::nullopt;
        }
        duration = std::chrono::milliseconds(std::max<int64_t>(seconds->get(), 0) * 1000);
    } else if (const auto* text = node.as_string()) {
        duration = parse_duration(text->get());
    }
    if (!duration) {
        r.error(node,
                in_quotes(name) + " must be a duration such as \"90s\" or \"5m\", at most 365d");
        return std::nullopt;
    }
    if (duration->count() <= 0) {
        r.error(node, in_quotes(name) + " must be greater than zero");
        return std::nullopt;
    }
    return duration;
}

std::string choice_list(const std::vector<std::string>& choices) {
    std::string out;
    for (size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
        out += "\"" + choices[i] + "\"";
    }
    return out;
}

std::string did_you_mean(std::string_view text, const std::vector<std::string>& choices) {
    auto match = util::closest_match(text, choices);
    return match.empty() ? "" : "; did you mean \"" + match + "\"?";
}

std::optional<size_t> read_choice(const toml::node& node, std::string_view name,
                                  const std::vector<std::string>& choices, Reporter& r) {
    const auto* s = node.as_string();
    if (s) {
        auto it = std::find(choices.begin(), choices.end(), s->get());
        if (it != choices.end()) return static_cast<size_t>(it - choices.begin());
    }
    r.error(node, in_quotes(name) + " must be " + choice_list(choices) +
                      (s ? did_you_mean(s->get(), choices) : ""));
    return std::nullopt;
}

std::optional<KeyValues> read_key_values(const toml::node& node, std::string_view name,
                                         bool shell_names, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, in_quotes(name) + " must be a table");
        return std::nullopt;
    }
    KeyValues out;
    bool ok = true;
    for (auto [key, value] : in_source_order(*table)) {
        if (shell_names && !util::is_shell_identifier(name_of(*key))) {
            r.error(*key, in_quotes(name_of(*key)) + " in " + in_quotes(name) +
                              " is not a valid shell variable name (letters, digits and '_', "
                              "not starting with a digit)");
            ok = false;
        }
        auto text = scalar_to_string(*value);
        if (!text) {
            r.error(*value, in_quotes(std::string(name) + "." + name_of(*key)) +
                                " must be a string, number or boolean");
            ok = false;
            continue;
        }
        out.emplace_back(name_of(*key), std::move(*text));
    }
    if (!ok) return std::nullopt;
    return out;
}

std::string to_json(const toml::node& node) {
    if (const auto* table = node.as_table()) {
        std::string out = "{";
        for (const auto& [key, value] : in_source_order(*table)) {
            if (out.size() > 1) out += ',';
            out += util::json_string(name_of(*key)) + ":" + to_json(*value);
        }
        return out + "}";
    }
    if (const auto* array = node.as_array()) {
        std::vector<std::string> items;
        for (const auto& item : *array)
            items.push_back(to_json(item));
        return util::json_array(items);
    }
    if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* f = node.as_floating_point()) {
        std::ostringstream text;
        text << f->get();
        return std::isfinite(f->get()) ? text.str() : util::json_string(text.str());
    }
    if (const auto* str = node.as_string()) return util::json_string(str->get());
    std::ostringstream text; // dates and times, as TOML writes them
    if (const auto* d = node.as_date()) text << *d;
    if (const auto* t = node.as_time()) text << *t;
    if (const auto* dt = node.as_date_time()) text << *dt;
    return util::json_string(text.str());
}

} // namespace leura::config::detail
