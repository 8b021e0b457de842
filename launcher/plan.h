// The Plan: everything the launcher applies, as data. The compiler produces it from a checked
// policy; the launcher reads it and never sees policy text. Every element carries `origin`, the
// policy rule (file:line:col) it came from — the source map `explain` and `audit` use.
//
// The JSON form is versioned (kPlanVersion); a reader refuses other versions rather than guess.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace cordon::launcher {

// 2: namespaces.nested_user (`nested-userns allow`).
// 3: seccomp.exec_mediation (execveat answered by the supervisor).
inline constexpr int kPlanVersion = 3;

struct Namespaces {
  bool user = true, pid = true, mount = true, ipc = true, uts = true, net = true, cgroup = true;
  std::string origin;
  // `nested-userns allow`: the app may create user namespaces. Otherwise the launcher sets the
  // sandbox's user.max_user_namespaces to 0 from its own user namespace, where the app holds
  // no CAP_SYS_RESOURCE to raise it again.
  bool nested_user = false;
  std::string nested_user_origin;
};

struct Identity {
  std::optional<uint32_t> uid, gid;  // inside the user namespace; unset: the caller's
  std::string origin;
};

struct Mount {
  std::string kind;  // "ro" | "rw" | "exec" | "tmpfs" | "proc" | "dev"
  std::string path;  // host path for binds, target for tmpfs/proc/dev
  bool optional = false;
  uint64_t size = 0;  // tmpfs
  uint32_t mode = 0;  // tmpfs
  std::string dev;    // dev: "minimal"
  std::string origin;
};

struct EnvSet {
  std::string name, value, origin;
};
struct Env {
  bool clear = false;
  std::vector<std::string> keep;
  std::vector<EnvSet> set;
  std::string origin;
};

struct Rlimit {
  std::string name;  // nofile nproc core fsize stack as
  int resource = 0;  // RLIMIT_*
  uint64_t value = 0;
  std::string origin;
};

// One device node class the sandbox may open for reading and writing (never mknod).
struct Device {
  std::string type = "c";  // "c" | "b"
  uint32_t major = 0;      // < 2^12
  int64_t minor = -1;      // < 2^20; -1: every minor of the major
  std::string name;        // as the policy wrote it ("null", "c:10:229")
};

struct Cgroup {
  // `devices`: the only device nodes the sandbox may open; unset = the cgroup's own rules.
  std::optional<std::vector<Device>> devices;
  std::string devices_origin;
  std::optional<uint64_t> memory_bytes;
  std::optional<uint64_t> pids;
  std::optional<uint32_t> cpu_quota_us;  // per 100000 us period
  std::string memory_origin, pids_origin, cpu_origin;
};

struct LandlockPath {
  std::string path;
  uint64_t access = 0;  // LANDLOCK_ACCESS_FS_* bits
  bool optional = false;
  std::string origin;
};
struct LandlockPort {
  uint16_t port = 0;
  bool bind = false;  // else connect
  std::string origin;
};
struct Landlock {
  uint64_t handled_fs = 0;    // rights the ruleset restricts (all the kernel knows, by ABI)
  bool restrict_net = false;  // handle bind/connect tcp (ABI 4)
  std::vector<LandlockPath> paths;
  std::vector<LandlockPort> ports;
  std::vector<std::string> scopes;  // signal, abstract-unix-socket (ABI 6)
  std::string scopes_origin;        // where the first scope is declared
  int required_abi = 0;             // from `require landlock N`; 0 = best effort
  std::string origin;
};

struct Mac {
  std::string apparmor;  // "" none, "generate", or a profile name
  bool apparmor_optional = false;
  std::string selinux;  // context, "" none
  bool selinux_optional = false;
  std::string apparmor_origin, selinux_origin;
  // For `apparmor generate`: the profile cordon run generated from this Plan and its name,
  // cordon-<policy name>-<hash of its rules> (cli/emit_apparmor.h): a changed policy gets a
  // profile of its own instead of replacing the one a running sandbox is confined by.
  std::string generated_profile, generated_name;
};

// One row of the seccomp source map: which rule decides which syscall on which architecture.
struct SeccompRule {
  std::string syscall;
  std::string arch;
  int nr = 0;
  std::string action;     // "allow", "errno EPERM log" …
  uint32_t ret = 0;       // SECCOMP_RET_* value
  std::string condition;  // "" when unconditional
  std::string via_group;
  std::string origin;
};

// Whether a SECCOMP_RET_* value lets the call run (ALLOW, or LOG: allowed and logged).
inline bool seccomp_ret_runs(uint32_t ret) {
  uint32_t action = ret & 0xffff0000u;  // SECCOMP_RET_ACTION_FULL
  return action == 0x7fff0000u /* ALLOW */ || action == 0x7ffc0000u /* LOG */;
}

// A policy that refuses execveat must still let cordon start the app with it, and no seccomp
// filter can tell that one call from the app's own (a fixed fd number can be re-created, an
// absolute path ignores the fd, pointers can be re-mapped). So the filter answers execveat
// with SECCOMP_RET_USER_NOTIF, and the supervisor lets the first call through (the launcher's
// own, made before the app ever ran) and answers every later one with the policy's action.
struct ExecMediation {
  bool on = false;
  uint32_t ret = 0;    // the policy's own SECCOMP_RET_* for execveat
  std::string action;  // as the policy says it: "errno EPERM log", "kill"
  std::string origin;  // the rule that decides execveat, or the default's
};

struct Seccomp {
  std::vector<std::string> arches;  // libseccomp names, native first
  std::string default_action;
  uint32_t default_ret = 0;
  std::string default_origin;
  bool log = false;  // SECCOMP_FILTER_FLAG_LOG: some non-allow action is marked `log`
  std::vector<sock_filter> program;
  std::string program_hash;  // fnv1a-64 of the program bytes, hex
  std::vector<SeccompRule> rules;
  ExecMediation exec_mediation;
};

struct Plan {
  int version = kPlanVersion;
  std::string name;
  std::string policy_hash;  // of the policy and every include, with --set values
  std::vector<std::string> policy_files;
  Namespaces namespaces;
  std::string network = "none";  // none | loopback | host
  std::string network_origin;
  Identity identity;
  std::string hostname;
  std::string hostname_origin;
  std::vector<Mount> mounts;
  Env env;
  std::vector<Rlimit> rlimits;
  Cgroup cgroup;
  std::optional<uint64_t> walltime_ms;
  std::string walltime_origin;
  std::vector<int> capabilities;  // the bounding set, exactly
  std::string capabilities_origin;
  bool no_new_privs = true;  // always; kept explicit so a reader sees it
  Landlock landlock;
  Mac mac;
  Seccomp seccomp;
  std::map<std::string, int> requires_;  // mechanism → minimum level
};

nlohmann::json plan_to_json(const Plan& plan);
Result<Plan> plan_from_json(const nlohmann::json& j);
Result<Plan> plan_from_text(std::string_view text);

// FNV-1a 64-bit, hex: a content hash for cache keys and filter identity (not a security hash).
std::string fnv1a_hex(std::string_view bytes);

}  // namespace cordon::launcher
