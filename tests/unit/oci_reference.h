// A reference for OCI seccomp profiles, independent of cordon's compiler and importer: builds
// the filter from a runtime-spec `linux.seccomp` object the way runc and crun do (libseccomp,
// one rule per name and entry; comparisons of one entry ANDed, several on the same argument
// added as separate rules; names libseccomp cannot resolve skipped), and compares two filters
// decision by decision.
#pragma once

#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "compiler/bpf.h"
#include "launcher/plan.h"
#include "policy/syscall_signatures.h"

namespace cordon::testing {

// A result of the plan's filter as the app meets it: cordon's supervisor answers a mediated
// execveat (USER_NOTIF) with the policy's own action for it, once it has exec'd the app. (The
// tests' policies have no `notify` rule of their own, so USER_NOTIF is execveat's.)
inline uint32_t as_the_app_sees(const launcher::Seccomp& sc, uint32_t ret) {
  return sc.exec_mediation.on && ret == SCMP_ACT_NOTIFY ? sc.exec_mediation.ret : ret;
}

inline uint32_t oci_action_value(const std::string& action, const nlohmann::json& errno_ret) {
  if (action == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (action == "SCMP_ACT_ERRNO")
    return SCMP_ACT_ERRNO(errno_ret.is_number() ? errno_ret.get<uint16_t>() : EPERM);
  if (action == "SCMP_ACT_KILL" || action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (action == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (action == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  if (action == "SCMP_ACT_TRACE")
    return SCMP_ACT_TRACE(errno_ret.is_number() ? errno_ret.get<uint16_t>() : EPERM);
  ADD_FAILURE() << "unknown action " << action;
  return SCMP_ACT_KILL_PROCESS;
}

inline scmp_compare oci_op_value(const std::string& op) {
  static const std::map<std::string, scmp_compare> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(op);
  if (it == kOps.end()) ADD_FAILURE() << "unknown operator " << op;
  return it == kOps.end() ? SCMP_CMP_EQ : it->second;
}

// `entries` are the syscall entries to add (already filtered for includes/excludes where the
// profile has them). Returns an empty program (after a test failure) when libseccomp refuses.
inline std::vector<sock_filter> oci_reference_filter(const nlohmann::json& seccomp,
                                                     const nlohmann::json& entries) {
  std::unique_ptr<void, void (*)(void*)> ctx(
      seccomp_init(oci_action_value(seccomp.at("defaultAction"),
                                    seccomp.value("defaultErrnoRet", nlohmann::json()))),
      seccomp_release);
  if (!ctx) {
    ADD_FAILURE() << "seccomp_init";
    return {};
  }
  for (const auto& a : seccomp.value("architectures", nlohmann::json::array())) {
    std::string name = a.get<std::string>().substr(10);  // SCMP_ARCH_X86_64 -> X86_64
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint32_t token = seccomp_arch_resolve_name(name.c_str());
    if (token == 0) {
      ADD_FAILURE() << "unknown architecture " << a;
      return {};
    }
    int rc = seccomp_arch_add(ctx.get(), token);
    EXPECT_TRUE(rc == 0 || rc == -EEXIST) << "seccomp_arch_add " << name << ": " << rc;
  }
  for (const auto& e : entries) {
    uint32_t action = oci_action_value(e.at("action"), e.value("errnoRet", nlohmann::json()));
    std::vector<scmp_arg_cmp> cmps;
    std::set<unsigned> indexes;
    bool repeated = false;
    for (const auto& a : e.value("args", nlohmann::json::array())) {
      scmp_arg_cmp c{a.at("index").get<unsigned>(), oci_op_value(a.at("op")),
                     a.at("value").get<uint64_t>(), a.value("valueTwo", uint64_t{0})};
      repeated = repeated || !indexes.insert(c.arg).second;
      cmps.push_back(c);
    }
    for (const auto& n : e.at("names")) {
      int nr = seccomp_syscall_resolve_name(n.get<std::string>().c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // runc and crun skip names libseccomp lacks
      std::vector<std::vector<scmp_arg_cmp>> rules;
      if (repeated)
        for (const auto& c : cmps) rules.push_back({c});
      else
        rules.push_back(cmps);
      for (const auto& r : rules) {
        int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(r.size()),
                                        r.data());
        if (rc < 0 && rc != -EEXIST) {
          ADD_FAILURE() << "seccomp_rule_add " << n << ": " << strerror(-rc);
          return {};
        }
      }
    }
  }
  int fd = memfd_create("oci-ref", MFD_CLOEXEC);
  std::vector<uint8_t> bytes;
  if (fd >= 0 && seccomp_export_bpf(ctx.get(), fd) == 0) {
    bytes.resize(static_cast<size_t>(lseek(fd, 0, SEEK_END)));
    EXPECT_EQ(pread(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  if (fd >= 0) close(fd);
  auto prog = compiler::parse_program(bytes);
  if (!prog) {
    ADD_FAILURE() << "exported filter: " << prog.error().message();
    return {};
  }
  return *prog;
}

// Argument values where filters built from the same comparisons could differ, per argument
// index: 0, all ones, 32-bit boundaries, and every value the entries compare that argument
// with, its neighbours and its 32-bit halves.
inline std::map<unsigned, std::set<uint64_t>> probe_values(const nlohmann::json& entries) {
  std::map<unsigned, std::set<uint64_t>> v;
  for (const auto& e : entries)
    for (const auto& a : e.value("args", nlohmann::json::array())) {
      auto& s = v[a.at("index").get<unsigned>()];
      for (const char* k : {"value", "valueTwo"}) {
        uint64_t x = a.value(k, uint64_t{0});
        for (uint64_t y : std::initializer_list<uint64_t>{
                 x, x - 1, x + 1, x | 0xffffffff00000000ull, x & 0xffffffffull, ~x})
          s.insert(y);
      }
    }
  for (auto& [i, s] : v) s.insert({0, 1, ~0ull, 0xffffffffull, 0x80000000ull, 0x100000000ull});
  return v;
}

// Compares two filters on every syscall number in [0, max_nr] of `arch`. A syscall that the
// entries test arguments of gets the cross product of the probe values of those arguments (at
// most 20000 cases, sampled); every other one all-zero arguments and all-ones. Returns the
// number of (syscall, arguments) cases compared; each difference is a test failure.
// With `kernel_width_only`, argument values are cut to the width the kernel reads the argument
// with (32 bits for an int): for comparing a cordon filter with a profile that compares all 64
// bits, where the two differ on purpose only on bits the kernel ignores.
inline size_t compare_filters(const std::vector<sock_filter>& want,
                              const std::vector<sock_filter>& got, uint32_t arch, int max_nr,
                              const nlohmann::json& entries, const std::string& what,
                              bool kernel_width_only = false,
                              const launcher::Seccomp* want_plan = nullptr) {
  // The argument indexes each syscall's entries compare, and their probe values.
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& e : entries)
    if (e.contains("args"))
      for (const auto& n : e.at("names")) by_name[n.get<std::string>()].push_back(e);
  size_t n = 0, reported = 0;
  std::mt19937_64 rng(arch);
  for (int nr = 0; nr <= max_nr; ++nr) {
    std::vector<std::array<uint64_t, 6>> cases = {{}, {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull}};
    char* name = seccomp_syscall_resolve_num_arch(arch, nr);
    if (name) {
      auto it = by_name.find(name);
      free(name);
      const policy::SyscallSignature* sig =
          policy::find_signature(it == by_name.end() ? "" : it->first);
      if (it != by_name.end())
        for (auto [index, vals] : probe_values(it->second)) {
          if (index >= 6) continue;
          if (kernel_width_only && sig && index < sig->nargs && sig->args[index].bits < 64) {
            std::set<uint64_t> cut;
            for (uint64_t x : vals) cut.insert(x & ((1ull << sig->args[index].bits) - 1));
            vals = std::move(cut);
          }
          std::vector<std::array<uint64_t, 6>> next;
          for (const auto& c : cases)
            for (uint64_t x : vals) {
              auto d = c;
              d[index] = x;
              next.push_back(d);
            }
          if (next.size() > 20000) {
            std::shuffle(next.begin(), next.end(), rng);
            next.resize(20000);
          }
          cases = std::move(next);
        }
    }
    for (const auto& args : cases) {
      compiler::SeccompData d;
      d.nr = nr;
      d.arch = arch;
      std::copy(args.begin(), args.end(), d.args);
      uint32_t w = compiler::run_validated_program(want, d);
      if (want_plan) w = as_the_app_sees(*want_plan, w);
      uint32_t g = compiler::run_validated_program(got, d);
      ++n;
      if (w != g && reported++ < 20)
        ADD_FAILURE() << what << ": syscall " << nr << " (" << std::hex << args[0] << ", "
                      << args[1] << ", " << args[2] << ", " << args[3] << ", " << args[4] << ", "
                      << args[5] << std::dec << "): reference " << compiler::describe_action(w)
                      << ", cordon " << compiler::describe_action(g);
    }
  }
  return n;
}

}  // namespace cordon::testing
