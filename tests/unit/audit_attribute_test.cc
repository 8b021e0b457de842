// cordon audit (issue #4): denials attributed to the policy rules behind them, deduplicated,
// with suggestions and the stable JSON keys.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "audit/attribute.h"
#include "tests/unit/test_util.h"

namespace cordon::audit {
namespace {

namespace fs = std::filesystem;

// Line numbers matter: the tests check the origins of these rules.
const char* kPolicy =
    "cordon 1\n"                       // 1
    "name \"t\"\n"                     // 2
    "syscalls {\n"                     // 3
    "  default errno EPERM log\n"      // 4
    "  allow read write exit_group\n"  // 5
    "  errno EACCES ptrace\n"          // 6
    "}\n"                              // 7
    "filesystem {\n"                   // 8
    "  ro /usr\n"                      // 9
    "  rw /tmp/x\n"                    // 10
    "}\n";                             // 11

launcher::Plan plan() {
  auto c = testing::compile_text(kPolicy);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? *c.plan : launcher::Plan{};
}

// A kmsg SECCOMP line for x86_64 syscall `nr` with return code `code`.
std::string seccomp_line(int nr, const char* code, int serial = 42,
                         const char* time = "1700000000.123") {
  return fmt::format(
      "6,1234,5678,-;audit: type=1326 audit({}:{}): auid=0 uid=0 gid=0 ses=1 pid=123 "
      "comm=\"app\" exe=\"/usr/bin/app\" sig=0 arch=c000003e syscall={} compat=0 ip=0x0 "
      "code={}",
      time, serial, nr, code);
}

Entry only_entry(Collector& c) {
  c.finish();
  EXPECT_EQ(c.entries().size(), 1u) << c.summary();
  return c.entries().empty() ? Entry{} : c.entries()[0];
}

TEST(AuditAttribute, SeccompRuleOfTheSyscall) {
  auto p = plan();
  Collector c;
  c.add_line(seccomp_line(101, "0x5000d"));  // ptrace, errno(13) = EACCES
  Entry e = only_entry(c);
  EXPECT_EQ(e.denial.syscall, "ptrace");
  EXPECT_EQ(e.denial.action, "errno(13)");
  Attribution a = attribute(e.denial, p);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, "t.cordon:6:3");
  EXPECT_EQ(a.rule_action, "errno EACCES");
  ASSERT_TRUE(a.suggestion);
  EXPECT_NE(a.suggestion->find("probably leave it denied"), std::string::npos) << *a.suggestion;
  EXPECT_EQ(short_line(e, a), "t.cordon:6:3  errno EACCES  denied ptrace (x86_64 #101) ×1");
}

TEST(AuditAttribute, SeccompDefaultAction) {
  auto p = plan();
  Collector c;
  c.add_line(seccomp_line(10, "0x50001"));  // mprotect, errno(1) = EPERM: the default
  Entry e = only_entry(c);
  Attribution a = attribute(e.denial, p);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, p.seccomp.default_origin);
  EXPECT_TRUE(a.rule->starts_with("t.cordon:4:")) << *a.rule;
  EXPECT_EQ(a.rule_action, "default errno EPERM log");
  ASSERT_TRUE(a.suggestion);
  EXPECT_EQ(*a.suggestion, "add to syscalls { }: allow mprotect");
  EXPECT_EQ(short_line(e, a),
            *a.rule + "  default errno EPERM log  denied mprotect (x86_64 #10) ×1");
}

// A refused execveat is answered by cordon's supervisor: the kernel logs the filter's
// USER_NOTIF (code=0x7fc00000), and the rule is the one that refuses execveat (here the
// default, as the policy names no rule for it).
TEST(AuditAttribute, SeccompMediatedExecveatIsThePolicysRule) {
  auto p = plan();
  ASSERT_TRUE(p.seccomp.exec_mediation.on);
  Collector c;
  c.add_line(seccomp_line(322, "0x7fc00000"));
  Entry e = only_entry(c);
  EXPECT_EQ(e.denial.action, "user-notif");
  Attribution a = attribute(e.denial, p);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, p.seccomp.default_origin);
  EXPECT_EQ(a.rule_action, "errno EPERM log");
}

// What the kernel really logs: the action without its data (code=0x50000 for any errno).
TEST(AuditAttribute, SeccompKernelCodeWithoutData) {
  auto p = plan();
  Collector c;
  c.add_line(seccomp_line(101, "0x50000", 42));  // ptrace: its own rule (errno EACCES)
  c.add_line(seccomp_line(10, "0x50000", 43));   // mprotect: the default (errno EPERM)
  c.finish();
  ASSERT_EQ(c.entries().size(), 2u);
  Attribution a = attribute(c.entries()[0].denial, p);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, "t.cordon:6:3");
  EXPECT_EQ(action_text(c.entries()[0].denial), "errno");
  EXPECT_EQ(to_json(c.entries()[0], &a)["action"], "errno");
  Attribution b = attribute(c.entries()[1].denial, p);
  ASSERT_TRUE(b.rule);
  EXPECT_EQ(*b.rule, p.seccomp.default_origin);
  EXPECT_EQ(b.rule_action, "default errno EPERM log");
}

TEST(AuditAttribute, SeccompActionNoRuleGives) {
  auto p = plan();
  Collector c;
  c.add_line(seccomp_line(101, "0x80000000"));  // ptrace killed: not this policy's doing
  Entry e = only_entry(c);
  Attribution a = attribute(e.denial, p);
  EXPECT_FALSE(a.rule);
  EXPECT_NE(a.note.find("another filter"), std::string::npos) << a.note;
  EXPECT_FALSE(a.suggestion);
}

TEST(AuditAttribute, DeduplicatesWithCountAndTimes) {
  Collector c;
  c.add_line(seccomp_line(10, "0x50001", 42, "1700000000.100"));
  c.add_line(seccomp_line(10, "0x50001", 43, "1700000001.100"));
  c.add_line(seccomp_line(10, "0x50001", 44, "1700000002.100"));
  c.add_line(seccomp_line(101, "0x50001", 45, "1700000003.100"));  // another syscall
  c.add_line("garbage that is not audit");
  c.add_line("audit: type=9999 audit(1700000004.000:46): foo=bar");
  c.finish();
  ASSERT_EQ(c.entries().size(), 2u) << c.summary();
  const Entry& e = c.entries()[0];
  EXPECT_EQ(e.count, 3u);
  EXPECT_DOUBLE_EQ(e.first_time, 1700000000.100);
  EXPECT_DOUBLE_EQ(e.last_time, 1700000002.100);
  EXPECT_EQ(c.entries()[1].count, 1u);
  EXPECT_EQ(c.denials, 4u);
  EXPECT_EQ(c.not_audit, 1u);
  EXPECT_NE(c.summary().find("4 denials (2 distinct)"), std::string::npos) << c.summary();
}

TEST(AuditAttribute, SeccompLoggedIsKept) {
  Collector c;
  c.add_line(seccomp_line(10, "0x7ffc0000"));
  c.add_line(seccomp_line(0, "0x7fff0000", 50));  // allow: not kept
  Entry e = only_entry(c);
  EXPECT_EQ(e.denial.kind, "logged");
  auto p = plan();
  Attribution a = attribute(e.denial, p);
  EXPECT_FALSE(a.suggestion);
}

TEST(AuditAttribute, LandlockNearestPathEntry) {
  auto p = plan();
  Collector c;
  c.add_line(
      "[  135.126499][   T60] audit: type=1423 audit(1757374868.281:942): domain=1a435130e "
      "blockers=fs.write_file path=\"/usr/lib/x/y\" dev=\"sda1\" ino=11");
  Entry e = only_entry(c);
  Attribution a = attribute(e.denial, p);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, "t.cordon:9:6");
  EXPECT_EQ(a.rule_action, "ro /usr");
  ASSERT_TRUE(a.suggestion);
  EXPECT_EQ(*a.suggestion, "add to filesystem { }: rw /usr/lib/x/y");

  // /usrx is not beneath /usr; nothing covers /etc.
  for (const char* path : {"/usrx/a", "/etc/shadow"}) {
    Denial d = e.denial;
    d.path = path;
    d.blockers = "fs.read_file";
    Attribution b = attribute(d, p);
    EXPECT_FALSE(b.rule) << path;
    EXPECT_EQ(b.note, fmt::format("no filesystem entry covers {}", path));
    ASSERT_TRUE(b.suggestion);
    EXPECT_EQ(*b.suggestion, fmt::format("add to filesystem {{ }}: ro {}", path));
  }
}

// A host file under a path the policy mounts a tmpfs on (reached through a passed descriptor:
// dev= names the host's disk) is not the tmpfs entry's; a file on the tmpfs is.
TEST(AuditAttribute, LandlockTmpfsEntryOnlyForFilesOnTheTmpfs) {
  auto c = testing::compile_text(
      "cordon 1\n"
      "filesystem {\n"
      "  ro /usr\n"
      "  tmpfs /tmp\n"
      "}\n");
  ASSERT_TRUE(c.plan) << c.rendered();
  Denial d;
  d.source = "landlock";
  d.kind = "denied";
  d.blockers = "fs.make_reg";
  d.path = "/tmp/outside/x";
  d.dev = "vda";
  Attribution a = attribute(d, *c.plan);
  EXPECT_FALSE(a.rule);
  EXPECT_NE(a.note.find("not the sandbox's tmpfs"), std::string::npos) << a.note;
  d.dev = "tmpfs";
  a = attribute(d, *c.plan);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, "t.cordon:4:3");
}

TEST(AuditAttribute, LandlockProcessFromDomainRecord) {
  Collector c;
  c.add_line(
      "type=LANDLOCK_ACCESS msg=audit(1729738800.268:30): domain=1a6fdc66f "
      "blockers=fs.read_file path=\"/etc/shadow\" dev=\"sda1\" ino=5");
  c.add_line(
      "type=LANDLOCK_DOMAIN msg=audit(1729738800.268:30): domain=1a6fdc66f status=allocated "
      "mode=enforcing pid=286 uid=0 exe=\"/root/sandboxer\" comm=\"sandboxer\"");
  c.add_line(  // a later event of the same domain
      "type=LANDLOCK_ACCESS msg=audit(1729738801.000:31): domain=1a6fdc66f "
      "blockers=fs.read_file path=\"/etc/shadow\" dev=\"sda1\" ino=5");
  Entry e = only_entry(c);
  EXPECT_EQ(e.count, 2u);
  EXPECT_EQ(e.denial.comm, "sandboxer");
  EXPECT_EQ(e.denial.pid, 286);
  EXPECT_EQ(process_text(e.denial), "sandboxer (286)");
}

TEST(AuditAttribute, JsonKeysAreStable) {
  auto p = plan();
  Collector c;
  c.add_line(seccomp_line(101, "0x5000d"));
  Entry e = only_entry(c);
  Attribution a = attribute(e.denial, p);
  auto j = to_json(e, &a);
  for (const char* k :
       {"source",    "time",    "serial",     "node",     "pid",       "comm",    "exe",
        "arch",      "syscall", "syscall_nr", "action",   "operation", "profile", "path",
        "requested", "denied",  "capability", "scontext", "tcontext",  "tclass",  "permissive",
        "blockers",  "domain",  "count",      "rule",     "suggestion"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["source"], "seccomp");
  EXPECT_EQ(j["syscall"], "ptrace");
  EXPECT_EQ(j["syscall_nr"], 101);
  EXPECT_EQ(j["arch"], "x86_64");
  EXPECT_EQ(j["pid"], 123);
  EXPECT_EQ(j["serial"], 42);
  EXPECT_EQ(j["count"], 1);
  EXPECT_EQ(j["rule"], "t.cordon:6:3");
  EXPECT_TRUE(j["profile"].is_null());
  EXPECT_TRUE(j["scontext"].is_null());
  auto none = to_json(e, nullptr);
  EXPECT_TRUE(none["rule"].is_null());
  EXPECT_TRUE(none["suggestion"].is_null());
}

TEST(AuditAttribute, FirstPlanThatExplainsWins) {
  auto other = testing::compile_text("cordon 1\nsyscalls {\n  default kill\n}\n", "o.cordon");
  ASSERT_TRUE(other.plan) << other.rendered();
  std::vector<launcher::Plan> plans{*other.plan, plan()};
  Collector c;
  c.add_line(seccomp_line(101, "0x5000d"));
  Entry e = only_entry(c);
  Attribution a = attribute(e.denial, plans);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, "t.cordon:6:3");
}

// The built binary, once `audit` is wired into cli/main.cc (skipped before that).
TEST(AuditAttribute, CommandEndToEnd) {
  std::string bin = CORDON_BINARY;
  if (std::system((bin + " --help 2>/dev/null | grep -qE '^  audit '").c_str()) != 0)
    GTEST_SKIP() << "cordon has no audit subcommand yet";
  fs::path dir = fs::temp_directory_path() / fmt::format("cordon-audit-test-{}", getpid());
  fs::create_directories(dir);
  {
    std::ofstream(dir / "t.cordon") << kPolicy;
    std::ofstream log(dir / "log");
    for (int i = 0; i < 3; ++i) log << seccomp_line(101, "0x5000d", 42 + i) << "\n";
  }
  std::string cmd =
      fmt::format("cd {} && {} audit --json --policy t.cordon log 2>/dev/null", dir.string(), bin);
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_TRUE(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int st = pclose(f);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  auto j = nlohmann::json::parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["rule"], "t.cordon:6:3");
  // A source that cannot be read is a usage error.
  EXPECT_EQ(WEXITSTATUS(std::system(
                fmt::format("{} audit {}/nonexistent >/dev/null 2>&1", bin, dir.string()).c_str())),
            2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cordon::audit

namespace cordon::audit {
namespace {

// An x32 call (x86_64 arch, x32 bit in the number) is killed by the filter's architecture
// check before any syscall rule: audit says so instead of blaming a rule or the default.
TEST(AuditAttribute, CallFromAnArchitectureThePolicyDoesNotNameIsTheArchCheck) {
  auto p = plan();
  Collector c;
  c.add_line(seccomp_line(0x40000000 + 39, "0x80000000"));
  Entry e = only_entry(c);
  EXPECT_EQ(e.denial.arch, "x32");
  EXPECT_EQ(e.denial.syscall, "getpid");
  Attribution a = attribute(e.denial, p);
  EXPECT_FALSE(a.rule);
  EXPECT_EQ(a.rule_action, "architecture check");
  EXPECT_NE(a.note.find("does not name architecture x32"), std::string::npos) << a.note;
  ASSERT_TRUE(a.suggestion);
  EXPECT_NE(a.suggestion->find("probably leave it denied"), std::string::npos) << *a.suggestion;
}

}  // namespace
}  // namespace cordon::audit

namespace cordon::audit {
namespace {

launcher::Plan mac_plan() {
  auto c = testing::compile_text(
      "cordon 1\n"                                  // 1
      "name \"m\"\n"                                // 2
      "mac {\n"                                     // 3
      "  apparmor cordon-web optional\n"            // 4
      "  selinux \"system_u:system_r:web_t:s0\"\n"  // 5
      "}\n");
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? *c.plan : launcher::Plan{};
}

// AppArmor and SELinux refusals come from the profile or domain the policy's mac entry sets:
// attributed to that entry, with what the profile refused; another profile is not the policy's.
TEST(AuditAttribute, MacDenialsAreTheMacEntrys) {
  auto p = mac_plan();
  Denial aa;
  aa.source = "apparmor";
  aa.kind = "denied";
  aa.operation = "open";
  aa.profile = "cordon-web";
  aa.name = "/etc/shadow";
  aa.requested = "r";
  aa.denied = "r";
  Attribution a = attribute(aa, p);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(*a.rule, "t.cordon:4:3");
  EXPECT_EQ(a.rule_action, "apparmor \"cordon-web\"");
  EXPECT_EQ(a.note, "profile cordon-web refused open /etc/shadow (denied r)");
  aa.profile = "cordon-web//null-/usr/bin/x";
  EXPECT_TRUE(attribute(aa, p).rule);
  aa.profile = "snap.other";
  EXPECT_FALSE(attribute(aa, p).rule);

  Denial se;
  se.source = "selinux";
  se.kind = "denied";
  se.requested = "read";
  se.scontext = "system_u:system_r:web_t:s0";
  se.tcontext = "system_u:object_r:shadow_t:s0";
  se.tclass = "file";
  Attribution b = attribute(se, p);
  ASSERT_TRUE(b.rule);
  EXPECT_EQ(*b.rule, "t.cordon:5:3");
  EXPECT_NE(b.note.find("web_t lacks { read } on file (system_u:object_r:shadow_t:s0)"),
            std::string::npos)
      << b.note;
  se.scontext = "unconfined_u:unconfined_r:unconfined_t:s0";
  EXPECT_FALSE(attribute(se, p).rule);
}

}  // namespace
}  // namespace cordon::audit
