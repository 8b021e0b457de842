// Parsing one .cordon file into its AST. Syntax errors go to the Diagnostics; the returned File
// holds every statement that parsed, so later stages can still report their own errors.
#pragma once

#include <string>

#include "policy/ast.h"
#include "policy/diagnostics.h"

namespace cordon::policy {

// Larger files are refused with a diagnostic: no real policy comes near this, and a hostile one
// must not make the checker allocate without bound.
inline constexpr size_t kMaxPolicyBytes = 4 * 1024 * 1024;
// Parentheses and '!' nest at most this deep in a condition.
inline constexpr size_t kMaxConditionDepth = 64;
// Further syntax errors in a file are not listed past this count.
inline constexpr size_t kMaxErrorsPerFile = 50;

File parse_policy_text(const std::string& path, std::string text, Diagnostics& diags);

}  // namespace cordon::policy
