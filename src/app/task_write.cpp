// SPDX-License-Identifier: Apache-2.0
#include "app/task_write.hpp"
#include "app/prepare.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unistd.h>
#include <vector>

namespace leura::app {

namespace fs = std::filesystem;

namespace {

// A hidden name beside `file`, unique to this process: `.NAME.toml.WHAT-PID`.
fs::path beside(const fs::path& file, const char* what) {
    return file.parent_path() /
           ("." + file.filename().string() + "." + what + "-" + std::to_string(::getpid()));
}

Status write_whole(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return fail(ErrorKind::io, "cannot write " + path.string());
    return {};
}

} // namespace

config::Diagnostics validate_task_text(const fs::path& file, const std::string& text) {
    config::Diagnostics diags;
    // A new task's folders are made for the check and removed after it (when still empty).
    std::vector<fs::path> made;
    std::error_code ec;
    for (fs::path dir = file.parent_path(); !dir.empty() && !fs::exists(dir, ec);
         dir = dir.parent_path())
        made.push_back(dir);
    fs::create_directories(file.parent_path(), ec);
    struct Unmake {
        std::vector<fs::path>& dirs;
        ~Unmake() {
            std::error_code ignored;
            for (const auto& d : dirs)
                fs::remove(d, ignored);
        }
    } unmake{made};
    fs::path probe = beside(file, "check");
    probe += ".toml";
    if (auto st = write_whole(probe, text); !st) {
        fs::remove(probe, ec);
        diags.add(SourcePos{file.string(), 0, 0}, st.error().message);
        return diags;
    }
    check_files({probe.string()}, diags);
    fs::remove(probe, ec);
    // Name the real file in the messages, not the probe.
    config::Diagnostics named;
    for (const auto& d : diags.items()) {
        SourcePos pos = d.pos;
        if (pos.file == probe.string()) pos.file = file.string();
        named.add(pos, d.message, d.source_line);
    }
    return named;
}

Status install_task_text(const fs::path& file, const std::string& text, bool create) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    fs::path tmp = beside(file, "new");
    if (auto st = write_whole(tmp, text); !st) {
        fs::remove(tmp, ec);
        return st;
    }
    if (create) {
        // link(2) fails if the name appeared meanwhile: never overwrite.
        int rc = ::link(tmp.c_str(), file.c_str());
        int err = errno;
        fs::remove(tmp, ec);
        if (rc == 0) return {};
        if (err == EEXIST)
            return fail(ErrorKind::usage,
                        file.string() + " exists already; leura never overwrites a new task");
        return fail(ErrorKind::io, "cannot create " + file.string() + ": " + std::strerror(err));
    }
    fs::rename(tmp, file, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return fail(ErrorKind::io, "cannot replace " + file.string() + ": " + ec.message());
    }
    return {};
}

} // namespace leura::app
