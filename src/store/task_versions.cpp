// SPDX-License-Identifier: Apache-2.0
// The saved versions of library tasks (schema 8). A version is a content, not an event: the
// same content saved again (a run of an unchanged task) adds nothing, so the history of a
// task run a thousand times is as long as the number of times it changed.
#include "store/store.hpp"

namespace leura::store {

Result<bool> Store::save_task_version(const TaskVersion& v) {
    // One statement in one transaction: the "is it new?" check and the insert cannot be split
    // by another process saving the same task.
    LEURA_TRY(write("INSERT INTO task_versions (name, path, sha256, content, saved_at, saved_by, "
                    "source) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE ?3 IS NOT (SELECT sha256 "
                    "FROM task_versions WHERE name = ?1 ORDER BY id DESC LIMIT 1)",
                    [&](Stmt& s) {
                        s.bind(1, v.name).bind(2, v.path).bind(3, v.sha256).bind(4, v.content);
                        s.bind(5, v.saved_at).bind(6, v.saved_by).bind(7, v.source);
                    }));
    return m_db->changes() > 0;
}

Result<std::vector<TaskVersion>> Store::task_versions(const std::string& name, bool content) {
    std::string sql = std::string("SELECT name, path, sha256, ") + (content ? "content" : "''") +
                      ", saved_at, saved_by, source FROM task_versions WHERE name = ? ORDER BY id";
    LEURA_TRY_ASSIGN(s, Stmt::prepare(*m_db, sql.c_str()));
    s.bind(1, name);
    std::vector<TaskVersion> out;
    LEURA_TRY(s.each([&](const Stmt& row) {
        TaskVersion v;
        v.number = int64_t(out.size()) + 1;
        v.name = row.text(0);
        v.path = row.text(1);
        v.sha256 = row.text(2);
        v.content = row.text(3);
        v.saved_at = row.text(4);
        v.saved_by = row.text(5);
        v.source = row.text(6);
        out.push_back(std::move(v));
    }));
    return out;
}

} // namespace leura::store
