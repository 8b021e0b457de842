// From denials to the policy rules behind them (issue #4): their attribution to a rule through a
// Plan's source map, the suggested fix, and the output forms (`cordon audit`'s table row, short
// line and JSON object).
//
// Attribution takes a compiled launcher::Plan, so this library links only the launcher; the
// CLI compiles the --policy files.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "audit/collector.h"
#include "audit/denial.h"
#include "launcher/plan.h"

namespace cordon::audit {

// The policy edit behind a suggestion: an entry for a block of the policy file given on the
// command line. The CLI turns it into a unified diff and checks it by compiling the result.
struct Change {
  std::string block;    // "syscalls", "filesystem", "landlock"
  std::string entry;    // "allow mprotect", "rw /srv/data", "connect tcp 443"
  std::string syscall;  // syscalls: the call (a rule of the file naming it may be rewritten)
  std::string path;     // filesystem: the path (an entry of the file for it may be rewritten)
  std::string kind;     // filesystem: "ro" or "rw"
};

// The rule of one Plan that decided a denial.
struct Attribution {
  std::optional<std::string> rule;  // origin "file:line:col"; nullopt when no rule explains it
  std::string rule_action;  // the rule's action text: "default errno EPERM", "errno EACCES", "ro"
  std::string note;         // why there is no rule, or what the rule lacks; "" when nothing to say
  std::optional<std::string> suggestion;  // the smallest change, or "probably leave it denied"
  std::optional<Change> change;           // the suggestion as an edit (none for "leave it")
};

// Attributes a denial to the rule of `plan` that decided it:
//  - seccomp: the source-map row for the denial's arch and syscall number whose return value
//    gives the denial's action, else the default action when its return value does;
//  - landlock (paths): the nearest filesystem entry covering the blocked path; (ports) the
//    port entry of the same kind and number;
//  - AppArmor / SELinux: not attributed yet (rule nullopt).
Attribution attribute(const Denial& d, const launcher::Plan& plan);
// The first of `plans` that explains the denial, else the first plan's (empty) attribution.
Attribution attribute(const Denial& d, const std::vector<launcher::Plan>& plans);

// The suggestion for a denial the policy's rule `a` decided (nullopt when there is none, e.g.
// seccomp `log` records or a denial no policy was given for). Dangerous syscalls (ptrace,
// mount, module loading, reboot, bpf…) get "probably leave it denied".
std::optional<std::string> suggest(const Denial& d, const Attribution& a);
// The same suggestion as an edit (nullopt for "leave it denied" and when there is none).
std::optional<Change> suggest_change(const Denial& d, const Attribution& a);
bool leave_denied(std::string_view syscall);

// The action of a SECCOMP_RET_* value in to_denial()'s spelling: "errno(1)", "kill-process"….
std::string ret_action(uint32_t ret);

// The column texts of a table row.
std::string process_text(const Denial& d);  // "app (pid 123, /usr/bin/app)"
std::string what_text(const Denial& d);     // "ptrace (x86_64 #101)", "open /etc/shadow" …
std::string action_text(const Denial& d);   // "errno", "log", "fs.write_file", "r (denied)"
// A seccomp action for display: "errno(0)" (the kernel never logs the data) as "errno".
std::string seccomp_action_text(const std::string& action);

// `t.cordon:6:3  errno EACCES  denied ptrace (x86_64 #101) ×3` (rule "-" when unattributed).
std::string short_line(const Entry& e, const Attribution& a);

// The stable JSON object of issue #4 (absent fields null); `a` null when no policy was given.
nlohmann::json to_json(const Entry& e, const Attribution* a);

// The SELinux type of a context "user:role:type:level" ("" when it has fewer parts).
std::string_view selinux_type(std::string_view ctx);

}  // namespace cordon::audit
