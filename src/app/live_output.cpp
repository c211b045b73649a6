// SPDX-License-Identifier: Apache-2.0
#include "app/live_output.hpp"
#include "archive/tarball.hpp"

#include <algorithm>
#include <fcntl.h>
#include <set>
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

int parse_attempt_member(const std::string& member, std::string& step_member) {
    size_t stream = member.rfind('.');
    if (stream == std::string::npos) return 0;
    size_t dot = member.rfind(".attempt", stream);
    if (dot == std::string::npos || dot + 8 >= stream || stream - dot - 8 > 6) return 0;
    int k = 0;
    for (size_t i = dot + 8; i < stream; ++i) {
        if (member[i] < '0' || member[i] > '9') return 0;
        k = k * 10 + (member[i] - '0');
    }
    step_member = member.substr(0, dot) + member.substr(stream);
    OutputChunk check;
    return k > 0 && parse_step_member(step_member, check) ? k : 0;
}

namespace {

// A run's step members, each with the attempts set aside beside it.
struct Members {
    std::map<std::string, std::map<int, std::string>> steps; // member -> attempt -> its member
    std::set<std::string> present;                           // the step members that exist
};

Members group(const std::vector<std::string>& names) {
    Members m;
    for (const auto& name : names) {
        OutputChunk chunk;
        std::string of;
        if (parse_step_member(name, chunk)) {
            m.steps[name];
            m.present.insert(name);
        } else if (int k = parse_attempt_member(name, of)) {
            m.steps[of][k] = name;
        }
    }
    return m;
}

} // namespace

Result<bool> LiveOutput::pass_on_set_aside(Seen& seen, const std::map<int, std::string>& attempts,
                                           const OutputChunk& as, const Reader& read) {
    bool first = true;
    for (const auto& [k, member] : attempts) {
        if (seen.set_aside.contains(k)) continue;
        LEURA_TRY(read(member, first ? seen.offset : 0, as));
        seen.set_aside.insert(k);
        first = false;
    }
    if (first) return false;
    seen.offset = 0;
    seen.inode = 0;
    seen.waited = false;
    return true;
}

void LiveOutput::poll(const Sink& sink) {
    std::error_code ec;
    std::vector<std::string> names;
    fs::path hosts = m_spool / "hosts";
    for (fs::recursive_directory_iterator it(hosts, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec))
            names.push_back(fs::relative(it->path(), m_spool, ec).string());
    Members members = group(names);
    std::string buf(64 * 1024, '\0');
    // Reads from `from` on; `bounded`: at most 64 reads, so a host printing without pause
    // cannot keep this loop here (an attempt set aside is finished and read whole).
    auto read_fd = [&](int fd, uint64_t from, OutputChunk& as, bool bounded) {
        for (int reads = 0; !bounded || reads < 64; ++reads) {
            ssize_t n = ::pread(fd, buf.data(), buf.size(), off_t(from));
            if (n <= 0) break;
            from += uint64_t(n);
            as.data = std::string_view(buf.data(), size_t(n));
            sink(as);
        }
        return from;
    };
    Reader read_set_aside = [&](const std::string& member, uint64_t from,
                                OutputChunk as) -> Result<uint64_t> {
        int fd = ::open((m_spool / member).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) return from;
        uint64_t to = read_fd(fd, from, as, false);
        ::close(fd);
        return to;
    };
    for (const auto& [member, attempts] : members.steps) {
        OutputChunk chunk;
        parse_step_member(member, chunk);
        Seen& seen = m_seen[member];
        (void)pass_on_set_aside(seen, attempts, chunk, read_set_aside); // reading never fails
        if (!members.present.contains(member)) continue;
        int fd = ::open((m_spool / member).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) continue;
        struct stat st {};
        if (::fstat(fd, &st) == 0 && uint64_t(st.st_ino) != seen.inode) {
            // Replaced after the listing: the rest of the old file is in an attempt the next
            // listing shows (an empty one is removed, not set aside: nothing to wait for).
            if (seen.inode != 0 && seen.offset > 0 && !seen.waited) {
                seen.waited = true;
                ::close(fd);
                continue;
            }
            seen.inode = uint64_t(st.st_ino);
            seen.offset = 0;
            seen.waited = false;
        }
        seen.offset = read_fd(fd, seen.offset, chunk, true);
        ::close(fd);
    }
}

Status LiveOutput::drain(const Sink& sink) {
    std::error_code ec;
    if (!fs::exists(m_archive, ec)) {
        poll(sink); // the archive could not be written: the spool is kept
        return {};
    }
    LEURA_TRY_ASSIGN(names, archive::list_members(m_archive));
    Reader read = [&](const std::string& member, uint64_t from,
                      OutputChunk as) -> Result<uint64_t> {
        uint64_t skip = from, at = 0;
        LEURA_TRY(archive::read_member(m_archive, member, [&](std::string_view data) {
            at += data.size();
            size_t drop = size_t(std::min<uint64_t>(skip, data.size()));
            skip -= drop;
            data.remove_prefix(drop);
            if (data.empty()) return;
            as.data = data;
            sink(as);
        }));
        return std::max(at, from);
    };
    Members members = group(names);
    for (const auto& [member, attempts] : members.steps) {
        OutputChunk chunk;
        parse_step_member(member, chunk);
        Seen& seen = m_seen[member];
        LEURA_TRY(pass_on_set_aside(seen, attempts, chunk, read));
        if (!members.present.contains(member)) continue;
        LEURA_TRY_ASSIGN(to, read(member, seen.offset, chunk));
        seen.offset = to;
    }
    return {};
}

} // namespace leura::app
