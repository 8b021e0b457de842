// Small text helpers the generators (emit_apparmor, emit_selinux) and check --fidelity share.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

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

}  // namespace cordon::cli
