// SPDX-License-Identifier: Apache-2.0
#include "exec/script.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <initializer_list>

namespace leura::exec {

std::string run_as_command(const std::string& user, const char* reader) {
    std::string u = util::shell_quote(user);
    // The check runs first so a refusal has its own status, not whatever sudo -n returns.
    return "sudo -n -u " + u + " true 2>/dev/null || exit " + std::to_string(k_sudo_refused) +
           "; exec sudo -n -u " + u + " -- /bin/sh -c " + util::shell_quote(reader);
}

std::string sized_command() {
    return std::string("exec /bin/sh -c ") + util::shell_quote(k_read_sized_script);
}

std::string sized_stdin(const std::string& script) {
    std::string text = script;
    if (!text.empty() && text.back() != '\n') text += '\n';
    return std::to_string(std::count(text.begin(), text.end(), '\n')) + "\n" + text;
}

namespace {

// `sha256` in the host's shell: stdin's digest in hex. OpenSSL's is several times faster than
// coreutils' sha256sum (SHA extensions; measured 0.13 s against 0.94 s for 100 MiB here), which
// is what an upload's check costs the host; sha256sum where there is no openssl.
// Both print "<hex> <name>": the hex is kept with `set --` rather than a `cut` process.
constexpr const char* k_sha256_function =
    "sha256() { if command -v openssl >/dev/null 2>&1; then set -- $(openssl dgst -sha256 -r); "
    "else set -- $(sha256sum); fi; echo \"$1\"; }\n";

// The tools a body needs, checked up front (`command -v` is built in), so that a minimal host
// (busybox without cksum, say) gets a message naming what is missing, not a shell error.
std::string need_tools(const char* what, std::initializer_list<const char*> tools) {
    std::string list;
    for (const char* t : tools)
        list += std::string(list.empty() ? "" : " ") + t;
    return std::string("for t in ") + list +
           "; do command -v \"$t\" >/dev/null 2>&1 || { echo \"leura: the host has no $t, "
           "which " +
           what + " need\" >&2; exit 127; }; done\n";
}

std::string owner_user(const std::string& owner) {
    return owner.substr(0, owner.find(':'));
}

// "0644" -> "644", as `stat -c %a` prints it.
std::string stat_mode(const std::string& mode) {
    size_t first = mode.find_first_not_of('0');
    return first == std::string::npos ? "0" : mode.substr(first);
}

// Exactly the upload's bytes of stdin into "$tmp" (in the runner, the next script comes only
// after this step ends, so `head -c` cannot read past the file), then its size and CRC checked
// by one `cksum`. SSH already authenticates every byte on the way; this catches a short or bad
// write on the host. sha256 stays for the precheck, where a match skips the upload.
std::string receive_checked(const util::FileDigest& d) {
    std::string n = std::to_string(d.size);
    return "head -c " + n +
           " > \"$tmp\"\n"
           "set -- $(cksum < \"$tmp\")\n"
           "[ \"$2\" = " +
           n + " ] || { echo \"leura: upload of $dest cut short: $2 of " + n +
           " bytes arrived\" >&2; exit 1; }\n"
           "[ \"$1\" = " +
           std::to_string(d.cksum) +
           " ] || { echo \"leura: upload of $dest is corrupt (cksum $1)\" >&2; exit 1; }\n";
}

} // namespace

std::string upload_precheck(const std::string& dest, const std::string& sha256,
                            const std::string& mode, const std::string& owner) {
    std::string d = util::shell_quote(dest);
    std::string s = std::string(k_sha256_function) + "[ -f " + d + " ] || exit 1\n[ \"$(sha256 < " +
                    d + ")\" = " + sha256 + " ] || exit 1\n";
    if (!mode.empty()) s += "[ \"$(stat -c %a " + d + ")\" = " + stat_mode(mode) + " ] || exit 1\n";
    if (!owner.empty())
        s += "[ \"$(stat -c %U " + d + ")\" = " + util::shell_quote(owner_user(owner)) +
             " ] || exit 1\n";
    return s + "exit 0\n";
}

std::string upload_body(const std::string& dest, const util::FileDigest& d, const std::string& mode,
                        const std::string& owner) {
    // The temporary name is random from here and created with noclobber (O_EXCL), so no
    // mktemp. It is created 0600 (umask 077 in a subshell, which keeps the login's umask for
    // the chmod below), so a private file is never readable by others on the way; the owner
    // and then the mode are applied before the rename. Without a mode, `chmod =rw` gives what
    // a new file gets under the login's umask.
    std::string s = need_tools("uploads", {"head", "cksum", "chmod", "mv", "rm"}) +
                    "set -eu\n"
                    "dest=" +
                    util::shell_quote(dest) +
                    "\n"
                    "if [ -e \"$dest\" ] && [ ! -f \"$dest\" ]; then\n"
                    "  echo \"leura: $dest exists and is not a regular file\" >&2; exit 1\n"
                    "fi\n"
                    "dir=${dest%/*}\n"
                    "tmp=\"${dir:-/}/.leura-upload." +
                    util::random_hex(8) +
                    "\"\n"
                    "(umask 077; set -C; : > \"$tmp\")\n"
                    "trap 'rm -f \"$tmp\"' EXIT\n"
                    "trap 'exit 1' HUP INT TERM PIPE\n" +
                    receive_checked(d);
    if (!owner.empty()) s += "chown " + util::shell_quote(owner) + " \"$tmp\"\n";
    s += "chmod " + (mode.empty() ? std::string("=rw") : mode) + " \"$tmp\"\n";
    s += "mv -f \"$tmp\" \"$dest\"\ntrap - EXIT\necho \"uploaded $dest (" + std::to_string(d.size) +
         " bytes, sha256 " + d.sha256 + ")\"\n";
    return s;
}

std::string manifest_command() {
    // GNU find's -printf; where find has none, the listing fails and the sum differs: the tree
    // is sent again, never wrongly found unchanged.
    return std::string(k_sha256_function) +
           "{ find . -printf '%y %m %p\\n' | LC_ALL=C sort; "
           "find . -type f | LC_ALL=C sort | while IFS= read -r f; do "
           "printf '%s  %s\\n' \"$(sha256 < \"$f\")\" \"$f\"; done; } | sha256";
}

std::string upload_dir_precheck(const std::string& dest, const std::string& manifest,
                                const std::string& owner) {
    std::string d = util::shell_quote(dest);
    std::string s = "[ -d " + d + " ] || exit 1\n[ \"$(cd " + d + " && " + manifest_command() +
                    ")\" = " + manifest + " ] || exit 1\n";
    if (!owner.empty())
        s += "[ \"$(stat -c %U " + d + ")\" = " + util::shell_quote(owner_user(owner)) +
             " ] || exit 1\n";
    return s + "exit 0\n";
}

std::string upload_dir_body(const std::string& dest, const util::FileDigest& d,
                            const std::string& owner) {
    std::string n = std::to_string(d.size);
    std::string s = need_tools("directory uploads", {"head", "cksum", "tar", "mktemp", "dirname",
                                                     "find", "wc", "tr", "mv", "rm"}) +
                    "set -eu\n"
                    "dest=" +
                    util::shell_quote(dest) +
                    "\n"
                    "[ ! -e \"$dest\" ] || [ -d \"$dest\" ] || "
                    "{ echo \"leura: $dest exists and is not a directory\" >&2; exit 1; }\n"
                    "parent=$(dirname \"$dest\")\n"
                    "tmp=$(mktemp \"$parent/.leura-upload.XXXXXX\")\n"
                    "new=$(mktemp -d \"$parent/.leura-new.XXXXXX\")\n"
                    "old=\n"
                    // Interrupted between the two renames: put the old tree back.
                    "cleanup() {\n"
                    "  rm -rf \"$tmp\" \"$new\"\n"
                    "  [ -z \"$old\" ] || { [ -e \"$dest\" ] || mv \"$old/tree\" \"$dest\"; "
                    "rm -rf \"$old\"; }\n"
                    "}\n"
                    "trap cleanup EXIT\n"
                    "trap 'exit 1' HUP INT TERM PIPE\n" +
                    receive_checked(d) + "tar -xpf \"$tmp\" -C \"$new\" --no-same-owner\n";
    if (!owner.empty()) s += "chown -R " + util::shell_quote(owner) + " \"$new\"\n";
    s += "if [ -d \"$dest\" ]; then\n"
         "  old=$(mktemp -d \"$parent/.leura-old.XXXXXX\")\n"
         "  mv \"$dest\" \"$old/tree\"\n"
         "fi\n"
         "mv \"$new\" \"$dest\"\n"
         "echo \"uploaded directory $dest ($(find \"$dest\" -type f | wc -l | tr -d ' ') files, " +
         n + " bytes of tar, sha256 " + d.sha256 + ")\"\n";
    return s;
}

std::string download_body(const std::string& src) {
    return "exec cat -- " + util::shell_quote(src) + "\n";
}

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// The runner's own shell: running the body under it again would only cost a process.
bool is_runner_shell(const Interpreter& i) {
    if (i.arg.empty()) return i.path == "sh" || i.path == "/bin/sh";
    return i.path == "/usr/bin/env" && i.arg == "sh";
}

// `command -v NAME`, else a message naming what is missing and exit k_shell_missing.
std::string need_interpreter(const std::string& name, bool local) {
    std::string q = util::shell_quote(name);
    return "command -v " + q + " >/dev/null 2>&1 || { printf 'leura: %s not found on the " +
           (local ? std::string("controller") : std::string("host")) + "\\n' " + q + " >&2; exit " +
           std::to_string(k_shell_missing) + "; }\n";
}

// The hex digits are the only unquoted text: the token and ids are leura's own random hex.
std::string capture_prologue(const OutputCapture& c) {
    auto path = [&](const std::string& what) {
        return "\"${TMPDIR:-/tmp}/leura-" + what + "-" + c.file_id + "\"";
    };
    std::string out = "export LEURA_OUTPUT=" + path("out") + "\n";
    std::string cleanup;
    for (size_t i = 0; i < c.files.size(); ++i) {
        const auto& [name, content] = c.files[i];
        out += "export " + name + "=" + path("in" + std::to_string(i)) + "\n";
        out += "(umask 077 && printf '%s' " + util::shell_quote(content) + " >\"$" + name + "\")\n";
        cleanup += " \"$" + name + "\"";
    }
    std::string trap =
        "leura_rc=$?; if [ -s \"$LEURA_OUTPUT\" ]; then printf '\\n%s ' " + c.token +
        " >&2; od -An -v -tx1 \"$LEURA_OUTPUT\" | tr -d ' \\n' >&2; printf '\\n' >&2; fi; "
        "[ ! -e \"$LEURA_OUTPUT\" ] || rm -f \"$LEURA_OUTPUT\"" +
        (cleanup.empty() ? std::string() : "; rm -f" + cleanup) + "; exit $leura_rc";
    return out + "trap " + util::shell_quote(trap) + " EXIT\n";
}

} // namespace

std::optional<Interpreter> shebang(std::string_view body) {
    if (!body.starts_with("#!")) return std::nullopt;
    std::string_view line = body.substr(2);
    line = trim_blanks(line.substr(0, line.find('\n')));
    size_t end = 0;
    while (end < line.size() && !is_blank(line[end]))
        ++end;
    if (end == 0) return std::nullopt;
    return Interpreter{std::string(line.substr(0, end)),
                       std::string(trim_blanks(line.substr(end)))};
}

std::optional<Interpreter> step_interpreter(std::string_view body, const std::string& step_shell,
                                            const std::string& task_shell, bool script) {
    std::optional<Interpreter> i;
    if (!step_shell.empty())
        i = Interpreter{step_shell, {}};
    else if (!task_shell.empty())
        i = Interpreter{task_shell, {}};
    else if (script)
        i = shebang(body);
    if (i && is_runner_shell(*i)) return std::nullopt;
    return i;
}

std::string interpreter_name(const Interpreter& i) {
    return i.arg.empty() ? i.path : i.path + " " + i.arg;
}

std::string interpreted_body(std::string_view body, const Interpreter& interpreter, bool local,
                             bool keep_shell) {
    std::string out = need_interpreter(interpreter.path, local);
    // `/usr/bin/env NAME`: NAME is the interpreter that matters, and env's own "No such file"
    // would not say that it is missing on the host.
    if (interpreter.path.ends_with("/env") && !interpreter.arg.empty() &&
        interpreter.arg.find_first_of(" \t") == std::string::npos && interpreter.arg[0] != '-')
        out += need_interpreter(interpreter.arg, local);
    // No line of the body can be this one: it names the body's own digest.
    std::string end = "LEURA_BODY_" + util::sha256_hex(body).substr(0, 24);
    out += (keep_shell ? "" : "exec ") + util::shell_quote(interpreter.path);
    if (!interpreter.arg.empty()) out += " " + util::shell_quote(interpreter.arg);
    out += " /dev/fd/5 5<<'" + end + "'\n";
    out += body;
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + end + "\n";
}

std::string render_script(const std::vector<std::pair<std::string, std::string>>& exports,
                          std::string_view body, std::optional<std::chrono::milliseconds> timeout,
                          bool lifeline, const OutputCapture* capture) {
    std::string out;
    if (timeout) {
        // `$script` is the variable k_remote_command and the runner read the script into. It
        // goes to the re-run in the environment while that is cheap (no process); a value
        // over 128 KiB is more than exec() takes, so a big script goes on a here-document,
        // read by one `cat` (whose stdin is then at EOF, as a step's is).
        std::string t = "timeout -k 5 " + std::to_string((timeout->count() + 999) / 1000);
        out += "if [ -z \"${LEURA_TIMEBOX-}\" ] && command -v timeout >/dev/null 2>&1; then\n"
               "  export LEURA_TIMEBOX=1\n"
               "  if [ ${#script} -lt 65536 ]; then\n"
               "    export LEURA_SCRIPT=\"$script\"\n"
               "    exec " +
               t +
               " /bin/sh -c 'eval \"$LEURA_SCRIPT\"'\n"
               "  fi\n"
               "  exec " +
               t +
               " /bin/sh -c 'script=$(cat) && exec </dev/null && eval \"$script\"' "
               "<<LEURA_SCRIPT_END\n$script\nLEURA_SCRIPT_END\n"
               "fi\n"
               "unset LEURA_SCRIPT LEURA_TIMEBOX\n";
    }
    if (lifeline) {
        // $$ is this shell; `kill 0` reaches its process group (timeout's, when timed). A
        // background job's stdin is /dev/null in sh, so the channel goes to it on fd 3.
        // The shell's `read` waits for the close without starting a `cat` each step.
        // What ignores TERM is KILLed 2 s later.
        out += "exec 3<&0\n"
               "(while read -r line <&3; do :; done; kill -0 $$ 2>/dev/null || exit 0; "
               "trap '' TERM; kill -TERM 0; sleep 2; kill -KILL 0) >/dev/null 2>&1 &\n"
               "exec 3<&- </dev/null\n";
    }
    for (const auto& [name, value] : exports)
        out += "export " + name + "=" + util::shell_quote(value) + "\n";
    if (capture) out += capture_prologue(*capture);
    out += body;
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out;
}

} // namespace leura::exec
