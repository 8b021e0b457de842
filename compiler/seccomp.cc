#include "compiler/seccomp.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <set>

#include "compiler/bpf.h"
#include "policy/syscall_names.h"

namespace cordon::compiler {

using policy::CmpOp;
using policy::Cond;
using policy::PolicyIR;
using policy::SyscallRuleIR;

namespace {

// Caps that keep a hostile or accidental condition from exploding the filter.
constexpr size_t kMaxConjunctions = 4096;
constexpr size_t kMaxPatternsPerArg = 512;
constexpr size_t kMaxRulesPerSyscall = 4096;
constexpr size_t kMaxLibseccompRules = 256;
constexpr size_t kMaxMultiArgRules = 32;
constexpr std::chrono::seconds kLibseccompTimeLimit{10};

uint64_t width_mask(uint8_t w) { return w >= 64 ? ~0ull : (1ull << w) - 1; }

// A literal of a DNF conjunction: a comparison, possibly negated.
struct Lit {
  const Cond* atom;
  bool negated;
};
using Conj = std::vector<Lit>;
using Dnf = std::vector<Conj>;

Result<Dnf> to_dnf(const Cond& c, bool negate) {
  switch (c.kind) {
    case Cond::Kind::kCompare:
    case Cond::Kind::kMasked:
      return Dnf{{Lit{&c, negate}}};
    case Cond::Kind::kNot:
      return to_dnf(c.kids[0], !negate);
    case Cond::Kind::kAnd:
    case Cond::Kind::kOr: {
      bool conj = (c.kind == Cond::Kind::kAnd) != negate;
      Dnf out = conj ? Dnf{Conj{}} : Dnf{};
      for (const auto& k : c.kids) {
        auto kd = to_dnf(k, negate);
        if (!kd) return kd;
        if (conj) {
          Dnf next;
          for (const auto& a : out)
            for (const auto& b : *kd) {
              Conj m = a;
              m.insert(m.end(), b.begin(), b.end());
              next.push_back(std::move(m));
              if (next.size() > kMaxConjunctions)
                return fail("condition too complex to compile (over 4096 alternatives)");
            }
          out = std::move(next);
        } else {
          out.insert(out.end(), kd->begin(), kd->end());
          if (out.size() > kMaxConjunctions)
            return fail("condition too complex to compile (over 4096 alternatives)");
        }
      }
      return out;
    }
  }
  return fail("bad condition");
}

Dnf product(const Dnf& a, const Dnf& b) {
  Dnf out;
  for (const auto& x : a)
    for (const auto& y : b) {
      Conj m = x;
      m.insert(m.end(), y.begin(), y.end());
      out.push_back(std::move(m));
    }
  return out;
}

// A set of values of one argument as a union of ternary patterns: x & mask == value.
struct Pattern {
  uint64_t mask, value;
  bool operator<(const Pattern& o) const {
    return std::tie(mask, value) < std::tie(o.mask, o.value);
  }
  bool operator==(const Pattern& o) const = default;
};
using PSet = std::vector<Pattern>;

// [lo, hi] within the low `w` bits as aligned blocks (each a pattern).
PSet interval(uint64_t lo, uint64_t hi, uint8_t w) {
  PSet out;
  uint64_t wm = width_mask(w);
  if (lo > hi) return out;
  if (lo == 0 && hi == wm) return {{0, 0}};
  unsigned __int128 cur = lo, end = static_cast<unsigned __int128>(hi) + 1;
  while (cur < end) {
    int k = 0;
    while (k < w && (cur & ((static_cast<unsigned __int128>(1) << (k + 1)) - 1)) == 0 &&
           cur + (static_cast<unsigned __int128>(1) << (k + 1)) <= end)
      ++k;
    uint64_t block_mask = wm & ~((k >= 64 ? ~0ull : (1ull << k) - 1));
    out.push_back({block_mask, static_cast<uint64_t>(cur) & block_mask});
    cur += static_cast<unsigned __int128>(1) << k;
  }
  return out;
}

// Complement of the pattern (m, v): some bit of m differs.
PSet complement(uint64_t m, uint64_t v) {
  PSet out;
  if (v & ~m) return {{0, 0}};  // the pattern is empty; its complement is everything
  for (int b = 0; b < 64; ++b)
    if (m >> b & 1) out.push_back({1ull << b, ~v & (1ull << b)});
  return out;
}

// The literal's set of values, within the argument's width.
PSet literal_set(const Lit& l) {
  const Cond& c = *l.atom;
  uint64_t wm = width_mask(c.width);
  uint64_t v = c.value & wm;
  if (c.kind == Cond::Kind::kMasked) {
    bool eq = (c.op == CmpOp::kEq) != l.negated;
    uint64_t m = c.mask & wm;
    if (eq) return (v & ~m) ? PSet{} : PSet{{m, v}};
    return complement(m, v);
  }
  CmpOp op = c.op;
  if (l.negated) {
    static constexpr CmpOp kNeg[] = {CmpOp::kNe, CmpOp::kEq, CmpOp::kGe,
                                     CmpOp::kGt, CmpOp::kLe, CmpOp::kLt};
    op = kNeg[static_cast<int>(op)];
  }
  switch (op) {
    case CmpOp::kEq:
      return {{wm, v}};
    case CmpOp::kNe:
      return complement(wm, v);
    case CmpOp::kLt:
      return v == 0 ? PSet{} : interval(0, v - 1, c.width);
    case CmpOp::kLe:
      return interval(0, v, c.width);
    case CmpOp::kGt:
      return v == wm ? PSet{} : interval(v + 1, wm, c.width);
    case CmpOp::kGe:
      return interval(v, wm, c.width);
  }
  return {};
}

bool subsumes(const Pattern& big, const Pattern& small) {
  return (big.mask & ~small.mask) == 0 && (small.value & big.mask) == big.value;
}

Result<PSet> intersect(const PSet& a, const PSet& b) {
  PSet out;
  for (const auto& x : a)
    for (const auto& y : b) {
      if ((x.value ^ y.value) & x.mask & y.mask) continue;
      out.push_back({x.mask | y.mask, x.value | y.value});
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  PSet reduced;
  for (size_t i = 0; i < out.size(); ++i) {
    bool covered = false;
    for (size_t j = 0; j < out.size() && !covered; ++j)
      covered = j != i && subsumes(out[j], out[i]) && !(out[j] == out[i]);
    if (!covered) reduced.push_back(out[i]);
  }
  if (reduced.size() > kMaxPatternsPerArg)
    return fail("condition too complex to compile (an argument needs over 512 comparisons)");
  return reduced;
}

// One libseccomp comparison per argument at most.
using Rule = std::vector<scmp_arg_cmp>;

// Turns one conjunction into libseccomp rules (several when an argument's set needs several
// patterns). Returns no rules when the conjunction is unsatisfiable.
Result<std::vector<Rule>> lower_conj(const Conj& conj) {
  std::map<int, std::vector<Lit>> by_arg;
  for (const auto& l : conj) by_arg[l.atom->arg].push_back(l);
  std::vector<std::vector<scmp_arg_cmp>> per_arg;  // alternatives per argument
  for (auto& [arg, lits] : by_arg) {
    std::vector<scmp_arg_cmp> alts;
    const Cond& c0 = *lits[0].atom;
    auto a = static_cast<unsigned>(arg);
    if (lits.size() == 1 && c0.width >= 64 && c0.kind == Cond::Kind::kCompare) {
      // Fast path: a native 64-bit comparison.
      static constexpr scmp_compare kOps[] = {SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT,
                                              SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE};
      static constexpr scmp_compare kNegOps[] = {SCMP_CMP_NE, SCMP_CMP_EQ, SCMP_CMP_GE,
                                                 SCMP_CMP_GT, SCMP_CMP_LE, SCMP_CMP_LT};
      scmp_compare op = (lits[0].negated ? kNegOps : kOps)[static_cast<int>(c0.op)];
      alts.push_back({a, op, c0.value, 0});
    } else {
      PSet set = {{0, 0}};
      for (const auto& l : lits) {
        auto s = intersect(set, literal_set(l));
        if (!s) return tl::unexpected(s.error());
        set = std::move(*s);
        if (set.empty()) return std::vector<Rule>{};
      }
      for (const auto& p : set) {
        if (p.mask == 0) {
          alts.clear();  // this argument is unconstrained
          break;
        }
        if (p.mask == ~0ull)
          alts.push_back({a, SCMP_CMP_EQ, p.value, 0});
        else
          alts.push_back({a, SCMP_CMP_MASKED_EQ, p.mask, p.value});
      }
      if (alts.empty()) continue;
    }
    per_arg.push_back(std::move(alts));
  }
  std::vector<Rule> rules = {Rule{}};
  for (const auto& alts : per_arg) {
    std::vector<Rule> next;
    for (const auto& r : rules)
      for (const auto& c : alts) {
        Rule n = r;
        n.push_back(c);
        next.push_back(std::move(n));
      }
    rules = std::move(next);
    if (rules.size() > kMaxRulesPerSyscall)
      return fail("condition too complex to compile (over 4096 filter rules for one syscall)");
  }
  return rules;
}

// Boundary values of every comparison on an argument, where a wrong filter would show.
std::vector<uint64_t> probes(const Cond& c) {
  std::vector<uint64_t> out;
  if (c.kind == Cond::Kind::kAnd || c.kind == Cond::Kind::kOr || c.kind == Cond::Kind::kNot) {
    for (const auto& k : c.kids) {
      auto p = probes(k);
      out.insert(out.end(), p.begin(), p.end());
    }
    return out;
  }
  uint64_t v = c.value;
  for (uint64_t x : std::initializer_list<uint64_t>{v, v - 1, v + 1, v | 0xffffffff00000000ull,
                                                    v ^ (1ull << 32), ~v, 0ull})
    out.push_back(x);
  if (c.kind == Cond::Kind::kMasked) {
    out.push_back(c.mask);
    out.push_back(v | ~c.mask);
    for (int b = 0; b < 64; ++b)
      if (c.mask >> b & 1) out.push_back(v ^ (1ull << b));
  }
  return out;
}

void args_used(const Cond& c, std::set<int>& used) {
  if (c.kind == Cond::Kind::kCompare || c.kind == Cond::Kind::kMasked) used.insert(c.arg);
  for (const auto& k : c.kids) args_used(k, used);
}

// Runs the filter against the policy's meaning for one syscall; fails on any disagreement.
// `mediated`: the syscall is execveat answered by the supervisor (USER_NOTIF) whatever the
// policy's refusal.
Result<void> self_check(const PolicyIR& ir, const std::vector<sock_filter>& prog, uint32_t arch,
                        int nr, const std::string& name, const std::vector<SyscallRuleIR>& rules,
                        bool mediated) {
  std::set<int> used;
  std::map<int, std::set<uint64_t>> values;
  for (const auto& r : rules)
    if (r.condition) {
      args_used(*r.condition, used);
      std::set<int> mine;
      args_used(*r.condition, mine);
      for (int a : mine) {
        auto p = probes(*r.condition);
        values[a].insert(p.begin(), p.end());
      }
    }
  std::vector<std::array<uint64_t, 6>> samples = {{}};
  std::mt19937_64 rng(nr * 7919u + arch);
  for (int a : used) {
    std::vector<uint64_t> vs(values[a].begin(), values[a].end());
    std::vector<std::array<uint64_t, 6>> next;
    for (const auto& s : samples)
      for (uint64_t v : vs) {
        auto n = s;
        n[a] = v;
        next.push_back(n);
      }
    if (next.size() > 20000) {
      std::shuffle(next.begin(), next.end(), rng);
      next.resize(20000);
    }
    samples = std::move(next);
  }
  // On a 32-bit architecture the kernel's arguments are 32 bits wide (seccomp_data holds them
  // zero-extended) and libseccomp compares only those: upper bits are no input there.
  const bool wide = arch & __AUDIT_ARCH_64BIT;
  for (auto args : samples) {
    if (!wide)
      for (auto& a : args) a &= 0xffffffffull;
    SeccompData d;
    d.nr = nr;
    d.arch = arch;  // libseccomp arch tokens are the AUDIT_ARCH_* values
    std::copy(args.begin(), args.end(), d.args);
    uint32_t got = run_validated_program(prog, d);
    const SyscallRuleIR* r = decide(ir, name, args);
    uint32_t want =
        mediated ? SCMP_ACT_NOTIFY : seccomp_ret(r ? r->action : ir.default_action.value);
    if (got != want)
      return fail(fmt::format(
          "filter self-check failed for {} on {} with args ({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, "
          "{:#x}): the filter gives {} but the policy says {} ({}); refusing to emit a filter "
          "that disagrees with the policy{}",
          name, policy::arch_name(arch), args[0], args[1], args[2], args[3], args[4], args[5],
          describe_action(got), describe_action(want), r ? r->loc.str() : "default",
          wide ? ""
               : fmt::format(". On {} arguments are 32 bits wide and libseccomp compares only "
                             "those, so a condition on a value above 0xffffffff cannot hold "
                             "there as written: compare within 32 bits, or keep {} out of this "
                             "policy's `arch`",
                             policy::arch_name(arch), policy::arch_name(arch))));
  }
  return {};
}

}  // namespace

Result<std::vector<sock_filter>> export_bpf(void* ctx) {
  int fd = memfd_create("cordon-bpf", MFD_CLOEXEC);
  if (fd < 0) return fail(Error::from_errno("memfd_create"));
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) {
    close(fd);
    return fail(Error::from_errno("seccomp_export_bpf", -rc));
  }
  off_t size = lseek(fd, 0, SEEK_END);
  std::vector<uint8_t> bytes(size > 0 ? static_cast<size_t>(size) : 0);
  ssize_t got = pread(fd, bytes.data(), bytes.size(), 0);
  close(fd);
  if (got != size) return fail("short read of the exported filter");
  return parse_program(bytes);
}

// libseccomp's rule merging cannot be interrupted and, for some rule sets, runs for minutes.
// Building a filter is offline work, so it runs in a child with a time limit: a policy or a
// profile can make cordon refuse, never hang. The child sends back 'B' + the program, or 'E' +
// an error message.
Result<std::vector<sock_filter>> build_in_child(
    const std::function<Result<std::vector<sock_filter>>()>& build,
    std::string_view timeout_message) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return fail(Error::from_errno("pipe2"));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return fail(Error::from_errno("fork"));
  }
  if (pid == 0) {
    close(fds[0]);
    auto prog = build();
    std::string msg;
    if (prog) {
      msg = "B";
      msg.append(reinterpret_cast<const char*>(prog->data()), prog->size() * sizeof(sock_filter));
    } else {
      msg = "E" + prog.error().message();
    }
    for (size_t off = 0; off < msg.size();) {
      ssize_t n = write(fds[1], msg.data() + off, msg.size() - off);
      if (n <= 0) _exit(1);
      off += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + kLibseccompTimeLimit;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) {
      timed_out = pr == 0;
      break;
    }
    char buf[65536];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return fail(fmt::format(fmt::runtime(timeout_message), kLibseccompTimeLimit.count()));
  if (got.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail("building the filter with libseccomp failed (the worker process died)");
  if (got[0] == 'E') return fail(got.substr(1));
  return parse_program(std::span(reinterpret_cast<const uint8_t*>(got.data()) + 1, got.size() - 1));
}

namespace {

struct PendingRule {
  std::string syscall;
  int nr;
  uint32_t ret;
  Rule cmps;
};

// Builds the filter with libseccomp and exports it. Runs in the calling process.
Result<std::vector<sock_filter>> build_with_libseccomp(uint32_t def_ret,
                                                       const std::vector<uint32_t>& arches,
                                                       const std::vector<PendingRule>& rules) {
  SeccompCtx ctx(seccomp_init(def_ret));
  if (!ctx) return fail("seccomp_init failed");
  // The bad-arch action kills the process: a syscall from an architecture the policy does not
  // name (the i386 entry point via int 0x80, x32 numbers) never reaches the rules.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (uint32_t token : arches) {
    if (token == seccomp_arch_native()) continue;
    int rc = seccomp_arch_add(ctx.get(), token);
    if (rc < 0 && rc != -EEXIST)
      return fail(Error::from_errno("seccomp_arch_add " + policy::arch_name(token), -rc));
  }
  for (const auto& r : rules) {
    int rc = seccomp_rule_add_array(ctx.get(), r.ret, r.nr, static_cast<unsigned>(r.cmps.size()),
                                    r.cmps.data());
    if (rc < 0 && rc != -EEXIST)
      return fail(Error::from_errno(fmt::format("adding the rules for {}", r.syscall), -rc));
  }
  return export_bpf(ctx.get());
}

// The compiler's use of the runner below.
Result<std::vector<sock_filter>> run_libseccomp(uint32_t def_ret,
                                                const std::vector<uint32_t>& arches,
                                                const std::vector<PendingRule>& rules) {
  return build_in_child([&] { return build_with_libseccomp(def_ret, arches, rules); },
                        "libseccomp did not finish building the filter within {} s; the rules "
                        "are too involved for it (simplify the conditions that test several "
                        "arguments)");
}

}  // namespace

uint32_t seccomp_ret(const policy::ResolvedAction& a) {
  using policy::ActionKind;
  switch (a.kind) {
    case ActionKind::kAllow:
      return SCMP_ACT_ALLOW;
    case ActionKind::kErrno:
      return SCMP_ACT_ERRNO(static_cast<uint16_t>(a.errno_value));
    case ActionKind::kKill:
      return SCMP_ACT_KILL_PROCESS;
    case ActionKind::kKillThread:
      return SCMP_ACT_KILL_THREAD;
    case ActionKind::kTrap:
      return SCMP_ACT_TRAP;
    case ActionKind::kLog:
      return SCMP_ACT_LOG;
    case ActionKind::kNotify:
      return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

bool eval_cond(const Cond& c, const std::array<uint64_t, 6>& args) {
  switch (c.kind) {
    case Cond::Kind::kNot:
      return !eval_cond(c.kids[0], args);
    case Cond::Kind::kAnd:
      return std::all_of(c.kids.begin(), c.kids.end(),
                         [&](const Cond& k) { return eval_cond(k, args); });
    case Cond::Kind::kOr:
      return std::any_of(c.kids.begin(), c.kids.end(),
                         [&](const Cond& k) { return eval_cond(k, args); });
    default:
      break;
  }
  uint64_t x = args[c.arg] & width_mask(c.width);
  if (c.kind == Cond::Kind::kMasked) {
    bool eq = (x & c.mask) == c.value;
    return c.op == CmpOp::kEq ? eq : !eq;
  }
  switch (c.op) {
    case CmpOp::kEq:
      return x == c.value;
    case CmpOp::kNe:
      return x != c.value;
    case CmpOp::kLt:
      return x < c.value;
    case CmpOp::kLe:
      return x <= c.value;
    case CmpOp::kGt:
      return x > c.value;
    case CmpOp::kGe:
      return x >= c.value;
  }
  return false;
}

const SyscallRuleIR* decide(const PolicyIR& ir, const std::string& syscall,
                            const std::array<uint64_t, 6>& args) {
  auto it = ir.syscalls.find(syscall);
  if (it == ir.syscalls.end()) return nullptr;
  for (const auto& r : it->second)
    if (!r.condition || eval_cond(*r.condition, args)) return &r;
  return nullptr;
}

Result<LoweredSeccomp> lower_seccomp(const PolicyIR& ir) {
  LoweredSeccomp out;
  const auto& def = ir.default_action.value;
  uint32_t def_ret = seccomp_ret(def);
  out.default_ret = def_ret;
  for (const auto& n : ir.arches.value) out.arches.push_back(*policy::arch_from_name(n));

  for (const auto& [name, rules] : ir.syscalls) {
    if (rules.empty()) continue;
    // Regions: rule i decides where its condition holds and no earlier rule's does.
    Dnf not_earlier = {Conj{}};
    int nr_native = seccomp_syscall_resolve_name(name.c_str());
    std::vector<LoweredRule> emitted;
    const SyscallRuleIR* worst = nullptr;  // the rule whose region needed the most filter rules
    size_t worst_count = 0;
    for (const auto& r : rules) {
      Dnf mine = {Conj{}};
      if (r.condition) {
        auto d = to_dnf(*r.condition, false);
        if (!d) return fail(d.error().wrap(r.loc.str()));
        mine = std::move(*d);
      }
      Dnf region = product(mine, not_earlier);
      if (region.size() > kMaxConjunctions)
        return fail(fmt::format("{}: rules for {} too complex to compile", r.loc.str(), name));
      uint32_t ret = seccomp_ret(r.action);
      if (ret != def_ret) {
        size_t before = emitted.size();
        for (const auto& conj : region) {
          auto lowered = lower_conj(conj);
          if (!lowered) return fail(lowered.error().wrap(r.loc.str()));
          for (auto& rule : *lowered)
            emitted.push_back({name, nr_native, ret, std::move(rule), &r});
          if (emitted.size() > kMaxRulesPerSyscall) break;
        }
        if (emitted.size() - before > worst_count) {
          worst_count = emitted.size() - before;
          worst = &r;
        }
      }
      if (!r.condition) break;  // everything after an unconditional rule is shadowed
      auto neg = to_dnf(*r.condition, true);
      if (!neg) return fail(neg.error().wrap(r.loc.str()));
      not_earlier = product(not_earlier, *neg);
      if (not_earlier.size() > kMaxConjunctions)
        return fail(fmt::format("{}: rules for {} too complex to compile", r.loc.str(), name));
    }
    // libseccomp 2.5.4 merges rules for one syscall in time that grows steeply with their
    // number and with the arguments each tests (136 three-argument rules did not finish in
    // minutes), and it merged some multi-argument sets wrongly. Past these bounds cordon stops
    // with the rule to simplify instead of hanging or trusting the result.
    size_t multi = std::count_if(emitted.begin(), emitted.end(),
                                 [](const auto& e) { return e.cmps.size() > 1; });
    if (emitted.size() > kMaxLibseccompRules || multi > kMaxMultiArgRules)
      return fail(fmt::format(
          "{}: the rules for {} need {} filter rules ({} testing several arguments); libseccomp "
          "handles at most {} ({} multi-argument) for one syscall. Usually the cause is a final "
          "catch-all rule whose action differs from the default: cordon must then spell out "
          "\"none of the rules above\". Give the catch-all the default action, or test fewer "
          "arguments per rule",
          worst ? worst->loc.str() : "policy", name, emitted.size(), multi, kMaxLibseccompRules,
          kMaxMultiArgRules));
    for (auto& e : emitted) out.rules.push_back(std::move(e));
  }
  return out;
}

Result<launcher::ExecMediation> exec_mediation(const PolicyIR& ir) {
  launcher::ExecMediation m;
  const SyscallRuleIR* decider = nullptr;
  if (auto it = ir.syscalls.find("execveat"); it != ir.syscalls.end() && !it->second.empty())
    decider = &it->second.front();
  if (decider && decider->condition)
    return fail(fmt::format(
        "{}: a condition on execveat: cordon answers a refused execveat in its supervisor, with "
        "one action for every call after its own exec of the app; allow or refuse execveat "
        "unconditionally",
        decider->loc.str()));
  const policy::ResolvedAction& action = decider ? decider->action : ir.default_action.value;
  m.ret = seccomp_ret(action);
  m.on = !launcher::seccomp_ret_runs(m.ret);
  m.action = action.str();
  m.origin = decider ? decider->loc.str() : ir.default_action.loc.str();
  return m;
}

Result<launcher::Seccomp> build_seccomp(const PolicyIR& ir) {
  launcher::Seccomp out;
  const auto& def = ir.default_action.value;
  auto lowered = lower_seccomp(ir);
  if (!lowered) return tl::unexpected(lowered.error());
  uint32_t def_ret = lowered->default_ret;
  const auto& arches = lowered->arches;
  out.arches = ir.arches.value;
  out.default_action = def.str();
  out.default_ret = def_ret;
  out.default_origin = ir.default_action.loc.str();
  out.log = def.log && def.kind != policy::ActionKind::kAllow;
  auto mediation = exec_mediation(ir);
  if (!mediation) return tl::unexpected(mediation.error());
  out.exec_mediation = *mediation;
  std::vector<PendingRule> all_rules;
  for (const auto& r : lowered->rules)
    if (!out.exec_mediation.on || r.syscall != "execveat")
      all_rules.push_back({r.syscall, r.nr, r.ret, r.cmps});
  if (out.exec_mediation.on)
    all_rules.push_back(
        {"execveat", seccomp_syscall_resolve_name("execveat"), SCMP_ACT_NOTIFY, Rule{}});

  for (const auto& [name, rules] : ir.syscalls) {
    for (const auto& r : rules) {
      if (r.action.log && r.action.kind != policy::ActionKind::kAllow) out.log = true;
      if (!r.condition) break;  // the rules after it are shadowed and never act
    }
    for (uint32_t arch : arches) {
      auto nr = policy::syscall_number(name, arch);
      if (!nr) continue;
      for (const auto& r : rules)
        out.rules.push_back({name, policy::arch_name(arch), *nr, r.action.str(),
                             seccomp_ret(r.action), r.condition_text, r.via_group, r.loc.str()});
    }
  }

  auto prog = run_libseccomp(def_ret, arches, all_rules);
  if (!prog) return tl::unexpected(prog.error());
  out.program = std::move(*prog);
  out.program_hash = launcher::fnv1a_hex(std::string_view(
      reinterpret_cast<const char*>(out.program.data()), out.program.size() * sizeof(sock_filter)));

  // Self-check: every syscall with rules, on every architecture, at every boundary value.
  if (auto valid = validate_program(out.program); !valid)
    return fail(valid.error().wrap("the exported filter is not a valid seccomp program"));
  for (uint32_t arch : arches) {
    for (const auto& [name, rules] : ir.syscalls) {
      auto nr = policy::syscall_number(name, arch);
      if (!nr || rules.empty()) continue;
      const bool mediated = out.exec_mediation.on && name == "execveat";
      // libseccomp rewrites socket calls to socketcall on some 32-bit arches; the rule rows
      // still check the direct syscall number, which those kernels also offer.
      if (auto r = self_check(ir, out.program, arch, *nr, name, rules, mediated); !r)
        return fail(r.error());
    }
  }
  // A mediated execveat that no rule names (the default refuses it) is checked here.
  if (out.exec_mediation.on && !ir.syscalls.count("execveat")) {
    for (uint32_t arch : arches) {
      auto nr = policy::syscall_number("execveat", arch);
      if (!nr) continue;
      SeccompData d;
      d.nr = *nr;
      d.arch = arch;
      if (run_validated_program(out.program, d) != SCMP_ACT_NOTIFY)
        return fail(fmt::format("filter self-check failed for execveat on {}: not USER_NOTIF",
                                policy::arch_name(arch)));
    }
  }
  return out;
}

}  // namespace cordon::compiler
