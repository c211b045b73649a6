// SPDX-License-Identifier: Apache-2.0
#include "config/monitor_file.hpp"
#include "config/toml_util.hpp"

namespace leura::config {

namespace {

using detail::Reporter;

const detail::KeySet k_monitor_keys{{"inventory", "targets", "every", "cron", "tz", "check",
                                     "trigger", "flap", "reaction", "escalation", "mute"},
                                    {}};
const detail::KeySet k_check_keys{{"command", "script", "timeout"}, {"task"}};
const detail::KeySet k_trigger_keys{{"failures", "window", "recoveries", "unreachable"}, {}};
const detail::KeySet k_flap_keys{{"changes", "window"}, {}};
const detail::KeySet k_reaction_keys{{"task", "cooldown", "daily_cap", "max_hosts", "breaker"}, {}};
const detail::KeySet k_escalation_keys{{"task", "after", "every"}, {}};
const detail::KeySet k_mute_keys{{"from", "to"}, {}};

const toml::table* table_of(const toml::node& node, const std::string& name, Reporter& r) {
    const auto* t = node.as_table();
    if (!t) r.error(node, "'" + name + "' must be a table: [" + name + "]");
    return t;
}

int read_count(const toml::node& v, const std::string& name, int64_t min, Reporter& r,
               int fallback) {
    auto n = detail::read_integer(v, name, min, 100000, r);
    return n ? int(*n) : fallback;
}

} // namespace

std::optional<MonitorDef> load_monitor(const std::filesystem::path& file, Diagnostics& diags) {
    std::string text;
    auto doc = detail::parse_toml_file(file, text, diags);
    if (!doc) return std::nullopt;
    Reporter r(file.string(), text, diags);
    const size_t before = r.count();
    MonitorDef m;
    m.name = file.stem().string();
    m.file = file;
    int whens = 0;
    for (const auto& [key, value] : detail::in_source_order(*doc)) {
        if (!detail::check_key(*key, k_monitor_keys, "a monitor", r)) continue;
        const std::string k = detail::name_of(*key);
        if (k == "inventory" || k == "targets" || k == "cron" || k == "tz") {
            auto v = detail::read_non_empty(*value, k, r);
            if (!v) continue;
            if (k == "inventory") m.inventory = *v;
            if (k == "targets") m.targets = *v;
            if (k == "cron") {
                m.cron = *v;
                m.when_pos = r.pos(value->source());
                ++whens;
            }
            if (k == "tz") {
                m.tz = *v;
                m.tz_pos = r.pos(value->source());
            }
        } else if (k == "every") {
            ++whens;
            m.when_pos = r.pos(value->source());
            if (auto v = detail::read_duration(*value, k, r)) {
                if (*v < std::chrono::minutes(1) || v->count() % 1000)
                    r.error(*value, "'every' must be whole seconds, at least 1m");
                m.every = *v;
            }
        } else if (k == "check") {
            const auto* t = table_of(*value, k, r);
            if (!t) continue;
            for (const auto& [ck, cv] : detail::in_source_order(*t)) {
                if (!detail::check_key(*ck, k_check_keys, "[check]", r)) continue;
                const std::string n = detail::name_of(*ck);
                if (n == "command" || n == "script") {
                    if (!m.check_command.empty())
                        r.error(*cv, "[check] has both 'command' and 'script': give one");
                    else if (auto v = detail::read_non_empty(*cv, "check." + n, r))
                        m.check_command = *v;
                } else if (auto v = detail::read_duration(*cv, "check.timeout", r)) {
                    m.check_timeout = *v;
                }
            }
            if (m.check_command.empty())
                r.error(detail::table_pos(*t, r), "[check] needs a 'command' or a 'script'");
        } else if (k == "trigger") {
            const auto* t = table_of(*value, k, r);
            if (!t) continue;
            for (const auto& [tk, tv] : detail::in_source_order(*t)) {
                if (!detail::check_key(*tk, k_trigger_keys, "[trigger]", r)) continue;
                const std::string n = detail::name_of(*tk);
                if (n == "failures") m.failures = read_count(*tv, "trigger.failures", 1, r, 3);
                if (n == "window") m.window = read_count(*tv, "trigger.window", 1, r, 5);
                if (n == "recoveries")
                    m.recoveries = read_count(*tv, "trigger.recoveries", 1, r, 2);
                if (n == "unreachable")
                    if (auto c =
                            detail::read_choice(*tv, "trigger.unreachable", {"ignore", "fail"}, r))
                        m.unreachable_fails = *c == 1;
            }
            if (m.failures > m.window)
                r.error(detail::table_pos(*t, r),
                        "[trigger] failures (" + std::to_string(m.failures) +
                            ") cannot exceed window (" + std::to_string(m.window) + ")");
        } else if (k == "flap") {
            const auto* t = table_of(*value, k, r);
            if (!t) continue;
            for (const auto& [fk, fv] : detail::in_source_order(*t)) {
                if (!detail::check_key(*fk, k_flap_keys, "[flap]", r)) continue;
                if (detail::name_of(*fk) == "changes")
                    m.flap_changes = read_count(*fv, "flap.changes", 2, r, 6);
                else
                    m.flap_window = read_count(*fv, "flap.window", 2, r, 10);
            }
        } else if (k == "reaction") {
            const auto* t = table_of(*value, k, r);
            if (!t) continue;
            m.reaction_pos = detail::table_pos(*t, r);
            for (const auto& [rk, rv] : detail::in_source_order(*t)) {
                if (!detail::check_key(*rk, k_reaction_keys, "[reaction]", r)) continue;
                const std::string n = detail::name_of(*rk);
                if (n == "task") {
                    if (auto v = detail::read_non_empty(*rv, "reaction.task", r))
                        m.reaction_task = *v;
                } else if (n == "cooldown") {
                    if (auto v = detail::read_duration(*rv, "reaction.cooldown", r))
                        m.cooldown = *v;
                } else if (n == "daily_cap") {
                    m.daily_cap = read_count(*rv, "reaction.daily_cap", 1, r, 3);
                } else if (n == "max_hosts") {
                    m.max_hosts = read_count(*rv, "reaction.max_hosts", 1, r, 1);
                } else {
                    m.breaker = read_count(*rv, "reaction.breaker", 1, r, 10);
                }
            }
            if (m.reaction_task.empty()) r.error(m.reaction_pos, "[reaction] needs a 'task'");
        } else if (k == "escalation") {
            const auto* t = table_of(*value, k, r);
            if (!t) continue;
            for (const auto& [ek, ev] : detail::in_source_order(*t)) {
                if (!detail::check_key(*ek, k_escalation_keys, "[escalation]", r)) continue;
                const std::string n = detail::name_of(*ek);
                if (n == "task") {
                    if (auto v = detail::read_non_empty(*ev, "escalation.task", r))
                        m.escalation_task = *v;
                } else if (n == "after") {
                    m.escalate_after = read_count(*ev, "escalation.after", 1, r, 2);
                } else if (auto v = detail::read_duration(*ev, "escalation.every", r)) {
                    m.escalate_every = *v;
                }
            }
            if (m.escalation_task.empty())
                r.error(detail::table_pos(*t, r), "[escalation] needs a 'task'");
        } else if (k == "mute") {
            const auto* list = value->as_array();
            if (!list || !list->is_array_of_tables()) {
                r.error(*value, "'mute' must be [[mute]] tables with 'from' and 'to'");
                continue;
            }
            for (const auto& item : *list) {
                const auto& t = *item.as_table();
                MonitorDef::Mute mute;
                mute.pos = detail::table_pos(t, r);
                for (const auto& [mk, mv] : detail::in_source_order(t)) {
                    if (!detail::check_key(*mk, k_mute_keys, "[[mute]]", r)) continue;
                    if (auto v = detail::read_non_empty(*mv, "mute." + detail::name_of(*mk), r))
                        (detail::name_of(*mk) == "from" ? mute.from : mute.to) = *v;
                }
                if (mute.from.empty() || mute.to.empty())
                    r.error(mute.pos, "[[mute]] needs 'from' and 'to'");
                m.mutes.push_back(std::move(mute));
            }
        }
    }
    if (m.check_command.empty() && r.count() == before)
        r.error(r.pos(1, 1), "monitor '" + m.name + "' has no [check]");
    if (whens > 1) r.error(m.when_pos, "give one of 'every' and 'cron'");
    if (r.count() != before) return std::nullopt;
    return m;
}

} // namespace leura::config
