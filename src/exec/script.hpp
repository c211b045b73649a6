// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/sha256.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leura::exec {

// The exec request of every step. The script comes on stdin and is read whole before it runs,
// so values never appear on a command line (`ps` on the host shows only this), and commands in
// the script that read stdin find it at EOF instead of eating the rest of the script.
inline constexpr const char* k_remote_command =
    "exec /bin/sh -c 'script=$(cat) && eval \"$script\"'";
inline constexpr const char* k_read_script = "script=$(cat) && eval \"$script\"";

// A channel of its own (a run_as step, a download, a custom step's command): stdin is a marker
// line (exec/marked_command.hpp), "<lines>\n", then the script, then whatever follows (an
// upload's file; or nothing until the channel closes, the lifeline). The shell's own `read`
// takes exactly the script (it reads a pipe a byte at a time; buffered readers such as head
// would swallow part of the file), starts no process, and a script cut short is never run.
// The script runs in a subshell; then the reader writes "\n<marker> <status>\n" on stdout and
// stderr, which ends the step even while a background job holds the channel open. One line
// with no single quote, backslash pair or `!`, so that every login shell family passes it on
// unchanged (exec/runner_protocol.cpp); ${IFS#??} is a newline.
inline constexpr const char* k_read_sized_script =
    "IFS= read -r m && IFS= read -r n && script= && nl=${IFS#??} && "
    "while [ \"$n\" -gt 0 ] && IFS= read -r line; do script=\"$script$line$nl\"; "
    "n=$((n - 1)); done && [ \"$n\" = 0 ] && { (unset m n nl line; eval \"$script\"); rc=$?; "
    "printf \"\\n%s %s\\n\" \"$m\" $rc; printf \"\\n%s %s\\n\" \"$m\" $rc >&2; exit $rc; }";
std::string sized_command(); // exec /bin/sh -c '<k_read_sized_script>'
// "<lines>\n" + script (newline-ended)
std::string sized_stdin(const std::string& script);

// The exit status of the sudo check in front of a run_as step: sudo -n refused (a password is
// wanted, or the user may not switch). The engine reports it as ErrorKind::permission.
inline constexpr int k_sudo_refused = 223;

// The exec request of a step run as `user` through `sudo -n` (never prompts: no hang).
// `reader` is how the shell under sudo reads its script (k_read_script or k_read_sized_script).
std::string run_as_command(const std::string& user, const char* reader = k_read_script);

// Upload: the precheck exits 0 when `dest` already has this content (and mode and owner), and
// the body writes stdin to a temporary name beside dest, checks size and cksum CRC, sets mode and
// owner, and renames it into place: a half-written file never replaces a good one.
std::string upload_precheck(const std::string& dest, const std::string& sha256,
                            const std::string& mode, const std::string& owner);
std::string upload_body(const std::string& dest, const util::FileDigest& d, const std::string& mode,
                        const std::string& owner);
// Directory upload: stdin is a tar of the tree. It is checked (size, CRC), unpacked beside
// dest with its modes, given `owner` recursively, and swapped in for dest with two renames, so
// dest is always a complete tree, old or new; files that are not in the upload are gone. The
// precheck compares the sha256 of the host's manifest (see manifest_command) with `manifest`.
std::string upload_dir_precheck(const std::string& dest, const std::string& manifest,
                                const std::string& owner);
std::string upload_dir_body(const std::string& dest, const util::FileDigest& d,
                            const std::string& owner);
// Prints, for the tree in the current directory, the sha256 of its shape (type, mode and path
// of every entry) and of its regular files' contents: archive::Bundle::manifest_sha256.
std::string manifest_command();

// Download: the file on stdout.
std::string download_body(const std::string& src);

// What runs a step's body when it is not the runner's /bin/sh itself: an interpreter (a name
// looked up on the host's PATH, or an absolute path) and, as on a `#!` line, at most one
// argument ("bash" for `#!/usr/bin/env bash`).
struct Interpreter {
    std::string path;
    std::string arg;
    bool operator==(const Interpreter&) const = default;
};

// The interpreter a script's first line names, as the kernel reads it: "#!", optional blanks,
// the path, then optionally blanks and one argument (the rest of the line, trimmed). nullopt
// when the body does not start with "#!" or names no path.
std::optional<Interpreter> shebang(std::string_view body);

// Who runs a step's body: the step's `shell`, else the task's, else (for a script) the
// script's own #! line, else the runner's /bin/sh (nullopt; also for "sh", "/bin/sh" and a
// plain `#!/bin/sh` line, which need no second shell).
std::optional<Interpreter> step_interpreter(std::string_view body, const std::string& step_shell,
                                            const std::string& task_shell, bool script);

// The exit status of a step whose interpreter the host does not have (interpreted_body). The
// engine reports it as "NAME not found on the host".
inline constexpr int k_shell_missing = 222;

// The interpreter as a message names it: "bash", "/usr/bin/env bash".
std::string interpreter_name(const Interpreter& interpreter);

// A body to be run, from the runner's /bin/sh, by `interpreter`: a check that it exists (else
// "leura: NAME not found on the host" (or "controller", for a local step) on stderr and exit
// k_shell_missing), then
// `exec INTERPRETER [ARG] /dev/fd/5` with the body on a quoted here-document on fd 5, as the
// kernel would run a #! script from a file. No byte of the body or of the interpreter's name
// reaches a command line unquoted, the body is never on one at all, and stdin stays the step's
// (at EOF, or the upload's file): nothing the body runs can read the rest of the body. Being an
// exec, the interpreter keeps the step's process (its exports, the timeout's process group,
// the lifeline and the runner's wait and marker).
// With `keep_shell`, the interpreter runs as a child instead (an exec would drop the shell's
// EXIT trap, which OutputCapture needs).
std::string interpreted_body(std::string_view body, const Interpreter& interpreter,
                             bool local = false, bool keep_shell = false);

// A step that may pass values on (app/step_values.hpp). $LEURA_OUTPUT names a file the step
// may write `name=value` lines to, "${TMPDIR:-/tmp}/leura-out-<file_id>" (random per attempt:
// hosts may share a machine); an EXIT trap, which costs no process when the file is empty or
// absent, sends a written file back hex-encoded as "\n<token> <hex>\n" on stderr and removes
// it. `files` are files the step reads a workflow's values from (variable, content): each
// written owner-only before the body runs and removed by the same trap. A body that sets an
// EXIT trap of its own replaces leura's (its values are then not taken).
struct OutputCapture {
    std::string token;
    std::string file_id;
    std::vector<std::pair<std::string, std::string>> files;
};

// "export NAME='value'" lines (values shell-quoted), then the body. With a timeout, a prologue
// re-runs the script under the host's `timeout` (coreutils or busybox) when it has one, which
// kills the step's whole process group when time is up. The engine's own deadline fails the
// host either way; this makes sure nothing keeps running there, which matters because sshd
// refuses channel signal requests for root logins. The script travels in the environment of
// that re-run (or, over 64 KiB, on a here-document), never on its command line.
//
// With `lifeline`, the script is sent sized (sized_stdin) and the channel's stdin stays open
// while the step runs: a watcher in the background waits for it to close, which happens when
// the connection dies (leura killed, network cut) or leura ends the step, and then ends the
// step's whole process group if the step is still running. So a step is never left running
// on a host that leura lost, even where sshd refuses signal requests (root logins).
std::string render_script(const std::vector<std::pair<std::string, std::string>>& exports,
                          std::string_view body,
                          std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                          bool lifeline = false, const OutputCapture* capture = nullptr);

} // namespace leura::exec
