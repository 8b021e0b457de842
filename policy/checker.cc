#include "policy/checker.h"

#include <fmt/format.h>
#include <limits.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "base/path.h"
#include "policy/constants.h"
#include "policy/parser.h"
#include "policy/syscall_names.h"
#include "policy/syscall_signatures.h"

namespace cordon::policy {

namespace fs = std::filesystem;

std::string ResolvedAction::str() const {
  std::string s;
  switch (kind) {
    case ActionKind::kAllow:
      s = "allow";
      break;
    case ActionKind::kErrno:
      s = "errno " + errno_to_name(errno_value);
      break;
    case ActionKind::kKill:
      s = "kill";
      break;
    case ActionKind::kKillThread:
      s = "kill-thread";
      break;
    case ActionKind::kTrap:
      s = "trap";
      break;
    case ActionKind::kLog:
      s = "log";
      break;
    case ActionKind::kNotify:
      s = "notify";
      break;
  }
  if (log && kind != ActionKind::kLog) s += " log";
  return s;
}

std::map<std::string, std::string> caller_vars() {
  std::map<std::string, std::string> v;
  for (const char* name : {"HOME", "XDG_RUNTIME_DIR", "USER"})
    if (const char* val = getenv(name)) v[name] = val;
  std::error_code ec;
  auto cwd = fs::current_path(ec);
  if (!ec) v["PWD"] = cwd.string();
  v["UID"] = std::to_string(getuid());
  v["GID"] = std::to_string(getgid());
  return v;
}

std::string profiles_dir() {
  if (const char* env = getenv("CORDON_PROFILES"); env && *env) return env;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = 0;
    fs::path installed = fs::path(exe).parent_path().parent_path() / "share/cordon/profiles";
    std::error_code ec;
    if (fs::is_directory(installed, ec)) return installed.string();
  }
#ifdef CORDON_SOURCE_DIR
  return std::string(CORDON_SOURCE_DIR) + "/profiles";
#else
  return "profiles";
#endif
}

std::vector<std::string> default_search_path() {
  std::string p = profiles_dir();
  return {p + "/lib", p};
}

// ---- Literals ------------------------------------------------------------------------------

std::optional<uint64_t> parse_integer(std::string_view s) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  unsigned __int128 v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    if (d >= base) return std::nullopt;
    v = v * base + d;
    if (v > UINT64_MAX) return std::nullopt;
  }
  if (neg) {
    if (v > static_cast<unsigned __int128>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<uint64_t>(-static_cast<__int128>(v));
  }
  return static_cast<uint64_t>(v);
}

namespace {

std::optional<uint64_t> scaled(std::string_view s,
                               const std::vector<std::pair<std::string_view, uint64_t>>& units) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 19) return std::nullopt;
  uint64_t n = std::stoull(std::string(s.substr(0, digits)));
  std::string_view unit = s.substr(digits);
  for (auto& [u, mult] : units) {
    if (unit == u) {
      if (mult != 0 && n > UINT64_MAX / mult) return std::nullopt;
      return n * mult;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view s) {
  constexpr uint64_t K = 1024;
  return scaled(s, {{"", 1},
                    {"K", K},
                    {"M", K * K},
                    {"G", K * K * K},
                    {"T", K * K * K * K},
                    {"KiB", K},
                    {"MiB", K * K},
                    {"GiB", K * K * K},
                    {"TiB", K * K * K * K}});
}

std::optional<uint64_t> parse_duration_ms(std::string_view s) {
  return scaled(s, {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}});
}

namespace {

constexpr std::string_view kNamespaces[] = {"user", "pid", "mount", "ipc", "uts", "net", "cgroup"};
constexpr std::string_view kMechanisms[] = {"seccomp", "landlock", "apparmor",  "selinux",
                                            "cgroup",  "userns",   "namespaces"};
// Device names `devices allow` takes, with their numbers (Documentation/admin-guide/devices.txt).
struct DeviceName {
  const char* name;
  char type;
  uint32_t major;
  int64_t minor;  // -1: every minor
  bool minimal;   // part of `devices allow minimal`: `dev minimal`'s nodes and the ptys
};
constexpr DeviceName kDeviceNames[] = {
    {"null", 'c', 1, 3, true},        {"zero", 'c', 1, 5, true},
    {"full", 'c', 1, 7, true},        {"random", 'c', 1, 8, true},
    {"urandom", 'c', 1, 9, true},     {"tty", 'c', 5, 0, true},
    {"ptmx", 'c', 5, 2, true},        {"pts", 'c', 136, -1, true},
    {"kmsg", 'c', 1, 11, false},      {"console", 'c', 5, 1, false},
    {"net-tun", 'c', 10, 200, false}, {"fuse", 'c', 10, 229, false},
    {"kvm", 'c', 10, 232, false},     {"loop-control", 'c', 10, 237, false},
};

constexpr std::string_view kLimitKeys[] = {"memory", "pids",  "cpu",   "nofile", "nproc",
                                           "core",   "fsize", "stack", "as",     "walltime"};

std::vector<std::string_view> views(const auto& list) {
  std::vector<std::string_view> v;
  for (const auto& s : list) v.push_back(s);
  return v;
}

struct LoadedFile {
  File ast;
  int rank = 0;
  std::string text;  // the bytes parsed
};

class Checker {
 public:
  Checker(const CheckOptions& opts, Diagnostics& diags) : opts_(opts), diags_(diags) {}

  PolicyIR run(const std::string& path, std::optional<std::string> text) {
    load(path, std::move(text), {}, SourceLoc{});
    for (auto ns : kNamespaces) ir_.namespaces.value.insert(std::string(ns));
    ir_.network.value = "none";
    ir_.dev.value = "none";
    ir_.default_action.value = {ActionKind::kKill, 0, false};
    ir_.arches.value = {arch_name(native_arch())};
    collect_groups();
    for (auto& f : files_) {
      ir_.files.push_back(f.ast.path);
      ir_.file_texts.push_back(f.text);
    }
    for (auto& f : files_) check_file(f);
    finish_syscalls();
    return std::move(ir_);
  }

 private:
  // ---- Loading and includes ----------------------------------------------------------------
  std::optional<std::string> read_file(const std::string& path, const SourceLoc& from) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      diags_.error(from, fmt::format("'{}' is a directory, not a policy file", path));
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      diags_.error(from, fmt::format("cannot read '{}': {}", path, strerror(errno)));
      return std::nullopt;
    }
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      text.append(buf, static_cast<size_t>(in.gcount()));
      if (text.size() > kMaxPolicyBytes) break;  // the parser reports the size
    }
    return text;
  }

  std::optional<std::string> resolve_include(const std::string& from_file,
                                             const std::string& name) {
    std::vector<fs::path> dirs = {fs::path(from_file).parent_path()};
    for (const auto& d : opts_.search_path) dirs.emplace_back(d);
    std::vector<std::string> names = {name};
    if (fs::path(name).extension() != ".cordon") names.push_back(name + ".cordon");
    for (const auto& n : names) {
      if (!n.empty() && n[0] == '/') {
        std::error_code ec;
        if (fs::is_regular_file(n, ec)) return n;
        continue;
      }
      for (const auto& d : dirs) {
        std::error_code ec;
        fs::path p = d / n;
        if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
      }
    }
    return std::nullopt;
  }

  void load(const std::string& path, std::optional<std::string> text,
            std::vector<std::string> stack, const SourceLoc& from) {
    std::error_code ec;
    std::string canon = fs::weakly_canonical(path, ec).string();
    if (ec) canon = path;
    if (std::find(stack.begin(), stack.end(), canon) != stack.end()) {
      std::string chain;
      for (const auto& s : stack) chain += fs::path(s).filename().string() + " → ";
      diags_.error(from,
                   fmt::format("include cycle: {}{}", chain, fs::path(canon).filename().string()));
      return;
    }
    if (loaded_.count(canon)) return;  // included before: once is enough
    if (stack.size() >= 32) {
      diags_.error(from, "includes nested more than 32 deep");
      return;
    }
    if (!text) text = read_file(path, from.file.empty() ? SourceLoc{path, 0, 0} : from);
    if (!text) return;
    loaded_.insert(canon);
    stack.push_back(canon);
    size_t index = files_.size();
    std::string bytes = *text;
    files_.push_back({parse_policy_text(path, std::move(*text), diags_),
                      static_cast<int>(files_.size()), std::move(bytes)});
    // Statements of this file stay in files_[index]; includes load after it (pre-order).
    std::vector<std::pair<std::string, SourceLoc>> includes;
    const File& f = files_[index].ast;
    bool first = true;
    for (const auto& st : f.statements) {
      if (st.kind == Statement::Kind::kVersion) {
        if (!first) diags_.error(st.loc, "'cordon VERSION' must be the first statement");
        if (st.words.empty() || st.words[0].text != "1")
          diags_.error(st.words.empty() ? st.loc : st.words[0].loc,
                       fmt::format("unsupported language version '{}'; this cordon reads version 1",
                                   st.words.empty() ? "" : st.words[0].text));
        saw_version_.insert(index);
      }
      first = false;
      if (st.kind == Statement::Kind::kInclude) includes.emplace_back(st.text, st.words[0].loc);
    }
    if (!saw_version_.count(index) && !f.statements.empty())
      diags_.error({path, 1, 1}, "missing 'cordon 1' as the first statement");
    for (const auto& [name, loc] : includes) {
      auto resolved = resolve_include(path, name);
      if (!resolved) {
        std::string where = fs::path(path).parent_path().string();
        for (const auto& d : opts_.search_path) where += ", " + d;
        diags_.error(loc, fmt::format("cannot find include '{}' (searched {})", name, where));
        continue;
      }
      load(*resolved, std::nullopt, stack, loc);
    }
  }

  // ---- Groups ------------------------------------------------------------------------------
  void collect_groups() {
    for (const auto& f : files_) {
      for (const auto& st : f.ast.statements) {
        if (st.kind != Statement::Kind::kGroup) continue;
        const auto& name = st.group.name.text;
        auto [it, inserted] = groups_.try_emplace(name, &st.group);
        if (!inserted)
          diags_.error(st.group.name.loc, fmt::format("group {} is already defined at {}", name,
                                                      it->second->name.loc.str()));
        for (const auto& m : st.group.members)
          if (m.text[0] != '@' && !syscall_known_anywhere(m.text))
            diags_.error(m.loc, fmt::format("unknown syscall '{}' in group {}{}", m.text, name,
                                            suggest_syscall(m.text)));
      }
    }
  }

  std::string suggest_syscall(std::string_view name) {
    return did_you_mean(name, views(syscall_names(native_arch())));
  }

  // Expands a group to syscall names; nullopt (and an error) for unknown or cyclic groups.
  std::optional<std::vector<std::string>> expand_group(const Word& ref) {
    auto it = groups_.find(ref.text);
    if (it == groups_.end()) {
      std::vector<std::string_view> names;
      for (const auto& [n, g] : groups_) names.push_back(n);
      std::string hint = did_you_mean(ref.text, names);
      if (hint.empty() && groups_.empty())
        hint = "; groups are defined in profiles/lib: include \"groups.cordon\" (base.cordon does)";
      error_once(ref.loc, fmt::format("unknown group '{}'{}", ref.text, hint));
      return std::nullopt;
    }
    if (auto m = expanded_.find(ref.text); m != expanded_.end()) return m->second;
    if (expanding_.count(ref.text)) {
      error_once(ref.loc, fmt::format("group {} includes itself", ref.text));
      return std::nullopt;
    }
    expanding_.insert(ref.text);
    std::vector<std::string> out;
    for (const auto& m : it->second->members) {
      if (m.text[0] == '@') {
        if (auto sub = expand_group(m)) out.insert(out.end(), sub->begin(), sub->end());
      } else {
        out.push_back(m.text);
      }
    }
    expanding_.erase(ref.text);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    expanded_[ref.text] = out;
    return out;
  }

  void error_once(const SourceLoc& loc, std::string msg) {
    if (reported_.insert(loc.str() + msg).second) diags_.error(loc, std::move(msg));
  }
  void warning_once(const SourceLoc& loc, std::string msg) {
    if (reported_.insert(loc.str() + msg).second) diags_.warning(loc, std::move(msg));
  }

  // ---- Precedence of single-valued settings ------------------------------------------------
  // Returns true when this statement's value should be taken: nobody set it yet. A setting from
  // a higher-precedence file wins (noted for --verbose); two in one file are an error.
  bool claim(const std::string& key, const SourceLoc& loc, int rank) {
    auto [it, inserted] = claims_.try_emplace(key, std::make_pair(rank, loc));
    if (inserted) return true;
    if (it->second.first == rank) {
      diags_.error(loc, fmt::format("{} is already set in this file at line {}", key,
                                    it->second.second.line));
    } else {
      diags_.note(it->second.second, fmt::format("{} here overrides the one at {}", key, loc.str()),
                  true);
    }
    return false;
  }

  std::optional<std::string> expand_vars(const Word& w) {
    std::string out;
    const std::string& s = w.text;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
        size_t end = s.find('}', i);
        if (end == std::string::npos) {
          diags_.error(w.loc, "unterminated '${' in a variable reference");
          return std::nullopt;
        }
        std::string var = s.substr(i + 2, end - i - 2);
        auto it = opts_.vars.find(var);
        if (it == opts_.vars.end()) {
          diags_.error(
              w.loc,
              fmt::format("variable ${{{}}} is not set; give it with --set {}=VALUE", var, var));
          return std::nullopt;
        }
        out += it->second;
        i = end;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  std::optional<std::string> check_path(const Word& w) {
    auto expanded = expand_vars(w);
    if (!expanded) return std::nullopt;
    const std::string& p = *expanded;
    if (p.empty() || p[0] != '/') {
      diags_.error(w.loc, fmt::format("malformed path '{}': paths must be absolute", p));
      return std::nullopt;
    }
    for (const auto& part : fs::path(p))
      if (part == "..") {
        diags_.error(w.loc, fmt::format("malformed path '{}': '..' is not allowed", p));
        return std::nullopt;
      }
    if (p.size() > 4096) {
      diags_.error(w.loc, "malformed path: longer than PATH_MAX");
      return std::nullopt;
    }
    std::string norm = fs::path(p).lexically_normal().string();
    while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
    return norm;
  }

  // Why a ${PWD} entry must not be `path`, or nullopt when it may. Started from `/` (cron's and
  // systemd's default), from /etc or from the caller's home, `rw ${PWD}` would hand the app
  // the host's root, its configuration or every dotfile: the working directory of a sandboxed
  // app is a project directory, never a system one.
  std::optional<std::string> unsafe_working_directory(const std::string& path) const {
    // System trees: neither they, their ancestors nor anything beneath them.
    static const char* const kSystem[] = {"/etc",   "/usr",    "/bin",  "/sbin", "/lib",  "/lib32",
                                          "/lib64", "/libx32", "/boot", "/dev",  "/proc", "/sys"};
    // Shared roots: neither they nor their ancestors (a project beneath them is fine).
    static const char* const kShared[] = {"/run",     "/var", "/root",  "/home", "/tmp", "/var/tmp",
                                          "/dev/shm", "/mnt", "/media", "/srv",  "/opt"};
    if (path == "/") return "the host's root directory";
    for (const char* d : kSystem)
      if (at_or_beneath(path, d) || at_or_beneath(d, path))
        return fmt::format("a system directory ({})", at_or_beneath(path, d) ? d : path);
    for (const char* d : kShared)
      if (at_or_beneath(d, path)) return fmt::format("a directory holding {} of the host", d);
    std::vector<std::string> homes;
    if (auto h = opts_.vars.find("HOME"); h != opts_.vars.end() && !h->second.empty())
      homes.push_back(h->second);
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir && pw->pw_dir[0] == '/')
      homes.emplace_back(pw->pw_dir);
    for (const std::string& home : homes) {
      std::string h = fs::path(home).lexically_normal().string();
      while (h.size() > 1 && h.back() == '/') h.pop_back();
      if (at_or_beneath(h, path))
        return fmt::format("the caller's home {} or a directory holding it", h);
    }
    return std::nullopt;
  }

  // ---- Statements --------------------------------------------------------------------------
  void check_file(const LoadedFile& f) {
    for (const auto& st : f.ast.statements) check_statement(st, f.rank);
  }

  void check_statement(const Statement& st, int rank) {
    using K = Statement::Kind;
    switch (st.kind) {
      case K::kVersion:
      case K::kInclude:
      case K::kGroup:
        break;
      case K::kName:
        if (claim("name", st.loc, rank)) ir_.name = {st.text, st.loc};
        break;
      case K::kDescription:
        if (claim("description", st.loc, rank)) ir_.description = {st.text, st.loc};
        break;
      case K::kHostname:
        if (st.text.empty() || st.text.size() > 64 ||
            st.text.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
                std::string::npos)
          diags_.error(st.words[0].loc, fmt::format("invalid hostname '{}'", st.text));
        else if (claim("hostname", st.loc, rank))
          ir_.hostname = {st.text, st.loc};
        break;
      case K::kNamespaces: {
        std::set<std::string> set;
        for (const auto& w : st.words) {
          if (!check_namespace(w)) continue;
          set.insert(canonical_ns(w.text));
        }
        if (claim("namespaces", st.loc, rank)) ir_.namespaces = {set, st.loc};
        break;
      }
      case K::kShare:
        for (const auto& w : st.words)
          if (check_namespace(w)) shares_.push_back({canonical_ns(w.text), w.loc});
        break;
      case K::kNetwork: {
        const auto& w = st.words[0];
        static const std::vector<std::string_view> modes = {"none", "loopback", "host"};
        if (std::find(modes.begin(), modes.end(), w.text) == modes.end())
          diags_.error(w.loc, fmt::format("unknown network mode '{}'{}; use none, loopback or host",
                                          w.text, did_you_mean(w.text, modes)));
        else if (claim("network", st.loc, rank))
          ir_.network = {w.text, st.loc};
        break;
      }
      case K::kIdentity:
        check_identity(st, rank);
        break;
      case K::kArch: {
        std::vector<std::string> arches = {arch_name(native_arch())};
        for (const auto& w : st.words) {
          auto token = arch_from_name(w.text);
          if (!token) {
            diags_.error(w.loc, fmt::format("unknown architecture '{}'{}", w.text,
                                            did_you_mean(w.text, arch_names())));
            continue;
          }
          std::string n = arch_name(*token);
          if (std::find(arches.begin(), arches.end(), n) == arches.end()) arches.push_back(n);
        }
        if (claim("arch", st.loc, rank)) ir_.arches = {arches, st.loc};
        break;
      }
      case K::kCapabilities:
        check_capabilities(st, rank);
        break;
      case K::kDevices:
        check_devices(st, rank);
        break;
      case K::kFilesystem:
        for (const auto& e : st.fs) check_fs(e, rank);
        break;
      case K::kLimits:
        for (const auto& l : st.limits) check_limit(l, rank);
        break;
      case K::kEnv:
        check_env(st, rank);
        break;
      case K::kSyscalls:
        check_syscalls(st.syscalls, rank);
        break;
      case K::kLandlock:
        check_landlock(st);
        break;
      case K::kMac:
        check_mac(st, rank);
        break;
      case K::kRequire:
        check_require(st);
        break;
      case K::kNestedUserns: {
        const Word& w = st.words[0];
        if (w.text != "allow" && w.text != "deny")
          diags_.error(
              w.loc,
              fmt::format("expected 'allow' or 'deny' after 'nested-userns'{}",
                          did_you_mean(w.text, std::vector<std::string_view>{"allow", "deny"})));
        else if (claim("nested-userns", st.loc, rank))
          ir_.nested_userns = {w.text == "allow", st.loc};
        break;
      }
    }
  }

  static std::string canonical_ns(const std::string& n) {
    if (n == "mnt") return "mount";
    if (n == "network") return "net";
    return n;
  }
  bool check_namespace(const Word& w) {
    std::string n = canonical_ns(w.text);
    if (std::find(std::begin(kNamespaces), std::end(kNamespaces), n) != std::end(kNamespaces))
      return true;
    diags_.error(w.loc, fmt::format("unknown namespace '{}'{}", w.text,
                                    did_you_mean(w.text, views(kNamespaces))));
    return false;
  }

  void check_identity(const Statement& st, int rank) {
    const auto& w = st.words;
    if (w.size() == 1 && w[0].text == "caller") return;
    if (w.size() != 4 || w[0].text != "uid" || w[2].text != "gid") {
      diags_.error(st.loc, "expected 'identity uid N gid N' or 'identity caller'");
      return;
    }
    auto uid = parse_integer(w[1].text), gid = parse_integer(w[3].text);
    if (!uid || *uid >= 0xffffffffu)
      diags_.error(w[1].loc, fmt::format("invalid uid '{}'", w[1].text));
    if (!gid || *gid >= 0xffffffffu)
      diags_.error(w[3].loc, fmt::format("invalid gid '{}'", w[3].text));
    if (uid && gid && *uid < 0xffffffffu && *gid < 0xffffffffu && claim("identity", st.loc, rank)) {
      ir_.uid = Located<uint32_t>{static_cast<uint32_t>(*uid), w[1].loc};
      ir_.gid = Located<uint32_t>{static_cast<uint32_t>(*gid), w[3].loc};
    }
  }

  // `devices none` or `devices allow ITEM…`; ITEM is a name of kDeviceNames, `minimal` (the
  // nodes of `dev minimal` and the pty ones) or `c:MAJOR[:MINOR]` / `b:MAJOR[:MINOR]`.
  void check_devices(const Statement& st, int rank) {
    const auto& w = st.words;
    std::vector<DeviceIR> devs;
    auto add = [&](DeviceIR d) {
      if (std::find(devs.begin(), devs.end(), d) == devs.end()) devs.push_back(std::move(d));
    };
    bool ok = true;
    if (w[0].text == "none") {
      if (w.size() > 1) {
        diags_.error(w[1].loc, "'devices none' takes nothing after it");
        ok = false;
      }
    } else if (w[0].text == "allow") {
      if (w.size() == 1) {
        diags_.error(w[0].loc, "'devices allow' needs at least one device");
        ok = false;
      }
      for (size_t i = 1; i < w.size(); ++i) {
        const std::string& t = w[i].text;
        if (t == "minimal") {
          for (const auto& d : kDeviceNames)
            if (d.minimal) add({d.type, d.major, d.minor, d.name});
          continue;
        }
        auto named = std::find_if(std::begin(kDeviceNames), std::end(kDeviceNames),
                                  [&](const DeviceName& d) { return t == d.name; });
        if (named != std::end(kDeviceNames)) {
          add({named->type, named->major, named->minor, named->name});
          continue;
        }
        if (auto raw = parse_device_number(t)) {
          add(*raw);
          continue;
        }
        std::vector<std::string_view> names = {"minimal"};
        for (const auto& d : kDeviceNames) names.push_back(d.name);
        diags_.error(w[i].loc,
                     fmt::format("unknown device '{}'{}; use a name ({}) or c:MAJOR[:MINOR] / "
                                 "b:MAJOR[:MINOR]",
                                 t, did_you_mean(t, names), fmt::join(names, " ")));
        ok = false;
      }
    } else {
      diags_.error(w[0].loc, fmt::format("expected 'allow' or 'none' after 'devices'{}",
                                         did_you_mean(w[0].text, {"allow", "none"})));
      ok = false;
    }
    if (ok && claim("devices", st.loc, rank))
      ir_.devices = Located<std::vector<DeviceIR>>{std::move(devs), st.loc};
  }

  // "c:10:229", "c:136" (every minor), "b:7:0". Majors and minors as the kernel bounds them
  // (12 and 20 bits).
  static std::optional<DeviceIR> parse_device_number(const std::string& t) {
    if (t.size() < 3 || (t[0] != 'c' && t[0] != 'b') || t[1] != ':') return std::nullopt;
    std::string_view rest = std::string_view(t).substr(2);
    size_t colon = rest.find(':');
    auto major = parse_integer(rest.substr(0, colon));
    if (!major || *major >= (1u << 12)) return std::nullopt;
    int64_t minor = -1;
    if (colon != std::string_view::npos) {
      auto m = parse_integer(rest.substr(colon + 1));
      if (!m || *m >= (1u << 20)) return std::nullopt;
      minor = static_cast<int64_t>(*m);
    }
    return DeviceIR{t[0], static_cast<uint32_t>(*major), minor, t};
  }

  void check_capabilities(const Statement& st, int rank) {
    const auto& w = st.words;
    std::vector<int> caps;
    if (w[0].text == "none") {
      if (w.size() > 1) diags_.error(w[1].loc, "'capabilities none' takes nothing after it");
    } else if (w[0].text == "keep") {
      std::vector<std::string> names = capability_names();
      for (size_t i = 1; i < w.size(); ++i) {
        auto c = capability_from_name(w[i].text);
        if (!c) {
          diags_.error(w[i].loc, fmt::format("unknown capability '{}'{}", w[i].text,
                                             did_you_mean(w[i].text, views(names))));
          continue;
        }
        caps.push_back(*c);
      }
      if (w.size() == 1) diags_.error(w[0].loc, "'capabilities keep' needs at least one name");
    } else {
      diags_.error(w[0].loc, fmt::format("expected 'keep' or 'none' after 'capabilities'{}",
                                         did_you_mean(w[0].text, {"keep", "none"})));
      return;
    }
    std::sort(caps.begin(), caps.end());
    caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
    if (claim("capabilities", st.loc, rank)) ir_.capabilities = {caps, st.loc};
  }

  void check_fs(const FsEntry& e, int rank) {
    switch (e.kind) {
      case FsKind::kProc:
        if (claim("proc", e.loc, rank)) ir_.proc = Located<bool>{true, e.loc};
        return;
      case FsKind::kDev:
        if (e.dev_mode.text != "minimal" && e.dev_mode.text != "none") {
          diags_.error(e.dev_mode.loc,
                       fmt::format("unknown dev mode '{}'{}; use minimal or none", e.dev_mode.text,
                                   did_you_mean(e.dev_mode.text, {"minimal", "none"})));
        } else if (claim("dev", e.loc, rank)) {
          ir_.dev = {e.dev_mode.text, e.loc};
        }
        return;
      default:
        break;
    }
    auto path = check_path(e.path);
    if (!path) return;
    if (e.path.text.find("${PWD}") != std::string::npos) {
      if (auto why = unsafe_working_directory(*path)) {
        diags_.error(e.path.loc,
                     fmt::format("'{}' is '{}' here, {}: run cordon from the directory the app "
                                 "should work in (cd PROJECT), or name the directory in the policy "
                                 "instead of ${{PWD}}",
                                 e.path.text, *path, *why));
        return;
      }
    }
    FsRuleIR r{e.kind, *path, e.optional, 0, 0, e.loc};
    if (e.size) {
      auto sz = parse_size(e.size->text);
      if (!sz || *sz == 0)
        diags_.error(e.size->loc,
                     fmt::format("bad size '{}': use a number with K, M, G or T", e.size->text));
      else
        r.size = *sz;
    }
    if (e.mode) {
      // Modes are octal whether or not they are written with a leading 0 (1777, 0755, 0o700).
      std::string digits = e.mode->text;
      if (digits.rfind("0o", 0) == 0) digits = digits.substr(2);
      auto m = digits.empty() || digits.find_first_not_of("01234567") != std::string::npos
                   ? std::nullopt
                   : parse_integer("0o" + digits);
      if (!m || *m > 07777)
        diags_.error(e.mode->loc,
                     fmt::format("bad mode '{}': use octal such as 1777", e.mode->text));
      else
        r.mode = static_cast<uint32_t>(*m);
    }
    if (claim("filesystem entry for " + r.path, e.loc, rank)) ir_.fs.push_back(std::move(r));
  }

  void check_limit(const LimitEntry& l, int rank) {
    const std::string& k = l.key.text;
    const std::string& v = l.value.text;
    if (std::find(std::begin(kLimitKeys), std::end(kLimitKeys), k) == std::end(kLimitKeys)) {
      diags_.error(l.key.loc,
                   fmt::format("unknown limit '{}'{}", k, did_you_mean(k, views(kLimitKeys))));
      return;
    }
    if (k == "cpu") {
      char* end = nullptr;
      double d = strtod(v.c_str(), &end);
      if (!end || *end || !(d > 0) || d > 4096)
        diags_.error(l.value.loc,
                     fmt::format("bad cpu limit '{}': a number of CPUs such as 0.5", v));
      else if (claim("limit cpu", l.loc, rank))
        ir_.cpu = Located<double>{d, l.loc};
      return;
    }
    std::optional<uint64_t> n;
    std::string what = "a count";
    if (v == "none" || v == "unlimited") {
      n = UINT64_MAX;
    } else if (k == "walltime") {
      n = parse_duration_ms(v);
      what = "a duration such as 30s, 10m or 1h";
    } else if (k == "memory" || k == "core" || k == "fsize" || k == "stack" || k == "as") {
      n = parse_size(v);
      what = "a size such as 64M or 1G";
    } else if (v[0] != '-') {
      // Counts (pids, nofile, nproc) beyond 2^31 are typos, not limits.
      auto count = parse_integer(v);
      if (count.value_or(UINT64_MAX) <= (1ull << 31)) n = count;
    }
    if (!n) {
      diags_.error(l.value.loc, fmt::format("bad {} '{}': expected {}",
                                            k == "walltime" ? "duration" : "value", v, what));
      return;
    }
    const uint64_t value = n.value_or(0);
    if ((k == "memory" || k == "pids" || k == "walltime") && value == 0) {
      diags_.error(l.value.loc, fmt::format("{} 0 would stop the app from running", k));
      return;
    }
    if (claim("limit " + k, l.loc, rank)) ir_.limits[k] = {value, l.loc};
  }

  void check_env(const Statement& st, int rank) {
    for (const auto& e : st.env) {
      switch (e.kind) {
        case EnvEntry::Kind::kClear:
          ir_.env_clear = {true, e.loc};
          break;
        case EnvEntry::Kind::kKeep:
          ir_.env_keep.push_back({e.name.text, e.loc});
          break;
        case EnvEntry::Kind::kSet: {
          auto v = expand_vars(Word{e.value, e.loc});
          if (v && claim("env " + e.name.text, e.loc, rank)) ir_.env_set[e.name.text] = {*v, e.loc};
          break;
        }
      }
    }
  }

  void check_landlock(const Statement& st) {
    for (const auto& e : st.landlock) {
      if (e.verb.text == "scope") {
        for (const auto& w : e.items) {
          static const std::vector<std::string_view> scopes = {"signal", "abstract-unix-socket"};
          if (std::find(scopes.begin(), scopes.end(), w.text) == scopes.end())
            diags_.error(w.loc, fmt::format("unknown landlock scope '{}'{}", w.text,
                                            did_you_mean(w.text, scopes)));
          else
            ir_.landlock_scopes.push_back({w.text, w.loc});
        }
        continue;
      }
      if (e.protocol.text != "tcp") {
        diags_.error(e.protocol.loc,
                     fmt::format("landlock restricts tcp ports only, not '{}'", e.protocol.text));
        continue;
      }
      for (const auto& p : e.items) {
        auto text = expand_vars(p);
        if (!text) continue;
        auto n = parse_integer(*text);
        if (!n || *n > 65535) {
          diags_.error(p.loc, fmt::format("bad port '{}': 0 to 65535", *text));
          continue;
        }
        (e.verb.text == "bind" ? ir_.landlock_bind : ir_.landlock_connect)
            .push_back({static_cast<uint16_t>(*n), p.loc});
      }
    }
  }

  void check_mac(const Statement& st, int rank) {
    for (const auto& e : st.mac) {
      if (e.kind.text == "apparmor") {
        if (claim("apparmor", e.loc, rank)) {
          ir_.apparmor = Located<std::string>{e.value.text, e.loc};
          ir_.apparmor_optional = e.optional;
        }
      } else {
        // user:role:type:level — at least three colons-separated fields.
        if (std::count(e.value.text.begin(), e.value.text.end(), ':') < 2)
          diags_.error(
              e.value.loc,
              fmt::format("'{}' is not an SELinux context (user:role:type[:level])", e.value.text));
        else if (claim("selinux", e.loc, rank)) {
          ir_.selinux = Located<std::string>{e.value.text, e.loc};
          ir_.selinux_optional = e.optional;
        }
      }
    }
  }

  void check_require(const Statement& st) {
    const Word& m = st.words[0];
    if (std::find(std::begin(kMechanisms), std::end(kMechanisms), m.text) ==
        std::end(kMechanisms)) {
      diags_.error(m.loc, fmt::format("cannot require unknown mechanism '{}'{}", m.text,
                                      did_you_mean(m.text, views(kMechanisms))));
      return;
    }
    int level = 0;
    if (st.words.size() > 1) {
      auto n = parse_integer(st.words[1].text);
      if (!n || *n > 100) {
        diags_.error(st.words[1].loc,
                     fmt::format("bad level '{}' for {}", st.words[1].text, m.text));
        return;
      }
      level = static_cast<int>(*n);
    }
    auto& slot = ir_.requires_[m.text];
    slot.value = std::max(slot.value, level);
    slot.loc = m.loc;
  }

  // ---- Syscalls ----------------------------------------------------------------------------
  std::optional<ResolvedAction> resolve_action(const Action& a) {
    ResolvedAction r{a.kind, 0, a.log};
    if (a.kind == ActionKind::kErrno) {
      const auto& w = a.errno_name;
      if (auto n = parse_integer(w.text)) {
        if (*n > 4094) {
          diags_.error(
              w.loc,
              fmt::format("errno {} is out of range (0 to 4094: libseccomp refuses 4095 and above)",
                          w.text));
          return std::nullopt;
        }
        r.errno_value = static_cast<int>(*n);
      } else if (auto e = errno_from_name(w.text)) {
        r.errno_value = *e;
      } else {
        diags_.error(w.loc, fmt::format("unknown errno name '{}'{}", w.text,
                                        did_you_mean(w.text, errno_names())));
        return std::nullopt;
      }
    }
    return r;
  }

  std::optional<uint64_t> resolve_value(const Value& v) {
    uint64_t out = 0;
    for (const auto& t : v.terms) {
      if (t.is_name) {
        auto c = find_constant(t.text);
        if (!c) {
          std::vector<std::string_view> names;
          for (const auto& k : all_constants()) names.push_back(k.name);
          error_once(t.loc,
                     fmt::format("unknown constant '{}'{}", t.text, did_you_mean(t.text, names)));
          return std::nullopt;
        }
        out |= *c;
      } else {
        auto n = parse_integer(t.text);
        if (!n) {
          error_once(t.loc, fmt::format("integer literal '{}' is out of range (64 bits)", t.text));
          return std::nullopt;
        }
        out |= *n;
      }
    }
    return out;
  }

  struct ArgInfo {
    int index;
    uint8_t width;
  };
  std::optional<ArgInfo> resolve_arg(const Word& arg, const std::string& syscall) {
    const SyscallSignature* sig = find_signature(syscall);
    if (arg.text.size() == 4 && arg.text.compare(0, 3, "arg") == 0 && arg.text[3] >= '0' &&
        arg.text[3] <= '5') {
      int i = arg.text[3] - '0';
      uint8_t width = sig && i < sig->nargs ? sig->args[i].bits : 64;
      return ArgInfo{i, width};
    }
    auto idx = arg_index(syscall, arg.text);
    if (!idx) {
      std::vector<std::string_view> names;
      if (sig)
        for (int i = 0; i < sig->nargs; ++i) names.push_back(sig->args[i].name);
      std::string known = sig ? fmt::format(" (its arguments: {})", fmt::join(names, ", "))
                              : " (no signature known: use arg0…arg5)";
      error_once(arg.loc, fmt::format("{} has no argument '{}'{}{}", syscall, arg.text,
                                      did_you_mean(arg.text, names), known));
      return std::nullopt;
    }
    const SyscallArg& a = sig->args[*idx];
    if (a.pointer)
      warning_once(arg.loc,
                   fmt::format("'{}' of {} is a pointer ({}): seccomp compares the address, "
                               "not the memory it points to, which the app can change "
                               "after the check",
                               arg.text, syscall, a.type));
    return ArgInfo{*idx, a.bits};
  }

  std::optional<uint64_t> fit(uint64_t v, uint8_t width, const SourceLoc& loc,
                              const std::string& what) {
    if (width >= 64) return v;
    uint64_t mask = (1ull << width) - 1;
    uint64_t upper = v & ~mask;
    // Negative literals (-1) sign-extend: accept them as the width's two's complement.
    bool sign_extended = upper == ~mask && (v >> (width - 1) & 1);
    if (upper != 0 && !sign_extended) {
      error_once(loc,
                 fmt::format("value 0x{:x} does not fit the {}-bit argument {}", v, width, what));
      return std::nullopt;
    }
    return v & mask;
  }

  std::optional<Cond> resolve_cond(const Expr& e, const std::string& syscall) {
    Cond c;
    switch (e.kind) {
      case Expr::Kind::kNot:
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        c.kind = e.kind == Expr::Kind::kNot   ? Cond::Kind::kNot
                 : e.kind == Expr::Kind::kAnd ? Cond::Kind::kAnd
                                              : Cond::Kind::kOr;
        bool ok = true;
        for (const auto& k : e.kids) {
          auto kc = resolve_cond(*k, syscall);
          if (kc)
            c.kids.push_back(std::move(*kc));
          else
            ok = false;
        }
        if (!ok) return std::nullopt;
        return c;
      }
      default:
        break;
    }
    auto arg = resolve_arg(e.arg, syscall);
    if (!arg) {
      // Still check the values, so a misspelt constant is reported in the same run.
      for (const auto& v : e.values) resolve_value(v);
      if (!e.value.terms.empty()) resolve_value(e.value);
      if (e.kind == Expr::Kind::kMasked) resolve_value(e.mask);
      return std::nullopt;
    }
    c.arg = arg->index;
    c.width = arg->width;
    if (e.kind == Expr::Kind::kIn) {
      c.kind = Cond::Kind::kOr;
      for (const auto& v : e.values) {
        auto n = resolve_value(v);
        if (!n) return std::nullopt;
        auto f = fit(*n, c.width, v.loc, e.arg.text);
        if (!f) return std::nullopt;
        Cond eq;
        eq.kind = Cond::Kind::kCompare;
        eq.arg = c.arg;
        eq.width = c.width;
        eq.op = CmpOp::kEq;
        eq.value = *f;
        c.kids.push_back(eq);
      }
      return c;
    }
    auto v = resolve_value(e.value);
    if (!v) return std::nullopt;
    auto fv = fit(*v, c.width, e.value.loc, e.arg.text);
    if (!fv) return std::nullopt;
    c.value = *fv;
    c.op = e.op;
    if (e.kind == Expr::Kind::kMasked) {
      c.kind = Cond::Kind::kMasked;
      auto m = resolve_value(e.mask);
      if (!m) return std::nullopt;
      auto fm = fit(*m, c.width, e.mask.loc, e.arg.text);
      if (!fm) return std::nullopt;
      c.mask = *fm;
      if (c.op != CmpOp::kEq && c.op != CmpOp::kNe) {
        error_once(e.loc, "a masked test compares with == or != only");
        return std::nullopt;
      }
      if ((c.value & ~c.mask) != 0)
        warning_once(e.value.loc,
                     fmt::format("value 0x{:x} has bits outside the mask 0x{:x}: "
                                 "the test is always {}",
                                 c.value, c.mask, c.op == CmpOp::kEq ? "false" : "true"));
    } else {
      c.kind = Cond::Kind::kCompare;
    }
    return c;
  }

  struct PendingRule {
    SyscallRuleIR ir;
    bool via_group;
    size_t seq;
    const SyscallRule* src;
  };

  void check_syscalls(const SyscallsBlock& b, int rank) {
    if (b.default_action) {
      if (auto a = resolve_action(*b.default_action)) {
        if (claim("the default action", b.default_action->loc, rank))
          ir_.default_action = {*a, b.default_action->loc};
      }
    }
    std::vector<uint32_t> arches;
    for (const auto& n : ir_.arches.value) arches.push_back(*arch_from_name(n));
    for (const auto& r : b.rules) {
      auto action = resolve_action(r.action);
      for (const auto& t : r.targets) {
        std::vector<std::string> names;
        bool via_group = t.text[0] == '@';
        if (via_group) {
          auto g = expand_group(t);
          if (!g) continue;
          names = *g;
        } else {
          bool ok = true;
          for (uint32_t a : arches) {
            if (!syscall_number(t.text, a)) {
              if (syscall_known_anywhere(t.text))
                diags_.error(
                    t.loc, fmt::format("syscall '{}' does not exist on {}", t.text, arch_name(a)));
              else
                diags_.error(
                    t.loc, fmt::format("unknown syscall '{}'{}", t.text, suggest_syscall(t.text)));
              ok = false;
              break;
            }
          }
          if (!ok) continue;
          names = {t.text};
        }
        if (!action) continue;
        for (const auto& name : names) {
          SyscallRuleIR ir;
          ir.action = *action;
          ir.condition_text = r.condition_text;
          ir.via_group = via_group ? t.text : "";
          ir.loc = r.loc;
          ir.file_rank = rank;
          if (r.condition) {
            auto c = resolve_cond(*r.condition, name);
            if (!c) continue;
            ir.condition = std::move(*c);
          }
          pending_[name].push_back({std::move(ir), via_group, seq_++, &r});
        }
      }
    }
  }

  void finish_syscalls() {
    for (auto& [name, list] : pending_) {
      std::stable_sort(list.begin(), list.end(), [](const PendingRule& a, const PendingRule& b) {
        return std::tie(a.ir.file_rank, a.via_group, a.seq) <
               std::tie(b.ir.file_rank, b.via_group, b.seq);
      });
      auto& out = ir_.syscalls[name];
      const PendingRule* unconditional = nullptr;
      std::map<std::tuple<int, bool, std::string>, const PendingRule*> first_rule;
      for (size_t i = 0; i < list.size(); ++i) {
        const PendingRule& p = list[i];
        // Conflicts within one file, at the same level (direct or group): the first rule with
        // the same condition decides; a later one with another action is an error. A map keeps
        // this linear, so a huge policy cannot make the checker quadratic.
        auto key = std::make_tuple(p.ir.file_rank, p.via_group, p.ir.condition_text);
        auto [first, inserted] = first_rule.try_emplace(key, &p);
        if (!inserted && first->second->src != p.src) {
          const PendingRule& q = *first->second;
          if (q.ir.action == p.ir.action) {
            if (!p.via_group)
              warning_once(p.ir.loc,
                           fmt::format("{} repeats the rule at line {}", name, q.ir.loc.line));
          } else {
            std::string how = p.via_group
                                  ? fmt::format("; name {} in a rule of its own to decide", name)
                                  : std::string();
            error_once(p.ir.loc,
                       fmt::format("conflicting rules for {}: '{}' here and '{}' at line {}{}",
                                   name, describe(p.ir), describe(q.ir), q.ir.loc.line, how));
          }
        }
        if (unconditional) {
          const auto& u = unconditional->ir;
          if (u.file_rank == p.ir.file_rank) {
            if (p.ir.condition && !p.via_group)
              warning_once(p.ir.loc, fmt::format("this rule for {} never applies: the rule at {} "
                                                 "decides every call first",
                                                 name, u.loc.str()));
          } else if (!(u.action == p.ir.action)) {
            overrides_[{u.loc.str(), p.ir.loc.str()}].push_back(name);
          }
          continue;  // shadowed: never reached, so not part of the decision list
        }
        if (!p.ir.condition) unconditional = &p;
        out.push_back(p.ir);
      }
    }
    for (const auto& [locs, names] : overrides_) {
      std::string list = fmt::format(
          "{}", fmt::join(names.begin(), names.begin() + std::min<size_t>(names.size(), 8), ", "));
      if (names.size() > 8) list += fmt::format(" and {} more", names.size() - 8);
      diags_.note(parse_loc(locs.first),
                  fmt::format("overrides the included rule at {} for {}", locs.second, list), true);
    }
    for (const auto& s : shares_) ir_.namespaces.value.erase(s.value);
    // With a mount namespace every entry is a mount beneath cordon's own root; one on "/"
    // itself would stack a host tree over it. (Sharing the host's mounts, an entry on "/" is a
    // Landlock rule only, and fine.)
    if (ir_.namespaces.value.count("mount"))
      for (const FsRuleIR& r : ir_.fs)
        if (r.path == "/")
          diags_.error(r.loc,
                       "'/' cannot be a filesystem entry: the sandbox's root is cordon's own "
                       "read-only tmpfs holding only the entries' mount points; name the "
                       "directories the app needs instead");
    if (ir_.network.value == "host")
      ir_.namespaces.value.erase("net");
    else if (!ir_.namespaces.value.count("net"))
      diags_.error(ir_.network.loc,
                   fmt::format("network {} needs a network namespace, but 'net' is shared",
                               ir_.network.value));
  }

  static SourceLoc parse_loc(const std::string& s) {
    SourceLoc l;
    size_t c2 = s.rfind(':'), c1 = s.rfind(':', c2 - 1);
    l.file = s.substr(0, c1);
    l.line = static_cast<uint32_t>(std::stoul(s.substr(c1 + 1, c2 - c1 - 1)));
    l.column = static_cast<uint32_t>(std::stoul(s.substr(c2 + 1)));
    return l;
  }

  static std::string describe(const SyscallRuleIR& r) {
    std::string s = r.action.str();
    if (!r.via_group.empty()) s += " " + r.via_group;
    if (!r.condition_text.empty()) s += " if " + r.condition_text;
    return s;
  }

  const CheckOptions& opts_;
  Diagnostics& diags_;
  PolicyIR ir_;
  std::vector<LoadedFile> files_;
  std::set<std::string> loaded_;
  std::set<size_t> saw_version_;
  std::map<std::string, const GroupDef*> groups_;
  std::map<std::string, std::vector<std::string>> expanded_;
  std::set<std::string> expanding_;
  std::set<std::string> reported_;
  std::map<std::string, std::pair<int, SourceLoc>> claims_;
  std::map<std::string, std::vector<PendingRule>> pending_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> overrides_;
  std::vector<Located<std::string>> shares_;
  size_t seq_ = 0;
};

}  // namespace

PolicyIR check_policy_file(const std::string& path, const CheckOptions& opts, Diagnostics& diags) {
  return Checker(opts, diags).run(path, std::nullopt);
}

PolicyIR check_policy_text(const std::string& path, std::string text, const CheckOptions& opts,
                           Diagnostics& diags) {
  return Checker(opts, diags).run(path, std::move(text));
}

}  // namespace cordon::policy
