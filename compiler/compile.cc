#include "compiler/compile.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "compiler/seccomp.h"
#include "launcher/landlock_abi.h"

namespace cordon::compiler {

using launcher::Plan;
using policy::FsKind;
using policy::PolicyIR;

namespace {

namespace ll = launcher::landlock;

void lower_namespaces(const PolicyIR& ir, Plan& p) {
  const auto& ns = ir.namespaces.value;
  p.namespaces = {ns.count("user") > 0,   ns.count("pid") > 0,    ns.count("mount") > 0,
                  ns.count("ipc") > 0,    ns.count("uts") > 0,    ns.count("net") > 0,
                  ns.count("cgroup") > 0, ir.namespaces.loc.str()};
  p.namespaces.nested_user = ir.nested_userns.value;
  p.namespaces.nested_user_origin = ir.nested_userns.loc.str();
  p.network = ir.network.value;
  p.network_origin = ir.network.loc.str();
  if (ir.uid) {
    p.identity.uid = ir.uid->value;
    p.identity.gid = ir.gid->value;
    p.identity.origin = ir.uid->loc.str();
  }
  p.hostname = ir.hostname.value;
  p.hostname_origin = ir.hostname.loc.str();
}

// One intent, every layer: each filesystem line is a mount AND a Landlock rule.
void lower_filesystem(const PolicyIR& ir, Plan& p) {
  static const std::map<FsKind, std::pair<const char*, uint64_t>> kKinds = {
      {FsKind::kRo, {"ro", ll::kRead | ll::kExecute}},
      {FsKind::kRw, {"rw", ll::kRead | ll::kExecute | ll::kWrite}},
      {FsKind::kExec, {"exec", LANDLOCK_ACCESS_FS_READ_FILE | ll::kExecute}},
      {FsKind::kTmpfs, {"tmpfs", ll::kRead | ll::kWrite}},
  };
  std::vector<const policy::FsRuleIR*> rules;
  for (const auto& r : ir.fs) rules.push_back(&r);
  // Parents before children, so a bind inside a tmpfs lands on top of it.
  std::stable_sort(rules.begin(), rules.end(), [](auto* a, auto* b) {
    return std::count(a->path.begin(), a->path.end(), '/') <
           std::count(b->path.begin(), b->path.end(), '/');
  });
  for (const auto* r : rules) {
    auto [kind, access] = kKinds.at(r->kind);
    p.mounts.push_back({kind, r->path, r->optional, r->size, r->mode, "", r->loc.str()});
    p.landlock.paths.push_back({r->path, access, r->optional, r->loc.str()});
  }
  if (ir.proc) {
    p.mounts.push_back({"proc", "/proc", false, 0, 0, "", ir.proc->loc.str()});
    p.landlock.paths.push_back({"/proc", ll::kRead, false, ir.proc->loc.str()});
  }
  if (ir.dev.value == "minimal") {
    p.mounts.push_back({"dev", "/dev", false, 0, 0, "minimal", ir.dev.loc.str()});
    p.landlock.paths.push_back({"/dev", ll::kRead | LANDLOCK_ACCESS_FS_WRITE_FILE | ll::kIoctlDev,
                                false, ir.dev.loc.str()});
  }
  p.landlock.handled_fs = ll::fs_rights_for_abi(7);
  p.landlock.origin = ir.fs.empty() ? "" : ir.fs.front().loc.str();
}

void lower_network_landlock(const PolicyIR& ir, Plan& p) {
  for (const auto& b : ir.landlock_bind) p.landlock.ports.push_back({b.value, true, b.loc.str()});
  for (const auto& c : ir.landlock_connect)
    p.landlock.ports.push_back({c.value, false, c.loc.str()});
  // `network none|loopback` also becomes Landlock network rules where the kernel has them.
  p.landlock.restrict_net = !p.landlock.ports.empty() || ir.network.value != "host";
  for (const auto& s : ir.landlock_scopes) p.landlock.scopes.push_back(s.value);
  if (!ir.landlock_scopes.empty()) p.landlock.scopes_origin = ir.landlock_scopes.front().loc.str();
  if (auto it = ir.requires_.find("landlock"); it != ir.requires_.end())
    p.landlock.required_abi = std::max(1, it->second.value);
}

void lower_limits(const PolicyIR& ir, Plan& p) {
  static const std::map<std::string, int> kRlimits = {
      {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC}, {"core", RLIMIT_CORE},
      {"fsize", RLIMIT_FSIZE},   {"stack", RLIMIT_STACK}, {"as", RLIMIT_AS}};
  for (const auto& [key, v] : ir.limits) {
    if (auto it = kRlimits.find(key); it != kRlimits.end()) {
      p.rlimits.push_back({key, it->second, v.value, v.loc.str()});
    } else if (key == "memory" || key == "pids") {
      // `none` (UINT64_MAX) removes the limit: no cgroup limit at all, which leaves the
      // caller's own in force; writing 2^64-1 into memory.max or pids.max is not that.
      auto& value = key == "memory" ? p.cgroup.memory_bytes : p.cgroup.pids;
      auto& origin = key == "memory" ? p.cgroup.memory_origin : p.cgroup.pids_origin;
      if (v.value == UINT64_MAX) {
        value.reset();
        origin.clear();
      } else {
        value = v.value;
        origin = v.loc.str();
      }
    } else if (key == "walltime" && v.value != UINT64_MAX) {
      p.walltime_ms = v.value;
      p.walltime_origin = v.loc.str();
    }
  }
  if (ir.devices) {
    std::vector<launcher::Device> devs;
    for (const auto& d : ir.devices->value)
      devs.push_back({std::string(1, d.type), d.major, d.minor, d.name});
    p.cgroup.devices = std::move(devs);
    p.cgroup.devices_origin = ir.devices->loc.str();
  }
  if (ir.cpu) {
    p.cgroup.cpu_quota_us = static_cast<uint32_t>(ir.cpu->value * 100000);
    p.cgroup.cpu_origin = ir.cpu->loc.str();
  }
}

void lower_env(const PolicyIR& ir, Plan& p) {
  p.env.clear = ir.env_clear.value;
  p.env.origin = ir.env_clear.loc.str();
  for (const auto& k : ir.env_keep) p.env.keep.push_back(k.value);
  std::sort(p.env.keep.begin(), p.env.keep.end());
  p.env.keep.erase(std::unique(p.env.keep.begin(), p.env.keep.end()), p.env.keep.end());
  for (const auto& [name, v] : ir.env_set) p.env.set.push_back({name, v.value, v.loc.str()});
}

void lower_mac(const PolicyIR& ir, Plan& p) {
  if (ir.apparmor) {
    p.mac.apparmor = ir.apparmor->value;
    p.mac.apparmor_optional = ir.apparmor_optional;
    p.mac.apparmor_origin = ir.apparmor->loc.str();
  }
  if (ir.selinux) {
    p.mac.selinux = ir.selinux->value;
    p.mac.selinux_optional = ir.selinux_optional;
    p.mac.selinux_origin = ir.selinux->loc.str();
  }
}

std::string policy_hash(const PolicyIR& ir, const policy::CheckOptions& opts) {
  // Of the bytes the checker parsed: a file changed since must not lend its hash to this plan.
  std::string all;
  for (size_t i = 0; i < ir.files.size(); ++i)
    all += ir.files[i] + '\0' + (i < ir.file_texts.size() ? ir.file_texts[i] : "") + '\0';
  for (const auto& [k, v] : opts.vars) all += k + '=' + v + '\0';
  return launcher::fnv1a_hex(all);
}

}  // namespace

Result<Plan> compile_plan(const PolicyIR& ir, const policy::CheckOptions& opts) {
  Plan p;
  p.name = ir.name.value;
  p.policy_files = ir.files;
  p.policy_hash = policy_hash(ir, opts);
  lower_namespaces(ir, p);
  lower_filesystem(ir, p);
  lower_network_landlock(ir, p);
  lower_limits(ir, p);
  lower_env(ir, p);
  lower_mac(ir, p);
  p.capabilities = ir.capabilities.value;
  p.capabilities_origin = ir.capabilities.loc.str();
  for (const auto& [mech, lvl] : ir.requires_) p.requires_[mech] = lvl.value;
  auto sc = build_seccomp(ir);
  if (!sc) return tl::unexpected(sc.error().wrap("seccomp"));
  p.seccomp = std::move(*sc);
  return p;
}

Result<Plan> compile_file(const std::string& path, const policy::CheckOptions& opts,
                          policy::Diagnostics& diags, PolicyIR* ir_out) {
  PolicyIR ir = policy::check_policy_file(path, opts, diags);
  if (diags.has_errors())
    return fail(fmt::format("{}: {} error{}", path, diags.error_count(),
                            diags.error_count() == 1 ? "" : "s"));
  auto plan = compile_plan(ir, opts);
  if (ir_out) *ir_out = std::move(ir);
  return plan;
}

}  // namespace cordon::compiler
