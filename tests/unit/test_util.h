// Shared helpers for policy tests: compile policy text the way `cordon compile` does.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/socket.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compiler/bpf.h"
#include "compiler/compile.h"
#include "compiler/seccomp.h"
#include "policy/checker.h"
#include "policy/diagnostics.h"
#include "policy/syscall_names.h"

namespace cordon::testing {

struct Compiled {
  policy::Diagnostics diags;
  policy::PolicyIR ir;
  std::optional<launcher::Plan> plan;
  std::string compile_error;
  std::string rendered() const { return diags.render(true); }
};

inline policy::CheckOptions test_options() {
  policy::CheckOptions o;
  o.vars = {{"HOME", "/home/tester"}, {"PWD", "/work/dir"}, {"UID", "1000"}, {"GID", "1000"}};
  o.search_path = {std::string(CORDON_PROFILES_DIR) + "/lib", CORDON_PROFILES_DIR};
  return o;
}

// test_options() plus a value for every variable a shipped profile requires with --set
// (git's REPO, the services' configuration and data paths and ports).
inline policy::CheckOptions shipped_profile_options() {
  policy::CheckOptions o = test_options();
  for (const auto& [k, v] : std::initializer_list<std::pair<const char*, const char*>>{
           {"REPO", "/srv/repo.git"},
           {"CONF", "/srv/conf/service.conf"},
           {"ROOT", "/srv/www"},
           {"STATE", "/srv/state"},
           {"DATA", "/srv/data"},
           {"PORT", "8080"},
           {"IN", "/srv/in.png"},
           {"OUT", "/srv/out"}})
    o.vars[k] = v;
  return o;
}

struct ShippedProfile {
  std::filesystem::path path;
  launcher::Plan plan;
  policy::PolicyIR ir;
};

// Every shipped profile (profiles/**.cordon), compiled with shipped_profile_options(). One that
// does not compile is a test failure and is left out.
inline std::vector<ShippedProfile> compile_shipped_profiles() {
  std::vector<ShippedProfile> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CORDON_PROFILES_DIR)) {
    if (e.path().extension() != ".cordon") continue;
    policy::Diagnostics d;
    policy::PolicyIR ir;
    auto plan = compiler::compile_file(e.path().string(), shipped_profile_options(), d, &ir);
    if (!plan) {
      ADD_FAILURE() << e.path() << ": " << d.render(false) << plan.error().message();
      continue;
    }
    out.push_back({e.path(), std::move(*plan), std::move(ir)});
  }
  return out;
}

inline Compiled compile_text(const std::string& text, const std::string& path = "t.cordon") {
  Compiled c;
  auto opts = test_options();
  c.ir = policy::check_policy_text(path, text, opts, c.diags);
  if (!c.diags.has_errors()) {
    auto p = compiler::compile_plan(c.ir, opts);
    if (p)
      c.plan = std::move(*p);
    else
      c.compile_error = p.error().message();
  }
  return c;
}

// The filter's verdict for a syscall on the native architecture.
inline uint32_t verdict(const launcher::Plan& plan, const std::string& syscall,
                        std::array<uint64_t, 6> args = {}, uint32_t arch = 0) {
  compiler::SeccompData d;
  d.arch = arch ? arch : policy::native_arch();
  d.nr = *policy::syscall_number(syscall, d.arch);
  std::copy(args.begin(), args.end(), d.args);
  auto r = compiler::run_program(plan.seccomp.program, d);
  return r ? *r : 0xdeadbeef;
}

}  // namespace cordon::testing
