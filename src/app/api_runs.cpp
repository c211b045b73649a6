// SPDX-License-Identifier: Apache-2.0
// /v1/runs: list, one run, start one, cancel one, and a run's events as Server-Sent Events.
#include "app/access_gate.hpp"
#include "app/api.hpp"
#include "app/exit_code.hpp"
#include "app/library.hpp"
#include "app/pending_run.hpp"
#include "app/records.hpp"
#include "app/recovery.hpp"
#include "app/run_json.hpp"
#include "app/tokens.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/paths.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <expected>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <thread>

namespace leura::app {

namespace fs = std::filesystem;
using util::JsonValue;

namespace {

constexpr auto k_keepalive = std::chrono::seconds(15);
constexpr auto k_start_wait = std::chrono::seconds(10);

fs::path events_file(const fs::path& data, const std::string& run_id) {
    return data / "events" / (run_id + ".jsonl");
}

// An argument that goes to `leura run` as one word: never one its parser could take for a flag.
bool plain_argument(const std::string& s) {
    return !s.empty() && s[0] != '-' && s.find('\0') == s.npos;
}

bool variable_name(const std::string& s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

// The number at the end of an event line: `..."seq":N}`.
int64_t seq_of(const std::string& line) {
    const size_t at = line.rfind("\"seq\":");
    if (at == line.npos) return 0;
    return std::strtoll(line.c_str() + at + 6, nullptr, 10);
}

bool ends_stream(const std::string& line) {
    return line.starts_with("{\"event\":\"run_finished\"") ||
           line.starts_with("{\"event\":\"error\"");
}

// The `error` event a run that could not start printed, as a problem.
http::Response problem_from_error_event(const std::string& line) {
    auto doc = util::parse_json(line);
    if (!doc) return problem(500, "internal", 70, "the run failed to start");
    auto text = [&](const char* k) {
        const JsonValue* v = doc->get(k);
        return v && v->is(JsonValue::Type::string) ? v->text : std::string();
    };
    const JsonValue* exit = doc->get("exit");
    const std::string kind = text("kind");
    int status = 500;
    if (kind == "usage" || kind == "config" || kind == "not_found") status = 422;
    if (kind == "denied" || kind == "permission") status = 403;
    if (kind == "locked") status = 409;
    std::string detail = text("message");
    const JsonValue* problems = doc->get("problems");
    // The first problem where it is (file:line:col), as the command line prints it; all of
    // them under `problems`.
    if (problems && !problems->items.empty()) {
        const JsonValue& first = problems->items[0];
        auto part = [&](const char* k) {
            const JsonValue* v = first.get(k);
            return v && !v->is(JsonValue::Type::null) ? v->text : std::string();
        };
        std::string where = part("file");
        if (!where.empty()) where += ":" + part("line") + ":" + part("column") + ": ";
        detail = where + part("message") + " (" + detail + ")";
    }
    auto r = problem(status, kind.empty() ? "internal" : kind,
                     exit ? std::atoi(exit->text.c_str()) : 70, detail);
    if (problems && !problems->items.empty()) {
        r.body.pop_back();
        r.body += ",\"problems\":" + util::to_json(*problems) + "}";
    }
    return r;
}

http::Response out_of_scope(const store::TokenRecord& token, const std::string& action,
                            const std::string& task) {
    return problem(403, "denied", to_int(ExitCode::refused),
                   "token " + token.id + " does not allow '" + action + "' on task " + task);
}

} // namespace

std::expected<RunBody, http::Response> parse_run_body(const std::string& text, bool with_vars) {
    auto doc = util::parse_json(text);
    if (!doc)
        return std::unexpected(bad_request("the body is not JSON (at byte " +
                                           std::to_string(doc.error().offset) +
                                           "): " + doc.error().message));
    if (!doc->is(JsonValue::Type::object))
        return std::unexpected(bad_request("the body must be a JSON object"));
    RunBody b;
    for (const auto& m : doc->members) {
        const JsonValue& v = m.value;
        if (m.name == "task" || m.name == "inventory" || m.name == "targets") {
            if (!v.is(JsonValue::Type::string) || !plain_argument(v.text))
                return std::unexpected(
                    bad_request(m.name + " must be a non-empty string not starting with '-'", 422));
            (m.name == "task" ? b.task : m.name == "inventory" ? b.inventory : b.targets) = v.text;
        } else if (m.name == "replace_targets") {
            if (!v.is(JsonValue::Type::boolean))
                return std::unexpected(bad_request("replace_targets must be true or false", 422));
            b.replace_targets = v.boolean;
        } else if (m.name == "vars" && with_vars) {
            if (!v.is(JsonValue::Type::object))
                return std::unexpected(bad_request("vars must be an object of strings", 422));
            for (const auto& var : v.members) {
                if (!variable_name(var.name))
                    return std::unexpected(
                        bad_request("vars: '" + var.name + "' is not a variable name", 422));
                if (!var.value.is(JsonValue::Type::string))
                    return std::unexpected(
                        bad_request("vars." + var.name + " must be a string", 422));
                b.vars.emplace_back(var.name, var.value.text);
            }
        } else {
            return std::unexpected(bad_request(
                "unknown field '" + m.name + "' (known: task, inventory, targets, replace_targets" +
                    (with_vars ? ", vars)" : ")"),
                422));
        }
    }
    if (b.task.empty())
        return std::unexpected(
            bad_request("task is required: a library task's name or a file's path", 422));
    // Runs start from "/": a relative path would mean something else there. A library name
    // (web/restart) is no path.
    if (is_task_path(b.task) && b.task[0] != '/')
        return std::unexpected(bad_request(
            "task '" + b.task + "': give a library task's name or an absolute path", 422));
    if (b.inventory.find('/') != b.inventory.npos && b.inventory[0] != '/')
        return std::unexpected(bad_request(
            "inventory '" + b.inventory + "': give an inventory's name or an absolute path", 422));
    return b;
}

http::Response Api::runs_list(Context& ctx, const http::Request& r, const Token& token) {
    store::RunFilter filter;
    auto page = page_limit(r, 20);
    if (!page) return page.error();
    const int64_t limit = *page;
    for (const char* key : {"task", "status", "user", "tag"})
        if (auto v = r.param(key)) {
            std::string_view k = key;
            (k == "task"     ? filter.task
             : k == "status" ? filter.status
             : k == "user"   ? filter.user
                             : filter.tag) = *v;
        }
    auto records = ctx.records();
    if (!records) return problem(records.error());
    if (auto cursor = r.param("cursor")) {
        auto run = (*records)->run(*cursor);
        if (!run)
            return bad_request("cursor '" + *cursor +
                               "' names no recorded run (start from the first page)");
        filter.after = std::make_pair(run->started_at, run->id);
    }
    // Runs the caller may not see (the policy, a token's tasks) are left out, so the limit
    // counts the runs they see.
    const bool everything = access_state(ctx).mode == access::PolicyState::Mode::off && !token;
    filter.limit = limit;
    if (!everything)
        filter.keep = [&](const store::RunRecord& run) {
            return may_see(ctx, run) &&
                   (!token || token_scope_allows(*token, "view", task_name_of(run)));
        };
    auto runs = (*records)->runs(filter);
    if (!runs) return problem(runs.error());
    std::vector<std::string> items;
    for (const auto& run : *runs)
        items.push_back(run_summary(run));
    util::JsonObject o;
    o.add_raw("runs", util::json_array(items));
    if (int64_t(runs->size()) == limit)
        o.add("next_cursor", runs->back().id);
    else
        o.add_null("next_cursor");
    return json_response(o.str());
}

http::Response Api::run_get(Context& ctx, const std::string& id, const Token& token) {
    auto view = load_run(ctx, id, true);
    if (!view) return problem(view.error());
    if (token && !token_scope_allows(*token, "view", task_name_of(view->run)))
        return out_of_scope(*token, "view", task_name_of(view->run));
    add_live_progress(ctx.data_dir, *view);
    return json_response(run_view_document(ctx, *view));
}

http::Response Api::run_start(Context& ctx, const http::Request& r, const Token& token) {
    auto body = parse_run_body(r.body, true);
    if (!body) return body.error();
    const auto& [task, inventory, targets, replace_targets, vars] = *body;

    if (token && !token_scope_allows(*token, "run", task)) return out_of_scope(*token, "run", task);
    AccessRequest ask;
    ask.action = "run";
    ask.task = task;
    ask.inventory =
        inventory_name_of(inventory.empty() ? ctx.settings.text("inventory") : inventory);
    if (auto ok = authorize(ctx, ask, false); !ok) return problem(ok.error());

    // The same key from the same caller is the same request: its run, not a second one, for a
    // day, across restarts of the server (the key is claimed in the records before the run
    // starts, so two requests at once never both start one).
    std::string key;
    if (const std::string* k = r.header("idempotency-key")) {
        if (k->empty() || k->size() > 200)
            return bad_request("Idempotency-Key must be 1 to 200 bytes");
        key = principal_key(ctx.identity) + "\n" + *k;
        auto records = ctx.records();
        if (!records) return problem(records.error());
        const auto now = ctx.clock();
        auto claim =
            (*records)->claim_idempotency_key(key, util::sha256_hex(r.body), util::rfc3339(now),
                                              util::rfc3339(now - std::chrono::hours(24)),
                                              // A start takes at most k_start_wait.
                                              util::rfc3339(now - std::chrono::minutes(2)));
        if (!claim) return problem(claim.error());
        if (!claim->claimed) {
            if (claim->digest != util::sha256_hex(r.body))
                return bad_request("Idempotency-Key '" + *k + "' was used with another request",
                                   422);
            if (!claim->run_id)
                return problem(409, "locked", to_int(ExitCode::locked),
                               "the request with Idempotency-Key '" + *k +
                                   "' is still starting its run: ask again");
            auto replay = json_response(util::JsonObject().add("run", *claim->run_id).str(), 202);
            replay.header("Location", "/v1/runs/" + *claim->run_id);
            replay.header("Idempotent-Replayed", "true");
            return replay;
        }
    }

    std::vector<std::string> args = {"run", task};
    if (!inventory.empty()) args.insert(args.end(), {"-i", inventory});
    if (!targets.empty()) args.insert(args.end(), {"-t", targets});
    if (replace_targets) args.push_back("--replace-targets");
    for (const auto& [k, v] : vars)
        args.insert(args.end(), {"--var", k + "=" + v});
    auto res = launch(ctx, std::move(args), token);
    if (!key.empty()) {
        const std::string* where = res.status == 202 ? res.header_value("Location") : nullptr;
        auto records = ctx.records();
        if (records)
            (void)(*records)->settle_idempotency_key(
                key, where ? std::optional<std::string>(where->substr(9)) : std::nullopt);
    }
    return res;
}

// POST /v1/exec: `leura exec -i INVENTORY [-t TARGETS] [--shell SHELL] -- COMMAND` as the
// caller; 202 once its run is recorded. A token limited to tasks may not: exec runs no task.
http::Response Api::exec_start(Context& ctx, const http::Request& r, const Token& token) {
    auto doc = util::parse_json(r.body);
    if (!doc)
        return bad_request("the body is not JSON (at byte " + std::to_string(doc.error().offset) +
                           "): " + doc.error().message);
    if (!doc->is(JsonValue::Type::object)) return bad_request("the body must be a JSON object");
    std::string command, inventory, targets, shell;
    for (const auto& m : doc->members) {
        const JsonValue& v = m.value;
        if (m.name == "command") {
            if (!v.is(JsonValue::Type::string) || v.text.empty() ||
                v.text.find('\0') != v.text.npos)
                return bad_request("command must be a non-empty string", 422);
            command = v.text;
        } else if (m.name == "inventory" || m.name == "targets" || m.name == "shell") {
            if (!v.is(JsonValue::Type::string) || !plain_argument(v.text))
                return bad_request(m.name + " must be a non-empty string not starting with '-'",
                                   422);
            (m.name == "inventory" ? inventory : m.name == "targets" ? targets : shell) = v.text;
        } else {
            return bad_request(
                "unknown field '" + m.name + "' (known: command, inventory, targets, shell)", 422);
        }
    }
    if (command.empty()) return bad_request("command is required", 422);
    if (inventory.empty()) inventory = ctx.settings.text("inventory");
    if (inventory.empty())
        return bad_request("inventory is required (no inventory setting names one)", 422);
    if (inventory.find('/') != inventory.npos && inventory[0] != '/')
        return bad_request(
            "inventory '" + inventory + "': give an inventory's name or an absolute path", 422);
    if (token) {
        if (!token_scope_allows(*token, "exec", ""))
            return problem(403, "denied", to_int(ExitCode::refused),
                           "token " + token->id + " does not allow 'exec'");
        if (token->tasks != "[]" && !token->tasks.empty())
            return problem(403, "denied", to_int(ExitCode::refused),
                           "token " + token->id + " is limited to tasks; exec runs no task");
    }
    AccessRequest ask;
    ask.action = "exec";
    ask.inventory = inventory_name_of(inventory);
    if (auto ok = authorize(ctx, ask, false); !ok) return problem(ok.error());
    std::vector<std::string> args = {"exec", "-i", inventory};
    if (!targets.empty()) args.insert(args.end(), {"-t", targets});
    if (!shell.empty()) args.insert(args.end(), {"--shell", shell});
    args.insert(args.end(), {"--", command});
    return launch(ctx, std::move(args), token);
}

http::Response Api::launch(Context& ctx, std::vector<std::string> args, const Token& token) {
    auto records = ctx.records();
    if (!records) return problem(records.error());
    LaunchRequest req;
    req.run_id = util::new_run_id(std::chrono::system_clock::now());
    req.args = std::move(args);
    // Before a `--`, after which every word is the command's.
    auto end = std::find(req.args.begin(), req.args.end(), "--");
    req.args.insert(end, {"--json", "--claim-fd", "3"});
    if (auto st = util::ensure_private_dir(ctx.data_dir / "events"); !st)
        return problem(st.error());
    req.stdout_file = events_file(ctx.data_dir, req.run_id);
    auto claim = create_pending_run(**records, principal_key(ctx.identity),
                                    token ? "token:" + token->id : "api", req.run_id);
    if (!claim) return problem(claim.error());
    req.claim_token = *claim;
    auto pid = m_launcher.start(req);
    if (!pid) return problem(pid.error());
    m_children.add(req.run_id, pid_t(*pid));

    // Answer once the run is recorded, so that its Location answers; a run that could not
    // start (a bad task, a refusal, a lock) says why in its `error` event instead.
    const auto deadline = std::chrono::steady_clock::now() + k_start_wait;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto run = (*records)->run(req.run_id); run) break;
        std::ifstream in(req.stdout_file);
        std::string line;
        while (std::getline(in, line))
            if (line.starts_with("{\"event\":\"error\"")) return problem_from_error_event(line);
        if (!m_children.pid_of(req.run_id) && !(*records)->run(req.run_id))
            return problem(500, "internal", 70,
                           "the run's process ended before recording the run (see " +
                               (ctx.data_dir / "schedule.log").string() + ")");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto res = json_response(util::JsonObject().add("run", req.run_id).str(), 202);
    res.header("Location", "/v1/runs/" + req.run_id);
    return res;
}

// :retry and :resume: `leura retry|resume RUN` as the caller, with the options the body names.
http::Response Api::run_again(Context& ctx, const std::string& id, const std::string& action,
                              const http::Request& r, const Token& token) {
    auto view = load_run(ctx, id, false);
    if (!view) return problem(view.error());
    const auto& run = view->run;
    if (token && !token_scope_allows(*token, "run", task_name_of(run)))
        return out_of_scope(*token, "run", task_name_of(run));
    std::vector<std::string> args = {action, run.id};
    if (!r.body.empty()) {
        auto doc = util::parse_json(r.body);
        if (!doc || !doc->is(JsonValue::Type::object))
            return bad_request("the body must be a JSON object");
        for (const auto& m : doc->members) {
            const JsonValue& v = m.value;
            if (action == "retry" && m.name == "hosts") {
                static const std::vector<std::string> which = {
                    "failed", "unreachable", "skipped", "interrupted", "rolled_back", "all"};
                if (!v.is(JsonValue::Type::string) ||
                    std::find(which.begin(), which.end(), v.text) == which.end())
                    return bad_request(
                        "hosts must be one of failed, unreachable, skipped, interrupted, "
                        "rolled_back, all",
                        422);
                args.insert(args.end(), {"--hosts", v.text});
            } else if (action == "resume" &&
                       (m.name == "rerun_unknown" || m.name == "retry_failed")) {
                if (!v.is(JsonValue::Type::boolean))
                    return bad_request(m.name + " must be true or false", 422);
                if (v.boolean)
                    args.push_back(m.name == "rerun_unknown" ? "--rerun-unknown"
                                                             : "--retry-failed");
            } else {
                return bad_request("unknown field '" + m.name + "' for :" + action +
                                       (action == "retry"
                                            ? " (known: hosts)"
                                            : " (known: rerun_unknown, retry_failed)"),
                                   422);
            }
        }
    }
    return launch(ctx, std::move(args), token);
}

http::Response Api::run_cancel(Context& ctx, const std::string& id, const Token& token) {
    auto view = load_run(ctx, id, false);
    if (!view) return problem(view.error());
    const auto& run = view->run;
    if (token && !token_scope_allows(*token, "run", task_name_of(run)))
        return out_of_scope(*token, "run", task_name_of(run));
    AccessRequest ask;
    ask.action = "run";
    ask.task = task_name_of(run);
    ask.inventory = inventory_name_of(run.inventory);
    ask.run_id = run.id;
    if (auto ok = authorize(ctx, ask); !ok) return problem(ok.error());
    if (run.status != "running")
        return problem(409, "not_running", to_int(ExitCode::usage),
                       "run " + run.id + " is not running (it is " + run.status + ")");
    std::optional<pid_t> pid = m_children.pid_of(run.id);
    if (!pid) {
        auto live = live_run_pid(ctx.data_dir, run.id);
        if (!live) return problem(live.error());
        pid = *live;
    }
    if (!pid || ::kill(*pid, SIGTERM) != 0)
        return problem(409, "not_running", to_int(ExitCode::usage),
                       "run " + run.id + " has no live process to stop");
    auto res = json_response(util::JsonObject()
                                 .add("run", run.id)
                                 .add("status", "stopping")
                                 .add("detail", "sent SIGTERM: the run stops within its grace")
                                 .str(),
                             202);
    res.header("Location", "/v1/runs/" + run.id);
    return res;
}

http::Response Api::run_events(Context& ctx, const http::Request& r, const std::string& id,
                               const Token& token) {
    auto view = load_run(ctx, id, false);
    if (!view) return problem(view.error());
    if (token && !token_scope_allows(*token, "view", task_name_of(view->run)))
        return out_of_scope(*token, "view", task_name_of(view->run));
    const std::string run_id = view->run.id;
    const fs::path file = events_file(ctx.data_dir, run_id);
    std::error_code ec;
    if (!fs::exists(file, ec))
        return problem(404, "not_found", to_int(ExitCode::usage),
                       "run " + run_id +
                           " has no event stream: only runs this server started have one (its "
                           "records: /v1/runs/" +
                           run_id + ")");
    int64_t last = 0;
    if (const std::string* h = r.header("last-event-id"))
        last = std::strtoll(h->c_str(), nullptr, 10);
    http::Response res;
    res.header("Content-Type", "text/event-stream");
    res.header("Cache-Control", "no-store");
    const fs::path data = ctx.data_dir;
    res.stream = [this, file, last, run_id, data](const http::ChunkWriter& write) {
        std::ifstream in(file);
        std::string pending;
        uint64_t seen = 0;
        std::uintmax_t consumed = 0;
        auto since_write = std::chrono::steady_clock::now();
        auto read_more = [&] {
            std::string chunk;
            char buf[8192];
            in.clear();
            while (in.read(buf, sizeof buf) || in.gcount() > 0)
                chunk.append(buf, size_t(in.gcount()));
            consumed += chunk.size();
            pending += chunk;
            return !chunk.empty();
        };
        for (;;) {
            if (stopping || !write("")) return;
            // Lines as they are completed: a line without its newline yet waits.
            const bool got = read_more();
            size_t nl;
            while ((nl = pending.find('\n')) != pending.npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                const int64_t seq = seq_of(line);
                const bool end = ends_stream(line);
                if (seq == 0 || seq > last) {
                    std::string msg = (seq > 0 ? "id: " + std::to_string(seq) + "\n" : "") +
                                      "data: " + line + "\n\n";
                    if (!write(msg)) return;
                    since_write = std::chrono::steady_clock::now();
                }
                if (end) return;
            }
            if (got) continue;
            // Nothing new: wait for the file to grow (one watcher scans for every stream).
            auto now = m_watch.wait(seen, std::chrono::seconds(1));
            seen = now.generation;
            auto size = now.sizes.find(run_id);
            if (size != now.sizes.end() && size->second > consumed) continue;
            // Still nothing: the run may have died without its last event.
            if (!m_children.pid_of(run_id)) {
                auto live = live_run_pid(data, run_id);
                if (live && !*live && !read_more()) return;
            }
            if (std::chrono::steady_clock::now() - since_write > k_keepalive) {
                if (!write(": keepalive\n\n")) return;
                since_write = std::chrono::steady_clock::now();
            }
        }
    };
    return res;
}

// Every run's events as they come, from the runs this server starts: ids are "RUN/SEQ", and a
// Last-Event-ID resumes after that event (that run's later events, then every later run's).
// Without one the stream starts with what happens next. Runs the caller may not see (the
// policy, a token's tasks) are left out.
http::Response Api::all_events(Context& ctx, const http::Request& r, const Token& token) {
    const fs::path dir = ctx.data_dir / "events";
    std::string resume_run;
    int64_t resume_seq = 0;
    if (const std::string* h = r.header("last-event-id")) {
        const size_t slash = h->find('/');
        if (slash == h->npos)
            return bad_request("Last-Event-ID must be RUN/SEQ, as this stream's ids");
        resume_run = h->substr(0, slash);
        resume_seq = std::strtoll(h->c_str() + slash + 1, nullptr, 10);
    }
    // Where each file is read up to; without a resume point, the end of what is there now.
    auto offsets = std::make_shared<std::map<std::string, std::uintmax_t>>();
    std::error_code ec;
    if (resume_run.empty())
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.path().extension() == ".jsonl")
                (*offsets)[e.path().stem().string()] = e.file_size(ec);
    auto caller = std::make_shared<Context>(context_for(http::Peer{}));
    caller->identity = ctx.identity;
    http::Response res;
    res.header("Content-Type", "text/event-stream");
    res.header("Cache-Control", "no-store");
    res.stream = [this, dir, offsets, resume_run, resume_seq, caller,
                  token](const http::ChunkWriter& write) {
        std::map<std::string, bool> visible; // run id -> the caller may see it
        // Nothing while the run is not recorded yet: its lines wait for the next poll.
        auto may = [&](const std::string& run_id) -> std::optional<bool> {
            auto it = visible.find(run_id);
            if (it != visible.end()) return it->second;
            auto records = caller->records();
            if (!records) return std::nullopt;
            auto run = (*records)->run(run_id);
            if (!run) return std::nullopt;
            const bool ok = may_see(*caller, *run) &&
                            (!token || token_scope_allows(*token, "view", task_name_of(*run)));
            return visible[run_id] = ok;
        };
        auto since_write = std::chrono::steady_clock::now();
        uint64_t seen = 0;
        for (;;) {
            // The files as the watcher last saw them, once something changed (or a second on).
            auto now = m_watch.wait(seen, std::chrono::seconds(1));
            seen = now.generation;
            if (stopping || !write("")) return;
            bool wrote = false;
            for (const auto& [run_id, size] : now.sizes) {
                if (!resume_run.empty() && run_id < resume_run) continue;
                auto at = offsets->find(run_id);
                std::uintmax_t from = at == offsets->end() ? 0 : at->second;
                if (size <= from) continue;
                std::ifstream in(dir / (run_id + ".jsonl"));
                in.seekg(std::streamoff(from));
                std::string line;
                std::uintmax_t used = from;
                while (std::getline(in, line) && !in.eof()) {
                    const auto allowed = may(run_id);
                    if (!allowed) break;
                    used += line.size() + 1;
                    if (!*allowed) continue;
                    const int64_t seq = seq_of(line);
                    if (run_id == resume_run && seq <= resume_seq) continue;
                    if (!write("id: " + run_id + "/" + std::to_string(seq) + "\ndata: " + line +
                               "\n\n"))
                        return;
                    wrote = true;
                }
                (*offsets)[run_id] = used;
            }
            if (wrote) since_write = std::chrono::steady_clock::now();
            if (std::chrono::steady_clock::now() - since_write > k_keepalive) {
                if (!write(": keepalive\n\n")) return;
                since_write = std::chrono::steady_clock::now();
            }
        }
    };
    return res;
}

} // namespace leura::app
