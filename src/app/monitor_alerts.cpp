// SPDX-License-Identifier: Apache-2.0
#include "app/monitor_alerts.hpp"
#include "util/json_parse.hpp"
#include "util/sha256.hpp"

#include <algorithm>

namespace leura::app {

namespace {

using util::JsonValue;

std::string label(const JsonValue& alert, std::string_view key) {
    const JsonValue* labels = alert.get("labels");
    const JsonValue* v = labels ? labels->get(key) : nullptr;
    return v && v->is(JsonValue::Type::string) ? v->text : "";
}

std::string text(const JsonValue& v, std::string_view key) {
    const JsonValue* f = v.get(key);
    return f && f->is(JsonValue::Type::string) ? f->text : "";
}

// "web01:9100" -> "web01"; "[::1]:9100" -> "::1"; a bare IPv6 address stays whole.
std::string without_port(const std::string& instance) {
    if (instance.starts_with('[')) {
        const size_t close = instance.find(']');
        return close == instance.npos ? instance : instance.substr(1, close - 1);
    }
    const size_t colon = instance.find(':');
    if (colon == instance.npos || instance.find(':', colon + 1) != instance.npos) return instance;
    return instance.substr(0, colon);
}

const inventory::Host* match(const std::vector<const inventory::Host*>& hosts,
                             const std::string& name) {
    for (const auto* h : hosts)
        if (h->name == name) return h;
    for (const auto* h : hosts)
        if (h->address == name) return h;
    return nullptr;
}

// Alertmanager always sends one; a sender that does not gets one from the labels.
std::string fingerprint_of(const JsonValue& alert) {
    if (std::string f = text(alert, "fingerprint"); !f.empty()) return f;
    const JsonValue* labels = alert.get("labels");
    return util::sha256_hex(labels ? util::to_json(*labels) : "").substr(0, 16);
}

} // namespace

Result<AlertFeed> feed_alerts(Context& ctx, const config::MonitorDef& m,
                              const std::vector<const inventory::Host*>& hosts,
                              const std::string& inventory, const std::string& payload, int64_t now,
                              Launcher& launcher) {
    auto doc = util::parse_json(payload);
    if (!doc)
        return fail(ErrorKind::usage, "the body is not JSON (at byte " +
                                          std::to_string(doc.error().offset) +
                                          "): " + doc.error().message);
    const JsonValue* version = doc->get("version");
    if (!version || !version->is(JsonValue::Type::string) || version->text != "4")
        return fail(ErrorKind::usage,
                    "not an Alertmanager webhook of version \"4\" (its \"version\" field)");
    const JsonValue* alerts = doc->get("alerts");
    if (!alerts || !alerts->is(JsonValue::Type::array))
        return fail(ErrorKind::usage, "the body has no \"alerts\" array");
    LEURA_TRY_ASSIGN(store, ctx.records());
    AlertFeed feed;
    std::vector<Observation> seen;
    for (size_t i = 0; i < alerts->items.size(); ++i) {
        const JsonValue& a = alerts->items[i];
        ++feed.received;
        if (!a.is(JsonValue::Type::object))
            return fail(ErrorKind::usage, "alerts[" + std::to_string(i) + "] is not an object");
        const std::string status = text(a, "status");
        if (status != "firing" && status != "resolved")
            return fail(ErrorKind::usage, "alerts[" + std::to_string(i) +
                                              "].status must be firing or resolved, not '" +
                                              status + "'");
        AlertIgnored about{fingerprint_of(a), label(a, "alertname"), ""};
        std::string named;
        for (const char* key : {"host", "instance", "hostname", "nodename"})
            if (named = label(a, key); !named.empty()) {
                if (std::string_view(key) == "instance") named = without_port(named);
                break;
            }
        const inventory::Host* host = named.empty() ? nullptr : match(hosts, named);
        if (!host) {
            about.why = named.empty() ? "no host, instance, hostname or nodename label"
                                      : "'" + named + "' is none of the monitor's hosts";
            feed.ignored.push_back(std::move(about));
            continue;
        }
        store::MonitorAlertRow row;
        row.monitor = m.name;
        row.fingerprint = about.fingerprint;
        row.host = host->name;
        row.status = status;
        row.starts_at = text(a, "startsAt");
        row.received_at = now;
        LEURA_TRY_ASSIGN(fresh, store->note_monitor_alert(row));
        if (!fresh) {
            ++feed.repeated;
            continue;
        }
        Observation o;
        o.host = host->name;
        o.result = status == "firing" ? CheckResult::fail : CheckResult::ok;
        std::string summary;
        if (const JsonValue* ann = a.get("annotations")) summary = text(*ann, "summary");
        o.output = "alert " + (about.alertname.empty() ? about.fingerprint : about.alertname) +
                   " " + status + (summary.empty() ? "" : ": " + summary);
        o.output.resize(std::min<size_t>(o.output.size(), 512));
        seen.push_back(std::move(o));
    }
    if (!seen.empty()) {
        LEURA_TRY_ASSIGN(judged, judge_results(ctx, m, inventory, seen, now, launcher));
        feed.judged = std::move(judged);
    }
    return feed;
}

} // namespace leura::app
