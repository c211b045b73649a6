// SPDX-License-Identifier: Apache-2.0
#pragma once

// Values a step passes on: it writes `name=value` lines to the file $LEURA_OUTPUT names; the
// step's epilogue (exec::OutputCapture) sends that file back hex-encoded on one line of
// stderr behind a token of the run's; ValueCut takes that line out of the stream before
// anything records it, and parse_values reads it. Later steps of the host see each value as
// LEURA_OUT_<NAME>; later stages of a workflow as LEURA_<STAGE>_<NAME> (app/workflow.hpp).
#include "config/task.hpp"
#include "util/error.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace leura::app {

// A value's file, hex-encoded, may be at most this long once decoded; a longer one is refused
// (the step's values are then none, and its record says why).
inline constexpr size_t k_max_values_bytes = 64 * 1024;

// The values of one run, as its steps wrote them.
struct RunValues {
    std::string token; // marks the value line on a step's stderr; random per run
    // host -> name -> value, the newest write winning: what LEURA_OUT_<NAME> exports.
    std::map<std::string, std::map<std::string, std::string>> by_host;
};

// Cuts "\n<token> <hex>\n" out of one stream written in chunks, passing the rest on.
class ValueCut {
public:
    explicit ValueCut(const std::string& token) : m_marker("\n" + token + " ") {}
    // Passes what is not the value line to `emit`; keeps what may be the start of it.
    template <typename Emit> Status take(std::string_view data, Emit emit) {
        if (m_marker.size() == 2) return emit(data); // no token: nothing to cut
        m_held.append(data);
        while (!m_held.empty()) {
            if (m_in_line) {
                size_t nl = m_held.find('\n');
                size_t take = nl == std::string::npos ? m_held.size() : nl;
                m_cut += take;
                if (m_hex.size() + take > 2 * k_max_values_bytes + 2)
                    m_too_long = true;
                else
                    m_hex.append(m_held, 0, take);
                m_held.erase(0, nl == std::string::npos ? m_held.size() : nl + 1);
                if (nl == std::string::npos) return {};
                m_in_line = false;
                m_seen = true;
                continue;
            }
            size_t at = m_held.find(m_marker);
            if (at != std::string::npos) {
                LEURA_TRY(emit(std::string_view(m_held).substr(0, at)));
                m_held.erase(0, at + m_marker.size());
                m_cut += m_marker.size() + 1; // and the newline that ends the line
                m_in_line = true;
                continue;
            }
            size_t keep = partial();
            LEURA_TRY(emit(std::string_view(m_held).substr(0, m_held.size() - keep)));
            m_held.erase(0, m_held.size() - keep);
            return {};
        }
        return {};
    }
    // What is held back as a possible start of the marker, when no more comes: output.
    Status finish(const std::function<Status(std::string_view)>& emit) {
        if (m_in_line || m_held.empty()) return {};
        auto st = emit(m_held);
        m_held.clear();
        return st;
    }
    bool seen() const { return m_seen; }
    bool too_long() const { return m_too_long; }
    const std::string& hex() const { return m_hex; }
    // Bytes of the stream that were the value line (not the step's output).
    size_t cut_bytes() const { return m_cut; }

private:
    size_t partial() const;

    std::string m_marker;
    std::string m_held;
    std::string m_hex;
    bool m_in_line = false;
    bool m_seen = false;
    bool m_too_long = false;
    size_t m_cut = 0;
};

// What a step's value line said: its values in the order written (a name written twice keeps
// its last value), and the problems found (a bad line is skipped, and named).
struct StepValues {
    config::KeyValues values;
    std::vector<std::string> problems;
};
StepValues parse_values(const ValueCut& cut);
// The same, from the file's text itself.
StepValues parse_values_text(std::string_view text);

// A value's name: [A-Za-z_][A-Za-z0-9_]*.
bool is_value_name(std::string_view s);
// NAME as an environment variable's part: upper case, other characters as '_'.
std::string env_part(std::string_view name);

// The values as a JSON object (those named in `secret` as "[secret:NAME]").
std::string values_json(const config::KeyValues& values, const std::vector<std::string>& secret);
// The values back from values_json; empty for anything else.
config::KeyValues parse_values_json(std::string_view json);

} // namespace leura::app
