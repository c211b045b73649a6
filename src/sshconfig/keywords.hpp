// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leura::sshconfig {

// Sorted, lower case.
const std::vector<std::string>& openssh_keywords();
bool is_openssh_keyword(std::string_view lower);

} // namespace leura::sshconfig
