#include "audit/sandboxes.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace cordon::audit {

namespace {

// Audit timestamps have millisecond resolution and the supervisor records its times around,
// not exactly at, the sandbox's start and end.
constexpr double kSlack = 1.0;

bool running_at(const launcher::SandboxRecord& r, double t, double now) {
  return t >= r.start - kSlack && t <= r.end.value_or(now) + kSlack;
}

}  // namespace

std::optional<uint64_t> live_pid_ns(int64_t pid) {
  struct stat st;
  if (stat(fmt::format("/proc/{}/ns/pid", pid).c_str(), &st) != 0) return std::nullopt;
  return st.st_ino;
}

std::optional<SandboxMatch> match_sandbox(const Denial& d,
                                          const std::vector<launcher::SandboxRecord>& records,
                                          double now,
                                          std::optional<uint64_t> (*pid_ns_of)(int64_t)) {
  if (!d.pid) return std::nullopt;
  const int64_t pid = *d.pid;
  // Without a time, pids alone could name a sandbox of long ago: only a live process counts.
  const bool timed = d.time > 0;
  if (timed && std::none_of(records.begin(), records.end(),
                            [&](const auto& r) { return running_at(r, d.time, now); }))
    return std::nullopt;  // no sandbox ran then (most of an old log): no /proc lookups
  for (const auto& r : records) {
    if (timed && !running_at(r, d.time, now)) continue;
    if (timed && (pid == r.host_pid || (r.app_pid && pid == *r.app_pid)))
      return SandboxMatch{&r, "pid"};
  }
  if (auto ns = pid_ns_of ? pid_ns_of(pid) : std::nullopt) {
    for (const auto& r : records)
      if (r.pid_ns && *r.pid_ns == *ns && (!timed || running_at(r, d.time, now)))
        return SandboxMatch{&r, "pid namespace"};
  }
  if (!timed) return std::nullopt;
  // Processes of a sandbox are created after its PID 1; one sandbox running then is a likely
  // answer, several are not an answer.
  const launcher::SandboxRecord* only = nullptr;
  for (const auto& r : records) {
    if (!running_at(r, d.time, now) || pid <= r.host_pid) continue;
    if (only) return std::nullopt;
    only = &r;
  }
  if (only) return SandboxMatch{only, "time"};
  return std::nullopt;
}

void newest_first(std::vector<launcher::SandboxRecord>& records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return a.start > b.start; });
}

std::vector<std::string> registry_dirs_to_read() {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    if (!d.empty() && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  };
  add(launcher::registry_dir());
  if (geteuid() == 0) {
    add("/run/cordon");
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/run/user", ec))
      add(e.path().string() + "/cordon");
  }
  return dirs;
}

}  // namespace cordon::audit
