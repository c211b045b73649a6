// SPDX-License-Identifier: Apache-2.0
#include "app/custom_step.hpp"
#include "config_fixture.hpp"
#include "exec/script.hpp"
#include "util/json_parse.hpp"

#include <gtest/gtest.h>

namespace leura::app {
namespace {

class CustomStepTest : public config::TempDirTest {
protected:
    CustomContext context() {
        return {"deploy", {{"LEURA_HOST", "web1"}, {"MODE", "it's"}}, "", m_dir};
    }
};

TEST_F(CustomStepTest, RequestCarriesHostVarsSecretsAndWith) {
    config::Step step;
    step.name = "lb drain";
    step.body = "lb";
    step.env = {{"E", "1"}};
    step.run_as = "root";
    step.with_json = R"({"pool":"web","weight":3})";
    config::KeyValues attrs = {{"az", "dc1"}}, secrets = {{"token", "s3cr\"t"}};
    CustomRequest r{"run-1", 2, "web1", &attrs, {{"v", "a"}, {"v", "b"}}, &secrets, &step};
    std::string text = custom_request(r);
    ASSERT_TRUE(text.ends_with("}\n"));
    auto v = util::parse_json(text);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->get("protocol")->text, "1");
    EXPECT_EQ(v->get("step")->text, "lb drain");
    EXPECT_EQ(v->get("type")->text, "lb");
    EXPECT_EQ(v->get("batch")->text, "2");
    EXPECT_EQ(v->get("host")->text, "web1");
    EXPECT_EQ(v->get("attrs")->get("az")->text, "dc1");
    EXPECT_EQ(v->get("vars")->get("v")->text, "b") << "the later layer wins";
    EXPECT_EQ(v->get("vars")->members.size(), 1u);
    EXPECT_EQ(v->get("env")->get("E")->text, "1");
    EXPECT_EQ(v->get("secrets")->get("token")->text, "s3cr\"t");
    EXPECT_EQ(v->get("with")->get("weight")->text, "3");
    EXPECT_EQ(v->get("run_as")->text, "root");
}

TEST_F(CustomStepTest, AResultIsKeptAsCompactJson) {
    auto a = read_custom_answer(R"( {"result": {"ticket": "CHG-1", "n": [1, 2]}} )", context());
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->result, R"({"ticket":"CHG-1","n":[1,2]})");
    EXPECT_TRUE(a->commands.empty());
}

TEST_F(CustomStepTest, StepsBecomeCommandsWithTheStepsExports) {
    write("files/app.conf", "hello\n");
    auto a = read_custom_answer(
        R"({"steps":[{"command":"systemctl restart app"},{"script":"set -eu\necho hi\n"},
            {"upload":{"src":"files/app.conf","dest":"/etc/app.conf","mode":"640","owner":"app"}}]})",
        context());
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_EQ(a->commands.size(), 3u);
    EXPECT_EQ(a->commands[0].command, exec::sized_command());
    EXPECT_TRUE(a->commands[0].marked);
    EXPECT_EQ(a->commands[0].script,
              exec::sized_stdin(exec::render_script(context().exports, "systemctl restart app")));
    EXPECT_EQ(a->commands[1].label, "script");
    const auto& up = a->commands[2];
    EXPECT_EQ(up.label, "upload /etc/app.conf");
    EXPECT_EQ(up.command, exec::sized_command());
    ASSERT_TRUE(up.file);
    EXPECT_EQ(up.file->path(), (m_dir / "files/app.conf").string());
    // sha256("hello\n"), the size, the normalized mode and the owner all reach the host's check.
    EXPECT_NE(up.script.find("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"),
              std::string::npos);
    EXPECT_NE(up.script.find("0640"), std::string::npos);
    EXPECT_NE(up.script.find("app"), std::string::npos);
}

TEST_F(CustomStepTest, RunAsWrapsEveryAnsweredCommand) {
    CustomContext c = context();
    c.run_as = "root";
    auto a = read_custom_answer(R"({"steps":[{"command":"id -u"}]})", c);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->commands[0].command, exec::run_as_command("root", exec::k_read_sized_script));
}

TEST_F(CustomStepTest, BadAnswersSayWhatIsWrong) {
    struct Case {
        const char* answer;
        const char* says;
    };
    const Case cases[] = {
        {"", "is not JSON at byte 1: unexpected end of input; expected '[', '{', or a literal"},
        {"[]", "must be a JSON object"},
        {"{}", "must have exactly one of \"result\" and \"steps\""},
        {R"({"result":1,"steps":[]})", "must have exactly one of \"result\" and \"steps\""},
        {R"({"steps":[],"extra":1})", "has an unknown member \"extra\""},
        {R"({"steps":{}})", "\"steps\" must be an array"},
        {R"({"steps":[{"command":""}]})", "steps[0].command must be a non-empty string"},
        {R"({"steps":[{"command":"a","script":"b"}]})",
         "steps[0] must be an object with one of \"command\", \"script\", \"upload\""},
        {R"({"steps":[{"command":"ls"},{"reboot":true}]})",
         "steps[1] has an unknown kind \"reboot\" (command, script or upload)"},
        {R"({"steps":[{"upload":{"src":"x"}}]})", "steps[0].upload needs \"src\" and \"dest\""},
        {R"({"steps":[{"upload":{"src":"x","dest":"rel"}}]})",
         "steps[0].upload.dest must be an absolute path"},
        {R"({"steps":[{"upload":{"src":"x","dest":"/d","mode":"999"}}]})",
         "steps[0].upload.mode must be octal such as \"0644\""},
        {R"({"steps":[{"upload":{"src":"x","dest":"/d","owner":"a;b"}}]})",
         "steps[0].upload.owner must be user or user:group"},
        {R"({"steps":[{"upload":{"src":"x","dest":"/d","group":"a"}}]})",
         "steps[0].upload has an unknown member \"group\""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.answer);
        auto a = read_custom_answer(c.answer, context());
        ASSERT_FALSE(a);
        EXPECT_EQ(a.error().kind, ErrorKind::remote_exit);
        EXPECT_EQ(a.error().message, std::string("step \"deploy\": the answer ") + c.says);
    }
    auto missing =
        read_custom_answer(R"({"steps":[{"upload":{"src":"nope","dest":"/d"}}]})", context());
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("steps[0].upload.src " + (m_dir / "nope").string()),
              std::string::npos);
}

} // namespace
} // namespace leura::app
