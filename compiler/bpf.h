// A userspace model of the kernel's classic-BPF seccomp machinery: the load-time checker, the
// evaluator, and a disassembler.
//
// `cordon explain` runs a compiled filter on one system call with these, the tests run real
// libseccomp output through them without installing anything in the kernel, and the compiler's
// self-check compares the filter's decisions with what the policy means. The model follows the
// kernel rather than the BPF textbook wherever the two differ:
//
//   - validate_program() accepts exactly what seccomp(2) accepts: bpf_check_classic() (opcode
//     table, jump ranges, constant divisors and shifts, RET last, scratch memory written before
//     it is read) followed by seccomp_check_filter() (the seccomp opcode whitelist, aligned
//     in-bounds loads of struct seccomp_data). In particular BPF_MOD is rejected: it is a valid
//     classic-BPF opcode, but seccomp_check_filter() does not list it.
//   - run_program() evaluates with the semantics of the kernel's classic→eBPF conversion:
//     A and X start at 0; ALU is 32-bit wrapping; comparisons are unsigned; `A / X` with X == 0
//     ends the program returning 0 (SECCOMP_RET_KILL_THREAD); a shift by X uses X & 31, as the
//     eBPF interpreter does for 32-bit shifts (and as x86-64 and arm64 JITs do in hardware).
//     Shifts by a constant >= 32 never run: the checker rejects them.
//   - struct seccomp_data is laid out little-endian (x86-64, arm64, riscv64...): the low 32 bits
//     of a 64-bit field sit at the lower offset.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace cordon::compiler {

// The kernel's struct seccomp_data, as a filter sees it.
struct SeccompData {
  int32_t nr = 0;
  uint32_t arch = 0;
  uint64_t instruction_pointer = 0;
  uint64_t args[6] = {};
};

// sizeof(struct seccomp_data): the bound on BPF_LD|BPF_W|BPF_ABS offsets, and the value of
// BPF_LEN loads.
inline constexpr uint32_t kSeccompDataSize = 64;
// BPF_MAXINSNS.
inline constexpr size_t kMaxProgramLength = 4096;

// Checks a program the way seccomp(2) would before installing it. Errors name the first
// offending instruction: "instruction 3: jump target 12 is past the end (length 10)".
Result<void> validate_program(std::span<const sock_filter> prog);

// Validates, then runs the program on `data`; returns the filter's 32-bit return value.
Result<uint32_t> run_program(std::span<const sock_filter> prog, const SeccompData& data);
// Runs a program validate_program() accepted, without checking it again (for callers that run
// one program on many inputs, like the compiler's self-check).
uint32_t run_validated_program(std::span<const sock_filter> prog, const SeccompData& data);

// "ALLOW", "KILL_PROCESS", "KILL_THREAD", "TRAP(1)", "ERRNO(EPERM)" (the number when the errno
// has no name), "TRACE(7)", "LOG", "USER_NOTIF"; "UNKNOWN(0x12340000)" for an action the kernel
// does not define (it treats those as KILL_PROCESS).
std::string describe_action(uint32_t ret);

// Adds a comment to one instruction of a disassembly; return "" for none.
using DisasmAnnotator = std::function<std::string(size_t index, const sock_filter&)>;

// One instruction per line, in the style of bpf_dbg and libseccomp's scmp_bpf_disasm:
//
//   0000: ld  [arch]
//   0001: jeq #0xc000003e true:0002 false:0009  ; AUDIT_ARCH_X86_64
//   0002: ld  [nr]
//   0003: jge #0x40000000 true:0009 false:0004
//   0004: jeq #39         true:0008 false:0005
//   0005: ld  [args[2].hi]
//   ...
//   0008: ret ERRNO(EPERM)
//
// Operands: `[field]` for a seccomp_data word, `#k` for a constant (decimal below 65536, hex
// above; always hex for and/or/xor/jset), `x` for the X register, `M[i]` for scratch memory,
// `#len` for the data length. Jump targets are absolute instruction numbers. RET constants are
// decoded with describe_action(). The program need not be valid: anything undecodable is shown
// as `.word 0x...`. Comments go after `;`, aligned: first the AUDIT_ARCH_* name of a constant
// compared with A where A holds [arch] on every path there, then the annotator's text. Every
// line ends with '\n'.
std::string disassemble(std::span<const sock_filter> prog, const DisasmAnnotator& annotate = {});

// Reads a program as seccomp_export_bpf() writes it: consecutive 8-byte sock_filter records in
// host byte order. Fails on an empty input or a length that is not a multiple of 8.
Result<std::vector<sock_filter>> parse_program(std::span<const uint8_t> bytes);

}  // namespace cordon::compiler
