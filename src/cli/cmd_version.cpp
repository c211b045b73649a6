// SPDX-License-Identifier: Apache-2.0
#include "archive/tarball.hpp"
#include "cli/commands.hpp"
#include "ssh/libssh_transport.hpp"
#include "store/store.hpp"

#include <cstdio>

namespace leura::cli {

Action add_version(CLI::App&) {
    return [](app::Context&) {
        std::printf("leura %s\n", LEURA_VERSION);
        std::printf("libssh %s, sqlite %s, %s\n", ssh::library_version(), store::library_version(),
                    archive::library_version());
        return 0;
    };
}

} // namespace leura::cli
