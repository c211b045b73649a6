// SPDX-License-Identifier: Apache-2.0
#include "app/monitor_round.hpp"
#include "app/access_gate.hpp"
#include "app/job.hpp"
#include "app/schedules.hpp"
#include "exec/reactor.hpp"
#include "schedule/fires.hpp"
#include "ssh/libssh_transport.hpp"
#include "util/file_lock.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_output_kept = 512;

// The engine's reports, kept: each host's last step and how the host ended.
class CheckSink : public exec::EventSink {
public:
    void host_started(size_t) override {}
    void step_started(size_t, size_t) override {}
    void step_finished(const exec::StepOutcome& o) override { steps[o.host] = o; }
    void host_finished(const exec::HostOutcome& o) override { hosts[o.host] = o; }
    std::map<size_t, exec::StepOutcome> steps;
    std::map<size_t, exec::HostOutcome> hosts;
};

// The head of what a check printed, both streams together.
class HeadSink : public ssh::OutputSink {
public:
    explicit HeadSink(std::string& out) : m_out(out) {}
    Status write(ssh::Stream, std::string_view data) override {
        if (m_out.size() < k_output_kept)
            m_out.append(data.substr(0, k_output_kept - m_out.size()));
        return {};
    }

private:
    std::string& m_out;
};

class CheckOutputs : public exec::OutputStore {
public:
    Result<std::unique_ptr<ssh::OutputSink>> open(size_t host, size_t) override {
        return std::unique_ptr<ssh::OutputSink>(std::make_unique<HeadSink>(heads[host]));
    }
    std::map<size_t, std::string> heads;
};

MonitorHostState from_row(const store::MonitorHostRow& r) {
    MonitorHostState s;
    s.state = r.state;
    s.results = r.results;
    s.ok_streak = int(r.ok_streak);
    s.failed_reactions = int(r.failed_reactions);
    for (const auto& t : util::split(r.reactions, ','))
        if (!t.empty()) s.reactions.push_back(std::strtoll(t.c_str(), nullptr, 10));
    s.reaction_run = r.reaction_run;
    s.last_escalation = r.last_escalation;
    s.ack_until = r.ack_until;
    s.flapping = r.flapping;
    s.changed_at = r.changed_at;
    return s;
}

store::MonitorHostRow to_row(const std::string& monitor, const std::string& host,
                             const MonitorHostState& s) {
    store::MonitorHostRow r;
    r.monitor = monitor;
    r.host = host;
    r.state = s.state;
    r.results = s.results;
    r.ok_streak = s.ok_streak;
    r.failed_reactions = s.failed_reactions;
    for (size_t i = 0; i < s.reactions.size(); ++i)
        r.reactions += (i ? "," : "") + std::to_string(s.reactions[i]);
    r.reaction_run = s.reaction_run;
    r.last_escalation = s.last_escalation;
    r.ack_until = s.ack_until;
    r.flapping = s.flapping;
    r.changed_at = s.changed_at;
    return r;
}

bool in_mute_window(const config::MonitorDef& m, int64_t now) {
    auto zone = schedule::Zone::load(m.tz);
    for (const auto& w : m.mutes) {
        auto from = schedule::parse_local_time(w.from, zone ? *zone : schedule::Zone::utc());
        auto to = schedule::parse_local_time(w.to, zone ? *zone : schedule::Zone::utc());
        if (from && to && now >= from->utc && now < to->utc) return true;
    }
    return false;
}

Status check_monitor(const config::MonitorDef& m, config::Diagnostics& diags) {
    const size_t before = diags.size();
    auto spec = monitor_spec(m);
    if (!spec) diags.add(spec.error().pos, spec.error().message);
    const schedule::Zone zone = spec ? (*spec)->zone : schedule::Zone::utc();
    for (const auto& w : m.mutes)
        for (const auto* t : {&w.from, &w.to})
            if (auto v = schedule::parse_local_time(*t, zone); !v)
                diags.add(w.pos, "[[mute]]: " + v.error().message);
    if (diags.size() != before) return fail(ErrorKind::config, m.file.string() + " has problems");
    return {};
}

} // namespace

Result<std::shared_ptr<const schedule::Spec>> monitor_spec(const config::MonitorDef& m) {
    return fire_spec(m.cron, m.every, "", m.tz, m.when_pos, m.tz_pos);
}

fs::path monitors_dir(const Context& ctx) {
    return schedules_path(ctx).parent_path() / "monitors";
}

std::vector<config::MonitorDef> load_monitors(const Context& ctx, config::Diagnostics& diags) {
    std::vector<config::MonitorDef> out;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(monitors_dir(ctx), ec))
        if (e.path().extension() == ".toml" && !e.path().filename().string().starts_with("."))
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        // The name goes into principals, records and `monitor round NAME`: a file named
        // otherwise would be ticked and never run.
        if (!config::is_schedule_name(f.stem().string())) {
            diags.add({f.string(), 0, 0}, "'" + f.stem().string() +
                                              "' is not a monitor name (letters, digits, '-', '_' "
                                              "and '.', at most 64): rename the file");
            continue;
        }
        if (auto m = config::load_monitor(f, diags); m && check_monitor(*m, diags))
            out.push_back(std::move(*m));
    }
    return out;
}

Result<config::MonitorDef> find_monitor(const Context& ctx, const std::string& name,
                                        config::Diagnostics& diags) {
    if (!config::is_schedule_name(name))
        return fail(ErrorKind::usage, "'" + name + "' is not a monitor name");
    const fs::path file = monitors_dir(ctx) / (name + ".toml");
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        return fail(ErrorKind::not_found, "no monitor '" + name + "' (no " + file.string() + ")");
    auto m = config::load_monitor(file, diags);
    if (!m) return fail(ErrorKind::config, file.string() + " has problems");
    LEURA_TRY(check_monitor(*m, diags));
    return *m;
}

Result<std::vector<RoundHost>> monitor_round(Context& ctx, const config::MonitorDef& m, Prepared& p,
                                             const RunOptions& o, int64_t now, Launcher& launcher) {
    // The checks: one step on every host, at most check_timeout each.
    for (auto& step : p.task.steps)
        step.timeout = m.check_timeout;
    std::vector<size_t> all(p.hosts.size());
    for (size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    auto steps = job_steps(p.task, JobPhase::wave, false);
    exec::Job job = make_job(p, o, "monitor-" + m.name, all, steps, 1, Digests{});
    ssh::init_library();
    auto transport = ssh::make_libssh_transport(transport_options(o));
    auto reactor = exec::make_poll_reactor();
    CheckSink sink;
    CheckOutputs outputs;
    exec::EngineOptions eopt;
    eopt.concurrency = std::max<size_t>(1, o.concurrency);
    eopt.connect_timeout = o.connect_timeout;
    eopt.connect_attempts = o.connect_attempts;
    eopt.stop_grace = o.stop_grace;
    eopt.stop_level = [] { return 0; };
    exec::run(job, *transport, *reactor, outputs, sink, eopt);

    std::vector<Observation> seen;
    for (size_t i = 0; i < p.hosts.size(); ++i) {
        Observation h;
        h.host = p.hosts[i]->name;
        auto ho = sink.hosts.find(i);
        auto so = sink.steps.find(i);
        if (ho != sink.hosts.end() && ho->second.status == exec::HostStatus::unreachable) {
            h.result = CheckResult::unreachable;
        } else if (so != sink.steps.end() && so->second.exit_code >= 0) {
            h.exit_code = so->second.exit_code;
            h.result = *h.exit_code == 0   ? CheckResult::ok
                       : *h.exit_code == 1 ? CheckResult::warn
                                           : CheckResult::fail;
        } else {
            h.result = CheckResult::fail; // a timeout or a signal
        }
        if (so != sink.steps.end()) h.duration_ms = so->second.duration.count();
        if (h.result == CheckResult::unreachable && ho->second.error)
            h.output = ho->second.error->message;
        else if (so != sink.steps.end() && so->second.error &&
                 so->second.error->kind == ErrorKind::timeout)
            h.output = "timed out after " + util::human_duration_ms(m.check_timeout.count());
        else
            h.output = outputs.heads[i];
        seen.push_back(std::move(h));
    }
    return judge_results(ctx, m, inventory_name_of(p.inventory_file), seen, now, launcher);
}

Result<std::vector<RoundHost>> judge_results(Context& ctx, const config::MonitorDef& m,
                                             const std::string& inventory,
                                             const std::vector<Observation>& seen, int64_t now,
                                             Launcher& launcher) {
    LEURA_TRY_ASSIGN(store, ctx.records());
    // A round (a child process of its own) and the alerts fed to the server may judge the
    // same hosts at once: each reads the states, decides and writes them, one at a time.
    std::error_code ec;
    fs::create_directories(ctx.data_dir / "locks", ec);
    const fs::path lock_file =
        ctx.data_dir / "locks" / ("monitor-" + util::sha256_hex(m.name).substr(0, 16) + ".lock");
    LEURA_TRY_ASSIGN(
        lock, util::FileLock::acquire(lock_file, std::chrono::seconds(30), [] { return false; }));
    if (!lock)
        return fail(ErrorKind::locked, "monitor " + m.name + " is being judged by another process");
    LEURA_TRY_ASSIGN(rows, store->monitor_hosts(m.name));
    std::map<std::string, MonitorHostState> states;
    for (const auto& r : rows)
        states[r.host] = from_row(r);
    FleetState fleet;
    for (const auto& [host, s] : states) {
        fleet.reacting += s.state == "reacting" || s.state == "verifying";
        for (int64_t t : s.reactions)
            fleet.reactions_last_hour += t > now - 3600;
    }
    const bool window_muted = in_mute_window(m, now);
    const std::string principal = "monitor:" + m.name;
    std::string why;
    const bool allowed = m.reaction_task.empty() ||
                         principal_allows(ctx, principal, "run", m.reaction_task, inventory, why);

    std::vector<RoundHost> out;
    std::vector<store::MonitorHostRow> new_states;
    std::vector<store::MonitorCheckRow> checks;
    std::vector<store::MonitorDecisionRow> decisions;
    for (const Observation& o : seen) {
        RoundHost h;
        h.host = o.host;
        h.result = o.result;
        h.exit_code = o.exit_code;
        store::MonitorCheckRow c;
        c.monitor = m.name;
        c.round_at = now;
        c.host = h.host;
        c.duration_ms = o.duration_ms;
        c.output = o.output;
        c.result = to_string(h.result);
        if (h.exit_code) c.exit_code = *h.exit_code;
        checks.push_back(c);

        MonitorHostState& s = states[h.host];
        const std::string before = s.state;
        DecideInputs in;
        in.result = h.result;
        in.now = now;
        in.fleet = fleet;
        in.muted = window_muted || s.ack_until > now;
        if (s.state == "reacting" && s.reaction_run) {
            auto run = store->run(*s.reaction_run);
            in.reaction_status = run ? run->status : "";
        }
        in.reaction_allowed = allowed;
        in.denied_why = why;
        h.decision = decide(m, s, in);
        if (h.decision.act != Decision::Act::none) {
            const bool react = h.decision.act == Decision::Act::react;
            LaunchRequest req;
            req.run_id = util::new_run_id(std::chrono::system_clock::now());
            req.args = {"run", react ? m.reaction_task : m.escalation_task, "--claim-fd", "3"};
            if (!m.inventory.empty()) req.args.insert(req.args.end(), {"-i", m.inventory});
            req.args.insert(req.args.end(), {"-t", h.host, "--replace-targets", "--var",
                                             "MONITOR=" + m.name, "--var", "MONITOR_HOST=" + h.host,
                                             "--var", "MONITOR_REASON=" + h.decision.reason});
            auto pid = start_run_as(*store, launcher, principal, req);
            if (pid) {
                h.run_id = req.run_id;
                if (react) {
                    s.reaction_run = req.run_id;
                    ++fleet.reacting;
                    ++fleet.reactions_last_hour;
                }
            } else {
                if (react) {
                    s.reactions.pop_back();
                    s.state = before;
                }
                h.decision = {Decision::Act::none, "skip",
                              std::string("could not start the ") +
                                  (react ? "reaction" : "escalation") + ": " + pid.error().message};
            }
        }
        h.state = s.state;
        // Quiet hosts stay quiet in the log: an OK check of a host that was OK decides nothing.
        if (!(h.decision.decision == "ok" && before == "ok")) {
            store::MonitorDecisionRow d;
            d.monitor = m.name;
            d.host = h.host;
            d.at = now;
            d.state = s.state;
            d.decision = h.decision.decision;
            d.reason = h.decision.reason;
            d.run_id = h.run_id;
            decisions.push_back(std::move(d));
        }
        new_states.push_back(to_row(m.name, h.host, s));
        out.push_back(std::move(h));
    }
    LEURA_TRY(store->record_round(new_states, checks, decisions));
    return out;
}

Result<int64_t> acknowledge_host(Context& ctx, const config::MonitorDef& m, const std::string& host,
                                 std::chrono::milliseconds duration) {
    AccessRequest req;
    req.action = "run";
    req.task = m.reaction_task;
    req.resource = "monitor:" + m.name + " ack " + host;
    LEURA_TRY(authorize(ctx, req));
    const int64_t until = util::unix_seconds(ctx.clock()) + duration.count() / 1000;
    LEURA_TRY_ASSIGN(store, ctx.records());
    LEURA_TRY_ASSIGN(rows, store->monitor_hosts(m.name));
    store::MonitorHostRow row;
    row.monitor = m.name;
    row.host = host;
    row.state = "ok";
    for (const auto& r : rows)
        if (r.host == host) row = r;
    row.ack_until = until;
    LEURA_TRY(store->put_monitor_host(row));
    return until;
}

std::string monitor_host_json(store::Store& store, const std::string& name,
                              const store::MonitorHostRow& h) {
    auto last = store.monitor_decisions(name, h.host, 1);
    const std::string decision =
        last && !last->empty()
            ? last->front().decision +
                  (last->front().reason.empty() ? "" : ": " + last->front().reason)
            : "-";
    util::JsonObject o;
    o.add("monitor", name).add("host", h.host).add("state", h.state);
    o.add("flapping", h.flapping).add("recent", h.results);
    o.add("failed_reactions", h.failed_reactions);
    o.add("reaction_run", h.reaction_run).add("ack_until", h.ack_until);
    o.add("last_decision", decision);
    return o.str();
}

std::string monitor_decision_json(const store::MonitorDecisionRow& d) {
    util::JsonObject o;
    o.add("at", util::rfc3339(util::from_unix(d.at))).add("state", d.state);
    o.add("decision", d.decision).add("reason", d.reason).add("run", d.run_id);
    return o.str();
}

} // namespace leura::app
