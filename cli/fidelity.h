// cordon check --fidelity: which mechanism enforces each clause of a policy on this kernel, for
// this caller, and what `cordon run` would do here.
//
// Each clause of the Plan (a filesystem entry, the network, a limit, the device list, a MAC
// label…) is enforced by one or more layers: a `ro` line is a read-only bind AND a Landlock
// rule (AND an AppArmor rule under `apparmor generate`). For each layer the table says whether
// it holds here — from the kernel's own answers (Landlock's ABI, seccomp's actions_avail, the
// LSM list, a user namespace tried in a child) and from a trial of the launch itself: the
// sandbox's cgroup is created with its limits and removed again, and the launch spec is
// prepared as `cordon run` prepares it (nothing is loaded, no process is started), so its
// warnings and refusal are the ones a run would print.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "launcher/plan.h"

namespace cordon::cli {

// What the kernel and the caller offer.
struct HostFacts {
  uid_t euid = 0;
  std::string kernel;     // uname release
  long landlock_abi = 0;  // > 0, or -errno (EOPNOTSUPP: off, ENOSYS: not built)
  bool userns = true;     // an unprivileged user namespace can be made (root: always)
  std::string userns_why;
  std::set<std::string> seccomp_actions;  // /proc/sys/kernel/seccomp/actions_avail
  bool apparmor = false, selinux = false;
};
HostFacts probe_host();

// What `cordon run` would do here, tried without starting anything.
struct Trial {
  int cgroup_version = 0;
  std::vector<std::string> cgroup_paths;
  std::vector<std::string> placed;  // limits a cgroup holds: memory pids cpu devices
  std::vector<std::string> warnings;
  std::optional<std::string> refusal;  // the one line cordon run would stop with
  bool cgroup_refused = false;         // the refusal is the cgroup stage's
};
Trial trial_launch(const launcher::Plan& plan);

struct FidelityRow {
  std::string clause;     // "ro /usr", "limits memory 256M", "network none"
  std::string origin;     // FILE:LINE:COL, or "(built-in)"
  std::string mechanism;  // "mount: read-only bind", "Landlock ABI 7", "cgroup v1"
  enum class State { kYes, kPartly, kNo, kNotApplicable } state = State::kYes;
  std::string note;  // why not, or what instead
};
const char* state_name(FidelityRow::State s);

std::vector<FidelityRow> fidelity_rows(const launcher::Plan& plan, const HostFacts& host,
                                       const Trial& trial);

std::string render_fidelity(const std::string& path, const std::vector<FidelityRow>& rows,
                            const HostFacts& host, const Trial& trial);
nlohmann::json fidelity_json(const std::string& path, const std::vector<FidelityRow>& rows,
                             const HostFacts& host, const Trial& trial);

}  // namespace cordon::cli
