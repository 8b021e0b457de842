// The argument names and types of every syscall, so a policy can say `socket(domain == AF_UNIX)`
// and the compiler knows which register that is and how many of its bits the kernel reads.
//
// The table (syscall_signatures.inc) is generated from the kernel's syscall trace events by
// tools/gen_syscall_signatures.py and checked in; its header says which kernel it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cordon::policy {

struct SyscallArg {
  std::string_view name;  // as in the kernel's SYSCALL_DEFINE ("family", "cmd", "filename")
  std::string_view type;  // the C type, e.g. "const char *"
  bool pointer;
  // The width the kernel uses after SYSCALL_DEFINE's cast: 64 for pointers, long, size_t,
  // loff_t...; 32 for int, unsigned int, pid_t, uid_t...; 16 for umode_t. Bits above it are
  // ignored by the kernel, so a filter must not decide on them.
  uint8_t bits;
};

struct SyscallSignature {
  std::string_view name;  // libseccomp's name for the syscall
  uint8_t nargs;
  SyscallArg args[6];
};

// nullptr when the syscall is unknown.
const SyscallSignature* find_signature(std::string_view syscall);
// Every syscall, sorted by name.
std::span<const SyscallSignature> all_signatures();
// Index of a named argument: arg_index("socket", "family") == 0, ("ioctl", "cmd") == 1. Also
// accepts the man-page names where they differ from the kernel's ("domain", "request").
std::optional<int> arg_index(std::string_view syscall, std::string_view arg);

}  // namespace cordon::policy
