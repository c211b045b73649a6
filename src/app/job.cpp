// SPDX-License-Identifier: Apache-2.0
#include "app/job.hpp"
#include "app/custom_step.hpp"
#include "archive/bundle.hpp"
#include "config/login.hpp"
#include "exec/script.hpp"
#include "inventory/inventory.hpp"
#include "util/paths.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace leura::app {

namespace fs = std::filesystem;

std::vector<StepSource> job_steps(const config::Task& t, JobPhase phase, bool host_rollback) {
    std::vector<StepSource> out;
    size_t idx = 0;
    auto add = [&](const std::vector<config::Step>& steps, const char* name, bool keep,
                   bool after_failure) {
        for (const auto& s : steps) {
            if (keep)
                out.push_back({&s,
                               {s.name, name, idx, s.download ? &*s.download : nullptr, &s},
                               after_failure});
            ++idx;
        }
    };
    bool wave = phase == JobPhase::wave;
    add(t.steps, "steps", wave, false);
    add(t.verify, "verify", wave, false);
    add(t.rollback, "rollback", !wave || host_rollback, wave);
    return out;
}

namespace {

// A local step sees the host's attributes as LEURA_ATTR_<NAME> (upper case, other characters
// as '_'), e.g. to tell a load balancer which pool the host is in.
void add_attrs(config::KeyValues& exports, const config::KeyValues& attrs) {
    for (const auto& [key, value] : attrs)
        exports.emplace_back(inventory::attr_variable(key), value);
}

} // namespace

// The content of each upload, hashed once per run: the host checks what arrived against it,
// and a target that already has it is left alone. A directory's tar is unlinked as soon as it
// is open, so nothing is left behind however the run ends (kill -9 included).
Result<Digests> upload_digests(const config::Task& t, const fs::path& tmp) {
    Digests out;
    for (const auto* list : {&t.steps, &t.rollback})
        for (const auto& s : *list) {
            if (!s.upload) continue;
            UploadSource source;
            std::string path = s.upload->src.string();
            if (s.upload->directory) {
                path = (tmp / ("upload-" + util::random_hex(8) + ".tar")).string();
                auto bundle = archive::pack_directory(s.upload->src, path);
                if (bundle) source.manifest = bundle->manifest_sha256;
                auto snapshot = bundle ? util::FileSnapshot::open(path, true)
                                       : Result<util::Snapshot>(std::unexpected(bundle.error()));
                if (!snapshot) {
                    std::error_code ignored;
                    fs::remove(path, ignored);
                    return std::unexpected(snapshot.error());
                }
                source.file = *snapshot;
            } else {
                LEURA_TRY_ASSIGN(snapshot, util::FileSnapshot::open(path));
                source.file = snapshot;
            }
            out.emplace(&s, std::move(source));
        }
    return out;
}

namespace {

// Remote steps that must not outlive their connection. Not uploads (the file follows the script
// on stdin: cut short, the upload fails and cleans up), not controller steps.
bool remote_shell_step(const config::Step& s) {
    return s.kind == config::StepKind::command || s.kind == config::StepKind::script ||
           s.kind == config::StepKind::download;
}

// Those and uploads run in the host's runner (exec/runner.hpp), which watches the connection
// for them, except downloads (their bytes are the channel's stdout, and a channel of their own
// keeps out whatever an earlier step's background job still writes to the runner's) and steps
// run as another user (through sudo on a channel of their own). Those off the runner keep a
// lifeline (exec::render_script) on their stdin.
bool in_runner(const config::Step& s) {
    return (remote_shell_step(s) || s.kind == config::StepKind::upload) &&
           s.kind != config::StepKind::download && s.run_as.empty();
}
bool has_lifeline(const config::Step& s) {
    return remote_shell_step(s) && !in_runner(s);
}

exec::StepPlan step_plan(const StepSource& s, const config::Task& t, const Digests& digests) {
    const config::Step& step = *s.step;
    exec::StepPlan plan;
    plan.name = s.meta.name;
    plan.timeout = step.timeout;
    plan.ignore_errors = step.ignore_errors;
    plan.retries = step.retries;
    plan.interval = step.interval;
    plan.local = step.kind == config::StepKind::local;
    plan.always = step.always;
    plan.after_failure = s.after_failure;
    plan.run_as = step.run_as;
    if (!step.upload && !step.download && step.kind != config::StepKind::custom)
        if (auto shell = exec::step_interpreter(step.body, step.shell, t.shell,
                                                step.kind == config::StepKind::script))
            plan.shell = exec::interpreter_name(*shell);
    if (step.run_once) plan.once_key = std::to_string(s.meta.record_index);
    plan.keep_stdin_open = has_lifeline(step);
    plan.in_runner = in_runner(step);
    // Steps outside the runner run as another user: through sudo, their script sized when
    // stdin goes on after it (an upload's file, or the lifeline).
    bool sized = step.kind == config::StepKind::upload || plan.keep_stdin_open;
    if (!plan.run_as.empty())
        plan.command = exec::run_as_command(plan.run_as, sized ? exec::k_read_sized_script
                                                               : exec::k_read_script);
    else if (sized && !plan.in_runner)
        plan.command = exec::sized_command(); // a download, on a channel of its own
    plan.marked = sized && !plan.in_runner;
    if (step.kind == config::StepKind::upload && digests.count(&step)) {
        plan.precheck_command =
            plan.run_as.empty() ? exec::k_remote_command : exec::run_as_command(plan.run_as);
        plan.precheck_in_runner = plan.run_as.empty();
    }
    if (step.kind == config::StepKind::custom) {
        plan.custom = true;
        plan.command = util::shell_quote(step.custom_path); // run here, the request on stdin
    }
    return plan;
}

// The step's shell body: its own text (run by its shell, exec::step_interpreter), or the
// script an upload or a download runs.
std::string step_body(const config::Step& s, const config::Task& t, const Digests& digests,
                      bool keep_shell) {
    if (s.upload) {
        const auto& d = digests.at(&s).digest();
        if (s.upload->directory) return exec::upload_dir_body(s.upload->dest, d, s.upload->owner);
        return exec::upload_body(s.upload->dest, d, s.upload->mode, s.upload->owner);
    }
    if (s.download) return exec::download_body(s.download->src);
    auto shell =
        exec::step_interpreter(s.body, s.shell, t.shell, s.kind == config::StepKind::script);
    return shell ? exec::interpreted_body(s.body, *shell, s.kind == config::StepKind::local,
                                          keep_shell)
                 : s.body;
}

} // namespace

exec::Job make_job(const Prepared& p, const RunOptions& o, const std::string& run_id,
                   const std::vector<size_t>& hosts, const std::vector<StepSource>& steps, int wave,
                   const Digests& digests, const RunValues* values) {
    exec::Job job;
    for (const auto& s : steps)
        job.steps.push_back(step_plan(s, p.task, digests));
    for (size_t i : hosts) {
        const inventory::Host* h = p.hosts[i];
        // Resume points index the task's steps; a rollback job always starts at its first.
        auto first = o.first_steps.find(h->name);
        bool rollback = !steps.empty() && steps[0].after_failure == false &&
                        std::string_view(steps[0].meta.phase) == "rollback";
        size_t first_step = first == o.first_steps.end() || rollback ? 0 : first->second;
        job.hosts.push_back({h->name, p.connections.at(i).endpoint, first_step});
    }
    job.remote_command = exec::k_remote_command;
    auto exports_for = [&p, &o, run_id, hosts, steps, wave, values](size_t host, size_t step) {
        const inventory::Host& h = *p.hosts[hosts[host]];
        const config::Step& s = *steps[step].step;
        config::KeyValues exports = {
            {"LEURA_HOST", h.name}, {"LEURA_RUN", run_id}, {"LEURA_BATCH", std::to_string(wave)}};
        if (values)
            if (auto mine = values->by_host.find(h.name); mine != values->by_host.end())
                for (const auto& [name, value] : mine->second)
                    exports.emplace_back("LEURA_OUT_" + env_part(name), value);
        if (s.kind == config::StepKind::local) add_attrs(exports, h.attrs);
        // Most specific last: the shell keeps the last export of a name.
        for (const auto* layer : {&h.vars, &p.task.vars, &p.task.secrets, &o.vars, &s.env})
            exports.insert(exports.end(), layer->begin(), layer->end());
        return exports;
    };
    job.render_script = [&p, &o, run_id, hosts, exports_for, steps, wave, &digests,
                         values](size_t host, size_t step) {
        const config::Step& s = *steps[step].step;
        if (s.kind == config::StepKind::custom) {
            const inventory::Host& h = *p.hosts[hosts[host]];
            CustomRequest request{run_id, wave, h.name, &h.attrs, {}, &p.task.secrets, &s};
            for (const auto* layer : {&h.vars, &p.task.vars, &o.vars})
                request.vars.insert(request.vars.end(), layer->begin(), layer->end());
            return custom_request(request);
        }
        bool lifeline = has_lifeline(s);
        std::optional<exec::OutputCapture> capture;
        if (values && (s.kind == config::StepKind::command || s.kind == config::StepKind::script ||
                       s.kind == config::StepKind::local))
            capture = exec::OutputCapture{values->token, util::random_hex(8), p.task.value_files};
        std::string script = exec::render_script(
            exports_for(host, step), step_body(s, p.task, digests, capture.has_value()), s.timeout,
            lifeline, capture ? &*capture : nullptr);
        // The runner sizes its scripts itself.
        return (s.upload || lifeline) && !in_runner(s) ? exec::sized_stdin(script) : script;
    };
    job.render_precheck = [exports_for, steps, &digests](size_t host, size_t step) {
        const config::Step& s = *steps[step].step;
        const auto& d = digests.at(&s);
        const auto& up = *s.upload;
        return exec::render_script(
            exports_for(host, step),
            up.directory ? exec::upload_dir_precheck(up.dest, d.manifest, up.owner)
                         : exec::upload_precheck(up.dest, d.digest().sha256, up.mode, up.owner),
            s.timeout);
    };
    job.expand_custom = [&p, exports_for, steps](size_t host, size_t step,
                                                 std::string_view answer) {
        const config::Step& s = *steps[step].step;
        CustomContext c{steps[step].meta.name, exports_for(host, step), s.run_as,
                        p.task.file.parent_path()};
        return read_custom_answer(answer, c);
    };
    job.stdin_file = [steps, &digests](size_t, size_t step) {
        const config::Step& s = *steps[step].step;
        return s.upload ? digests.at(&s).file : util::Snapshot();
    };
    return job;
}

std::vector<StepMeta> metas(const std::vector<StepSource>& steps) {
    std::vector<StepMeta> out;
    for (const auto& s : steps)
        out.push_back(s.meta);
    return out;
}

} // namespace leura::app
