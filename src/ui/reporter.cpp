// SPDX-License-Identifier: Apache-2.0
#include "ui/reporter.hpp"
#include "ui/live_view.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdlib>
#include <functional>
#include <unistd.h>

namespace leura::ui {

namespace {

const char* colour_of(const std::string& status) {
    if (status == "ok") return "\033[32m";
    if (status == "skipped") return "\033[33m";
    return "\033[31m";
}

class HumanReporter : public Reporter {
public:
    // `lines`: the run's report (host, wave, stage and summary lines); `notes`: diagnostics
    // and the live view.
    HumanReporter(const ReporterOptions& o, std::FILE* lines, std::FILE* notes)
        : m_opt(o), m_lines(lines), m_notes(notes) {
        if (o.live || o.plain_every_ms > 0) {
            LiveTerminal::Options lo;
            lo.redraw = o.live;
            lo.multiline = o.live_multiline;
            lo.plain_every = std::chrono::milliseconds(o.plain_every_ms);
            m_live = std::make_unique<LiveTerminal>(notes, lo);
        }
    }

    void run_started(const RunStart& r) override {
        m_run = r.run_id;
        live([&](LiveState& s, Clock::time_point now) { s.run_started(r.hosts, now); });
        if (m_opt.quiet) return;
        say(m_lines, "leura: run %s: %s on %zu host%s\n", r.run_id.c_str(), r.task.c_str(), r.hosts,
            r.hosts == 1 ? "" : "s");
    }
    void batch_started(const BatchStart& b) override {
        live([&](LiveState& s, Clock::time_point) { s.batch_started(b); });
        if (b.waves < 2 || m_opt.quiet) return;
        say(m_lines, "leura: wave %d/%zu: %zu host%s\n", b.wave, b.waves, b.hosts.size(),
            b.hosts.size() == 1 ? "" : "s");
    }
    void step_started(const StepStart& st) override {
        live([&](LiveState& s, Clock::time_point now) { s.step_started(st, now); });
    }
    void host_finished(const HostDone& h) override {
        live([&](LiveState& s, Clock::time_point) { s.host_finished(h); });
        if (h.status == "ok" && (m_opt.quiet || !m_opt.host_lines)) return;
        if (h.status != "ok") m_failures = true;
        print_host(h);
    }
    // A line of the caller's, kept apart from the live view like the reporter's own.
    void write_line(std::FILE* to, const std::string& line) { say(to, "%s\n", line.c_str()); }
    // The live view counts the host; its line is the JSON event's.
    void host_finished_live(const HostDone& h) {
        live([&](LiveState& s, Clock::time_point) { s.host_finished(h); });
    }
    void stop_requested(const StopNotice& n) override {
        live([&](LiveState& s, Clock::time_point now) { s.stop_requested(n, now); });
        if (n.level == 1)
            say(m_notes,
                "%sleura: stopping: no new host starts; waiting up to %s for %zu running "
                "host%s; Ctrl-C again to abort\n",
                stamp().c_str(), util::human_duration_ms(n.grace_ms).c_str(), n.running,
                n.running == 1 ? "" : "s");
        else
            say(m_notes, "%sleura: aborting: ending the steps of %zu running host%s now\n",
                stamp().c_str(), n.running, n.running == 1 ? "" : "s");
    }
    void batch_finished(const BatchDone& b) override {
        if (b.gate != "pass") m_failures = true;
        if (b.waves < 2 && b.gate == "pass") return;
        if (m_opt.quiet && b.gate == "pass" && b.failed == 0 && b.unreachable == 0) return;
        std::string line = "leura: wave " + std::to_string(b.wave) + "/" + std::to_string(b.waves) +
                           ": " + std::to_string(b.ok) + " ok, " + std::to_string(b.failed) +
                           " failed, " + std::to_string(b.unreachable) + " unreachable" +
                           other_counts(b.skipped, b.interrupted, b.rolled_back) + "; gate " +
                           b.gate + (b.reason.empty() ? "" : ": " + b.reason);
        if (b.rollback != "none") line += "; rollback " + b.rollback;
        say(m_lines, "%s\n", line.c_str());
    }
    void run_finished(const RunEnd& r) override {
        if (m_live) m_live->finish();
        if (!r.warning.empty()) say(m_notes, "leura: warning: %s\n", r.warning.c_str());
        bool all_ok = r.status == "ok" && r.failed == 0 && r.unreachable == 0 && !m_failures;
        if (m_opt.quiet && all_ok) return;
        say(m_lines,
            "leura: %s: %zu ok, %zu failed, %zu unreachable, %zu skipped%s in %s (run %s)\n",
            r.status.c_str(), r.ok, r.failed, r.unreachable, r.skipped,
            other_counts(0, r.interrupted, r.rolled_back).c_str(),
            util::human_duration_ms(r.duration_ms).c_str(), m_run.c_str());
        if (!m_opt.quiet && !r.archive.empty())
            say(m_lines, "leura: logs: leura logs %s --host HOST   archive: %s\n", m_run.c_str(),
                r.archive.c_str());
    }

    void stage_started(const StageStart& st) override {
        live([&](LiveState& s, Clock::time_point now) { s.stage_started(st, now); });
        if (m_opt.quiet) return;
        if (!st.note.empty())
            say(m_lines, "leura: stage %s %s: %zu host%s\n", st.stage.c_str(), st.note.c_str(),
                st.hosts, st.hosts == 1 ? "" : "s");
        else
            say(m_lines, "leura: stage %s (%zu/%zu): %zu host%s, %zu wave%s\n", st.stage.c_str(),
                st.number, st.stages, st.hosts, st.hosts == 1 ? "" : "s", st.waves,
                st.waves == 1 ? "" : "s");
    }
    void stage_finished(const StageEnd& s) override {
        if (m_opt.quiet && (s.status == "ok" || s.status == "skipped")) return;
        if (s.stage_run.empty())
            say(m_lines, "leura: stage %s: %s%s%s\n", s.stage.c_str(), s.status.c_str(),
                s.reason.empty() ? "" : ": ", s.reason.c_str());
        else
            say(m_lines, "leura: stage %s%s%s: %s: %zu ok, %zu failed, %zu unreachable%s in %s\n",
                s.stage.c_str(), s.note.empty() ? "" : " ", s.note.c_str(), s.status.c_str(), s.ok,
                s.failed, s.unreachable,
                other_counts(s.skipped, s.interrupted, s.rolled_back).c_str(),
                util::human_duration_ms(s.duration_ms).c_str());
    }

private:
    void live(const std::function<void(LiveState&, Clock::time_point)>& change) {
        if (m_live) m_live->update(change);
    }
    // Off a terminal, a notice carries the time it was given (logs of cron and CI jobs).
    std::string stamp() const { return m_opt.live ? std::string() : util::now_rfc3339() + " "; }
    // Every line goes through the live view, which clears its frame around it.
    template <typename... A> void say(std::FILE* to, const char* format, A... args) {
        auto write = [&] {
            if constexpr (sizeof...(A) == 0)
                std::fputs(format, to);
            else
                std::fprintf(to, format, args...);
            std::fflush(to);
        };
        if (m_live)
            m_live->print(write);
        else
            write();
    }
    // The states most runs never see, named only when some host is in them.
    static std::string other_counts(size_t skipped, size_t interrupted, size_t rolled_back) {
        std::string out;
        if (skipped) out += ", " + std::to_string(skipped) + " skipped";
        if (interrupted) out += ", " + std::to_string(interrupted) + " interrupted";
        if (rolled_back) out += ", " + std::to_string(rolled_back) + " rolled back";
        return out;
    }
    void print_host(const HostDone& h) {
        std::string status = h.rollback ? "rollback:" + h.status : h.status;
        std::string detail;
        if (h.error)
            detail = util::terminal_safe(*h.error, true);
        else if (h.status == "ok")
            detail = std::to_string(h.steps_run) + "/" + std::to_string(h.steps_total) + " steps";
        const char* on = m_opt.color ? colour_of(h.status) : "";
        const char* off = m_opt.color ? "\033[0m" : "";
        say(m_lines, "%s%-11s%s %-24s %7s  %s\n", on, status.c_str(), off, h.host.c_str(),
            util::human_duration_ms(h.duration_ms).c_str(), detail.c_str());
    }

    ReporterOptions m_opt;
    std::FILE* m_lines;
    std::FILE* m_notes;
    std::unique_ptr<LiveTerminal> m_live;
    std::string m_run;
    bool m_failures = false; // some host did not end ok, or a gate did not pass
};

// Events on stdout, one JSON object per line (docs/events.schema.json); human text goes to stderr.
class JsonReporter : public Reporter {
public:
    JsonReporter(const ReporterOptions& o, std::FILE* out, std::FILE* err)
        : m_out(out), m_human(o, err, err) {}

    void run_started(const RunStart& r) override {
        m_run = r.run_id;
        emit(base("run_started")
                 .add("task", r.task)
                 .add("inventory", r.inventory)
                 .add("hosts", r.hosts)
                 .add("waves", r.waves)
                 .add("user", r.user));
        m_human.run_started(r);
    }
    void batch_started(const BatchStart& b) override {
        emit(base("batch_started")
                 .add("wave", b.wave)
                 .add("hosts", b.hosts)
                 .add("failures_allowed", b.failures_allowed
                                              ? std::optional<int64_t>(int64_t(*b.failures_allowed))
                                              : std::nullopt));
        m_human.batch_started(b);
    }
    void step_started(const StepStart& s) override { m_human.step_started(s); }
    void step_finished(const StepDone& s) override {
        emit(base("step_finished")
                 .add("host", s.host)
                 .add("step", s.step)
                 .add("phase", s.phase)
                 .add("status", s.status)
                 .add("exit", s.exit_code)
                 .add("duration_ms", s.duration_ms)
                 .add("bytes_out", int64_t(s.bytes_out))
                 .add("bytes_err", int64_t(s.bytes_err))
                 .add("attempts", s.attempts));
    }
    void stop_requested(const StopNotice& n) override {
        emit(base("stop_requested")
                 .add("level", n.level)
                 .add("running", n.running)
                 .add("grace_ms", n.grace_ms));
        m_human.stop_requested(n);
    }
    void host_finished(const HostDone& h) override {
        if (h.rollback) return; // the batch's `rollback` field carries the outcome
        m_human.host_finished_live(h);
        emit(base("host_finished")
                 .add("wave", h.wave)
                 .add("host", h.host)
                 .add("status", h.status)
                 .add("error", h.error_kind)
                 .add("message", h.error)
                 .add("exit", h.exit_code)
                 .add("duration_ms", h.duration_ms));
    }
    void batch_finished(const BatchDone& b) override {
        emit(base("batch_finished")
                 .add("wave", b.wave)
                 .add("ok", b.ok)
                 .add("failed", b.failed)
                 .add("unreachable", b.unreachable)
                 .add("gate", b.gate)
                 .add("rollback", b.rollback)
                 .add("reason", b.reason)
                 .add("skipped", b.skipped)
                 .add("interrupted", b.interrupted)
                 .add("rolled_back", b.rolled_back));
        m_human.batch_finished(b);
    }
    void run_finished(const RunEnd& r) override {
        emit(base("run_finished")
                 .add("status", r.status)
                 .add("exit", r.exit_code)
                 .add("archive", r.archive)
                 .add("ok", r.ok)
                 .add("failed", r.failed)
                 .add("unreachable", r.unreachable)
                 .add("skipped", r.skipped)
                 .add("interrupted", r.interrupted)
                 .add("rolled_back", r.rolled_back)
                 .add("duration_ms", r.duration_ms));
        m_human.run_finished(r);
    }
    void stage_started(const StageStart& s) override {
        m_stage = s.stage;
        emit(base("stage_started")
                 .add("stage_run", s.stage_run)
                 .add("number", s.number)
                 .add("stages", s.stages)
                 .add("hosts", s.hosts)
                 .add("waves", s.waves)
                 .add("note", s.note));
        m_human.stage_started(s);
    }
    void stage_finished(const StageEnd& s) override {
        m_stage = s.stage;
        emit(base("stage_finished")
                 .add("stage_run", s.stage_run)
                 .add("status", s.status)
                 .add("reason", s.reason)
                 .add("note", s.note)
                 .add("ok", s.ok)
                 .add("failed", s.failed)
                 .add("unreachable", s.unreachable)
                 .add("skipped", s.skipped)
                 .add("interrupted", s.interrupted)
                 .add("rolled_back", s.rolled_back)
                 .add("duration_ms", s.duration_ms));
        m_stage.clear();
        m_human.stage_finished(s);
    }

private:
    util::JsonObject base(const char* event) {
        util::JsonObject o;
        o.add("event", event).add("run", m_run);
        if (!m_stage.empty()) o.add("stage", m_stage);
        o.add("ts", util::now_rfc3339());
        return o;
    }
    // Every event ends with its number in the run's stream (1, 2, ...): `leura serve`'s
    // Server-Sent Events resume from it (Last-Event-ID).
    void emit(util::JsonObject o) {
        o.add("seq", ++m_seq);
        m_human.write_line(m_out, o.str());
    }

    std::FILE* m_out;
    HumanReporter m_human;
    std::string m_run;
    std::string m_stage; // the stage whose events these are; empty outside one
    int64_t m_seq = 0;
};

} // namespace

bool wants_color(std::FILE* stream) {
    const char* no_color = std::getenv("NO_COLOR");
    return (!no_color || !*no_color) && ::isatty(fileno(stream));
}

std::unique_ptr<Reporter> make_reporter(const ReporterOptions& options, std::FILE* out,
                                        std::FILE* err) {
    if (options.json) return std::make_unique<JsonReporter>(options, out, err);
    return std::make_unique<HumanReporter>(options, out, err);
}

} // namespace leura::ui
