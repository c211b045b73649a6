// SPDX-License-Identifier: Apache-2.0
#include "app/task_search.hpp"
#include "app/library.hpp"
#include "util/read_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace leura::app {

namespace {

// By SearchField. Each weight is over k_max_counted times the next, so one match in a field
// outranks any number of matches in the fields after it.
constexpr std::array<int64_t, 5> k_weights = {256, 64, 16, 4, 1};
constexpr int64_t k_max_counted = 3; // occurrences of a word in one field that count

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// How often `word` occurs in the texts of one field, up to k_max_counted.
int64_t occurrences(const std::vector<std::string>& texts, const std::string& word) {
    int64_t n = 0;
    for (const auto& text : texts)
        for (size_t at = text.find(word); at != std::string::npos && n < k_max_counted;
             at = text.find(word, at + word.size()))
            ++n;
    return n;
}

// Each field's searchable text, lower-cased; several texts for fields that have several.
using FieldTexts = std::array<std::vector<std::string>, 5>;

FieldTexts fields_of(const std::string& name, const std::string& text, const config::Task* task) {
    FieldTexts f;
    f[size_t(SearchField::name)].push_back(lower(name));
    if (!task) {
        f[size_t(SearchField::body)].push_back(lower(text));
        return f;
    }
    for (const auto& tag : task->tags)
        f[size_t(SearchField::tag)].push_back(lower(tag));
    f[size_t(SearchField::description)].push_back(lower(task->description));
    for (const auto* steps : {&task->steps, &task->verify, &task->rollback})
        for (const auto& s : *steps) {
            f[size_t(SearchField::step_name)].push_back(lower(s.name));
            f[size_t(SearchField::body)].push_back(lower(s.body));
        }
    return f;
}

bool has_any(const std::string& lowered, const std::vector<std::string>& words) {
    return std::any_of(words.begin(), words.end(),
                       [&](const std::string& w) { return lowered.find(w) != std::string::npos; });
}

// The first line of `text` with one of the words, skipping comments: {line, text}.
std::pair<int, std::string> first_line(const std::string& text,
                                       const std::vector<std::string>& words) {
    int number = 0;
    for (auto line : util::split(text, '\n')) {
        ++number;
        auto body = util::trim(line);
        if (body.empty() || body.front() == '#') continue;
        if (has_any(lower(line), words)) {
            std::string out(line);
            if (!out.empty() && out.back() == '\r') out.pop_back();
            return {number, out};
        }
    }
    return {0, ""};
}

// A script_file's matching line, told by its step (the task file itself had none).
std::pair<int, std::string> script_line(const config::Task& task,
                                        const std::vector<std::string>& words) {
    for (const auto* steps : {&task.steps, &task.verify, &task.rollback})
        for (const auto& s : *steps)
            for (auto line : util::split(s.body, '\n'))
                if (has_any(lower(line), words))
                    return {s.pos.line,
                            "step \"" + s.name + "\": " + std::string(util::trim(line))};
    return {0, ""};
}

} // namespace

const char* to_string(SearchField field) {
    switch (field) {
    case SearchField::name:
        return "name";
    case SearchField::tag:
        return "tag";
    case SearchField::description:
        return "description";
    case SearchField::step_name:
        return "step";
    case SearchField::body:
        break;
    }
    return "body";
}

std::optional<SearchHit> score_task(const std::string& name, const std::filesystem::path& file,
                                    const std::string& text, const config::Task* task,
                                    const std::vector<std::string>& words) {
    FieldTexts fields = fields_of(name, text, task);
    SearchHit hit;
    std::array<bool, 5> matched{};
    for (const auto& word : words) {
        int64_t word_score = 0;
        for (size_t f = 0; f < fields.size(); ++f)
            if (int64_t n = occurrences(fields[f], word); n > 0) {
                word_score += k_weights[f] * n;
                matched[f] = true;
            }
        if (word_score == 0) return std::nullopt;
        hit.score += word_score;
    }
    for (size_t f = 0; f < matched.size(); ++f)
        if (matched[f]) hit.fields.push_back(SearchField(f));
    hit.name = name;
    hit.file = file;
    hit.valid = task != nullptr;
    std::tie(hit.line, hit.text) = first_line(text, words);
    if (hit.line == 0 && task) std::tie(hit.line, hit.text) = script_line(*task, words);
    return hit;
}

std::vector<SearchHit> search_library(const std::filesystem::path& root,
                                      const std::vector<std::string>& words) {
    std::vector<std::string> lowered;
    for (const auto& w : words)
        if (!w.empty()) lowered.push_back(lower(w));
    std::vector<SearchHit> hits;
    if (lowered.empty()) return hits;
    for (const auto& t : library_tasks(root)) {
        auto text = util::read_file(t.file);
        if (!text) continue; // gone or unreadable since the listing: nothing to search
        config::Diagnostics diags;
        auto task = config::load_task(t.file, diags);
        auto hit = score_task(t.name, t.file, *text, task ? &*task : nullptr, lowered);
        if (!hit) continue;
        if (!task && !diags.empty()) hit->problem = diags.items()[0].message;
        hits.push_back(std::move(*hit));
    }
    std::stable_sort(hits.begin(), hits.end(),
                     [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
    return hits;
}

} // namespace leura::app
