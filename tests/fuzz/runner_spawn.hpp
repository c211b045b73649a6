// SPDX-License-Identifier: Apache-2.0
#pragma once
// The host's runner started as sshd would start it, for the fuzz target and the unit tests
// that drive it: `argv` (a shell, its arguments, then -c and the script) with stdin and stdout
// on pipes, stderr to /dev/null, in a process group of its own so that its `kill 0` stays its
// own.

#include <fcntl.h>
#include <optional>
#include <spawn.h>
#include <string>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace leura::test {

struct SpawnedRunner {
    pid_t pid = -1;
    int in = -1;  // its stdin: the channel leura writes
    int out = -1; // its stdout
};

inline std::optional<SpawnedRunner> spawn_runner(std::vector<std::string> argv) {
    int in[2], out[2];
    if (pipe(in) != 0) return std::nullopt;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return std::nullopt;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    SpawnedRunner r;
    int rc = posix_spawn(&r.pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        return std::nullopt;
    }
    r.in = in[1];
    r.out = out[0];
    return r;
}

} // namespace leura::test
