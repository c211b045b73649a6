// SPDX-License-Identifier: Apache-2.0
//
// Selectors are parsed completely before any host is looked at, so a syntax error is reported
// even when an earlier name is also unknown. The parser emits a postfix program (atoms and
// operators) that a small stack machine runs over host sets. A host set is a bitmap indexed
// like Inventory::hosts: union, intersection and complement are word operations, and the
// result falls out in inventory order with every host once. With 100,000 hosts a set is
// about 12 KiB, and a selector touches each host a handful of times at most.
#include "inventory/selector.hpp"

#include "inventory/range.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string_view>
#include <unordered_map>

namespace leura::inventory {
namespace {

enum class Tok { word, comma, amp, bang, lparen, rparen, equals, end };

struct Token {
    Tok kind = Tok::end;
    std::string text;
    int column = 0; // 1-based
};

bool is_operator(char c) {
    return c == ',' || c == '&' || c == '!' || c == '(' || c == ')' || c == '=';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

Tok operator_kind(char c) {
    switch (c) {
    case ',':
        return Tok::comma;
    case '&':
        return Tok::amp;
    case '!':
        return Tok::bang;
    case '(':
        return Tok::lparen;
    case ')':
        return Tok::rparen;
    default:
        return Tok::equals;
    }
}

// A word runs to the next space or operator, except that a ',' inside brackets belongs to
// a range (`web[01-03,07]`) rather than being a union.
std::vector<Token> lex(const std::string& s) {
    std::vector<Token> tokens;
    size_t i = 0;
    while (i < s.size()) {
        if (is_space(s[i])) {
            ++i;
            continue;
        }
        int column = static_cast<int>(i) + 1;
        if (is_operator(s[i])) {
            tokens.push_back({operator_kind(s[i]), std::string(1, s[i]), column});
            ++i;
            continue;
        }
        size_t start = i;
        int depth = 0;
        while (i < s.size() && !is_space(s[i]) && (!is_operator(s[i]) || (s[i] == ',' && depth))) {
            if (s[i] == '[') ++depth;
            if (s[i] == ']' && depth > 0) --depth;
            ++i;
        }
        tokens.push_back({Tok::word, s.substr(start, i - start), column});
    }
    tokens.push_back({Tok::end, "", static_cast<int>(s.size()) + 1});
    return tokens;
}

// One instruction of the postfix program.
struct Op {
    enum Kind { name, attr, negate, intersect, unite } kind = name;
    std::string text;  // the name or pattern; the attribute key
    std::string value; // the attribute's value glob
    int column = 0;
};

std::unexpected<Error> syntax_error(std::string what, int column) {
    Error e(ErrorKind::usage, std::move(what) + " at column " + std::to_string(column));
    e.pos.column = column;
    return std::unexpected(std::move(e));
}

// Recursive descent over: expr := term (',' term)*; term := factor ('&' factor)*;
// factor := '!' factor | '(' expr ')' | word ['=' word].
class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

    Result<std::vector<Op>> parse() {
        LEURA_TRY(expr());
        const Token& next = peek();
        if (next.kind == Tok::rparen) return syntax_error("unexpected ')'", next.column);
        if (next.kind != Tok::end) return syntax_error("expected ',' or '&'", next.column);
        return std::move(m_program);
    }

private:
    const Token& peek() const { return m_tokens[m_next]; }
    const Token& take() { return m_tokens[m_next++]; }

    Status expr() {
        LEURA_TRY(term());
        while (peek().kind == Tok::comma) {
            take();
            LEURA_TRY(term());
            m_program.push_back({Op::unite, {}, {}, 0});
        }
        return {};
    }

    Status term() {
        LEURA_TRY(factor());
        while (peek().kind == Tok::amp) {
            take();
            LEURA_TRY(factor());
            m_program.push_back({Op::intersect, {}, {}, 0});
        }
        return {};
    }

    // Nesting deeper than any person writes would only exhaust the stack.
    static constexpr int k_max_depth = 100;

    Status factor() {
        const Token& token = peek();
        if (m_depth >= k_max_depth && (token.kind == Tok::bang || token.kind == Tok::lparen))
            return syntax_error("nested more than " + std::to_string(k_max_depth) + " deep",
                                token.column);
        struct Deeper {
            int& depth;
            explicit Deeper(int& d) : depth(++d) {}
            ~Deeper() { --depth; }
        } deeper(m_depth);
        if (token.kind == Tok::bang) {
            take();
            LEURA_TRY(factor());
            m_program.push_back({Op::negate, {}, {}, 0});
            return {};
        }
        if (token.kind == Tok::lparen) {
            take();
            LEURA_TRY(expr());
            if (peek().kind != Tok::rparen) return syntax_error("expected ')'", peek().column);
            take();
            return {};
        }
        if (token.kind != Tok::word)
            return syntax_error("expected a group, host or attribute test", token.column);
        return atom();
    }

    Status atom() {
        const Token& word = take();
        if (peek().kind != Tok::equals) {
            m_program.push_back({Op::name, word.text, {}, word.column});
            return {};
        }
        take();
        if (peek().kind != Tok::word)
            return syntax_error("expected an attribute value", peek().column);
        m_program.push_back({Op::attr, word.text, take().text, word.column});
        return {};
    }

    std::vector<Token> m_tokens;
    size_t m_next = 0;
    int m_depth = 0;
    std::vector<Op> m_program;
};

// A set of hosts as a bitmap over inventory indexes.
class HostSet {
public:
    explicit HostSet(size_t size, bool full = false)
        : m_words((size + 63) / 64, full ? ~uint64_t{0} : 0), m_size(size) {
        trim();
    }

    void insert(size_t i) { m_words[i / 64] |= uint64_t{1} << (i % 64); }
    bool contains(size_t i) const { return (m_words[i / 64] >> (i % 64)) & 1; }
    bool empty() const {
        return std::all_of(m_words.begin(), m_words.end(), [](uint64_t w) { return w == 0; });
    }

    void unite(const HostSet& other) {
        for (size_t i = 0; i < m_words.size(); ++i)
            m_words[i] |= other.m_words[i];
    }
    void intersect(const HostSet& other) {
        for (size_t i = 0; i < m_words.size(); ++i)
            m_words[i] &= other.m_words[i];
    }
    void invert() {
        for (auto& w : m_words)
            w = ~w;
        trim();
    }

private:
    // Bits past the last host must stay clear, or a complement would invent hosts.
    void trim() {
        if (m_size % 64 != 0) m_words.back() &= (uint64_t{1} << (m_size % 64)) - 1;
    }

    std::vector<uint64_t> m_words;
    size_t m_size;
};

std::unexpected<Error> lookup_error(std::string message, const std::string& word,
                                    const std::vector<std::string>& candidates, int column) {
    std::string guess = util::closest_match(word, candidates);
    if (!guess.empty()) message += "; did you mean '" + guess + "'?";
    Error e(ErrorKind::usage, std::move(message));
    e.pos.column = column;
    return std::unexpected(std::move(e));
}

constexpr size_t k_max_scanned_names = 16;

bool has_glob(std::string_view s) {
    return s.find_first_of("*?") != s.npos;
}

// Resolves atoms against one inventory; indexes are built only when an atom needs them.
class Evaluator {
public:
    explicit Evaluator(const Inventory& inv) : m_inv(inv) {}

    Result<HostSet> run(const std::vector<Op>& program) {
        std::vector<HostSet> stack;
        for (const auto& op : program) {
            if (op.kind == Op::name || op.kind == Op::attr) {
                LEURA_TRY_ASSIGN(set, op.kind == Op::name ? name(op) : attr(op));
                stack.push_back(std::move(set));
                continue;
            }
            if (op.kind == Op::negate) {
                stack.back().invert();
                continue;
            }
            HostSet right = std::move(stack.back());
            stack.pop_back();
            if (op.kind == Op::unite)
                stack.back().unite(right);
            else
                stack.back().intersect(right);
        }
        return std::move(stack.back());
    }

private:
    size_t size() const { return m_inv.hosts.size(); }

    Result<HostSet> name(const Op& op) {
        if (op.text == "all" || op.text == "*") return HostSet(size(), true);
        if (std::binary_search(m_inv.groups.begin(), m_inv.groups.end(), op.text))
            return group(op.text);
        auto patterns = expand_range(op.text);
        if (!patterns) {
            Error e(ErrorKind::usage, patterns.error().message);
            e.pos.column = op.column;
            return std::unexpected(std::move(e));
        }
        HostSet set(size());
        match(*patterns, set);
        if (set.empty())
            return lookup_error("unknown group or host '" + op.text + "'", op.text,
                                name_candidates(), op.column);
        return set;
    }

    HostSet group(const std::string& name) const {
        HostSet set(size());
        for (size_t i = 0; i < size(); ++i) {
            const auto& groups = m_inv.hosts[i].groups;
            if (std::find(groups.begin(), groups.end(), name) != groups.end()) set.insert(i);
        }
        return set;
    }

    void match(const std::vector<std::string>& patterns, HostSet& set) {
        std::vector<std::string_view> exact;
        for (const auto& pattern : patterns) {
            if (has_glob(pattern))
                match_glob(pattern, set);
            else
                exact.push_back(pattern);
        }
        // A scan beats building a hash index for a few names; a long range wants the index.
        if (exact.size() <= k_max_scanned_names) {
            for (size_t i = 0; i < size(); ++i) {
                if (std::find(exact.begin(), exact.end(), m_inv.hosts[i].name) != exact.end())
                    set.insert(i);
            }
            return;
        }
        const auto& index = name_index();
        for (auto name : exact) {
            if (auto it = index.find(name); it != index.end()) set.insert(it->second);
        }
    }

    void match_glob(const std::string& pattern, HostSet& set) const {
        for (size_t i = 0; i < size(); ++i) {
            if (util::glob_match(pattern, m_inv.hosts[i].name)) set.insert(i);
        }
    }

    Result<HostSet> attr(const Op& op) const {
        HostSet set(size());
        bool known = false;
        for (size_t i = 0; i < size(); ++i) {
            for (const auto& [key, value] : m_inv.hosts[i].attrs) {
                if (key != op.text) continue;
                known = true;
                if (util::glob_match(op.value, value)) set.insert(i);
            }
        }
        if (!known)
            return lookup_error("unknown attribute '" + op.text + "'", op.text, attr_keys(),
                                op.column);
        return set;
    }

    const std::unordered_map<std::string_view, size_t>& name_index() {
        if (m_names.empty()) {
            m_names.reserve(size());
            for (size_t i = 0; i < size(); ++i)
                m_names.emplace(m_inv.hosts[i].name, i);
        }
        return m_names;
    }

    std::vector<std::string> name_candidates() const {
        std::vector<std::string> names = m_inv.groups;
        for (const auto& host : m_inv.hosts)
            names.push_back(host.name);
        return names;
    }

    std::vector<std::string> attr_keys() const {
        std::set<std::string> keys;
        for (const auto& host : m_inv.hosts) {
            for (const auto& kv : host.attrs)
                keys.insert(kv.first);
        }
        return {keys.begin(), keys.end()};
    }

    const Inventory& m_inv;
    std::unordered_map<std::string_view, size_t> m_names;
};

} // namespace

Result<std::vector<const Host*>> select(const Inventory& inv, const std::string& selector) {
    std::vector<const Host*> hosts;
    if (util::trim(selector).empty()) {
        for (const auto& host : inv.hosts)
            hosts.push_back(&host);
        return hosts;
    }
    LEURA_TRY_ASSIGN(program, Parser(lex(selector)).parse());
    LEURA_TRY_ASSIGN(set, Evaluator(inv).run(program));
    for (size_t i = 0; i < inv.hosts.size(); ++i) {
        if (set.contains(i)) hosts.push_back(&inv.hosts[i]);
    }
    return hosts;
}

Result<std::vector<std::string>> select_names(const std::vector<std::string>& names,
                                              const std::string& selector) {
    Inventory inv;
    for (const auto& n : names) {
        Host h;
        h.name = n;
        h.address = n;
        inv.hosts.push_back(std::move(h));
    }
    LEURA_TRY_ASSIGN(picked, select(inv, selector));
    std::vector<std::string> out;
    for (const Host* h : picked)
        out.push_back(h->name);
    return out;
}

} // namespace leura::inventory
