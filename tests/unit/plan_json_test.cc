// The Plan JSON reader (launcher/plan.cc): plans come back from the plan cache, so the reader
// must refuse whatever the writer would not have written, and never hand the launcher a plan
// that crashes it or means something other than its text. The cases are fuzz/plan_fuzz findings
// (fuzz/README.md, "plan_fuzz").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "launcher/plan.h"
#include "launcher/spec.h"

namespace cordon::launcher {
namespace {

// The smallest plan the reader accepts: every key it requires, a tmpfs root with one bind.
nlohmann::json minimal() {
  return nlohmann::json::parse(R"({
    "version": 3, "name": "t", "namespaces": {}, "network": {"mode": "none"},
    "identity": {"uid": null, "gid": null}, "hostname": {"name": ""},
    "mounts": [{"kind": "ro", "path": "/usr"}, {"kind": "tmpfs", "path": "/tmp", "size": 65536}],
    "env": {"clear": true, "keep": ["PATH"]}, "rlimits": [{"name": "nofile", "resource": 7, "value": 64}],
    "cgroup": {"pids": 64}, "walltime": {"ms": null}, "capabilities": {"bounding": []},
    "no_new_privs": true,
    "landlock": {"handled_fs": 1, "restrict_net": true, "paths": [{"path": "/usr", "access": 1}],
                 "ports": [{"port": 80, "bind": false}]},
    "mac": {},
    "seccomp": {"arches": ["x86_64"], "default_action": "allow", "default_ret": 2147418112,
                "program": [[6, 0, 0, 2147418112]]}
  })");
}

std::string refusal(const nlohmann::json& j) {
  auto p = plan_from_json(j);
  if (p) return "(accepted)";
  return p.error().message();
}

TEST(PlanJson, MinimalPlanIsAcceptedAndRoundTrips) {
  auto p = plan_from_json(minimal());
  ASSERT_TRUE(p) << p.error().message();
  auto back = plan_from_text(plan_to_json(*p).dump());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(plan_to_json(*back), plan_to_json(*p));
}

// fuzz finding: a mount whose "path" is missing (read as "") or empty passed the reader, and
// prepare_spec's `m->path.substr(1)` threw std::out_of_range out of `cordon run`.
TEST(PlanJson, MountWithoutAnAbsolutePathIsRefused) {
  for (const char* mount :
       {R"({"kind": "ro"})", R"({"kind": "ro", "path": ""})", R"({"kind": "tmpfs", "path": ""})",
        R"({"kind": "rw", "path": "usr"})"}) {
    nlohmann::json j = minimal();
    j["mounts"].push_back(nlohmann::json::parse(mount));
    auto p = plan_from_json(j);
    EXPECT_FALSE(p) << mount;
    if (p) {
      // What the launcher did with it before the fix: an exception, not an answer.
      std::vector<std::string> warnings;
      EXPECT_NO_THROW((void)prepare_spec(*p, LaunchOptions{{"/bin/true"}, {}, false}, warnings))
          << mount;
    } else {
      EXPECT_NE(p.error().message().find("is not absolute"), std::string::npos)
          << p.error().message();
    }
  }
}

// fuzz finding (UBSan): nlohmann's get<int>/get<uint32_t> of 1e300 is a float-to-integer cast
// outside the target's range, which is undefined behaviour. Plans hold integers only.
TEST(PlanJson, NumbersThatAreNotIntegersAreRefused) {
  struct Case {
    const char* pointer;
    double value;
  } cases[] = {
      {"/version", 1e300},    {"/identity/uid", 1e300},     {"/capabilities/bounding/0", 4.29e97},
      {"/cgroup/pids", 1e39}, {"/rlimits/0/resource", 7.9}, {"/version", 1.0}};
  for (const Case& c : cases) {
    nlohmann::json j = minimal();
    j[nlohmann::json::json_pointer(c.pointer)] = c.value;
    EXPECT_NE(refusal(j).find("is not an integer"), std::string::npos)
        << c.pointer << " = " << c.value << ": " << refusal(j);
  }
  // Anywhere in the document, also where the reader does not look.
  auto text = minimal().dump();
  text.insert(1, R"("unknown": [[{"x": 0.5}]], )");
  EXPECT_FALSE(plan_from_text(text));
}

// Found while triaging the fuzz run: integers the field cannot hold were narrowed silently.
// A capability of 2^32 + 21 read as 21 (CAP_SYS_ADMIN), port 65536 as 0, uid -1 as 4294967295.
TEST(PlanJson, IntegersOutsideTheirFieldAreRefusedNotNarrowed) {
  struct Case {
    const char* pointer;
    nlohmann::json value;
  } cases[] = {
      {"/capabilities/bounding/0", 4294967317ULL},
      {"/landlock/ports/0/port", 65536},
      {"/identity/uid", -1},
      {"/identity/gid", 4294967296ULL},
      {"/seccomp/program/0/1", 256},
      {"/seccomp/program/0/3", -1},
      {"/seccomp/default_ret", 4294967296ULL},
      {"/rlimits/0/value", -1},
      {"/mounts/1/mode", 4294967296ULL},
      {"/landlock/required_abi", 2147483648ULL},
      {"/version", 4294967299ULL},  // would read as 3
      {"/requires/landlock", 4294967297ULL},
      {"/cgroup/memory_bytes", -5},
  };
  for (const Case& c : cases) {
    nlohmann::json j = minimal();
    j[nlohmann::json::json_pointer(c.pointer)] = c.value;
    std::string why = refusal(j);
    EXPECT_NE(why.find(std::string(c.pointer) + ": " + c.value.dump() + " does not fit"),
              std::string::npos)
        << c.pointer << " = " << c.value << ": " << why;
  }
}

TEST(PlanJson, IntegersAtTheEdgesOfTheirFieldAreAccepted) {
  nlohmann::json j = minimal();
  j["identity"]["uid"] = 4294967295ULL;
  j["identity"]["gid"] = 0;
  j["landlock"]["ports"][0]["port"] = 65535;
  j["seccomp"]["program"][0] = {65535, 255, 255, 4294967295ULL};
  j["seccomp"]["default_ret"] = 4294967295ULL;
  j["rlimits"][0]["value"] = 18446744073709551615ULL;
  j["rlimits"][0]["resource"] = -1;  // an int field: refused by the launcher, not the reader
  j["cgroup"]["memory_bytes"] = 18446744073709551615ULL;
  j["mounts"][1]["size"] = 0;
  auto p = plan_from_json(j);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->identity.uid, 4294967295u);
  EXPECT_EQ(p->landlock.ports[0].port, 65535);
  EXPECT_EQ(p->rlimits[0].value, 18446744073709551615ULL);
  EXPECT_EQ(plan_to_json(*plan_from_json(plan_to_json(*p))), plan_to_json(*p));
}

// A NUL reaches the kernel as the end of the string: "/\0etc" would bind the whole host root.
TEST(PlanJson, StringsWithNulAreRefused) {
  for (const char* pointer : {"/mounts/0/path", "/landlock/paths/0/path", "/name", "/env/keep/0"}) {
    nlohmann::json j = minimal();
    j[nlohmann::json::json_pointer(pointer)] = std::string("/\0etc", 5);
    EXPECT_NE(refusal(j).find("NUL"), std::string::npos) << pointer << ": " << refusal(j);
  }
}

// The checks walk the whole document without recursion: nesting the parser accepts must not
// overflow the reader's stack.
TEST(PlanJson, DeepNestingDoesNotOverflowTheReader) {
  std::string deep = minimal().dump();
  std::string nest = std::string(200000, '[') + std::string(200000, ']');
  deep.insert(1, "\"unknown\": " + nest + ", ");
  auto p = plan_from_text(deep);
  EXPECT_TRUE(p) << p.error().message();  // an unknown key is ignored, however deep
  EXPECT_FALSE(plan_from_text("{\"version\": 1, \"mounts\": " + nest + "}"));
}

// Every real plan the repository keeps is still read, and reads back the same.
TEST(PlanJson, GoldenPlansAreReadAndReadBackTheSame) {
  int n = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(CORDON_TEST_DATA) + "/golden")) {
    const std::string path = e.path().string();
    if (path.size() < 10 || path.substr(path.size() - 10) != ".plan.json") continue;
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto p = plan_from_text(text);
    ASSERT_TRUE(p) << path << ": " << p.error().message();
    auto again = plan_from_text(plan_to_json(*p).dump());
    ASSERT_TRUE(again) << path << ": " << again.error().message();
    EXPECT_TRUE(plan_to_json(*again) == plan_to_json(*p)) << path;
    ++n;
  }
  EXPECT_GE(n, 2);
}

}  // namespace
}  // namespace cordon::launcher
