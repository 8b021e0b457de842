// Syscall and architecture names, from libseccomp's tables (the same tables the filter is built
// with, so a name the checker accepts is a name the compiler can emit).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::policy {

// The libseccomp architecture token of the machine cordon runs on (SCMP_ARCH_X86_64 here).
uint32_t native_arch();
// "x86_64", "x86", "x32", "aarch64" … (libseccomp's names) → token; "native" → native_arch().
std::optional<uint32_t> arch_from_name(std::string_view name);
std::string arch_name(uint32_t token);
std::vector<std::string_view> arch_names();

// The syscall's number on `arch`, or nullopt when the architecture has no such syscall.
std::optional<int> syscall_number(std::string_view name, uint32_t arch);
// True when any architecture libseccomp knows has this syscall.
bool syscall_known_anywhere(std::string_view name);
std::optional<std::string> syscall_name(int nr, uint32_t arch);
// Every syscall name of an architecture, sorted (for "did you mean" and listings).
const std::vector<std::string>& syscall_names(uint32_t arch);

}  // namespace cordon::policy
