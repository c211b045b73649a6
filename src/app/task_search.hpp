// SPDX-License-Identifier: Apache-2.0
#pragma once

// `leura task search WORDS...`: which library tasks are about these words.
#include "config/task.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace leura::app {

// Where a word can match, most telling first.
enum class SearchField { name, tag, description, step_name, body };
const char* to_string(SearchField field); // "name", "tag", "description", "step", "body"

struct SearchHit {
    std::string name;
    std::filesystem::path file;
    bool valid = true;   // the file loads as a task; else its text was searched as a body
    std::string problem; // why it does not load (the first diagnostic)
    int64_t score = 0;
    std::vector<SearchField> fields; // where the words matched, most telling first
    // The first line of the task file (not a comment) with a word in it: 1-based, 0 when the
    // words matched only elsewhere (the name, a script_file). `text` is that line as written,
    // or the matching line of a step's script_file (then `line` is the step's).
    int line = 0;
    std::string text;
};

// How one task scores for `words` (lower-case, non-empty): nothing unless every word occurs,
// case-insensitively, in its name, tags, description, step names or step bodies (commands,
// scripts); `task` null means the file did not load, and then its whole text is the body.
// Each word scores, per field, weight × its occurrences there (at most 3 count): name 256,
// tag 64, description 16, step name 4, body 1, so one match in a field outranks any number in
// the fields after it.
std::optional<SearchHit> score_task(const std::string& name, const std::filesystem::path& file,
                                    const std::string& text, const config::Task* task,
                                    const std::vector<std::string>& words);

// Every task under `root` that matches all `words` (any case), best first: score, then name.
std::vector<SearchHit> search_library(const std::filesystem::path& root,
                                      const std::vector<std::string>& words);

} // namespace leura::app
