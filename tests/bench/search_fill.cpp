// SPDX-License-Identifier: Apache-2.0
// For tests/bench/search.sh (on demand, never in ctest): fills a leura database through
// leura's own store (compressed previews, the output index, one batch per run, as a run
// records them) with RUNS runs of HOSTS hosts and STEPS steps of log-like output, about
// PREVIEW_KIB KiB a step. The run in the middle prints `needle-<n>` once, on its first host.
//   leura_search_fill DB RUNS HOSTS STEPS PREVIEW_KIB
#include "store/store.hpp"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace leura;

namespace {

const std::vector<std::string> k_words = {
    "kernel",  "eth0",    "link",        "up",      "down",    "error",  "warning", "nginx",
    "reload",  "worker",  "process",     "started", "stopped", "disk",   "usage",   "timeout",
    "connect", "refused", "systemd",     "unit",    "entered", "failed", "state",   "cron",
    "session", "opened",  "closed",      "for",     "user",    "root",   "apt",     "upgrade",
    "package", "install", "certificate", "expires", "in",      "days",   "memory",  "oom"};

// One log line: a timestamp, a few common words, a number and a hex id unique to the line.
std::string line(std::mt19937_64& rng, int64_t n) {
    char head[64];
    std::snprintf(head, sizeof head, "[%10.6f] ", double(n) * 0.137);
    std::string s = head;
    for (int i = 0; i < 6; ++i)
        s += k_words[rng() % k_words.size()] + " ";
    char tail[64];
    std::snprintf(tail, sizeof tail, "pid=%u req=%08llx took=%ums\n", unsigned(rng() % 40000),
                  (unsigned long long)(rng() & 0xffffffff), unsigned(rng() % 2000));
    return s + tail;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: leura_search_fill DB RUNS HOSTS STEPS PREVIEW_KIB\n");
        return 2;
    }
    int runs = std::atoi(argv[2]), hosts = std::atoi(argv[3]), steps = std::atoi(argv[4]);
    size_t bytes = size_t(std::atoi(argv[5])) * 1024;
    auto store = store::Store::open(argv[1]);
    if (!store) {
        std::fprintf(stderr, "leura_search_fill: %s\n", store.error().message.c_str());
        return 1;
    }
    std::mt19937_64 rng(42);
    int64_t n = 0;
    for (int r = 0; r < runs; ++r) {
        char id[32], at[40];
        std::snprintf(id, sizeof id, "20260101-%06d-%04x", r, r % 65536);
        std::snprintf(at, sizeof at, "2026-01-%02dT%02d:%02d:%02d.000Z", 1 + r / 1440 % 28,
                      r / 60 % 24, r % 60, r % 60);
        store::RunRecord run;
        run.id = id;
        run.task =
            "/lib/team" + std::to_string(r % 20) + "/task" + std::to_string(r % 50) + ".toml";
        run.task_hash = "sha";
        run.inventory = "/inv.toml";
        run.user = "bench";
        run.args = "[]";
        run.started_at = at;
        run.status = "ok";
        bool ok = bool(store->begin_batch()) && bool(store->insert_run(run));
        for (int h = 0; h < hosts && ok; ++h) {
            store::HostRecord host;
            host.run_id = run.id;
            host.host = "web-" + std::to_string(h + 1);
            host.status = "ok";
            ok = bool(store->upsert_host(host));
            for (int s = 0; s < steps && ok; ++s) {
                store::StepRecord step;
                step.run_id = run.id;
                step.host = host.host;
                step.idx = s;
                step.name = "step" + std::to_string(s + 1);
                step.status = "ok";
                step.started_at = at;
                while (step.preview_out.size() < bytes)
                    step.preview_out += line(rng, n++);
                if (r == runs / 2 && h == 0 && s == 0)
                    step.preview_out += "found needle-" + std::to_string(r) + " here\n";
                step.preview_err = line(rng, n++);
                step.bytes_out = int64_t(step.preview_out.size());
                step.bytes_err = int64_t(step.preview_err.size());
                ok = bool(store->insert_step(step));
            }
        }
        if (!ok || !store->end_batch()) {
            std::fprintf(stderr, "leura_search_fill: a write failed at run %d\n", r);
            return 1;
        }
    }
    return 0;
}
