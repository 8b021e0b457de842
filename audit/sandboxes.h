// Which sandbox a denial came from, by the registry the launcher keeps (launcher/registry.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/denial.h"
#include "launcher/registry.h"

namespace cordon::audit {

struct SandboxMatch {
  const launcher::SandboxRecord* record = nullptr;
  // How it was decided: "pid" (the sandbox's PID 1 or app), "pid namespace" (a live process
  // seen in the sandbox's namespace) or "time" (the only sandbox running then whose PID 1 is
  // older than the process; a likely match, not a proof).
  std::string how;
};

// `pid_ns_of(pid)` gives the PID-namespace inode of a live process (nullopt when it is gone);
// `now` stands for the end of sandboxes still running. `records` must be newest first
// (newest_first()): the first that matches wins.
std::optional<SandboxMatch> match_sandbox(const Denial& d,
                                          const std::vector<launcher::SandboxRecord>& records,
                                          double now,
                                          std::optional<uint64_t> (*pid_ns_of)(int64_t pid));

// Sorts records newest first (by start), as match_sandbox() reads them.
void newest_first(std::vector<launcher::SandboxRecord>& records);

// The PID-namespace inode of a live process, from /proc/PID/ns/pid.
std::optional<uint64_t> live_pid_ns(int64_t pid);

// The registry directories `cordon audit` reads: the caller's own, and for root also
// /run/cordon and every /run/user/*/cordon.
std::vector<std::string> registry_dirs_to_read();

}  // namespace cordon::audit
