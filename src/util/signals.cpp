// SPDX-License-Identifier: Apache-2.0
#include "util/signals.hpp"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace leura::util {

namespace {
std::atomic<int> g_level{0};
std::atomic<int> g_first_signal{0};
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
    int expected = 0;
    g_first_signal.compare_exchange_strong(expected, sig);
    g_level.fetch_add(1);
    if (g_pipe[1] >= 0) {
        char c = 1;
        [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &c, 1);
    }
}
} // namespace

void install_stop_signals() {
    if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) != 0) g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

int stop_level() {
    return g_level.load();
}
int stop_signal() {
    return g_first_signal.load();
}
int stop_wake_fd() {
    return g_pipe[0];
}

} // namespace leura::util
