// SPDX-License-Identifier: Apache-2.0
// The runner's framing against the real /bin/sh: a step given a payload of random bytes (with
// lines that would print PWNED if a shell ran them) stops reading it at a random point and
// exits with a random status (0 too), and the next step's frame follows. No payload byte may
// ever run: PWNED never appears, and after a payload step, however it ended, the runner ends
// (its marker and status out first) without reading the next frame.
#include "exec/runner_protocol.hpp"
#include "runner_spawn.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

struct Outcome {
    std::string out;
    bool ended = false; // the runner closed its stdout by itself
};

// Runs the runner as leura drives it: `first` at once, `second` (the next step's frame) only
// once the first marker is out, as leura sends a step only after the last one's marker. Stdin
// stays open until the second marker (or the runner's end): a closed stdin is a lost channel.
Outcome run_runner(const std::string& first, const std::string& second, const std::string& marker,
                   bool nudge_first) {
    auto runner = leura::test::spawn_runner({"/bin/sh", "-c", leura::exec::runner_request()});
    if (!runner) __builtin_trap();
    const pid_t pid = runner->pid;
    const int in[2] = {-1, runner->in}, out[2] = {runner->out, -1};
    signal(SIGPIPE, SIG_IGN);
    std::string input = first;
    size_t sent = 0;
    int seen = 0, idle = 0;
    Outcome o;
    while (seen < 2) {
        bool writing = sent < input.size();
        pollfd p[2] = {{out[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        int n = poll(p, writing ? 2 : 1, 25);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            if (++idle > 800) __builtin_trap(); // 20 s: the runner hung
            // Nudged as leura nudges a step without a payload (exec/runner.cpp).
            bool second_sent = input.size() > first.size();
            if (!writing && (second_sent || nudge_first)) input += leura::exec::runner_nudge();
            continue;
        }
        if (n < 0) __builtin_trap();
        idle = 0;
        if (writing && (p[1].revents & (POLLOUT | POLLERR))) {
            ssize_t w = write(in[1], input.data() + sent, input.size() - sent);
            sent = w < 0 ? input.size() : sent + size_t(w); // w < 0: it stopped reading
        }
        if (p[0].revents) {
            char buf[4096];
            ssize_t r = read(out[0], buf, sizeof buf);
            if (r <= 0) {
                o.ended = true;
                break;
            }
            o.out.append(buf, size_t(r));
            seen = 0;
            for (size_t at = o.out.find(marker); at != std::string::npos;
                 at = o.out.find(marker, at + 1))
                ++seen;
            if (seen >= 1 && input.size() == first.size()) input += second;
        }
    }
    close(in[1]);
    while (!o.ended) { // until the runner goes (its stdin is closed now)
        char buf[4096];
        ssize_t r = read(out[0], buf, sizeof buf);
        if (r <= 0) break;
        o.out.append(buf, size_t(r));
    }
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    kill(-pid, SIGKILL); // a watcher or step left behind
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    const uint8_t mode = data[0] % 4, status = data[1];
    std::string payload(reinterpret_cast<const char*>(data + 4), size - 4);
    // Lines a shell would run, spread through the payload.
    for (size_t at = data[2] % 64; at <= payload.size(); at += 64 + data[3])
        payload.insert(at, "\necho PWNED; echo PWNED >&2\nl 1 0\necho PWNED\n");
    // A step that reads past its payload waits for more, as it would on the host (until its
    // timeout): the line mode reads a line that ends inside the payload.
    if (mode == 2 && payload.find('\n') == std::string::npos) payload += '\n';
    const size_t n = payload.size();
    const size_t stop = n == 0 ? 0 : (size_t(data[2]) * 257 + data[3]) % (n + 1);
    std::string body;
    switch (mode) {
    case 0: // reads part of it (or all), then exits with a status
        body = "head -c " + std::to_string(stop) + " >/dev/null; exit " + std::to_string(status);
        break;
    case 1: // reads nothing
        body = "exit " + std::to_string(status);
        break;
    case 2: // the shell's own read takes a line
        body = "IFS= read -r x; exit " + std::to_string(status);
        break;
    default: // reads all of it, as an upload that succeeded
        body = "head -c " + std::to_string(n) + " >/dev/null";
        break;
    }
    const std::string hex = "0123456789abcdef0123456789abcdef";
    std::string next = "echo NEXT-STEP";
    Outcome o = run_runner(leura::exec::runner_greeting(hex) +
                               leura::exec::runner_frame(body, n, hex) + payload,
                           leura::exec::runner_frame(next, 0, hex), "\n" + hex + " ", n == 0);
    if (o.out.find("PWNED") != std::string::npos) __builtin_trap();
    // After a payload nothing more is read; without one the runner goes on.
    bool went_on = o.out.find("NEXT-STEP") != std::string::npos;
    if (went_on != (n == 0)) __builtin_trap();
    if (n == 0) return 0;
    // The step's own marker and status came out before the runner ended.
    int expected = mode == 3 ? 0 : status;
    if (o.out.find("\n" + hex + " " + std::to_string(expected) + "\n") == std::string::npos)
        __builtin_trap();
    if (!o.ended) __builtin_trap();
    return 0;
}
