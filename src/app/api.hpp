// SPDX-License-Identifier: Apache-2.0
#pragma once

// The REST API of `leura serve` (docs/openapi.json), over the same records and functions the
// commands use: every request gets a context of its own with the caller as its identity (a
// socket's peer, app/identity.hpp), and the access policy decides as it does for the command
// line. Runs are started as child processes (`leura run --json`) through the Launcher, with
// the caller as their principal by a pending-run claim (app/pending_run.hpp); a run's --json
// events are kept in <data>/events/RUN.jsonl, which the event stream reads.
//
// Errors are RFC 9457 problems: {"type","title","status","code","exit","detail"} where `code`
// is the error kind and `exit` what the command line would exit with for the same failure.

#include "app/context.hpp"
#include "app/event_watch.hpp"
#include "app/schedule_tick.hpp"
#include "config/monitor_file.hpp"
#include "http/message.hpp"

#include <atomic>
#include <expected>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

namespace leura::app {

// The runs this server started and still waits for, by run id.
class Children {
public:
    void add(const std::string& run_id, pid_t pid);
    std::optional<pid_t> pid_of(const std::string& run_id) const;
    std::vector<pid_t> pids() const;
    size_t size() const;
    // Collects the children that ended (never blocks).
    void reap();

private:
    mutable std::mutex m_mutex;
    std::map<pid_t, std::string> m_runs;
    std::set<pid_t> m_reaped_unknown;
};

// What every request's context starts from: the server's own settings and data.
struct ApiBase {
    std::filesystem::path data_dir;
    config::Settings settings;
    std::optional<ServiceAccount> service;
    uid_t server_uid = 0;
};

class Api {
public:
    Api(ApiBase base, Launcher& launcher, Children& children)
        : m_base(std::move(base)), m_launcher(launcher), m_children(children),
          m_watch(m_base.data_dir / "events") {}

    http::Response handle(const http::Request& request, const http::Peer& peer);

    // Event streams check this between polls: set when the server stops.
    std::atomic<bool> stopping{false};
    // For /metrics: the listeners' open connections.
    std::function<int()> connections;

private:
    // The token a request came with, if any: its scopes narrow what the caller may do.
    using Token = std::optional<store::TokenRecord>;

    Context context_for(const http::Peer& peer) const;
    http::Response route(Context& ctx, const http::Request& r, const Token& token);
    http::Response runs_list(Context& ctx, const http::Request& r, const Token& token);
    http::Response run_get(Context& ctx, const std::string& id, const Token& token);
    http::Response run_start(Context& ctx, const http::Request& r, const Token& token);
    http::Response run_cancel(Context& ctx, const std::string& id, const Token& token);
    http::Response exec_start(Context& ctx, const http::Request& r, const Token& token);
    http::Response run_again(Context& ctx, const std::string& id, const std::string& action,
                             const http::Request& r, const Token& token);
    // Starts `leura ARGS --json` as the caller; 202 once its run is recorded.
    http::Response launch(Context& ctx, std::vector<std::string> args, const Token& token);
    http::Response run_events(Context& ctx, const http::Request& r, const std::string& id,
                              const Token& token);
    http::Response all_events(Context& ctx, const http::Request& r, const Token& token);
    http::Response schedules(Context& ctx);
    http::Response monitor_route(Context& ctx, const http::Request& r,
                                 const std::vector<std::string>& seg, const Token& token);
    http::Response monitors(Context& ctx);
    http::Response monitor_host(Context& ctx, const config::MonitorDef& m, const std::string& host,
                                const http::Request& r);
    http::Response monitor_ack(Context& ctx, const config::MonitorDef& m, const std::string& host,
                               const http::Request& r);
    http::Response monitor_alerts(Context& ctx, const config::MonitorDef& m,
                                  const http::Request& r);
    http::Response tasks_list(Context& ctx, const Token& token);
    http::Response task_get(Context& ctx, const std::string& name, const http::Request& r,
                            const Token& token);
    http::Response task_put(Context& ctx, const std::string& name, const http::Request& r,
                            const Token& token);
    http::Response task_delete(Context& ctx, const std::string& name, const http::Request& r,
                               const Token& token);
    http::Response task_validate(Context& ctx, const std::string& name, const http::Request& r,
                                 const Token& token);
    http::Response inventories_list(Context& ctx);
    http::Response inventory_hosts(Context& ctx, const std::string& name, const http::Request& r);
    http::Response step_output(Context& ctx, const std::string& id, const std::string& host,
                               const std::string& step, const http::Request& r, const Token& token);
    http::Response session(Context& ctx, const http::Request& r, bool tls);
    http::Response plan(Context& ctx, const http::Request& r, const Token& token);
    http::Response metrics(Context& ctx);
    http::Response audit_list(Context& ctx, const http::Request& r);
    http::Response access_check(Context& ctx, const http::Request& r);

    ApiBase m_base;
    Launcher& m_launcher;
    Children& m_children;
    EventWatch m_watch; // what the event streams wait on
    // One task write at a time: an If-Match is checked and acted on as one step.
    std::mutex m_task_mutex;
};

// A problem response (RFC 9457) for `error`, as the command line would report it.
http::Response problem(const Error& error);
// The same with the HTTP status and code given.
http::Response problem(int status, const std::string& code, int exit, const std::string& detail);
// What POST /v1/runs (and /v1/plan, which takes no vars) names.
struct RunBody {
    std::string task, inventory, targets;
    bool replace_targets = false;
    std::vector<std::pair<std::string, std::string>> vars;
};
// The body's fields checked; else the 400 or 422 that says what is wrong.
std::expected<RunBody, http::Response> parse_run_body(const std::string& text, bool with_vars);

// A 422 for `diags`: the first problem as the detail, all of them under `problems`.
http::Response problem(const config::Diagnostics& diags);
// Problems at file:line:col as a JSON array of {"file","line","column","message"}.
std::string problems_json(const config::Diagnostics& diags);
// A 400 (code usage) or, with status 422, a 422 (code config) saying `detail`; exit 2 either way.
http::Response bad_request(const std::string& detail, int status = 400);
// ?limit=N of a listing: 1 to 1000, `fallback` when absent; else the 400 saying so.
std::expected<int64_t, http::Response> page_limit(const http::Request& r, int64_t fallback);
// 405 naming the methods `allowed`, in an Allow header too.
http::Response method_not_allowed(const std::string& allowed);
// 200 (or `status`) with a JSON body.
http::Response json_response(std::string body, int status = 200);

// The OpenAPI document (docs/openapi.json), compiled in.
std::string_view openapi_document();

// The dashboard's files (src/app/dashboard/), compiled in: "/" (index.html), "/app.js",
// "/style.css". They hold no data: the page reads everything through the API.
struct StaticFile {
    const char* content_type;
    std::string_view body;
};
std::optional<StaticFile> dashboard_file(std::string_view path);

} // namespace leura::app
