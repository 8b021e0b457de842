// cordon score: items computed from the compiled Plan, weights, the total, and the ordering it
// gives policies (tighter scores lower).
#include "cli/score.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>

#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

const ScoreItem& item(const Score& s, std::string_view name) {
  auto it = std::find_if(s.items.begin(), s.items.end(),
                         [&](const ScoreItem& i) { return i.name == name; });
  EXPECT_NE(it, s.items.end()) << name;
  static const ScoreItem none;
  return it == s.items.end() ? none : *it;
}

Score score_of(const std::string& text) {
  auto c = testing::compile_text(text);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? score_plan(*c.plan) : Score{};
}

TEST(Score, TightPolicyScoresLowWithEveryItemNamed) {
  Score s = score_of(
      "cordon 1\n"                                 // 1
      "syscalls {\n"                               // 2
      "  default kill\n"                           // 3
      "  allow read write exit_group\n"            // 4
      "  allow socket if family == AF_UNIX\n"      // 5
      "}\n"                                        // 6
      "filesystem { ro /usr }\n"                   // 7
      "limits { memory 64M pids 16 cpu 0.5 }\n");  // 8
  EXPECT_LT(s.total, 0.5);
  EXPECT_EQ(item(s, "filter default").exposure, 0);
  EXPECT_EQ(item(s, "filter default").rule, "t.cordon:3:11");
  EXPECT_EQ(item(s, "socket filtered by argument").exposure, 0);
  EXPECT_EQ(item(s, "socket filtered by argument").rule, "t.cordon:5:3");
  EXPECT_EQ(item(s, "Landlock").exposure, 0);
  EXPECT_EQ(item(s, "memory limit").exposure, 0);
  EXPECT_EQ(item(s, "network").exposure, 0);
}

TEST(Score, OpenPolicyScoresHighAndSaysWhy) {
  Score s = score_of(
      "cordon 1\n"
      "namespaces user\n"
      "network host\n"
      "capabilities keep SYS_ADMIN SYS_PTRACE\n"
      "syscalls {\n"
      "  default allow\n"
      "}\n"
      "filesystem { rw / }\n");
  EXPECT_GT(s.total, 6.0);
  EXPECT_EQ(item(s, "CAP_SYS_ADMIN kept").exposure, 1);
  EXPECT_EQ(item(s, "network").exposure, 1);
  EXPECT_EQ(item(s, "mount namespace").exposure, 1);
  EXPECT_EQ(item(s, "@mount left open").exposure, 1);
  EXPECT_EQ(item(s, "writable host paths").why, "rw /");
  EXPECT_EQ(item(s, "ioctl filtered by argument").exposure, 1);
}

TEST(Score, HalfOpenGroupCountsConditionalAllowsHalf) {
  Score s = score_of(
      "cordon 1\n"
      "syscalls {\n"
      "  default errno EPERM\n"
      "  allow ptrace if request == 0\n"
      "  allow process_vm_readv\n"
      "}\n");
  const ScoreItem& dbg = item(s, "@debug left open");
  EXPECT_DOUBLE_EQ(dbg.exposure, (0.5 + 1.0) / 4);
  EXPECT_NE(dbg.why.find("ptrace (if …)"), std::string::npos) << dbg.why;
}

TEST(Score, ShippedProfilesRankAsExpected) {
  // The library's base is tighter than the network client built on it.
  auto base = testing::compile_text("cordon 1\ninclude \"base.cordon\"\n");
  auto net = testing::compile_text("cordon 1\ninclude \"network-client.cordon\"\n");
  ASSERT_TRUE(base.plan && net.plan) << base.rendered() << net.rendered();
  EXPECT_LT(score_plan(*base.plan).total, score_plan(*net.plan).total);
}

// The command: the table, --json, and --threshold's exit status (3 above it).
TEST(Score, CommandThreshold) {
  std::string bin = CORDON_BINARY;
  auto rc = [&](const std::string& args) {
    int st = std::system((bin + " score " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  EXPECT_EQ(rc("cli"), 0);
  EXPECT_EQ(rc("cli --threshold 10"), 0);
  EXPECT_EQ(rc("cli --threshold 0"), 3);
  EXPECT_EQ(rc("cli --json"), 0);
  EXPECT_EQ(rc("cli --threshold 11"), 2);  // out of range: a usage error
  EXPECT_EQ(rc("/nonexistent.cordon"), 1);
}

}  // namespace
}  // namespace cordon::cli
