#include "cli/emit_oci.h"

#include <fmt/format.h>
#include <linux/seccomp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "policy/constants.h"

namespace cordon::cli {

namespace {

using launcher::Plan;
using nlohmann::ordered_json;

struct OciAction {
  const char* name;
  std::optional<uint32_t> errno_ret;
};

OciAction oci_action(uint32_t ret) {
  switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS:
      return {"SCMP_ACT_KILL_PROCESS", {}};
    case SECCOMP_RET_KILL_THREAD:
      return {"SCMP_ACT_KILL_THREAD", {}};
    case SECCOMP_RET_TRAP:
      return {"SCMP_ACT_TRAP", {}};
    case SECCOMP_RET_ERRNO:
      return {"SCMP_ACT_ERRNO", ret & SECCOMP_RET_DATA};
    case SECCOMP_RET_USER_NOTIF:
      return {"SCMP_ACT_NOTIFY", {}};
    case SECCOMP_RET_TRACE:
      return {"SCMP_ACT_TRACE", ret & SECCOMP_RET_DATA};
    case SECCOMP_RET_LOG:
      return {"SCMP_ACT_LOG", {}};
    default:
      return {"SCMP_ACT_ALLOW", {}};
  }
}

const char* oci_op(scmp_compare op) {
  switch (op) {
    case SCMP_CMP_NE:
      return "SCMP_CMP_NE";
    case SCMP_CMP_LT:
      return "SCMP_CMP_LT";
    case SCMP_CMP_LE:
      return "SCMP_CMP_LE";
    case SCMP_CMP_EQ:
      return "SCMP_CMP_EQ";
    case SCMP_CMP_GE:
      return "SCMP_CMP_GE";
    case SCMP_CMP_GT:
      return "SCMP_CMP_GT";
    case SCMP_CMP_MASKED_EQ:
      return "SCMP_CMP_MASKED_EQ";
    default:
      return "SCMP_CMP_EQ";  // lower_conj produces only the ops above
  }
}

// A syscall entry; `errno_as_string` for the Security Profiles Operator, whose errnoRet is a
// string.
ordered_json entry(std::vector<std::string> names, uint32_t ret,
                   const std::vector<scmp_arg_cmp>& cmps, bool errno_as_string) {
  ordered_json e;
  std::sort(names.begin(), names.end());
  e["names"] = names;
  OciAction a = oci_action(ret);
  e["action"] = a.name;
  if (a.errno_ret) {
    if (errno_as_string)
      e["errnoRet"] = std::to_string(*a.errno_ret);
    else
      e["errnoRet"] = *a.errno_ret;
  }
  if (!cmps.empty()) {
    ordered_json args = ordered_json::array();
    for (const auto& c : cmps) {
      // runtime-spec: for SCMP_CMP_MASKED_EQ `value` is the mask and `valueTwo` the datum,
      // as libseccomp's datum_a and datum_b.
      ordered_json arg = {{"index", c.arg}, {"value", c.datum_a}};
      if (c.op == SCMP_CMP_MASKED_EQ) arg["valueTwo"] = c.datum_b;
      arg["op"] = oci_op(c.op);
      args.push_back(std::move(arg));
    }
    e["args"] = std::move(args);
  }
  return e;
}

// The syscall entries: one per action for the unconditional rules, one per conditional rule.
ordered_json syscall_entries(const compiler::LoweredSeccomp& lowered, bool errno_as_string) {
  std::map<uint32_t, std::vector<std::string>> unconditional;
  ordered_json conditional = ordered_json::array();
  for (const auto& r : lowered.rules) {
    if (r.cmps.empty())
      unconditional[r.ret].push_back(r.syscall);
    else
      conditional.push_back(entry({r.syscall}, r.ret, r.cmps, errno_as_string));
  }
  ordered_json out = ordered_json::array();
  for (auto& [ret, names] : unconditional)
    out.push_back(entry(std::move(names), ret, {}, errno_as_string));
  for (auto& e : conditional) out.push_back(std::move(e));
  return out;
}

// What no seccomp profile format can say about cordon's filter.
void seccomp_notes(const Plan& plan, const compiler::LoweredSeccomp& lowered,
                   std::vector<std::string>& notes) {
  notes.push_back(fmt::format(
      "seccomp bad-architecture action ((built-in)): cordon kills the process for a syscall of "
      "an architecture other than {} (x32 numbers, int 0x80); the format has no field for it, "
      "so the runtime's own setting applies",
      fmt::join(plan.seccomp.arches, ", ")));
  for (const auto& r : lowered.rules)
    if ((r.ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF && r.rule) {
      notes.push_back(
          fmt::format("notify {} ({}): the runtime needs a seccomp agent's socket as listenerPath",
                      r.syscall, r.rule->loc.str()));
      break;
    }
}

std::string dns_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += (std::isalnum(static_cast<unsigned char>(l)) || l == '-' || l == '.') ? l : '-';
  }
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) out.erase(0, 1);
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
  if (out.size() > 253) out.resize(253);
  return out.empty() ? "cordon-profile" : out;
}

size_t depth(const std::string& path) { return std::count(path.begin(), path.end(), '/'); }

ordered_json oci_mounts(const Plan& plan, std::vector<std::string>& notes) {
  std::vector<const launcher::Mount*> sorted;
  for (const auto& m : plan.mounts) sorted.push_back(&m);
  // Parents first, as the launcher mounts them: a bind inside a tmpfs lands on top of it.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return depth(a->path) < depth(b->path); });
  ordered_json out = ordered_json::array();
  for (const auto* m : sorted) {
    if (m->kind == "tmpfs") {
      out.push_back({{"destination", m->path},
                     {"type", "tmpfs"},
                     {"source", "tmpfs"},
                     {"options",
                      {"nosuid", "nodev", fmt::format("size={}", m->size ? m->size : 64ULL << 20),
                       fmt::format("mode={:o}", m->mode ? m->mode : 0755)}}});
    } else if (m->kind == "proc") {
      out.push_back({{"destination", m->path},
                     {"type", "proc"},
                     {"source", "proc"},
                     {"options", {"nosuid", "nodev", "noexec"}}});
    } else if (m->kind == "dev") {
      if (m->dev == "none") {
        notes.push_back(fmt::format(
            "dev none ({}): runtimes create their default device nodes (null, zero, full, "
            "random, urandom, tty) in the root's /dev even without a /dev mount",
            m->origin));
        continue;
      }
      // The launcher's minimal /dev: a small tmpfs with the harmless nodes (which runtimes
      // create by default in /dev) and a private devpts.
      out.push_back({{"destination", m->path},
                     {"type", "tmpfs"},
                     {"source", "tmpfs"},
                     {"options", {"nosuid", "noexec", "mode=755", "size=65536"}}});
      out.push_back(
          {{"destination", m->path + "/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}});
    } else {
      if (m->optional && access(m->path.c_str(), F_OK) != 0) {
        notes.push_back(fmt::format(
            "{}? {} ({}): optional and absent on the machine that exported this, so left out; "
            "a runtime fails on a bind whose source is missing",
            m->kind, m->path, m->origin));
        continue;
      }
      out.push_back({{"destination", m->path},
                     {"type", "bind"},
                     {"source", m->path},
                     {"options", {"rbind", m->kind == "rw" ? "rw" : "ro", "nosuid", "nodev"}}});
    }
  }
  return out;
}

std::string comment_lines(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes) out += fmt::format("#   - {}\n", n);
  return out;
}

}  // namespace

std::string oci_arch(const std::string& libseccomp_name) {
  std::string out = "SCMP_ARCH_";
  for (char c : libseccomp_name)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

ordered_json oci_seccomp(const Plan& plan, const compiler::LoweredSeccomp& lowered,
                         std::vector<std::string>& notes) {
  ordered_json j;
  OciAction def = oci_action(lowered.default_ret);
  j["defaultAction"] = def.name;
  if (def.errno_ret) j["defaultErrnoRet"] = *def.errno_ret;
  ordered_json arches = ordered_json::array();
  for (const auto& a : plan.seccomp.arches) arches.push_back(oci_arch(a));
  j["architectures"] = std::move(arches);
  if (plan.seccomp.log) j["flags"] = {"SECCOMP_FILTER_FLAG_LOG"};
  j["syscalls"] = syscall_entries(lowered, false);
  seccomp_notes(plan, lowered, notes);
  return j;
}

std::string emit_oci_seccomp(const Plan& plan, const compiler::LoweredSeccomp& lowered) {
  std::vector<std::string> notes;
  ordered_json j = oci_seccomp(plan, lowered, notes);
  j["x-cordon-not-expressed"] = notes;
  return j.dump(2) + "\n";
}

std::string emit_oci(const Plan& plan, const compiler::LoweredSeccomp& lowered,
                     const std::string& policy_path) {
  std::vector<std::string> notes;
  ordered_json c;
  c["ociVersion"] = "1.0.2";

  // process
  ordered_json proc;
  const uid_t euid = geteuid();
  const gid_t egid = getegid();
  uint32_t uid = plan.identity.uid.value_or(euid), gid = plan.identity.gid.value_or(egid);
  if (!plan.identity.uid || !plan.identity.gid)
    notes.push_back(fmt::format(
        "identity: the policy runs the app as its caller's ids; written here as {}:{}, the "
        "exporting user's",
        uid, gid));
  proc["user"] = {{"uid", uid}, {"gid", gid}};
  ordered_json caps = ordered_json::array();
  for (int cap : plan.capabilities) caps.push_back(policy::capability_label(cap));
  ordered_json capset = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  // As the launcher does: a non-root app keeps its capabilities through the ambient set.
  capset["inheritable"] = uid != 0 ? caps : ordered_json::array();
  capset["ambient"] = uid != 0 ? caps : ordered_json::array();
  proc["capabilities"] = std::move(capset);
  ordered_json rlimits = ordered_json::array();
  for (const auto& r : plan.rlimits) {
    std::string type = "RLIMIT_";
    for (char ch : r.name) type += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    rlimits.push_back({{"type", type}, {"hard", r.value}, {"soft", r.value}});
  }
  if (!rlimits.empty()) proc["rlimits"] = std::move(rlimits);
  proc["noNewPrivileges"] = plan.no_new_privs;
  ordered_json env = ordered_json::array();
  for (const auto& s : plan.env.set) env.push_back(s.name + "=" + s.value);
  proc["env"] = std::move(env);
  if (!plan.env.clear)
    notes.push_back(
        fmt::format("env ({}): cordon passes the caller's environment on; process.env is the whole "
                    "environment, so only the policy's `set` values are here",
                    plan.env.origin.empty() ? "(built-in)" : plan.env.origin));
  if (!plan.env.keep.empty())
    notes.push_back(fmt::format(
        "env keep {} ({}): OCI cannot pass variables through from the caller; add their values "
        "to process.env",
        fmt::join(plan.env.keep, " "), plan.env.origin));
  const auto& mac = plan.mac;
  if (mac.apparmor == "generate")
    notes.push_back(
        fmt::format("apparmor generate ({}): cordon generates the profile at launch; load one with "
                    "apparmor_parser and name it in process.apparmorProfile",
                    mac.apparmor_origin));
  else if (!mac.apparmor.empty())
    proc["apparmorProfile"] = mac.apparmor;
  if (!mac.selinux.empty()) proc["selinuxLabel"] = mac.selinux;
  if ((!mac.apparmor.empty() && mac.apparmor_optional) ||
      (!mac.selinux.empty() && mac.selinux_optional))
    notes.push_back(fmt::format(
        "mac optional ({}{}): runtimes refuse to start when the label cannot be applied",
        mac.apparmor_origin, mac.selinux_origin));
  c["process"] = std::move(proc);

  if (!plan.hostname.empty()) c["hostname"] = plan.hostname;
  c["mounts"] = oci_mounts(plan, notes);
  notes.push_back(
      "root ((built-in)): cordon's root is an empty read-only tmpfs holding only these mounts; "
      "give the runtime an empty directory as root.path with root.readonly true");

  // linux
  ordered_json lin;
  const auto& ns = plan.namespaces;
  ordered_json nss = ordered_json::array();
  if (ns.pid) nss.push_back({{"type", "pid"}});
  if (ns.net && plan.network != "host") nss.push_back({{"type", "network"}});
  if (ns.ipc) nss.push_back({{"type", "ipc"}});
  if (ns.uts) nss.push_back({{"type", "uts"}});
  if (ns.mount) nss.push_back({{"type", "mount"}});
  if (ns.user) nss.push_back({{"type", "user"}});
  if (ns.cgroup) nss.push_back({{"type", "cgroup"}});
  lin["namespaces"] = std::move(nss);
  if (ns.user) {
    lin["uidMappings"] = {{{"containerID", uid}, {"hostID", euid}, {"size", 1}}};
    lin["gidMappings"] = {{{"containerID", gid}, {"hostID", egid}, {"size", 1}}};
    notes.push_back(fmt::format(
        "user namespace ({}): cordon maps the app's ids to its caller's; the mappings here "
        "name the exporting user ({}:{})",
        ns.origin.empty() ? "(built-in)" : ns.origin, euid, egid));
  }
  if (plan.network == "none" && ns.net)
    notes.push_back(fmt::format(
        "network none ({}): cordon leaves even loopback down; runtimes bring lo up in a new "
        "network namespace",
        plan.network_origin.empty() ? "(built-in)" : plan.network_origin));
  if (ns.pid)
    notes.push_back(
        "pid namespace ((built-in)): cordon runs a small init as PID 1 that forwards signals "
        "and reaps; under a runtime the app is PID 1 unless it is given an init");
  ordered_json res;
  const auto& cg = plan.cgroup;
  if (cg.memory_bytes) res["memory"] = {{"limit", *cg.memory_bytes}};
  if (cg.pids) res["pids"] = {{"limit", *cg.pids}};
  if (cg.cpu_quota_us) res["cpu"] = {{"quota", *cg.cpu_quota_us}, {"period", 100000}};
  if (cg.devices) {
    // The runtime's device cgroup: deny all, then each listed node read-write (never mknod).
    ordered_json devs = ordered_json::array();
    devs.push_back({{"allow", false}, {"access", "rwm"}});
    for (const auto& d : *cg.devices) {
      ordered_json e = {{"allow", true}, {"type", d.type}, {"major", d.major}};
      if (d.minor >= 0) e["minor"] = d.minor;
      e["access"] = "rw";
      devs.push_back(std::move(e));
    }
    res["devices"] = std::move(devs);
  }
  if (!res.empty()) lin["resources"] = std::move(res);
  lin["seccomp"] = oci_seccomp(plan, lowered, notes);
  c["linux"] = std::move(lin);

  if (plan.walltime_ms)
    notes.push_back(
        fmt::format("walltime {} ms ({}): OCI has no time limit; the caller must "
                    "kill the container",
                    *plan.walltime_ms, plan.walltime_origin));
  const auto& ll = plan.landlock;
  if (!ll.paths.empty())
    notes.push_back(fmt::format(
        "landlock ({} path rules, first {}): OCI has no Landlock; the mounts give the same "
        "view of files, but not its per-right limits (execute, make_* and remove_* rights "
        "inside rw paths)",
        ll.paths.size(), ll.paths.front().origin));
  for (const auto& p : ll.ports)
    notes.push_back(fmt::format("landlock {} tcp {} ({}): OCI has no Landlock port rules",
                                p.bind ? "bind" : "connect", p.port, p.origin));
  for (const auto& s : ll.scopes)
    notes.push_back(fmt::format("landlock scope {} ({}): OCI has no Landlock scopes", s,
                                ll.origin.empty() ? "(built-in)" : ll.origin));
  for (const auto& [mech, level] : plan.requires_)
    notes.push_back(fmt::format(
        "require {} {}: the runtime does not check that the kernel offers this", mech, level));

  ordered_json ann;
  ann["org.cordon.policy"] = policy_path;
  ann["org.cordon.policy-hash"] = plan.policy_hash;
  for (size_t i = 0; i < notes.size(); ++i)
    ann[fmt::format("org.cordon.not-expressed.{:02}", i + 1)] = notes[i];
  c["annotations"] = std::move(ann);
  return c.dump(2) + "\n";
}

std::string emit_k8s(const Plan& plan, const compiler::LoweredSeccomp& lowered,
                     const std::string& policy_path) {
  std::vector<std::string> notes;
  ordered_json spec;
  OciAction def = oci_action(lowered.default_ret);
  spec["defaultAction"] = def.name;
  if (def.errno_ret && *def.errno_ret != EPERM)
    notes.push_back(fmt::format(
        "default errno {} ({}): SeccompProfile has no defaultErrnoRet; runtimes answer EPERM",
        policy::errno_to_name(static_cast<int>(*def.errno_ret)), plan.seccomp.default_origin));
  ordered_json arches = ordered_json::array();
  for (const auto& a : plan.seccomp.arches) arches.push_back(oci_arch(a));
  spec["architectures"] = std::move(arches);
  if (plan.seccomp.log) spec["flags"] = {"SECCOMP_FILTER_FLAG_LOG"};
  spec["syscalls"] = syscall_entries(lowered, true);
  seccomp_notes(plan, lowered, notes);
  notes.push_back(
      "everything but seccomp (namespaces, mounts, capabilities, limits, Landlock): a "
      "SeccompProfile holds only the filter; see `cordon compile --emit oci` for the rest");

  ordered_json obj;
  obj["apiVersion"] = "security-profiles-operator.x-k8s.io/v1beta1";
  obj["kind"] = "SeccompProfile";
  obj["metadata"] = {
      {"name", dns_name(plan.name)},
      {"annotations",
       {{"cordon.dev/policy", policy_path}, {"cordon.dev/policy-hash", plan.policy_hash}}}};
  obj["spec"] = std::move(spec);
  // JSON is YAML: kubectl and the operator read it as it is, and the comments ride along.
  return fmt::format(
      "# SeccompProfile (Security Profiles Operator) for {}, written by cordon compile --emit "
      "k8s.\n# Not expressible in a SeccompProfile:\n{}{}\n",
      policy_path, comment_lines(notes), obj.dump(2));
}

}  // namespace cordon::cli
