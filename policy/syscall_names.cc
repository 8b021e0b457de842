#include "policy/syscall_names.h"

#include <seccomp.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

namespace cordon::policy {
namespace {

struct ArchName {
  std::string_view name;
  uint32_t token;
};
constexpr ArchName kArches[] = {
    {"x86_64", SCMP_ARCH_X86_64}, {"x86", SCMP_ARCH_X86},         {"x32", SCMP_ARCH_X32},
    {"arm", SCMP_ARCH_ARM},       {"aarch64", SCMP_ARCH_AARCH64}, {"mips", SCMP_ARCH_MIPS},
    {"mips64", SCMP_ARCH_MIPS64}, {"mipsel", SCMP_ARCH_MIPSEL},   {"mipsel64", SCMP_ARCH_MIPSEL64},
    {"ppc", SCMP_ARCH_PPC},       {"ppc64", SCMP_ARCH_PPC64},     {"ppc64le", SCMP_ARCH_PPC64LE},
    {"s390", SCMP_ARCH_S390},     {"s390x", SCMP_ARCH_S390X},     {"riscv64", SCMP_ARCH_RISCV64},
};

}  // namespace

uint32_t native_arch() { return seccomp_arch_native(); }

std::optional<uint32_t> arch_from_name(std::string_view name) {
  if (name == "native") return native_arch();
  if (name == "i386") name = "x86";
  if (name == "amd64") name = "x86_64";
  for (const auto& a : kArches)
    if (a.name == name) return a.token;
  return std::nullopt;
}

std::string arch_name(uint32_t token) {
  for (const auto& a : kArches)
    if (a.token == token) return std::string(a.name);
  return "unknown";
}

std::vector<std::string_view> arch_names() {
  std::vector<std::string_view> out;
  for (const auto& a : kArches) out.push_back(a.name);
  return out;
}

std::optional<int> syscall_number(std::string_view name, uint32_t arch) {
  std::string n(name);
  int nr = seccomp_syscall_resolve_name_arch(arch, n.c_str());
  // libseccomp answers negative pseudo-numbers for syscalls the architecture lacks.
  if (nr == __NR_SCMP_ERROR || nr < 0) return std::nullopt;
  return nr;
}

bool syscall_known_anywhere(std::string_view name) {
  for (const auto& a : kArches)
    if (syscall_number(name, a.token)) return true;
  return false;
}

std::optional<std::string> syscall_name(int nr, uint32_t arch) {
  char* s = seccomp_syscall_resolve_num_arch(arch, nr);
  if (!s) return std::nullopt;
  std::string out(s);
  free(s);
  return out;
}

const std::vector<std::string>& syscall_names(uint32_t arch) {
  static std::mutex mu;
  static std::map<uint32_t, std::vector<std::string>> cache;
  std::lock_guard lock(mu);
  auto [it, inserted] = cache.try_emplace(arch);
  if (inserted) {
    // x32 numbers carry the 0x40000000 bit; other architectures stay below 1024 + their base.
    int base = arch == SCMP_ARCH_X32 ? 0x40000000 : 0;
    int span = 1024;
    if (arch == SCMP_ARCH_MIPS || arch == SCMP_ARCH_MIPSEL) base = 4000;
    if (arch == SCMP_ARCH_MIPS64 || arch == SCMP_ARCH_MIPSEL64) base = 5000;
    for (int nr = base; nr < base + span; ++nr)
      if (auto n = syscall_name(nr, arch)) it->second.push_back(*n);
    std::sort(it->second.begin(), it->second.end());
    it->second.erase(std::unique(it->second.begin(), it->second.end()), it->second.end());
  }
  return it->second;
}

}  // namespace cordon::policy
