#include "cli/emit_systemd.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "policy/constants.h"

namespace cordon::cli {

namespace {

using launcher::Plan;

// "errno EPERM log" → "EPERM"; "" for other actions.
std::string errno_of(std::string_view action) {
  if (!action.starts_with("errno ")) return "";
  action.remove_prefix(6);
  return std::string(action.substr(0, action.find(' ')));
}

// Several `KEY=a b c` lines of at most `per` words (systemd adds them up).
std::string lines(const std::string& key, const std::vector<std::string>& words, size_t per = 8) {
  std::string out;
  for (size_t i = 0; i < words.size(); i += per) {
    std::vector<std::string> chunk(
        words.begin() + static_cast<long>(i),
        words.begin() + static_cast<long>(std::min(words.size(), i + per)));
    out += fmt::format("{}={}\n", key, fmt::join(chunk, " "));
  }
  return out;
}

// A value systemd reads as one word: quoted when it holds blanks or quotes.
std::string quoted(const std::string& s) {
  if (s.find_first_of(" \t\"'\\") == std::string::npos && !s.empty()) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// socket's conditional allows written as address families: "domain == AF_UNIX",
// "family in [AF_UNIX, AF_INET]". Empty when a condition says anything else.
std::vector<std::string> families(const std::string& cond) {
  std::string_view c = cond;
  for (std::string_view arg : {"domain ", "family "}) {
    if (!c.starts_with(arg)) continue;
    c.remove_prefix(arg.size());
    std::vector<std::string> out;
    if (c.starts_with("== ")) {
      c.remove_prefix(3);
      if (c.starts_with("AF_") && c.find_first_of(" &|") == std::string_view::npos)
        out.emplace_back(c);
      return out;
    }
    if (c.starts_with("in [") && c.ends_with("]")) {
      c = c.substr(4, c.size() - 5);
      while (!c.empty()) {
        size_t comma = c.find(',');
        std::string_view w = c.substr(0, comma);
        while (!w.empty() && w.front() == ' ') w.remove_prefix(1);
        while (!w.empty() && w.back() == ' ') w.remove_suffix(1);
        if (!w.starts_with("AF_") || w.find_first_of(" &|") != std::string_view::npos) return {};
        out.emplace_back(w);
        if (comma == std::string_view::npos) break;
        c.remove_prefix(comma + 1);
      }
      return out;
    }
  }
  return {};
}

// "clone_flags & CLONE_NEWUSER", "unshare_flags & CLONE_NEWUSER|CLONE_NEWNET": the namespace
// types systemd's RestrictNamespaces= names; empty for any other condition.
std::vector<std::string> namespace_flags(std::string_view cond) {
  static const std::map<std::string_view, std::string> kTypes = {
      {"CLONE_NEWUSER", "user"},    {"CLONE_NEWNS", "mnt"},  {"CLONE_NEWPID", "pid"},
      {"CLONE_NEWNET", "net"},      {"CLONE_NEWUTS", "uts"}, {"CLONE_NEWIPC", "ipc"},
      {"CLONE_NEWCGROUP", "cgroup"}};
  size_t amp = cond.find(" & ");
  if (amp == std::string_view::npos) return {};
  std::string_view arg = cond.substr(0, amp);
  if (arg != "clone_flags" && arg != "unshare_flags" && arg != "flags") return {};
  std::string_view flags = cond.substr(amp + 3);
  std::vector<std::string> out;
  while (!flags.empty()) {
    size_t bar = flags.find('|');
    auto it = kTypes.find(flags.substr(0, bar));
    if (it == kTypes.end()) return {};
    out.push_back(it->second);
    if (bar == std::string_view::npos) break;
    flags.remove_prefix(bar + 1);
  }
  return out;
}

void syscalls(const Plan& p, std::string& out, std::vector<std::string>& lost) {
  const auto& sc = p.seccomp;
  if (sc.default_action.empty() && sc.rules.empty()) {
    out += "# no seccomp filter in the policy\n";
    return;
  }
  const std::string native = sc.arches.empty() ? "" : sc.arches.front();
  out += "SystemCallArchitectures=native\n";
  if (sc.arches.size() > 1)
    lost.push_back(
        fmt::format("architectures {} besides the native one (rule {}): systemd's "
                    "native-only setting is stricter",
                    fmt::join(sc.arches.begin() + 1, sc.arches.end(), " "), sc.default_origin));
  // Per syscall, the rows of the native architecture in decision order.
  std::map<std::string, std::vector<const launcher::SeccompRule*>> rows;
  for (const auto& r : sc.rules)
    if (r.arch == native) rows[r.syscall].push_back(&r);
  const bool allow_list = !launcher::seccomp_ret_runs(sc.default_ret);
  const std::string default_errno = errno_of(sc.default_action);
  std::vector<std::string> listed, conditional_notes;
  std::vector<std::string> afs;
  bool socket_families = false;
  std::set<std::string> refused_ns;
  std::vector<std::string> ns_rules;
  for (const auto& [name, rs] : rows) {
    const launcher::SeccompRule* first_uncond = nullptr;
    std::vector<const launcher::SeccompRule*> conds;
    for (auto* r : rs) {
      if (r->condition.empty()) {
        first_uncond = r;
        break;
      }
      conds.push_back(r);
    }
    bool uncond_runs = first_uncond && launcher::seccomp_ret_runs(first_uncond->ret);
    if (name == "socket" && !conds.empty() && (!first_uncond || !uncond_runs)) {
      // socket allowed for some families only: RestrictAddressFamilies= says exactly that.
      bool ok = true;
      std::vector<std::string> fam;
      for (auto* r : conds) {
        // A refusal of some families: the families not allowed are refused anyway.
        if (!launcher::seccomp_ret_runs(r->ret)) continue;
        auto f = families(r->condition);
        if (f.empty()) ok = false;
        fam.insert(fam.end(), f.begin(), f.end());
      }
      if (ok && !fam.empty()) {
        socket_families = true;
        afs = fam;
        if (allow_list) listed.push_back(name);
        continue;
      }
    }
    for (auto* r : conds) {
      // clone/unshare refused when they would create namespaces: RestrictNamespaces=~TYPE.
      if ((name == "clone" || name == "unshare") && !launcher::seccomp_ret_runs(r->ret)) {
        auto types = namespace_flags(r->condition);
        if (!types.empty()) {
          for (auto& t : types) refused_ns.insert(t);
          ns_rules.push_back(
              fmt::format("{} {} if {} ({})", r->action, name, r->condition, r->origin));
          continue;
        }
      }
      conditional_notes.push_back(
          fmt::format("{} {} if {} ({})", r->action, name, r->condition, r->origin));
    }
    if (allow_list) {
      // Listed when the call runs without a condition; refused otherwise (with the default's
      // errno or SIGSYS, whatever its own action).
      if (uncond_runs) {
        listed.push_back(name);
      } else if (first_uncond && errno_of(first_uncond->action) != default_errno) {
        lost.push_back(fmt::format("{} {} ({}): systemd refuses it like every unlisted call ({})",
                                   first_uncond->action, name, first_uncond->origin,
                                   default_errno.empty() ? "SIGSYS" : default_errno));
      }
    } else if (first_uncond && !uncond_runs) {
      std::string e = errno_of(first_uncond->action);
      listed.push_back(e.empty() ? name : name + ":" + e);
    }
  }
  if (allow_list) {
    out += lines("SystemCallFilter", listed);
    if (!default_errno.empty())
      out += fmt::format("SystemCallErrorNumber={}\n", default_errno);
    else if (sc.default_action.starts_with("kill"))
      out += "# unlisted calls: SIGSYS, as the policy's default kill\n";
    else
      lost.push_back(fmt::format("the default action {} ({}): systemd refuses with SIGSYS",
                                 sc.default_action, sc.default_origin));
  } else {
    std::vector<std::string> denied;
    for (auto& l : listed) denied.push_back(l);
    if (!denied.empty()) {
      denied.front() = "~" + denied.front();
      out += lines("SystemCallFilter", denied);
    }
  }
  if (socket_families)
    out += "RestrictAddressFamilies=" + fmt::format("{}", fmt::join(afs, " ")) + "\n";
  if (!refused_ns.empty()) {
    out += fmt::format("RestrictNamespaces=~{}\n", fmt::join(refused_ns, " "));
    lost.push_back(
        fmt::format("RestrictNamespaces= stands for {}; systemd also refuses setns "
                    "into those namespace types, and refuses with EPERM",
                    fmt::join(ns_rules, "; ")));
  }
  if (sc.log)
    lost.push_back("the `log` flag: systemd's SystemCallLog= logs allowed calls, not refusals");
  for (auto& n : conditional_notes) lost.push_back("argument condition, not expressible: " + n);
}

}  // namespace

std::string emit_systemd(const Plan& p, const std::string& policy_path) {
  std::string out = fmt::format(
      "# Generated by `cordon compile --emit systemd` from {} (policy hash {}).\n"
      "# A drop-in: save as /etc/systemd/system/UNIT.service.d/cordon.conf, then\n"
      "# `systemctl daemon-reload`. Lines starting with '#  -' are what systemd cannot express.\n"
      "[Service]\n",
      policy_path, p.policy_hash);
  std::vector<std::string> lost;

  // Privileges.
  out += "NoNewPrivileges=yes\n";
  std::vector<std::string> caps;
  for (int c : p.capabilities) caps.push_back(policy::capability_label(c));
  out += "CapabilityBoundingSet=" + fmt::format("{}", fmt::join(caps, " ")) + "\n";
  if (p.identity.uid || p.identity.gid)
    lost.push_back(
        fmt::format("identity uid {} gid {} inside the user namespace ({}): systemd's "
                    "User=/Group= name host users",
                    p.identity.uid.value_or(0), p.identity.gid.value_or(0), p.identity.origin));

  // Namespaces.
  const auto& ns = p.namespaces;
  if (ns.user) out += "PrivateUsers=yes\n";
  if (ns.ipc) out += "PrivateIPC=yes\n";
  if (ns.uts) out += "ProtectHostname=yes\n";
  if (ns.cgroup) out += "ProtectControlGroups=yes\n";
  if (ns.pid)
    lost.push_back(fmt::format("a PID namespace ({}): PrivatePIDs= needs systemd 257",
                               ns.origin.empty() ? "built-in" : ns.origin));
  if (!p.hostname.empty())
    lost.push_back(fmt::format("hostname {} ({}): systemd keeps the host's name (read-only)",
                               p.hostname, p.hostname_origin));
  if (p.network == "none" || p.network == "loopback") {
    out += "PrivateNetwork=yes\n";
    if (p.network == "none")
      lost.push_back(
          fmt::format("network none ({}): PrivateNetwork= always brings up lo", p.network_origin));
  }

  // Filesystem: an empty root with the policy's binds, like the launcher builds.
  bool has_root_bind = std::any_of(p.mounts.begin(), p.mounts.end(),
                                   [](const launcher::Mount& m) { return m.path == "/"; });
  if (!has_root_bind) out += "TemporaryFileSystem=/\n";
  out += "MountAPIVFS=yes\n";
  std::vector<std::string> ro, rw, tmpfs;
  for (const auto& m : p.mounts) {
    std::string path = (m.optional ? "-" : "") + quoted(m.path);
    if (m.kind == "ro" || m.kind == "exec") ro.push_back(path);
    if (m.kind == "rw") rw.push_back(path);
    if (m.kind == "tmpfs") {
      std::string opts;
      if (m.size) opts += fmt::format("size={}", m.size);
      if (m.mode) opts += fmt::format("{}mode={:04o}", opts.empty() ? "" : ",", m.mode);
      tmpfs.push_back(quoted(m.path) + (opts.empty() ? "" : ":" + opts));
    }
    if (m.kind == "dev") out += "PrivateDevices=yes\n";
  }
  out += lines("BindReadOnlyPaths", ro, 4);
  out += lines("BindPaths", rw, 4);
  out += lines("TemporaryFileSystem", tmpfs, 4);
  if (!p.landlock.paths.empty() || !p.landlock.ports.empty() || !p.landlock.scopes.empty())
    lost.push_back(fmt::format(
        "Landlock ({} path rules, {} port rules, scopes: {}): systemd has "
        "none; the binds above give read-only and read-write, not the "
        "per-right limits",
        p.landlock.paths.size(), p.landlock.ports.size(),
        p.landlock.scopes.empty() ? "none" : fmt::format("{}", fmt::join(p.landlock.scopes, " "))));

  // Environment.
  for (const auto& e : p.env.set)
    out += fmt::format("Environment={}\n", quoted(e.name + "=" + e.value));

  // Limits.
  const auto& cg = p.cgroup;
  if (cg.memory_bytes) out += fmt::format("MemoryMax={}\n", *cg.memory_bytes);
  if (cg.pids) out += fmt::format("TasksMax={}\n", *cg.pids);
  if (cg.cpu_quota_us) out += fmt::format("CPUQuota={}%\n", *cg.cpu_quota_us / 1000.0);
  if (cg.devices) {
    // strict: only what DeviceAllow= lists ("closed" would add the pseudo devices). systemd
    // names devices by path or by /proc/devices group, not by number.
    static const std::map<std::string, std::string> kNode = {
        {"null", "/dev/null"},       {"zero", "/dev/zero"},
        {"full", "/dev/full"},       {"random", "/dev/random"},
        {"urandom", "/dev/urandom"}, {"kmsg", "/dev/kmsg"},
        {"tty", "/dev/tty"},         {"console", "/dev/console"},
        {"ptmx", "/dev/ptmx"},       {"pts", "char-pts"},
        {"net-tun", "/dev/net/tun"}, {"fuse", "/dev/fuse"},
        {"kvm", "/dev/kvm"},         {"loop-control", "/dev/loop-control"}};
    out += "DevicePolicy=strict\n";
    for (const auto& d : *cg.devices) {
      if (auto it = kNode.find(d.name); it != kNode.end())
        out += fmt::format("DeviceAllow={} rw\n", it->second);
      else
        lost.push_back(
            fmt::format("devices allow {} ({}): systemd's DeviceAllow= names a device "
                        "by path or /proc/devices group, not by number; add its path",
                        d.name, cg.devices_origin));
    }
  }
  if (p.walltime_ms) out += fmt::format("RuntimeMaxSec={}ms\n", *p.walltime_ms);
  static const std::map<std::string, std::string> kLimit = {
      {"nofile", "LimitNOFILE"}, {"nproc", "LimitNPROC"}, {"core", "LimitCORE"},
      {"fsize", "LimitFSIZE"},   {"stack", "LimitSTACK"}, {"as", "LimitAS"}};
  for (const auto& r : p.rlimits)
    if (auto it = kLimit.find(r.name); it != kLimit.end())
      out += fmt::format("{}={}\n", it->second, r.value);

  // MAC.
  if (!p.mac.apparmor.empty() && p.mac.apparmor != "generate")
    out +=
        fmt::format("AppArmorProfile={}{}\n", p.mac.apparmor_optional ? "-" : "", p.mac.apparmor);
  if (!p.mac.selinux.empty())
    out += fmt::format("SELinuxContext={}{}\n", p.mac.selinux_optional ? "-" : "", p.mac.selinux);

  // System calls.
  syscalls(p, out, lost);

  if (!lost.empty()) {
    out += "\n# Not expressible in a systemd unit:\n";
    for (const auto& l : lost) out += "#  - " + l + "\n";
  }
  return out;
}

}  // namespace cordon::cli
