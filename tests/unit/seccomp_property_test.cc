// The compiler's promise: a filter it emits decides every call the way the policy does, or it
// emits nothing and says why. Random first-match policies over several arguments and widths,
// checked against the policy's meaning at random and boundary argument values.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "tests/unit/test_util.h"

using cordon::testing::compile_text;

namespace {

std::string random_condition(std::mt19937_64& rng) {
  // pread64: fd (unsigned int, 32 bits), buf (pointer), count (size_t), pos (loff_t).
  static const char* kArgs[] = {"fd", "count", "pos"};
  static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
  auto atom = [&] {
    std::string a = kArgs[rng() % 3];
    uint64_t v = rng() % 4;
    if (rng() % 4 == 0)
      return a + " & " + std::to_string(1 + rng() % 7) + " == " + std::to_string(v);
    return a + " " + kOps[rng() % 6] + " " + std::to_string(v);
  };
  std::string c = atom();
  int n = static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) c += (rng() % 2 ? " && " : " || ") + atom();
  if (rng() % 5 == 0) c = "!(" + c + ")";
  return c;
}

TEST(SeccompProperty, EmittedFiltersAgreeWithThePolicy) {
  std::mt19937_64 rng(20261123);
  static const char* kActions[] = {"allow", "errno EACCES", "kill", "trap", "errno ENOSYS"};
  int compiled = 0, refused = 0;
  for (int iter = 0; iter < 60; ++iter) {
    std::string body = "cordon 1\nsyscalls {\n  default errno EPERM\n";
    int rules = 1 + static_cast<int>(rng() % 3);
    for (int r = 0; r < rules; ++r)
      body +=
          std::string("  ") + kActions[rng() % 5] + " pread64 if " + random_condition(rng) + "\n";
    if (rng() % 2) body += std::string("  ") + kActions[rng() % 5] + " pread64\n";
    body += "}\n";
    auto c = compile_text(body);
    ASSERT_FALSE(c.diags.has_errors()) << body << c.rendered();
    if (!c.plan) {
      ++refused;  // refusing is allowed; emitting a wrong filter is not
      continue;
    }
    ++compiled;
    for (int s = 0; s < 300; ++s) {
      std::array<uint64_t, 6> args{};
      for (int a = 0; a < 4; ++a) {
        uint64_t v = rng() % 6;
        if (rng() % 4 == 0) v |= rng() << 32;  // upper bits the kernel ignores for fd
        args[a] = v;
      }
      const auto* rule = cordon::compiler::decide(c.ir, "pread64", args);
      uint32_t want =
          cordon::compiler::seccomp_ret(rule ? rule->action : c.ir.default_action.value);
      ASSERT_EQ(cordon::testing::verdict(*c.plan, "pread64", args), want)
          << body << "args " << args[0] << " " << args[1] << " " << args[2] << " " << args[3];
    }
  }
  EXPECT_GT(compiled, 40) << "refused " << refused;
}

TEST(SeccompProperty, TooManyRulesForLibseccompIsRefusedQuickly) {
  std::string body = "cordon 1\nsyscalls {\n  default kill\n";
  for (int i = 1; i <= 4; ++i)
    body += "  errno EPERM pread64 if fd == " + std::to_string(i) +
            " && count == " + std::to_string(i) + " && pos == " + std::to_string(i) + "\n";
  body += "  allow pread64\n}\n";
  auto start = std::chrono::steady_clock::now();
  auto c = compile_text(body);
  EXPECT_FALSE(c.plan);
  EXPECT_NE(c.compile_error.find("libseccomp handles at most 256"), std::string::npos)
      << c.compile_error;
  EXPECT_NE(c.compile_error.find("t.cordon:8:3: the rules for pread64 need"), std::string::npos)
      << c.compile_error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SeccompProperty, LibseccompThatRunsAwayIsStoppedByTheTimeLimit) {
  // 136 rules under the caps that libseccomp 2.5.4 does not finish merging: cordon stops it.
  auto start = std::chrono::steady_clock::now();
  auto c = compile_text(
      "cordon 1\nsyscalls {\n  default kill\n"
      "  errno EPERM pread64 if count == 1 && pos == 1 && buf == 1\n"
      "  errno EPERM pread64 if count == 2 && pos == 2 && buf == 2\n  allow pread64\n}\n");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(c.plan);
  EXPECT_NE(c.compile_error.find("did not finish building the filter within 10 s"),
            std::string::npos)
      << c.compile_error;
  EXPECT_LT(took, std::chrono::seconds(15));
}

}  // namespace
