// SPDX-License-Identifier: Apache-2.0
// The [rollout] table of a task file (docs/rollouts.md) and the host amounts it is written in.
// Like the rest of the task reader, every problem is reported and none stops the reading.
#include "config/task.hpp"

#include "config/toml_util.hpp"
#include "util/strings.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

namespace leura::config {

namespace {

using detail::Reporter;

const detail::KeySet k_rollout_keys{
    {"batches", "affinity", "spread", "max_failed", "max_failed_total", "on_failure", "pause",
     "concurrency", "on_host_failure"},
    {},
};

const std::vector<std::string> k_on_failure{"stop", "rollback", "continue"};
const std::vector<std::string> k_pause_words{"none", "confirm"};

const char* const k_amount_hint = "a host count or a percentage such as \"5%\"";

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

size_t count_digits(std::string_view s, size_t from) {
    size_t n = from;
    while (n < s.size() && is_digit(s[n]))
        ++n;
    return n - from;
}

// An amount written as a TOML integer (a count) or a string for parse_amount; nullopt, without
// a report, for anything else.
std::optional<Amount> to_amount(const toml::node& node) {
    if (const auto* i = node.as_integer()) {
        if (i->get() < 0) return std::nullopt;
        return Amount{false, static_cast<double>(i->get())};
    }
    if (const auto* s = node.as_string()) return parse_amount(s->get());
    return std::nullopt;
}

std::optional<Amount> read_amount(const toml::node& node, std::string_view name, Reporter& r) {
    auto amount = to_amount(node);
    if (!amount) r.error(node, "'" + std::string(name) + "' must be " + k_amount_hint);
    return amount;
}

// At least one batch, each an amount greater than zero; every bad entry is reported.
std::optional<std::vector<Amount>> read_batches(const toml::node& node, Reporter& r) {
    const auto* array = node.as_array();
    if (!array) {
        r.error(node, std::string("'batches' must be an array of host counts and percentages, "
                                  "such as [\"1%\", \"5%\", \"50%\", \"100%\"]"));
        return std::nullopt;
    }
    if (array->empty()) {
        r.error(node, "'batches' needs at least one batch");
        return std::nullopt;
    }
    std::vector<Amount> batches;
    bool ok = true;
    for (const auto& item : *array) {
        auto amount = to_amount(item);
        if (!amount) {
            r.error(item, std::string("every entry of 'batches' must be ") + k_amount_hint);
            ok = false;
        } else if (amount->value <= 0) {
            r.error(item, "every entry of 'batches' must be greater than zero");
            ok = false;
        } else {
            batches.push_back(*amount);
        }
    }
    if (!ok) return std::nullopt;
    return batches;
}

std::optional<std::vector<std::string>> read_spread(const toml::node& node, Reporter& r) {
    auto spread = detail::read_string_array(node, "spread", r);
    if (!spread) return std::nullopt;
    bool ok = true;
    for (const auto& item : *node.as_array()) {
        if (item.as_string()->get().empty()) {
            r.error(item, "every entry of 'spread' must be an attribute name, not empty");
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return spread;
}

// "none", "confirm" or a duration.
void read_pause(Rollout& rollout, const toml::node& node, Reporter& r) {
    if (const auto* s = node.as_string()) {
        const std::string& text = s->get();
        if (text == "none" || text == "confirm") {
            rollout.pause = text == "none" ? Pause::none : Pause::confirm;
            return;
        }
        if (!parse_duration(text)) {
            r.error(node, "'pause' must be \"none\", \"confirm\" or a duration such as \"5m\"" +
                              detail::did_you_mean(text, k_pause_words));
            return;
        }
    } else if (!node.as_integer()) {
        r.error(node, "'pause' must be \"none\", \"confirm\" or a duration such as \"5m\"");
        return;
    }
    if (auto duration = detail::read_duration(node, "pause", r)) {
        rollout.pause = Pause::duration;
        rollout.pause_for = *duration;
    }
}

void read_on_failure(Rollout& rollout, const toml::node& node, bool has_rollback_steps,
                     Reporter& r) {
    auto choice = detail::read_choice(node, "on_failure", k_on_failure, r);
    if (!choice) return;
    rollout.on_failure = *choice == 0   ? OnFailure::stop
                         : *choice == 1 ? OnFailure::rollback
                                        : OnFailure::continue_;
    if (rollout.on_failure == OnFailure::rollback && !has_rollback_steps)
        r.error(node, "on_failure = \"rollback\" needs [[rollback]] steps");
}

void read_rollout_key(Rollout& rollout, const std::string& name, const toml::node& value,
                      bool has_rollback_steps, Reporter& r) {
    if (name == "batches") {
        if (auto v = read_batches(value, r)) rollout.batches = std::move(*v);
    } else if (name == "affinity") {
        if (auto v = detail::read_non_empty(value, name, r)) {
            rollout.affinity = std::move(*v);
            rollout.affinity_set = true;
            rollout.affinity_pos = r.pos(value.source());
        }
    } else if (name == "spread") {
        if (auto v = read_spread(value, r)) {
            rollout.spread = std::move(*v);
            rollout.spread_pos.clear();
            for (const auto& item : *value.as_array())
                rollout.spread_pos.push_back(r.pos(item.source()));
        }
    } else if (name == "max_failed") {
        if (auto v = read_amount(value, name, r)) rollout.max_failed = *v;
    } else if (name == "max_failed_total") {
        rollout.max_failed_total = read_amount(value, name, r);
    } else if (name == "on_failure") {
        read_on_failure(rollout, value, has_rollback_steps, r);
    } else if (name == "on_host_failure") {
        auto choice = detail::read_choice(value, name, {"none", "rollback"}, r);
        if (choice)
            rollout.on_host_failure = *choice ? OnHostFailure::rollback : OnHostFailure::none;
        if (choice && *choice && !has_rollback_steps)
            r.error(value, "on_host_failure = \"rollback\" needs [[rollback]] steps");
    } else if (name == "pause") {
        read_pause(rollout, value, r);
    } else if (name == "concurrency") {
        if (auto v = detail::read_integer(value, name, 1, std::numeric_limits<int64_t>::max(), r))
            rollout.concurrency = static_cast<size_t>(*v);
    }
}

} // namespace

std::optional<Amount> parse_amount(const std::string& text) {
    std::string_view s = text;
    const bool percent = s.ends_with('%');
    if (percent) s.remove_suffix(1);
    // Digits only, and for a percentage one optional fraction: no sign, space, exponent or hex.
    size_t end = count_digits(s, 0);
    if (end == 0) return std::nullopt;
    if (percent && end < s.size() && s[end] == '.') {
        size_t fraction = count_digits(s, end + 1);
        if (fraction == 0) return std::nullopt;
        end += 1 + fraction;
    }
    if (end != s.size()) return std::nullopt;
    const char* first = s.data();
    const char* last = s.data() + s.size();
    if (percent) {
        double value = 0;
        auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::fixed);
        if (ec != std::errc() || ptr != last || value > 100) return std::nullopt;
        return Amount{true, value};
    }
    uint64_t count = 0;
    auto [ptr, ec] = std::from_chars(first, last, count);
    if (ec != std::errc() || ptr != last) return std::nullopt;
    return Amount{false, static_cast<double>(count)};
}

std::optional<std::vector<Amount>> parse_amounts(const std::string& csv) {
    std::vector<Amount> amounts;
    for (const auto& item : util::split(csv, ',')) {
        auto amount = parse_amount(std::string(util::trim(item)));
        if (!amount) return std::nullopt;
        amounts.push_back(*amount);
    }
    return amounts;
}

namespace detail {

std::optional<Rollout> read_rollout(const toml::node& node, bool has_rollback_steps, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, "'rollout' must be a table, as written with [rollout]");
        return std::nullopt;
    }
    size_t before = r.count();
    Rollout rollout;
    rollout.pos = table_pos(*table, r);
    for (const auto& [key, value] : in_source_order(*table)) {
        if (check_key(*key, k_rollout_keys, "[rollout]", r))
            read_rollout_key(rollout, name_of(*key), *value, has_rollback_steps, r);
    }
    if (r.count() != before) return std::nullopt;
    return rollout;
}

} // namespace detail

} // namespace leura::config
