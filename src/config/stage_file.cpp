// SPDX-License-Identifier: Apache-2.0
// [[stages]]: a workflow's stages, each a small task of its own (steps, verify, rollback,
// rollout, vars) or a library task by name, and the graph `after` makes of them. The graph is
// checked here, where every problem has a position: names unknown or repeated, a stage that
// follows itself, cycles, and `when = "failed"` with nothing to follow.
#include "config/task.hpp"

#include "config/toml_util.hpp"

#include <algorithm>
#include <functional>

namespace leura::config {

namespace {

using detail::KeySet;
using detail::Reporter;

const KeySet k_stage_keys{
    {"name", "description", "targets", "task", "steps", "verify", "rollback", "rollout", "vars",
     "after", "when", "shell"},
    {},
};

void read_stage_key(Stage& stage, const std::string& name, const toml::node& value,
                    const toml::table& table, Reporter& r) {
    if (name == "name") {
        auto v = detail::read_non_empty(value, name, r);
        if (v && !detail::is_step_name(*v))
            r.error(value, "a stage's name is letters, digits, '-' and '_' (at most 64)");
        else if (v)
            stage.name = std::move(*v);
    } else if (name == "description") {
        (void)detail::read_string(value, name, r);
    } else if (name == "targets") {
        if (auto v = detail::read_string(value, name, r)) stage.targets = std::move(*v);
    } else if (name == "task") {
        if (auto v = detail::read_non_empty(value, name, r)) {
            stage.task_ref = std::move(*v);
            stage.task_ref_pos = r.pos(value.source());
        }
    } else if (name == "rollout") {
        stage.body.rollout = detail::read_rollout(value, detail::has_rollback_steps(table), r);
    } else if (name == "vars") {
        if (auto v = detail::read_key_values(value, name, true, r)) stage.body.vars = std::move(*v);
    } else if (name == "shell") {
        if (auto v = detail::read_shell_key(value, r)) stage.body.shell = std::move(*v);
    } else if (name == "after") {
        if (!value.is_array()) {
            r.error(value, "'after' must be an array of stage names, as in after = [\"db\"]");
            return;
        }
        for (const auto& item : *value.as_array()) {
            const auto* s = item.as_string();
            if (!s) {
                r.error(item, "'after' holds stage names (strings)");
                continue;
            }
            stage.after.push_back(s->get());
            stage.after_pos.push_back(r.pos(item.source()));
        }
    } else if (name == "when") {
        if (auto v = detail::read_choice(value, name, {"ok", "failed"}, r))
            stage.when_failed = *v == 1;
    } else {
        detail::read_step_list(stage.body, name, value, r);
    }
}

std::optional<Stage> read_stage(const Task& task, const toml::node& node, size_t number,
                                Reporter& r) {
    const auto* table = node.as_table();
    if (!table) {
        r.error(node, "'stages' must be an array of tables, as written with [[stages]]");
        return std::nullopt;
    }
    size_t before = r.count();
    Stage stage;
    stage.pos = detail::table_pos(*table, r);
    stage.body.file = task.file;
    bool after_written = false;
    for (const auto& [key, value] : detail::in_source_order(*table)) {
        std::string name = detail::name_of(*key);
        if (!detail::check_key(*key, k_stage_keys, "stage " + std::to_string(number), r)) continue;
        if (name == "after") after_written = true;
        read_stage_key(stage, name, *value, *table, r);
    }
    if (stage.name.empty() && !table->contains("name"))
        r.error(stage.pos, "stage " + std::to_string(number) + " needs a name");
    bool own_steps =
        table->contains("steps") || table->contains("verify") || table->contains("rollback");
    if (!stage.task_ref.empty() && own_steps)
        r.error(stage.task_ref_pos,
                "stage '" + stage.name + "' names a task and has steps of its own: keep one");
    if (stage.task_ref.empty() && !table->contains("steps"))
        r.error(stage.pos,
                "stage '" + stage.name + "' has no steps: add [[stages.steps]] or task = \"NAME\"");
    if (!after_written && number > 1) stage.after = {"\x01previous"};
    if (r.count() != before) return std::nullopt;
    return stage;
}

// Reports each cycle once, at the `after` that closes it.
void check_graph(std::vector<Stage>& stages, Reporter& r) {
    std::vector<std::string> names;
    for (size_t i = 0; i < stages.size(); ++i) {
        Stage& s = stages[i];
        if (std::find(names.begin(), names.end(), s.name) != names.end())
            r.error(s.pos, "a stage named '" + s.name + "' comes earlier; each needs its own name");
        names.push_back(s.name);
        if (s.after.size() == 1 && s.after[0] == "\x01previous") {
            s.after = {stages[i - 1].name};
            s.after_pos = {s.pos};
        }
    }
    bool known = true;
    for (auto& s : stages) {
        for (size_t k = 0; k < s.after.size(); ++k) {
            if (s.after[k] == s.name) {
                r.error(s.after_pos[k], "stage '" + s.name + "' cannot follow itself");
                known = false;
            } else if (stage_index(stages, s.after[k]) == std::string::npos) {
                r.error(s.after_pos[k], "no stage named '" + s.after[k] + "'" +
                                            detail::did_you_mean(s.after[k], names));
                known = false;
            }
        }
        if (s.when_failed && s.after.empty())
            r.error(s.pos, "stage '" + s.name +
                               "' runs when a stage it follows failed, and follows none: add "
                               "after = [\"NAME\"]");
    }
    if (!known) return;
    // Depth-first: a stage reached again while on the path closes a cycle.
    std::vector<int> state(stages.size(), 0); // 0 new, 1 on the path, 2 done
    std::vector<size_t> path;
    std::function<void(size_t)> visit = [&](size_t i) {
        state[i] = 1;
        path.push_back(i);
        for (size_t k = 0; k < stages[i].after.size(); ++k) {
            size_t j = stage_index(stages, stages[i].after[k]);
            if (state[j] == 1) {
                std::string cycle;
                auto from = std::find(path.begin(), path.end(), j);
                for (auto it = from; it != path.end(); ++it)
                    cycle += stages[*it].name + " -> ";
                r.error(stages[i].after_pos[k],
                        "the stages form a cycle: " + cycle + stages[j].name +
                            " (each follows the next); a workflow's stages need an order");
            } else if (state[j] == 0) {
                visit(j);
            }
        }
        path.pop_back();
        state[i] = 2;
    };
    for (size_t i = 0; i < stages.size(); ++i)
        if (state[i] == 0) visit(i);
}

} // namespace

size_t stage_index(const std::vector<Stage>& stages, std::string_view name) {
    for (size_t i = 0; i < stages.size(); ++i)
        if (stages[i].name == name) return i;
    return std::string::npos;
}

std::vector<size_t> stage_order(const std::vector<Stage>& stages) {
    std::vector<size_t> out;
    std::vector<bool> placed(stages.size(), false);
    while (out.size() < stages.size()) {
        size_t before = out.size();
        for (size_t i = 0; i < stages.size(); ++i) {
            if (placed[i]) continue;
            bool ready = std::all_of(stages[i].after.begin(), stages[i].after.end(),
                                     [&](const std::string& a) {
                                         size_t j = stage_index(stages, a);
                                         return j == std::string::npos || placed[j];
                                     });
            if (!ready) continue;
            placed[i] = true;
            out.push_back(i);
            break; // file order among the ready ones: start over from the first
        }
        if (out.size() == before) break; // a cycle (load_task reports it)
    }
    return out;
}

namespace detail {

void read_stages(Task& task, const toml::node& node, Reporter& r) {
    const auto* array = node.as_array();
    if (!array || array->empty()) {
        r.error(node, "'stages' must be a non-empty array of tables, as written with [[stages]]");
        return;
    }
    size_t before = r.count();
    size_t number = 0;
    for (const auto& item : *array)
        if (auto stage = read_stage(task, item, ++number, r)) task.stages.push_back(*stage);
    if (r.count() == before) check_graph(task.stages, r);
}

} // namespace detail

} // namespace leura::config
