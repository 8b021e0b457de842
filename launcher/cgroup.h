// Per-sandbox cgroups: memory, pids and cpu limits from the Plan.
//
// A sandbox's cgroup is always created beneath the caller's own cgroup in each hierarchy (read
// from /proc/self/cgroup), never elsewhere: every limit of the parent stays in force, which is
// what nested and delegated setups need. Only directories this object created are written to or
// removed; cgroups it did not create are left untouched.
//
// Where the limits go, in order of preference:
//   1. cgroup v2, when every needed controller is enabled in (or can be enabled for) the
//      caller's cgroup's subtree and the caller may create a child there (root, or a delegated
//      subtree the user owns). The child enters with CLONE_INTO_CGROUP (clone_into_fd()).
//      A caller alone in its cgroup first moves itself into a leaf beneath it (SupervisorMove).
//   2. cgroup v1, one directory per hierarchy (memory, pids, cpu), when the caller may create
//      them (root on this kind of machine). The supervisor attaches the child before releasing
//      it (attach()).
//   3. Neither: the nearest rlimits (memory → RLIMIT_AS, pids → RLIMIT_NPROC; cpu has none)
//      and a warning naming every limit that is not enforced — or, when the policy says
//      `require cgroup`, a refusal.
// v2 and v1 are never mixed (the child enters one or the other): v1 is tried only when v2
// cannot hold every limit, and whichever holds more limits is kept (v2 on a tie). Within the
// chosen version each limit falls back on its own, so a missing hierarchy costs only its own
// limit. A limit whose files refuse it leaves no directory behind; a refusal (`required`)
// removes everything created.
// This runs in the parent, before clone: it may allocate and throw nothing past Result.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "launcher/plan.h"

namespace cordon::launcher {

// Where to look; tests point these at fixture text or a scratch tree.
struct CgroupHost {
  std::string proc_self_cgroup = "/proc/self/cgroup";
  std::string mountinfo = "/proc/self/mountinfo";
  uid_t euid = static_cast<uid_t>(-1);  // -1: geteuid()
  pid_t pid = 0;                        // 0: getpid() (the supervisor, who may move itself)
};

// cgroup v2 forbids controllers in the subtree of a cgroup holding processes. When cordon is
// the only process of its (non-root) cgroup — a systemd unit or scope with Delegate=yes — it
// moves itself into a leaf "<name>-supervisor" beneath it and enables the controllers there;
// undo() disables what it enabled, moves back and removes the leaf, each as far as it can.
struct SupervisorMove {
  std::string parent, leaf;
  std::string enabled;  // "+memory +pids" written to parent's cgroup.subtree_control
  pid_t pid = 0;
  bool active() const { return !leaf.empty(); }
  void undo();
};

class SandboxCgroup {
 public:
  // Creates the cgroup directories (named `name`, e.g. "cordon-<pid>-<n>") and writes the
  // limits. No limits in `limits` → version 0, nothing created. `required` is the policy's
  // `require cgroup`: when no cgroup can hold the limits, this fails instead of falling back.
  static Result<SandboxCgroup> create(const Cgroup& limits, bool required, std::string_view name,
                                      const CgroupHost& host = {});

  SandboxCgroup() = default;
  SandboxCgroup(SandboxCgroup&& other) noexcept;
  SandboxCgroup& operator=(SandboxCgroup&& other) noexcept;
  SandboxCgroup(const SandboxCgroup&) = delete;
  SandboxCgroup& operator=(const SandboxCgroup&) = delete;
  ~SandboxCgroup();  // remove()

  // 2: one v2 cgroup (clone_into_fd() is valid); 1: v1 directories (attach() places the
  // child); 0: no cgroup (no limits, or all fell back).
  int version() const { return version_; }
  // Directories created (absolute), one per v1 hierarchy or the single v2 one.
  const std::vector<std::string>& paths() const { return paths_; }
  // v2: an O_DIRECTORY fd of the sandbox cgroup for clone3's CLONE_INTO_CGROUP; else -1.
  int clone_into_fd() const { return v2_fd_; }
  // v1 (or v2 when clone3 could not place the child): writes pid to cgroup.procs of each.
  Result<void> attach(pid_t pid) const;
  // Limits that could not be placed in a cgroup, as rlimits the child sets instead.
  const std::vector<Rlimit>& fallback_rlimits() const { return fallback_; }
  // One line per limit not in a cgroup, e.g. "cgroup: memory 512M not enforced by a cgroup (no
  // writable cgroup: create /sys/fs/cgroup/memory/x/cordon-1: EACCES); using RLIMIT_AS instead".
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The limits a cgroup holds, by kind: "memory", "pids", "cpu", "devices".
  const std::vector<std::string>& placed() const { return placed_; }
  // OOM kills inside the sandbox so far (v2 memory.events oom_kill, v1 memory.oom_control
  // oom_kill); 0 when there is no memory cgroup.
  uint64_t oom_kills() const;
  // Removes the directories created (and any the sandbox created inside them), SIGKILLing
  // what still runs in them and retrying for up to ~1 s while the last tasks are reaped. A
  // directory still busy after that stays in paths() for a later call. Idempotent.
  void remove();

 private:
  int version_ = 0;
  std::vector<std::string> paths_;
  std::string memory_path_;
  int v2_fd_ = -1;
  SupervisorMove moved_;
  std::vector<Rlimit> fallback_;
  std::vector<std::string> warnings_;
  std::vector<std::string> placed_;
};

// A size as a policy writes it: 512M, 1G, 4K, or bytes.
std::string size_text(uint64_t v);

// Exposed for tests: the caller's cgroup path in the hierarchy holding `controller` ("" for
// the v2 unified hierarchy), and the absolute directory of that cgroup in this mount namespace.
struct CgroupLocation {
  int version = 0;
  std::string dir;  // e.g. /sys/fs/cgroup/memory/process_api/abc
};
Result<CgroupLocation> locate_cgroup(std::string_view controller, std::string_view proc_self_cgroup,
                                     std::string_view mountinfo);

}  // namespace cordon::launcher
