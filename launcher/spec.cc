// prepare_spec: the parent's half of the launch. Everything that can be decided, looked up or
// refused before clone happens here, where errors can still be sentences.
#include "launcher/spec.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <selinux/selinux.h>
#include <sys/apparmor.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "base/path.h"
#include "launcher/landlock_abi.h"
#include "launcher/mac.h"

extern char** environ;

namespace cordon::launcher {
namespace {

size_t depth(const std::string& path) { return std::count(path.begin(), path.end(), '/'); }

using landlock::fs_right_names;

// "/a/b": absolute, no empty, "." or ".." component, no trailing slash, no NUL, and not "/"
// itself — a Plan from a cache or a file is input, and a mount on "" beneath the new root
// would be a mount on the root.
bool normalised_beneath_root(const std::string& path) {
  if (path.size() < 2 || path[0] != '/' || path.back() == '/' ||
      path.find('\0') != std::string::npos)
    return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<void> prepare_filesystem(const Plan& plan, Spec& s) {
  std::vector<const Mount*> sorted;
  for (const Mount& m : plan.mounts) sorted.push_back(&m);
  // Parents first, so a bind inside a tmpfs lands on top of it.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Mount* a, const Mount* b) { return depth(a->path) < depth(b->path); });
  for (const Mount* m : sorted) {
    if (!normalised_beneath_root(m->path))
      return fail(fmt::format("mount {}: EINVAL (not an absolute normalised path beneath the "
                              "sandbox's root; the root itself is cordon's own tmpfs)",
                              m->path),
                  EINVAL);
    MountOp op;
    op.path = m->path;
    op.rel = m->path.substr(1);
    op.optional = m->optional;
    op.plan_index = static_cast<int>(m - plan.mounts.data());
    if (m->kind == "tmpfs") {
      op.kind = MountOp::kTmpfs;
      op.size = std::to_string(m->size ? m->size : 64ULL << 20);
      op.mode = fmt::format("{:o}", m->mode ? m->mode : 0755);
    } else if (m->kind == "proc") {
      op.kind = MountOp::kProc;
    } else if (m->kind == "dev") {
      if (m->dev == "none") continue;
      op.kind = MountOp::kDev;
    } else if (m->kind == "ro" || m->kind == "rw" || m->kind == "exec") {
      op.kind = MountOp::kBind;
      op.readonly = m->kind != "rw";
      struct stat st;
      if (lstat(m->path.c_str(), &st) != 0) {
        if (m->optional && (errno == ENOENT || errno == ENOTDIR)) continue;
        return fail(Error::from_errno(fmt::format("mount {}", m->path)));
      }
      if (S_ISLNK(st.st_mode)) {
        // Merged-/usr hosts have /bin -> usr/bin: the sandbox gets the same symlink, and the
        // directory it points to must be bound by its own entry.
        std::error_code ec;
        op.kind = MountOp::kSymlink;
        op.link_target = std::filesystem::read_symlink(m->path, ec).string();
        if (ec) return fail(Error::from_errno(fmt::format("mount {}", m->path), ec.value()));
      }
    } else {
      return fail(fmt::format("mount {}: unknown kind '{}'", m->path, m->kind), EINVAL);
    }
    s.mounts.push_back(std::move(op));
  }
  s.source_fds.assign(s.mounts.size(), -1);

  // The new root is assembled on a directory of the (private copy of the) host tree.
  for (const char* dir : {"/tmp", "/mnt", "/"}) {
    struct stat st;
    if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
      s.staging = dir;
      break;
    }
  }
  // The caller's working directory, when the sandbox shows it.
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  s.cwd = "/";
  for (const MountOp& m : s.mounts)
    if (m.kind == MountOp::kBind && at_or_beneath(cwd, m.path)) s.cwd = cwd;
  return {};
}

Result<void> prepare_landlock(const Plan& plan, Spec& s, std::vector<std::string>& warnings) {
  const Landlock& ll = plan.landlock;
  if (ll.handled_fs == 0 && !ll.restrict_net && ll.scopes.empty()) return {};
  long abi = landlock::kernel_abi();
  if (abi < 0) {
    int err = static_cast<int>(-abi);
    if (ll.required_abi > 0)
      return fail(fmt::format("landlock: the policy requires Landlock ABI {}, and this kernel "
                              "has none ({})",
                              ll.required_abi, Error::errno_name(err)),
                  err);
    warnings.push_back(fmt::format(
        "landlock: not available ({}): filesystem rules are enforced by the mount layout only, "
        "network ports and scopes not at all",
        Error::errno_name(err)));
    return {};
  }
  if (ll.required_abi > abi)
    return fail(fmt::format("landlock: the policy requires Landlock ABI {}; this kernel offers {}",
                            ll.required_abi, abi),
                EOPNOTSUPP);
  s.landlock_abi = static_cast<int>(abi);
  s.landlock_fs = ll.handled_fs & landlock::fs_rights_for_abi(s.landlock_abi);
  if (uint64_t lost = ll.handled_fs & ~s.landlock_fs)
    warnings.push_back(
        fmt::format("landlock: ABI {} cannot restrict: {}", abi, fs_right_names(lost)));
  if (ll.restrict_net) {
    if (abi >= 4)
      s.landlock_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
    else
      warnings.push_back(fmt::format(
          "landlock: ABI {} cannot restrict TCP bind/connect (needs 4); the network namespace "
          "still applies",
          abi));
  }
  for (const LandlockPort& p : ll.ports) {
    if (!s.landlock_net) break;
    uint64_t access = p.bind ? LANDLOCK_ACCESS_NET_BIND_TCP : LANDLOCK_ACCESS_NET_CONNECT_TCP;
    auto it = std::find_if(s.landlock_ports.begin(), s.landlock_ports.end(),
                           [&](auto& e) { return e.first == p.port; });
    if (it != s.landlock_ports.end())
      it->second |= access;
    else
      s.landlock_ports.emplace_back(p.port, access);
  }
  for (const std::string& scope : ll.scopes) {
    if (abi < 6) {
      warnings.push_back(fmt::format("landlock: ABI {} cannot scope {} (needs 6)", abi, scope));
      continue;
    }
    s.landlock_scoped |=
        scope == "signal" ? LANDLOCK_SCOPE_SIGNAL : LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
  }
  if (abi >= 7) s.landlock_flags = landlock::kRestrictSelfLogNewExecOn;
  // The sandbox's root is cordon's own tmpfs holding only the policy's mount points: listing
  // it (`ls /`, a shell's completion) shows what the policy mounts and nothing of the host.
  // Landlock rights are inherited beneath a rule, so this adds listing (not reading) of the
  // directories under `exec` binds, the only entries that do not already grant it.
  if (s.build_root) s.landlock_rules.push_back({"/", LANDLOCK_ACCESS_FS_READ_DIR, false, -1});
  for (size_t i = 0; i < ll.paths.size(); ++i) {
    const LandlockPath& p = ll.paths[i];
    // A replicated symlink is not a place of its own: the directory it names has its rule.
    bool is_link = std::any_of(s.mounts.begin(), s.mounts.end(), [&](const MountOp& m) {
      return m.kind == MountOp::kSymlink && m.path == p.path;
    });
    if (is_link) continue;
    s.landlock_rules.push_back({p.path, p.access, p.optional, static_cast<int>(i)});
  }
  return {};
}

// Nested user namespaces are off unless the policy says `nested-userns allow`: in one, the app
// holds every capability again. The off switch is the sandbox's user.max_user_namespaces,
// which needs a user namespace of our own to write, and which CAP_SYS_RESOURCE in it could
// raise again. bubblewrap's --disable-userns answers a kept CAP_SYS_RESOURCE with a second
// user namespace level for the app; cordon refuses the combination instead: in a non-initial
// user namespace CAP_SYS_RESOURCE grants little besides those limits (rlimits above the hard
// limit, quotas and reserved space check the initial namespace), so no real policy loses by it,
// and the launcher stays one user namespace deep.
Result<void> prepare_nested_userns(const Plan& plan, Spec& s) {
  if (plan.namespaces.nested_user) return {};
  if (!plan.namespaces.user)
    return fail(
        "nested user namespaces: the policy shares the caller's user namespace, so cordon "
        "cannot stop the app from creating user namespaces of its own; say `nested-userns "
        "allow` to run so",
        EINVAL);
  if (s.caps_keep & (1ULL << CAP_SYS_RESOURCE))
    return fail(
        "capabilities: SYS_RESOURCE would let the app raise user.max_user_namespaces, which "
        "cordon sets to 0 so that it cannot create user namespaces (and gain every capability "
        "in them); drop SYS_RESOURCE, or say `nested-userns allow`",
        EINVAL);
  s.no_nested_userns = true;
  return {};
}

// execveat answered by the supervisor (Plan::seccomp.exec_mediation). The listener goes to
// the supervisor through pidfd_getfd, which needs ptrace access to the app: Yama's
// ptrace_scope 2 allows that to CAP_SYS_PTRACE only, 3 to nobody. Refused here rather than
// left to fail after clone, since without the listener no execveat could ever be answered.
Result<void> prepare_exec_mediation(const Plan& plan, Spec& s) {
  const ExecMediation& m = plan.seccomp.exec_mediation;
  if (!m.on) return {};
  if (seccomp_ret_runs(m.ret))
    return fail("seccomp: the plan mediates execveat with an action that lets it run", EINVAL);
  int scope = 0;
  if (FILE* f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re")) {
    if (fscanf(f, "%d", &scope) != 1) scope = 0;
    fclose(f);
  }
  if (scope >= 3 || (scope == 2 && geteuid() != 0))
    return fail(fmt::format("seccomp: the policy refuses execveat ({} {}), which cordon enforces "
                            "by answering it from the supervisor through pidfd_getfd, and Yama's "
                            "kernel.yama.ptrace_scope={} forbids that here{}",
                            m.action, m.origin, scope,
                            scope == 2 ? " without CAP_SYS_PTRACE (run as root)" : ""),
                EPERM);
  // The process is single-threaded when it loads the filter: TSYNC has nothing to do, and the
  // kernel refuses it together with NEW_LISTENER.
  s.seccomp_flags =
      (s.seccomp_flags & ~SECCOMP_FILTER_FLAG_TSYNC) | SECCOMP_FILTER_FLAG_NEW_LISTENER;
  s.seccomp_listener = true;
  s.exec_ret = m.ret;
  for (const std::string& name : plan.seccomp.arches) {
    uint32_t arch = seccomp_arch_resolve_name(name.c_str());
    int nr = arch ? seccomp_syscall_resolve_name_arch(arch, "execveat") : __NR_SCMP_ERROR;
    if (nr >= 0) s.exec_nrs.emplace_back(arch, nr);
  }
  return {};
}

// Whether the filter can let some execve or execveat run (by its source-map rows: the first
// row of the native architecture decides; a conditional one may let it run).
bool policy_may_exec(const Seccomp& sc) {
  if (sc.program.empty()) return true;
  if (!sc.exec_mediation.on) return true;
  for (const SeccompRule& r : sc.rules)
    if (r.syscall == "execve" && !sc.arches.empty() && r.arch == sc.arches[0])
      return !r.condition.empty() || seccomp_ret_runs(r.ret);
  return seccomp_ret_runs(sc.default_ret);
}

// Whether the app may write a file somewhere and run it anyway (a writable mount without
// noexec whose Landlock rights, if Landlock handles execute, include it): then an executable
// memfd gives it nothing new, and saying so on every launch would be noise.
bool writable_and_executable(const Spec& s) {
  if (!s.build_root) return true;  // the host's mounts: not ours to judge
  const bool ll_exec = s.landlock_abi > 0 && (s.landlock_fs & LANDLOCK_ACCESS_FS_EXECUTE);
  for (const MountOp& m : s.mounts) {
    const bool writable = (m.kind == MountOp::kBind && !m.readonly) || m.kind == MountOp::kTmpfs;
    if (!writable || m.noexec) continue;
    if (!ll_exec) return true;
    for (const LandlockRule& r : s.landlock_rules)
      if (at_or_beneath(m.path, r.path) && (r.access & LANDLOCK_ACCESS_FS_EXECUTE)) return true;
  }
  return false;
}

// Executable memfds off: vm.memfd_noexec is per PID namespace (since 6.3), and 2 makes every
// memfd non-executable (MFD_EXEC is refused, and a memfd is sealed against exec). Writing it
// takes CAP_SYS_ADMIN in the PID namespace's owner AND write access to the sysctl file, which
// only host root has: so a root caller's PID 1 sets it, and for anyone else it stays as the
// host has it. A policy that refuses execveat needs neither (the supervisor refuses every
// exec of a memfd); one that allows exec is told.
void prepare_memfd_noexec(const Plan& plan, Spec& s, std::vector<std::string>& warnings) {
  if (!s.pid_init) return;  // a shared PID namespace: the host's setting, not ours to change
  // Before 6.3 the kernel has no such setting (Debian 12's 6.1): memfds are executable there
  // for everyone, as they always were, and the launch goes on as on any such kernel.
  const bool kernel_has_it = access("/proc/sys/vm/memfd_noexec", F_OK) == 0;
  if (geteuid() == 0 && kernel_has_it) {
    s.memfd_noexec = true;
    return;
  }
  if (policy_may_exec(plan.seccomp) && !writable_and_executable(s))
    warnings.push_back(fmt::format(
        "memfd exec: {}, so the app may run programs it writes into a memfd (the policy allows "
        "exec, and nothing else it may write is executable)",
        kernel_has_it ? "vm.memfd_noexec of the sandbox's PID namespace can only be set by host "
                        "root"
                      : "this kernel has no vm.memfd_noexec (Linux 6.3)"));
}

using Unavailable = std::function<Result<void>(const std::string&, bool, const std::string&)>;

// `apparmor NAME` or `apparmor generate`: the profile must be loaded (cordon loads a generated
// one itself, which needs root), and cordon itself must run unconfined: a confined task under
// no_new_privs (which cordon always sets) may only move to a profile stacked on its own, and
// the kernel refuses any other exec transition with EPERM.
Result<void> prepare_apparmor(const Mac& mac, Spec& s, const Unavailable& unavailable,
                              bool dry_run) {
  const bool generate = mac.apparmor == "generate";
  const std::string& name = generate ? mac.generated_name : mac.apparmor;
  const std::string what = generate ? fmt::format("a generated AppArmor profile ('{}')", name)
                                    : fmt::format("AppArmor profile '{}'", name);
  if (aa_is_enabled() != 1)
    return unavailable(what, mac.apparmor_optional, "AppArmor is not enabled on this kernel");
  s.apparmor_generated = generate;
  if (generate && (name.empty() || mac.generated_profile.empty()))
    return fail(
        "mac: `apparmor generate`, but the Plan carries no generated profile (cordon "
        "run generates it when it compiles the policy; a Plan from elsewhere must too)",
        EINVAL);
  if (auto self = current_apparmor_label(); self && self->label != "unconfined") {
    std::string why = fmt::format(
        "cordon itself runs confined by AppArmor profile '{}' ({}), and no_new_privs, which "
        "cordon always sets, forbids a confined task's exec transition into another profile",
        self->label, self->mode);
    return unavailable(what, mac.apparmor_optional, why);
  }
  auto loaded = apparmor_profile_loaded(name);
  if (!loaded && geteuid() != 0 && loaded.error().code() == EACCES) {
    // Only root may list the profiles; the child's aa_change_onexec names a missing one
    // (ENOENT), and cordon says then that loading it needs root.
    s.apparmor_exec = name;
    return {};
  }
  if (!loaded)
    return unavailable(what, mac.apparmor_optional,
                       "the list of loaded profiles cannot be read: " + loaded.error().message());
  if (!*loaded) {
    if (!generate)
      return unavailable(what, mac.apparmor_optional,
                         "no profile of that name is loaded (load it with apparmor_parser -r "
                         "FILE, or use `apparmor generate`)");
    if (geteuid() != 0)
      return unavailable(what, mac.apparmor_optional,
                         "it is not loaded, and loading a profile needs root (CAP_MAC_ADMIN); "
                         "a root run of the same policy loads it for everyone");
    if (dry_run) {
      s.apparmor_exec = name;  // cordon check --fidelity: say it, load nothing
      return {};
    }
    if (auto r = load_apparmor_profile(mac.generated_profile); !r) {
      // Another launch may have loaded it meanwhile: --add refuses an existing profile.
      auto again = apparmor_profile_loaded(name);
      if (!again || !*again)
        return unavailable(what, mac.apparmor_optional,
                           "loading it failed: " + r.error().message());
    }
  }
  s.apparmor_exec = name;
  return {};
}

Result<void> prepare_mac(const Plan& plan, Spec& s, std::vector<std::string>& warnings,
                         bool dry_run) {
  const Mac& mac = plan.mac;
  if (plan.requires_.count("apparmor") && aa_is_enabled() != 1)
    return fail("require apparmor: AppArmor is not enabled on this kernel", EOPNOTSUPP);
  if (plan.requires_.count("selinux") && is_selinux_enabled() != 1)
    return fail("require selinux: SELinux is not enabled on this kernel", EOPNOTSUPP);
  Unavailable unavailable = [&](const std::string& what, bool optional,
                                const std::string& why) -> Result<void> {
    std::string msg = fmt::format("mac: {} requested, but {}", what, why);
    if (!optional)
      return fail(msg + " (mark it `optional` in the policy to run without it)", EOPNOTSUPP);
    warnings.push_back(msg + "; running without it (optional)");
    return {};
  };
  if (!mac.apparmor.empty()) {
    auto r = prepare_apparmor(mac, s, unavailable, dry_run);
    if (!r) return r;
  }
  if (!mac.selinux.empty()) {
    if (is_selinux_enabled() != 1) {
      auto r = unavailable(fmt::format("SELinux context '{}'", mac.selinux), mac.selinux_optional,
                           "SELinux is not enabled on this kernel");
      if (!r) return r;
    } else if (security_check_context(mac.selinux.c_str()) != 0) {
      // The loaded policy does not define the context (its user, role, type or level, or
      // their combination): setexeccon would fail in the child with EINVAL. Said here, before
      // clone, so that `optional` can run without it.
      int err = errno;
      auto r = unavailable(
          fmt::format("SELinux context '{}'", mac.selinux), mac.selinux_optional,
          fmt::format("the loaded policy does not define it ({})", Error::errno_name(err)));
      if (!r) return r;
    } else {
      s.selinux_exec = mac.selinux;
    }
  }
  bool has_proc = std::any_of(s.mounts.begin(), s.mounts.end(),
                              [](const MountOp& m) { return m.kind == MountOp::kProc; });
  if ((!s.apparmor_exec.empty() || !s.selinux_exec.empty()) && s.build_root && !has_proc)
    return fail("mac: setting an exec label needs `proc` in the policy's filesystem", EINVAL);
  return {};
}

Result<void> prepare_exec(const Plan& plan, const LaunchOptions& opts, Spec& s) {
  if (opts.command.empty()) return fail("exec: no command given", EINVAL);
  // The environment: cleared then kept/set, or the caller's plus the policy's settings.
  std::map<std::string, std::string> env;
  if (!plan.env.clear) {
    for (char** e = environ; *e; ++e) {
      const char* eq = strchr(*e, '=');
      if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
    }
  } else {
    for (const std::string& k : plan.env.keep)
      if (const char* v = getenv(k.c_str())) env[k] = v;
  }
  for (const EnvSet& e : plan.env.set) env[e.name] = e.value;
  for (const auto& [k, v] : env) s.envp_storage.push_back(k + "=" + v);
  for (std::string& e : s.envp_storage) s.envp.push_back(e.data());
  s.envp.push_back(nullptr);
  s.argv_storage = opts.command;
  for (std::string& a : s.argv_storage) s.argv.push_back(a.data());
  s.argv.push_back(nullptr);

  s.command = opts.command[0];
  if (s.command.find('/') != std::string::npos) {
    s.candidates.push_back(s.command);
  } else {
    auto it = env.find("PATH");
    std::string path = it != env.end()
                           ? it->second
                           : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find(':', start);
      if (end == std::string::npos) end = path.size();
      std::string dir = path.substr(start, end - start);
      if (!dir.empty() && dir[0] == '/') s.candidates.push_back(dir + "/" + s.command);
      start = end + 1;
    }
  }
  return {};
}

// One /etc/subuid or /etc/subgid: root's first range, and everyone else's (for the overlap
// check of the default).
struct SubIds {
  std::optional<std::pair<uint64_t, uint64_t>> root;  // start, count
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> others;
};

SubIds parse_subids(std::string_view text) {
  SubIds out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    size_t a = line.find(':'), b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos || line.empty() || line[0] == '#') continue;
    uint64_t start = 0, count = 0;
    std::string_view s1 = line.substr(a + 1, b - a - 1), s2 = line.substr(b + 1);
    if (std::from_chars(s1.data(), s1.data() + s1.size(), start).ec != std::errc{} ||
        std::from_chars(s2.data(), s2.data() + s2.size(), count).ec != std::errc{} || count == 0)
      continue;
    std::string name(line.substr(0, a));
    if ((name == "root" || name == "0") && !out.root)
      out.root = {start, count};
    else
      out.others.emplace_back(name, start, count);
  }
  return out;
}

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<IdRange> choose_id_range(std::string_view subuid, std::string_view subgid) {
  IdRange r;
  uint64_t count = kDefaultIdCount;
  std::vector<std::string> from;
  for (auto [text, file, base] : {std::tuple{subuid, "/etc/subuid", &r.uid_base},
                                  std::tuple{subgid, "/etc/subgid", &r.gid_base}}) {
    SubIds ids = parse_subids(text);
    uint64_t start = kDefaultIdBase, n = kDefaultIdCount;
    if (ids.root) {
      std::tie(start, n) = *ids.root;
      from.push_back(fmt::format("root's entry in {}", file));
    } else {
      for (const auto& [name, ostart, ocount] : ids.others)
        if (ostart < start + n && start < ostart + ocount)
          return fail(fmt::format("the default range {}-{} overlaps {}'s entry in {} ({}:{}); give "
                                  "root a range of its own there",
                                  start, start + n - 1, name, file, ostart, ocount),
                      EEXIST);
      from.push_back(fmt::format("the default range for {}", file + 5));
    }
    if (start == 0 || start + n - 1 > UINT32_MAX - 1)
      return fail(fmt::format("root's entry in {} ({}:{}) includes host id 0 or 4294967295", file,
                              start, n),
                  EINVAL);
    *base = static_cast<uint32_t>(start);
    count = std::min(count, n);
  }
  r.count = static_cast<uint32_t>(count);
  r.origin = fmt::format("{}, {}", from[0], from[1]);
  return r;
}

Result<Spec> prepare_spec(const Plan& plan, const LaunchOptions& opts,
                          std::vector<std::string>& warnings) {
  Spec s;
  const Namespaces& ns = plan.namespaces;
  s.clone_flags = (ns.user ? CLONE_NEWUSER : 0) | (ns.pid ? CLONE_NEWPID : 0) |
                  (ns.mount ? CLONE_NEWNS : 0) | (ns.ipc ? CLONE_NEWIPC : 0) |
                  (ns.uts ? CLONE_NEWUTS : 0) | (ns.net ? CLONE_NEWNET : 0);
  s.new_cgroup_ns = ns.cgroup;
  s.pid_init = ns.pid;
  if (plan.network == "host" && ns.net)
    return fail("network: `network host` with a new network namespace", EINVAL);
  s.loopback_up = plan.network == "loopback";

  const uid_t euid = geteuid();
  const gid_t egid = getegid();
  s.uid = plan.identity.uid.value_or(euid);
  s.gid = plan.identity.gid.value_or(egid);
  if (ns.user && euid == 0) {
    // Root's sandbox owns nothing of the host's: its ids are a range of unprivileged host ids
    // (as an unprivileged container's), and its rw binds are idmapped (clone_bind_sources).
    auto range = choose_id_range(read_text("/etc/subuid"), read_text("/etc/subgid"));
    if (!range)
      return fail(Error(fmt::format("ids: {}", range.error().message()), range.error().code()));
    if (s.uid >= range->count || s.gid >= range->count)
      return fail(fmt::format("ids: identity uid {} gid {} is outside the {} ids a root caller's "
                              "sandbox maps ({})",
                              s.uid, s.gid, range->count, range->origin),
                  EINVAL);
    s.host_ids = *range;
    s.uid_map = fmt::format("0 {} {}\n", range->uid_base, range->count);
    s.gid_map = fmt::format("0 {} {}\n", range->gid_base, range->count);
  } else if (ns.user) {
    s.uid_map = fmt::format("{} {} 1\n", s.uid, euid);
    s.gid_map = fmt::format("{} {} 1\n", s.gid, egid);
  } else if (euid != 0 && (s.uid != euid || s.gid != egid)) {
    return fail("ids: changing ids without a user namespace needs root", EPERM);
  }
  if (auto it = plan.requires_.find("userns"); it != plan.requires_.end() && !ns.user)
    return fail("require userns: the policy shares the user namespace", EINVAL);

  s.build_root = ns.mount;
  if (ns.mount) {
    if (auto r = prepare_filesystem(plan, s); !r) return tl::unexpected(r.error());
  } else if (!plan.mounts.empty()) {
    warnings.push_back(
        "filesystem: the mount namespace is shared, so the policy's mounts are not applied; "
        "only Landlock restricts paths");
  }
  s.hostname = !plan.hostname.empty() ? plan.hostname : !plan.name.empty() ? plan.name : "cordon";

  std::vector<Rlimit> limits = plan.rlimits;
  for (const Rlimit& r : opts.fallback_rlimits) {
    auto it = std::find_if(limits.begin(), limits.end(),
                           [&](const Rlimit& e) { return e.resource == r.resource; });
    if (it == limits.end())
      limits.push_back(r);
    else
      it->value = std::min(it->value, r.value);
  }
  for (const Rlimit& r : limits) {
    rlimit cur;
    uint64_t v = r.value;
    if (getrlimit(static_cast<__rlimit_resource>(r.resource), &cur) == 0 &&
        cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max) {
      warnings.push_back(fmt::format("limits: {} {} is above the caller's hard limit; using {}",
                                     r.name, r.value, cur.rlim_max));
      v = cur.rlim_max;
    }
    s.rlimits.push_back({r.resource, v, r.name});
  }

  s.pass_fds = opts.pass_fds;
  s.pass_fds.insert(s.pass_fds.end(), opts.pass_dir_fds.begin(), opts.pass_dir_fds.end());
  std::sort(s.pass_fds.begin(), s.pass_fds.end());
  s.pass_fds.erase(std::unique(s.pass_fds.begin(), s.pass_fds.end()), s.pass_fds.end());
  for (int fd : s.pass_fds) {
    if (fd < 3 || fcntl(fd, F_GETFD) < 0)
      return fail(fmt::format("pass-fd {}: {}", fd, fd < 3 ? "0-2 are always passed" : "EBADF"),
                  EBADF);
    struct stat st;
    if (fstat(fd, &st) != 0) return fail(Error::from_errno(fmt::format("pass-fd {}", fd)));
    const bool knowingly = std::find(opts.pass_dir_fds.begin(), opts.pass_dir_fds.end(), fd) !=
                           opts.pass_dir_fds.end();
    if (S_ISDIR(st.st_mode) && !knowingly)
      return fail(fmt::format("pass-fd {}: EISDIR (a directory: through it the app reaches "
                              "everything beneath it, past the sandbox's mounts and past Landlock "
                              "for chmod, chown, utimes and connect() to sockets; pass it with "
                              "--pass-dir-fd {} if that is meant)",
                              fd, fd),
                  EISDIR);
  }

  s.cap_last = static_cast<int>(cap_max_bits()) - 1;
  for (int c : plan.capabilities) {
    if (c < 0 || c > s.cap_last)
      return fail(fmt::format("capabilities: capability {} is unknown to this kernel", c), EINVAL);
    s.caps_keep |= 1ULL << c;
  }
  if (auto r = prepare_nested_userns(plan, s); !r) return tl::unexpected(r.error());
  if (!plan.no_new_privs) return fail("no_new_privs: a Plan without it is refused", EINVAL);

  if (auto r = prepare_mac(plan, s, warnings, opts.dry_run); !r) return tl::unexpected(r.error());
  if (auto r = prepare_landlock(plan, s, warnings); !r) return tl::unexpected(r.error());

  if (!plan.seccomp.program.empty()) {
    if (plan.seccomp.program.size() > BPF_MAXINSNS)
      return fail(fmt::format("seccomp: {} instructions exceed the kernel's {}",
                              plan.seccomp.program.size(), BPF_MAXINSNS),
                  E2BIG);
    uint32_t native = seccomp_arch_native();
    if (plan.seccomp.arches.empty() ||
        seccomp_arch_resolve_name(plan.seccomp.arches[0].c_str()) != native)
      return fail(
          fmt::format("seccomp: the plan's filter is for {}, not this machine's "
                      "architecture",
                      plan.seccomp.arches.empty() ? "no architecture" : plan.seccomp.arches[0]),
          ENOEXEC);
    s.seccomp = plan.seccomp.program;
    s.seccomp_flags = SECCOMP_FILTER_FLAG_TSYNC | (plan.seccomp.log ? SECCOMP_FILTER_FLAG_LOG : 0);
    if (auto r = prepare_exec_mediation(plan, s); !r) return tl::unexpected(r.error());
  } else if (plan.requires_.count("seccomp")) {
    return fail("require seccomp: the plan has no filter", EINVAL);
  }

  if (auto r = prepare_exec(plan, opts, s); !r) return tl::unexpected(r.error());
  prepare_memfd_noexec(plan, s, warnings);
  return s;
}

}  // namespace cordon::launcher
