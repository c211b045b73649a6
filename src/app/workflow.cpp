// SPDX-License-Identifier: Apache-2.0
#include "app/workflow.hpp"
#include "app/recovery.hpp"
#include "app/step_values.hpp"
#include "inventory/range.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/signals.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <csignal>
#include <set>

namespace leura::app {

namespace {

// A stage's run reports its hosts and waves; its start and end are the stage's, which the
// workflow reports itself.
class StageReporter final : public ui::Reporter {
public:
    explicit StageReporter(ui::Reporter& to) : m_to(to) {}
    void run_started(const ui::RunStart&) override {}
    void batch_started(const ui::BatchStart& b) override { m_to.batch_started(b); }
    void step_started(const ui::StepStart& s) override { m_to.step_started(s); }
    void step_finished(const ui::StepDone& s) override { m_to.step_finished(s); }
    void host_finished(const ui::HostDone& h) override { m_to.host_finished(h); }
    void stop_requested(const ui::StopNotice& n) override { m_to.stop_requested(n); }
    void batch_finished(const ui::BatchDone& b) override { m_to.batch_finished(b); }
    void run_finished(const ui::RunEnd& r) override { m_end = r; }
    const ui::RunEnd& end() const { return m_end; }

private:
    ui::Reporter& m_to;
    ui::RunEnd m_end;
};

const Prepared* prepared_stage(const Prepared& wf, const std::string& name) {
    for (const auto& s : wf.stages)
        if (s.stage == name) return &s;
    return nullptr;
}

std::vector<std::string> secret_names(const config::Task& t) {
    std::vector<std::string> out;
    for (const auto* list : {&t.steps, &t.verify, &t.rollback})
        for (const auto& s : *list)
            out.insert(out.end(), s.secret_outputs.begin(), s.secret_outputs.end());
    return out;
}

std::vector<std::string> host_names(const Prepared& p) {
    std::vector<std::string> out;
    for (const auto* h : p.hosts)
        out.push_back(h->name);
    return out;
}

StageOutcome outcome_of(const RunResult& r, const Prepared& stage) {
    StageOutcome o;
    bool go_on =
        stage.task.rollout && stage.task.rollout->on_failure == config::OnFailure::continue_;
    if (r.status == "ok")
        o.state = StageState::ok;
    else if (r.status == "halted" || r.status == "declined")
        o.state = StageState::halted;
    else if (r.status == "interrupted")
        o.state = StageState::interrupted;
    else
        o.state = go_on ? StageState::passed : StageState::failed;
    return o;
}

// A skipped stage is recorded as a run that did not run, saying why.
Status record_skipped(store::Store& store, const store::RunRecord& wf, const std::string& stage,
                      const std::string& reason, const std::string& note) {
    store::RunRecord r;
    r.id = wf.id + "." + stage;
    r.task = wf.task;
    r.task_hash = wf.task_hash;
    r.inventory = wf.inventory;
    r.targets = "";
    r.user = wf.user;
    r.args = wf.args;
    r.started_at = util::now_rfc3339();
    r.status = "skipped";
    r.parent = wf.id;
    r.stage = stage;
    r.note = note.empty() ? reason : note + ": " + reason;
    LEURA_TRY(store.insert_run(r));
    r.finished_at = r.started_at;
    r.exit_code = 0;
    return store.finish_run(r);
}

} // namespace

void pass_values(const std::string& stage, const HostValues& values,
                 const std::vector<std::string>& secret, const std::vector<std::string>& hosts,
                 config::Task& next) {
    std::set<std::string> names;
    for (const auto& [host, mine] : values)
        for (const auto& kv : mine)
            names.insert(kv.first);
    std::string prefix = "LEURA_" + env_part(stage) + "_";
    for (const auto& name : names) {
        std::string lines;
        std::set<std::string> distinct;
        std::string one;
        for (const auto& host : hosts) { // in the stage's host order
            auto mine = values.find(host);
            if (mine == values.end()) continue;
            auto v = mine->second.find(name);
            if (v == mine->second.end()) continue;
            lines += host + " " + v->second + "\n";
            distinct.insert(v->second);
            one = v->second;
        }
        std::string var = prefix + env_part(name);
        bool is_secret = std::find(secret.begin(), secret.end(), name) != secret.end();
        if (distinct.size() == 1) (is_secret ? next.secrets : next.vars).emplace_back(var, one);
        if (!is_secret) next.value_files.emplace_back(var + "_FILE", lines);
    }
}

HostValues values_of(const std::vector<store::StepRecord>& steps) {
    HostValues out;
    for (const auto& s : steps)
        if (s.outputs)
            for (auto& [k, v] : parse_values_json(*s.outputs))
                out[s.host][k] = v;
    return out;
}

std::string workflow_plan_json(const Prepared& wf, const WaveOptions& w) {
    std::vector<std::string> stages;
    for (size_t i : config::stage_order(wf.task.stages)) {
        const config::Stage& s = wf.task.stages[i];
        const Prepared* p = prepared_stage(wf, s.name);
        util::JsonObject o;
        o.add("name", s.name).add("after", s.after).add("when", s.when_failed ? "failed" : "ok");
        if (!s.task_ref.empty()) o.add("task", s.task_ref);
        if (p) {
            auto rollout = effective_rollout(*p, w);
            o.add("targets", p->targets)
                .add_raw("plan", plan_json(*p, plan_waves(*p, rollout, w), rollout));
        }
        stages.push_back(o.str());
    }
    return util::JsonObject()
        .add("hosts", wf.hosts.size())
        .add("parallel", wf.task.parallel)
        .add("rollback_stages", wf.task.rollback_completed ? "completed" : "none")
        .add_raw("stages", util::json_array(stages))
        .str();
}

namespace {

class Workflow {
public:
    Workflow(Context& ctx, const Prepared& wf, const RunOptions& o, const WaveOptions& w,
             ui::Reporter& reporter, const WorkflowResume* resume)
        : m_ctx(ctx), m_wf(wf), m_o(o), m_w(w), m_reporter(reporter), m_resume(resume) {}

    Result<RunResult> run();

private:
    bool stop_asked() const {
        return util::stop_signal() != 0 || (m_ctx.stop.level && m_ctx.stop.level() > 0);
    }
    Prepared with_values(const Prepared& stage) const;
    Status run_stage(size_t i, const StageDecision& d, size_t number);
    Status roll_back(size_t i, size_t number);
    void skip(size_t i, StageState state, const std::string& reason);

    Context& m_ctx;
    const Prepared& m_wf;
    const RunOptions& m_o;
    const WaveOptions& m_w;
    ui::Reporter& m_reporter;
    const WorkflowResume* m_resume;
    store::Store* m_store = nullptr;
    store::RunRecord m_run;
    std::vector<StageOutcome> m_outcomes;
    std::vector<size_t> m_completed; // in the order they completed
    std::map<std::string, HostValues> m_values;
    std::map<std::string, std::vector<std::string>> m_secret;
    exec::RunSummary m_totals;
    size_t m_total = 0; // stages to report
    bool m_stopped = false;
    std::optional<Error> m_record_error;
};

Prepared Workflow::with_values(const Prepared& stage) const {
    Prepared p = stage;
    p.task_name.clear(); // the workflow's history keeps the workflow's text, not a stage's
    for (size_t j : m_completed) {
        const auto& name = m_wf.task.stages[j].name;
        auto v = m_values.find(name);
        if (v == m_values.end()) continue;
        const Prepared* from = prepared_stage(m_wf, name);
        auto secret = m_secret.find(name);
        pass_values(name, v->second,
                    secret == m_secret.end() ? std::vector<std::string>{} : secret->second,
                    from ? host_names(*from) : std::vector<std::string>{}, p.task);
    }
    return p;
}

void Workflow::skip(size_t i, StageState state, const std::string& reason) {
    const std::string& name = m_wf.task.stages[i].name;
    m_outcomes[i].state = state;
    m_outcomes[i].reason = reason;
    if (auto st = record_skipped(*m_store, m_run, name, reason, ""); !st && !m_record_error)
        m_record_error = st.error();
    ui::StageEnd e;
    e.stage = name;
    e.status = "skipped";
    e.reason = reason;
    m_reporter.stage_finished(e);
}

Status Workflow::run_stage(size_t i, const StageDecision& d, size_t number) {
    const config::Stage& stage = m_wf.task.stages[i];
    const Prepared* prepared = prepared_stage(m_wf, stage.name);
    Prepared p = with_values(*prepared);
    RunOptions o = m_o;
    o.parent = m_run.id;
    o.stage = stage.name;
    o.run_id = m_run.id + "." + stage.name;
    o.resumes.reset();
    o.first_steps.clear();
    auto rollout = effective_rollout(p, m_w);
    rollout::Plan plan;
    RunValues carried;
    const WorkflowResume::Partial* partial = nullptr;
    if (m_resume)
        if (auto it = m_resume->partial.find(stage.name); it != m_resume->partial.end())
            partial = &it->second;
    if (partial) {
        if (!partial->retry) {
            o.resumes = partial->run_id;
            o.first_steps = partial->first_steps;
            o.initial_values = partial->values;
        }
        plan = partial->plan;
    } else {
        plan = plan_waves(p, rollout, m_w);
    }
    ui::StageStart s;
    s.stage = stage.name;
    s.number = number;
    s.stages = m_total;
    s.stage_run = *o.run_id;
    s.hosts = p.hosts.size();
    s.waves = plan.waves.size();
    m_reporter.stage_started(s);
    StageReporter sr(m_reporter);
    LEURA_TRY_ASSIGN(result, run_task(m_ctx, p, o, rollout, plan, sr));
    StageOutcome out = outcome_of(result, p);
    if (stage.when_failed) {
        out.handled = true;
        out.cause = d.reason;
    }
    m_outcomes[i] = out;
    m_values[stage.name] = result.values;
    m_secret[stage.name] = secret_names(p.task);
    m_totals.add(result.totals);
    if (out.state == StageState::ok || out.state == StageState::passed) m_completed.push_back(i);
    if (out.state == StageState::interrupted) m_stopped = true;
    ui::StageEnd e;
    e.stage = stage.name;
    e.status = result.status;
    e.stage_run = result.run_id;
    e.ok = result.totals.ok;
    e.failed = result.totals.failed;
    e.unreachable = result.totals.unreachable;
    e.skipped = result.totals.skipped;
    e.interrupted = result.totals.interrupted;
    e.rolled_back = result.totals.rolled_back;
    e.duration_ms = result.duration_ms;
    m_reporter.stage_finished(e);
    return {};
}

// A completed stage rolled back: its [[rollback]] steps as one wave on its hosts.
Status Workflow::roll_back(size_t i, size_t number) {
    const config::Stage& stage = m_wf.task.stages[i];
    const Prepared* prepared = prepared_stage(m_wf, stage.name);
    if (prepared->task.rollback.empty()) {
        (void)record_skipped(*m_store, m_run, stage.name + "-rollback",
                             "stage " + stage.name + " has no [[rollback]] steps", "rollback");
        ui::StageEnd e;
        e.stage = stage.name;
        e.note = "rollback";
        e.status = "skipped";
        e.reason = "no [[rollback]] steps";
        m_reporter.stage_finished(e);
        return {};
    }
    Prepared p = with_values(*prepared);
    p.task.steps = p.task.rollback;
    p.task.verify.clear();
    p.task.rollback.clear();
    p.task.rollout.reset();
    RunOptions o = m_o;
    o.parent = m_run.id;
    o.stage = stage.name;
    o.note = "rollback";
    o.run_id = m_run.id + "." + stage.name + "-rollback";
    o.resumes.reset();
    o.first_steps.clear();
    auto plan = plan_waves(p, std::nullopt, WaveOptions{});
    ui::StageStart s;
    s.stage = stage.name;
    s.note = "rollback";
    s.number = number;
    s.stages = m_total;
    s.stage_run = *o.run_id;
    s.hosts = p.hosts.size();
    m_reporter.stage_started(s);
    StageReporter sr(m_reporter);
    LEURA_TRY_ASSIGN(result, run_task(m_ctx, p, o, std::nullopt, plan, sr));
    m_totals.rolled_back += result.totals.ok;
    ui::StageEnd e;
    e.stage = stage.name;
    e.note = "rollback";
    e.status = result.status;
    e.stage_run = result.run_id;
    e.ok = result.totals.ok;
    e.failed = result.totals.failed;
    e.unreachable = result.totals.unreachable;
    e.duration_ms = result.duration_ms;
    m_reporter.stage_finished(e);
    return {};
}

Result<RunResult> Workflow::run() {
    const auto& data = m_ctx.data_dir;
    LEURA_TRY(util::ensure_private_dir(data));
    LEURA_TRY_ASSIGN(records, m_ctx.records());
    m_store = &*records;
    LEURA_TRY_ASSIGN(task_lock, lock_task(data, m_wf.task.file, m_o.lock_wait, m_o.on_lock_wait));
    auto started = std::chrono::system_clock::now();
    auto clock_start = std::chrono::steady_clock::now();
    m_run.id = m_o.run_id ? *m_o.run_id : util::new_run_id(started);
    m_run.triggered_by = m_o.triggered_by;
    m_run.task = m_wf.task.file.string();
    if (!m_wf.task_name.empty()) m_run.task_name = m_wf.task_name;
    m_run.task_hash = util::sha256_hex(m_wf.task.text);
    m_run.task_text = m_wf.task.text;
    m_run.inventory = m_wf.inventory_file.string();
    m_run.targets = m_wf.targets;
    m_run.user = m_ctx.identity.name;
    m_run.args = util::json_string_array(m_o.argv);
    m_run.started_at = util::rfc3339(started);
    m_run.hosts = int64_t(m_wf.hosts.size());
    m_run.plan = workflow_plan_json(m_wf, m_w);
    m_run.waves = int64_t(m_wf.task.stages.size());
    if (m_resume && !m_resume->resumes.empty()) m_run.resumes = m_resume->resumes;
    m_run.overrides = m_o.overrides;
    m_run.tags = util::json_string_array(m_wf.task.tags);
    m_run.note = "workflow";
    LEURA_TRY_ASSIGN(run_lock, lock_run(data, m_run.id));
    (void)task_lock.note(holder_note(m_run.id));
    LEURA_TRY(m_store->insert_run(m_run));
    m_reporter.run_started({m_run.id, m_run.task, m_run.inventory, m_run.user, m_wf.hosts.size(),
                            m_wf.task.stages.size()});

    const auto& stages = m_wf.task.stages;
    m_outcomes.assign(stages.size(), {});
    m_total = stages.size();
    size_t number = 0;
    if (m_resume)
        for (size_t i = 0; i < stages.size(); ++i)
            if (auto it = m_resume->ended.find(stages[i].name); it != m_resume->ended.end()) {
                m_outcomes[i] = it->second.outcome;
                m_values[stages[i].name] = it->second.values;
                if (m_outcomes[i].state == StageState::ok ||
                    m_outcomes[i].state == StageState::passed)
                    m_completed.push_back(i);
            }
    std::optional<size_t> halted_for_rollback;
    std::optional<Error> failure;
    for (size_t i : config::stage_order(stages)) {
        ++number;
        if (m_outcomes[i].state != StageState::pending) continue; // ended in the resumed run
        if (!prepared_stage(m_wf, stages[i].name)) continue;
        if (m_stopped || stop_asked()) {
            m_stopped = true;
            break;
        }
        StageDecision d = decide_stage(stages, i, m_outcomes);
        if (d.verdict == StageVerdict::wait) continue;
        if (d.verdict == StageVerdict::skip) {
            skip(i, StageState::skipped, d.reason);
            continue;
        }
        if (d.verdict == StageVerdict::not_needed) {
            skip(i, StageState::not_needed, d.reason);
            continue;
        }
        if (auto st = run_stage(i, d, number); !st) {
            failure = st.error();
            break;
        }
        const auto* p = prepared_stage(m_wf, stages[i].name);
        if (m_outcomes[i].state == StageState::halted && m_wf.task.rollback_completed &&
            p->task.rollout && p->task.rollout->on_failure == config::OnFailure::rollback)
            halted_for_rollback = i;
    }
    if (halted_for_rollback && !failure && !m_stopped)
        for (size_t j : stages_to_roll_back(m_completed, m_outcomes)) {
            if (stop_asked()) break;
            if (auto st = roll_back(j, ++number); !st) {
                failure = st.error();
                break;
            }
        }

    // The workflow's status: the worst of its stages'.
    bool any_halted = false, any_failed = false;
    for (const auto& o : m_outcomes) {
        any_halted |= o.state == StageState::halted;
        any_failed |= o.state == StageState::failed || o.state == StageState::passed;
    }
    for (size_t i = 0; i < stages.size(); ++i)
        if (m_outcomes[i].state == StageState::ok && m_outcomes[i].handled) any_failed = true;
    RunResult result;
    result.run_id = m_run.id;
    int sig = util::stop_signal();
    if (m_stopped || sig) {
        result.status = "interrupted";
        result.exit = sig == SIGTERM ? ExitCode::sigterm : ExitCode::sigint;
    } else if (failure || m_record_error) {
        result.status = "failed";
        result.exit = ExitCode::internal;
    } else if (any_halted) {
        result.status = "halted";
        result.exit = ExitCode::halted;
    } else if (any_failed) {
        result.status = "failed";
        result.exit = ExitCode::hosts_failed;
    } else {
        result.status = "ok";
        result.exit = ExitCode::ok;
    }
    result.totals = m_totals;
    m_run.finished_at = util::now_rfc3339();
    m_run.status = result.status;
    m_run.exit_code = to_int(result.exit);
    m_run.ok = int64_t(m_totals.ok);
    m_run.failed = int64_t(m_totals.failed);
    m_run.unreachable = int64_t(m_totals.unreachable);
    m_run.skipped = int64_t(m_totals.skipped);
    m_run.interrupted = int64_t(m_totals.interrupted);
    m_run.rolled_back = int64_t(m_totals.rolled_back);
    Status finished = m_store->finish_run(m_run);
    ui::RunEnd end;
    end.status = result.status;
    end.exit_code = to_int(result.exit);
    end.ok = m_totals.ok;
    end.failed = m_totals.failed;
    end.unreachable = m_totals.unreachable;
    end.skipped = m_totals.skipped;
    end.interrupted = m_totals.interrupted;
    end.rolled_back = m_totals.rolled_back;
    if (failure)
        end.warning = failure->message;
    else if (m_record_error)
        end.warning = "records incomplete: " + m_record_error->message;
    else if (!finished)
        end.warning = "records incomplete: " + finished.error().message;
    end.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - clock_start)
                          .count();
    result.duration_ms = end.duration_ms;
    m_reporter.run_finished(end);
    if (failure && number <= 1) return std::unexpected(*failure);
    return result;
}

} // namespace

Result<RunResult> run_workflow(Context& ctx, const Prepared& wf, const RunOptions& o,
                               const WaveOptions& w, ui::Reporter& reporter,
                               const WorkflowResume* resume) {
    Workflow flow(ctx, wf, o, w, reporter, resume);
    return flow.run();
}

} // namespace leura::app
