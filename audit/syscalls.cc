#include "audit/syscalls.h"

#include <fmt/format.h>
#include <seccomp.h>

#include <charconv>
#include <cstdlib>

#include "audit/fields.h"

namespace cordon::audit {
namespace {

// libseccomp's own architecture names; its tokens are the kernel's AUDIT_ARCH_* values.
constexpr std::string_view kArchNames[] = {
    "x86_64", "x86",       "x32",    "arm",      "aarch64",     "loongarch64", "m68k",     "mips",
    "mips64", "mips64n32", "mipsel", "mipsel64", "mipsel64n32", "parisc",      "parisc64", "ppc",
    "ppc64",  "ppc64le",   "s390",   "s390x",    "riscv64",     "sh",          "sheb"};

// The names auparse (`ausearch -i`) prints where they differ from libseccomp's.
std::string_view libseccomp_spelling(std::string_view name) {
  if (name == "i386" || name == "i486" || name == "i586" || name == "i686") return "x86";
  if (name == "amd64") return "x86_64";
  if (name == "armeb" || name == "armv7l") return "arm";
  if (name == "ppc64el") return "ppc64le";
  return name;
}

bool parse_hex(std::string_view s, uint64_t& out) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<uint32_t> arch_token(std::string_view field) {
  uint64_t v = 0;
  if (field.size() == 8 && parse_hex(field, v)) return static_cast<uint32_t>(v);
  std::string name(libseccomp_spelling(field));
  uint32_t token = seccomp_arch_resolve_name(name.c_str());
  if (token == 0) return std::nullopt;
  return token;
}

std::string arch_name(uint32_t token) {
  for (std::string_view n : kArchNames) {
    std::string name(n);
    if (seccomp_arch_resolve_name(name.c_str()) == token) return name;
  }
  return "";
}

std::optional<std::string> syscall_name(uint32_t arch, int nr) {
  if (arch_name(arch).empty()) return std::nullopt;  // libseccomp asserts on unknown arches
  char* s = seccomp_syscall_resolve_num_arch(arch, nr);
  if (!s) return std::nullopt;
  std::string out(s);
  std::free(s);
  return out;
}

std::optional<int> syscall_number(uint32_t arch, std::string_view name) {
  if (arch_name(arch).empty()) return std::nullopt;
  std::string n(name);
  int nr = seccomp_syscall_resolve_name_arch(arch, n.c_str());
  // libseccomp answers negative pseudo-numbers for syscalls the architecture lacks.
  if (nr < 0) return std::nullopt;
  return nr;
}

Call resolve_call(std::string_view arch_field, std::string_view syscall_field) {
  Call c;
  auto token = arch_token(arch_field);
  if (auto nr = number<int>(syscall_field)) {
    c.nr = nr;
    if (token && *token == SCMP_ARCH_X86_64 && *nr >= 0 && (*nr & 0x40000000))
      token = SCMP_ARCH_X32;
    if (token) c.syscall = syscall_name(*token, *nr).value_or("");
  } else {
    c.syscall = std::string(syscall_field);
    if (token) c.nr = syscall_number(*token, syscall_field);
  }
  c.arch = token && !arch_name(*token).empty() ? arch_name(*token) : std::string(arch_field);
  return c;
}

std::string seccomp_action(std::string_view code) {
  uint64_t v = 0;
  if (!parse_hex(code, v)) {
    // `ausearch -i` names; its "kill" is the old name of SECCOMP_RET_KILL_THREAD.
    if (code == "kill" || code == "kill-thread") return "kill-thread";
    if (code == "kill-process" || code == "trap" || code == "errno" || code == "trace" ||
        code == "log" || code == "allow" || code == "user-notif" || code == "notify")
      return code == "notify" ? "user-notif" : std::string(code);
    return "";
  }
  uint32_t ret = static_cast<uint32_t>(v);
  uint32_t data = ret & 0xffffu;
  switch (ret & 0xffff0000u) {
    case 0x80000000u:
      return "kill-process";
    case 0x00000000u:
      return "kill-thread";
    case 0x00030000u:
      return "trap";
    case 0x00050000u:
      return fmt::format("errno({})", data);
    case 0x7fc00000u:
      return "user-notif";
    case 0x7ff00000u:
      return fmt::format("trace({})", data);
    case 0x7ffc0000u:
      return "log";
    case 0x7fff0000u:
      return "allow";
    default:
      return fmt::format("unknown({:#x})", ret);
  }
}

}  // namespace cordon::audit
