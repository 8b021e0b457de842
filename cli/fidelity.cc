#include "cli/fidelity.h"

#include <fmt/format.h>
#include <sched.h>
#include <selinux/selinux.h>
#include <sys/apparmor.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "base/result.h"
#include "cli/emit_text.h"
#include "launcher/cgroup.h"
#include "launcher/cgroup_device.h"
#include "launcher/landlock_abi.h"
#include "launcher/spec.h"
#include "launcher/trust.h"

namespace cordon::cli {
namespace {

using launcher::Plan;
using State = FidelityRow::State;
namespace ll = launcher::landlock;

// The first warning of the trial that starts with `prefix`, or "".
std::string warning_for(const Trial& t, const std::string& prefix) {
  for (const auto& w : t.warnings)
    if (w.starts_with(prefix)) return w;
  return "";
}

// A Landlock rule's layer: whether this kernel can deny what the entry does not grant. Rights
// the ruleset handles but this ABI does not know stay allowed everywhere.
FidelityRow landlock_row(const Plan& plan, const HostFacts& host, uint64_t access) {
  FidelityRow r;
  if (host.landlock_abi <= 0) {
    r.mechanism = "Landlock";
    r.state = State::kNo;
    r.note = fmt::format("Landlock is not available ({}): only the mount layout restricts paths",
                         Error::errno_name(static_cast<int>(-host.landlock_abi)));
    return r;
  }
  const int abi = static_cast<int>(host.landlock_abi);
  r.mechanism = fmt::format("Landlock ABI {}", abi);
  const uint64_t unknown = plan.landlock.handled_fs & ~ll::fs_rights_for_abi(abi) & ~access;
  if (unknown) {
    r.state = State::kPartly;
    r.note = fmt::format("this ABI cannot deny {}", ll::fs_right_names(unknown));
  } else {
    r.note = access ? ll::fs_right_names(access & ll::fs_rights_for_abi(abi)) : "nothing";
  }
  return r;
}

const char* mount_mechanism(const std::string& kind) {
  if (kind == "ro") return "mount: read-only bind";
  if (kind == "rw") return "mount: read-write bind";
  if (kind == "exec") return "mount: read-only bind";
  if (kind == "tmpfs") return "mount: tmpfs";
  if (kind == "proc") return "mount: procfs of the new PID namespace";
  if (kind == "dev") return "mount: minimal /dev";
  return "mount";
}

bool is_bind(const std::string& kind) { return kind == "ro" || kind == "rw" || kind == "exec"; }

// The seccomp action names the kernel lists in actions_avail, for a Plan's action text.
std::string kernel_action(std::string_view action) {
  auto word = action.substr(0, action.find(' '));
  if (word == "kill" || word == "kill-process") return "kill_process";
  if (word == "kill-thread") return "kill_thread";
  if (word == "notify") return "user_notif";
  return std::string(word);
}

std::string cap_names(const std::vector<int>& caps) {
  std::string out;
  for (int c : caps) {
    char* n = cap_to_name(static_cast<cap_value_t>(c));
    out += fmt::format("{}{}", out.empty() ? "" : " ", n ? n : std::to_string(c));
    if (n) cap_free(n);
  }
  return out;
}

}  // namespace

const char* state_name(State s) {
  switch (s) {
    case State::kYes:
      return "yes";
    case State::kPartly:
      return "partly";
    case State::kNo:
      return "no";
    case State::kNotApplicable:
      return "n/a";
  }
  return "?";
}

HostFacts probe_host() {
  HostFacts h;
  h.euid = ::geteuid();
  utsname u{};
  if (::uname(&u) == 0) h.kernel = u.release;
  h.landlock_abi = ll::kernel_abi();
  if (h.euid != 0) {
    // The one way to know: try it, in a child that exits at once.
    pid_t pid = ::fork();
    if (pid == 0) _exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0x7f));
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
      h.userns = false;
      h.userns_why = "could not try (fork)";
    } else if (WEXITSTATUS(status) != 0) {
      h.userns = false;
      h.userns_why =
          fmt::format("unshare(CLONE_NEWUSER): {}", Error::errno_name(WEXITSTATUS(status)));
    }
  }
  std::ifstream f("/proc/sys/kernel/seccomp/actions_avail");
  for (std::string a; f >> a;) h.seccomp_actions.insert(a);
  h.apparmor = aa_is_enabled() == 1;
  h.selinux = is_selinux_enabled() == 1;
  return h;
}

Trial trial_launch(const Plan& plan) {
  Trial t;
  // cordon run's first refusal: a policy file the app could rewrite (launcher/trust.h).
  if (auto r = launcher::refuse_untrusted(plan, launcher::trusted_paths(plan, {}), ::geteuid());
      !r) {
    t.refusal = r.error().message();
    return t;
  }
  // The same cgroup `cordon run` would make, with its limits, removed when `cg` goes.
  auto cg = launcher::SandboxCgroup::create(plan.cgroup, plan.requires_.count("cgroup") > 0,
                                            fmt::format("cordon-{}", ::getpid()));
  if (!cg) {
    t.refusal = cg.error().message();
    t.cgroup_refused = true;
    return t;
  }
  t.cgroup_version = cg->version();
  t.cgroup_paths = cg->paths();
  t.placed = cg->placed();
  t.warnings = cg->warnings();
  launcher::LaunchOptions lo;
  lo.command = {"true"};
  lo.fallback_rlimits = cg->fallback_rlimits();
  lo.dry_run = true;
  auto spec = launcher::prepare_spec(plan, lo, t.warnings);
  if (!spec) {
    t.refusal = spec.error().message();
    return t;
  }
  // The child's first failure a Plan can predict: a bind source that is not there.
  if (plan.namespaces.mount) {
    for (const auto& m : plan.mounts) {
      struct stat st {};
      if (is_bind(m.kind) && !m.optional && ::lstat(m.path.c_str(), &st) != 0) {
        t.refusal = fmt::format("mount {}: {}", m.path, Error::errno_name(errno));
        break;
      }
    }
  }
  return t;
}

std::vector<FidelityRow> fidelity_rows(const Plan& plan, const HostFacts& host,
                                       const Trial& trial) {
  std::vector<FidelityRow> rows;
  auto add = [&](std::string clause, std::string origin, FidelityRow r) {
    r.clause = std::move(clause);
    r.origin = or_builtin(origin);
    rows.push_back(std::move(r));
  };
  const auto& ns = plan.namespaces;

  // Namespaces.
  {
    std::string list;
    for (auto [on, name] : {std::pair{ns.user, "user"},
                            {ns.pid, "pid"},
                            {ns.mount, "mount"},
                            {ns.net, "net"},
                            {ns.ipc, "ipc"},
                            {ns.uts, "uts"},
                            {ns.cgroup, "cgroup"}})
      if (on) list += fmt::format("{}{}", list.empty() ? "" : " ", name);
    FidelityRow r{"", "", "clone3 into new namespaces", State::kYes, ""};
    if (list.empty()) {
      r.state = State::kNotApplicable;
      r.note = "every namespace shared";
    } else if (ns.user && !host.userns) {
      r.state = State::kNo;
      r.note = "no user namespace for this user here: " + host.userns_why;
    }
    add("namespaces " + (list.empty() ? std::string("none") : list), ns.origin, r);
  }
  {
    FidelityRow r{"", "", "user.max_user_namespaces 0 in the sandbox's user namespace", State::kYes,
                  "the app cannot create user namespaces"};
    if (ns.nested_user) {
      r.state = State::kNotApplicable;
      r.note = "the policy lets the app create user namespaces";
    } else if (!ns.user) {
      r.state = State::kNo;
      r.note = "the user namespace is shared: cordon run refuses without `nested-userns allow`";
    }
    add(ns.nested_user ? "nested-userns allow" : "nested-userns deny", ns.nested_user_origin, r);
  }

  // Filesystem: each entry's mount, Landlock rule, and AppArmor rule.
  for (const auto& m : plan.mounts) {
    std::string clause = m.kind == "dev"    ? "dev " + m.dev
                         : m.kind == "proc" ? std::string("proc")
                                            : m.kind + (m.optional ? "? " : " ") + m.path;
    FidelityRow mr{"", "", mount_mechanism(m.kind), State::kYes, ""};
    struct stat st {};
    if (!ns.mount) {
      mr.state = State::kNo;
      mr.note = "the mount namespace is shared: no mount is made";
    } else if (is_bind(m.kind) && ::lstat(m.path.c_str(), &st) != 0) {
      mr.state = m.optional ? State::kNotApplicable : State::kNo;
      mr.note = m.optional ? fmt::format("{} is absent: skipped", m.path)
                           : fmt::format("{}: {}: cordon run stops at the mount stage", m.path,
                                         Error::errno_name(errno));
    }
    add(clause, m.origin, mr);
    // A proc or dev mount's path is its target, /proc or /dev, as its Landlock rule's is.
    auto lp = std::find_if(plan.landlock.paths.begin(), plan.landlock.paths.end(),
                           [&](const launcher::LandlockPath& p) { return p.path == m.path; });
    if (lp != plan.landlock.paths.end())
      add(clause, m.origin, landlock_row(plan, host, lp->access));
    if (plan.mac.apparmor == "generate") {
      FidelityRow ar{"", "", "AppArmor generated profile", State::kYes, ""};
      if (!host.apparmor) {
        ar.state = State::kNo;
        ar.note = "AppArmor is not enabled on this kernel";
      }
      add(clause, m.origin, ar);
    }
  }
  for (const auto& p : plan.landlock.paths)  // rules without a mount of their own
    if (std::none_of(plan.mounts.begin(), plan.mounts.end(),
                     [&](const launcher::Mount& m) { return m.path == p.path; }))
      add("path " + p.path, p.origin, landlock_row(plan, host, p.access));

  // Network.
  {
    FidelityRow nr{"", "", "network namespace", State::kYes, ""};
    if (plan.network == "host") {
      nr.state = State::kNotApplicable;
      nr.note = "the host's network";
    } else if (!ns.net) {
      nr.state = State::kNo;
      nr.note = "the network namespace is shared";
    } else {
      nr.note = plan.network == "loopback" ? "only loopback, brought up" : "no interface up";
    }
    add("network " + plan.network, plan.network_origin, nr);
    if (plan.landlock.restrict_net) {
      FidelityRow lr{"", "", "Landlock TCP bind/connect (ABI 4)", State::kYes, ""};
      if (host.landlock_abi < 4) {
        lr.state = State::kNo;
        lr.note = host.landlock_abi > 0 ? fmt::format("this kernel's ABI is {}", host.landlock_abi)
                                        : "Landlock is not available";
      } else {
        lr.note = plan.landlock.ports.empty()
                      ? "no TCP bind or connect"
                      : fmt::format("only the {} listed port rule(s)", plan.landlock.ports.size());
      }
      add("network " + plan.network, plan.network_origin, lr);
    }
  }
  for (const auto& p : plan.landlock.ports) {
    FidelityRow r{"", "", "Landlock TCP (ABI 4)", host.landlock_abi >= 4 ? State::kYes : State::kNo,
                  host.landlock_abi >= 4 ? "" : "needs ABI 4"};
    add(fmt::format("landlock {} tcp {}", p.bind ? "bind" : "connect", p.port), p.origin, r);
  }
  for (const auto& s : plan.landlock.scopes) {
    FidelityRow r{"", "", "Landlock scope (ABI 6)",
                  host.landlock_abi >= 6 ? State::kYes : State::kNo,
                  host.landlock_abi >= 6 ? "" : "needs ABI 6"};
    add("landlock scope " + s, plan.landlock.scopes_origin, r);
  }

  // Capabilities and no_new_privs: the kernel always has them.
  add("capabilities " + (plan.capabilities.empty() ? std::string("none")
                                                   : "keep " + cap_names(plan.capabilities)),
      plan.capabilities_origin,
      {"", "", "bounding, inheritable and ambient sets; no_new_privs", State::kYes, ""});

  // The system-call filter.
  if (!plan.seccomp.program.empty()) {
    std::set<std::string> used = {kernel_action(plan.seccomp.default_action)};
    for (const auto& r : plan.seccomp.rules) used.insert(kernel_action(r.action));
    std::string missing;
    for (const auto& a : used)
      if (!host.seccomp_actions.empty() && !host.seccomp_actions.count(a))
        missing += fmt::format("{}{}", missing.empty() ? "" : " ", a);
    FidelityRow r{"", "", "seccomp filter", State::kYes,
                  fmt::format("{} instructions, TSYNC{}", plan.seccomp.program.size(),
                              plan.seccomp.log ? ", LOG" : "")};
    if (!missing.empty()) {
      r.state = State::kNo;
      r.note = "this kernel lacks the action(s) " + missing;
    }
    add(fmt::format("syscalls (default {})", plan.seccomp.default_action),
        plan.seccomp.default_origin, r);
    std::string arches;
    for (const auto& a : plan.seccomp.arches)
      arches += fmt::format("{}{}", arches.empty() ? "" : " ", a);
    add("arch " + arches, "",
        {"", "", "seccomp architecture check", State::kYes,
         "calls of any other architecture (i386 int 0x80, x32) are killed"});
    const launcher::ExecMediation& em = plan.seccomp.exec_mediation;
    if (em.on) {
      FidelityRow xr{"", "", "execveat answered by cordon's supervisor (seccomp user notification)",
                     State::kYes,
                     "cordon's own exec of the app continues, every later one is refused"};
      if (!host.seccomp_actions.empty() && !host.seccomp_actions.count("user_notif")) {
        xr.state = State::kNo;
        xr.note = "this kernel lacks the action user_notif";
      }
      add("execveat: " + em.action, em.origin, xr);
    }
  } else {
    add("syscalls", "", {"", "", "seccomp filter", State::kNotApplicable, "the policy has none"});
  }

  // cgroup limits and the device list: where the trial's cgroup put them.
  const auto& cg = plan.cgroup;
  auto limit_row = [&](const char* kind, std::string clause, const std::string& origin,
                       bool has_fallback) {
    FidelityRow r{"", "", fmt::format("cgroup v{}", trial.cgroup_version), State::kYes, ""};
    if (std::find(trial.placed.begin(), trial.placed.end(), kind) != trial.placed.end()) {
      for (const auto& p : trial.cgroup_paths)
        if (trial.cgroup_version == 2 || p.find(std::string("/") + kind) != std::string::npos)
          r.note = p;
    } else {
      r.mechanism = "cgroup";
      r.state = has_fallback ? State::kPartly : State::kNo;
      std::string w = warning_for(trial, fmt::format("cgroup: {}", kind));
      r.note = trial.cgroup_refused ? *trial.refusal
               : !w.empty()         ? w.substr(8)
                                    : "not placed in a cgroup";
    }
    add(std::move(clause), origin, r);
  };
  if (cg.memory_bytes)
    limit_row("memory", "limits memory " + launcher::size_text(*cg.memory_bytes), cg.memory_origin,
              true);
  if (cg.pids) limit_row("pids", fmt::format("limits pids {}", *cg.pids), cg.pids_origin, true);
  if (cg.cpu_quota_us)
    limit_row("cpu", fmt::format("limits cpu {:g}", *cg.cpu_quota_us / 100000.0), cg.cpu_origin,
              false);
  if (cg.devices) {
    const bool placed =
        std::find(trial.placed.begin(), trial.placed.end(), "devices") != trial.placed.end();
    FidelityRow r{
        "", "",
        trial.cgroup_version == 2 ? "cgroup v2 device program (BPF)" : "cgroup v1 devices.allow",
        State::kYes, "every other node and every mknod: EPERM"};
    if (!placed) {
      r.mechanism = "cgroup device controller";
      r.state = State::kNo;
      r.note = trial.refusal.value_or("not placed in a cgroup");
    }
    add(cg.devices->empty() ? std::string("devices none")
                            : "devices allow " + launcher::device_list_text(*cg.devices),
        cg.devices_origin, r);
  }
  for (const auto& rl : plan.rlimits) {
    FidelityRow r{"", "", "setrlimit", State::kYes, ""};
    std::string w = warning_for(trial, fmt::format("limits: {} ", rl.name));
    if (!w.empty()) {
      r.state = State::kPartly;
      r.note = w.substr(8);
    }
    add(fmt::format("limits {} {}", rl.name,
                    rl.value == UINT64_MAX ? "unlimited" : std::to_string(rl.value)),
        rl.origin, r);
  }
  if (plan.walltime_ms)
    add(fmt::format("limits walltime {}ms", *plan.walltime_ms), plan.walltime_origin,
        {"", "", "supervisor timer, then SIGKILL of the sandbox", State::kYes, ""});

  // MAC labels: what prepare_spec decided (a refusal or an `optional` warning says why not).
  auto mac_row = [&](const std::string& clause, const std::string& origin, const char* mech,
                     bool enabled) {
    FidelityRow r{"", "", mech, State::kYes, ""};
    std::string w = warning_for(trial, "mac: ");
    if (trial.refusal && trial.refusal->starts_with("mac: ")) {
      r.state = State::kNo;
      r.note = *trial.refusal;
    } else if (!w.empty()) {
      r.state = State::kNo;
      r.note = w;
    } else if (!enabled) {
      r.state = State::kNo;
      r.note = "not enabled on this kernel";
    }
    add(clause, origin, r);
  };
  if (!plan.mac.apparmor.empty())
    mac_row("mac apparmor " + plan.mac.apparmor, plan.mac.apparmor_origin,
            "AppArmor exec label (aa_change_onexec)", host.apparmor);
  if (!plan.mac.selinux.empty())
    mac_row("mac selinux " + plan.mac.selinux, plan.mac.selinux_origin,
            "SELinux exec context (setexeccon)", host.selinux);
  return rows;
}

std::string render_fidelity(const std::string& path, const std::vector<FidelityRow>& rows,
                            const HostFacts& host, const Trial& trial) {
  std::ostringstream o;
  o << fmt::format(
      "{}: what enforces each clause here (Linux {}, uid {}, Landlock {}, {})\n", path, host.kernel,
      host.euid,
      host.landlock_abi > 0 ? fmt::format("ABI {}", host.landlock_abi) : std::string("off"),
      fmt::format("AppArmor {}, SELinux {}", host.apparmor ? "on" : "off",
                  host.selinux ? "on" : "off"));
  size_t yes = 0, partly = 0, no = 0;
  std::string last;
  for (const auto& r : rows) {
    std::string key = r.clause + "\n" + r.origin;
    if (key != last) o << fmt::format("  {:<46} {}\n", r.clause, r.origin);
    last = key;
    o << fmt::format("      {:<7} {}{}\n", state_name(r.state), r.mechanism,
                     r.note.empty() ? "" : ": " + r.note);
    yes += r.state == State::kYes;
    partly += r.state == State::kPartly;
    no += r.state == State::kNo;
  }
  o << fmt::format("{} layer(s) enforced, {} partly, {} not\n", yes, partly, no);
  if (trial.refusal) {
    o << fmt::format("cordon run here: refused (exit 125): cordon: {}\n", *trial.refusal);
  } else {
    o << fmt::format("cordon run here: starts{}, with {} warning(s){}\n",
                     trial.cgroup_version ? fmt::format(" in cgroup v{}", trial.cgroup_version)
                                          : std::string(", no cgroup"),
                     trial.warnings.size(), trial.warnings.empty() ? "" : ":");
  }
  for (const auto& w : trial.warnings) o << "  warning: " << w << "\n";
  return o.str();
}

nlohmann::json fidelity_json(const std::string& path, const std::vector<FidelityRow>& rows,
                             const HostFacts& host, const Trial& trial) {
  nlohmann::json j;
  j["policy"] = path;
  j["host"] = {{"kernel", host.kernel},
               {"euid", host.euid},
               {"landlock_abi", host.landlock_abi > 0 ? host.landlock_abi : 0},
               {"userns", host.userns},
               {"apparmor", host.apparmor},
               {"selinux", host.selinux},
               {"seccomp_actions", host.seccomp_actions}};
  j["rows"] = nlohmann::json::array();
  for (const auto& r : rows)
    j["rows"].push_back({{"clause", r.clause},
                         {"origin", r.origin},
                         {"mechanism", r.mechanism},
                         {"state", state_name(r.state)},
                         {"note", r.note}});
  j["run"] = {{"starts", !trial.refusal.has_value()},
              {"refusal", trial.refusal ? nlohmann::json(*trial.refusal) : nlohmann::json()},
              {"cgroup_version", trial.cgroup_version},
              {"warnings", trial.warnings}};
  return j;
}

}  // namespace cordon::cli
