// The Collector on the streams a user points `cordon audit` at when things go wrong: the
// kernel's notices that it dropped records, events without EOE or interleaved with others,
// lines cut short or far too long, --since, and journald's export format (text and binary
// fields, fed line by line as std::getline splits a file).
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "audit/collector.h"
#include "audit/journal_export.h"

namespace cordon::audit {
namespace {

// The lines of `text` as std::getline gives them (cli/audit_cmd.cc reads files this way).
void feed(Collector& c, std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    c.add_line(text.substr(start, nl - start));
    start = nl + 1;
  }
}

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

constexpr std::string_view kSeccompBody =
    "auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=9952 comm=\"bw\" exe=\"/usr/bin/bw\" "
    "sig=0 arch=c000003e syscall=92 compat=0 ip=0x7f0e5c1d2a3b code=0x50001";

// Equal denials of two sandboxes (the tag says which) are two entries; of one sandbox, one.
TEST(AuditCollector, TaggedDenialsAreCountedPerTag) {
  Collector c;
  c.tag = [](const Denial& d) { return d.pid && *d.pid < 200 ? "sandbox-a" : "sandbox-b"; };
  for (int pid : {100, 101, 300})
    c.add_line("type=SECCOMP msg=audit(1700000000.100:" + std::to_string(pid) +
               "): pid=" + std::to_string(pid) +
               " comm=\"app\" exe=\"/usr/bin/app\" sig=0 arch=c000003e syscall=63 compat=0 "
               "ip=0x1 code=0x50000");
  c.finish();
  ASSERT_EQ(c.entries().size(), 2u) << c.summary();
  EXPECT_EQ(c.entries()[0].tag, "sandbox-a");
  EXPECT_EQ(c.entries()[0].count, 2u);
  EXPECT_EQ(c.entries()[1].tag, "sandbox-b");
  EXPECT_EQ(c.entries()[1].count, 1u);
}

TEST(AuditCollector, RateLimitNoticesAreCountedNotUnparsable) {
  Collector c;
  feed(c,
       "[  812.004213] audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64\n"
       "Nov 23 12:00:01 host kernel: kauditd_printk_skb: 12 callbacks suppressed\n"
       "6,2291,812004300,-;audit: callbacks suppressed\n"
       "[  812.100000] audit: backlog limit exceeded\n"
       // Other subsystems' rate limits say nothing about audit records.
       "[  813.000000] net_ratelimit: 5 callbacks suppressed\n");
  c.finish();
  EXPECT_EQ(c.lost_notices, 4u);
  EXPECT_EQ(c.unparsable, 0u);
  EXPECT_EQ(c.not_audit, 1u);
  EXPECT_TRUE(has(c.summary(), ", 4 rate-limit notices (records were lost)")) << c.summary();
}

TEST(AuditCollector, EventWithoutEoeIsCompletedByItsSiblings) {
  Collector c;
  feed(c,
       "type=AVC msg=audit(1700000000.100:70): apparmor=\"DENIED\" operation=\"open\" "
       "profile=\"/usr/bin/x\" name=\"/etc/shadow\" pid=5 comm=\"x\" requested_mask=\"r\" "
       "denied_mask=\"r\" fsuid=0 ouid=0\n"
       "type=SYSCALL msg=audit(1700000000.100:70): arch=c000003e syscall=257 success=no "
       "exit=-13 a0=ffffff9c pid=5 comm=\"x\" exe=\"/usr/bin/x\"\n"
       "type=CWD msg=audit(1700000000.100:70): cwd=\"/root\"\n");
  // No EOE: nothing is emitted until a record well past the window, or the end.
  EXPECT_TRUE(c.entries().empty());
  feed(c,
       "type=SECCOMP msg=audit(1700000010.000:71): auid=0 pid=6 comm=\"y\" exe=\"/y\" sig=0 "
       "arch=c000003e syscall=101 compat=0 ip=0x1 code=0x80000000\n");
  ASSERT_EQ(c.entries().size(), 1u);
  const Denial& d = c.entries()[0].denial;
  EXPECT_EQ(d.exe, "/usr/bin/x");
  EXPECT_EQ(d.syscall, "openat");
  EXPECT_EQ(d.cwd, "/root");
  c.finish();
  ASSERT_EQ(c.entries().size(), 2u);
  EXPECT_EQ(c.entries()[1].denial.syscall, "ptrace");
  EXPECT_EQ(c.entries()[1].denial.action, "kill-process");
}

TEST(AuditCollector, InterleavedEventsKeepTheirOwnSiblings) {
  Collector c;
  feed(c,
       "type=SYSCALL msg=audit(1700000000.200:81): arch=c000003e syscall=257 success=no "
       "exit=-13 pid=10 comm=\"a\" exe=\"/bin/a\"\n"
       "type=SYSCALL msg=audit(1700000000.200:82): arch=c000003e syscall=42 success=no "
       "exit=-13 pid=11 comm=\"b\" exe=\"/bin/b\"\n"
       "type=LANDLOCK_ACCESS msg=audit(1700000000.200:82): domain=1a2b3c4d "
       "blockers=net.connect_tcp daddr=127.0.0.1 dest=443\n"
       "type=LANDLOCK_ACCESS msg=audit(1700000000.200:81): domain=1a2b3c4d "
       "blockers=fs.read_file path=\"/etc/passwd\" dev=\"vda1\" ino=1234\n"
       "type=PATH msg=audit(1700000000.200:81): item=0 name=\"/etc/passwd\" inode=1234\n"
       "type=EOE msg=audit(1700000000.200:82): \n"
       "type=EOE msg=audit(1700000000.200:81): \n");
  c.finish();
  ASSERT_EQ(c.entries().size(), 2u);
  // Emitted in EOE order: 82 first.
  const Denial& net = c.entries()[0].denial;
  const Denial& fs = c.entries()[1].denial;
  EXPECT_EQ(net.exe, "/bin/b");
  EXPECT_EQ(net.syscall, "connect");
  EXPECT_EQ(net.fport, "443");
  EXPECT_EQ(fs.exe, "/bin/a");
  EXPECT_EQ(fs.syscall, "openat");
  EXPECT_EQ(fs.path, "/etc/passwd");
}

TEST(AuditCollector, TruncatedLinesAreCountedNotMisread) {
  const std::string full =
      "type=SECCOMP msg=audit(1700000000.123:456): " + std::string(kSeccompBody);
  Collector c;
  c.add_line(full.substr(0, full.find(" syscall=")));  // cut before syscall= and code=
  c.add_line(full.substr(0, 30));                      // cut inside the audit(…) header
  c.add_line(full.substr(0, full.find("/bw\"") + 2));  // cut inside exe="…", before arch=
  c.finish();
  EXPECT_TRUE(c.entries().empty());
  EXPECT_EQ(c.incomplete, 2u);
  EXPECT_EQ(c.unparsable, 1u);
  EXPECT_TRUE(has(c.summary(), ", 2 incomplete SECCOMP records")) << c.summary();

  // Every cut of a whole event: no crash, and the bookkeeping adds up.
  const std::string event =
      "type=AVC msg=audit(1.5:9): avc:  denied  { read } for  pid=1 comm=\"cat\" "
      "name=\"shadow\" scontext=u:r:a:s0 tcontext=u:r:b:s0 tclass=file permissive=0\n"
      "type=SYSCALL msg=audit(1.5:9): arch=c000003e syscall=257 success=no exit=-13 pid=1 "
      "comm=\"cat\" exe=\"/bin/cat\"\n"
      "type=PROCTITLE msg=audit(1.5:9): proctitle=636174002F6574632F736861646F77\n";
  for (size_t n = 0; n <= event.size(); ++n) {
    Collector t;
    feed(t, std::string_view(event).substr(0, n));
    t.finish();
    size_t counted = 0;
    for (const Entry& e : t.entries()) counted += e.count;
    EXPECT_EQ(counted, t.denials) << n;
  }
}

TEST(AuditCollector, LongLinesAreCutNotKeptWhole) {
  const std::string head =
      "type=AVC msg=audit(1700000000.300:90): apparmor=\"DENIED\" operation=\"open\" "
      "profile=\"p\" pid=7 comm=\"z\" requested_mask=\"r\" denied_mask=\"r\" name=\"/";
  Collector c;
  for (char fill : {'a', 'b', 'c'}) c.add_line(head + std::string(3 << 20, fill) + "\"");
  c.finish();
  EXPECT_EQ(c.long_lines, 3u);
  ASSERT_EQ(c.entries().size(), 3u);
  for (const Entry& e : c.entries()) {
    EXPECT_EQ(e.denial.comm, "z");  // the fields before the cut are read
    EXPECT_LE(e.denial.name.size(), Collector::kMaxLine);
    EXPECT_GT(e.denial.name.size(), 60000u);
  }
  EXPECT_TRUE(has(c.summary(), ", 3 lines cut at 64 KiB")) << c.summary();
}

TEST(AuditCollector, SinceDropsOlderDenialsAndKeepsUndated) {
  Collector c;
  c.since = 1700000000;
  auto seccomp_at = [](std::string_view stamp, int syscall) {
    return "type=SECCOMP msg=audit(" + std::string(stamp) + "): auid=0 pid=1 comm=\"x\" " +
           "exe=\"/x\" sig=0 arch=c000003e syscall=" + std::to_string(syscall) +
           " compat=0 ip=0x1 code=0x50001";
  };
  c.add_line(seccomp_at("1699999999.999:1", 0));  // before
  c.add_line(seccomp_at("1600000000.000:2", 1));  // before
  c.add_line(seccomp_at("1700000000.000:3", 2));  // at: kept
  c.add_line(seccomp_at("1700000005.000:4", 3));  // after
  // journald's short form carries no audit stamp: kept.
  c.add_line(
      "Nov 23 12:00:00 host audit[1]: SECCOMP auid=0 pid=1 comm=\"x\" sig=0 "
      "arch=c000003e syscall=4 compat=0 ip=0x1 code=0x50001");
  c.finish();
  EXPECT_EQ(c.before_since, 2u);
  EXPECT_EQ(c.denials, 3u);
  std::set<std::string> kept;
  for (const Entry& e : c.entries()) kept.insert(e.denial.syscall);
  EXPECT_EQ(kept, (std::set<std::string>{"open", "close", "stat"}));
  EXPECT_TRUE(has(c.summary(), ", 2 before --since")) << c.summary();
}

TEST(AuditCollector, SelinuxResultWordsDoNotBecomeKinds) {
  Collector c;
  for (int i = 0; i < 100; ++i)
    c.add_line("type=AVC msg=audit(1.0:" + std::to_string(i) + "): avc:  weird" +
               std::to_string(i) + "  { read } for pid=1 scontext=a tcontext=b tclass=file");
  c.finish();
  EXPECT_EQ(c.not_denials.size(), 1u);
  EXPECT_EQ(c.not_denials["unknown"], 100u);
}

// --- journalctl -o export -------------------------------------------------------------------

// A binary field as journalctl writes it: name, '\n', 64-bit little-endian length, bytes, '\n'.
std::string binary_field(std::string_view name, std::string_view value) {
  std::string out(name);
  out += '\n';
  uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  out += value;
  out += '\n';
  return out;
}

// What journald stores for a kernel SECCOMP record on its audit transport (journald-audit.c:
// MESSAGE is the type name and the body without the audit(…) header; known fields are mapped
// to _PID, _COMM, _EXE …, others to _AUDIT_FIELD_*), as `journalctl -o export` prints it.
std::string seccomp_export_entry() {
  return "__CURSOR=s=84589ce96ff8400189fc515ff892674a;i=c38f;b=3921464b65f64fb4a7c037dee97cd6ad;"
         "m=c65c40a;t=60a8c5f2a1e01;x=1f0c3b2a9d4e5f60\n"
         "__REALTIME_TIMESTAMP=1700000000125409\n"
         "__MONOTONIC_TIMESTAMP=207995914\n"
         "__SEQNUM=50063\n"
         "__SEQNUM_ID=84589ce96ff8400189fc515ff892674a\n"
         "_BOOT_ID=3921464b65f64fb4a7c037dee97cd6ad\n"
         "_TRANSPORT=audit\n"
         "_AUDIT_TYPE=1326\n"
         "_AUDIT_ID=456\n"
         "SYSLOG_FACILITY=4\n"
         "SYSLOG_IDENTIFIER=audit\n"
         "_AUDIT_TYPE_NAME=SECCOMP\n"
         "MESSAGE=SECCOMP " +
         std::string(kSeccompBody) +
         "\n"
         "_AUDIT_LOGINUID=1000\n"
         "_UID=1000\n"
         "_GID=1000\n"
         "_AUDIT_SESSION=3\n"
         "_SELINUX_CONTEXT=unconfined\n"
         "_PID=9952\n"
         "_COMM=bw\n"
         "_EXE=/usr/bin/bw\n"
         "_AUDIT_FIELD_SIG=0\n"
         "_AUDIT_FIELD_ARCH=c000003e\n"
         "_AUDIT_FIELD_SYSCALL=92\n"
         "_AUDIT_FIELD_COMPAT=0\n"
         "_AUDIT_FIELD_IP=0x7f0e5c1d2a3b\n"
         "_AUDIT_FIELD_CODE=0x50001\n"
         "_SOURCE_REALTIME_TIMESTAMP=1700000000123000\n"
         "_MACHINE_ID=5d78c28f10d54c0fb7b6fd1acc6af8ff\n"
         "_HOSTNAME=debianBookworm\n"
         "PRIORITY=5\n"
         "\n";
}

TEST(AuditCollector, JournalExportTextEntries) {
  std::string stream = seccomp_export_entry();
  // A syslog entry (not audit) and a kernel-transport one (journald reading /dev/kmsg while it
  // does not own the audit socket): MESSAGE keeps the kernel's whole line.
  stream +=
      "__CURSOR=s=84589ce96ff8400189fc515ff892674a;i=c390;b=3921464b65f64fb4a7c037dee97cd6ad;"
      "m=c65c500;t=60a8c5f2a1f00;x=2\n"
      "__REALTIME_TIMESTAMP=1700000000200000\n"
      "__MONOTONIC_TIMESTAMP=207996000\n"
      "_BOOT_ID=3921464b65f64fb4a7c037dee97cd6ad\n"
      "_TRANSPORT=syslog\n"
      "PRIORITY=6\n"
      "SYSLOG_IDENTIFIER=sshd\n"
      "MESSAGE=Accepted publickey for root from 10.0.0.2 port 51514 ssh2\n"
      "_PID=812\n"
      "_HOSTNAME=debianBookworm\n"
      "\n"
      "__CURSOR=s=84589ce96ff8400189fc515ff892674a;i=c391;b=3921464b65f64fb4a7c037dee97cd6ad;"
      "m=c65c600;t=60a8c5f2a2000;x=3\n"
      "__REALTIME_TIMESTAMP=1700000001502000\n"
      "__MONOTONIC_TIMESTAMP=207997300\n"
      "_BOOT_ID=3921464b65f64fb4a7c037dee97cd6ad\n"
      "_SOURCE_MONOTONIC_TIMESTAMP=207997100\n"
      "_TRANSPORT=kernel\n"
      "PRIORITY=5\n"
      "SYSLOG_FACILITY=0\n"
      "SYSLOG_IDENTIFIER=kernel\n"
      "MESSAGE=audit: type=1400 audit(1700000001.500:457): apparmor=\"DENIED\" "
      "operation=\"open\" class=\"file\" profile=\"cordon-cli\" name=\"/etc/shadow\" pid=9960 "
      "comm=\"cat\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1000 ouid=0\n"
      "_HOSTNAME=debianBookworm\n"
      "\n";
  Collector c;
  feed(c, stream);
  c.finish();
  EXPECT_EQ(c.journal_entries, 3u);
  EXPECT_EQ(c.journal_malformed, 0u);
  EXPECT_EQ(c.not_audit, 1u);
  EXPECT_EQ(c.unparsable, 0u);
  ASSERT_EQ(c.entries().size(), 2u) << c.summary();
  const Denial& s = c.entries()[0].denial;
  EXPECT_EQ(s.source, "seccomp");
  EXPECT_EQ(s.syscall, "chown");
  EXPECT_EQ(s.action, "errno(1)");
  EXPECT_EQ(s.exe, "/usr/bin/bw");
  EXPECT_EQ(s.serial, 456u);
  EXPECT_DOUBLE_EQ(s.time, 1700000000.123);  // the record's stamp, not the journal's
  const Denial& a = c.entries()[1].denial;
  EXPECT_EQ(a.source, "apparmor");
  EXPECT_EQ(a.name, "/etc/shadow");
  EXPECT_EQ(a.serial, 457u);
  EXPECT_TRUE(has(c.summary(), ", 3 journal export entries")) << c.summary();
}

// What journald stores for a dbus-broker USER_AVC whose message ends its tclass with a newline
// (the corpus's journald/selinux-list-user_avc-journal-json-pretty.txt, denied here): MESSAGE
// holds '\n', so `journalctl -o export` writes it in the binary form.
std::string user_avc_message(std::string_view exe) {
  return "USER_AVC pid=1538 uid=104 auid=4294967295 ses=4294967295 "
         "subj=system_u:system_r:system_dbusd_t:s0-s0:c0.c1023 msg='avc:  denied  { send_msg } "
         "for  scontext=system_u:system_r:systemd_t:s0 "
         "tcontext=system_u:system_r:systemd_logind_t:s0 tclass=dbus\n exe=\"" +
         std::string(exe) + "\" sauid=104 hostname=? addr=? terminal=?'";
}

std::string user_avc_entry(std::string_view message, std::string_view serial) {
  return "__CURSOR=s=84589ce96ff8400189fc515ff892674a;i=c38e;b=3921464b65f64fb4a7c037dee97cd6ad;"
         "m=c65c378;t=5e5bd1ff7d4f3;x=c22e610fc9b00b10\n"
         "__REALTIME_TIMESTAMP=1659975331468531\n"
         "__MONOTONIC_TIMESTAMP=207995768\n"
         "_BOOT_ID=3921464b65f64fb4a7c037dee97cd6ad\n"
         "_TRANSPORT=audit\n"
         "_AUDIT_TYPE=1107\n"
         "_AUDIT_ID=" +
         std::string(serial) +
         "\n"
         "SYSLOG_FACILITY=4\n"
         "SYSLOG_IDENTIFIER=audit\n"
         "_AUDIT_TYPE_NAME=USER_AVC\n" +
         binary_field("MESSAGE", message) +
         "_PID=1538\n"
         "_UID=104\n"
         "_AUDIT_LOGINUID=4294967295\n"
         "_AUDIT_SESSION=4294967295\n"
         "_SELINUX_CONTEXT=system_u:system_r:system_dbusd_t:s0-s0:c0.c1023\n"
         "AUDIT_FIELD_SCONTEXT=system_u:system_r:systemd_t:s0\n"
         "AUDIT_FIELD_TCONTEXT=system_u:system_r:systemd_logind_t:s0\n" +
         binary_field("AUDIT_FIELD_TCLASS", "dbus\n") +
         "AUDIT_FIELD_EXE=/usr/bin/dbus-broker\n"
         "AUDIT_FIELD_SAUID=104\n"
         "AUDIT_FIELD_HOSTNAME=?\n"
         "AUDIT_FIELD_ADDR=?\n"
         "AUDIT_FIELD_TERMINAL=?\n"
         "_SOURCE_REALTIME_TIMESTAMP=1659975331462000\n"
         "_MACHINE_ID=5d78c28f10d54c0fb7b6fd1acc6af8ff\n"
         "_HOSTNAME=debianBullseye\n"
         "\n";
}

TEST(AuditCollector, JournalExportBinaryFields) {
  // The first entry's MESSAGE as it is. For the second, an exe path whose length makes the
  // MESSAGE's length bytes hold '\n' (0x0a), so even the length is split over two lines.
  std::string first = user_avc_message("/usr/bin/dbus-broker");
  std::string exe = "/usr/bin/dbus-broker";
  while ((user_avc_message(exe).size() & 0xff) != 0x0a) exe.insert(9, "x");
  std::string second = user_avc_message(exe);
  ASSERT_EQ(second.size() & 0xff, 0x0au);

  Collector c;
  feed(c, seccomp_export_entry() + user_avc_entry(first, "1075") + user_avc_entry(second, "1076"));
  c.finish();
  EXPECT_EQ(c.journal_entries, 3u);
  EXPECT_EQ(c.journal_malformed, 0u);
  EXPECT_EQ(c.not_audit, 0u);
  ASSERT_EQ(c.entries().size(), 3u) << c.summary();
  for (size_t i : {1u, 2u}) {
    const Denial& d = c.entries()[i].denial;
    EXPECT_EQ(d.source, "selinux");
    EXPECT_EQ(d.kind, "denied");
    EXPECT_EQ(d.tclass, "dbus");
    EXPECT_EQ(d.denied, "send_msg");
    EXPECT_EQ(d.serial, i == 1 ? 1075u : 1076u);
    EXPECT_DOUBLE_EQ(d.time, 1659975331.462);
  }
  EXPECT_EQ(c.entries()[1].denial.exe, "/usr/bin/dbus-broker");
  EXPECT_EQ(c.entries()[2].denial.exe, exe);
}

TEST(AuditCollector, JournalExportCutShortOrLying) {
  // The stream ends inside an entry (no empty line): the entry is read at finish().
  std::string entry = seccomp_export_entry();
  {
    Collector c;
    feed(c, entry.substr(0, entry.size() - 1));
    EXPECT_TRUE(c.entries().empty());
    c.finish();
    EXPECT_EQ(c.entries().size(), 1u);
  }
  // A binary MESSAGE announcing 2^64-1 bytes: the rest of the stream is its data (what the
  // format says), and only kMaxValue bytes of it are kept.
  {
    Collector c;
    std::string lying = "__CURSOR=s=1\n_TRANSPORT=audit\n_AUDIT_TYPE=1326\nMESSAGE\n";
    lying += std::string(8, '\xff');
    lying += "SECCOMP " + std::string(kSeccompBody) + "\n\n";
    feed(c, lying);
    for (int i = 0; i < 2000; ++i) c.add_line(std::string(1000, 'x'));
    c.finish();
    EXPECT_EQ(c.journal_entries, 1u);
    EXPECT_EQ(c.lines, 2006u);
    EXPECT_EQ(c.not_audit, 0u);
  }
  // A binary field shorter than announced (the '\n' after the data is not where the line
  // ends): the field is dropped, the entry goes on.
  {
    JournalExportReader r;
    EXPECT_TRUE(r.add_line("__CURSOR=s=1").consumed);
    EXPECT_TRUE(r.add_line("MESSAGE").consumed);
    EXPECT_TRUE(r.add_line(std::string("\x03\0\0\0\0\0\0\0abcdef", 14)).consumed);
    EXPECT_TRUE(r.add_line("_TRANSPORT=audit").consumed);
    auto step = r.add_line("");
    ASSERT_TRUE(step.entry);
    EXPECT_FALSE(step.entry->message);
    EXPECT_EQ(step.entry->transport, "audit");
    EXPECT_EQ(r.malformed, 1u);
  }
  // A line that is not export format inside an entry ends it and is read on its own.
  {
    Collector c;
    std::string mixed = entry.substr(0, entry.size() - 1);  // no empty line
    mixed +=
        "type=SECCOMP msg=audit(1700000009.000:999): auid=0 pid=2 comm=\"q\" sig=0 "
        "arch=c000003e syscall=101 compat=0 ip=0x1 code=0x80000000\n";
    feed(c, mixed);
    c.finish();
    EXPECT_EQ(c.journal_malformed, 1u);
    ASSERT_EQ(c.entries().size(), 2u);
    EXPECT_EQ(c.entries()[0].denial.syscall, "chown");
    EXPECT_EQ(c.entries()[1].denial.syscall, "ptrace");
  }
}

TEST(AuditCollector, JournalExportGroupsAnEventAcrossEntries) {
  // journald stores each record of an event as an entry of its own; _AUDIT_ID joins them.
  auto entry = [](std::string_view type, int number, std::string_view message) {
    return "__CURSOR=s=1;i=" + std::to_string(number) +
           "\n_TRANSPORT=audit\n_AUDIT_TYPE=" + std::to_string(number) +
           "\n_AUDIT_ID=777\nMESSAGE=" + std::string(type) + " " + std::string(message) +
           "\n_SOURCE_REALTIME_TIMESTAMP=1700000002250000\n\n";
  };
  Collector c;
  feed(c, entry("LANDLOCK_ACCESS", 1423,
                "domain=195ba459b blockers=fs.read_file path=\"/etc/hosts\" dev=\"vda1\" ino=12") +
              entry("SYSCALL", 1300,
                    "arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c pid=616 "
                    "comm=\"cat\" exe=\"/usr/bin/cat\"") +
              // journald before it knew type 1424 names it AUDIT1424.
              entry("AUDIT1424", 1424,
                    "domain=195ba459b status=allocated mode=enforcing pid=600 uid=0 "
                    "exe=\"/usr/bin/bash\" comm=\"bash\""));
  c.finish();
  ASSERT_EQ(c.entries().size(), 1u) << c.summary();
  const Denial& d = c.entries()[0].denial;
  EXPECT_EQ(d.source, "landlock");
  EXPECT_EQ(d.syscall, "openat");
  EXPECT_EQ(d.exe, "/usr/bin/cat");
  EXPECT_EQ(c.unknown_types, 0u);
  EXPECT_EQ(c.not_denials.at("domain"), 1u);
}

}  // namespace
}  // namespace cordon::audit
