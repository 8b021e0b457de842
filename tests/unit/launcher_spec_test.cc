// prepare_spec: what the parent decides before clone, checked without starting a sandbox.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "launcher/landlock_abi.h"
#include "launcher/spec.h"
#include "tests/unit/test_util.h"

namespace cordon::launcher {
namespace {

Plan plan_of(const std::string& text) {
  auto r = testing::compile_text(text);
  EXPECT_TRUE(r.plan.has_value()) << r.rendered();
  return r.plan ? *r.plan : Plan{};
}

Spec spec_of(const Plan& plan, std::vector<std::string> cmd,
             std::vector<std::string>* warnings = nullptr, std::vector<int> pass = {}) {
  std::vector<std::string> w;
  LaunchOptions o;
  o.command = std::move(cmd);
  o.pass_fds = std::move(pass);
  auto s = prepare_spec(plan, o, warnings ? *warnings : w);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message());
  return s ? std::move(*s) : Spec{};
}

TEST(LauncherSpec, MountsAreOrderedParentsFirstAndSymlinksAreReplicated) {
  Plan p = plan_of(
      "cordon 1\nfilesystem {\n  ro /usr/share/doc\n  tmpfs /usr size 1M\n  ro /bin\n  proc\n}\n");
  Spec s = spec_of(p, {"true"});
  std::vector<std::string> order;
  for (const auto& m : s.mounts) order.push_back(m.path);
  auto pos = [&](const std::string& x) {
    return std::find(order.begin(), order.end(), x) - order.begin();
  };
  EXPECT_LT(pos("/usr"), pos("/usr/share/doc"));
  std::error_code ec;
  const bool bin_is_link = std::filesystem::is_symlink("/bin", ec);
  auto bin =
      std::find_if(s.mounts.begin(), s.mounts.end(), [](auto& m) { return m.path == "/bin"; });
  ASSERT_NE(bin, s.mounts.end());
  EXPECT_EQ(bin->kind == MountOp::kSymlink, bin_is_link);
  if (bin_is_link) {
    EXPECT_EQ(bin->link_target, std::filesystem::read_symlink("/bin").string());
  }
  EXPECT_EQ(s.source_fds.size(), s.mounts.size());
}

TEST(LauncherSpec, MissingRequiredBindIsRefusedBeforeCloneOptionalIsSkipped) {
  Plan p = plan_of("cordon 1\nfilesystem { ro? /nonexistent/a\n ro /usr }\n");
  Spec s = spec_of(p, {"true"});
  for (const auto& m : s.mounts) EXPECT_NE(m.path, "/nonexistent/a");
  Plan bad = plan_of("cordon 1\nfilesystem { ro /nonexistent/b }\n");
  std::vector<std::string> w;
  auto r = prepare_spec(bad, LaunchOptions{{"true"}, {}, false}, w);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "mount /nonexistent/b: ENOENT");
}

TEST(LauncherSpec, EnvironmentIsClearedKeptAndSet) {
  setenv("CORDON_TEST_SECRET", "s3cret", 1);
  setenv("LANG", "C.UTF-8", 1);
  Plan p = plan_of("cordon 1\nenv {\n  clear\n  keep LANG\n  set BAR=1\n}\n");
  Spec s = spec_of(p, {"true"});
  std::vector<std::string> env(s.envp_storage.begin(), s.envp_storage.end());
  EXPECT_EQ(env, (std::vector<std::string>{"BAR=1", "LANG=C.UTF-8"}));
  ASSERT_EQ(s.envp.size(), 3u);
  EXPECT_EQ(s.envp.back(), nullptr);
}

TEST(LauncherSpec, CommandIsSearchedInTheSandboxPath) {
  Plan p = plan_of("cordon 1\nenv {\n  clear\n  set PATH=/opt/x:relative::/usr/bin\n}\n");
  Spec s = spec_of(p, {"tool", "-v"});
  EXPECT_EQ(s.candidates, (std::vector<std::string>{"/opt/x/tool", "/usr/bin/tool"}));
  EXPECT_STREQ(s.argv[0], "tool");
  EXPECT_STREQ(s.argv[1], "-v");
  EXPECT_EQ(s.argv[2], nullptr);
  Spec direct = spec_of(p, {"./run.sh"});
  EXPECT_EQ(direct.candidates, (std::vector<std::string>{"./run.sh"}));
}

TEST(LauncherSpec, PassedFdsMustBeOpenAndAboveTwo) {
  Plan p = plan_of("cordon 1\n");
  std::vector<std::string> w;
  auto closed = prepare_spec(p, LaunchOptions{{"true"}, {999}, false}, w);
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().message(), "pass-fd 999: EBADF");
  auto low = prepare_spec(p, LaunchOptions{{"true"}, {1}, false}, w);
  ASSERT_FALSE(low.has_value());
  int fd = open("/dev/null", O_RDONLY);
  Spec s = spec_of(p, {"true"}, nullptr, {fd, fd});
  EXPECT_EQ(s.pass_fds, std::vector<int>{fd});
  close(fd);
}

TEST(LauncherSpec, RlimitAboveTheHardLimitIsClampedWithAWarning) {
  rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  if (old.rlim_max == RLIM_INFINITY || old.rlim_max > 1u << 30)
    GTEST_SKIP() << "no finite hard limit";
  Plan p = plan_of(fmt::format("cordon 1\nlimits {{ nofile {} }}\n", old.rlim_max * 2));
  std::vector<std::string> w;
  Spec s = spec_of(p, {"true"}, &w);
  ASSERT_EQ(s.rlimits.size(), 1u);
  EXPECT_EQ(s.rlimits[0].value, old.rlim_max);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("above the caller's hard limit"), std::string::npos) << w[0];
}

TEST(LauncherSpec, LandlockUsesTheKernelsAbiAndRefusesARequirementAboveIt) {
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1) GTEST_SKIP() << "Landlock not available";
  Plan p = plan_of("cordon 1\nfilesystem { ro /usr }\nlandlock { connect tcp 443 }\n");
  Spec s = spec_of(p, {"true"});
  EXPECT_EQ(s.landlock_abi, abi);
  EXPECT_EQ(s.landlock_fs & ~landlock::fs_rights_for_abi(static_cast<int>(abi)), 0u);
  if (abi >= 4) {
    ASSERT_EQ(s.landlock_ports.size(), 1u);
    EXPECT_EQ(s.landlock_ports[0].first, 443);
  }
  Plan too_new =
      plan_of(fmt::format("cordon 1\nfilesystem {{ ro /usr }}\nrequire landlock {}\n", abi + 1));
  std::vector<std::string> w;
  auto r = prepare_spec(too_new, LaunchOptions{{"true"}, {}, false}, w);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("requires Landlock ABI"), std::string::npos);
}

TEST(LauncherSpec, MacLabelOnAKernelWithoutTheLsmIsRefusedUnlessOptional) {
  if (access("/sys/kernel/security/apparmor", F_OK) == 0) GTEST_SKIP() << "AppArmor is on";
  std::vector<std::string> w;
  auto r = prepare_spec(plan_of("cordon 1\nmac { apparmor cordon-x }\n"),
                        LaunchOptions{{"true"}, {}, false}, w);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("AppArmor is not enabled"), std::string::npos);
  auto ok = prepare_spec(plan_of("cordon 1\nmac { apparmor cordon-x optional }\n"),
                         LaunchOptions{{"true"}, {}, false}, w);
  EXPECT_TRUE(ok.has_value());
  ASSERT_FALSE(w.empty());
  EXPECT_NE(w.back().find("optional"), std::string::npos);
}

// A root caller's ids: root's /etc/subuid and /etc/subgid entries, else the documented default
// range, which must not collide with another user's; never a range holding host id 0.
TEST(LauncherSpec, RootIdRangeComesFromSubidsElseTheDefault) {
  auto none = choose_id_range("", "");
  ASSERT_TRUE(none.has_value()) << none.error().message();
  EXPECT_EQ(none->uid_base, kDefaultIdBase);
  EXPECT_EQ(none->gid_base, kDefaultIdBase);
  EXPECT_EQ(none->count, kDefaultIdCount);

  auto own = choose_id_range("alice:100000:65536\nroot:200000:65536\nroot:300000:65536\n",
                             "# comment\n0:400000:1000\n");
  ASSERT_TRUE(own.has_value()) << own.error().message();
  EXPECT_EQ(own->uid_base, 200000u);  // root's first entry
  EXPECT_EQ(own->gid_base, 400000u);  // "0" names root too
  EXPECT_EQ(own->count, 1000u);       // the shorter of the two
  EXPECT_NE(own->origin.find("root's entry in /etc/subgid"), std::string::npos) << own->origin;

  auto clash = choose_id_range("bob:1878900000:100000\n", "");
  ASSERT_FALSE(clash.has_value());
  EXPECT_NE(clash.error().message().find("overlaps bob's entry in /etc/subuid"), std::string::npos)
      << clash.error().message();

  EXPECT_FALSE(choose_id_range("root:0:65536\n", "").has_value());
}

// Run by root (as the unit tests are here), `identity` is an offset into that range: the maps
// never name host id 0, and an identity beyond the range is refused before clone.
TEST(LauncherSpec, RootCallerMapsARangeNotHostRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  Spec s = spec_of(plan_of("cordon 1\nidentity uid 65534 gid 65534\n"), {"true"});
  ASSERT_GT(s.host_ids.count, 65534u);
  EXPECT_EQ(s.uid_map, fmt::format("0 {} {}\n", s.host_ids.uid_base, s.host_ids.count));
  EXPECT_EQ(s.gid_map, fmt::format("0 {} {}\n", s.host_ids.gid_base, s.host_ids.count));
  EXPECT_NE(s.host_ids.uid_base, 0u);
  std::vector<std::string> w;
  auto r = prepare_spec(plan_of("cordon 1\nidentity uid 70000 gid 0\n"),
                        LaunchOptions{{"true"}, {}, false}, w);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("identity uid 70000 gid 0 is outside"), std::string::npos)
      << r.error().message();
}

TEST(LauncherSpec, CapabilitiesBecomeABitmask) {
  Spec s = spec_of(plan_of("cordon 1\ncapabilities keep NET_BIND_SERVICE CAP_KILL\n"), {"true"});
  EXPECT_EQ(s.caps_keep, (1ULL << 10) | (1ULL << 5));
}

}  // namespace
}  // namespace cordon::launcher

namespace cordon::launcher {
namespace {

// A Plan built in memory (not only one read from JSON) with an empty or relative mount path is
// refused with a message, not an exception from substr.
TEST(LauncherSpec, MountPathMustBeAbsolute) {
  for (const char* path : {"", "relative", "/a/../b"}) {
    Plan p;
    p.mounts.push_back(Mount{"tmpfs", path});
    std::vector<std::string> w;
    auto r = prepare_spec(p, LaunchOptions{{"true"}, {}, false}, w);
    ASSERT_FALSE(r.has_value()) << path;
    EXPECT_NE(r.error().message().find("not an absolute normalised path"), std::string::npos);
  }
}

}  // namespace
}  // namespace cordon::launcher
