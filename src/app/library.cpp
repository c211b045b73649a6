// SPDX-License-Identifier: Apache-2.0
#include "app/library.hpp"
#include "app/prepare.hpp"
#include "util/json.hpp"
#include "util/paths.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

namespace leura::app {

namespace fs = std::filesystem;

fs::path library_root(const config::Settings& settings) {
    if (!settings.is_default("library")) return util::expand_tilde(settings.text("library"));
    std::error_code ec;
    if (fs::is_directory("runbooks", ec)) return fs::absolute("runbooks", ec);
    return util::user_config_dir() / "runbooks";
}

bool is_task_path(std::string_view arg) {
    return arg.starts_with('/') || arg.starts_with('.') || arg.ends_with(".toml");
}

namespace {

// Letters, digits, `-`, `_`, `.` in each part, parts joined by `/`; no empty, `.` or `..` part.
bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 200) return false;
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find('/', start);
        if (end == std::string::npos) end = name.size();
        std::string_view part(name.data() + start, end - start);
        if (part.empty() || part == "." || part == ".." || part.starts_with('.')) return false;
        for (char c : part)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
                return false;
        start = end + 1;
    }
    return true;
}

} // namespace

Result<fs::path> library_file(const fs::path& root, const std::string& name) {
    if (!valid_name(name))
        return fail(ErrorKind::usage, "'" + name +
                                          "' is not a task name (letters, digits, - _ . in "
                                          "parts joined by /, as in web/restart-nginx)");
    return root / (name + ".toml");
}

Result<fs::path> resolve_task(const fs::path& root, const std::string& arg, std::string& name) {
    name.clear();
    if (is_task_path(arg)) {
        auto rel = util::relative_inside(fs::path(arg), root);
        if (rel && rel->extension() == ".toml") {
            std::string candidate = rel->replace_extension().generic_string();
            if (valid_name(candidate)) name = candidate;
        }
        return fs::path(arg);
    }
    LEURA_TRY_ASSIGN(file, library_file(root, arg));
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) {
        name = arg;
        return file;
    }
    std::vector<std::string> names;
    for (const auto& t : library_tasks(root))
        names.push_back(t.name);
    std::string hint = util::closest_match(arg, names);
    return fail(ErrorKind::not_found, "no task '" + arg + "' in the library " + root.string() +
                                          (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                          " (a path needs a leading ./ or a .toml ending)");
}

std::vector<LibraryTask> library_tasks(const fs::path& root) {
    std::vector<LibraryTask> out;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return out;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
        end;
    for (; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.filename().string().starts_with('.')) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec) || p.extension() != ".toml") continue;
        std::string name = p.lexically_relative(root).replace_extension().generic_string();
        if (valid_name(name)) out.push_back({name, p});
    }
    std::sort(out.begin(), out.end(),
              [](const LibraryTask& a, const LibraryTask& b) { return a.name < b.name; });
    return out;
}

std::string task_skeleton(const std::string& name) {
    return "# " + name +
           ": describe what this task does and when to run it.\n"
           "description = \"" +
           name +
           "\"\n"
           "# inventory = \"prod\"          # a name under inventories/, or a path\n"
           "# targets = \"web & az=1\"      # a selector; empty means every host\n"
           "tags = []\n"
           "\n"
           "# [rollout]\n"
           "# batches = [\"1\", \"10%\", \"100%\"]\n"
           "# max_failed = 0\n"
           "\n"
           "[[steps]]\n"
           "name = \"hello\"\n"
           "command = 'echo \"hello from $LEURA_HOST\"'\n";
}

std::vector<fs::path> known_inventories(const config::Settings& settings) {
    std::set<fs::path> seen;
    std::vector<fs::path> out;
    auto add_dir = [&](const fs::path& dir) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) return;
        std::vector<fs::path> found;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file(ec) && e.path().extension() == ".toml") found.push_back(e.path());
        std::sort(found.begin(), found.end());
        for (auto& f : found)
            if (seen.insert(fs::absolute(f, ec).lexically_normal()).second)
                out.push_back(fs::absolute(f, ec).lexically_normal());
    };
    add_dir("inventories");
    add_dir(library_root(settings).parent_path() / "inventories");
    if (!settings.is_default("inventory")) {
        auto f =
            find_inventory(settings.text("inventory"), fs::path(".") / "x", library_root(settings));
        std::error_code ec;
        if (f && seen.insert(fs::absolute(*f, ec).lexically_normal()).second)
            out.push_back(fs::absolute(*f, ec).lexically_normal());
    }
    return out;
}

std::string library_task_json(const LibraryTask& t, const config::Task* task,
                              const store::RunRecord* last) {
    util::JsonObject o;
    o.add("name", t.name).add("file", t.file.string()).add("valid", task != nullptr);
    o.add("description", task ? task->description : "");
    o.add_raw("tags", util::json_string_array(task ? task->tags : std::vector<std::string>{}));
    o.add("steps", task ? task->steps.size() : size_t(0));
    o.add("last_run", last ? std::optional<std::string>(last->id) : std::nullopt);
    o.add("last_status", last ? std::optional<std::string>(last->status) : std::nullopt);
    return o.str();
}

} // namespace leura::app
