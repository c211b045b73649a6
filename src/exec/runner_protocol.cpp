// SPDX-License-Identifier: Apache-2.0
#include "exec/runner_protocol.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace leura::exec {

namespace {

// The runner. Its first line of input is the marker (and a `!`, see below); then each step comes
// framed: a header "l LINES PAYLOAD" (the script is that many lines, read by the shell's own
// `read`, which starts no process) or "b BYTES PAYLOAD" (a big script, taken by one `head -c`:
// `read` takes a pipe a byte at a time, and appending line by line is quadratic in dash), then the
// script, then PAYLOAD bytes of file for the step to read (an upload's; 0: none).
//
// Payload bytes must never be read as a script, whatever fails on the host: a step that stops
// early (a missing directory, a full disk, no `head`, a signal) leaves the rest of its payload
// unread. So the runner reads no frame after a payload: once that step's marker is out it
// ends, its unread input goes with its channel, and the next step gets a new runner (leura
// drops the runner on the same rule). That costs a host one runner start per upload that is
// not the host's last step; the rule holds without trusting anything the step does.
//
// While a step runs the runner reads the channel itself: a nudge (an empty line) is skipped, and
// EOF means the channel closed (leura killed, the network cut, the step aborted): it ends the
// step (`kill -TERM -$pid` reaches a step that `timeout` moved into a process group of its
// own, `kill 0` what the step left in the background) and KILLs what ignored TERM after 2 s.
// The step's end reaches it as a CHLD trap, which interrupts `read` in dash and busybox ash.
// This costs no process: the watcher this replaced was a fork per step, 2.8 of the 5.3 ms a
// step cost the host (exec/runner.hpp). A CHLD that lands between the trap check and `read`
// waits for the next input, so leura nudges a step that has not ended (exec/runner.cpp).
// bash, zsh and ksh restart `read` after a CHLD, so there a watcher reads the channel on fd 3
// (a background job's stdin is /dev/null in sh) while the runner waits; it is ended before
// the marker goes out, and leura sends the next script only after the marker: it never takes
// a byte of a script. A step reading a payload has neither: the payload ends short when the
// channel closes, and the upload fails and cleans up.
//
// All on one line, with no single quote, no backslash pair and no `!`: the exec request passes
// through the user's login shell, and csh, tcsh (history expansion even in quotes) and fish
// read those differently from sh. The marker line brings a `!` for `$!`.
constexpr const char* k_runner_script =
    "read -r m bang || exit 0; nl=${IFS#??}; exec 3<&0; pid=; c=; f=; "
    "[ -n \"${BASH_VERSION-}${ZSH_VERSION-}${KSH_VERSION-}\" ] || { f=1; trap \"c=1\" CHLD; }; "
    "while :; do "
    "if [ -n \"$c\" ] && [ -n \"$pid\" ]; then wait $pid; rc=$?; pid=; "
    "printf \"\\n%s %s\\n\" \"$m\" $rc; printf \"\\n%s %s\\n\" \"$m\" $rc >&2; fi; "
    "if read -r k n p; then [ -n \"$k\" ] || continue; "
    "elif [ -n \"$c\" ] && [ -n \"$pid\" ]; then continue; else k=; fi; "
    "if [ -n \"$pid\" ] || [ -z \"$k\" ]; then "
    "if [ -n \"$pid\" ]; then trap \"\" TERM; { kill -TERM -$pid; kill -TERM 0; sleep 2; "
    "kill -KILL -$pid; kill -KILL 0; } >/dev/null 2>&1; fi; exit 0; fi; "
    "script=; "
    "case $k in "
    "l) while [ \"$n\" -gt 0 ] && IFS= read -r line; do script=\"$script$line$nl\"; "
    "n=$((n - 1)); done; [ \"$n\" = 0 ] || exit 0;; "
    "b) script=$(head -c \"$n\") || exit 0; "
    "case $script in *\"#$m\") ;; *) exit 0;; esac;; "
    "*) exit 0;; "
    "esac; "
    "[ \"$p\" -ge 0 ] 2>/dev/null || exit 0; "
    "if [ \"$p\" -gt 0 ]; then trap - CHLD; "
    "(unset m bang nl k n p line pid w rc c f; eval \"$script\") <&3 3<&- & "
    "eval \"pid=\\$$bang\"; wait $pid; rc=$?; "
    "printf \"\\n%s %s\\n\" \"$m\" $rc; printf \"\\n%s %s\\n\" \"$m\" $rc >&2; exit 0; fi; "
    "c=; (unset m bang nl k n p line pid w rc c f; eval \"$script\") </dev/null 3<&- & "
    "eval \"pid=\\$$bang\"; "
    "if [ -z \"$f\" ]; then "
    "(while read -r line <&3; do :; done; trap \"\" TERM; kill -TERM -$pid; kill -TERM 0; "
    "sleep 2; kill -KILL -$pid; kill -KILL 0) >/dev/null 2>&1 & eval \"w=\\$$bang\"; "
    "wait $pid; rc=$?; pid=; kill $w 2>/dev/null; wait $w 2>/dev/null; "
    "printf \"\\n%s %s\\n\" \"$m\" $rc; printf \"\\n%s %s\\n\" \"$m\" $rc >&2; fi; "
    "done";

// Scripts up to this size are read line by line in the shell; bigger ones by `head -c`, whose
// fork and exec cost about what `read` spends on this many bytes.
constexpr size_t k_big_script = 4096;

} // namespace

std::string runner_script() {
    return k_runner_script;
}

std::string runner_request() {
    return "exec /bin/sh -c " + util::shell_quote(k_runner_script);
}

std::string runner_nudge() {
    return "\n";
}

std::string runner_greeting(const std::string& hex) {
    return hex + " !\n";
}

std::string runner_frame(std::string script, unsigned long long payload, const std::string& hex) {
    if (!script.empty() && script.back() != '\n') script += '\n';
    std::string tail = " " + std::to_string(payload) + "\n";
    if (script.size() > k_big_script) {
        // A big script ends in a comment naming the marker: `head -c` cut short by a closed
        // channel exits 0, and the runner runs only a script that arrived whole.
        script += "#" + hex + "\n";
        return "b " + std::to_string(script.size()) + tail + script;
    }
    return "l " + std::to_string(std::count(script.begin(), script.end(), '\n')) + tail + script;
}

} // namespace leura::exec
