// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ssh/transport.hpp"
#include "util/error.hpp"

#include <array>

#include <string>
#include <string_view>

namespace leura::exec {

// One output stream of a step: everything before the marker is the step's; after it, the exit
// status up to the newline; after that, the next step's.
class MarkerCut {
public:
    enum class State { output, status, done };

    // Passes the step's part of `data` to `emit`; keeps what might be the start of a marker.
    template <typename Emit>
    Status take(std::string_view data, const std::string& marker, std::string& left, Emit emit) {
        if (m_state == State::done) {
            left.append(data);
            return {};
        }
        m_held.append(data);
        if (m_state == State::output) {
            size_t at = m_held.find(marker);
            if (at == std::string::npos) {
                size_t keep = partial_marker(marker);
                LEURA_TRY(emit(std::string_view(m_held).substr(0, m_held.size() - keep)));
                m_held.erase(0, m_held.size() - keep);
                return {};
            }
            LEURA_TRY(emit(std::string_view(m_held).substr(0, at)));
            m_held.erase(0, at + marker.size());
            m_state = State::status;
        }
        size_t nl = m_held.find('\n');
        if (nl == std::string::npos) {
            if (m_held.size() > 16)
                return fail(ErrorKind::internal, "the runner's report is garbled");
            return {};
        }
        m_status = m_held.substr(0, nl);
        left.append(m_held, nl + 1);
        m_held.clear();
        m_state = State::done;
        return {};
    }

    bool done() const { return m_state == State::done; }
    const std::string& status() const { return m_status; }
    // The status as a number; -1 when it is not one.
    int exit_status() const {
        int code = 0;
        for (char c : m_status) {
            if (c < '0' || c > '9' || code > 1000) return -1;
            code = code * 10 + (c - '0');
        }
        return m_status.empty() ? -1 : code;
    }
    // Bytes held back as a possible marker, when none came after all: output.
    std::string_view held() const { return m_state == State::output ? m_held : std::string_view(); }

private:
    // The longest tail of m_held that begins the marker (which begins with a newline).
    size_t partial_marker(const std::string& marker) const {
        size_t from = m_held.size() > marker.size() ? m_held.size() - marker.size() + 1 : 0;
        for (size_t at = m_held.find('\n', from); at != std::string::npos;
             at = m_held.find('\n', at + 1))
            if (marker.compare(0, m_held.size() - at, m_held, at) == 0) return m_held.size() - at;
        return 0;
    }

    State m_state = State::output;
    std::string m_held;
    std::string m_status;
};

// A step's stdout and stderr, each cut at the same marker: what comes before goes to the step's
// sink, what comes after to `after` (the next step's output, or dropped).
class MarkedStreams {
public:
    Status take(ssh::Stream stream, std::string_view data, const std::string& marker,
                std::string (&after)[2], ssh::OutputSink& out) {
        int s = stream == ssh::Stream::out ? 0 : 1;
        return m_cut[s].take(data, marker, after[s], [&out, stream](std::string_view part) {
            return part.empty() ? Status() : out.write(stream, part);
        });
    }
    bool done() const { return m_cut[0].done() && m_cut[1].done(); }
    int exit_status() const { return m_cut[0].exit_status(); }
    // Output held back as a possible start of the marker, once no marker will come.
    Status flush_held(ssh::OutputSink& out) const {
        for (int s = 0; s < 2; ++s)
            if (!m_cut[s].held().empty()) LEURA_TRY(out.write(ssh::Stream(s), m_cut[s].held()));
        return {};
    }

private:
    std::array<MarkerCut, 2> m_cut;
};

} // namespace leura::exec
