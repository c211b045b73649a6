// SPDX-License-Identifier: Apache-2.0
#include "exec/script.hpp"
#include "util/strings.hpp"

namespace leura::exec {

std::string render_script(const std::vector<std::pair<std::string, std::string>>& exports,
                          std::string_view body) {
    std::string out;
    for (const auto& [name, value] : exports)
        out += "export " + name + "=" + util::shell_quote(value) + "\n";
    out += body;
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out;
}

} // namespace leura::exec
