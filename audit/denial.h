// A denial (or a record that looks like one) from any of the four sources, with the fields
// `cordon audit` reports, read out of one Record.
//
// to_denial() returns a Denial for every SECCOMP, AppArmor, SELinux AVC/USER_AVC and Landlock
// record, including those that are NOT denials, so callers can count them; `kind` says which:
//   "denied"   seccomp kill/trap/errno/trace/user-notif, AppArmor DENIED, SELinux denied
//              (permissive=1 included: check `permissive`), Landlock LANDLOCK_ACCESS
//   "logged"   seccomp log (the syscall ran; the policy asked to see it)
//   "allowed"  seccomp allow, AppArmor ALLOWED (complain mode)
//   "granted"  SELinux granted (auditallow)
//   "audit" "status" "hint" "error" "kill"   the AppArmor record kinds of the same name
//   "domain"   Landlock LANDLOCK_DOMAIN (allocation or deallocation: see `status`)
// Use is_denial() to keep only what a policy change could fix or should explain.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "audit/record.h"

namespace cordon::audit {

struct Denial {
  std::string source;  // "seccomp", "apparmor", "selinux", "landlock"
  std::string kind;    // see above
  int record_type = 0;
  double time = 0;
  uint64_t serial = 0;
  std::string node;

  std::optional<int64_t> pid;
  std::string comm, exe;
  // Filled by enrich() (event.h) from the event's CWD and PROCTITLE records.
  std::string cwd, proctitle;

  // seccomp
  std::string arch;  // libseccomp's name ("x86_64", "x86", "aarch64"), or the raw field
  std::string syscall;
  std::optional<int> syscall_nr;
  // The call's first four arguments, from the event's SYSCALL record (a0..a3) when it has one
  // for the same call (audit enabled); nullopt each when unknown.
  std::array<std::optional<uint64_t>, 4> args{};
  std::string action;  // kill-process kill-thread trap errno(N) trace(N) log allow user-notif
  std::string signal;  // seccomp sig=, AppArmor signal=

  // AppArmor (and shared)
  std::string operation, profile, name, path, requested, denied, capability;
  std::string apparmor_kind;  // the raw apparmor= value, or the 1501–1507 type's kind
  std::string info, target, peer, family, sock_type, protocol, laddr, lport, faddr, fport;
  std::string fstype, srcname, flags;  // mount operations

  // SELinux
  std::string scontext, tcontext, tclass, ioctlcmd;
  std::optional<bool> permissive;

  // Landlock
  std::string blockers, domain, status, opid, ocomm, saddr, daddr, dev, ino;

  bool is_denial() const { return kind == "denied"; }
};

std::optional<Denial> to_denial(const Record& rec);

}  // namespace cordon::audit
