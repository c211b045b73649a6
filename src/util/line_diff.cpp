// SPDX-License-Identifier: Apache-2.0
// Myers' O(ND) difference algorithm in linear space ("An O(ND) Difference Algorithm and Its
// Variations", 1986, section 4b), as Google's diff-match-patch lays it out.
//
// Lines are first replaced by small integers (equal lines, equal numbers), so the search
// compares integers. Common leading and trailing lines are taken off every (sub)problem
// before searching: most edits to a task file touch a few lines, and then the search runs on
// those few. The search walks furthest-reaching D-paths from both corners at once, forward on
// diagonal k = x - y and backward on the reversed sequences, until the two meet; the meeting
// point splits the problem into two halves that each need about half the edits, solved the
// same way. Memory is O(N + M) per level; time O((N + M) D), so a file rewritten from top to
// bottom costs its length squared — fine for task files, which are a few hundred lines.
//
// The result is a shortest edit script (in each run of changes, removals first); the hunks of
// unified_diff() group its changes with `context` equal lines around them and merge groups whose
// gap is at most twice that, as GNU diff does, so its output reads like `diff -u`'s.
#include "util/line_diff.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

namespace leura::util {

namespace {

using Ids = std::vector<uint32_t>;

class Differ {
public:
    Differ(const Ids& a, const Ids& b) : m_a(a), m_b(b) {}

    std::vector<DiffOp> run() {
        solve(0, m_a.size(), 0, m_b.size());
        // The halves may meet between an insertion and a removal: in each run of changes,
        // removals first (as diff prints them), which keeps the script as short.
        for (auto it = m_ops.begin(); it != m_ops.end();) {
            auto end = std::find(it, m_ops.end(), DiffOp::equal);
            std::stable_partition(it, end, [](DiffOp op) { return op == DiffOp::remove; });
            it = end == m_ops.end() ? end : end + 1;
        }
        return std::move(m_ops);
    }

private:
    void emit(DiffOp op, size_t n) { m_ops.insert(m_ops.end(), n, op); }

    // Appends the script for a[a_lo, a_hi) to b[b_lo, b_hi).
    void solve(size_t a_lo, size_t a_hi, size_t b_lo, size_t b_hi) {
        size_t prefix = 0;
        while (a_lo + prefix < a_hi && b_lo + prefix < b_hi &&
               m_a[a_lo + prefix] == m_b[b_lo + prefix])
            ++prefix;
        emit(DiffOp::equal, prefix);
        a_lo += prefix;
        b_lo += prefix;
        size_t suffix = 0;
        while (a_lo < a_hi - suffix && b_lo < b_hi - suffix &&
               m_a[a_hi - suffix - 1] == m_b[b_hi - suffix - 1])
            ++suffix;
        a_hi -= suffix;
        b_hi -= suffix;
        if (a_lo == a_hi || b_lo == b_hi) {
            emit(DiffOp::remove, a_hi - a_lo);
            emit(DiffOp::insert, b_hi - b_lo);
        } else {
            bisect(a_lo, a_hi, b_lo, b_hi);
        }
        emit(DiffOp::equal, suffix);
    }

    // Both ranges non-empty, differing in their first and their last lines.
    void bisect(size_t a_lo, size_t a_hi, size_t b_lo, size_t b_hi) {
        const auto n = int64_t(a_hi - a_lo), m = int64_t(b_hi - b_lo);
        const int64_t max_d = (n + m + 1) / 2, offset = max_d, length = 2 * max_d + 2;
        std::vector<int64_t> forward(size_t(length), -1), backward(size_t(length), -1);
        forward[size_t(offset + 1)] = 0;
        backward[size_t(offset + 1)] = 0;
        const int64_t delta = n - m;
        // With an odd delta the paths meet on a forward step, else on a backward one.
        const bool front = (delta % 2) != 0;
        // Diagonals that left the grid are skipped from then on.
        int64_t k1_start = 0, k1_end = 0, k2_start = 0, k2_end = 0;
        auto a_at = [&](int64_t i) { return m_a[a_lo + size_t(i)]; };
        auto b_at = [&](int64_t j) { return m_b[b_lo + size_t(j)]; };
        for (int64_t d = 0; d < max_d; ++d) {
            for (int64_t k1 = -d + k1_start; k1 <= d - k1_end; k1 += 2) {
                const int64_t i1 = offset + k1;
                int64_t x1 =
                    (k1 == -d || (k1 != d && forward[size_t(i1 - 1)] < forward[size_t(i1 + 1)]))
                        ? forward[size_t(i1 + 1)]
                        : forward[size_t(i1 - 1)] + 1;
                int64_t y1 = x1 - k1;
                while (x1 < n && y1 < m && a_at(x1) == b_at(y1)) {
                    ++x1;
                    ++y1;
                }
                forward[size_t(i1)] = x1;
                if (x1 > n) {
                    k1_end += 2;
                } else if (y1 > m) {
                    k1_start += 2;
                } else if (front) {
                    const int64_t i2 = offset + delta - k1;
                    if (i2 >= 0 && i2 < length && backward[size_t(i2)] != -1 &&
                        x1 >= n - backward[size_t(i2)])
                        return split(a_lo, a_hi, b_lo, b_hi, size_t(x1), size_t(y1));
                }
            }
            for (int64_t k2 = -d + k2_start; k2 <= d - k2_end; k2 += 2) {
                const int64_t i2 = offset + k2;
                int64_t x2 =
                    (k2 == -d || (k2 != d && backward[size_t(i2 - 1)] < backward[size_t(i2 + 1)]))
                        ? backward[size_t(i2 + 1)]
                        : backward[size_t(i2 - 1)] + 1;
                int64_t y2 = x2 - k2;
                while (x2 < n && y2 < m && a_at(n - x2 - 1) == b_at(m - y2 - 1)) {
                    ++x2;
                    ++y2;
                }
                backward[size_t(i2)] = x2;
                if (x2 > n) {
                    k2_end += 2;
                } else if (y2 > m) {
                    k2_start += 2;
                } else if (!front) {
                    const int64_t i1 = offset + delta - k2;
                    if (i1 >= 0 && i1 < length && forward[size_t(i1)] != -1) {
                        const int64_t x1 = forward[size_t(i1)];
                        const int64_t y1 = offset + x1 - i1;
                        if (x1 >= n - x2)
                            return split(a_lo, a_hi, b_lo, b_hi, size_t(x1), size_t(y1));
                    }
                }
            }
        }
        // No line in common.
        emit(DiffOp::remove, size_t(n));
        emit(DiffOp::insert, size_t(m));
    }

    void split(size_t a_lo, size_t a_hi, size_t b_lo, size_t b_hi, size_t x, size_t y) {
        solve(a_lo, a_lo + x, b_lo, b_lo + y);
        solve(a_lo + x, a_hi, b_lo + y, b_hi);
    }

    const Ids& m_a;
    const Ids& m_b;
    std::vector<DiffOp> m_ops;
};

struct Hunk {
    size_t first = 0, last = 0; // ops[first, last)
};

// Groups of changes with their context; groups closer than 2 * context merge.
std::vector<Hunk> hunks_of(const std::vector<DiffOp>& ops, size_t context) {
    std::vector<Hunk> out;
    size_t i = 0;
    while (i < ops.size()) {
        while (i < ops.size() && ops[i] == DiffOp::equal)
            ++i;
        if (i == ops.size()) break;
        Hunk h;
        h.first = i >= context ? i - context : 0;
        if (!out.empty()) h.first = std::max(h.first, out.back().last);
        size_t end = i;
        for (;;) {
            while (end < ops.size() && ops[end] != DiffOp::equal)
                ++end;
            size_t next = end;
            while (next < ops.size() && ops[next] == DiffOp::equal)
                ++next;
            if (next < ops.size() && next - end <= 2 * context) {
                end = next;
                continue;
            }
            break;
        }
        h.last = std::min(ops.size(), end + context);
        out.push_back(h);
        i = h.last;
    }
    return out;
}

// "3" for one line from 3, "3,4" for four, "2,0" for none after line 2.
std::string range_of(size_t start, size_t count) {
    if (count == 1) return std::to_string(start + 1);
    return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

void append_line(std::string& out, char mark, std::string_view line) {
    out += mark;
    out += line;
    if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

} // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
        lines.push_back(text.substr(0, len));
        text.remove_prefix(len);
    }
    return lines;
}

std::vector<DiffOp> diff_lines(const std::vector<std::string_view>& a,
                               const std::vector<std::string_view>& b) {
    std::unordered_map<std::string_view, uint32_t> ids;
    auto numbered = [&](const std::vector<std::string_view>& lines) {
        Ids out;
        out.reserve(lines.size());
        for (auto line : lines)
            out.push_back(ids.emplace(line, uint32_t(ids.size())).first->second);
        return out;
    };
    Ids ia = numbered(a), ib = numbered(b);
    return Differ(ia, ib).run();
}

std::string unified_diff(std::string_view a, std::string_view b, std::string_view a_label,
                         std::string_view b_label, size_t context) {
    if (a == b) return {};
    auto la = split_lines(a), lb = split_lines(b);
    auto ops = diff_lines(la, lb);
    // Where each op starts in a and in b.
    std::vector<size_t> at_a(ops.size() + 1), at_b(ops.size() + 1);
    for (size_t i = 0; i < ops.size(); ++i) {
        at_a[i + 1] = at_a[i] + (ops[i] != DiffOp::insert ? 1 : 0);
        at_b[i + 1] = at_b[i] + (ops[i] != DiffOp::remove ? 1 : 0);
    }
    std::string out = "--- " + std::string(a_label) + "\n+++ " + std::string(b_label) + "\n";
    for (const auto& h : hunks_of(ops, context)) {
        out += "@@ -" + range_of(at_a[h.first], at_a[h.last] - at_a[h.first]) + " +" +
               range_of(at_b[h.first], at_b[h.last] - at_b[h.first]) + " @@\n";
        for (size_t i = h.first; i < h.last; ++i) {
            if (ops[i] == DiffOp::equal)
                append_line(out, ' ', la[at_a[i]]);
            else if (ops[i] == DiffOp::remove)
                append_line(out, '-', la[at_a[i]]);
            else
                append_line(out, '+', lb[at_b[i]]);
        }
    }
    return out;
}

} // namespace leura::util
