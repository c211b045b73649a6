// SPDX-License-Identifier: Apache-2.0
#pragma once

// One RAII owner per libssh handle. Only src/ssh/ includes libssh.

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <memory>

namespace leura::ssh {

struct SessionDeleter {
    void operator()(ssh_session s) const {
        if (ssh_is_connected(s)) ssh_disconnect(s);
        ssh_free(s);
    }
};
struct ChannelDeleter {
    void operator()(ssh_channel c) const { ssh_channel_free(c); }
};
struct KeyDeleter {
    void operator()(ssh_key k) const { ssh_key_free(k); }
};
struct StringDeleter {
    void operator()(char* p) const { ssh_string_free_char(p); }
};

using SessionPtr = std::unique_ptr<std::remove_pointer_t<ssh_session>, SessionDeleter>;
using ChannelPtr = std::unique_ptr<std::remove_pointer_t<ssh_channel>, ChannelDeleter>;
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;
using SshStringPtr = std::unique_ptr<char, StringDeleter>;

} // namespace leura::ssh
