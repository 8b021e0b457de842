#include "cli/emit_selinux.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "cli/emit_text.h"
#include "launcher/landlock_abi.h"
#include "launcher/spec.h"
#include "policy/constants.h"

namespace cordon::cli {

namespace {

namespace ll = launcher::landlock;
using launcher::Plan;

// The launcher's domain in the reference policy: where a root shell runs, and cordon with it.
constexpr const char* kLauncher = "unconfined_t";

// A CIL identifier: letters, digits and '_' ('.' separates CIL namespaces).
std::string identifier(std::string_view s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || !std::isalpha(static_cast<unsigned char>(out[0]))) out = "t_" + out;
  return out;
}

// A path as the file_contexts regular expression of itself and everything beneath. The
// expression is matched whole (setfiles anchors it); metacharacters are escaped, and blanks,
// quotes and control characters (which file_contexts and CIL strings cannot hold) written as
// \xHH.
std::string filecon_regex(std::string_view path) {
  if (path == "/") return "/.*";
  std::string out;
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"')
      out += fmt::format("\\x{:02x}", u);
    else if (std::string_view(".^$*+?()[]{}|\\").find(c) != std::string_view::npos)
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out + "(/.*)?";
}

using ClassPerms = std::map<std::string, std::set<std::string>>;

// The SELinux permissions equivalent to Landlock rights beneath an entry (see the header).
ClassPerms file_perms(uint64_t a) {
  ClassPerms c;
  auto add = [&](const char* cls, std::initializer_list<const char*> perms) {
    for (const char* p : perms) c[cls].insert(p);
  };
  auto has = [&](uint64_t bits) { return (a & bits) != 0; };
  if (a == 0) return c;
  add("dir", {"search", "getattr", "open"});
  add("lnk_file", {"read", "getattr"});
  add("file", {"getattr"});
  if (has(LANDLOCK_ACCESS_FS_READ_FILE)) add("file", {"read", "open", "ioctl", "lock", "map"});
  if (has(LANDLOCK_ACCESS_FS_READ_DIR)) add("dir", {"read", "ioctl", "lock"});
  if (has(LANDLOCK_ACCESS_FS_EXECUTE))
    add("file", {"execute", "execute_no_trans", "map", "entrypoint", "open", "read"});
  if (has(LANDLOCK_ACCESS_FS_WRITE_FILE)) add("file", {"write", "append", "setattr", "open"});
  if (has(LANDLOCK_ACCESS_FS_TRUNCATE)) add("file", {"setattr", "write", "open"});
  const uint64_t make = LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |
                        LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_SOCK |
                        LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                        LANDLOCK_ACCESS_FS_MAKE_BLOCK;
  if (has(make)) add("dir", {"write", "add_name", "setattr"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_REG)) add("file", {"create", "link"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_DIR)) add("dir", {"create"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_SYM)) add("lnk_file", {"create"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_SOCK)) add("sock_file", {"create", "getattr"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_FIFO))
    add("fifo_file", {"create", "getattr", "open", "read", "write"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_CHAR)) add("chr_file", {"create", "getattr"});
  if (has(LANDLOCK_ACCESS_FS_MAKE_BLOCK)) add("blk_file", {"create", "getattr"});
  if (has(LANDLOCK_ACCESS_FS_REMOVE_FILE)) {
    add("dir", {"write", "remove_name"});
    for (const char* cls : {"file", "lnk_file", "sock_file", "fifo_file"}) add(cls, {"unlink"});
  }
  if (has(LANDLOCK_ACCESS_FS_REMOVE_DIR)) add("dir", {"write", "remove_name", "rmdir"});
  // A rename in one directory needs no refer right in Landlock (make and remove suffice).
  if (has(LANDLOCK_ACCESS_FS_REFER) ||
      (has(LANDLOCK_ACCESS_FS_MAKE_REG) && has(LANDLOCK_ACCESS_FS_REMOVE_FILE))) {
    add("file", {"rename"});
    add("lnk_file", {"rename"});
  }
  if (has(LANDLOCK_ACCESS_FS_REFER)) {
    add("dir", {"reparent", "rename"});
    add("file", {"link"});
  }
  return c;
}

class Writer {
 public:
  std::string body;
  std::vector<SelinuxRule> rules;
  std::vector<std::string> lost;

  void section(std::string_view title) { body += fmt::format("\n; {}\n", comment_safe(title)); }
  void comment(std::string_view text) { body += fmt::format("; {}\n", comment_safe(text)); }

  void statement(std::string line, const std::string& origin, const std::string& entry) {
    write(line, origin, entry);
    rules.push_back({std::move(line), origin, entry, "", "", {}});
  }

  void allow(const std::string& source, const std::string& target, const std::string& cls,
             const std::set<std::string>& perms, const std::string& origin,
             const std::string& entry) {
    if (perms.empty()) return;
    std::string line =
        fmt::format("(allow {} {} ({} ({})))", source, target, cls, fmt::join(perms, " "));
    write(line, origin, entry);
    rules.push_back({std::move(line), origin, entry, target, cls, {perms.begin(), perms.end()}});
  }

  void allow_all(const std::string& source, const std::string& target, const ClassPerms& cp,
                 const std::string& origin, const std::string& entry) {
    for (const auto& [cls, perms] : cp) allow(source, target, cls, perms, origin, entry);
  }

 private:
  void write(const std::string& line, const std::string& origin, const std::string& entry) {
    body += fmt::format("{}  ; {}: {}\n", line, or_builtin(origin), comment_safe(entry));
  }
};

struct Context {
  std::string user = "system_u", role = "system_r", type, level = "s0";
};

Context parse_context(std::string_view ctx) {
  Context c;
  std::vector<std::string> parts;
  std::stringstream in{std::string(ctx)};
  for (std::string f; std::getline(in, f, ':');) parts.push_back(f);
  if (parts.size() >= 3) {
    c.user = parts[0];
    c.role = parts[1];
    c.type = parts[2];
  }
  if (parts.size() >= 4) {
    // The level is the rest (it may hold ':' itself: "s0-s0:c0.c1023").
    size_t at = ctx.find(':', ctx.find(':', ctx.find(':') + 1) + 1);
    c.level = std::string(ctx.substr(at + 1));
  }
  return c;
}

std::string stem_of(const std::string& domain) {
  return domain.ends_with("_t") ? domain.substr(0, domain.size() - 2) : domain;
}

// The module's type for a bind's path: <stem>_<path>_t, unique among `taken`.
std::string entry_type(const std::string& stem, const std::string& path,
                       std::set<std::string>& taken) {
  std::string p = path == "/" ? "root" : identifier(path.substr(1));
  std::string base = stem + "_" + p, name = base + "_t";
  for (int n = 2; taken.count(name); ++n) name = fmt::format("{}_{}_t", base, n);
  taken.insert(name);
  return name;
}

// The refpolicy type of a node `dev minimal` binds (launcher::kDevNodes).
std::string dev_node_type(std::string_view node) {
  if (node == "null" || node == "full") return "null_device_t";
  if (node == "zero") return "zero_device_t";
  if (node == "random") return "random_device_t";
  if (node == "urandom") return "urandom_device_t";
  if (node == "tty") return "devtty_t";
  return "";
}

void filesystem(Writer& w, const Plan& p, const std::string& domain, SelinuxModule& out) {
  w.section("filesystem: each entry's type and the permissions of its Landlock rights");
  const std::string stem = stem_of(domain);
  std::set<std::string> taken{domain};
  std::map<std::string, size_t> by_path;  // bind path -> out.file_types index
  bool tmpfs_listed = false;
  for (const auto& m : p.mounts) {
    const uint64_t access = access_of(p, m);
    const std::string entry = m.kind == "proc" ? "proc"
                              : m.kind == "dev"
                                  ? "dev " + m.dev
                                  : fmt::format("{}{} {}", m.kind, m.optional ? "?" : "", m.path);
    if (m.kind == "ro" || m.kind == "rw" || m.kind == "exec") {
      std::string type;
      if (auto it = by_path.find(m.path); it != by_path.end()) {
        type = out.file_types[it->second].type;  // the same path twice: one type
      } else {
        type = entry_type(stem, m.path, taken);
        by_path[m.path] = out.file_types.size();
        out.file_types.push_back({type, type + "_a", entry, m.kind, m.path, m.origin, true});
        w.comment(fmt::format("{}{}", entry, paren(m.origin)));
        w.statement(fmt::format("(type {})", type), m.origin, entry);
        w.statement(fmt::format("(roletype object_r {})", type), m.origin, entry);
        w.statement(fmt::format("(typeattributeset file_type ({}))", type), m.origin, entry);
        w.statement(fmt::format("(typeattribute {}_a)", type), m.origin, entry);
        w.statement(fmt::format("(typeattributeset {}_a ({}))", type, type), m.origin, entry);
        w.statement(fmt::format("(filecon \"{}\" any (system_u object_r {} ((s0) (s0))))",
                                filecon_regex(m.path), type),
                    m.origin, entry);
      }
      w.allow_all(domain, type + "_a", file_perms(access), m.origin, entry);
    } else if (m.kind == "tmpfs") {
      if (!tmpfs_listed)
        out.file_types.push_back({"tmpfs_t", "tmpfs_t", entry, m.kind, m.path, m.origin, false});
      tmpfs_listed = true;
      w.comment(
          fmt::format("{}{}: a tmpfs cordon mounts, labelled tmpfs_t", entry, paren(m.origin)));
      w.allow_all(domain, "tmpfs_t", file_perms(access), m.origin, entry);
    } else if (m.kind == "proc") {
      out.file_types.push_back({"proc_t", "proc_t", entry, m.kind, m.path, m.origin, false});
      w.comment(fmt::format("proc{}: proc_t", paren(m.origin)));
      ClassPerms cp = file_perms(access & ~LANDLOCK_ACCESS_FS_EXECUTE);
      w.allow_all(domain, "proc_t", cp, m.origin, entry);
    } else if (m.kind == "dev") {
      if (m.dev != "minimal") continue;
      w.comment(fmt::format("dev minimal{}: the nodes' reference-policy types, a private devpts",
                            paren(m.origin)));
      ClassPerms node;
      for (const char* perm : {"getattr", "open", "read", "write", "append", "lock"})
        if (access & (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE))
          node["chr_file"].insert(perm);
      if (access & LANDLOCK_ACCESS_FS_IOCTL_DEV) node["chr_file"].insert("ioctl");
      std::set<std::string> done;
      for (const char* n : launcher::kDevNodes) {
        std::string t = dev_node_type(n);
        if (t.empty() || !done.insert(t).second) continue;
        out.file_types.push_back({t, t, entry, m.kind, m.path + "/" + n, m.origin, false});
        w.allow_all(domain, t, node, m.origin, entry);
      }
      for (const char* t : {"devpts_t", "ptmx_t"}) {
        out.file_types.push_back({t, t, entry, m.kind, m.path + "/pts", m.origin, false});
        w.allow_all(domain, t, node, m.origin, entry);
      }
      w.allow(domain, "devpts_t", "dir", {"getattr", "open", "read", "search"}, m.origin, entry);
    }
  }
  w.comment("the sandbox's root, its mount points and merged-/usr links: a tmpfs cordon builds");
  w.allow(domain, "tmpfs_t", "dir", {"getattr", "open", "read", "search"}, "",
          "the sandbox's root");
  w.allow(domain, "tmpfs_t", "lnk_file", {"getattr", "read"}, "", "the sandbox's root");
  for (const auto& m : p.mounts)
    if (m.kind == "rw" || m.kind == "tmpfs") {
      w.lost.push_back(fmt::format(
          "files created beneath {} {} ({}) take their directory's type; a file moved in from "
          "elsewhere keeps its own, which this module may not grant",
          m.kind, m.path, or_builtin(m.origin)));
      break;
    }
}

void capabilities(Writer& w, const Plan& p, const std::string& domain) {
  w.section("capabilities: the bounding set, exactly (in the sandbox's user namespace too)");
  if (p.capabilities.empty()) {
    w.comment(fmt::format("capabilities none{}: no rule, so SELinux refuses every capability",
                          paren(p.capabilities_origin)));
    return;
  }
  std::set<std::string> low, high;
  std::string entry = "capabilities keep";
  for (int c : p.capabilities) {
    std::string name = policy::capability_to_name(c);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || c > 40) {
      w.lost.push_back(fmt::format("capability {}{}: no SELinux permission names it", c,
                                   paren(p.capabilities_origin)));
      continue;
    }
    entry += " " + name;
    std::string lower;
    for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    (c < 32 ? low : high).insert(lower);
  }
  w.allow(domain, "self", "capability", low, p.capabilities_origin, entry);
  w.allow(domain, "self", "cap_userns", low, p.capabilities_origin, entry);
  w.allow(domain, "self", "capability2", high, p.capabilities_origin, entry);
  w.allow(domain, "self", "cap2_userns", high, p.capabilities_origin, entry);
}

const std::set<std::string> kSocketPerms = {"accept",  "append",  "bind",   "connect",  "create",
                                            "getattr", "getopt",  "ioctl",  "listen",   "lock",
                                            "read",    "setattr", "setopt", "shutdown", "write"};

void network(Writer& w, const Plan& p, const std::string& domain) {
  w.section(fmt::format("network {}{}", p.network, paren(p.network_origin)));
  std::set<std::string> stream = kSocketPerms, dgram = kSocketPerms;
  stream.insert("connectto");
  dgram.insert("sendto");
  w.allow(domain, "self", "unix_stream_socket", stream, "", "unix sockets: IPC inside the sandbox");
  w.allow(domain, "self", "unix_dgram_socket", dgram, "", "unix sockets: IPC inside the sandbox");
  const bool inet = p.network == "loopback" || p.network == "host";
  const std::string entry = "network " + p.network;
  if (inet) {
    std::set<std::string> tcp = kSocketPerms, udp = kSocketPerms;
    tcp.insert("name_connect");
    w.allow(domain, "self", "tcp_socket", tcp, p.network_origin, entry);
    w.allow(domain, "self", "udp_socket", udp, p.network_origin, entry);
    w.allow(domain, "port_type", "tcp_socket", {"name_bind", "name_connect"}, p.network_origin,
            entry);
    w.allow(domain, "port_type", "udp_socket", {"name_bind"}, p.network_origin, entry);
    w.allow(domain, "node_type", "tcp_socket", {"node_bind"}, p.network_origin, entry);
    w.allow(domain, "node_type", "udp_socket", {"node_bind"}, p.network_origin, entry);
  } else {
    w.comment(fmt::format("{}: no tcp or udp socket (the network namespace is empty)", entry));
  }
  if (p.network == "loopback")
    w.lost.push_back(fmt::format(
        "network loopback{}: the module allows tcp and udp to any node; the network namespace "
        "(lo only) keeps the app on loopback",
        paren(p.network_origin)));
  for (const auto& port : p.landlock.ports)
    w.lost.push_back(fmt::format(
        "landlock {} tcp {} ({}): SELinux names ports by their portcon types, not by number; the "
        "module allows every port_type and Landlock enforces the number",
        port.bind ? "bind" : "connect", port.port, port.origin));
  w.lost.push_back(
      "socket families other than unix, inet and inet6 (netlink, packet…): no rule here; "
      "seccomp's socket rules decide where the base does not declare their classes");
}

bool ptrace_runs(const Plan& p, std::string& origin) {
  if (p.seccomp.default_action.empty() && p.seccomp.rules.empty()) return true;
  const std::string native = p.seccomp.arches.empty() ? "" : p.seccomp.arches.front();
  for (const auto& r : p.seccomp.rules) {
    if (r.arch != native || r.syscall != "ptrace") continue;
    if (launcher::seccomp_ret_runs(r.ret)) {
      origin = r.origin;
      return true;
    }
    if (r.condition.empty()) return false;
  }
  origin = p.seccomp.default_origin;
  return launcher::seccomp_ret_runs(p.seccomp.default_ret);
}

void processes(Writer& w, const Plan& p, const std::string& domain) {
  w.section("processes: within the domain; the launcher's descriptors and stdio");
  w.allow(
      domain, "self", "process",
      {"fork", "sigchld", "sigkill", "sigstop", "signull", "signal", "getsched", "setsched",
       "getsession", "getpgid", "setpgid", "getcap", "setcap", "getattr", "setrlimit", "getrlimit"},
      "", "the app's own processes");
  w.allow(domain, "self", "fd", {"use"}, "", "the app's own processes");
  w.allow(domain, "self", "dir", {"getattr", "open", "read", "search"}, "",
          "the app's own /proc/PID files");
  w.allow(domain, "self", "file", {"getattr", "open", "read"}, "", "the app's own /proc/PID files");
  w.allow(domain, "self", "lnk_file", {"getattr", "read"}, "", "the app's own /proc/PID files");
  w.allow(domain, "self", "fifo_file",
          {"getattr", "ioctl", "lock", "open", "read", "write", "append"}, "",
          "pipes among the app's processes");
  std::string origin;
  if (ptrace_runs(p, origin))
    w.allow(domain, "self", "process", {"ptrace"}, origin, "seccomp lets ptrace run");
  w.allow(domain, kLauncher, "fd", {"use"}, "",
          "descriptors the launcher passes (stdio, --pass-fd)");
  w.allow(domain, kLauncher, "fifo_file", {"getattr", "ioctl", "lock", "read", "write", "append"},
          "", "the launcher's pipes");
  w.allow(domain, kLauncher, "unix_stream_socket",
          {"getattr", "ioctl", "read", "write", "append", "getopt", "setopt", "shutdown"}, "",
          "the launcher's sockets");
  w.allow(domain, kLauncher, "process", {"sigchld"}, "", "the app's exit to cordon's PID 1");
  w.allow(domain, "null_device_t", "chr_file", {"getattr", "ioctl", "read", "write", "append"}, "",
          "stdio: /dev/null");
  w.allow(domain, "devpts_t", "chr_file", {"getattr", "ioctl", "read", "write", "append"}, "",
          "stdio: a terminal");
}

void launcher_rules(Writer& w, const std::string& domain, const Context& c) {
  w.section(fmt::format("the domain, entered from {} at the app's exec (setexeccon)", kLauncher));
  w.statement(fmt::format("(type {})", domain), "", "the sandbox's domain");
  w.statement(fmt::format("(roletype {} {})", identifier(c.role), domain), "",
              "the sandbox's domain");
  w.statement(fmt::format("(typeattributeset domain ({}))", domain), "", "the sandbox's domain");
  w.allow(
      kLauncher, domain, "process",
      {"transition", "sigkill", "sigstop", "signal", "signull", "getattr", "rlimitinh", "siginh"},
      "", "cordon run enters and supervises it; the app keeps cordon's rlimits and signal state");
  w.allow(kLauncher, domain, "process2", {"nnp_transition"}, "",
          "cordon sets no_new_privs before the exec");
}

void limits(Writer& w, const Plan& p) {
  for (const auto& r : p.rlimits)
    w.lost.push_back(
        fmt::format("limits {} ({}): SELinux has no resource limits; cordon sets the "
                    "rlimit, and the exec keeps it (process rlimitinh)",
                    r.name, r.origin));
  const auto& cg = p.cgroup;
  if (cg.memory_bytes || cg.pids || cg.cpu_quota_us)
    w.lost.push_back("memory, pids and cpu limits: cgroup limits; SELinux has none");
  if (p.walltime_ms)
    w.lost.push_back(fmt::format("walltime {} ms ({}): SELinux has no time limit", *p.walltime_ms,
                                 p.walltime_origin));
  if (!p.seccomp.default_action.empty() || !p.seccomp.rules.empty())
    w.lost.push_back(fmt::format(
        "the system-call filter (default {}{}): SELinux has no system-call rules; cordon's "
        "seccomp filter enforces them",
        p.seccomp.default_action, paren(p.seccomp.default_origin)));
}

bool has_perms(const std::vector<std::string>& have, std::string_view want) {
  std::stringstream in{std::string(want)};
  bool any = false;
  for (std::string perm; in >> perm;) {
    if (perm == "{" || perm == "}") continue;
    any = true;
    if (std::find(have.begin(), have.end(), perm) == have.end()) return false;
  }
  return any;
}

}  // namespace

std::string selinux_domain(const Plan& plan, const std::string& policy_path) {
  if (!plan.mac.selinux.empty()) {
    Context c = parse_context(plan.mac.selinux);
    if (!c.type.empty()) return identifier(c.type);
  }
  std::string name = plan.name;
  if (name.empty()) name = std::filesystem::path(policy_path).stem().string();
  if (name.empty()) name = "policy";
  return "cordon_" + identifier(name) + "_t";
}

SelinuxModule generate_selinux(const Plan& p, const std::string& policy_path) {
  SelinuxModule out;
  out.domain = selinux_domain(p, policy_path);
  Context c = p.mac.selinux.empty() ? Context{} : parse_context(p.mac.selinux);
  out.context =
      p.mac.selinux.empty() ? fmt::format("system_u:system_r:{}:s0", out.domain) : p.mac.selinux;
  Writer w;
  if (!p.mac.selinux.empty() && (c.type.empty() || identifier(c.type) != c.type))
    w.lost.push_back(fmt::format("selinux \"{}\"{}: its type is not a CIL name; written as {}",
                                 p.mac.selinux, paren(p.mac.selinux_origin), out.domain));
  launcher_rules(w, out.domain, c);
  filesystem(w, p, out.domain, out);
  capabilities(w, p, out.domain);
  network(w, p, out.domain);
  processes(w, p, out.domain);
  limits(w, p);
  w.section("refused by omission");
  w.comment("every other type, every capability not kept, mount, relabelling");

  out.text = fmt::format(
      "; Generated by `cordon compile --emit selinux-cil` from {} (policy hash {}).\n"
      "; A CIL module for the domain {}: cordon run enters it with setexeccon at the app's exec\n"
      "; (`mac {{ selinux \"{}\" }}`). It needs a base with the reference policy's names\n"
      "; (secilc BASE.cil THIS.cil, or semodule -i THIS.cil; then restorecon the paths of its\n"
      "; filecon lines). Each statement ends with the policy rule that produced it; the\n"
      "; ';  -' lines at the end are what SELinux cannot express.\n",
      comment_safe(policy_path), p.policy_hash, out.domain, comment_safe(out.context));
  out.text += w.body;
  if (!w.lost.empty()) {
    out.text += "\n; Not expressible in this SELinux module:\n";
    for (const auto& l : w.lost) out.text += ";  - " + comment_safe(l) + "\n";
  }
  out.rules = std::move(w.rules);
  out.not_expressed = std::move(w.lost);
  return out;
}

std::string emit_selinux_cil(const Plan& plan, const std::string& policy_path) {
  return generate_selinux(plan, policy_path).text;
}

const SelinuxFileType* selinux_file_type(const SelinuxModule& m, std::string_view type) {
  for (const auto& t : m.file_types)
    if (t.type == type) return &t;
  return nullptr;
}

bool selinux_allows(const SelinuxModule& m, std::string_view target, std::string_view tclass,
                    std::string_view perms) {
  // The rules name a module type by its attribute, and the domain itself as self.
  std::string alt(target);
  if (const SelinuxFileType* t = selinux_file_type(m, target)) alt = t->target;
  std::vector<std::string> have;
  for (const auto& r : m.rules) {
    if (r.tclass != tclass) continue;
    if (r.line.find("(allow " + m.domain + " ") != 0) continue;
    bool hit = r.target == target || r.target == alt || (r.target == "self" && target == m.domain);
    if (hit) have.insert(have.end(), r.perms.begin(), r.perms.end());
  }
  return has_perms(have, perms);
}

}  // namespace cordon::cli
