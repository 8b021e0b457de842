// The supervisor: the parent's side of `cordon run`, in the DESIGN's order — resolve the plan
// (prepare_spec), create the cgroup, clone3 into new namespaces, write the id maps, release
// the child, then forward signals, enforce walltime, collect the status and report it.
#include "launcher/run.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "launcher/cgroup.h"
#include "launcher/exec_notify.h"
#include "launcher/idmap.h"
#include "launcher/kernel_file.h"
#include "launcher/registry.h"
#include "launcher/unique_fd.h"

namespace cordon::launcher {
namespace {

using Clock = std::chrono::steady_clock;

void say(const std::string& line) { fmt::print(stderr, "cordon: {}\n", line); }

// The object a failed stage was working on, for the message.
std::string object_of(const Spec& s, const Report& r) {
  switch (r.stage) {
    case Stage::kMountSource:
    case Stage::kMount:
      if (r.index >= 0 && static_cast<size_t>(r.index) < s.mounts.size())
        return s.mounts[r.index].path;
      if (r.index <= -2 && r.index > -2 - kDevNodeCount)
        return fmt::format("/dev/{}", kDevNodes[-2 - r.index]);
      return "";
    case Stage::kRlimit:
      return r.index >= 0 && static_cast<size_t>(r.index) < s.rlimits.size()
                 ? s.rlimits[r.index].name
                 : "";
    case Stage::kCapabilities:
      if (r.index >= 0) {
        char* name = cap_to_name(r.index);
        std::string out = name ? name : std::to_string(r.index);
        cap_free(name);
        return out;
      }
      return "";
    case Stage::kLandlock:
      return r.index >= 0 && static_cast<size_t>(r.index) < s.landlock_rules.size()
                 ? s.landlock_rules[r.index].path
                 : "";
    case Stage::kCloseFds:
      return r.index >= 0 ? fmt::format("fd {}", r.index) : "";
    case Stage::kHostname:
      return s.hostname;
    case Stage::kFindCommand:
    case Stage::kExec:
      return s.command;
    case Stage::kMac:
      if (r.index == kMacAppArmor) return fmt::format("AppArmor profile {}", s.apparmor_exec);
      if (r.index == kMacSelinux) return fmt::format("SELinux context {}", s.selinux_exec);
      return "/proc (checked before the exec label is set)";
    default:
      return "";
  }
}

std::string failure_message(const Spec& s, const Report& r) {
  std::string object = object_of(s, r);
  std::string msg = fmt::format("{}{}{}: {}", stage_name(r.stage), object.empty() ? "" : " ",
                                object, Error::errno_name(r.err));
  if ((r.stage == Stage::kMount || r.stage == Stage::kMountSource) && r.err == ELOOP)
    msg += " (a component of the path is a symlink; name the real path in the policy)";
  if (r.stage == Stage::kFindCommand && r.err == ENOENT && s.command.find('/') == std::string::npos)
    msg += " (not found in the sandbox's PATH; is its directory in the policy's filesystem?)";
  if (r.stage == Stage::kExec && r.err == ENOENT)
    msg += " (its interpreter or dynamic loader is not in the sandbox)";
  if (r.stage == Stage::kMac && r.index == kMacAppArmor && r.err == ENOENT)
    msg += s.apparmor_generated
               ? " (the generated profile is not loaded, and loading a profile needs root "
                 "(CAP_MAC_ADMIN): a root run of the same policy loads it for everyone)"
               : " (no profile of that name is loaded)";
  if (r.stage == Stage::kMac && r.index == kMacProcfs)
    msg += " (not a procfs of the sandbox's PID namespace: the label would be written elsewhere)";
  if (r.stage == Stage::kExec && (r.err == EPERM || r.err == EACCES) && !s.apparmor_exec.empty())
    msg += fmt::format(
        " (the exec into AppArmor profile {} was refused: no_new_privs allows it only from an "
        "unconfined task, or the profile does not allow executing the command)",
        s.apparmor_exec);
  if (r.stage == Stage::kExec && (r.err == EPERM || r.err == EACCES) && !s.selinux_exec.empty())
    msg += fmt::format(
        " (the exec into SELinux context {} was refused: under no_new_privs the policy must "
        "allow process2 nnp_transition into it, and entrypoint on the command's type; "
        "see the kernel's avc: denied record)",
        s.selinux_exec);
  return msg;
}

// The sandbox's namespace ids (inode numbers, as `lsns` shows them). The cgroup namespace is
// entered by the child after it is placed in its cgroup, so it is not known yet at start.
nlohmann::json namespace_ids(pid_t pid) {
  nlohmann::json j = nlohmann::json::object();
  for (const char* ns : {"user", "pid_for_children", "mnt", "net", "ipc", "uts"}) {
    struct stat st;
    std::string path = fmt::format("/proc/{}/ns/{}", pid, ns);
    if (stat(path.c_str(), &st) == 0)
      j[std::string(ns) == "pid_for_children" ? "pid" : ns] = st.st_ino;
  }
  return j;
}

void emit_json(int fd, const nlohmann::json& j) {
  if (fd < 0) return;
  std::string line = j.dump() + "\n";
  (void)!write(fd, line.data(), line.size());
}

int64_t realtime_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
double realtime_now() { return static_cast<double>(realtime_ns()) / 1e9; }

// The host pid of the first child of `pid` (the app, right after PID 1 forked it).
std::optional<int64_t> first_child(long pid) {
  std::ifstream in(fmt::format("/proc/{}/task/{}/children", pid, pid));
  int64_t child = 0;
  if (in >> child && child > 0) return child;
  return std::nullopt;
}

// Records the sandbox in the registry; a failure costs attribution, not the launch.
void register_sandbox(const std::string& dir, const SandboxRecord& rec, bool verbose,
                      bool& warned) {
  if (dir.empty()) return;
  if (auto r = write_record(dir, rec); !r && !warned) {
    say(fmt::format("warning: {} (cordon audit will need --policy for this sandbox)",
                    r.error().message()));
    warned = true;
  } else if (r && verbose && !rec.end) {
    say(fmt::format("registered as {}/{}.json", dir, rec.id));
  }
}

int status_to_exit(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitLaunchFailed;
}

}  // namespace

int run(const Plan& plan, const RunOptions& opts) {
  const auto started = Clock::now();
  std::vector<std::string> warnings;
  auto fail_before_start = [&](const std::string& msg) {
    say(msg);
    emit_json(opts.json_status_fd,
              {{"event", "exit"}, {"error", msg}, {"exit_code", kExitLaunchFailed}});
    return kExitLaunchFailed;
  };

  // Nothing the next launch trusts may be writable by this one's app (or by other users).
  std::vector<TrustedPath> extra = opts.trusted;
  if (!opts.registry_dir.empty())
    extra.push_back({"sandbox registry", opts.registry_dir, /*binds_only=*/true});
  if (auto r = refuse_untrusted(plan, trusted_paths(plan, extra), geteuid()); !r)
    return fail_before_start(r.error().message());

  // Resolve the plan into everything the child needs.
  auto limits_cg = SandboxCgroup::create(plan.cgroup, plan.requires_.count("cgroup") > 0,
                                         fmt::format("cordon-{}", getpid()));
  if (!limits_cg) return fail_before_start(limits_cg.error().message());
  SandboxCgroup cg = std::move(*limits_cg);
  for (const auto& w : cg.warnings()) warnings.push_back(w);
  LaunchOptions launch = opts.launch;
  launch.fallback_rlimits = cg.fallback_rlimits();
  auto prepared = prepare_spec(plan, launch, warnings);
  for (const auto& w : warnings) say("warning: " + w);
  if (!prepared) return fail_before_start(prepared.error().message());
  Spec& spec = *prepared;
  // A root caller's bind sources, opened and cloned here in the host's mount namespace; the
  // child inherits them through clone3 and attaches them (idmap.cc).
  std::vector<UniqueFd> bind_sources;
  if (spec.host_ids.count > 0 && spec.build_root) {
    std::vector<std::string> mount_warnings;
    auto cloned = clone_bind_sources(spec, mount_warnings);
    for (const auto& w : mount_warnings) say("warning: " + w), warnings.push_back(w);
    if (!cloned) return fail_before_start(cloned.error().message());
    bind_sources = std::move(*cloned);
  }

  // Pipes: reports from the child (packet mode: one Report per read), and the go signal.
  int rp[2], gp[2];
  if (pipe2(rp, O_CLOEXEC | O_DIRECT) != 0 || pipe2(gp, O_CLOEXEC) != 0)
    return fail_before_start(Error::from_errno("pipe").message());
  UniqueFd report_r(rp[0]), report_w(rp[1]), go_r(gp[0]), go_w(gp[1]);

  // Signals reach the supervisor through a signalfd; the child restores the caller's mask.
  sigset_t handled, orig;
  sigemptyset(&handled);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH})
    sigaddset(&handled, sig);
  sigprocmask(SIG_BLOCK, &handled, &orig);
  UniqueFd sigfd(signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd) {
    // Without it no signal reaches the sandbox and walltime could not interrupt a wait.
    int err = errno;
    sigprocmask(SIG_SETMASK, &orig, nullptr);
    return fail_before_start(Error::from_errno("signalfd", err).message());
  }

  clone_args args{};
  int pidfd = -1;
  args.flags = spec.clone_flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (cg.clone_into_fd() >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cg.clone_into_fd());
  }
  fflush(nullptr);
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    // Child, in the new namespaces, privileged only inside its user namespace.
    sigprocmask(SIG_SETMASK, &orig, nullptr);
    report_r.release();
    go_w.release();
    child_main(spec, report_w.get(), go_r.get());
  }
  if (pid < 0) {
    int err = errno;
    sigprocmask(SIG_SETMASK, &orig, nullptr);
    std::string hint;
    if (err == EPERM || err == ENOSPC || err == EUSERS)
      hint =
          " (are unprivileged user namespaces disabled? see /proc/sys/user/max_user_namespaces "
          "and kernel.unprivileged_userns_clone)";
    return fail_before_start(fmt::format("clone: {}{}", Error::errno_name(err), hint));
  }
  UniqueFd pidfd_owner(pidfd);
  bind_sources.clear();  // the child has its own copies
  const int64_t started_real_ns = realtime_ns();
  report_w.reset();
  go_r.reset();
  auto kill_child = [&] {
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
    waitpid(static_cast<pid_t>(pid), nullptr, 0);
  };

  // Parent: the child's user namespace gets its id maps (setgroups denied first, as the
  // kernel requires of an unprivileged writer; allowed for a root caller's range, whose child
  // must drop root's supplementary groups), then the v1 cgroups, then the go.
  if (spec.clone_flags & CLONE_NEWUSER) {
    const bool range = spec.host_ids.count > 0;
    const std::pair<const char*, std::string_view> maps[] = {
        {"setgroups", range ? "allow" : "deny"},
        {"uid_map", spec.uid_map},
        {"gid_map", spec.gid_map}};
    for (const auto& [file, text] : maps) {
      if (auto r = write_kernel_file(fmt::format("/proc/{}/{}", pid, file), text); !r) {
        kill_child();
        return fail_before_start(fmt::format(
            "id maps: {}{}", r.error().message(),
            range
                ? fmt::format(" (a root caller's sandbox runs under host ids {}: {}; a root "
                              "without them, in a user namespace, needs an /etc/subuid and "
                              "/etc/subgid entry for root inside its own map)",
                              spec.uid_map.substr(0, spec.uid_map.size() - 1), spec.host_ids.origin)
                : ""));
      }
    }
  }
  if (cg.version() != 0 && cg.clone_into_fd() < 0) {
    if (auto r = cg.attach(static_cast<pid_t>(pid)); !r) {
      kill_child();
      return fail_before_start(r.error().message());
    }
  }
  nlohmann::json start = {{"event", "start"},
                          {"host_pid", pid},
                          {"namespaces", namespace_ids(static_cast<pid_t>(pid))},
                          {"policy", plan.name},
                          {"policy_hash", plan.policy_hash}};
  start["applied"] = {
      {"landlock", spec.landlock_abi > 0 ? nlohmann::json{{"abi", spec.landlock_abi},
                                                          {"handled_fs", spec.landlock_fs},
                                                          {"handled_net", spec.landlock_net},
                                                          {"scoped", spec.landlock_scoped},
                                                          {"rules", spec.landlock_rules.size()}}
                                         : nlohmann::json(nullptr)},
      {"cgroup", {{"version", cg.version()}, {"paths", cg.paths()}}},
      {"seccomp", spec.seccomp.empty() ? nlohmann::json(nullptr)
                                       : nlohmann::json{{"hash", plan.seccomp.program_hash},
                                                        {"arch", plan.seccomp.arches.at(0)},
                                                        {"instructions", spec.seccomp.size()},
                                                        {"log", plan.seccomp.log}}},
      {"capabilities", plan.capabilities},
      {"no_new_privs", true},
      {"network", plan.network},
      {"mounts", spec.mounts.size()},
      {"rlimits", spec.rlimits.size()}};
  start["warnings"] = warnings;
  if (write(go_w.get(), "g", 1) != 1) {
    kill_child();
    return fail_before_start(Error::from_errno("start").message());
  }
  go_w.reset();
  emit_json(opts.json_status_fd, start);

  SandboxRecord rec;
  rec.host_pid = pid;
  rec.id = fmt::format("{}-{}", started_real_ns, pid);
  if (auto ns = start["namespaces"].find("pid"); ns != start["namespaces"].end())
    rec.pid_ns = ns->get<uint64_t>();
  rec.uid = getuid();
  rec.start = static_cast<double>(started_real_ns) / 1e9;
  rec.command = opts.launch.command;
  rec.policy_name = plan.name;
  rec.policy_files = plan.policy_files;
  rec.policy_hash = plan.policy_hash;
  rec.vars = opts.vars;
  rec.search_path = opts.search_path;
  bool registry_warned = false, app_started = !spec.pid_init;
  if (app_started) {
    rec.app_pid = pid;
    register_sandbox(opts.registry_dir, rec, opts.launch.verbose, registry_warned);
  }

  // Supervise.
  std::optional<Report> failure;
  std::optional<int> app_status;
  int app_pid = 0;
  int child_status = 0;
  bool child_done = false, reports_done = false, walltime_hit = false;
  std::optional<std::string> supervisor_failure;  // the supervisor's own, after the start
  ExecNotifier exec_notifier(spec, plan.seccomp.exec_mediation.action,
                             plan.seccomp.exec_mediation.origin);
  auto read_report = [&]() {
    Report r;
    ssize_t got = read(report_r.get(), &r, sizeof r);
    if (got == sizeof r) {
      if (r.kind == Report::kFailure && !failure) failure = r;
      if (r.kind == Report::kExitStatus) app_status = r.status, app_pid = r.app_pid;
      if (r.kind == Report::kAppStarted) {
        app_started = true;
        rec.app_pid = first_child(pid);
        register_sandbox(opts.registry_dir, rec, opts.launch.verbose, registry_warned);
      }
      if (r.kind == Report::kExecRetry) exec_notifier.grant_retry();
      if (r.kind == Report::kListener && spec.seccomp_listener && exec_notifier.fd() < 0) {
        // The app's host pid: the sandbox's first process, or PID 1's only child so far.
        auto app = spec.pid_init ? first_child(pid) : std::optional<int64_t>(pid);
        auto taken = app ? exec_notifier.take_listener(static_cast<pid_t>(*app), r.index)
                         : Result<void>(fail("seccomp listener: the app's pid is not known"));
        if (!taken && !supervisor_failure) {
          // No execveat could be answered: the app would wait forever. Fail closed.
          supervisor_failure = taken.error().message();
          syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
        }
      }
    } else if (got == 0) {
      reports_done = true;
    }
  };

  std::optional<Clock::time_point> deadline;
  if (plan.walltime_ms) deadline = started + std::chrono::milliseconds(*plan.walltime_ms);
  while (!child_done || !reports_done) {
    pollfd fds[4] = {{sigfd.get(), POLLIN, 0},
                     {reports_done ? -1 : report_r.get(), POLLIN, 0},
                     {child_done ? -1 : pidfd, POLLIN, 0},
                     {exec_notifier.fd(), POLLIN, 0}};
    int timeout = -1;
    if (deadline && !walltime_hit) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    if (child_done) timeout = timeout < 0 ? 2000 : std::min(timeout, 2000);
    int n = poll(fds, 4, timeout);
    if (n < 0 && errno != EINTR) break;
    if (n == 0) {
      if (child_done) break;  // reports still open after the sandbox ended: stop waiting
      walltime_hit = true;
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
      continue;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sigfd.get(), &si, sizeof si) == sizeof si)
        if (si.ssi_signo != SIGCHLD && !child_done)
          syscall(SYS_pidfd_send_signal, pidfd, si.ssi_signo, nullptr, 0);
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) read_report();
    if (fds[3].revents & POLLIN) {
      // A retry report is written before its execveat: read what is there before answering.
      pollfd pending{report_r.get(), POLLIN, 0};
      while (!reports_done && poll(&pending, 1, 0) > 0) read_report();
      if (std::string said = exec_notifier.answer(); !said.empty()) say(said);
    } else if (fds[3].revents & (POLLHUP | POLLERR | POLLNVAL)) {
      exec_notifier.close();  // every task of the filter is gone
    }
    if (fds[2].revents & POLLIN) {
      if (waitpid(static_cast<pid_t>(pid), &child_status, 0) == pid) child_done = true;
    }
  }
  sigprocmask(SIG_SETMASK, &orig, nullptr);

  int code;
  std::string error;
  if (supervisor_failure) {
    error = *supervisor_failure;
    say(error);
    code = kExitLaunchFailed;
  } else if (failure) {
    error = failure_message(spec, *failure);
    say(error);
    code = failure->stage == Stage::kExec || failure->stage == Stage::kFindCommand
               ? (failure->err == ENOENT ? kExitNotFound : kExitNotExecutable)
               : kExitLaunchFailed;
  } else if (walltime_hit) {
    say(fmt::format("walltime {} ms exceeded (policy {}); the sandbox was killed",
                    *plan.walltime_ms, plan.walltime_origin));
    code = 128 + SIGKILL;
  } else if (app_status) {
    code = status_to_exit(*app_status);
  } else {
    code = status_to_exit(child_status);
  }
  uint64_t ooms = cg.oom_kills();
  if (ooms > 0)
    say(
        fmt::format("the sandbox reached its memory limit ({} bytes, policy {}): the kernel's OOM "
                    "killer ended {} process(es)",
                    plan.cgroup.memory_bytes.value_or(0), plan.cgroup.memory_origin, ooms));
  cg.remove();

  const int raw = app_status ? *app_status : child_status;
  nlohmann::json exit_j = {
      {"event", "exit"},
      {"host_pid", pid},
      {"app_pid", app_pid ? nlohmann::json(app_pid) : nlohmann::json(nullptr)},
      {"exit_code", code},
      {"signal",
       !failure && WIFSIGNALED(raw) ? nlohmann::json(WTERMSIG(raw)) : nlohmann::json(nullptr)},
      {"oom_kills", ooms},
      {"walltime_exceeded", walltime_hit},
      {"elapsed_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()},
      {"error", failure || supervisor_failure ? nlohmann::json(error) : nlohmann::json(nullptr)}};
  if (failure)
    exit_j["failed_stage"] = {{"stage", stage_name(failure->stage)},
                              {"object", object_of(spec, *failure)},
                              {"errno", Error::errno_name(failure->err)}};
  emit_json(opts.json_status_fd, exit_j);
  if (app_started) {  // a launch that failed before the app ran made no denials to explain
    rec.end = realtime_now();
    rec.exit_code = code;
    register_sandbox(opts.registry_dir, rec, opts.launch.verbose, registry_warned);
    if (!opts.registry_dir.empty()) prune_registry(opts.registry_dir);
  }
  return code;
}

}  // namespace cordon::launcher
