#include "launcher/mac.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <spawn.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "launcher/unique_fd.h"

namespace cordon::launcher {

Result<bool> apparmor_profile_loaded(const std::string& name) {
  char* mnt = nullptr;
  if (aa_find_mountpoint(&mnt) != 0)
    return fail(Error::from_errno("find AppArmor's securityfs", errno));
  std::string path = std::string(mnt) + "/profiles";
  free(mnt);
  std::ifstream in(path);
  if (!in) return fail(Error::from_errno("read " + path, errno ? errno : EIO));
  // "NAME (MODE)" per line; a name may itself hold blanks, the mode is the last word.
  for (std::string line; std::getline(in, line);) {
    size_t open = line.rfind(" (");
    if (open != std::string::npos && line.compare(0, open, name) == 0 && open == name.size())
      return true;
  }
  return false;
}

namespace {

std::string find_parser() {
  for (const char* p : {"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"})
    if (access(p, X_OK) == 0) return p;
  const char* path = getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && access((d + "/apparmor_parser").c_str(), X_OK) == 0)
      return d + "/apparmor_parser";
  return "";
}

// The first lines of the parser's output, for an error message.
std::string head(const std::string& out, size_t lines) {
  std::string h;
  std::stringstream in(out);
  for (std::string l; lines > 0 && std::getline(in, l); --lines) h += (h.empty() ? "" : "; ") + l;
  return h;
}

}  // namespace

Result<void> load_apparmor_profile(const std::string& text) {
  std::string parser = find_parser();
  if (parser.empty())
    return fail(
        "apparmor_parser is not installed (Debian package apparmor): cannot load the "
        "generated profile",
        ENOENT);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return fail(Error::from_errno("pipe", errno));
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (pipe2(out, O_CLOEXEC) != 0) return fail(Error::from_errno("pipe", errno));
  UniqueFd out_r(out[0]), out_w(out[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 2);
  // --add: never replaces a profile a running sandbox may be confined by; --skip-cache: the
  // text comes from stdin and is not written to /etc/apparmor.d's cache.
  std::vector<std::string> args = {parser, "--add", "--skip-cache", "--quiet"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char env0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char* envp[] = {env0, nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, parser.c_str(), &fa, nullptr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return fail(Error::from_errno("start " + parser, rc));
  in_r.reset();
  out_w.reset();
  // The profile is small (a few KiB), far below a pipe's buffer; a parser that exits early
  // closes its end, and the write then fails with EPIPE (SIGPIPE is blocked for it below).
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(in_w.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  in_w.reset();
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = read(out_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  // A SIGPIPE raised by the write is pending now: take it before the mask comes back.
  timespec zero{0, 0};
  sigtimedwait(&pipe_set, nullptr, &zero);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : std::string("killed by ") + strsignal(WTERMSIG(status));
  std::string said = head(output, 3);
  return fail(parser + " --add failed (" + why + ")" + (said.empty() ? "" : ": " + said), EPERM);
}

std::optional<AppArmorLabel> current_apparmor_label() {
  char* label = nullptr;
  char* mode = nullptr;
  if (aa_getcon(&label, &mode) < 0) return std::nullopt;
  AppArmorLabel out{label ? label : "", mode ? mode : ""};
  free(label);  // aa_getcon: one allocation holds both strings
  return out;
}

int verify_procfs() {
  struct statfs st;
  if (statfs("/proc", &st) != 0) return errno;
  if (st.f_type != PROC_SUPER_MAGIC) return EXDEV;
  char link[32] = {};
  ssize_t n = readlink("/proc/self", link, sizeof link - 1);
  if (n <= 0) return n < 0 ? errno : EIO;
  if (std::string(link, static_cast<size_t>(n)) != std::to_string(getpid())) return EXDEV;
  return 0;
}

}  // namespace cordon::launcher
