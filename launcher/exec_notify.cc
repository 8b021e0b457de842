#include "launcher/exec_notify.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

// A pidfd of one thread (Linux 6.9); older headers lack the name.
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace cordon::launcher {

ExecNotifier::ExecNotifier(const Spec& spec, std::string action, std::string origin)
    : exec_nrs_(spec.exec_nrs),
      exec_ret_(spec.exec_ret),
      action_(std::move(action)),
      origin_(std::move(origin)) {}

Result<void> ExecNotifier::take_listener(pid_t app_host_pid, int number) {
  app_pid_ = app_host_pid;
  // Asked only here: a launch without mediation makes no call for it.
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes_) != 0) sizes_ = {};
  UniqueFd app(static_cast<int>(syscall(SYS_pidfd_open, app_host_pid, 0)));
  if (!app)
    return fail(Error::from_errno(fmt::format("seccomp listener: pidfd_open {}", app_host_pid)));
  // The app reports the number before it loads the filter: until then the fd is not open.
  // It opens nothing in between, so whatever appears there is the listener (checked below).
  int fd = -1;
  for (int tries = 0; tries < 5000 && fd < 0; ++tries) {
    fd = static_cast<int>(syscall(SYS_pidfd_getfd, app.get(), number, 0));
    if (fd >= 0) break;
    if (errno != EBADF)
      return fail(Error::from_errno(
          fmt::format("seccomp listener: pidfd_getfd of the app's fd {}", number)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (fd < 0)
    return fail(fmt::format("seccomp listener: the app's fd {} did not appear within 5 s", number),
                ETIMEDOUT);
  listener_.reset(fd);
  char link[64] = {};
  std::string self = fmt::format("/proc/self/fd/{}", fd);
  ssize_t n = readlink(self.c_str(), link, sizeof link - 1);
  if (n < 0 || std::string_view(link, static_cast<size_t>(n)) != "anon_inode:seccomp notify")
    return fail(fmt::format("seccomp listener: the app's fd {} is not a seccomp listener ({})",
                            number, n < 0 ? "unreadable" : link),
                EBADF);
  if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) return fail(Error::from_errno("seccomp listener"));
  return {};
}

bool ExecNotifier::is_execveat(const seccomp_data& d) const {
  return std::any_of(exec_nrs_.begin(), exec_nrs_.end(),
                     [&](const auto& e) { return e.first == d.arch && e.second == d.nr; });
}

std::string ExecNotifier::answer() {
  // The kernel's structs may be larger than this build's headers know: size them as it says.
  std::vector<char> req_buf(std::max<size_t>(sizes_.seccomp_notif, sizeof(seccomp_notif)));
  std::vector<char> resp_buf(
      std::max<size_t>(sizes_.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
  auto* req = reinterpret_cast<seccomp_notif*>(req_buf.data());
  auto* resp = reinterpret_cast<seccomp_notif_resp*>(resp_buf.data());
  if (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, req) != 0) return "";  // gone meanwhile
  resp->id = req->id;
  std::string said;
  if (!is_execveat(req->data)) {
    resp->error = -ENOSYS;  // a `notify` rule of the policy: what the kernel says without us
  } else if (grants_ > 0) {
    --grants_;
    if (static_cast<pid_t>(req->pid) == app_pid_)
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else
      resp->error = -EPERM;
  } else {
    const uint32_t action = exec_ret_ & SECCOMP_RET_ACTION_FULL;
    if (action == SECCOMP_RET_ERRNO) {
      resp->error = -static_cast<int>(exec_ret_ & SECCOMP_RET_DATA);
    } else {
      // kill, kill-thread (the whole process, as for any refused exec), trap: a signal through
      // a pidfd of that very task, checked to be the one still waiting (not a reused pid).
      const int sig = action == SECCOMP_RET_TRAP ? SIGSYS : SIGKILL;
      UniqueFd task(static_cast<int>(syscall(SYS_pidfd_open, req->pid, PIDFD_THREAD)));
      if (task && ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0 &&
          syscall(SYS_pidfd_send_signal, task.get(), sig, nullptr, 0) == 0 && sig == SIGKILL)
        said = fmt::format("execveat refused by the policy ({} {}): pid {} killed", action_,
                           origin_, req->pid);
      resp->error = sig == SIGSYS ? -ENOSYS : -EPERM;
    }
  }
  (void)ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, resp);  // ENOENT: the task died
  return said;
}

}  // namespace cordon::launcher
