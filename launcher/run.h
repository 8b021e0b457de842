// cordon run: the supervisor. Creates the sandbox from a Plan, starts the app in it, forwards
// signals, enforces walltime, and returns the exit status cordon should exit with.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "launcher/plan.h"
#include "launcher/spec.h"
#include "launcher/trust.h"

namespace cordon::launcher {

// Exit statuses besides the app's own (env(1), podman and docker use the same).
inline constexpr int kExitLaunchFailed = 125;
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;

struct RunOptions {
  LaunchOptions launch;
  int json_status_fd = -1;  // one JSON object per line: "start", then "exit"
  // The sandbox registry (registry.h): where to record this sandbox ("" for nowhere) and what
  // `cordon audit` needs to compile its policy again.
  std::string registry_dir;
  std::map<std::string, std::string> vars;
  std::vector<std::string> search_path;
  // Folders the next launch trusts besides the plan's policy files (the plan cache); they,
  // the policy files and the registry folder must be out of the app's reach (trust.h).
  std::vector<TrustedPath> trusted;
};

// Runs the app; prints warnings and failures to stderr as `cordon: …` lines. Returns the
// app's exit status, 128+N if it died of signal N, or 125/126/127.
int run(const Plan& plan, const RunOptions& opts);

}  // namespace cordon::launcher
