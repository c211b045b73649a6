// SPDX-License-Identifier: Apache-2.0
// Hosts whose step printed the same and ended the same, as clush -b groups them: what `exec`
// prints after its run and `show --grouped` prints for any run's step.
#pragma once

#include "store/store.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace leura::cli {

struct OutputGroup {
    const store::StepRecord* sample;
    std::vector<std::string> hosts;
};

// Groups by the digest of the whole output (both streams) and the ending; largest group first.
std::vector<OutputGroup> group_outputs(const std::vector<const store::StepRecord*>& steps);

// Each group: a header line with its folded hosts, then its stdout, then its stderr with
// every line marked "[stderr] ", all on `to`, so a pipe keeps a group together. Returns whether
// a preview was shorter than its output (the caller points at `logs --full`).
bool print_groups(std::FILE* to, const std::vector<OutputGroup>& groups);

// The groups as JSON objects, one per line: hosts (folded), count, status, exit, stdout, stderr
// (the previews; "truncated" says whether they are all of it).
void print_groups_json(std::FILE* to, const std::string& run_id,
                       const std::vector<OutputGroup>& groups);

// Writes a stream's lines with "[stderr] " before each (a last line without a newline gets
// one), through write_host_output.
class MarkedStderr {
public:
    explicit MarkedStderr(std::FILE* to) : m_to(to) {}
    void write(std::string_view data);
    void end();

private:
    std::FILE* m_to;
    std::string m_line;
};

} // namespace leura::cli
