// SPDX-License-Identifier: Apache-2.0
// `leura logs RUN --follow`: a live run's output as its hosts write it (from the spool), then
// the rest from the archive once it ends. A workflow is followed stage run by stage run.
#include "cli/logs_follow.hpp"
#include "app/live_output.hpp"
#include "app/recovery.hpp"
#include "archive/names.hpp"
#include "cli/output_groups.hpp"
#include "cli/report.hpp"
#include "inventory/selector.hpp"
#include "util/strings.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <thread>

namespace leura::cli {

namespace {

using namespace std::chrono_literals;

class FollowPrinter {
public:
    FollowPrinter(const FollowOptions& o, std::string stage) : m_o(o), m_stage(std::move(stage)) {}

    // The hosts of the run as recorded so far: which folder is whose, and which are wanted.
    Status hosts(const std::vector<store::HostRecord>& hosts) {
        archive::HostDirs dirs;
        std::vector<std::string> names;
        for (const auto& h : hosts) {
            m_host_of[dirs.get(h.host)] = h.host;
            names.push_back(h.host);
        }
        if (m_o.host.empty()) return {};
        auto picked = inventory::select_names(names, m_o.host);
        m_wanted.clear();
        if (picked) m_wanted.insert(picked->begin(), picked->end());
        return {};
    }

    void chunk(const app::OutputChunk& c) {
        auto host = m_host_of.find(c.host_dir);
        const std::string& name = host == m_host_of.end() ? c.host_dir : host->second;
        if (!m_o.host.empty() && !m_wanted.count(name)) return;
        if (!m_o.step.empty() && m_o.step != std::to_string(c.step_number) &&
            !util::glob_match(m_o.step, c.step))
            return;
        if (c.is_stderr ? m_o.only_stdout : m_o.only_stderr) return;
        // Whole lines, so a header never lands inside a line another host left open. A line
        // still without its end at the end of a poll is shown then, ended by a newline of ours
        // (the recorder holds a step's last newline back until it knows the step goes on): the
        // newline that completes it later is the one already shown, and is dropped.
        flush_earlier_steps(c);
        std::string_view data = c.data;
        if (m_cut.erase(c.member) && !data.empty() && data.front() == '\n') data.remove_prefix(1);
        std::string& pending = m_pending[c.member];
        pending.append(data);
        size_t cut = pending.rfind('\n');
        if (cut == std::string::npos) return;
        show(name, c, pending.substr(0, cut + 1));
        pending.erase(0, cut + 1);
    }

    // After each poll: what is left of a line is shown now rather than when the run ends.
    void end_of_poll() {
        for (auto& [member, pending] : m_pending)
            if (!pending.empty()) {
                flush(member, pending);
                m_cut.insert(member);
            }
        std::fflush(stdout);
    }

    void finish() {
        for (auto& [member, pending] : m_pending)
            flush(member, pending);
        std::fflush(stdout);
    }

private:
    // A step's last line without a newline, once it can have no more.
    void flush(const std::string& member, std::string& pending) {
        if (pending.empty()) return;
        app::OutputChunk c;
        app::parse_step_member(member, c);
        auto host = m_host_of.find(c.host_dir);
        show(host == m_host_of.end() ? c.host_dir : host->second, c, pending + "\n");
        pending.clear();
    }

    // Output of a host's later step means its earlier steps have ended.
    void flush_earlier_steps(const app::OutputChunk& c) {
        std::string prefix = "hosts/" + c.host_dir + "/";
        for (auto& [member, pending] : m_pending) {
            app::OutputChunk earlier;
            if (!pending.empty() && member.rfind(prefix, 0) == 0 &&
                app::parse_step_member(member, earlier) && earlier.step_number < c.step_number)
                flush(member, pending);
        }
    }

    void show(const std::string& host, const app::OutputChunk& c, const std::string& lines) {
        std::string key = host + '\0' + std::to_string(c.step_number);
        if (key != m_current) {
            std::printf("==> %s: %sstep %lld \"%s\" <==\n", util::terminal_safe(host, true).c_str(),
                        m_stage.empty() ? "" : ("stage " + m_stage + " ").c_str(),
                        (long long)c.step_number, util::terminal_safe(c.step, true).c_str());
            m_current = key;
        }
        if (c.is_stderr && !m_o.only_stderr) {
            MarkedStderr marked(stdout);
            marked.write(lines);
        } else {
            write_host_output(stdout, lines);
        }
        std::fflush(stdout);
    }

    const FollowOptions& m_o;
    std::string m_stage;
    std::map<std::string, std::string> m_host_of; // spool folder -> host
    std::set<std::string> m_wanted;
    std::map<std::string, std::string> m_pending; // member -> its unfinished last line
    std::set<std::string> m_cut; // members whose last line was shown with a newline of ours
    std::string m_current;
};

// Follows one run (a task's, or one stage's) until it is no longer running.
Status follow_run(app::Context& ctx, store::Store& store, const std::string& id,
                  const FollowOptions& o, const std::string& stage) {
    const auto& data = ctx.data_dir;
    app::LiveOutput live(data / "spool" / id, data / "archives" / (id + ".tar.gz"));
    FollowPrinter printer(o, stage);
    auto print = [&](const app::OutputChunk& c) { printer.chunk(c); };
    for (int turn = 0;; ++turn) {
        LEURA_TRY_ASSIGN(hosts, store.hosts(id));
        LEURA_TRY(printer.hosts(hosts));
        live.poll(print);
        printer.end_of_poll();
        LEURA_TRY_ASSIGN(run, store.run(id));
        if (run.status != "running") break;
        // A run whose process died stays "running" until a leura finds its lock free.
        if (turn % 8 == 7) LEURA_TRY(app::recover_dead_runs(store, data));
        std::this_thread::sleep_for(250ms);
    }
    LEURA_TRY_ASSIGN(hosts, store.hosts(id));
    LEURA_TRY(printer.hosts(hosts));
    Status drained = live.drain(print);
    printer.finish();
    return drained;
}

} // namespace

int follow_logs(app::Context& ctx, const std::string& run_id, const FollowOptions& o) {
    auto records = ctx.records();
    if (!records) return report(records.error());
    store::Store& store = **records;
    auto run = store.run(run_id);
    if (!run) return report(run.error());
    if (run->note != "workflow") {
        if (auto st = follow_run(ctx, store, run_id, o, ""); !st) return report(st.error());
        return 0;
    }
    // A workflow: each stage run as it starts, until the workflow has ended.
    std::set<std::string> followed;
    for (;;) {
        auto stages = store.stage_runs(run_id);
        if (!stages) return report(stages.error());
        bool any = false;
        for (const auto& s : *stages) {
            if (followed.count(s.id) || s.status == "skipped") continue;
            followed.insert(s.id);
            any = true;
            std::string name = s.stage.value_or("") + (s.note == "rollback" ? "-rollback" : "");
            if (!o.stage.empty() && !util::glob_match(o.stage, name)) continue;
            if (auto st = follow_run(ctx, store, s.id, o, name); !st) return report(st.error());
        }
        auto now = store.run(run_id);
        if (!now) return report(now.error());
        if (now->status != "running" && !any) return 0;
        if (!any) std::this_thread::sleep_for(250ms);
    }
}

} // namespace leura::cli
