// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the config tests: each test writes real files into its own directory, removed
// afterwards, and checks diagnostics at exact positions.

#include "config/diagnostic.hpp"
#include "config/task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace leura::config {

class TempDirTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = std::filesystem::temp_directory_path() /
                ("leura-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                 info->name());
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
    }

    std::filesystem::path write(const std::string& name, const std::string& text) {
        std::filesystem::path path = m_dir / name;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    std::filesystem::path m_dir;
};

// Task files written and loaded in one step.
class TaskFileTest : public TempDirTest {
protected:
    // Loads `text` as a task file that must be valid.
    Task task(const std::string& text) {
        Diagnostics diags;
        auto loaded = load_task(write("task.toml", text), diags);
        std::string shown;
        for (const auto& d : diags.items())
            shown += format(d) + "\n";
        EXPECT_TRUE(loaded.has_value()) << shown;
        return loaded ? std::move(*loaded) : Task{};
    }

    // Loads `text` as a task file that must be invalid, and returns its diagnostics.
    std::vector<Diagnostic> task_errors(const std::string& text) {
        Diagnostics diags;
        auto loaded = load_task(write("task.toml", text), diags);
        EXPECT_FALSE(loaded.has_value());
        return diags.items();
    }
};

inline void expect_at(const Diagnostic& d, int line, int column, const std::string& message) {
    EXPECT_EQ(d.pos.line, line) << d.message;
    EXPECT_EQ(d.pos.column, column) << d.message;
    EXPECT_EQ(d.message, message);
}

} // namespace leura::config
