#include "policy/syscall_signatures.h"

#include <algorithm>
#include <iterator>

namespace cordon::policy {
namespace {

constexpr SyscallSignature kSignatures[] = {
#include "policy/syscall_signatures.inc"
};

constexpr bool sorted_unique() {
  return std::adjacent_find(std::begin(kSignatures), std::end(kSignatures),
                            [](const SyscallSignature& a, const SyscallSignature& b) {
                              return a.name >= b.name;
                            }) == std::end(kSignatures);
}
static_assert(sorted_unique(), "gen_syscall_signatures.py must sort by name");

// The kernel names arguments after its own variables; people write policies from the man
// pages. These aliases give the man-page name where the two differ, for arg_index only (the
// table keeps the kernel's names). Keep it small and obvious: an alias must name the same
// argument in every reader's mind.
struct ArgAlias {
  std::string_view syscall;
  std::string_view alias;     // the man-page name
  std::string_view argument;  // the kernel's name
};

constexpr ArgAlias kArgAliases[] = {
    {"socket", "domain", "family"},      // socket(2): int socket(int domain, ...)
    {"socketpair", "domain", "family"},  // socketpair(2): int socketpair(int domain, ...)
    {"ioctl", "request", "cmd"},         // ioctl(2): int ioctl(int fd, unsigned long request, ...)
    {"open", "pathname", "filename"},    // open(2): int open(const char *pathname, ...)
    {"openat", "dirfd", "dfd"},          // openat(2): int openat(int dirfd, ...)
    {"openat", "pathname", "filename"},  // openat(2): ... const char *pathname, ...
};

std::optional<int> find_arg(const SyscallSignature& sig, std::string_view arg) {
  for (int i = 0; i < sig.nargs; ++i) {
    if (sig.args[i].name == arg) return i;
  }
  return std::nullopt;
}

}  // namespace

const SyscallSignature* find_signature(std::string_view syscall) {
  auto it = std::lower_bound(
      std::begin(kSignatures), std::end(kSignatures), syscall,
      [](const SyscallSignature& s, std::string_view name) { return s.name < name; });
  if (it == std::end(kSignatures) || it->name != syscall) return nullptr;
  return &*it;
}

std::span<const SyscallSignature> all_signatures() { return kSignatures; }

std::optional<int> arg_index(std::string_view syscall, std::string_view arg) {
  const SyscallSignature* sig = find_signature(syscall);
  if (sig == nullptr) return std::nullopt;
  if (auto index = find_arg(*sig, arg)) return index;
  for (const ArgAlias& alias : kArgAliases) {
    if (alias.syscall == syscall && alias.alias == arg) return find_arg(*sig, alias.argument);
  }
  return std::nullopt;
}

}  // namespace cordon::policy
