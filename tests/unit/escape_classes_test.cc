// Issue 14, classes 1-4, below the CLI: what the sandboxed app could write must never choose or
// weaken the next sandbox. Each test is the attack, and says what it would have got before.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/fidelity.h"
#include "launcher/spec.h"
#include "launcher/trust.h"
#include "policy/profiles.h"
#include "tests/unit/test_util.h"

namespace fs = std::filesystem;

namespace cordon {
namespace {

// ---- Class 1: a bare name is only ever a shipped profile -------------------------------------

class ProfileNames : public ::testing::Test {
 protected:
  void SetUp() override { setenv("CORDON_PROFILES", CORDON_PROFILES_DIR, 1); }
};

TEST_F(ProfileNames, ABareNameNeverReadsTheWorkingDirectory) {
  // The app wrote ./cli in its read-write working directory; `-p cli` is still the shipped one.
  std::string tmpl = ::testing::TempDir() + "names_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  fs::path old = fs::current_path();
  fs::current_path(tmpl);
  { std::ofstream(fs::path(tmpl) / "cli") << "cordon 1\nnetwork host\n"; }
  { std::ofstream(fs::path(tmpl) / "cli.cordon") << "cordon 1\nnetwork host\n"; }
  auto r = policy::resolve_policy_arg("cli");
  fs::current_path(old);
  fs::remove_all(tmpl);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, std::string(CORDON_PROFILES_DIR) + "/lib/cli.cordon");
}

TEST_F(ProfileNames, EveryListedNameResolvesToItsFile) {
  auto all = policy::shipped_profiles();
  ASSERT_GE(all.size(), 10u);
  for (const auto& p : all) {
    auto r = policy::resolve_policy_arg(p.name);
    ASSERT_TRUE(r) << p.name << ": " << r.error().message();
    EXPECT_EQ(*r, p.path) << p.name;
  }
  EXPECT_EQ(*policy::resolve_policy_arg("lib/cli"), *policy::resolve_policy_arg("cli"));
}

TEST_F(ProfileNames, FilesAreNamedByPathOrExtension) {
  for (const char* f : {"./cli", "../x/cli", "/etc/cli", "cli.cordon", "sub/p.cordon"}) {
    EXPECT_TRUE(policy::names_a_file(f)) << f;
    EXPECT_EQ(*policy::resolve_policy_arg(f), f);
  }
  for (const char* n : {"cli", "lib/cli", "curl", "lib/../../etc/passwd", "lib/cli.x"})
    EXPECT_FALSE(policy::names_a_file(n)) << n;
}

TEST_F(ProfileNames, AnUnknownNameIsAnErrorWithTheClosestName) {
  auto r = policy::resolve_policy_arg("clii");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("did you mean 'cli'?"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("./clii"), std::string::npos) << r.error().message();
  auto escape = policy::resolve_policy_arg("lib/../../../etc/passwd");
  EXPECT_FALSE(escape) << "a name with '..' is not a shipped profile";
}

// ---- Class 3: ${PWD} can be / or a system directory ------------------------------------------

testing::Compiled compile_in(const std::string& pwd, const std::string& text,
                             const std::string& home = "/home/tester") {
  policy::CheckOptions o = testing::test_options();
  o.vars["PWD"] = pwd;
  o.vars["HOME"] = home;
  testing::Compiled c;
  c.ir = policy::check_policy_text("t.cordon", text, o, c.diags);
  return c;
}

TEST(WorkingDirectory, SystemDirectoriesTheirAncestorsAndTheHomeAreRefused) {
  const std::string policy = "cordon 1\nfilesystem { rw? ${PWD} }\n";
  for (const char* pwd :
       {"/", "/etc", "/etc/ssh", "/usr", "/usr/local/src", "/var", "/home", "/root", "/run", "/tmp",
        "/boot", "/dev", "/proc/1", "/sys/fs", "/lib", "/srv"}) {
    auto c = compile_in(pwd, policy);
    EXPECT_TRUE(c.diags.has_errors()) << pwd << " was accepted";
    EXPECT_NE(c.rendered().find("run cordon from the directory"), std::string::npos)
        << c.rendered();
  }
  auto home = compile_in("/home/tester", policy);
  EXPECT_TRUE(home.diags.has_errors()) << "the caller's home itself";
  EXPECT_NE(home.rendered().find("home"), std::string::npos) << home.rendered();
  auto above_home = compile_in("/srv/users", policy, "/srv/users/tester");
  EXPECT_TRUE(above_home.diags.has_errors()) << "a folder holding the home";
}

TEST(WorkingDirectory, AProjectDirectoryIsFine) {
  const std::string policy = "cordon 1\nfilesystem { rw? ${PWD} }\n";
  for (const char* pwd :
       {"/home/tester/src/app", "/root/project", "/var/lib/build/ws", "/tmp/job-1", "/srv/x/y"}) {
    auto c = compile_in(pwd, policy);
    EXPECT_FALSE(c.diags.has_errors()) << pwd << "\n" << c.rendered();
  }
}

TEST(WorkingDirectory, AnEntryOnTheRootIsRefusedWithAMountNamespace) {
  auto c = compile_in("/home/tester/p", "cordon 1\nfilesystem { rw / }\n");
  EXPECT_TRUE(c.diags.has_errors());
  EXPECT_NE(c.rendered().find("'/' cannot be a filesystem entry"), std::string::npos)
      << c.rendered();
  auto shared = compile_in("/home/tester/p", "cordon 1\nshare mount\nfilesystem { ro / }\n");
  EXPECT_FALSE(shared.diags.has_errors()) << "a Landlock-only rule on / is fine\n"
                                          << shared.rendered();
}

TEST(WorkingDirectory, ThePlanCannotMountOnTheRootWhateverItSays) {
  // A Plan is input too (a cache entry, --plan): the launcher refuses a mount on "/" or a path
  // with "." or ".." components itself.
  for (const char* path : {"/", "/usr/..", "/usr/./lib", "//usr", "/usr/", "/a/../b"}) {
    launcher::Plan p;
    p.namespaces.mount = true;
    p.mounts.push_back({"rw", path, false, 0, 0, "", "t:1:1"});
    launcher::LaunchOptions o;
    o.command = {"true"};
    std::vector<std::string> w;
    auto s = launcher::prepare_spec(p, o, w);
    ASSERT_FALSE(s) << path;
    EXPECT_EQ(s.error().code(), EINVAL) << path;
  }
}

// ---- Class 4: a directory fd reaches past Landlock -------------------------------------------

TEST(PassFd, ADirectoryIsRefusedUnlessPassedAsOne) {
  int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int file = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(dir, 3);
  ASSERT_GE(file, 3);
  launcher::Plan p;
  std::vector<std::string> w;
  launcher::LaunchOptions o;
  o.command = {"true"};
  o.pass_fds = {dir};
  auto refused = launcher::prepare_spec(p, o, w);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), EISDIR);
  EXPECT_NE(refused.error().message().find("--pass-dir-fd"), std::string::npos)
      << refused.error().message();
  o.pass_fds = {file};
  o.pass_dir_fds = {dir};
  auto ok = launcher::prepare_spec(p, o, w);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->pass_fds, (std::vector<int>{std::min(dir, file), std::max(dir, file)}));
  close(dir);
  close(file);
}

// ---- Class 2: the sandbox rewrites its own policy or plan ------------------------------------

class Trust : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "trust_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    chmod(root_.c_str(), 0755);
    fs::create_directories(root_ / "project");
    fs::create_directories(root_ / "policies");
    write(root_ / "project" / "p.cordon");
    write(root_ / "policies" / "p.cordon");
    plan_.namespaces.mount = true;
    plan_.mounts.push_back({"rw", (root_ / "project").string(), false, 0, 0, "", "p.cordon:3:3"});
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  static void write(const fs::path& p) {
    std::ofstream(p) << "cordon 1\n";
    chmod(p.c_str(), 0644);
  }
  Result<void> check(const std::string& path, const std::string& what = "policy") {
    return launcher::refuse_untrusted(plan_, {{what, path}}, geteuid());
  }

  fs::path root_;
  launcher::Plan plan_;
};

TEST_F(Trust, APolicyInsideAWritableBindIsRefusedNamingTheBind) {
  auto r = check((root_ / "project" / "p.cordon").string());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("lies inside " + (root_ / "project").string()),
            std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("p.cordon:3:3"), std::string::npos) << r.error().message();
  EXPECT_TRUE(check((root_ / "policies" / "p.cordon").string())) << "outside every bind";
}

TEST_F(Trust, AnotherNameForTheBoundFolderIsSeenThrough) {
  // A symlink outside the bind leading into it: the real ancestry is compared, not the name.
  fs::create_directory_symlink(root_ / "project", root_ / "alias");
  auto r = check((root_ / "alias" / "p.cordon").string(), "include");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("include " + (root_ / "alias" / "p.cordon").string() +
                                     " lies inside " + (root_ / "project").string()),
            std::string::npos)
      << r.error().message();
  // The cache folder inside the bind (XDG_CACHE_HOME=$PWD/.cache).
  fs::create_directories(root_ / "project" / ".cache" / "cordon");
  chmod((root_ / "project" / ".cache" / "cordon").c_str(), 0700);
  auto cache = check((root_ / "project" / ".cache" / "cordon").string(), "plan cache");
  ASSERT_FALSE(cache);
  EXPECT_NE(cache.error().message().find("lies inside"), std::string::npos)
      << cache.error().message();
  EXPECT_NE(cache.error().message().find("XDG_CACHE_HOME"), std::string::npos)
      << cache.error().message();
}

TEST_F(Trust, AHardLinkedPolicyIsRefused) {
  ASSERT_EQ(link((root_ / "policies" / "p.cordon").c_str(), (root_ / "project" / "x").c_str()), 0);
  auto r = check((root_ / "policies" / "p.cordon").string());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("hard links"), std::string::npos) << r.error().message();
}

TEST_F(Trust, APolicyOthersMayChangeIsRefused) {
  const fs::path p = root_ / "policies" / "p.cordon";
  chmod(p.c_str(), 0664);
  auto group = check(p.string());
  ASSERT_FALSE(group);
  EXPECT_NE(group.error().message().find("mode 0664"), std::string::npos)
      << group.error().message();
  chmod(p.c_str(), 0644);
  chmod((root_ / "policies").c_str(), 0777);  // anyone may swap the file
  auto folder = check(p.string());
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message().find("writable by group or others"), std::string::npos)
      << folder.error().message();
  chmod((root_ / "policies").c_str(), 01777);  // sticky, like /tmp: only the owner may
  EXPECT_TRUE(check(p.string())) << "a sticky folder keeps others from replacing our file";
  if (geteuid() == 0) {
    ASSERT_EQ(chown(p.c_str(), 65534, 65534), 0);
    auto foreign = check(p.string());
    ASSERT_FALSE(foreign) << "root runs a policy uid 65534 could rewrite";
    EXPECT_NE(foreign.error().message().find("owned by uid 65534"), std::string::npos)
        << foreign.error().message();
  }
}

TEST_F(Trust, FidelitySaysRunWouldRefuse) {
  plan_.policy_files = {(root_ / "project" / "p.cordon").string()};
  cli::Trial t = cli::trial_launch(plan_);
  ASSERT_TRUE(t.refusal);
  EXPECT_NE(t.refusal->find("lies inside"), std::string::npos) << *t.refusal;
}

TEST_F(Trust, WithoutAMountNamespaceThereAreNoBindsToCompare) {
  plan_.namespaces.mount = false;
  EXPECT_TRUE(check((root_ / "project" / "p.cordon").string()));
  EXPECT_TRUE(check((root_ / "missing.cordon").string())) << "a path that is not there is skipped";
}

}  // namespace
}  // namespace cordon
