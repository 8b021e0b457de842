#include "audit/attribute.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "audit/syscalls.h"
#include "base/path.h"

namespace cordon::audit {

namespace {

// The kind of a seccomp action without its data: "errno(1)" → "errno".
std::string_view action_kind(std::string_view a) { return a.substr(0, a.find('(')); }

// Same action: exact, or by kind when the denial carries no data. The kernel logs only the
// action of SECCOMP_RET_ACTION_FULL, never the errno or trace data (code=0x50000 for every
// errno), and `ausearch -i` prints the bare kind ("errno").
bool same_action(std::string_view denial, std::string_view rule) {
  if (denial == rule) return true;
  std::string_view kind = action_kind(denial);
  if (denial.size() == kind.size() || denial.substr(kind.size()) == "(0)")
    return action_kind(rule) == kind;
  return false;
}

Attribution attribute_seccomp(const Denial& d, const launcher::Plan& plan) {
  Attribution a;
  const auto& sc = plan.seccomp;
  if (sc.default_origin.empty() && sc.rules.empty()) {
    a.note = "the policy has no seccomp filter";
    return a;
  }
  // A call from an architecture the policy does not name never reaches a syscall rule: the
  // filter's first check kills it (x32 numbers and i386's int 0x80 on x86_64).
  if (!d.arch.empty() && !sc.arches.empty() &&
      std::find(sc.arches.begin(), sc.arches.end(), d.arch) == sc.arches.end()) {
    a.rule_action = "architecture check";
    a.note = fmt::format(
        "the policy does not name architecture {} ({}); every call from it is "
        "killed",
        d.arch, fmt::join(sc.arches, " "));
    return a;
  }
  // A refused execveat the supervisor answered: the kernel logs the filter's USER_NOTIF, and
  // the rule is the one the Plan's exec mediation records.
  auto mediated = [&](const std::string& syscall) {
    if (!sc.exec_mediation.on || syscall != "execveat" || d.action != "user-notif") return false;
    a.rule = sc.exec_mediation.origin;
    a.rule_action = sc.exec_mediation.action;
    a.note = "execveat is answered by cordon's supervisor, which gave the policy's action";
    return true;
  };
  if (mediated(d.syscall)) return a;
  const launcher::SeccompRule* same_call = nullptr;
  for (const auto& r : sc.rules) {
    bool call = d.syscall_nr && !d.arch.empty() ? (r.arch == d.arch && r.nr == *d.syscall_nr)
                                                : (!d.syscall.empty() && r.syscall == d.syscall &&
                                                   (d.arch.empty() || r.arch == d.arch));
    if (!call) continue;
    if (mediated(r.syscall)) return a;
    if (!same_call) same_call = &r;
    if (same_action(d.action, ret_action(r.ret))) {
      a.rule = r.origin;
      a.rule_action = r.action;
      if (!r.condition.empty()) a.rule_action += " when " + r.condition;
      if (!r.via_group.empty()) a.note = "via group " + r.via_group;
      return a;
    }
  }
  if (same_action(d.action, ret_action(sc.default_ret))) {
    a.rule = sc.default_origin;
    a.rule_action = "default " + sc.default_action;
    if (same_call)
      a.note = fmt::format("{} {} at {}; the arguments fell through to the default",
                           same_call->action, same_call->syscall, same_call->origin);
    return a;
  }
  if (same_call)
    a.note = fmt::format("{} has rules ({} at {}) but none gives {}: another filter or policy?",
                         d.syscall.empty() ? "the syscall" : d.syscall, same_call->action,
                         same_call->origin, seccomp_action_text(d.action));
  else
    a.note = fmt::format("the policy's default is {}, not {}: another filter or policy?",
                         sc.default_action, seccomp_action_text(d.action));
  return a;
}

std::string mount_kind(const launcher::Plan& plan, const launcher::LandlockPath& p) {
  for (const auto& m : plan.mounts)
    if (m.origin == p.origin && m.path == p.path) return m.kind;
  return fmt::format("access {:#x}", p.access);
}

Attribution attribute_landlock(const Denial& d, const launcher::Plan& plan) {
  Attribution a;
  const auto& ll = plan.landlock;
  std::string_view b = d.blockers;
  if (b.starts_with("net.")) {
    bool bind = b.find("bind_tcp") != std::string_view::npos;
    std::string port = bind && !d.lport.empty() ? d.lport : d.fport;
    for (const auto& p : ll.ports) {
      if (p.bind == bind && std::to_string(p.port) == port) {
        a.rule = p.origin;
        a.rule_action = fmt::format("{} tcp {}", bind ? "bind" : "connect", p.port);
        return a;
      }
    }
    a.note = fmt::format("no landlock entry allows {} tcp {}", bind ? "bind" : "connect",
                         port.empty() ? "?" : port);
    if (!ll.origin.empty()) a.note += " (network restricted at " + ll.origin + ")";
    return a;
  }
  if (b.starts_with("scope.")) {
    if (!ll.scopes.empty()) {
      a.rule = ll.origin;
      a.rule_action = "scope";
      for (const auto& s : ll.scopes) a.rule_action += " " + s;
    } else {
      a.note = "no landlock scope in the policy";
    }
    return a;
  }
  std::string path = d.path.empty() ? d.name : d.path;
  if (path.empty()) {
    a.note = "the record names no path";
    return a;
  }
  // A tmpfs entry holds only what the sandbox made in it: a file of another device (dev=
  // names the filesystem) under the same path was reached through a descriptor from
  // outside, and that entry is not its rule.
  const bool not_tmpfs = !d.dev.empty() && d.dev != "tmpfs";
  const launcher::LandlockPath* best = nullptr;
  bool skipped_tmpfs = false;
  for (const auto& p : ll.paths) {
    if (!at_or_beneath(path, p.path) || (best && p.path.size() <= best->path.size())) continue;
    if (not_tmpfs && mount_kind(plan, p) == "tmpfs") {
      skipped_tmpfs = true;
      continue;
    }
    best = &p;
  }
  if (!best) {
    a.note = fmt::format("no filesystem entry covers {}", path);
    if (skipped_tmpfs)
      a.note += fmt::format(
          " (it is on {}, not the sandbox's tmpfs: reached through a descriptor passed in)", d.dev);
    return a;
  }
  a.rule = best->origin;
  a.rule_action = fmt::format("{} {}", mount_kind(plan, *best), best->path);
  a.note = fmt::format("{} lacks {}", a.rule_action, d.blockers);
  return a;
}

// For calls whose meaning is in an argument (socket's family, ioctl's request…), the allow
// a fix proposes is narrowed to the value seen — when the event's SYSCALL record gave the
// arguments (audit enabled). Argument names are the kernel's; all these are 32-bit.
std::string argument_condition(const Denial& d) {
  struct Narrow {
    std::string_view syscall;
    std::array<std::pair<int, std::string_view>, 2> args;  // index -1: unused
  };
  static constexpr Narrow kNarrow[] = {
      {"socket", {{{0, "family"}, {-1, ""}}}},
      {"socketpair", {{{0, "family"}, {-1, ""}}}},
      {"ioctl", {{{1, "cmd"}, {-1, ""}}}},
      {"fcntl", {{{1, "cmd"}, {-1, ""}}}},
      {"prctl", {{{0, "option"}, {-1, ""}}}},
      {"personality", {{{0, "personality"}, {-1, ""}}}},
      {"madvise", {{{2, "behavior"}, {-1, ""}}}},
      {"setsockopt", {{{1, "level"}, {2, "optname"}}}},
      {"getsockopt", {{{1, "level"}, {2, "optname"}}}},
  };
  for (const auto& n : kNarrow) {
    if (n.syscall != d.syscall) continue;
    std::string cond;
    for (const auto& [index, arg] : n.args) {
      if (index < 0) continue;
      if (!d.args[static_cast<size_t>(index)]) return "";
      uint64_t v = *d.args[static_cast<size_t>(index)] & 0xffffffffu;
      cond += fmt::format("{}{} == {}", cond.empty() ? " if " : " && ", arg,
                          v < 4096 ? fmt::format("{}", v) : fmt::format("{:#x}", v));
    }
    return cond;
  }
  return "";
}

// What the blockers need: "rw" when any writes, makes, removes or truncates.
bool needs_write(std::string_view blockers) {
  for (std::string_view w : {"write", "make", "remove", "truncate", "refer"})
    if (blockers.find(w) != std::string_view::npos) return true;
  return false;
}

}  // namespace

std::string ret_action(uint32_t ret) { return seccomp_action(fmt::format("0x{:08x}", ret)); }

bool leave_denied(std::string_view s) {
  static constexpr std::array<std::string_view, 21> kLeave = {
      "ptrace",          "process_vm_readv", "process_vm_writev", "mount",
      "umount2",         "umount",           "pivot_root",        "init_module",
      "finit_module",    "delete_module",    "kexec_load",        "kexec_file_load",
      "reboot",          "swapon",           "swapoff",           "bpf",
      "perf_event_open", "keyctl",           "add_key",           "request_key",
      "userfaultfd"};
  return std::find(kLeave.begin(), kLeave.end(), s) != kLeave.end();
}

// The SELinux type of a context "user:role:type:level".
std::string_view selinux_type(std::string_view ctx) {
  size_t a = ctx.find(':');
  if (a == std::string_view::npos) return {};
  size_t b = ctx.find(':', a + 1);
  if (b == std::string_view::npos) return {};
  size_t c = ctx.find(':', b + 1);
  return ctx.substr(b + 1, c == std::string_view::npos ? std::string_view::npos : c - b - 1);
}

// AppArmor and SELinux denials come from the profile or domain the policy's `mac` entry
// names; the rule that refused is in that profile, not in the policy, so the attribution
// stops at the `mac` entry and says what the profile refused.
Attribution attribute_mac(const Denial& d, const launcher::Plan& plan) {
  Attribution a;
  std::string what = d.operation;
  if (!d.capability.empty()) what += " capability " + d.capability;
  std::string object = d.path.empty() ? d.name : d.path;
  if (!object.empty()) what += " " + object;
  if (d.source == "apparmor") {
    const std::string& p = plan.mac.apparmor;
    if (p.empty() || p == "generate") {
      a.note = p.empty() ? "the policy sets no AppArmor profile: another profile confined it"
                         : "generated AppArmor profiles are not attributed yet";
      return a;
    }
    if (d.profile != p && !d.profile.starts_with(p + "//")) {
      a.note = fmt::format("profile {} is not the policy's ({})", d.profile, p);
      return a;
    }
    a.rule = plan.mac.apparmor_origin;
    a.rule_action = fmt::format("apparmor \"{}\"", p);
    a.note = fmt::format("profile {} refused {}{}", d.profile, what,
                         d.denied.empty() ? "" : " (denied " + d.denied + ")");
    return a;
  }
  const std::string& ctx = plan.mac.selinux;
  if (ctx.empty()) {
    a.note = "the policy sets no SELinux context: the domain came from elsewhere";
    return a;
  }
  std::string_view want = selinux_type(ctx), got = selinux_type(d.scontext);
  if (want.empty() || want != got) {
    a.note = fmt::format("domain {} is not the policy's ({})", d.scontext, ctx);
    return a;
  }
  a.rule = plan.mac.selinux_origin;
  a.rule_action = fmt::format("selinux \"{}\"", ctx);
  a.note =
      fmt::format("domain {} lacks {{ {} }} on {} ({}){}", want,
                  d.denied.empty() ? d.requested : d.denied, d.tclass, d.tcontext,
                  d.permissive && *d.permissive ? "; permissive: it was allowed and logged" : "");
  return a;
}

Attribution attribute(const Denial& d, const launcher::Plan& plan) {
  Attribution a;
  if (d.source == "seccomp")
    a = attribute_seccomp(d, plan);
  else if (d.source == "landlock")
    a = attribute_landlock(d, plan);
  else if (d.source == "apparmor" || d.source == "selinux")
    a = attribute_mac(d, plan);
  else
    a.note = d.source + " denials are not attributed to policy rules";
  a.suggestion = suggest(d, a);
  a.change = suggest_change(d, a);
  return a;
}

Attribution attribute(const Denial& d, const std::vector<launcher::Plan>& plans) {
  std::optional<Attribution> first;
  for (const auto& p : plans) {
    Attribution a = attribute(d, p);
    if (a.rule) return a;
    if (!first) first = std::move(a);
  }
  return first ? *first : Attribution{};
}

std::optional<std::string> suggest(const Denial& d, const Attribution& a) {
  if (auto c = suggest_change(d, a)) return fmt::format("add to {} {{ }}: {}", c->block, c->entry);
  if (d.source == "seccomp") {
    if (d.kind == "denied" && a.rule_action == "architecture check")
      return fmt::format(
          "probably leave it denied: {} calls are a classic way around a filter; "
          "`arch {}` in the policy would allow them",
          d.arch, d.arch);
    if (d.kind != "denied" || !a.rule) return std::nullopt;
    if (a.rule_action.starts_with("allow")) return std::nullopt;
    if (a.rule_action.find(" when ") != std::string::npos)
      return fmt::format("probably leave it denied: the policy refuses {} only when {}", d.syscall,
                         a.rule_action.substr(a.rule_action.find(" when ") + 6));
    std::string name =
        d.syscall.empty() && d.syscall_nr ? fmt::format("#{}", *d.syscall_nr) : d.syscall;
    if (leave_denied(d.syscall))
      return fmt::format("probably leave it denied: {} is rarely needed and dangerous to allow",
                         name);
    return std::nullopt;
  }
  if (d.source == "landlock") {
    if (d.kind != "denied") return std::nullopt;
    if (std::string_view(d.blockers).starts_with("scope."))
      return "probably leave it denied: Landlock scopes isolate the "
             "sandbox from processes outside it";
  }
  return std::nullopt;
}

std::optional<Change> suggest_change(const Denial& d, const Attribution& a) {
  if (d.kind != "denied") return std::nullopt;
  if (d.source == "seccomp") {
    if (!a.rule || a.rule_action == "architecture check" || a.rule_action.starts_with("allow") ||
        a.rule_action.find(" when ") != std::string::npos || leave_denied(d.syscall))
      return std::nullopt;
    std::string name =
        d.syscall.empty() && d.syscall_nr ? fmt::format("#{}", *d.syscall_nr) : d.syscall;
    if (name.empty() || name.front() == '#') return std::nullopt;  // no name to write a rule
    return Change{"syscalls", "allow " + name + argument_condition(d), name, "", ""};
  }
  if (d.source == "landlock") {
    std::string_view b = d.blockers;
    if (b.starts_with("net.")) {
      if (a.rule) return std::nullopt;
      bool bind = b.find("bind_tcp") != std::string_view::npos;
      std::string port = bind && !d.lport.empty() ? d.lport : d.fport;
      if (port.empty()) return std::nullopt;
      return Change{"landlock", fmt::format("{} tcp {}", bind ? "bind" : "connect", port), "", "",
                    ""};
    }
    if (b.starts_with("scope.")) return std::nullopt;
    std::string path = d.path.empty() ? d.name : d.path;
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string kind = needs_write(b) ? "rw" : "ro";
    return Change{"filesystem", kind + " " + path, "", path, kind};
  }
  return std::nullopt;
}

// ---- output ---------------------------------------------------------------------------------

std::string process_text(const Denial& d) {
  std::string s = d.comm.empty() ? (d.exe.empty() ? "?" : d.exe) : d.comm;
  if (d.pid) s += fmt::format(" ({})", *d.pid);
  return s;
}

std::string what_text(const Denial& d) {
  if (d.source == "seccomp") {
    std::string name = d.syscall.empty() ? "?" : d.syscall;
    std::string nr = d.syscall_nr ? fmt::format(" #{}", *d.syscall_nr) : "";
    return fmt::format("{} ({}{})", name, d.arch.empty() ? "?" : d.arch, nr);
  }
  std::string path = d.path.empty() ? d.name : d.path;
  if (d.source == "landlock") {
    if (!path.empty()) return path;
    if (!d.daddr.empty() || !d.fport.empty()) return fmt::format("{}:{}", d.daddr, d.fport);
    if (!d.lport.empty()) return fmt::format("port {}", d.lport);
    if (!d.ocomm.empty()) return fmt::format("{} ({})", d.ocomm, d.opid);
    return "?";
  }
  std::string s = d.operation;
  if (!d.tclass.empty()) s += (s.empty() ? "" : " ") + d.tclass;
  if (!d.capability.empty()) s += " cap " + d.capability;
  if (!path.empty()) s += (s.empty() ? "" : " ") + path;
  return s.empty() ? "?" : s;
}

std::string seccomp_action_text(const std::string& a) {
  // errno(0) / trace(0): the kernel's record, which never carries the data.
  if (a.ends_with("(0)")) return a.substr(0, a.size() - 3);
  return a;
}

std::string action_text(const Denial& d) {
  if (d.source == "seccomp") return d.action.empty() ? "?" : seccomp_action_text(d.action);
  if (d.source == "landlock") return d.blockers.empty() ? "?" : d.blockers;
  std::string m = !d.denied.empty() ? d.denied : d.requested;
  if (m.empty()) m = d.kind;
  if (d.permissive && *d.permissive) m += " (permissive)";
  return m;
}

std::string short_line(const Entry& e, const Attribution& a) {
  const Denial& d = e.denial;
  std::string verb = d.kind == "logged" ? "logged" : "denied";
  return fmt::format("{}  {}  {} {} ×{}", a.rule ? *a.rule : "-",
                     a.rule_action.empty() ? action_text(d) : a.rule_action, verb, what_text(d),
                     e.count);
}

nlohmann::json to_json(const Entry& e, const Attribution* a) {
  const Denial& d = e.denial;
  using nlohmann::json;
  auto str = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j;
  j["source"] = d.source;
  j["kind"] = d.kind;
  j["time"] = e.first_time ? json(e.first_time) : json(nullptr);
  j["last_time"] = e.last_time ? json(e.last_time) : json(nullptr);
  j["serial"] = d.serial ? json(d.serial) : json(nullptr);
  j["node"] = str(d.node);
  j["pid"] = d.pid ? json(*d.pid) : json(nullptr);
  j["comm"] = str(d.comm);
  j["exe"] = str(d.exe);
  j["arch"] = str(d.arch);
  j["syscall"] = str(d.syscall);
  j["syscall_nr"] = d.syscall_nr ? json(*d.syscall_nr) : json(nullptr);
  j["action"] = str(d.source == "seccomp" ? seccomp_action_text(d.action) : d.action);
  j["operation"] = str(d.operation);
  j["profile"] = str(d.profile);
  // AppArmor's capability records carry the capability's name in name=: not a path.
  j["path"] = str(!d.path.empty() ? d.path : d.name == d.capability ? std::string() : d.name);
  j["requested"] = str(d.requested);
  j["denied"] = str(d.denied);
  j["capability"] = str(d.capability);
  j["scontext"] = str(d.scontext);
  j["tcontext"] = str(d.tcontext);
  j["tclass"] = str(d.tclass);
  j["permissive"] = d.permissive ? json(*d.permissive) : json(nullptr);
  j["blockers"] = str(d.blockers);
  j["domain"] = str(d.domain);
  j["saddr"] = str(d.saddr);
  j["daddr"] = str(d.daddr);
  j["lport"] = str(d.lport);
  j["fport"] = str(d.fport);
  j["count"] = e.count;
  j["rule"] = a && a->rule ? json(*a->rule) : json(nullptr);
  j["rule_action"] = a && !a->rule_action.empty() ? json(a->rule_action) : json(nullptr);
  j["note"] = a && !a->note.empty() ? json(a->note) : json(nullptr);
  j["suggestion"] = a && a->suggestion ? json(*a->suggestion) : json(nullptr);
  return j;
}

}  // namespace cordon::audit
