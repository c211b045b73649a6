// SPDX-License-Identifier: Apache-2.0
// `leura token create|list|revoke`: API tokens for `leura serve` (app/tokens.hpp).
#include "app/tokens.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/usage.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct TokenFlags {
    std::string command, name, expires = "30d", id;
    std::vector<std::string> actions, tasks;
    bool json = false, local = false;
};

// "[\"a\",\"b\"]" -> "a,b"; "" for all.
std::string scope_text(const std::string& json) {
    std::string out;
    auto v = util::parse_json(json);
    if (v)
        for (const auto& item : v->items)
            out += (out.empty() ? "" : ",") + item.text;
    return out;
}

std::string token_json(const store::TokenRecord& t) {
    util::JsonObject o;
    o.add("id", t.id).add("name", t.name).add("creator", t.creator);
    o.add("created_at", t.created_at).add("expires_at", t.expires_at);
    o.add_raw("actions", t.actions).add_raw("tasks", t.tasks);
    o.add("revoked_at", t.revoked_at).add("last_used_at", t.last_used_at);
    return o.str();
}

int create(app::Context& ctx, const TokenFlags& f) {
    auto life = since_flag(f.expires);
    if (!life) return report(Error(ErrorKind::usage, "--expires: " + life.error().message));
    app::TokenRequest r;
    r.name = f.name;
    r.lifetime = std::chrono::duration_cast<std::chrono::seconds>(*life);
    r.actions = f.actions;
    r.tasks = f.tasks;
    auto made = app::create_token(ctx, r);
    if (!made) return report(made.error());
    if (f.json) {
        util::JsonObject o;
        o.add("token", made->secret);
        o.add_raw("record", token_json(made->record));
        std::printf("%s\n", o.str().c_str());
        return 0;
    }
    std::printf("%s\n", made->secret.c_str());
    std::fprintf(stderr,
                 "leura: token %s ('%s') expires %s; it is shown only now: keep it as a "
                 "secret\n",
                 made->record.id.c_str(), util::terminal_safe(made->record.name, true).c_str(),
                 made->record.expires_at.c_str());
    return 0;
}

int list(app::Context& ctx, const TokenFlags& f) {
    auto all = app::list_tokens(ctx);
    if (!all) return report(all.error());
    if (f.json) {
        for (const auto& t : *all)
            std::printf("%s\n", token_json(t).c_str());
        return 0;
    }
    if (all->empty()) {
        std::fprintf(stderr, "leura: no tokens (leura token create --name NAME)\n");
        return 0;
    }
    const std::string now = util::now_rfc3339();
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"ID", "NAME", "CREATOR", "STATE", "EXPIRES", "ACTIONS", "TASKS", "LAST USED"});
    for (const auto& t : *all) {
        const std::string state = t.revoked_at          ? "revoked"
                                  : now >= t.expires_at ? "expired"
                                                        : "active";
        const std::string actions = scope_text(t.actions), tasks = scope_text(t.tasks);
        rows.push_back(
            {t.id, cell(t.name), cell(t.creator), state, util::display_time(t.expires_at, f.local),
             actions.empty() ? "(all)" : cell(actions), tasks.empty() ? "(all)" : cell(tasks),
             t.last_used_at ? util::display_time(*t.last_used_at, f.local) : "-"});
    }
    print_columns(rows);
    return 0;
}

int revoke(app::Context& ctx, const TokenFlags& f) {
    auto st = app::revoke_token(ctx, f.id);
    if (!st) return report(st.error());
    std::printf("revoked token %s\n", f.id.c_str());
    return 0;
}

} // namespace

Action add_token(CLI::App& sub) {
    auto f = std::make_shared<TokenFlags>();
    sub.require_subcommand(1);
    auto* c = sub.add_subcommand("create", "Make a token for the API; it is printed once");
    c->add_option("--name", f->name, "What the token is for")->required();
    c->add_option("--expires", f->expires, "How long it is valid (1m to 366d)")->default_val("30d");
    c->add_option("--actions", f->actions,
                  "Only these actions, within yours (view, logs, run, ...; default: all of yours)")
        ->delimiter(',');
    c->add_option("--tasks", f->tasks, "Only tasks matching these globs (default: all of yours)")
        ->delimiter(',');
    c->add_flag("--json", f->json, "The token and its record as JSON");
    c->callback([f] { f->command = "create"; });
    auto* l = sub.add_subcommand("list", "Your tokens (every one, for an admin); never secrets");
    l->add_flag("--json", f->json, "One JSON object per token");
    l->add_flag("--local", f->local, "Times in this machine's time zone (default: UTC)");
    l->callback([f] { f->command = "list"; });
    auto* r = sub.add_subcommand("revoke", "Revoke a token at once");
    r->add_option("id", f->id, "The token's id (leura token list)")->required();
    r->callback([f] { f->command = "revoke"; });
    return [f](app::Context& ctx) {
        if (f->command == "create") return create(ctx, *f);
        if (f->command == "list") return list(ctx, *f);
        return revoke(ctx, *f);
    };
}

} // namespace leura::cli
