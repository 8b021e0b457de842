#include "launcher/plan.h"

#include <fmt/format.h>

namespace cordon::launcher {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Namespaces, user, pid, mount, ipc, uts, net, cgroup,
                                                origin, nested_user, nested_user_origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Mount, kind, path, optional, size, mode, dev,
                                                origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Device, type, major, minor, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EnvSet, name, value, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Env, clear, keep, set, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Rlimit, name, resource, value, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LandlockPath, path, access, optional, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LandlockPort, port, bind, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Landlock, handled_fs, restrict_net, paths, ports,
                                                scopes, scopes_origin, required_abi, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Mac, apparmor, apparmor_optional, selinux,
                                                selinux_optional, apparmor_origin, selinux_origin,
                                                generated_profile, generated_name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SeccompRule, syscall, arch, nr, action, ret,
                                                condition, via_group, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExecMediation, on, ret, action, origin)

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
          {"rules", s.rules},
          {"exec_mediation", s.exec_mediation}};
}

// A Plan holds integers and strings only. A number with a fraction or an exponent is not one
// the writer makes, and converting one to an integer type that cannot hold it is undefined
// behaviour (nlohmann's get<int> is a plain cast). A string with a NUL would reach the kernel cut
// short: a mount of "/\u0000etc" binds "/". Both are refused anywhere in the document, before
// anything is converted. Iterative, because the parser accepts any nesting depth.
Result<void> check_values(const nlohmann::json& root) {
  std::vector<const nlohmann::json*> todo{&root};
  while (!todo.empty()) {
    const nlohmann::json& v = *todo.back();
    todo.pop_back();
    if (v.is_structured()) {
      for (const auto& child : v) todo.push_back(&child);
    } else if (v.is_number_float()) {
      return fail(fmt::format("malformed plan: {} is not an integer", v.dump()));
    } else if (v.is_string() && v.get_ref<const std::string&>().find('\0') != std::string::npos) {
      return fail("malformed plan: a string holds a NUL character");
    }
  }
  return {};
}

// Exact equality of two leaves. nlohmann's own == compares a signed and an unsigned integer after
// a cast, so -1 == 18446744073709551615 there.
bool same_leaf(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_integer() && b.is_number_integer() &&
      a.is_number_unsigned() != b.is_number_unsigned()) {
    const nlohmann::json& s = a.is_number_unsigned() ? b : a;  // the signed one
    const nlohmann::json& u = a.is_number_unsigned() ? a : b;
    return s.get<int64_t>() >= 0 && static_cast<uint64_t>(s.get<int64_t>()) == u.get<uint64_t>();
  }
  return a == b;
}

// Every value the reader took from `in` must be what it reads back as: get<uint16_t>(65536) is
// 0, get<int>(4294967317) is 21 (CAP_SYS_ADMIN), get<uint64_t>(-1) is 2^64-1. The writer's form
// of the plan read (`out`) is compared leaf by leaf with the same place in the input; a
// difference is a value the reader would have changed, and the plan is refused rather than
// guessed at.
Result<void> check_read_exactly(const nlohmann::json& in, const nlohmann::json& out,
                                const nlohmann::json::json_pointer& at) {
  if (out.is_object()) {
    for (const auto& [key, child] : out.items())
      if (auto r = check_read_exactly(in, child, at / key); !r) return r;
  } else if (out.is_array()) {
    for (size_t i = 0; i < out.size(); ++i)
      if (auto r = check_read_exactly(in, out[i], at / i); !r) return r;
  } else if (in.contains(at)) {
    const nlohmann::json& given = in.at(at);
    if (given.is_primitive() && !same_leaf(given, out))
      return fail(
          fmt::format("malformed plan: {}: {} does not fit this field (it would read as {})",
                      at.to_string(), given.dump(), out.dump()));
  }
  return {};
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
  s.exec_mediation = j.value("exec_mediation", ExecMediation{});
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
  if (p.cgroup.devices) {
    cg["devices"] = *p.cgroup.devices;
    cg["devices_origin"] = p.cgroup.devices_origin;
  }
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
    if (auto r = check_values(j); !r) return tl::unexpected(r.error());
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
    if (cg.contains("devices")) {
      p.cgroup.devices = cg.at("devices").get<std::vector<Device>>();
      p.cgroup.devices_origin = cg.value("devices_origin", "");
      for (const auto& d : *p.cgroup.devices)
        if ((d.type != "c" && d.type != "b") || d.major >= (1u << 12) || d.minor < -1 ||
            d.minor >= (1 << 20))
          return fail(fmt::format("malformed plan: device {} {}:{} is not a device number", d.type,
                                  d.major, d.minor));
    }
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
    // The launcher hands mount paths to lstat and mount(2) and strips the leading '/' for the
    // *at() calls beneath the new root: a path that is missing (read as "") or relative is not
    // a plan the compiler writes.
    for (size_t i = 0; i < p.mounts.size(); ++i)
      if (p.mounts[i].path.empty() || p.mounts[i].path[0] != '/')
        return fail(fmt::format("malformed plan: mount {} ({}): the path '{}' is not absolute", i,
                                p.mounts[i].kind, p.mounts[i].path));
    if (auto r = check_read_exactly(j, plan_to_json(p), nlohmann::json::json_pointer{}); !r)
      return tl::unexpected(r.error());
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
