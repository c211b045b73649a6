// SPDX-License-Identifier: Apache-2.0
// The task library over the API: list, read (ETag), write (If-Match), delete and validate, with
// the same checks, history and audit entries as `leura task` (app/task_write.hpp).
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/audit.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/task_versions.hpp"
#include "app/task_write.hpp"
#include "app/tokens.hpp"
#include "util/json.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"

#include <filesystem>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

std::string etag_of(const std::string& text) {
    return "\"" + util::sha256_hex(text) + "\"";
}

// The policy's and the token's word on `action` of task `name`; nullopt: allowed.
std::optional<http::Response> refused(Context& ctx, const std::string& action,
                                      const std::string& name,
                                      const std::optional<store::TokenRecord>& token) {
    AccessRequest ask;
    ask.action = action;
    ask.task = name;
    if (auto ok = authorize(ctx, ask, false); !ok) return problem(ok.error());
    if (token && !token_scope_allows(*token, action, name))
        return problem(403, "denied", to_int(ExitCode::refused),
                       "token " + token->id + " does not allow '" + action + "' on task " + name);
    return std::nullopt;
}

// 412 naming what the condition was against.
http::Response precondition_failed(const std::string& detail) {
    return problem(412, "precondition", to_int(ExitCode::usage), detail);
}

// 412 for an If-Match that names an older version.
http::Response changed(const std::string& name, const std::string& text, const std::string& given) {
    return precondition_failed("task '" + name + "' changed: its ETag is now " + etag_of(text) +
                               ", not " + given);
}

} // namespace

// The task library as `leura task list --json` shows it: the tasks the caller may view.
http::Response Api::tasks_list(Context& ctx, const Token& token) {
    auto records = ctx.records();
    if (!records) return problem(records.error());
    auto newest = (*records)->last_runs();
    std::vector<std::string> items;
    for (const auto& t : library_tasks(library_root(ctx.settings))) {
        if (!access_allows(ctx, "view", t.name)) continue;
        if (token && !token_scope_allows(*token, "view", t.name)) continue;
        config::Diagnostics diags;
        auto task = config::load_task(t.file, diags);
        const store::RunRecord* last = nullptr;
        if (newest)
            if (auto it =
                    newest->find(std::filesystem::absolute(t.file).lexically_normal().string());
                it != newest->end())
                last = &it->second;
        items.push_back(library_task_json(t, task ? &*task : nullptr, last));
    }
    return json_response(util::JsonObject().add_raw("tasks", util::json_array(items)).str());
}

// A library task's text, with its SHA-256 as the ETag (If-None-Match answers 304).
http::Response Api::task_get(Context& ctx, const std::string& name, const http::Request& r,
                             const Token& token) {
    auto file = library_file(library_root(ctx.settings), name);
    if (!file) return problem(file.error());
    if (auto no = refused(ctx, "view", name, token)) return *no;
    std::string found;
    if (auto there = resolve_task(library_root(ctx.settings), name, found); !there)
        return problem(there.error());
    auto text = util::read_file(*file);
    if (!text) return problem(text.error());
    const std::string etag = etag_of(*text);
    if (const std::string* match = r.header("if-none-match"); match && *match == etag) {
        http::Response res;
        res.status = 304;
        res.header("ETag", etag);
        return res;
    }
    http::Response res;
    res.header("Content-Type", "application/toml; charset=utf-8");
    res.header("ETag", etag);
    res.body = std::move(*text);
    return res;
}

// PUT: the body is the task's TOML. A task that exists is replaced only under If-Match with
// its current ETag (or `*`): 428 without one, 412 when it changed meanwhile. A new task is
// created; If-None-Match: * makes that the condition (412 when it exists). A text with
// problems is never installed: 422 with each at file:line:col. As `leura task edit` does, the
// version goes into the task's history and the change into the audit log.
http::Response Api::task_put(Context& ctx, const std::string& name, const http::Request& r,
                             const Token& token) {
    auto file = library_file(library_root(ctx.settings), name);
    if (!file) return problem(file.error());
    if (auto no = refused(ctx, "edit", name, token)) return *no;
    std::lock_guard lock(m_task_mutex);
    std::error_code ec;
    const bool exists = fs::is_regular_file(*file, ec);
    std::string before;
    if (exists) {
        auto text = util::read_file(*file);
        if (!text) return problem(text.error());
        before = std::move(*text);
    }
    const std::string* if_match = r.header("if-match");
    const std::string* if_none = r.header("if-none-match");
    if (if_none && *if_none == "*" && exists)
        return precondition_failed("task '" + name + "' exists (If-None-Match: *)");
    if (exists && !if_match)
        return problem(428, "usage", to_int(ExitCode::usage),
                       "task '" + name + "' exists: replacing it takes If-Match with its ETag " +
                           etag_of(before) + " (from GET /v1/tasks/" + name + ")");
    if (if_match && !exists)
        return precondition_failed("task '" + name + "' does not exist (If-Match)");
    if (if_match && *if_match != "*" && *if_match != etag_of(before))
        return changed(name, before, *if_match);
    auto diags = validate_task_text(*file, r.body);
    if (!diags.empty()) return problem(diags);
    if (auto st = install_task_text(*file, r.body, !exists); !st) {
        if (st.error().kind == ErrorKind::usage) return precondition_failed(st.error().message);
        return problem(st.error());
    }
    // The change is made: a history or audit entry that fails is said in the answer.
    std::vector<std::string> warnings;
    auto source = exists ? VersionSource::edited : VersionSource::created;
    if (auto saved = save_task_version(ctx, name, *file, r.body, source); !saved)
        warnings.push_back("this version is not in the task's history: " + saved.error().message);
    std::string detail =
        exists ? "sha256 " + util::sha256_hex(before) + " -> " + util::sha256_hex(r.body)
               : "sha256 " + util::sha256_hex(r.body);
    if (auto st = audit_change(ctx, exists ? "task edit" : "task new", "task:" + name, detail); !st)
        warnings.push_back("the change was not recorded in the audit log: " + st.error().message);
    const std::string etag = etag_of(r.body);
    auto res = json_response(util::JsonObject()
                                 .add("name", name)
                                 .add("created", !exists)
                                 .add("sha256", util::sha256_hex(r.body))
                                 .add("warnings", warnings)
                                 .str(),
                             exists ? 200 : 201);
    res.header("ETag", etag);
    if (!exists) res.header("Location", "/v1/tasks/" + name);
    return res;
}

// DELETE: as `leura task rm`; If-Match, when given, must name its current ETag. The runs'
// records stay.
http::Response Api::task_delete(Context& ctx, const std::string& name, const http::Request& r,
                                const Token& token) {
    auto file = library_file(library_root(ctx.settings), name);
    if (!file) return problem(file.error());
    if (auto no = refused(ctx, "edit", name, token)) return *no;
    std::lock_guard lock(m_task_mutex);
    std::string found;
    if (auto there = resolve_task(library_root(ctx.settings), name, found); !there)
        return problem(there.error());
    auto text = util::read_file(*file);
    if (!text) return problem(text.error());
    if (const std::string* m = r.header("if-match"); m && *m != "*" && *m != etag_of(*text))
        return changed(name, *text, *m);
    std::error_code ec;
    if (!fs::remove(*file, ec))
        return problem(Error(ErrorKind::io, "cannot remove " + file->string() + ": " +
                                                (ec ? ec.message() : "it is gone")));
    (void)audit_change(ctx, "task rm", "task:" + name, "sha256 " + util::sha256_hex(*text));
    http::Response res;
    res.status = 204;
    return res;
}

// POST NAME:validate: the body checked as that task would be (its relative paths from the
// task's folder), nothing kept: {"valid": bool, "problems": [...]}.
http::Response Api::task_validate(Context& ctx, const std::string& name, const http::Request& r,
                                  const Token& token) {
    auto file = library_file(library_root(ctx.settings), name);
    if (!file) return problem(file.error());
    if (auto no = refused(ctx, "view", name, token)) return *no;
    auto diags = validate_task_text(*file, r.body);
    return json_response(util::JsonObject()
                             .add("name", name)
                             .add("valid", diags.empty())
                             .add_raw("problems", problems_json(diags))
                             .str());
}

} // namespace leura::app
