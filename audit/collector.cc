#include "audit/collector.h"

#include <fmt/format.h>

#include <utility>

#include "audit/record_types.h"

namespace cordon::audit {

namespace {

// Records whose body is always read: denials, and what to_denial() classifies (type 0: a
// record whose type only its body tells).
bool always_read(int type) {
  return type == 0 || type == kSeccomp || type == kAvc || type == kUserAvc ||
         type == kLandlockAccess || type == kLandlockDomain ||
         (type >= kAppArmorFirst && type <= kAppArmorLast);
}

// The siblings a denial is enriched from (AVC_PATH: old SELinux kernels); read only when
// their event is open, else remembered as lines for a denial that comes after them.
bool sibling_type(int type) {
  return type == kSyscall || type == kPath || type == kCwd || type == kProctitle || type == 1402;
}

// Records the summary does not count as "other": the siblings enrich() reads, and EOE.
bool enrichment_type(int type) {
  return type == kSyscall || type == kPath || type == kCwd || type == kProctitle || type == kEoe;
}

}  // namespace

void Collector::add_line(std::string_view line) {
  ++lines;
  JournalExportReader::Step step = export_.add_line(line);
  journal_malformed = export_.malformed;
  if (step.entry) {
    ++journal_entries;
    LineResult lr = parse_journal_entry(*step.entry);
    if (lr.audit_like) lr.format = "journal-export";
    take_result(std::move(lr));
  }
  if (!step.consumed) take_line(line);
}

void Collector::take_line(std::string_view line) {
  if (line.size() > kMaxLine) {
    ++long_lines;
    line = line.substr(0, kMaxLine);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (skip_fast(line)) return;
  BodyFilter filter{&Collector::want_body, this};
  take_result(parse_line(line, &filter), line);
}

// The bulk of an auditd log, `type=T msg=audit(S.F:N): body` records nobody wants, counted
// and passed over without building a LineResult (the same decisions as want_body and
// take_result make for them). Anything else goes the full way.
bool Collector::skip_fast(std::string_view line) {
  if (!line.starts_with("type=")) return false;
  size_t sp = line.find(' ', 5);
  if (sp == std::string_view::npos) return false;
  std::string_view token = line.substr(5, sp - 5);
  int type = record_type_number(token);
  if (always_read(type)) return false;
  std::string_view rest = line.substr(sp + 1);
  if (!rest.starts_with("msg=audit(")) return false;
  size_t close = rest.find(')', 10);
  if (close == std::string_view::npos) return false;
  double time = 0;
  uint64_t serial = 0;
  if (!kernel_stamp(rest.substr(10, close - 10), time, serial)) return false;
  if (has_stamp(rest.substr(close + 1))) return false;  // a record glued on
  static const std::string kNoNode;
  if ((sibling_type(type) || type == kEoe) && grouper_.is_open(kNoNode, serial, time)) return false;
  ++records;
  if (token.starts_with("UNKNOWN")) ++unknown_types;
  pass_over(type, kNoNode, line, serial, time);
  return true;
}

void Collector::pass_over(int type, const std::string& node, std::string_view line, uint64_t serial,
                          double time) {
  // Counted as take() counts a record alone in its event.
  if (!enrichment_type(type)) ++other_records;
  if (sibling_type(type) && !line.empty()) {
    if (recent_.size() < kRecentSiblings) recent_.emplace_back();
    Skipped& slot = recent_[recent_next_];
    recent_next_ = (recent_next_ + 1) % kRecentSiblings;
    slot.node = node;
    slot.line.assign(line);
    slot.serial = serial;
    slot.time = time;
    slot.used = false;
  }
  for (const auto& ev : grouper_.advance(time)) take(ev);
}

// Most of a log is records of events without a denial: their bodies are never looked at.
// Denials (and the records whose kind to_denial() counts) are read; SYSCALL, PATH, CWD,
// PROCTITLE and EOE only when their event is open, i.e. holds a record read before them
// (the kernel writes a denial before its event's SYSCALL record).
bool Collector::want_body(const Record& h, void* self) {
  auto* c = static_cast<Collector*>(self);
  if (always_read(h.type)) return true;
  if (sibling_type(h.type) || h.type == kEoe)
    return h.serial == 0 || c->grouper_.is_open(h.node, h.serial, h.time);
  return false;
}

void Collector::add_record(Record rec) {
  if (rec.serial != 0 && !recent_.empty() && !grouper_.is_open(rec.node, rec.serial, rec.time)) {
    // A new event: its siblings may have been skipped before it (oldest first).
    for (size_t k = 0; k < recent_.size(); ++k) {
      Skipped& s = recent_[(recent_next_ + k) % recent_.size()];
      if (s.used || s.serial != rec.serial || s.time != rec.time || s.node != rec.node) continue;
      s.used = true;
      for (auto& sib : parse_line(s.line).records)
        for (const auto& ev : grouper_.add(std::move(sib))) take(ev);
    }
  }
  for (const auto& ev : grouper_.add(std::move(rec))) take(ev);
}

void Collector::take_result(LineResult lr, std::string_view line) {
  if (!lr.audit_like) {
    ++not_audit;
    return;
  }
  if (lr.lost_notice) {
    ++lost_notices;
    return;
  }
  if (!lr.error.empty() && lr.records.empty()) {
    ++unparsable;
    return;
  }
  for (auto& rec : lr.records) {
    ++records;
    if (rec.type == 0 || rec.type_name.starts_with("UNKNOWN")) ++unknown_types;
    if (rec.body_skipped) {
      pass_over(rec.type, rec.node, line, rec.serial, rec.time);
      continue;
    }
    add_record(std::move(rec));
  }
}

void Collector::finish() {
  if (auto entry = export_.finish()) {
    ++journal_entries;
    LineResult lr = parse_journal_entry(*entry);
    if (lr.audit_like) lr.format = "journal-export";
    take_result(std::move(lr));
  }
  journal_malformed = export_.malformed;
  for (const auto& ev : grouper_.flush()) take(ev);
}

void Collector::take(const Event& ev) {
  std::vector<Denial> found;
  for (const auto& rec : ev.records) {
    auto d = to_denial(rec);
    if (!d && rec.type == kSeccomp) {
      ++incomplete;
      continue;
    }
    if (!d) {
      if (!enrichment_type(rec.type)) ++other_records;
      continue;
    }
    if (d->source == "landlock" && d->kind == "domain" && d->status == "allocated" &&
        !d->domain.empty()) {
      if (domains_.size() >= 4096) domains_.clear();
      domains_[d->domain] = {d->pid, d->comm, d->exe};
    }
    if (d->is_denial() || (d->source == "seccomp" && d->kind == "logged")) {
      enrich(*d, ev);
      found.push_back(std::move(*d));
    } else {
      ++not_denials[d->kind];
    }
  }
  for (auto& d : found) {
    // A Landlock access record names no process; its domain's allocation record does.
    if (d.source == "landlock" && !d.pid && d.comm.empty()) {
      auto it = domains_.find(d.domain);
      if (it != domains_.end()) {
        d.pid = it->second.pid;
        d.comm = it->second.comm;
        d.exe = it->second.exe;
      }
    }
    keep(std::move(d));
  }
}

void Collector::keep(Denial d) {
  if (since != 0 && d.time != 0 && d.time < since) {
    ++before_since;
    return;
  }
  ++denials;
  std::string what =
      !d.syscall.empty() ? d.syscall : (d.syscall_nr ? std::to_string(*d.syscall_nr) : d.operation);
  std::string action = d.action;
  if (d.source == "landlock") action = d.blockers;
  if (d.source == "apparmor" || d.source == "selinux") action = d.requested + "/" + d.denied;
  std::string path = d.path.empty() ? d.name : d.path;
  if (d.source == "landlock" && path.empty()) path = d.daddr + ":" + d.fport + d.lport;
  std::string t = tag ? tag(d) : std::string();
  Key k{d.source,   d.exe.empty() ? d.comm : d.exe,
        d.arch,     what,
        path,       action,
        d.profile,  d.scontext,
        d.tcontext, d.tclass,
        t};
  auto [it, inserted] = index_.try_emplace(std::move(k), entries_.size());
  if (inserted) {
    Entry e;
    e.tag = std::move(t);
    e.first_time = e.last_time = d.time;
    e.count = 1;
    e.denial = std::move(d);
    entries_.push_back(std::move(e));
    return;
  }
  Entry& e = entries_[it->second];
  ++e.count;
  if (d.time && (!e.first_time || d.time < e.first_time)) e.first_time = d.time;
  if (d.time > e.last_time) e.last_time = d.time;
}

namespace {
// "1 line", "2 lines".
std::string count(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}
}  // namespace

std::string Collector::summary() const {
  std::string s = fmt::format("{} lines, {} records, {} denials ({} distinct)", lines, records,
                              denials, entries_.size());
  if (unknown_types) s += fmt::format(", {} of unknown type", unknown_types);
  if (unparsable) s += fmt::format(", {} unparsable", unparsable);
  if (not_audit) s += fmt::format(", {} not audit", not_audit);
  for (const auto& [kind, n] : not_denials) s += fmt::format(", {} {}", n, kind);
  if (before_since) s += fmt::format(", {} before --since", before_since);
  if (incomplete)
    s += ", " + count(incomplete, "incomplete SECCOMP record", "incomplete SECCOMP records");
  if (long_lines)
    s += fmt::format(", {} cut at {} KiB", count(long_lines, "line", "lines"), kMaxLine / 1024);
  if (journal_entries)
    s += ", " + count(journal_entries, "journal export entry", "journal export entries") +
         (journal_malformed ? fmt::format(" ({} malformed)", journal_malformed) : "");
  if (lost_notices)
    s += ", " + count(lost_notices, "rate-limit notice", "rate-limit notices") +
         " (records were lost)";
  return s;
}

}  // namespace cordon::audit
