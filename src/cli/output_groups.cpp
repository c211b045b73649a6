// SPDX-License-Identifier: Apache-2.0
#include "cli/output_groups.hpp"
#include "cli/report.hpp"
#include "inventory/range.hpp"
#include "util/json.hpp"

#include <algorithm>
#include <map>

namespace leura::cli {

std::vector<OutputGroup> group_outputs(const std::vector<const store::StepRecord*>& steps) {
    std::map<std::string, size_t> index;
    std::vector<OutputGroup> groups;
    for (const auto* s : steps) {
        // The digest of the whole output: previews of long outputs that differ only in the
        // middle are alike. Runs recorded before the digest existed fall back to previews.
        std::string key =
            s->status + '\0' + std::to_string(s->exit_code.value_or(-1)) + '\0' +
            s->error_kind.value_or("") + '\0' +
            (s->output_sha256 ? *s->output_sha256 : s->preview_out + '\0' + s->preview_err);
        auto [it, fresh] = index.try_emplace(std::move(key), groups.size());
        if (fresh) groups.push_back({s, {}});
        groups[it->second].hosts.push_back(s->host);
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.hosts.size() > b.hosts.size(); });
    return groups;
}

namespace {

std::string ending_of(const store::StepRecord& s) {
    if (s.status == "ok") return "";
    if (s.exit_code) return "exit " + std::to_string(*s.exit_code);
    if (s.signal) return "signal " + *s.signal;
    return s.status + (s.error ? ": " + *s.error : "");
}

bool truncated(const store::StepRecord& s) {
    return s.preview_out.size() < size_t(s.bytes_out) || s.preview_err.size() < size_t(s.bytes_err);
}

} // namespace

void MarkedStderr::write(std::string_view data) {
    for (char c : data) {
        m_line += c;
        if (c == '\n') {
            std::fputs("[stderr] ", m_to);
            write_host_output(m_to, m_line);
            m_line.clear();
        }
    }
}

void MarkedStderr::end() {
    if (m_line.empty()) return;
    m_line += '\n';
    std::fputs("[stderr] ", m_to);
    write_host_output(m_to, m_line);
    m_line.clear();
}

bool print_groups(std::FILE* to, const std::vector<OutputGroup>& groups) {
    bool shortened = false;
    for (const auto& g : groups) {
        const store::StepRecord& s = *g.sample;
        std::string ending = ending_of(s);
        std::fprintf(to, "---------------- %s (%zu)%s%s\n", inventory::fold_hosts(g.hosts).c_str(),
                     g.hosts.size(), ending.empty() ? "" : " ", ending.c_str());
        write_host_output(to, s.preview_out);
        if (!s.preview_out.empty() && s.preview_out.back() != '\n') std::fputc('\n', to);
        MarkedStderr err(to);
        err.write(s.preview_err);
        err.end();
        shortened = shortened || truncated(s);
    }
    std::fflush(to);
    return shortened;
}

void print_groups_json(std::FILE* to, const std::string& run_id,
                       const std::vector<OutputGroup>& groups) {
    for (const auto& g : groups) {
        const store::StepRecord& s = *g.sample;
        util::JsonObject o;
        o.add("event", "output_group").add("run", run_id).add("step", s.name);
        o.add("hosts", inventory::fold_hosts(g.hosts)).add("count", g.hosts.size());
        o.add("status", s.status).add("exit", s.exit_code).add("signal", s.signal);
        o.add("error", s.error).add("stdout", s.preview_out).add("stderr", s.preview_err);
        o.add("truncated", truncated(s));
        std::fprintf(to, "%s\n", o.str().c_str());
    }
    std::fflush(to);
}

} // namespace leura::cli
