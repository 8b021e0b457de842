// From denials to the policy rules behind them (issue #4): the collection of distinct denials
// from a stream of log lines, their attribution to a rule through a Plan's source map, the
// suggested fix, and the output forms (`cordon audit`'s table row, short line and JSON object).
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

#include "audit/denial.h"
#include "audit/event.h"
#include "launcher/plan.h"

namespace cordon::audit {

// The rule of one Plan that decided a denial.
struct Attribution {
  std::optional<std::string> rule;  // origin "file:line:col"; nullopt when no rule explains it
  std::string rule_action;  // the rule's action text: "default errno EPERM", "errno EACCES", "ro"
  std::string note;         // why there is no rule, or what the rule lacks; "" when nothing to say
  std::optional<std::string> suggestion;  // the smallest change, or "probably leave it denied"
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
bool leave_denied(std::string_view syscall);

// The action of a SECCOMP_RET_* value in to_denial()'s spelling: "errno(1)", "kill-process"….
std::string ret_action(uint32_t ret);

// One distinct denial: the first record seen, how many, and when.
struct Entry {
  Denial denial;  // the first occurrence
  size_t count = 0;
  double first_time = 0, last_time = 0;
};

// Reads log lines (any format parse_line() knows) in bounded memory beyond the distinct
// denials: groups records into events, keeps denials (and seccomp `logged` records), enriches
// them from their events and deduplicates them by (source, exe or comm, arch, syscall or
// operation, path, action or masks or blockers, profile, scontext, tcontext, tclass).
class Collector {
 public:
  void add_line(std::string_view line);
  // Call at end of input: emits the events still open.
  void finish();

  const std::vector<Entry>& entries() const { return entries_; }  // in order of first sight

  size_t lines = 0;          // lines read
  size_t not_audit = 0;      // lines that are not audit records at all
  size_t unparsable = 0;     // audit-like lines that could not be read
  size_t records = 0;        // records parsed
  size_t unknown_types = 0;  // records of a type the parser does not name
  size_t other_records = 0;  // records that are neither denials nor their siblings we use
  size_t denials = 0;        // denial (and logged) records kept, before deduplication
  std::map<std::string, size_t> not_denials;  // to_denial() kinds that were dropped, by kind

  // "1234 lines, 40 records, 12 denials (3 distinct), 2 unknown record types, 1 unparsable"
  std::string summary() const;

 private:
  void take(const Event& ev);
  void keep(Denial d);

  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string,
                         std::string, std::string, std::string, std::string, std::string>;
  EventGrouper grouper_;
  // Landlock domain id → the process its allocation record names (bounded: cleared when full).
  struct Owner {
    std::optional<int64_t> pid;
    std::string comm, exe;
  };
  std::map<std::string, Owner> domains_;
  std::map<Key, size_t> index_;
  std::vector<Entry> entries_;
};

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

}  // namespace cordon::audit
