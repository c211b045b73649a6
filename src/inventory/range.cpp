// SPDX-License-Identifier: Apache-2.0
//
// Host ranges, both ways.
//
// expand_range reads a pattern as literal text and bracket groups. The groups multiply out
// left to right with the first group varying slowest, so `r[1-2]-h[1-2]` lists r1-h1 r1-h2
// r2-h1 r2-h2, the order a person would write them. The total is counted before any name is
// built, so a typo such as `[1-99999999]` fails at once instead of exhausting memory.
//
// fold_hosts keys each name by the text around one number and by that number's width. The
// number is the last one that differs among names of the same shape, which for most names is
// simply the last number, but for web01.phx01 .. web08.phx01 is the host number. A zero-padded
// number (`07`) only folds with numbers of the same width; an unpadded number joins a padded
// group of its own width when there is one, because `10` printed at width 2 is still `10` (so
// {web09, web10} folds to `web[09-10]`). Hashing, one sort on integers and a linear scan keep
// this fast for fleets of 100,000 names.
#include "inventory/range.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>

namespace leura::inventory {
namespace {

// Numbers longer than this would overflow uint64_t; no real host name needs them.
constexpr size_t k_max_digits = 18;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Width 0 means unpadded.
struct Span {
    uint64_t lo = 0;
    uint64_t hi = 0;
    size_t width = 0;
};

// Literal text, or (when `spans` is not empty) one bracket group.
struct Part {
    std::string literal;
    std::vector<Span> spans;
};

std::unexpected<Error> range_error(const std::string& pattern, const std::string& what) {
    return fail(ErrorKind::config, "bad host range in '" + pattern + "': " + what);
}

std::string format_number(uint64_t value, size_t width) {
    std::string digits = std::to_string(value);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    return digits;
}

Result<uint64_t> parse_bound(const std::string& pattern, std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit))
        return range_error(pattern, "non-numeric bound '" + std::string(text) + "'");
    if (text.size() > k_max_digits)
        return range_error(pattern, "bound '" + std::string(text) + "' is too large");
    uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

Result<Span> parse_span(const std::string& pattern, std::string_view item) {
    size_t dash = item.find('-');
    std::string_view low = item.substr(0, dash);
    std::string_view high = dash == item.npos ? low : item.substr(dash + 1);
    LEURA_TRY_ASSIGN(lo, parse_bound(pattern, low));
    LEURA_TRY_ASSIGN(hi, parse_bound(pattern, high));
    if (hi < lo) return range_error(pattern, "range " + std::string(item) + " is reversed");
    size_t width = low.size() > 1 && low[0] == '0' ? low.size() : 0;
    return Span{lo, hi, width};
}

Result<std::vector<Span>> parse_group(const std::string& pattern, std::string_view inner) {
    if (inner.empty()) return range_error(pattern, "empty brackets");
    std::vector<Span> spans;
    for (const auto& item : util::split(inner, ',')) {
        if (item.empty()) return range_error(pattern, "empty item in brackets");
        LEURA_TRY_ASSIGN(span, parse_span(pattern, item));
        spans.push_back(span);
    }
    return spans;
}

Result<std::vector<Part>> parse_pattern(const std::string& pattern) {
    std::vector<Part> parts;
    std::string literal;
    size_t i = 0;
    while (i < pattern.size()) {
        char c = pattern[i];
        if (c == ']') return range_error(pattern, "unbalanced ']'");
        if (c != '[') {
            literal += c;
            ++i;
            continue;
        }
        size_t close = pattern.find_first_of("[]", i + 1);
        if (close == pattern.npos || pattern[close] == '[')
            return range_error(pattern, "unbalanced '['");
        if (!literal.empty()) parts.push_back({std::move(literal), {}});
        literal.clear();
        std::string_view inner = std::string_view(pattern).substr(i + 1, close - i - 1);
        LEURA_TRY_ASSIGN(spans, parse_group(pattern, inner));
        parts.push_back({{}, std::move(spans)});
        i = close + 1;
    }
    if (!literal.empty()) parts.push_back({std::move(literal), {}});
    return parts;
}

// How many names the pattern gives, or an error once that passes max_hosts.
Result<size_t> count_names(const std::string& pattern, const std::vector<Part>& parts,
                           size_t max_hosts) {
    auto too_many = [&] {
        return fail(ErrorKind::config, "host range '" + pattern + "' expands to more than " +
                                           std::to_string(max_hosts) + " names");
    };
    size_t total = 1;
    for (const auto& part : parts) {
        if (part.spans.empty()) continue;
        uint64_t count = 0;
        for (const auto& span : part.spans) {
            count += span.hi - span.lo + 1; // each term < 10^18: no overflow before the check
            if (count > max_hosts) return too_many();
        }
        total *= count; // both factors <= max_hosts, far from overflow
        if (total > max_hosts) return too_many();
    }
    return total;
}

} // namespace

Result<std::vector<std::string>> expand_range(const std::string& pattern, size_t max_hosts) {
    LEURA_TRY_ASSIGN(parts, parse_pattern(pattern));
    LEURA_TRY_ASSIGN(total, count_names(pattern, parts, max_hosts));
    std::vector<std::string> names{""};
    for (const auto& part : parts) {
        if (part.spans.empty()) {
            for (auto& name : names)
                name += part.literal;
            continue;
        }
        std::vector<std::string> next;
        next.reserve(total);
        for (const auto& name : names) {
            for (const auto& span : part.spans) {
                for (uint64_t v = span.lo; v <= span.hi; ++v)
                    next.push_back(name + format_number(v, span.width));
            }
        }
        names = std::move(next);
    }
    return names;
}

namespace {

// Offsets [begin, end) of one run of digits in a name.
struct Run {
    size_t begin = 0;
    size_t end = 0;
};

std::vector<Run> digit_runs(std::string_view name) {
    std::vector<Run> runs;
    for (size_t i = 0; i < name.size();) {
        if (!is_digit(name[i])) {
            ++i;
            continue;
        }
        size_t begin = i;
        while (i < name.size() && is_digit(name[i]))
            ++i;
        runs.push_back({begin, i});
    }
    return runs;
}

// The name with every digit run replaced by '#': names of one shape may fold together.
// A literal '#' or '\\' is escaped so that names of one shape have the same runs.
std::string shape_of(std::string_view name, const std::vector<Run>& runs) {
    std::string shape;
    size_t next_run = 0;
    for (size_t i = 0; i < name.size(); ++i) {
        if (next_run < runs.size() && i == runs[next_run].begin) {
            shape += '#';
            i = runs[next_run++].end - 1;
            continue;
        }
        if (name[i] == '#' || name[i] == '\\') shape += '\\';
        shape += name[i];
    }
    return shape;
}

// For each name, which of its runs to fold on: the last run whose text differs among the
// names of its shape, so that web01.phx01 .. web08.phx01 fold on the host number rather than
// on the constant 01. When nothing differs the names are equal and the last run serves.
std::vector<size_t> choose_runs(const std::vector<std::string>& names,
                                const std::vector<std::vector<Run>>& runs) {
    std::unordered_map<std::string, size_t> shape_ids;
    std::vector<size_t> shape(names.size()), first_of_shape, varying;
    for (size_t i = 0; i < names.size(); ++i) {
        auto [it, fresh] = shape_ids.try_emplace(shape_of(names[i], runs[i]), shape_ids.size());
        shape[i] = it->second;
        if (fresh) {
            first_of_shape.push_back(i);
            varying.push_back(0); // one past the last differing run; 0: none yet
        }
        const auto& first = names[first_of_shape[shape[i]]];
        const auto& first_runs = runs[first_of_shape[shape[i]]];
        for (size_t p = runs[i].size(); p > varying[shape[i]]; --p) {
            const Run& a = runs[i][p - 1];
            const Run& b = first_runs[p - 1];
            if (names[i].compare(a.begin, a.end - a.begin, first, b.begin, b.end - b.begin)) {
                varying[shape[i]] = p;
                break;
            }
        }
    }
    std::vector<size_t> chosen(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        size_t v = varying[shape[i]];
        chosen[i] = v != 0 ? v - 1 : runs[i].size() - 1;
    }
    return chosen;
}

// A name split around the run it folds on. `around` identifies the text on either side.
struct Numbered {
    size_t name = 0;
    size_t around = 0;
    size_t digits = 0;
    uint64_t value = 0;
    std::string_view prefix;
    std::string_view suffix;

    // "07" is padded; "7", "0" and "10" are not.
    bool padded() const {
        uint64_t smallest = 1;
        for (size_t i = 1; i < digits; ++i)
            smallest *= 10;
        return digits > 1 && value < smallest;
    }
};

// Orders "web9" before "web10": digit runs compare by value, then the rest by bytes.
bool natural_less(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            size_t ie = i, je = j;
            while (ie < a.size() && is_digit(a[ie]))
                ++ie;
            while (je < b.size() && is_digit(b[je]))
                ++je;
            std::string_view da = a.substr(i, ie - i), db = b.substr(j, je - j);
            da.remove_prefix(std::min(da.find_first_not_of('0'), da.size()));
            db.remove_prefix(std::min(db.find_first_not_of('0'), db.size()));
            if (da.size() != db.size()) return da.size() < db.size();
            if (da != db) return da < db;
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j])
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
        ++i;
        ++j;
    }
    if (i < a.size() || j < b.size()) return i == a.size();
    return a < b;
}

// One folded group; `first` is its smallest name, by which groups are ordered.
struct Folded {
    std::string first;
    std::string text;
};

// Folds names that share prefix and suffix, sorted by value, printing numbers at `width`.
Folded fold_group(const std::vector<std::string>& names, std::span<const Numbered> group,
                  size_t width) {
    const Numbered& head = group.front();
    std::string items;
    bool several = false;
    for (size_t i = 0; i < group.size();) {
        uint64_t lo = group[i].value, hi = lo;
        while (i < group.size() && group[i].value <= hi + 1)
            hi = group[i++].value;
        several = several || !items.empty() || hi != lo;
        if (!items.empty()) items += ',';
        items += format_number(lo, width);
        if (hi != lo) items += '-' + format_number(hi, width);
    }
    const std::string& first = names[head.name];
    if (!several) return {first, first};
    return {first, std::string(head.prefix) + '[' + items + ']' + std::string(head.suffix)};
}

// Splits each name around its chosen run; names without one go straight to `plain`.
std::vector<Numbered> number_names(const std::vector<std::string>& names,
                                   std::vector<Folded>& plain) {
    std::vector<std::vector<Run>> runs(names.size());
    for (size_t i = 0; i < names.size(); ++i)
        runs[i] = digit_runs(names[i]);
    std::vector<size_t> chosen = choose_runs(names, runs);
    std::unordered_map<std::string, size_t> around_ids;
    std::vector<Numbered> numbered;
    numbered.reserve(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        if (runs[i].empty() || runs[i][chosen[i]].end - runs[i][chosen[i]].begin > k_max_digits) {
            plain.push_back({names[i], names[i]});
            continue;
        }
        const Run& run = runs[i][chosen[i]];
        std::string_view name = names[i];
        Numbered n{i, 0, run.end - run.begin, 0, name.substr(0, run.begin), name.substr(run.end)};
        std::from_chars(name.data() + run.begin, name.data() + run.end, n.value);
        std::string key = std::string(n.prefix) + '\0' + std::string(n.suffix);
        n.around = around_ids.try_emplace(std::move(key), around_ids.size()).first->second;
        numbered.push_back(n);
    }
    return numbered;
}

// Folds names that share prefix and suffix, sorted by digit count, then value. Each digit count
// with a padded number is its own group; the unpadded rest fold together across digit counts
// (web[9-11]).
void fold_around(const std::vector<std::string>& names, std::span<const Numbered> same,
                 std::vector<Folded>& out) {
    std::vector<Numbered> unpadded;
    for (size_t begin = 0; begin < same.size();) {
        size_t end = begin + 1;
        while (end < same.size() && same[end].digits == same[begin].digits)
            ++end;
        auto bucket = same.subspan(begin, end - begin);
        if (bucket.front().padded())
            out.push_back(fold_group(names, bucket, bucket.front().digits));
        else
            unpadded.insert(unpadded.end(), bucket.begin(), bucket.end());
        begin = end;
    }
    if (!unpadded.empty()) out.push_back(fold_group(names, unpadded, 0));
}

} // namespace

std::string fold_hosts(const std::vector<std::string>& names) {
    std::vector<Folded> folded;
    std::vector<Numbered> numbered = number_names(names, folded);
    std::sort(numbered.begin(), numbered.end(), [](const Numbered& a, const Numbered& b) {
        if (a.around != b.around) return a.around < b.around;
        if (a.digits != b.digits) return a.digits < b.digits;
        return a.value < b.value;
    });
    std::span<const Numbered> all = numbered;
    for (size_t begin = 0; begin < all.size();) {
        size_t end = begin + 1;
        while (end < all.size() && all[end].around == all[begin].around)
            ++end;
        fold_around(names, all.subspan(begin, end - begin), folded);
        begin = end;
    }
    std::sort(folded.begin(), folded.end(),
              [](const Folded& a, const Folded& b) { return natural_less(a.first, b.first); });
    // Names without a number may repeat; each prints once.
    folded.erase(std::unique(folded.begin(), folded.end(),
                             [](const Folded& a, const Folded& b) { return a.text == b.text; }),
                 folded.end());
    std::string out;
    for (const auto& f : folded) {
        if (!out.empty()) out += ',';
        out += f.text;
    }
    return out;
}

} // namespace leura::inventory
