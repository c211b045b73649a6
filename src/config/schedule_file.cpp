// SPDX-License-Identifier: Apache-2.0
#include "config/schedule_file.hpp"
#include "config/toml_text.hpp"
#include "config/toml_util.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace leura::config {

namespace {

using detail::Reporter;
using std::chrono::milliseconds;

const detail::KeySet k_schedules_top_keys{{"schedules"}, {}};
const detail::KeySet k_schedule_keys{{"task", "cron", "every", "at", "tz", "jitter", "overlap",
                                      "catchup", "catchup_window", "inventory", "targets",
                                      "replace_targets", "vars", "paused", "since"},
                                     {}};

void read_one(ScheduleDef& s, const toml::table& t, Reporter& r) {
    int whens = 0;
    for (const auto& [key, value] : detail::in_source_order(t)) {
        const std::string k = detail::name_of(*key);
        const std::string name = s.name + "." + k;
        if (!detail::check_key(*key, k_schedule_keys, "[schedules." + s.name + "]", r)) continue;
        if (k == "task") {
            if (auto v = detail::read_non_empty(*value, name, r)) s.task = *v;
        } else if (k == "cron" || k == "at") {
            ++whens;
            s.when_pos = r.pos(value->source());
            if (auto v = detail::read_non_empty(*value, name, r))
                (k == "cron" ? s.cron : s.at) = *v;
        } else if (k == "every") {
            ++whens;
            s.when_pos = r.pos(value->source());
            if (auto v = detail::read_duration(*value, name, r)) {
                if (*v < milliseconds(60'000) || v->count() % 1000)
                    r.error(*value, "'" + name + "' must be whole seconds, at least 1m: the tick " +
                                        "runs once a minute");
                s.every = *v;
            }
        } else if (k == "tz") {
            s.tz_pos = r.pos(value->source());
            if (auto v = detail::read_non_empty(*value, name, r)) s.tz = *v;
        } else if (k == "jitter") {
            if (auto v = detail::read_duration(*value, name, r)) s.jitter = *v;
        } else if (k == "overlap") {
            if (auto v = detail::read_choice(*value, name, overlap_names(), r))
                s.overlap = ScheduleDef::Overlap(*v);
        } else if (k == "catchup") {
            if (auto v = detail::read_choice(*value, name, catchup_names(), r))
                s.catchup = ScheduleDef::Catchup(*v);
        } else if (k == "catchup_window") {
            if (auto v = detail::read_duration(*value, name, r)) s.catchup_window = *v;
        } else if (k == "inventory") {
            if (auto v = detail::read_non_empty(*value, name, r)) s.inventory = *v;
        } else if (k == "targets") {
            if (auto v = detail::read_non_empty(*value, name, r)) s.targets = *v;
        } else if (k == "replace_targets") {
            if (auto v = detail::read_bool(*value, name, r)) s.replace_targets = *v;
        } else if (k == "vars") {
            if (auto v = detail::read_key_values(*value, name, false, r)) s.vars = std::move(*v);
        } else if (k == "paused") {
            if (auto v = detail::read_bool(*value, name, r)) s.paused = *v;
        } else if (k == "since") {
            if (auto v = detail::read_non_empty(*value, name, r)) s.since = *v;
        }
    }
    const SourcePos at = detail::table_pos(t, r);
    if (s.task.empty()) r.error(at, "schedule '" + s.name + "' has no 'task'");
    if (whens == 0)
        r.error(at, "schedule '" + s.name + "' needs one of 'cron', 'every' or 'at'");
    else if (whens > 1)
        r.error(s.when_pos, "schedule '" + s.name + "' has more than one of 'cron', 'every' and " +
                                "'at': give one");
}

// A duration as parse_duration reads it back: "90s", "15m", "2h", "1d".
std::string duration_text(milliseconds d) {
    long long s = d.count() / 1000;
    if (d.count() % 1000) return std::to_string(d.count()) + "ms";
    if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
    if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

} // namespace

const std::vector<std::string>& overlap_names() {
    static const std::vector<std::string> names{"skip", "queue", "replace"};
    return names;
}

const std::vector<std::string>& catchup_names() {
    static const std::vector<std::string> names{"none", "latest", "all"};
    return names;
}

bool is_schedule_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::optional<std::vector<ScheduleDef>>
parse_schedules_text(const std::string& text, const std::string& name, Diagnostics& diags) {
    Reporter r(name, text, diags);
    const size_t before = r.count();
    auto parsed = detail::parse_toml_text(text, name, diags);
    if (!parsed) return std::nullopt;
    std::vector<ScheduleDef> out;
    const toml::table& top = *parsed;
    for (const auto& [key, value] : detail::in_source_order(top)) {
        if (!detail::check_key(*key, k_schedules_top_keys, "schedules.toml", r)) continue;
        const auto* all = value->as_table();
        if (!all) {
            r.error(*value, "'schedules' must be tables: [schedules.NAME]");
            continue;
        }
        for (const auto& [skey, svalue] : detail::in_source_order(*all)) {
            ScheduleDef s;
            s.name = detail::name_of(*skey);
            s.pos = r.pos(skey->source());
            if (!is_schedule_name(s.name))
                r.error(*skey, "'" + s.name + "' is not a schedule name (letters, digits, '-', " +
                                   "'_' and '.', at most 64)");
            const auto* t = svalue->as_table();
            if (!t) {
                r.error(*svalue, "schedule '" + s.name + "' must be a table");
                continue;
            }
            read_one(s, *t, r);
            out.push_back(std::move(s));
        }
    }
    if (r.count() != before) return std::nullopt;
    return out;
}

std::optional<std::vector<ScheduleDef>> load_schedules(const std::filesystem::path& file,
                                                       Diagnostics& diags) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::vector<ScheduleDef>{};
    auto text = detail::read_text_file(file);
    if (!text) {
        diags.add({file.string(), 0, 0}, text.error().message);
        return std::nullopt;
    }
    return parse_schedules_text(*text, file.string(), diags);
}

std::string schedules_text(const std::vector<ScheduleDef>& defs) {
    std::string out = "# leura schedules: written by `leura schedule add|pause|resume|rm`; safe to "
                      "review and edit.\n# `leura schedule check` validates this file.\n";
    for (const auto& s : defs) {
        out += "\n[schedules." + s.name + "]\n";
        out += "task = " + toml_quote(s.task) + "\n";
        if (!s.cron.empty()) out += "cron = " + toml_quote(s.cron) + "\n";
        if (s.every.count()) out += "every = " + toml_quote(duration_text(s.every)) + "\n";
        if (!s.at.empty()) out += "at = " + toml_quote(s.at) + "\n";
        out += "tz = " + toml_quote(s.tz) + "\n";
        if (s.jitter.count()) out += "jitter = " + toml_quote(duration_text(s.jitter)) + "\n";
        out += "overlap = " + toml_quote(overlap_names()[size_t(s.overlap)]) + "\n";
        out += "catchup = " + toml_quote(catchup_names()[size_t(s.catchup)]) + "\n";
        out += "catchup_window = " + toml_quote(duration_text(s.catchup_window)) + "\n";
        if (!s.inventory.empty()) out += "inventory = " + toml_quote(s.inventory) + "\n";
        if (!s.targets.empty()) out += "targets = " + toml_quote(s.targets) + "\n";
        if (s.replace_targets) out += "replace_targets = true\n";
        if (!s.vars.empty()) {
            out += "vars = { ";
            for (size_t i = 0; i < s.vars.size(); ++i)
                out += (i ? ", " : "") + toml_quote(s.vars[i].first) + " = " +
                       toml_quote(s.vars[i].second);
            out += " }\n";
        }
        if (s.paused) out += "paused = true\n";
        if (!s.since.empty()) out += "since = " + toml_quote(s.since) + "\n";
    }
    return out;
}

} // namespace leura::config
