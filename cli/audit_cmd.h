// `cordon audit` (issue #4): denials from kernel logs, the policy rule behind each, the fix.
//
// Exit status: 0 when it ran (whether or not denials were found), 1 when a --policy has errors,
// 2 when a SOURCE cannot be read or an option is wrong.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/checker.h"

namespace cordon::cli {

struct AuditOptions {
  // Files, "-" (stdin), "kmsg", "netlink" (with --follow); none: the live source (the audit
  // daemon's log while an auditd process runs, else kmsg).
  std::vector<std::string> sources;
  std::vector<std::string> policies;  // --policy FILE…: attribute to these, not the registry
  // ${NAME}s for the --policy files: the caller's, and --set NAME=VALUE (cli/main.cc).
  std::map<std::string, std::string> vars = policy::caller_vars();
  std::vector<std::string> registries;  // --registry DIR…: instead of the default directories
  bool no_registry = false;
  bool json = false;
  bool diff = false;    // print only the combined unified diff of every verified fix
  bool follow = false;  // keep reading; print each distinct denial as it first appears
  std::string since;    // only denials from this time on
};

int cmd_audit(const AuditOptions& opts);
// The same, writing the report to `out` and messages to `err` (for tests).
int cmd_audit(const AuditOptions& opts, std::ostream& out, std::ostream& err);

// --since: "@EPOCH" or "EPOCH" seconds, "YYYY-MM-DD[ HH:MM[:SS]]" (also with 'T') in local
// time, "today", "yesterday", or a duration ago ("90s", "10m", "2h", "1d"). `now` in seconds.
std::optional<double> parse_since(const std::string& text, double now);

}  // namespace cordon::cli

using cordon::cli::AuditOptions;
using cordon::cli::cmd_audit;
