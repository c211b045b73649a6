// SPDX-License-Identifier: Apache-2.0
#include "cli/cli.hpp"

#ifdef LEURA_STATIC_BUILD
#include <nss.h>
#endif

int main(int argc, char** argv) {
#ifdef LEURA_STATIC_BUILD
    // A static glibc binary that reaches an NSS module outside libc.a (systemd, sss) loads a
    // shared libc beside the static one and crashes. Keep lookups on the built-in modules.
    __nss_configure_lookup("passwd", "files");
    __nss_configure_lookup("group", "files");
    __nss_configure_lookup("hosts", "files dns");
#endif
    return leura::cli::run(argc, argv);
}
