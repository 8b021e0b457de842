// The seccomp backend: lowers a policy's syscall rules to a BPF program with libseccomp.
//
// The language's rules are ordered (first match wins), but libseccomp's are not: overlapping
// rules with different actions resolve by libseccomp's own merging, and an unconditional rule
// swallows conditional ones. So each rule is lowered to the region where it really decides —
// its condition AND NOT every earlier rule's — in disjunctive normal form; the regions of one
// syscall are disjoint, which makes the result independent of libseccomp's ordering. Arguments
// narrower than 64 bits (int, umode_t) are compared on the bits the kernel uses, and several
// tests of one argument in a conjunction (which libseccomp refuses) become exact sets of masked
// comparisons. Finally, the exported BPF is run in the userspace evaluator against the rules'
// meaning at every boundary value, and any disagreement fails the compile.
#pragma once

#include <linux/filter.h>
#include <seccomp.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "launcher/plan.h"
#include "policy/ir.h"

namespace cordon::compiler {

uint32_t seccomp_ret(const policy::ResolvedAction& a);

// One libseccomp rule after lowering: the comparisons (at most one per argument, ANDed) under
// which `syscall` gets `ret`. The rules of one syscall are disjoint, so their order does not
// matter, and together with the default they are the whole filter: exactly what an OCI
// runtime's `linux.seccomp.syscalls` entries give libseccomp.
struct LoweredRule {
  std::string syscall;
  int nr = 0;  // native number (libseccomp resolves it per architecture)
  uint32_t ret = 0;
  std::vector<scmp_arg_cmp> cmps;
  const policy::SyscallRuleIR* rule = nullptr;  // the policy rule whose region this is
};

struct LoweredSeccomp {
  uint32_t default_ret = 0;
  std::vector<uint32_t> arches;  // libseccomp tokens (AUDIT_ARCH_*)
  std::vector<LoweredRule> rules;
};

// A libseccomp context, released on destruction.
struct SeccompCtxDeleter {
  void operator()(void* c) const { seccomp_release(c); }
};
using SeccompCtx = std::unique_ptr<void, SeccompCtxDeleter>;

// The context's filter as BPF (seccomp_export_bpf through a memfd), parsed.
Result<std::vector<sock_filter>> export_bpf(void* ctx);

// Runs `build` — a function that builds a filter with libseccomp — in a child process with a
// time limit (libseccomp's merging cannot be interrupted and runs for minutes on some rule
// sets): the result, the child's error, or `timeout_message` formatted with the limit in
// seconds.
Result<std::vector<sock_filter>> build_in_child(
    const std::function<Result<std::vector<sock_filter>>()>& build,
    std::string_view timeout_message);

// Lowers the policy's syscall rules to libseccomp rules (see the top of this file).
Result<LoweredSeccomp> lower_seccomp(const policy::PolicyIR& ir);

// Whether execveat is answered by the supervisor (see launcher::ExecMediation): when the
// policy's decision for it is not to let it run. A condition on execveat is refused.
Result<launcher::ExecMediation> exec_mediation(const policy::PolicyIR& ir);

// Builds the filter for every architecture of the policy and the source-map rows.
Result<launcher::Seccomp> build_seccomp(const policy::PolicyIR& ir);

// The rule that decides `syscall` with `args` under the policy's first-match semantics, or
// nullptr for the default action. Narrow arguments are truncated as the kernel truncates them.
const policy::SyscallRuleIR* decide(const policy::PolicyIR& ir, const std::string& syscall,
                                    const std::array<uint64_t, 6>& args);

// Evaluates a resolved condition on concrete argument values.
bool eval_cond(const policy::Cond& c, const std::array<uint64_t, 6>& args);

}  // namespace cordon::compiler
