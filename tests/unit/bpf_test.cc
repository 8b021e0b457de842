// Tests for the userspace seccomp-BPF checker, evaluator and disassembler. Real filters come
// from libseccomp, exported the way the compiler exports them, so the evaluator is checked
// against the same code shapes (arch dispatch, x32 guard, 64-bit argument splits, binary trees)
// that end up in the kernel.
#include "compiler/bpf.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::compiler {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;
constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kKillProcess = SECCOMP_RET_KILL_PROCESS;
constexpr uint32_t errno_ret(int err) { return SECCOMP_RET_ERRNO | static_cast<uint32_t>(err); }

testing::AssertionResult Contains(std::string_view haystack, std::string_view needle) {
  if (haystack.find(needle) != std::string_view::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << '"' << haystack << "\" does not contain \"" << needle << '"';
}

// --- libseccomp plumbing ---------------------------------------------------------------------

struct FilterDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterDeleter>;

Filter new_filter(uint32_t default_action) {
  Filter f(seccomp_init(default_action));
  EXPECT_NE(f, nullptr);
  // Distinct from every default action used below, so a bad-arch verdict is recognisable.
  EXPECT_EQ(seccomp_attr_set(f.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), 0);
  return f;
}

// Exports through a memfd, as the compiler does, and reads the bytes back through
// parse_program().
std::vector<sock_filter> export_program(const Filter& f) {
  const int fd = memfd_create("bpf_test", MFD_CLOEXEC);
  if (fd < 0) {
    ADD_FAILURE() << "memfd_create: " << errno;
    return {};
  }
  std::vector<uint8_t> bytes;
  if (int rc = seccomp_export_bpf(f.get(), fd); rc != 0) {
    ADD_FAILURE() << "seccomp_export_bpf: " << rc;
  } else if (lseek(fd, 0, SEEK_SET) == 0) {
    uint8_t buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
  }
  close(fd);
  auto prog = parse_program(bytes);
  if (!prog) {
    ADD_FAILURE() << prog.error().message();
    return {};
  }
  return *prog;
}

int syscall_nr(uint32_t scmp_arch, const char* name) {
  const int nr = seccomp_syscall_resolve_name_arch(scmp_arch, name);
  EXPECT_GE(nr, 0) << name;
  return nr;
}

SeccompData call(uint32_t arch, int nr, std::vector<uint64_t> args = {}) {
  SeccompData d;
  d.arch = arch;
  d.nr = nr;
  d.instruction_pointer = 0x7f0000001234;
  for (size_t i = 0; i < args.size() && i < 6; ++i) d.args[i] = args[i];
  return d;
}

// The filter's verdict, or 0xdeadbeef (no real action) with a test failure.
uint32_t run(const std::vector<sock_filter>& prog, const SeccompData& d) {
  auto r = run_program(prog, d);
  if (!r) {
    ADD_FAILURE() << r.error().message();
    return 0xdeadbeef;
  }
  return *r;
}
uint32_t run64(const std::vector<sock_filter>& prog, int nr, std::vector<uint64_t> args = {}) {
  return run(prog, call(AUDIT_ARCH_X86_64, nr, std::move(args)));
}

// --- libseccomp filters ----------------------------------------------------------------------

TEST(BpfLibseccomp, AllowsListedSyscallsAndFallsBackToDefault) {
  Filter f = new_filter(SCMP_ACT_ERRNO(EPERM));
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(read), 0), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(write), 0), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_TRAP, SCMP_SYS(ptrace), 0), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_LOG, SCMP_SYS(uname), 0), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_KILL_PROCESS, SCMP_SYS(kexec_load), 0), 0);
  const auto prog = export_program(f);
  ASSERT_FALSE(prog.empty());
  ASSERT_TRUE(validate_program(prog));

  EXPECT_EQ(run64(prog, __NR_read), kAllow);
  EXPECT_EQ(run64(prog, __NR_write), kAllow);
  EXPECT_EQ(run64(prog, __NR_openat), errno_ret(EACCES));
  EXPECT_EQ(run64(prog, __NR_ptrace), SECCOMP_RET_TRAP);
  EXPECT_EQ(run64(prog, __NR_uname), SECCOMP_RET_LOG);
  EXPECT_EQ(run64(prog, __NR_kexec_load), kKillProcess);
  EXPECT_EQ(run64(prog, __NR_getpid), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, 0x3fffffff), errno_ret(EPERM));
  EXPECT_EQ(describe_action(run64(prog, __NR_openat)), "ERRNO(EACCES)");
  EXPECT_EQ(describe_action(run64(prog, __NR_getpid)), "ERRNO(EPERM)");
}

TEST(BpfLibseccomp, ForeignArchitectureHitsBadArchAction) {
  Filter f = new_filter(SCMP_ACT_ALLOW);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mount), 0), 0);
  const auto prog = export_program(f);

  EXPECT_EQ(run64(prog, __NR_read), kAllow);
  EXPECT_EQ(run64(prog, __NR_mount), errno_ret(EPERM));
  // Only x86_64 was added: i386 and anything else are a bad architecture, whatever the call.
  EXPECT_EQ(run(prog, call(AUDIT_ARCH_I386, 3 /* i386 read */)), kKillProcess);
  EXPECT_EQ(run(prog, call(AUDIT_ARCH_I386, __NR_read)), kKillProcess);
  EXPECT_EQ(run(prog, call(AUDIT_ARCH_AARCH64, __NR_read)), kKillProcess);
  EXPECT_EQ(run(prog, call(0, __NR_read)), kKillProcess);
}

TEST(BpfLibseccomp, X32SyscallUnderX8664IsNotAllowedWithoutX32Arch) {
  // Allow-by-default is the dangerous case: without libseccomp's x32 guard an x32 call would
  // slip past a deny rule written for x86_64 numbers.
  Filter f = new_filter(SCMP_ACT_ALLOW);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mount), 0), 0);
  const auto prog = export_program(f);

  EXPECT_EQ(run64(prog, __NR_mount), errno_ret(EPERM));
  EXPECT_NE(run64(prog, __NR_mount | kX32Bit), kAllow);
  EXPECT_NE(run64(prog, __NR_read | kX32Bit), kAllow);
  EXPECT_EQ(run64(prog, __NR_read | kX32Bit), kKillProcess);
}

TEST(BpfLibseccomp, MultiArchFilterDispatchesOnArch) {
  Filter f = new_filter(SCMP_ACT_ERRNO(ENOSYS));
  ASSERT_EQ(seccomp_arch_add(f.get(), SCMP_ARCH_X86), 0);
  ASSERT_EQ(seccomp_arch_add(f.get(), SCMP_ARCH_X32), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(getpid), 0), 0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2)),
            0);
  const auto prog = export_program(f);

  const int i386_getpid = syscall_nr(SCMP_ARCH_X86, "getpid");
  const int i386_write = syscall_nr(SCMP_ARCH_X86, "write");
  const int i386_read = syscall_nr(SCMP_ARCH_X86, "read");
  const int x32_getpid = syscall_nr(SCMP_ARCH_X32, "getpid");
  const int x32_write = syscall_nr(SCMP_ARCH_X32, "write");
  ASSERT_EQ(i386_getpid, 20);
  ASSERT_EQ(x32_getpid, static_cast<int>(__NR_getpid | kX32Bit));

  EXPECT_EQ(run64(prog, __NR_getpid), kAllow);
  EXPECT_EQ(run64(prog, __NR_write, {2}), kAllow);
  EXPECT_EQ(run64(prog, __NR_write, {1}), errno_ret(ENOSYS));
  EXPECT_EQ(run64(prog, __NR_read), errno_ret(ENOSYS));

  EXPECT_EQ(run(prog, call(AUDIT_ARCH_I386, i386_getpid)), kAllow);
  EXPECT_EQ(run(prog, call(AUDIT_ARCH_I386, i386_write, {2})), kAllow);
  EXPECT_EQ(run(prog, call(AUDIT_ARCH_I386, i386_write, {3})), errno_ret(ENOSYS));
  EXPECT_EQ(run(prog, call(AUDIT_ARCH_I386, i386_read)), errno_ret(ENOSYS));
  // The i386 number of getpid (20) is writev on x86_64, which is not allowed.
  EXPECT_EQ(run64(prog, 20), errno_ret(ENOSYS));

  // x32 calls arrive with AUDIT_ARCH_X86_64 and the x32 bit set in nr.
  EXPECT_EQ(run64(prog, x32_getpid), kAllow);
  EXPECT_EQ(run64(prog, x32_write, {2}), kAllow);
  EXPECT_EQ(run64(prog, x32_write, {1}), errno_ret(ENOSYS));

  EXPECT_EQ(run(prog, call(AUDIT_ARCH_AARCH64, __NR_getpid)), kKillProcess);
}

TEST(BpfLibseccomp, SixtyFourBitArgumentComparisonsUseBothHalves) {
  Filter f = new_filter(SCMP_ACT_ERRNO(EPERM));
  const uint64_t big = 0x100000005;
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(dup), 1, SCMP_A0(SCMP_CMP_EQ, big)),
            0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_GT, 0x100000000)),
            0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(lseek), 1,
                             SCMP_A1(SCMP_CMP_GE, 0x200000000)),
            0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(close), 1,
                             SCMP_A0(SCMP_CMP_LT, 0x100000000)),
            0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(fsync), 1,
                             SCMP_A0(SCMP_CMP_LE, 0x1ffffffff)),
            0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(dup2), 1,
                             SCMP_A1(SCMP_CMP_NE, 0xffffffff00000000)),
            0);
  const auto prog = export_program(f);

  EXPECT_EQ(run64(prog, __NR_dup, {big}), kAllow);
  EXPECT_EQ(run64(prog, __NR_dup, {5}), errno_ret(EPERM));  // low half alone matches
  EXPECT_EQ(run64(prog, __NR_dup, {0x200000005}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_dup, {0x100000004}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_dup, {0x100000006}), errno_ret(EPERM));

  EXPECT_EQ(run64(prog, __NR_ioctl, {0, 0xffffffff}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_ioctl, {0, 0x100000000}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_ioctl, {0, 0x100000001}), kAllow);
  EXPECT_EQ(run64(prog, __NR_ioctl, {0, 0x200000000}), kAllow);
  EXPECT_EQ(run64(prog, __NR_ioctl, {0, UINT64_MAX}), kAllow);  // unsigned comparison

  EXPECT_EQ(run64(prog, __NR_lseek, {0, 0x1ffffffff}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_lseek, {0, 0x200000000}), kAllow);
  EXPECT_EQ(run64(prog, __NR_lseek, {0, 0x200000001}), kAllow);
  EXPECT_EQ(run64(prog, __NR_lseek, {0, 0x100000005}), errno_ret(EPERM));

  EXPECT_EQ(run64(prog, __NR_close, {0}), kAllow);
  EXPECT_EQ(run64(prog, __NR_close, {0xffffffff}), kAllow);
  EXPECT_EQ(run64(prog, __NR_close, {0x100000000}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_close, {0x1ffffffff}), errno_ret(EPERM));

  EXPECT_EQ(run64(prog, __NR_fsync, {0x1ffffffff}), kAllow);
  EXPECT_EQ(run64(prog, __NR_fsync, {0x100000000}), kAllow);
  EXPECT_EQ(run64(prog, __NR_fsync, {0x200000000}), errno_ret(EPERM));

  EXPECT_EQ(run64(prog, __NR_dup2, {0, 0xffffffff00000000}), errno_ret(EPERM));
  EXPECT_EQ(run64(prog, __NR_dup2, {0, 0xffffffff00000001}), kAllow);
  EXPECT_EQ(run64(prog, __NR_dup2, {0, 0x00000000ffffffff}), kAllow);
  EXPECT_EQ(run64(prog, __NR_dup2, {0, 0}), kAllow);
}

TEST(BpfLibseccomp, MaskedEqualityChecksOnlyMaskedBits) {
  Filter f = new_filter(SCMP_ACT_ERRNO(EACCES));
  // mprotect without PROT_EXEC; fcntl whose arg1 has 0x12 in the top byte and 0x34 in the low.
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)),
            0);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff000000000000ff, 0x1200000000000034)),
            0);
  const auto prog = export_program(f);

  EXPECT_EQ(run64(prog, __NR_mprotect, {0, 4096, PROT_READ | PROT_WRITE}), kAllow);
  EXPECT_EQ(run64(prog, __NR_mprotect, {0, 4096, PROT_NONE}), kAllow);
  EXPECT_EQ(run64(prog, __NR_mprotect, {0, 4096, PROT_READ | PROT_EXEC}), errno_ret(EACCES));
  EXPECT_EQ(run64(prog, __NR_mprotect, {0, 4096, 0xffffffff00000000 | PROT_READ}), kAllow);

  EXPECT_EQ(run64(prog, __NR_fcntl, {0, 0x1200000000000034}), kAllow);
  EXPECT_EQ(run64(prog, __NR_fcntl, {0, 0x12abcdefabcdef34}), kAllow);
  EXPECT_EQ(run64(prog, __NR_fcntl, {0, 0x1300000000000034}), errno_ret(EACCES));
  EXPECT_EQ(run64(prog, __NR_fcntl, {0, 0x0000000000000034}), errno_ret(EACCES));
  EXPECT_EQ(run64(prog, __NR_fcntl, {0, 0x1200000000000035}), errno_ret(EACCES));
}

// Builds the same allow-list at a given optimisation level; 2 makes libseccomp emit a binary
// search tree over syscall numbers instead of a linear chain.
std::vector<sock_filter> allow_list_program(int optimize, const std::set<int>& allowed) {
  Filter f = new_filter(SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(seccomp_attr_set(f.get(), SCMP_FLTATR_CTL_OPTIMIZE, optimize), 0);
  for (int nr : allowed) EXPECT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, nr, 0), 0);
  EXPECT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
                             SCMP_A1(SCMP_CMP_EQ, 0)),  // signal 0: existence probe only
            0);
  return export_program(f);
}

TEST(BpfLibseccomp, BinaryTreeFilterMatchesLinearFilterOnEveryNumber) {
  std::set<int> allowed;
  for (int nr = 0; nr < 300; nr += 3) {
    if (nr != __NR_kill) allowed.insert(nr);
  }
  allowed.insert(__NR_clone3);
  const auto linear = allow_list_program(1, allowed);
  const auto tree = allow_list_program(2, allowed);
  ASSERT_FALSE(tree.empty());
  ASSERT_NE(disassemble(linear), disassemble(tree));

  for (int nr = 0; nr < 500; ++nr) {
    const uint32_t want = allowed.count(nr) || (nr == __NR_kill) ? kAllow : errno_ret(EPERM);
    if (nr == __NR_kill) {
      EXPECT_EQ(run64(tree, nr, {1234, 0}), kAllow);
      EXPECT_EQ(run64(tree, nr, {1234, 9}), errno_ret(EPERM));
      EXPECT_EQ(run64(linear, nr, {1234, 9}), errno_ret(EPERM));
      continue;
    }
    EXPECT_EQ(run64(tree, nr), want) << "nr " << nr;
    EXPECT_EQ(run64(linear, nr), want) << "nr " << nr;
  }
  EXPECT_EQ(run64(tree, __NR_read | kX32Bit), kKillProcess);
  EXPECT_EQ(run(tree, call(AUDIT_ARCH_I386, 0)), kKillProcess);
}

// --- hand-written programs -------------------------------------------------------------------

using Prog = std::vector<sock_filter>;

sock_filter stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}
const sock_filter kRetA = stmt(BPF_RET | BPF_A, 0);

uint32_t run_plain(const Prog& p) { return run(p, SeccompData{}); }

struct AluCase {
  uint16_t op;
  uint32_t a;
  uint32_t operand;
  uint32_t want;
};

TEST(BpfEvaluator, AluOperationsWithConstantAndX) {
  const AluCase cases[] = {
      {BPF_ADD, 0xffffffff, 2, 1},           // wraps at 32 bits
      {BPF_SUB, 1, 2, 0xffffffff},           //
      {BPF_MUL, 0x10000, 0x10001, 0x10000},  //
      {BPF_DIV, 7, 2, 3},                    // unsigned
      {BPF_DIV, 0x80000000, 2, 0x40000000},  //
      {BPF_OR, 0xf0, 0x0f, 0xff},            //
      {BPF_AND, 0xf0f0, 0xff00, 0xf000},     //
      {BPF_XOR, 0xff00ff00, 0xffffffff, 0x00ff00ff},
      {BPF_LSH, 1, 31, 0x80000000},  //
      {BPF_RSH, 0x80000000, 31, 1},  // logical, not arithmetic
  };
  for (const AluCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "op " << std::hex << c.op << " a " << c.a);
    EXPECT_EQ(
        run_plain({stmt(BPF_LD | BPF_IMM, c.a), stmt(BPF_ALU | c.op | BPF_K, c.operand), kRetA}),
        c.want);
    EXPECT_EQ(run_plain({stmt(BPF_LD | BPF_IMM, c.a), stmt(BPF_LDX | BPF_IMM, c.operand),
                         stmt(BPF_ALU | c.op | BPF_X, 0), kRetA}),
              c.want);
  }
  EXPECT_EQ(run_plain({stmt(BPF_LD | BPF_IMM, 1), stmt(BPF_ALU | BPF_NEG, 0), kRetA}), 0xffffffff);
  EXPECT_EQ(run_plain({stmt(BPF_ALU | BPF_NEG, 0), kRetA}), 0u);
}

TEST(BpfEvaluator, ShiftByXUsesLowFiveBits) {
  // The kernel runs classic BPF as 32-bit eBPF, whose interpreter shifts by (X & 31).
  auto shift = [](uint16_t op, uint32_t a, uint32_t x) {
    return run_plain({stmt(BPF_LD | BPF_IMM, a), stmt(BPF_LDX | BPF_IMM, x),
                      stmt(BPF_ALU | op | BPF_X, 0), kRetA});
  };
  EXPECT_EQ(shift(BPF_LSH, 1, 32), 1u);
  EXPECT_EQ(shift(BPF_LSH, 1, 33), 2u);
  EXPECT_EQ(shift(BPF_RSH, 0x80000000, 32), 0x80000000);
  EXPECT_EQ(shift(BPF_RSH, 0x80000000, 63), 1u);
}

TEST(BpfEvaluator, DivisionByZeroInXReturnsZero) {
  // The program ends with 0 (KILL_THREAD) at the division, whatever would have followed.
  EXPECT_EQ(run_plain({stmt(BPF_LD | BPF_IMM, 10), stmt(BPF_LDX | BPF_IMM, 0),
                       stmt(BPF_ALU | BPF_DIV | BPF_X, 0), stmt(BPF_RET | BPF_K, kAllow)}),
            0u);
  EXPECT_EQ(describe_action(0), "KILL_THREAD");
}

// ld #a; ldx #b; j<op> → ret 1 : ret 0. With K source the constant is b.
uint32_t branch(uint16_t op, uint16_t src, uint32_t a, uint32_t b) {
  return run_plain({stmt(BPF_LD | BPF_IMM, a), stmt(BPF_LDX | BPF_IMM, b),
                    jump(BPF_JMP | op | src, src == BPF_K ? b : 0, 0, 1), stmt(BPF_RET | BPF_K, 1),
                    stmt(BPF_RET | BPF_K, 0)});
}

TEST(BpfEvaluator, ConditionalJumpsAreUnsigned) {
  for (uint16_t src : {uint16_t{BPF_K}, uint16_t{BPF_X}}) {
    SCOPED_TRACE(src == BPF_K ? "K" : "X");
    EXPECT_EQ(branch(BPF_JEQ, src, 5, 5), 1u);
    EXPECT_EQ(branch(BPF_JEQ, src, 5, 6), 0u);
    EXPECT_EQ(branch(BPF_JGT, src, 0x80000000, 1), 1u);  // signed, this would be false
    EXPECT_EQ(branch(BPF_JGT, src, 7, 7), 0u);
    EXPECT_EQ(branch(BPF_JGT, src, 1, 0xffffffff), 0u);
    EXPECT_EQ(branch(BPF_JGE, src, 7, 7), 1u);
    EXPECT_EQ(branch(BPF_JGE, src, 0xffffffff, 0x80000000), 1u);
    EXPECT_EQ(branch(BPF_JGE, src, 6, 7), 0u);
    EXPECT_EQ(branch(BPF_JSET, src, 0x80000001, 0x80000000), 1u);
    EXPECT_EQ(branch(BPF_JSET, src, 0x0f, 0xf0), 0u);
  }
}

TEST(BpfEvaluator, UnconditionalJumpSkipsInstructions) {
  EXPECT_EQ(run_plain({stmt(BPF_JMP | BPF_JA, 2), stmt(BPF_RET | BPF_K, 1),
                       stmt(BPF_RET | BPF_K, 2), stmt(BPF_RET | BPF_K, 3)}),
            3u);
  EXPECT_EQ(run_plain({stmt(BPF_JMP | BPF_JA, 0), stmt(BPF_RET | BPF_K, 1)}), 1u);
}

TEST(BpfEvaluator, RegistersAndScratchMemory) {
  // M[3]=7, M[15]=9; A=M[15]=9, X=M[3]=7; A-=X → 2; X=A; A=100 is overwritten by A=X; A+=5 → 7.
  EXPECT_EQ(run_plain({stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_ST, 3), stmt(BPF_LDX | BPF_IMM, 9),
                       stmt(BPF_STX, 15), stmt(BPF_LD | BPF_MEM, 15), stmt(BPF_LDX | BPF_MEM, 3),
                       stmt(BPF_ALU | BPF_SUB | BPF_X, 0), stmt(BPF_MISC | BPF_TAX, 0),
                       stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_MISC | BPF_TXA, 0),
                       stmt(BPF_ALU | BPF_ADD | BPF_K, 5), kRetA}),
            7u);
  EXPECT_EQ(run_plain({stmt(BPF_LD | BPF_W | BPF_LEN, 0), kRetA}), 64u);
  EXPECT_EQ(run_plain({stmt(BPF_LDX | BPF_W | BPF_LEN, 0), stmt(BPF_MISC | BPF_TXA, 0), kRetA}),
            64u);
  EXPECT_EQ(run_plain({stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 13)}), errno_ret(EACCES));
}

TEST(BpfEvaluator, LoadsEveryWordOfSeccompData) {
  SeccompData d;
  d.nr = -1;
  d.arch = AUDIT_ARCH_X86_64;
  d.instruction_pointer = 0x1122334455667788;
  for (int i = 0; i < 6; ++i) d.args[i] = (uint64_t{0xa0u + i} << 32) | (0xb0u + i);
  auto load = [&](uint32_t offset) {
    return run(Prog{stmt(BPF_LD | BPF_W | BPF_ABS, offset), kRetA}, d);
  };
  EXPECT_EQ(load(0), 0xffffffff);
  EXPECT_EQ(load(4), AUDIT_ARCH_X86_64);
  EXPECT_EQ(load(8), 0x55667788u);
  EXPECT_EQ(load(12), 0x11223344u);
  for (uint32_t i = 0; i < 6; ++i) {
    EXPECT_EQ(load(16 + 8 * i), 0xb0u + i) << "args[" << i << "].lo";
    EXPECT_EQ(load(20 + 8 * i), 0xa0u + i) << "args[" << i << "].hi";
  }
}

// --- validation ------------------------------------------------------------------------------

std::string validation_error(const Prog& p) {
  auto r = validate_program(p);
  if (r) return "(accepted)";
  return r.error().message();
}

TEST(BpfValidate, AcceptsWellFormedPrograms) {
  EXPECT_TRUE(validate_program(Prog{stmt(BPF_RET | BPF_K, kAllow)}));
  EXPECT_TRUE(validate_program(Prog(kMaxProgramLength, stmt(BPF_RET | BPF_K, 0))));
  // Written on both paths before the join: fine.
  EXPECT_TRUE(validate_program(Prog{jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2), stmt(BPF_ST, 1),
                                    stmt(BPF_JMP | BPF_JA, 1), stmt(BPF_STX, 1),
                                    stmt(BPF_LD | BPF_MEM, 1), kRetA}));
}

TEST(BpfValidate, RejectsBadLengths) {
  EXPECT_TRUE(Contains(validation_error({}), "empty"));
  EXPECT_TRUE(Contains(validation_error(Prog(kMaxProgramLength + 1, stmt(BPF_RET | BPF_K, 0))),
                       "at most 4096"));
}

TEST(BpfValidate, RejectsOutOfRangeJumps) {
  const sock_filter ret = stmt(BPF_RET | BPF_K, 0);
  EXPECT_EQ(validation_error({jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ret}),
            "instruction 0: jump target 2 is past the end (length 2)");
  EXPECT_EQ(validation_error({ret, jump(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 5), ret, ret}),
            "instruction 1: jump target 7 is past the end (length 4)");
  EXPECT_EQ(validation_error({stmt(BPF_JMP | BPF_JA, 1), ret}),
            "instruction 0: jump target 2 is past the end (length 2)");
  // A huge k must not wrap around into range.
  EXPECT_TRUE(Contains(validation_error({ret, stmt(BPF_JMP | BPF_JA, 0xffffffff), ret}),
                       "instruction 1: jump target"));
}

TEST(BpfValidate, RejectsBadDataOffsets) {
  const sock_filter ret = stmt(BPF_RET | BPF_K, 0);
  EXPECT_EQ(validation_error({stmt(BPF_LD | BPF_W | BPF_ABS, 64), ret}),
            "instruction 0: load from offset 64 is past the end of seccomp_data (64 bytes)");
  EXPECT_EQ(validation_error({ret, stmt(BPF_LD | BPF_W | BPF_ABS, 2), ret}),
            "instruction 1: load from offset 2 is not 4-byte aligned");
  EXPECT_TRUE(Contains(validation_error({stmt(BPF_LD | BPF_W | BPF_ABS, 0xfffff000), ret}),
                       "instruction 0: load from offset"));
  EXPECT_EQ(validation_error({stmt(BPF_LD | BPF_H | BPF_ABS, 0), ret}),
            "instruction 0: seccomp filters may only load 32-bit words of seccomp_data");
  EXPECT_EQ(validation_error({stmt(BPF_LD | BPF_W | BPF_IND, 0), ret}),
            "instruction 0: indirect loads are not allowed in seccomp filters");
}

TEST(BpfValidate, RequiresRetAtTheEnd) {
  EXPECT_EQ(validation_error({stmt(BPF_LD | BPF_W | BPF_ABS, 0)}),
            "instruction 0: the last instruction must be a RET");
  EXPECT_EQ(validation_error({stmt(BPF_RET | BPF_K, 0), stmt(BPF_MISC | BPF_TAX, 0)}),
            "instruction 1: the last instruction must be a RET");
}

TEST(BpfValidate, RejectsReadsOfUnwrittenScratchMemory) {
  EXPECT_EQ(validation_error({stmt(BPF_LD | BPF_MEM, 0), kRetA}),
            "instruction 0: reads M[0], which is not written on every path leading to it");
  EXPECT_EQ(validation_error({stmt(BPF_ST, 1), stmt(BPF_LDX | BPF_MEM, 2), kRetA}),
            "instruction 1: reads M[2], which is not written on every path leading to it");
  // Written on the taken path only; the fall-through path reaches the read without it.
  EXPECT_EQ(validation_error({jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), stmt(BPF_ST, 4),
                              stmt(BPF_LD | BPF_MEM, 4), kRetA}),
            "instruction 2: reads M[4], which is not written on every path leading to it");
  EXPECT_EQ(validation_error({stmt(BPF_ST, 16), kRetA}),
            "instruction 0: scratch cell M[16] does not exist (M[0] to M[15])");
}

TEST(BpfValidate, RejectsOpcodesSeccompRefuses) {
  const sock_filter ret = stmt(BPF_RET | BPF_K, 0);
  EXPECT_EQ(validation_error({stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret}),
            "instruction 0: division by constant 0");
  EXPECT_EQ(validation_error({stmt(BPF_ALU | BPF_LSH | BPF_K, 32), ret}),
            "instruction 0: shift by 32 (must be below 32)");
  EXPECT_EQ(validation_error({stmt(BPF_ALU | BPF_RSH | BPF_K, 40), ret}),
            "instruction 0: shift by 40 (must be below 32)");
  EXPECT_EQ(validation_error({stmt(BPF_ALU | BPF_MOD | BPF_K, 3), ret}),
            "instruction 0: BPF_MOD is not allowed in seccomp filters");
  EXPECT_EQ(validation_error({stmt(BPF_ALU | BPF_MOD | BPF_X, 0), ret}),
            "instruction 0: BPF_MOD is not allowed in seccomp filters");
  EXPECT_EQ(validation_error({ret, stmt(0xff, 0), ret}),
            "instruction 1: opcode 0xff is not allowed in seccomp filters");
  EXPECT_EQ(validation_error({stmt(BPF_RET | BPF_X, 0)}),
            "instruction 0: opcode 0x0e is not allowed in seccomp filters");
  // run_program refuses too, with the same message.
  auto r = run_program(Prog{stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret}, SeccompData{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "instruction 0: division by constant 0");
}

// --- describe_action, parse_program ----------------------------------------------------------

TEST(BpfDescribeAction, NamesEveryAction) {
  EXPECT_EQ(describe_action(SECCOMP_RET_ALLOW), "ALLOW");
  EXPECT_EQ(describe_action(SECCOMP_RET_KILL_PROCESS), "KILL_PROCESS");
  EXPECT_EQ(describe_action(SECCOMP_RET_KILL_THREAD), "KILL_THREAD");
  EXPECT_EQ(describe_action(SECCOMP_RET_TRAP | 5), "TRAP(5)");
  EXPECT_EQ(describe_action(SECCOMP_RET_ERRNO | EPERM), "ERRNO(EPERM)");
  EXPECT_EQ(describe_action(SECCOMP_RET_ERRNO | ENOSYS), "ERRNO(ENOSYS)");
  EXPECT_EQ(describe_action(SECCOMP_RET_ERRNO | 0), "ERRNO(0)");
  EXPECT_EQ(describe_action(SECCOMP_RET_ERRNO | 4000), "ERRNO(4000)");
  EXPECT_EQ(describe_action(SECCOMP_RET_TRACE | 7), "TRACE(7)");
  EXPECT_EQ(describe_action(SECCOMP_RET_LOG), "LOG");
  EXPECT_EQ(describe_action(SECCOMP_RET_USER_NOTIF), "USER_NOTIF");
  EXPECT_EQ(describe_action(0x12340000), "UNKNOWN(0x12340000)");
}

TEST(BpfParse, ReadsHostOrderRecordsAndRejectsBadLengths) {
  const sock_filter want[] = {jump(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 2),
                              stmt(BPF_RET | BPF_K, kAllow)};
  const auto* raw = reinterpret_cast<const uint8_t*>(want);
  auto prog = parse_program(std::span(raw, sizeof want));
  ASSERT_TRUE(prog);
  ASSERT_EQ(prog->size(), 2u);
  EXPECT_EQ((*prog)[0].code, BPF_JMP | BPF_JEQ | BPF_K);
  EXPECT_EQ((*prog)[0].jt, 1);
  EXPECT_EQ((*prog)[0].jf, 2);
  EXPECT_EQ((*prog)[0].k, 0xc000003eu);
  EXPECT_EQ((*prog)[1].k, kAllow);

  EXPECT_FALSE(parse_program({}));
  auto odd = parse_program(std::span(raw, 12));
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().message(), "BPF program is 12 bytes, not a multiple of 8");
  EXPECT_FALSE(parse_program(std::span(raw, 7)));
}

// --- disassembler ----------------------------------------------------------------------------

TEST(BpfDisassemble, HandWrittenProgram) {
  const Prog p = {
      stmt(BPF_LD | BPF_W | BPF_ABS, 4),
      jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 7),
      stmt(BPF_LD | BPF_W | BPF_ABS, 0),
      jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 5, 0),
      jump(BPF_JMP | BPF_JEQ | BPF_K, 39, 3, 0),
      stmt(BPF_LD | BPF_W | BPF_ABS, 36),
      stmt(BPF_ALU | BPF_AND | BPF_K, 0xffff),
      jump(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1),
      stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  EXPECT_EQ(disassemble(p),
            "0000: ld  [arch]\n"
            "0001: jeq #0xc000003e true:0002 false:0009  ; AUDIT_ARCH_X86_64\n"
            "0002: ld  [nr]\n"
            "0003: jge #0x40000000 true:0009 false:0004\n"
            "0004: jeq #39         true:0008 false:0005\n"
            "0005: ld  [args[2].hi]\n"
            "0006: and #0x0000ffff\n"
            "0007: jset x           true:0008 false:0009\n"
            "0008: ret ERRNO(EPERM)\n"
            "0009: ret ALLOW\n");
}

TEST(BpfDisassemble, OperandsAndAnnotations) {
  const Prog p = {
      stmt(BPF_LD | BPF_W | BPF_ABS, 8),
      stmt(BPF_LD | BPF_W | BPF_ABS, 16),
      stmt(BPF_LDX | BPF_IMM, 70000),
      stmt(BPF_ST, 2),
      stmt(BPF_LDX | BPF_MEM, 2),
      stmt(BPF_ALU | BPF_NEG, 0),
      stmt(BPF_LD | BPF_W | BPF_LEN, 0),
      stmt(BPF_JMP | BPF_JA, 1),
      stmt(BPF_ALU | BPF_MOD | BPF_K, 3),
      stmt(0xff, 0x1234),
      kRetA,
  };
  const std::string text = disassemble(p, [](size_t i, const sock_filter& in) -> std::string {
    if (i == 7) return "skip";
    if (in.code == BPF_ST) return "save";
    return "";
  });
  EXPECT_EQ(text,
            "0000: ld  [ip.lo]\n"
            "0001: ld  [args[0].lo]\n"
            "0002: ldx #0x00011170\n"
            "0003: st  M[2]                              ; save\n"
            "0004: ldx M[2]\n"
            "0005: neg\n"
            "0006: ld  #len\n"
            "0007: jmp 0009                              ; skip\n"
            "0008: mod #3\n"
            "0009: .word 0x00ff 0x00 0x00 0x00001234\n"
            "0010: ret a\n");
}

TEST(BpfDisassemble, NamesArchConstantsOnlyWhereAHoldsArch) {
  // 20 is AUDIT_ARCH_PPC, and also i386 getpid; 0x40000003 is AUDIT_ARCH_I386 and x32 close.
  const Prog p = {
      stmt(BPF_LD | BPF_W | BPF_ABS, 4),
      jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 2),
      stmt(BPF_LD | BPF_W | BPF_ABS, 0),
      jump(BPF_JMP | BPF_JEQ | BPF_K, 20, 2, 0),
      jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 1, 0),  // A is [arch] or [nr] here
      jump(BPF_JMP | BPF_JEQ | BPF_K, 20, 0, 1),
      stmt(BPF_RET | BPF_K, kAllow),
      stmt(BPF_RET | BPF_K, 0),
  };
  EXPECT_EQ(disassemble(p),
            "0000: ld  [arch]\n"
            "0001: jeq #0x40000003 true:0002 false:0004  ; AUDIT_ARCH_I386\n"
            "0002: ld  [nr]\n"
            "0003: jeq #20         true:0006 false:0004\n"
            "0004: jeq #0x40000003 true:0006 false:0005\n"
            "0005: jeq #20         true:0006 false:0007\n"
            "0006: ret ALLOW\n"
            "0007: ret KILL_THREAD\n");
}

TEST(BpfDisassemble, LibseccompFilterStartsWithArchCheck) {
  Filter f = new_filter(SCMP_ACT_ALLOW);
  ASSERT_EQ(seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mount), 0), 0);
  const auto prog = export_program(f);
  const std::string text = disassemble(prog);
  EXPECT_EQ(text.substr(0, text.find('\n')), "0000: ld  [arch]");
  EXPECT_TRUE(Contains(text, "0001: jeq #0xc000003e true:0002 false:"));
  EXPECT_TRUE(Contains(text, "; AUDIT_ARCH_X86_64\n"));
  EXPECT_TRUE(Contains(text, "0002: ld  [nr]\n"));
  EXPECT_TRUE(Contains(text, "ret ERRNO(EPERM)\n"));
  EXPECT_TRUE(Contains(text, "ret KILL_PROCESS\n"));
  EXPECT_TRUE(Contains(text, "ret ALLOW\n"));
}

}  // namespace
}  // namespace cordon::compiler
