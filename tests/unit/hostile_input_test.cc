// Hostile input gets a diagnostic and a clean return: never a crash, a hang or unbounded memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/unit/test_util.h"

using cordon::testing::compile_text;

namespace {

bool mentions(const cordon::testing::Compiled& c, const std::string& s) {
  return c.rendered().find(s) != std::string::npos;
}

TEST(HostileInput, TenMegabyteFileIsRefusedWithADiagnostic) {
  std::string big = "cordon 1\n" + std::string(10 * 1024 * 1024, '#');
  auto r = compile_text(big);
  EXPECT_TRUE(mentions(r, "policy files are limited to 4194304 bytes")) << r.rendered();
}

TEST(HostileInput, LargeValidFileParses) {
  // Just under the limit: 3 MiB of comments and rules is still read in full.
  std::string text = "cordon 1\nsyscalls {\n";
  while (text.size() < 3 * 1024 * 1024)
    text += "  allow read  # a comment that pads the file out\n";
  text += "}\n";
  auto r = compile_text(text);
  EXPECT_FALSE(r.diags.has_errors());
  EXPECT_TRUE(mentions(r, "read repeats the rule"));
}

TEST(HostileInput, TenThousandNestedParentheses) {
  std::string cond = std::string(10000, '(') + "fd == 1" + std::string(10000, ')');
  auto r = compile_text("cordon 1\nsyscalls {\n  allow read if " + cond + "\n}\n");
  EXPECT_TRUE(mentions(r, "condition nested too deeply (more than 64 levels)")) << r.rendered();
}

TEST(HostileInput, TenThousandNegations) {
  auto r = compile_text("cordon 1\nsyscalls {\n  allow read if " + std::string(10000, '!') +
                        "fd == 1\n}\n");
  EXPECT_TRUE(mentions(r, "nested too deeply")) << r.rendered();
}

TEST(HostileInput, BinaryJunk) {
  std::mt19937 rng(42);
  std::string junk(64 * 1024, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  auto r = compile_text(junk);
  EXPECT_TRUE(r.diags.has_errors());
  EXPECT_TRUE(mentions(r, "a policy is UTF-8 text")) << r.rendered();
}

TEST(HostileInput, InvalidUtf8IsLocated) {
  auto r = compile_text("cordon 1\nname \"caf\xC3\x28\"\n");
  EXPECT_TRUE(mentions(r, "t.cordon:2:10: error: invalid UTF-8 (byte 0xc3)")) << r.rendered();
}

TEST(HostileInput, PrintableJunkStopsAfterFiftyErrors) {
  std::string text = "cordon 1\n";
  for (int i = 0; i < 5000; ++i) text += "%% }{ ] [ ** && ||\n";
  auto r = compile_text(text);
  EXPECT_LE(r.diags.error_count(), 50u);
  EXPECT_TRUE(mentions(r, "too many errors in this file")) << r.rendered().substr(0, 500);
}

TEST(HostileInput, HugeLiteral) {
  auto r = compile_text("cordon 1\nsyscalls {\n  allow read if fd == 0x1" + std::string(20, '0') +
                        "\n}\n");
  EXPECT_TRUE(mentions(r, "is out of range (64 bits)")) << r.rendered();
}

TEST(HostileInput, ConditionThatWouldExplodeIsRefused) {
  // (a0==1||a0==2)&&(a1==1||a1==2)&&… over 6 args × several ors and several earlier rules:
  // the DNF grows past the cap and the compile stops with a message instead of running away.
  std::string cond;
  for (int a = 0; a < 6; ++a) {
    if (a) cond += " && ";
    cond += "(";
    for (int v = 0; v < 6; ++v)
      cond +=
          (v ? " || " : "") + std::string("arg") + std::to_string(a) + " == " + std::to_string(v);
    cond += ")";
  }
  auto r = compile_text("cordon 1\nsyscalls {\n  allow read if " + cond + "\n  kill read\n}\n");
  EXPECT_NE(r.compile_error.find("too complex"), std::string::npos)
      << r.compile_error << r.rendered();
}

TEST(HostileInput, IncludeCycleIsDiagnosed) {
  auto dir = std::filesystem::temp_directory_path() / ("cordon-cycle-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.cordon") << "cordon 1\ninclude \"b.cordon\"\n";
  std::ofstream(dir / "b.cordon") << "cordon 1\ninclude \"a.cordon\"\n";
  cordon::policy::Diagnostics d;
  auto opts = cordon::testing::test_options();
  cordon::policy::check_policy_file((dir / "a.cordon").string(), opts, d);
  std::string out = d.render(false);
  EXPECT_NE(out.find("include cycle: a.cordon → b.cordon → a.cordon"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST(HostileInput, IncludingADirectoryOrNothing) {
  auto r = compile_text("cordon 1\ninclude \"/\"\n");
  EXPECT_TRUE(r.diags.has_errors());
}

}  // namespace
