// SPDX-License-Identifier: Apache-2.0
//
// Host ranges, both ways.
//
// expand_range reads a pattern as literal text and bracket groups. The groups multiply out
// left to right with the first group varying slowest, so `r[1-2]-h[1-2]` lists r1-h1 r1-h2
// r2-h1 r2-h2, the order a person would write them. The total is counted before any name is
// built, so a typo such as `[1-99999999]` fails at once instead of exhausting memory.
//
// fold_hosts works as ClusterShell's NodeSet folds: names are cut into text and numbers
// (fields); names with the same text and the same field widths are one kind, and each kind is
// folded into boxes, products of one range set per field. The first fold is along the last
// field (rack1-node[1-3]); then boxes equal in every field but one merge along that one, last
// field to first and again while anything merges, so rack[1-1000]-node[0001-1000] comes back
// as written, while a set that is no product stays several boxes.
//
// Widths: a zero-padded number (`07`) only folds with numbers of its digit count; an unpadded
// number of a digit count that some name of the same shape pads (at that field) prints at that
// width too, because `10` printed at width 2 is still `10` (so {web09, web10} folds to
// `web[09-10]`), and all other unpadded numbers fold across digit counts (`web[9-11]`). A
// number too long for 64 bits stays literal text. One sort of the names by kind and values,
// then sorts of the (usually far fewer) boxes keep this fast for a million names.

#include "inventory/range.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <compare>
#include <cstdint>
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

// A closed interval of one field's values.
struct Interval {
    uint64_t lo = 0;
    uint64_t hi = 0;
    auto operator<=>(const Interval&) const = default;
};

// Disjoint, non-adjacent intervals in increasing order.
using RangeSet = std::vector<Interval>;

// Names of one kind share their text outside the numbers and, per number (field), a width:
// 0 prints a value as it is, w > 0 pads it to w digits.
struct Kind {
    std::vector<std::string> literals; // one more than there are fields
    std::vector<uint8_t> widths;
};

// A product of one range set per field: every combination is a name of the kind.
struct Box {
    uint32_t kind = 0;
    std::vector<RangeSet> fields;
};

// Names with their numbers taken out. Per field, which digit counts some name of the shape
// zero-pads (bit d).
struct Shape {
    std::vector<std::string> literals;
    std::vector<uint32_t> padded_counts;
};

// Each name reduced to its shape and its numbers (values[offset[i] ..], likewise digits).
struct Split {
    std::vector<Shape> shapes;
    std::vector<uint32_t> shape_of;
    std::vector<size_t> offset;
    std::vector<uint64_t> values;
    std::vector<uint8_t> digits;
};

// Text and digit runs alternate; a run too long for uint64_t stays literal text.
struct Pieces {
    std::vector<std::string_view> literals;
    std::vector<std::string_view> numbers;
};

void cut(std::string_view name, Pieces& out) {
    out.literals.clear();
    out.numbers.clear();
    size_t literal = 0;
    for (size_t i = 0; i < name.size();) {
        if (!is_digit(name[i])) {
            ++i;
            continue;
        }
        size_t begin = i;
        while (i < name.size() && is_digit(name[i]))
            ++i;
        if (i - begin > k_max_digits) continue;
        out.literals.push_back(name.substr(literal, begin - literal));
        out.numbers.push_back(name.substr(begin, i - begin));
        literal = i;
    }
    out.literals.push_back(name.substr(literal));
}

// "07" is padded; "7", "0" and "10" are not.
bool padded(std::string_view digits) {
    return digits.size() > 1 && digits[0] == '0';
}

// Length-prefixed pieces: names of one shape have the same key, whatever bytes they hold.
void append_piece(std::string& key, std::string_view piece) {
    key += std::to_string(piece.size());
    key += ':';
    key += piece;
}

Split split_names(const std::vector<std::string>& names) {
    Split split;
    std::unordered_map<std::string, uint32_t> shape_ids;
    split.shape_of.resize(names.size());
    split.offset.resize(names.size());
    Pieces pieces;
    std::string key;
    for (size_t i = 0; i < names.size(); ++i) {
        cut(names[i], pieces);
        key.clear();
        for (auto literal : pieces.literals)
            append_piece(key, literal);
        auto [it, fresh] = shape_ids.try_emplace(key, static_cast<uint32_t>(split.shapes.size()));
        if (fresh) {
            split.shapes.push_back({{pieces.literals.begin(), pieces.literals.end()},
                                    std::vector<uint32_t>(pieces.numbers.size(), 0)});
        }
        Shape& shape = split.shapes[it->second];
        split.shape_of[i] = it->second;
        split.offset[i] = split.values.size();
        for (size_t f = 0; f < pieces.numbers.size(); ++f) {
            std::string_view number = pieces.numbers[f];
            uint64_t value = 0;
            std::from_chars(number.data(), number.data() + number.size(), value);
            split.values.push_back(value);
            split.digits.push_back(static_cast<uint8_t>(number.size()));
            if (padded(number)) shape.padded_counts[f] |= uint32_t{1} << number.size();
        }
    }
    return split;
}

// Adds [lo, hi] to a range set whose intervals all start at or below lo.
void append(RangeSet& set, uint64_t lo, uint64_t hi) {
    if (!set.empty() && lo <= set.back().hi + 1) {
        set.back().hi = std::max(set.back().hi, hi);
        return;
    }
    set.push_back({lo, hi});
}

template <typename T> void append_bytes(std::string& key, const T& value) {
    key.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// The first fold, along the last field. A name's kind is its shape and the width each of its
// numbers prints at: an unpadded number of a digit count its shape pads at that field prints
// at that width (`10` among `09`), any other as it is, so `9` and `10` fold together while
// `01` and `1` never do. Names of one kind equal but for their last number make one box (found
// by hashing, then their last numbers are sorted in place); duplicates collapse here.
std::vector<Box> fold_last_field(const Split& split, std::vector<Kind>& kinds) {
    size_t count = split.shape_of.size();
    std::unordered_map<std::string, uint32_t> box_ids, kind_ids;
    std::vector<Box> boxes;
    std::vector<size_t> sizes; // names per box
    std::vector<uint32_t> box_of(count);
    std::string key;
    for (size_t i = 0; i < count; ++i) {
        const Shape& shape = split.shapes[split.shape_of[i]];
        size_t fields = shape.padded_counts.size();
        const uint64_t* values = split.values.data() + split.offset[i];
        const uint8_t* digits = split.digits.data() + split.offset[i];
        key.clear();
        append_bytes(key, split.shape_of[i]);
        for (size_t f = 0; f < fields; ++f)
            key += static_cast<char>(shape.padded_counts[f] >> digits[f] & 1 ? digits[f] : 0);
        size_t kind_size = key.size();
        for (size_t f = 0; f + 1 < fields; ++f)
            append_bytes(key, values[f]);
        auto [it, fresh] = box_ids.try_emplace(key, static_cast<uint32_t>(boxes.size()));
        if (fresh) {
            std::string kind_key = key.substr(0, kind_size);
            auto [k, new_kind] =
                kind_ids.try_emplace(kind_key, static_cast<uint32_t>(kinds.size()));
            if (new_kind) {
                kinds.push_back(
                    {shape.literals,
                     std::vector<uint8_t>(kind_key.begin() + sizeof(uint32_t), kind_key.end())});
            }
            Box box{k->second, std::vector<RangeSet>(fields)};
            for (size_t f = 0; f + 1 < fields; ++f)
                box.fields[f] = {{values[f], values[f]}};
            boxes.push_back(std::move(box));
            sizes.push_back(0);
        }
        box_of[i] = it->second;
        if (fields != 0) ++sizes[it->second];
    }
    // Each box's last numbers, side by side in one array.
    std::vector<size_t> start(boxes.size() + 1, 0);
    for (size_t b = 0; b < boxes.size(); ++b)
        start[b + 1] = start[b] + sizes[b];
    std::vector<uint64_t> last(start.back());
    std::vector<size_t> next(start.begin(), start.end() - 1);
    for (size_t i = 0; i < count; ++i) {
        size_t fields = split.shapes[split.shape_of[i]].padded_counts.size();
        if (fields != 0) last[next[box_of[i]]++] = split.values[split.offset[i] + fields - 1];
    }
    for (size_t b = 0; b < boxes.size(); ++b) {
        if (boxes[b].fields.empty()) continue;
        std::sort(last.begin() + start[b], last.begin() + start[b + 1]);
        for (size_t k = start[b]; k < start[b + 1]; ++k)
            append(boxes[b].fields.back(), last[k], last[k]);
    }
    std::stable_sort(boxes.begin(), boxes.end(),
                     [](const Box& a, const Box& b) { return a.kind < b.kind; });
    return boxes;
}

// Merges boxes of one kind that are equal in every field but `axis` into one box whose `axis`
// set is their union. Returns whether any merged.
bool fold_along(std::vector<Box>& boxes, size_t axis) {
    auto less = [axis](const Box& a, const Box& b) {
        for (size_t f = 0; f < a.fields.size(); ++f) {
            if (f == axis) continue;
            if (auto c = a.fields[f] <=> b.fields[f]; c != 0) return c < 0;
        }
        return a.fields[axis] < b.fields[axis];
    };
    auto same_but_axis = [axis](const Box& a, const Box& b) {
        for (size_t f = 0; f < a.fields.size(); ++f) {
            if (f != axis && a.fields[f] != b.fields[f]) return false;
        }
        return true;
    };
    std::sort(boxes.begin(), boxes.end(), less);
    std::vector<Box> out;
    bool merged = false;
    for (size_t begin = 0; begin < boxes.size();) {
        size_t end = begin + 1;
        while (end < boxes.size() && same_but_axis(boxes[begin], boxes[end]))
            ++end;
        Box box = std::move(boxes[begin]);
        if (end - begin > 1) {
            merged = true;
            std::vector<Interval> all = std::move(box.fields[axis]);
            for (size_t k = begin + 1; k < end; ++k)
                all.insert(all.end(), boxes[k].fields[axis].begin(), boxes[k].fields[axis].end());
            std::sort(all.begin(), all.end());
            box.fields[axis].clear();
            for (const auto& i : all)
                append(box.fields[axis], i.lo, i.hi);
        }
        out.push_back(std::move(box));
        begin = end;
    }
    boxes = std::move(out);
    return merged;
}

// Folds one kind's boxes along the earlier fields, last to first, and again while that merges
// (with two fields it never does again; with three it can). A few rounds find what there is
// to find; the cap only bounds the time a contrived set could take.
void fold_kind(std::vector<Box>& boxes, size_t fields) {
    constexpr int k_max_rounds = 4;
    if (fields < 2) return;
    bool merged = true;
    for (int round = 0; merged && round < k_max_rounds; ++round) {
        merged = false;
        for (size_t axis = round == 0 ? fields - 1 : fields; axis-- > 0;)
            merged = fold_along(boxes, axis) || merged;
    }
}

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

// One folded box; `first` is its smallest name, by which boxes are ordered.
struct Folded {
    std::string first;
    std::string text;
};

Folded print(const Kind& kind, const Box& box) {
    Folded out;
    out.first = kind.literals[0];
    out.text = kind.literals[0];
    for (size_t f = 0; f < box.fields.size(); ++f) {
        const RangeSet& set = box.fields[f];
        size_t width = kind.widths[f];
        out.first += format_number(set.front().lo, width);
        if (set.size() == 1 && set.front().lo == set.front().hi) {
            out.text += format_number(set.front().lo, width);
        } else {
            out.text += '[';
            for (size_t k = 0; k < set.size(); ++k) {
                if (k) out.text += ',';
                out.text += format_number(set[k].lo, width);
                if (set[k].hi != set[k].lo) out.text += '-' + format_number(set[k].hi, width);
            }
            out.text += ']';
        }
        out.first += kind.literals[f + 1];
        out.text += kind.literals[f + 1];
    }
    return out;
}

} // namespace

std::string fold_hosts(const std::vector<std::string>& names) {
    std::vector<Kind> kinds;
    std::vector<Box> boxes = fold_last_field(split_names(names), kinds); // sorted by kind
    std::vector<Folded> folded;
    for (size_t begin = 0; begin < boxes.size();) {
        size_t end = begin + 1;
        while (end < boxes.size() && boxes[end].kind == boxes[begin].kind)
            ++end;
        std::vector<Box> same(std::make_move_iterator(boxes.begin() + begin),
                              std::make_move_iterator(boxes.begin() + end));
        const Kind& kind = kinds[same.front().kind];
        fold_kind(same, kind.widths.size());
        for (const auto& box : same)
            folded.push_back(print(kind, box));
        begin = end;
    }
    std::sort(folded.begin(), folded.end(), [](const Folded& a, const Folded& b) {
        if (a.first != b.first) return natural_less(a.first, b.first);
        return a.text < b.text;
    });
    std::string out;
    for (const auto& f : folded) {
        if (!out.empty()) out += ',';
        out += f.text;
    }
    return out;
}

} // namespace leura::inventory
