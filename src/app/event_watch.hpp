// SPDX-License-Identifier: Apache-2.0
#pragma once

// One thread watches <data>/events (the --json events of the runs `leura serve` started) for
// files that grew, and the event streams wait on it: two hundred idle streams cost one scan of
// the folder every 100 ms, not two hundred.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace leura::app {

class EventWatch {
public:
    explicit EventWatch(std::filesystem::path dir);
    ~EventWatch();
    EventWatch(const EventWatch&) = delete;
    EventWatch& operator=(const EventWatch&) = delete;

    struct Snapshot {
        uint64_t generation = 0;                     // grows with every change seen
        std::map<std::string, std::uintmax_t> sizes; // run id -> its file's size
    };
    // The files as last scanned, once the generation is past `seen` or `timeout` passed.
    Snapshot wait(uint64_t seen, std::chrono::milliseconds timeout);

private:
    void loop();

    std::filesystem::path m_dir;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    Snapshot m_now;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace leura::app
