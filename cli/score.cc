#include "cli/score.h"

#include <fmt/format.h>
#include <linux/capability.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "base/path.h"
#include "policy/constants.h"

namespace cordon::cli {

namespace {

using launcher::Plan;
using launcher::SeccompRule;

constexpr const char* kBuiltIn = "(built-in)";

std::string or_builtin(const std::string& origin) { return origin.empty() ? kBuiltIn : origin; }

enum class Open { kNo, kConditional, kYes };

struct CallState {
  Open open = Open::kNo;
  const SeccompRule* rule = nullptr;  // the allowing row, or the refusing one
};

// How the Plan's filter treats `name` on its native architecture.
CallState call_state(const Plan& p, std::string_view name) {
  CallState st;
  const auto& sc = p.seccomp;
  if (sc.default_action.empty() && sc.rules.empty()) {
    st.open = Open::kYes;  // no filter at all
    return st;
  }
  const std::string& native = sc.arches.empty() ? std::string() : sc.arches.front();
  bool any_row = false;
  for (const auto& r : sc.rules) {
    if (r.syscall != name || (!native.empty() && r.arch != native)) continue;
    any_row = true;
    if (launcher::seccomp_ret_runs(r.ret)) {
      if (r.condition.empty()) {
        st.open = Open::kYes;
        st.rule = &r;
        return st;
      }
      if (st.open == Open::kNo) st.open = Open::kConditional, st.rule = &r;
    } else if (r.condition.empty()) {
      if (st.open == Open::kNo) st.rule = &r;
      return st;  // an unconditional refusal ends the list
    }
  }
  if (!any_row && launcher::seccomp_ret_runs(sc.default_ret)) st.open = Open::kYes;
  return st;
}

double exposure_of(Open o) { return o == Open::kYes ? 1.0 : o == Open::kConditional ? 0.5 : 0.0; }

void add(Score& s, std::string group, std::string name, double weight, double exposure,
         std::string why, std::string rule) {
  s.items.push_back(
      {std::move(group), std::move(name), weight, exposure, std::move(why), std::move(rule)});
}

// A dangerous group of syscalls: its exposure is the share of its calls left open
// (a conditional allow counts half).
void syscall_group(Score& s, const Plan& p, const std::string& name, double weight,
                   std::initializer_list<std::string_view> calls) {
  double sum = 0;
  std::vector<std::string> open;
  std::string rule;
  for (auto c : calls) {
    CallState st = call_state(p, c);
    sum += exposure_of(st.open);
    if (st.open != Open::kNo) {
      open.push_back(std::string(c) + (st.open == Open::kConditional ? " (if …)" : ""));
      if (rule.empty()) rule = st.rule ? st.rule->origin : or_builtin(p.seccomp.default_origin);
    }
  }
  double e = sum / static_cast<double>(calls.size());
  std::string why = open.empty() ? fmt::format("all {} refused", calls.size())
                                 : fmt::format("open: {}", fmt::join(open, ", "));
  if (rule.empty()) rule = or_builtin(p.seccomp.default_origin);
  add(s, "syscalls", name, weight, e, why, rule);
}

// A call whose danger is in its arguments: exposed when the filter lets it through without
// looking at them (no rule of it has a condition).
void argument_filter(Score& s, const Plan& p, std::string_view call, double weight,
                     const char* what) {
  const auto& sc = p.seccomp;
  const std::string& native = sc.arches.empty() ? std::string() : sc.arches.front();
  const SeccompRule* conditional = nullptr;
  for (const auto& r : sc.rules)
    if (r.syscall == call && (native.empty() || r.arch == native) && !r.condition.empty()) {
      conditional = &r;
      break;
    }
  CallState st = call_state(p, call);
  double e = 0;
  std::string why, rule;
  if (conditional) {
    why = fmt::format("{} if {}", conditional->action, conditional->condition);
    rule = conditional->origin;
  } else if (st.open == Open::kYes) {
    e = 1;
    why = fmt::format("allowed for every {}", what);
    rule = st.rule ? st.rule->origin : or_builtin(sc.default_origin);
  } else {
    why = "refused";
    rule = st.rule ? st.rule->origin : or_builtin(sc.default_origin);
  }
  add(s, "arguments", fmt::format("{} filtered by argument", call), weight, e, why, rule);
}

}  // namespace

Score score_plan(const Plan& p) {
  Score s;
  // Namespaces: what the app shares with the host.
  const auto& ns = p.namespaces;
  const std::string ns_rule = or_builtin(ns.origin);
  auto ns_item = [&](const char* name, bool isolated, double w, const char* shared) {
    add(s, "namespaces", name, w, isolated ? 0 : 1, isolated ? "private" : shared, ns_rule);
  };
  ns_item("user namespace", ns.user, 2, "the host's: host capabilities apply");
  ns_item("PID namespace", ns.pid, 2, "host processes visible and signalable");
  ns_item("mount namespace", ns.mount, 3, "the host's whole filesystem");
  ns_item("IPC namespace", ns.ipc, 1, "host SysV IPC and POSIX queues");
  ns_item("UTS namespace", ns.uts, 0.5, "the host's hostname");
  ns_item("cgroup namespace", ns.cgroup, 0.5, "the host's cgroup tree visible");

  // Network.
  {
    double e = p.network == "none" ? 0 : p.network == "loopback" ? 0.2 : 1;
    std::string why = p.network == "host" ? "the host's network" : p.network;
    if (p.network == "host" && p.landlock.restrict_net) {
      e = 0.5;
      why += fmt::format(", TCP limited by Landlock to {} port rule(s)", p.landlock.ports.size());
    }
    add(s, "network", "network", 6, e, why, or_builtin(p.network_origin));
  }

  // Capabilities: the bounding set the app keeps.
  {
    static constexpr std::array<std::pair<int, double>, 9> kDangerous = {{
        {CAP_SYS_ADMIN, 4},
        {CAP_SYS_MODULE, 3},
        {CAP_SYS_PTRACE, 3},
        {CAP_SYS_RAWIO, 3},
        {CAP_BPF, 2},
        {CAP_NET_ADMIN, 2},
        {CAP_DAC_OVERRIDE, 2},
        {CAP_SETUID, 2},
        {CAP_SYS_BOOT, 2},
    }};
    const std::string rule = or_builtin(p.capabilities_origin);
    std::vector<std::string> others;
    for (int c : p.capabilities) {
      auto it = std::find_if(kDangerous.begin(), kDangerous.end(),
                             [&](const auto& d) { return d.first == c; });
      if (it == kDangerous.end()) others.push_back(policy::capability_label(c));
    }
    for (const auto& [cap, w] : kDangerous) {
      bool kept =
          std::find(p.capabilities.begin(), p.capabilities.end(), cap) != p.capabilities.end();
      add(s, "capabilities", policy::capability_label(cap) + " kept", w, kept ? 1 : 0,
          kept ? "in the bounding set" : "dropped", rule);
    }
    add(s, "capabilities", "other capabilities kept", 1, others.empty() ? 0 : 0.5,
        others.empty() ? "none" : fmt::format("{}", fmt::join(others, " ")), rule);
  }

  // Seccomp: the default, and the dangerous groups left open.
  {
    const auto& sc = p.seccomp;
    bool none = sc.default_action.empty() && sc.rules.empty();
    double e = none ? 1 : launcher::seccomp_ret_runs(sc.default_ret) ? 1 : 0;
    std::string why = none ? "no filter" : "default " + sc.default_action;
    add(s, "syscalls", "filter default", 5, e, why, or_builtin(sc.default_origin));
    add(s, "syscalls", "other architectures", 1, sc.arches.size() > 1 ? 0.5 : 0,
        fmt::format("{}", fmt::join(sc.arches, " ")), or_builtin(sc.default_origin));
  }
  syscall_group(s, p, "@mount left open", 3,
                {"mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount",
                 "fsconfig", "fspick", "mount_setattr"});
  syscall_group(s, p, "@module left open", 3, {"init_module", "finit_module", "delete_module"});
  syscall_group(s, p, "@reboot / kexec left open", 2, {"reboot", "kexec_load", "kexec_file_load"});
  syscall_group(s, p, "@debug left open", 3,
                {"ptrace", "process_vm_readv", "process_vm_writev", "perf_event_open"});
  syscall_group(s, p, "bpf left open", 2, {"bpf"});
  syscall_group(s, p, "@raw-io left open", 2, {"ioperm", "iopl"});
  syscall_group(s, p, "@swap left open", 1, {"swapon", "swapoff"});
  syscall_group(s, p, "keyring left open", 1, {"add_key", "keyctl", "request_key"});
  syscall_group(s, p, "io_uring left open", 1,
                {"io_uring_setup", "io_uring_enter", "io_uring_register"});
  syscall_group(s, p, "userfaultfd left open", 1, {"userfaultfd"});
  syscall_group(s, p, "namespace changes left open", 2, {"unshare", "setns"});
  argument_filter(s, p, "socket", 2, "address family");
  argument_filter(s, p, "ioctl", 2, "request");
  argument_filter(s, p, "clone", 2, "set of flags (new namespaces included)");
  {
    CallState st = call_state(p, "clone3");
    add(s, "arguments", "clone3 (flags out of a filter's reach)", 1, st.open == Open::kNo ? 0 : 1,
        st.open == Open::kNo ? "refused (libc falls back to clone)" : "allowed: flags unchecked",
        st.rule ? st.rule->origin : or_builtin(p.seccomp.default_origin));
  }

  // Landlock and the filesystem.
  {
    const auto& ll = p.landlock;
    add(s, "filesystem", "Landlock", 4, ll.handled_fs == 0 ? 1 : 0,
        ll.handled_fs == 0 ? "no ruleset" : fmt::format("{} path rule(s)", ll.paths.size()),
        or_builtin(ll.origin));
    double e = 0;
    std::string why = "no host path writable beyond the working directory";
    std::string rule = kBuiltIn;
    for (const auto& m : p.mounts) {
      if (m.kind != "rw") continue;
      double me = m.path == "/" ? 1.0
                  : at_or_beneath(m.path, "/etc") || at_or_beneath(m.path, "/usr") ||
                          at_or_beneath(m.path, "/boot") || at_or_beneath(m.path, "/root") ||
                          m.path == "/home" || m.path == "/var"
                      ? 0.8
                      : 0.2;
      if (me > e) e = me, why = "rw " + m.path, rule = m.origin;
    }
    add(s, "filesystem", "writable host paths", 3, e, why, rule);
    bool whole = std::any_of(p.mounts.begin(), p.mounts.end(), [](const launcher::Mount& m) {
      return m.path == "/" && (m.kind == "ro" || m.kind == "exec");
    });
    add(s, "filesystem", "host filesystem visible", 2, whole ? 0.5 : 0,
        whole ? "/ bound (read-only)" : "only the listed paths", kBuiltIn);
  }

  // Resources.
  {
    const auto& cg = p.cgroup;
    add(s, "limits", "memory limit", 1, cg.memory_bytes ? 0 : 1,
        cg.memory_bytes ? fmt::format("{} bytes", *cg.memory_bytes) : "none",
        or_builtin(cg.memory_origin));
    add(s, "limits", "pids limit", 1, cg.pids ? 0 : 1,
        cg.pids ? fmt::format("{}", *cg.pids) : "none (fork bombs reach the host's limit)",
        or_builtin(cg.pids_origin));
    add(s, "limits", "cpu limit", 0.5, cg.cpu_quota_us ? 0 : 1,
        cg.cpu_quota_us ? fmt::format("{} us per 100 ms", *cg.cpu_quota_us) : "none",
        or_builtin(cg.cpu_origin));
  }
  add(s, "privileges", "no_new_privs", 2, p.no_new_privs ? 0 : 1,
      p.no_new_privs ? "set: setuid binaries gain nothing" : "not set", kBuiltIn);

  double sum_w = 0, sum = 0;
  for (const auto& it : s.items) {
    sum_w += it.weight;
    sum += it.weight * it.exposure;
  }
  s.total = sum_w > 0 ? 10.0 * sum / sum_w : 0;
  return s;
}

std::string render_score(const Score& s) {
  size_t w = 0;
  for (const auto& it : s.items) w = std::max(w, it.group.size() + 2 + it.name.size());
  std::string out =
      fmt::format("{:<{}}  {:>6}  {:>8}  {}\n", "ITEM", w, "WEIGHT", "EXPOSURE", "WHY  (RULE)");
  for (const auto& it : s.items)
    out += fmt::format("{:<{}}  {:>6.1f}  {:>8.2f}  {}  ({})\n", it.group + ": " + it.name, w,
                       it.weight, it.exposure, it.why, it.rule);
  out += fmt::format("\nexposure score: {:.1f} / 10 (0 tightest, 10 nothing confined)\n", s.total);
  return out;
}

nlohmann::json score_json(const Score& s) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : s.items)
    items.push_back({{"group", it.group},
                     {"item", it.name},
                     {"weight", it.weight},
                     {"exposure", it.exposure},
                     {"why", it.why},
                     {"rule", it.rule}});
  return {{"score", s.total}, {"items", items}};
}

}  // namespace cordon::cli
