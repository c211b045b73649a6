// SPDX-License-Identifier: Apache-2.0
//
// fold_hosts over several numbers per name: specific outputs, a million names, and a property
// test that every fold expands back, through expand_range and through selectors, to exactly
// the names it was given.
#include "inventory/range.hpp"
#include "inventory/selector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

namespace leura::inventory {
namespace {

using Names = std::vector<std::string>;

Names expand(const std::string& pattern) {
    auto names = expand_range(pattern);
    EXPECT_TRUE(names.has_value()) << pattern << ": " << names.error().message;
    return names ? *names : Names{};
}

// The fold output lists groups separated by ','; commas inside brackets belong to a range.
Names expand_folded(const std::string& folded) {
    Names out;
    if (folded.empty()) return out;
    std::string part;
    int depth = 0;
    for (char c : folded + ",") {
        if (c == ',' && depth == 0) {
            for (auto& n : expand(part))
                out.push_back(n);
            part.clear();
            continue;
        }
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
        part += c;
    }
    return out;
}

std::string shuffled_fold(Names names, unsigned seed = 1) {
    std::shuffle(names.begin(), names.end(), std::mt19937(seed));
    return fold_hosts(names);
}

TEST(FoldFields, TwoFieldsFoldToAProduct) {
    EXPECT_EQ(fold_hosts({"rack1-node01", "rack1-node02", "rack2-node01", "rack2-node02"}),
              "rack[1-2]-node[01-02]");
    EXPECT_EQ(shuffled_fold(expand("rack[1-2]-node[01-02]")), "rack[1-2]-node[01-02]");
}

TEST(FoldFields, ThreeFieldsAndGapsInEach) {
    EXPECT_EQ(shuffled_fold(expand("dc[1,3]-r[01-04,09]-n[7-12].example.com")),
              "dc[1,3]-r[01-04,09]-n[7-12].example.com");
}

TEST(FoldFields, NotAProductFoldsAlongTheLastFieldFirst) {
    EXPECT_EQ(fold_hosts({"r1-h1", "r1-h2", "r1-h3", "r2-h1", "r2-h2"}), "r1-h[1-3],r2-h[1-2]");
    // Groups equal but for an earlier field merge along it.
    Names names = expand("r[1-3]-h[1-2]");
    names.push_back("r4-h1");
    EXPECT_EQ(shuffled_fold(names), "r[1-3]-h[1-2],r4-h1");
    EXPECT_EQ(fold_hosts({"web1.dc1", "web2.dc1", "web3.dc1", "web1.dc2"}),
              "web1.dc[1-2],web[2-3].dc1");
}

TEST(FoldFields, ConstantFieldsPrintPlainly) {
    EXPECT_EQ(shuffled_fold(expand("web[01-08,11].phx01.example.com")),
              "web[01-08,11].phx01.example.com");
    EXPECT_EQ(fold_hosts({"10.0.1.5", "10.0.2.5", "10.0.3.5"}), "10.0.[1-3].5");
    EXPECT_EQ(shuffled_fold(expand("127.0.[1-2].[1-5]")), "127.0.[1-2].[1-5]");
}

TEST(FoldFields, PaddingIsKeptExactly) {
    EXPECT_EQ(fold_hosts({"n9", "n10"}), "n[9-10]");
    EXPECT_EQ(fold_hosts({"n09", "n10"}), "n[09-10]");
    EXPECT_EQ(fold_hosts({"r1-n01", "r1-n02", "r2-n01", "r2-n02", "r1-n1", "r2-n1"}),
              "r[1-2]-n[01-02],r[1-2]-n1");
    EXPECT_EQ(fold_hosts({"r01-n1", "r1-n1", "r001-n1"}), "r001-n1,r01-n1,r1-n1");
    EXPECT_EQ(shuffled_fold(expand("a[008-012]-b[98-101]")), "a[008-012]-b[98-101]");
}

TEST(FoldFields, OrderDoesNotDependOnInput) {
    Names names = expand("z[1-3]-a[1-2]");
    for (auto& n : expand("b[1-4].x[01-03]"))
        names.push_back(n);
    names.push_back("alpha");
    names.push_back("alpha");
    std::string want = "alpha,b[1-4].x[01-03],z[1-3]-a[1-2]";
    for (unsigned seed = 0; seed < 20; ++seed)
        EXPECT_EQ(shuffled_fold(names, seed), want);
}

TEST(FoldFields, LongNumbersStayText) {
    std::string big = "h12345678901234567890";
    EXPECT_EQ(fold_hosts({big + "-1", big + "-2"}), big + "-[1-2]");
}

// Release builds: a million names in well under a second. Sanitizer builds check a tenth.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(NDEBUG)
constexpr bool k_timed = false;
constexpr const char* k_million = "rack[1-100]-node[0001-1000]";
#else
constexpr bool k_timed = true;
constexpr const char* k_million = "rack[1-1000]-node[0001-1000]";
#endif

TEST(FoldFields, AMillionNamesInTwoFields) {
    Names names = expand(k_million);
    std::shuffle(names.begin(), names.end(), std::mt19937(7));
    auto start = std::chrono::steady_clock::now();
    std::string folded = fold_hosts(names);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(folded, k_million);
    std::printf("fold of %zu names: %lld ms\n", names.size(),
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    if (k_timed) {
        EXPECT_LT(took, std::chrono::seconds(1));
    }
    // One missing name: the rest still folds to two short groups.
    names.erase(std::find(names.begin(), names.end(), "rack7-node0500"));
    folded = fold_hosts(names);
    EXPECT_LT(folded.size(), 120u) << folded;
    Names back = expand_folded(folded);
    EXPECT_EQ(back.size(), names.size());
    EXPECT_EQ(std::count(back.begin(), back.end(), "rack7-node0500"), 0);
}

// --- the property: expand(fold(x)) == set(x) ------------------------------------------------

// A number for a field of width `width` (0: unpadded).
std::string number(uint64_t value, size_t width) {
    std::string digits = std::to_string(value);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    return digits;
}

struct Template {
    std::vector<std::string> texts; // fields + 1
    std::vector<size_t> widths;
    std::vector<uint64_t> limits;
};

Template random_template(std::mt19937& rng) {
    static const std::vector<std::string> words = {"rack", "node", "web", "db", "n", "r", "x", ""};
    static const std::vector<std::string> seps = {"-", ".", "", "-c", ".dc", "_"};
    Template t;
    size_t fields = 1 + rng() % 3;
    t.texts.push_back(words[rng() % words.size()]);
    for (size_t f = 0; f < fields; ++f) {
        t.widths.push_back(rng() % 3 ? 0 : 2 + rng() % 2);
        t.limits.push_back(rng() % 4 ? 12 : 120);
        t.texts.push_back(f + 1 < fields ? seps[rng() % seps.size()]
                                         : (rng() % 2 ? "" : ".example.com"));
    }
    // Two numbers must not touch, or they would be one number.
    for (size_t f = 1; f + 1 < t.texts.size(); ++f) {
        if (t.texts[f].empty()) t.texts[f] = "-";
    }
    return t;
}

std::string make_name(const Template& t, const std::vector<uint64_t>& values, std::mt19937& rng) {
    std::string name = t.texts[0];
    for (size_t f = 0; f < values.size(); ++f) {
        // Now and then a name pads differently from its template.
        size_t width = rng() % 10 ? t.widths[f] : rng() % 4;
        name += number(values[f], width) + t.texts[f + 1];
    }
    return name;
}

// Names of one template: a product of random subsets (with gaps), then some taken out and
// some random points added.
void add_names(const Template& t, std::mt19937& rng, Names& out) {
    std::vector<std::vector<uint64_t>> subsets;
    for (uint64_t limit : t.limits) {
        std::set<uint64_t> picked;
        size_t n = 1 + rng() % 6;
        uint64_t start = rng() % limit;
        for (size_t i = 0; i < n; ++i)
            picked.insert(rng() % 3 ? (start + i) % limit : rng() % limit);
        subsets.emplace_back(picked.begin(), picked.end());
    }
    std::vector<uint64_t> values(subsets.size());
    auto product = [&](auto&& self, size_t f) -> void {
        if (f == subsets.size()) {
            if (rng() % 8) out.push_back(make_name(t, values, rng));
            return;
        }
        for (uint64_t v : subsets[f]) {
            values[f] = v;
            self(self, f + 1);
        }
    };
    product(product, 0);
    for (size_t extra = rng() % 6; extra > 0; --extra) {
        for (size_t f = 0; f < values.size(); ++f)
            values[f] = rng() % t.limits[f];
        out.push_back(make_name(t, values, rng));
    }
}

TEST(FoldFields, ExpandsBackToExactlyTheNames) {
    static const Names plain = {"alpha", "gamma", "db-primary", "web", "x-y.z"};
    std::mt19937 rng(20240611);
    for (int round = 0; round < 400; ++round) {
        Names names;
        for (size_t templates = 1 + rng() % 3; templates > 0; --templates)
            add_names(random_template(rng), rng, names);
        for (size_t p = rng() % 3; p > 0; --p)
            names.push_back(plain[rng() % plain.size()]);
        for (size_t d = rng() % 4; d > 0 && !names.empty(); --d)
            names.push_back(names[rng() % names.size()]); // duplicates
        std::shuffle(names.begin(), names.end(), rng);
        std::set<std::string> want(names.begin(), names.end());

        std::string folded = fold_hosts(names);
        SCOPED_TRACE(folded);
        Names back = expand_folded(folded);
        EXPECT_EQ(back.size(), want.size()); // no name twice
        EXPECT_EQ(std::set<std::string>(back.begin(), back.end()), want);

        // Selectors take what leura prints, and pick nothing else: offer near misses too.
        Names universe(want.begin(), want.end());
        for (const auto& n : want) {
            std::string other = n;
            for (auto& c : other) {
                if (c >= '0' && c <= '8') {
                    ++c;
                    break;
                }
            }
            universe.push_back(other);
            universe.push_back(n + "0");
        }
        std::sort(universe.begin(), universe.end());
        universe.erase(std::unique(universe.begin(), universe.end()), universe.end());
        auto picked = select_names(universe, folded);
        ASSERT_TRUE(picked.has_value()) << picked.error().message;
        EXPECT_EQ(std::set<std::string>(picked->begin(), picked->end()), want);

        // The same set in another order folds to the same text.
        std::shuffle(names.begin(), names.end(), rng);
        EXPECT_EQ(fold_hosts(names), folded);
    }
}

} // namespace
} // namespace leura::inventory
