// SPDX-License-Identifier: Apache-2.0
#include "app/schedules.hpp"
#include "app/library.hpp"
#include "schedule/civil.hpp"
#include "schedule/fires.hpp"
#include "util/file_lock.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/replace_file.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

Error at_pos(const SourcePos& pos, Error e) {
    const int column = e.pos.column;
    e.pos = pos;
    // A cron error's column is within the expression; past the opening quote in the file.
    if (column > 0 && pos.column > 0) e.pos.column = pos.column + column;
    return e;
}

} // namespace

Result<std::shared_ptr<const schedule::Spec>>
fire_spec(const std::string& cron, std::chrono::milliseconds every, const std::string& at,
          const std::string& tz, const SourcePos& when_pos, const SourcePos& tz_pos) {
    auto spec = std::make_shared<schedule::Spec>();
    auto zone = schedule::Zone::load(tz);
    if (!zone) return std::unexpected(at_pos(tz_pos, zone.error()));
    spec->zone = *zone;
    if (!cron.empty()) {
        auto parsed = schedule::CronExpr::parse(cron);
        if (!parsed) return std::unexpected(at_pos(when_pos, parsed.error()));
        spec->kind = schedule::Spec::Kind::cron;
        spec->cron = std::move(*parsed);
    } else if (every.count() > 0) {
        spec->kind = schedule::Spec::Kind::every;
        spec->every = every.count() / 1000;
        if (spec->every < 60)
            return std::unexpected(
                at_pos(when_pos, Error(ErrorKind::usage, "'every' must be at least 1m")));
    } else {
        auto when = schedule::parse_local_time(at, *zone);
        if (!when) return std::unexpected(at_pos(when_pos, when.error()));
        spec->kind = schedule::Spec::Kind::at;
        spec->at = when->utc;
    }
    return std::shared_ptr<const schedule::Spec>(std::move(spec));
}

fs::path schedules_path(const Context& ctx) {
    if (ctx.service) return ctx.data_dir / "schedules.toml";
    return util::user_config_dir() / "schedules.toml";
}

Result<Schedule> compile_schedule(const Context& ctx, const config::ScheduleDef& def,
                                  bool check_task) {
    Schedule s;
    s.def = def;
    LEURA_TRY_ASSIGN(spec,
                     fire_spec(def.cron, def.every, def.at, def.tz, def.when_pos, def.tz_pos));
    s.days_or = spec->cron && spec->cron->days_or();
    if (!def.since.empty()) {
        auto since = util::parse_rfc3339(def.since);
        if (!since)
            return std::unexpected(at_pos(
                def.pos, Error(ErrorKind::usage, "schedule '" + def.name + "': since '" +
                                                     def.since + "' is not an RFC 3339 time")));
        s.since = util::unix_seconds(*since);
    }
    if (def.jitter >= def.catchup_window && def.catchup != config::ScheduleDef::Catchup::none)
        return std::unexpected(at_pos(
            def.pos, Error(ErrorKind::usage, "schedule '" + def.name + "': the jitter must " +
                                                 "be shorter than the catch-up window")));
    if (check_task) {
        std::string name;
        auto file = resolve_task(library_root(ctx.settings), def.task, name);
        std::error_code ec;
        if (file && !fs::is_regular_file(*file, ec))
            file = fail(ErrorKind::not_found, "no task file " + def.task);
        if (!file) {
            Error e = file.error();
            e.message = "schedule '" + def.name + "': " + e.message;
            e.pos = {};
            return std::unexpected(at_pos(def.pos, e));
        }
    }
    s.spec = spec;
    return s;
}

std::optional<std::vector<Schedule>> load_schedules(const Context& ctx,
                                                    config::Diagnostics& diags) {
    auto defs = config::load_schedules(schedules_path(ctx), diags);
    if (!defs) return std::nullopt;
    std::vector<Schedule> out;
    const size_t before = diags.size();
    for (const auto& d : *defs) {
        auto s = compile_schedule(ctx, d);
        if (!s) {
            diags.add(s.error().pos, s.error().message);
            continue;
        }
        out.push_back(std::move(*s));
    }
    if (diags.size() != before) return std::nullopt;
    return out;
}

Status edit_schedules(const Context& ctx,
                      const std::function<Status(std::vector<config::ScheduleDef>&)>& change) {
    const fs::path file = schedules_path(ctx);
    LEURA_TRY(util::ensure_private_dir(file.parent_path()));
    LEURA_TRY_ASSIGN(lock, util::FileLock::acquire(file.string() + ".lock",
                                                   std::chrono::seconds(10), [] { return false; }));
    if (!lock)
        return fail(ErrorKind::locked, "another leura is changing " + file.string() +
                                           " (its lock is held for over 10 s)");
    config::Diagnostics diags;
    auto defs = config::load_schedules(file, diags);
    if (!defs)
        return fail(ErrorKind::config, diags.items().empty()
                                           ? file.string() + " cannot be read"
                                           : config::format(diags.items().front()));
    LEURA_TRY(change(*defs));
    return util::replace_file(file, config::schedules_text(*defs), 0600);
}

FireView view_fire(const Schedule& s, int64_t utc, int64_t shift) {
    FireView v;
    v.utc = utc;
    v.shift = shift;
    const auto& zone = s.spec->zone;
    schedule::Civil local = schedule::civil_from_seconds(utc + zone.offset_at(utc));
    v.local = schedule::format_civil(local) + " " + zone.abbreviation_at(utc);
    v.utc_text = schedule::format_civil(schedule::civil_from_seconds(utc)) + " UTC";
    v.rfc3339 = util::rfc3339(util::from_unix(utc));
    if (shift > 0) {
        schedule::Civil was = schedule::civil_from_seconds(utc + zone.offset_at(utc) - shift);
        char buf[8];
        std::snprintf(buf, sizeof buf, "%02d:%02d", was.hour, was.minute);
        v.shifted_from = buf;
    }
    return v;
}

std::vector<FireView> upcoming_fires(const Schedule& s, int64_t after, size_t count) {
    std::vector<FireView> out;
    for (const auto& f : schedule::next_fires(*s.spec, after, count))
        out.push_back(view_fire(s, f.utc, f.shift));
    return out;
}

Result<int64_t> parse_command_time(const std::string& text, const Schedule* s) {
    if (text.size() > 1 && text[0] == '@') {
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str() + 1, &end, 10);
        if (end && *end == '\0') return int64_t(v);
    }
    auto m = schedule::parse_local_time(text, s ? s->spec->zone : schedule::Zone::utc());
    if (!m) return std::unexpected(m.error());
    return m->utc;
}

int64_t jitter_for(const std::string& name, int64_t scheduled_at, int64_t jitter_seconds) {
    if (jitter_seconds <= 0) return 0;
    const std::string digest = util::sha256_hex(name + "\n" + std::to_string(scheduled_at));
    const uint64_t v = std::stoull(digest.substr(0, 15), nullptr, 16);
    return int64_t(v % uint64_t(jitter_seconds));
}

std::string schedule_when_text(const config::ScheduleDef& d) {
    if (!d.cron.empty()) return "cron " + d.cron;
    if (d.every.count()) return "every " + util::human_duration_ms(d.every.count());
    return "at " + d.at;
}

std::string unrecorded_fire(const store::FireRecord& f) {
    if (f.pid && ::kill(pid_t(*f.pid), 0) == 0) return "starting";
    return "not recorded (see schedule.log)";
}

std::string last_fire_result(store::Store* store, const std::string& name) {
    if (!store) return "-";
    auto fires = store->list_fires(name, 1);
    if (!fires || fires->empty()) return "-";
    const auto& f = fires->front();
    std::string out = f.status;
    if (f.run_id) {
        auto run = store->run(*f.run_id);
        out += " " + (run ? run->status : unrecorded_fire(f));
        out += " " + *f.run_id;
    }
    return out;
}

std::string schedule_json(const config::ScheduleDef& d, const Schedule* s,
                          const std::string& problem, store::Store* store, int64_t now) {
    auto next = s ? upcoming_fires(*s, now, 1) : std::vector<FireView>{};
    util::JsonObject o;
    o.add("name", d.name).add("task", d.task).add("when", schedule_when_text(d));
    o.add("tz", d.tz).add("paused", d.paused);
    o.add("next", next.empty() || d.paused ? std::optional<std::string>() : next.front().rfc3339);
    o.add("last", last_fire_result(store, d.name));
    o.add("problem", s ? std::optional<std::string>() : std::optional<std::string>(problem));
    return o.str();
}

} // namespace leura::app
