// SPDX-License-Identifier: Apache-2.0
// POST /v1/plan: what POST /v1/runs with the same body would do, as `leura plan --json` shows
// it (the hosts, the waves and their gates), without touching a host.
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/connections.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "app/tokens.hpp"
#include "app/waves.hpp"
#include "app/workflow.hpp"

#include <memory>

namespace leura::app {

http::Response Api::plan(Context& ctx, const http::Request& r, const Token& token) {
    auto body = parse_run_body(r.body, false);
    if (!body) return body.error();
    PrepareOptions o;
    o.task_file = body->task;
    o.inventory = body->inventory;
    o.targets = body->targets;
    o.replace_targets = body->replace_targets;
    o.default_inventory = ctx.settings.text("inventory");
    o.library = library_root(ctx.settings);
    auto file = resolve_task(o.library, o.task_file, o.task_name);
    if (!file) return problem(file.error());
    o.task_file = file->string();
    const std::string task = o.task_name.empty() ? o.task_file : o.task_name;
    if (token && !token_scope_allows(*token, "view", task))
        return problem(403, "denied", to_int(ExitCode::refused),
                       "token " + token->id + " does not allow 'view' on task " + task);
    auto sources = load_ssh_sources(ctx.settings, "");
    if (!sources) return problem(sources.error());
    o.ssh = std::make_shared<const SshSources>(std::move(*sources));
    config::Diagnostics diags;
    auto prepared = prepare(o, diags);
    if (!prepared) return problem(diags);
    AccessRequest view;
    view.action = "view";
    view.task = task;
    view.inventory = inventory_name_of(prepared->inventory_file);
    if (auto ok = authorize(ctx, view, false); !ok) return problem(ok.error());
    const WaveOptions waves;
    if (!prepared->task.stages.empty()) return json_response(workflow_plan_json(*prepared, waves));
    auto rollout = effective_rollout(*prepared, waves);
    return json_response(plan_json(*prepared, plan_waves(*prepared, rollout, waves), rollout));
}

} // namespace leura::app
