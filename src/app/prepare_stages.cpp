// SPDX-License-Identifier: Apache-2.0
// A workflow's stages prepared one by one, each as the task it is: its own steps (or a
// library task's), the workflow's vars, secrets and shell under its own, and its hosts from
// its targets within the workflow's, narrowed by -t as a task's are.
#include "app/library.hpp"
#include "app/prepare_internal.hpp"
#include "inventory/selector.hpp"

#include <set>

namespace leura::app {

namespace {

// The stage's task: its own body, or the library task it names with the stage's rollout,
// vars, shell and targets over that task's.
std::optional<config::Task> stage_body(const config::Task& wf, const config::Stage& stage,
                                       const PrepareOptions& o, std::string& targets,
                                       config::Diagnostics& diags) {
    config::Task body = stage.body;
    targets = stage.targets;
    if (!stage.task_ref.empty()) {
        auto file = library_file(o.library, stage.task_ref);
        if (!file) {
            detail::add_error(diags, stage.task_ref_pos,
                              "stage '" + stage.name + "': " + file.error().message, wf.text);
            return std::nullopt;
        }
        auto lib = config::load_task(*file, diags);
        if (!lib) return std::nullopt;
        if (!lib->stages.empty()) {
            detail::add_error(diags, stage.task_ref_pos,
                              "stage '" + stage.name + "': task '" + stage.task_ref +
                                  "' is a workflow itself; a stage runs a task of steps",
                              wf.text);
            return std::nullopt;
        }
        config::KeyValues vars = lib->vars;
        vars.insert(vars.end(), stage.body.vars.begin(), stage.body.vars.end());
        body = std::move(*lib);
        body.vars = std::move(vars);
        if (stage.body.rollout) body.rollout = stage.body.rollout;
        if (!stage.body.shell.empty()) body.shell = stage.body.shell;
        if (targets.empty()) targets = body.targets;
        body.secrets.insert(body.secrets.begin(), wf.secrets.begin(), wf.secrets.end());
    } else {
        body.file = wf.file;
        body.text = wf.text;
        body.secrets = wf.secrets;
    }
    config::KeyValues vars = wf.vars;
    vars.insert(vars.end(), body.vars.begin(), body.vars.end());
    body.vars = std::move(vars);
    if (body.shell.empty()) body.shell = wf.shell;
    body.inventory = wf.inventory;
    body.tags = wf.tags;
    body.stages.clear();
    return body;
}

// The stage's selector: its targets within the workflow's, then -t as it narrows a task's.
std::string stage_selector(const std::string& own, const std::string& wf, const PrepareOptions& o) {
    auto both = [](const std::string& a, const std::string& b) {
        return a.empty() ? b : b.empty() ? a : "(" + a + ") & (" + b + ")";
    };
    if (o.replace_targets && !o.targets.empty()) return o.targets;
    return both(both(wf, own), o.targets);
}

} // namespace

std::optional<Prepared> prepare_stages(Prepared p, const PrepareOptions& o,
                                       config::Diagnostics& diags) {
    size_t before = diags.size();
    std::set<std::string> names;
    for (const auto& stage : p.task.stages) {
        if (!o.only_stages.empty() && std::find(o.only_stages.begin(), o.only_stages.end(),
                                                stage.name) == o.only_stages.end())
            continue;
        std::string own;
        auto body = stage_body(p.task, stage, o, own, diags);
        if (!body) continue;
        Prepared s;
        s.task = std::move(*body);
        s.stage = stage.name;
        s.inventory_file = p.inventory_file;
        s.inventory = p.inventory;
        s.task_name = p.task_name;
        s.flag_targets = o.targets;
        s.targets_replaced = o.replace_targets && !o.targets.empty();
        auto named = o.stage_hosts.find(stage.name);
        if (named != o.stage_hosts.end()) {
            // resume and retry: the recorded hosts, as they are in the inventory now.
            std::set<std::string> want(named->second.begin(), named->second.end());
            for (const auto& h : s.inventory.hosts)
                if (want.count(h.name)) s.hosts.push_back(&h);
            s.targets = "(the hosts recorded for stage " + stage.name + ")";
        } else {
            s.targets = stage_selector(own, p.task.targets, o);
            auto hosts = inventory::select(s.inventory, s.targets);
            if (!hosts) {
                detail::add_error(diags, stage.pos,
                                  "stage '" + stage.name + "': the selector '" + s.targets +
                                      "': " + hosts.error().message,
                                  p.task.text);
                continue;
            }
            s.hosts = std::move(*hosts);
        }
        if (s.hosts.empty()) {
            detail::add_error(diags, stage.pos,
                              "stage '" + stage.name + "' selects no host (" +
                                  (s.targets.empty() ? std::string("every host") : s.targets) + ")",
                              p.task.text);
            continue;
        }
        if (!detail::shared_downloads_refused(s, diags)) continue;
        auto ready = detail::with_connections(std::move(s), o, diags);
        if (!ready) continue;
        for (const auto* h : ready->hosts)
            names.insert(h->name);
        for (const auto& w : ready->warnings)
            if (std::find(p.warnings.begin(), p.warnings.end(), w) == p.warnings.end())
                p.warnings.push_back(w);
        p.stages.push_back(std::move(*ready));
    }
    if (diags.size() != before) return std::nullopt;
    p.flag_targets = o.targets;
    p.targets = p.task.targets;
    for (const auto& h : p.inventory.hosts)
        if (names.count(h.name)) p.hosts.push_back(&h);
    return p;
}

} // namespace leura::app
