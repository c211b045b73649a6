// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/reporter.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace leura::ui {

using Clock = std::chrono::steady_clock;

// What the live view knows of a run, fed by the reporter's events. Pure: a test renders it
// at chosen moments.
class LiveState {
public:
    void run_started(size_t hosts, Clock::time_point now);
    void stage_started(const StageStart& s, Clock::time_point now);
    void batch_started(const BatchStart& b);
    void step_started(const StepStart& s, Clock::time_point now);
    void host_finished(const HostDone& h);
    void stop_requested(const StopNotice& s, Clock::time_point now);

    // The frame: a counts line, then the gate or the stop countdown, then up to `slowest`
    // running hosts, longest first. Each line at most `width` columns.
    std::vector<std::string> render(Clock::time_point now, size_t width, size_t slowest) const;
    // One line for logs that are not a terminal: counts and the slowest running host.
    std::string plain_line(Clock::time_point now) const;
    size_t running() const { return m_running.size(); }

private:
    struct Running {
        std::string step;
        Clock::time_point since; // the step's start
    };
    std::string counts_line(Clock::time_point now) const;
    std::string eta(Clock::time_point now) const;
    std::vector<std::pair<std::string, const Running*>> slowest(size_t n) const;

    Clock::time_point m_started{};
    std::string m_stage;
    size_t m_total = 0, m_done = 0;
    size_t m_ok = 0, m_failed = 0, m_unreachable = 0, m_skipped = 0;
    int m_wave = 0;
    size_t m_waves = 1;
    size_t m_wave_failed = 0;
    std::optional<size_t> m_wave_allowed; // failures the gate allows in this wave
    std::map<std::string, Running> m_running;
    int m_stop_level = 0;
    Clock::time_point m_stop_deadline{};
};

// The one writer of the terminal's bottom lines while a run runs: a thread redraws the frame
// in place on `term` every quarter second, and every line printed above it goes through
// print() so the two never mix. Off a terminal it prints a timestamped plain line every
// `plain_every` instead, never redrawing.
class LiveTerminal {
public:
    struct Options {
        bool redraw = true;    // term is a terminal
        bool multiline = true; // more than the counts line (stdout is the same terminal)
        std::chrono::milliseconds plain_every{0};
    };
    LiveTerminal(std::FILE* term, Options o);
    ~LiveTerminal();
    LiveTerminal(const LiveTerminal&) = delete;
    LiveTerminal& operator=(const LiveTerminal&) = delete;

    // Changes the state under the lock; drawn at the next tick.
    void update(const std::function<void(LiveState&, Clock::time_point)>& change);
    // Clears the frame, runs `write` (which prints lines on any stream), redraws.
    void print(const std::function<void()>& write);
    // Clears the frame and draws no more (the run ended).
    void finish();

private:
    void loop();
    void clear_locked();
    void draw_locked();

    std::FILE* m_term;
    Options m_o;
    std::mutex m_mu;
    std::condition_variable m_cv;
    LiveState m_state;
    bool m_started = false, m_done = false;
    size_t m_drawn = 0; // lines of the frame on screen
    Clock::time_point m_next_plain{};
    std::thread m_thread;
};

} // namespace leura::ui
