// SPDX-License-Identifier: Apache-2.0
#include "app/schedule_tick.hpp"
#include "app/access_gate.hpp"
#include "app/library.hpp"
#include "app/monitor_round.hpp"
#include "app/pending_run.hpp"
#include "app/recovery.hpp"
#include "schedule/fires.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

constexpr int64_t k_on_time = 120;           // seconds a due fire counts as on time
constexpr int64_t k_lookback = 31LL * 86400; // the furthest back a tick looks
constexpr size_t k_catchup_all_cap = 10;     // runs `catchup = "all"` starts at most
constexpr size_t k_missed_rows = 100;        // missed fires recorded one by one at most
constexpr size_t k_enumerate_cap = 50'000;   // fires looked at per schedule and tick

int64_t seconds(std::chrono::milliseconds d) {
    return d.count() / 1000;
}

std::string duration_words(int64_t s) {
    return util::human_duration_ms(s * 1000);
}

fs::path task_file_of(const Context& ctx, const config::ScheduleDef& def) {
    if (is_task_path(def.task)) return def.task;
    auto file = library_file(library_root(ctx.settings), def.task);
    return file ? *file : fs::path(def.task);
}

// `leura run`'s arguments for a fire of `def`.
// (The run's id and principal come with the claim on descriptor 3.)
std::vector<std::string> run_args(const config::ScheduleDef& def, std::optional<int64_t> wait) {
    std::vector<std::string> args{"run", def.task, "--claim-fd", "3"};
    if (!def.inventory.empty()) args.insert(args.end(), {"-i", def.inventory});
    if (!def.targets.empty()) args.insert(args.end(), {"-t", def.targets});
    if (def.replace_targets) args.push_back("--replace-targets");
    for (const auto& [k, v] : def.vars)
        args.insert(args.end(), {"--var", k + "=" + v});
    if (wait) args.insert(args.end(), {"--wait", std::to_string(*wait) + "s"});
    return args;
}

class Ticker {
public:
    Ticker(Context& ctx, const TickOptions& o, Launcher& launcher, store::Store& store)
        : m_ctx(ctx), m_o(o), m_launcher(launcher), m_store(store) {}

    Status schedule(const Schedule& s) {
        const auto& def = s.def;
        LEURA_TRY_ASSIGN(last, m_store.last_fire_at(def.name));
        int64_t lower = s.since ? *s.since : m_o.now - 60;
        if (last && *last > lower) lower = *last;
        std::string clipped;
        if (lower < m_o.now - k_lookback) {
            lower = m_o.now - k_lookback;
            clipped = "; fires before " + util::rfc3339(util::from_unix(lower)) +
                      " were not looked at (more than 31 days ago)";
        }
        const int64_t jitter = seconds(def.jitter);
        std::vector<store::FireRecord> due;
        for (int64_t after = lower; due.size() < k_enumerate_cap;) {
            auto f = schedule::next_fire(*s.spec, after);
            if (!f || f->utc > m_o.now) break;
            const int64_t due_at = f->utc + jitter_for(def.name, f->utc, jitter);
            if (due_at > m_o.now) break; // waits for its jitter
            store::FireRecord r;
            r.schedule = def.name;
            r.scheduled_at = f->utc;
            r.due_at = due_at;
            r.shift = f->shift;
            due.push_back(std::move(r));
            after = f->utc;
        }
        if (due.empty()) return {};
        decide(def, due);
        // The missed ones first (oldest first), at most k_missed_rows of them one by one.
        size_t missed = 0;
        for (const auto& r : due)
            missed += r.status == "missed";
        size_t skip = missed > k_missed_rows ? missed - k_missed_rows : 0;
        bool noted = false;
        for (auto& r : due) {
            if (r.status == "missed" && skip > 0) {
                --skip;
                continue;
            }
            if (r.status == "missed" && !noted && missed > k_missed_rows) {
                r.detail += "; and " + std::to_string(missed - k_missed_rows) +
                            " earlier fires missed, not recorded one by one";
                noted = true;
            }
            if (r.status == "missed" && !clipped.empty() && !noted) {
                r.detail += clipped;
                noted = true;
            }
            LEURA_TRY(r.status == "missed" ? record(r) : start(def, r, due));
        }
        return {};
    }

    // The latest due round of `m`, started as `leura monitor round NAME` (once per instant).
    Status monitor(const config::MonitorDef& m) {
        auto spec = monitor_spec(m); // checked when the monitor was loaded
        if (!spec) return {};
        const std::string key = "monitor:" + m.name;
        LEURA_TRY_ASSIGN(last, m_store.last_fire_at(key));
        // At most a day back: rounds are checks of now, not of then.
        int64_t after = std::max(last.value_or(m_o.now - 86400), m_o.now - 86400);
        std::optional<schedule::Fire> latest;
        for (int guard = 0; guard < 100'000; ++guard) {
            auto f = schedule::next_fire(**spec, after);
            if (!f || f->utc > m_o.now) break;
            latest = f;
            after = f->utc;
        }
        if (!latest) return {};
        store::FireRecord r;
        r.schedule = key;
        r.scheduled_at = latest->utc;
        r.due_at = latest->utc;
        r.status = "started";
        r.decided_at = util::now_rfc3339();
        if (m_o.dry_run) {
            decisions.push_back({r, false});
            return {};
        }
        LEURA_TRY_ASSIGN(claimed, m_store.claim_fire(r));
        if (!claimed) return {};
        LaunchRequest req;
        req.args = {"monitor", "round", m.name, "--at", "@" + std::to_string(latest->utc)};
        auto pid = m_launcher.start(req);
        if (!pid) {
            r.status = "failed";
            r.detail = "could not start the round: " + pid.error().message;
        } else {
            r.pid = *pid;
        }
        return finish(r);
    }

    std::vector<TickDecision> decisions;

private:
    // Marks each fire missed or to run ("starting").
    void decide(const config::ScheduleDef& def, std::vector<store::FireRecord>& due) {
        const int64_t window_start = m_o.now - seconds(def.catchup_window);
        // Fires on time always run: catch-up rules are for late ones. (A second ticker a
        // minute ahead sees this minute's fire, not yet claimed by the first, beside its own:
        // superseding it would leave it run by neither.)
        std::vector<size_t> candidates;
        bool on_time = false;
        for (size_t i = 0; i < due.size(); ++i) {
            auto& r = due[i];
            const bool late = r.due_at < m_o.now - k_on_time;
            if (!late) {
                r.status = "starting";
                on_time = true;
            } else if (r.due_at < window_start) {
                r.status = "missed";
                r.detail = "due " + duration_words(m_o.now - r.due_at) +
                           " ago, before the catch-up window of " +
                           duration_words(seconds(def.catchup_window));
            } else if (def.catchup == config::ScheduleDef::Catchup::none) {
                r.status = "missed";
                r.detail = "due " + duration_words(m_o.now - r.due_at) + " ago (catchup = none)";
            } else {
                candidates.push_back(i);
            }
        }
        // `latest`: the newest due fire; an on-time one is newer than every late one.
        size_t keep = def.catchup == config::ScheduleDef::Catchup::all ? k_catchup_all_cap
                      : on_time                                        ? 0
                                                                       : 1;
        while (candidates.size() > keep) {
            auto& r = due[candidates.front()];
            r.status = "missed";
            r.detail = def.catchup == config::ScheduleDef::Catchup::all
                           ? "beyond the catch-up cap of " + std::to_string(k_catchup_all_cap)
                           : "superseded by a later fire (catchup = " +
                                 config::catchup_names()[size_t(def.catchup)] + ")";
            candidates.erase(candidates.begin());
        }
        for (size_t i : candidates)
            due[i].status = "starting";
    }

    Status record(store::FireRecord& r) {
        r.decided_at = util::now_rfc3339();
        TickDecision d;
        if (m_o.dry_run) {
            d.fire = r;
            decisions.push_back(std::move(d));
            return {};
        }
        LEURA_TRY_ASSIGN(claimed, m_store.claim_fire(r));
        d.fire = r;
        d.claimed_elsewhere = !claimed;
        decisions.push_back(std::move(d));
        return {};
    }

    Status start(const config::ScheduleDef& def, store::FireRecord& r,
                 const std::vector<store::FireRecord>& due) {
        r.decided_at = util::now_rfc3339();
        if (!m_o.dry_run) {
            LEURA_TRY_ASSIGN(claimed, m_store.claim_fire(r));
            if (!claimed) {
                decisions.push_back({r, true});
                return {};
            }
        }
        // More than one run of this schedule in this tick (catchup = "all"): they queue.
        size_t starting = 0;
        for (const auto& other : due)
            starting += other.status == "starting" || other.status == "started";
        // The run will act as schedule:NAME: a policy that refuses it is decided here.
        std::string why;
        const std::string inventory = inventory_name_of(
            def.inventory.empty() ? m_ctx.settings.text("inventory") : def.inventory);
        if (!principal_allows(m_ctx, "schedule:" + def.name, "run", def.task, inventory, why)) {
            r.status = "denied";
            r.detail = why;
            return finish(r);
        }
        LEURA_TRY_ASSIGN(holder, task_lock_holder(m_ctx.data_dir, task_file_of(m_ctx, def)));
        std::optional<int64_t> wait;
        const int64_t window = std::max<int64_t>(seconds(def.catchup_window), 60);
        if (starting > 1) wait = window;
        if (holder) {
            const std::string who = holder->empty() ? "another run" : *holder;
            if (def.overlap == config::ScheduleDef::Overlap::skip && starting <= 1) {
                r.status = "skipped_overlap";
                r.detail = who + " of this task is still running (overlap = skip)";
                return finish(r);
            }
            wait = window;
            if (def.overlap == config::ScheduleDef::Overlap::replace) {
                auto pid = pid_in_note(*holder);
                if (pid && !m_o.dry_run && ::kill(*pid, SIGTERM) == 0)
                    r.detail = "replaces " + who + " (sent SIGTERM; it stops within its grace)";
                else
                    r.detail = "could not stop " + who + "; queued behind it";
            } else {
                r.detail = "queued behind " + who;
            }
        }
        LaunchRequest req;
        req.run_id = util::new_run_id(std::chrono::system_clock::now());
        req.args = run_args(def, wait);
        r.run_id = req.run_id;
        if (m_o.dry_run) {
            r.status = "started";
            return finish(r);
        }
        auto pid = start_run_as(m_store, m_launcher, "schedule:" + def.name, req);
        if (!pid) {
            r.status = "failed";
            r.detail = "could not start leura run: " + pid.error().message;
            r.run_id.reset();
        } else {
            r.status = "started";
            r.pid = *pid;
        }
        return finish(r);
    }

    Status finish(store::FireRecord& r) {
        if (!m_o.dry_run) LEURA_TRY(m_store.update_fire(r));
        decisions.push_back({r, false});
        return {};
    }

    Context& m_ctx;
    const TickOptions& m_o;
    Launcher& m_launcher;
    store::Store& m_store;
};

} // namespace

Result<std::vector<TickDecision>> tick(Context& ctx, const TickOptions& options, Launcher& launcher,
                                       config::Diagnostics& diags) {
    // A file that does not parse stops the tick; one schedule that does not compile (its task
    // deleted, say) stops only itself: the others still fire, and its problem is reported.
    auto defs = config::load_schedules(schedules_path(ctx), diags);
    if (!defs) return fail(ErrorKind::config, schedules_path(ctx).string() + " has problems");
    std::vector<Schedule> schedules; // not paused
    for (const auto& d : *defs) {
        if (d.paused) continue;
        if (auto s = compile_schedule(ctx, d))
            schedules.push_back(std::move(*s));
        else
            diags.add(s.error().pos, s.error().message);
    }
    if (!options.only.empty() &&
        std::none_of(defs->begin(), defs->end(),
                     [&](const config::ScheduleDef& d) { return d.name == options.only; }))
        return fail(ErrorKind::not_found, "no schedule '" + options.only + "'");
    LEURA_TRY_ASSIGN(store, ctx.records());
    Ticker t(ctx, options, launcher, *store);
    for (const auto& s : schedules)
        if (options.only.empty() || s.def.name == options.only) LEURA_TRY(t.schedule(s));
    if (options.only.empty()) {
        // A monitor file with problems stops its own rounds, not the schedules' runs.
        for (const auto& m : load_monitors(ctx, diags))
            LEURA_TRY(t.monitor(m));
    }
    return std::move(t.decisions);
}

Result<int64_t> start_run_as(store::Store& store, Launcher& launcher, const std::string& principal,
                             LaunchRequest& request) {
    LEURA_TRY_ASSIGN(token, create_pending_run(store, principal, principal, request.run_id));
    request.claim_token = token;
    return launcher.start(request);
}

Result<int64_t> ProcessLauncher::start(const LaunchRequest& request) {
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return fail(ErrorKind::io,
                    std::string("cannot find leura's own binary: ") + std::strerror(errno));
    exe[n] = '\0';
    std::vector<std::string> args{exe};
    args.insert(args.end(), request.args.begin(), request.args.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int claim[2];
    if (::pipe2(claim, O_CLOEXEC) != 0)
        return fail(ErrorKind::io, std::string("pipe: ") + std::strerror(errno));
    // The token fits the pipe's buffer: written now, the write end closed before the child
    // reads, so the child reads it and then the end of the stream.
    const std::string token = request.claim_token + "\n";
    const bool wrote = ::write(claim[1], token.data(), token.size()) == ssize_t(token.size());
    ::close(claim[1]);
    LEURA_TRY(util::ensure_private_dir(m_data));
    const std::string log = (m_data / "schedule.log").string();
    const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int out_fd = request.stdout_file.empty()
                           ? ::fcntl(null_fd, F_DUPFD_CLOEXEC, 0)
                           : ::open(request.stdout_file.c_str(),
                                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    auto close_all = [&] {
        ::close(claim[0]);
        if (null_fd >= 0) ::close(null_fd);
        if (log_fd >= 0) ::close(log_fd);
        if (out_fd >= 0) ::close(out_fd);
    };
    if (!wrote || null_fd < 0 || log_fd < 0 || out_fd < 0) {
        const int e = errno;
        close_all();
        return fail(ErrorKind::io,
                    "cannot prepare the run's descriptors (" + log + "): " + std::strerror(e));
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int e = errno;
        close_all();
        return fail(ErrorKind::io, std::string("fork: ") + std::strerror(e));
    }
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec.
        ::setsid();
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT})
            ::signal(sig, SIG_DFL);
        // Out of the way of 0..3 first: any of them may be where pipe() or open() put one.
        const int in = ::fcntl(null_fd, F_DUPFD_CLOEXEC, 10);
        const int out = ::fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
        const int err = ::fcntl(log_fd, F_DUPFD_CLOEXEC, 10);
        const int token_fd = ::fcntl(claim[0], F_DUPFD_CLOEXEC, 10);
        if (in < 0 || out < 0 || err < 0 || token_fd < 0 || ::dup2(in, 0) < 0 ||
            ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 || ::dup2(token_fd, 3) < 0 ||
            ::chdir("/") != 0)
            ::_exit(127);
        // Nothing else goes with it: in `leura serve` another thread may have opened a client's
        // socket without close-on-exec yet, and a run holding it would keep that client waiting.
        ::close_range(4, ~0U, 0);
        ::execv(exe, argv.data());
        ::_exit(127);
    }
    close_all();
    return int64_t(pid);
}

} // namespace leura::app
