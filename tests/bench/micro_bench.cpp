// SPDX-License-Identifier: Apache-2.0
// Microbenchmarks (Google Benchmark) for what runs before any host is touched: host-range
// expansion and folding, selection and wave planning at 100,000 hosts. On demand:
//   ninja -C build leura_microbench && build/tests/leura_microbench
#include "inventory/inventory.hpp"
#include "inventory/range.hpp"
#include "inventory/selector.hpp"
#include "rollout/plan.hpp"
#include "store/store.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <unistd.h>

namespace {

using namespace leura;

constexpr const char* k_range = "h[000001-100000].example.com";

std::vector<std::string> names() {
    return *inventory::expand_range(k_range);
}

// Clusters of 1..60 hosts (30% alone) over 8 zones, 400 racks, 40 rows, as real fleets mix.
inventory::Inventory fleet() {
    inventory::Inventory inv;
    std::mt19937_64 rng(7);
    auto below = [&rng](size_t n) { return size_t(rng() % n); };
    auto all = names();
    size_t cluster = 0;
    for (size_t i = 0; i < all.size();) {
        bool single = below(100) < 30;
        size_t size = single ? 1 : std::min(all.size() - i, 1 + below(60));
        config::KeyValues attrs = {{"zone", "z" + std::to_string(below(8))},
                                   {"rack", "r" + std::to_string(below(400))},
                                   {"row", "w" + std::to_string(below(40))}};
        if (!single) attrs.emplace_back("cluster", "c" + std::to_string(cluster++));
        for (size_t k = 0; k < size; ++k, ++i) {
            inventory::Host h;
            h.name = all[i];
            h.groups = {i % 2 ? "odd" : "even"};
            h.attrs = attrs;
            inv.hosts.push_back(std::move(h));
        }
    }
    inv.groups = {"even", "odd"};
    return inv;
}

void ExpandRange100k(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(inventory::expand_range(k_range));
}
BENCHMARK(ExpandRange100k)->Unit(benchmark::kMillisecond);

void FoldShuffled100k(benchmark::State& state) {
    auto all = names();
    std::shuffle(all.begin(), all.end(), std::mt19937(1));
    for (auto _ : state)
        benchmark::DoNotOptimize(inventory::fold_hosts(all));
}
BENCHMARK(FoldShuffled100k)->Unit(benchmark::kMillisecond);

void Select100k(benchmark::State& state) {
    auto inv = fleet();
    for (auto _ : state)
        benchmark::DoNotOptimize(inventory::select(inv, "even & !zone=z1"));
}
BENCHMARK(Select100k)->Unit(benchmark::kMillisecond);

void PlanWaves100k(benchmark::State& state) {
    auto inv = fleet();
    rollout::PlanInput in;
    for (const auto& h : inv.hosts)
        in.hosts.push_back(&h);
    for (double p : {0.1, 1.0, 5.0, 25.0, 50.0, 100.0})
        in.batches.push_back(config::Amount{true, p});
    in.spread = {"zone", "rack", "row"};
    for (auto _ : state)
        benchmark::DoNotOptimize(rollout::make_plan(in));
}
BENCHMARK(PlanWaves100k)->Unit(benchmark::kMillisecond);

// What a host of a one-step run writes to the records, each write its own transaction as the
// recorder makes them (started, step running, step finished with previews, finished), on a
// real database file in $TMPDIR: the cost per host to set against leura's client CPU per host.
void RecordOneHost(benchmark::State& state) {
    auto dir =
        std::filesystem::temp_directory_path() / ("leura-microbench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto store = store::Store::open((dir / "leura.db").string());
    if (!store) {
        state.SkipWithError("cannot open the database");
        return;
    }
    store::RunRecord run;
    run.id = "20261122-000000-beef";
    run.task = "bench.toml";
    run.started_at = "2026-11-22T00:00:00Z";
    (void)store->insert_run(run);
    size_t n = 0;
    for (auto _ : state) {
        store::HostRecord h;
        h.run_id = run.id;
        h.host = "h" + std::to_string(n++);
        h.started_at = "2026-11-22T00:00:01Z";
        (void)store->upsert_host(h);
        store::StepRecord s;
        s.run_id = run.id;
        s.host = h.host;
        s.name = "step";
        s.status = "running";
        s.started_at = "2026-11-22T00:00:01Z";
        (void)store->insert_step(s);
        s.status = "ok";
        s.exit_code = 0;
        s.preview_out = std::string(200, 'x');
        (void)store->insert_step(s);
        h.status = "ok";
        h.finished_at = "2026-11-22T00:00:02Z";
        (void)store->upsert_host(h);
    }
    std::filesystem::remove_all(dir);
}
BENCHMARK(RecordOneHost)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
