// SPDX-License-Identifier: Apache-2.0
#include "app/task_versions.hpp"
#include "app/library.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <charconv>

namespace leura::app {

namespace fs = std::filesystem;

const char* to_string(VersionSource source) {
    switch (source) {
    case VersionSource::created:
        return "new";
    case VersionSource::edited:
        return "edit";
    case VersionSource::ran:
        break;
    }
    return "run";
}

Result<bool> save_task_version(Context& ctx, const std::string& name, const fs::path& file,
                               const std::string& content, VersionSource source) {
    LEURA_TRY_ASSIGN(records, ctx.records());
    store::TaskVersion v;
    v.name = name;
    v.path = fs::absolute(file).lexically_normal().string();
    v.sha256 = util::sha256_hex(content);
    v.content = content;
    v.saved_at = util::rfc3339(ctx.clock());
    v.saved_by = ctx.identity.name;
    v.source = to_string(source);
    return records->save_task_version(v);
}

Result<TaskHistory> task_history(Context& ctx, const std::string& name, bool contents) {
    fs::path root = library_root(ctx.settings);
    LEURA_TRY_ASSIGN(file, library_file(root, name));
    LEURA_TRY_ASSIGN(records, ctx.records());
    TaskHistory h;
    h.name = name;
    h.file = file;
    LEURA_TRY_ASSIGN(versions, records->task_versions(name, contents));
    h.versions = std::move(versions);
    auto now = util::read_file(file);
    if (now) {
        h.current_sha256 = util::sha256_hex(*now);
        h.current = std::move(*now);
    } else if (now.error().kind != ErrorKind::not_found) {
        return std::unexpected(now.error());
    } else if (h.versions.empty()) {
        std::string ignored;
        LEURA_TRY(resolve_task(root, name, ignored)); // its not_found, with a did-you-mean
    }
    return h;
}

namespace {

Result<const store::TaskVersion*> version_of(const TaskHistory& h, const std::string& arg) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (ec != std::errc() || end != arg.data() + arg.size())
        return fail(ErrorKind::usage, "'" + arg + "' is not a version number (see: leura task " +
                                          "history " + h.name + ")");
    if (n < 1 || n > int64_t(h.versions.size()))
        return fail(ErrorKind::not_found,
                    "task '" + h.name + "' has no version " + arg +
                        (h.versions.size() == 1 ? " (it has version 1)"
                                                : " (it has versions 1 to " +
                                                      std::to_string(h.versions.size()) + ")"));
    return &h.versions[size_t(n - 1)];
}

DiffSide side_of(const store::TaskVersion& v) {
    return {v.name + " version " + std::to_string(v.number) + " (" + v.saved_at + ", " +
                v.saved_by + ", " + v.source + ")",
            v.content};
}

} // namespace

Result<DiffSides> diff_sides(const TaskHistory& h, const std::optional<std::string>& from,
                             const std::optional<std::string>& to) {
    if (h.versions.empty())
        return fail(ErrorKind::not_found,
                    "task '" + h.name + "' has no saved versions yet (task new, task edit and " +
                        "runs by name save them)");
    DiffSides sides;
    if (from) {
        LEURA_TRY_ASSIGN(v, version_of(h, *from));
        sides.from = side_of(*v);
    } else {
        sides.from = side_of(h.versions.back());
    }
    if (to) {
        LEURA_TRY_ASSIGN(v, version_of(h, *to));
        sides.to = side_of(*v);
    } else if (h.current) {
        sides.to = {h.file.string() + " (now)", *h.current};
    } else {
        return fail(ErrorKind::not_found, "task '" + h.name + "' has no file now (" +
                                              h.file.string() + "); name two versions to compare");
    }
    return sides;
}

} // namespace leura::app
