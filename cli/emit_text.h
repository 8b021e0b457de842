// Small helpers the generators (emit_apparmor, emit_selinux) and check --fidelity share.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "launcher/landlock_abi.h"
#include "launcher/plan.h"

namespace cordon::cli {

// A Plan origin, or "(built-in)" for a setting no rule made.
inline std::string or_builtin(const std::string& origin) {
  return origin.empty() ? "(built-in)" : origin;
}
// " (origin)" for a comment, " (built-in)" for a setting no rule made.
inline std::string paren(const std::string& origin) {
  return origin.empty() ? " (built-in)" : fmt::format(" ({})", origin);
}
// Comments end at the line's end: a control character in a path or a file name must not end
// one early (and let the rest be read as a rule).
inline std::string comment_safe(std::string_view s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out;
}

// The rights the compiler gives a mount of this kind, for a Plan that has no Landlock rule for
// it (written by hand).
inline uint64_t default_access(const std::string& kind) {
  namespace ll = launcher::landlock;
  if (kind == "ro") return ll::kRead | ll::kExecute;
  if (kind == "rw") return ll::kRead | ll::kExecute | ll::kWrite;
  if (kind == "exec") return LANDLOCK_ACCESS_FS_READ_FILE | ll::kExecute;
  if (kind == "tmpfs") return ll::kRead | ll::kWrite;
  if (kind == "proc") return ll::kRead;
  if (kind == "dev") return ll::kRead | LANDLOCK_ACCESS_FS_WRITE_FILE | ll::kIoctlDev;
  return 0;
}

// A mount's Landlock rights: its own rule's (the one from the same line when a path has two).
inline uint64_t access_of(const launcher::Plan& p, const launcher::Mount& m) {
  const launcher::LandlockPath* found = nullptr;
  for (const auto& l : p.landlock.paths)
    if (l.path == m.path && (!found || l.origin == m.origin)) found = &l;
  return found ? found->access : default_access(m.kind);
}

}  // namespace cordon::cli
