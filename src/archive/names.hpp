// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace leura::archive {

// One path component that is safe in an archive and on disk whatever a host or step is called:
// only [A-Za-z0-9._-] survive (others become '_'), never "", "." or "..", never a leading '.',
// at most 100 bytes. Distinct inputs may map to the same output; callers make names unique.
std::string sanitize_component(std::string_view name);

// Gives each host a unique sanitized folder name. Names depend on the order hosts are first
// seen, so the spool names them as hosts start and readers replay the recorded start order.
class HostDirs {
public:
    const std::string& get(const std::string& host);

private:
    std::map<std::string, std::string> m_dirs;
    std::set<std::string> m_used;
};

// "hosts/<host>/<NN>-<step>.stdout" (or .stderr), NN the 1-based step number, two digits at
// least. `host_dir` must already be sanitized. An earlier attempt of a retried step keeps its
// output beside the last one's: "<NN>-<step>.attempt<K>.stdout" (attempt > 0).
std::string step_member(std::string_view host_dir, size_t step_index, std::string_view step_name,
                        bool is_stderr, int attempt = 0);

} // namespace leura::archive
