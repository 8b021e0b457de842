// The checked policy: every name resolved, every value converted, includes merged with their
// precedence applied. The compiler lowers this to a Plan; nothing here is text to re-parse.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy/ast.h"

namespace cordon::policy {

template <typename T>
struct Located {
  T value{};
  SourceLoc loc;
};

// A resolved argument condition. `width` is how many low bits of the argument the kernel uses
// (from the signature table: 32 for `int`, 16 for `umode_t`, 64 otherwise); comparisons look at
// those bits only, because the kernel truncates the rest — a filter on all 64 bits could be
// bypassed by setting the upper half.
struct Cond {
  enum class Kind { kCompare, kMasked, kAnd, kOr, kNot } kind = Kind::kCompare;
  int arg = 0;
  uint8_t width = 64;
  CmpOp op = CmpOp::kEq;  // kMasked: kEq or kNe
  uint64_t mask = 0;
  uint64_t value = 0;
  std::vector<Cond> kids;
};

struct ResolvedAction {
  ActionKind kind = ActionKind::kKill;
  int errno_value = 0;
  bool log = false;
  bool operator==(const ResolvedAction&) const = default;
  std::string str() const;  // "allow", "errno EPERM log" …
};

// One rule as it applies to one syscall, in precedence order (first match wins).
struct SyscallRuleIR {
  ResolvedAction action;
  std::optional<Cond> condition;
  std::string condition_text;
  std::string via_group;  // "@system-service" when the rule names the syscall through a group
  SourceLoc loc;
  int file_rank = 0;  // 0: the top policy file; includes count up in pre-order
};

struct FsRuleIR {
  FsKind kind = FsKind::kRo;
  std::string path;  // absolute, normalised, variables expanded
  bool optional = false;
  uint64_t size = 0;  // tmpfs bytes; 0 = kernel default
  uint32_t mode = 0;  // tmpfs mode; 0 = default (01777 for /tmp-like, 0755 otherwise)
  SourceLoc loc;
};

// One entry of `devices allow`: a character or block device, one minor or all of a major.
struct DeviceIR {
  char type = 'c';  // 'c' | 'b'
  uint32_t major = 0;
  int64_t minor = -1;  // -1: every minor of the major
  std::string name;    // as written: "null", "pts", "c:10:229"
  bool operator==(const DeviceIR& o) const {
    return type == o.type && major == o.major && minor == o.minor;
  }
};

struct PolicyIR {
  std::vector<std::string> files;  // every file read, top first (for the plan's content hash)
  // The exact bytes of each of `files`, as the parser read them: the plan's hash and the plan
  // cache are of what was compiled, never of a second read that could differ.
  std::vector<std::string> file_texts;
  Located<std::string> name;
  Located<std::string> description;
  Located<std::set<std::string>> namespaces;  // user pid mount ipc uts net cgroup
  Located<std::string> network;               // none | loopback | host
  std::optional<Located<uint32_t>> uid, gid;
  Located<std::string> hostname;
  Located<std::vector<std::string>> arches;  // libseccomp names; native first
  std::vector<FsRuleIR> fs;
  std::optional<Located<bool>> proc;
  Located<std::string> dev;  // minimal | none
  Located<std::vector<int>> capabilities;
  // `devices none|allow …`: the only device nodes the sandbox may open (cgroup device
  // controller); unset = no device rule.
  std::optional<Located<std::vector<DeviceIR>>> devices;
  std::map<std::string, Located<uint64_t>> limits;  // memory pids nofile … walltime(ms)
  std::optional<Located<double>> cpu;
  Located<bool> env_clear;
  std::vector<Located<std::string>> env_keep;
  std::map<std::string, Located<std::string>> env_set;
  Located<ResolvedAction> default_action;
  // Per syscall name, its rules in precedence order.
  std::map<std::string, std::vector<SyscallRuleIR>> syscalls;
  std::vector<Located<uint16_t>> landlock_bind, landlock_connect;
  std::vector<Located<std::string>> landlock_scopes;
  std::optional<Located<std::string>> apparmor;  // "generate" or a profile name
  bool apparmor_optional = false;
  std::optional<Located<std::string>> selinux;
  bool selinux_optional = false;
  std::map<std::string, Located<int>> requires_;  // mechanism → minimum level (0: any)
  // `nested-userns allow`: the app may create user namespaces of its own (and hold every
  // capability inside them). Unset or `deny`: it cannot (user.max_user_namespaces is 0).
  Located<bool> nested_userns;
};

}  // namespace cordon::policy
