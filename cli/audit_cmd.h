// `cordon audit` (issue #4): denials from kernel logs, the policy rule behind each, the fix.
//
// Exit status: 0 when it ran (whether or not denials were found), 1 when a --policy has errors,
// 2 when a SOURCE cannot be read.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cordon::cli {

struct AuditOptions {
  std::vector<std::string> sources;   // files, "-" (stdin), "kmsg"; none: kmsg
  std::vector<std::string> policies;  // --policy FILE…
  bool json = false;
};

int cmd_audit(const AuditOptions& opts);
// The same, writing the report to `out` and messages to `err` (for tests).
int cmd_audit(const AuditOptions& opts, std::ostream& out, std::ostream& err);

}  // namespace cordon::cli

using cordon::cli::AuditOptions;
using cordon::cli::cmd_audit;
