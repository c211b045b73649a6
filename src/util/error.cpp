// SPDX-License-Identifier: Apache-2.0
#include "util/error.hpp"

namespace leura {

const char* to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::usage:
        return "usage";
    case ErrorKind::config:
        return "config";
    case ErrorKind::connect:
        return "connect";
    case ErrorKind::auth:
        return "auth";
    case ErrorKind::host_key:
        return "host_key";
    case ErrorKind::host_key_changed:
        return "host_key_changed";
    case ErrorKind::timeout:
        return "timeout";
    case ErrorKind::remote_exit:
        return "exit";
    case ErrorKind::signal:
        return "signal";
    case ErrorKind::io:
        return "io";
    case ErrorKind::permission:
        return "permission";
    case ErrorKind::denied:
        return "denied";
    case ErrorKind::not_found:
        return "not_found";
    case ErrorKind::interrupted:
        return "interrupted";
    case ErrorKind::halted:
        return "halted";
    case ErrorKind::locked:
        return "locked";
    case ErrorKind::internal:
        return "internal";
    }
    return "internal";
}

} // namespace leura
