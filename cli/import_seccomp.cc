#include "cli/import_seccomp.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <span>
#include <sstream>

#include "compiler/bpf.h"
#include "compiler/seccomp.h"
#include "policy/ast.h"
#include "policy/checker.h"
#include "policy/constants.h"
#include "policy/syscall_names.h"
#include "policy/syscall_signatures.h"

namespace cordon::cli {

using nlohmann::json;

const std::vector<std::string>& docker_default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

namespace {

using policy::ActionKind;
using policy::CmpOp;

// Bounds that keep a hostile profile from making the import (or libseccomp) run for minutes.
constexpr size_t kMaxEntries = 100000;
constexpr size_t kMaxArgsPerEntry = 64;
constexpr size_t kMaxRulesPerSyscall = 256;
constexpr size_t kMaxMultiArgRulesPerSyscall = 32;
constexpr size_t kMaxSamples = 20000;
constexpr size_t kSearchSamples = 2000;
constexpr size_t kMaxPermutedRules = 7;
constexpr size_t kMaxPermutedActions = 5;
constexpr size_t kWrap = 100;

// ---- Text that goes into the policy or a message -------------------------------------------

// `s` as one line of valid UTF-8 without control characters, at most `max` bytes: profile
// strings end up in comments, where a newline would start a statement.
std::string printable(std::string_view s, size_t max = 80) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (out.size() + (ok ? len : 1) > max) {
      out += "...";
      break;
    }
    if (!ok || (len == 1 && (c < 0x20 || c == 0x7f))) {
      out += '?';
      i += ok ? len : 1;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

// A JSON value as a message shows it: `the number -3`, `an object`.
std::string describe(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return fmt::format("the boolean {}", j.get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "the number " + printable(j.dump(), 40);
    case json::value_t::string:
      return fmt::format("the string \"{}\"", printable(j.get_ref<const std::string&>(), 40));
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a value of another type";
  }
}

// ---- JSON access: every error names its location ---------------------------------------------

const json* member(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;  // Go reads null as absent too
  return &*it;
}

Result<std::string> as_string(const json& j, const std::string& where) {
  if (!j.is_string())
    return fail(fmt::format("{}: expected a string, found {}", where, describe(j)));
  return j.get<std::string>();
}

Result<uint64_t> as_u64(const json& j, const std::string& where) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer()) {  // signed storage: a literal built in code, or a negative number
    int64_t v = j.get<int64_t>();
    if (v >= 0) return static_cast<uint64_t>(v);
    return fail(fmt::format("{}: {} is negative; expected an integer from 0 to 2^64-1", where, v));
  }
  return fail(
      fmt::format("{}: expected an integer from 0 to 2^64-1, found {}", where, describe(j)));
}

Result<std::vector<std::string>> as_strings(const json& j, const std::string& where) {
  if (!j.is_array())
    return fail(fmt::format("{}: expected an array of strings, found {}", where, describe(j)));
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    auto s = as_string(j[i], fmt::format("{}[{}]", where, i));
    if (!s) return tl::unexpected(s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

// ---- The profile, as read ----------------------------------------------------------------

struct KernelVersion {
  unsigned kernel = 0, major = 0;
  auto operator<=>(const KernelVersion&) const = default;
  std::string str() const { return fmt::format("{}.{}", kernel, major); }
};

struct Filter {
  std::vector<std::string> caps, arches;
  std::optional<KernelVersion> min_kernel;
};

struct ArgCmp {
  unsigned index = 0;
  scmp_compare op = SCMP_CMP_EQ;
  uint64_t value = 0, value_two = 0;
  std::string where;  // "syscalls[3].args[1]"
};

struct Entry {
  size_t index = 0;
  std::string where;  // "syscalls[3]"
  std::vector<std::string> names;
  std::string action;
  std::optional<uint64_t> errno_ret;
  std::vector<ArgCmp> args;
  std::string comment;
  std::optional<Filter> includes, excludes;
};

struct Profile {
  std::string prefix;  // "linux.seccomp." when read from a config.json
  std::string default_action;
  std::optional<uint64_t> default_errno;
  std::vector<std::string> architectures;
  std::vector<std::pair<std::string, std::vector<std::string>>> arch_map;
  std::vector<std::string> flags;
  std::string listener_path;
  std::vector<Entry> entries;
};

constexpr std::pair<std::string_view, scmp_compare> kOps[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

std::string_view op_name(scmp_compare op) {
  for (const auto& [n, o] : kOps)
    if (o == op) return n;
  return "?";
}

// moby's "<kernel>.<major>": exactly two numbers of 0-255, not both 0.
Result<std::optional<KernelVersion>> parse_min_kernel(const json& j, const std::string& where) {
  auto s = as_string(j, where);
  if (!s) return tl::unexpected(s.error());
  if (s->empty()) return std::optional<KernelVersion>{};
  auto bad = [&](std::string_view why) {
    return fail(fmt::format("{}: invalid kernel version \"{}\", expected \"<kernel>.<major>\"{}",
                            where, printable(*s, 40), why));
  };
  size_t dot = s->find('.');
  if (dot == std::string::npos || s->find('.', dot + 1) != std::string::npos) return bad("");
  KernelVersion v;
  unsigned* parts[] = {&v.kernel, &v.major};
  std::string_view texts[] = {std::string_view(*s).substr(0, dot),
                              std::string_view(*s).substr(dot + 1)};
  for (int i = 0; i < 2; ++i) {
    if (texts[i].empty() || texts[i].size() > 3) return bad("");
    unsigned n = 0;
    for (char c : texts[i]) {
      if (c < '0' || c > '9') return bad("");
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n > 255) return bad(" (each part is at most 255)");
    *parts[i] = n;
  }
  if (v.kernel == 0 && v.major == 0) return bad(" (it cannot be 0.0)");
  return std::optional<KernelVersion>{v};
}

Result<Filter> parse_filter(const json& j, const std::string& where) {
  if (!j.is_object())
    return fail(fmt::format("{}: expected an object, found {}", where, describe(j)));
  Filter f;
  if (const json* c = member(j, "caps")) {
    auto v = as_strings(*c, where + ".caps");
    if (!v) return tl::unexpected(v.error());
    f.caps = std::move(*v);
  }
  if (const json* a = member(j, "arches")) {
    auto v = as_strings(*a, where + ".arches");
    if (!v) return tl::unexpected(v.error());
    f.arches = std::move(*v);
  }
  if (const json* k = member(j, "minKernel")) {
    auto v = parse_min_kernel(*k, where + ".minKernel");
    if (!v) return tl::unexpected(v.error());
    f.min_kernel = *v;
  }
  return f;
}

Result<ArgCmp> parse_arg(const json& j, const std::string& where) {
  if (!j.is_object())
    return fail(fmt::format("{}: expected an object, found {}", where, describe(j)));
  ArgCmp a;
  a.where = where;
  // Absent numbers are 0, as Go's JSON decoding (runc) reads them.
  if (const json* i = member(j, "index")) {
    auto v = as_u64(*i, where + ".index");
    if (!v) return tl::unexpected(v.error());
    if (*v > 5)
      return fail(
          fmt::format("{}.index: {} is out of range: a system call has arguments 0-5", where, *v));
    a.index = static_cast<unsigned>(*v);
  }
  if (const json* v = member(j, "value")) {
    auto n = as_u64(*v, where + ".value");
    if (!n) return tl::unexpected(n.error());
    a.value = *n;
  }
  if (const json* v = member(j, "valueTwo")) {
    auto n = as_u64(*v, where + ".valueTwo");
    if (!n) return tl::unexpected(n.error());
    a.value_two = *n;
  }
  const json* op = member(j, "op");
  if (!op) return fail(fmt::format("{}.op: missing (SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, ...)", where));
  auto s = as_string(*op, where + ".op");
  if (!s) return tl::unexpected(s.error());
  auto it = std::find_if(std::begin(kOps), std::end(kOps), [&](auto& o) { return o.first == *s; });
  if (it == std::end(kOps))
    return fail(
        fmt::format("{}.op: unknown operator \"{}\" (expected SCMP_CMP_NE, _LT, _LE, _EQ, "
                    "_GE, _GT or _MASKED_EQ)",
                    where, printable(*s, 40)));
  a.op = it->second;
  return a;
}

Result<Entry> parse_entry(const json& j, size_t index, const std::string& prefix) {
  Entry e;
  e.index = index;
  e.where = fmt::format("{}syscalls[{}]", prefix, index);
  if (!j.is_object())
    return fail(fmt::format("{}: expected an object, found {}", e.where, describe(j)));
  if (const json* n = member(j, "names")) {
    auto v = as_strings(*n, e.where + ".names");
    if (!v) return tl::unexpected(v.error());
    e.names = std::move(*v);
  }
  if (const json* n = member(j, "name")) {
    auto v = as_string(*n, e.where + ".name");
    if (!v) return tl::unexpected(v.error());
    if (!v->empty()) {
      if (!e.names.empty())
        return fail(
            fmt::format("{}: both 'name' and 'names' are given; use one (Docker refuses "
                        "this profile too)",
                        e.where));
      e.names = {*v};
    }
  }
  for (size_t i = 0; i < e.names.size(); ++i)
    if (e.names[i].empty())
      return fail(fmt::format("{}.names[{}]: an empty syscall name (runc refuses it)", e.where, i));
  const json* act = member(j, "action");
  if (!act) return fail(fmt::format("{}.action: missing", e.where));
  auto a = as_string(*act, e.where + ".action");
  if (!a) return tl::unexpected(a.error());
  e.action = *a;
  if (const json* r = member(j, "errnoRet")) {
    auto v = as_u64(*r, e.where + ".errnoRet");
    if (!v) return tl::unexpected(v.error());
    e.errno_ret = *v;
  }
  if (const json* args = member(j, "args")) {
    if (!args->is_array())
      return fail(fmt::format("{}.args: expected an array, found {}", e.where, describe(*args)));
    if (args->size() > kMaxArgsPerEntry)
      return fail(fmt::format("{}.args: {} comparisons; the import takes at most {} per entry",
                              e.where, args->size(), kMaxArgsPerEntry));
    for (size_t i = 0; i < args->size(); ++i) {
      auto c = parse_arg((*args)[i], fmt::format("{}.args[{}]", e.where, i));
      if (!c) return tl::unexpected(c.error());
      e.args.push_back(std::move(*c));
    }
  }
  if (const json* c = member(j, "comment")) {
    auto v = as_string(*c, e.where + ".comment");
    if (!v) return tl::unexpected(v.error());
    e.comment = *v;
  }
  for (const char* key : {"includes", "excludes"}) {
    if (const json* f = member(j, key)) {
      auto v = parse_filter(*f, e.where + "." + key);
      if (!v) return tl::unexpected(v.error());
      (key[0] == 'i' ? e.includes : e.excludes) = std::move(*v);
    }
  }
  return e;
}

Result<Profile> parse_profile(const json& doc) {
  if (!doc.is_object())
    return fail(fmt::format("the profile must be a JSON object, found {}", describe(doc)));
  Profile p;
  const json* root = &doc;
  // A whole config.json: the profile is linux.seccomp.
  if (doc.contains("ociVersion") || doc.contains("linux") || doc.contains("process")) {
    const json* linux = member(doc, "linux");
    if (!linux || !linux->is_object())
      return fail("linux: missing: this OCI config.json has no seccomp profile");
    root = member(*linux, "seccomp");
    if (!root) return fail("linux.seccomp: missing: this OCI config.json has no seccomp profile");
    if (!root->is_object())
      return fail(fmt::format("linux.seccomp: expected an object, found {}", describe(*root)));
    p.prefix = "linux.seccomp.";
  }
  const json& r = *root;
  const std::string& pre = p.prefix;
  if (const json* d = member(r, "defaultAction")) {
    auto v = as_string(*d, pre + "defaultAction");
    if (!v) return tl::unexpected(v.error());
    p.default_action = *v;
  }
  if (const json* d = member(r, "defaultErrnoRet")) {
    auto v = as_u64(*d, pre + "defaultErrnoRet");
    if (!v) return tl::unexpected(v.error());
    p.default_errno = *v;
  }
  if (const json* a = member(r, "architectures")) {
    auto v = as_strings(*a, pre + "architectures");
    if (!v) return tl::unexpected(v.error());
    p.architectures = std::move(*v);
  }
  if (const json* m = member(r, "archMap")) {
    if (!m->is_array())
      return fail(fmt::format("{}archMap: expected an array, found {}", pre, describe(*m)));
    for (size_t i = 0; i < m->size(); ++i) {
      std::string where = fmt::format("{}archMap[{}]", pre, i);
      const json& a = (*m)[i];
      if (!a.is_object())
        return fail(fmt::format("{}: expected an object, found {}", where, describe(a)));
      std::string arch;
      std::vector<std::string> subs;
      if (const json* x = member(a, "architecture")) {
        auto v = as_string(*x, where + ".architecture");
        if (!v) return tl::unexpected(v.error());
        arch = *v;
      }
      if (const json* x = member(a, "subArchitectures")) {
        auto v = as_strings(*x, where + ".subArchitectures");
        if (!v) return tl::unexpected(v.error());
        subs = std::move(*v);
      }
      p.arch_map.emplace_back(std::move(arch), std::move(subs));
    }
  }
  if (!p.architectures.empty() && !p.arch_map.empty())
    return fail(
        fmt::format("{}architectures and {}archMap are both given; use one (Docker "
                    "refuses this profile too)",
                    pre, pre));
  if (const json* f = member(r, "flags")) {
    auto v = as_strings(*f, pre + "flags");
    if (!v) return tl::unexpected(v.error());
    p.flags = std::move(*v);
  }
  if (const json* l = member(r, "listenerPath")) {
    auto v = as_string(*l, pre + "listenerPath");
    if (!v) return tl::unexpected(v.error());
    p.listener_path = *v;
  }
  if (const json* s = member(r, "syscalls")) {
    if (!s->is_array())
      return fail(fmt::format("{}syscalls: expected an array, found {}", pre, describe(*s)));
    if (s->size() > kMaxEntries)
      return fail(fmt::format("{}syscalls: {} entries; the import takes at most {}", pre, s->size(),
                              kMaxEntries));
    for (size_t i = 0; i < s->size(); ++i) {
      auto e = parse_entry((*s)[i], i, pre);
      if (!e) return tl::unexpected(e.error());
      p.entries.push_back(std::move(*e));
    }
  }
  if (p.default_action.empty()) {
    if (p.entries.empty())
      return fail(
          fmt::format("{}defaultAction: missing, and there are no syscalls: Docker reads "
                      "such a profile as \"seccomp disabled\"; there is nothing to import",
                      pre));
    return fail(fmt::format("{}defaultAction: missing", pre));
  }
  return p;
}

// ---- Actions --------------------------------------------------------------------------------

// An OCI action as runc hands it to libseccomp, and as cordon writes it.
struct Act {
  uint32_t ret = SCMP_ACT_KILL_PROCESS;
  ActionKind kind = ActionKind::kKill;
  int errno_value = 0;  // kErrno: what the program sees (the kernel caps errno at 4095)
  std::string oci;      // "SCMP_ACT_ERRNO(38)"

  std::string text() const {
    switch (kind) {
      case ActionKind::kAllow:
        return "allow";
      case ActionKind::kErrno:
        return "errno " + policy::errno_to_name(errno_value);
      case ActionKind::kKill:
        return "kill";
      case ActionKind::kKillThread:
        return "kill-thread";
      case ActionKind::kTrap:
        return "trap";
      case ActionKind::kLog:
        return "log";
      case ActionKind::kNotify:
        return "notify";
    }
    return "kill";
  }
};

constexpr int kMaxErrno = 4095;  // MAX_ERRNO: the kernel's cap on SECCOMP_RET_ERRNO data

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  return v ? fmt::format("{}.{}.{}", v->major, v->minor, v->micro) : "?";
}

// `where_action` and `where_errno` name the two fields ("syscalls[3].action",
// "syscalls[3].errnoRet"; "defaultAction", "defaultErrnoRet").
Result<Act> resolve_action(const std::string& name, std::optional<uint64_t> errno_ret,
                           const std::string& where_action, const std::string& where_errno,
                           const ImportOptions& opt, std::vector<std::string>& notes) {
  Act a;
  a.oci = printable(name, 40);
  bool takes_errno = name == "SCMP_ACT_ERRNO" || name == "SCMP_ACT_TRACE";
  if (errno_ret && !takes_errno)
    notes.push_back(
        fmt::format("{}: ignored, as runc ignores it: only SCMP_ACT_ERRNO and "
                    "SCMP_ACT_TRACE return an errno (crun refuses this profile)",
                    where_errno));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") {
    a.ret = SCMP_ACT_KILL_THREAD;
    a.kind = ActionKind::kKillThread;
  } else if (name == "SCMP_ACT_KILL_PROCESS") {
    a.ret = SCMP_ACT_KILL_PROCESS;
    a.kind = ActionKind::kKill;
  } else if (name == "SCMP_ACT_TRAP") {
    a.ret = SCMP_ACT_TRAP;
    a.kind = ActionKind::kTrap;
  } else if (name == "SCMP_ACT_ALLOW") {
    a.ret = SCMP_ACT_ALLOW;
    a.kind = ActionKind::kAllow;
  } else if (name == "SCMP_ACT_LOG") {
    a.ret = SCMP_ACT_LOG;
    a.kind = ActionKind::kLog;
  } else if (name == "SCMP_ACT_NOTIFY") {
    a.ret = SCMP_ACT_NOTIFY;
    a.kind = ActionKind::kNotify;
  } else if (takes_errno) {
    uint64_t e = errno_ret.value_or(EPERM);
    if (name == "SCMP_ACT_TRACE") {
      if (!opt.trace_as_enosys)
        return fail(fmt::format(
            "{}: SCMP_ACT_TRACE cannot be expressed in cordon: it hands the call to a "
            "ptrace tracer, and cordon runs none. Without a tracer the kernel fails a traced call "
            "with ENOSYS; import with the trace-as-enosys option to get exactly that (errno "
            "ENOSYS)",
            where_action));
      // The tracer's message: runc passes it on as an int16, libseccomp keeps 16 bits.
      a.ret = SCMP_ACT_TRACE(static_cast<uint16_t>(e));
      a.kind = ActionKind::kErrno;
      a.errno_value = ENOSYS;
      a.oci = fmt::format("SCMP_ACT_TRACE({})", e);
      notes.push_back(
          fmt::format("{}: SCMP_ACT_TRACE imported as errno ENOSYS, what the kernel "
                      "returns for a traced call when no tracer is attached",
                      where_action));
    } else {
      // libseccomp 2.5 refuses SCMP_ACT_ERRNO data from 4095 up (seccomp_init and
      // seccomp_rule_add fail with EINVAL), so runc and crun cannot load such a profile.
      if (e >= kMaxErrno)
        return fail(fmt::format(
            "{}: {} is out of range: libseccomp {} takes errno values "
            "0-{} only, so runc and crun refuse this profile (the kernel "
            "itself would return at most {}); give 0-{}",
            where_errno, e, libseccomp_version(), kMaxErrno - 1, kMaxErrno, kMaxErrno - 1));
      a.ret = SCMP_ACT_ERRNO(static_cast<uint16_t>(e));
      a.kind = ActionKind::kErrno;
      a.errno_value = static_cast<int>(e);
      a.oci = fmt::format("SCMP_ACT_ERRNO({})", e);
    }
  } else {
    return fail(
        fmt::format("{}: unknown action \"{}\" (expected SCMP_ACT_ALLOW, _ERRNO, "
                    "_KILL, _KILL_PROCESS, _KILL_THREAD, _TRAP, _LOG, _NOTIFY or _TRACE)",
                    where_action, printable(name, 40)));
  }
  return a;
}

// TRACE imported as ENOSYS counts as the same decision: it is what the program sees with no
// tracer attached.
uint32_t outcome(uint32_t ret, const ImportOptions& opt) {
  if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE && opt.trace_as_enosys)
    return SECCOMP_RET_ERRNO | ENOSYS;
  return ret;
}

// ---- Architectures ------------------------------------------------------------------------

// moby's architecture names and the profile architecture each selects from archMap.
constexpr std::pair<std::string_view, std::string_view> kMobyArches[] = {
    {"amd64", "SCMP_ARCH_X86_64"},
    {"x86", "SCMP_ARCH_X86"},
    {"arm", "SCMP_ARCH_ARM"},
    {"arm64", "SCMP_ARCH_AARCH64"},
    {"loongarch64", "SCMP_ARCH_LOONGARCH64"},
    {"mips64", "SCMP_ARCH_MIPS64"},
    {"mips64n32", "SCMP_ARCH_MIPS64N32"},
    {"mipsel64", "SCMP_ARCH_MIPSEL64"},
    {"mips3l64n32", "SCMP_ARCH_MIPSEL64N32"},
    {"mipsle", "SCMP_ARCH_MIPSEL"},
    {"ppc", "SCMP_ARCH_PPC"},
    {"ppc64", "SCMP_ARCH_PPC64"},
    {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"riscv64", "SCMP_ARCH_RISCV64"},
    {"s390", "SCMP_ARCH_S390"},
    {"s390x", "SCMP_ARCH_S390X"},
};
// Other spellings of those: GOARCH and libseccomp names.
constexpr std::pair<std::string_view, std::string_view> kArchAliases[] = {
    {"x86_64", "amd64"},        {"386", "x86"},       {"i386", "x86"},
    {"aarch64", "arm64"},       {"mipsel", "mipsle"}, {"mips64le", "mipsel64"},
    {"loong64", "loongarch64"},
};

Result<std::string> moby_arch(std::string name) {
  if (name.empty()) name = policy::arch_name(policy::native_arch());
  for (const auto& [alias, moby] : kArchAliases)
    if (name == alias) name = std::string(moby);
  for (const auto& [moby, oci] : kMobyArches)
    if (name == moby) return name;
  std::vector<std::string_view> names;
  for (const auto& [moby, oci] : kMobyArches) names.push_back(moby);
  return fail(fmt::format("unknown architecture \"{}\" (moby's names: {})", printable(name, 40),
                          fmt::join(names, ", ")));
}

std::string_view moby_to_oci(const std::string& moby) {
  for (const auto& [m, oci] : kMobyArches)
    if (m == moby) return oci;
  return "";
}

// "SCMP_ARCH_X86_64" or "x86_64" → libseccomp's token; 0 when libseccomp does not know it.
uint32_t arch_token(std::string_view s) {
  if (s.starts_with("SCMP_ARCH_")) s.remove_prefix(10);
  std::string n(s);
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n.empty() || n == "native") return 0;
  return seccomp_arch_resolve_name(n.c_str());
}

std::string arch_label(uint32_t token) {
  std::string n = policy::arch_name(token);
  if (n != "unknown") return n;
  if (token == SCMP_ARCH_X32) return "x32";
  return fmt::format("{:#x}", token);
}

// The number a rule for `name` lands on in libseccomp's filter for `arch`: its own number, or
// for a call libseccomp multiplexes (socket calls on x86 resolve to a pseudo number) the
// direct number libseccomp also writes the rule for (socket is 359 on x86).
std::optional<int> filter_number(const std::string& name, uint32_t arch) {
  if (auto nr = policy::syscall_number(name, arch)) return nr;
  static std::map<uint32_t, std::map<std::string, int>> reverse;
  auto [it, fresh] = reverse.try_emplace(arch);
  if (fresh) {
    int base = arch == SCMP_ARCH_MIPS || arch == SCMP_ARCH_MIPSEL       ? 4000
               : arch == SCMP_ARCH_MIPS64 || arch == SCMP_ARCH_MIPSEL64 ? 5000
                                                                        : 0;
    for (int nr = base; nr < base + 1024; ++nr)
      if (char* n = seccomp_syscall_resolve_num_arch(arch, nr)) {
        it->second.try_emplace(n, nr);
        free(n);
      }
  }
  auto found = it->second.find(name);
  if (found == it->second.end()) return std::nullopt;
  return found->second;
}

// The kernel hands a 32-bit task's arguments to seccomp zero-extended.
bool is_32bit_arch(uint32_t token) {
  return token == SCMP_ARCH_X86 || token == SCMP_ARCH_ARM || token == SCMP_ARCH_MIPS ||
         token == SCMP_ARCH_MIPSEL || token == SCMP_ARCH_PPC || token == SCMP_ARCH_S390;
}

// ---- Kernel version -------------------------------------------------------------------------

// "6.1.0-13-amd64" → 6.1, like moby's Sscanf("%d.%d"): the rest is ignored.
std::optional<KernelVersion> parse_release(std::string_view s) {
  KernelVersion v;
  unsigned* parts[] = {&v.kernel, &v.major};
  for (int i = 0; i < 2; ++i) {
    if (i == 1) {
      if (s.empty() || s[0] != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    size_t n = 0;
    uint64_t x = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9' && n < 9) x = x * 10 + (s[n++] - '0');
    if (n == 0) return std::nullopt;
    *parts[i] = static_cast<unsigned>(x);
    s.remove_prefix(n);
  }
  return v;
}

// ---- Syscall rules, as libseccomp receives them from runc ------------------------------------

// One comparison on the kernel's width of the argument: `x` is the argument's low `width` bits.
struct Atom {
  int arg = 0;
  uint8_t width = 64;
  bool masked = false;  // (x & mask) == value
  CmpOp op = CmpOp::kEq;
  uint64_t value = 0, mask = 0;
  bool operator==(const Atom&) const = default;
};

uint64_t width_mask(uint8_t w) { return w >= 64 ? ~0ull : (1ull << w) - 1; }

uint8_t arg_width(const std::string& syscall, int i) {
  // The same rule as the checker's: the signature's width, 64 without one.
  const policy::SyscallSignature* sig = policy::find_signature(syscall);
  return sig && i < sig->nargs ? sig->args[i].bits : 64;
}

enum class Truth { kAlways, kNever, kSome };

// A profile comparison (64 bits, as libseccomp compares on a 64-bit architecture) restricted to
// the values the kernel can see: the low `w` bits, the rest zero.
Truth normalize(const ArgCmp& c, uint8_t w, Atom& out) {
  uint64_t wm = width_mask(w), v = c.value;
  out = Atom{};
  out.arg = static_cast<int>(c.index);
  out.width = w;
  out.value = v;
  switch (c.op) {
    case SCMP_CMP_MASKED_EQ: {
      // libseccomp masks the datum too: it tests (x & mask) == (valueTwo & mask).
      uint64_t m = c.value, d = c.value_two & m;
      if (d & ~wm) return Truth::kNever;
      m &= wm;
      if (m == 0) return Truth::kAlways;
      out.masked = true;
      out.mask = m;
      out.value = d;
      return Truth::kSome;
    }
    case SCMP_CMP_EQ:
      out.op = CmpOp::kEq;
      return v > wm ? Truth::kNever : Truth::kSome;
    case SCMP_CMP_NE:
      out.op = CmpOp::kNe;
      return v > wm ? Truth::kAlways : Truth::kSome;
    case SCMP_CMP_LT:
      out.op = CmpOp::kLt;
      return v == 0 ? Truth::kNever : v > wm ? Truth::kAlways : Truth::kSome;
    case SCMP_CMP_LE:
      out.op = CmpOp::kLe;
      return v >= wm ? Truth::kAlways : Truth::kSome;
    case SCMP_CMP_GT:
      out.op = CmpOp::kGt;
      return v >= wm ? Truth::kNever : Truth::kSome;
    case SCMP_CMP_GE:
      out.op = CmpOp::kGe;
      return v == 0 ? Truth::kAlways : v > wm ? Truth::kNever : Truth::kSome;
    default:
      return Truth::kNever;
  }
}

bool holds(const Atom& a, const std::array<uint64_t, 6>& args) {
  uint64_t x = args[a.arg] & width_mask(a.width);
  if (a.masked) return (x & a.mask) == a.value;
  switch (a.op) {
    case CmpOp::kEq:
      return x == a.value;
    case CmpOp::kNe:
      return x != a.value;
    case CmpOp::kLt:
      return x < a.value;
    case CmpOp::kLe:
      return x <= a.value;
    case CmpOp::kGt:
      return x > a.value;
    case CmpOp::kGe:
      return x >= a.value;
  }
  return false;
}

// One libseccomp rule for one syscall: the comparisons runc passes in one call.
struct Rule {
  const Entry* entry = nullptr;
  const Act* act = nullptr;
  std::vector<const ArgCmp*> cmps;  // empty: unconditional
  std::vector<Atom> conj;           // the comparisons on the kernel's width; empty: always
  bool never = false;               // a comparison cannot hold on the kernel's width
  bool matches(const std::array<uint64_t, 6>& args) const {
    return !never &&
           std::all_of(conj.begin(), conj.end(), [&](const Atom& a) { return holds(a, args); });
  }
  bool always() const { return !never && conj.empty(); }
};

// runc's rules for one entry: all comparisons in one rule, unless two test the same argument
// (libseccomp refuses that); then every comparison is a rule of its own, ORed.
bool ored_comparisons(const Entry& e) {
  std::array<int, 6> count{};
  for (const auto& a : e.args)
    if (++count[a.index] > 1) return true;
  return false;
}

// ---- The profile's filter, built the way runc builds it --------------------------------------

using compiler::export_bpf;
using Ctx = compiler::SeccompCtx;

std::string rc_text(int rc) {
  if (rc == -EEXIST)
    return "EEXIST: it conflicts with an earlier rule for the same syscall (the same comparisons "
           "with another action, or comparisons that extend an earlier rule's)";
  if (rc == -EINVAL) return "EINVAL: libseccomp cannot use these comparisons";
  return Error::errno_name(-rc);
}

// ---- Rendering helpers ----------------------------------------------------------------------

std::string number(uint64_t v) { return v < 10 ? fmt::format("{}", v) : fmt::format("{:#x}", v); }

bool is_ident(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The kernel's name of the argument where the checker reads it back as the same argument and
// it is not a pointer (naming a pointer draws a warning); argN otherwise.
std::string arg_name(const std::string& syscall, int i) {
  const policy::SyscallSignature* sig = policy::find_signature(syscall);
  if (sig && i < sig->nargs && !sig->args[i].pointer) {
    std::string_view n = sig->args[i].name;
    bool looks_positional = n.size() == 4 && n.starts_with("arg") && n[3] >= '0' && n[3] <= '5';
    auto back = policy::arg_index(syscall, n);
    if (is_ident(n) && !looks_positional && back && *back == i) return std::string(n);
  }
  return fmt::format("arg{}", i);
}

std::string arg_type(const std::string& syscall, int i) {
  const policy::SyscallSignature* sig = policy::find_signature(syscall);
  return sig && i < sig->nargs ? std::string(sig->args[i].type) : std::string();
}

// The one constant with `prefix` and value `v` (AF_INET for 2), when the name is unambiguous.
std::optional<std::string> constant_for(std::string_view prefix, uint64_t v) {
  std::vector<std::string_view> hits;
  for (const auto& c : policy::all_constants())
    if (c.name.starts_with(prefix) && c.value == v && !c.name.ends_with("_MAX"))
      hits.push_back(c.name);
  if (hits.size() == 1) return std::string(hits[0]);
  for (std::string_view preferred : {"AF_UNIX", "AF_NETLINK"})
    if (std::find(hits.begin(), hits.end(), preferred) != hits.end()) return std::string(preferred);
  return std::nullopt;
}

// CLONE_NEWNS|CLONE_NEWUTS for a mask of flags each of which has exactly one single-bit name.
std::optional<std::string> flags_for(std::string_view prefix, uint64_t v) {
  if (v == 0) return std::nullopt;
  std::vector<std::string> parts;
  for (int b = 0; b < 64; ++b) {
    if (!(v >> b & 1)) continue;
    std::vector<std::string_view> hits;
    for (const auto& c : policy::all_constants())
      if (c.name.starts_with(prefix) && c.value == (1ull << b)) hits.push_back(c.name);
    if (hits.size() != 1) return std::nullopt;
    parts.emplace_back(hits[0]);
  }
  return fmt::format("{}", fmt::join(parts, "|"));
}

// How a value of this argument reads best: AF_* for socket families, CLONE_* for namespace
// flags, else a number. Only names that round-trip exactly through cordon's constant table.
std::string value_text(const std::string& syscall, int arg, uint64_t v, bool is_mask) {
  if ((syscall == "socket" || syscall == "socketpair") && arg == 0 && !is_mask)
    if (auto n = constant_for("AF_", v)) return *n;
  if ((syscall == "clone" || syscall == "unshare") && arg == 0)
    if (auto n = flags_for("CLONE_", v)) return *n;
  return number(v);
}

std::string atom_text(const std::string& syscall, const Atom& a) {
  std::string name = arg_name(syscall, a.arg);
  if (a.masked)
    return fmt::format("({} & {}) == {}", name, value_text(syscall, a.arg, a.mask, true),
                       value_text(syscall, a.arg, a.value, true));
  static constexpr std::string_view kOpText[] = {"==", "!=", "<", "<=", ">", ">="};
  return fmt::format("{} {} {}", name, kOpText[static_cast<int>(a.op)],
                     value_text(syscall, a.arg, a.value, false));
}

std::string conj_text(const std::string& syscall, const std::vector<Atom>& conj) {
  std::vector<std::string> parts;
  for (const auto& a : conj) parts.push_back(atom_text(syscall, a));
  return fmt::format("{}", fmt::join(parts, " && "));
}

// Words joined by `sep` on lines of at most kWrap columns (a longer word gets a line of its
// own), each line starting with `lead`; no line ends with the separator.
std::vector<std::string> wrap(const std::string& lead, const std::vector<std::string>& words,
                              const std::string& sep) {
  std::vector<std::string> lines;
  std::string line = lead;
  bool empty = true;
  for (const auto& w : words) {
    if (!empty && line.size() + sep.size() + w.size() > kWrap) {
      lines.push_back(line);
      line = lead;
      empty = true;
    }
    if (!empty) line += sep;
    line += w;
    empty = false;
  }
  if (!empty) lines.push_back(line);
  return lines;
}

std::string list_text(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

// ---- The import ---------------------------------------------------------------------------

// The policy must check and compile. cordon's compiler bounds what it hands libseccomp (a test
// on a narrow argument can need many filter rules); a profile past those bounds is refused here
// rather than handed over as a policy `cordon compile` would refuse.
Result<void> compiles(const std::string& text) {
  policy::Diagnostics diags;
  policy::PolicyIR ir = policy::check_policy_text("imported.cordon", text, {}, diags);
  if (diags.has_errors())
    return fail("internal error: the imported policy does not check:\n" + diags.render(false));
  auto sc = compiler::build_seccomp(ir);
  if (!sc) return fail(sc.error().wrap("cordon cannot compile the policy this profile imports to"));
  return {};
}

class Importer {
 public:
  Importer(const json& doc, const ImportOptions& opt) : doc_(doc), opt_(opt) {}

  Result<ImportResult> run() {
    auto p = parse_profile(doc_);
    if (!p) return tl::unexpected(p.error());
    profile_ = std::move(*p);
    if (auto r = resolve_settings(); !r) return tl::unexpected(r.error());
    if (auto r = resolve_actions(); !r) return tl::unexpected(r.error());
    if (auto r = resolve_arches(); !r) return tl::unexpected(r.error());
    if (auto r = resolve_flags(); !r) return tl::unexpected(r.error());
    select_entries();
    collect_rules();
    if (auto r = build_reference(); !r) return tl::unexpected(r.error());
    for (auto& [name, s] : syscalls_)
      if (auto r = decide_order(name, s); !r) return tl::unexpected(r.error());
    ImportResult out;
    out.policy_text = render();
    if (auto r = compiles(out.policy_text); !r) return tl::unexpected(r.error());
    out.notes = notes_;
    return out;
  }

 private:
  // Per syscall: its rules in runc's order, and the order cordon writes them in.
  struct Syscall {
    std::vector<Rule> rules;       // every rule runc adds, in the order it adds them
    std::vector<size_t> order;     // indices into rules: the rules cordon writes, first first
    std::vector<uint32_t> arches;  // the filter's architectures that have it
    bool reordered = false;        // order is not the profile's order
    std::map<size_t, std::string> dropped;  // rules cordon does not write, and why
  };

  // ---- Settings: capabilities, architecture, kernel ----
  Result<void> resolve_settings() {
    const auto& caps = opt_.caps ? *opt_.caps : docker_default_capabilities();
    for (const auto& c : caps) {
      auto n = policy::capability_from_name(c);
      if (!n) return fail(fmt::format("unknown capability \"{}\"", printable(c, 40)));
      caps_.insert(policy::capability_label(*n));
    }
    caps_default_ = !opt_.caps;
    auto arch = moby_arch(opt_.arch);
    if (!arch) return tl::unexpected(arch.error());
    arch_ = *arch;
    std::string release = opt_.kernel;
    if (release.empty()) {
      utsname u{};
      if (uname(&u) == 0) release = u.release;
      kernel_source_ = "the running kernel";
    }
    auto k = parse_release(release);
    if (!k)
      return fail(fmt::format("kernel version \"{}\": expected \"<kernel>.<major>\" like 6.1",
                              printable(release, 40)));
    kernel_ = *k;
    kernel_release_ = printable(release, 60);
    return {};
  }

  Result<void> resolve_actions() {
    auto d = resolve_action(profile_.default_action, profile_.default_errno,
                            profile_.prefix + "defaultAction", profile_.prefix + "defaultErrnoRet",
                            opt_, notes_);
    if (!d) return tl::unexpected(d.error());
    default_ = *d;
    acts_.resize(profile_.entries.size());
    for (const auto& e : profile_.entries) {
      auto a = resolve_action(e.action, e.errno_ret, e.where + ".action", e.where + ".errnoRet",
                              opt_, notes_);
      if (!a) return tl::unexpected(a.error());
      acts_[e.index] = *a;
    }
    return {};
  }

  // The filter's architectures: this machine's (libseccomp and cordon always have it), then the
  // profile's `architectures`, or what archMap lists for the architecture resolved for.
  Result<void> resolve_arches() {
    std::vector<std::pair<std::string, std::string>> named;  // (name, where)
    for (size_t i = 0; i < profile_.architectures.size(); ++i)
      named.emplace_back(profile_.architectures[i],
                         fmt::format("{}architectures[{}]", profile_.prefix, i));
    std::string_view oci = moby_to_oci(arch_);
    for (size_t i = 0; i < profile_.arch_map.size(); ++i) {
      const auto& [a, subs] = profile_.arch_map[i];
      if (a != oci) continue;
      named.emplace_back(a, fmt::format("{}archMap[{}].architecture", profile_.prefix, i));
      for (size_t k = 0; k < subs.size(); ++k)
        named.emplace_back(
            subs[k], fmt::format("{}archMap[{}].subArchitectures[{}]", profile_.prefix, i, k));
      arch_map_used_ = true;
      break;
    }
    ref_arches_ = {policy::native_arch()};
    cordon_arches_ = {policy::native_arch()};
    if (arch_token(oci) != policy::native_arch())
      dropped_arches_.push_back(fmt::format(
          "The profile is resolved for {}, but a filter built here always covers this machine's "
          "architecture ({}) too, as runc's would on this machine",
          arch_, arch_label(policy::native_arch())));
    for (const auto& [n, where] : named) {
      uint32_t token = arch_token(n);
      if (token == 0)
        return fail(fmt::format("{}: unknown architecture \"{}\"", where, printable(n, 40)));
      if (std::find(ref_arches_.begin(), ref_arches_.end(), token) != ref_arches_.end()) continue;
      ref_arches_.push_back(token);
      if (token == SCMP_ARCH_X32) {
        dropped_arches_.push_back(
            "x32: cordon's filter kills every x32 call (bad-architecture action) and cannot "
            "have rules for them, where the profile applies its rules to them");
      } else if (policy::arch_name(token) == "unknown") {
        dropped_arches_.push_back(fmt::format(
            "{}: cordon cannot filter this architecture; its calls are killed", printable(n, 40)));
      } else {
        cordon_arches_.push_back(token);
      }
    }
    return {};
  }

  Result<void> resolve_flags() {
    for (size_t i = 0; i < profile_.flags.size(); ++i) {
      const std::string& f = profile_.flags[i];
      std::string where = fmt::format("{}flags[{}]", profile_.prefix, i);
      if (f == "SECCOMP_FILTER_FLAG_LOG")
        log_flag_ = true;
      else if (f == "SECCOMP_FILTER_FLAG_TSYNC")
        flag_notes_.push_back(f + ": nothing to carry over; cordon's launcher always sets it");
      else if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
        flag_notes_.push_back(f +
                              ": not carried over; cordon's launcher does not set it, so "
                              "the kernel's speculative store bypass mitigation stays on");
      else if (f == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
        flag_notes_.push_back(f + ": not carried over (it only matters to a notify supervisor)");
      else
        return fail(
            fmt::format("{}: unknown flag \"{}\" (runc refuses it too)", where, printable(f, 40)));
    }
    if (!profile_.listener_path.empty())
      flag_notes_.push_back(fmt::format(
          "listenerPath {}: not carried over; cordon has no seccomp notify supervisor yet",
          printable(profile_.listener_path, 60)));
    return {};
  }

  // ---- moby's includes / excludes ----
  std::string joined(const std::vector<std::string>& items) {
    std::vector<std::string> p;
    for (const auto& c : items) p.push_back(printable(c, 40));
    return list_text(p);
  }

  // Why moby leaves the entry out for this container ("" when it keeps it), and, when it keeps
  // it, what made it so.
  std::string exclusion(const Entry& e, std::string& kept_because) {
    std::vector<std::string> because;
    std::string arches;
    if (e.excludes) {
      const Filter& f = *e.excludes;
      arches = joined(f.arches);
      if (std::find(f.arches.begin(), f.arches.end(), arch_) != f.arches.end())
        return fmt::format("not for {} (excludes.arches: {})", arch_, arches);
      if (!f.arches.empty()) because.push_back(fmt::format("{} is not {}", arch_, arches));
      for (const auto& c : f.caps)
        if (caps_.count(c))
          return fmt::format("not for a container with {}, which this one has", printable(c, 40));
      if (!f.caps.empty()) because.push_back("the container lacks " + joined(f.caps));
      if (f.min_kernel) {
        if (kernel_ >= *f.min_kernel)
          return fmt::format("only for kernels before {} (this import: {})", f.min_kernel->str(),
                             kernel_.str());
        because.push_back(fmt::format("kernel {} < {}", kernel_.str(), f.min_kernel->str()));
      }
    }
    if (e.includes) {
      const Filter& f = *e.includes;
      if (!f.arches.empty()) {
        if (std::find(f.arches.begin(), f.arches.end(), arch_) == f.arches.end())
          return fmt::format("only for {} (this import: {})", joined(f.arches), arch_);
        because.push_back(fmt::format("{} is in {}", arch_, joined(f.arches)));
      }
      for (const auto& c : f.caps)
        if (!caps_.count(c))
          return fmt::format("needs {}, which the container lacks", printable(c, 40));
      if (!f.caps.empty()) because.push_back("the container has " + joined(f.caps));
      if (f.min_kernel) {
        if (!(kernel_ >= *f.min_kernel))
          return fmt::format("needs kernel {} or later (this import: {})", f.min_kernel->str(),
                             kernel_.str());
        because.push_back(fmt::format("kernel {} >= {}", kernel_.str(), f.min_kernel->str()));
      }
    }
    kept_because = fmt::format("{}", fmt::join(because, "; "));
    return "";
  }

  void select_entries() {
    std::set<std::string> known_caps;
    for (const auto& c : policy::capability_names()) known_caps.insert("CAP_" + c);
    for (const auto& e : profile_.entries) {
      std::string kept;
      std::string why = exclusion(e, kept);
      excluded_[e.index] = why;
      kept_because_[e.index] = kept;
      for (const auto* f : {&e.includes, &e.excludes})
        if (*f)
          for (const auto& c : (*f)->caps)
            if (!known_caps.count(c))
              notes_.push_back(fmt::format(
                  "{}: \"{}\" is not a capability name Docker uses (\"CAP_SYS_ADMIN\" form); it "
                  "never matches",
                  e.where, printable(c, 40)));
      if (!why.empty()) {
        std::vector<std::string> names;
        for (const auto& n : e.names) names.push_back(printable(n, 60));
        notes_.push_back(fmt::format("not imported: {} {} — {}", e.where, list_text(names), why));
      }
    }
  }

  // ---- Rules per syscall, as runc adds them ----
  void collect_rules() {
    for (const auto& e : profile_.entries) {
      if (!excluded_[e.index].empty()) continue;
      const Act& act = acts_[e.index];
      if (act.ret == default_.ret) {
        if (!e.names.empty())
          notes_.push_back(
              fmt::format("{}: its action is the default action; runc and crun skip "
                          "it, and so does the import",
                          e.where));
        continue;
      }
      if (e.args.size() > 6 && ored_comparisons(e))
        notes_.push_back(
            fmt::format("{}: {} comparisons; runc ORs all of them (as imported), "
                        "crun only the first 6",
                        e.where, e.args.size()));
      std::set<std::string> seen;
      for (const auto& name : e.names) {
        if (!seen.insert(name).second) continue;  // the same rule again changes nothing
        if (seccomp_syscall_resolve_name(name.c_str()) == __NR_SCMP_ERROR) {
          unknown_[e.index].push_back(printable(name, 60));
          continue;
        }
        Syscall& s = syscalls_[name];
        if (s.rules.empty() && s.arches.empty()) {
          for (uint32_t a : cordon_arches_)
            if (policy::syscall_number(name, a)) s.arches.push_back(a);
        }
        // A name with no number on the filter's architectures still goes into the policy when
        // cordon knows it: libseccomp may give it meaning there anyway (recv becomes
        // socketcall(SYS_RECV) on x86), for cordon's compiler as for runc.
        if (s.arches.empty() && !policy::syscall_known_anywhere(name)) {
          absent_[e.index].push_back(printable(name, 60));
          syscalls_.erase(name);
          continue;
        }
        auto add = [&](std::vector<const ArgCmp*> cmps) {
          Rule r;
          r.entry = &e;
          r.act = &act;
          r.cmps = std::move(cmps);
          for (const ArgCmp* c : r.cmps) {
            Atom a;
            switch (normalize(*c, arg_width(name, static_cast<int>(c->index)), a)) {
              case Truth::kNever:
                r.never = true;
                break;
              case Truth::kAlways:
                break;
              case Truth::kSome:
                r.conj.push_back(a);
                break;
            }
          }
          s.rules.push_back(std::move(r));
        };
        if (e.args.empty()) {
          add({});
        } else if (ored_comparisons(e)) {
          for (const auto& c : e.args) add({&c});
        } else {
          std::vector<const ArgCmp*> all;
          for (const auto& c : e.args) all.push_back(&c);
          add(all);
        }
      }
      if (!unknown_[e.index].empty())
        notes_.push_back(
            fmt::format("not imported from {}: {} — unknown to libseccomp {} (runc "
                        "and crun skip them too)",
                        e.where, list_text(unknown_[e.index]), libseccomp_version()));
      if (!absent_[e.index].empty())
        notes_.push_back(
            fmt::format("not imported from {}: {} — no such syscall on {} or on any "
                        "architecture cordon supports",
                        e.where, list_text(absent_[e.index]), cordon_arch_list()));
    }
  }

  std::string cordon_arch_list() const {
    std::vector<std::string> n;
    for (uint32_t a : cordon_arches_) n.push_back(arch_label(a));
    return fmt::format("{}", fmt::join(n, " or "));
  }

  // The profile's filter as runc builds it: seccomp_init(default), the architectures, then per
  // entry and name seccomp_rule_add_array with runc's comparisons. A rule libseccomp refuses
  // makes runc (and crun) refuse the profile; so does the import.
  Result<void> build_reference() {
    for (const auto& [name, s] : syscalls_) {
      size_t multi = std::count_if(s.rules.begin(), s.rules.end(),
                                   [](const Rule& r) { return r.cmps.size() > 1; });
      if (s.rules.size() > kMaxRulesPerSyscall || multi > kMaxMultiArgRulesPerSyscall)
        return fail(fmt::format(
            "{}: the profile gives it {} rules ({} testing several arguments); "
            "the import handles at most {} ({})",
            name, s.rules.size(), multi, kMaxRulesPerSyscall, kMaxMultiArgRulesPerSyscall));
    }
    // libseccomp can run for minutes on some rule sets (runc, which builds the filter in the
    // container's init, would hang as long): the compiler's runner stops it after 10 s.
    auto prog = compiler::build_in_child(
        [this] { return reference_program(); },
        "libseccomp did not finish building the profile's filter within {} s (runc would hang "
        "as long starting the container); simplify the entries that test several arguments");
    if (!prog) return tl::unexpected(prog.error());
    if (auto v = compiler::validate_program(*prog); !v)
      return fail(v.error().wrap("libseccomp's filter for the profile is not a valid program"));
    reference_ = std::move(*prog);
    return {};
  }

  Result<std::vector<sock_filter>> reference_program() {
    Ctx ctx(seccomp_init(default_.ret));
    if (!ctx) return fail("libseccomp: seccomp_init failed");
    for (uint32_t a : ref_arches_) {
      if (a == seccomp_arch_native()) continue;
      int rc = seccomp_arch_add(ctx.get(), a);
      if (rc < 0 && rc != -EEXIST)
        return fail(Error::from_errno("libseccomp: adding architecture " + arch_label(a), -rc));
    }
    // runc turns on libseccomp's binary tree past 32 entries; the decisions do not change.
    size_t kept = std::count_if(excluded_.begin(), excluded_.end(),
                                [](const auto& x) { return x.second.empty(); });
    if (kept > 32) seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
    // In the profile's order: libseccomp's result may depend on it.
    for (const auto& e : profile_.entries) {
      if (!excluded_[e.index].empty() || acts_[e.index].ret == default_.ret) continue;
      std::set<std::string> seen;
      for (const auto& name : e.names) {
        if (!seen.insert(name).second || !syscalls_.count(name)) continue;
        int nr = seccomp_syscall_resolve_name(name.c_str());
        for (const Rule& r : syscalls_[name].rules) {
          if (r.entry != &e) continue;
          std::vector<scmp_arg_cmp> cmps;
          for (const ArgCmp* c : r.cmps) cmps.push_back({c->index, c->op, c->value, c->value_two});
          int rc = seccomp_rule_add_array(ctx.get(), acts_[e.index].ret, nr,
                                          static_cast<unsigned>(cmps.size()), cmps.data());
          if (rc < 0)
            return fail(
                fmt::format("{} ({}): libseccomp refuses this rule ({}), so runc and crun "
                            "refuse the profile too",
                            e.where, printable(name, 60), rc_text(rc)));
        }
      }
    }
    auto prog = export_bpf(ctx.get());
    if (!prog) return fail(prog.error().wrap("building the profile's filter with libseccomp"));
    return prog;
  }

  // ---- Ordering: cordon's first match against libseccomp's merge ----
  using Args = std::array<uint64_t, 6>;
  // One call and what libseccomp's filter for the profile decides for it.
  struct Probe {
    uint32_t arch;
    Args args;
    uint32_t want;
  };

  // The calls where a decision can change: the arguments at every comparison's boundaries,
  // masked variants, 0 and all ones, within the width the kernel reads on each architecture
  // (all combinations for the arguments the rules test, at most `cap` per architecture).
  std::vector<Probe> probes(const std::string& name, const Syscall& s, size_t cap) const {
    std::vector<Probe> out;
    for (uint32_t arch : cordon_arches_) {
      auto nr = filter_number(name, arch);
      if (!nr) continue;
      std::map<int, std::set<uint64_t>> values;
      for (const Rule& r : s.rules)
        for (const ArgCmp* c : r.cmps) {
          uint8_t w = arg_width(name, static_cast<int>(c->index));
          if (is_32bit_arch(arch)) w = std::min<uint8_t>(w, 32);
          uint64_t wm = width_mask(w);
          auto& vs = values[static_cast<int>(c->index)];
          for (uint64_t x : word_boundaries(c->value)) vs.insert(x & wm);
          if (c->op == SCMP_CMP_MASKED_EQ) {
            uint64_t m = c->value, d = c->value_two & m;
            for (uint64_t x : word_boundaries(c->value_two)) vs.insert(x & wm);
            for (uint64_t x : {d, d | ~m}) vs.insert(x & wm);
            for (int b = 0; b < 64; ++b)
              if (m >> b & 1) vs.insert((d ^ (1ull << b)) & wm);
          }
        }
      std::vector<Args> all = {Args{}};
      std::mt19937_64 rng(std::hash<std::string>{}(name) ^ arch);
      for (const auto& [arg, vs] : values) {
        std::vector<Args> next;
        for (const auto& base : all)
          for (uint64_t v : vs) {
            Args a = base;
            a[arg] = v;
            next.push_back(a);
          }
        if (next.size() > cap) {
          std::shuffle(next.begin(), next.end(), rng);
          next.resize(cap);
        }
        all = std::move(next);
      }
      for (const auto& a : all) out.push_back({arch, a, reference_ret(arch, *nr, a)});
    }
    return out;
  }

  // Around `v`, and around each of its 32-bit halves: libseccomp compares a 64-bit argument
  // as two 32-bit words, and its mistakes show at the words' boundaries.
  static std::vector<uint64_t> word_boundaries(uint64_t v) {
    uint64_t hi = v >> 32 << 32, lo = v & 0xffffffff;
    return {0,
            ~0ull,
            v,
            v - 1,
            v + 1,
            ~v,
            lo,
            hi,
            hi - 1,
            hi + (1ull << 32),
            hi | 0xffffffff,
            hi | (lo - 1) % (1ull << 32),
            hi | (lo + 1) % (1ull << 32),
            0x7fffffff,
            0x80000000,
            0xffffffff,
            0x100000000};
  }

  uint32_t reference_ret(uint32_t arch, int nr, const Args& args) const {
    compiler::SeccompData d;
    d.nr = nr;
    d.arch = arch;  // libseccomp's tokens are the AUDIT_ARCH_* values
    std::copy(args.begin(), args.end(), d.args);
    return compiler::run_validated_program(reference_, d);
  }

  uint32_t first_match(const Syscall& s, const std::vector<size_t>& order, const Args& a) const {
    for (size_t i : order)
      if (s.rules[i].matches(a)) return s.rules[i].act->ret;
    return default_.ret;
  }

  struct Mismatch {
    uint32_t arch;
    Args args;
    uint32_t want, got;
  };
  std::optional<Mismatch> check(const Syscall& s, const std::vector<size_t>& order,
                                const std::vector<Probe>& probes) const {
    for (const auto& p : probes) {
      uint32_t got = first_match(s, order, p.args);
      if (outcome(p.want, opt_) != outcome(got, opt_)) return Mismatch{p.arch, p.args, p.want, got};
    }
    return std::nullopt;
  }

  std::string rule_text(const std::string& name, const Rule& r) const {
    std::vector<std::string> c;
    for (const ArgCmp* a : r.cmps)
      c.push_back(
          a->op == SCMP_CMP_MASKED_EQ
              ? fmt::format("arg{} & {:#x} == {:#x}", a->index, a->value, a->value_two)
              : fmt::format("arg{} {} {:#x}", a->index, op_name(a->op).substr(9), a->value));
    return fmt::format("{} {} {}{}", r.entry->where, r.act->oci, printable(name, 60),
                       c.empty() ? "" : " if " + fmt::format("{}", fmt::join(c, " && ")));
  }

  // Finds the order of the syscall's rules under which cordon's first match decides like
  // libseccomp's filter: the profile's order first, then other orders.
  Result<void> decide_order(const std::string& name, Syscall& s) {
    // Multiplexers: on 32-bit x86 and others libseccomp also writes rules for socket and IPC
    // calls into socketcall and ipc. cordon's compiler builds with libseccomp too and gets the
    // same rewriting; a rule-by-rule comparison of these two would not mean anything.
    bool multiplexer = name == "socketcall" || name == "ipc";
    std::vector<size_t> order(s.rules.size());
    std::iota(order.begin(), order.end(), 0);
    // libseccomp lets the first unconditional rule decide alone (later ones and every
    // conditional rule are dropped, whatever their order). A comparison with a zero mask
    // generates no instruction, so a rule of only those is unconditional too.
    for (size_t i = 0; i < s.rules.size(); ++i)
      if (std::all_of(s.rules[i].cmps.begin(), s.rules[i].cmps.end(), [](const ArgCmp* c) {
            return c->op == SCMP_CMP_MASKED_EQ && c->value == 0;
          })) {
        order = {i};
        break;
      }
    auto full = multiplexer ? std::vector<Probe>{} : probes(name, s, kMaxSamples);
    std::optional<Mismatch> first = check(s, order, full);
    if (first) {
      std::set<uint32_t> actions;
      for (const Rule& r : s.rules) actions.insert(r.act->ret);
      // Orders are tried on a spread subset first; one that passes is checked on all.
      std::vector<Probe> few;
      size_t step = std::max<size_t>(1, full.size() / kSearchSamples);
      for (size_t i = 0; i < full.size(); i += step) few.push_back(full[i]);
      bool found = false;
      auto try_order = [&](const std::vector<size_t>& o) {
        if (check(s, o, few) || check(s, o, full)) return false;
        order = o;
        found = true;
        return true;
      };
      if (order.size() > 1 && actions.size() > 1) {
        if (order.size() <= kMaxPermutedRules) {
          std::vector<size_t> o = order;
          while (std::next_permutation(o.begin(), o.end()))
            if (try_order(o)) break;
        }
        if (!found && actions.size() <= kMaxPermutedActions) {
          // The rules grouped by action, the actions in every order.
          std::vector<uint32_t> acts(actions.begin(), actions.end());
          do {
            std::vector<size_t> o;
            for (uint32_t a : acts)
              for (size_t i : order)
                if (s.rules[i].act->ret == a) o.push_back(i);
            if (try_order(o)) break;
          } while (std::next_permutation(acts.begin(), acts.end()));
        }
      }
      if (!found) return fail(order_error(name, s, *first));
      s.reordered = true;
    }
    // What cordon writes: no rule that never holds, nothing after one that always does, no
    // rule with the same test as an earlier one (it never decides). Each left out says why.
    std::vector<size_t> kept;
    const Rule* always = nullptr;
    for (size_t i : order) {
      const Rule& r = s.rules[i];
      if (always) {
        s.dropped[i] =
            fmt::format("never reached: the rule of {} holds for every value the kernel reads",
                        always->entry->where);
        continue;
      }
      if (r.never) {
        s.dropped[i] = never_reason(name, r);
        continue;
      }
      auto same = std::find_if(kept.begin(), kept.end(),
                               [&](size_t k) { return s.rules[k].conj == r.conj; });
      if (same != kept.end()) {
        const Rule& f = s.rules[*same];
        s.dropped[i] =
            f.entry == r.entry
                ? "the same test again"
                : fmt::format("the same test as the rule of {}, which comes first", f.entry->where);
        continue;
      }
      kept.push_back(i);
      if (r.always()) always = &r;
    }
    for (size_t i = 0; i < s.rules.size(); ++i) {
      if (std::find(order.begin(), order.end(), i) != order.end()) continue;
      const Rule& u = s.rules[order.front()];
      s.dropped[i] = u.act->ret == s.rules[i].act->ret && s.rules[i].cmps.empty()
                         ? fmt::format("already decided by {}", u.entry->where)
                         : fmt::format(
                               "overridden by the unconditional rule of {} (libseccomp lets the "
                               "first unconditional rule for a syscall decide alone)",
                               u.entry->where);
    }
    s.order = std::move(kept);
    return {};
  }

  std::string never_reason(const std::string& name, const Rule& r) const {
    for (const ArgCmp* c : r.cmps) {
      Atom a;
      uint8_t w = arg_width(name, static_cast<int>(c->index));
      if (normalize(*c, w, a) == Truth::kNever)
        return fmt::format("{} ({} {:#x}) can never hold on the {} bits of arg{} the kernel reads",
                           c->where, op_name(c->op), c->value, w, c->index);
    }
    return "can never hold";
  }

  std::string order_error(const std::string& name, const Syscall& s, const Mismatch& m) const {
    std::vector<std::string> rules;
    for (const Rule& r : s.rules) rules.push_back(rule_text(name, r));
    std::string hint;
    for (const Rule& r : s.rules)
      for (const ArgCmp* c : r.cmps)
        if (is_32bit_arch(m.arch) &&
            ((c->value >> 32) != 0 || (c->op == SCMP_CMP_MASKED_EQ && (c->value_two >> 32) != 0)))
          hint = fmt::format(
              " On {}, a 32-bit architecture, libseccomp compares only the low 32 bits of "
              "{}'s values, and cordon cannot give one architecture conditions of its own: "
              "keep the values below 2^32, or import for an architecture without 32-bit "
              "sub-architectures.",
              arch_label(m.arch), c->where);
    std::string args = fmt::format("{:#x}", fmt::join(m.args, ", "));
    bool several = s.rules.size() > 1;
    return fmt::format(
        "{}: no cordon rules can decide like libseccomp's filter for it: with arguments ({}) on "
        "{} the profile's filter gives {}, where its rules {} give {}.{} Its rules: {}.{}{}",
        printable(name, 60), args, arch_label(m.arch), compiler::describe_action(m.want),
        several ? "in any order" : "as written", compiler::describe_action(m.got),
        several ? " (libseccomp 2.5 resolves overlapping rules with different actions by its "
                  "own tree order, and it miscompiles some sets of 64-bit comparisons on one "
                  "argument.)"
                : "",
        fmt::join(rules, "; "), hint,
        several ? " Rewrite the entries so that they do not overlap." : "");
  }

  // ---- Rendering ----
  std::string render();
  std::string header() const;
  void render_entry(const Entry& e, std::vector<std::string>& lines,
                    std::vector<std::string>& groups);
  std::vector<std::string> syscall_lines(const std::string& name, const Syscall& s,
                                         const std::vector<size_t>& rules,
                                         std::vector<std::string>& groups);
  void note_widths();

  // The action as cordon writes it; the profile's SECCOMP_FILTER_FLAG_LOG goes on the default
  // action, or, when that is allow, on the first rule with another action.
  std::string action_text(const Act& a) {
    std::string t = a.text();
    if (log_pending_ && a.kind != ActionKind::kAllow) {
      t += " log";
      log_pending_ = false;
    }
    return t;
  }
  // A syscall on every architecture of the filter can be named in a rule; one missing on some
  // goes through a group, which cordon skips where the syscall does not exist.
  bool direct(const Syscall& s) const { return s.arches.size() == cordon_arches_.size(); }
  std::string missing_on(const Syscall& s) const {
    std::vector<std::string> out;
    for (uint32_t a : cordon_arches_)
      if (std::find(s.arches.begin(), s.arches.end(), a) == s.arches.end())
        out.push_back(arch_label(a));
    return fmt::format("{}", fmt::join(out, " or "));
  }

  const json& doc_;
  const ImportOptions& opt_;
  Profile profile_;
  std::set<std::string> caps_;
  bool caps_default_ = true;
  std::string arch_;
  KernelVersion kernel_;
  std::string kernel_release_, kernel_source_;
  Act default_;
  std::vector<Act> acts_;  // per entry index
  std::vector<uint32_t> ref_arches_, cordon_arches_;
  std::vector<std::string> dropped_arches_;
  bool arch_map_used_ = false;
  bool log_flag_ = false, log_pending_ = false;
  std::vector<std::string> flag_notes_;
  std::map<size_t, std::string> excluded_, kept_because_;
  std::map<size_t, std::vector<std::string>> unknown_, absent_;
  std::map<std::string, Syscall> syscalls_;
  std::set<std::string> grouped_;  // syscalls with a group of their own
  std::vector<sock_filter> reference_;
  std::vector<std::string> notes_;
  std::vector<std::string> width_notes_;
  std::string width_example_;
};

// Arguments narrower than 64 bits that a written condition tests, for the header.
void Importer::note_widths() {
  std::set<std::pair<std::string, int>> seen;
  for (const auto& [name, s] : syscalls_)
    for (size_t i : s.order)
      for (const Atom& a : s.rules[i].conj) {
        if (a.width >= 64 || !seen.insert({name, a.arg}).second) continue;
        std::string type = arg_type(name, a.arg);
        width_notes_.push_back(fmt::format("{} {} ({}{} bits)", name, arg_name(name, a.arg),
                                           type.empty() ? "" : type + ", ", a.width));
        if (!width_example_.empty()) continue;
        // A value the condition accepts, then the same with every higher bit set.
        uint64_t wm = width_mask(a.width), v = a.value;
        if (!a.masked) {
          if (a.op == CmpOp::kGt) v = a.value + 1;
          if (a.op == CmpOp::kLt) v = 0;
          if (a.op == CmpOp::kNe) v = a.value == wm ? 0 : a.value + 1;
        }
        width_example_ = fmt::format("{}({} = {:#x}) is decided here as {}({:#x})", name,
                                     arg_name(name, a.arg), v | ~wm, name, v);
      }
}

std::string Importer::header() const {
  std::vector<std::string> h;
  auto para = [&](const std::string& lead, const std::string& text) {
    std::vector<std::string> ws;
    std::istringstream in(text);
    for (std::string w; in >> w;) ws.push_back(w);
    auto lines = wrap(lead, ws, " ");
    std::string cont = "#" + std::string(lead.size() - 1, ' ');
    for (size_t i = 0; i < lines.size(); ++i)
      h.push_back(i == 0 ? lines[i] : cont + lines[i].substr(lead.size()));
  };
  std::string src = opt_.source_name.empty() ? "a seccomp profile" : printable(opt_.source_name);
  para("# ",
       fmt::format("Imported by `cordon import` from {} (an OCI / Docker seccomp profile).", src));
  h.push_back("#");
  para("# ",
       "This policy is only the profile's seccomp filter: for every system call it decides what "
       "runc or crun decide with the profile, except where listed below. A seccomp profile says "
       "nothing about files, network, namespaces or capabilities, so on its own this policy gets "
       "cordon's defaults for those: every namespace, network none, no capabilities and no "
       "filesystem access at all. Include it from a profile that sets them (that profile's rules "
       "for a syscall are tried before these, and its `default` replaces this one), or copy the "
       "syscalls block into one. Do not include base.cordon here: it brings syscall rules of its "
       "own, which would change the decisions.");
  h.push_back("#");
  h.push_back("# Resolved the way Docker resolves a profile for one container:");
  std::vector<std::string> caps(caps_.begin(), caps_.end());
  para("#   capabilities: ",
       (caps.empty() ? std::string("none") : fmt::format("{}", fmt::join(caps, " "))) +
           (caps_default_ ? " (Docker's default set)" : ""));
  std::vector<std::string> arches;
  for (uint32_t a : cordon_arches_) arches.push_back(arch_label(a));
  para("#   architecture: ",
       fmt::format("{}; the filter covers {}{}", arch_, fmt::join(arches, " "),
                   arch_map_used_ ? " (from archMap)" : ""));
  std::string from;
  if (kernel_release_ != kernel_.str()) from = kernel_release_;
  if (!kernel_source_.empty()) from += (from.empty() ? "" : ", ") + kernel_source_;
  para("#   kernel:       ",
       fmt::format("{}{}, for minKernel", kernel_.str(), from.empty() ? "" : " (" + from + ")"));
  para("#   libseccomp:   ",
       fmt::format("{}, whose syscall names and rule merging the import reproduces",
                   libseccomp_version()));
  h.push_back("#");
  h.push_back("# Where this filter does not decide like the original:");
  std::vector<std::string> diffs;
  if (!width_notes_.empty())
    diffs.push_back(fmt::format(
        "Arguments the kernel reads on fewer than 64 bits are compared here on those bits, by "
        "the original on all 64. A value with higher bits set (which the kernel ignores) is "
        "decided here by its low bits, the value the kernel acts on, and by the original as the "
        "different number it is: {}. Those arguments: {}.",
        width_example_, fmt::join(width_notes_, ", ")));
  for (const auto& d : dropped_arches_) diffs.push_back(d + ".");
  diffs.push_back(
      "A call from an architecture the filter does not cover kills the process here; "
      "libseccomp's default, which runc and crun keep, kills only the calling thread.");
  if (default_.kind != ActionKind::kAllow && default_.kind != ActionKind::kLog)
    diffs.push_back(
        "runc (not crun) also makes syscall numbers above the highest one the profile names "
        "fail with ENOSYS; here they get the default action, as with crun.");
  for (const auto& n : notes_)
    if (n.find("SCMP_ACT_TRACE imported") != std::string::npos) diffs.push_back(n + ".");
  for (const auto& f : flag_notes_) diffs.push_back(f + ".");
  if (log_flag_ && log_pending_)
    diffs.push_back(
        "SECCOMP_FILTER_FLAG_LOG: every decision is allow, so there is nothing for it to log.");
  for (const auto& d : diffs) para("#   - ", d);
  return fmt::format("{}\n", fmt::join(h, "\n"));
}

// The lines for `rules` (indices into s.rules, in the order cordon tries them), all from one
// entry unless the syscall is reordered. Consecutive rules of one entry and action become one
// line with their conditions ORed.
std::vector<std::string> Importer::syscall_lines(const std::string& name, const Syscall& s,
                                                 const std::vector<size_t>& rules,
                                                 std::vector<std::string>& groups) {
  std::vector<std::string> out;
  std::string target = name;
  if (!direct(s)) {
    // One group per syscall, defined once; "import-" keeps it clear of groups.cordon's names.
    target = "@import-" + name;
    if (grouped_.insert(name).second) {
      std::vector<std::string> where;
      for (uint32_t a : s.arches) where.push_back(arch_label(a));
      groups.push_back(
          fmt::format("# {} has no number of its own on {}: a group lets cordon skip it there.\n"
                      "group {} {{ {} }}\n",
                      name, missing_on(s), target, name));
    }
  }
  for (size_t k = 0; k < rules.size();) {
    const Rule& first = s.rules[rules[k]];
    std::vector<std::string> conds;
    size_t j = k;
    for (; j < rules.size(); ++j) {
      const Rule& r = s.rules[rules[j]];
      if (r.entry != first.entry || r.act->ret != first.act->ret) break;
      if (r.conj.empty()) {
        conds.clear();  // holds always: the condition is the whole rule
        ++j;
        break;
      }
      std::string c = conj_text(name, r.conj);
      conds.push_back(r.conj.size() > 1 && rules.size() > 1 ? "(" + c + ")" : c);
    }
    std::string line = fmt::format("  {} {}", action_text(*first.act), target);
    if (!conds.empty()) line += " if " + fmt::format("{}", fmt::join(conds, " || "));
    if (s.reordered) line += "  # " + first.entry->where;
    out.push_back(line);
    k = j;
  }
  return out;
}

void Importer::render_entry(const Entry& e, std::vector<std::string>& lines,
                            std::vector<std::string>& groups) {
  lines.push_back("");
  auto comment = [&](const std::string& text) {
    std::vector<std::string> ws;
    std::istringstream in(text);
    for (std::string w; in >> w;) ws.push_back(w);
    auto wrapped = wrap("  # ", ws, " ");
    for (size_t i = 0; i < wrapped.size(); ++i)
      lines.push_back(i == 0 ? wrapped[i] : "  #   " + wrapped[i].substr(4));
  };
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& n : e.names)
    if (seen.insert(n).second) names.push_back(n);
  std::vector<std::string> shown;
  for (const auto& n : names) shown.push_back(printable(n, 60));
  if (!excluded_[e.index].empty()) {
    comment(fmt::format("not imported: {} {} — {}", e.where, fmt::join(shown, " "),
                        excluded_[e.index]));
    return;
  }
  std::string head = e.where;
  if (!kept_because_[e.index].empty()) head += " (included: " + kept_because_[e.index] + ")";
  if (!e.comment.empty()) head += ": " + printable(e.comment, 200);
  comment(head);
  const Act& act = acts_[e.index];
  if (names.empty()) {
    comment("no syscall names: nothing to import");
    return;
  }
  if (act.ret == default_.ret) {
    comment(
        fmt::format("not imported: {} — its action ({}) is the default action; runc and crun "
                    "skip it",
                    fmt::join(shown, " "), act.oci));
    return;
  }
  // Syscalls this entry decides alone (unconditional, or a test that always holds): one line.
  std::vector<std::string> whole_direct, whole_grouped, conditional, dropped;
  for (const auto& name : names) {
    auto it = syscalls_.find(name);
    if (it == syscalls_.end()) continue;  // unknown or absent: listed below
    const Syscall& s = it->second;
    std::vector<size_t> mine;
    for (size_t i : s.order)
      if (s.rules[i].entry == &e) mine.push_back(i);
    for (size_t i = 0; i < s.rules.size(); ++i)
      if (s.rules[i].entry == &e && s.dropped.count(i))
        dropped.push_back(fmt::format("{}: {}", name, s.dropped.at(i)));
    if (s.reordered) {
      if (s.order.empty() || s.rules[s.order.front()].entry != &e) {
        if (!mine.empty())
          dropped.push_back(fmt::format("{}: written with its other rules at {}", name,
                                        s.rules[s.order.front()].entry->where));
        continue;
      }
      std::vector<std::string> from;
      for (size_t i : s.order) from.push_back(s.rules[i].entry->where);
      from.erase(std::unique(from.begin(), from.end()), from.end());
      conditional.push_back(fmt::format(
          "  # {}: its rules overlap with different actions, and libseccomp does not apply them "
          "in the profile's order; this order reproduces its filter",
          name));
      auto ls = syscall_lines(name, s, s.order, groups);
      conditional.insert(conditional.end(), ls.begin(), ls.end());
      continue;
    }
    if (mine.empty()) continue;
    if (s.order.size() == 1 && s.rules[mine[0]].always()) {
      (direct(s) ? whole_direct : whole_grouped).push_back(name);
      continue;
    }
    auto ls = syscall_lines(name, s, mine, groups);
    conditional.insert(conditional.end(), ls.begin(), ls.end());
  }
  std::string action = act.text();
  if (!whole_direct.empty() || !whole_grouped.empty()) action = action_text(act);
  if (!whole_direct.empty()) {
    std::vector<std::string> ws = whole_direct;
    auto wrapped = wrap("  " + action + " ", ws, ", ");
    lines.insert(lines.end(), wrapped.begin(), wrapped.end());
  }
  if (!whole_grouped.empty()) {
    std::string g = fmt::format("@import-syscalls-{}", e.index);
    std::vector<std::string> where;
    std::string block = fmt::format(
        "# {}: syscalls that do not exist on every architecture of the filter; a group lets\n"
        "# cordon skip each one where it does not exist (naming it in a rule would be an error).\n"
        "group {} {{\n",
        e.where, g);
    for (const auto& l : wrap("  ", whole_grouped, " ")) block += l + "\n";
    block += "}\n";
    groups.push_back(block);
    lines.push_back(fmt::format("  {} {}", action, g));
  }
  lines.insert(lines.end(), conditional.begin(), conditional.end());
  for (const auto& d : dropped) comment(d);
  if (!unknown_[e.index].empty())
    comment(
        fmt::format("not imported: {} — unknown to libseccomp {} (runc and crun skip them "
                    "too)",
                    fmt::join(unknown_[e.index], " "), libseccomp_version()));
  if (!absent_[e.index].empty())
    comment(
        fmt::format("not imported: {} — no such syscall on {} or on any architecture cordon "
                    "supports",
                    fmt::join(absent_[e.index], " "), cordon_arch_list()));
}

std::string Importer::render() {
  note_widths();
  std::vector<std::string> groups, body;
  std::string def = default_.text();
  if (log_flag_) {
    if (default_.kind != ActionKind::kAllow)
      def += " log";
    else
      log_pending_ = true;
  }
  body.push_back("  default " + def);
  for (const auto& e : profile_.entries) render_entry(e, body, groups);
  std::string out = header();
  out += "\ncordon 1\n";
  std::vector<std::string> extra;
  for (uint32_t a : cordon_arches_)
    if (a != policy::native_arch()) extra.push_back(arch_label(a));
  if (!extra.empty()) out += fmt::format("arch {}\n", fmt::join(extra, " "));
  for (const auto& g : groups) out += "\n" + g;
  out += "\nsyscalls {\n";
  for (const auto& l : body) out += l + "\n";
  out += "}\n";
  return out;
}

}  // namespace

Result<ImportResult> import_seccomp(const json& profile, const ImportOptions& opt) {
  try {
    return Importer(profile, opt).run();
  } catch (const std::exception& e) {
    // nlohmann's accessors are type-checked before use; this is a last line of defence so a
    // malformed profile can never take cordon down.
    return fail(fmt::format("reading the profile: {}", e.what()));
  }
}

Result<ImportResult> import_seccomp_file(const std::string& path, ImportOptions opt) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::from_errno("open " + path));
  std::stringstream ss;
  ss << in.rdbuf();
  json doc;
  try {
    doc = json::parse(ss.str());
  } catch (const json::exception& e) {
    // nlohmann's message names the byte where parsing stopped.
    return fail(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (opt.source_name.empty()) {
    size_t slash = path.rfind('/');
    opt.source_name = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  auto r = import_seccomp(doc, opt);
  if (!r) return fail(r.error().wrap(path));
  return r;
}

}  // namespace cordon::cli
