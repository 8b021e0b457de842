#include "launcher/plan.h"

#include <fmt/format.h>

namespace cordon::launcher {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Namespaces, user, pid, mount, ipc, uts, net, cgroup,
                                                origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Mount, kind, path, optional, size, mode, dev,
                                                origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EnvSet, name, value, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Env, clear, keep, set, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Rlimit, name, resource, value, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LandlockPath, path, access, optional, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LandlockPort, port, bind, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Landlock, handled_fs, restrict_net, paths, ports,
                                                scopes, required_abi, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Mac, apparmor, apparmor_optional, selinux,
                                                selinux_optional, apparmor_origin, selinux_origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SeccompRule, syscall, arch, nr, action, ret,
                                                condition, via_group, origin)

namespace {

template <typename T>
void put_opt(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  j[key] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
template <typename T>
void get_opt(const nlohmann::json& j, const char* key, std::optional<T>& v) {
  if (j.contains(key) && !j[key].is_null()) v = j[key].get<T>();
}

nlohmann::json seccomp_to_json(const Seccomp& s) {
  nlohmann::json prog = nlohmann::json::array();
  for (const auto& i : s.program) prog.push_back({i.code, i.jt, i.jf, i.k});
  return {{"arches", s.arches},
          {"default_action", s.default_action},
          {"default_ret", s.default_ret},
          {"default_origin", s.default_origin},
          {"log", s.log},
          {"program", prog},
          {"program_hash", s.program_hash},
          {"rules", s.rules}};
}

Seccomp seccomp_from_json(const nlohmann::json& j) {
  Seccomp s;
  s.arches = j.at("arches").get<std::vector<std::string>>();
  s.default_action = j.at("default_action").get<std::string>();
  s.default_ret = j.at("default_ret").get<uint32_t>();
  s.default_origin = j.value("default_origin", "");
  s.log = j.value("log", false);
  for (const auto& i : j.at("program")) {
    if (!i.is_array() || i.size() != 4) throw std::runtime_error("malformed BPF instruction");
    s.program.push_back(
        {i[0].get<uint16_t>(), i[1].get<uint8_t>(), i[2].get<uint8_t>(), i[3].get<uint32_t>()});
  }
  s.program_hash = j.value("program_hash", "");
  s.rules = j.value("rules", std::vector<SeccompRule>{});
  return s;
}

}  // namespace

nlohmann::json plan_to_json(const Plan& p) {
  nlohmann::json j;
  j["version"] = p.version;
  j["name"] = p.name;
  j["policy_hash"] = p.policy_hash;
  j["policy_files"] = p.policy_files;
  j["namespaces"] = p.namespaces;
  j["network"] = {{"mode", p.network}, {"origin", p.network_origin}};
  nlohmann::json id;
  put_opt(id, "uid", p.identity.uid);
  put_opt(id, "gid", p.identity.gid);
  id["origin"] = p.identity.origin;
  j["identity"] = id;
  j["hostname"] = {{"name", p.hostname}, {"origin", p.hostname_origin}};
  j["mounts"] = p.mounts;
  j["env"] = p.env;
  j["rlimits"] = p.rlimits;
  nlohmann::json cg;
  put_opt(cg, "memory_bytes", p.cgroup.memory_bytes);
  put_opt(cg, "pids", p.cgroup.pids);
  put_opt(cg, "cpu_quota_us", p.cgroup.cpu_quota_us);
  cg["memory_origin"] = p.cgroup.memory_origin;
  cg["pids_origin"] = p.cgroup.pids_origin;
  cg["cpu_origin"] = p.cgroup.cpu_origin;
  j["cgroup"] = cg;
  nlohmann::json wt;
  put_opt(wt, "ms", p.walltime_ms);
  wt["origin"] = p.walltime_origin;
  j["walltime"] = wt;
  j["capabilities"] = {{"bounding", p.capabilities}, {"origin", p.capabilities_origin}};
  j["no_new_privs"] = p.no_new_privs;
  j["landlock"] = p.landlock;
  j["mac"] = p.mac;
  j["seccomp"] = seccomp_to_json(p.seccomp);
  j["requires"] = p.requires_;
  return j;
}

Result<Plan> plan_from_json(const nlohmann::json& j) {
  try {
    Plan p;
    int version = j.at("version").get<int>();
    if (version != kPlanVersion)
      return fail(fmt::format("plan version {} is not supported (this cordon reads version {})",
                              version, kPlanVersion));
    p.name = j.value("name", "");
    p.policy_hash = j.value("policy_hash", "");
    p.policy_files = j.value("policy_files", std::vector<std::string>{});
    p.namespaces = j.at("namespaces").get<Namespaces>();
    p.network = j.at("network").at("mode").get<std::string>();
    p.network_origin = j.at("network").value("origin", "");
    get_opt(j.at("identity"), "uid", p.identity.uid);
    get_opt(j.at("identity"), "gid", p.identity.gid);
    p.identity.origin = j.at("identity").value("origin", "");
    p.hostname = j.at("hostname").value("name", "");
    p.hostname_origin = j.at("hostname").value("origin", "");
    p.mounts = j.at("mounts").get<std::vector<Mount>>();
    p.env = j.at("env").get<Env>();
    p.rlimits = j.at("rlimits").get<std::vector<Rlimit>>();
    const auto& cg = j.at("cgroup");
    get_opt(cg, "memory_bytes", p.cgroup.memory_bytes);
    get_opt(cg, "pids", p.cgroup.pids);
    get_opt(cg, "cpu_quota_us", p.cgroup.cpu_quota_us);
    p.cgroup.memory_origin = cg.value("memory_origin", "");
    p.cgroup.pids_origin = cg.value("pids_origin", "");
    p.cgroup.cpu_origin = cg.value("cpu_origin", "");
    get_opt(j.at("walltime"), "ms", p.walltime_ms);
    p.walltime_origin = j.at("walltime").value("origin", "");
    p.capabilities = j.at("capabilities").at("bounding").get<std::vector<int>>();
    p.capabilities_origin = j.at("capabilities").value("origin", "");
    p.no_new_privs = j.at("no_new_privs").get<bool>();
    if (!p.no_new_privs) return fail("plan turns no_new_privs off; cordon always sets it");
    p.landlock = j.at("landlock").get<Landlock>();
    p.mac = j.at("mac").get<Mac>();
    p.seccomp = seccomp_from_json(j.at("seccomp"));
    p.requires_ = j.value("requires", std::map<std::string, int>{});
    return p;
  } catch (const std::exception& e) {
    return fail(fmt::format("malformed plan: {}", e.what()));
  }
}

Result<Plan> plan_from_text(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail("malformed plan: not JSON");
  return plan_from_json(j);
}

std::string fnv1a_hex(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace cordon::launcher
