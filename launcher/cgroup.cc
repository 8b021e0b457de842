#include "launcher/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "launcher/cgroup_device.h"
#include "launcher/kernel_file.h"
#include "launcher/unique_fd.h"

namespace cordon::launcher {
namespace {

constexpr uint64_t kCpuPeriodUs = 100000;
// How long remove() keeps retrying rmdir while the last tasks of a cgroup are being reaped.
constexpr auto kRemoveDeadline = std::chrono::seconds(1);
constexpr auto kRemoveRetry = std::chrono::milliseconds(10);

enum class Kind { kMemory, kPids, kCpu, kDevices };

// Why a limit is not in a cgroup. `attempted`: something was tried and failed (mkdir, a write,
// a delegation check), which says more than "this hierarchy lacks the controller".
struct Why {
  Error error;
  bool attempted = false;
  bool unwritable = false;  // the caller may not create a cgroup there
};

// One limit of the Plan on its way to a cgroup or an rlimit.
struct Pending {
  Kind kind;
  uint64_t value;
  std::string origin;
  const std::vector<Device>* devices = nullptr;  // kDevices
  bool placed = false;
  bool placed_elsewhere = false;  // the other cgroup version could have held it
  std::optional<Why> why;

  // A later attempt's reason replaces an earlier one unless it says less.
  void note(Why w) {
    if (!why || w.attempted >= why->attempted) why = std::move(w);
  }
};

const char* controller_of(Kind k) {
  switch (k) {
    case Kind::kMemory:
      return "memory";
    case Kind::kPids:
      return "pids";
    case Kind::kCpu:
      return "cpu";
    case Kind::kDevices:
      return "devices";  // v1 only: v2 has no devices controller, a BPF program does it
  }
  return "";
}

// "memory 512M", "pids 16", "cpu 50%" — the limit as the policy wrote it.
std::string describe(const Pending& p) {
  switch (p.kind) {
    case Kind::kMemory:
      return "memory " + size_text(p.value);
    case Kind::kPids:
      return fmt::format("pids {}", p.value);
    case Kind::kCpu:
      return fmt::format("cpu {:g}%", static_cast<double>(p.value) / 1000.0);
    case Kind::kDevices:
      return p.devices && !p.devices->empty() ? "devices allow " + device_list_text(*p.devices)
                                              : std::string("devices none");
  }
  return "";
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir.back() != '/') return fmt::format("{}/{}", dir, name);
  return fmt::format("{}{}", dir, name);
}

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return fail(Error::from_errno("read " + path));
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Error::from_errno("read " + path));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool has_word(std::string_view list, char sep, std::string_view word) {
  auto words = split(list, sep);
  return std::find(words.begin(), words.end(), word) != words.end();
}

// mountinfo escapes space, tab, newline and backslash in paths as \ooo.
std::string unescape_mountinfo(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Debian 12's glibc 2.36 declares pidfd_open() without C linkage in C++; call the kernel.
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_kill(int pidfd) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0));
}

std::vector<pid_t> parse_pids(std::string_view text) {
  std::vector<pid_t> pids;
  for (auto line : split(text, '\n')) {
    if (line.empty()) continue;
    pid_t pid = 0;
    for (char c : line) {
      if (c < '0' || c > '9') {
        pid = 0;
        break;
      }
      pid = pid * 10 + (c - '0');
    }
    if (pid > 0) pids.push_back(pid);
  }
  return pids;
}

// SIGKILLs every process in the cgroup `dir` (one we created). A pidfd is taken before the
// process is confirmed to still be listed, so a pid reused by an unrelated process between
// reading cgroup.procs and the signal is never hit: the signal goes to the pidfd's process,
// which was in the cgroup when it was confirmed, or fails with ESRCH.
void kill_tasks(const std::string& dir) {
  if (write_kernel_file(join_path(dir, "cgroup.kill"), "1")) return;  // v2, kernel >= 5.14
  auto before = read_file(join_path(dir, "cgroup.procs"));
  if (!before) return;
  std::vector<std::pair<pid_t, UniqueFd>> handles;
  for (pid_t pid : parse_pids(*before)) {
    UniqueFd fd(pidfd_open(pid));
    if (!fd && errno == ENOSYS) {
      ::kill(pid, SIGKILL);  // kernels before 5.3: no pidfd, accept the tiny reuse window
      continue;
    }
    if (fd) handles.emplace_back(pid, std::move(fd));
  }
  if (handles.empty()) return;
  auto after = read_file(join_path(dir, "cgroup.procs"));
  if (!after) return;
  auto still = parse_pids(*after);
  for (auto& [pid, fd] : handles) {
    if (std::find(still.begin(), still.end(), pid) != still.end()) pidfd_kill(fd.get());
  }
}

// Removes the cgroup `dir` we created and any cgroups the sandbox created inside it (they are
// part of our subtree), killing what still runs there. False when it is still there.
bool remove_tree(const std::string& dir, std::chrono::steady_clock::time_point deadline) {
  if (DIR* d = ::opendir(dir.c_str())) {
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (e->d_type == DT_DIR && n != "." && n != "..") children.push_back(join_path(dir, n));
    }
    ::closedir(d);
    for (const auto& c : children) remove_tree(c, deadline);
  }
  for (;;) {
    kill_tasks(dir);
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
    // EBUSY: tasks still exiting (zombies being reaped) or a child cgroup still dying.
    if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kRemoveRetry);
  }
}

// The control files that hold one limit, written in order. Optional files may be absent (no
// swap accounting) or refuse the value; they tighten the limit where they exist.
struct LimitFile {
  std::string file, value;
  bool optional = false;
};

std::vector<LimitFile> limit_files(int version, const Pending& p) {
  auto v = std::to_string(p.value);
  if (version == 2) {
    switch (p.kind) {
      case Kind::kMemory:
        return {{"memory.max", v}, {"memory.swap.max", "0", true}};
      case Kind::kPids:
        return {{"pids.max", v}};
      case Kind::kCpu:
        return {{"cpu.max", fmt::format("{} {}", v, kCpuPeriodUs)}};
      case Kind::kDevices:
        return {};  // a BPF program (place_group)
    }
  }
  switch (p.kind) {
    // memsw = memory + swap: set to the same value so swapping cannot go past the limit.
    case Kind::kMemory:
      return {{"memory.limit_in_bytes", v}, {"memory.memsw.limit_in_bytes", v, true}};
    case Kind::kPids:
      return {{"pids.max", v}};
    case Kind::kCpu:
      return {{"cpu.cfs_period_us", std::to_string(kCpuPeriodUs)}, {"cpu.cfs_quota_us", v}};
    case Kind::kDevices: {
      // Deny everything, then allow the list: a new v1 devices cgroup starts from its parent's.
      std::vector<LimitFile> files;
      for (const auto& line : device_allow_lines(*p.devices))
        files.push_back({files.empty() ? "devices.deny" : "devices.allow", line});
      return files;
    }
  }
  return {};
}

// A locate_cgroup() error as a reason inside a "cgroup: ..." line, without the repeated prefix.
Error as_reason(const Error& e) {
  std::string_view m = e.message();
  if (m.starts_with("cgroup: ")) m.remove_prefix(8);
  return Error(std::string(m), e.code());
}

bool is_permission_error(int err) { return err == EACCES || err == EPERM || err == EROFS; }

// The leaf a supervisor alone in its v2 cgroup moves itself into: "<name>-supervisor".
constexpr std::string_view kSupervisorSuffix = "-supervisor";

// One cgroup directory to create: `dir` beneath the caller's cgroup `parent`, holding
// `limits` (indices into the pending list).
struct Group {
  int version;
  std::string parent;
  std::vector<size_t> limits;
};

// A supervisor killed with SIGKILL cannot remove its cgroup. The next launch that creates one
// beside it removes such leftovers: only directories named like ours (cordon-<pid>), whose
// supervisor pid no longer exists and which hold no task. Anything else is left alone.
void sweep_stale(const std::string& parent) {
  DIR* d = opendir(parent.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string_view n = e->d_name;
    if (n.ends_with(kSupervisorSuffix)) n.remove_suffix(kSupervisorSuffix.size());
    if (n.substr(0, 7) != "cordon-" || n.size() == 7 || n.size() > 17) continue;
    std::string_view digits = n.substr(7);
    if (digits.find_first_not_of("0123456789") != std::string_view::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(std::string(digits)));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::string dir = join_path(parent, e->d_name);
    auto procs = read_file(join_path(dir, "cgroup.procs"));
    if (procs && parse_pids(*procs).empty()) ::rmdir(dir.c_str());
  }
  closedir(d);
}

// Creates the group's directory and writes its limits. A limit whose files refuse its value is
// left unplaced with the reason; a directory that ends up holding no limit is removed again.
// Returns the directory when it was created and kept.
std::optional<std::string> place_group(const Group& g, std::string_view name,
                                       std::vector<Pending>& pending) {
  std::string dir = join_path(g.parent, name);
  sweep_stale(g.parent);
  if (::mkdir(dir.c_str(), 0755) != 0) {
    // EEXIST included: a cgroup of that name that we did not create is never reused.
    int err = errno;
    for (size_t i : g.limits)
      pending[i].note({Error::from_errno("create " + dir, err), true, is_permission_error(err)});
    return std::nullopt;
  }
  bool any = false;
  for (size_t i : g.limits) {
    std::optional<Error> failed;
    if (g.version == 2 && pending[i].kind == Kind::kDevices) {
      UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      auto a = dir_fd ? attach_device_program(dir_fd.get(), *pending[i].devices)
                      : Result<void>(fail(Error::from_errno("open " + dir)));
      if (!a) failed = a.error();
    }
    for (const auto& f : limit_files(g.version, pending[i])) {
      auto w = write_kernel_file(join_path(dir, f.file), f.value);
      if (w || (f.optional && (w.error().code() == ENOENT || w.error().code() == EINVAL))) continue;
      failed = w.error();
      break;
    }
    if (failed) {
      pending[i].note({*failed, true, false});
    } else {
      pending[i].placed = true;
      any = true;
    }
  }
  if (!any) {
    ::rmdir(dir.c_str());  // just created, empty, never entered: nothing to wait for
    return std::nullopt;
  }
  return dir;
}

// cgroup v2: which of the pending limits can go into one child of the caller's v2 cgroup. The
// caller's cgroup must offer each controller to its children; a missing one is enabled in its
// cgroup.subtree_control when it is available — the one write to a cgroup we did not create,
// and the one the v2 interface requires of whoever creates a child with a controller.
std::optional<Group> plan_v2(std::string_view self, std::string_view mountinfo, uid_t euid,
                             pid_t pid, std::string_view name, std::vector<Pending>& pending,
                             SupervisorMove& moved) {
  auto loc = locate_cgroup("", self, mountinfo);
  if (!loc) {
    for (auto& p : pending) p.note({as_reason(loc.error()), false, false});
    return std::nullopt;
  }
  const std::string& parent = loc->dir;
  auto offered = read_file(join_path(parent, "cgroup.controllers"));
  if (!offered) {
    for (auto& p : pending) p.note({offered.error(), false, false});
    return std::nullopt;
  }
  if (!offered->empty() && offered->back() == '\n') offered->pop_back();
  Group g{2, parent, {}};
  std::optional<Why> not_delegated;
  if (euid != 0) {
    // Unprivileged: only a delegated subtree (systemd Delegate=) is ours to create children in
    // and to move processes into; that is the cgroup and its cgroup.procs owned by us.
    struct stat dir_st = {};
    struct stat procs_st = {};
    if (::stat(parent.c_str(), &dir_st) != 0 ||
        ::stat(join_path(parent, "cgroup.procs").c_str(), &procs_st) != 0 ||
        dir_st.st_uid != euid || procs_st.st_uid != euid) {
      not_delegated =
          Why{Error(fmt::format("cgroup v2 {} is not delegated to uid {}", parent, euid), EACCES),
              true, true};
    }
  }
  std::vector<size_t> wanted;
  for (size_t i = 0; i < pending.size(); ++i) {
    const char* c = controller_of(pending[i].kind);
    const bool needs_controller = pending[i].kind != Kind::kDevices;
    if (needs_controller && !has_word(*offered, ' ', c)) {
      pending[i].note(
          {Error(fmt::format("cgroup v2 {} does not offer the {} controller", parent, c), ENOENT),
           false, false});
      continue;
    }
    if (not_delegated) {
      pending[i].note(*not_delegated);
      continue;
    }
    wanted.push_back(i);
  }
  if (wanted.empty()) return std::nullopt;
  auto note_all = [&](const Why& why) {
    for (size_t i : wanted) pending[i].note(why);
    return std::nullopt;
  };
  auto enabled = read_file(join_path(parent, "cgroup.subtree_control"));
  if (!enabled) return note_all({enabled.error(), true, false});
  if (!enabled->empty() && enabled->back() == '\n') enabled->pop_back();
  std::string missing;
  for (size_t i : wanted)
    if (pending[i].kind != Kind::kDevices &&
        !has_word(*enabled, ' ', controller_of(pending[i].kind)))
      missing += fmt::format("{}+{}", missing.empty() ? "" : " ", controller_of(pending[i].kind));
  if (!missing.empty()) {
    // v2's "no internal processes" rule: a cgroup other than the root that holds processes (the
    // caller's, at least) can enable no domain controller for its children. The kernel still
    // accepts the threaded ones (pids, cpu) one by one, which turns the cgroup into a thread
    // root whose children take no process (clone3 into one fails with EOPNOTSUPP): so nothing
    // is written then, and the limits fall back (or a `require cgroup` refuses).
    struct stat type_st = {};
    const bool root = ::stat(join_path(parent, "cgroup.type").c_str(), &type_st) != 0;
    if (!root) {
      auto procs = read_file(join_path(parent, "cgroup.procs"));
      auto pids = procs ? parse_pids(*procs) : std::vector<pid_t>{};
      if (!procs || (!pids.empty() && pids != std::vector<pid_t>{pid})) {
        std::string others;
        for (pid_t p : pids)
          if (p != pid) others += fmt::format("{}{}", others.empty() ? "" : " ", p);
        return note_all(
            {Error(fmt::format("cgroup v2 {} holds processes other than cordon (pid {}), and "
                               "v2 lets a cgroup with processes enable no controller for a "
                               "child; start cordon as the only process of its cgroup (a "
                               "systemd unit or scope with Delegate=yes)",
                               parent, others.empty() ? "?" : others),
                   EBUSY),
             true, false});
      }
      if (!pids.empty()) {
        // cordon alone in its cgroup (a Delegate=yes unit's main process): it moves itself into
        // a leaf beneath it, which empties the cgroup so its controllers can be enabled for the
        // sandbox's cgroup beside the leaf. remove() undoes both.
        std::string leaf = join_path(parent, std::string(name) + std::string(kSupervisorSuffix));
        sweep_stale(parent);
        if (::mkdir(leaf.c_str(), 0755) != 0) {
          int err = errno;
          return note_all(
              {Error::from_errno("create " + leaf, err), true, is_permission_error(err)});
        }
        if (auto w = write_kernel_file(join_path(leaf, "cgroup.procs"), std::to_string(pid)); !w) {
          ::rmdir(leaf.c_str());
          return note_all({w.error(), true, is_permission_error(w.error().code())});
        }
        moved = {parent, leaf, "", pid};
      }
    }
    // One write for all: the kernel takes the whole set or none of it, so a refused controller
    // never leaves others enabled behind.
    auto w = write_kernel_file(join_path(parent, "cgroup.subtree_control"), missing);
    if (!w) {
      moved.undo();
      return note_all({w.error(), true, is_permission_error(w.error().code())});
    }
    if (moved.active()) moved.enabled = missing;
  }
  g.limits = wanted;
  if (g.limits.empty()) return std::nullopt;
  return g;
}

// cgroup v1: one directory per hierarchy that holds a pending controller (two controllers
// mounted together share one).
std::vector<Group> plan_v1(std::string_view self, std::string_view mountinfo,
                           std::vector<Pending>& pending) {
  std::vector<Group> groups;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].placed) continue;
    auto loc = locate_cgroup(controller_of(pending[i].kind), self, mountinfo);
    if (!loc) {
      pending[i].note({as_reason(loc.error()), false, false});
      continue;
    }
    auto same = std::find_if(groups.begin(), groups.end(),
                             [&](const Group& g) { return g.parent == loc->dir; });
    if (same != groups.end())
      same->limits.push_back(i);
    else
      groups.push_back({1, loc->dir, {i}});
  }
  return groups;
}

}  // namespace

std::string size_text(uint64_t v) {
  if (v != 0 && v % (1ull << 30) == 0) return fmt::format("{}G", v >> 30);
  if (v != 0 && v % (1ull << 20) == 0) return fmt::format("{}M", v >> 20);
  if (v != 0 && v % (1ull << 10) == 0) return fmt::format("{}K", v >> 10);
  return fmt::format("{}", v);
}

Result<CgroupLocation> locate_cgroup(std::string_view controller, std::string_view proc_self_cgroup,
                                     std::string_view mountinfo) {
  const bool v2 = controller.empty();
  const std::string what = v2 ? std::string("the cgroup v2 hierarchy")
                              : fmt::format("the cgroup v1 {} hierarchy", controller);
  // /proc/self/cgroup: "ID:CONTROLLERS:PATH"; v2 is "0::PATH". The path may contain ':'.
  std::optional<std::string_view> path;
  for (auto line : split(proc_self_cgroup, '\n')) {
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    auto id = line.substr(0, c1);
    auto controllers = line.substr(c1 + 1, c2 - c1 - 1);
    if (v2 ? (id == "0" && controllers.empty()) : has_word(controllers, ',', controller)) {
      path = line.substr(c2 + 1);
      break;
    }
  }
  if (!path) return fail(fmt::format("cgroup: the caller is in no cgroup of {}", what), ENOENT);
  if (path->empty() || path->front() != '/')
    return fail(fmt::format("cgroup: unexpected cgroup path '{}' in {}", *path, what), EINVAL);

  // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER".
  // ROOT is the cgroup the mount shows at MOUNTPOINT; the caller's cgroup must be inside it.
  std::optional<std::string> dir;
  size_t best_root = 0;
  bool mounted = false;
  for (auto line : split(mountinfo, '\n')) {
    auto f = split(line, ' ');
    auto sep = std::find(f.begin(), f.end(), std::string_view("-"));
    if (f.size() < 6 || sep == f.end() || f.end() - sep < 4 || sep - f.begin() < 6) continue;
    auto fstype = sep[1];
    auto super = sep[3];
    if (v2 ? fstype != "cgroup2" : (fstype != "cgroup" || !has_word(super, ',', controller)))
      continue;
    mounted = true;
    std::string root = unescape_mountinfo(f[3]);
    std::string mountpoint = unescape_mountinfo(f[4]);
    std::string_view rest;
    if (root == "/")
      rest = *path;
    else if (*path == root)
      rest = "";
    else if (path->starts_with(root) && (*path)[root.size()] == '/')
      rest = path->substr(root.size());
    else
      continue;
    // The deepest root wins; among equals the later mount, which hides the earlier one.
    if (dir && root.size() < best_root) continue;
    best_root = root.size();
    if (rest.empty() || rest == "/")
      dir = mountpoint;
    else if (mountpoint == "/")
      dir = std::string(rest);
    else
      dir = mountpoint + std::string(rest);
  }
  if (!dir) {
    if (!mounted) return fail(fmt::format("cgroup: {} is not mounted", what), ENOENT);
    return fail(fmt::format("cgroup: no mount of {} shows the caller's cgroup {}", what, *path),
                ENOENT);
  }
  return CgroupLocation{v2 ? 2 : 1, std::move(*dir)};
}

void SupervisorMove::undo() {
  if (!active()) return;
  // Disable what was enabled for the sandbox (refused while another child still uses it: a
  // concurrent cordon's, which then undoes it), go back, and remove the leaf. Each step may
  // fail; a leaf left behind is empty once cordon exits, and the next launch sweeps it.
  if (!enabled.empty()) {
    std::string off = enabled;
    std::replace(off.begin(), off.end(), '+', '-');
    (void)write_kernel_file(join_path(parent, "cgroup.subtree_control"), off);
  }
  if (write_kernel_file(join_path(parent, "cgroup.procs"), std::to_string(pid)))
    ::rmdir(leaf.c_str());
  *this = {};
}

Result<SandboxCgroup> SandboxCgroup::create(const Cgroup& limits, bool required,
                                            std::string_view name, const CgroupHost& host) {
  SandboxCgroup cg;
  std::vector<Pending> pending;
  if (limits.memory_bytes)
    pending.push_back({Kind::kMemory, *limits.memory_bytes, limits.memory_origin});
  if (limits.pids) pending.push_back({Kind::kPids, *limits.pids, limits.pids_origin});
  if (limits.cpu_quota_us) pending.push_back({Kind::kCpu, *limits.cpu_quota_us, limits.cpu_origin});
  if (limits.devices)
    pending.push_back({Kind::kDevices, 0, limits.devices_origin, &*limits.devices});
  if (pending.empty()) return cg;
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos)
    return fail(fmt::format("cgroup: invalid cgroup name '{}'", name), EINVAL);

  const uid_t euid = host.euid == static_cast<uid_t>(-1) ? ::geteuid() : host.euid;
  auto self = read_file(host.proc_self_cgroup);
  auto mountinfo = self ? read_file(host.mountinfo) : self;
  if (!self || !mountinfo) {
    for (auto& p : pending) p.note({(self ? mountinfo : self).error(), true, false});
  } else {
    // v2 and v1 are tried each on its own copy of the limits and never mixed: the child enters
    // either the one v2 cgroup (clone3 CLONE_INTO_CGROUP) or the v1 ones (attach()). v1 is
    // tried only when v2 cannot hold every limit; whichever holds more is kept, v2 on a tie,
    // and the other's directories (new and empty) are removed again.
    std::vector<Pending> in_v2 = pending, in_v1 = pending;
    std::vector<std::string> v2_dirs, v1_dirs;
    const pid_t pid = host.pid > 0 ? host.pid : ::getpid();
    if (auto g = plan_v2(*self, *mountinfo, euid, pid, name, in_v2, cg.moved_))
      if (auto dir = place_group(*g, name, in_v2)) v2_dirs.push_back(*dir);
    auto placed = [](const std::vector<Pending>& v) {
      return std::count_if(v.begin(), v.end(), [](const Pending& p) { return p.placed; });
    };
    if (placed(in_v2) < static_cast<long>(pending.size()))
      for (const auto& g : plan_v1(*self, *mountinfo, in_v1))
        if (auto dir = place_group(g, name, in_v1)) v1_dirs.push_back(*dir);
    const bool use_v2 = !v2_dirs.empty() && placed(in_v2) >= placed(in_v1);
    const auto deadline = std::chrono::steady_clock::now() + kRemoveDeadline;
    for (const auto& d : use_v2 ? v1_dirs : v2_dirs) remove_tree(d, deadline);
    if (!use_v2) cg.moved_.undo();  // the v2 cgroup it was for is not used
    cg.paths_ = use_v2 ? v2_dirs : v1_dirs;
    cg.version_ = cg.paths_.empty() ? 0 : use_v2 ? 2 : 1;
    for (size_t i = 0; i < pending.size(); ++i) {
      const Pending& chosen = use_v2 ? in_v2[i] : in_v1[i];
      const Pending& other = use_v2 ? in_v1[i] : in_v2[i];
      pending[i].placed = chosen.placed;
      if (chosen.placed) cg.placed_.push_back(controller_of(pending[i].kind));
      pending[i].placed_elsewhere = other.placed;
      if (in_v2[i].why) pending[i].note(*in_v2[i].why);
      if (in_v1[i].why) pending[i].note(*in_v1[i].why);
    }
    if (use_v2) {
      cg.v2_fd_ = ::open(v2_dirs[0].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (cg.v2_fd_ < 0) {
        auto err = Error::from_errno("cgroup: open " + v2_dirs[0]);
        cg.remove();
        return fail(std::move(err));
      }
    }
    // The memory limit's directory, for oom_kills(): the one whose hierarchy has memory files.
    for (const auto& p : pending) {
      if (p.kind != Kind::kMemory || !p.placed) continue;
      for (const auto& d : cg.paths_) {
        struct stat st {};
        const char* probe = use_v2 ? "memory.max" : "memory.limit_in_bytes";
        if (::stat(join_path(d, probe).c_str(), &st) == 0) cg.memory_path_ = d;
      }
    }
  }

  for (auto& p : pending) {
    if (p.placed) continue;
    if (!p.why) p.why = Why{Error("no cgroup was tried", ENOENT)};  // not reached; be safe
    if (!p.why->attempted && !p.placed_elsewhere)  // neither has the controller: say so plainly
      p.why->error = Error(
          fmt::format("no cgroup hierarchy here has the {} controller", controller_of(p.kind)),
          ENOENT);
    std::string reason = (p.why->unwritable ? "no writable cgroup: " : "") + p.why->error.message();
    if (p.kind == Kind::kDevices) {
      // A device list is a security rule, not a resource limit: nothing replaces it, and
      // running without it would open every device the sandbox can reach.
      cg.remove();
      return fail(Error(fmt::format("cgroup: {} (at {}) cannot be enforced: {}; no other "
                                    "mechanism enforces a device list, so the sandbox does not "
                                    "start without it",
                                    describe(p), p.origin, reason),
                        p.why->error.code()));
    }
    if (required) {
      cg.remove();  // nothing of a refused sandbox stays behind
      return fail(Error(fmt::format("cgroup: {} cannot be enforced by a cgroup, which the policy "
                                    "requires: {}",
                                    describe(p), reason),
                        p.why->error.code()));
    }
    std::string instead;
    switch (p.kind) {
      case Kind::kMemory:
        cg.fallback_.push_back({"as", RLIMIT_AS, p.value, p.origin});
        // Say what the stand-in does not hold: the limit is per process and counts address
        // space, not memory charged to the sandbox.
        instead =
            "using RLIMIT_AS instead, which caps each process's address space only: several "
            "processes, or pages held in memfds and tmpfs files, add up to more than the limit "
            "(`require cgroup` refuses to start without a cgroup instead)";
        break;
      case Kind::kPids:
        cg.fallback_.push_back({"nproc", RLIMIT_NPROC, p.value, p.origin});
        instead =
            "using RLIMIT_NPROC instead, which counts the user's processes in the sandbox's user "
            "namespace (`require cgroup` refuses to start without a cgroup instead)";
        break;
      case Kind::kCpu:
      case Kind::kDevices:  // refused above
        instead = "no rlimit replaces it";
        break;
    }
    cg.warnings_.push_back(
        fmt::format("cgroup: {} not enforced by a cgroup ({}); {}", describe(p), reason, instead));
  }
  return cg;
}

SandboxCgroup::SandboxCgroup(SandboxCgroup&& other) noexcept
    : version_(std::exchange(other.version_, 0)),
      paths_(std::move(other.paths_)),
      memory_path_(std::move(other.memory_path_)),
      v2_fd_(std::exchange(other.v2_fd_, -1)),
      moved_(std::exchange(other.moved_, {})),
      fallback_(std::move(other.fallback_)),
      warnings_(std::move(other.warnings_)),
      placed_(std::move(other.placed_)) {
  other.paths_.clear();
  other.memory_path_.clear();
}

SandboxCgroup& SandboxCgroup::operator=(SandboxCgroup&& other) noexcept {
  if (this != &other) {
    remove();
    version_ = std::exchange(other.version_, 0);
    paths_ = std::move(other.paths_);
    other.paths_.clear();
    memory_path_ = std::move(other.memory_path_);
    other.memory_path_.clear();
    v2_fd_ = std::exchange(other.v2_fd_, -1);
    moved_ = std::exchange(other.moved_, {});
    fallback_ = std::move(other.fallback_);
    warnings_ = std::move(other.warnings_);
    placed_ = std::move(other.placed_);
  }
  return *this;
}

SandboxCgroup::~SandboxCgroup() { remove(); }

Result<void> SandboxCgroup::attach(pid_t pid) const {
  for (const auto& dir : paths_) {
    if (auto w = write_kernel_file(join_path(dir, "cgroup.procs"), std::to_string(pid)); !w)
      return fail(
          Error::from_errno(fmt::format("cgroup: attach {} to {}", pid, dir), w.error().code()));
  }
  return {};
}

uint64_t SandboxCgroup::oom_kills() const {
  if (memory_path_.empty()) return 0;
  auto text = read_file(join_path(memory_path_, "memory.events"));             // v2
  if (!text) text = read_file(join_path(memory_path_, "memory.oom_control"));  // v1
  if (!text) return 0;
  for (auto line : split(*text, '\n')) {
    if (!line.starts_with("oom_kill ")) continue;
    uint64_t n = 0;
    for (char c : line.substr(9)) {
      if (c < '0' || c > '9') break;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
  }
  return 0;
}

void SandboxCgroup::remove() {
  if (v2_fd_ >= 0) ::close(std::exchange(v2_fd_, -1));
  const auto deadline = std::chrono::steady_clock::now() + kRemoveDeadline;
  std::vector<std::string> left;  // still busy after the deadline: kept for a later remove()
  for (auto it = paths_.rbegin(); it != paths_.rend(); ++it)
    if (!remove_tree(*it, deadline)) left.insert(left.begin(), *it);
  paths_ = std::move(left);
  if (paths_.empty()) {
    moved_.undo();  // the controllers it enabled are in use no more
    version_ = 0;
    memory_path_.clear();
  }
}

}  // namespace cordon::launcher
