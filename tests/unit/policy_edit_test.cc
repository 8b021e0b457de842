// cordon audit's policy edits: each suggestion written as the smallest edit the language
// allows, and the unified diff of it (checked against what `patch` expects).
#include "cli/policy_edit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/compile.h"
#include "policy/checker.h"

namespace cordon::cli {
namespace {

namespace fs = std::filesystem;

const char* kPolicy =
    "cordon 1\n"                                  // 1
    "name \"t\"\n"                                // 2
    "syscalls {\n"                                // 3
    "  default errno EPERM log\n"                 // 4
    "  allow read write exit_group\n"             // 5
    "  errno EACCES ptrace\n"                     // 6
    "  errno EPERM log mprotect, mincore  # x\n"  // 7
    "  errno ENOSYS clone3\n"                     // 8
    "}\n"                                         // 9
    "filesystem {\n"                              // 10
    "  ro /usr /srv\n"                            // 11
    "  ro? /etc/x\n"                              // 12
    "}\n";                                        // 13

audit::Change syscall_change(const std::string& name) {
  return {"syscalls", "allow " + name, name, "", ""};
}

TEST(PolicyEdit, AddsAnAllowAtTheEndOfTheSyscallsBlock) {
  auto e = apply_change("t.cordon", kPolicy, syscall_change("getpid"));
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(e->line, 9u);
  EXPECT_NE(e->text.find("  errno ENOSYS clone3\n  allow getpid\n}\n"), std::string::npos)
      << e->text;
}

TEST(PolicyEdit, RewritesTheFilesOwnRuleWhenItNamesTheCallAlone) {
  auto e = apply_change("t.cordon", kPolicy, syscall_change("clone3"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line, 8u);
  EXPECT_NE(e->text.find("\n  allow clone3\n}"), std::string::npos) << e->text;
  EXPECT_EQ(e->text.find("ENOSYS"), std::string::npos);
}

TEST(PolicyEdit, TakesTheCallOutOfARuleNamingSeveral) {
  auto e = apply_change("t.cordon", kPolicy, syscall_change("mprotect"));
  ASSERT_TRUE(e);
  EXPECT_NE(e->text.find("  errno EPERM log mincore  # x\n"), std::string::npos) << e->text;
  EXPECT_NE(e->text.find("  allow mprotect\n}"), std::string::npos) << e->text;
  auto e2 = apply_change("t.cordon", kPolicy, syscall_change("mincore"));
  ASSERT_TRUE(e2);
  EXPECT_NE(e2->text.find("  errno EPERM log mprotect  # x\n"), std::string::npos) << e2->text;
}

TEST(PolicyEdit, ConditionalAllowGoesBeforeTheRuleThatRefuses) {
  audit::Change c{"syscalls", "allow mprotect if prot == 3", "mprotect", "", ""};
  auto e = apply_change("t.cordon", kPolicy, c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line, 7u);
  EXPECT_NE(e->text.find("  allow mprotect if prot == 3\n  errno EPERM log mprotect, mincore"),
            std::string::npos)
      << e->text;
  audit::Change s{"syscalls", "allow socket if family == 16", "socket", "", ""};
  auto e2 = apply_change("t.cordon", kPolicy, s);
  ASSERT_TRUE(e2);
  EXPECT_NE(e2->text.find("  allow socket if family == 16\n}"), std::string::npos) << e2->text;
}

TEST(PolicyEdit, FilesystemEntryChangesKindOrIsAdded) {
  audit::Change rw_srv{"filesystem", "rw /srv", "", "/srv", "rw"};
  auto e = apply_change("t.cordon", kPolicy, rw_srv);
  ASSERT_TRUE(e);
  EXPECT_NE(e->text.find("  ro /usr\n"), std::string::npos) << e->text;
  EXPECT_NE(e->text.find("  rw /srv\n}"), std::string::npos) << e->text;
  audit::Change rw_x{"filesystem", "rw /etc/x", "", "/etc/x", "rw"};
  auto e2 = apply_change("t.cordon", kPolicy, rw_x);
  ASSERT_TRUE(e2);
  EXPECT_NE(e2->text.find("  rw? /etc/x\n"), std::string::npos) << e2->text;
  EXPECT_EQ(e2->line, 12u);
}

TEST(PolicyEdit, MissingBlockIsAppendedAndOneLineBlocksGrow) {
  audit::Change port{"landlock", "connect tcp 443", "", "", ""};
  auto e = apply_change("t.cordon", kPolicy, port);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->text.ends_with("\nlandlock {\n  connect tcp 443\n}\n")) << e->text;
  EXPECT_EQ(e->line, 16u);  // after a blank line and `landlock {`
  auto e2 = apply_change("t.cordon", "cordon 1\nlandlock { bind tcp 80 }\n", port);
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->text, "cordon 1\nlandlock { bind tcp 80 connect tcp 443 }\n");
  auto e3 =
      apply_change("t.cordon", "cordon 1\nsyscalls { allow read }\n", syscall_change("write"));
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->text, "cordon 1\nsyscalls { allow read; allow write }\n");
}

TEST(PolicyEdit, EveryEditStillCompiles) {
  policy::CheckOptions co;
  for (const auto& c :
       {syscall_change("getpid"), syscall_change("clone3"), syscall_change("mprotect"),
        syscall_change("mincore"), audit::Change{"filesystem", "rw /srv", "", "/srv", "rw"},
        audit::Change{"syscalls", "allow mprotect if prot == 3", "mprotect", "", ""},
        audit::Change{"filesystem", "ro /opt", "", "/opt", "ro"},
        audit::Change{"landlock", "connect tcp 443", "", "", ""}}) {
    auto e = apply_change("t.cordon", kPolicy, c);
    ASSERT_TRUE(e) << c.entry;
    policy::Diagnostics d;
    policy::check_policy_text("t.cordon", e->text, co, d);
    EXPECT_FALSE(d.has_errors()) << c.entry << "\n" << d.render(false) << e->text;
  }
}

TEST(PolicyEdit, UnparsableFileIsAnError) {
  auto e = apply_change("t.cordon", "cordon 1\nsyscalls {\n", syscall_change("read"));
  EXPECT_FALSE(e);
}

// The diff applies with patch(1) and gives the edited text back.
TEST(PolicyEdit, UnifiedDiffAppliesWithPatch) {
  if (std::system("command -v patch >/dev/null 2>&1") != 0) GTEST_SKIP() << "no patch(1)";
  auto e = apply_change("t.cordon", kPolicy, syscall_change("mprotect"));
  ASSERT_TRUE(e);
  std::string diff = unified_diff("t.cordon", kPolicy, e->text);
  EXPECT_NE(diff.find("@@ "), std::string::npos) << diff;
  EXPECT_NE(diff.find("\n+  allow mprotect\n"), std::string::npos) << diff;
  // Removals first, as diff -u prints them.
  EXPECT_NE(diff.find("\n-  errno EPERM log mprotect, mincore  # x\n"
                      "+  errno EPERM log mincore  # x\n"),
            std::string::npos)
      << diff;
  fs::path dir = fs::temp_directory_path() / ("cordon-edit-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "t.cordon") << kPolicy;
  std::ofstream(dir / "fix.diff") << diff;
  int rc = std::system(("cd " + dir.string() + " && patch -s -p0 < fix.diff").c_str());
  EXPECT_EQ(rc, 0);
  std::ifstream in(dir / "t.cordon");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), e->text);
  fs::remove_all(dir);
  EXPECT_EQ(unified_diff("t.cordon", kPolicy, kPolicy), "");
}

// Which file a fix may write (issue #14, class 8c): the audited sandbox chose the denials, so
// a fix never edits a shipped profile or a file that is not the caller's own.
TEST(PolicyEdit, FixesNeverWriteShippedOrForeignFiles) {
  fs::path dir = fs::temp_directory_path() / ("cordon-target-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profiles/lib");
  fs::create_directories(dir / "work");
  std::ofstream(dir / "profiles/lib/cli.cordon") << "cordon 1\n";
  std::ofstream(dir / "work/mine.cordon") << kPolicy;
  const std::vector<std::string> libs = {(dir / "profiles/lib").string(),
                                         (dir / "profiles").string()};
  const std::string work = (dir / "work").string();
  const uid_t me = geteuid();

  // A shipped profile, named through a path that leaves and re-enters the profiles: a new
  // file in the working directory includes it.
  std::string shipped = (dir / "work/../profiles/lib/cli.cordon").string();
  FixTarget t = fix_target(shipped, libs, me, me, work);
  EXPECT_EQ(t.path, (dir / "work/cli-local.cordon").string()) << t.why;
  EXPECT_EQ(t.includes, (dir / "profiles/lib/cli.cordon").string());
  EXPECT_EQ(including_file_text(t.includes),
            "cordon 1\ninclude \"" + (dir / "profiles/lib/cli.cordon").string() + "\"\n");
  // ... even when the caller owns it, and whoever ran the sandbox.
  EXPECT_EQ(fix_target(shipped, libs, me, me + 1, work).includes, t.includes);
  // ... unless that file is there already.
  std::ofstream(dir / "work/cli-local.cordon") << "x";
  t = fix_target(shipped, libs, me, me, work);
  EXPECT_EQ(t.path, "");
  EXPECT_NE(t.why.find("cli-local.cordon exists"), std::string::npos) << t.why;

  // The caller's own policy, for the caller's own sandbox: that file.
  std::string mine = (dir / "work/mine.cordon").string();
  EXPECT_EQ(fix_target(mine, libs, me, me, work).path, mine);
  // Another user's sandbox, or another user's file: nothing.
  t = fix_target(mine, libs, me, me + 1, work);
  EXPECT_EQ(t.path, "");
  EXPECT_NE(t.why.find("run by uid"), std::string::npos) << t.why;
  t = fix_target(mine, libs, me + 1, me + 1, work);
  EXPECT_EQ(t.path, "");
  EXPECT_NE(t.why.find("not by you"), std::string::npos) << t.why;

  // The new file's diff creates it: patch -p0 in the working directory writes it, and the
  // fix compiles with the shipped profile under it.
  fs::remove(dir / "work/cli-local.cordon");
  t = fix_target(shipped, libs, me, me, work);
  auto e = apply_change(t.path, including_file_text(t.includes), syscall_change("adjtimex"));
  ASSERT_TRUE(e);
  std::string diff = unified_diff("cli-local.cordon", "", e->text, "/dev/null");
  EXPECT_EQ(diff.rfind("--- /dev/null\n+++ cli-local.cordon\n@@ -0,0 +1,", 0), 0u) << diff;
  EXPECT_NE(diff.find("\n+  allow adjtimex\n"), std::string::npos) << diff;
  if (std::system("command -v patch >/dev/null 2>&1") == 0) {
    std::ofstream(dir / "work/fix.diff") << diff;
    EXPECT_EQ(std::system(("cd " + work + " && patch -s -p0 < fix.diff").c_str()), 0);
    std::ifstream in(dir / "work/cli-local.cordon");
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), e->text);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cordon::cli
