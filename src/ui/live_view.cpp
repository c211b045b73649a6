// SPDX-License-Identifier: Apache-2.0
#include "ui/live_view.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <sys/ioctl.h>
#include <unistd.h>

namespace leura::ui {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

long long ms_between(Clock::time_point from, Clock::time_point to) {
    return std::max<long long>(0, duration_cast<milliseconds>(to - from).count());
}

// "1:05", "12:40", "1:02:03": a clock-like elapsed time that does not jitter in width.
std::string clock_text(long long ms) {
    long long s = ms / 1000;
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

// Cut to `width` columns; every byte here is ASCII or came through terminal_safe.
std::string fit(std::string line, size_t width) {
    if (width > 1 && line.size() >= width) line.resize(width - 1);
    return line;
}

size_t terminal_width(std::FILE* f) {
    winsize ws{};
    if (::ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

} // namespace

void LiveState::run_started(size_t hosts, Clock::time_point now) {
    m_started = now;
    m_total = hosts;
}

// A workflow's stages each count their own hosts.
void LiveState::stage_started(const StageStart& s, Clock::time_point now) {
    *this = LiveState{};
    m_started = now;
    m_total = s.hosts;
    m_stage = s.stage;
}

void LiveState::batch_started(const BatchStart& b) {
    m_wave = b.wave;
    m_waves = b.waves;
    m_wave_failed = 0;
    m_wave_allowed = b.failures_allowed;
}

void LiveState::step_started(const StepStart& s, Clock::time_point now) {
    m_running[s.host] = {util::terminal_safe(s.step, true), now};
}

void LiveState::host_finished(const HostDone& h) {
    m_running.erase(h.host);
    if (h.rollback) return; // counted when the wave ran
    ++m_done;
    if (h.status == "ok")
        ++m_ok;
    else if (h.status == "unreachable")
        ++m_unreachable;
    else if (h.status == "skipped" || h.status == "interrupted")
        ++m_skipped;
    else
        ++m_failed;
    if (h.status == "failed" || h.status == "unreachable" || h.status == "rolled_back")
        ++m_wave_failed;
}

void LiveState::stop_requested(const StopNotice& s, Clock::time_point now) {
    m_stop_level = s.level;
    m_stop_deadline = now + milliseconds(s.grace_ms);
}

std::string LiveState::eta(Clock::time_point now) const {
    if (m_done == 0 || m_done >= m_total || m_stop_level) return "";
    long long spent = ms_between(m_started, now);
    long long left = spent * (long long)(m_total - m_done) / (long long)m_done;
    return ", ETA " + clock_text(left);
}

std::string LiveState::counts_line(Clock::time_point now) const {
    std::string line;
    if (!m_stage.empty()) line += "stage " + m_stage + " | ";
    if (m_waves > 1 && m_wave > 0)
        line += "wave " + std::to_string(m_wave) + "/" + std::to_string(m_waves) + " | ";
    line += std::to_string(m_done) + "/" + std::to_string(m_total) +
            " done: " + std::to_string(m_ok) + " ok, " + std::to_string(m_failed) + " failed, " +
            std::to_string(m_unreachable) + " unreachable";
    if (m_skipped) line += ", " + std::to_string(m_skipped) + " skipped";
    line += " | " + std::to_string(m_running.size()) + " running | " +
            clock_text(ms_between(m_started, now)) + eta(now);
    return line;
}

std::vector<std::pair<std::string, const LiveState::Running*>> LiveState::slowest(size_t n) const {
    std::vector<std::pair<std::string, const Running*>> out;
    for (const auto& [host, r] : m_running)
        out.emplace_back(host, &r);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second->since != b.second->since ? a.second->since < b.second->since
                                                  : a.first < b.first;
    });
    if (out.size() > n) out.resize(n);
    return out;
}

std::vector<std::string> LiveState::render(Clock::time_point now, size_t width, size_t n) const {
    std::vector<std::string> lines{fit(counts_line(now), width)};
    if (n == 0) return lines;
    if (m_stop_level == 1) {
        long long left = ms_between(now, m_stop_deadline);
        lines.push_back(fit("stopping: " + std::to_string((left + 999) / 1000) + "s left for " +
                                std::to_string(m_running.size()) +
                                " running host(s) to finish; Ctrl-C again to abort",
                            width));
    } else if (m_stop_level >= 2) {
        lines.push_back(fit("aborting: ending the running steps", width));
    } else if (m_wave_allowed) {
        size_t left = *m_wave_allowed >= m_wave_failed ? *m_wave_allowed - m_wave_failed : 0;
        lines.push_back(fit("gate: " + std::to_string(m_wave_failed) + " failed of " +
                                std::to_string(*m_wave_allowed) + " allowed in this wave; " +
                                (left ? std::to_string(left) + " more allowed"
                                      : std::string("the next failure halts")),
                            width));
    }
    auto now_ms = [&](const Running* r) { return ms_between(r->since, now); };
    for (const auto& [host, r] : slowest(n)) {
        char dur[32];
        std::snprintf(dur, sizeof dur, "%7s", util::human_duration_ms(now_ms(r)).c_str());
        lines.push_back(fit("  " + std::string(dur) + "  " + host + "  " + r->step, width));
    }
    return lines;
}

std::string LiveState::plain_line(Clock::time_point now) const {
    std::string line = counts_line(now);
    auto top = slowest(1);
    if (!top.empty())
        line += " | slowest: " + top[0].first + " " + top[0].second->step + " for " +
                util::human_duration_ms(ms_between(top[0].second->since, now));
    return line;
}

LiveTerminal::LiveTerminal(std::FILE* term, Options o) : m_term(term), m_o(o) {
    m_next_plain = Clock::now() + m_o.plain_every;
    if (m_o.redraw || m_o.plain_every.count() > 0) m_thread = std::thread([this] { loop(); });
}

LiveTerminal::~LiveTerminal() {
    finish();
}

void LiveTerminal::update(const std::function<void(LiveState&, Clock::time_point)>& change) {
    std::lock_guard lock(m_mu);
    change(m_state, Clock::now());
    m_started = true;
}

void LiveTerminal::print(const std::function<void()>& write) {
    std::lock_guard lock(m_mu);
    clear_locked();
    write();
    if (m_o.redraw && !m_done) draw_locked();
}

void LiveTerminal::finish() {
    {
        std::lock_guard lock(m_mu);
        if (m_done && !m_thread.joinable()) return;
        m_done = true;
        clear_locked();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void LiveTerminal::loop() {
    std::unique_lock lock(m_mu);
    while (!m_done) {
        m_cv.wait_for(lock, std::chrono::milliseconds(250));
        if (m_done || !m_started) continue;
        if (m_o.redraw) {
            clear_locked();
            draw_locked();
        } else if (Clock::now() >= m_next_plain) {
            m_next_plain = Clock::now() + m_o.plain_every;
            if (m_state.running() == 0) continue;
            std::fprintf(m_term, "%s leura: %s\n", util::now_rfc3339().c_str(),
                         m_state.plain_line(Clock::now()).c_str());
            std::fflush(m_term);
        }
    }
}

// The cursor rests at the end of the frame's last line: up to its first, then clear below.
void LiveTerminal::clear_locked() {
    if (!m_drawn) return;
    std::string seq = "\r";
    if (m_drawn > 1) seq += "\033[" + std::to_string(m_drawn - 1) + "A";
    seq += "\033[J";
    std::fputs(seq.c_str(), m_term);
    std::fflush(m_term);
    m_drawn = 0;
}

void LiveTerminal::draw_locked() {
    if (!m_o.redraw || !m_started) return;
    size_t width = terminal_width(m_term);
    auto lines = m_state.render(Clock::now(), width, m_o.multiline ? 5 : 0);
    std::string frame;
    for (size_t i = 0; i < lines.size(); ++i)
        frame += (i ? "\n" : "") + lines[i];
    std::fputs(frame.c_str(), m_term);
    std::fflush(m_term);
    m_drawn = lines.size();
}

} // namespace leura::ui
