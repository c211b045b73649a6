// SPDX-License-Identifier: Apache-2.0
#include "app/run_json.hpp"
#include "archive/names.hpp"
#include "util/json.hpp"

#include <map>

namespace leura::app {

Result<std::string> run_json(store::Store& store, const store::RunRecord& run,
                             archive::Spool& spool) {
    LEURA_TRY_ASSIGN(hosts, store.hosts(run.id));
    LEURA_TRY_ASSIGN(steps, store.steps(run.id));
    LEURA_TRY_ASSIGN(batches, store.batches(run.id));
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
        std::string dir = spool.host_dir(s.host);
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
    return root.str() + "\n";
}

} // namespace leura::app
