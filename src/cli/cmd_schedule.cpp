// SPDX-License-Identifier: Apache-2.0
// `leura schedule`: timed and cron tasks. The file (schedules.toml) says what; the tick
// (app/schedule_tick.hpp), run every minute by a timer, does what is due.
#include "app/access_gate.hpp"
#include "app/library.hpp"
#include "app/schedule_tick.hpp"
#include "app/schedules.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "config/task.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/replace_file.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

namespace leura::cli {

namespace {

namespace fs = std::filesystem;

struct ScheduleFlags {
    std::string name;
    config::ScheduleDef def;
    std::string cron, every, at, jitter, overlap = "skip", catchup = "latest",
                                         catchup_window = "1h";
    std::vector<std::string> vars;
    bool paused = false;
    // next
    std::string from;
    int count = 10;
    bool utc = false;
    // tick
    std::string now;
    bool dry_run = false;
    // install
    bool systemd = false, cron_line = false, print = false;
    std::string dir;
    std::string user;
    // history, list
    int64_t limit = 20;
    bool json = false;
};

int64_t now_seconds(app::Context& ctx) {
    return util::unix_seconds(ctx.clock());
}

std::string fire_line(const app::FireView& v, bool utc_only) {
    std::string line = utc_only ? v.utc_text : v.local + "  (" + v.utc_text + ")";
    if (v.shift > 0)
        line += "  shifted +" + util::human_duration_ms(v.shift * 1000) + ": " + v.shifted_from +
                " does not exist that day";
    return line;
}

// The definition named `name`, as the file has it (another schedule's problems do not
// matter). Errors: config (the file does not parse), not_found.
Result<config::ScheduleDef> find_def(app::Context& ctx, const std::string& name) {
    config::Diagnostics diags;
    auto all = config::load_schedules(app::schedules_path(ctx), diags);
    if (!all) {
        report(diags);
        return fail(ErrorKind::config, app::schedules_path(ctx).string() + " has problems");
    }
    std::vector<std::string> names;
    for (auto& d : *all) {
        if (d.name == name) return std::move(d);
        names.push_back(d.name);
    }
    std::string hint = util::closest_match(name, names);
    return fail(ErrorKind::not_found, "no schedule '" + name + "'" +
                                          (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

// The schedule named `name`, compiled. Errors: as find_def, and its own problem.
Result<app::Schedule> find_schedule(app::Context& ctx, const std::string& name) {
    LEURA_TRY_ASSIGN(def, find_def(ctx, name));
    return app::compile_schedule(ctx, def);
}

// The policy's `schedule` right on the schedule's task (audited either way).
Status may_schedule(app::Context& ctx, const config::ScheduleDef& def, const std::string& what) {
    app::AccessRequest req;
    req.action = "schedule";
    req.task = def.task;
    req.inventory = def.inventory;
    req.resource = "schedule:" + def.name + " (" + what + ", task:" + def.task + ")";
    return app::authorize(ctx, req);
}

// Fills f.def from the flags of `add`. Errors: usage.
Status def_from_flags(app::Context& ctx, ScheduleFlags& f) {
    auto& d = f.def;
    d.name = f.name;
    if (!config::is_schedule_name(d.name))
        return fail(ErrorKind::usage, "'" + d.name + "' is not a schedule name (letters, " +
                                          "digits, '-', '_' and '.', at most 64)");
    const int whens = !f.cron.empty() + !f.every.empty() + !f.at.empty();
    if (whens != 1) return fail(ErrorKind::usage, "give one of --cron, --every and --at");
    d.cron = f.cron;
    d.at = f.at;
    auto duration = [](const std::string& flag, const std::string& text,
                       std::chrono::milliseconds& out) -> Status {
        auto v = config::parse_duration(text);
        if (!v)
            return fail(ErrorKind::usage,
                        flag + " wants a duration such as 10m, got '" + text + "'");
        out = *v;
        return {};
    };
    if (!f.every.empty()) {
        LEURA_TRY(duration("--every", f.every, d.every));
        if (d.every < std::chrono::minutes(1) || d.every.count() % 1000)
            return fail(ErrorKind::usage, "--every must be whole seconds, at least 1m: the tick "
                                          "runs once a minute");
    }
    if (!f.jitter.empty()) LEURA_TRY(duration("--jitter", f.jitter, d.jitter));
    LEURA_TRY(duration("--catchup-window", f.catchup_window, d.catchup_window));
    d.overlap = config::ScheduleDef::Overlap(
        std::find(config::overlap_names().begin(), config::overlap_names().end(), f.overlap) -
        config::overlap_names().begin());
    d.catchup = config::ScheduleDef::Catchup(
        std::find(config::catchup_names().begin(), config::catchup_names().end(), f.catchup) -
        config::catchup_names().begin());
    for (const auto& kv : f.vars) {
        auto eq = kv.find('=');
        if (eq == kv.npos || eq == 0)
            return fail(ErrorKind::usage, "--var wants NAME=VALUE, got '" + kv + "'");
        d.vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    // Runs start from "/": what this directory names is kept as an absolute path.
    std::error_code ec;
    if (app::is_task_path(d.task)) {
        if (ctx.service) LEURA_TRY(app::require_named(ctx, d.task));
        d.task = fs::absolute(d.task, ec).lexically_normal().string();
    } else if (fs::path root = app::library_root(ctx.settings);
               root.is_absolute() && ctx.settings.is_default("library") && !ctx.service &&
               fs::equivalent(root, fs::absolute("runbooks", ec), ec)) {
        auto file = app::library_file(root, d.task);
        if (file) d.task = file->string();
    }
    if (!d.inventory.empty() && !ctx.service) {
        if (fs::is_regular_file(d.inventory, ec))
            d.inventory = fs::absolute(d.inventory, ec).lexically_normal().string();
        else if (fs::is_regular_file("inventories/" + d.inventory + ".toml", ec))
            d.inventory = fs::absolute("inventories/" + d.inventory + ".toml", ec).string();
    } else if (!d.inventory.empty()) {
        LEURA_TRY(app::require_named(ctx, d.inventory));
    }
    d.paused = f.paused;
    d.since = util::rfc3339(ctx.clock());
    return {};
}

void warn_days_or(const app::Schedule& s) {
    if (s.days_or)
        warn({"'" + s.def.cron + "': both day of month and day of week are restricted, so a " +
              "day matches either (as in every cron); check the fires below"});
}

int add(app::Context& ctx, ScheduleFlags& f) {
    if (auto st = def_from_flags(ctx, f); !st) return report(st.error());
    auto compiled = app::compile_schedule(ctx, f.def);
    if (!compiled) return report(compiled.error());
    auto next = app::upcoming_fires(*compiled, now_seconds(ctx), 3);
    if (next.empty())
        return report(Error(ErrorKind::usage, "--at " + f.def.at + " (" + f.def.tz +
                                                  ") has passed: it would never fire"));
    if (auto st = may_schedule(ctx, f.def, "add"); !st) return report(st.error());
    auto st = app::edit_schedules(ctx, [&](std::vector<config::ScheduleDef>& defs) -> Status {
        for (const auto& d : defs)
            if (d.name == f.def.name)
                return fail(ErrorKind::usage, "schedule '" + f.def.name + "' exists; `leura " +
                                                  "schedule rm " + f.def.name + "` first");
        defs.push_back(f.def);
        return {};
    });
    if (!st) return report(st.error());
    warn_days_or(*compiled);
    std::printf("added schedule %s (%s, task %s) to %s\n", f.def.name.c_str(),
                cell(app::schedule_when_text(f.def)).c_str(), cell(f.def.task).c_str(),
                app::schedules_path(ctx).c_str());
    for (const auto& v : next)
        std::printf("  next: %s\n", fire_line(v, false).c_str());
    if (f.def.paused) std::printf("it is paused: `leura schedule resume %s`\n", f.name.c_str());
    return 0;
}

int change(app::Context& ctx, const std::string& name, const std::string& what) {
    // A broken schedule can still be paused or removed: only the file must parse.
    auto found = find_def(ctx, name);
    if (!found) return report(found.error());
    if (auto st = may_schedule(ctx, *found, what); !st) return report(st.error());
    auto st = app::edit_schedules(ctx, [&](std::vector<config::ScheduleDef>& defs) -> Status {
        auto it = std::find_if(defs.begin(), defs.end(),
                               [&](const config::ScheduleDef& d) { return d.name == name; });
        if (it == defs.end()) return fail(ErrorKind::not_found, "no schedule '" + name + "'");
        if (what == "rm") {
            defs.erase(it);
        } else if (what == "pause") {
            it->paused = true;
        } else if (!it->paused) {
            return fail(ErrorKind::usage, "schedule '" + name + "' is not paused");
        } else {
            // Resumed: fires count from now, so the pause is not caught up.
            it->paused = false;
            it->since = util::rfc3339(ctx.clock());
        }
        return {};
    });
    if (!st) return report(st.error());
    const char* done = what == "rm" ? "removed" : what == "pause" ? "paused" : "resumed";
    std::printf("%s schedule %s\n", done, name.c_str());
    if (what == "resume") {
        auto compiled = find_schedule(ctx, name);
        if (!compiled) return report(compiled.error());
        for (const auto& v : app::upcoming_fires(*compiled, now_seconds(ctx), 1))
            std::printf("  next: %s\n", fire_line(v, false).c_str());
    }
    return 0;
}

int list(app::Context& ctx, const ScheduleFlags& f) {
    // Every schedule in the file; one with a problem is listed as such, the problem said after.
    config::Diagnostics diags;
    auto defs = config::load_schedules(app::schedules_path(ctx), diags);
    if (!defs) return report(diags);
    auto records = ctx.records();
    store::Store* store = records ? *records : nullptr;
    const int64_t now = now_seconds(ctx);
    std::vector<std::vector<std::string>> rows{
        {"NAME", "TASK", "WHEN", "NEXT (LOCAL)", "NEXT (UTC)", "LAST"}};
    for (const auto& d : *defs) {
        auto s = app::compile_schedule(ctx, d);
        if (!s) diags.add(s.error().pos, s.error().message);
        auto next = s ? app::upcoming_fires(*s, now, 1) : std::vector<app::FireView>{};
        if (f.json) {
            std::printf("%s\n", app::schedule_json(d, s ? &*s : nullptr, s ? "" : s.error().message,
                                                   store, now)
                                    .c_str());
            continue;
        }
        std::string local = !s             ? "problem (below)"
                            : d.paused     ? "paused"
                            : next.empty() ? "never"
                                           : next[0].local;
        std::string utc = !s || d.paused || next.empty() ? "-" : next[0].utc_text;
        if (s && !d.paused && !next.empty() && next[0].shift) local += " (shifted)";
        rows.push_back({cell(d.name), cell(d.task),
                        cell(app::schedule_when_text(d)) + (d.tz == "UTC" ? "" : " " + d.tz), local,
                        utc, cell(app::last_fire_result(store, d.name))});
    }
    if (!f.json && defs->empty())
        std::fprintf(stderr, "leura: no schedules in %s; add one with `leura schedule add`\n",
                     app::schedules_path(ctx).c_str());
    else if (!f.json)
        print_columns(rows);
    if (!diags.empty()) return report(diags);
    return 0;
}

int next(app::Context& ctx, const ScheduleFlags& f) {
    std::optional<app::Schedule> s;
    if (!f.cron.empty() || !f.every.empty()) {
        if (!f.name.empty())
            return report(Error(ErrorKind::usage, "give a schedule's name or --cron, not both"));
        config::ScheduleDef d;
        d.name = "(--cron)";
        d.cron = f.cron;
        if (!f.every.empty()) {
            auto every = config::parse_duration(f.every);
            if (!every) return report(Error(ErrorKind::usage, "--every wants a duration"));
            d.every = *every;
        }
        d.tz = f.def.tz;
        auto compiled = app::compile_schedule(ctx, d, false);
        if (!compiled) {
            Error e = compiled.error();
            if (e.pos.column > 0 && !f.cron.empty())
                e.message = "--cron '" + f.cron + "', column " + std::to_string(e.pos.column) +
                            ": " + e.message;
            e.pos = {};
            return report(e);
        }
        s = std::move(*compiled);
    } else if (f.name.empty()) {
        return report(Error(ErrorKind::usage, "give a schedule's name, or --cron EXPR"));
    } else {
        auto found = find_schedule(ctx, f.name);
        if (!found) return report(found.error());
        s = std::move(*found);
    }
    int64_t from = now_seconds(ctx);
    if (!f.from.empty()) {
        auto t = app::parse_command_time(f.from, &*s);
        if (!t) return report(Error(ErrorKind::usage, "--from: " + t.error().message));
        from = *t;
    }
    if (f.count < 1 || f.count > 10000)
        return report(Error(ErrorKind::usage, "--count must be from 1 to 10000"));
    warn_days_or(*s);
    auto fires = app::upcoming_fires(*s, from, size_t(f.count));
    for (const auto& v : fires) {
        if (f.json) {
            util::JsonObject o;
            o.add("utc", v.rfc3339).add("local", v.local).add("shifted", v.shift > 0);
            if (v.shift) o.add("shift_s", v.shift).add("shifted_from", v.shifted_from);
            std::printf("%s\n", o.str().c_str());
        } else {
            std::printf("%s\n", fire_line(v, f.utc).c_str());
        }
    }
    if (fires.empty()) std::fprintf(stderr, "leura: no fire after that time\n");
    return 0;
}

int history(app::Context& ctx, const ScheduleFlags& f) {
    auto found = find_schedule(ctx, f.name);
    // A removed schedule's history stays readable.
    std::optional<app::Schedule> s;
    if (found) s = std::move(*found);
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto fires = (*records)->list_fires(f.name, f.limit);
    if (!fires) return report(fires.error());
    if (!s && fires->empty()) return report(found.error());
    auto run_status = [&](const store::FireRecord& r) -> std::string {
        if (!r.run_id) return "";
        auto run = (*records)->run(*r.run_id);
        return run ? run->status : app::unrecorded_fire(r);
    };
    if (f.json) {
        for (const auto& r : *fires) {
            util::JsonObject o;
            o.add("schedule", r.schedule)
                .add("scheduled", util::rfc3339(util::from_unix(r.scheduled_at)))
                .add("due", util::rfc3339(util::from_unix(r.due_at)))
                .add("shifted", r.shift > 0)
                .add("status", r.status)
                .add("run", r.run_id)
                .add("run_status", run_status(r))
                .add("decided_at", r.decided_at)
                .add("detail", r.detail);
            std::printf("%s\n", o.str().c_str());
        }
        return 0;
    }
    if (fires->empty()) {
        std::fprintf(stderr, "leura: schedule %s has not fired yet\n", f.name.c_str());
        return 0;
    }
    std::vector<std::vector<std::string>> rows{{"SCHEDULED", "STATUS", "RUN", "DETAIL"}};
    for (const auto& r : *fires) {
        std::string when =
            s ? app::view_fire(*s, r.scheduled_at, r.shift).local
              : util::display_time(util::rfc3339(util::from_unix(r.scheduled_at)), false);
        if (r.shift) when += " (shifted)";
        std::string run = r.run_id ? *r.run_id : "-";
        if (auto st = run_status(r); !st.empty()) run += " " + st;
        rows.push_back({when, r.status, cell(run), cell(r.detail)});
    }
    print_columns(rows);
    return 0;
}

int check(app::Context& ctx) {
    config::Diagnostics diags;
    auto all = app::load_schedules(ctx, diags);
    if (!all) return report(diags);
    for (const auto& s : *all)
        warn_days_or(s);
    std::printf("%s: %zu %s ok\n", app::schedules_path(ctx).c_str(), all->size(),
                all->size() == 1 ? "schedule" : "schedules");
    return 0;
}

int tick(app::Context& ctx, const ScheduleFlags& f) {
    app::TickOptions o;
    o.now = now_seconds(ctx);
    o.dry_run = f.dry_run;
    o.only = f.name;
    if (!f.now.empty()) {
        auto t = app::parse_command_time(f.now, nullptr);
        if (!t) return report(Error(ErrorKind::usage, "--now: " + t.error().message));
        o.now = *t;
        // Another clock decides what runs: an admin's call (a dry run only looks).
        if (!f.dry_run) {
            app::AccessRequest admin;
            admin.action = "admin";
            admin.resource = "schedule tick --now";
            if (auto st = app::authorize(ctx, admin); !st) return report(st.error());
        }
    }
    app::ProcessLauncher launcher(ctx.data_dir);
    config::Diagnostics diags;
    auto decisions = app::tick(ctx, o, launcher, diags);
    if (!decisions) {
        if (!diags.empty()) report(diags);
        return report(decisions.error());
    }
    for (const auto& d : *decisions) {
        if (d.claimed_elsewhere) continue;
        const auto& r = d.fire;
        std::string when = util::rfc3339(util::from_unix(r.scheduled_at));
        if (f.json) {
            util::JsonObject j;
            j.add("schedule", r.schedule).add("scheduled", when).add("status", r.status);
            j.add("run", r.run_id).add("shifted", r.shift > 0).add("detail", r.detail);
            j.add("dry_run", f.dry_run);
            std::printf("%s\n", j.str().c_str());
            continue;
        }
        std::printf("%s%s %s: %s%s%s\n", f.dry_run ? "(dry run) " : "", cell(r.schedule).c_str(),
                    when.c_str(), r.status.c_str(), r.run_id ? (" " + *r.run_id).c_str() : "",
                    r.detail.empty() ? "" : ("  " + cell(r.detail)).c_str());
    }
    // Schedules or monitors skipped for their problems: said, and exit 2 (cron mails it).
    for (const auto& d : diags.items())
        std::fprintf(stderr, "%s\n", config::format(d).c_str());
    if (!diags.empty()) {
        std::fprintf(stderr, "leura: %zu problem%s above: %s skipped; the others ran\n",
                     diags.size(), diags.size() == 1 ? "" : "s",
                     diags.size() == 1 ? "that schedule or monitor was" : "those were");
        return to_int(ExitCode::usage);
    }
    return 0;
}

std::string exe_path() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "/usr/bin/leura";
    buf[n] = '\0';
    return buf;
}

int install(app::Context& ctx, const ScheduleFlags& f) {
    if (f.systemd == f.cron_line)
        return report(Error(ErrorKind::usage, "give one of --systemd and --cron"));
    const std::string exe = exe_path();
    if (f.cron_line) {
        // Every minute; flock keeps two ticks from overlapping when one is slow.
        std::printf("* * * * * %s schedule tick >/dev/null 2>>%s\n", util::shell_quote(exe).c_str(),
                    util::shell_quote((ctx.data_dir / "schedule.log").string()).c_str());
        std::fprintf(stderr, "leura: add that line with `crontab -e` (as the user whose "
                             "schedules these are)\n");
        return 0;
    }
    const bool root = ::geteuid() == 0;
    std::string user = f.user.empty() && ctx.service ? ctx.service->name : f.user;
    std::string service = "[Unit]\n"
                          "Description=leura: start the scheduled runs that are due\n"
                          "Documentation=man:leura-schedule(1)\n\n"
                          "[Service]\n"
                          "Type=oneshot\n" +
                          (root && !user.empty() ? "User=" + user + "\n" : std::string()) +
                          "ExecStart=" + exe +
                          " schedule tick\n"
                          // The runs it starts live on after the tick exits.
                          "KillMode=process\n";
    std::string timer = "[Unit]\n"
                        "Description=leura: tick the schedules every minute\n"
                        "Documentation=man:leura-schedule(1)\n\n"
                        "[Timer]\n"
                        "OnCalendar=*-*-* *:*:00\n"
                        "AccuracySec=1s\n"
                        "Persistent=true\n\n"
                        "[Install]\n"
                        "WantedBy=timers.target\n";
    if (f.print) {
        std::printf("# leura-tick.service\n%s\n# leura-tick.timer\n%s", service.c_str(),
                    timer.c_str());
        return 0;
    }
    fs::path dir = !f.dir.empty() ? fs::path(f.dir)
                   : root         ? fs::path("/etc/systemd/system")
                                  : fs::path(util::home_dir()) / ".config/systemd/user";
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const auto& [name, text] :
         {std::pair{"leura-tick.service", service}, std::pair{"leura-tick.timer", timer}}) {
        if (auto st = util::replace_file(dir / name, text, 0644); !st) return report(st.error());
        std::printf("wrote %s\n", (dir / name).c_str());
    }
    std::fprintf(stderr,
                 "leura: now `systemctl %sdaemon-reload && systemctl %senable --now "
                 "leura-tick.timer`\n",
                 root ? "" : "--user ", root ? "" : "--user ");
    return 0;
}

void add_def_flags(CLI::App* c, ScheduleFlags& f) {
    c->add_option("--tz", f.def.tz, "IANA time zone the expression is read in (default UTC)");
}

} // namespace

Action add_schedule(CLI::App& sub) {
    auto f = std::make_shared<ScheduleFlags>();
    auto action = std::make_shared<std::string>();
    sub.require_subcommand(1, 1);
    auto on = [action](const char* name) { return [action, name] { *action = name; }; };

    auto* a = sub.add_subcommand("add", "Add a schedule: a task at cron times, every D, or once");
    a->add_option("name", f->name, "The schedule's name")->required();
    a->add_option("--task", f->def.task, "Task name in the library, or a task file")->required();
    a->add_option("--cron", f->cron, "5-field cron expression, or @hourly, @daily, ...");
    a->add_option("--every", f->every, "Fire every duration (at least 1m), aligned to UTC");
    a->add_option("--at", f->at, "Fire once, at YYYY-MM-DD HH:MM in --tz (or RFC 3339)");
    add_def_flags(a, *f);
    a->add_option("--jitter", f->jitter, "Delay each fire by up to this, the same per fire");
    a->add_option("--overlap", f->overlap, "When the last run still runs: skip, queue, replace")
        ->check(CLI::IsMember(config::overlap_names()));
    a->add_option("--catchup", f->catchup, "Missed fires after downtime: none, latest, all")
        ->check(CLI::IsMember(config::catchup_names()));
    a->add_option("--catchup-window", f->catchup_window,
                  "Fires later than this are missed, not run (default 1h)");
    a->add_option("-i,--inventory", f->def.inventory, "Inventory, as `run` takes it");
    a->add_option("-t,--targets", f->def.targets, "Selector narrowing the task's targets");
    a->add_flag("--replace-targets", f->def.replace_targets, "-t replaces the task's targets");
    a->add_option("--var", f->vars, "Set a variable, NAME=VALUE (repeatable)");
    a->add_flag("--paused", f->paused, "Add it paused");
    a->callback(on("add"));

    auto* l = sub.add_subcommand("list", "Schedules with their next fire and last result");
    l->add_flag("--json", f->json, "One JSON object per schedule");
    l->callback(on("list"));

    auto* n = sub.add_subcommand("next", "When a schedule (or an expression) fires next");
    n->add_option("name", f->name, "The schedule's name");
    n->add_option("--cron", f->cron, "Try an expression instead of a schedule");
    n->add_option("--every", f->every, "Try an interval instead of a schedule");
    add_def_flags(n, *f);
    n->add_option("--from", f->from, "Fires after this time (default now)");
    n->add_option("--count", f->count, "How many (default 10)");
    n->add_flag("--utc", f->utc, "Only UTC times");
    n->add_flag("--json", f->json, "One JSON object per fire");
    n->callback(on("next"));

    auto* h = sub.add_subcommand("history", "A schedule's fires: started, skipped, missed");
    h->add_option("name", f->name, "The schedule's name")->required();
    h->add_option("--limit", f->limit, "At most this many (default 20)");
    h->add_flag("--json", f->json, "One JSON object per fire");
    h->callback(on("history"));

    for (const char* name : {"pause", "resume", "rm"}) {
        auto* c = sub.add_subcommand(
            name, std::string(name) == "pause"    ? "Stop a schedule firing (kept in the file)"
                  : std::string(name) == "resume" ? "Fire again, from now: a pause is not caught up"
                                                  : "Remove a schedule (its history stays)");
        c->add_option("name", f->name, "The schedule's name")->required();
        c->callback(on(name));
    }

    auto* c = sub.add_subcommand("check", "Validate schedules.toml");
    c->callback(on("check"));

    auto* t = sub.add_subcommand("tick", "Start what is due now; a timer runs this every minute");
    t->add_option("--now", f->now, "Act as if it were this time (admin; see --dry-run)");
    t->add_flag("--dry-run", f->dry_run, "Say what would happen; record and start nothing");
    t->add_option("--schedule", f->name, "Only this schedule");
    t->add_flag("--json", f->json, "One JSON object per decision");
    t->callback(on("tick"));

    auto* i = sub.add_subcommand("install", "Write the timer that ticks every minute");
    i->add_flag("--systemd", f->systemd, "leura-tick.timer and .service (Persistent=true)");
    i->add_flag("--cron", f->cron_line, "Print the crontab line");
    i->add_flag("--print", f->print, "Print the units instead of writing them");
    i->add_option("--dir", f->dir, "Where to write the units");
    i->add_option("--user", f->user, "User= of the service (root's units)");
    i->callback(on("install"));

    return [f, action](app::Context& ctx) {
        const std::string& what = *action;
        if (what == "add") return add(ctx, *f);
        if (what == "list") return list(ctx, *f);
        if (what == "next") return next(ctx, *f);
        if (what == "history") return history(ctx, *f);
        if (what == "check") return check(ctx);
        if (what == "tick") return tick(ctx, *f);
        if (what == "install") return install(ctx, *f);
        return change(ctx, f->name, what);
    };
}

} // namespace leura::cli
