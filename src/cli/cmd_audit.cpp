// SPDX-License-Identifier: Apache-2.0
// `leura audit` (the audit log, newest first) and `leura audit verify` (its hash chain).
#include "app/audit.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/usage.hpp"
#include "config/task.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct AuditFlags {
    std::string since, actor, decision;
    int64_t limit = 50;
    bool json = false, local = false, verify = false;
};

int list(app::Context& ctx, const AuditFlags& f) {
    store::AuditFilter filter;
    if (!f.since.empty()) {
        auto age = since_flag(f.since);
        if (!age) return report(age.error());
        filter.since = util::rfc3339(ctx.clock() - *age);
    }
    if (!f.actor.empty()) filter.actor = f.actor;
    if (!f.decision.empty()) filter.decision = f.decision;
    if (f.limit < 1) return report(Error(ErrorKind::usage, "--limit must be 1 or more"));
    filter.limit = f.limit;
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto entries = (*records)->list_audit(filter);
    if (!entries) return report(entries.error());
    if (f.json) {
        for (const auto& e : *entries)
            std::printf("%s\n", app::audit_entry_json(e).c_str());
        return 0;
    }
    if (entries->empty()) {
        bool filtered = filter.since || filter.actor || filter.decision;
        std::fprintf(stderr, "leura: %s\n",
                     filtered ? "no audit entries match" : "no audit entries recorded yet");
        return 0;
    }
    // Columns as wide as their widest cell; every recorded text made safe for a terminal.
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"ID", "TIME", "ACTOR", "VIA", "ACTION", "RESOURCE", "DECISION", "RULE", "RUN"});
    for (const auto& e : *entries)
        rows.push_back({std::to_string(e.id), util::display_time(e.at, f.local), cell(e.actor),
                        cell(e.via), cell(e.action), cell(e.resource), cell(e.decision),
                        cell(e.rule), cell(e.run_id.value_or(""))});
    print_columns(rows);
    return 0;
}

// 0: the chain holds; 1: an entry does not chain (as `cmp`: 1 is "differs"); 2 and 70 as any
// command (the records could not be read).
int verify(app::Context& ctx) {
    auto records = ctx.records();
    if (!records) return report(records.error());
    auto check = (*records)->verify_audit();
    if (!check) return report(check.error());
    if (check->broken) {
        std::printf("audit chain broken at entry %lld: %s\n", (long long)*check->broken,
                    check->problem.c_str());
        const auto& e = check->entry;
        std::printf("entry %lld: %s %s %s %s %s %s\n", (long long)e.id,
                    util::terminal_safe(e.at, true).c_str(),
                    util::terminal_safe(e.actor, true).c_str(),
                    util::terminal_safe(e.action, true).c_str(),
                    util::terminal_safe(e.resource, true).c_str(),
                    util::terminal_safe(e.decision, true).c_str(),
                    util::terminal_safe(e.detail, true).c_str());
        std::printf("entries before it chain: %lld, ending at %s\n", (long long)check->count,
                    check->latest.c_str());
        return to_int(ExitCode::hosts_failed);
    }
    std::printf("audit chain ok: %lld %s, latest %s\n", (long long)check->count,
                check->count == 1 ? "entry" : "entries", check->latest.c_str());
    return 0;
}

} // namespace

Action add_audit(CLI::App& sub) {
    auto f = std::make_shared<AuditFlags>();
    sub.require_subcommand(0, 1);
    sub.add_option("--since", f->since, "Only entries within this duration (e.g. 7d)");
    sub.add_option("--actor", f->actor, "Only entries of this principal (e.g. user:alice)");
    sub.add_option("--decision", f->decision, "Only allowed or only denied entries")
        ->check(CLI::IsMember({"allow", "deny"}));
    sub.add_option("--limit", f->limit, "At most this many entries")->default_val(50);
    sub.add_flag("--local", f->local, "Times in this machine's time zone (default: UTC)");
    sub.add_flag("--json", f->json, "One JSON object per entry, with its hashes");
    auto* v = sub.add_subcommand(
        "verify", "Check the hash chain from the first entry; exit 1 naming the first bad one");
    v->callback([f] { f->verify = true; });
    return [f](app::Context& ctx) { return f->verify ? verify(ctx) : list(ctx, *f); };
}

} // namespace leura::cli
