// SPDX-License-Identifier: Apache-2.0
// `leura task list|show|new|edit|rm` and the table of every `leura task` subcommand: the task
// library (app/library.hpp).
#include "cli/cmd_task.hpp"
#include "app/access_gate.hpp"
#include "app/audit.hpp"
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "app/task_versions.hpp"
#include "app/task_write.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "util/json.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>

namespace leura::cli {

namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : sep) + i;
    return out;
}

// The newest runs of the task in `file`, newest first.
std::vector<store::RunRecord> runs_of(app::Context& ctx, const fs::path& file, int64_t limit) {
    std::vector<store::RunRecord> out;
    auto records = ctx.records();
    if (!records) return out;
    store::RunFilter filter;
    filter.task = file.string();
    filter.limit = limit * 4; // a substring match: other tasks' paths may contain this one's
    auto runs = (*records)->runs(filter);
    if (!runs) return out;
    for (auto& r : *runs)
        if (r.task == file.string() && int64_t(out.size()) < limit) out.push_back(std::move(r));
    return out;
}

bool has_tag(const config::Task& t, const std::string& tag) {
    return std::find(t.tags.begin(), t.tags.end(), tag) != t.tags.end();
}

// The newest run of every task file, in one query (one per task made a library of a thousand
// tasks slow to list); none when the records cannot be read (the listing still helps).
std::unordered_map<std::string, store::RunRecord> last_runs(app::Context& ctx) {
    auto records = ctx.records();
    if (!records) return {};
    auto runs = (*records)->last_runs();
    return runs ? std::move(*runs) : std::unordered_map<std::string, store::RunRecord>{};
}

int list(app::Context& ctx, const TaskFlags& f) {
    fs::path root = app::library_root(ctx.settings);
    auto tasks = app::library_tasks(root);
    if (tasks.empty() && !f.json)
        std::fprintf(stderr, "leura: no tasks in the library %s (leura task new NAME makes one)\n",
                     root.c_str());
    bool header = false;
    auto newest = last_runs(ctx);
    for (const auto& t : tasks) {
        if (!f.pattern.empty() && t.name.find(f.pattern) == std::string::npos) continue;
        if (!app::access_allows(ctx, "view", t.name)) continue; // not theirs to see: not listed
        config::Diagnostics diags;
        auto task = config::load_task(t.file, diags);
        if (!f.tag.empty() && (!task || !has_tag(*task, f.tag))) continue;
        auto found = newest.find(fs::absolute(t.file).lexically_normal().string());
        const store::RunRecord* last = found == newest.end() ? nullptr : &found->second;
        std::string tags = task ? join(task->tags, ",") : "";
        std::string status = last ? last->status : "-";
        std::string when = last ? age(ctx, last->started_at) : "-";
        if (f.json) {
            std::printf("%s\n", app::library_task_json(t, task ? &*task : nullptr, last).c_str());
            continue;
        }
        if (!header) {
            std::printf("%-28s %5s %-16s %-11s %-10s %s\n", "NAME", "STEPS", "TAGS", "LAST RUN",
                        "WHEN", "DESCRIPTION");
            header = true;
        }
        std::string about =
            task ? task->description
                 : "(invalid: " + (diags.empty() ? std::string("?") : diags.items()[0].message) +
                       ")";
        std::printf("%-28s %5zu %-16s %-11s %-10s %s\n", t.name.c_str(),
                    task ? task->steps.size() : size_t(0), tags.empty() ? "-" : tags.c_str(),
                    status.c_str(), when.c_str(), util::terminal_safe(about, true).c_str());
    }
    return 0;
}

int show(app::Context& ctx, const TaskFlags& f) {
    if (auto st = may(ctx, "view", f.name, false); !st) return report(st.error());
    auto file = existing(ctx, f.name);
    if (!file) return report(file.error());
    config::Diagnostics diags;
    auto loaded = config::load_task(*file, diags);
    if (!loaded) return report(diags);
    const auto& t = *loaded;
    // The hosts it selects now, when its inventory can be found.
    app::PrepareOptions po;
    po.task_file = file->string();
    po.default_inventory = ctx.settings.text("inventory");
    config::Diagnostics unready;
    auto p = app::prepare(po, unready);
    std::printf("task       %s\n", f.name.c_str());
    std::printf("file       %s\n", fs::absolute(*file).lexically_normal().c_str());
    std::printf("about      %s\n", t.description.empty() ? "-" : t.description.c_str());
    std::printf("tags       %s\n", t.tags.empty() ? "-" : join(t.tags, ", ").c_str());
    if (p) {
        std::printf("inventory  %s\n", p->inventory_file.c_str());
        std::printf("targets    %s: %zu host%s now\n",
                    t.targets.empty() ? "(all)" : t.targets.c_str(), p->hosts.size(),
                    p->hosts.size() == 1 ? "" : "s");
    } else {
        std::printf("inventory  %s\n", t.inventory.empty() ? "-" : t.inventory.c_str());
        std::printf("targets    %s: not resolvable now (%s)\n",
                    t.targets.empty() ? "(all)" : t.targets.c_str(),
                    unready.empty() ? "?" : unready.items()[0].message.c_str());
    }
    std::printf("steps      %zu (+%zu verify, %zu rollback)\n", t.steps.size(), t.verify.size(),
                t.rollback.size());
    if (t.rollout) {
        std::vector<std::string> batches;
        for (const auto& b : t.rollout->batches) {
            char buf[32];
            std::snprintf(buf, sizeof buf, b.percent ? "%g%%" : "%g", b.value);
            batches.push_back(buf);
        }
        const char* on_failure = t.rollout->on_failure == config::OnFailure::stop ? "stop"
                                 : t.rollout->on_failure == config::OnFailure::rollback
                                     ? "rollback"
                                     : "continue";
        std::printf("rollout    batches %s, affinity %s, on_failure %s\n",
                    join(batches, ",").c_str(), t.rollout->affinity.c_str(), on_failure);
    } else {
        std::printf("rollout    none (one wave)\n");
    }
    auto runs = runs_of(ctx, fs::absolute(*file).lexically_normal(), 5);
    std::printf("last runs  %s\n", runs.empty() ? "none" : "");
    for (const auto& r : runs)
        std::printf("  %-21s %-11s %s\n", r.id.c_str(), r.status.c_str(),
                    age(ctx, r.started_at).c_str());
    return 0;
}

int make(app::Context& ctx, const TaskFlags& f) {
    if (auto st = may(ctx, "edit", f.name, false); !st) return report(st.error());
    fs::path root = app::library_root(ctx.settings);
    auto file = app::library_file(root, f.name);
    if (!file) return report(file.error());
    std::error_code ec;
    if (fs::exists(*file, ec))
        return report(Error(ErrorKind::usage, "task '" + f.name + "' exists already (" +
                                                  file->string() + "); leura never overwrites"));
    std::string text = app::task_skeleton(f.name);
    if (!f.from.empty()) {
        // The copy shows what it copies: the source is a task they may see, by name.
        if (auto st = app::require_named(ctx, f.from); !st) return report(st.error());
        if (auto st = may(ctx, "view", f.from, false); !st) return report(st.error());
        auto from = existing(ctx, f.from);
        if (!from) return report(from.error());
        std::ifstream in(*from, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (auto st = app::install_task_text(*file, text, true); !st) return report(st.error());
    if (auto saved = app::save_task_version(ctx, f.name, *file, text, app::VersionSource::created);
        !saved)
        warn_unsaved_version(f.name, saved.error());
    audit_task(ctx, "task new", f.name,
               "sha256 " + util::sha256_hex(text) + (f.from.empty() ? "" : "; from " + f.from));
    std::printf("%s\n", file->c_str());
    std::fprintf(stderr, "leura: created task '%s'; edit it, then: leura run %s\n", f.name.c_str(),
                 f.name.c_str());
    return 0;
}

int remove(app::Context& ctx, const TaskFlags& f) {
    if (auto st = may(ctx, "edit", f.name, false); !st) return report(st.error());
    auto file = existing(ctx, f.name);
    if (!file) return report(file.error());
    if (!f.yes) {
        if (!::isatty(STDIN_FILENO))
            return report(Error(ErrorKind::usage, "removing task '" + f.name +
                                                      "' asks for confirmation and stdin is not "
                                                      "a terminal: pass --yes"));
        std::fprintf(stderr, "leura: remove task '%s' (%s)? Its runs' records stay. [y/N] ",
                     f.name.c_str(), file->c_str());
        char line[16] = {0};
        if (!std::fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
            std::fprintf(stderr, "leura: kept\n");
            return 0;
        }
    }
    std::string content = util::read_file(*file).value_or("");
    std::error_code ec;
    if (!fs::remove(*file, ec))
        return report(
            Error(ErrorKind::io, "cannot remove " + file->string() + ": " + ec.message()));
    audit_task(ctx, "task rm", f.name, "sha256 " + util::sha256_hex(content));
    std::fprintf(stderr, "leura: removed task '%s'; its runs' records stay\n", f.name.c_str());
    return 0;
}

} // namespace

// The audit log's entry for a change to the task library (a warning when it cannot be written:
// the change is made).
void audit_task(app::Context& ctx, const char* action, const std::string& name,
                const std::string& detail) {
    if (auto st = app::audit_change(ctx, action, "task:" + name, detail); !st)
        warn({std::string(action) + " " + name +
              " was not recorded in the audit log: " + st.error().message});
}

// The task was saved, but its history misses this version: say so, but it is not a failure.
void warn_unsaved_version(const std::string& name, const Error& e) {
    std::fprintf(stderr, "leura: warning: task '%s': this version is not in its history (%s)\n",
                 name.c_str(), util::terminal_safe(e.message, true).c_str());
}

// The policy's word on `action` (view, edit) of the library task `name` (app/access_gate.hpp).
Status may(app::Context& ctx, const std::string& action, const std::string& name,
           bool audit_allowed) {
    app::AccessRequest r;
    r.action = action;
    r.task = name;
    return app::authorize(ctx, r, audit_allowed);
}

Result<fs::path> existing(const app::Context& ctx, const std::string& name) {
    std::string found;
    return app::resolve_task(app::library_root(ctx.settings), name, found);
}

std::string age(const app::Context& ctx, const std::string& at) {
    auto t = util::parse_rfc3339(at);
    if (!t) return "-";
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.clock() - *t).count();
    return util::human_duration_ms(std::max<long long>(ms, 0)) + " ago";
}

Action add_task(CLI::App& sub) {
    sub.require_subcommand(1);
    auto f = std::make_shared<TaskFlags>();
    auto which = std::make_shared<std::string>();
    auto* l = sub.add_subcommand("list", "Tasks in the library, with their last run");
    l->add_option("pattern", f->pattern, "Only names containing this");
    l->add_option("--tag", f->tag, "Only tasks with this tag");
    l->add_flag("--json", f->json, "One JSON object per task");
    auto* s = sub.add_subcommand("show", "One task: file, inventory, hosts now, rollout, runs");
    s->add_option("name", f->name, "Task name")->required();
    auto* n = sub.add_subcommand("new", "A new task from a skeleton that passes check");
    n->add_option("name", f->name, "Task name, e.g. web/restart-nginx")->required();
    n->add_option("--from", f->from, "Start from a copy of this task");
    auto* e =
        sub.add_subcommand("edit", "Edit a task in $VISUAL or $EDITOR; saved only when valid");
    e->add_option("name", f->name, "Task name")->required();
    // Hidden: the service side's half of an edit on a shared controller (cmd_task_edit.cpp).
    e->add_flag("--print-text", f->print_text)->group("");
    e->add_option("--save-over", f->save_over)->group("");
    auto* r = sub.add_subcommand("rm", "Remove a task (its runs' records stay)");
    r->add_option("name", f->name, "Task name")->required();
    r->add_flag("-y,--yes", f->yes, "Do not ask");
    auto* h = sub.add_subcommand("history", "Every saved version of a task, newest first");
    h->add_option("name", f->name, "Task name")->required();
    h->add_flag("--json", f->json, "One JSON object per version");
    auto* d = sub.add_subcommand(
        "diff", "Unified diff of a saved version and the file now, or of two versions");
    d->add_option("name", f->name, "Task name")->required();
    d->add_option("versions", f->versions,
                  "FROM (default: the newest saved) and TO (default: the file now)")
        ->expected(0, 2);
    auto* q = sub.add_subcommand(
        "search", "Tasks whose name, tags, description, steps or commands have every word");
    q->add_option("words", f->words, "Words, any case; all must match")->required();
    q->add_flag("--json", f->json, "One JSON object per task");
    for (auto* c : {l, s, n, e, r, h, d, q})
        c->callback([which, c] { *which = c->get_name(); });
    e->callback([which, f] {
        *which = "edit";
        front_end() = [f](app::Context& ctx) { return task_edit(ctx, *f); };
    });
    return [f, which](app::Context& ctx) {
        if (*which == "list") return list(ctx, *f);
        if (*which == "show") return show(ctx, *f);
        if (*which == "new") return make(ctx, *f);
        if (*which == "edit") return task_edit(ctx, *f);
        if (*which == "history") return task_history(ctx, *f);
        if (*which == "diff") return task_diff(ctx, *f);
        if (*which == "search") return task_search(ctx, *f);
        return remove(ctx, *f);
    };
}

} // namespace leura::cli
