// SPDX-License-Identifier: Apache-2.0
#include "app/monitor_state.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace leura::app {

namespace {

constexpr size_t k_kept_results = 64;

// A recovery writes '|' into the results: the trigger's window starts after it (a reaction
// that worked settles the failures before it), the flap window looks across it.
constexpr char k_recovered = '|';

int count_in_last(const std::string& results, size_t n, char what) {
    size_t start = results.rfind(k_recovered);
    start = start == results.npos ? 0 : start + 1;
    const size_t from = results.size() - start > n ? results.size() - n : start;
    return int(std::count(results.begin() + long(from), results.end(), what));
}

// Changes between OK and FAIL among the last `n` results (WARN left out).
int flips_in_last(const std::string& results, size_t n) {
    std::string kept;
    for (char c : results)
        if (c != k_recovered) kept += c;
    const size_t from = kept.size() > n ? kept.size() - n : 0;
    int flips = 0;
    char last = 0;
    for (size_t i = from; i < kept.size(); ++i) {
        if (kept[i] == 'W') continue;
        if (last && kept[i] != last) ++flips;
        last = kept[i];
    }
    return flips;
}

void recovered(MonitorHostState& s) {
    s.failed_reactions = 0;
    s.results += k_recovered;
}

void enter(MonitorHostState& s, const char* state, int64_t now) {
    if (s.state != state) s.changed_at = now;
    s.state = state;
}

std::string words(int64_t seconds) {
    return util::human_duration_ms(seconds * 1000);
}

} // namespace

const char* to_string(CheckResult r) {
    switch (r) {
    case CheckResult::ok:
        return "ok";
    case CheckResult::warn:
        return "warn";
    case CheckResult::fail:
        return "fail";
    case CheckResult::unreachable:
        return "unreachable";
    }
    return "fail";
}

namespace {

// decide() without the note of what became of a reaction; `note` receives that.
Decision decide_step(const config::MonitorDef& m, MonitorHostState& s, const DecideInputs& in,
                     std::string& note) {
    const int64_t now = in.now;
    std::erase_if(s.reactions, [now](int64_t t) { return t <= now - 86400; });
    if (in.result == CheckResult::unreachable && !m.unreachable_fails)
        return {Decision::Act::none, "skip", "unreachable (left out of the window)"};
    const char r = in.result == CheckResult::ok ? 'O' : in.result == CheckResult::warn ? 'W' : 'F';
    s.results += r;
    if (s.results.size() > k_kept_results) s.results.erase(0, s.results.size() - k_kept_results);
    s.ok_streak = r == 'O' ? s.ok_streak + 1 : 0;
    s.flapping = flips_in_last(s.results, size_t(m.flap_window)) >= m.flap_changes;
    const int fails = count_in_last(s.results, size_t(m.window), 'F');
    const std::string k_of_n =
        std::to_string(fails) + " of the last " + std::to_string(m.window) + " checks failed";

    if (s.state == "reacting") {
        if (in.reaction_status.empty() || in.reaction_status == "running")
            return {Decision::Act::none, "skip",
                    "reaction running (run " + s.reaction_run.value_or("?") + ")"};
        const std::string run = s.reaction_run.value_or("?");
        s.reaction_run.reset();
        if (in.reaction_status == "ok") {
            enter(s, "verifying", now);
            note = "reaction " + run + " ended ok";
        } else {
            ++s.failed_reactions;
            enter(s, "failing", now);
            note = "reaction " + run + " ended " + in.reaction_status;
        }
    }
    if (s.state == "verifying") {
        if (r == 'O') {
            enter(s, "ok", now);
            recovered(s);
            return {Decision::Act::none, "recovered", "the check passed after the reaction"};
        }
        if (r == 'W') return {Decision::Act::none, "skip", "verifying: the check warned"};
        ++s.failed_reactions;
        enter(s, "failing", now);
        note += (note.empty() ? "" : " but ") + std::string("the check still fails after it");
    }
    if (s.state != "ok" && s.state != "soft_fail" && s.ok_streak >= m.recoveries) {
        enter(s, "ok", now);
        recovered(s);
        return {Decision::Act::none, "recovered",
                std::to_string(s.ok_streak) + " OK checks in a row"};
    }
    if (s.state == "ok" || s.state == "soft_fail") {
        if (fails >= m.failures) {
            enter(s, "failing", now);
        } else {
            enter(s, fails > 0 ? "soft_fail" : "ok", now);
            return {Decision::Act::none, fails > 0 ? "soft_fail" : "ok",
                    fails > 0 ? k_of_n : "the check passed"};
        }
    }
    // failing or escalated: could it act?
    if (r == 'O')
        return {Decision::Act::none, "skip",
                "recovering: " + std::to_string(s.ok_streak) + " of " +
                    std::to_string(m.recoveries) + " OK checks in a row"};
    const bool breaker = in.fleet.reactions_last_hour >= m.breaker;
    const bool reactions_failed =
        !m.reaction_task.empty() && s.failed_reactions >= m.escalate_after;
    if (!m.escalation_task.empty() && (reactions_failed || breaker || m.reaction_task.empty())) {
        if (s.last_escalation == 0 || now - s.last_escalation >= m.escalate_every.count() / 1000) {
            s.last_escalation = now;
            enter(s, "escalated", now);
            return {Decision::Act::escalate, "escalate",
                    reactions_failed ? std::to_string(s.failed_reactions) +
                                           " reactions in a row did not bring it back"
                    : breaker
                        ? "the breaker tripped: " + std::to_string(in.fleet.reactions_last_hour) +
                              " reactions in the last hour"
                        : k_of_n};
        }
    }
    if (m.reaction_task.empty())
        return {Decision::Act::none, "skip",
                s.state == "escalated"
                    ? "escalated; again in " +
                          words(m.escalate_every.count() / 1000 - (now - s.last_escalation))
                    : "no [reaction]"};
    if (reactions_failed)
        return {Decision::Act::none, "skip",
                "escalated: " + std::to_string(s.failed_reactions) +
                    " reactions in a row failed; no more until it recovers"};
    if (in.muted) return {Decision::Act::none, "skip", "muted"};
    if (s.flapping)
        return {Decision::Act::none, "skip",
                "flapping: " + std::to_string(flips_in_last(s.results, size_t(m.flap_window))) +
                    " OK/FAIL changes in the last " + std::to_string(m.flap_window) + " checks"};
    if (!s.reactions.empty() && now - s.reactions.back() < m.cooldown.count() / 1000)
        return {Decision::Act::none, "skip",
                "cooldown: the last reaction was " + words(now - s.reactions.back()) +
                    " ago (cooldown " + words(m.cooldown.count() / 1000) + ")"};
    if (int(s.reactions.size()) >= m.daily_cap)
        return {Decision::Act::none, "skip",
                "cap: " + std::to_string(s.reactions.size()) + " reactions in 24 hours"};
    if (breaker)
        return {Decision::Act::none, "skip",
                "breaker: " + std::to_string(in.fleet.reactions_last_hour) +
                    " reactions fleet-wide in the last hour"};
    if (in.fleet.reacting >= m.max_hosts)
        return {Decision::Act::none, "skip",
                "fleet limit: " + std::to_string(in.fleet.reacting) + " host" +
                    (in.fleet.reacting == 1 ? "" : "s") + " under reaction already"};
    if (!in.reaction_allowed) return {Decision::Act::none, "skip", "denied: " + in.denied_why};
    s.reactions.push_back(now);
    enter(s, "reacting", now);
    return {Decision::Act::react, "react", k_of_n};
}

} // namespace

Decision decide(const config::MonitorDef& m, MonitorHostState& s, const DecideInputs& in) {
    std::string note;
    Decision d = decide_step(m, s, in, note);
    // What became of the reaction leads, unless the host simply recovered with it.
    if (!note.empty() && d.decision != "recovered") d.reason = note + "; " + d.reason;
    return d;
}

} // namespace leura::app
