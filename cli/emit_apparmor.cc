#include "cli/emit_apparmor.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "base/path.h"
#include "cli/emit_text.h"
#include "launcher/landlock_abi.h"
#include "launcher/spec.h"
#include "policy/constants.h"

namespace cordon::cli {

namespace {

namespace ll = launcher::landlock;
using launcher::Plan;

// A profile name apparmor_parser reads unquoted, that is no path (no '/': a name starting
// with one would attach to that executable) and no child profile ("//").
std::string sanitize_name(std::string_view s) {
  std::string out;
  for (char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' ||
            c == '-')
               ? c
               : '-';
  return out;
}

// A literal path as an AppArmor glob: the pattern characters, the escape and '@' (variables)
// are escaped with '\'.
std::string escape_glob(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (std::string_view("\\*?[]{}^@").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// The glob as a rule's path: quoted when it holds anything but plain path characters (a blank,
// '#', a quote, a control character, a ',' other than between a pattern's braces), with '"'
// and control characters escaped inside.
std::string quote_glob(std::string_view g) {
  bool plain = !g.empty();
  int braces = 0;
  for (size_t i = 0; i < g.size() && plain; ++i) {
    auto u = static_cast<unsigned char>(g[i]);
    if (g[i] == '\\') {
      ++i;  // an escaped character is plain if it is printable
      plain = i < g.size() && static_cast<unsigned char>(g[i]) > 0x20 && g[i] != '"' &&
              g[i] != '#' && g[i] != ',' && g[i] != 0x7f;
    } else if (g[i] == '{') {
      ++braces;
    } else if (g[i] == '}') {
      --braces;
    } else if (g[i] == ',') {
      plain = braces > 0;
    } else {
      plain = u >= 0x80 || std::isalnum(u) ||
              std::string_view("/._-+~:%=*?[]^@").find(g[i]) != std::string_view::npos;
    }
  }
  if (plain) return std::string(g);
  std::string out = "\"";
  for (char c : g) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"')
      out += "\\\"";
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out + "\"";
}

// The AppArmor file permissions equivalent to Landlock rights on a file (see the header).
std::string file_perms(uint64_t a) {
  const bool exec = (a & LANDLOCK_ACCESS_FS_EXECUTE) != 0;
  std::string p;
  if (exec) p += 'm';
  if (a & LANDLOCK_ACCESS_FS_READ_FILE) p += 'r';
  if (a & LANDLOCK_ACCESS_FS_WRITE_FILE) p += 'w';
  if (a & LANDLOCK_ACCESS_FS_MAKE_REG) p += 'l';
  if (a & (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE)) p += 'k';
  if (exec) p += "ix";
  return p;
}

// AppArmor 3.0's names of the address families, by AF_* number (its af_mask order; 12, the
// removed DECnet, has none).
std::string af_name(uint64_t af) {
  static constexpr std::array<const char*, 46> kNames = {
      "",        "unix",    "inet",    "ax25",   "ipx",        "appletalk", "netrom",   "bridge",
      "atmpvc",  "x25",     "inet6",   "rose",   "",           "netbeui",   "security", "key",
      "netlink", "packet",  "ash",     "econet", "atmsvc",     "rds",       "sna",      "irda",
      "pppox",   "wanpipe", "llc",     "ib",     "mpls",       "can",       "tipc",     "bluetooth",
      "iucv",    "rxrpc",   "isdn",    "phonet", "ieee802154", "caif",      "alg",      "nfc",
      "vsock",   "kcm",     "qipcrtr", "smc",    "xdp",        "mctp"};
  return af < kNames.size() ? kNames[af] : "";
}

// The address families a socket() condition starts with: "domain == AF_INET",
// "family in [AF_UNIX, 10] && …". nullopt when it starts with anything else (then any family
// may pass it, as far as AppArmor is concerned).
std::optional<std::vector<uint64_t>> leading_families(std::string_view c) {
  size_t i = 0;
  auto blanks = [&] {
    while (i < c.size() && c[i] == ' ') ++i;
  };
  auto word = [&] {
    size_t b = i;
    while (i < c.size() && (std::isalnum(static_cast<unsigned char>(c[i])) || c[i] == '_')) ++i;
    return c.substr(b, i - b);
  };
  auto value = [&]() -> std::optional<uint64_t> {
    blanks();
    std::string_view w = word();
    if (w.empty()) return std::nullopt;
    if (std::isdigit(static_cast<unsigned char>(w[0]))) {
      try {
        size_t used = 0;
        uint64_t v = std::stoull(std::string(w), &used, 0);
        if (used != w.size()) return std::nullopt;
        return v;
      } catch (...) {
        return std::nullopt;
      }
    }
    if (!w.starts_with("AF_") && !w.starts_with("PF_")) return std::nullopt;
    return policy::find_constant(w);
  };
  blanks();
  std::string_view arg = word();
  if (arg != "domain" && arg != "family" && arg != "arg0") return std::nullopt;
  blanks();
  std::vector<uint64_t> out;
  if (c.substr(i).starts_with("==")) {
    i += 2;
    auto v = value();
    if (!v) return std::nullopt;
    out.push_back(*v);
  } else if (word() == "in") {
    blanks();
    if (i >= c.size() || c[i] != '[') return std::nullopt;
    ++i;
    for (;;) {
      auto v = value();
      if (!v) return std::nullopt;
      out.push_back(*v);
      blanks();
      if (i < c.size() && c[i] == ',') {
        ++i;
        continue;
      }
      if (i < c.size() && c[i] == ']') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  blanks();
  if (i == c.size() || c.substr(i).starts_with("&&")) return out;
  return std::nullopt;
}

// The native architecture's seccomp rows for one syscall, in decision order.
std::vector<const launcher::SeccompRule*> rows_of(const Plan& p, std::string_view syscall) {
  std::vector<const launcher::SeccompRule*> out;
  if (p.seccomp.arches.empty()) return out;
  for (const auto& r : p.seccomp.rules)
    if (r.arch == p.seccomp.arches.front() && r.syscall == syscall) out.push_back(&r);
  return out;
}

bool has_filter(const Plan& p) {
  return !p.seccomp.default_action.empty() || !p.seccomp.rules.empty();
}

// Whether seccomp lets the syscall run for some arguments; `origin` gets the rule that does.
bool may_run(const Plan& p, std::string_view syscall, std::string& origin) {
  if (!has_filter(p)) return true;
  for (const auto* r : rows_of(p, syscall)) {
    if (launcher::seccomp_ret_runs(r->ret)) {
      origin = r->origin;
      return true;
    }
    if (r->condition.empty()) return false;
  }
  origin = p.seccomp.default_origin;
  return launcher::seccomp_ret_runs(p.seccomp.default_ret);
}

// The families seccomp lets socket() create: each with the rule that allows it, or
// `unrestricted` (with that rule) when it does not limit them.
struct Families {
  bool unrestricted = false;
  std::string unrestricted_origin;
  std::map<uint64_t, const launcher::SeccompRule*> allowed;
  std::vector<const launcher::SeccompRule*> narrowed;  // allow rows that test more than the family
};

Families socket_families(const Plan& p) {
  Families f;
  if (!has_filter(p)) {
    f.unrestricted = true;
    return f;
  }
  bool decided = false;
  for (const auto* r : rows_of(p, "socket")) {
    const bool runs = launcher::seccomp_ret_runs(r->ret);
    if (r->condition.empty()) {
      decided = true;
      if (runs) {
        f.unrestricted = true;
        f.unrestricted_origin = r->origin;
      }
      break;
    }
    // A conditional refusal narrows what later rows allow; AppArmor's family rule may be wider
    // than seccomp's, never narrower.
    if (!runs) continue;
    auto fams = leading_families(r->condition);
    if (!fams) {
      f.unrestricted = true;
      f.unrestricted_origin = r->origin;
      decided = true;
      break;
    }
    for (uint64_t af : *fams) f.allowed.emplace(af, r);
    if (r->condition.find("&&") != std::string::npos) f.narrowed.push_back(r);
  }
  if (!decided && launcher::seccomp_ret_runs(p.seccomp.default_ret)) {
    f.unrestricted = true;
    f.unrestricted_origin = p.seccomp.default_origin;
  }
  return f;
}

class Writer {
 public:
  std::string body;
  std::vector<AppArmorRule> rules;
  std::vector<std::string> lost;

  void section(std::string_view title) { body += fmt::format("\n  # {}\n", comment_safe(title)); }
  void comment(std::string_view text) { body += fmt::format("  # {}\n", comment_safe(text)); }

  void rule(std::string line, const std::string& origin, const std::string& entry) {
    write(line, origin, entry);
    rules.push_back({std::move(line), origin, entry, "", "", ""});
  }

  void file(const std::string& glob, const std::string& perms, const std::string& origin,
            const std::string& entry, const std::string& entry_path) {
    if (perms.empty()) return;
    std::string line = fmt::format("{} {},", quote_glob(glob), perms);
    write(line, origin, entry);
    rules.push_back({std::move(line), origin, entry, glob, perms, entry_path});
  }

 private:
  void write(const std::string& line, const std::string& origin, const std::string& entry) {
    body += fmt::format("  {:<40}  # {}: {}\n", line, or_builtin(origin), comment_safe(entry));
  }
};

// One ro / rw / exec / tmpfs / proc entry: the directory itself, the entry as a file (binds
// only: a bind may be a file), and everything beneath.
void filesystem_entry(Writer& w, const launcher::Mount& m, uint64_t access) {
  const std::string entry =
      m.kind == "proc" ? "proc" : fmt::format("{}{} {}", m.kind, m.optional ? "?" : "", m.path);
  const std::string base = m.path == "/" ? "" : escape_glob(m.path);
  const std::string perms = file_perms(access);
  const bool read_dir = (access & LANDLOCK_ACCESS_FS_READ_DIR) != 0;
  const bool bind = m.kind == "ro" || m.kind == "rw" || m.kind == "exec";
  if (read_dir) w.file(base + "/", "r", m.origin, entry, m.path);
  if (bind && !base.empty()) w.file(base, perms, m.origin, entry, m.path);
  w.file(base + (read_dir ? "/**" : "/**[^/]"), perms, m.origin, entry, m.path);
}

// `dev minimal`: the nodes the launcher binds and a private devpts, nothing else of /dev.
void dev_entry(Writer& w, const launcher::Mount& m, uint64_t access) {
  const std::string entry = "dev " + m.dev;
  const std::string base = escape_glob(m.path);
  const std::string perms = file_perms(access & ~LANDLOCK_ACCESS_FS_EXECUTE);
  if (access & LANDLOCK_ACCESS_FS_READ_DIR) {
    w.file(base + "/", "r", m.origin, entry, m.path);
    w.file(base + "/**/", "r", m.origin, entry, m.path);
  }
  std::string nodes;
  for (const char* n : launcher::kDevNodes) {
    if (!nodes.empty()) nodes += ',';
    nodes += n;
  }
  w.file(base + "/{" + nodes + "}", perms, m.origin, entry, m.path);
  w.file(base + "/pts/*", perms, m.origin, entry, m.path);
}

void filesystem(Writer& w, const Plan& p) {
  w.section("filesystem: the policy's entries, with their Landlock rights");
  bool dev = false;
  for (const auto& m : p.mounts) {
    uint64_t access = access_of(p, m);
    if (m.kind == "dev") {
      if (m.dev != "minimal") continue;
      dev = true;
      dev_entry(w, m, access);
    } else {
      filesystem_entry(w, m, access);
    }
  }
  if (!dev) {
    w.comment("the caller's stdio (a terminal, /dev/null): AppArmor checks inherited");
    w.comment("descriptors at exec; with no /dev in the sandbox, nothing else opens these");
    w.file("/dev/null", "rw", "", "stdio", "/dev");
    w.file("/dev/pts/[0-9]*", "rw", "", "stdio", "/dev/pts");
  }
  for (const auto& m : p.mounts)
    if (m.kind == "dev" && m.dev == "minimal") {
      w.lost.push_back(fmt::format(
          "ioctl on devices (dev minimal, {}): AppArmor does not mediate ioctl; Landlock's "
          "ioctl_dev right and seccomp decide",
          or_builtin(m.origin)));
      break;
    }
  for (const auto& m : p.mounts)
    if (m.kind == "rw" || m.kind == "tmpfs") {
      w.lost.push_back(fmt::format(
          "Landlock's separate rights inside rw and tmpfs entries (first: {} {}, {}): AppArmor's "
          "w grants writing, creating, removing and truncating together",
          m.kind, m.path, or_builtin(m.origin)));
      break;
    }
}

void capabilities(Writer& w, const Plan& p) {
  w.section("capabilities: the bounding set, exactly");
  if (p.capabilities.empty()) {
    w.comment(fmt::format("capabilities none{}: no rule, so AppArmor refuses every capability",
                          paren(p.capabilities_origin)));
    return;
  }
  for (int c : p.capabilities) {
    std::string name = policy::capability_to_name(c);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
      w.lost.push_back(fmt::format("capability {}{}: libcap has no name for it", name,
                                   paren(p.capabilities_origin)));
      continue;
    }
    std::string lower;
    for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    w.rule(fmt::format("capability {},", lower), p.capabilities_origin,
           "capabilities keep " + name);
  }
}

void network(Writer& w, const Plan& p) {
  w.section(fmt::format("network {}{} and the families seccomp lets socket() create", p.network,
                        paren(p.network_origin)));
  w.rule("network unix,", "", "unix sockets: IPC inside the sandbox");
  w.rule("unix,", "", "unix sockets: IPC inside the sandbox");
  const bool inet = p.network == "loopback" || p.network == "host";
  const std::string net_entry = "network " + p.network;
  Families f = socket_families(p);
  if (f.unrestricted) {
    if (inet) {
      w.rule("network,", p.network_origin,
             fmt::format("{}; seccomp does not limit socket families{}", net_entry,
                         f.unrestricted_origin.empty() ? "" : " (" + f.unrestricted_origin + ")"));
    } else {
      w.comment(fmt::format(
          "{}: no other family (the network namespace is empty); seccomp does not limit "
          "socket families{}",
          net_entry, f.unrestricted_origin.empty() ? "" : " (" + f.unrestricted_origin + ")"));
    }
  }
  for (const auto& [af, r] : f.allowed) {
    if (af == AF_UNIX) continue;
    if ((af == AF_INET || af == AF_INET6) && !inet) {
      w.comment(fmt::format("{} allows {} ({}), but {}: AppArmor refuses it", r->condition,
                            af_name(af), r->origin, net_entry));
      continue;
    }
    std::string name = af_name(af);
    if (name.empty()) {
      w.lost.push_back(
          fmt::format("address family {} ({} socket if {}, {}): AppArmor 3.0 has no "
                      "name for it",
                      af, r->action, r->condition, r->origin));
      continue;
    }
    w.rule(fmt::format("network {},", name), r->origin,
           fmt::format("{} socket if {}", r->action, r->condition));
  }
  for (const auto* r : f.narrowed)
    w.lost.push_back(fmt::format(
        "{} socket if {} ({}): AppArmor's network rules here name the family only; seccomp "
        "checks the rest of the condition",
        r->action, r->condition, r->origin));
  if (p.network == "loopback")
    w.lost.push_back(fmt::format(
        "network loopback{}: AppArmor 3.0 network rules name families, not addresses; the "
        "network namespace (lo only) keeps the app on loopback",
        paren(p.network_origin)));
  for (const auto& port : p.landlock.ports)
    w.lost.push_back(fmt::format("landlock {} tcp {} ({}): AppArmor 3.0 has no port rules",
                                 port.bind ? "bind" : "connect", port.port, port.origin));
}

void processes(Writer& w, const Plan& p, const std::string& name) {
  w.section("signals and ptrace: only among this profile's processes");
  w.rule("signal (receive),", "", "signals from cordon's PID 1 and supervisor");
  w.rule(fmt::format("signal (send) peer={},", name), "", "signals to the app's own processes");
  w.rule(fmt::format("ptrace (read, readby) peer={},", name), "",
         "/proc of the app's own processes");
  std::string origin;
  if (may_run(p, "ptrace", origin))
    w.rule(fmt::format("ptrace (trace, tracedby) peer={},", name), origin,
           "seccomp lets ptrace run");
  for (const auto& s : p.landlock.scopes)
    if (s == "abstract-unix-socket")
      w.lost.push_back(fmt::format(
          "landlock scope abstract-unix-socket: the unix rule above allows abstract sockets; "
          "the network namespace and Landlock keep them inside the sandbox"));
}

void limits(Writer& w, const Plan& p) {
  if (!p.rlimits.empty()) {
    w.section("limits: AppArmor sets the same hard limits at exec");
    for (const auto& r : p.rlimits)
      w.rule(fmt::format("set rlimit {} <= {},", r.name,
                         r.value == RLIM_INFINITY ? "infinity" : std::to_string(r.value)),
             r.origin, "limits " + r.name);
  }
  const auto& cg = p.cgroup;
  if (cg.memory_bytes)
    w.lost.push_back(fmt::format("memory {} ({}): a cgroup limit; AppArmor has none",
                                 *cg.memory_bytes, cg.memory_origin));
  if (cg.pids)
    w.lost.push_back(
        fmt::format("pids {} ({}): a cgroup limit; AppArmor has none", *cg.pids, cg.pids_origin));
  if (cg.cpu_quota_us)
    w.lost.push_back(fmt::format("cpu {} us per 100 ms ({}): a cgroup limit; AppArmor has none",
                                 *cg.cpu_quota_us, cg.cpu_origin));
  if (p.walltime_ms)
    w.lost.push_back(fmt::format("walltime {} ms ({}): AppArmor has no time limit", *p.walltime_ms,
                                 p.walltime_origin));
}

void syscalls(Writer& w, const Plan& p) {
  if (!has_filter(p)) return;
  const auto& sc = p.seccomp;
  const std::string native = sc.arches.empty() ? "" : sc.arches.front();
  size_t n = 0;
  std::vector<std::string> conditional;
  for (const auto& r : sc.rules) {
    if (r.arch != native) continue;
    ++n;
    // socket's family tests are the network rules above (and what else they test is listed
    // with them).
    if (r.syscall == "socket" && leading_families(r.condition)) continue;
    if (!r.condition.empty())
      conditional.push_back(fmt::format("argument condition: {} {} if {} ({})", r.action, r.syscall,
                                        r.condition, r.origin));
  }
  w.lost.push_back(fmt::format(
      "the system-call filter (default {}{}, {} rules on {}): AppArmor has no system-call "
      "rules; cordon's seccomp filter enforces them",
      sc.default_action, paren(sc.default_origin), n, native.empty() ? "?" : native));
  for (auto& c : conditional) w.lost.push_back(std::move(c));
}

// Brace alternatives of a glob, expanded: "/dev/{null,zero}" → "/dev/null", "/dev/zero".
void expand(std::string_view g, std::vector<std::string>& out) {
  if (out.size() > 1024) return;
  size_t open = std::string_view::npos;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] == '\\') {
      ++i;
    } else if (g[i] == '{') {
      open = i;
      break;
    }
  }
  if (open == std::string_view::npos) {
    out.emplace_back(g);
    return;
  }
  std::vector<std::string_view> alts;
  int depth = 0;
  size_t start = open + 1;
  for (size_t i = open + 1; i < g.size(); ++i) {
    if (g[i] == '\\') {
      ++i;
    } else if (g[i] == '{') {
      ++depth;
    } else if (g[i] == '}' && depth > 0) {
      --depth;
    } else if (g[i] == ',' && depth == 0) {
      alts.push_back(g.substr(start, i - start));
      start = i + 1;
    } else if (g[i] == '}') {
      alts.push_back(g.substr(start, i - start));
      std::string_view head = g.substr(0, open), tail = g.substr(i + 1);
      for (auto a : alts) expand(std::string(head) + std::string(a) + std::string(tail), out);
      return;
    }
  }
  // Unbalanced: no match at all rather than a literal reading apparmor_parser would refuse.
}

bool match_from(std::string_view p, size_t pi, std::string_view s, size_t si) {
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '*') {
      const bool dbl = pi + 1 < p.size() && p[pi + 1] == '*';
      const size_t next = pi + (dbl ? 2 : 1);
      const bool after_slash = pi > 0 && p[pi - 1] == '/';
      size_t k = si;
      if (after_slash) {
        if (k >= s.size() || s[k] == '/') return false;
        ++k;
      }
      for (;; ++k) {
        if (match_from(p, next, s, k)) return true;
        if (k >= s.size() || (!dbl && s[k] == '/')) return false;
      }
    }
    if (si >= s.size()) return false;
    const auto ch = static_cast<unsigned char>(s[si]);
    if (c == '?') {
      if (ch == '/') return false;
    } else if (c == '[') {
      size_t j = pi + 1;
      const bool negate = j < p.size() && p[j] == '^';
      if (negate) ++j;
      bool hit = false, first = true;
      while (j < p.size() && (p[j] != ']' || first)) {
        first = false;
        if (p[j] == '\\' && j + 1 < p.size()) ++j;
        auto lo = static_cast<unsigned char>(p[j++]), hi = lo;
        if (j + 1 < p.size() && p[j] == '-' && p[j + 1] != ']') {
          if (p[j + 1] == '\\' && j + 2 < p.size()) ++j;
          hi = static_cast<unsigned char>(p[j + 1]);
          j += 2;
        }
        if (ch >= lo && ch <= hi) hit = true;
      }
      if (j >= p.size() || hit == negate) return false;
      pi = j;  // at ']'
    } else {
      if (c == '\\' && pi + 1 < p.size()) c = p[++pi];
      if (ch != static_cast<unsigned char>(c)) return false;
    }
    ++pi;
    ++si;
  }
  return si == s.size();
}

}  // namespace

bool apparmor_perms_grant(std::string_view perms, std::string_view requested) {
  auto has = [&](char c) { return perms.find(c) != std::string_view::npos; };
  for (char c : requested) {
    switch (c) {
      case 'r':
      case 'w':
      case 'l':
      case 'k':
      case 'm':
      case 'x':
        if (!has(c)) return false;
        break;
      case 'c':
      case 'd':  // create, delete: part of w
        if (!has('w')) return false;
        break;
      case 'a':
        if (!has('a') && !has('w')) return false;
        break;
      default:
        break;  // ':' separators, letters AppArmor logs for other classes
    }
  }
  return true;
}

bool apparmor_glob_match(std::string_view glob, std::string_view path) {
  std::vector<std::string> alts;
  expand(glob, alts);
  return std::any_of(alts.begin(), alts.end(),
                     [&](const std::string& a) { return match_from(a, 0, path, 0); });
}

std::string apparmor_profile_name(const Plan& plan, const std::string& policy_path) {
  if (!plan.mac.apparmor.empty() && plan.mac.apparmor != "generate")
    return sanitize_name(plan.mac.apparmor);
  std::string name = plan.name;
  if (name.empty()) name = std::filesystem::path(policy_path).stem().string();
  if (name.empty()) name = "policy";
  return "cordon-" + sanitize_name(name);
}

AppArmorProfile generate_apparmor(const Plan& p, const std::string& policy_path,
                                  const AppArmorOptions& opts) {
  AppArmorProfile out;
  out.name = opts.profile_name.empty() ? apparmor_profile_name(p, policy_path)
                                       : sanitize_name(opts.profile_name);
  Writer w;
  const std::string& asked = opts.profile_name.empty() ? p.mac.apparmor : opts.profile_name;
  if (!asked.empty() && asked != "generate" && sanitize_name(asked) != asked)
    w.lost.push_back(fmt::format(
        "profile name \"{}\"{}: not a name this profile can carry (a path, or characters "
        "outside [A-Za-z0-9._+-]); written as {}",
        asked, opts.profile_name.empty() ? paren(p.mac.apparmor_origin) : std::string(" (--name)"),
        out.name));

  filesystem(w, p);
  capabilities(w, p);
  network(w, p);
  processes(w, p, out.name);
  limits(w, p);
  w.section("refused by omission");
  w.comment("no mount, umount, pivot_root or change_profile rule: AppArmor refuses them all");
  w.comment("every exec is ix (stays in this profile); no rule names another profile");
  syscalls(w, p);

  out.text = fmt::format(
      "# Generated by `cordon compile --emit apparmor` from {} (policy hash {}).\n"
      "# Load it with `apparmor_parser -r FILE`. It attaches to no path: cordon enters it at the\n"
      "# app's exec (aa_change_onexec). Each rule ends with the policy rule that produced it;\n"
      "# the '#  -' lines at the end are what AppArmor cannot express.\n"
      "abi <abi/3.0>,\n"
      "\n"
      "# attach_disconnected: the app runs in a private mount namespace, where cordon binds host\n"
      "# paths at their own names; descriptors opened outside it are named by their host path.\n"
      "# mediate_deleted: a file unlinked while open is checked under its former name.\n"
      "profile {} flags=(attach_disconnected,mediate_deleted) {{\n"
      "{}"
      "}}\n",
      comment_safe(policy_path), p.policy_hash, out.name, w.body);
  if (!w.lost.empty()) {
    out.text += "\n# Not expressible in an AppArmor profile:\n";
    for (const auto& l : w.lost) out.text += "#  - " + comment_safe(l) + "\n";
  }
  out.rules = std::move(w.rules);
  out.not_expressed = std::move(w.lost);
  return out;
}

std::string generated_apparmor_name(const Plan& p, const std::string& policy_path) {
  const std::string base = apparmor_profile_name(p, policy_path);
  AppArmorOptions o;
  o.profile_name = base;
  std::string lines;
  for (const AppArmorRule& r : generate_apparmor(p, policy_path, o).rules) lines += r.line + "\n";
  return base + "-" + launcher::fnv1a_hex(lines);
}

std::string emit_apparmor(const Plan& plan, const std::string& policy_path,
                          const AppArmorOptions& opts) {
  return generate_apparmor(plan, policy_path, opts).text;
}

const AppArmorRule* rule_for(const AppArmorProfile& profile, std::string_view path,
                             std::string_view requested) {
  const AppArmorRule *allows = nullptr, *matches = nullptr, *above = nullptr;
  auto better = [](const AppArmorRule* best, const AppArmorRule& r) {
    return !best || r.entry_path.size() > best->entry_path.size();
  };
  for (const auto& r : profile.rules) {
    if (r.glob.empty()) continue;
    if (apparmor_glob_match(r.glob, path)) {
      if (apparmor_perms_grant(r.perms, requested)) {
        if (better(allows, r)) allows = &r;
      } else if (better(matches, r)) {
        matches = &r;
      }
    } else if (!r.origin.empty() && at_or_beneath(path, r.entry_path) && better(above, r)) {
      above = &r;
    }
  }
  return allows ? allows : matches ? matches : above;
}

}  // namespace cordon::cli
