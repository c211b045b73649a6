// SPDX-License-Identifier: Apache-2.0
#include "app/stage_graph.hpp"

namespace leura::app {

const char* to_string(StageState s) {
    switch (s) {
    case StageState::pending:
        return "pending";
    case StageState::ok:
        return "ok";
    case StageState::passed:
        return "passed";
    case StageState::failed:
        return "failed";
    case StageState::halted:
        return "halted";
    case StageState::interrupted:
        return "interrupted";
    case StageState::skipped:
        return "skipped";
    case StageState::not_needed:
        return "not_needed";
    }
    return "pending";
}

StageDecision decide_stage(const std::vector<config::Stage>& stages, size_t i,
                           const std::vector<StageOutcome>& outcomes) {
    const config::Stage& s = stages[i];
    std::string failure; // the first failure among those it follows, as a reason
    std::string partial; // the first that passed with failed hosts (gate: continue)
    std::string skipped; // the first reason a stage it follows was skipped
    for (const auto& name : s.after) {
        size_t j = config::stage_index(stages, name);
        if (j == std::string::npos) continue;
        const StageOutcome& o = outcomes[j];
        switch (o.state) {
        case StageState::pending:
        case StageState::interrupted:
            return {StageVerdict::wait, {}};
        case StageState::failed:
        case StageState::halted:
            if (failure.empty())
                failure = "stage " + name + (o.state == StageState::halted ? " halted" : " failed");
            break;
        case StageState::passed:
            if (partial.empty()) partial = "stage " + name + " failed on some hosts";
            [[fallthrough]];
        case StageState::ok:
            if (o.handled && failure.empty()) failure = o.cause;
            break;
        case StageState::skipped:
            if (skipped.empty()) skipped = o.reason;
            break;
        case StageState::not_needed:
            break;
        }
    }
    if (s.when_failed) {
        if (!failure.empty()) return {StageVerdict::run, failure};
        if (!partial.empty()) return {StageVerdict::run, partial};
        return {StageVerdict::not_needed, skipped.empty() ? "no stage it follows failed" : skipped};
    }
    if (!failure.empty()) return {StageVerdict::skip, failure};
    if (!skipped.empty()) return {StageVerdict::skip, skipped};
    return {StageVerdict::run, {}};
}

std::vector<size_t> stages_to_roll_back(const std::vector<size_t>& completed,
                                        const std::vector<StageOutcome>& outcomes) {
    std::vector<size_t> out;
    for (auto it = completed.rbegin(); it != completed.rend(); ++it) {
        const auto& o = outcomes[*it];
        if ((o.state == StageState::ok || o.state == StageState::passed) && !o.handled)
            out.push_back(*it);
    }
    return out;
}

} // namespace leura::app
