// SPDX-License-Identifier: Apache-2.0
#include "app/event_watch.hpp"

namespace leura::app {

namespace fs = std::filesystem;

namespace {
constexpr auto k_scan_every = std::chrono::milliseconds(100);
}

EventWatch::EventWatch(fs::path dir) : m_dir(std::move(dir)), m_thread([this] { loop(); }) {}

EventWatch::~EventWatch() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

EventWatch::Snapshot EventWatch::wait(uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return m_stop || m_now.generation > seen; });
    return m_now;
}

void EventWatch::loop() {
    for (;;) {
        std::map<std::string, std::uintmax_t> sizes;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(m_dir, ec)) {
            if (e.path().extension() != ".jsonl") continue;
            std::error_code size_ec;
            const auto n = e.file_size(size_ec);
            if (!size_ec) sizes[e.path().stem().string()] = n;
        }
        std::unique_lock lock(m_mutex);
        if (sizes != m_now.sizes) {
            m_now.sizes = std::move(sizes);
            ++m_now.generation;
            m_changed.notify_all();
        }
        if (m_changed.wait_for(lock, k_scan_every, [this] { return m_stop; })) return;
    }
}

} // namespace leura::app
