// AFL++ harness: one input is a piece of a log that `cordon audit` reads (audit.log, kmsg,
// dmesg, syslog, journald short/JSON/export, `ausearch -i` output, or anything else a user can
// point it at). Two readers see it:
//
//   1. parse_line() on the whole input as one line (newlines and all): format detection, the
//      key=value body, hex decoding, glued records. Every record it returns goes through
//      to_denial(). Its contract (audit/record.h) is checked: records imply audit_like, and an
//      audit-like line without records says why (`error` is set).
//   2. A Collector fed the input split at '\n', as `cordon audit FILE` does (std::getline):
//      per-line parsing, the journal export reader (binary fields spanning lines), event
//      grouping, to_denial, enrich, deduplication, the --since filter (on for odd-length
//      inputs), finish() and summary(). Its bookkeeping is checked: the entries' counts add up
//      to `denials`, every entry was seen at least once, and first_time <= last_time.
//   3. The input as the MESSAGE of a journal export entry, binary form (and text form when it
//      is printable): the export reader must give back exactly those bytes.
//
// Any crash, abort, sanitizer report or hang is a bug; a line the parser refuses is not.
//
// Built with afl-clang-fast++, this is a persistent-mode harness (shared-memory test cases,
// __AFL_LOOP). Built with any other compiler it reads one input from the file named by argv[1]
// (or stdin) and runs it once, which is how a crashing input is reproduced under a debugger or
// a sanitizer build. Set CORDON_FUZZ_VERBOSE=1 to print the summary and the entries.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "audit/collector.h"
#include "audit/denial.h"
#include "audit/journal_export.h"
#include "audit/record.h"
#include "fuzz/harness_main.h"

namespace {

bool g_verbose = false;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "audit_fuzz: %s\n", what);
  std::abort();
}

// Reads every string a report prints, so a dangling or corrupt one shows up here (under ASan)
// rather than in `cordon audit`'s output.
size_t touch(const cordon::audit::Denial& d) {
  size_t n = d.source.size() + d.kind.size() + d.node.size() + d.comm.size() + d.exe.size() +
             d.cwd.size() + d.proctitle.size() + d.arch.size() + d.syscall.size() +
             d.action.size() + d.signal.size() + d.operation.size() + d.profile.size() +
             d.name.size() + d.path.size() + d.requested.size() + d.denied.size() +
             d.capability.size() + d.apparmor_kind.size() + d.info.size() + d.target.size() +
             d.peer.size() + d.family.size() + d.sock_type.size() + d.protocol.size() +
             d.laddr.size() + d.lport.size() + d.faddr.size() + d.fport.size() + d.fstype.size() +
             d.srcname.size() + d.flags.size() + d.scontext.size() + d.tcontext.size() +
             d.tclass.size() + d.ioctlcmd.size() + d.blockers.size() + d.domain.size() +
             d.status.size() + d.opid.size() + d.ocomm.size() + d.saddr.size() + d.daddr.size() +
             d.dev.size() + d.ino.size();
  if (d.pid) n += static_cast<size_t>(*d.pid & 1);
  if (d.syscall_nr) n += static_cast<size_t>(*d.syscall_nr & 1);
  if (d.permissive) n += *d.permissive;
  return n;
}

void check_line(std::string_view text) {
  using namespace cordon::audit;
  LineResult lr = parse_line(text);
  if (!lr.records.empty() && !lr.audit_like) broken("parse_line: records from a non-audit line");
  if (lr.audit_like && lr.records.empty() && lr.error.empty())
    broken("parse_line: an audit-like line with no records and no error");
  size_t sum = 0;
  for (const Record& r : lr.records) {
    if (auto d = to_denial(r)) sum += touch(*d);
    for (const auto& [k, v] : r.fields) sum += k.size() + v.size();
  }
  if (g_verbose)
    std::fprintf(stderr, "whole input: format %s, %zu records, error \"%s\" (%zu)\n",
                 lr.format.c_str(), lr.records.size(), lr.error.c_str(), sum);
}

void check_collector(std::string_view text) {
  using namespace cordon::audit;
  Collector c;
  if (text.size() % 2) c.since = 1500000000;
  // std::getline's split: a final piece without '\n' is a line; nothing after a final '\n' is.
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    c.add_line(text.substr(start, nl - start));
    start = nl + 1;
  }
  c.finish();
  std::string summary = c.summary();
  size_t counted = 0, sum = 0;
  for (const Entry& e : c.entries()) {
    if (e.count == 0) broken("collector: an entry seen zero times");
    if (e.first_time && e.last_time && e.first_time > e.last_time)
      broken("collector: an entry's first time is after its last");
    counted += e.count;
    sum += touch(e.denial);
  }
  if (counted != c.denials) broken("collector: the entries' counts do not add up to `denials`");
  if (c.entries().size() > c.denials) broken("collector: more distinct denials than denials");
  if (g_verbose) {
    std::fprintf(stderr, "collector: %s (%zu)\n", summary.c_str(), sum);
    for (const Entry& e : c.entries())
      std::fprintf(stderr, "  %zux %s %s %s %s %s %s\n", e.count, e.denial.source.c_str(),
                   e.denial.kind.c_str(), e.denial.comm.c_str(), e.denial.syscall.c_str(),
                   e.denial.operation.c_str(), e.denial.path.c_str());
  }
}

// The input as the MESSAGE of a journal export entry, in the binary form (and in the text form
// when it could be written so): the reader, fed the stream split at '\n', must give back
// exactly the bytes that went in (up to kMaxValue), whatever they are, and end the entry at the
// empty line after it.
void check_export(std::string_view text) {
  using namespace cordon::audit;
  auto split_feed = [](JournalExportReader& r, std::string_view stream) {
    std::optional<JournalEntry> entry;
    size_t start = 0, entries = 0;
    while (start < stream.size()) {
      size_t nl = stream.find('\n', start);
      if (nl == std::string_view::npos) nl = stream.size();
      auto step = r.add_line(stream.substr(start, nl - start));
      if (!step.consumed) broken("export: a line of a well-formed stream was not consumed");
      if (step.entry) {
        entry = std::move(step.entry);
        ++entries;
      }
      start = nl + 1;
    }
    if (r.in_entry() || entries != 1) broken("export: the entry did not end at its empty line");
    return entry;
  };
  const std::string_view want = text.substr(0, JournalExportReader::kMaxValue);
  const std::string head = "__CURSOR=s=1;i=2\n_TRANSPORT=kernel\n";
  std::string stream = head + "MESSAGE\n";
  for (int i = 0; i < 8; ++i) stream.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  stream.append(text);
  stream += "\n_HOSTNAME=h\n\n";
  JournalExportReader binary;
  auto entry = split_feed(binary, stream);
  if (!entry || !entry->message || *entry->message != want || entry->transport != "kernel")
    broken("export: a binary MESSAGE did not come back as written");
  bool printable = std::none_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\t';
  });
  if (printable) {
    JournalExportReader plain;
    entry = split_feed(plain, head + "MESSAGE=" + std::string(text) + "\n\n");
    if (!entry || !entry->message || *entry->message != want)
      broken("export: a text MESSAGE did not come back as written");
  }
}

void run_one(const uint8_t* data, size_t len) {
  std::string_view text(reinterpret_cast<const char*>(data), len);
  check_line(text);
  check_collector(text);
  check_export(text);
}

}  // namespace

int main(int argc, char** argv) {
  // Warm libseccomp's architecture and syscall tables before the fork server starts.
  static constexpr std::string_view kWarm =
      "type=SECCOMP msg=audit(1700000000.123:456): auid=1000 pid=1 comm=\"x\" exe=\"/bin/x\" "
      "sig=0 arch=c000003e syscall=92 compat=0 ip=0x7f code=0x50001\n";
  return cordon::fuzz::harness_main("audit_fuzz", kWarm, run_one, g_verbose, argc, argv);
}
