// SPDX-License-Identifier: Apache-2.0
#include "cli/commands.hpp"
#include "cli/records.hpp"
#include "cli/report.hpp"
#include "inventory/range.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <map>
#include <memory>

namespace leura::cli {

namespace {

void print_header(const store::RunRecord& r) {
    std::printf("run        %s\n", r.id.c_str());
    std::printf("task       %s (sha256 %.12s)\n", r.task.c_str(), r.task_hash.c_str());
    std::printf("inventory  %s\n", r.inventory.c_str());
    std::printf("targets    %s\n", r.targets.empty() ? "(all)" : r.targets.c_str());
    std::printf("user       %s\n", r.user.c_str());
    std::printf("started    %s\n", r.started_at.c_str());
    std::printf("finished   %s\n", r.finished_at.value_or("-").c_str());
    std::printf("status     %s", r.status.c_str());
    if (r.exit_code) std::printf(" (exit %lld)", (long long)*r.exit_code);
    std::printf("\nhosts      %lld: %lld ok, %lld failed, %lld unreachable, %lld skipped\n",
                (long long)r.hosts, (long long)r.ok, (long long)r.failed, (long long)r.unreachable,
                (long long)r.skipped);
    std::printf("archive    %s\n", r.archive.value_or("-").c_str());
}

void print_step(const store::StepRecord& s) {
    std::string result = s.exit_code ? "exit " + std::to_string(*s.exit_code)
                         : s.signal  ? "signal " + *s.signal
                                     : s.error_kind.value_or("-");
    std::printf("      %2lld %-24s %-10s %7s  out %s, err %s%s%s\n", (long long)s.idx + 1,
                s.name.c_str(), result.c_str(), util::human_duration_ms(s.duration_ms).c_str(),
                util::human_bytes(uint64_t(s.bytes_out)).c_str(),
                util::human_bytes(uint64_t(s.bytes_err)).c_str(), s.error ? "  " : "",
                s.error.value_or("").c_str());
}

int show(const std::string& prefix) {
    auto view = load_run(prefix);
    if (!view) return report(view.error());
    const store::RunRecord& run = view->run;
    const auto& hosts = view->hosts;
    const auto& steps = view->steps;

    print_header(run);
    std::multimap<std::string, const store::StepRecord*> steps_of;
    for (const auto& s : steps)
        steps_of.emplace(s.host, &s);
    std::map<int64_t, std::vector<const store::HostRecord*>> waves;
    for (const auto& h : hosts)
        waves[h.wave].push_back(&h);
    for (const auto& [wave, members] : waves) {
        std::vector<std::string> names;
        for (const auto* h : members)
            names.push_back(h->host);
        std::printf("\nwave %lld: %s\n", (long long)wave, inventory::fold_hosts(names).c_str());
        for (const auto* h : members) {
            std::printf("  %-11s %-24s %7s  %s\n", h->status.c_str(), h->host.c_str(),
                        util::human_duration_ms(h->duration_ms).c_str(),
                        h->error.value_or("").c_str());
            auto [from, to] = steps_of.equal_range(h->host);
            for (auto it = from; it != to; ++it)
                print_step(*it->second);
        }
    }
    return 0;
}

} // namespace

Action add_show(CLI::App& sub) {
    auto run = std::make_shared<std::string>();
    sub.add_option("run", *run, "Run id or a unique prefix of one")->required();
    return [run] { return show(*run); };
}

} // namespace leura::cli
