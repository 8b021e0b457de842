#include "audit/denial.h"

#include "audit/fields.h"
#include "audit/record_types.h"
#include "audit/syscalls.h"

namespace cordon::audit {
namespace {

std::string field(const Record& r, std::string_view key) { return std::string(r.value(key)); }

Denial common(const Record& r, std::string source) {
  Denial d;
  d.source = std::move(source);
  d.record_type = r.type;
  d.time = r.time;
  d.serial = r.serial;
  d.node = r.node;
  d.pid = number<int64_t>(r.value("pid"));
  d.comm = field(r, "comm");
  d.exe = field(r, "exe");
  return d;
}

std::optional<Denial> seccomp(const Record& r) {
  // A SECCOMP record without arch, syscall and code is a truncated one: nothing to explain.
  if (!r.get("syscall") || !r.get("arch") || !r.get("code")) return std::nullopt;
  Denial d = common(r, "seccomp");
  d.action = seccomp_action(r.value("code"));
  d.kind = d.action == "log" ? "logged" : d.action == "allow" ? "allowed" : "denied";
  d.signal = field(r, "sig");
  Call call = resolve_call(r.value("arch"), r.value("syscall"));
  d.arch = std::move(call.arch);
  d.syscall = std::move(call.syscall);
  d.syscall_nr = call.nr;
  // ENRICHED records carry auditd's own resolution; use it when libseccomp had none.
  if (d.syscall.empty()) d.syscall = field(r, "SYSCALL");
  return d;
}

std::string apparmor_kind_of_type(int type) {
  switch (type) {
    case 1501:
      return "AUDIT";
    case 1502:
      return "ALLOWED";
    case 1503:
      return "DENIED";
    case 1504:
      return "HINT";
    case 1505:
      return "STATUS";
    case 1506:
      return "ERROR";
    case 1507:
      return "KILL";
    default:
      return "";
  }
}

std::string kind_of_apparmor(std::string_view k) {
  if (k == "DENIED") return "denied";
  if (k == "ALLOWED") return "allowed";
  if (k == "AUDIT") return "audit";
  if (k == "STATUS") return "status";
  if (k == "HINT") return "hint";
  if (k == "ERROR") return "error";
  if (k == "KILL") return "kill";
  return "unknown";
}

std::optional<Denial> apparmor(const Record& r) {
  std::string kind = field(r, "apparmor");
  if (kind.empty()) kind = apparmor_kind_of_type(r.type);
  // Old 1500 APPARMOR records are prose ("REJECTING r access to …"): nothing structured.
  if (kind.empty() || (!r.get("operation") && !r.get("apparmor"))) return std::nullopt;
  Denial d = common(r, "apparmor");
  d.apparmor_kind = kind;
  d.kind = kind_of_apparmor(kind);
  d.operation = field(r, "operation");
  d.profile = r.get("profile") ? field(r, "profile") : field(r, "label");
  d.name = field(r, "name");
  // Kernels since 5.x name the masks requested= and denied= for the newer classes (unix,
  // mqueue, io_uring, userns, network).
  d.requested = r.get("requested_mask") ? field(r, "requested_mask") : field(r, "requested");
  d.denied = r.get("denied_mask") ? field(r, "denied_mask") : field(r, "denied");
  // D-Bus mediation (dbus-daemon, USER_AVC) reports one mask= that is the denied access.
  if (d.denied.empty()) d.denied = field(r, "mask");
  // dbus-daemon's records name no comm; its exe is the closest thing to a command.
  if (d.comm.empty()) d.comm = d.exe;
  d.capability = r.get("capname") ? field(r, "capname") : field(r, "capability");
  if (r.get("capname") && d.name.empty()) d.name = d.capability;
  d.path = !field(r, "path").empty() && d.operation.find("dbus") == std::string::npos
               ? field(r, "path")
               : (d.name.starts_with("/") ? d.name : "");
  d.info = field(r, "info");
  d.target = field(r, "target");
  d.peer = r.get("peer") ? field(r, "peer") : field(r, "peer_label");
  if (d.peer.empty()) d.peer = field(r, "peer_profile");
  d.signal = field(r, "signal");
  d.family = field(r, "family");
  d.sock_type = field(r, "sock_type");
  d.protocol = field(r, "protocol");
  d.laddr = field(r, "laddr");
  d.lport = field(r, "lport");
  d.faddr = field(r, "faddr");
  d.fport = field(r, "fport");
  d.fstype = field(r, "fstype");
  d.srcname = field(r, "srcname");
  d.flags = field(r, "flags");
  return d;
}

std::optional<Denial> selinux(const Record& r) {
  std::string_view result = r.value("seresult");
  if (result.empty() || !r.get("scontext")) return std::nullopt;
  Denial d = common(r, "selinux");
  // The kernel writes only these two; any other word (a damaged or hostile line) is not made a
  // kind of its own, so the kinds a reader counts stay few.
  d.kind = result == "denied" ? "denied" : result == "granted" ? "granted" : "unknown";
  d.requested = field(r, "seperms");
  if (d.kind == "denied") d.denied = d.requested;
  d.scontext = field(r, "scontext");
  d.tcontext = field(r, "tcontext");
  d.tclass = field(r, "tclass");
  d.name = field(r, "name");
  d.path = field(r, "path");
  d.dev = field(r, "dev");
  d.ino = field(r, "ino");
  d.ioctlcmd = field(r, "ioctlcmd");
  d.capability = field(r, "capability");
  d.laddr = field(r, "laddr");
  d.lport = field(r, "lport");
  d.faddr = field(r, "faddr");
  d.fport = field(r, "fport");
  d.saddr = field(r, "saddr");
  d.daddr = field(r, "daddr");
  if (const std::string* p = r.get("permissive")) d.permissive = *p == "1";
  return d;
}

std::optional<Denial> landlock(const Record& r) {
  if (!r.get("domain")) return std::nullopt;
  Denial d = common(r, "landlock");
  d.domain = field(r, "domain");
  d.blockers = field(r, "blockers");
  d.status = field(r, "status");
  d.kind =
      r.type == kLandlockDomain || (!r.get("blockers") && r.get("status")) ? "domain" : "denied";
  d.path = field(r, "path");
  d.name = field(r, "name");
  d.dev = field(r, "dev");
  d.ino = field(r, "ino");
  d.saddr = field(r, "saddr");
  d.daddr = field(r, "daddr");
  d.opid = field(r, "opid");
  d.ocomm = field(r, "ocomm");
  d.lport = field(r, "lport");
  d.fport = field(r, "dest");
  return d;
}

}  // namespace

std::optional<Denial> to_denial(const Record& r) {
  if (r.type == kSeccomp) return seccomp(r);
  if (r.type >= kAppArmorFirst && r.type <= kAppArmorLast) return apparmor(r);
  if (r.type == kLandlockAccess || r.type == kLandlockDomain) return landlock(r);
  if (r.type == kAvc || r.type == kUserAvc || r.type == 0) {
    if (r.get("apparmor")) return apparmor(r);
    if (r.get("seresult")) return selinux(r);
    if (r.type == 0 && r.get("domain") && (r.get("blockers") || r.get("status")))
      return landlock(r);
  }
  return std::nullopt;
}

}  // namespace cordon::audit
