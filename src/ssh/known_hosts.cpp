// SPDX-License-Identifier: Apache-2.0
#include "ssh/known_hosts.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

namespace leura::ssh {

namespace {

constexpr const char* k_global_file = "/etc/ssh/ssh_known_hosts";
// libssh 0.10's host key algorithms, in its order of preference (ssh-rsa's SHA-1 is off).
constexpr const char* k_all_algorithms[] = {"ssh-ed25519",         "ecdsa-sha2-nistp521",
                                            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp256",
                                            "rsa-sha2-512",        "rsa-sha2-256"};

std::string base64_decode(const std::string& text) {
    std::string out(text.size() / 4 * 3 + 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
    if (n < 0) return {};
    size_t padding = 0;
    for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i)
        ++padding;
    out.resize(size_t(n) - std::min(size_t(n), padding));
    return out;
}

std::string hmac_sha1(const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha1(), key.data(), int(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len))
        return {};
    return std::string(reinterpret_cast<char*>(out), len);
}

// The algorithms a known key of `type` may be verified with.
std::vector<std::string> algorithms_of(const std::string& type) {
    if (type == "ssh-rsa") return {"rsa-sha2-512", "rsa-sha2-256"};
    return {type};
}

} // namespace

std::mutex& known_hosts_lock() {
    static std::mutex lock;
    return lock;
}

std::string known_hosts_name(const std::string& host, int port) {
    return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
}

KnownHosts& KnownHosts::shared(const std::string& user_file) {
    static std::map<std::string, std::unique_ptr<KnownHosts>> loaded;
    auto& slot = loaded[user_file];
    if (!slot) {
        slot = std::make_unique<KnownHosts>();
        slot->load(user_file);
        slot->load(k_global_file);
    }
    return *slot;
}

void KnownHosts::load(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string names, type, base64;
        if (!(fields >> names) || names[0] == '#') continue;
        if (names[0] == '@' || !(fields >> type >> base64)) {
            m_usable = false; // markers, or a line this does not understand
            return;
        }
        if (names.starts_with("|1|")) {
            auto bar = names.find('|', 3);
            if (bar == std::string::npos) {
                m_usable = false;
                return;
            }
            m_hashed.push_back({base64_decode(names.substr(3, bar - 3)),
                                base64_decode(names.substr(bar + 1)),
                                {type, base64}});
            continue;
        }
        if (names.find_first_of("*?!") != std::string::npos) {
            m_usable = false;
            return;
        }
        std::istringstream list(names);
        for (std::string name; std::getline(list, name, ',');)
            if (!name.empty()) m_plain[name].push_back({type, base64});
    }
}

std::vector<const KnownHosts::Key*> KnownHosts::keys_for(const std::string& name) const {
    std::vector<const Key*> keys;
    if (auto it = m_plain.find(name); it != m_plain.end())
        for (const auto& k : it->second)
            keys.push_back(&k);
    for (const auto& h : m_hashed)
        if (hmac_sha1(h.salt, name) == h.hmac) keys.push_back(&h.key);
    return keys;
}

std::string KnownHosts::algorithms(const std::string& name) const {
    auto keys = keys_for(name);
    if (keys.empty()) return {};
    std::vector<std::string> order;
    std::set<std::string> seen;
    for (const auto* k : keys)
        for (const auto& a : algorithms_of(k->type))
            if (seen.insert(a).second) order.push_back(a);
    for (const char* a : k_all_algorithms)
        if (seen.insert(a).second) order.push_back(a);
    std::string out;
    for (const auto& a : order)
        out += (out.empty() ? "" : ",") + a;
    return out;
}

KnownKey KnownHosts::check(const std::string& name, const std::string& type,
                           const std::string& base64) const {
    auto keys = keys_for(name);
    if (keys.empty()) return KnownKey::unknown;
    for (const auto* k : keys)
        if (k->type == type && k->base64 == base64) return KnownKey::match;
    return KnownKey::changed;
}

void KnownHosts::add(const std::string& name, const std::string& type, const std::string& base64) {
    m_plain[name].push_back({type, base64});
}

} // namespace leura::ssh
