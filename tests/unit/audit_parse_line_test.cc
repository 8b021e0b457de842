// parse_line(): one test per log format it detects, glued records, hex decoding, and hostile
// input that must come back as an error string (never a crash or an exception).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "audit/denial.h"
#include "audit/fields.h"
#include "audit/record.h"

namespace cordon::audit {
namespace {

constexpr std::string_view kBody =
    "auid=1000 uid=1000 gid=1000 ses=3 pid=9952 comm=\"bw\" exe=\"/bin/bw\" sig=0 "
    "arch=c000003e syscall=92 compat=0 ip=0x7f code=0x50001";

void expect_seccomp(const LineResult& lr, std::string_view format) {
  ASSERT_EQ(lr.records.size(), 1u) << lr.error;
  EXPECT_EQ(lr.format, format);
  EXPECT_TRUE(lr.audit_like);
  EXPECT_EQ(lr.records[0].type, 1326);
  EXPECT_EQ(lr.records[0].type_name, "SECCOMP");
  auto d = to_denial(lr.records[0]);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->syscall, "chown");
  EXPECT_EQ(d->action, "errno(1)");
  EXPECT_EQ(d->comm, "bw");
}

TEST(AuditParseLine, EveryFormat) {
  std::string body(kBody);
  expect_seccomp(parse_line("type=SECCOMP msg=audit(1700000000.123:456): " + body), "auditd");
  {
    LineResult lr = parse_line("node=host1 type=SECCOMP msg=audit(1700000000.123:456): " + body);
    expect_seccomp(lr, "auditd");
    EXPECT_EQ(lr.records[0].node, "host1");
    EXPECT_EQ(lr.records[0].serial, 456u);
    EXPECT_DOUBLE_EQ(lr.records[0].time, 1700000000.123);
  }
  {
    LineResult lr = parse_line("type=SECCOMP msg=audit(1700000000.123:456): " + body +
                               "\x1d"
                               "AUID=\"alice\" ARCH=x86_64 SYSCALL=chown");
    expect_seccomp(lr, "auditd-enriched");
    EXPECT_EQ(lr.records[0].value("AUID"), "alice");
    EXPECT_EQ(lr.records[0].value("code"), "0x50001");
  }
  expect_seccomp(parse_line("6,1234,5678,-;audit: type=1326 audit(1700000000.123:456): " + body),
                 "kmsg");
  expect_seccomp(parse_line("[   12.345] audit: type=1326 audit(1700000000.123:456): " + body),
                 "dmesg");
  expect_seccomp(parse_line("Nov 23 12:00:00 host kernel: [ 1.2] audit: type=1326 "
                            "audit(1700000000.123:456): " +
                            body),
                 "syslog");
  expect_seccomp(parse_line("Nov 23 12:00:00 host audit[1234]: SECCOMP " + body), "journal-short");
  expect_seccomp(parse_line(R"({"_TRANSPORT":"audit","_AUDIT_TYPE":"1326","_AUDIT_ID":"456",)"
                            R"("MESSAGE":"SECCOMP auid=1000 pid=9952 comm=\"bw\" arch=c000003e )"
                            R"(syscall=92 code=0x50001"})"),
                 "journal-json");
  expect_seccomp(parse_line(R"({"_TRANSPORT":"kernel","MESSAGE":"audit: type=1326 )"
                            R"(audit(1700000000.123:456): pid=9952 comm=\"bw\" arch=c000003e )"
                            R"(syscall=92 code=0x50001"})"),
                 "journal-json");
  {
    LineResult lr = parse_line(
        "type=SECCOMP msg=audit(11/23/2026 12:00:00.123:456) : auid=alice pid=9952 comm=bw "
        "arch=x86_64 syscall=chown code=errno");
    ASSERT_EQ(lr.records.size(), 1u);
    EXPECT_EQ(lr.format, "ausearch-interpreted");
    auto d = to_denial(lr.records[0]);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->syscall_nr, 92);
    EXPECT_EQ(d->serial, 456u);
  }
}

TEST(AuditParseLine, GluedRecordsAndHex) {
  LineResult lr = parse_line(
      "node=bob type=PATH msg=audit(1166111074.191:74): item=0 name=\"/etc/auto.net\" "
      "node=bob type=CWD msg=audit(1166111074.191:74):  cwd=\"/\"");
  ASSERT_EQ(lr.records.size(), 2u);
  EXPECT_EQ(lr.records[0].type_name, "PATH");
  EXPECT_EQ(lr.records[0].get("node"), nullptr);
  EXPECT_EQ(lr.records[1].type_name, "CWD");
  EXPECT_EQ(lr.records[1].node, "bob");
  EXPECT_EQ(lr.records[1].value("cwd"), "/");

  lr = parse_line(
      "type=PROCTITLE msg=audit(1729738800.268:30): proctitle=6B696C6C0031 "
      "exe=2F686F6D652F61 comm=\"2F\"");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].value("proctitle"), "kill 1");
  EXPECT_EQ(lr.records[0].value("exe"), "/home/a");
  EXPECT_EQ(lr.records[0].value("comm"), "2F");  // quoted values are never hex

  // The ENRICHED separator lost: the uppercase fields are glued onto the last raw value.
  lr = parse_line(
      "type=SECCOMP msg=audit(1.0:2): arch=c000003e syscall=3 "
      "code=0x7ffc0000AUID=\"unset\" UID=\"root\"");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.format, "auditd-enriched");
  EXPECT_EQ(lr.records[0].value("code"), "0x7ffc0000");
  EXPECT_EQ(lr.records[0].value("UID"), "root");

  EXPECT_EQ(hex_decode("2F62696E"), "/bin");
  EXPECT_FALSE(hex_decode("2F6"));
  EXPECT_FALSE(hex_decode("zz"));
}

TEST(AuditParseLine, NotAuditAndUnknownTypes) {
  EXPECT_FALSE(parse_line("Oct 29 07:55:58 host syslogd 1.5.0#2ubuntu6: restart.").audit_like);
  EXPECT_FALSE(parse_line("").audit_like);
  LineResult lr = parse_line("type=FANCY_NEW msg=audit(1.5:7): a=b");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].type, 0);
  EXPECT_EQ(lr.records[0].type_name, "FANCY_NEW");
  EXPECT_FALSE(to_denial(lr.records[0]));
  lr = parse_line("audit: type=1999 audit(1.5:7): a=b");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].type, 1999);
  lr = parse_line("[59836.801413] audit_printk_skb: 206 callbacks suppressed");
  EXPECT_TRUE(lr.audit_like);
  EXPECT_TRUE(lr.records.empty());
  EXPECT_FALSE(lr.error.empty());
}

TEST(AuditParseLine, LostRecordNotices) {
  for (const char* line :
       {"[  812.004213] audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64",
        "audit: rate limit exceeded", "[ 9.1] audit: backlog limit exceeded",
        "audit: kauditd hold queue overflow", "audit: audit_backlog=65 > audit_backlog_limit=64",
        "Nov 23 12:00:01 host kernel: kauditd_printk_skb: 12 callbacks suppressed",
        "4,2291,812004300,-;audit_printk_skb: 206 callbacks suppressed",
        "audit: callbacks suppressed", "audit: 3 callbacks suppressed"}) {
    LineResult lr = parse_line(line);
    EXPECT_TRUE(lr.lost_notice) << line;
    EXPECT_TRUE(lr.audit_like) << line;
    EXPECT_TRUE(lr.records.empty()) << line;
    EXPECT_FALSE(lr.error.empty()) << line;
  }
  // Other subsystems' rate limits are not audit's.
  for (const char* line : {"[  813.0] net_ratelimit: 5 callbacks suppressed",
                           "Nov 23 12:00:01 host kernel: hrtimer: 2 callbacks suppressed",
                           "audit: foo: bar callbacks suppressed"}) {
    LineResult lr = parse_line(line);
    EXPECT_FALSE(lr.lost_notice) << line;
    EXPECT_FALSE(lr.audit_like) << line;
  }
}

TEST(AuditParseLine, JournaldNamesForUnknownTypes) {
  // journald prints AUDITnnnn for a type it does not name (audit_type_name_alloca).
  LineResult lr = parse_line("Nov 23 12:00:00 host audit[1]: AUDIT1999 a=b");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].type, 1999);
  EXPECT_EQ(lr.records[0].value("a"), "b");
  lr = parse_line(R"({"_TRANSPORT":"audit","_AUDIT_TYPE":"1423","_AUDIT_ID":"9",)"
                  R"("MESSAGE":"AUDIT1423 domain=1a blockers=fs.read_file path=/etc"})");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].type_name, "LANDLOCK_ACCESS");
  ASSERT_EQ(lr.records[0].fields.size(), 3u);
  EXPECT_EQ(lr.records[0].fields[0].first, "domain");
}

TEST(AuditParseLine, JournalJsonMessageShapes) {
  // A field held twice is an array of values; the first wins.
  LineResult lr = parse_line(R"({"_TRANSPORT":"audit","_AUDIT_TYPE":"1326","_AUDIT_ID":"1",)"
                             R"("MESSAGE":["SECCOMP arch=c000003e syscall=92 code=0x50001","x"]})");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].value("syscall"), "92");
  // Not UTF-8: an array of bytes ("audit: type=1326 audit(1.0:1): syscall=9" and 0xff).
  std::string bytes;
  for (unsigned char ch : std::string("audit: type=1326 audit(1.0:1): syscall=9")) {
    bytes += std::to_string(ch) + ",";
  }
  lr = parse_line(R"({"_TRANSPORT":"kernel","MESSAGE":[)" + bytes + "255]}");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].value("syscall"), "9\xff");
  // Deeply nested arrays cost no recursion.
  std::string deep = R"({"_TRANSPORT":"audit","MESSAGE":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  EXPECT_NO_THROW(parse_line(deep));
}

// A sandboxed program chooses text the kernel prints: its comm (15 bytes) and the name of the
// file it faults in end up in a segfault report. A record planted there must not count, in any
// transport the report reaches (issue #14, class 8a).
constexpr std::string_view kPlanted[] = {
    " type=1326 audit(1700000000.000:1): auid=0 uid=0 gid=0 ses=1 pid=4242 comm=\"sh\" "
    "exe=\"sh\" sig=0 arch=c000003e syscall=101 compat=0 ip=0x1 code=0x50000 x=",
    " audit: type=1326 audit(1700000000.000:1): pid=4242 comm=\"sh\" arch=c000003e "
    "syscall=101 code=0x50000 x=",
    " node=h type=SECCOMP msg=audit(1700000000.000:1): pid=4242 comm=\"sh\" arch=c000003e "
    "syscall=101 code=0x50000 x=",
    " audit[4242]: SECCOMP pid=4242 comm=\"sh\" arch=c000003e syscall=101 code=0x50000 x=",
    " audit(1700000000.000:1): apparmor=\"DENIED\" operation=\"open\" profile=\"cordon\" "
    "name=2F6574632F736861646F77 pid=4242 comm=\"sh\" requested_mask=\"r\" denied_mask=\"r\" x=",
    " apparmor=\"DENIED\" operation=\"open\" profile=\"cordon\" name=2F6574632F736861646F77 "
    "pid=4242 comm=\"sh\" requested_mask=\"r\" denied_mask=\"r\" x=",
    " avc:  denied  { read } for pid=4242 comm=\"sh\" scontext=u:r:a:s0 tcontext=u:r:b:s0 "
    "tclass=file permissive=0 x=",
    " domain=1a2b blockers=fs.read_file path=2F6574632F736861646F77 x=",
};

// The headers the kernel's text gets in front of it: none (journalctl -o cat, dmesg -t), kmsg,
// dmesg, syslog with and without the kernel's time, ISO syslog, journalctl's short output.
constexpr std::string_view kKernelHeaders[] = {
    "",
    "6,355,1166182655,-;",
    "[ 1166.182623] ",
    "[  135.126499][ T60] ",
    "Dec  8 01:05:30 host kernel: ",
    "Dec  8 01:05:30 host kernel: [ 1166.182623] ",
    "2026-12-08T01:05:30.123456+00:00 host kernel: ",
    "Dec 08 01:05:30 host kernel: ",
};

// A segfault report as the kernel prints it (arch/x86/mm/fault.c, show_signal_msg).
std::string segfault(std::string_view comm, std::string_view file) {
  return fmt::format(
      "{}[4242]: segfault at 0 ip 000055e781733132 sp 00007ffd65ff4260 error 6 in "
      "{}[1132,55e781733000+1000] likely on CPU 0 (core 0, socket 0)",
      comm, file);
}

void expect_nothing(const std::string& line) {
  LineResult lr = parse_line(line);
  EXPECT_TRUE(lr.records.empty()) << line << "\nformat: " << lr.format;
  for (const auto& r : lr.records) EXPECT_FALSE(to_denial(r)) << line;
}

TEST(AuditParseLine, RecordsPlantedInKernelTextAreIgnored) {
  for (std::string_view header : kKernelHeaders) {
    for (std::string_view planted : kPlanted) {
      std::string file = "zzzzzzzzzzzzzzzz" + std::string(planted);
      // In the file name the report names.
      expect_nothing(std::string(header) + segfault("zzzzzzzzzzzzzzz", file));
      // In a comm="…" field of some other kernel message.
      expect_nothing(std::string(header) + "foo: bar pid=4242 comm=\"x" + std::string(planted) +
                     "\"");
      // journald's JSON of the kernel's message.
      nlohmann::json j = {{"_TRANSPORT", "kernel"}, {"MESSAGE", segfault("zzzzzzzzzzzzzzz", file)}};
      expect_nothing(j.dump());
    }
  }
}

// The comm starts the report: no 15 bytes complete a record's start, whatever follows.
TEST(AuditParseLine, ACommCannotStartARecord) {
  for (std::string_view comm :
       {"audit[1]: AVC a", "audit[1]: AVC =", "apparmor=\"\" x=\"", "avc:  denied  {",
        "avc: denied { r", "domain=1 status", "audit(1:1):avc:", "audit(1.0:1): a",
        "type=1 audit(1:", "audit: type=1 a", "node=h type=1 a", "x audit[1]: AVC"}) {
    ASSERT_LE(comm.size(), 15u);
    for (std::string_view header : kKernelHeaders)
      for (std::string_view planted : kPlanted)
        expect_nothing(std::string(header) + segfault(comm, "x" + std::string(planted)));
  }
}

// A file name may hold a newline: dmesg and journalctl print the rest of the message on an
// indented line of its own, which is not a record however it looks.
TEST(AuditParseLine, ContinuationLinesAreNotRecords) {
  std::string body(kBody);
  expect_nothing("               [ 1.000000] audit: type=1326 audit(1700000000.123:456): " + body);
  expect_nothing("                audit: type=1326 audit(1700000000.123:456): " + body);
  expect_nothing("\ttype=SECCOMP msg=audit(1700000000.123:456): " + body);
}

// A program that may write /dev/kmsg gets facility 1 (user) at least; the kernel's own are 0.
TEST(AuditParseLine, KmsgLinesOfProgramsAreNotTheKernels) {
  std::string body(kBody);
  expect_nothing("13,5,6,-;audit: type=1326 audit(1700000000.123:456): " + body);
  expect_nothing("14,5,6,-;type=1326 audit(1700000000.123:456): " + body);
  expect_seccomp(parse_line("5,5,6,-;audit: type=1326 audit(1700000000.123:456): " + body), "kmsg");
}

// A sandboxed service's stdout reaches the journal (_TRANSPORT=stdout) and, forwarded, syslog
// under its unit's name: what it prints there is not a record.
TEST(AuditParseLine, AServicesOutputIsNotARecord) {
  std::string body(kBody);
  expect_nothing("Dec  8 01:05:30 host redis-server[123]: audit: type=1326 audit(1.5:7): " + body);
  expect_nothing("Dec  8 01:05:30 host redis-server[123]: type=SECCOMP msg=audit(1.5:7): " + body);
  expect_nothing(
      "Dec  8 01:05:30 host app[1]: apparmor=\"DENIED\" operation=\"open\" profile=\"p\" "
      "name=\"/x\" pid=1 comm=\"a\" requested_mask=\"r\" denied_mask=\"r\"");
  nlohmann::json j = {{"_TRANSPORT", "stdout"},
                      {"SYSLOG_IDENTIFIER", "redis-server"},
                      {"MESSAGE", "audit: type=1326 audit(1.5:7): " + body}};
  expect_nothing(j.dump());
  j["_TRANSPORT"] = "kernel";
  expect_seccomp(parse_line(j.dump()), "journal-json");
}

// Where records do start: after every transport's header.
TEST(AuditParseLine, RecordsAtTheStartOfTheMessage) {
  std::string body(kBody);
  for (std::string_view header :
       {"", "5,1,2,-;", "[ 12.3] ", "[  135.126499][   T60] ",
        "Dec  8 01:05:30 host kernel: ", "Dec  8 01:05:30 host kernel: [ 1.2] ",
        "2026-12-08T01:05:30+00:00 host kernel: ", "kernel: [ 1.2] ",
        "2019-05-09 19:06:13.269 606-606/? E/audit: "}) {
    LineResult lr = parse_line(std::string(header) + "audit: type=1326 audit(1.5:7): " + body);
    EXPECT_EQ(lr.records.size(), 1u) << header;
    lr = parse_line(std::string(header) + "type=1326 audit(1.5:7): " + body);
    EXPECT_EQ(lr.records.size(), 1u) << header;
  }
  for (const char* line :
       {"Dec  8 01:05:30 host audit[1]: SECCOMP ", "audit[1]: SECCOMP ",
        "Dec  8 01:05:30 host audispd: node=h type=SECCOMP msg=audit(1.5:7): "}) {
    LineResult lr = parse_line(line + body);
    ASSERT_EQ(lr.records.size(), 1u) << line;
    EXPECT_TRUE(to_denial(lr.records[0])) << line;
  }
  for (const char* line :
       {"apparmor=\"DENIED\" operation=\"open\" profile=\"p\" name=\"/x\" pid=1 comm=\"a\" "
        "requested_mask=\"r\" denied_mask=\"r\"",
        "Dec  8 01:05:30 host dbus-daemon[9]: apparmor=\"DENIED\" operation=\"dbus_bind\" "
        "bus=\"session\" name=\"a.b\" mask=\"bind\" pid=1 profile=\"p\"",
        "audit(1.5:7): apparmor=\"DENIED\" operation=\"open\" profile=\"p\" name=\"/x\" pid=1",
        "kernel: audit(1.5:7): avc:  denied  { read } for pid=1 comm=\"a\" scontext=u:r:a:s0 "
        "tcontext=u:r:b:s0 tclass=file",
        "domain=1a blockers=fs.read_file path=\"/etc\" dev=\"vda\" ino=2"}) {
    LineResult lr = parse_line(line);
    ASSERT_EQ(lr.records.size(), 1u) << line;
    EXPECT_TRUE(to_denial(lr.records[0])) << line;
  }
}

// Everything here must return (records or an error), never crash or throw.
TEST(AuditParseLine, HostileInput) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 300, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    EXPECT_NO_THROW(parse_line(s));
    // Random bytes behind a valid header exercise the body parser.
    EXPECT_NO_THROW(parse_line("type=SECCOMP msg=audit(1.0:1): " + s));
    EXPECT_NO_THROW(parse_line("{\"MESSAGE\":\"" + s));
  }
  std::string big = "type=AVC msg=audit(1.0:1): avc:  denied  { " + std::string(1 << 20, 'r');
  LineResult lr = parse_line(big);
  EXPECT_EQ(lr.records.size(), 1u);
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "type=SYSCALL msg=audit(1.0:1): a=b ";
  lr = parse_line(many);
  EXPECT_LE(lr.records.size(), 64u);
  EXPECT_GE(lr.records.size(), 2u);
  EXPECT_FALSE(lr.error.empty());
  EXPECT_NO_THROW(parse_line(std::string(1 << 20, '=')));
  // Inputs that would be quadratic for a naive scanner.
  std::string rep;
  for (const char* unit : {"audit[", "type=", "audit(", "avc: {", "x=\"", "AB=", "domain="}) {
    for (const char* sep : {" ", ":", ""}) {
      rep.clear();
      while (rep.size() < (1 << 20)) rep += std::string(unit) + sep;
      EXPECT_NO_THROW(parse_line(rep)) << unit;
      EXPECT_NO_THROW(parse_line("type=AVC msg=audit(1.0:1): " + rep)) << unit;
    }
  }
  EXPECT_NO_THROW(parse_line(std::string(1 << 20, '"')));

  const std::string full =
      "type=SECCOMP msg=audit(1700000000.123:456): auid=1000 pid=1 comm=\"a b\" "
      "arch=c000003e syscall=92 code=0x50001";
  for (size_t n = 0; n <= full.size(); ++n) {
    LineResult t = parse_line(full.substr(0, n));
    for (const auto& r : t.records) EXPECT_NO_THROW(to_denial(r));
    if (t.audit_like && t.records.empty()) {
      EXPECT_FALSE(t.error.empty()) << full.substr(0, n);
    }
  }
  for (const char* s :
       {"type=", "type= ", "type=SECCOMP", "type=SECCOMP msg=audit(", "type=SECCOMP msg=audit(1",
        "type=SECCOMP msg=audit(x:y): a=b", "type=SECCOMP msg=audit(99/99/9999 99:99:99.9:1): a=b",
        "type=SECCOMP msg=audit(1:18446744073709551616): a=b",
        "type=SECCOMP msg=audit(1.0:1): exe=ZZZZ proctitle=ABC name=0",
        "type=SECCOMP msg=audit(1.0:1): arch=ffffffff syscall=99999999 code=zz",
        "type=SECCOMP msg=audit(1.0:1): arch=c000003e syscall=-1 code=0x0", "audit[", "audit[1]: ",
        "{", "{\"MESSAGE\":[1,2,999]}", "avc:", "avc:  {", "apparmor=\"", "domain= blockers="}) {
    LineResult t = parse_line(s);
    if (t.audit_like && t.records.empty()) {
      EXPECT_FALSE(t.error.empty()) << s;
    }
    for (const auto& r : t.records) EXPECT_NO_THROW(to_denial(r));
  }
}

}  // namespace
}  // namespace cordon::audit
