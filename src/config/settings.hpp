// SPDX-License-Identifier: Apache-2.0
#pragma once

// leura's settings (docs/data.md): one table holds every key, its type and its default once.
// Layers, each over the one before: the defaults, /etc/leura/config.toml, the user's
// $XDG_CONFIG_HOME/leura/config.toml, then LEURA_<KEY> in the environment (only for keys in
// the table); command-line flags go over all of them where a command takes them. Every value
// remembers where it came from, for `leura config show`.
#include "config/diagnostic.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::config {

enum class SettingKind {
    path,     // a file or folder; relative to the config file it is in; ~ expanded when used
    text,     // any non-empty string
    count,    // an integer in [min, max]
    duration, // as parse_duration ("10s"), more than 0 unless min is 0
    flag,     // true or false
    choice,   // one of `choices`
    size,     // bytes, as util::parse_size ("10GiB", "500MiB"); 0 allowed
};

struct SettingSpec {
    const char* key;
    SettingKind kind;
    const char* fallback; // the built-in default, as a user would write it ("" for none)
    const char* about;
    std::vector<std::string> choices = {};
    int64_t min = 1, max = 100000;
    // Read from /etc/leura/config.toml only: a user's file or variable naming it is an error
    // (service_user decides whose SUDO_UID is believed; a user must not choose it).
    bool system_only = false;
};

// The settings file root owns; system_only keys are read from it alone.
inline constexpr const char* k_system_settings_file = "/etc/leura/config.toml";

// The table, in the order `config show` lists it.
const std::vector<SettingSpec>& setting_specs();

struct Setting {
    std::string value;  // normalized: durations and counts as written, paths absolute or ~
    std::string origin; // "default", "FILE:LINE:COL", "LEURA_KEY", or a flag
};

class Settings {
public:
    // Every key of the table at its default.
    Settings();
    const Setting& get(std::string_view key) const;
    std::string text(std::string_view key) const { return get(key).value; }
    std::chrono::milliseconds duration(std::string_view key) const;
    int64_t count(std::string_view key) const;
    uint64_t size(std::string_view key) const;
    bool flag(std::string_view key) const { return get(key).value == "true"; }
    // True when the value is the built-in default (no file or variable set it).
    bool is_default(std::string_view key) const { return get(key).origin == "default"; }
    void set(std::string_view key, std::string value, std::string origin);
    const std::vector<std::pair<std::string, Setting>>& all() const { return m_values; }

private:
    std::vector<std::pair<std::string, Setting>> m_values;
};

// The settings files that apply, lowest first: /etc/leura/config.toml, then
// $XDG_CONFIG_HOME/leura/config.toml (default ~/.config/leura/config.toml).
std::vector<std::filesystem::path> settings_files();

// Reads `files` (a missing one is skipped) in order, then the environment through `getenv`.
// Every problem goes to `diags` (unknown keys with a did-you-mean at file:line:col, wrong
// types, bad values, bad LEURA_* values); the settings are returned only without problems.
std::optional<Settings> load_settings(const std::vector<std::filesystem::path>& files,
                                      const std::function<const char*(const char*)>& getenv,
                                      Diagnostics& diags);

// Checks `text` as a value of `key` and normalizes it; nullopt and `why` when it is not one.
std::optional<std::string> setting_value(const SettingSpec& spec, const std::string& text,
                                         std::string& why);

} // namespace leura::config
