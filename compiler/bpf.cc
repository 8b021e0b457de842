// Classic-BPF checker, evaluator and disassembler for seccomp filters. See bpf.h for the
// kernel behaviour each part reproduces.
#include "compiler/bpf.h"

#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <array>
#include <cstring>
#include <optional>
#include <string_view>

namespace cordon::compiler {
namespace {

// BPF_MEMWORDS: scratch cells M[0..15].
constexpr uint32_t kMemWords = 16;

// parse_program() copies seccomp_export_bpf() output straight into sock_filter records.
static_assert(sizeof(sock_filter) == 8);

// Opcodes spelled out once, so the switches below read like the kernel's.
enum : uint16_t {
  kLdAbsW = BPF_LD | BPF_W | BPF_ABS,
  kLdLenW = BPF_LD | BPF_W | BPF_LEN,
  kLdxLenW = BPF_LDX | BPF_W | BPF_LEN,
  kLdImm = BPF_LD | BPF_IMM,
  kLdxImm = BPF_LDX | BPF_IMM,
  kLdMem = BPF_LD | BPF_MEM,
  kLdxMem = BPF_LDX | BPF_MEM,
  kSt = BPF_ST,
  kStx = BPF_STX,
  kRetK = BPF_RET | BPF_K,
  kRetA = BPF_RET | BPF_A,
  kTax = BPF_MISC | BPF_TAX,
  kTxa = BPF_MISC | BPF_TXA,
  kJa = BPF_JMP | BPF_JA,
};

constexpr uint16_t alu(uint16_t op, uint16_t src) { return BPF_ALU | op | src; }

bool is_conditional_jump(uint16_t code) {
  if (BPF_CLASS(code) != BPF_JMP || (code & ~uint16_t{0xf8}) != BPF_JMP) return false;
  switch (BPF_OP(code)) {
    case BPF_JEQ:
    case BPF_JGT:
    case BPF_JGE:
    case BPF_JSET:
      return true;
    default:
      return false;
  }
}

// The instructions bpf_check_classic() lets through (its chk_code_allowed() table) that
// seccomp_check_filter() then refuses, with the reason shown to the user.
std::optional<std::string_view> classic_only_reason(uint16_t code) {
  switch (code) {
    case alu(BPF_MOD, BPF_K):
    case alu(BPF_MOD, BPF_X):
      return "BPF_MOD is not allowed in seccomp filters";
    case BPF_LD | BPF_H | BPF_ABS:
    case BPF_LD | BPF_B | BPF_ABS:
      return "seccomp filters may only load 32-bit words of seccomp_data";
    case BPF_LD | BPF_W | BPF_IND:
    case BPF_LD | BPF_H | BPF_IND:
    case BPF_LD | BPF_B | BPF_IND:
      return "indirect loads are not allowed in seccomp filters";
    case BPF_LDX | BPF_B | BPF_MSH:
      return "BPF_MSH loads are not allowed in seccomp filters";
    default:
      return std::nullopt;
  }
}

// The kernel's check_load_and_stores(): a forward dataflow pass over the instructions in order.
// `valid` is the set of cells written on every path seen so far; a jump narrows the set at its
// targets and leaves "everything" behind it, to be narrowed again by whatever jumps there.
// Like the kernel it does not reset the set after a RET, so it is conservative, never lax.
Result<void> check_memory_use(std::span<const sock_filter> prog) {
  std::vector<uint16_t> masks(prog.size(), 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    valid &= masks[pc];
    switch (in.code) {
      case kSt:
      case kStx:
        valid |= static_cast<uint16_t>(1u << in.k);
        break;
      case kLdMem:
      case kLdxMem:
        if (!(valid & (1u << in.k))) {
          return fail(fmt::format(
              "instruction {}: reads M[{}], which is not written on every path leading to it", pc,
              in.k));
        }
        break;
      case kJa:
        masks[pc + 1 + in.k] &= valid;
        valid = 0xffff;
        break;
      default:
        if (is_conditional_jump(in.code)) {
          masks[pc + 1 + in.jt] &= valid;
          masks[pc + 1 + in.jf] &= valid;
          valid = 0xffff;
        }
        break;
    }
  }
  return {};
}

// The 32-bit word at byte offset `k` (validated: 4-aligned, < 64) of a little-endian
// struct seccomp_data.
uint32_t load_word(const SeccompData& data, uint32_t k) {
  if (k == 0) return static_cast<uint32_t>(data.nr);
  if (k == 4) return data.arch;
  const size_t slot = (k - 8) / 8;  // 0: instruction_pointer, 1..6: args[0..5]
  const uint64_t field = slot == 0 ? data.instruction_pointer : data.args[slot - 1];
  const bool high_half = (k / 4) % 2 == 1;
  return static_cast<uint32_t>(high_half ? field >> 32 : field);
}

// "[nr]", "[arch]", "[ip.lo]", "[args[2].hi]"; the raw offset for anything else.
std::string data_operand(uint32_t k) {
  if (k % 4 != 0 || k >= kSeccompDataSize) return fmt::format("[{}]", k);
  if (k == 0) return "[nr]";
  if (k == 4) return "[arch]";
  const char* half = (k / 4) % 2 == 1 ? "hi" : "lo";
  if (k < 16) return fmt::format("[ip.{}]", half);
  return fmt::format("[args[{}].{}]", (k - 16) / 8, half);
}

std::string constant(uint32_t k) {
  return k < 0x10000 ? fmt::format("#{}", k) : fmt::format("#{:#010x}", k);
}
std::string hex_constant(uint32_t k) { return fmt::format("#{:#010x}", k); }

std::string_view arch_name(uint32_t arch) {
  switch (arch) {
    case AUDIT_ARCH_X86_64:
      return "AUDIT_ARCH_X86_64";
    case AUDIT_ARCH_I386:
      return "AUDIT_ARCH_I386";
    case AUDIT_ARCH_AARCH64:
      return "AUDIT_ARCH_AARCH64";
    case AUDIT_ARCH_ARM:
      return "AUDIT_ARCH_ARM";
    case AUDIT_ARCH_ARMEB:
      return "AUDIT_ARCH_ARMEB";
    case AUDIT_ARCH_MIPS:
      return "AUDIT_ARCH_MIPS";
    case AUDIT_ARCH_MIPSEL:
      return "AUDIT_ARCH_MIPSEL";
    case AUDIT_ARCH_MIPS64:
      return "AUDIT_ARCH_MIPS64";
    case AUDIT_ARCH_MIPS64N32:
      return "AUDIT_ARCH_MIPS64N32";
    case AUDIT_ARCH_MIPSEL64:
      return "AUDIT_ARCH_MIPSEL64";
    case AUDIT_ARCH_MIPSEL64N32:
      return "AUDIT_ARCH_MIPSEL64N32";
    case AUDIT_ARCH_PARISC:
      return "AUDIT_ARCH_PARISC";
    case AUDIT_ARCH_PARISC64:
      return "AUDIT_ARCH_PARISC64";
    case AUDIT_ARCH_PPC:
      return "AUDIT_ARCH_PPC";
    case AUDIT_ARCH_PPC64:
      return "AUDIT_ARCH_PPC64";
    case AUDIT_ARCH_PPC64LE:
      return "AUDIT_ARCH_PPC64LE";
    case AUDIT_ARCH_RISCV32:
      return "AUDIT_ARCH_RISCV32";
    case AUDIT_ARCH_RISCV64:
      return "AUDIT_ARCH_RISCV64";
    case AUDIT_ARCH_S390:
      return "AUDIT_ARCH_S390";
    case AUDIT_ARCH_S390X:
      return "AUDIT_ARCH_S390X";
    case AUDIT_ARCH_SH:
      return "AUDIT_ARCH_SH";
    case AUDIT_ARCH_SHEL:
      return "AUDIT_ARCH_SHEL";
    case AUDIT_ARCH_SPARC:
      return "AUDIT_ARCH_SPARC";
    case AUDIT_ARCH_SPARC64:
      return "AUDIT_ARCH_SPARC64";
#ifdef AUDIT_ARCH_LOONGARCH64
    case AUDIT_ARCH_LOONGARCH64:
      return "AUDIT_ARCH_LOONGARCH64";
#endif
    default:
      return {};
  }
}

std::string_view alu_mnemonic(uint16_t op) {
  switch (op) {
    case BPF_ADD:
      return "add";
    case BPF_SUB:
      return "sub";
    case BPF_MUL:
      return "mul";
    case BPF_DIV:
      return "div";
    case BPF_OR:
      return "or";
    case BPF_AND:
      return "and";
    case BPF_LSH:
      return "lsh";
    case BPF_RSH:
      return "rsh";
    case BPF_NEG:
      return "neg";
    case BPF_MOD:
      return "mod";
    case BPF_XOR:
      return "xor";
    default:
      return {};
  }
}

std::string_view jump_mnemonic(uint16_t op) {
  switch (op) {
    case BPF_JEQ:
      return "jeq";
    case BPF_JGT:
      return "jgt";
    case BPF_JGE:
      return "jge";
    case BPF_JSET:
      return "jset";
    default:
      return {};
  }
}

std::string line(std::string_view mnemonic, std::string_view operand = {}) {
  if (operand.empty()) return std::string(mnemonic);
  return fmt::format("{:<3} {}", mnemonic, operand);
}

// Mnemonic and operands of one instruction; nullopt when the opcode is not classic BPF.
std::optional<std::string> decode(size_t pc, const sock_filter& in) {
  const uint16_t code = in.code;
  const uint32_t k = in.k;
  switch (code) {
    case kLdAbsW:
      return line("ld", data_operand(k));
    case BPF_LD | BPF_H | BPF_ABS:
      return line("ldh", fmt::format("[{}]", k));
    case BPF_LD | BPF_B | BPF_ABS:
      return line("ldb", fmt::format("[{}]", k));
    case BPF_LD | BPF_W | BPF_IND:
      return line("ld", fmt::format("[x + {}]", k));
    case BPF_LD | BPF_H | BPF_IND:
      return line("ldh", fmt::format("[x + {}]", k));
    case BPF_LD | BPF_B | BPF_IND:
      return line("ldb", fmt::format("[x + {}]", k));
    case BPF_LDX | BPF_B | BPF_MSH:
      return line("ldxb", fmt::format("4*([{}]&0xf)", k));
    case kLdLenW:
      return line("ld", "#len");
    case kLdxLenW:
      return line("ldx", "#len");
    case kLdImm:
      return line("ld", constant(k));
    case kLdxImm:
      return line("ldx", constant(k));
    case kLdMem:
      return line("ld", fmt::format("M[{}]", k));
    case kLdxMem:
      return line("ldx", fmt::format("M[{}]", k));
    case kSt:
      return line("st", fmt::format("M[{}]", k));
    case kStx:
      return line("stx", fmt::format("M[{}]", k));
    case kTax:
      return line("tax");
    case kTxa:
      return line("txa");
    case kRetK:
      return line("ret", describe_action(k));
    case kRetA:
      return line("ret", "a");
    case kJa:
      return line("jmp", fmt::format("{:04}", pc + 1 + k));
    case alu(BPF_NEG, 0):
      return line("neg");
    default:
      break;
  }
  if (BPF_CLASS(code) == BPF_ALU && (code & ~uint16_t{0xf8}) == BPF_ALU) {
    const std::string_view mnemonic = alu_mnemonic(BPF_OP(code));
    if (mnemonic.empty() || BPF_OP(code) == BPF_NEG) return std::nullopt;
    if (BPF_SRC(code) == BPF_X) return line(mnemonic, "x");
    const bool bitwise =
        BPF_OP(code) == BPF_AND || BPF_OP(code) == BPF_OR || BPF_OP(code) == BPF_XOR;
    return line(mnemonic, bitwise ? hex_constant(k) : constant(k));
  }
  if (is_conditional_jump(code)) {
    std::string operand = BPF_SRC(code) == BPF_X     ? std::string("x")
                          : BPF_OP(code) == BPF_JSET ? hex_constant(k)
                                                     : constant(k);
    return fmt::format("{:<3} {:<11} true:{:04} false:{:04}", jump_mnemonic(BPF_OP(code)), operand,
                       pc + 1 + in.jt, pc + 1 + in.jf);
  }
  return std::nullopt;
}

// Column at which comments start, so that they line up after the longest jump.
constexpr size_t kCommentColumn = 36;

// For each instruction, the seccomp_data offset whose word A holds on entry on every path that
// reaches it, or -1. A forward pass suffices because every jump goes forward. This is what lets
// the disassembler name 20 as AUDIT_ARCH_PPC only where A holds [arch], not where it holds [nr].
std::vector<int64_t> a_load_offsets(std::span<const sock_filter> prog) {
  constexpr int64_t kUnreached = -2;
  constexpr int64_t kUnknown = -1;
  std::vector<int64_t> in(prog.size(), kUnreached);
  if (prog.empty()) return in;
  in[0] = kUnknown;
  auto flow = [&](uint64_t target, int64_t state) {
    if (target >= in.size()) return;
    int64_t& slot = in[target];
    slot = slot == kUnreached || slot == state ? state : kUnknown;
  };
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    if (in[pc] == kUnreached) continue;
    const sock_filter& ins = prog[pc];
    const uint16_t cls = BPF_CLASS(ins.code);
    int64_t out = in[pc];
    if (ins.code == kLdAbsW) {
      out = ins.k;
    } else if (cls == BPF_LD || cls == BPF_ALU || ins.code == kTxa) {
      out = kUnknown;
    }
    if (cls == BPF_RET) continue;
    if (ins.code == kJa) {
      flow(uint64_t{pc} + 1 + ins.k, out);
    } else if (cls == BPF_JMP) {
      flow(pc + 1 + ins.jt, out);
      flow(pc + 1 + ins.jf, out);
    } else {
      flow(pc + 1, out);
    }
  }
  for (int64_t& v : in) v = v < 0 ? kUnknown : v;
  return in;
}

}  // namespace

Result<void> validate_program(std::span<const sock_filter> prog) {
  if (prog.empty()) return fail("empty program: a filter needs at least one instruction");
  if (prog.size() > kMaxProgramLength) {
    return fail(fmt::format("program has {} instructions; the kernel accepts at most {}",
                            prog.size(), kMaxProgramLength));
  }
  const size_t len = prog.size();
  for (size_t pc = 0; pc < len; ++pc) {
    const sock_filter& in = prog[pc];
    auto bad = [pc](std::string_view why) {
      return fail(fmt::format("instruction {}: {}", pc, why));
    };
    switch (in.code) {
      case kLdAbsW:
        if (in.k >= kSeccompDataSize) {
          return bad(fmt::format("load from offset {} is past the end of seccomp_data ({} bytes)",
                                 in.k, kSeccompDataSize));
        }
        if (in.k % 4 != 0) {
          return bad(fmt::format("load from offset {} is not 4-byte aligned", in.k));
        }
        break;
      case alu(BPF_DIV, BPF_K):
        if (in.k == 0) return bad("division by constant 0");
        break;
      case alu(BPF_LSH, BPF_K):
      case alu(BPF_RSH, BPF_K):
        if (in.k >= 32) return bad(fmt::format("shift by {} (must be below 32)", in.k));
        break;
      case kLdMem:
      case kLdxMem:
      case kSt:
      case kStx:
        if (in.k >= kMemWords) {
          return bad(fmt::format("scratch cell M[{}] does not exist (M[0] to M[{}])", in.k,
                                 kMemWords - 1));
        }
        break;
      case kJa:
        // Unsigned, as in the kernel: pc + 1 + k must stay inside the program.
        if (in.k >= len - pc - 1) {
          return bad(fmt::format("jump target {} is past the end (length {})",
                                 uint64_t{pc} + 1 + in.k, len));
        }
        break;
      case kLdLenW:
      case kLdxLenW:
      case kLdImm:
      case kLdxImm:
      case kRetK:
      case kRetA:
      case kTax:
      case kTxa:
      case alu(BPF_ADD, BPF_K):
      case alu(BPF_ADD, BPF_X):
      case alu(BPF_SUB, BPF_K):
      case alu(BPF_SUB, BPF_X):
      case alu(BPF_MUL, BPF_K):
      case alu(BPF_MUL, BPF_X):
      case alu(BPF_DIV, BPF_X):
      case alu(BPF_AND, BPF_K):
      case alu(BPF_AND, BPF_X):
      case alu(BPF_OR, BPF_K):
      case alu(BPF_OR, BPF_X):
      case alu(BPF_XOR, BPF_K):
      case alu(BPF_XOR, BPF_X):
      case alu(BPF_LSH, BPF_X):
      case alu(BPF_RSH, BPF_X):
      case alu(BPF_NEG, 0):
        break;
      default:
        if (is_conditional_jump(in.code)) {
          for (uint8_t offset : {in.jt, in.jf}) {
            if (pc + 1 + offset >= len) {
              return bad(
                  fmt::format("jump target {} is past the end (length {})", pc + 1 + offset, len));
            }
          }
          break;
        }
        if (auto reason = classic_only_reason(in.code)) return bad(*reason);
        return bad(fmt::format("opcode {:#04x} is not allowed in seccomp filters", in.code));
    }
  }
  if (const uint16_t last = prog.back().code; last != kRetK && last != kRetA) {
    return fail(fmt::format("instruction {}: the last instruction must be a RET", len - 1));
  }
  return check_memory_use(prog);
}

Result<uint32_t> run_program(std::span<const sock_filter> prog, const SeccompData& data) {
  if (auto valid = validate_program(prog); !valid) return fail(valid.error());
  return run_validated_program(prog, data);
}

uint32_t run_validated_program(std::span<const sock_filter> prog, const SeccompData& data) {
  uint32_t a = 0;
  uint32_t x = 0;
  std::array<uint32_t, kMemWords> mem{};
  // Every jump goes forward, so a valid program ends within prog.size() steps.
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    const uint32_t k = in.k;
    switch (in.code) {
      case kLdAbsW:
        a = load_word(data, k);
        break;
      case kLdLenW:
        a = kSeccompDataSize;
        break;
      case kLdxLenW:
        x = kSeccompDataSize;
        break;
      case kLdImm:
        a = k;
        break;
      case kLdxImm:
        x = k;
        break;
      case kLdMem:
        a = mem[k];
        break;
      case kLdxMem:
        x = mem[k];
        break;
      case kSt:
        mem[k] = a;
        break;
      case kStx:
        mem[k] = x;
        break;
      case kTax:
        x = a;
        break;
      case kTxa:
        a = x;
        break;
      case alu(BPF_ADD, BPF_K):
        a += k;
        break;
      case alu(BPF_ADD, BPF_X):
        a += x;
        break;
      case alu(BPF_SUB, BPF_K):
        a -= k;
        break;
      case alu(BPF_SUB, BPF_X):
        a -= x;
        break;
      case alu(BPF_MUL, BPF_K):
        a *= k;
        break;
      case alu(BPF_MUL, BPF_X):
        a *= x;
        break;
      case alu(BPF_DIV, BPF_K):
        a /= k;  // k != 0: validated
        break;
      case alu(BPF_DIV, BPF_X):
        // The kernel's classic→eBPF conversion emits "if X == 0 return 0" before the division.
        if (x == 0) return 0;
        a /= x;
        break;
      case alu(BPF_AND, BPF_K):
        a &= k;
        break;
      case alu(BPF_AND, BPF_X):
        a &= x;
        break;
      case alu(BPF_OR, BPF_K):
        a |= k;
        break;
      case alu(BPF_OR, BPF_X):
        a |= x;
        break;
      case alu(BPF_XOR, BPF_K):
        a ^= k;
        break;
      case alu(BPF_XOR, BPF_X):
        a ^= x;
        break;
      case alu(BPF_LSH, BPF_K):
        a <<= k;  // k < 32: validated
        break;
      case alu(BPF_LSH, BPF_X):
        a <<= (x & 31);  // eBPF 32-bit shift semantics
        break;
      case alu(BPF_RSH, BPF_K):
        a >>= k;
        break;
      case alu(BPF_RSH, BPF_X):
        a >>= (x & 31);
        break;
      case alu(BPF_NEG, 0):
        a = 0u - a;
        break;
      case kJa:
        pc += k;
        break;
      case kRetK:
        return k;
      case kRetA:
        return a;
      default: {
        const uint32_t operand = BPF_SRC(in.code) == BPF_X ? x : k;
        bool taken = false;
        switch (BPF_OP(in.code)) {
          case BPF_JEQ:
            taken = a == operand;
            break;
          case BPF_JGT:
            taken = a > operand;
            break;
          case BPF_JGE:
            taken = a >= operand;
            break;
          case BPF_JSET:
            taken = (a & operand) != 0;
            break;
        }
        pc += taken ? in.jt : in.jf;
        break;
      }
    }
  }
  // Unreachable for a validated program (its last instruction is a RET); fail closed anyway.
  return SECCOMP_RET_KILL_PROCESS;  // fail closed
}

std::string describe_action(uint32_t ret) {
  const uint32_t data = ret & SECCOMP_RET_DATA;
  switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS:
      return "KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD:
      return "KILL_THREAD";
    case SECCOMP_RET_TRAP:
      return fmt::format("TRAP({})", data);
    case SECCOMP_RET_ERRNO: {
      const char* name = data == 0 ? nullptr : strerrorname_np(static_cast<int>(data));
      return name ? fmt::format("ERRNO({})", name) : fmt::format("ERRNO({})", data);
    }
    case SECCOMP_RET_USER_NOTIF:
      return "USER_NOTIF";
    case SECCOMP_RET_TRACE:
      return fmt::format("TRACE({})", data);
    case SECCOMP_RET_LOG:
      return "LOG";
    case SECCOMP_RET_ALLOW:
      return "ALLOW";
    default:
      return fmt::format("UNKNOWN({:#010x})", ret);
  }
}

std::string disassemble(std::span<const sock_filter> prog, const DisasmAnnotator& annotate) {
  const std::vector<int64_t> a_offsets = a_load_offsets(prog);
  constexpr int64_t kArchOffset = 4;
  std::string out;
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    std::string text = decode(pc, in).value_or(
        fmt::format(".word {:#06x} {:#04x} {:#04x} {:#010x}", in.code, in.jt, in.jf, in.k));

    std::string comment;
    if (is_conditional_jump(in.code) && BPF_SRC(in.code) == BPF_K && a_offsets[pc] == kArchOffset) {
      comment = arch_name(in.k);
    }
    if (annotate) {
      if (std::string extra = annotate(pc, in); !extra.empty()) {
        comment = comment.empty() ? std::move(extra) : fmt::format("{}; {}", comment, extra);
      }
    }

    if (comment.empty()) {
      fmt::format_to(std::back_inserter(out), "{:04}: {}\n", pc, text);
    } else {
      fmt::format_to(std::back_inserter(out), "{:04}: {:<{}}  ; {}\n", pc, text, kCommentColumn,
                     comment);
    }
  }
  return out;
}

Result<std::vector<sock_filter>> parse_program(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return fail("empty BPF program");
  if (bytes.size() % sizeof(sock_filter) != 0) {
    return fail(fmt::format("BPF program is {} bytes, not a multiple of {}", bytes.size(),
                            sizeof(sock_filter)));
  }
  std::vector<sock_filter> prog(bytes.size() / sizeof(sock_filter));
  std::memcpy(prog.data(), bytes.data(), bytes.size());
  return prog;
}

}  // namespace cordon::compiler
