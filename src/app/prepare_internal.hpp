// SPDX-License-Identifier: Apache-2.0
#pragma once

// What prepare.cpp and prepare_stages.cpp share; not for other modules.
#include "app/prepare.hpp"

namespace leura::app::detail {

void add_error(config::Diagnostics& diags, const SourcePos& pos, const std::string& message,
               const std::string& text);
// A download whose dest has no {host}, run on several hosts: reported, false.
bool shared_downloads_refused(const Prepared& p, config::Diagnostics& diags);
// Each selected host's connection; a host the ssh config cannot resolve is an error.
std::optional<Prepared> with_connections(std::optional<Prepared> p, const PrepareOptions& o,
                                         config::Diagnostics& diags);

} // namespace leura::app::detail

namespace leura::app {

// A workflow's stages, each prepared as a task of its own (prepare_stages.cpp).
std::optional<Prepared> prepare_stages(Prepared workflow, const PrepareOptions& o,
                                       config::Diagnostics& diags);

} // namespace leura::app
