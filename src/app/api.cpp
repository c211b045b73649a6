// SPDX-License-Identifier: Apache-2.0
#include "app/api.hpp"
#include "app/access_gate.hpp"
#include "app/audit.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/monitor_round.hpp"
#include "app/records.hpp"
#include "app/schedules.hpp"
#include "app/tokens.hpp"
#include "config/schedule_file.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <csignal>
#include <cstdio>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

namespace leura::app {

namespace {

int http_status_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::usage:
        return 400;
    case ErrorKind::config:
        return 422;
    case ErrorKind::not_found:
        return 404;
    case ErrorKind::permission:
    case ErrorKind::denied:
        return 403;
    case ErrorKind::locked:
        return 409;
    default:
        return 500;
    }
}

const char* title_for(int status) {
    static const std::map<int, const char*> titles = {{400, "Bad Request"},
                                                      {401, "Unauthorized"},
                                                      {403, "Forbidden"},
                                                      {404, "Not Found"},
                                                      {405, "Method Not Allowed"},
                                                      {409, "Conflict"},
                                                      {412, "Precondition Failed"},
                                                      {413, "Content Too Large"},
                                                      {415, "Unsupported Media Type"},
                                                      {422, "Unprocessable Content"},
                                                      {428, "Precondition Required"},
                                                      {500, "Internal Server Error"},
                                                      {503, "Service Unavailable"}};
    auto it = titles.find(status);
    return it == titles.end() ? "Error" : it->second;
}

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    size_t at = 1;
    while (at <= path.size()) {
        size_t slash = path.find('/', at);
        if (slash == path.npos) slash = path.size();
        out.push_back(path.substr(at, slash - at));
        at = slash + 1;
    }
    if (!out.empty() && out.back().empty()) out.pop_back(); // a trailing slash
    return out;
}

} // namespace

http::Response method_not_allowed(const std::string& allowed) {
    auto r = problem(405, "usage", to_int(ExitCode::usage), "use " + allowed);
    r.header("Allow", allowed);
    return r;
}

void Children::add(const std::string& run_id, pid_t pid) {
    std::lock_guard lock(m_mutex);
    // Reaped before it was added (it ended at once): nothing to wait for.
    if (m_reaped_unknown.erase(pid)) return;
    m_runs[pid] = run_id;
}

std::optional<pid_t> Children::pid_of(const std::string& run_id) const {
    std::lock_guard lock(m_mutex);
    for (const auto& [pid, id] : m_runs)
        if (id == run_id) return pid;
    return std::nullopt;
}

std::vector<pid_t> Children::pids() const {
    std::lock_guard lock(m_mutex);
    std::vector<pid_t> out;
    for (const auto& [pid, id] : m_runs)
        out.push_back(pid);
    return out;
}

size_t Children::size() const {
    std::lock_guard lock(m_mutex);
    return m_runs.size();
}

void Children::reap() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        std::lock_guard lock(m_mutex);
        if (!m_runs.erase(pid)) m_reaped_unknown.insert(pid);
    }
}

http::Response problem(int status, const std::string& code, int exit, const std::string& detail) {
    util::JsonObject o;
    o.add("type", "about:blank").add("title", title_for(status)).add("status", status);
    o.add("code", code).add("exit", exit).add("detail", detail);
    http::Response r;
    r.status = status;
    r.header("Content-Type", "application/problem+json");
    r.body = o.str();
    return r;
}

http::Response problem(const Error& error) {
    std::string detail = error.message;
    if (!error.pos.file.empty()) {
        std::string where = error.pos.file;
        if (error.pos.line > 0)
            where += ":" + std::to_string(error.pos.line) + ":" + std::to_string(error.pos.column);
        detail = where + ": " + detail;
    }
    return problem(http_status_for(error.kind), to_string(error.kind),
                   to_int(exit_code_for(error.kind)), detail);
}

http::Response problem(const config::Diagnostics& diags) {
    if (diags.empty()) return problem(500, "internal", 70, "a problem was found but not named");
    const auto& first = diags.items().front();
    auto res = problem(Error(ErrorKind::config, first.message, first.pos));
    res.body.pop_back();
    res.body += ",\"problems\":" + problems_json(diags) + "}";
    return res;
}

std::string problems_json(const config::Diagnostics& diags) {
    std::vector<std::string> items;
    for (const auto& d : diags.items()) {
        util::JsonObject p;
        p.add("file", d.pos.file).add("line", int64_t(d.pos.line));
        p.add("column", int64_t(d.pos.column)).add("message", d.message);
        items.push_back(p.str());
    }
    return util::json_array(items);
}

http::Response bad_request(const std::string& detail, int status) {
    return problem(status, status == 422 ? "config" : "usage", to_int(ExitCode::usage), detail);
}

std::expected<int64_t, http::Response> page_limit(const http::Request& r, int64_t fallback) {
    constexpr int64_t k_max_page = 1000;
    auto v = r.param("limit");
    if (!v) return fallback;
    char* end = nullptr;
    const int64_t limit = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end || limit < 1 || limit > k_max_page)
        return std::unexpected(
            bad_request("limit must be a number from 1 to " + std::to_string(k_max_page)));
    return limit;
}

http::Response json_response(std::string body, int status) {
    http::Response r;
    r.status = status;
    r.header("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

Context Api::context_for(const http::Peer& peer) const {
    Context ctx;
    ctx.data_dir = m_base.data_dir;
    ctx.settings = m_base.settings;
    ctx.service = m_base.service;
    IdentityInputs who;
    who.real_uid = m_base.server_uid;
    who.peer_uid = peer.uid;
    if (ctx.service) who.service_uid = ctx.service->uid;
    ctx.identity = identify(who, passwd_name);
    ctx.stop = {[] { return 0; }, -1};
    ctx.clock = [] { return std::chrono::system_clock::now(); };
    return ctx;
}

http::Response Api::handle(const http::Request& r, const http::Peer& peer) {
    const auto seg = segments(r.path);
    const bool get = r.method == "GET";
    // Health answers anyone who can reach a listener: it says nothing of the records.
    if (seg.size() == 1 && (seg[0] == "healthz" || seg[0] == "readyz")) {
        if (!get) return method_not_allowed("GET");
        if (seg[0] == "healthz") return json_response("{\"status\":\"ok\"}");
        Context ctx = context_for(peer);
        auto records = ctx.records();
        if (!records) return problem(503, "io", 70, "the records cannot be opened");
        return json_response("{\"status\":\"ready\"}");
    }
    // The dashboard's files: no data in them, so no credentials needed to load the page.
    if (auto file = dashboard_file(r.path); file && seg.size() <= 1) {
        if (!get) return method_not_allowed("GET");
        http::Response res;
        res.header("Content-Type", file->content_type);
        res.header("Content-Security-Policy",
                   "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Cache-Control", "no-cache");
        res.body = std::string(file->body);
        return res;
    }
    Context ctx = context_for(peer);
    if (seg.size() == 2 && seg[0] == "v1" && seg[1] == "session") return session(ctx, r, peer.tls);
    // A bearer token, on either listener, acts as its creator within its scopes; the
    // dashboard's session cookie holds one too. Without either only the socket's peer is known.
    Token token;
    std::string cookie_token;
    if (const std::string* cookie = r.header("cookie"); cookie && !r.header("authorization")) {
        const std::string key = "leura_session=";
        if (size_t at = cookie->find(key); at != cookie->npos) {
            cookie_token = cookie->substr(at + key.size());
            cookie_token = cookie_token.substr(0, cookie_token.find(';'));
        }
        // A cookie rides along with any request the browser makes: a change needs a request
        // only a script of the page's own origin can send.
        const std::string* type = r.header("content-type");
        if (!cookie_token.empty() && !get && (!type || !type->starts_with("application/json")))
            return problem(403, "denied", to_int(ExitCode::refused),
                           "a change made with the session cookie must be sent as "
                           "application/json");
    }
    const std::string bearer = [&]() -> std::string {
        if (const std::string* auth = r.header("authorization")) return *auth;
        return cookie_token.empty() ? "" : "Bearer " + cookie_token;
    }();
    if (!bearer.empty()) {
        const std::string* auth = &bearer;
        auto unauthorized = [](const std::string& detail) {
            auto res = problem(401, "denied", to_int(ExitCode::refused), detail);
            res.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return res;
        };
        if (!auth->starts_with("Bearer "))
            return unauthorized("the Authorization header must be 'Bearer TOKEN'");
        auto found = authenticate_token(ctx, auth->substr(7));
        if (!found) return unauthorized(found.error().message);
        auto who = token_principal(*found);
        if (!who) return unauthorized(who.error().message);
        ctx.identity = *who;
        token = *found;
    } else if (!peer.uid) {
        auto res = problem(401, "denied", to_int(ExitCode::refused),
                           "credentials required: Authorization: Bearer TOKEN (leura token "
                           "create), or the Unix socket");
        res.header("WWW-Authenticate", "Bearer");
        return res;
    }
    // Without an access policy the records and keys are the server's user's alone: anyone
    // else (but root) is refused, as they could not read the files either.
    if (access_state(ctx).mode == access::PolicyState::Mode::off && ctx.identity.uid != 0 &&
        ctx.identity.uid != m_base.server_uid)
        return problem(403, "denied", to_int(ExitCode::refused),
                       "user " + ctx.identity.name +
                           " may not use this server: it serves its own user only (no access "
                           "policy is set; docs/access.md)");
    http::Response res = route(ctx, r, token);
    // Every use of a token is in the audit log, under the token's id.
    if (token) {
        store::AuditEntry e;
        e.action = get ? "view" : "run";
        e.resource = "api:" + r.method + " " + r.path;
        e.decision = res.status == 401 || res.status == 403 ? "deny" : "allow";
        e.detail = "HTTP " + std::to_string(res.status);
        (void)audit(ctx, e);
    }
    return res;
}

http::Response Api::route(Context& ctx, const http::Request& r, const Token& token) {
    const auto seg = segments(r.path);
    const bool get = r.method == "GET";
    auto scope = [&](const std::string& action) {
        return !token || token_scope_allows(*token, action, "");
    };
    auto out_of_scope = [&](const std::string& action) {
        return problem(403, "denied", to_int(ExitCode::refused),
                       "token " + token->id + " does not allow '" + action + "'");
    };
    if (seg.size() == 1 && seg[0] == "metrics") {
        if (!get) return method_not_allowed("GET");
        if (!scope("view")) return out_of_scope("view");
        return metrics(ctx);
    }
    if (seg.empty() || seg[0] != "v1")
        return problem(404, "not_found", to_int(ExitCode::usage), "no such endpoint: " + r.path);
    if (seg.size() == 2 && seg[1] == "openapi.json") {
        if (!get) return method_not_allowed("GET");
        return json_response(std::string(openapi_document()));
    }
    if (seg.size() >= 2 && seg[1] == "tasks") {
        if (seg.size() == 2) {
            if (!get) return method_not_allowed("GET");
            return scope("view") ? tasks_list(ctx, token) : out_of_scope("view");
        }
        // A library name may have folders: the rest of the path is the name.
        std::string name = r.path.substr(std::string("/v1/tasks/").size());
        if (name.ends_with(":validate")) {
            if (r.method != "POST") return method_not_allowed("POST");
            name.resize(name.size() - std::string(":validate").size());
            return scope("view") ? task_validate(ctx, name, r, token) : out_of_scope("view");
        }
        if (get) return scope("view") ? task_get(ctx, name, r, token) : out_of_scope("view");
        if (r.method == "PUT")
            return scope("edit") ? task_put(ctx, name, r, token) : out_of_scope("edit");
        if (r.method == "DELETE")
            return scope("edit") ? task_delete(ctx, name, r, token) : out_of_scope("edit");
        return method_not_allowed("GET, PUT, DELETE");
    }
    if (seg.size() >= 2 && seg[1] == "inventories" &&
        (seg.size() == 2 || (seg.size() == 4 && seg[3] == "hosts"))) {
        if (!get) return method_not_allowed("GET");
        if (!scope("view")) return out_of_scope("view");
        return seg.size() == 2 ? inventories_list(ctx) : inventory_hosts(ctx, seg[2], r);
    }
    if (seg.size() == 2 && seg[1] == "exec") {
        if (r.method != "POST") return method_not_allowed("POST");
        return exec_start(ctx, r, token);
    }
    if (seg.size() == 2 && seg[1] == "plan") {
        if (r.method != "POST") return method_not_allowed("POST");
        return scope("view") ? plan(ctx, r, token) : out_of_scope("view");
    }
    if (seg.size() == 2 && seg[1] == "audit") {
        if (!get) return method_not_allowed("GET");
        return scope("admin") ? audit_list(ctx, r) : out_of_scope("admin");
    }
    if (seg.size() == 3 && seg[1] == "access" && seg[2] == "check") {
        if (!get) return method_not_allowed("GET");
        return scope("view") ? access_check(ctx, r) : out_of_scope("view");
    }
    if (seg.size() >= 2 && seg[1] == "monitors") return monitor_route(ctx, r, seg, token);
    if (seg.size() == 2 && seg[1] == "schedules") {
        if (!get) return method_not_allowed("GET");
        return scope("view") ? schedules(ctx) : out_of_scope("view");
    }
    if (seg.size() == 2 && seg[1] == "events") {
        if (!get) return method_not_allowed("GET");
        return scope("view") ? all_events(ctx, r, token) : out_of_scope("view");
    }
    if (seg.size() >= 2 && seg[1] == "runs") {
        if (seg.size() == 2) {
            if (get) return scope("view") ? runs_list(ctx, r, token) : out_of_scope("view");
            if (r.method == "POST") return run_start(ctx, r, token);
            return method_not_allowed("GET, POST");
        }
        const std::string& id = seg[2];
        if (seg.size() == 3) {
            if (const size_t colon = id.rfind(':'); colon != id.npos) {
                const std::string action = id.substr(colon + 1);
                if (action != "cancel" && action != "retry" && action != "resume")
                    return problem(404, "not_found", to_int(ExitCode::usage),
                                   "no action '" + action +
                                       "' on a run (there are :cancel, :retry, :resume)");
                if (r.method != "POST") return method_not_allowed("POST");
                if (action == "cancel") return run_cancel(ctx, id.substr(0, colon), token);
                return run_again(ctx, id.substr(0, colon), action, r, token);
            }
            if (!get) return method_not_allowed("GET");
            return run_get(ctx, id, token);
        }
        if (seg.size() == 4 && seg[3] == "events") {
            if (!get) return method_not_allowed("GET");
            return run_events(ctx, r, id, token);
        }
        if (seg.size() == 8 && seg[3] == "hosts" && seg[5] == "steps" && seg[7] == "output") {
            if (!get) return method_not_allowed("GET");
            return step_output(ctx, id, seg[4], seg[6], r, token);
        }
    }
    return problem(404, "not_found", to_int(ExitCode::usage), "no such endpoint: " + r.path);
}

// Every schedule in the schedules file, as `leura schedule list --json` shows it; a file that
// does not parse is a problem naming its file:line:col.
http::Response Api::schedules(Context& ctx) {
    config::Diagnostics diags;
    auto defs = config::load_schedules(schedules_path(ctx), diags);
    if (!defs) {
        if (diags.empty()) return problem(500, "internal", 70, "the schedules file did not load");
        const auto& d = diags.items().front();
        return problem(Error(ErrorKind::config, d.message, d.pos));
    }
    auto records = ctx.records();
    if (!records) return problem(records.error());
    const int64_t now = util::unix_seconds(ctx.clock());
    std::vector<std::string> items;
    for (const auto& def : *defs) {
        auto compiled = compile_schedule(ctx, def);
        items.push_back(schedule_json(def, compiled ? &*compiled : nullptr,
                                      compiled ? "" : compiled.error().message, *records, now));
    }
    return json_response(util::JsonObject().add_raw("schedules", util::json_array(items)).str());
}

// The dashboard's sign-in: a token (from the page's address fragment or its form) for an
// HttpOnly, SameSite=Strict cookie that holds it, so that the page's script never keeps it.
// Over TLS the cookie is Secure too: a browser never sends it back in clear text.
http::Response Api::session(Context& ctx, const http::Request& r, bool tls) {
    const std::string attributes =
        std::string("; Path=/; HttpOnly; SameSite=Strict") + (tls ? "; Secure" : "");
    if (r.method == "DELETE") {
        http::Response res;
        res.status = 204;
        res.header("Set-Cookie", "leura_session=" + attributes + "; Max-Age=0");
        return res;
    }
    if (r.method != "POST") return method_not_allowed("POST, DELETE");
    auto doc = util::parse_json(r.body);
    const util::JsonValue* t = doc ? doc->get("token") : nullptr;
    if (!t || !t->is(util::JsonValue::Type::string))
        return problem(400, "usage", to_int(ExitCode::usage),
                       "the body must be {\"token\": \"...\"}");
    auto found = authenticate_token(ctx, t->text);
    if (!found) return problem(401, "denied", to_int(ExitCode::refused), found.error().message);
    auto who = token_principal(*found);
    if (!who) return problem(401, "denied", to_int(ExitCode::refused), who.error().message);
    const auto expires = util::parse_rfc3339(found->expires_at);
    const auto left = expires ? std::chrono::duration_cast<std::chrono::seconds>(
                                    *expires - std::chrono::system_clock::now())
                                    .count()
                              : 0;
    auto res = json_response(util::JsonObject()
                                 .add("token", found->id)
                                 .add("user", who->name)
                                 .add("expires_at", found->expires_at)
                                 .str());
    res.header("Set-Cookie", "leura_session=" + t->text + attributes +
                                 "; Max-Age=" + std::to_string(std::max<int64_t>(left, 0)));
    return res;
}

http::Response Api::metrics(Context& ctx) {
    auto records = ctx.records();
    if (!records) return problem(records.error());
    auto counts = (*records)->record_counts();
    if (!counts) return problem(counts.error());
    auto by_status = [](std::string& out, const char* name, const char* help,
                        const std::map<std::string, int64_t>& n) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
        for (const auto& [status, count] : n)
            out +=
                std::string(name) + "{status=\"" + status + "\"} " + std::to_string(count) + "\n";
    };
    std::string out;
    by_status(out, "leura_runs", "Runs recorded, by status.", counts->runs_by_status);
    by_status(out, "leura_hosts", "Hosts of the recorded runs, by status.",
              counts->hosts_by_status);
    out += "# HELP leura_run_duration_seconds How long the recorded runs that finished took.\n"
           "# TYPE leura_run_duration_seconds histogram\n";
    for (size_t i = 0; i < counts->finished_at_most.size(); ++i)
        out += "leura_run_duration_seconds_bucket{le=\"" +
               std::to_string(store::k_duration_bounds_s[i]) + "\"} " +
               std::to_string(counts->finished_at_most[i]) + "\n";
    out += "leura_run_duration_seconds_bucket{le=\"+Inf\"} " +
           std::to_string(counts->finished_runs) + "\n";
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.3f", double(counts->finished_ms) / 1000.0);
    out += "leura_run_duration_seconds_sum " + std::string(sum) + "\n";
    out += "leura_run_duration_seconds_count " + std::to_string(counts->finished_runs) + "\n";
    out += "# HELP leura_runs_queued Runs started for someone whose process has not taken them "
           "up yet.\n# TYPE leura_runs_queued gauge\nleura_runs_queued " +
           std::to_string(counts->queued) + "\n";
    out += "# HELP leura_serve_children Runs this server started that are still running.\n"
           "# TYPE leura_serve_children gauge\nleura_serve_children " +
           std::to_string(m_children.size()) + "\n";
    out += "# HELP leura_serve_connections Open connections to this server.\n"
           "# TYPE leura_serve_connections gauge\nleura_serve_connections " +
           std::to_string(connections ? connections() : 0) + "\n";
    http::Response r;
    r.header("Content-Type", "text/plain; version=0.0.4");
    r.body = std::move(out);
    return r;
}

} // namespace leura::app
