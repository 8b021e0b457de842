// The supervisor's side of execveat mediation (Plan::seccomp.exec_mediation): the app's filter
// answers execveat with SECCOMP_RET_USER_NOTIF, and this answers the notifications. The first
// execveat is cordon's own exec of the app (made by the app's first task, before any of the
// app's code ran) and continues; so does its one retry for a script (Report::kExecRetry, sent
// over the report pipe, which the app's exec closes). Every later one gets the policy's
// action: its errno, or SIGKILL for a kill action. Should the supervisor be gone, the kernel
// answers ENOSYS: nothing is let through.
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "launcher/spec.h"
#include "launcher/unique_fd.h"

namespace cordon::launcher {

class ExecNotifier {
 public:
  explicit ExecNotifier(const Spec& spec, std::string action, std::string origin);

  // The app said its listener will be its fd `number`: takes it with pidfd_getfd (waiting
  // for the app to load its filter), and checks it is a seccomp listener.
  Result<void> take_listener(pid_t app_host_pid, int number);
  // The listener, or -1 (not taken yet, or closed once every task of the filter is gone).
  int fd() const { return listener_.get(); }
  void close() { listener_.reset(); }
  // cordon's own execveat of the app is made once more (Report::kExecRetry).
  void grant_retry() { ++grants_; }
  // Receives and answers one notification. Returns what to tell the user (a kill), or "".
  std::string answer();

 private:
  bool is_execveat(const seccomp_data& d) const;

  std::vector<std::pair<uint32_t, int>> exec_nrs_;
  uint32_t exec_ret_ = 0;
  std::string action_, origin_;
  pid_t app_pid_ = 0;
  int grants_ = 1;  // the launcher's own exec of the app
  UniqueFd listener_;
  seccomp_notif_sizes sizes_{};
};

}  // namespace cordon::launcher
