// The child side of the launch: everything between clone and execveat.
//
// Runs in the new namespaces, privileged in the new user namespace (full capabilities there,
// none outside). It allocates nothing, throws nothing and prints nothing: every string and
// array comes from the Spec the parent built, and a failure is one Report over a pipe followed
// by _exit. `contain_app` is the hardening checklist, in the DESIGN's order; read it first.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <selinux/selinux.h>
#include <signal.h>
#include <sys/apparmor.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "launcher/landlock_abi.h"
#include "launcher/mac.h"
#include "launcher/spec.h"

namespace cordon::launcher {
namespace {

// Where reports go. Set once at the start of child_main; the app inherits it (CLOEXEC, so the
// exec closes it and the parent sees EOF).
int g_report_fd = -1;

[[noreturn]] void die(Stage stage, int err, int index = -1) {
  Report r;
  r.kind = Report::kFailure;
  r.stage = stage;
  r.err = err;
  r.index = index;
  (void)!write(g_report_fd, &r, sizeof r);
  int code = 125;
  if (stage == Stage::kExec || stage == Stage::kFindCommand) code = err == ENOENT ? 127 : 126;
  _exit(code);
}

// Fails the stage with errno when `ok` is false; reads like the checklist it serves.
void check(bool ok, Stage stage, int index = -1) {
  if (!ok) die(stage, errno, index);
}

int openat2_fd(int dirfd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

constexpr uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

// ---- Filesystem: sources, the new root, mounts, pivot_root ----

// Opens every bind source in the (copied) host view, before anything is mounted over it.
// Symlinks are never followed: a path that goes through one is refused (ELOOP), except the
// sources the parent saw as symlinks, which are replicated rather than bound. A root caller's
// sources are already open: the parent cloned them (clone_bind_sources).
void open_sources(Spec& s) {
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    const MountOp& m = s.mounts[i];
    if (m.kind != MountOp::kBind || s.sources_cloned) continue;
    int fd = openat2_fd(AT_FDCWD, m.path.c_str(), O_PATH | O_CLOEXEC,
                        RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0 && m.optional && (errno == ENOENT || errno == ENOTDIR)) continue;
    check(fd >= 0, Stage::kMountSource, static_cast<int>(i));
    s.source_fds[i] = fd;
  }
  bool dev_wanted = false;
  for (const MountOp& m : s.mounts) dev_wanted |= m.kind == MountOp::kDev;
  for (int d = 0; dev_wanted && d < kDevNodeCount; ++d) {
    char path[32] = "/dev/";
    strncat(path, kDevNodes[d], sizeof path - 6);
    s.dev_fds[d] = openat2_fd(AT_FDCWD, path, O_PATH | O_CLOEXEC, RESOLVE_NO_SYMLINKS);
    // A host without /dev/tty (no console at all) still gets the other nodes.
    if (s.dev_fds[d] < 0 && errno != ENOENT) die(Stage::kMountSource, errno, -2 - d);
  }
}

// Creates `rel` beneath `root` (directories for every component, the last one a directory or
// an empty file) and returns an O_PATH fd of it. Nothing is followed: each step is resolved
// beneath its parent with symlinks refused.
int make_target(int root, const char* rel, bool dir) {
  char buf[4096];
  size_t n = strlen(rel);
  if (n >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  // An empty path would be the new root itself: nothing is ever mounted onto it.
  if (n == 0 || rel[0] == '/') {
    errno = EINVAL;
    return -1;
  }
  memcpy(buf, rel, n + 1);
  int cur = fcntl(root, F_DUPFD_CLOEXEC, 0);
  char* comp = buf;
  while (cur >= 0) {
    char* slash = strchr(comp, '/');
    bool last = slash == nullptr;
    if (!last) *slash = '\0';
    if (*comp != '\0') {
      if (!last || dir) {
        if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) break;
      } else {
        int f = openat(cur, comp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (f >= 0)
          close(f);
        else if (errno != EEXIST)
          break;
      }
      int next =
          openat2_fd(cur, comp, O_PATH | O_CLOEXEC | (last && !dir ? 0 : O_DIRECTORY), kBeneath);
      close(cur);
      cur = next;
    }
    if (last) return cur;
    comp = slash + 1;
  }
  int saved = errno;
  if (cur >= 0) close(cur);
  errno = saved;
  return -1;
}

// Attaches the detached mount `mnt` on `rel` beneath `root`.
bool attach(int mnt, int root, const char* rel, bool dir) {
  int target = make_target(root, rel, dir);
  if (target < 0) return false;
  int rc = move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int saved = errno;
  close(target);
  close(mnt);
  errno = saved;
  return rc == 0;
}

// A fresh filesystem of `type` as a detached mount, with string options.
int new_fs(const char* type, const char* const* opts, unsigned attrs) {
  int fs = fsopen(type, FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  for (; opts && opts[0]; opts += 2) {
    int rc = opts[1] ? fsconfig(fs, FSCONFIG_SET_STRING, opts[0], opts[1], 0)
                     : fsconfig(fs, FSCONFIG_SET_FLAG, opts[0], nullptr, 0);
    if (rc < 0) {
      int saved = errno;
      close(fs);
      errno = saved;
      return -1;
    }
  }
  int mnt = -1;
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0)
    mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
  int saved = errno;
  close(fs);
  errno = saved;
  return mnt;
}

// A recursive copy of the mount at `src`, made read-only (recursively) when asked.
int clone_tree(int src, bool recursive, unsigned attrs) {
  int mnt = open_tree(
      src, "",
      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
  if (mnt < 0) return -1;
  mount_attr attr{};
  attr.attr_set = attrs;
  attr.propagation = MS_PRIVATE;
  if (mount_setattr(mnt, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) <
      0) {
    int saved = errno;
    close(mnt);
    errno = saved;
    return -1;
  }
  return mnt;
}

// /dev with only harmless nodes: a tmpfs, the host's null zero full random urandom tty bound
// in, a private devpts instance, and the usual symlinks. The nodes' binds are read-only: I/O on
// a device node does not write to its filesystem, but chmod, chown and utimes would change the
// host's devtmpfs inode, and they get EROFS.
bool build_dev(const Spec& s, int root, const MountOp& m) {
  static const char* const kTmpfsOpts[] = {"mode", "0755", "size", "65536", nullptr};
  int dev = new_fs("tmpfs", kTmpfsOpts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
  if (dev < 0 || !attach(dev, root, m.rel.c_str(), true)) return false;
  int devdir = openat2_fd(root, m.rel.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, kBeneath);
  if (devdir < 0) return false;
  bool ok = true;
  for (int d = 0; ok && d < kDevNodeCount; ++d) {
    if (s.dev_fds[d] < 0) continue;
    int node =
        clone_tree(s.dev_fds[d], false, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
    ok = node >= 0 && attach(node, devdir, kDevNodes[d], false);
  }
  static const char* const kPtsOpts[] = {"newinstance", nullptr, "ptmxmode", "0666",
                                         "mode",        "0620",  nullptr};
  int pts = ok ? new_fs("devpts", kPtsOpts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) : -1;
  ok = pts >= 0 && attach(pts, devdir, "pts", true);
  static const char* const kLinks[][2] = {{"pts/ptmx", "ptmx"},
                                          {"/proc/self/fd", "fd"},
                                          {"/proc/self/fd/0", "stdin"},
                                          {"/proc/self/fd/1", "stdout"},
                                          {"/proc/self/fd/2", "stderr"}};
  for (const auto& link : kLinks) ok = ok && symlinkat(link[0], devdir, link[1]) == 0;
  ok = ok && mkdirat(devdir, "shm", 01777) == 0;
  int saved = errno;
  close(devdir);
  errno = saved;
  return ok;
}

// A detached copy of `name` beneath `dir` (with its submounts when `recursive`) with `attrs`,
// moved onto `target_name` beneath `target`.
bool bind_over(int dir, const char* name, int target, const char* target_name, unsigned attrs,
               bool recursive = false) {
  const int rec = recursive ? AT_RECURSIVE : 0;
  int mnt = open_tree(dir, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | rec);
  if (mnt < 0) return false;
  mount_attr attr{};
  attr.attr_set = attrs;
  attr.propagation = MS_PRIVATE;
  bool ok = mount_setattr(mnt, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) == 0 &&
            move_mount(mnt, "", target, target_name, MOVE_MOUNT_F_EMPTY_PATH) == 0;
  int saved = errno;
  close(mnt);
  errno = saved;
  return ok;
}

// What Docker's default spec masks in /proc (MaskedPaths): kernel memory, other tasks' key
// names, timers and scheduler state with kernel addresses, IRQ counts, hardware lists, and
// sysrq-trigger (Docker makes it read-only; nothing here may read it either). Each is covered
// by an empty read-only file or directory: reads see nothing, writes and chmod get EROFS.
constexpr const char* kProcMasked[] = {
    "kcore",         "keys",          "timer_list", "timer_stats", "sched_debug", "interrupts",
    "latency_stats", "sysrq-trigger", "acpi",       "asound",      "scsi"};
// The parts that write to the host kernel (sysctls, IRQ affinity, bus and filesystem settings)
// are guarded only by file modes and init-namespace capabilities, and their modes are shared by
// every procfs mount: read-only binds of themselves (Docker's ReadonlyPaths). The rest of /proc
// stays writable: /proc/self/{attr,oom_score_adj,comm,...} are the task's own (the MAC stage
// writes attr/exec there).
constexpr const char* kProcReadonly[] = {"sys", "irq", "bus", "fs"};
constexpr const char* kMaskFile = ".cordon-proc-mask";
constexpr const char* kMaskDir = ".cordon-proc-maskdir";

bool protect_proc(int root, const char* rel) {
  int proc = openat2_fd(root, rel, O_PATH | O_DIRECTORY | O_CLOEXEC, kBeneath);
  if (proc < 0) return false;
  constexpr unsigned kAttrs =
      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  // The masks: an empty file and directory made on the new root's tmpfs (still writable),
  // bound where needed, then unlinked (the binds keep them).
  int f = openat(root, kMaskFile, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
  bool ok = f >= 0 && mkdirat(root, kMaskDir, 0555) == 0;
  if (f >= 0) close(f);
  for (const char* name : kProcMasked) {
    if (!ok) break;
    struct stat st;
    if (fstatat(proc, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // not built into this kernel
      ok = false;
      break;
    }
    ok = bind_over(root, S_ISDIR(st.st_mode) ? kMaskDir : kMaskFile, proc, name, kAttrs);
  }
  ok = ok && unlinkat(root, kMaskFile, 0) == 0 && unlinkat(root, kMaskDir, AT_REMOVEDIR) == 0;
  for (const char* name : kProcReadonly) {
    if (!ok) break;
    ok = bind_over(proc, name, proc, name, kAttrs, /*recursive=*/true);
    if (!ok && errno == ENOENT) ok = true;  // not built into this kernel
  }
  int saved = errno;
  close(proc);
  errno = saved;
  return ok;
}

void build_root(Spec& s) {
  // Nothing we mount may propagate back to the host, and nothing of the host's may arrive.
  check(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, Stage::kMountPrivate);
  open_sources(s);

  static const char* const kRootOpts[] = {"mode", "0755", "size", "1048576", nullptr};
  int rootmnt = new_fs("tmpfs", kRootOpts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  check(rootmnt >= 0, Stage::kNewRoot);
  check(move_mount(rootmnt, "", AT_FDCWD, s.staging.c_str(), MOVE_MOUNT_F_EMPTY_PATH) == 0,
        Stage::kNewRoot);
  close(rootmnt);
  int root = openat2_fd(AT_FDCWD, s.staging.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC,
                        RESOLVE_NO_SYMLINKS);
  check(root >= 0, Stage::kNewRoot);

  for (size_t i = 0; i < s.mounts.size(); ++i) {
    const MountOp& m = s.mounts[i];
    const int idx = static_cast<int>(i);
    switch (m.kind) {
      case MountOp::kBind: {
        int src = s.source_fds[i];
        if (src < 0) continue;  // optional and absent
        struct stat st;
        check(fstat(src, &st) == 0, Stage::kMount, idx);
        unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                         (m.readonly ? MOUNT_ATTR_RDONLY : 0) | (m.noexec ? MOUNT_ATTR_NOEXEC : 0);
        // The parent's clones carry their attributes (and idmapping) already.
        int mnt = s.sources_cloned ? src : clone_tree(src, true, attrs);
        check(mnt >= 0, Stage::kMount, idx);
        check(attach(mnt, root, m.rel.c_str(), S_ISDIR(st.st_mode)), Stage::kMount, idx);
        if (mnt != src) close(src);
        s.source_fds[i] = -1;
        break;
      }
      case MountOp::kTmpfs: {
        const char* opts[] = {"size", m.size.c_str(), "mode", m.mode.c_str(), nullptr};
        int mnt = new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        check(mnt >= 0 && attach(mnt, root, m.rel.c_str(), true), Stage::kMount, idx);
        break;
      }
      case MountOp::kProc: {
        // Mounted from inside the new PID namespace, so it lists only the sandbox.
        int mnt = new_fs("proc", nullptr, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        check(mnt >= 0 && attach(mnt, root, m.rel.c_str(), true), Stage::kMount, idx);
        check(protect_proc(root, m.rel.c_str()), Stage::kMount, idx);
        break;
      }
      case MountOp::kDev:
        check(build_dev(s, root, m), Stage::kMount, idx);
        break;
      case MountOp::kSymlink: {
        // The parent's directory of the link, then the link itself, never followed.
        const char* slash = strrchr(m.rel.c_str(), '/');
        int dir = root;
        char parent[4096];
        if (slash) {
          size_t n = static_cast<size_t>(slash - m.rel.c_str());
          if (n >= sizeof parent) die(Stage::kMount, ENAMETOOLONG, idx);
          memcpy(parent, m.rel.c_str(), n);
          parent[n] = '\0';
          dir = make_target(root, parent, true);
          check(dir >= 0, Stage::kMount, idx);
        }
        const char* name = slash ? slash + 1 : m.rel.c_str();
        check(symlinkat(m.link_target.c_str(), dir, name) == 0 || errno == EEXIST, Stage::kMount,
              idx);
        if (dir != root) close(dir);
        break;
      }
    }
  }
  for (int& fd : s.dev_fds)
    if (fd >= 0) close(fd), fd = -1;

  // The root tmpfs itself becomes read-only: the app can write only where a mount says rw.
  mount_attr ro{};
  ro.attr_set = MOUNT_ATTR_RDONLY;
  check(mount_setattr(root, "", AT_EMPTY_PATH, &ro, sizeof ro) == 0, Stage::kNewRoot);

  // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only
  // the new root. The old root is never reachable again from this mount namespace.
  check(fchdir(root) == 0, Stage::kPivotRoot);
  check(syscall(SYS_pivot_root, ".", ".") == 0, Stage::kPivotRoot);
  check(umount2(".", MNT_DETACH) == 0, Stage::kPivotRoot);
  close(root);
  check(chdir("/") == 0, Stage::kPivotRoot);
  if (!s.cwd.empty() && chdir(s.cwd.c_str()) != 0) (void)!chdir("/");
}

// A root caller's child leaves host uid 0 and root's supplementary groups as soon as its id maps
// exist, for the app's ids (from the range): PID 1 must share the app's uid to signal it
// without CAP_KILL, as an unprivileged caller's PID 1 does. Its capabilities in the sandbox's
// namespace stay (the old ids were not that namespace's root, so the kernel clears nothing)
// and reach nothing outside. Nothing after needs host root: the parent opened the bind
// sources, and the rest (/dev's nodes, the staging directory) is reachable by anyone.
void become_sandbox_ids(const Spec& s) {
  check(setgroups(0, nullptr) == 0, Stage::kSetIds);
  check(setresgid(s.gid, s.gid, s.gid) == 0, Stage::kSetIds);
  check(setresuid(s.uid, s.uid, s.uid) == 0, Stage::kSetIds);
  // A change of ids clears the parent-death signal: armed again, then the parent is checked
  // to be alive (the report pipe's reader, which it holds open until the sandbox ends), in
  // case it died in between.
  check(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0, Stage::kPdeathsig);
  pollfd reader{g_report_fd, POLLOUT, 0};
  if (poll(&reader, 1, 0) < 0 || (reader.revents & POLLERR)) _exit(125);
}

void loopback_up() {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  check(sock >= 0, Stage::kLoopback);
  ifreq ifr{};
  memcpy(ifr.ifr_name, "lo", 3);
  check(ioctl(sock, SIOCGIFFLAGS, &ifr) == 0, Stage::kLoopback);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  check(ioctl(sock, SIOCSIFFLAGS, &ifr) == 0, Stage::kLoopback);
  close(sock);
}

// ---- Limits of the sandbox's namespaces ----

// Writes `value` to the sysctl at `path`; false with errno on failure (a short write included).
bool write_sysctl(const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t n = strlen(value);
  ssize_t put = write(fd, value, n);
  int saved = errno;
  close(fd);
  errno = put < 0 ? saved : static_cast<size_t>(put) == n ? 0 : EIO;
  return put >= 0 && static_cast<size_t>(put) == n;
}

// PID 1, privileged in the sandbox's user namespace. The user.* limits belong to a user
// namespace and bound every namespace beneath it; writing one needs CAP_SYS_RESOURCE in the
// namespace that owns it, which the app never holds (prepare_spec refuses a policy that keeps
// SYS_RESOURCE here). So after this the app cannot create a user namespace (ENOSPC), nor
// raise the limit again. Which namespace's limit /proc/sys/user shows is decided by the
// opener's user namespace, not by the procfs mount: the host's /proc, still visible here
// before the new root is built, shows ours.
void disable_nested_userns() {
  check(write_sysctl("/proc/sys/user/max_user_namespaces", "0"), Stage::kNestedUserns);
}

// PID 1 of the sandbox's PID namespace, still host root (a root caller's, before it takes the
// range's ids; prepare_spec asks this of no one else). vm.memfd_noexec belongs to the writer's
// PID namespace and is inherited by the ones beneath it, and never lowered below a parent's:
// 2 makes every memfd non-executable there.
void disable_memfd_exec() {
  check(write_sysctl("/proc/sys/vm/memfd_noexec", "2"), Stage::kMemfdNoexec);
}

// ---- The app's own stages ----

// Finds the command in the sandbox (PATH order) and opens it as the fd execveat will run.
// O_PATH: no read permission is needed, and nothing of the file is read before exec.
int open_command(const Spec& s) {
  int last_err = ENOENT;
  for (const std::string& c : s.candidates) {
    int fd = open(c.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT && errno != ENOTDIR) last_err = errno;
      continue;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
      last_err = errno;
      close(fd);
      continue;
    }
    if (S_ISREG(st.st_mode) && faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0) return fd;
    last_err = S_ISREG(st.st_mode) ? EACCES : EISDIR;
    close(fd);
  }
  die(Stage::kFindCommand, last_err);
}

// Closes every fd but 0-2, the passed ones and the ones this process still needs (all of
// which are close-on-exec). Passed fds lose close-on-exec so they survive execveat.
void close_fds(const Spec& s, int keep_a, int keep_b) {
  int keep[66];
  int n = 0;
  keep[n++] = keep_a;
  keep[n++] = keep_b;
  for (int fd : s.pass_fds) {
    if (n == 66) die(Stage::kCloseFds, EMFILE);
    keep[n++] = fd;
    check(fcntl(fd, F_SETFD, 0) == 0, Stage::kCloseFds, fd);
  }
  // Insertion sort: tiny array, no allocation.
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && keep[j] < keep[j - 1]; --j) std::swap(keep[j], keep[j - 1]);
  unsigned lo = 3;
  for (int i = 0; i < n; ++i) {
    if (keep[i] < 3) continue;
    unsigned k = static_cast<unsigned>(keep[i]);
    if (k > lo) check(close_range(lo, k - 1, 0) == 0, Stage::kCloseFds);
    lo = k + 1;
  }
  check(close_range(lo, ~0U, 0) == 0, Stage::kCloseFds);
}

void drop_capabilities(const Spec& s) {
  for (int c = 0; c <= s.cap_last; ++c) {
    if (s.caps_keep & (1ULL << c)) continue;
    check(prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0 || errno == EINVAL, Stage::kCapabilities, c);
  }
  // libcap allocates; after clone we talk to capset directly (STYLE.md: no allocation here).
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  check(syscall(SYS_capget, &hdr, data) == 0, Stage::kCapabilities);
  // A non-root app gets the kept capabilities through the ambient set; root gets them from
  // the bounding set at exec. Nothing else is inheritable.
  const uint64_t inh = s.uid != 0 ? s.caps_keep : 0;
  data[0].inheritable = static_cast<uint32_t>(inh);
  data[1].inheritable = static_cast<uint32_t>(inh >> 32);
  check(syscall(SYS_capset, &hdr, data) == 0, Stage::kCapabilities);
  check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0, Stage::kCapabilities);
  for (int c = 0; c <= s.cap_last && inh; ++c)
    if (inh & (1ULL << c))
      check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) == 0, Stage::kCapabilities, c);
}

// The MAC stage: the exec label, set through libapparmor and libselinux, which write it to
// the process's attr files in /proc. That /proc is checked first to be a procfs of the
// sandbox's own PID namespace (the policy's `proc`), not whatever a bind put there.
void set_exec_labels(const Spec& s) {
  if (s.apparmor_exec.empty() && s.selinux_exec.empty()) return;
  int bad = verify_procfs();
  if (bad != 0) die(Stage::kMac, bad, kMacProcfs);
  if (!s.apparmor_exec.empty())
    check(aa_change_onexec(s.apparmor_exec.c_str()) == 0, Stage::kMac, kMacAppArmor);
  if (!s.selinux_exec.empty())
    check(setexeccon(s.selinux_exec.c_str()) == 0, Stage::kMac, kMacSelinux);
}

void apply_landlock(const Spec& s) {
  landlock::RulesetAttr attr{s.landlock_fs, s.landlock_net, s.landlock_scoped};
  int rs = static_cast<int>(
      syscall(SYS_landlock_create_ruleset, &attr, landlock::ruleset_attr_size(s.landlock_abi), 0));
  check(rs >= 0, Stage::kLandlock);
  for (size_t i = 0; i < s.landlock_rules.size(); ++i) {
    const LandlockRule& r = s.landlock_rules[i];
    int fd = openat2_fd(AT_FDCWD, r.path.c_str(), O_PATH | O_CLOEXEC,
                        RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0 && r.optional && (errno == ENOENT || errno == ENOTDIR)) continue;
    check(fd >= 0, Stage::kLandlock, static_cast<int>(i));
    struct stat st;
    check(fstat(fd, &st) == 0, Stage::kLandlock, static_cast<int>(i));
    uint64_t access = r.access & s.landlock_fs;
    if (!S_ISDIR(st.st_mode)) access &= landlock::kFileRights;
    landlock::PathBeneathAttr pb{access, fd};
    if (access != 0)
      check(syscall(SYS_landlock_add_rule, rs, landlock::kRulePathBeneath, &pb, 0) == 0,
            Stage::kLandlock, static_cast<int>(i));
    close(fd);
  }
  for (const auto& [port, access] : s.landlock_ports) {
    landlock::NetPortAttr np{access, port};
    check(syscall(SYS_landlock_add_rule, rs, landlock::kRuleNetPort, &np, 0) == 0, Stage::kLandlock,
          port);
  }
  check(syscall(SYS_landlock_restrict_self, rs, s.landlock_flags) == 0, Stage::kLandlock);
  close(rs);
}

void report(Report::Kind kind, int index = -1) {
  Report r;
  r.kind = kind;
  r.index = index;
  check(write(g_report_fd, &r, sizeof r) == sizeof r, Stage::kSeccompListener);
}

// The lowest fd number not open: the one the kernel gives the next new fd.
int lowest_free_fd() {
  int fd = 0;
  while (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) ++fd;
  return fd;
}

void apply_seccomp(const Spec& s) {
  sock_fprog prog{static_cast<unsigned short>(s.seccomp.size()),
                  const_cast<sock_filter*>(s.seccomp.data())};
  if (!s.seccomp_listener) {
    check(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s.seccomp_flags, &prog) == 0,
          Stage::kSeccomp);
    return;
  }
  // The listener answers this process's execveat, so the supervisor must hold it before the
  // exec below: it is told the fd number first (nothing is opened in between, every other fd
  // is closed), and takes the fd with pidfd_getfd once it is there. It is close-on-exec: the
  // app never holds it.
  const int expected = lowest_free_fd();
  report(Report::kListener, expected);
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s.seccomp_flags, &prog);
  check(listener >= 0, Stage::kSeccomp);
  if (listener != expected) die(Stage::kSeccompListener, EBADF, static_cast<int>(listener));
}

// The hardening checklist, in the DESIGN's order. Everything before runs in PID 1 (or here,
// when the PID namespace is shared); everything here applies to the app alone.
[[noreturn]] void contain_app(const Spec& s) {
  const int exe = open_command(s);
  for (size_t i = 0; i < s.rlimits.size(); ++i) {
    rlimit rl{s.rlimits[i].value, s.rlimits[i].value};
    check(setrlimit(static_cast<__rlimit_resource>(s.rlimits[i].resource), &rl) == 0,
          Stage::kRlimit, static_cast<int>(i));
  }
  close_fds(s, exe, g_report_fd);
  // The environment is cleared by construction: execveat gets s.envp and nothing else.
  check(setsid() >= 0, Stage::kSetsid);  // no controlling tty: TIOCSTI reaches nothing
  check(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0, Stage::kPdeathsig);
  drop_capabilities(s);
  check(setresgid(s.gid, s.gid, s.gid) == 0, Stage::kSetIds);
  check(setresuid(s.uid, s.uid, s.uid) == 0, Stage::kSetIds);
  check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, Stage::kNoNewPrivs);
  set_exec_labels(s);
  if (s.landlock_abi > 0) apply_landlock(s);
  if (!s.seccomp.empty()) apply_seccomp(s);
  syscall(SYS_execveat, exe, "", s.argv.data(), s.envp.data(), AT_EMPTY_PATH);
  // A script's interpreter reopens it through /proc/self/fd/N, which close-on-exec has just
  // removed (ENOENT): run it once more from a descriptor that survives.
  if (errno == ENOENT) {
    int keep = dup(exe);
    if (keep >= 0 && s.seccomp_listener) report(Report::kExecRetry);
    if (keep >= 0) syscall(SYS_execveat, keep, "", s.argv.data(), s.envp.data(), AT_EMPTY_PATH);
  }
  die(Stage::kExec, errno);
}

// PID 1 of the sandbox: forwards signals to the app, reaps every orphan, and exits when the
// app does, reporting its wait status (the kernel then kills whatever the app left behind).
[[noreturn]] void init_loop(pid_t app, const sigset_t& forwarded) {
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&forwarded, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(app, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != app) continue;
      Report r;
      r.kind = Report::kExitStatus;
      r.status = status;
      r.app_pid = app;
      (void)!write(g_report_fd, &r, sizeof r);
      _exit(0);
    }
  }
}

}  // namespace

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::kNone:
      return "launch";
    case Stage::kWaitParent:
      return "start";
    case Stage::kCgroupNs:
      return "cgroup namespace";
    case Stage::kMountPrivate:
      return "mount propagation";
    case Stage::kMountSource:
      return "mount";
    case Stage::kNewRoot:
      return "new root";
    case Stage::kMount:
      return "mount";
    case Stage::kPivotRoot:
      return "pivot_root";
    case Stage::kHostname:
      return "hostname";
    case Stage::kLoopback:
      return "loopback";
    case Stage::kNestedUserns:
      return "nested user namespaces off (user.max_user_namespaces)";
    case Stage::kMemfdNoexec:
      return "memfd exec off (vm.memfd_noexec)";
    case Stage::kFork:
      return "fork";
    case Stage::kFindCommand:
      return "exec";
    case Stage::kRlimit:
      return "rlimit";
    case Stage::kCloseFds:
      return "close fds";
    case Stage::kSetsid:
      return "setsid";
    case Stage::kPdeathsig:
      return "pdeathsig";
    case Stage::kCapabilities:
      return "capabilities";
    case Stage::kSetIds:
      return "ids";
    case Stage::kNoNewPrivs:
      return "no_new_privs";
    case Stage::kMac:
      return "mac";
    case Stage::kLandlock:
      return "landlock";
    case Stage::kSeccomp:
      return "seccomp";
    case Stage::kSeccompListener:
      return "seccomp listener";
    case Stage::kExec:
      return "exec";
    case Stage::kInitHardening:
      return "PID 1 hardening";
  }
  return "launch";
}

void child_main(Spec& s, int report_fd, int go_fd) {
  g_report_fd = report_fd;
  // Dies with cordon. The parent may already be gone: then the go pipe reads EOF below.
  check(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0, Stage::kPdeathsig);
  char go = 0;
  ssize_t got;
  do got = read(go_fd, &go, 1);
  while (got < 0 && errno == EINTR);
  if (got != 1) _exit(125);  // the parent failed to set us up and has said why
  close(go_fd);
  // Before the ids change: only host root may write vm.memfd_noexec.
  if (s.memfd_noexec) disable_memfd_exec();
  if (s.host_ids.count > 0) become_sandbox_ids(s);

  // The cgroup namespace is entered only now, after the parent placed us in the sandbox's
  // cgroup, so its root is that cgroup.
  if (s.new_cgroup_ns) check(unshare(CLONE_NEWCGROUP) == 0, Stage::kCgroupNs);
  if (s.no_nested_userns) disable_nested_userns();
  if (s.build_root) build_root(s);
  if (s.clone_flags & CLONE_NEWUTS)
    check(sethostname(s.hostname.data(), s.hostname.size()) == 0, Stage::kHostname);
  if (s.loopback_up) loopback_up();

  if (!s.pid_init) contain_app(s);

  // PID 1: leave the caller's session so a terminal's ^C reaches cordon only (which forwards
  // it), then fork the app with signals blocked so none is lost before sigwaitinfo.
  setsid();
  sigset_t forwarded, old;
  sigemptyset(&forwarded);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH})
    sigaddset(&forwarded, sig);
  sigprocmask(SIG_BLOCK, &forwarded, &old);
  pid_t app = fork();
  check(app >= 0, Stage::kFork);
  if (app == 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    contain_app(s);
  }
  // The supervisor learns the app's host pid from /proc (for the sandbox registry).
  Report started;
  started.kind = Report::kAppStarted;
  started.app_pid = app;
  (void)!write(g_report_fd, &started, sizeof started);
  // PID 1 keeps nothing it does not need: no fds but the report pipe, no capabilities, and
  // no way to gain any. The app cannot ptrace it (its capabilities are not a subset).
  // Each step fails closed: PID 1 that could not harden itself reports why and exits, and the
  // kernel then kills the app with the rest of the PID namespace.
  if (g_report_fd > 0)
    check(close_range(0, static_cast<unsigned>(g_report_fd) - 1, 0) == 0, Stage::kInitHardening);
  check(close_range(static_cast<unsigned>(g_report_fd) + 1, ~0U, 0) == 0, Stage::kInitHardening);
  check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, Stage::kInitHardening);
  // PID 1 runs without the app's seccomp filter and Landlock domain: an app whose policy
  // allows ptrace must not be able to attach to it (or open its /proc/1/mem) and act from
  // there. Not dumpable means only CAP_SYS_PTRACE could, and nothing here keeps that.
  check(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0, Stage::kInitHardening);
  for (int c = 0; c <= s.cap_last; ++c)
    check(prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0 || errno == EINVAL, Stage::kInitHardening, c);
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2]{};
  check(syscall(SYS_capset, &hdr, none) == 0, Stage::kInitHardening);
  init_loop(app, forwarded);
}

}  // namespace cordon::launcher
