// Resolution and checking: reads a policy file and everything it includes, resolves every name
// (syscalls, groups, constants, capabilities, architectures), converts values (sizes,
// durations, numbers), applies precedence (the includer refines what it includes) and reports
// every problem with its location. The result is the PolicyIR the compiler lowers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/diagnostics.h"
#include "policy/ir.h"

namespace cordon::policy {

struct CheckOptions {
  // ${NAME} values: HOME PWD UID GID XDG_RUNTIME_DIR USER from the caller, then --set NAME=VALUE.
  std::map<std::string, std::string> vars;
  // Where `include` looks after the including file's folder: profiles/lib, then profiles/.
  std::vector<std::string> search_path;
};

// The caller's variables (${HOME}, ${PWD}, ${UID}, ${GID}, ${XDG_RUNTIME_DIR}, ${USER}).
std::map<std::string, std::string> caller_vars();

// The shipped profiles folder: $CORDON_PROFILES, else <exe>/../share/cordon/profiles, else the
// source tree's profiles/ (for a build that was not installed).
std::string profiles_dir();
// Default search path built from profiles_dir().
std::vector<std::string> default_search_path();

// Checks a policy file. Errors and warnings go to `diags`; the IR is meaningful only when
// !diags.has_errors().
PolicyIR check_policy_file(const std::string& path, const CheckOptions& opts, Diagnostics& diags);
// Same, for text that is not on disk (tests, fuzzing); includes resolve from `path`'s folder.
PolicyIR check_policy_text(const std::string& path, std::string text, const CheckOptions& opts,
                           Diagnostics& diags);

// Size ("256M", "1G", "4096") to bytes, duration ("30s", "1h", "500ms") to milliseconds.
std::optional<uint64_t> parse_size(std::string_view s);
std::optional<uint64_t> parse_duration_ms(std::string_view s);
// Integer literal: decimal, 0x hex, 0o/leading-0 octal, optional '-' (two's complement).
std::optional<uint64_t> parse_integer(std::string_view s);

}  // namespace cordon::policy
