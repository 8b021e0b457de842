// Architecture and syscall names for SECCOMP records, from libseccomp's tables (every
// architecture libseccomp knows), and the decoding of a seccomp return code into its action.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon::audit {

// The AUDIT_ARCH_* value for a record's arch= field: hex as the kernel prints it
// ("c000003e") or a name as `ausearch -i` prints it ("x86_64", "i386", "aarch64").
std::optional<uint32_t> arch_token(std::string_view field);
// libseccomp's name for an AUDIT_ARCH_* value ("x86_64", "x86", "aarch64" …), "" when unknown.
std::string arch_name(uint32_t token);
std::optional<std::string> syscall_name(uint32_t arch, int nr);
std::optional<int> syscall_number(uint32_t arch, std::string_view name);

// A record's arch= and syscall= fields resolved: libseccomp's architecture name (the raw field
// when unknown), the syscall's name and number whichever of the two the record gave (a number
// from the kernel, a name from `ausearch -i`). The kernel logs x32 calls as AUDIT_ARCH_X86_64
// with __X32_SYSCALL_BIT (0x40000000) in the number: they resolve as x32's.
struct Call {
  std::string arch, syscall;
  std::optional<int> nr;
};
Call resolve_call(std::string_view arch_field, std::string_view syscall_field);

// The action of a seccomp return value (code=0x…) or of its `ausearch -i` name: "kill-process",
// "kill-thread", "trap", "errno(N)", "user-notif", "trace(N)", "log", "allow"; "" when the
// field is neither.
std::string seccomp_action(std::string_view code);

}  // namespace cordon::audit
