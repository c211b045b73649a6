// SPDX-License-Identifier: Apache-2.0
#include "ui/reporter.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdlib>
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
    HumanReporter(const ReporterOptions& o, std::FILE* lines, std::FILE* notes)
        : m_opt(o), m_lines(lines), m_notes(notes) {}

    void run_started(const RunStart& r) override {
        m_total = r.hosts;
        if (!m_opt.quiet)
            std::fprintf(m_notes, "leura: run %s: %s on %zu host%s\n", r.run_id.c_str(),
                         r.task.c_str(), r.hosts, r.hosts == 1 ? "" : "s");
        m_run = r.run_id;
    }
    void batch_started(int wave, size_t waves, const std::vector<std::string>& hosts) override {
        if (waves < 2 || m_opt.quiet) return;
        clear_progress();
        std::fprintf(m_notes, "leura: wave %d/%zu: %zu host%s\n", wave, waves, hosts.size(),
                     hosts.size() == 1 ? "" : "s");
    }
    void host_finished(const HostDone& h) override {
        if (!h.rollback) ++m_done;
        clear_progress();
        if (!(m_opt.quiet && h.status == "ok")) print_host(h);
        draw_progress();
    }
    void batch_finished(const BatchDone& b) override {
        if (b.waves < 2 && b.gate == "pass") return;
        clear_progress();
        std::fprintf(m_notes,
                     "leura: wave %d/%zu: %zu ok, %zu failed, %zu unreachable%s; gate %s%s%s",
                     b.wave, b.waves, b.ok, b.failed, b.unreachable,
                     other_counts(b.skipped, b.interrupted, b.rolled_back).c_str(), b.gate.c_str(),
                     b.reason.empty() ? "" : ": ", b.reason.c_str());
        if (b.rollback != "none") std::fprintf(m_notes, "; rollback %s", b.rollback.c_str());
        std::fputc('\n', m_notes);
        std::fflush(m_notes);
    }
    void run_finished(const RunEnd& r) override {
        clear_progress();
        if (!r.warning.empty()) std::fprintf(m_notes, "leura: warning: %s\n", r.warning.c_str());
        std::fprintf(m_notes,
                     "leura: %s: %zu ok, %zu failed, %zu unreachable, %zu skipped%s in %s "
                     "(run %s)\n",
                     r.status.c_str(), r.ok, r.failed, r.unreachable, r.skipped,
                     other_counts(0, r.interrupted, r.rolled_back).c_str(),
                     util::human_duration_ms(r.duration_ms).c_str(), m_run.c_str());
        if (!m_opt.quiet && !r.archive.empty())
            std::fprintf(m_notes, "leura: logs: leura logs %s --host HOST   archive: %s\n",
                         m_run.c_str(), r.archive.c_str());
        std::fflush(m_notes);
    }

    void stage_started(const StageStart& s) override {
        if (m_opt.quiet) return;
        clear_progress();
        if (!s.note.empty())
            std::fprintf(m_notes, "leura: stage %s %s: %zu host%s\n", s.stage.c_str(),
                         s.note.c_str(), s.hosts, s.hosts == 1 ? "" : "s");
        else
            std::fprintf(m_notes, "leura: stage %s (%zu/%zu): %zu host%s, %zu wave%s\n",
                         s.stage.c_str(), s.number, s.stages, s.hosts, s.hosts == 1 ? "" : "s",
                         s.waves, s.waves == 1 ? "" : "s");
        std::fflush(m_notes);
    }
    void stage_finished(const StageEnd& s) override {
        if (m_opt.quiet && (s.status == "ok" || s.status == "skipped")) return;
        clear_progress();
        if (s.stage_run.empty())
            std::fprintf(m_notes, "leura: stage %s: %s%s%s\n", s.stage.c_str(), s.status.c_str(),
                         s.reason.empty() ? "" : ": ", s.reason.c_str());
        else
            std::fprintf(m_notes,
                         "leura: stage %s%s%s: %s: %zu ok, %zu failed, %zu unreachable%s in %s\n",
                         s.stage.c_str(), s.note.empty() ? "" : " ", s.note.c_str(),
                         s.status.c_str(), s.ok, s.failed, s.unreachable,
                         other_counts(s.skipped, s.interrupted, s.rolled_back).c_str(),
                         util::human_duration_ms(s.duration_ms).c_str());
        std::fflush(m_notes);
    }

private:
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
        std::fprintf(m_lines, "%s%-11s%s %-24s %7s  %s\n", on, status.c_str(), off, h.host.c_str(),
                     util::human_duration_ms(h.duration_ms).c_str(), detail.c_str());
        std::fflush(m_lines);
    }
    void clear_progress() {
        if (m_opt.progress && m_drawn) std::fputs("\r\033[K", m_notes);
        m_drawn = false;
    }
    void draw_progress() {
        if (!m_opt.progress || m_done >= m_total) return;
        std::fprintf(m_notes, "[%zu/%zu hosts done]", m_done, m_total);
        std::fflush(m_notes);
        m_drawn = true;
    }

    ReporterOptions m_opt;
    std::FILE* m_lines;
    std::FILE* m_notes;
    std::string m_run;
    size_t m_total = 0, m_done = 0;
    bool m_drawn = false;
};

// Events on stdout, one JSON object per line (DESIGN §1); human text goes to stderr.
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
    void batch_started(int wave, size_t waves, const std::vector<std::string>& hosts) override {
        emit(base("batch_started").add("wave", wave).add("hosts", hosts));
        m_human.batch_started(wave, waves, hosts);
    }
    void host_finished(const HostDone& h) override {
        if (h.rollback) return; // the batch's `rollback` field carries the outcome
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
                 .add("rolled_back", r.rolled_back));
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
    void emit(const util::JsonObject& o) {
        std::fputs(o.str().c_str(), m_out);
        std::fputc('\n', m_out);
        std::fflush(m_out);
    }

    std::FILE* m_out;
    HumanReporter m_human;
    std::string m_run;
    std::string m_stage; // the stage whose events these are; empty outside one
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
