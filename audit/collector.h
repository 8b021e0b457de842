// The distinct denials of a stream of log lines (issue #4): parse each line, group records into
// events, keep denials enriched from their events, deduplicate them with counts and times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "audit/denial.h"
#include "audit/event.h"
#include "audit/journal_export.h"
#include "audit/record.h"

namespace cordon::audit {

// One distinct denial: the first record seen, how many, and when.
struct Entry {
  Denial denial;    // the first occurrence
  std::string tag;  // Collector::tag's answer for it ("" without one)
  size_t count = 0;
  double first_time = 0, last_time = 0;
};

// Reads log lines (any format parse_line() knows, and `journalctl -o export` streams) in
// bounded memory beyond the distinct denials: groups records into events, keeps denials (and
// seccomp `logged` records), enriches them from their events and deduplicates them by (source,
// exe or comm, arch, syscall or operation, path, action or masks or blockers, profile,
// scontext, tcontext, tclass).
class Collector {
 public:
  // Lines longer than this are cut before parsing (the kernel's records are under 9 KiB,
  // auditd's ENRICHED ones a little longer): what is kept of a line stays bounded.
  static constexpr size_t kMaxLine = 64 * 1024;

  // One line without its '\n'. Lines of a journal export stream are collected until the empty
  // line that ends their entry; the entry is then read like a `journalctl -o json` line.
  void add_line(std::string_view line);
  // Call at end of input: reads a journal export entry cut short, emits the events still open.
  void finish();

  const std::vector<Entry>& entries() const { return entries_; }  // in order of first sight

  // Denials whose record time is earlier than this (seconds since the epoch) are counted in
  // `before_since`, not kept. Denials without a time are kept. 0: keep all.
  double since = 0;
  // When set, called for each denial kept; denials with different answers are never counted
  // together (cordon audit tags each with the sandbox it came from).
  std::function<std::string(const Denial&)> tag;

  size_t lines = 0;          // lines read
  size_t not_audit = 0;      // lines (or journal export entries) that are not audit records
  size_t unparsable = 0;     // audit-like lines that could not be read
  size_t records = 0;        // records parsed
  size_t unknown_types = 0;  // records of a type the parser does not name
  size_t other_records = 0;  // records that are neither denials nor their siblings we use
  size_t denials = 0;        // denial (and logged) records kept, before deduplication
  std::map<std::string, size_t> not_denials;  // to_denial() kinds that were dropped, by kind
  size_t lost_notices = 0;       // the kernel's notices that it dropped records (rate limit …)
  size_t incomplete = 0;         // SECCOMP records without arch, syscall or code (cut short)
  size_t long_lines = 0;         // lines cut at kMaxLine
  size_t journal_entries = 0;    // journal export entries read
  size_t journal_malformed = 0;  // export entries or binary fields that broke off
  size_t before_since = 0;       // denials older than `since`, not kept

  // "1234 lines, 40 records, 12 denials (3 distinct), 2 of unknown type, 1 unparsable, …"
  std::string summary() const;

 private:
  static bool want_body(const Record& header, void* self);
  bool skip_fast(std::string_view line);
  // A record whose body was not read: counted, remembered if a sibling, and the clock moved.
  void pass_over(int type, const std::string& node, std::string_view line, uint64_t serial,
                 double time);
  void take_line(std::string_view line);
  void take_result(LineResult lr, std::string_view line = {});
  // Adds a record read in full; first the skipped siblings of its event that came before it.
  void add_record(Record rec);
  void take(const Event& ev);
  void keep(Denial d);

  JournalExportReader export_;

  using Key =
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                 std::string, std::string, std::string, std::string, std::string>;
  EventGrouper grouper_;
  // The last sibling records (SYSCALL, PATH, CWD, PROCTITLE) skipped unread, as lines: a log
  // that writes them before their denial still gets them. A ring of kRecentSiblings slots
  // whose strings keep their capacity.
  static constexpr size_t kRecentSiblings = 256;
  struct Skipped {
    std::string node, line;
    uint64_t serial = 0;
    double time = 0;
    bool used = false;
  };
  std::vector<Skipped> recent_;
  size_t recent_next_ = 0;
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
