// SELinux AVC and USER_AVC records: sepolgen's fixtures and the expectations of its
// test_audit.py (SELinuxProject/selinux python/sepolgen/tests), plus modern list records.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audit/denial.h"
#include "audit/record.h"
#include "tests/unit/audit_corpus.h"

namespace cordon::audit {
namespace {

namespace fs = std::filesystem;

struct Counts {
  int denied = 0, granted = 0, lines_with_avc = 0;
};

Counts count_avcs(const fs::path& p) {
  Counts c;
  for (const auto& line : read_lines(p)) {
    // "avc:  received policyload notice" and the like are not access decisions.
    if (line.find("avc:  denied") != std::string::npos ||
        line.find("avc:  granted") != std::string::npos)
      ++c.lines_with_avc;
    for (const auto& r : parse_line(line).records) {
      auto d = to_denial(r);
      if (!d || d->source != "selinux") continue;
      if (d->kind == "denied") ++c.denied;
      if (d->kind == "granted") ++c.granted;
    }
  }
  return c;
}

TEST(AuditSelinuxCorpus, SepolgenAuditTxtHas21Avcs) {
  fs::path p = kCorpus / "selinux/python/sepolgen/tests/audit.txt";
  if (!fs::exists(p)) GTEST_SKIP() << "SKIPPED: corpus not found at " << p;
  Counts c = count_avcs(p);
  // test_audit.py: TestAuditParser.test_parse_file expects 21 avc_msgs.
  EXPECT_EQ(c.denied + c.granted, 21);
}

TEST(AuditSelinuxCorpus, SepolgenLogsEveryAvcLineParses) {
  for (const char* name : {"audit.log", "httpd.log", "short.log"}) {
    fs::path p = kCorpus / "selinux/python/sepolgen/tests/test_data" / name;
    if (!fs::exists(p)) GTEST_SKIP() << "SKIPPED: corpus not found at " << p;
    Counts c = count_avcs(p);
    std::cout << fmt::format(
        "sepolgen {}: {} denied/granted lines, {} denied + {} granted parsed\n", name,
        c.lines_with_avc, c.denied, c.granted);
    EXPECT_GE(c.denied + c.granted, c.lines_with_avc) << name;
  }
}

Denial selinux_denial(std::string_view line) {
  LineResult lr = parse_line(line);
  EXPECT_FALSE(lr.records.empty()) << line;
  if (lr.records.empty()) return {};
  auto d = to_denial(lr.records[0]);
  EXPECT_TRUE(d && d->source == "selinux") << line;
  return d.value_or(Denial{});
}

// The records of test_audit.py, with its expected values.
TEST(AuditSelinuxCorpus, SepolgenTestAuditExpectations) {
  Denial d = selinux_denial(
      "Sep 12 08:26:43 dhcp83-5 kernel: audit(1158064002.046:4): avc:  denied  { read } for  "
      "pid=2 496 comm=\"bluez-pin\" name=\".gdm1K3IFT\" dev=dm-0 ino=3601333 "
      "scontext=user_u:system_r:bluetooth_helper_t:s0-s0:c0 "
      "tcontext=system_u:object_r:xdm_tmp_t:s0 tclass=file");
  EXPECT_EQ(d.serial, 4u);
  EXPECT_EQ(d.scontext, "user_u:system_r:bluetooth_helper_t:s0-s0:c0");
  EXPECT_EQ(d.tcontext, "system_u:object_r:xdm_tmp_t:s0");
  EXPECT_EQ(d.tclass, "file");
  EXPECT_EQ(d.requested, "read");
  EXPECT_EQ(d.comm, "bluez-pin");
  EXPECT_EQ(d.kind, "denied");

  d = selinux_denial(
      "type=AVC msg=audit(1158584779.745:708): avc:  denied  { dac_read_search } for  "
      "pid=8132 comm=\"sh\" capability=2 scontext=user_u:system_r:vpnc_t:s0 "
      "tcontext=user_u:system_r:vpnc_t:s0 tclass=capability");
  EXPECT_EQ(d.serial, 708u);
  EXPECT_EQ(d.tclass, "capability");
  EXPECT_EQ(d.requested, "dac_read_search");
  EXPECT_EQ(d.capability, "2");
  EXPECT_EQ(d.pid, 8132);

  d = selinux_denial(
      "type=AVC msg=audit(1188833848.190:34): avc:  granted  { getattr } for  pid=4310 "
      "comm=\"ls\" name=\"foo.pp\" dev=sda5 ino=295171 "
      "scontext=user_u:system_r:unconfined_t:s0 tcontext=user_u:object_r:user_home_t:s0 "
      "tclass=file");
  EXPECT_EQ(d.kind, "granted");
  EXPECT_FALSE(d.is_denial());
  EXPECT_EQ(d.name, "foo.pp");

  d = selinux_denial(
      "type=AVC msg=audit(1516626657.910:4461): avc:  denied  { ioctl } for  pid=4310 "
      "comm=\"test\" path=\"/root/test\" ino=8619937 ioctlcmd=0x42 "
      "scontext=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 "
      "tcontext=unconfined_u:object_r:test_file_t:s0 tclass=file permissive=0");
  EXPECT_EQ(d.ioctlcmd, "0x42");
  EXPECT_EQ(d.path, "/root/test");
  EXPECT_EQ(d.permissive, false);
}

TEST(AuditSelinuxCorpus, JournalShortAndUserAvc) {
  Denial d = selinux_denial(
      "Jun 01 10:00:00 host audit[1234]: AVC avc:  denied  { write } for  pid=1234 "
      "comm=\"x\" name=\"y\" dev=\"sda1\" ino=5 scontext=a:b:c:s0 tcontext=d:e:f:s0 "
      "tclass=dir permissive=1");
  EXPECT_EQ(d.permissive, true);
  EXPECT_EQ(d.requested, "write");

  fs::path p = kCorpus / "journald/selinux-list-user_avc-journal-json-pretty.txt";
  if (!fs::exists(p)) GTEST_SKIP() << "SKIPPED: corpus not found at " << p;
  std::string all;
  for (const auto& l : read_lines(p)) all += l + "\n";
  // The file quotes the entry inside an e-mail: keep the JSON object only.
  all = all.substr(all.find('{'), all.rfind('}') - all.find('{') + 1);
  // json-pretty spans lines; parse_line takes one JSON object, whatever its whitespace.
  LineResult lr = parse_line(all);
  ASSERT_EQ(lr.records.size(), 1u) << lr.error;
  EXPECT_EQ(lr.format, "journal-json");
  EXPECT_EQ(lr.records[0].type, 1107);
  EXPECT_EQ(lr.records[0].serial, 1075u);
  auto u = to_denial(lr.records[0]);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, "granted");
  EXPECT_EQ(u->tclass, "dbus");
  EXPECT_EQ(u->exe, "/usr/bin/dbus-broker");
}

}  // namespace
}  // namespace cordon::audit
