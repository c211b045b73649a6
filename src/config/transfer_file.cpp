// SPDX-License-Identifier: Apache-2.0
// The upload and download step bodies of a task file. Like every reader here they report each
// problem where it stands and keep going; the caller decides validity by the diagnostics' count.
#include "config/toml_util.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace leura::config::detail {

namespace {

namespace fs = std::filesystem;

const KeySet k_upload_keys{{"src", "dest", "mode", "owner"}, {}};
const KeySet k_download_keys{{"src", "dest"}, {}};

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// The node under `name` in `table`, reporting "'what' needs 'name'" at `at` when absent.
const toml::node* required(const toml::table& table, const char* name, const toml::key& at,
                           const std::string& what, Reporter& r) {
    const toml::node* node = table.get(name);
    if (!node) r.error(at, what + " needs '" + name + "'");
    return node;
}

bool is_name_start(char c) {
    return c == '_' || (c >= 'a' && c <= 'z');
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// ^[a-z_][a-z0-9_.-]*$
bool is_owner_name(std::string_view s) {
    if (s.empty() || !is_name_start(s[0])) return false;
    for (char c : s) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

bool has_newline_or_nul(std::string_view s) {
    return s.find('\n') != std::string_view::npos || s.find('\0') != std::string_view::npos;
}

// An absolute path naming a file: no trailing '/', no newline or NUL.
bool is_absolute_file_path(std::string_view s) {
    return s.starts_with('/') && !s.ends_with('/') && !has_newline_or_nul(s);
}

bool has_dot_dot_component(std::string_view s) {
    size_t start = 0;
    for (;;) {
        size_t slash = s.find('/', start);
        std::string_view part =
            s.substr(start, slash == std::string_view::npos ? s.npos : slash - start);
        if (part == "..") return true;
        if (slash == std::string_view::npos) return false;
        start = slash + 1;
    }
}

// The upload source as the runner will open it: "~/x" under $HOME, a relative path from the
// task file's directory. A reason when ~/ cannot be expanded.
Result<fs::path> source_path(const std::string& path, const fs::path& task_dir) {
    if (!path.starts_with("~/")) return task_dir / path;
    const char* home = std::getenv("HOME");
    if (!home || !*home) return fail(ErrorKind::config, "cannot expand '~/' as HOME is not set");
    return fs::path(home) / path.substr(2);
}

// Reports at `at` unless `path` is a readable regular file or directory; true: a directory. The
// file is opened once and checked through its descriptor; O_NONBLOCK keeps a FIFO from hanging the
// open (it is then rejected).
bool check_source(const fs::path& path, const toml::node& at, Reporter& r) {
    const std::string shown = in_quotes(path.string());
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        r.error(at, "cannot read upload source " + shown + ": " +
                        std::generic_category().message(errno));
        return false;
    }
    struct stat st {};
    int failed = ::fstat(fd, &st);
    int err = errno;
    ::close(fd);
    if (failed != 0)
        r.error(at,
                "cannot read upload source " + shown + ": " + std::generic_category().message(err));
    else if (S_ISDIR(st.st_mode))
        return true;
    else if (!S_ISREG(st.st_mode))
        r.error(at, "upload source " + shown + " is neither a regular file nor a directory");
    return false;
}

void read_upload_key(Upload& up, const std::string& name, const toml::node& value,
                     const fs::path& task_dir, Reporter& r) {
    if (name == "src") {
        auto text = read_non_empty(value, name, r);
        if (!text) return;
        auto path = source_path(*text, task_dir);
        if (!path) {
            r.error(value,
                    "cannot read upload source " + in_quotes(*text) + ": " + path.error().message);
            return;
        }
        up.directory = check_source(*path, value, r);
        up.src = std::move(*path);
    } else if (name == "dest") {
        auto text = read_string(value, name, r);
        if (text && !is_absolute_file_path(*text))
            r.error(value, "'dest' must be an absolute file path on the host");
        else if (text)
            up.dest = std::move(*text);
    } else if (name == "mode") {
        const auto* s = value.as_string();
        auto mode = s ? normalize_upload_mode(s->get()) : std::nullopt;
        if (!mode)
            r.error(value, "'mode' must be octal such as \"0644\"");
        else
            up.mode = std::move(*mode);
    } else if (name == "owner") {
        auto text = read_string(value, name, r);
        if (text && !is_upload_owner(*text))
            r.error(value, "'owner' must be user or user:group");
        else if (text)
            up.owner = std::move(*text);
    }
}

void read_download_key(Download& down, const std::string& name, const toml::node& value,
                       const fs::path& task_dir, Reporter& r) {
    if (name == "src") {
        auto text = read_string(value, name, r);
        if (text && (!text->starts_with('/') || has_newline_or_nul(*text)))
            r.error(value, "'src' must be an absolute path on the host");
        else if (text)
            down.src = std::move(*text);
    } else if (name == "dest") {
        auto text = read_non_empty(value, name, r);
        if (text && has_newline_or_nul(*text))
            r.error(value, "'dest' must not contain a newline");
        else if (text && has_dot_dot_component(*text))
            r.error(value, "'dest' must not contain \"..\" path components");
        else if (text) {
            // Relative to the task file, as upload.src and script_file are.
            bool anchored = text->starts_with('/') || text->starts_with('~');
            down.dest = anchored ? std::move(*text) : (task_dir / *text).string();
            down.dest_pos = r.pos(value.source());
        }
    }
}

} // namespace

std::optional<Upload> read_upload(const Entry& entry, const std::string& where,
                                  const fs::path& task_dir, Reporter& r) {
    const auto* table = entry.second->as_table();
    if (!table) {
        r.error(*entry.second,
                "'upload' must be a table such as { src = \"...\", dest = \"...\" }");
        return std::nullopt;
    }
    size_t before = r.count();
    const std::string what = "the upload of " + where;
    Upload up;
    for (const auto& [key, value] : in_source_order(*table)) {
        if (check_key(*key, k_upload_keys, what, r))
            read_upload_key(up, name_of(*key), *value, task_dir, r);
    }
    required(*table, "src", *entry.first, what, r);
    required(*table, "dest", *entry.first, what, r);
    if (up.directory && !up.mode.empty())
        r.error(*table->get("mode"), "'mode' is for file uploads; the files of a directory "
                                     "upload keep their own modes");
    if (r.count() != before) return std::nullopt;
    return up;
}

std::optional<Download> read_download(const Entry& entry, const std::string& where,
                                      const fs::path& task_dir, Reporter& r) {
    const auto* table = entry.second->as_table();
    if (!table) {
        r.error(*entry.second, "'download' must be a table such as { src = \"...\" }");
        return std::nullopt;
    }
    size_t before = r.count();
    const std::string what = "the download of " + where;
    Download down;
    for (const auto& [key, value] : in_source_order(*table)) {
        if (check_key(*key, k_download_keys, what, r))
            read_download_key(down, name_of(*key), *value, task_dir, r);
    }
    required(*table, "src", *entry.first, what, r);
    if (r.count() != before) return std::nullopt;
    return down;
}

} // namespace leura::config::detail

namespace leura::config {

bool is_upload_owner(std::string_view s) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) return detail::is_owner_name(s);
    return detail::is_owner_name(s.substr(0, colon)) && detail::is_owner_name(s.substr(colon + 1));
}

std::optional<std::string> normalize_upload_mode(std::string_view s) {
    if (s.size() == 4 && s[0] == '0') s.remove_prefix(1);
    if (s.size() != 3) return std::nullopt;
    for (char c : s) {
        if (c < '0' || c > '7') return std::nullopt;
    }
    return "0" + std::string(s);
}

} // namespace leura::config
