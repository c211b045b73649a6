// SPDX-License-Identifier: Apache-2.0
#pragma once

// known_hosts, read once per process. libssh 0.10 reads and parses the whole file twice for
// every connection (to order the host key algorithms, then to check the key), which made a run
// quadratic in the fleet's size: 10,000 hosts meant 200 million line parses. Plain entries are
// indexed by name; hashed ones (|1|salt|hmac, OpenSSH's HashKnownHosts) are matched by
// HMAC-SHA1 of the name. Files with what this does not read (patterns, negations,
// @cert-authority, @revoked) are left to libssh, whose check then runs as before.

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace leura::ssh {

enum class KnownKey { match, changed, unknown };

class KnownHosts {
public:
    // The index of `user_file` plus the system-wide file, loaded on first use. Callers hold
    // known_hosts_lock() for everything below, and while appending to the file.
    static KnownHosts& shared(const std::string& user_file);

    // false: a file has lines this index does not understand; ask libssh instead.
    bool usable() const { return m_usable; }
    // The host key algorithms of the keys known for `name` ("host", or "[host]:port" off port
    // 22), most wanted first, then the others libssh supports; empty when none is known.
    std::string algorithms(const std::string& name) const;
    KnownKey check(const std::string& name, const std::string& type,
                   const std::string& base64) const;
    // A key just appended to the file.
    void add(const std::string& name, const std::string& type, const std::string& base64);

private:
    struct Key {
        std::string type, base64;
    };
    struct Hashed {
        std::string salt, hmac; // decoded
        Key key;
    };
    void load(const std::string& file);
    std::vector<const Key*> keys_for(const std::string& name) const;

    bool m_usable = true;
    std::map<std::string, std::vector<Key>> m_plain;
    std::vector<Hashed> m_hashed;
};

std::mutex& known_hosts_lock();

// "host" on port 22, else "[host]:port", as OpenSSH and libssh write known_hosts.
std::string known_hosts_name(const std::string& host, int port);

} // namespace leura::ssh
