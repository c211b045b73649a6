// SPDX-License-Identifier: Apache-2.0
#include "ssh/known_hosts.hpp"
#include "ssh/libssh_internal.hpp"
#include "ssh/libssh_transport.hpp"
#include "util/paths.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace leura::ssh {

namespace {

std::string port_suffix(int port) {
    return port == 22 ? "" : " port " + std::to_string(port);
}

std::string fingerprint(ssh_session session) {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK) return "unknown key";
    KeyPtr owned(key);
    unsigned char* hash = nullptr;
    size_t len = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) != 0)
        return ssh_key_type_to_char(ssh_key_type(key));
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
    ssh_clean_pubkey_hash(&hash);
    std::string out =
        std::string(ssh_key_type_to_char(ssh_key_type(key))) + " " + (text ? text : "?");
    ssh_string_free_char(text);
    return out;
}

// Appends one known_hosts line (created 0600, its folder 0700, as OpenSSH makes ~/.ssh).
Status append_known_host(const std::string& file, const std::string& line) {
    auto dir = std::filesystem::path(file).parent_path();
    if (!dir.empty()) (void)util::ensure_private_dir(dir); // a failure shows at the open below
    int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == ssize_t(line.size());
    int saved = errno;
    if (fd >= 0) ::close(fd);
    if (!ok)
        return fail(ErrorKind::host_key,
                    "recording host key in " + file + ": " + std::strerror(saved));
    return {};
}

} // namespace

Result<ssh_key> KeyCache::get(const std::string& path) {
    auto it = m_keys.find(path);
    if (it == m_keys.end()) {
        ssh_key key = nullptr;
        int rc = ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &key);
        Result<KeyPtr> loaded = KeyPtr(key);
        if (rc != SSH_OK)
            loaded = fail(ErrorKind::auth, "cannot load identity " + path +
                                               " (missing, unreadable, or encrypted: "
                                               "use ssh-agent for encrypted keys)");
        it = m_keys.emplace(path, std::move(loaded)).first;
    }
    if (!it->second) return std::unexpected(it->second.error());
    return it->second->get();
}

LibsshConnection::LibsshConnection(Endpoint endpoint, const TransportOptions& options,
                                   KeyCache& keys, TunnelOpener reach)
    : m_endpoint(std::move(endpoint)), m_options(options), m_keys(keys),
      m_tcp(m_endpoint.host, m_endpoint.port), m_reach(std::move(reach)) {}

LibsshConnection::~LibsshConnection() {
    m_session.reset();
    if (m_fd >= 0) ::close(m_fd);
}

WaitFor LibsshConnection::wait_for() const {
    if (m_state == State::tcp) return {m_tcp.fd(), true};
    if (!m_session) return {};
    // The TCP connect is ours and done by now, so POLLOUT only while libssh has bytes queued:
    // a socket is nearly always writable, and asking for it anyway spun the loop (about 1,000
    // empty polls per host while waiting for the server's KEX replies).
    bool write = (ssh_get_poll_flags(m_session.get()) & SSH_WRITE_PENDING) != 0;
    return {m_fd, write};
}

std::optional<Error> LibsshConnection::explain_timeout() const {
    if (!m_tunnel) return std::nullopt;
    if (auto e = m_tunnel->get()) return e;
    if (m_tunnel->is_open()) return std::nullopt;
    return Error(ErrorKind::connect, "jump host " + m_tunnel->hop() + " did not open the way to " +
                                         m_endpoint.host +
                                         " in time (the jump host is slow or hung)");
}

Error LibsshConnection::ssh_failure(ErrorKind kind, const std::string& what) const {
    // Through a jump host, the jump host's own failure is the one worth telling.
    if (m_tunnel)
        if (auto e = m_tunnel->get()) return *e;
    std::string detail = m_session ? ssh_get_error(m_session.get()) : "";
    return Error(kind, what + (detail.empty() ? "" : ": " + detail));
}

Status LibsshConnection::start_session(int fd) {
    m_fd = fd;
    m_session.reset(ssh_new());
    if (!m_session) return fail(ErrorKind::internal, "ssh_new failed");
    ssh_session s = m_session.get();
    const std::string& user = m_endpoint.user.empty() ? m_options.local_user : m_endpoint.user;
    int zero = 0, one = 1;
    unsigned int port = unsigned(m_endpoint.port);
    socket_t sock = fd;
    // With the file indexed, libssh reads neither known_hosts file (see known_hosts.hpp).
    bool indexed = false;
    std::string algorithms;
    {
        std::lock_guard lock(known_hosts_lock());
        const KnownHosts& index = KnownHosts::shared(known_hosts_file());
        indexed = index.usable();
        if (indexed)
            algorithms = index.algorithms(known_hosts_name(m_endpoint.host, m_endpoint.port));
    }
    const char* known_hosts = indexed ? "/dev/null" : known_hosts_file().c_str();
    bool ok =
        ssh_options_set(s, SSH_OPTIONS_HOST, m_endpoint.host.c_str()) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_PORT, &port) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_USER, user.c_str()) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_SSH_DIR, m_options.ssh_dir.c_str()) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts) == 0 &&
        (!indexed || ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == 0) &&
        (algorithms.empty() || ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, algorithms.c_str()) == 0) &&
        ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &zero) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_GSSAPI_AUTH, &zero) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_NODELAY, &one) == 0 &&
        ssh_options_set(s, SSH_OPTIONS_FD, &sock) == 0;
    if (!ok) return std::unexpected(ssh_failure(ErrorKind::internal, "setting ssh options"));
    ssh_set_blocking(s, 0);
    return {};
}

Status LibsshConnection::check_host_key() {
    ssh_session s = m_session.get();
    std::string where = m_endpoint.host + port_suffix(m_endpoint.port);
    auto changed = [&] {
        return fail(ErrorKind::host_key_changed, "host key for " + where + " has CHANGED (now " +
                                                     fingerprint(s) + "); " + known_hosts_file() +
                                                     " has another key: refusing to connect");
    };
    auto unknown = [&] {
        return fail(ErrorKind::host_key, "host key for " + where + " is not known (" +
                                             fingerprint(s) + "); add it to " + known_hosts_file() +
                                             " or pass --accept-new-host-keys");
    };
    // Jump hosts check theirs on their own threads; the file is read and appended under one lock.
    std::lock_guard lock(known_hosts_lock());
    KnownHosts& index = KnownHosts::shared(known_hosts_file());
    if (index.usable()) {
        ssh_key key = nullptr;
        char* base64 = nullptr;
        if (ssh_get_server_publickey(s, &key) != SSH_OK)
            return std::unexpected(ssh_failure(ErrorKind::host_key, "reading the host key"));
        KeyPtr owned(key);
        if (ssh_pki_export_pubkey_base64(key, &base64) != SSH_OK)
            return std::unexpected(ssh_failure(ErrorKind::host_key, "reading the host key"));
        std::string text = base64;
        ssh_string_free_char(base64);
        std::string type = ssh_key_type_to_char(ssh_key_type(key));
        std::string name = known_hosts_name(m_endpoint.host, m_endpoint.port);
        switch (index.check(name, type, text)) {
        case KnownKey::match:
            return {};
        case KnownKey::changed:
            return changed();
        case KnownKey::unknown:
            if (!m_options.accept_new_host_keys) return unknown();
            LEURA_TRY(append_known_host(known_hosts_file(), name + " " + type + " " + text + "\n"));
            index.add(name, type, text);
            return {};
        }
    }
    switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
        return {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        return changed();
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (m_options.accept_new_host_keys) {
            if (ssh_session_update_known_hosts(s) != SSH_OK)
                return std::unexpected(ssh_failure(ErrorKind::host_key, "recording host key"));
            return {};
        }
        return unknown();
    case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    return std::unexpected(ssh_failure(ErrorKind::host_key, "checking host key of " + where));
}

std::vector<std::string> LibsshConnection::identity_candidates() const {
    if (!m_endpoint.identities.empty()) return m_endpoint.identities;
    std::vector<std::string> found;
    for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
        std::string path = m_options.ssh_dir + "/" + name;
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) found.push_back(path);
    }
    return found;
}

// The server hung up while keys were offered: sshd does so after MaxAuthTries (6) refused
// keys. libssh then answers "again" on a dead socket, which would spin until the timeout.
Result<Step> LibsshConnection::closed_in_auth(const std::string& offering) const {
    std::string user = m_endpoint.user.empty() ? m_options.local_user : m_endpoint.user;
    return fail(ErrorKind::auth, "authentication failed for " + user + "@" + m_endpoint.host +
                                     ": the server closed the connection while " + offering +
                                     " were offered (" + m_auth_errors +
                                     "too many keys? set IdentitiesOnly in the ssh config, or "
                                     "fewer keys in the agent)");
}

Result<Step> LibsshConnection::authenticate() {
    ssh_session s = m_session.get();
    if (!m_agent_tried) {
        const char* sock = std::getenv("SSH_AUTH_SOCK");
        if (!sock || !*sock || m_endpoint.identities_only) {
            m_agent_tried = true;
        } else {
            int rc = ssh_userauth_agent(s, nullptr);
            if (rc == SSH_AUTH_AGAIN && ssh_is_connected(s)) return Step::again;
            if (!ssh_is_connected(s)) return closed_in_auth("ssh-agent keys");
            m_agent_tried = true;
            if (rc == SSH_AUTH_SUCCESS) return Step::done;
            if (rc == SSH_AUTH_ERROR && !ssh_is_connected(s))
                return std::unexpected(ssh_failure(ErrorKind::connect, "connection lost"));
            m_auth_errors += "ssh-agent keys refused; ";
        }
        m_identities = identity_candidates();
    }
    while (m_next_identity < m_identities.size()) {
        const std::string& path = m_identities[m_next_identity];
        auto key = m_keys.get(path);
        if (!key) {
            m_auth_errors += key.error().message + "; ";
            ++m_next_identity;
            continue;
        }
        int rc = ssh_userauth_publickey(s, nullptr, *key);
        if (rc == SSH_AUTH_AGAIN && ssh_is_connected(s)) return Step::again;
        if (!ssh_is_connected(s)) return closed_in_auth("key " + path);
        ++m_next_identity;
        if (rc == SSH_AUTH_SUCCESS) return Step::done;
        if (rc == SSH_AUTH_ERROR && !ssh_is_connected(s))
            return std::unexpected(ssh_failure(ErrorKind::connect, "connection lost"));
        m_auth_errors += "key " + path + " refused; ";
    }
    std::string user = m_endpoint.user.empty() ? m_options.local_user : m_endpoint.user;
    if (m_identities.empty() && m_auth_errors.empty())
        m_auth_errors = "no ssh-agent and no identity file in " + m_options.ssh_dir + "; ";
    m_auth_errors.resize(m_auth_errors.size() - 2);
    return fail(ErrorKind::auth, "authentication failed for " + user + "@" + m_endpoint.host +
                                     " (" + m_auth_errors + ")");
}

Result<Step> LibsshConnection::connect() {
    auto failed = [this](Error e) -> Result<Step> {
        m_state = State::failed;
        return std::unexpected(std::move(e));
    };
    if (m_state == State::tcp && m_reach) {
        auto tunnel = m_reach();
        if (!tunnel) return failed(tunnel.error());
        m_tunnel = tunnel->status;
        if (auto st = start_session(tunnel->fd); !st) return failed(st.error());
        m_state = State::handshake;
    }
    if (m_state == State::tcp) {
        auto r = m_tcp.step();
        if (!r) return failed(r.error());
        if (!*r) return Step::again;
        if (auto st = start_session(m_tcp.release()); !st) return failed(st.error());
        m_state = State::handshake;
    }
    ack_promptly(m_fd);
    if (m_state == State::handshake) {
        int rc = ssh_connect(m_session.get());
        if (rc == SSH_AGAIN) return Step::again;
        if (rc != SSH_OK) {
            // libssh words a peer's close or reset so; a protocol mismatch reads otherwise.
            std::string why = ssh_get_error(m_session.get());
            m_dropped = !m_tunnel && (why.find("disconnected") != std::string::npos ||
                                      why.find("reset by peer") != std::string::npos);
            return failed(ssh_failure(ErrorKind::connect, "ssh handshake with " + m_endpoint.host +
                                                              port_suffix(m_endpoint.port)));
        }
        m_state = State::host_key;
    }
    if (m_state == State::host_key) {
        if (auto st = check_host_key(); !st) return failed(st.error());
        m_state = State::auth;
    }
    if (m_state == State::auth) {
        auto r = authenticate();
        if (!r) return failed(r.error());
        if (*r == Step::again) return Step::again;
        m_state = State::ready;
    }
    if (m_state == State::failed) return fail(ErrorKind::internal, "connection already failed");
    return Step::done;
}

std::unique_ptr<Command> LibsshConnection::exec_with_file(std::string command,
                                                          std::string stdin_data,
                                                          util::Snapshot stdin_file) {
    return std::make_unique<LibsshCommand>(m_session.get(), std::move(command),
                                           std::move(stdin_data), std::move(stdin_file),
                                           m_options.keepalive);
}

std::unique_ptr<Command> LibsshConnection::exec(std::string command, std::string stdin_data,
                                                bool keep_stdin_open) {
    return std::make_unique<LibsshCommand>(m_session.get(), std::move(command),
                                           std::move(stdin_data), nullptr, m_options.keepalive,
                                           keep_stdin_open);
}

namespace {

std::string chain_key(const std::vector<Endpoint>& chain, size_t length) {
    std::string key;
    for (size_t i = 0; i < length; ++i)
        key += chain[i].user + "@" + chain[i].host + ":" + std::to_string(chain[i].port) + ",";
    return key;
}

class LibsshTransport final : public Transport {
public:
    explicit LibsshTransport(TransportOptions options) : m_options(std::move(options)) {}
    ~LibsshTransport() override {
        // Later hops ride on earlier ones: end them first.
        while (!m_jump_order.empty())
            m_jump_order.pop_back();
    }

    std::unique_ptr<Connection> open(const Endpoint& endpoint) override {
        if (endpoint.jumps.empty())
            return std::make_unique<LibsshConnection>(endpoint, m_options, m_keys);
        JumpHost& jump = jump_host(endpoint.jumps, endpoint.jumps.size());
        return std::make_unique<LibsshConnection>(
            endpoint, m_options, m_keys, [&jump, host = endpoint.host, port = endpoint.port] {
                return jump.open_tunnel(host, port);
            });
    }

private:
    // The jump host at the end of chain[0, length): one per distinct chain, shared.
    JumpHost& jump_host(const std::vector<Endpoint>& chain, size_t length) {
        std::string key = chain_key(chain, length);
        if (auto it = m_jumps.find(key); it != m_jumps.end()) return *it->second;
        TunnelOpener reach;
        if (length > 1) {
            JumpHost& before = jump_host(chain, length - 1);
            const Endpoint& hop = chain[length - 1];
            reach = [&before, host = hop.host, port = hop.port] {
                return before.open_tunnel(host, port);
            };
        }
        m_jump_order.push_back(
            std::make_unique<JumpHost>(chain[length - 1], m_options, std::move(reach)));
        return *(m_jumps[key] = m_jump_order.back().get());
    }

    TransportOptions m_options;
    KeyCache m_keys;
    std::vector<std::unique_ptr<JumpHost>> m_jump_order; // in creation order
    std::map<std::string, JumpHost*> m_jumps;
};

} // namespace

std::unique_ptr<Transport> make_libssh_transport(const TransportOptions& options) {
    return std::make_unique<LibsshTransport>(options);
}

const char* library_version() {
    return ssh_version(0);
}

void init_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        ssh_init();
        std::atexit([] { ssh_finalize(); });
    });
}

} // namespace leura::ssh
