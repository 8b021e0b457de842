// The `cordon` binary as a user runs it: exit codes and the text they read.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Run {
  int status;
  std::string out;
};

Run run(const std::string& args) {
  std::string cmd = std::string(CORDON_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string write_policy(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, ExplainNamesTheDecidingRule) {
  auto f = write_policy("explain.cordon",
                        "cordon 1\nsyscalls {\n  default errno EPERM\n  allow read\n"
                        "  kill ioctl if request == TIOCSTI\n  allow ioctl\n}\n");
  auto r = run("explain " + f + " ioctl 0 TIOCSTI");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("filter result: KILL_PROCESS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("explain.cordon:5:3  kill ioctl if request == TIOCSTI"), std::string::npos)
      << r.out;
  r = run("explain " + f + " ioctl 0 TCGETS");
  EXPECT_NE(r.out.find("explain.cordon:6:3  allow ioctl"), std::string::npos) << r.out;
  r = run("explain " + f + " openat");
  EXPECT_NE(r.out.find("default errno EPERM (no rule names openat)"), std::string::npos) << r.out;
}

TEST(Cli, ExitCodes) {
  auto good = write_policy("good.cordon", "cordon 1\nsyscalls {\n  allow read\n}\n");
  auto bad = write_policy("bad.cordon", "cordon 1\nsyscalls {\n  allow opn\n}\n");
  EXPECT_EQ(run("check " + good).status, 0);
  auto r = run("check " + bad);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("did you mean 'open'?"), std::string::npos) << r.out;
  EXPECT_EQ(run("check").status, 2);
  EXPECT_EQ(run("frobnicate").status, 2);
  EXPECT_EQ(run("compile " + good + " --emit nonsense").status, 2);
  EXPECT_EQ(run("explain " + good + " notasyscall").status, 2);
  EXPECT_EQ(run("--help").status, 0);
}

TEST(Cli, CompileEmitsPlanAndAssembly) {
  auto f =
      write_policy("emit.cordon", "cordon 1\nsyscalls {\n  default errno EPERM\n  allow read\n}\n");
  auto plan = run("compile " + f + " --emit plan");
  EXPECT_EQ(plan.status, 0);
  EXPECT_NE(plan.out.find("\"version\": 3"), std::string::npos);
  auto asm_ = run("compile " + f + " --emit asm");
  EXPECT_NE(asm_.out.find("; read"), std::string::npos) << asm_.out;
  EXPECT_NE(asm_.out.find("ret ERRNO(EPERM)"), std::string::npos) << asm_.out;
  std::string out = ::testing::TempDir() + "emit.bpf";
  EXPECT_EQ(run("compile " + f + " --emit bpf -o " + out).status, 0);
  std::ifstream in(out, std::ios::binary | std::ios::ate);
  EXPECT_GT(in.tellg(), 0);
  EXPECT_EQ(static_cast<long>(in.tellg()) % 8, 0);
}

TEST(Cli, ProfilesListsShippedProfilesWithDescriptions) {
  auto r = run("profiles");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("lib/base"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lib/service"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("(no description)"), std::string::npos) << r.out;
}

TEST(Cli, SetDefinesVariables) {
  auto f = write_policy("vars.cordon", "cordon 1\nfilesystem {\n  ro ${DATA}/x\n}\n");
  EXPECT_EQ(run("check " + f).status, 1);
  EXPECT_EQ(run("check --set DATA=/srv " + f).status, 0);
  EXPECT_EQ(run("check " + f + " --set DATA=/srv").status, 0);
  EXPECT_EQ(run("check --set garbage " + f).status, 2);
}

}  // namespace

namespace {

// `-o /dev/null` must write to the device, not rename a file over it (as root that replaced
// the machine's /dev/null with a regular file). Tested on a private node of the same device.
TEST(Cli, CompileOutputOntoADeviceWritesIntoIt) {
  if (geteuid() != 0) GTEST_SKIP() << "mknod needs root";
  auto f = write_policy("dev.cordon", "cordon 1\n");
  std::string node = ::testing::TempDir() + "cordon-null";
  unlink(node.c_str());
  ASSERT_EQ(mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  EXPECT_EQ(run("compile " + f + " --emit asm -o " + node).status, 0);
  struct stat st;
  ASSERT_EQ(lstat(node.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device node was replaced";
  unlink(node.c_str());
  // A regular output is replaced whole, and no temporary file is left beside it.
  std::string dir = ::testing::TempDir() + "cordon-out/";
  mkdir(dir.c_str(), 0755);
  EXPECT_EQ(run("compile " + f + " --emit asm -o " + dir + "x.asm").status, 0);
  int entries = 0;
  for (DIR* d = opendir(dir.c_str()); d;) {
    dirent* e = readdir(d);
    if (!e) {
      closedir(d);
      break;
    }
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++entries;
  }
  EXPECT_EQ(entries, 1);
}

}  // namespace
