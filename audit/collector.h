// The distinct denials of a stream of log lines (issue #4): parse each line, group records into
// events, keep denials enriched from their events, deduplicate them with counts and times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "audit/denial.h"
#include "audit/event.h"

namespace cordon::audit {

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

}  // namespace cordon::audit
