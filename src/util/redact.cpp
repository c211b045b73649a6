// SPDX-License-Identifier: Apache-2.0
#include "util/redact.hpp"

#include <algorithm>

namespace leura::util {

Redactor::Redactor(const std::vector<std::pair<std::string, std::string>>& secrets) {
    for (const auto& [name, value] : secrets) {
        if (value.empty()) continue;
        m_secrets.push_back({value, "[secret:" + name + "]"});
        m_longest = std::max(m_longest, value.size());
    }
    std::stable_sort(m_secrets.begin(), m_secrets.end(), [](const Secret& a, const Secret& b) {
        return a.value.size() > b.value.size();
    });
}

Redactor::Match Redactor::find(std::string_view text, size_t from) const {
    Match best;
    for (const auto& s : m_secrets) {
        size_t at = text.find(s.value, from);
        // Earliest wins; at the same place the longer value (sorted first) wins.
        if (at != std::string_view::npos && at < best.at)
            best = {at, s.value.size(), &s.replacement};
    }
    return best;
}

std::string Redactor::apply(std::string_view text) const {
    if (m_secrets.empty()) return std::string(text);
    std::string out;
    size_t i = 0;
    for (Match m = find(text, 0); m.at != std::string_view::npos; m = find(text, i)) {
        out.append(text.substr(i, m.at - i));
        out += *m.replacement;
        i = m.at + m.length;
    }
    out.append(text.substr(i));
    return out;
}

Status RedactingStream::write(std::string_view data) {
    if (m_redactor.empty()) return m_sink(data);
    std::string buf = m_carry + std::string(data);
    // Text before `safe` cannot be the start of a value that continues in the next write.
    size_t keep = m_redactor.longest() - 1;
    size_t safe = buf.size() > keep ? buf.size() - keep : 0;
    std::string out;
    size_t i = 0;
    while (i < safe) {
        auto m = m_redactor.find(buf, i);
        if (m.at == std::string_view::npos || m.at >= safe) {
            out.append(buf, i, safe - i);
            i = safe;
            break;
        }
        out.append(buf, i, m.at - i);
        out += *m.replacement;
        i = m.at + m.length;
    }
    m_carry = buf.substr(std::min(i, buf.size()));
    return out.empty() ? Status{} : m_sink(out);
}

Status RedactingStream::finish() {
    if (m_carry.empty()) return {};
    std::string rest = m_redactor.apply(m_carry);
    m_carry.clear();
    return m_sink(rest);
}

} // namespace leura::util
