// SPDX-License-Identifier: Apache-2.0
// `leura task edit`: the editor works on a private copy; a valid copy replaces the task
// atomically, an invalid one is never installed (edit again, or it is kept aside), as visudo
// does. On a shared controller the editor runs as the person, never as the service account
// (the sudoedit model): the person's own process gets the text from the service side
// (--print-text), runs their editor unprivileged, and hands the result back (--save-over),
// which the service side checks, validates and saves.
#include "app/library.hpp"
#include "app/service.hpp"
#include "app/task_versions.hpp"
#include "app/task_write.hpp"
#include "cli/cmd_task.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <sys/wait.h>
#include <unistd.h>

namespace leura::cli {

namespace {

namespace fs = std::filesystem;

// Runs $VISUAL or $EDITOR (else vi) on `file`; its exit status.
int run_editor(const fs::path& file) {
    const char* editor = std::getenv("VISUAL");
    if (!editor || !*editor) editor = std::getenv("EDITOR");
    if (!editor || !*editor) editor = "vi";
    // The editor's command line is the user's own ($EDITOR may carry flags: "code -w"); the
    // file is an argument, never part of the command text.
    std::string cmd = std::string(editor) + " \"$1\"";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), "sh", file.c_str(), (char*)nullptr);
        ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A new private file (0600) for the copy the editor works on; its descriptor stays open.
Result<std::pair<fs::path, int>> private_file() {
    char tmpl[] = "/tmp/leura-edit-XXXXXX.toml";
    int fd = ::mkstemps(tmpl, 5);
    if (fd < 0) return fail(ErrorKind::io, std::string("mkstemp: ") + std::strerror(errno));
    return std::pair<fs::path, int>(fs::path(tmpl), fd);
}

Status write_all(int fd, const std::string& text) {
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail(ErrorKind::io, std::string("write: ") + std::strerror(errno));
        p += n;
        left -= size_t(n);
    }
    return {};
}

// Validates `text` as the new version of task `name` (now `original` in `file`) and installs
// it: 0; or ExitCode::usage with its problems printed (the person may edit again).
int save_text(app::Context& ctx, const std::string& name, const fs::path& file,
              const std::string& original, const std::string& text) {
    auto diags = app::validate_task_text(file, text);
    if (!diags.empty()) {
        for (const auto& d : diags.items())
            std::fprintf(stderr, "%s\n", config::format(d).c_str());
        return to_int(ExitCode::usage);
    }
    if (auto st = app::install_task_text(file, text, false); !st) return report(st.error());
    if (auto saved = app::save_task_version(ctx, name, file, text, app::VersionSource::edited);
        !saved)
        warn_unsaved_version(name, saved.error());
    audit_task(ctx, "task edit", name,
               "sha256 " + util::sha256_hex(original) + " -> " + util::sha256_hex(text));
    std::fprintf(stderr, "leura: task '%s' saved\n", name.c_str());
    return 0;
}

// The editor on `copy` (which holds `original`) until a changed text is saved, nothing
// changed, or the person gives up. `save` tries a changed text: 0 saved, ExitCode::usage not
// valid (said; the person may edit again), else another failure (said).
int edit_loop(const std::string& name, const fs::path& copy, const std::string& original,
              const std::function<int(const std::string&)>& save) {
    for (;;) {
        int rc = run_editor(copy);
        auto read = util::read_file(copy);
        if (!read) {
            int failed = report(read.error());
            std::fprintf(stderr, "leura: task '%s' is unchanged\n", name.c_str());
            return failed;
        }
        const std::string& text = *read;
        if (rc != 0) {
            std::fprintf(stderr,
                         "leura: the editor exited %d; task '%s' is unchanged (your copy: %s)\n",
                         rc, name.c_str(), copy.c_str());
            return to_int(ExitCode::usage);
        }
        std::error_code ec;
        if (text == original) {
            fs::remove(copy, ec);
            std::fprintf(stderr, "leura: no changes to task '%s'\n", name.c_str());
            return 0;
        }
        int saved = save(text);
        if (saved == 0) {
            fs::remove(copy, ec);
            return 0;
        }
        bool again = false;
        if (saved == to_int(ExitCode::usage) && ::isatty(STDIN_FILENO)) {
            std::fprintf(stderr, "leura: the task is not valid; edit it again? [Y/n] ");
            char line[16] = {0};
            again = std::fgets(line, sizeof line, stdin) && line[0] != 'n' && line[0] != 'N';
        }
        if (!again) {
            std::fprintf(stderr, "leura: task '%s' is unchanged; your copy is kept in %s\n",
                         name.c_str(), copy.c_str());
            return saved;
        }
    }
}

// A single-user controller (or the service account itself): all in this process.
int edit_here(app::Context& ctx, const TaskFlags& f) {
    if (auto st = may(ctx, "edit", f.name, false); !st) return report(st.error());
    auto file = existing(ctx, f.name);
    if (!file) return report(file.error());
    auto original = util::read_file(*file);
    if (!original) return report(original.error());
    auto copy = private_file();
    if (!copy) return report(copy.error());
    auto written = write_all(copy->second, *original);
    ::close(copy->second);
    if (!written) return report(written.error());
    return edit_loop(f.name, copy->first, *original, [&](const std::string& text) {
        return save_text(ctx, f.name, *file, *original, text);
    });
}

// The person's half on a shared controller: the text comes from the service side into a file
// of theirs, their editor runs as them, and the result goes back on the service side's stdin.
int edit_in_front(app::Context& ctx, const TaskFlags& f) {
    auto copy = private_file();
    if (!copy) return report(copy.error());
    auto got = app::run_as_service(*ctx.service, {"task", "edit", f.name, "--print-text"},
                                   {.out_fd = copy->second});
    ::close(copy->second);
    std::error_code ec;
    if (!got || *got != 0) {
        fs::remove(copy->first, ec);
        return got ? *got : report(got.error());
    }
    auto original = util::read_file(copy->first);
    if (!original) return report(original.error());
    const std::string base = util::sha256_hex(*original);
    return edit_loop(f.name, copy->first, *original, [&](const std::string&) {
        int in = ::open(copy->first.c_str(), O_RDONLY | O_CLOEXEC);
        if (in < 0)
            return report(Error(ErrorKind::io, "cannot read " + copy->first.string() + ": " +
                                                   std::strerror(errno)));
        auto saved = app::run_as_service(
            *ctx.service, {"task", "edit", f.name, "--save-over", base},
            {.in_fd = in, .caller_env = true}); // validation reads { env } secrets
        ::close(in);
        return saved ? *saved : report(saved.error());
    });
}

// The service side's halves: the task's text, for a person who may edit it.
int print_text(app::Context& ctx, const TaskFlags& f) {
    if (auto st = may(ctx, "edit", f.name, false); !st) return report(st.error());
    auto file = existing(ctx, f.name);
    if (!file) return report(file.error());
    auto text = util::read_file(*file);
    if (!text) return report(text.error());
    if (std::fwrite(text->data(), 1, text->size(), stdout) != text->size() || std::fflush(stdout))
        return report(Error(ErrorKind::io, "cannot hand the task's text over"));
    return 0;
}

// A task file larger than this is not one a person edits.
constexpr size_t k_most_task_bytes = 4u << 20;

// The edited text on stdin saved, unless the task changed since its text was handed out.
int save_over(app::Context& ctx, const TaskFlags& f) {
    if (auto st = may(ctx, "edit", f.name, false); !st) return report(st.error());
    auto file = existing(ctx, f.name);
    if (!file) return report(file.error());
    std::string text;
    char buf[65536];
    for (;;) {
        size_t n = std::fread(buf, 1, sizeof buf, stdin);
        text.append(buf, n);
        if (text.size() > k_most_task_bytes)
            return report(Error(ErrorKind::usage, "the edited task is over 4 MiB"));
        if (n < sizeof buf) break;
    }
    if (std::ferror(stdin)) return report(Error(ErrorKind::io, "cannot read the edited task"));
    auto original = util::read_file(*file);
    if (!original) return report(original.error());
    if (util::sha256_hex(*original) != f.save_over)
        return report(Error(ErrorKind::locked, "task '" + f.name +
                                                   "' was saved by someone else since your edit "
                                                   "began; edit it again and bring your change "
                                                   "over"));
    return save_text(ctx, f.name, *file, *original, text);
}

} // namespace

int task_edit(app::Context& ctx, const TaskFlags& f) {
    if (ctx.service && ::getuid() != ctx.service->uid) return edit_in_front(ctx, f);
    if (f.print_text) return print_text(ctx, f);
    if (!f.save_over.empty()) return save_over(ctx, f);
    // Straight through sudo: an editor started here would run with the fleet's keys.
    if (app::acting_for_another(ctx.service, ctx.identity.uid))
        return report(Error(ErrorKind::usage,
                            "task edit runs your editor as you, never as the service account " +
                                ctx.service->name + ": run plain 'leura task edit " + f.name +
                                "', not through sudo"));
    return edit_here(ctx, f);
}

} // namespace leura::cli
