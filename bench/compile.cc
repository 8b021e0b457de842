// bench_compile: what cordon's front end and compiler cost, against writing the same seccomp
// filter by hand with libseccomp.
//
//   cordon     check_policy_file(profiles/lib/service.cordon) + compile_plan(): read and parse
//              the policy and its includes, resolve and check everything, lower the whole Plan
//              (mounts, Landlock, limits, env…), lower the syscall rules to first-match regions
//              in libseccomp, export the BPF and self-check it at every boundary value.
//   libseccomp seccomp_init + seccomp_rule_add + seccomp_export_bpf to a memfd, from the
//              already-checked PolicyIR (built once, outside the timing): the default action,
//              the same architectures and attributes (bad-arch kill, binary-tree optimisation),
//              and per syscall the action of its first unconditional rule. Conditional rules
//              are NOT added (their count is printed), so the baseline filter is smaller than
//              cordon's; no parsing, no checking, no first-match lowering, no self-check.
//
// Both run interleaved in one process (alternating which goes first) after one untimed warm-up
// each. Usage: bench_compile [--iterations N]   (default 50)
#include "compiler/compile.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "compiler/seccomp.h"
#include "policy/checker.h"
#include "policy/diagnostics.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Stats {
  double median = 0, p90 = 0, min = 0;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Stats s;
  size_t n = v.size();
  s.min = v.front();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  // Nearest rank.
  size_t rank = (n * 90 + 99) / 100;
  s.p90 = v[std::max<size_t>(rank, 1) - 1];
  return s;
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "bench_compile: %s\n", msg.c_str());
  std::exit(1);
}

// One cordon run: check + compile. Returns the BPF length; the split goes to check_ms.
size_t run_cordon(const std::string& path, const cordon::policy::CheckOptions& opts,
                  double* check_ms) {
  auto t0 = Clock::now();
  cordon::policy::Diagnostics diags;
  cordon::policy::PolicyIR ir = cordon::policy::check_policy_file(path, opts, diags);
  if (diags.has_errors()) die("policy errors:\n" + diags.render(false));
  *check_ms = ms_since(t0);
  auto plan = cordon::compiler::compile_plan(ir, opts);
  if (!plan) die("compile failed: " + plan.error().message());
  return plan->seccomp.program.size();
}

struct BaselineShape {
  size_t rules_added = 0, conditional_skipped = 0, same_as_default = 0, unknown = 0;
};

// The hand-written filter: libseccomp only, from the checked IR.
size_t run_libseccomp(const cordon::policy::PolicyIR& ir, BaselineShape* shape) {
  BaselineShape sh;
  uint32_t def_ret = cordon::compiler::seccomp_ret(ir.default_action.value);
  scmp_filter_ctx ctx = seccomp_init(def_ret);
  if (!ctx) die("seccomp_init failed");
  seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (const auto& a : ir.arches.value) {
    uint32_t token = seccomp_arch_resolve_name(a.c_str());
    if (token == 0) die("unknown architecture " + a);
    if (token == seccomp_arch_native()) continue;
    int rc = seccomp_arch_add(ctx, token);
    if (rc < 0 && rc != -EEXIST) die("seccomp_arch_add " + a + ": " + std::strerror(-rc));
  }
  for (const auto& [name, rules] : ir.syscalls) {
    // The first unconditional rule decides everything no earlier conditional rule took.
    const cordon::policy::SyscallRuleIR* decider = nullptr;
    for (const auto& r : rules) {
      if (!r.condition) {
        decider = &r;
        break;
      }
      ++sh.conditional_skipped;
    }
    if (!decider) continue;
    uint32_t ret = cordon::compiler::seccomp_ret(decider->action);
    if (ret == def_ret) {
      ++sh.same_as_default;  // libseccomp refuses a rule that repeats the default
      continue;
    }
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      ++sh.unknown;
      continue;
    }
    int rc = seccomp_rule_add(ctx, ret, nr, 0);
    if (rc < 0 && rc != -EEXIST) die("seccomp_rule_add " + name + ": " + std::strerror(-rc));
    ++sh.rules_added;
  }
  int fd = memfd_create("bench-bpf", MFD_CLOEXEC);
  if (fd < 0) die(std::string("memfd_create: ") + std::strerror(errno));
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) die(std::string("seccomp_export_bpf: ") + std::strerror(-rc));
  off_t size = lseek(fd, 0, SEEK_END);
  // Read the program back, as cordon does, so both end with the instructions in memory.
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(fd, prog.data(), prog.size() * sizeof(sock_filter), 0) != size) die("short read");
  close(fd);
  seccomp_release(ctx);
  if (shape) *shape = sh;
  return prog.size();
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 50;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) {
      iterations = std::atoi(argv[++i]);
    } else if (a.rfind("--iterations=", 0) == 0) {
      iterations = std::atoi(a.c_str() + 13);
    } else {
      std::fprintf(stderr, "usage: %s [--iterations N]\n", argv[0]);
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (iterations < 1) die("--iterations must be at least 1");

  const std::string lib = std::string(CORDON_PROFILES_DIR) + "/lib";
  const std::string path = lib + "/service.cordon";
  cordon::policy::CheckOptions opts;
  opts.vars = cordon::policy::caller_vars();
  opts.search_path = {lib};

  // The baseline's input: the checked IR, built once and not timed.
  cordon::policy::Diagnostics diags;
  cordon::policy::PolicyIR ir = cordon::policy::check_policy_file(path, opts, diags);
  if (diags.has_errors()) die("policy errors:\n" + diags.render(false));
  size_t total_rules = 0, conditional = 0;
  for (const auto& [name, rules] : ir.syscalls) {
    total_rules += rules.size();
    for (const auto& r : rules) conditional += r.condition ? 1 : 0;
  }

  // Warm-up (page faults, lazily built tables, libseccomp's syscall tables).
  double check_ms = 0;
  size_t cordon_insns = run_cordon(path, opts, &check_ms);
  BaselineShape shape;
  size_t base_insns = run_libseccomp(ir, &shape);

  std::vector<double> t_cordon, t_check, t_base;
  for (int i = 0; i < iterations; ++i) {
    auto cordon_once = [&] {
      auto t0 = Clock::now();
      run_cordon(path, opts, &check_ms);
      t_cordon.push_back(ms_since(t0));
      t_check.push_back(check_ms);
    };
    auto base_once = [&] {
      auto t0 = Clock::now();
      run_libseccomp(ir, nullptr);
      t_base.push_back(ms_since(t0));
    };
    if (i % 2 == 0) {
      cordon_once();
      base_once();
    } else {
      base_once();
      cordon_once();
    }
  }

  Stats c = stats(t_cordon), k = stats(t_check), b = stats(t_base);
  std::printf("policy: %s (%zu files with its includes)\n", path.c_str(), ir.files.size());
  std::printf("  %zu syscalls with rules, %zu rules (%zu conditional), arches:", ir.syscalls.size(),
              total_rules, conditional);
  for (const auto& a : ir.arches.value) std::printf(" %s", a.c_str());
  std::printf("\n\n");
  std::printf(
      "cordon     = check_policy_file + compile_plan: parse, resolve, check, lower the\n"
      "             whole Plan, first-match seccomp lowering incl. conditions, export,\n"
      "             self-check of the BPF\n");
  std::printf(
      "libseccomp = seccomp_init + seccomp_rule_add + seccomp_export_bpf (memfd) from the\n"
      "             pre-checked IR: same default, arches, bad-arch action, optimisation;\n"
      "             per syscall only its first unconditional rule (%zu rules added,\n"
      "             %zu conditional rules NOT added, %zu same as default, %zu unknown names).\n"
      "             No parsing, no checking, no first-match lowering, no self-check.\n\n",
      shape.rules_added, shape.conditional_skipped, shape.same_as_default, shape.unknown);
  std::printf("%d iterations, interleaved, after one warm-up each; wall time in ms\n", iterations);
  std::printf("  %-26s %9s %9s %9s\n", "", "median", "p90", "min");
  std::printf("  %-26s %9.3f %9.3f %9.3f\n", "cordon (check + compile)", c.median, c.p90, c.min);
  std::printf("  %-26s %9.3f %9.3f %9.3f\n", "  of which check", k.median, k.p90, k.min);
  std::printf("  %-26s %9.3f %9.3f %9.3f\n", "libseccomp baseline", b.median, b.p90, b.min);
  std::printf("  ratio cordon/libseccomp: median %.1fx, p90 %.1fx\n\n", c.median / b.median,
              c.p90 / b.p90);
  std::printf("BPF instructions: cordon %zu, libseccomp baseline %zu (no argument conditions)\n",
              cordon_insns, base_insns);
  return 0;
}
