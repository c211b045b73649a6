// SPDX-License-Identifier: Apache-2.0
#include "app/records.hpp"
#include "app/recovery.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"

#include <fstream>
#include <sstream>

namespace leura::app {

Result<RunView> load_run(Context& ctx, const std::string& prefix, bool previews,
                         const std::string& host_glob) {
    LEURA_TRY_ASSIGN(store, ctx.records());
    store::Store& records = *store;
    LEURA_TRY_ASSIGN(id, records.resolve_run(prefix));
    LEURA_TRY_ASSIGN(run, records.run(id));
    LEURA_TRY_ASSIGN(hosts, records.hosts(id));
    LEURA_TRY_ASSIGN(steps, records.steps(id, previews, host_glob));
    LEURA_TRY_ASSIGN(batches, records.batches(id));
    return RunView{std::move(run), std::move(hosts), std::move(steps), std::move(batches)};
}

Status rerun_source(const store::RunRecord& run, PrepareOptions& o) {
    o.task_file = run.task;
    if (run.task != config::k_adhoc_task) return {};
    o.command = adhoc_command(run.task_text.value_or(""));
    if (!o.command)
        return fail(ErrorKind::config, "run " + run.id + ": its ad-hoc command is unreadable");
    o.shell = adhoc_shell(run.task_text.value_or(""));
    return {};
}

Result<bool> task_unchanged(const store::RunRecord& run) {
    if (run.task == config::k_adhoc_task) return true;
    std::ifstream in(run.task);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return fail(ErrorKind::not_found, "cannot read the task " + run.task);
    return util::sha256_hex(text.str()) == run.task_hash;
}

} // namespace leura::app
