// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leura::util {

// The one redaction layer every sink passes through: each secret's value becomes
// "[secret:NAME]". Longer values are matched first, so a value containing another is replaced
// whole.
class Redactor {
public:
    Redactor() = default;
    explicit Redactor(const std::vector<std::pair<std::string, std::string>>& secrets);

    bool empty() const { return m_secrets.empty(); }
    size_t longest() const { return m_longest; }
    std::string apply(std::string_view text) const;

    // Replaces the first secret found at or after `from`: its position, length and the
    // replacement; npos when there is none.
    struct Match {
        size_t at = std::string_view::npos;
        size_t length = 0;
        const std::string* replacement = nullptr;
    };
    Match find(std::string_view text, size_t from) const;

private:
    struct Secret {
        std::string value;
        std::string replacement;
    };
    std::vector<Secret> m_secrets;
    size_t m_longest = 0;
};

// Redacts a stream written in chunks: a value split between two writes is still replaced,
// because the last longest()-1 bytes wait for the next write (or finish()).
class RedactingStream {
public:
    using Sink = std::function<Status(std::string_view)>;
    RedactingStream(const Redactor& redactor, Sink sink)
        : m_redactor(redactor), m_sink(std::move(sink)) {}
    Status write(std::string_view data);
    Status finish();

private:
    const Redactor& m_redactor;
    Sink m_sink;
    std::string m_carry;
};

} // namespace leura::util
