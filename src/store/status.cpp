// SPDX-License-Identifier: Apache-2.0
#include "store/status.hpp"

#include <array>
#include <utility>

namespace leura::store {

namespace {

template <typename E, size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& names, E e) {
    for (const auto& [value, name] : names)
        if (value == e) return name;
    return "unknown";
}

template <typename E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, const char*>, N>& names,
                          std::string_view s) {
    for (const auto& [value, name] : names)
        if (s == name) return value;
    return std::nullopt;
}

constexpr std::array<std::pair<RunStatus, const char*>, 7> k_run{{
    {RunStatus::running, "running"},
    {RunStatus::ok, "ok"},
    {RunStatus::failed, "failed"},
    {RunStatus::halted, "halted"},
    {RunStatus::declined, "declined"},
    {RunStatus::interrupted, "interrupted"},
    {RunStatus::skipped, "skipped"},
}};
constexpr std::array<std::pair<HostState, const char*>, 7> k_host{{
    {HostState::running, "running"},
    {HostState::ok, "ok"},
    {HostState::failed, "failed"},
    {HostState::unreachable, "unreachable"},
    {HostState::skipped, "skipped"},
    {HostState::interrupted, "interrupted"},
    {HostState::rolled_back, "rolled_back"},
}};
constexpr std::array<std::pair<StepState, const char*>, 5> k_step{{
    {StepState::running, "running"},
    {StepState::ok, "ok"},
    {StepState::failed, "failed"},
    {StepState::unchanged, "unchanged"},
    {StepState::skipped, "skipped"},
}};

} // namespace

const char* to_string(RunStatus s) {
    return name_of(k_run, s);
}
const char* to_string(HostState s) {
    return name_of(k_host, s);
}
const char* to_string(StepState s) {
    return name_of(k_step, s);
}
std::optional<RunStatus> parse_run_status(std::string_view s) {
    return value_of(k_run, s);
}
std::optional<HostState> parse_host_state(std::string_view s) {
    return value_of(k_host, s);
}
std::optional<StepState> parse_step_state(std::string_view s) {
    return value_of(k_step, s);
}

} // namespace leura::store
