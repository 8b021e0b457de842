// The launch spec: a Plan turned, in the parent, into exactly what the child will need.
//
// After clone the child neither allocates nor throws nor writes to stdio (STYLE.md): every
// string it passes to the kernel, every array, every number is computed here first, and the
// child only reads this structure (and fills the preallocated fd slots). A failure in the
// child is one `Report` {stage, errno, index} over a pipe; the parent turns it into a message
// using this same spec to name the object (`cordon: mount /var/lib/redis: ENOENT`).
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "launcher/plan.h"

namespace cordon::launcher {

// Every stage of the launch, in the order the DESIGN lists them. The names are what a user
// reads in `cordon: <stage> <object>: <ERRNO>`.
enum class Stage : int32_t {
  kNone = 0,
  kWaitParent,
  kCgroupNs,
  kMountPrivate,
  kMountSource,
  kNewRoot,
  kMount,
  kPivotRoot,
  kHostname,
  kLoopback,
  kNestedUserns,
  kMemfdNoexec,
  kFork,
  kFindCommand,
  kRlimit,
  kCloseFds,
  kSetsid,
  kPdeathsig,
  kCapabilities,
  kSetIds,
  kNoNewPrivs,
  kMac,
  kLandlock,
  kSeccomp,
  kSeccompListener,
  kExec,
  kInitHardening,  // PID 1 after the fork: fds, no_new_privs, dumpable, capabilities
};
const char* stage_name(Stage s);

// What the child sends the parent; small enough for an atomic pipe write.
struct Report {
  // kListener: the app is about to load its filter, whose listener will be its fd `index`
  // (the supervisor takes it with pidfd_getfd). kExecRetry: cordon's own execveat of the app
  // failed (ENOENT: a script) and is made once more, which the supervisor lets through too.
  enum Kind : int32_t {
    kFailure = 1,
    kExitStatus = 2,
    kAppStarted = 3,
    kListener = 4,
    kExecRetry = 5
  };
  int32_t kind = 0;
  Stage stage = Stage::kNone;
  int32_t err = 0;
  int32_t index = -1;   // which mount, rlimit, capability, path… (-1: none)
  int32_t status = 0;   // kExitStatus: the app's wait status
  int32_t app_pid = 0;  // kExitStatus, kAppStarted: the app's pid inside the sandbox
};

// Report::index of a Stage::kMac failure: the step that failed.
enum MacStep : int32_t { kMacAppArmor = 0, kMacSelinux = 1, kMacProcfs = 2 };

struct MountOp {
  enum Kind { kBind, kTmpfs, kProc, kDev, kSymlink };
  Kind kind = kBind;
  std::string path;  // absolute, in the sandbox (a bind's host path is the same)
  std::string rel;   // `path` without the leading '/', for *at() calls beneath the new root
  bool optional = false;
  bool readonly = false;
  bool noexec = false;
  std::string size, mode;   // tmpfs options as the kernel reads them ("67108864", "1777")
  std::string link_target;  // kSymlink: the host symlink's content, replicated in the sandbox
  int plan_index = -1;      // into Plan::mounts, for messages
};

struct LandlockRule {
  std::string path;  // in the sandbox, opened without following symlinks
  uint64_t access = 0;
  bool optional = false;
  int plan_index = -1;
};

struct RlimitOp {
  int resource = 0;
  uint64_t value = 0;
  std::string name;
};

// The host ids a root caller's sandbox runs under instead of host root: inside id i is host id
// base + i, for i below count (docs/launcher.md, "Ids"). From root's entry in /etc/subuid and
// /etc/subgid, else kDefaultIdBase.
struct IdRange {
  uint32_t uid_base = 0, gid_base = 0, count = 0;
  std::string origin;  // where it came from, for messages
};
// The default range: 65536 ids at the top of the ranges systemd gives containers
// (0x80000-0x6FFFFFFF, systemd's UIDS-GIDS.md), far from useradd's /etc/subuid allocations.
inline constexpr uint32_t kDefaultIdBase = 0x6FFE0000;  // 1878917120
inline constexpr uint32_t kDefaultIdCount = 65536;

// Picks root's range from the text of /etc/subuid and /etc/subgid ("name:start:count" lines;
// root is "root" or "0"); without an entry for root in either, the default range, which must
// then not overlap another user's entry. Both ranges are cut to one length: the shorter one.
Result<IdRange> choose_id_range(std::string_view subuid, std::string_view subgid);

// The device nodes a minimal /dev binds from the host.
inline constexpr const char* kDevNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
inline constexpr int kDevNodeCount = 6;

struct Spec {
  // Namespaces (clone flags) and ids.
  uint64_t clone_flags = 0;
  bool new_cgroup_ns = false;
  bool pid_init = false;      // a new PID namespace: our PID 1 forks the app and reaps
  uint32_t uid = 0, gid = 0;  // inside
  std::string uid_map, gid_map;
  // A root caller's sandbox (count > 0): ids from this range, never host root. setgroups is
  // allowed so that the child can drop root's supplementary groups, and the bind sources are
  // opened and cloned by the parent (clone_bind_sources).
  IdRange host_ids;

  // Filesystem.
  bool build_root = false;
  std::vector<MountOp> mounts;   // parents first
  std::string staging = "/tmp";  // where the new root is assembled before pivot_root
  std::string cwd;               // the caller's, if it exists in the sandbox; else "/"

  std::string hostname;
  bool loopback_up = false;
  // user.max_user_namespaces := 0 in the sandbox's user namespace (no `nested-userns allow`).
  bool no_nested_userns = false;

  std::vector<RlimitOp> rlimits;
  std::vector<int> pass_fds;  // sorted

  // Exec: candidate paths for the command, in PATH order; argv/envp as the kernel wants them.
  std::string command;
  std::vector<std::string> candidates;
  std::vector<std::string> argv_storage, envp_storage;
  std::vector<char*> argv, envp;

  // Capabilities: bounding set to keep (bit per cap), last cap the kernel knows.
  uint64_t caps_keep = 0;
  int cap_last = 40;

  bool no_new_privs = true;
  // The MAC stage: set for the app's exec with aa_change_onexec / setexeccon, through a procfs
  // the child verifies first (mac.h).
  std::string apparmor_exec;        // the profile to enter at exec, or ""
  bool apparmor_generated = false;  // apparmor_exec is the policy's generated profile
  std::string selinux_exec;         // the context to enter at exec, or ""

  // Landlock: what this kernel can enforce, already narrowed to its ABI.
  int landlock_abi = 0;  // 0: not applied
  uint64_t landlock_fs = 0, landlock_net = 0, landlock_scoped = 0;
  uint32_t landlock_flags = 0;
  std::vector<LandlockRule> landlock_rules;
  std::vector<std::pair<uint16_t, uint64_t>> landlock_ports;  // port, access

  std::vector<sock_filter> seccomp;
  uint32_t seccomp_flags = 0;
  // The filter answers execveat with USER_NOTIF (Plan::seccomp.exec_mediation): it is loaded
  // with a listener, which the supervisor takes and answers.
  bool seccomp_listener = false;
  uint32_t exec_ret = 0;                           // the policy's own action for execveat
  std::vector<std::pair<uint32_t, int>> exec_nrs;  // (AUDIT_ARCH_*, execveat's number there)
  // vm.memfd_noexec := 2 in the sandbox's PID namespace (PID 1 is host root: root callers).
  bool memfd_noexec = false;

  // Source fds per mount: O_PATH fds opened by the child in its own memory copy, or, when
  // sources_cloned, detached mounts the parent made before clone (inherited through clone3).
  // /dev node fds: always the child's.
  std::vector<int> source_fds;
  bool sources_cloned = false;
  int dev_fds[kDevNodeCount] = {-1, -1, -1, -1, -1, -1};
};

struct LaunchOptions {
  std::vector<std::string> command;  // argv; [0] found through PATH in the sandbox
  std::vector<int> pass_fds;
  bool verbose = false;
  // Limits no cgroup could hold, as rlimits (SandboxCgroup::fallback_rlimits); where the Plan
  // sets the same resource, the lower value wins.
  std::vector<Rlimit> fallback_rlimits;
  // cordon check --fidelity: decide everything, change nothing (no AppArmor profile is loaded).
  bool dry_run = false;
  // Directory fds to keep open too, passed knowingly (--pass-dir-fd): through one the app
  // reaches everything beneath it, past the mounts, and past Landlock for what it has no right
  // for (chmod, chown, utimes, connect() to unix sockets). A directory in pass_fds is refused.
  std::vector<int> pass_dir_fds;
};

// Builds the Spec for `plan`. Warnings (a Landlock right this kernel cannot enforce, a rlimit
// clamped to the hard limit…) are appended to `warnings`; a `require` the kernel cannot meet
// is an error.
Result<Spec> prepare_spec(const Plan& plan, const LaunchOptions& opts,
                          std::vector<std::string>& warnings);

// The child side (child.cc). Runs in the new namespaces after clone; never returns.
[[noreturn]] void child_main(Spec& spec, int report_fd, int go_fd);

}  // namespace cordon::launcher
