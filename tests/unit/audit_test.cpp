// SPDX-License-Identifier: Apache-2.0
// The audit log: entries chain by hash from 64 zeros; SQL cannot change or delete them through
// leura's schema; an entry edited or deleted around leura (the triggers dropped, as anyone
// holding the file can) is found by verify_audit at the right id; processes appending at once
// still form one chain; app::audit fills who, how and when from the context.
#include "app/audit.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "util/sha256.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace leura::store {
namespace {

namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        m_dir = fs::temp_directory_path() /
                ("leura-audit-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        m_path = (m_dir / "leura.db").string();
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }

    Store open() {
        auto store = Store::open(m_path);
        if (!store) throw std::runtime_error("open failed: " + store.error().message);
        return std::move(*store);
    }

    static AuditEntry entry(int n, const std::string& actor = "user:alice",
                            const std::string& decision = "allow") {
        AuditEntry e;
        e.at = "2026-12-0" + std::to_string(1 + n % 9) + "T10:00:00.000Z";
        e.actor = actor;
        e.via = "cli";
        e.action = "run";
        e.resource = "task:web/deploy-" + std::to_string(n);
        e.inventory = "prod";
        e.host_count = n;
        e.decision = decision;
        e.rule = n % 2 ? "ops-run (/etc/leura/policy.toml:12)" : "";
        if (n % 3 == 0) e.run_id = "20261201-100000-00" + std::to_string(n);
        e.detail = "entry " + std::to_string(n);
        return e;
    }

    // SQL on the file as any other program could run it, bypassing Store.
    void raw(const std::string& sql) {
        auto db = Db::open(m_path);
        ASSERT_TRUE(db) << db.error().message;
        auto done = db->exec(sql);
        ASSERT_TRUE(done) << sql << ": " << done.error().message;
    }
    void drop_triggers() { raw("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"); }

    fs::path m_dir;
    std::string m_path;
};

TEST_F(AuditTest, EntriesChainFromZerosAndVerify) {
    Store store = open();
    auto empty = store.verify_audit();
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(empty->count, 0);
    EXPECT_FALSE(empty->broken);
    EXPECT_EQ(empty->latest, k_audit_genesis);

    std::vector<AuditEntry> appended;
    for (int n = 1; n <= 5; ++n) {
        auto e = store.append_audit(entry(n));
        ASSERT_TRUE(e) << e.error().message;
        appended.push_back(*e);
    }
    EXPECT_EQ(k_audit_genesis, std::string(64, '0'));
    for (size_t i = 0; i < appended.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(appended[i].id, int64_t(i) + 1);
        EXPECT_EQ(appended[i].prev_hash, i == 0 ? k_audit_genesis : appended[i - 1].hash);
        EXPECT_EQ(appended[i].hash, audit_hash(appended[i]));
        EXPECT_EQ(appended[i].hash.size(), 64u);
    }
    auto check = store.verify_audit();
    ASSERT_TRUE(check) << check.error().message;
    EXPECT_FALSE(check->broken) << check->problem;
    EXPECT_EQ(check->count, 5);
    EXPECT_EQ(check->latest, appended.back().hash);

    // Read back as written, newest first.
    AuditFilter all;
    auto listed = store.list_audit(all);
    ASSERT_TRUE(listed) << listed.error().message;
    ASSERT_EQ(listed->size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
        const auto& got = (*listed)[i];
        const auto& want = appended[4 - i];
        EXPECT_EQ(got.id, want.id);
        EXPECT_EQ(got.at, want.at);
        EXPECT_EQ(got.actor, want.actor);
        EXPECT_EQ(got.via, want.via);
        EXPECT_EQ(got.action, want.action);
        EXPECT_EQ(got.resource, want.resource);
        EXPECT_EQ(got.inventory, want.inventory);
        EXPECT_EQ(got.host_count, want.host_count);
        EXPECT_EQ(got.decision, want.decision);
        EXPECT_EQ(got.rule, want.rule);
        EXPECT_EQ(got.run_id, want.run_id);
        EXPECT_EQ(got.detail, want.detail);
        EXPECT_EQ(got.prev_hash, want.prev_hash);
        EXPECT_EQ(got.hash, want.hash);
    }
}

TEST_F(AuditTest, TheHashIsTheDocumentedLayout) {
    AuditEntry e = entry(3);
    e.id = 7;
    e.prev_hash = std::string(64, 'a');
    auto f = [](const std::string& s) { return std::to_string(s.size()) + ":" + s + "\n"; };
    std::string text = "leura-audit-1\n" + f(e.prev_hash) + f("7") + f(e.at) + f(e.actor) +
                       f(e.via) + f(e.action) + f(e.resource) + f(e.inventory) + f("3") +
                       f(e.decision) + f(e.rule) + f(*e.run_id) + f(e.detail);
    EXPECT_EQ(audit_hash(e), util::sha256_hex(text));
    e.run_id.reset();
    text = "leura-audit-1\n" + f(e.prev_hash) + f("7") + f(e.at) + f(e.actor) + f(e.via) +
           f(e.action) + f(e.resource) + f(e.inventory) + f("3") + f(e.decision) + f(e.rule) +
           "-\n" + f(e.detail);
    EXPECT_EQ(audit_hash(e), util::sha256_hex(text));
}

TEST_F(AuditTest, FieldsCannotShiftIntoTheirNeighbours) {
    AuditEntry a = entry(1);
    a.prev_hash = k_audit_genesis;
    AuditEntry b = a;
    a.action = "ru";
    a.resource = "ntask:x";
    b.action = "run";
    b.resource = "task:x";
    EXPECT_NE(audit_hash(a), audit_hash(b));
    AuditEntry none = entry(1), empty = entry(1);
    none.run_id.reset();
    empty.run_id = "";
    EXPECT_NE(audit_hash(none), audit_hash(empty)) << "no run is not an empty run id";
    AuditEntry other_id = none;
    other_id.id = none.id + 1;
    EXPECT_NE(audit_hash(none), audit_hash(other_id)) << "the id is hashed";
}

TEST_F(AuditTest, SqlCannotChangeOrDeleteEntries) {
    {
        Store store = open();
        ASSERT_TRUE(store.append_audit(entry(1)));
        ASSERT_TRUE(store.append_audit(entry(2)));
    }
    auto db = Db::open(m_path);
    ASSERT_TRUE(db);
    auto update = db->exec("UPDATE audit SET decision = 'deny' WHERE id = 1");
    ASSERT_FALSE(update);
    EXPECT_NE(update.error().message.find("audit is append-only"), std::string::npos)
        << update.error().message;
    auto del = db->exec("DELETE FROM audit WHERE id = 2");
    ASSERT_FALSE(del);
    EXPECT_NE(del.error().message.find("audit is append-only"), std::string::npos);
    Store store = open();
    auto check = store.verify_audit();
    ASSERT_TRUE(check);
    EXPECT_EQ(check->count, 2);
    EXPECT_FALSE(check->broken);
}

TEST_F(AuditTest, AnEditedEntryIsFoundAtItsId) {
    {
        Store store = open();
        for (int n = 1; n <= 5; ++n)
            ASSERT_TRUE(store.append_audit(entry(n)));
    }
    drop_triggers();
    raw("UPDATE audit SET decision = 'deny' WHERE id = 3");
    Store store = open();
    auto check = store.verify_audit();
    ASSERT_TRUE(check) << check.error().message;
    ASSERT_TRUE(check->broken);
    EXPECT_EQ(*check->broken, 3);
    EXPECT_EQ(check->count, 2);
    EXPECT_EQ(check->entry.id, 3);
    EXPECT_EQ(check->entry.decision, "deny");
    EXPECT_NE(check->problem.find("changed after it was written"), std::string::npos)
        << check->problem;
    auto listed = store.list_audit({});
    ASSERT_TRUE(listed);
    EXPECT_EQ(check->latest, (*listed)[3].hash) << "entry 2's hash";
}

TEST_F(AuditTest, AnEditedEntryWithItsHashRecomputedBreaksTheNextOne) {
    {
        Store store = open();
        for (int n = 1; n <= 4; ++n)
            ASSERT_TRUE(store.append_audit(entry(n)));
    }
    Store store = open();
    auto listed = store.list_audit({});
    ASSERT_TRUE(listed);
    AuditEntry forged = (*listed)[2]; // id 2
    ASSERT_EQ(forged.id, 2);
    forged.actor = "user:mallory";
    forged.hash = audit_hash(forged);
    drop_triggers();
    raw("UPDATE audit SET actor = 'user:mallory', hash = '" + forged.hash + "' WHERE id = 2");
    auto check = store.verify_audit();
    ASSERT_TRUE(check);
    ASSERT_TRUE(check->broken);
    EXPECT_EQ(*check->broken, 3);
    EXPECT_NE(check->problem.find("not entry 2's hash"), std::string::npos) << check->problem;
}

TEST_F(AuditTest, ADeletedEntryIsFoundAtTheOneAfterIt) {
    {
        Store store = open();
        for (int n = 1; n <= 5; ++n)
            ASSERT_TRUE(store.append_audit(entry(n)));
    }
    drop_triggers();
    raw("DELETE FROM audit WHERE id = 3");
    {
        Store store = open();
        auto check = store.verify_audit();
        ASSERT_TRUE(check);
        ASSERT_TRUE(check->broken);
        EXPECT_EQ(*check->broken, 4);
        EXPECT_EQ(check->count, 2);
        EXPECT_NE(check->problem.find("follows entry 2"), std::string::npos) << check->problem;
    }
    raw("DELETE FROM audit WHERE id = 1");
    Store store = open();
    auto check = store.verify_audit();
    ASSERT_TRUE(check);
    ASSERT_TRUE(check->broken);
    EXPECT_EQ(*check->broken, 2);
    EXPECT_EQ(check->count, 0);
    EXPECT_NE(check->problem.find("starts at entry 2"), std::string::npos) << check->problem;
}

TEST_F(AuditTest, ADeletedEntryRenumberedAroundIsStillFound) {
    {
        Store store = open();
        for (int n = 1; n <= 3; ++n)
            ASSERT_TRUE(store.append_audit(entry(n)));
    }
    drop_triggers();
    raw("DELETE FROM audit WHERE id = 2; UPDATE audit SET id = 2 WHERE id = 3");
    Store store = open();
    auto check = store.verify_audit();
    ASSERT_TRUE(check);
    ASSERT_TRUE(check->broken);
    EXPECT_EQ(*check->broken, 2);
}

TEST_F(AuditTest, ListFilters) {
    Store store = open();
    ASSERT_TRUE(store.append_audit(entry(1, "user:alice", "allow")));
    ASSERT_TRUE(store.append_audit(entry(2, "user:bob", "deny")));
    ASSERT_TRUE(store.append_audit(entry(5, "user:alice", "deny")));
    ASSERT_TRUE(store.append_audit(entry(7, "user:bob", "allow")));
    auto ids = [&](const AuditFilter& f) {
        std::vector<int64_t> out;
        auto listed = store.list_audit(f);
        EXPECT_TRUE(listed) << listed.error().message;
        if (listed)
            for (const auto& e : *listed)
                out.push_back(e.id);
        return out;
    };
    AuditFilter f;
    EXPECT_EQ(ids(f), (std::vector<int64_t>{4, 3, 2, 1}));
    f.actor = "user:alice";
    EXPECT_EQ(ids(f), (std::vector<int64_t>{3, 1}));
    f.decision = "deny";
    EXPECT_EQ(ids(f), (std::vector<int64_t>{3}));
    f = {};
    f.since = "2026-12-03T00:00:00.000Z"; // entries 2..4 are on the 3rd, 6th and 8th
    EXPECT_EQ(ids(f), (std::vector<int64_t>{4, 3, 2}));
    f.limit = 2;
    EXPECT_EQ(ids(f), (std::vector<int64_t>{4, 3}));
}

TEST_F(AuditTest, BadEntriesAreRefused) {
    Store store = open();
    AuditEntry e = entry(1);
    e.decision = "maybe";
    auto bad = store.append_audit(e);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::internal);
    e = entry(1);
    e.actor.clear();
    EXPECT_FALSE(store.append_audit(e));
    auto check = store.verify_audit();
    ASSERT_TRUE(check);
    EXPECT_EQ(check->count, 0);
}

// Processes appending at once (leura runs started by cron, a socket's requests) each read the
// newest entry inside their write transaction, so the chain never forks.
TEST_F(AuditTest, ProcessesAppendingAtOnceFormOneChain) {
    ASSERT_TRUE(Store::open(m_path)); // created before the children race to
    std::vector<pid_t> children;
    for (int c = 0; c < 4; ++c) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            auto store = Store::open(m_path);
            bool good = bool(store);
            for (int n = 0; good && n < 25; ++n)
                good = bool(store->append_audit(entry(c * 100 + n, "user:c" + std::to_string(c))));
            ::_exit(good ? 0 : 1);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    Store store = open();
    auto check = store.verify_audit();
    ASSERT_TRUE(check) << check.error().message;
    EXPECT_FALSE(check->broken) << check->problem;
    EXPECT_EQ(check->count, 100);
}

// Deleting runs (`leura gc`) leaves the audit log whole, entries naming those runs included.
TEST_F(AuditTest, DeletingRunsKeepsTheLog) {
    Store store = open();
    RunRecord r;
    r.id = "20261201-100000-0003";
    r.task = "t.toml";
    r.task_hash = "x";
    r.inventory = "i";
    r.targets = "all";
    r.user = "alice";
    r.args = "[]";
    r.started_at = "2026-12-01T10:00:00.000Z";
    ASSERT_TRUE(store.insert_run(r));
    AuditEntry e = entry(3);
    e.run_id = r.id;
    ASSERT_TRUE(store.append_audit(e));
    auto gone = store.delete_runs({r.id});
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_EQ(gone->runs, 1);
    ASSERT_TRUE(store.vacuum());
    auto check = store.verify_audit();
    ASSERT_TRUE(check);
    EXPECT_EQ(check->count, 1);
    EXPECT_FALSE(check->broken);
}

} // namespace
} // namespace leura::store

namespace leura::app {
namespace {

TEST(AppAudit, FillsWhoHowAndWhenFromTheContext) {
    static std::atomic<int> counter{0};
    Context ctx;
    ctx.data_dir =
        std::filesystem::temp_directory_path() /
        ("leura-app-audit-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(ctx.data_dir);
    ctx.identity = {1000, "alice", "sudo"};
    ctx.clock = [] { return *util::parse_rfc3339("2026-12-06T20:00:00.250Z"); };
    ASSERT_TRUE(audit_change(ctx, "task edit", "task:web/x", "sha256 a -> b"));
    store::AuditEntry denied;
    denied.action = "run";
    denied.resource = "task:db/drop";
    denied.decision = "deny";
    denied.rule = "deny-db (/etc/leura/policy.toml:4)";
    denied.via = "socket";
    denied.actor = "user:bob";
    ASSERT_TRUE(audit(ctx, denied));
    auto listed = (*ctx.records())->list_audit({});
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 2u);
    const auto& first = (*listed)[1];
    EXPECT_EQ(first.actor, "user:alice");
    EXPECT_EQ(first.via, "sudo");
    EXPECT_EQ(first.at, "2026-12-06T20:00:00.250Z");
    EXPECT_EQ(first.decision, "allow");
    EXPECT_EQ(first.detail, "sha256 a -> b");
    const auto& second = (*listed)[0];
    EXPECT_EQ(second.actor, "user:bob") << "given fields are kept";
    EXPECT_EQ(second.via, "socket");
    EXPECT_EQ(second.rule, "deny-db (/etc/leura/policy.toml:4)");
    EXPECT_EQ(actor_of(ctx.identity), "user:alice");
    std::filesystem::remove_all(ctx.data_dir);
}

TEST(AppAudit, IdentityTellsHowThePrincipalActs) {
    auto names = [](uid_t uid) -> std::optional<std::string> {
        return uid == 1000 ? "alice" : uid == 999 ? "leura" : "root";
    };
    EXPECT_EQ(identify({1000, std::nullopt, std::nullopt, std::nullopt}, names).via, "cli");
    EXPECT_EQ(identify({1000, 0, 999, std::nullopt}, names).via, "cli")
        << "SUDO_UID of a user who is not the service account counts for nothing";
    EXPECT_EQ(identify({999, 1000, 999, std::nullopt}, names).via, "sudo");
    EXPECT_EQ(identify({999, 1000, 999, 0}, names).via, "socket");
}

} // namespace
} // namespace leura::app
