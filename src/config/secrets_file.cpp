// SPDX-License-Identifier: Apache-2.0
// The [secrets] table of a task file (docs/tasks.md). Each secret is read when the task loads, from
// the controller's environment or from a file only its owner can read. Every message written
// here names the secret, the variable or the file, and never the value: diagnostics are printed,
// logged and archived, and a secret must reach none of those.
#include "config/env_source.hpp"
#include "config/toml_util.hpp"

#include "util/strings.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace leura::config::detail {

namespace {

namespace fs = std::filesystem;

const KeySet k_secret_keys{{"env", "file"}, {}};

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// Closes a file descriptor on every path out.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

// The file a secret names: "~/x" under $HOME, a relative path from the task file's directory.
// An error (a sentence ending the message "secret 'x': ...") when ~/ cannot be expanded.
Result<fs::path> secret_path(const std::string& path, const fs::path& task_dir) {
    if (!path.starts_with("~/")) return task_dir / path;
    const char* home = std::getenv("HOME");
    if (!home || !*home) return fail(ErrorKind::config, "cannot expand '~/' as HOME is not set");
    return fs::path(home) / path.substr(2);
}

// The contents of `path`, which must be a regular file with no group or other permission bits.
// The file is opened once and checked through its descriptor, so what is checked is what is
// read; O_NONBLOCK keeps a FIFO planted there from hanging the open (it is then rejected).
Result<std::string> read_owner_only_file(const fs::path& path) {
    const std::string shown = path.string();
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0)
        return fail(ErrorKind::config, "cannot read " + shown + ": " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return fail(ErrorKind::config, "cannot read " + shown + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return fail(ErrorKind::config, shown + " is not a regular file");
    if ((st.st_mode & 077) != 0)
        return fail(ErrorKind::config, shown + " must be readable only by its owner (chmod 600)");
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(ErrorKind::config, "cannot read " + shown + ": " + errno_text(errno));
        }
        text.append(buf, static_cast<size_t>(n));
    }
    return text;
}

// A file's secret is its contents less one line ending ("\n" or "\r\n"), as editors and
// `echo x > file` add one; any more are kept, being then part of the value.
void drop_one_line_ending(std::string& text) {
    if (text.ends_with('\n')) text.pop_back();
    if (text.ends_with('\r')) text.pop_back();
}

// The value of `env = "VAR"`.
std::optional<std::string> from_env(const std::string& secret, const toml::node& value,
                                    Reporter& r) {
    auto var = read_non_empty(value, "secrets." + secret + ".env", r);
    if (!var) return std::nullopt;
    auto text = env_value(*var);
    if (!text || text->empty()) {
        r.error(value, "secret " + in_quotes(secret) + ": environment variable " + *var + " is " +
                           (text ? "empty" : "not set"));
        return std::nullopt;
    }
    return text;
}

// The value of `file = "path"`.
std::optional<std::string> from_file(const std::string& secret, const toml::node& value,
                                     const fs::path& task_dir, KeyPaths& files, Reporter& r) {
    auto file = read_non_empty(value, "secrets." + secret + ".file", r);
    if (!file) return std::nullopt;
    const std::string prefix = "secret " + in_quotes(secret) + ": ";
    auto path = secret_path(*file, task_dir);
    if (!path) {
        r.error(value, prefix + path.error().message);
        return std::nullopt;
    }
    files.emplace_back(secret, *path);
    auto text = read_owner_only_file(*path);
    if (!text) {
        r.error(value, prefix + text.error().message);
        return std::nullopt;
    }
    drop_one_line_ending(*text);
    if (text->empty()) {
        r.error(value, prefix + path->string() + " is empty");
        return std::nullopt;
    }
    // A NUL cannot travel in an environment variable or a shell word; it would cut the value.
    if (text->find('\0') != std::string::npos) {
        r.error(value, prefix + path->string() + " contains a NUL byte");
        return std::nullopt;
    }
    return std::move(*text);
}

// One NAME = { env = "VAR" } or { file = "path" }; every problem in it is reported.
std::optional<std::string> read_secret(const std::string& secret, const toml::node& node,
                                       const fs::path& task_dir, KeyPaths& files, Reporter& r) {
    const std::string where = "secret " + in_quotes(secret);
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, where + " must be a table such as { env = \"VAR\" } or { file = \"path\" }");
        return std::nullopt;
    }
    const size_t before = r.count();
    std::optional<Entry> source;
    std::optional<std::string> value;
    for (const auto& entry : in_source_order(*table)) {
        if (!check_key(*entry.first, k_secret_keys, where, r)) continue;
        const std::string key = name_of(*entry.first);
        if (source) {
            r.error(*entry.first, in_quotes(key) + " cannot be combined with " +
                                      in_quotes(name_of(*source->first)) + " in " + where +
                                      "; a secret comes from exactly one of them");
            continue;
        }
        source = entry;
        value = key == "env" ? from_env(secret, *entry.second, r)
                             : from_file(secret, *entry.second, task_dir, files, r);
    }
    if (!source) r.error(table_pos(*table, r), where + " needs one of 'env' or 'file'");
    if (r.count() != before) return std::nullopt;
    return value;
}

} // namespace

std::optional<KeyValues> read_secrets(const toml::node& node, const toml::node* vars,
                                      const fs::path& task_dir, KeyPaths& files, Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, "'secrets' must be a table");
        return std::nullopt;
    }
    const auto* var_table = vars ? vars->as_table() : nullptr;
    const size_t before = r.count();
    KeyValues out;
    for (const auto& [key, value] : in_source_order(*table)) {
        const std::string secret = name_of(*key);
        if (!util::is_shell_identifier(secret))
            r.error(*key, in_quotes(secret) +
                              " in 'secrets' is not a valid shell variable name (letters, digits "
                              "and '_', not starting with a digit)");
        // Both become variables of the same scripts: one would silently shadow the other.
        if (var_table && var_table->contains(secret))
            r.error(*key, "secret " + in_quotes(secret) + " has the same name as a variable");
        if (auto text = read_secret(secret, *value, task_dir, files, r))
            out.emplace_back(secret, std::move(*text));
    }
    if (r.count() != before) return std::nullopt;
    return out;
}

} // namespace leura::config::detail
