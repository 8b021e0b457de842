// cordon check --fidelity: the rows a Plan gives for a kernel and a trial launch, from facts
// given here (the real probes and trial run in e2e.check_fidelity, as root and uid 65534).
#include "cli/fidelity.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

using State = FidelityRow::State;

launcher::Plan plan_of(const std::string& body) {
  auto c = testing::compile_text("cordon 1\n" + body);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? *c.plan : launcher::Plan{};
}

const FidelityRow* row(const std::vector<FidelityRow>& rows, const std::string& clause,
                       const std::string& mechanism_prefix) {
  for (const auto& r : rows)
    if (r.clause == clause && r.mechanism.starts_with(mechanism_prefix)) return &r;
  ADD_FAILURE() << "no row " << clause << " / " << mechanism_prefix;
  return nullptr;
}

HostFacts kernel_with_abi(long abi) {
  HostFacts h;
  h.kernel = "test";
  h.landlock_abi = abi;
  h.seccomp_actions = {"kill_process", "kill_thread", "trap", "errno",
                       "user_notif",   "trace",       "log",  "allow"};
  return h;
}

constexpr const char* kPolicy =
    "filesystem {\n  ro /usr\n  rw /tmp\n  proc\n}\n"
    "network none\n"
    "limits { memory 64M cpu 0.5 nofile 64 }\n"
    "devices allow null\n"
    "syscalls { default errno EPERM\n allow read write exit_group }\n";

TEST(Fidelity, EveryLayerHoldsOnANewKernelWithACgroup) {
  auto p = plan_of(kPolicy);
  Trial t;
  t.cgroup_version = 2;
  t.cgroup_paths = {"/sys/fs/cgroup/cordon-1"};
  t.placed = {"memory", "cpu", "devices"};
  auto rows = fidelity_rows(p, kernel_with_abi(7), t);
  for (const auto& r : rows)
    EXPECT_NE(r.state, State::kNo) << r.clause << " / " << r.mechanism << ": " << r.note;
  EXPECT_EQ(row(rows, "ro /usr", "mount")->state, State::kYes);
  EXPECT_EQ(row(rows, "ro /usr", "Landlock ABI 7")->state, State::kYes);
  EXPECT_EQ(row(rows, "network none", "Landlock TCP")->state, State::kYes);
  EXPECT_EQ(row(rows, "limits memory 64M", "cgroup v2")->note, "/sys/fs/cgroup/cordon-1");
  EXPECT_EQ(row(rows, "devices allow null", "cgroup v2 device program")->state, State::kYes);
  EXPECT_EQ(row(rows, "syscalls (default errno EPERM)", "seccomp filter")->state, State::kYes);
}

TEST(Fidelity, AnOldKernelAndNoCgroupSayWhatIsLostAndWhy) {
  auto p = plan_of(kPolicy);
  Trial t;  // unprivileged: no cgroup; the device list refuses the launch
  t.cgroup_refused = true;
  t.refusal = "cgroup: devices allow null (at t.cordon:9:1) cannot be enforced: EACCES";
  auto rows = fidelity_rows(p, kernel_with_abi(2), t);
  // ABI 2 knows no truncate: a read-only entry cannot deny it.
  const auto* usr = row(rows, "ro /usr", "Landlock ABI 2");
  EXPECT_EQ(usr->state, State::kPartly);
  EXPECT_NE(usr->note.find("truncate"), std::string::npos) << usr->note;
  EXPECT_EQ(row(rows, "network none", "Landlock TCP")->state, State::kNo);
  EXPECT_EQ(row(rows, "network none", "network namespace")->state, State::kYes);
  EXPECT_EQ(row(rows, "limits memory 64M", "cgroup")->state, State::kPartly);  // RLIMIT_AS
  EXPECT_EQ(row(rows, "limits cpu 0.5", "cgroup")->state, State::kNo);         // nothing
  const auto* dev = row(rows, "devices allow null", "cgroup device controller");
  EXPECT_EQ(dev->state, State::kNo);
  EXPECT_EQ(dev->note, *t.refusal);
  std::string text = render_fidelity("t.cordon", rows, kernel_with_abi(2), t);
  EXPECT_NE(text.find("cordon run here: refused (exit 125): cordon: cgroup: devices allow null"),
            std::string::npos)
      << text;
}

TEST(Fidelity, NoLandlockSharedMountsAndMissingActions) {
  auto p = plan_of(
      "share mnt\nfilesystem {\n  ro /usr\n}\nsyscalls { default allow\n notify ptrace }\n");
  HostFacts h = kernel_with_abi(-EOPNOTSUPP);
  h.seccomp_actions.erase("user_notif");
  auto rows = fidelity_rows(p, h, Trial{});
  EXPECT_EQ(row(rows, "ro /usr", "mount")->state, State::kNo);  // the mount namespace is shared
  const auto* ll = row(rows, "ro /usr", "Landlock");
  EXPECT_EQ(ll->state, State::kNo);
  EXPECT_NE(ll->note.find("EOPNOTSUPP"), std::string::npos) << ll->note;
  const auto* sc = row(rows, "syscalls (default allow)", "seccomp filter");
  EXPECT_EQ(sc->state, State::kNo);
  EXPECT_NE(sc->note.find("user_notif"), std::string::npos) << sc->note;
}

// Nested user namespaces and the supervisor's answer to execveat have rows of their own.
TEST(Fidelity, NestedUsernsAndExecMediationAreNamed) {
  auto closed = plan_of("syscalls {\n  default errno EPERM\n  errno EACCES execveat\n}\n");
  auto rows = fidelity_rows(closed, kernel_with_abi(7), Trial{});
  const auto* userns = row(rows, "nested-userns deny", "user.max_user_namespaces 0");
  ASSERT_TRUE(userns);
  EXPECT_EQ(userns->state, State::kYes);
  const auto* exec = row(rows, "execveat: errno EACCES", "execveat answered by cordon's");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->state, State::kYes);
  EXPECT_EQ(exec->origin, "t.cordon:4:3");

  auto open = plan_of("nested-userns allow\nsyscalls {\n  allow execveat\n}\n");
  rows = fidelity_rows(open, kernel_with_abi(7), Trial{});
  const auto* allowed = row(rows, "nested-userns allow", "user.max_user_namespaces 0");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->state, State::kNotApplicable);
  for (const auto& r : rows) EXPECT_FALSE(r.clause.starts_with("execveat")) << r.clause;
}

TEST(Fidelity, UnprivilegedWithoutUserNamespacesIsNamed) {
  auto p = plan_of("name \"x\"\n");
  HostFacts h = kernel_with_abi(7);
  h.euid = 1000;
  h.userns = false;
  h.userns_why = "unshare(CLONE_NEWUSER): EPERM";
  auto rows = fidelity_rows(p, h, Trial{});
  const auto* ns = row(rows, "namespaces user pid mount net ipc uts cgroup", "clone3");
  EXPECT_EQ(ns->state, State::kNo);
  EXPECT_NE(ns->note.find("EPERM"), std::string::npos);
  auto j = fidelity_json("t.cordon", rows, h, Trial{});
  EXPECT_EQ(j["run"]["starts"], true);
  EXPECT_EQ(j["rows"][0]["state"], "no");
}

}  // namespace
}  // namespace cordon::cli
