// SPDX-License-Identifier: Apache-2.0
#include "config/settings.hpp"
#include "config/task.hpp"
#include "config/toml_util.hpp"

#include "util/strings.hpp"

#include <charconv>
#include <cstdlib>

namespace leura::config {

namespace fs = std::filesystem;

const std::vector<SettingSpec>& setting_specs() {
    static const std::vector<SettingSpec> specs = {
        {"known_hosts", SettingKind::path, "~/.ssh/known_hosts",
         "known_hosts file for strict host key checking (--known-hosts)"},
        {"accept_new_host_keys", SettingKind::flag, "false",
         "record keys of hosts not yet known (--accept-new-host-keys); a changed key is never "
         "accepted"},
        {"library", SettingKind::path, "",
         "the task library: web/restart is <library>/web/restart.toml (default ./runbooks when "
         "it exists, else $XDG_CONFIG_HOME/leura/runbooks)"},
        {"inventory", SettingKind::text, "",
         "inventory for tasks that name none and runs without -i"},
        {"ssh_config", SettingKind::text, "",
         "OpenSSH client config to honour (--ssh-config): a file, or none (--no-ssh-config); "
         "default ~/.ssh/config, then /etc/ssh/ssh_config"},
        {"concurrency", SettingKind::count, "100",
         "hosts at once (--concurrency); a task's [rollout] concurrency is more specific"},
        {"connect_timeout", SettingKind::duration, "10s", "per connection attempt"},
        {"connect_attempts",
         SettingKind::count,
         "3",
         "attempts per host for connection errors",
         {},
         1,
         20},
        {"keepalive", SettingKind::duration, "15s",
         "probe a host silent this long; fail it when the probe goes unanswered as long"},
        {"grace",
         SettingKind::duration,
         "10s",
         "after Ctrl-C or SIGTERM, how long started hosts may finish",
         {},
         0,
         0},
        {"color",
         SettingKind::choice,
         "auto",
         "colour: auto (on a terminal, unless NO_COLOR is set), always or never",
         {"auto", "always", "never"}},
        {"service_user",
         SettingKind::text,
         "",
         "a shared controller's service account: it holds the fleet's keys and the records "
         "(default data dir /var/lib/leura), and leura runs as it through sudo; access "
         "control is then on and fails closed (read from /etc/leura/config.toml only)",
         {},
         1,
         100000,
         true},
        {"data_dir", SettingKind::path, "",
         "records, archives and spool (LEURA_HOME wins; default $XDG_DATA_HOME/leura or "
         "~/.local/share/leura)"},
        {"retention", SettingKind::duration, "",
         "`leura gc` without --keep deletes runs started longer ago than this (e.g. \"90d\"); "
         "unset: gc needs --keep"},
        {"retention_runs",
         SettingKind::count,
         "10",
         "`leura gc` keeps at least this many newest runs of each task, however old "
         "(--keep-runs)",
         {},
         0},
        {"warn_size", SettingKind::size, "10GiB",
         "`leura run` warns when the database and archives together are bigger (0: never)"},
    };
    return specs;
}

namespace {

const SettingSpec* spec_of(std::string_view key) {
    for (const auto& s : setting_specs())
        if (key == s.key) return &s;
    return nullptr;
}

std::vector<std::string> keys() {
    std::vector<std::string> out;
    for (const auto& s : setting_specs())
        out.emplace_back(s.key);
    return out;
}

std::string env_name(std::string_view key) {
    std::string out = "LEURA_";
    for (char c : key)
        out += char(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// A TOML value as the text setting_value checks.
std::optional<std::string> toml_text(const toml::node& node) {
    if (auto s = node.value<std::string>()) return *s;
    if (node.is_integer()) return std::to_string(*node.value<int64_t>());
    if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
    return std::nullopt;
}

void read_file(const fs::path& file, Settings& out, Diagnostics& diags) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return;
    std::string text;
    auto doc = detail::parse_toml_file(file, text, diags);
    if (!doc) return;
    detail::Reporter r(file.string(), text, diags);
    for (const auto& [key, value] : detail::in_source_order(*doc)) {
        std::string name = detail::name_of(*key);
        const SettingSpec* spec = spec_of(name);
        if (!spec) {
            r.error(*key, "unknown setting '" + name + "'" + detail::did_you_mean(name, keys()));
            continue;
        }
        if (spec->system_only && file != k_system_settings_file) {
            r.error(*key, "'" + name + "' is read from " + k_system_settings_file + " only");
            continue;
        }
        auto raw = toml_text(*value);
        std::string why = "must be a string, an integer or a boolean";
        auto normalized = raw ? setting_value(*spec, *raw, why) : std::nullopt;
        if (!normalized) {
            r.error(*value, "'" + name + "' " + why);
            continue;
        }
        // A relative path is relative to the file that names it.
        if (spec->kind == SettingKind::path && !normalized->starts_with("~") &&
            fs::path(*normalized).is_relative())
            normalized = (file.parent_path() / *normalized).lexically_normal().string();
        auto pos = r.pos(key->source());
        out.set(name, *normalized,
                file.string() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column));
    }
}

} // namespace

Settings::Settings() {
    for (const auto& s : setting_specs())
        m_values.push_back({s.key, {s.fallback, "default"}});
}

const Setting& Settings::get(std::string_view key) const {
    for (const auto& [k, v] : m_values)
        if (k == key) return v;
    static const Setting none;
    return none;
}

void Settings::set(std::string_view key, std::string value, std::string origin) {
    for (auto& [k, v] : m_values)
        if (k == key) v = {std::move(value), std::move(origin)};
}

std::chrono::milliseconds Settings::duration(std::string_view key) const {
    return parse_duration(get(key).value).value_or(std::chrono::milliseconds(0));
}

int64_t Settings::count(std::string_view key) const {
    const std::string& v = get(key).value;
    int64_t n = 0;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
}

uint64_t Settings::size(std::string_view key) const {
    return util::parse_size(get(key).value).value_or(0);
}

std::optional<std::string> setting_value(const SettingSpec& spec, const std::string& text,
                                         std::string& why) {
    switch (spec.kind) {
    case SettingKind::path:
    case SettingKind::text:
        if (text.empty()) {
            why = "must not be empty";
            return std::nullopt;
        }
        return text;
    case SettingKind::count: {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || end != text.data() + text.size() || n < spec.min || n > spec.max) {
            why = "must be a whole number from " + std::to_string(spec.min) + " to " +
                  std::to_string(spec.max) + ", got '" + text + "'";
            return std::nullopt;
        }
        return std::to_string(n);
    }
    case SettingKind::duration: {
        auto d = parse_duration(text);
        bool zero_ok = spec.min == 0;
        if (!d || (!zero_ok && d->count() == 0)) {
            why = std::string("must be a duration such as \"") +
                  (*spec.fallback ? spec.fallback : "90d") + "\"" +
                  (zero_ok ? "" : ", more than 0") + " and at most 365d, got '" + text + "'";
            return std::nullopt;
        }
        return text;
    }
    case SettingKind::flag:
        if (text == "true" || text == "1" || text == "yes") return "true";
        if (text == "false" || text == "0" || text == "no") return "false";
        why = "must be true or false, got '" + text + "'";
        return std::nullopt;
    case SettingKind::size:
        if (!util::parse_size(text)) {
            why = "must be a size such as \"10GiB\" or \"500MiB\" (B, KiB, MiB, GiB, TiB), got '" +
                  text + "'";
            return std::nullopt;
        }
        return text;
    case SettingKind::choice:
        for (const auto& c : spec.choices)
            if (text == c) return text;
        why = "must be " + detail::choice_list(spec.choices) + ", got '" + text + "'" +
              detail::did_you_mean(text, spec.choices);
        return std::nullopt;
    }
    return std::nullopt;
}

std::vector<fs::path> settings_files() {
    std::vector<fs::path> out = {k_system_settings_file};
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    if (xdg && *xdg == '/')
        out.push_back(fs::path(xdg) / "leura/config.toml");
    else if (home && *home)
        out.push_back(fs::path(home) / ".config/leura/config.toml");
    return out;
}

std::optional<Settings> load_settings(const std::vector<fs::path>& files,
                                      const std::function<const char*(const char*)>& getenv,
                                      Diagnostics& diags) {
    Settings out;
    size_t before = diags.size();
    for (const auto& f : files)
        read_file(f, out, diags);
    for (const auto& spec : setting_specs()) {
        std::string name = env_name(spec.key);
        const char* v = getenv ? getenv(name.c_str()) : nullptr;
        if (!v || !*v) continue;
        if (spec.system_only) {
            diags.add({name, 0, 0}, name + ": '" + spec.key + "' is read from " +
                                        k_system_settings_file + " only");
            continue;
        }
        std::string why;
        auto normalized = setting_value(spec, v, why);
        if (!normalized) {
            diags.add({name, 0, 0}, name + " " + why);
            continue;
        }
        if (spec.kind == SettingKind::path && !normalized->starts_with("~"))
            normalized = fs::absolute(*normalized).lexically_normal().string();
        out.set(spec.key, *normalized, name);
    }
    if (diags.size() != before) return std::nullopt;
    return out;
}

} // namespace leura::config
