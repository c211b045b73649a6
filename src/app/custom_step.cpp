// SPDX-License-Identifier: Apache-2.0
#include "app/custom_step.hpp"
#include "exec/script.hpp"
#include "util/json.hpp"
#include "util/json_parse.hpp"
#include "util/sha256.hpp"

#include <map>

namespace leura::app {

namespace {

using util::JsonValue;

std::string object_of(const config::KeyValues& kv) {
    // Later entries win, as the shell's last export does.
    std::map<std::string, std::string> merged;
    std::vector<std::string> order;
    for (const auto& [k, v] : kv) {
        if (!merged.count(k)) order.push_back(k);
        merged[k] = v;
    }
    util::JsonObject o;
    for (const auto& k : order)
        o.add(k, merged[k]);
    return o.str();
}

class AnswerReader {
public:
    explicit AnswerReader(const CustomContext& c) : m_c(c) {}

    Result<exec::CustomAnswer> read(std::string_view text) {
        auto doc = util::parse_json(text);
        if (!doc)
            return bad("is not JSON at byte " + std::to_string(doc.error().offset + 1) + ": " +
                       doc.error().message);
        if (!doc->is(JsonValue::Type::object)) return bad("must be a JSON object");
        const JsonValue* result = doc->get("result");
        const JsonValue* steps = doc->get("steps");
        for (const auto& [key, value] : doc->members)
            if (key != "result" && key != "steps")
                return bad("has an unknown member \"" + key + "\"");
        if ((result != nullptr) == (steps != nullptr))
            return bad("must have exactly one of \"result\" and \"steps\"");
        exec::CustomAnswer answer;
        if (result) {
            answer.result = util::to_json(*result);
            return answer;
        }
        if (!steps->is(JsonValue::Type::array)) return bad("\"steps\" must be an array");
        for (size_t i = 0; i < steps->items.size(); ++i) {
            auto sub = command(steps->items[i], i + 1);
            if (!sub) return std::unexpected(sub.error());
            answer.commands.push_back(std::move(*sub));
        }
        return answer;
    }

private:
    std::unexpected<Error> bad(const std::string& what) const {
        return std::unexpected(
            Error(ErrorKind::remote_exit, "step \"" + m_c.step_name + "\": the answer " + what));
    }

    // Every command of an answer runs on a channel of its own, marked: it ends when its shell
    // ends, whatever a background job it started still holds open.
    std::string exec_request() const {
        if (!m_c.run_as.empty()) return exec::run_as_command(m_c.run_as, exec::k_read_sized_script);
        return exec::sized_command();
    }

    const std::string* text_member(const JsonValue& v, const char* key) const {
        const JsonValue* m = v.get(key);
        return m && m->is(JsonValue::Type::string) && !m->text.empty() ? &m->text : nullptr;
    }

    Result<exec::SubCommand> command(const JsonValue& item, size_t n) {
        std::string where = "steps[" + std::to_string(n - 1) + "]";
        if (!item.is(JsonValue::Type::object) || item.members.size() != 1)
            return bad(where +
                       " must be an object with one of \"command\", \"script\", \"upload\"");
        const auto& [kind, value] = item.members[0];
        exec::SubCommand sub;
        if (kind == "command" || kind == "script") {
            if (!value.is(JsonValue::Type::string) || value.text.empty())
                return bad(where + "." + kind + " must be a non-empty string");
            sub.label = kind;
            sub.command = exec_request();
            sub.script = exec::sized_stdin(exec::render_script(m_c.exports, value.text));
            sub.marked = true;
            return sub;
        }
        if (kind != "upload")
            return bad(where + " has an unknown kind \"" + kind + "\" (command, script or upload)");
        return upload(value, where);
    }

    Result<exec::SubCommand> upload(const JsonValue& v, const std::string& where) {
        const std::string* src = text_member(v, "src");
        const std::string* dest = text_member(v, "dest");
        if (!v.is(JsonValue::Type::object) || !src || !dest)
            return bad(where + ".upload needs \"src\" and \"dest\"");
        for (const auto& [key, value] : v.members)
            if (key != "src" && key != "dest" && key != "mode" && key != "owner")
                return bad(where + ".upload has an unknown member \"" + key + "\"");
        if (!dest->starts_with('/')) return bad(where + ".upload.dest must be an absolute path");
        std::string mode, owner;
        if (const std::string* m = text_member(v, "mode")) {
            auto normal = config::normalize_upload_mode(*m);
            if (!normal) return bad(where + ".upload.mode must be octal such as \"0644\"");
            mode = *normal;
        }
        if (const std::string* o = text_member(v, "owner")) {
            if (!config::is_upload_owner(*o))
                return bad(where + ".upload.owner must be user or user:group");
            owner = *o;
        }
        std::filesystem::path file = m_c.task_dir / *src; // an absolute src stays as it is
        auto snapshot = util::FileSnapshot::open(file.string());
        if (!snapshot)
            return bad(where + ".upload.src " + file.string() + ": " + snapshot.error().message);
        exec::SubCommand sub;
        sub.label = "upload " + *dest;
        sub.command = exec_request();
        sub.marked = true;
        sub.script = exec::sized_stdin(exec::render_script(
            m_c.exports, exec::upload_body(*dest, (*snapshot)->digest(), mode, owner)));
        sub.file = *snapshot;
        return sub;
    }

    const CustomContext& m_c;
};

} // namespace

std::string custom_request(const CustomRequest& r) {
    util::JsonObject o;
    o.add("protocol", 1)
        .add("step", r.step->name)
        .add("type", r.step->body)
        .add("run", r.run)
        .add("batch", r.batch)
        .add("host", r.host)
        .add_raw("attrs", object_of(*r.attrs))
        .add_raw("vars", object_of(r.vars))
        .add_raw("env", object_of(r.step->env))
        .add_raw("secrets", object_of(*r.secrets))
        .add_raw("with", r.step->with_json);
    if (!r.step->run_as.empty()) o.add("run_as", r.step->run_as);
    return o.str() + "\n";
}

Result<exec::CustomAnswer> read_custom_answer(std::string_view answer, const CustomContext& c) {
    return AnswerReader(c).read(answer);
}

} // namespace leura::app
