// SPDX-License-Identifier: Apache-2.0
#include "app/records.hpp"
#include "app/access_gate.hpp"
#include "app/recovery.hpp"
#include "app/run_json.hpp"
#include "archive/names.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

namespace leura::app {

Result<std::string> resolve_run_id(Context& ctx, const std::string& prefix) {
    LEURA_TRY_ASSIGN(store, ctx.records());
    const bool last = prefix == "last" || prefix.starts_with("last~");
    const auto& state = access_state(ctx);
    if (!last || state.mode == access::PolicyState::Mode::off || ctx.identity.uid == 0)
        return store->resolve_run(prefix);
    int64_t back = 0;
    if (prefix != "last") {
        const std::string n = prefix.substr(5);
        if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != n.npos)
            return store->resolve_run(prefix); // says what is wrong with it
        back = std::stoll(n);
    }
    store::RunFilter seen;
    seen.limit = back + 1;
    seen.keep = [&ctx](const store::RunRecord& r) { return may_see(ctx, r); };
    LEURA_TRY_ASSIGN(runs, store->runs(seen));
    if (int64_t(runs.size()) == back + 1) return runs.back().id;
    return fail(ErrorKind::not_found, "no run '" + prefix + "' among the runs you may see");
}

Result<RunView> load_run(Context& ctx, const std::string& prefix, bool previews,
                         const std::string& host_glob) {
    LEURA_TRY_ASSIGN(id, resolve_run_id(ctx, prefix));
    LEURA_TRY_ASSIGN(store, ctx.records());
    store::Store& records = *store;
    LEURA_TRY_ASSIGN(run, records.run(id));
    LEURA_TRY(require_run(ctx, run, "view")); // someone else's run, without a grant: refused
    LEURA_TRY_ASSIGN(hosts, records.hosts(id));
    LEURA_TRY_ASSIGN(steps, records.steps(id, previews, host_glob));
    LEURA_TRY_ASSIGN(batches, records.batches(id));
    return RunView{std::move(run), std::move(hosts), std::move(steps), std::move(batches)};
}

std::string run_took(const store::RunRecord& r) {
    auto a = util::parse_rfc3339(r.started_at);
    auto b = r.finished_at ? util::parse_rfc3339(*r.finished_at) : std::nullopt;
    if (!a || !b) return "";
    return util::human_duration_ms(
        std::chrono::duration_cast<std::chrono::milliseconds>(*b - *a).count());
}

void add_live_progress(const std::filesystem::path& data_dir, RunView& view) {
    if (view.run.status != "running") return;
    archive::HostDirs dirs;
    for (const auto& h : view.hosts)
        dirs.get(h.host);
    auto now = std::chrono::system_clock::now();
    auto since = [&](const std::string& at) -> int64_t {
        auto t = util::parse_rfc3339(at);
        if (!t) return 0;
        return std::max<int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(now - *t).count());
    };
    for (auto& h : view.hosts)
        if (h.status == "running" && h.started_at) h.duration_ms = since(*h.started_at);
    std::filesystem::path spool = data_dir / "spool" / view.run.id;
    for (auto& s : view.steps) {
        if (s.status != "running") continue;
        s.duration_ms = since(s.started_at);
        for (bool err : {false, true}) {
            std::error_code ec;
            auto size = std::filesystem::file_size(
                spool / archive::step_member(dirs.get(s.host), size_t(s.idx), s.name, err), ec);
            if (!ec) (err ? s.bytes_err : s.bytes_out) = int64_t(size);
        }
    }
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

std::string run_view_document(Context& ctx, const RunView& view) {
    archive::HostDirs dirs;
    for (const auto& h : view.hosts)
        dirs.get(h.host);
    std::string stages;
    if (view.run.note == "workflow") {
        std::vector<std::string> items;
        if (auto records = ctx.records())
            if (auto runs = (*records)->stage_runs(view.run.id))
                for (const auto& s : *runs)
                    if (auto sv = load_run(ctx, s.id, false)) {
                        add_live_progress(ctx.data_dir, *sv);
                        items.push_back(run_view_document(ctx, *sv));
                    }
        stages = util::json_array(items);
    }
    return run_document(
        view.run, view.hosts, view.steps, view.batches,
        [&dirs](const std::string& host) { return dirs.get(host); }, stages);
}

} // namespace leura::app
