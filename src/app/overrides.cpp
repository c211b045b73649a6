// SPDX-License-Identifier: Apache-2.0
#include "app/overrides.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"

#include <charconv>

namespace leura::app {

std::string to_json(const Overrides& o) {
    util::JsonObject out;
    if (o.concurrency) out.add("concurrency", *o.concurrency);
    if (!o.vars.empty()) {
        std::vector<std::string> items;
        for (const auto& [k, v] : o.vars)
            items.push_back(util::json_string_array({k, v}));
        out.add_raw("vars", util::json_array(items));
    }
    if (o.batches) out.add("batches", *o.batches);
    if (o.targets) out.add("targets", *o.targets);
    if (o.replace_targets) out.add("replace_targets", true);
    return out.str();
}

Overrides parse_overrides(const std::optional<std::string>& json) {
    Overrides o;
    if (!json) return o;
    auto doc = util::parse_json(*json);
    if (!doc || !doc->is(util::JsonValue::Type::object)) return o;
    if (const auto* c = doc->get("concurrency"); c && c->is(util::JsonValue::Type::number)) {
        size_t n = 0;
        auto [end, ec] = std::from_chars(c->text.data(), c->text.data() + c->text.size(), n);
        if (ec == std::errc() && end == c->text.data() + c->text.size() && n > 0) o.concurrency = n;
    }
    if (const auto* vars = doc->get("vars"); vars && vars->is(util::JsonValue::Type::array))
        for (const auto& kv : vars->items)
            if (kv.is(util::JsonValue::Type::array) && kv.items.size() == 2)
                o.vars.emplace_back(kv.items[0].text, kv.items[1].text);
    if (const auto* b = doc->get("batches"); b && b->is(util::JsonValue::Type::string))
        o.batches = b->text;
    if (const auto* t = doc->get("targets"); t && t->is(util::JsonValue::Type::string))
        o.targets = t->text;
    if (const auto* r = doc->get("replace_targets"); r && r->is(util::JsonValue::Type::boolean))
        o.replace_targets = r->boolean;
    return o;
}

std::vector<std::string> reuse_overrides(Overrides& given, const Overrides& recorded) {
    std::vector<std::string> reused;
    if (!given.concurrency && recorded.concurrency) {
        given.concurrency = recorded.concurrency;
        reused.push_back("--concurrency " + std::to_string(*recorded.concurrency));
    }
    if (given.vars.empty() && !recorded.vars.empty()) {
        given.vars = recorded.vars;
        for (const auto& [k, v] : recorded.vars)
            reused.push_back("--var " + k + "=...");
    }
    if (!given.batches && recorded.batches) {
        given.batches = recorded.batches;
        reused.push_back("--batches " + *recorded.batches);
    }
    if (!given.targets && recorded.targets) {
        given.targets = recorded.targets;
        given.replace_targets = recorded.replace_targets;
        reused.push_back(std::string(recorded.replace_targets ? "--replace-targets " : "") + "-t " +
                         *recorded.targets);
    }
    return reused;
}

} // namespace leura::app
