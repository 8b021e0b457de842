// What the compiled filter does, checked by running it in the userspace evaluator.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <seccomp.h>

#include "tests/unit/test_util.h"

using cordon::testing::compile_text;
using cordon::testing::verdict;
namespace launcher = cordon::launcher;

namespace {

constexpr uint32_t kAllow = SCMP_ACT_ALLOW;
constexpr uint32_t kEperm = SCMP_ACT_ERRNO(EPERM);
constexpr uint32_t kKill = SCMP_ACT_KILL_PROCESS;

launcher::Plan plan_of(const std::string& body) {
  auto r = compile_text("cordon 1\nsyscalls {\n  default errno EPERM\n" + body + "\n}\n");
  EXPECT_FALSE(r.diags.has_errors()) << r.rendered();
  EXPECT_TRUE(r.plan) << r.compile_error;
  return r.plan ? *r.plan : launcher::Plan{};
}

}  // namespace

TEST(SeccompCompile, DefaultAndUnconditionalRules) {
  auto p = plan_of("  allow read write\n  kill ptrace");
  EXPECT_EQ(verdict(p, "read"), kAllow);
  EXPECT_EQ(verdict(p, "ptrace"), kKill);
  EXPECT_EQ(verdict(p, "openat"), kEperm);
}

TEST(SeccompCompile, FirstMatchWinsAcrossActions) {
  // libseccomp alone would let the unconditional allow swallow the kill.
  auto p = plan_of("  kill ioctl if request == TIOCSTI\n  allow ioctl");
  EXPECT_EQ(verdict(p, "ioctl", {0, 0x5412}), kKill);
  EXPECT_EQ(verdict(p, "ioctl", {0, 0x5401}), kAllow);
}

TEST(SeccompCompile, IntArgumentsIgnoreTheUpperHalfAsTheKernelDoes) {
  // ioctl's cmd is `unsigned int`: the kernel uses the low 32 bits, so setting bit 32 must not
  // slip TIOCSTI past the kill rule.
  auto p = plan_of("  kill ioctl if request == TIOCSTI\n  allow ioctl");
  EXPECT_EQ(verdict(p, "ioctl", {0, 0x100005412ull}), kKill);
  EXPECT_EQ(verdict(p, "ioctl", {0, 0xffffffff00005412ull}), kKill);
}

TEST(SeccompCompile, SixtyFourBitArgumentsCompareInFull) {
  auto p = plan_of("  allow mmap if len <= 0x100000000");
  EXPECT_EQ(verdict(p, "mmap", {0, 0x100000000ull}), kAllow);
  EXPECT_EQ(verdict(p, "mmap", {0, 0x100000001ull}), kEperm);
  EXPECT_EQ(verdict(p, "mmap", {0, 0x1ull}), kAllow);
}

// On x86 the kernel's arguments are 32 bits: a 64-bit argument's condition is checked there on
// those bits (values above them cannot occur), and one that needs more bits is refused with why.
TEST(SeccompCompile, ThirtyTwoBitArchitectureSeesOnlyThirtyTwoBits) {
  auto c = compile_text(
      "cordon 1\narch x86\nsyscalls {\n  default errno EPERM\n  allow mmap if len > 7\n}\n");
  ASSERT_TRUE(c.plan) << c.rendered() << c.compile_error;
  EXPECT_EQ(verdict(*c.plan, "mmap", {0, 8}, AUDIT_ARCH_I386), SCMP_ACT_ALLOW);
  EXPECT_EQ(verdict(*c.plan, "mmap", {0, 7}, AUDIT_ARCH_I386), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(verdict(*c.plan, "mmap", {0, 8}), SCMP_ACT_ALLOW);
  auto wide = compile_text(
      "cordon 1\narch x86\nsyscalls {\n  default errno EPERM\n  allow mmap if len == "
      "0x100000005\n}\n");
  EXPECT_FALSE(wide.plan);
  EXPECT_NE(wide.compile_error.find("On x86 arguments are 32 bits wide"), std::string::npos)
      << wide.compile_error;
}

TEST(SeccompCompile, InListAndNegation) {
  auto p =
      plan_of("  allow socket if family in [AF_UNIX, AF_INET] && !(type & SOCK_RAW == SOCK_RAW)");
  EXPECT_EQ(verdict(p, "socket", {AF_UNIX, 1}), kAllow);
  EXPECT_EQ(verdict(p, "socket", {AF_INET, 2}), kAllow);
  EXPECT_EQ(verdict(p, "socket", {AF_INET, 3}), kEperm);  // SOCK_RAW
  EXPECT_EQ(verdict(p, "socket", {AF_NETLINK, 1}), kEperm);
}

TEST(SeccompCompile, MaskedAnyBitTest) {
  auto p = plan_of("  errno EACCES openat if flags & (O_WRONLY|O_RDWR)\n  allow openat");
  EXPECT_EQ(verdict(p, "openat", {0, 0, O_RDONLY}), kAllow);
  EXPECT_EQ(verdict(p, "openat", {0, 0, O_WRONLY}), SCMP_ACT_ERRNO(EACCES));
  EXPECT_EQ(verdict(p, "openat", {0, 0, O_RDWR | O_CREAT}), SCMP_ACT_ERRNO(EACCES));
}

TEST(SeccompCompile, RangeOnOneArgumentIsExact) {
  // Two tests of one argument in a conjunction: libseccomp refuses that, cordon splits it.
  auto p = plan_of("  allow close if fd >= 3 && fd <= 10");
  EXPECT_EQ(verdict(p, "close", {2}), kEperm);
  EXPECT_EQ(verdict(p, "close", {3}), kAllow);
  EXPECT_EQ(verdict(p, "close", {10}), kAllow);
  EXPECT_EQ(verdict(p, "close", {11}), kEperm);
  EXPECT_EQ(verdict(p, "close", {0x100000005ull}), kAllow);  // unsigned int: low half is 5
}

TEST(SeccompCompile, OnlyTheNativeArchitectureByDefault) {
  auto p = plan_of("  allow getpid");
  EXPECT_EQ(verdict(p, "getpid", {}, AUDIT_ARCH_X86_64), kAllow);
  // The i386 entry point (int 0x80) reports AUDIT_ARCH_I386: killed.
  cordon::compiler::SeccompData d;
  d.arch = AUDIT_ARCH_I386;
  d.nr = 20;
  EXPECT_EQ(*cordon::compiler::run_program(p.seccomp.program, d), kKill);
  // x32 numbers carry bit 30 under AUDIT_ARCH_X86_64: never allowed.
  d.arch = AUDIT_ARCH_X86_64;
  d.nr = 39 | 0x40000000;
  EXPECT_NE(*cordon::compiler::run_program(p.seccomp.program, d), kAllow);
}

TEST(SeccompCompile, NamedArchitectureIsAdded) {
  auto r =
      compile_text("cordon 1\narch x86\nsyscalls {\n  default errno EPERM\n  allow getpid\n}\n");
  ASSERT_TRUE(r.plan) << r.rendered() << r.compile_error;
  cordon::compiler::SeccompData d;
  d.arch = AUDIT_ARCH_I386;
  d.nr = 20;
  EXPECT_EQ(*cordon::compiler::run_program(r.plan->seccomp.program, d), kAllow);
}

TEST(SeccompCompile, LogFlagAndSourceMap) {
  auto r = compile_text("cordon 1\nsyscalls {\n  default errno EPERM log\n  allow read\n}\n");
  ASSERT_TRUE(r.plan);
  EXPECT_TRUE(r.plan->seccomp.log);
  EXPECT_EQ(r.plan->seccomp.default_origin, "t.cordon:3:11");
  ASSERT_FALSE(r.plan->seccomp.rules.empty());
  EXPECT_EQ(r.plan->seccomp.rules[0].syscall, "read");
  EXPECT_EQ(r.plan->seccomp.rules[0].origin, "t.cordon:4:3");
}

TEST(SeccompCompile, IncluderOverridesIncludedRules) {
  auto r = compile_text("cordon 1\ninclude \"base.cordon\"\nsyscalls {\n  allow ptrace\n}\n",
                        std::string(CORDON_PROFILES_DIR) + "/lib/x.cordon");
  ASSERT_TRUE(r.plan) << r.rendered();
  EXPECT_EQ(verdict(*r.plan, "ptrace"), kAllow);
}

TEST(SeccompCompile, DirectNameBeatsGroupInTheSameFile) {
  auto r = compile_text(
      "cordon 1\ngroup @g { clone3 read }\nsyscalls {\n  default errno EPERM\n  allow @g\n"
      "  errno ENOSYS clone3\n}\n");
  ASSERT_TRUE(r.plan) << r.rendered();
  EXPECT_EQ(verdict(*r.plan, "clone3"), SCMP_ACT_ERRNO(ENOSYS));
  EXPECT_EQ(verdict(*r.plan, "read"), kAllow);
}

TEST(SeccompCompile, PlanRoundTripsThroughJson) {
  auto p = plan_of("  allow read if fd == 0");
  auto back = cordon::launcher::plan_from_json(cordon::launcher::plan_to_json(p));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->seccomp.program.size(), p.seccomp.program.size());
  EXPECT_EQ(cordon::launcher::plan_to_json(*back), cordon::launcher::plan_to_json(p));
  auto j = cordon::launcher::plan_to_json(p);
  j["version"] = 99;
  EXPECT_FALSE(cordon::launcher::plan_from_json(j));
}

// execveat is answered by the supervisor whenever the policy does not let it run: the filter
// says USER_NOTIF and the Plan records the policy's own action for the supervisor to give.
TEST(SeccompCompile, RefusedExecveatIsMediatedWithThePolicysAction) {
  auto by_default = plan_of("  allow read");
  EXPECT_TRUE(by_default.seccomp.exec_mediation.on);
  EXPECT_EQ(by_default.seccomp.exec_mediation.ret, kEperm);
  EXPECT_EQ(verdict(by_default, "execveat"), SCMP_ACT_NOTIFY);
  EXPECT_EQ(verdict(by_default, "execve"), kEperm);

  auto killed = plan_of("  kill execveat");
  EXPECT_TRUE(killed.seccomp.exec_mediation.on);
  EXPECT_EQ(killed.seccomp.exec_mediation.ret, kKill);
  EXPECT_EQ(killed.seccomp.exec_mediation.action, "kill");
  EXPECT_NE(killed.seccomp.exec_mediation.origin.find(":4:"), std::string::npos)
      << killed.seccomp.exec_mediation.origin;
  EXPECT_EQ(verdict(killed, "execveat"), SCMP_ACT_NOTIFY);

  auto allowed = plan_of("  allow execveat");
  EXPECT_FALSE(allowed.seccomp.exec_mediation.on);
  EXPECT_EQ(verdict(allowed, "execveat"), kAllow);
}

TEST(SeccompCompile, AConditionOnExecveatIsRefused) {
  auto r = compile_text(
      "cordon 1\nsyscalls {\n  default errno EPERM\n  allow execveat if arg4 == 0\n}\n");
  EXPECT_FALSE(r.plan);
  EXPECT_NE(r.compile_error.find("a condition on execveat"), std::string::npos) << r.compile_error;
}

TEST(SeccompCompile, NestedUsernsIsOptIn) {
  auto off = compile_text("cordon 1\n");
  ASSERT_TRUE(off.plan) << off.compile_error << off.rendered();
  EXPECT_FALSE(off.plan->namespaces.nested_user);
  auto on = compile_text("cordon 1\nnested-userns allow\n");
  ASSERT_TRUE(on.plan) << on.compile_error << on.rendered();
  EXPECT_TRUE(on.plan->namespaces.nested_user);
  EXPECT_NE(on.plan->namespaces.nested_user_origin.find(":2:"), std::string::npos);
  auto bad = compile_text("cordon 1\nnested-userns alow\n");
  EXPECT_TRUE(bad.diags.has_errors());
  EXPECT_NE(bad.rendered().find("did you mean 'allow'"), std::string::npos) << bad.rendered();
}
