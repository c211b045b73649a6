// SPDX-License-Identifier: Apache-2.0
#pragma once

// Alertmanager's webhook (payload version 4) feeding a monitor: each alert about one of the
// monitor's hosts is one result in that host's history, as a check of a round is: firing is
// FAIL, resolved is OK. The same notification sent again (Alertmanager repeats a firing
// alert every repeat_interval, and a retry resends a group) is recognised by the alert's
// fingerprint, status and start, and counted once. The results then go through the monitor's
// state machine (app/monitor_round.hpp's judge_results): its trigger, cooldown, caps, mutes,
// acks and reactions apply to alerts as they do to checks.
#include "app/monitor_round.hpp"

#include <string>
#include <vector>

namespace leura::app {

struct AlertIgnored {
    std::string fingerprint, alertname, why;
};

struct AlertFeed {
    int received = 0; // alerts in the payload
    int repeated = 0; // already counted before
    std::vector<AlertIgnored> ignored;
    std::vector<RoundHost> judged;
};

// The alert's host: its label `host`, else `instance` without its port, else `hostname` or
// `nodename`; matched against the monitor's hosts by name, then by address.
// `hosts`: the monitor's (its inventory and targets); `inventory`: its name.
// Errors: usage (a payload that is not Alertmanager's version 4, said where), io, locked.
Result<AlertFeed> feed_alerts(Context& ctx, const config::MonitorDef& monitor,
                              const std::vector<const inventory::Host*>& hosts,
                              const std::string& inventory, const std::string& payload, int64_t now,
                              Launcher& launcher);

} // namespace leura::app
