// SPDX-License-Identifier: Apache-2.0
#include "util/fd_limit.hpp"

#include <sys/resource.h>

namespace leura::util {

size_t raise_fd_limit() {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
    if (r.rlim_cur < r.rlim_max) {
        rlimit want = r;
        want.rlim_cur = r.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &want) == 0) r = want;
    }
    return r.rlim_cur == RLIM_INFINITY ? size_t(1) << 20 : size_t(r.rlim_cur);
}

} // namespace leura::util
