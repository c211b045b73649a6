// SPDX-License-Identifier: Apache-2.0
//
// The rollout planner: how a selection is cut into waves.
//
// Targets are cumulative ("2, then 10, then 100 hosts done"), not per-wave sizes. A wave that
// overshoots because a unit cannot be split is absorbed by the next one instead of pushing every
// later wave further out, and a wave whose target was already reached simply disappears.
//
// A unit (the hosts sharing an affinity value, or a lone host without one) is never split: a
// half-upgraded cluster is the state a rollout must not leave behind when it halts. So a wave
// takes whole units until it reaches its target, in three passes:
//
// 1. Spread. Early waves are canaries, and a canary is worth as much as the variety it sees: one
//    host in each zone finds a zone-specific failure while it is still small. For each spread
//    attribute in priority order, the wave repeatedly takes the smallest unit that carries a
//    value of that attribute it does not cover yet, for as long as it is short of its target.
//    Smallest first is what covers the most values for a given budget when each unit carries
//    one value: values are bought in order of their cheapest unit. A pick is allowed while the
//    wave is short, so the wave overshoots by less than the last unit it took. Once no unit adds
//    a new value of the first attribute, none ever will in this wave (coverage only grows, units
//    only leave), so "in rounds, first attribute first" is the same as one pass per attribute.
// 2. Fill. The largest units that still fit in what is left: the target is met closely with few
//    units, and the small units stay behind for later waves, whose spread picks and exact fills
//    need fine-grained pieces.
// 3. Top-up. Still short and nothing fits: the smallest unit left, overshooting by less than
//    that unit. When a unit larger than the wave's whole share is taken (a big cluster and a
//    1% wave), the wave is marked oversized and `plan` says so.
//
// Ties between units of equal size go to the unit whose first host comes first in the
// inventory, or, with a shuffle seed, to a splitmix64-seeded permutation of the units. Nothing
// else (no hash-table order, no clock) reaches the output, so a plan is a function of its input.
//
// Cost. Everything is indexed once. Units sorted by (size, tie rank) form buckets of equal size,
// each with a cursor past the units already taken; taking is permanent, so cursors only move
// forward over the whole plan. Each spread value keeps the list of units carrying it, in the
// same order, with its own cursor. A wave's spread pass is a heap holding one candidate per
// uncovered value (stale entries are skipped when popped); the fill pass walks the size buckets
// downward once. With H hosts, U units, V spread values, D distinct unit sizes and W waves this
// is O(H + U log U + W (V log V + D)) rather than a scan of every unit for every pick.

#include "rollout/plan.hpp"
#include "rollout/plan_internal.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace leura::rollout {

namespace detail {

std::vector<size_t> wave_targets(const std::vector<config::Amount>& batches, size_t n) {
    std::vector<size_t> out;
    const auto total = static_cast<double>(n);
    for (const auto& amount : batches) {
        double want = amount.percent ? amount.value * total / 100.0 : amount.value;
        // Shares such as 0.1% are inexact in binary; the tolerance keeps 50% of 200 at 100
        // while any real fraction of a host (at least 1/1000 for 0.1% steps) still rounds up.
        want -= 1e-9 * std::max(1.0, want);
        size_t target = 0;
        if (want >= total) {
            target = n;
        } else if (want > 0) {
            target = static_cast<size_t>(std::ceil(want));
        }
        target = std::max(target, out.empty() ? std::min<size_t>(1, n) : out.back());
        out.push_back(target);
    }
    if (out.empty()) out.push_back(n);
    out.back() = n;
    return out;
}

} // namespace detail

namespace {

constexpr uint32_t k_none = UINT32_MAX;

const std::string* find_attr(const inventory::Host& host, const std::string& key) {
    for (const auto& [name, value] : host.attrs)
        if (name == key) return &value;
    return nullptr;
}

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Rows of indices stored back to back: row r is items[offsets[r], offsets[r + 1]).
struct Table {
    std::vector<uint32_t> offsets{0};
    std::vector<uint32_t> items;

    std::span<const uint32_t> row(size_t r) const {
        return {items.data() + offsets[r], items.data() + offsets[r + 1]};
    }
    void end_row() { offsets.push_back(static_cast<uint32_t>(items.size())); }
};

// The first unit of `list` at or after `cursor` that is not taken, moving the cursor up to it.
template <typename Taken>
uint32_t next_free(std::span<const uint32_t> list, uint32_t& cursor, const Taken& taken) {
    while (cursor < list.size() && taken[list[cursor]])
        ++cursor;
    return cursor < list.size() ? list[cursor] : k_none;
}

struct SpreadAttr {
    Table unit_values;                   // per unit, the distinct values its hosts carry
    Table value_units;                   // per value, the units carrying it, by (size, rank)
    std::vector<uint32_t> cursor;        // per value, into value_units
    std::vector<uint32_t> covered_stamp; // per value, the last wave that covered it
    size_t wave_values = 0;              // values covered by the wave being built
};

struct Bucket {
    uint32_t size;
    uint32_t begin; // into Planner::m_order
    uint32_t end;
    uint32_t cursor;
};

struct Candidate {
    uint32_t size;
    uint32_t rank;
    uint32_t value;
    uint32_t unit;
};

bool later(const Candidate& a, const Candidate& b) {
    return std::tie(a.size, a.rank, a.value) > std::tie(b.size, b.rank, b.value);
}

class Planner {
public:
    explicit Planner(const PlanInput& input) : m_input(input) {
        build_units();
        rank_units();
        build_buckets();
        for (const auto& key : input.spread)
            m_spread.push_back(build_spread(key));
    }

    Plan run() {
        Plan plan;
        const auto targets = detail::wave_targets(m_input.batches, m_input.hosts.size());
        for (size_t k = 0; k < targets.size() && !m_input.hosts.empty(); ++k) {
            if (targets[k] <= m_done) continue;
            const size_t need = targets[k] - m_done;
            start_wave(static_cast<uint32_t>(k + 1));
            for (auto& attr : m_spread)
                spread_pass(attr, need);
            fill_pass(need);
            top_up(need);
            plan.waves.push_back(finish_wave(targets[k], need, plan));
        }
        return plan;
    }

private:
    void build_units() {
        const size_t n = m_input.hosts.size();
        std::unordered_map<std::string_view, uint32_t> by_value;
        std::vector<uint32_t> unit_of(n);
        for (size_t h = 0; h < n; ++h) {
            const std::string* value =
                m_input.affinity.empty() ? nullptr : find_attr(*m_input.hosts[h], m_input.affinity);
            auto unit = static_cast<uint32_t>(m_name.size());
            if (value) {
                auto [it, added] = by_value.try_emplace(*value, unit);
                unit = it->second;
                if (!added) {
                    unit_of[h] = unit;
                    ++m_size[unit];
                    continue;
                }
            }
            m_name.push_back(value);
            m_size.push_back(1);
            unit_of[h] = unit;
        }
        // Counting sort by unit keeps each unit's hosts in inventory order.
        m_hosts.offsets.assign(m_size.size() + 1, 0);
        for (size_t u = 0; u < m_size.size(); ++u)
            m_hosts.offsets[u + 1] = m_hosts.offsets[u] + m_size[u];
        m_hosts.items.resize(n);
        std::vector<uint32_t> fill(m_hosts.offsets.begin(), m_hosts.offsets.end() - 1);
        for (size_t h = 0; h < n; ++h)
            m_hosts.items[fill[unit_of[h]]++] = static_cast<uint32_t>(h);
        m_taken.assign(m_size.size(), 0);
    }

    void rank_units() {
        // Units are numbered by their first host, so the identity is the inventory-order rank.
        m_rank.resize(m_size.size());
        std::iota(m_rank.begin(), m_rank.end(), 0u);
        if (m_input.shuffle_seed) {
            uint64_t state = *m_input.shuffle_seed;
            for (size_t i = m_rank.size(); i > 1; --i)
                std::swap(m_rank[i - 1], m_rank[splitmix64(state) % i]);
        }
        // Sorting packed (size, rank) keys is several times faster than a two-field comparator.
        std::vector<uint32_t> unit_at(m_rank.size());
        std::vector<uint64_t> keys(m_rank.size());
        for (uint32_t u = 0; u < m_rank.size(); ++u) {
            unit_at[m_rank[u]] = u;
            keys[u] = uint64_t{m_size[u]} << 32 | m_rank[u];
        }
        std::sort(keys.begin(), keys.end());
        m_order.resize(keys.size());
        for (size_t i = 0; i < keys.size(); ++i)
            m_order[i] = unit_at[static_cast<uint32_t>(keys[i])];
    }

    void build_buckets() {
        for (uint32_t i = 0; i < m_order.size(); ++i) {
            const uint32_t size = m_size[m_order[i]];
            if (m_buckets.empty() || m_buckets.back().size != size)
                m_buckets.push_back({size, i, i, i});
            m_buckets.back().end = i + 1;
        }
    }

    SpreadAttr build_spread(const std::string& key) {
        SpreadAttr attr;
        std::unordered_map<std::string_view, uint32_t> ids;
        std::vector<uint32_t> seen; // per value, 1 + the last unit that listed it
        std::vector<uint32_t> counts;
        for (uint32_t u = 0; u < m_size.size(); ++u) {
            for (uint32_t h : m_hosts.row(u)) {
                const std::string* value = find_attr(*m_input.hosts[h], key);
                if (!value) continue;
                auto [it, added] = ids.try_emplace(*value, static_cast<uint32_t>(seen.size()));
                if (added) {
                    seen.push_back(0);
                    counts.push_back(0);
                }
                const uint32_t v = it->second;
                if (seen[v] == u + 1) continue;
                seen[v] = u + 1;
                ++counts[v];
                attr.unit_values.items.push_back(v);
            }
            attr.unit_values.end_row();
        }
        // Visiting units in (size, rank) order leaves every value's list in that order.
        attr.value_units.offsets.assign(counts.size() + 1, 0);
        for (size_t v = 0; v < counts.size(); ++v)
            attr.value_units.offsets[v + 1] = attr.value_units.offsets[v] + counts[v];
        attr.value_units.items.resize(attr.value_units.offsets.back());
        attr.cursor.assign(counts.size(), 0);
        std::vector<uint32_t> fill(attr.value_units.offsets.begin(),
                                   attr.value_units.offsets.end() - 1);
        for (uint32_t u : m_order)
            for (uint32_t v : attr.unit_values.row(u))
                attr.value_units.items[fill[v]++] = u;
        attr.covered_stamp.assign(counts.size(), 0);
        return attr;
    }

    void start_wave(uint32_t stamp) {
        m_stamp = stamp;
        m_count = 0;
        m_wave.clear();
        for (auto& attr : m_spread)
            attr.wave_values = 0;
    }

    void take(uint32_t unit) {
        m_taken[unit] = 1;
        m_wave.push_back(unit);
        m_count += m_size[unit];
        for (auto& attr : m_spread) {
            for (uint32_t v : attr.unit_values.row(unit)) {
                if (attr.covered_stamp[v] == m_stamp) continue;
                attr.covered_stamp[v] = m_stamp;
                ++attr.wave_values;
            }
        }
    }

    void spread_pass(SpreadAttr& attr, size_t need) {
        if (m_count >= need) return;
        const auto candidate = [&](uint32_t v) -> std::optional<Candidate> {
            const uint32_t u = next_free(attr.value_units.row(v), attr.cursor[v], m_taken);
            if (u == k_none) return std::nullopt;
            return Candidate{m_size[u], m_rank[u], v, u};
        };
        m_heap.clear();
        for (uint32_t v = 0; v < attr.cursor.size(); ++v) {
            if (attr.covered_stamp[v] == m_stamp) continue;
            if (auto c = candidate(v)) m_heap.push_back(*c);
        }
        std::make_heap(m_heap.begin(), m_heap.end(), later);
        while (m_count < need && !m_heap.empty()) {
            std::pop_heap(m_heap.begin(), m_heap.end(), later);
            const Candidate top = m_heap.back();
            m_heap.pop_back();
            if (attr.covered_stamp[top.value] == m_stamp) continue;
            if (m_taken[top.unit]) { // taken since it was queued: requeue the value's next unit
                if (auto c = candidate(top.value)) {
                    m_heap.push_back(*c);
                    std::push_heap(m_heap.begin(), m_heap.end(), later);
                }
                continue;
            }
            take(top.unit);
        }
    }

    uint32_t next_in(Bucket& bucket) {
        const std::span<const uint32_t> all(m_order.data() + bucket.begin,
                                            bucket.end - bucket.begin);
        uint32_t cursor = bucket.cursor - bucket.begin;
        const uint32_t unit = next_free(all, cursor, m_taken);
        bucket.cursor = bucket.begin + cursor;
        return unit;
    }

    void fill_pass(size_t need) {
        size_t b = m_buckets.size();
        while (m_count < need) {
            const size_t room = need - m_count;
            while (b > 0 && (m_buckets[b - 1].size > room || next_in(m_buckets[b - 1]) == k_none))
                --b;
            if (b == 0) return;
            take(next_in(m_buckets[b - 1]));
        }
    }

    void top_up(size_t need) {
        if (m_count >= need) return;
        for (auto& bucket : m_buckets) {
            if (const uint32_t unit = next_in(bucket); unit != k_none) {
                take(unit);
                return;
            }
        }
    }

    Wave finish_wave(size_t target, size_t need, Plan& plan) {
        Wave wave;
        wave.target = target;
        m_done += m_count;
        wave.cumulative = m_done;
        wave.hosts.reserve(m_count);
        uint32_t biggest = m_wave.front();
        for (uint32_t u : m_wave) {
            for (uint32_t h : m_hosts.row(u))
                wave.hosts.push_back(h);
            if (m_name[u]) wave.clusters.push_back(*m_name[u]);
            if (m_size[u] > m_size[biggest]) biggest = u;
        }
        std::sort(wave.hosts.begin(), wave.hosts.end());
        std::sort(wave.clusters.begin(), wave.clusters.end());
        for (const auto& attr : m_spread)
            wave.spread_values.push_back(attr.wave_values);
        if (m_size[biggest] > need) {
            wave.oversized = true;
            const std::string& name =
                m_name[biggest] ? *m_name[biggest] : m_input.hosts[m_hosts.row(biggest)[0]]->name;
            plan.warnings.push_back("wave " + std::to_string(plan.waves.size() + 1) +
                                    ": cluster '" + name + "' (" + std::to_string(m_size[biggest]) +
                                    " hosts) is larger than the wave's target of " +
                                    std::to_string(need) + (need == 1 ? " host" : " hosts"));
        }
        return wave;
    }

    const PlanInput& m_input;
    // Units, numbered by their first host.
    Table m_hosts;                          // per unit, its hosts in inventory order
    std::vector<const std::string*> m_name; // affinity value; null for a host without one
    std::vector<uint32_t> m_size;
    std::vector<uint32_t> m_rank;  // tie-break order among units of equal size
    std::vector<uint32_t> m_order; // units by (size, rank)
    std::vector<Bucket> m_buckets; // runs of m_order with equal size, smallest first
    std::vector<unsigned char> m_taken;
    std::vector<SpreadAttr> m_spread;
    std::vector<Candidate> m_heap;
    // The wave being built.
    uint32_t m_stamp = 0;
    std::vector<uint32_t> m_wave; // units in the order taken
    size_t m_count = 0;
    size_t m_done = 0; // hosts in earlier waves
};

} // namespace

Plan make_plan(const PlanInput& input) {
    return Planner(input).run();
}

} // namespace leura::rollout
