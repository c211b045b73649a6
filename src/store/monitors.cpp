// SPDX-License-Identifier: Apache-2.0
// Monitors' records (schema 14): compact rows, not runs: a host's state, its checks, the
// decisions taken for it.
#include "store/store.hpp"

namespace leura::store {

namespace {

constexpr const char* k_host_columns =
    "monitor, host, state, results, ok_streak, failed_reactions, reactions, reaction_run, "
    "last_escalation, ack_until, flapping, changed_at";

void bind_host(Stmt& s, const MonitorHostRow& r) {
    s.bind(1, r.monitor).bind(2, r.host).bind(3, r.state).bind(4, r.results);
    s.bind(5, r.ok_streak).bind(6, r.failed_reactions).bind(7, r.reactions);
    s.bind(8, r.reaction_run).bind(9, r.last_escalation).bind(10, r.ack_until);
    s.bind(11, int64_t(r.flapping)).bind(12, r.changed_at);
}

constexpr const char* k_put_host =
    "INSERT OR REPLACE INTO monitor_hosts (monitor, host, state, results, ok_streak, "
    "failed_reactions, reactions, reaction_run, last_escalation, ack_until, flapping, "
    "changed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

} // namespace

Result<std::vector<MonitorHostRow>> Store::monitor_hosts(const std::string& monitor) {
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, (std::string("SELECT ") + k_host_columns +
                                              " FROM monitor_hosts WHERE monitor = ? ORDER BY host")
                                                 .c_str()));
    s.bind(1, monitor);
    std::vector<MonitorHostRow> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        MonitorHostRow r;
        r.monitor = row.text(0);
        r.host = row.text(1);
        r.state = row.text(2);
        r.results = row.text(3);
        r.ok_streak = row.integer(4);
        r.failed_reactions = row.integer(5);
        r.reactions = row.text(6);
        if (!row.is_null(7)) r.reaction_run = row.text(7);
        r.last_escalation = row.integer(8);
        r.ack_until = row.integer(9);
        r.flapping = row.integer(10) != 0;
        r.changed_at = row.integer(11);
        out.push_back(std::move(r));
    }));
    return out;
}

Result<bool> Store::note_monitor_alert(const MonitorAlertRow& a) {
    bool fresh = true;
    const Status done = in_transaction([&]() -> Status {
        LEURA_TRY_ASSIGN(last, Stmt::prepare(*m_db, "SELECT status, starts_at FROM monitor_alerts "
                                                    "WHERE monitor = ? AND fingerprint = ?"));
        last.bind(1, a.monitor).bind(2, a.fingerprint);
        LEURA_TRY_ASSIGN(found, last.step());
        if (found && last.text(0) == a.status && last.text(1) == a.starts_at) {
            fresh = false;
            return {};
        }
        LEURA_TRY(run_kept("INSERT OR REPLACE INTO monitor_alerts (monitor, fingerprint, host, "
                           "status, starts_at, received_at) VALUES (?,?,?,?,?,?)",
                           [&](Stmt& s) {
                               s.bind(1, a.monitor).bind(2, a.fingerprint).bind(3, a.host);
                               s.bind(4, a.status).bind(5, a.starts_at).bind(6, a.received_at);
                           }));
        return run_kept("DELETE FROM monitor_alerts WHERE status = 'resolved' AND received_at < ?",
                        [&](Stmt& s) { s.bind(1, a.received_at - 7 * 86400); });
    });
    if (!done) return std::unexpected(done.error());
    return fresh;
}

Status Store::put_monitor_host(const MonitorHostRow& row) {
    return write(k_put_host, [&](Stmt& s) { bind_host(s, row); });
}

Status Store::record_round(const std::vector<MonitorHostRow>& states,
                           const std::vector<MonitorCheckRow>& checks,
                           const std::vector<MonitorDecisionRow>& decisions) {
    return in_transaction([&]() -> Status {
        for (const auto& h : states)
            if (auto st = run_kept(k_put_host, [&](Stmt& s) { bind_host(s, h); }); !st) return st;
        for (const auto& c : checks)
            if (auto st = run_kept("INSERT INTO monitor_checks (monitor, round_at, "
                                   "host, result, exit_code, duration_ms, output) "
                                   "VALUES (?,?,?,?,?,?,?)",
                                   [&](Stmt& s) {
                                       s.bind(1, c.monitor).bind(2, c.round_at).bind(3, c.host);
                                       s.bind(4, c.result);
                                       if (c.exit_code)
                                           s.bind(5, *c.exit_code);
                                       else
                                           s.bind_null(5);
                                       s.bind(6, c.duration_ms).bind(7, c.output);
                                   });
                !st)
                return st;
        for (const auto& d : decisions)
            if (auto st = run_kept("INSERT INTO monitor_decisions (monitor, host, at, state, "
                                   "decision, reason, run_id) VALUES (?,?,?,?,?,?,?)",
                                   [&](Stmt& s) {
                                       s.bind(1, d.monitor).bind(2, d.host).bind(3, d.at);
                                       s.bind(4, d.state).bind(5, d.decision).bind(6, d.reason);
                                       s.bind(7, d.run_id);
                                   });
                !st)
                return st;
        return {};
    });
}

Result<std::vector<MonitorDecisionRow>>
Store::monitor_decisions(const std::string& monitor, const std::string& host, int64_t limit) {
    std::string sql = "SELECT id, monitor, host, at, state, decision, reason, run_id FROM "
                      "monitor_decisions WHERE monitor = ?1";
    if (!host.empty()) sql += " AND host = ?2";
    sql += " ORDER BY id DESC LIMIT ?3";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, monitor);
    if (!host.empty()) s.bind(2, host);
    s.bind(3, limit < 0 ? int64_t(-1) : limit);
    std::vector<MonitorDecisionRow> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        MonitorDecisionRow d;
        d.id = row.integer(0);
        d.monitor = row.text(1);
        d.host = row.text(2);
        d.at = row.integer(3);
        d.state = row.text(4);
        d.decision = row.text(5);
        d.reason = row.text(6);
        if (!row.is_null(7)) d.run_id = row.text(7);
        out.push_back(std::move(d));
    }));
    return out;
}

Result<std::vector<MonitorCheckRow>> Store::monitor_checks(const std::string& monitor,
                                                           const std::string& host, int64_t limit) {
    std::string sql = "SELECT monitor, round_at, host, result, exit_code, duration_ms, output "
                      "FROM monitor_checks WHERE monitor = ?1";
    if (!host.empty()) sql += " AND host = ?2";
    sql += " ORDER BY id DESC LIMIT ?3";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, monitor);
    if (!host.empty()) s.bind(2, host);
    s.bind(3, limit < 0 ? int64_t(-1) : limit);
    std::vector<MonitorCheckRow> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        MonitorCheckRow c;
        c.monitor = row.text(0);
        c.round_at = row.integer(1);
        c.host = row.text(2);
        c.result = row.text(3);
        if (!row.is_null(4)) c.exit_code = row.integer(4);
        c.duration_ms = row.integer(5);
        c.output = row.text(6);
        out.push_back(std::move(c));
    }));
    return out;
}

} // namespace leura::store
