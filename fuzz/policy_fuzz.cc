// AFL++ harness: one input is one policy file. It is checked (parse, resolve, check) as if it
// were /tmp/fuzz.cordon with profiles/lib as the include search path, its diagnostics are
// rendered (both the normal and the verbose listing), and when it has no errors it is compiled
// to a Plan (seccomp lowering, BPF export, self-check). Any crash, abort or hang is a bug; an
// error result from compile_plan is not (it is reported, like a policy error).
//
// Built with afl-clang-fast++, this is a persistent-mode harness (shared-memory test cases,
// __AFL_LOOP). Built with any other compiler it reads one input from the file named by argv[1]
// (or stdin) and runs it once, which is how a crashing input is reproduced under a debugger or
// a sanitizer build. Set CORDON_FUZZ_VERBOSE=1 to print the diagnostics and compile result.

#include <cstdint>
#include <cstdio>
#include <string>

#include "compiler/compile.h"
#include "fuzz/harness_main.h"
#include "policy/checker.h"
#include "policy/diagnostics.h"

#ifndef CORDON_FUZZ_SEARCH_PATH
#error "CORDON_FUZZ_SEARCH_PATH must name profiles/lib (set by fuzz/CMakeLists.txt)"
#endif

namespace {

const cordon::policy::CheckOptions& options() {
  // Fixed variables, so a run does not depend on who runs it and the policy hash is stable.
  static const cordon::policy::CheckOptions opts = [] {
    cordon::policy::CheckOptions o;
    o.vars = {{"HOME", "/home/fuzz"}, {"PWD", "/home/fuzz/work"},
              {"UID", "1000"},        {"GID", "1000"},
              {"USER", "fuzz"},       {"XDG_RUNTIME_DIR", "/run/user/1000"}};
    o.search_path = {CORDON_FUZZ_SEARCH_PATH};
    return o;
  }();
  return opts;
}

bool g_verbose = false;

void run_one(const uint8_t* data, size_t len) {
  std::string text(reinterpret_cast<const char*>(data), len);
  cordon::policy::Diagnostics diags;
  cordon::policy::PolicyIR ir =
      cordon::policy::check_policy_text("/tmp/fuzz.cordon", std::move(text), options(), diags);
  // Rendering walks every diagnostic's location back into its source line: exercise it always.
  std::string rendered = diags.render(false);
  std::string rendered_verbose = diags.render(true);
  if (g_verbose) std::fputs(rendered_verbose.c_str(), stderr);
  if (diags.has_errors()) return;
  auto plan = cordon::compiler::compile_plan(ir, options());
  if (g_verbose) {
    if (plan)
      std::fprintf(stderr, "compiled: %zu BPF instructions, %zu seccomp rows\n",
                   plan->seccomp.program.size(), plan->seccomp.rules.size());
    else
      std::fprintf(stderr, "compile error: %s\n", plan.error().message().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Warm the lazily built tables (syscall names, constants, signatures) before the fork server
  // starts, so each child does not pay for them.
  static constexpr std::string_view kWarm = "cordon 1\ninclude \"base.cordon\"\n";
  return cordon::fuzz::harness_main("policy_fuzz", kWarm, run_one, g_verbose, argc, argv);
}
