// One audit record, as read from one line of any log format the kernel's audit messages reach.
//
// parse_line() detects the format of each line on its own (auditd's audit.log, raw or ENRICHED,
// /dev/kmsg, dmesg text, syslog, journald short and JSON, `ausearch -i` output), because real
// logs mix them: a syslog file holds kmsg lines behind a prefix, a journal export holds both
// audit-transport and syslog-transport entries. It never throws and never fails as a whole: a
// line that looks like audit but cannot be read comes back with `error` set, a line that is not
// audit at all with `audit_like` false.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cordon::audit {

struct Record {
  int type = 0;           // 1326, 1400 …; 0 when neither a number nor a known name was given
  std::string type_name;  // "SECCOMP", "AVC" …; the raw token when the name is not known
  double time = 0;        // seconds since the epoch; 0 when the format carries no audit(…) stamp
  uint64_t serial = 0;    // 0 when the format carries none (journald short, bare bodies)
  std::string node;       // auditd's node= (or audispd's host=) prefix; "" when absent
  // In line order. Values are unquoted, hex-decoded where the kernel hex-encodes untrusted
  // strings (name=, exe=, comm=, proctitle= …), and a USER_AVC's msg='…' is flattened into its
  // fields (so the inner pid= follows the outer one). SELinux's `avc:  denied  { a b }` becomes
  // seresult=denied and seperms="a b" (go-libaudit's names). ENRICHED fields keep their
  // uppercase keys (AUID, ARCH, SYSCALL …).
  std::vector<std::pair<std::string, std::string>> fields;
  // The body was not read because the caller's BodyFilter did not want it (fields empty).
  bool body_skipped = false;

  // The LAST value of `key` (so a flattened inner msg='…' field wins over the outer one),
  // nullptr when absent.
  const std::string* get(std::string_view key) const;
  // The value of `key` or "" when absent.
  std::string_view value(std::string_view key) const;
};

struct LineResult {
  std::vector<Record> records;  // two when two records were glued on one line
  // "auditd", "auditd-enriched", "kmsg", "dmesg", "syslog", "journal-short", "journal-json",
  // "ausearch-interpreted", or "bare" (a record body with no header at all, as the kernel
  // documentation and dbus-daemon print them); "" when not audit.
  std::string format;
  std::string error;        // why nothing (or not everything) was parsed; "" when ok
  bool audit_like = false;  // false for lines that are not audit records at all
  // The kernel's notice that it dropped audit records ("audit: audit_lost=5 audit_rate_limit=0
  // audit_backlog_limit=64", "audit: rate limit exceeded", "kauditd_printk_skb: 12 callbacks
  // suppressed"): audit_like, no records, `error` says so.
  bool lost_notice = false;
};

// Decides from a record's header (type, type_name, time, serial, node) whether its body is
// read: a reader that needs only some records skips the cost of the others' fields. Applies
// to records with an audit(…) stamp behind `type=`; a body that may hold a second record glued
// on is read anyway.
struct BodyFilter {
  bool (*want)(const Record& header, void* ctx) = nullptr;
  void* ctx = nullptr;
};

LineResult parse_line(std::string_view line, const BodyFilter* filter = nullptr);

// The kernel's stamp "SECONDS.FRACTION:SERIAL" (what is inside audit(…)); false for any other
// form (`ausearch -i` dates go through parse_line).
bool kernel_stamp(std::string_view stamp, double& time, uint64_t& serial);
// Whether `s` holds "audit(": a record body with a second record glued on does.
bool has_stamp(std::string_view s);

// The fields of one journal entry that locate an audit record in it, from `journalctl -o json`
// or `-o export`. journald's audit transport (systemd's journald-audit.c) stores a record as
// MESSAGE="TYPE body" (the `audit(…):` header dropped; TYPE is the name, or AUDITnnnn for a
// type journald does not name), _AUDIT_TYPE (number), _AUDIT_ID (serial) and
// _SOURCE_REALTIME_TIMESTAMP (µs, the header's seconds and milliseconds); kernel messages read
// from kmsg keep the whole "audit: type=… audit(…): …" text in MESSAGE.
struct JournalEntry {
  std::optional<std::string> message;  // nullopt: the entry has no MESSAGE
  std::string transport, audit_type, audit_id, source_realtime, realtime;
};

// The records of one journal entry: an audit-transport entry is rebuilt from MESSAGE and the
// _AUDIT_* fields; any other entry's MESSAGE is read as a log line. The format is
// "journal-json" either way (the caller knows whether the entry came from `-o export`).
LineResult parse_journal_entry(const JournalEntry& entry);

}  // namespace cordon::audit
