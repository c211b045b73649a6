// SPDX-License-Identifier: Apache-2.0
// One host through the parsed files, with ssh's rules: blocks apply when their Host or Match
// line matches, the first value of a directive wins (IdentityFile accumulates), an Include
// inside a block applies only when the block does, and `Match final`/`canonical` asks for a
// second pass over everything with the host name by then resolved.
#include "sshconfig/items.hpp"
#include "sshconfig/values.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <strings.h>

namespace leura::sshconfig {

namespace {

// HostName's only token is %h (and %%).
Result<std::string> expand_hostname(const Value& v, const std::string& host) {
    std::string out;
    for (size_t i = 0; i < v.text.size(); ++i) {
        if (v.text[i] != '%') {
            out += v.text[i];
            continue;
        }
        char t = i + 1 < v.text.size() ? v.text[++i] : '\0';
        if (t == 'h')
            out += host;
        else if (t == '%')
            out += '%';
        else
            return fail(ErrorKind::config,
                        to_string(v.origin) + ": HostName: unknown token %" + std::string(1, t));
    }
    return out;
}

class Resolver {
public:
    Resolver(const Config::Items& items, const Query& q) : m_items(items), m_q(q) {
        if (!q.hostname.empty()) m_hostname = Value{q.hostname, {}};
        if (!q.user.empty()) m_user = Value{q.user, {}};
        if (q.port) m_port = Value{std::to_string(*q.port), {}};
    }

    Result<Resolved> run() {
        pass(m_q.host);
        if (m_want_final) {
            // ssh re-reads everything with the host name resolved so far fixed, and matches
            // Host lines against that name in this pass.
            LEURA_TRY_ASSIGN(name, final_hostname());
            m_hostname = Value{name, m_hostname ? m_hostname->origin : Origin{}};
            m_hostname_expanded = true;
            m_final = true;
            pass(name);
        }
        return finish();
    }

private:
    void pass(const std::string& host_name) {
        m_host_name = host_name;
        for (const auto& file : m_items.files) {
            bool active = true;
            walk(file, active, false);
        }
    }

    void walk(const std::vector<Item>& items, bool& active, bool never) {
        for (const auto& it : items) {
            switch (it.kind) {
            case Item::Kind::host:
                active = !never && host_matches(it);
                break;
            case Item::Kind::match: {
                bool r = match(it);
                active = !never && r;
                break;
            }
            case Item::Kind::include: {
                bool outer = active;
                for (const auto& file : it.files) {
                    walk(file, active, never || !outer);
                    active = outer; // a Host or Match inside does not leak out
                }
                break;
            }
            case Item::Kind::directive:
                if (active) apply(it);
                break;
            }
        }
    }

    bool host_matches(const Item& it) const {
        bool on = false;
        for (const auto& arg : it.args) {
            bool negated = arg[0] == '!';
            std::string_view pattern = negated ? std::string_view(arg).substr(1) : arg;
            if (util::glob_match(pattern, m_host_name)) {
                if (negated) return false;
                on = true;
            }
        }
        return on;
    }

    bool match(const Item& it) {
        bool result = true;
        for (const auto& c : it.criteria) {
            if (c.name == "all") {
                if (result) result = !c.negated;
                return result;
            }
            bool r = false;
            if (c.name == "canonical" || c.name == "final") {
                // `final` asks for the final pass; both match in it (ssh 9.2 counts the final
                // pass as post-canonicalization even when CanonicalizeHostname is off).
                if (c.name == "final") m_want_final = true;
                r = m_final;
            } else if (c.name == "host") {
                auto target = !m_hostname           ? m_q.host
                              : m_hostname_expanded ? m_hostname->text
                                                    : expand_hostname(*m_hostname, m_q.host);
                r = target && match_pattern_list(*target, c.patterns, true);
            } else if (c.name == "originalhost") {
                r = match_pattern_list(m_q.host, c.patterns, true);
            } else if (c.name == "user") {
                r = match_pattern_list(m_user ? m_user->text : m_q.local_user, c.patterns, false);
            } else if (c.name == "localuser") {
                r = match_pattern_list(m_q.local_user, c.patterns, false);
            } else {
                // exec and localnetwork: leura runs no command from a file and does not
                // look at the local network; the block never applies.
                warn(it.origin, "Match " + c.name +
                                    " is not evaluated by leura; the block does "
                                    "not apply");
                result = false;
                continue;
            }
            if (r == c.negated) result = false;
        }
        return result;
    }

    void apply(const Item& it) {
        const std::string& k = it.keyword;
        const std::string& v = it.args[0];
        auto first = [&](std::optional<Value>& slot, std::string text) {
            if (!slot) slot = Value{std::move(text), it.origin};
        };
        if (k == "hostname")
            first(m_hostname, v);
        else if (k == "user")
            first(m_user, v);
        else if (k == "port")
            first(m_port, std::to_string(*parse_port(v)));
        else if (k == "identitiesonly")
            first(m_identities_only, *parse_yes_no(v));
        else if (k == "stricthostkeychecking")
            first(m_strict, *parse_strict(v));
        else if (k == "connecttimeout") {
            if (v != "none") first(m_timeout, std::to_string(*parse_ssh_time(v)));
        } else if (k == "identityfile") {
            bool seen = std::any_of(m_identities.begin(), m_identities.end(),
                                    [&](const Value& i) { return i.text == v; });
            if (!seen) m_identities.push_back(Value{v, it.origin});
        } else if (k == "userknownhostsfile") {
            if (!m_known_hosts_set) {
                m_known_hosts_set = true;
                for (const auto& a : it.args)
                    m_known_hosts.push_back(Value{a, it.origin});
            }
        } else if (k == "proxyjump") {
            if (m_jump_set || m_command) return;
            m_jump_set = true;
            auto hops = *parse_jump_hops(v);
            if (hops.empty()) return; // none
            m_jump = Value{v, it.origin};
            m_hops = std::move(hops);
            m_command = Value{"none", it.origin};
        } else if (k == "proxycommand") {
            first(m_command, it.rest);
        }
    }

    Result<std::string> final_hostname() const {
        std::string name = m_q.host;
        if (m_hostname && m_hostname_expanded) return m_hostname->text;
        if (m_hostname) {
            LEURA_TRY_ASSIGN(expanded, expand_hostname(*m_hostname, m_q.host));
            name = std::move(expanded);
        }
        // ssh leaves an IPv6 address as written and lower-cases names.
        return name.find(':') == std::string::npos ? util::to_lower(name) : name;
    }

    Result<Resolved> finish() {
        Resolved r;
        LEURA_TRY_ASSIGN(name, final_hostname());
        r.hostname = Value{name, m_hostname ? m_hostname->origin : Origin{}};
        r.user = m_user.value_or(Value{m_q.local_user, {}});
        r.port = m_port.value_or(Value{"22", {}});
        r.identity_files = m_identities;
        r.identities_only = m_identities_only;
        r.strict_host_keys = m_strict;
        r.connect_timeout = m_timeout;
        if (m_command && m_command->text != "none" && !m_jump) r.proxy_command = m_command;
        if (m_jump) {
            r.jump = m_hops;
            r.proxy_jump = Value{jump_text(*m_jump), m_jump->origin};
            const Hop& last = m_hops.back();
            if (last.host == r.hostname.text && last.port.value_or(22) == std::stoi(r.port.text) &&
                (last.user.empty() ? r.user.text : last.user) == r.user.text)
                return fail(ErrorKind::config,
                            to_string(m_jump->origin) + ": jumphost loop via " + last.host);
        }
        for (const auto& k : m_known_hosts) {
            if (strcasecmp(k.text.c_str(), "none") == 0) {
                r.user_known_hosts.push_back(k);
                continue;
            }
            auto path = expand_path(k.text, m_q, r);
            if (!path)
                return fail(ErrorKind::config, to_string(k.origin) + ": " + path.error().message);
            r.user_known_hosts.push_back(Value{*path, k.origin});
        }
        r.warnings = std::move(m_warnings);
        return r;
    }

    // As ssh -G prints it: the hops before the last as written, the last one rebuilt.
    std::string jump_text(const Value& v) const {
        const Hop& last = m_hops.back();
        std::string raw = v.text;
        auto comma = raw.rfind(',');
        std::string out = comma == std::string::npos ? "" : raw.substr(0, comma) + ",";
        if (!last.user.empty()) out += last.user + "@";
        out += last.host.find(':') != std::string::npos ? "[" + last.host + "]" : last.host;
        if (last.port) out += ":" + std::to_string(*last.port);
        return out;
    }

    void warn(const Origin& at, const std::string& message) {
        std::string line = to_string(at) + ": " + message;
        if (std::find(m_warnings.begin(), m_warnings.end(), line) == m_warnings.end())
            m_warnings.push_back(std::move(line));
    }

    const Config::Items& m_items;
    const Query& m_q;
    std::string m_host_name; // what Host patterns match in this pass
    bool m_want_final = false, m_final = false;
    bool m_hostname_expanded = false; // set for the final pass: %h already replaced
    std::optional<Value> m_hostname, m_user, m_port, m_identities_only, m_strict, m_timeout,
        m_command, m_jump;
    bool m_jump_set = false, m_known_hosts_set = false;
    std::vector<Hop> m_hops;
    std::vector<Value> m_identities, m_known_hosts;
    std::vector<std::string> m_warnings;
};

} // namespace

Result<Resolved> resolve(const Config& config, const Query& query) {
    return Resolver(config.items(), query).run();
}

} // namespace leura::sshconfig
