// SPDX-License-Identifier: Apache-2.0
#include "app/run_json.hpp"
#include "app/prepare.hpp"
#include "archive/names.hpp"
#include "config/task.hpp"
#include "util/json.hpp"

#include <map>

namespace leura::app {

Result<std::string> run_json(store::Store& store, const store::RunRecord& run,
                             archive::Spool& spool) {
    LEURA_TRY_ASSIGN(hosts, store.hosts(run.id));
    LEURA_TRY_ASSIGN(steps, store.steps(run.id, false));
    LEURA_TRY_ASSIGN(batches, store.batches(run.id));
    return run_document(run, hosts, steps, batches,
                        [&spool](const std::string& host) { return spool.host_dir(host); }) +
           "\n";
}

std::string run_summary(const store::RunRecord& r) {
    util::JsonObject o;
    o.add("run", r.id).add("task", r.task).add("status", r.status);
    o.add("exit", r.exit_code).add("started_at", r.started_at);
    o.add("finished_at", r.finished_at).add("hosts", r.hosts).add("ok", r.ok);
    o.add("failed", r.failed).add("unreachable", r.unreachable).add("skipped", r.skipped);
    o.add("interrupted", r.interrupted).add("rolled_back", r.rolled_back);
    o.add("user", r.user).add("task_name", r.task_name);
    if (r.task == config::k_adhoc_task) o.add("command", adhoc_command(r.task_text.value_or("")));
    if (r.tags)
        o.add_raw("tags", *r.tags);
    else
        o.add_null("tags");
    o.add("parent", r.parent).add("stage", r.stage).add("resumes", r.resumes);
    o.add("triggered_by", r.triggered_by);
    return o.str();
}

std::string run_document(const store::RunRecord& run, const std::vector<store::HostRecord>& hosts,
                         const std::vector<store::StepRecord>& steps,
                         const std::vector<store::BatchRecord>& batches,
                         const std::function<std::string(const std::string&)>& host_dir,
                         const std::string& stages_json) {
    std::vector<std::string> batch_items;
    for (const auto& b : batches)
        batch_items.push_back(util::JsonObject()
                                  .add("wave", b.wave)
                                  .add("planned_hosts", b.planned_hosts)
                                  .add("hosts", b.hosts)
                                  .add("started_at", b.started_at)
                                  .add("finished_at", b.finished_at)
                                  .add("ok", b.ok)
                                  .add("failed", b.failed)
                                  .add("unreachable", b.unreachable)
                                  .add("skipped", b.skipped)
                                  .add("interrupted", b.interrupted)
                                  .add("rolled_back", b.rolled_back)
                                  .add("failed_total", b.failed_total)
                                  .add("gate", b.gate)
                                  .add("rollback", b.rollback)
                                  .add("reason", b.reason)
                                  .str());
    std::map<std::string, std::vector<std::string>> steps_of;
    for (const auto& s : steps) {
        std::string dir = host_dir(s.host);
        util::JsonObject o;
        o.add("index", s.idx + 1)
            .add("name", s.name)
            .add("phase", s.phase)
            .add("status", s.status)
            .add("exit", s.exit_code)
            .add("signal", s.signal)
            .add("error", s.error_kind)
            .add("message", s.error)
            .add("started_at", s.started_at)
            .add("duration_ms", s.duration_ms)
            .add("bytes_out", s.bytes_out)
            .add("bytes_err", s.bytes_err)
            .add("attempts", s.attempts)
            .add("stdout", archive::step_member(dir, size_t(s.idx), s.name, false))
            .add("stderr", archive::step_member(dir, size_t(s.idx), s.name, true));
        steps_of[s.host].push_back(o.str());
    }
    std::vector<std::string> host_items;
    for (const auto& h : hosts) {
        util::JsonObject o;
        o.add("host", h.host)
            .add("wave", h.wave)
            .add("status", h.status)
            .add("error", h.error_kind)
            .add("message", h.error)
            .add("exit", h.exit_code)
            .add("started_at", h.started_at)
            .add("finished_at", h.finished_at)
            .add("duration_ms", h.duration_ms)
            .add_raw("steps", util::json_array(steps_of[h.host]));
        host_items.push_back(o.str());
    }
    util::JsonObject root;
    root.add("run", run.id)
        .add("task", run.task)
        .add("task_hash", run.task_hash)
        .add("task_text", run.task_text)
        .add("inventory", run.inventory)
        .add("targets", run.targets)
        .add("user", run.user)
        .add_raw("args", run.args)
        .add("started_at", run.started_at)
        .add("finished_at", run.finished_at)
        .add("status", run.status)
        .add("exit", run.exit_code)
        .add_raw("plan", run.plan.value_or("null"))
        .add_raw("batches", util::json_array(batch_items))
        .add_raw("hosts", util::json_array(host_items));
    if (!stages_json.empty()) root.add_raw("stages", stages_json);
    return root.str();
}

} // namespace leura::app
