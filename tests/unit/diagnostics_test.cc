// One test per diagnostic: the message a user sees, at the position they need.
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

using cordon::testing::compile_text;

namespace {

struct Case {
  const char* name;
  const char* policy;
  const char* expected;  // a substring of the rendered diagnostics
};

const Case kErrors[] = {
    {"UnknownStatement", "cordon 1\nfilesytem {\n}\n",
     "t.cordon:2:1: error: unknown statement 'filesytem'; did you mean 'filesystem'?"},
    {"UnknownAction", "cordon 1\nsyscalls {\n  alow read\n}\n",
     "t.cordon:3:3: error: unknown action 'alow'; did you mean 'allow'?"},
    {"UnknownSyscall", "cordon 1\nsyscalls {\n  allow opn\n}\n",
     "t.cordon:3:9: error: unknown syscall 'opn'; did you mean 'open'?"},
    {"SyscallNotOnArch", "cordon 1\nsyscalls {\n  allow socketcall\n}\n",
     "t.cordon:3:9: error: syscall 'socketcall' does not exist on x86_64"},
    {"UnknownGroup", "cordon 1\ninclude \"groups.cordon\"\nsyscalls {\n  allow @basic-i\n}\n",
     "t.cordon:4:9: error: unknown group '@basic-i'; did you mean '@basic-io'?"},
    {"UnknownGroupWithoutGroups", "cordon 1\nsyscalls {\n  allow @basic-io\n}\n",
     "include \"groups.cordon\""},
    {"UnknownConstant", "cordon 1\nsyscalls {\n  allow socket if family == AF_INTE\n}\n",
     "t.cordon:3:29: error: unknown constant 'AF_INTE'; did you mean 'AF_INET'?"},
    {"UnknownArgument", "cordon 1\nsyscalls {\n  allow socket if famly == 1\n}\n",
     "error: socket has no argument 'famly'; did you mean 'family'?"},
    {"UnknownCapability", "cordon 1\ncapabilities keep NET_BIND_SERVCE\n",
     "t.cordon:2:19: error: unknown capability 'NET_BIND_SERVCE'; did you mean "
     "'NET_BIND_SERVICE'?"},
    {"UnknownErrno", "cordon 1\nsyscalls {\n  errno EPREM read\n}\n",
     "error: unknown errno name 'EPREM'; did you mean 'EPERM'?"},
    {"UnknownKeywordInFilesystem", "cordon 1\nfilesystem {\n  rx /usr\n}\n",
     "t.cordon:3:3: error: unknown filesystem entry 'rx'; did you mean 'ro'?"},
    {"UnknownLimit", "cordon 1\nlimits { memry 1G }\n",
     "t.cordon:2:10: error: unknown limit 'memry'; did you mean 'memory'?"},
    {"BadSize", "cordon 1\nlimits { memory 12Q }\n", "t.cordon:2:17: error: bad value '12Q'"},
    {"BadDuration", "cordon 1\nlimits { walltime 5years }\n", "error: bad duration '5years'"},
    {"BadTmpfsSize", "cordon 1\nfilesystem {\n  tmpfs /tmp size lots\n}\n",
     "error: bad size 'lots'"},
    {"RelativePath", "cordon 1\nfilesystem {\n  ro usr/lib\n}\n",
     "t.cordon:3:6: error: malformed path 'usr/lib': paths must be absolute"},
    {"DotDotPath", "cordon 1\nfilesystem {\n  ro /usr/../etc\n}\n", "'..' is not allowed"},
    {"UndefinedVariable", "cordon 1\nfilesystem {\n  ro ${NOPE}/x\n}\n",
     "variable ${NOPE} is not set; give it with --set NOPE=VALUE"},
    {"RequireUnknown", "cordon 1\nrequire landlok 4\n",
     "t.cordon:2:9: error: cannot require unknown mechanism 'landlok'; did you mean 'landlock'?"},
    {"ConflictingRules", "cordon 1\nsyscalls {\n  allow read\n  kill read\n}\n",
     "t.cordon:4:3: error: conflicting rules for read: 'kill' here and 'allow' at line 3"},
    {"ConflictingGroups",
     "cordon 1\ngroup @a { read write }\ngroup @b { read }\nsyscalls {\n  allow @a\n  kill @b\n}\n",
     "conflicting rules for read: 'kill @b' here and 'allow @a' at line 5; name read in a rule"},
    {"TwoDefaults", "cordon 1\nsyscalls {\n  default kill\n  default allow\n}\n",
     "second 'default' in this block"},
    {"SettingTwice", "cordon 1\nnetwork none\nnetwork host\n",
     "network is already set in this file at line 2"},
    {"MissingInclude", "cordon 1\ninclude \"nowhere.cordon\"\n",
     "t.cordon:2:9: error: cannot find include 'nowhere.cordon'"},
    {"MissingVersion", "name \"x\"\n", "missing 'cordon 1' as the first statement"},
    {"WrongVersion", "cordon 2\n", "unsupported language version '2'"},
    {"UnterminatedString", "cordon 1\nname \"abc\n", "t.cordon:2:10: error: unterminated string"},
    {"MissingParen", "cordon 1\nsyscalls {\n  allow read if (fd == 1\n}\n",
     "t.cordon:3:25: error: expected ')', found end of line"},
    {"MissingValue", "cordon 1\nsyscalls {\n  allow read if fd ==\n}\n",
     "t.cordon:3:22: error: expected a number or a constant name"},
    {"LiteralTooBig", "cordon 1\nsyscalls {\n  allow mmap if addr == 1180591620717411303424\n}\n",
     "integer literal '1180591620717411303424' is out of range"},
    {"ValueTooWideForArgument",
     "cordon 1\nsyscalls {\n  allow socket if family == 0x100000000\n}\n",
     "value 0x100000000 does not fit the 32-bit argument family"},
    {"BadNetwork", "cordon 1\nnetwork lo\n", "unknown network mode 'lo'"},
    {"BadNamespace", "cordon 1\nnamespaces user pdi\n",
     "unknown namespace 'pdi'; did you mean 'pid'?"},
    {"BadArch", "cordon 1\narch x86-64\n", "unknown architecture 'x86-64'; did you mean 'x86_64'?"},
    {"BadIdentity", "cordon 1\nidentity uid root\n", "expected 'identity uid N gid N'"},
    {"BadPort", "cordon 1\nlandlock { bind tcp 70000 }\n", "bad port '70000'"},
    // libseccomp 2.5.4 refuses SCMP_ACT_ERRNO(4095): the checker stops it, not the compiler.
    {"ErrnoTooLarge", "cordon 1\nsyscalls {\n  errno 4095 getpid\n}\n",
     "t.cordon:3:9: error: errno 4095 is out of range (0 to 4094: libseccomp refuses 4095 and "
     "above)"},
    {"PortVariableUnset", "cordon 1\nlandlock { bind tcp ${NOPORT} }\n",
     "t.cordon:2:21: error: variable ${NOPORT} is not set; give it with --set NOPORT=VALUE"},
    {"PortVariableNotANumber", "cordon 1\nlandlock { bind tcp ${HOME} }\n",
     "bad port '/home/tester': 0 to 65535"},
    {"PortNotAWord", "cordon 1\nlandlock { bind tcp http }\n",
     "expected a port number or ${VARIABLE}"},
    {"BadTmpfsMode", "cordon 1\nfilesystem {\n  tmpfs /tmp mode 999\n}\n", "bad mode '999'"},
    {"BadSelinux", "cordon 1\nmac { selinux \"nonsense\" }\n", "is not an SELinux context"},
    {"GroupMemberUnknown", "cordon 1\ngroup @g { read wrte }\n",
     "unknown syscall 'wrte' in group @g; did you mean 'write'?"},
    {"GroupCycle", "cordon 1\ngroup @a { @b }\ngroup @b { @a }\nsyscalls {\n  allow @a\n}\n",
     "includes itself"},
    {"MaskedWithOrder",
     "cordon 1\nsyscalls {\n  allow openat if (flags & O_CREAT) == 0 && flags & 1 < 2\n}\n",
     "expected the end of the statement"},
};

class ErrorDiagnostic : public ::testing::TestWithParam<Case> {};

TEST_P(ErrorDiagnostic, IsReportedWithLocation) {
  const Case& c = GetParam();
  auto r = compile_text(c.policy);
  EXPECT_TRUE(r.diags.has_errors()) << r.rendered();
  EXPECT_NE(r.rendered().find(c.expected), std::string::npos)
      << "expected: " << c.expected << "\ngot:\n"
      << r.rendered();
  EXPECT_FALSE(r.plan.has_value());
}

INSTANTIATE_TEST_SUITE_P(Policy, ErrorDiagnostic, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Diagnostics, RenderQuotesTheLineWithACaret) {
  auto r = compile_text("cordon 1\nsyscalls {\n  allow opn read\n}\n");
  EXPECT_NE(r.rendered().find(" 3 |   allow opn read\n   |         ^\n"), std::string::npos)
      << r.rendered();
}

TEST(Diagnostics, EveryErrorInTheFileIsReported) {
  auto r = compile_text(
      "cordon 1\nfilesytem {\n}\nsyscalls {\n  alow read\n  allow opn\n}\nlimits { memry 1G }\n"
      "capabilities keep SYS_ADMN\n");
  EXPECT_EQ(r.diags.error_count(), 5u) << r.rendered();
}

TEST(Diagnostics, WarningForPointerArgument) {
  auto r = compile_text("cordon 1\nsyscalls {\n  allow openat if filename == 0\n}\n");
  EXPECT_FALSE(r.diags.has_errors()) << r.rendered();
  EXPECT_NE(r.rendered().find("warning: 'filename' of openat is a pointer"), std::string::npos)
      << r.rendered();
}

TEST(Diagnostics, WarningForShadowedArgumentRule) {
  auto r =
      compile_text("cordon 1\nsyscalls {\n  allow ioctl\n  kill ioctl if request == TIOCSTI\n}\n");
  EXPECT_FALSE(r.diags.has_errors()) << r.rendered();
  EXPECT_NE(
      r.rendered().find("t.cordon:4:3: warning: this rule for ioctl never applies: the rule at "
                        "t.cordon:3:3 decides every call first"),
      std::string::npos)
      << r.rendered();
}

TEST(Diagnostics, OverrideOfIncludedRuleIsAVerboseNote) {
  auto r = compile_text("cordon 1\ninclude \"base.cordon\"\nsyscalls {\n  allow ptrace\n}\n",
                        std::string(CORDON_PROFILES_DIR) + "/lib/x.cordon");
  ASSERT_FALSE(r.diags.has_errors()) << r.rendered();
  std::string verbose = r.diags.render(true), quiet = r.diags.render(false);
  EXPECT_NE(verbose.find("note: overrides the included rule at"), std::string::npos) << verbose;
  EXPECT_NE(verbose.find("for ptrace"), std::string::npos) << verbose;
  EXPECT_EQ(quiet.find("overrides"), std::string::npos) << quiet;
}

TEST(Diagnostics, DidYouMeanStaysQuietForUnrelatedWords) {
  EXPECT_EQ(cordon::policy::closest_match("zzzzzz", {"read", "write"}), "");
  EXPECT_EQ(cordon::policy::closest_match("wirte", {"read", "write"}), "write");
}

}  // namespace

TEST(Diagnostics, UnreadableFileIsNamedWithoutALineNumber) {
  cordon::policy::Diagnostics diags;
  cordon::policy::check_policy_file("/nonexistent/x.cordon", cordon::testing::test_options(),
                                    diags);
  std::string text = diags.render(false);
  EXPECT_EQ(text.rfind("/nonexistent/x.cordon: error: cannot read", 0), 0u) << text;
  EXPECT_EQ(text.find(":0:0"), std::string::npos) << text;
}

namespace cordon::testing {
namespace {

// A service's port differs per deployment: `--set PORT=N` fills a Landlock port list.
TEST(Diagnostics, LandlockPortFromAVariable) {
  auto opts = shipped_profile_options();  // PORT=8080
  policy::Diagnostics d;
  auto ir = policy::check_policy_text(
      "t.cordon", "cordon 1\nlandlock {\n  bind tcp ${PORT} 443\n  connect tcp ${PORT}\n}\n", opts,
      d);
  ASSERT_FALSE(d.has_errors()) << d.render(true);
  auto plan = compiler::compile_plan(ir, opts);
  ASSERT_TRUE(plan) << plan.error().message();
  std::vector<std::pair<int, bool>> ports;
  for (const auto& p : plan->landlock.ports) ports.emplace_back(p.port, p.bind);
  EXPECT_EQ(ports, (std::vector<std::pair<int, bool>>{{8080, true}, {443, true}, {8080, false}}));
  EXPECT_EQ(plan->landlock.ports[0].origin, "t.cordon:3:12");
}

}  // namespace
}  // namespace cordon::testing
