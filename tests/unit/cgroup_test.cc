// SandboxCgroup: where the limits go (v2, v1, rlimits), what is written, what is left behind.
//
// The parsing and fallback tests run anywhere, on fixture text and scratch trees. The live
// tests create real cgroups beneath the test's own cgroup and need root and the hierarchies;
// they skip otherwise. The unprivileged test drops to uid 65534 in a forked child when run as
// root, and runs in-process when the suite itself runs unprivileged.
#include "launcher/cgroup.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace cordon::launcher {
namespace {

namespace fs = std::filesystem;

// ---- fixtures --------------------------------------------------------------------------------

// This machine's shape: v1 controllers with the memory cgroup managed below the root, and a
// bare v2 hierarchy.
constexpr std::string_view kHybridCgroup =
    "9:name=systemd:/\n"
    "8:pids:/\n"
    "4:memory:/process_api/2a1a\n"
    "2:cpuacct:/\n"
    "1:cpu:/\n"
    "0::/\n";
constexpr std::string_view kHybridMountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(CgroupLocate, V1LineJoinsPathToMountPoint) {
  auto mem = locate_cgroup("memory", kHybridCgroup, kHybridMountinfo);
  ASSERT_TRUE(mem) << mem.error().message();
  EXPECT_EQ(mem->version, 1);
  EXPECT_EQ(mem->dir, "/sys/fs/cgroup/memory/process_api/2a1a");

  auto pids = locate_cgroup("pids", kHybridCgroup, kHybridMountinfo);
  ASSERT_TRUE(pids) << pids.error().message();
  EXPECT_EQ(pids->dir, "/sys/fs/cgroup/pids");

  // "cpu" must not match the cpuacct hierarchy, nor "name=systemd" a "systemd" controller.
  auto cpu = locate_cgroup("cpu", kHybridCgroup, kHybridMountinfo);
  ASSERT_TRUE(cpu) << cpu.error().message();
  EXPECT_EQ(cpu->dir, "/sys/fs/cgroup/cpu");
}

TEST(CgroupLocate, CoMountedControllersShareOneHierarchy) {
  constexpr std::string_view cgroup = "5:cpu,cpuacct:/system.slice/x.service\n0::/\n";
  constexpr std::string_view mountinfo =
      "33 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw shared:14 - cgroup cgroup rw,cpu,cpuacct\n";
  for (auto controller : {"cpu", "cpuacct"}) {
    auto loc = locate_cgroup(controller, cgroup, mountinfo);
    ASSERT_TRUE(loc) << loc.error().message();
    EXPECT_EQ(loc->dir, "/sys/fs/cgroup/cpu,cpuacct/system.slice/x.service");
  }
}

TEST(CgroupLocate, V2LineUsesTheCgroup2Mount) {
  constexpr std::string_view cgroup = "0::/user.slice/user-1000.slice/session-2.scope\n";
  constexpr std::string_view mountinfo =
      "22 28 0:21 / /proc rw,nosuid - proc proc rw\n"
      "26 23 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
      "rw,nsdelegate,memory_recursiveprot\n";
  auto loc = locate_cgroup("", cgroup, mountinfo);
  ASSERT_TRUE(loc) << loc.error().message();
  EXPECT_EQ(loc->version, 2);
  EXPECT_EQ(loc->dir, "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope");
}

TEST(CgroupLocate, MountWithNonSlashRootStripsTheRoot) {
  // A container sees its own cgroup mounted as the hierarchy's top.
  constexpr std::string_view mountinfo =
      "34 30 0:31 /process_api/2a1a /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "35 30 0:31 /other /mnt/other\\040dir rw - cgroup cgroup rw,memory\n";
  auto below = locate_cgroup("memory", "4:memory:/process_api/2a1a/job\n", mountinfo);
  ASSERT_TRUE(below) << below.error().message();
  EXPECT_EQ(below->dir, "/sys/fs/cgroup/memory/job");

  auto at = locate_cgroup("memory", "4:memory:/process_api/2a1a\n", mountinfo);
  ASSERT_TRUE(at) << at.error().message();
  EXPECT_EQ(at->dir, "/sys/fs/cgroup/memory");

  // Escaped mount point (\040 is a space).
  auto other = locate_cgroup("memory", "4:memory:/other/x\n", mountinfo);
  ASSERT_TRUE(other) << other.error().message();
  EXPECT_EQ(other->dir, "/mnt/other dir/x");

  // A prefix that is not a path component does not count: /process_api/2a1ab is elsewhere.
  auto outside = locate_cgroup("memory", "4:memory:/process_api/2a1ab\n", mountinfo);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message().find("/process_api/2a1ab"), std::string::npos)
      << outside.error().message();
}

TEST(CgroupLocate, DeepestMatchingRootWins) {
  constexpr std::string_view mountinfo =
      "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "50 30 0:31 /a /run/a rw - cgroup cgroup rw,memory\n";
  auto loc = locate_cgroup("memory", "4:memory:/a/b\n", mountinfo);
  ASSERT_TRUE(loc) << loc.error().message();
  EXPECT_EQ(loc->dir, "/run/a/b");
}

TEST(CgroupLocate, MissingControllerIsAnError) {
  // Not in /proc/self/cgroup at all.
  auto absent = locate_cgroup("hugetlb", kHybridCgroup, kHybridMountinfo);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code(), ENOENT);
  EXPECT_NE(absent.error().message().find("hugetlb"), std::string::npos)
      << absent.error().message();

  // Listed, but no hierarchy with it is mounted here.
  auto unmounted = locate_cgroup("blkio", "7:blkio:/\n", kHybridMountinfo);
  ASSERT_FALSE(unmounted);
  EXPECT_NE(unmounted.error().message().find("not mounted"), std::string::npos)
      << unmounted.error().message();

  // No "0::" line: pure v1.
  auto no_v2 = locate_cgroup("", "4:memory:/\n", kHybridMountinfo);
  ASSERT_FALSE(no_v2);
  EXPECT_NE(no_v2.error().message().find("v2"), std::string::npos) << no_v2.error().message();
}

// ---- scratch trees ---------------------------------------------------------------------------

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "cordon-cgroup-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp: " << errno;
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name, std::string_view text) const {
    std::string p = path_ + "/" + name;
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

// A host whose cgroup v1 hierarchies (and v2) are mounted beneath `base`.
CgroupHost fixture_host(const ScratchDir& s, const std::string& base, bool with_v2) {
  std::string mi;
  int id = 31;
  for (auto c : {"cpu", "memory", "pids"}) {
    mi += fmt::format("{} 30 0:{} / {}/{} rw - cgroup cgroup rw,{}\n", id, id, base, c, c);
    ++id;
  }
  if (with_v2) mi += fmt::format("40 30 0:40 / {}/unified rw - cgroup2 cgroup2 rw\n", base);
  CgroupHost h;
  h.proc_self_cgroup = s.file("proc_self_cgroup", "8:pids:/\n4:memory:/\n1:cpu:/\n0::/\n");
  h.mountinfo = s.file("mountinfo", mi);
  return h;
}

Cgroup three_limits(uint64_t memory = 512ull << 20, uint64_t pids = 16, uint32_t cpu = 50000) {
  Cgroup c;
  c.memory_bytes = memory;
  c.pids = pids;
  c.cpu_quota_us = cpu;
  c.memory_origin = "t.cordon:3:10";
  return c;
}

bool empty_dir(const std::string& p) { return fs::is_empty(p); }

TEST(CgroupFallback, NoLimitsCreatesNothing) {
  ScratchDir s;
  auto cg = SandboxCgroup::create(Cgroup{}, true, "cordon-t", fixture_host(s, s.path(), true));
  ASSERT_TRUE(cg) << cg.error().message();
  EXPECT_EQ(cg->version(), 0);
  EXPECT_TRUE(cg->paths().empty());
  EXPECT_TRUE(cg->fallback_rlimits().empty());
  EXPECT_TRUE(cg->warnings().empty());
  EXPECT_EQ(cg->clone_into_fd(), -1);
}

TEST(CgroupFallback, UnreachableHierarchiesGiveRlimitsAndOneWarningPerLimit) {
  ScratchDir s;
  std::string absent = s.path() + "/absent";
  auto cg = SandboxCgroup::create(three_limits(), false, "cordon-t", fixture_host(s, absent, true));
  ASSERT_TRUE(cg) << cg.error().message();
  EXPECT_EQ(cg->version(), 0);
  EXPECT_TRUE(cg->paths().empty());
  EXPECT_EQ(cg->clone_into_fd(), -1);
  EXPECT_EQ(cg->oom_kills(), 0u);

  const auto& rl = cg->fallback_rlimits();
  ASSERT_EQ(rl.size(), 2u);
  EXPECT_EQ(rl[0].name, "as");
  EXPECT_EQ(rl[0].resource, RLIMIT_AS);
  EXPECT_EQ(rl[0].value, 512ull << 20);
  EXPECT_EQ(rl[0].origin, "t.cordon:3:10");  // the source map survives the fallback
  EXPECT_EQ(rl[1].name, "nproc");
  EXPECT_EQ(rl[1].resource, RLIMIT_NPROC);
  EXPECT_EQ(rl[1].value, 16u);

  const auto& w = cg->warnings();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(
      w[0],
      fmt::format(
          "cgroup: memory 512M not enforced by a cgroup (create "
          "{}/memory/cordon-t: ENOENT); using RLIMIT_AS instead, which caps each process's address "
          "space only: several processes, or pages held in memfds and tmpfs files, add up to more "
          "than the limit (`require cgroup` refuses to start without a cgroup instead)",
          absent));
  EXPECT_EQ(w[1], fmt::format("cgroup: pids 16 not enforced by a cgroup (create "
                              "{}/pids/cordon-t: ENOENT); using RLIMIT_NPROC instead, which counts "
                              "the user's processes in the sandbox's user namespace (`require "
                              "cgroup` refuses to start without a cgroup instead)",
                              absent));
  EXPECT_EQ(w[2], fmt::format("cgroup: cpu 50% not enforced by a cgroup (create "
                              "{}/cpu/cordon-t: ENOENT); no rlimit replaces it",
                              absent));
}

TEST(CgroupFallback, NoHierarchyWithTheControllerSaysSo) {
  // Pure v2 whose root offers only hugetlb; no v1 at all.
  ScratchDir s;
  s.file("unified/cgroup.controllers", "hugetlb\n");
  CgroupHost h;
  h.proc_self_cgroup = s.file("cg", "0::/\n");
  h.mountinfo =
      s.file("mi", fmt::format("40 30 0:40 / {}/unified rw - cgroup2 cgroup2 rw\n", s.path()));
  Cgroup c;
  c.pids = 8;
  auto cg = SandboxCgroup::create(c, false, "cordon-t", h);
  ASSERT_TRUE(cg) << cg.error().message();
  EXPECT_EQ(cg->warnings(), std::vector<std::string>{
                                "cgroup: pids 8 not enforced by a cgroup (no cgroup hierarchy "
                                "here has the pids controller); using RLIMIT_NPROC instead, which "
                                "counts the user's processes in the sandbox's user namespace "
                                "(`require cgroup` refuses to start without a cgroup instead)"});
  auto required = SandboxCgroup::create(c, true, "cordon-t", h);
  ASSERT_FALSE(required);
  EXPECT_EQ(required.error().code(), ENOENT);
}

TEST(CgroupFallback, RequiredRefusesAndNamesTheLimitAndReason) {
  ScratchDir s;
  std::string absent = s.path() + "/absent";
  auto cg = SandboxCgroup::create(three_limits(), true, "cordon-t", fixture_host(s, absent, true));
  ASSERT_FALSE(cg);
  EXPECT_EQ(cg.error().code(), ENOENT);
  EXPECT_EQ(cg.error().message(),
            fmt::format("cgroup: memory 512M cannot be enforced by a cgroup, which the policy "
                        "requires: create {}/memory/cordon-t: ENOENT",
                        absent));
}

TEST(CgroupFallback, RequiredWithUndelegatedV2IsRefusedAsUnwritable) {
  // A v2 hierarchy offering every controller, owned by root, asked for by uid 1000: not a
  // delegated subtree, so nothing is created there and the refusal says why.
  ScratchDir s;
  s.file("absent/unified/cgroup.controllers", "cpu memory pids\n");
  s.file("absent/unified/cgroup.subtree_control", "cpu memory pids\n");
  s.file("absent/unified/cgroup.procs", "");
  std::string base = s.path() + "/absent";
  CgroupHost h = fixture_host(s, base, true);
  h.proc_self_cgroup = s.file("proc_self_cgroup", "0::/\n");  // pure v2
  h.euid = 1000;
  auto cg = SandboxCgroup::create(three_limits(64 << 20), true, "cordon-t", h);
  ASSERT_FALSE(cg);
  EXPECT_EQ(cg.error().code(), EACCES);
  EXPECT_EQ(cg.error().message(),
            fmt::format("cgroup: memory 64M cannot be enforced by a cgroup, which the policy "
                        "requires: no writable cgroup: cgroup v2 {}/unified is not delegated to "
                        "uid 1000",
                        base));
  EXPECT_FALSE(fs::exists(base + "/unified/cordon-t"));
}

TEST(CgroupFallback, DelegatedV2SubtreeIsUsedByItsOwner) {
  // The same tree owned by the asking uid is a delegated subtree: the child is created there
  // (the scratch tree has no control files, so writing the limits fails and it is removed).
  ScratchDir s;
  s.file("cg/unified/cgroup.controllers", "cpu memory pids\n");
  s.file("cg/unified/cgroup.subtree_control", "cpu memory pids\n");
  s.file("cg/unified/cgroup.procs", "");
  std::string base = s.path() + "/cg";
  CgroupHost h = fixture_host(s, base, true);
  h.proc_self_cgroup = s.file("proc_self_cgroup", "0::/\n");
  struct stat st {};
  ASSERT_EQ(::stat((base + "/unified").c_str(), &st), 0);
  h.euid = st.st_uid;
  auto cg = SandboxCgroup::create(three_limits(64 << 20), false, "cordon-t", h);
  ASSERT_TRUE(cg) << cg.error().message();
  ASSERT_EQ(cg->warnings().size(), 3u);
  EXPECT_NE(cg->warnings()[0].find(
                fmt::format("(write 67108864 to {}/unified/cordon-t/memory.max: ENOENT)", base)),
            std::string::npos)
      << cg->warnings()[0];
  EXPECT_FALSE(fs::exists(base + "/unified/cordon-t"));
}

// A v2 cgroup other than the root (it has cgroup.type) that holds processes — the caller's —
// can enable no controller for a child. Writing the threaded ones (pids, cpu) would still
// succeed and make it a thread root whose children take no process (clone3 then failed with
// EOPNOTSUPP and the launch with 125, seen in the VM): nothing is written, the limits fall back
// with the reason, and `require cgroup` refuses.
TEST(CgroupFallback, V2CgroupHoldingProcessesIsLeftAlone) {
  ScratchDir s;
  s.file("cg/unified/cgroup.controllers", "cpu memory pids\n");
  s.file("cg/unified/cgroup.type", "domain\n");
  s.file("cg/unified/cgroup.procs", "4242\n");
  std::string control = s.file("cg/unified/cgroup.subtree_control", "");
  std::string base = s.path() + "/cg";
  CgroupHost h = fixture_host(s, base, true);
  h.proc_self_cgroup = s.file("proc_self_cgroup", "0::/\n");
  h.euid = 0;
  for (bool required : {false, true}) {
    SCOPED_TRACE(required ? "required" : "best effort");
    auto cg = SandboxCgroup::create(three_limits(64 << 20), required, "cordon-t", h);
    std::string said = cg ? cg->warnings()[0] : cg.error().message();
    EXPECT_EQ(cg.has_value(), !required) << said;
    EXPECT_NE(said.find(fmt::format("cgroup v2 {}/unified holds processes", base)),
              std::string::npos)
        << said;
    if (cg) {
      EXPECT_EQ(cg->version(), 0);
    }
    std::ifstream f(control);
    std::string written((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(written, "") << "the caller's cgroup.subtree_control was written";
    EXPECT_FALSE(fs::exists(base + "/unified/cordon-t"));
  }
}

// cordon alone in its v2 cgroup moves itself into a leaf beneath it before it enables the
// controllers there. Here the leaf takes no process (a scratch tree has no cgroup.procs in a
// new directory): the leaf is removed again, the caller's subtree_control is not written, and
// the warning says what failed.
TEST(CgroupFallback, SupervisorAloneMovesIntoALeafAndUndoesAFailedMove) {
  ScratchDir s;
  s.file("cg/unified/cgroup.controllers", "cpu memory pids\n");
  s.file("cg/unified/cgroup.type", "domain\n");
  s.file("cg/unified/cgroup.procs", "4242\n");
  std::string control = s.file("cg/unified/cgroup.subtree_control", "");
  std::string base = s.path() + "/cg";
  CgroupHost h = fixture_host(s, base, true);
  h.proc_self_cgroup = s.file("proc_self_cgroup", "0::/\n");
  h.euid = 0;
  h.pid = 4242;
  auto cg = SandboxCgroup::create(three_limits(64 << 20), false, "cordon-t", h);
  ASSERT_TRUE(cg) << cg.error().message();
  EXPECT_EQ(cg->version(), 0);
  ASSERT_FALSE(cg->warnings().empty());
  EXPECT_NE(cg->warnings()[0].find(fmt::format(
                "write 4242 to {}/unified/cordon-t-supervisor/cgroup.procs: ENOENT", base)),
            std::string::npos)
      << cg->warnings()[0];
  EXPECT_FALSE(fs::exists(base + "/unified/cordon-t-supervisor"));
  EXPECT_FALSE(fs::exists(base + "/unified/cordon-t"));
  std::ifstream f(control);
  std::string written((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, "");
}

// Controllers missing from subtree_control are enabled in one write: the kernel takes all or
// none, so a refused one never leaves the others enabled behind.
TEST(CgroupFallback, V2ControllersAreEnabledInOneWrite) {
  ScratchDir s;
  s.file("cg/unified/cgroup.controllers", "cpu memory pids\n");
  std::string control = s.file("cg/unified/cgroup.subtree_control", "");
  std::string base = s.path() + "/cg";
  CgroupHost h = fixture_host(s, base, true);
  h.proc_self_cgroup = s.file("proc_self_cgroup", "0::/\n");
  h.euid = 0;
  auto cg = SandboxCgroup::create(three_limits(64 << 20), false, "cordon-t", h);
  ASSERT_TRUE(cg) << cg.error().message();
  std::ifstream f(control);
  std::string written((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, "+memory +pids +cpu");
}

TEST(CgroupFallback, PartialFailureLeavesNothingBehind) {
  // Every hierarchy exists (mkdir succeeds) but holds no control files (every write fails):
  // each directory created is removed again, with and without `required`.
  ScratchDir s;
  for (auto c : {"cpu", "memory", "pids", "unified"}) fs::create_directories(s.path() + "/" + c);
  s.file("unified/cgroup.controllers", "cpu memory pids\n");
  s.file("unified/cgroup.subtree_control", "cpu memory pids\n");
  for (bool required : {true, false}) {
    SCOPED_TRACE(required ? "required" : "best effort");
    auto cg = SandboxCgroup::create(three_limits(), required, "cordon-t",
                                    fixture_host(s, s.path(), true));
    EXPECT_EQ(cg.has_value(), !required);
    if (!cg) {
      EXPECT_NE(cg.error().message().find("memory.limit_in_bytes: ENOENT"), std::string::npos)
          << cg.error().message();
    } else {
      EXPECT_EQ(cg->version(), 0);
      EXPECT_EQ(cg->fallback_rlimits().size(), 2u);
      EXPECT_NE(cg->warnings()[2].find("cpu.cfs_period_us: ENOENT"), std::string::npos)
          << cg->warnings()[2];
    }
    for (auto c : {"cpu", "memory", "pids"}) EXPECT_TRUE(empty_dir(s.path() + "/" + c)) << c;
    EXPECT_FALSE(fs::exists(s.path() + "/unified/cordon-t"));
  }
}

TEST(CgroupFallback, ExistingCgroupOfTheSameNameIsNeverTouched) {
  ScratchDir s;
  for (auto c : {"cpu", "memory", "pids"}) fs::create_directories(s.path() + "/" + c);
  s.file("memory/cordon-t/marker", "someone else's");
  Cgroup c;
  c.memory_bytes = 1 << 20;
  {
    auto cg = SandboxCgroup::create(c, false, "cordon-t", fixture_host(s, s.path(), false));
    ASSERT_TRUE(cg) << cg.error().message();
    ASSERT_EQ(cg->warnings().size(), 1u);
    EXPECT_NE(cg->warnings()[0].find(fmt::format("(create {}/memory/cordon-t: EEXIST)", s.path())),
              std::string::npos)
        << cg->warnings()[0];
    EXPECT_TRUE(cg->paths().empty());
  }  // destroyed: removes only what it created
  EXPECT_TRUE(fs::exists(s.path() + "/memory/cordon-t/marker"));
}

TEST(CgroupFallback, NameMustBeOneComponent) {
  for (auto bad : {"", ".", "..", "a/b"}) {
    auto cg = SandboxCgroup::create(three_limits(), false, bad, CgroupHost{});
    ASSERT_FALSE(cg) << bad;
    EXPECT_EQ(cg.error().code(), EINVAL);
  }
}

// ---- forked children -------------------------------------------------------------------------

// A forked child held at a pipe until release(), so the parent can place it in a cgroup
// first. The body runs in the child and must only use async-signal-safe calls.
class HeldChild {
 public:
  explicit HeldChild(std::function<int()> body) {
    int go[2];
    if (::pipe2(go, O_CLOEXEC) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(go[1]);
      char c;
      while (::read(go[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::_exit(body());
    }
    ::close(go[0]);
    go_ = go[1];
  }
  ~HeldChild() {
    if (go_ >= 0) ::close(go_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void release() {
    (void)!::write(go_, "g", 1);
    ::close(go_);
    go_ = -1;
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
};

// A pipe for a child to report a few integers.
struct Report {
  int fds[2] = {-1, -1};
  Report() {
    if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
  }
  ~Report() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void put(const long* v, size_t n) const { (void)!::write(fds[1], v, n * sizeof(long)); }
  std::vector<long> get(size_t n) {
    ::close(fds[1]);
    fds[1] = -1;
    std::vector<long> v(n, -1);
    ssize_t got = ::read(fds[0], v.data(), n * sizeof(long));
    if (got != static_cast<ssize_t>(n * sizeof(long))) v.assign(n, -1);
    return v;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// ---- unprivileged ----------------------------------------------------------------------------

struct Outcome {
  bool ok = false;
  int version = -1;
  std::vector<std::string> rlimits;  // "as=N"
  std::vector<std::string> warnings;
  std::string error;
  int error_code = 0;
};

Outcome create_outcome(const Cgroup& limits, bool required) {
  Outcome o;
  auto cg = SandboxCgroup::create(limits, required, fmt::format("cordon-unpriv-{}", ::getpid()));
  o.ok = cg.has_value();
  if (!cg) {
    o.error = cg.error().message();
    o.error_code = cg.error().code();
    return o;
  }
  o.version = cg->version();
  for (const auto& r : cg->fallback_rlimits())
    o.rlimits.push_back(fmt::format("{}={}", r.name, r.value));
  o.warnings = cg->warnings();
  return o;
}

// Runs create() as uid/gid 65534 with no groups — in a forked child when we are root.
Outcome create_as_nobody(const Cgroup& limits, bool required) {
  if (::geteuid() != 0) return create_outcome(limits, required);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) std::abort();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0)
      ::_exit(3);
    // Single-threaded test process: allocating after fork is safe here.
    Outcome o = create_outcome(limits, required);
    std::string text =
        fmt::format("{}\n{}\n{}\n{}\n", o.ok ? 1 : 0, o.version, o.error_code, o.error);
    for (const auto& r : o.rlimits) text += "R" + r + "\n";
    for (const auto& w : o.warnings) text += "W" + w + "\n";
    (void)!::write(p[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) text.append(buf, n);
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Outcome o;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line), o.ok = line == "1";
  std::getline(in, line), o.version = std::atoi(line.c_str());
  std::getline(in, line), o.error_code = std::atoi(line.c_str());
  std::getline(in, o.error);
  while (std::getline(in, line)) {
    if (line.starts_with("R")) o.rlimits.push_back(line.substr(1));
    if (line.starts_with("W")) o.warnings.push_back(line.substr(1));
  }
  return o;
}

TEST(CgroupUnprivileged, FallsBackToRlimitsWithWarnings) {
  auto v1 = locate_cgroup("memory", slurp("/proc/self/cgroup"), slurp("/proc/self/mountinfo"));
  if (!v1) GTEST_SKIP() << "no v1 memory hierarchy: " << v1.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(v1->dir.c_str(), &st), 0);
  if (st.st_uid == 65534 || (st.st_mode & S_IWOTH)) GTEST_SKIP() << v1->dir << " is writable";

  Outcome o = create_as_nobody(three_limits(), false);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.version, 0);
  EXPECT_EQ(o.rlimits, (std::vector<std::string>{"as=536870912", "nproc=16"}));
  ASSERT_EQ(o.warnings.size(), 3u);
  EXPECT_TRUE(o.warnings[0].starts_with(fmt::format(
      "cgroup: memory 512M not enforced by a cgroup (no writable cgroup: create {}/cordon-unpriv-",
      v1->dir)))
      << o.warnings[0];
  EXPECT_TRUE(o.warnings[0].ends_with(
      ": EACCES); using RLIMIT_AS instead, which caps each process's address space only: several "
      "processes, or pages held in memfds and tmpfs files, add up to more than the limit (`require "
      "cgroup` refuses to start without a cgroup instead)"))
      << o.warnings[0];
  EXPECT_TRUE(o.warnings[1].starts_with("cgroup: pids 16 not enforced by a cgroup (no writable"))
      << o.warnings[1];
  EXPECT_TRUE(o.warnings[1].ends_with(
      ": EACCES); using RLIMIT_NPROC instead, which counts the user's processes in the sandbox's "
      "user namespace (`require cgroup` refuses to start without a cgroup instead)"))
      << o.warnings[1];
  EXPECT_TRUE(o.warnings[2].starts_with("cgroup: cpu 50% not enforced by a cgroup (no writable"))
      << o.warnings[2];
  EXPECT_TRUE(o.warnings[2].ends_with(": EACCES); no rlimit replaces it")) << o.warnings[2];

  Outcome r = create_as_nobody(three_limits(), true);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, EACCES);
  EXPECT_TRUE(r.error.starts_with(
      "cgroup: memory 512M cannot be enforced by a cgroup, which the policy requires: no "
      "writable cgroup: create "))
      << r.error;
}

// ---- live, as root ---------------------------------------------------------------------------

class CgroupLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    self_ = slurp("/proc/self/cgroup");
    mountinfo_ = slurp("/proc/self/mountinfo");
    // Runs where every controller is in v1 (this build machine) or offered by v2.
    auto v2 = locate_cgroup("", self_, mountinfo_);
    std::string offered = v2 ? slurp(v2->dir + "/cgroup.controllers") : "";
    for (auto c : {"memory", "pids", "cpu"}) {
      auto loc = locate_cgroup(c, self_, mountinfo_);
      bool in_v2 = (" " + offered + " ").find(fmt::format(" {} ", c)) != std::string::npos;
      if (!(loc && fs::is_directory(loc->dir)) && !in_v2)
        GTEST_SKIP() << "no hierarchy with the " << c << " controller";
    }
    name_ = fmt::format("cordon-test-{}-{}", ::getpid(), ++counter_);
  }

  // The cgroup directory holding `file`, among those created.
  std::string dir_with(const SandboxCgroup& cg, const std::string& file) {
    for (const auto& d : cg.paths())
      if (fs::exists(d + "/" + file)) return d;
    return "";
  }
  std::string limit(const SandboxCgroup& cg, const std::string& file) {
    std::string d = dir_with(cg, file);
    return d.empty() ? "<no " + file + ">" : slurp(d + "/" + file);
  }
  SandboxCgroup make(const Cgroup& c) {
    auto cg = SandboxCgroup::create(c, true, name_);
    EXPECT_TRUE(cg) << cg.error().message();
    if (!cg) return {};
    EXPECT_TRUE(cg->warnings().empty()) << cg->warnings().front();
    EXPECT_TRUE(cg->fallback_rlimits().empty());
    return std::move(*cg);
  }

  std::string self_, mountinfo_, name_;
  static inline int counter_ = 0;
};

TEST_F(CgroupLive, CreatesBeneathCallersCgroupAndWritesLimits) {
  SandboxCgroup cg = make(three_limits(64 << 20, 16, 50000));
  ASSERT_NE(cg.version(), 0);
  ASSERT_FALSE(cg.paths().empty());
  for (const auto& d : cg.paths()) {
    EXPECT_TRUE(fs::is_directory(d)) << d;
    EXPECT_EQ(fs::path(d).filename(), name_);
    // Its parent is the test's own cgroup in that hierarchy, never another.
    std::string parent = fs::path(d).parent_path().string();
    auto procs = lines_of(parent + "/cgroup.procs");
    EXPECT_NE(std::find(procs.begin(), procs.end(), std::to_string(::getpid())), procs.end())
        << "the parent of " << d << " is not the caller's cgroup";
  }
  if (cg.version() == 2) {
    EXPECT_GE(cg.clone_into_fd(), 0);
    EXPECT_EQ(limit(cg, "memory.max"), "67108864");
    EXPECT_EQ(limit(cg, "pids.max"), "16");
    EXPECT_EQ(limit(cg, "cpu.max"), "50000 100000");
  } else {
    EXPECT_EQ(cg.clone_into_fd(), -1);
    EXPECT_EQ(cg.paths().size(), 3u);
    EXPECT_EQ(limit(cg, "memory.limit_in_bytes"), "67108864");
    if (!dir_with(cg, "memory.memsw.limit_in_bytes").empty()) {
      EXPECT_EQ(limit(cg, "memory.memsw.limit_in_bytes"), "67108864");
    }
    EXPECT_EQ(limit(cg, "pids.max"), "16");
    EXPECT_EQ(limit(cg, "cpu.cfs_period_us"), "100000");
    EXPECT_EQ(limit(cg, "cpu.cfs_quota_us"), "50000");
    // Each v1 directory is where locate_cgroup says the caller is, plus the name.
    for (auto c : {"memory", "pids", "cpu"}) {
      auto loc = locate_cgroup(c, self_, mountinfo_);
      ASSERT_TRUE(loc) << loc.error().message();
      EXPECT_NE(std::find(cg.paths().begin(), cg.paths().end(), loc->dir + "/" + name_),
                cg.paths().end())
          << c;
    }
  }
  EXPECT_EQ(cg.oom_kills(), 0u);
}

TEST_F(CgroupLive, AttachPutsTheChildInEveryCgroup) {
  SandboxCgroup cg = make(three_limits(64 << 20, 16, 50000));
  HeldChild child([] { return 0; });
  auto a = cg.attach(child.pid());
  ASSERT_TRUE(a) << a.error().message();
  for (const auto& d : cg.paths()) {
    EXPECT_EQ(lines_of(d + "/cgroup.procs"), std::vector<std::string>{std::to_string(child.pid())})
        << d;
  }
  child.release();
  int st = child.wait();
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST_F(CgroupLive, AttachOfAVanishedPidNamesThePid) {
  SandboxCgroup cg = make(three_limits(64 << 20, 16, 50000));
  HeldChild child([] { return 0; });
  pid_t gone = child.pid();
  child.release();
  child.wait();
  auto a = cg.attach(gone);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code(), ESRCH);
  EXPECT_NE(a.error().message().find(fmt::format("cgroup: attach {} to ", gone)), std::string::npos)
      << a.error().message();
}

TEST_F(CgroupLive, ForkPastPidsMaxFailsWithEagain) {
  Cgroup c;
  c.pids = 16;
  SandboxCgroup cg = make(c);
  Report report;
  HeldChild child([&] {
    pid_t kids[64];
    long n = 0, err = 0;
    for (; n < 64; ++n) {
      pid_t k = ::fork();
      if (k == 0) {
        ::pause();
        ::_exit(0);
      }
      if (k < 0) {
        err = errno;
        break;
      }
      kids[n] = k;
    }
    for (long i = 0; i < n; ++i) ::kill(kids[i], SIGKILL);
    for (long i = 0; i < n; ++i) ::waitpid(kids[i], nullptr, 0);
    long out[2] = {n, err};
    report.put(out, 2);
    return 0;
  });
  ASSERT_TRUE(cg.attach(child.pid()));
  child.release();
  auto r = report.get(2);
  child.wait();
  EXPECT_EQ(r[1], EAGAIN) << "fork failed with errno " << r[1];
  EXPECT_EQ(r[0], 15) << "the child itself is the 16th task";
}

TEST_F(CgroupLive, CpuQuotaThrottlesASpinningChild) {
  Cgroup c;
  c.cpu_quota_us = 50000;  // half of one CPU
  SandboxCgroup cg = make(c);
  Report report;
  HeldChild child([&] {
    auto ms = [](clockid_t clock) {
      timespec ts{};
      ::clock_gettime(clock, &ts);
      return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
    };
    long wall0 = ms(CLOCK_MONOTONIC), cpu0 = ms(CLOCK_PROCESS_CPUTIME_ID);
    while (ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 400 && ms(CLOCK_MONOTONIC) - wall0 < 10000) {
    }
    long out[2] = {ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0, ms(CLOCK_MONOTONIC) - wall0};
    report.put(out, 2);
    return 0;
  });
  ASSERT_TRUE(cg.attach(child.pid()));
  child.release();
  auto r = report.get(2);
  child.wait();
  ASSERT_GE(r[0], 400) << "the child did not get 400 ms of CPU in 10 s";
  // Unthrottled, 400 ms of CPU takes 400 ms; at 50 ms per 100 ms period it takes about 700 ms
  // (less by up to one period's worth, depending on where in a period the child starts).
  EXPECT_GE(r[1], 600) << "cpu " << r[0] << " ms in " << r[1] << " ms of wall time";
  long throttled = -1;
  for (const auto& l : lines_of(dir_with(cg, "cpu.stat") + "/cpu.stat"))
    if (l.starts_with("nr_throttled ")) throttled = std::atol(l.c_str() + 13);
  EXPECT_GE(throttled, 1) << "the kernel never throttled the child";
}

TEST_F(CgroupLive, ChildTouchingPastTheMemoryLimitIsOomKilled) {
  Cgroup c;
  c.memory_bytes = 16 << 20;
  SandboxCgroup cg = make(c);
  HeldChild child([] {
    const size_t size = 64 << 20;
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 2;
    for (size_t i = 0; i < size; i += 4096) static_cast<volatile char*>(p)[i] = 1;
    return 0;  // survived: the limit did not hold
  });
  ASSERT_TRUE(cg.attach(child.pid()));
  child.release();
  int st = child.wait();
  ASSERT_TRUE(WIFSIGNALED(st)) << "child exited with " << WEXITSTATUS(st);
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
  EXPECT_GE(cg.oom_kills(), 1u);
}

TEST_F(CgroupLive, RemoveKillsWhatRemainsAndLeavesTheParent) {
  SandboxCgroup cg = make(three_limits(64 << 20, 16, 50000));
  std::vector<std::string> dirs = cg.paths();
  std::vector<std::pair<std::string, std::string>> parent_limits;
  for (const auto& d : dirs) {
    std::string parent = fs::path(d).parent_path().string();
    for (auto f :
         {"memory.limit_in_bytes", "memory.max", "pids.max", "cpu.cfs_quota_us", "cpu.max"})
      if (fs::exists(parent + "/" + f))
        parent_limits.emplace_back(parent + "/" + f, slurp(parent + "/" + f));
  }
  HeldChild child([] { return 0; });  // never released: still running at remove()
  ASSERT_TRUE(cg.attach(child.pid()));

  cg.remove();
  int st = child.wait();
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
  EXPECT_TRUE(cg.paths().empty());
  EXPECT_EQ(cg.version(), 0);
  EXPECT_EQ(cg.clone_into_fd(), -1);
  for (const auto& d : dirs) {
    EXPECT_FALSE(fs::exists(d)) << d;
    std::string parent = fs::path(d).parent_path().string();
    EXPECT_TRUE(fs::is_directory(parent)) << parent;
    auto procs = lines_of(parent + "/cgroup.procs");
    EXPECT_NE(std::find(procs.begin(), procs.end(), std::to_string(::getpid())), procs.end())
        << "the test left " << parent;
  }
  for (const auto& [file, before] : parent_limits) EXPECT_EQ(slurp(file), before) << file;
  cg.remove();  // idempotent
  EXPECT_TRUE(cg.paths().empty());
}

TEST_F(CgroupLive, RemoveTakesCgroupsCreatedInside) {
  Cgroup c;
  c.pids = 16;
  SandboxCgroup cg = make(c);
  ASSERT_EQ(cg.paths().size(), 1u);
  std::string inner = cg.paths()[0] + "/inner";
  ASSERT_EQ(::mkdir(inner.c_str(), 0755), 0);
  HeldChild child([] { return 0; });
  std::ofstream(inner + "/cgroup.procs") << child.pid() << std::flush;
  ASSERT_EQ(lines_of(inner + "/cgroup.procs"),
            std::vector<std::string>{std::to_string(child.pid())});
  std::string dir = cg.paths()[0];
  cg.remove();
  int st = child.wait();
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  EXPECT_FALSE(fs::exists(dir));
}

// The caller's real cgroups, but as if no pids hierarchy existed: memory and cpu still go to
// cgroups, only pids falls back — or, when required, everything created is removed again.
TEST_F(CgroupLive, LimitWithoutHierarchyFallsBackAlone) {
  ScratchDir s;
  std::string without_pids;
  std::istringstream in(self_);
  for (std::string l; std::getline(in, l);)
    if (l.find(":pids:") == std::string::npos) without_pids += l + "\n";
  CgroupHost h;
  h.proc_self_cgroup = s.file("cgroup", without_pids);
  h.mountinfo = "/proc/self/mountinfo";
  auto mem = locate_cgroup("memory", self_, mountinfo_);
  if (!mem || !fs::exists(mem->dir + "/memory.limit_in_bytes")) GTEST_SKIP() << "v1 only";
  const std::string dir = mem->dir + "/" + name_;

  auto cg = SandboxCgroup::create(three_limits(64 << 20, 16, 50000), false, name_, h);
  ASSERT_TRUE(cg) << cg.error().message();
  EXPECT_EQ(cg->version(), 1);
  EXPECT_EQ(cg->paths().size(), 2u);
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(limit(*cg, "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(limit(*cg, "cpu.cfs_quota_us"), "50000");
  ASSERT_EQ(cg->fallback_rlimits().size(), 1u);
  EXPECT_EQ(cg->fallback_rlimits()[0].name, "nproc");
  EXPECT_EQ(cg->warnings(), std::vector<std::string>{
                                "cgroup: pids 16 not enforced by a cgroup (no cgroup hierarchy "
                                "here has the pids controller); using RLIMIT_NPROC instead, which "
                                "counts the user's processes in the sandbox's user namespace "
                                "(`require cgroup` refuses to start without a cgroup instead)"});
  std::vector<std::string> made = cg->paths();
  cg->remove();
  for (const auto& d : made) EXPECT_FALSE(fs::exists(d)) << d;

  auto refused = SandboxCgroup::create(three_limits(64 << 20, 16, 50000), true, name_, h);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(),
            "cgroup: pids 16 cannot be enforced by a cgroup, which the policy requires: no cgroup "
            "hierarchy here has the pids controller");
  for (const auto& d : made) EXPECT_FALSE(fs::exists(d)) << "left behind: " << d;
}

TEST_F(CgroupLive, MovedFromObjectOwnsNothing) {
  SandboxCgroup a = make(three_limits(64 << 20, 16, 50000));
  std::vector<std::string> dirs = a.paths();
  SandboxCgroup b = std::move(a);
  EXPECT_TRUE(a.paths().empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.paths(), dirs);
  a.remove();  // does nothing: the directories are b's
  for (const auto& d : dirs) EXPECT_TRUE(fs::is_directory(d)) << d;
  { SandboxCgroup gone = std::move(b); }
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
}

}  // namespace
}  // namespace cordon::launcher

namespace cordon::launcher {
namespace {

// A supervisor killed with SIGKILL leaves its empty cgroup; the next launch removes it, and
// only it: a live supervisor's cgroup and any other name stay.
TEST_F(CgroupLive, LeftoverOfADeadSupervisorIsRemovedByTheNextLaunch) {
  auto pids = locate_cgroup("pids", self_, mountinfo_);
  if (!pids || !fs::is_directory(pids->dir)) GTEST_SKIP() << "no v1 pids hierarchy";
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  ASSERT_GT(dead, 0);
  ASSERT_EQ(waitpid(dead, nullptr, 0), dead);
  const std::string stale = fmt::format("{}/cordon-{}", pids->dir, dead);
  const std::string live = fmt::format("{}/cordon-{}", pids->dir, ::getppid());
  const std::string other = fmt::format("{}/not-cordon-{}", pids->dir, dead);
  for (const auto& d : {stale, live, other}) ASSERT_EQ(::mkdir(d.c_str(), 0755), 0) << d;
  Cgroup c;
  c.pids = 16;
  {
    SandboxCgroup cg = make(c);
    EXPECT_FALSE(fs::exists(stale));
  }
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
  ::rmdir(live.c_str());
  ::rmdir(other.c_str());
  ::rmdir(stale.c_str());
}

}  // namespace
}  // namespace cordon::launcher
