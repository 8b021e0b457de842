// clone_bind_sources: the parent's half of a root caller's filesystem (idmap.h).
//
// A root caller's sandbox runs under a range of unprivileged host ids, so its child can no
// longer traverse what only root may (a bind source under /root), and a plain bind of a
// root-owned rw path would be read-only in practice. The parent, still host root in the
// host's mount namespace, therefore opens and clones every bind source itself before clone;
// the child inherits the detached mounts with its fd table and only attaches them.
#include "launcher/idmap.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/kernel_file.h"

namespace cordon::launcher {
namespace {

Result<void> write_map(pid_t pid, const char* file, const std::string& text) {
  return write_kernel_file(fmt::format("/proc/{}/{}", pid, file), text);
}

// A user namespace mapping only `uid` and `gid` (host ids) to 0: as a mount's idmapping it
// shows files owned by host 0 as owned by `uid`/`gid`, and stores the files that `uid`
// creates as owned by 0. Other ids are not mapped (they show as the overflow id, and the
// sandbox can neither create nor chown to them there), as in an unprivileged caller's
// sandbox. A namespace needs a process to be created; a helper that only waits is made,
// mapped and killed, and the namespace lives on through its fd.
Result<UniqueFd> caller_idmap(uint32_t uid, uint32_t gid) {
  clone_args args{};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    for (;;) pause();
  }
  if (pid < 0) return fail(Error::from_errno("clone (the idmap's user namespace)"));
  auto reap = [pid] {
    kill(static_cast<pid_t>(pid), SIGKILL);
    waitpid(static_cast<pid_t>(pid), nullptr, 0);
  };
  const auto p = static_cast<pid_t>(pid);
  Result<void> r = write_map(p, "setgroups", "deny");
  if (r) r = write_map(p, "uid_map", fmt::format("0 {} 1\n", uid));
  if (r) r = write_map(p, "gid_map", fmt::format("0 {} 1\n", gid));
  UniqueFd ns;
  if (r) {
    ns.reset(open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) r = fail(Error::from_errno(fmt::format("/proc/{}/ns/user", pid)));
  }
  reap();
  if (!r) return fail(r.error());
  return ns;
}

bool set_attrs(int mnt, uint64_t attrs, int userns) {
  mount_attr attr{};
  attr.attr_set = attrs;
  attr.propagation = MS_PRIVATE;
  if (attrs & MOUNT_ATTR_IDMAP) attr.userns_fd = static_cast<uint64_t>(userns);
  return mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0;
}

}  // namespace

Result<std::vector<UniqueFd>> clone_bind_sources(Spec& s, std::vector<std::string>& warnings) {
  std::vector<UniqueFd> owned;
  UniqueFd idmap;
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    const MountOp& m = s.mounts[i];
    if (m.kind != MountOp::kBind) continue;
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    UniqueFd src(
        static_cast<int>(syscall(SYS_openat2, AT_FDCWD, m.path.c_str(), &how, sizeof how)));
    if (!src && m.optional && (errno == ENOENT || errno == ENOTDIR)) continue;
    if (!src) {
      Error e = Error::from_errno(fmt::format("mount {}", m.path));
      if (e.code() == ELOOP)
        return fail(Error(e.message() +
                              " (a component of the path is a symlink; name the real path in the "
                              "policy)",
                          ELOOP));
      return fail(e);
    }
    UniqueFd mnt(open_tree(src.get(), "",
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
    if (!mnt) return fail(Error::from_errno(fmt::format("mount {}", m.path)));
    uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m.readonly ? MOUNT_ATTR_RDONLY : 0) |
                     (m.noexec ? MOUNT_ATTR_NOEXEC : 0);
    if (!set_attrs(mnt.get(), attrs, -1))
      return fail(Error::from_errno(fmt::format("mount {}", m.path)));
    if (!m.readonly) {
      if (!idmap) {
        auto ns = caller_idmap(s.host_ids.uid_base + s.uid, s.host_ids.gid_base + s.gid);
        if (!ns)
          return fail(
              Error(fmt::format("mount {}: {}", m.path, ns.error().message()), ns.error().code()));
        idmap = std::move(*ns);
      }
      if (!set_attrs(mnt.get(), MOUNT_ATTR_IDMAP, idmap.get())) {
        int err = errno;
        // A directory anyone may write (/tmp, 1777) needs no idmapping to be writable: bound
        // as it is, the sandbox writes there with its own host ids, which the warning names.
        // Anywhere else the entry would be rw in name only: refused.
        struct stat st;
        bool anyone_writes =
            fstat(src.get(), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH) != 0;
        if (!anyone_writes || (err != EINVAL && err != EOPNOTSUPP))
          return fail(Error(
              fmt::format("mount {}: {} (its filesystem, or one mounted beneath it, cannot be "
                          "idmapped, and a root caller's sandbox writes to rw binds only through "
                          "an idmapped mount: its ids are not host root's; docs/launcher.md, "
                          "\"Ids\")",
                          m.path, Error::errno_name(err)),
              err));
        warnings.push_back(fmt::format(
            "mount {}: its filesystem, or one mounted beneath it, cannot be idmapped ({}); bound "
            "as it is, a directory anyone may write: what the sandbox creates there belongs to "
            "host uid {}, not root",
            m.path, Error::errno_name(err), s.host_ids.uid_base + s.uid));
      }
    }
    s.source_fds[i] = mnt.get();
    owned.push_back(std::move(mnt));
  }
  s.sources_cloned = true;
  return owned;
}

}  // namespace cordon::launcher
