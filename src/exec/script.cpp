// SPDX-License-Identifier: Apache-2.0
#include "exec/script.hpp"
#include "util/strings.hpp"

namespace leura::exec {

std::string run_as_command(const std::string& user) {
    std::string u = util::shell_quote(user);
    // The check runs first so a refusal has its own status, not whatever sudo -n returns.
    return "sudo -n -u " + u + " true 2>/dev/null || exit " + std::to_string(k_sudo_refused) +
           "; exec sudo -n -u " + u + " -- /bin/sh -c 'script=$(cat) && eval \"$script\"'";
}

std::string render_script(const std::vector<std::pair<std::string, std::string>>& exports,
                          std::string_view body, std::optional<std::chrono::milliseconds> timeout) {
    std::string out;
    if (timeout) {
        // `$script` is the variable k_remote_command reads the script into.
        long long seconds = (timeout->count() + 999) / 1000;
        out += "if [ -z \"${LEURA_TIMEBOX-}\" ] && command -v timeout >/dev/null 2>&1; then\n"
               "  export LEURA_TIMEBOX=1 LEURA_SCRIPT=\"$script\"\n"
               "  exec timeout -k 5 " +
               std::to_string(seconds) +
               " /bin/sh -c 'eval \"$LEURA_SCRIPT\"'\n"
               "fi\n"
               "unset LEURA_SCRIPT LEURA_TIMEBOX\n";
    }
    for (const auto& [name, value] : exports)
        out += "export " + name + "=" + util::shell_quote(value) + "\n";
    out += body;
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out;
}

} // namespace leura::exec
