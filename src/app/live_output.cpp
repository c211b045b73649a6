// SPDX-License-Identifier: Apache-2.0
#include "app/live_output.hpp"
#include "archive/tarball.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace leura::app {

namespace fs = std::filesystem;

bool parse_step_member(const std::string& member, OutputChunk& into) {
    // hosts/<dir>/<NN>-<step>.stdout|.stderr
    if (member.rfind("hosts/", 0) != 0) return false;
    size_t slash = member.find('/', 6);
    if (slash == std::string::npos) return false;
    std::string file = member.substr(slash + 1);
    bool is_stderr = file.ends_with(".stderr");
    if (!is_stderr && !file.ends_with(".stdout")) return false;
    file.resize(file.size() - 7);
    size_t dash = file.find('-');
    if (dash == 0 || dash == std::string::npos) return false;
    int64_t number = 0;
    for (size_t i = 0; i < dash; ++i) {
        if (file[i] < '0' || file[i] > '9' || i > 6) return false;
        number = number * 10 + (file[i] - '0');
    }
    std::string step = file.substr(dash + 1);
    // "<step>.attempt<K>": an earlier attempt, set aside.
    if (auto dot = step.rfind(".attempt"); dot != std::string::npos && dot + 8 < step.size() &&
                                           std::all_of(step.begin() + long(dot) + 8, step.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    into.member = member;
    into.host_dir = member.substr(6, slash - 6);
    into.step_number = number;
    into.step = step;
    into.is_stderr = is_stderr;
    return true;
}

void LiveOutput::poll(const Sink& sink) {
    std::error_code ec;
    std::vector<std::string> members;
    fs::path hosts = m_spool / "hosts";
    for (fs::recursive_directory_iterator it(hosts, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec))
            members.push_back(fs::relative(it->path(), m_spool, ec).string());
    std::sort(members.begin(), members.end());
    std::string buf(64 * 1024, '\0');
    for (const auto& member : members) {
        OutputChunk chunk;
        if (!parse_step_member(member, chunk)) continue;
        int fd = ::open((m_spool / member).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) continue;
        struct stat st {};
        Seen& seen = m_seen[member];
        if (::fstat(fd, &st) == 0 && uint64_t(st.st_ino) != seen.inode) {
            seen = {uint64_t(st.st_ino), 0}; // new, or a retry's next attempt
        }
        // Bounded per poll: a host printing without pause cannot keep this loop here.
        for (int reads = 0; reads < 64; ++reads) {
            ssize_t n = ::pread(fd, buf.data(), buf.size(), off_t(seen.offset));
            if (n <= 0) break;
            seen.offset += uint64_t(n);
            chunk.data = std::string_view(buf.data(), size_t(n));
            sink(chunk);
        }
        ::close(fd);
    }
}

Status LiveOutput::drain(const Sink& sink) {
    std::error_code ec;
    if (!fs::exists(m_archive, ec)) {
        poll(sink); // the archive could not be written: the spool is kept
        return {};
    }
    LEURA_TRY_ASSIGN(members, archive::list_members(m_archive));
    for (const auto& member : members) {
        OutputChunk chunk;
        if (!parse_step_member(member, chunk)) continue;
        uint64_t skip = m_seen[member].offset;
        LEURA_TRY(archive::read_member(m_archive, member, [&](std::string_view data) {
            size_t drop = size_t(std::min<uint64_t>(skip, data.size()));
            skip -= drop;
            data.remove_prefix(drop);
            if (data.empty()) return;
            chunk.data = data;
            sink(chunk);
        }));
    }
    return {};
}

} // namespace leura::app
