// Landlock LANDLOCK_ACCESS (1423) and LANDLOCK_DOMAIN (1424) records in their merged format.
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

TEST(AuditLandlockCorpus, EveryRecordHasDomainAndBlockers) {
  // The pre-merge formats (LANDLOCK_DENY, LL_DENY …) are left out on purpose: no kernel
  // release printed them.
  int access = 0, domains = 0;
  for (const char* name : {"landlock-kernel-doc-examples.log", "landlock-lsm-list-final-format.log",
                           "landlock-quiet-demo-kmsg.log"}) {
    fs::path p = kCorpus / "landlock" / name;
    if (!fs::exists(p)) GTEST_SKIP() << "SKIPPED: corpus not found at " << p;
    for (const auto& line : read_lines(p)) {
      if (line.find("domain=") == std::string::npos) continue;
      LineResult lr = parse_line(line);
      ASSERT_EQ(lr.records.size(), 1u) << line << "\n" << lr.error;
      auto d = to_denial(lr.records[0]);
      ASSERT_TRUE(d) << line;
      EXPECT_EQ(d->source, "landlock");
      EXPECT_FALSE(d->domain.empty()) << line;
      if (line.find("blockers=") != std::string::npos) {
        EXPECT_EQ(d->kind, "denied") << line;
        EXPECT_FALSE(d->blockers.empty()) << line;
        ++access;
      } else {
        EXPECT_EQ(d->kind, "domain") << line;
        EXPECT_FALSE(d->status.empty()) << line;
        ++domains;
      }
    }
  }
  std::cout << fmt::format("landlock corpus: {} access records, {} domain records\n", access,
                           domains);
  EXPECT_GE(access, 25);
  EXPECT_GE(domains, 10);
}

TEST(AuditLandlockCorpus, FieldsOfKnownRecords) {
  LineResult lr = parse_line(
      "[  135.126499][   T60] audit: type=1423 audit(1757374868.281:942): domain=1a435130e "
      "blockers=fs.write_file path=\"/dev/tty\" dev=\"devtmpfs\" ino=11");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.format, "dmesg");
  auto d = to_denial(lr.records[0]);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->domain, "1a435130e");
  EXPECT_EQ(d->blockers, "fs.write_file");
  EXPECT_EQ(d->path, "/dev/tty");
  EXPECT_EQ(d->dev, "devtmpfs");
  EXPECT_EQ(d->ino, "11");
  EXPECT_EQ(d->serial, 942u);

  lr = parse_line(
      "type=LANDLOCK_DOMAIN msg=audit(1729738800.268:30): domain=1a6fdc66f status=allocated "
      "mode=enforcing pid=286 uid=0 exe=\"/root/sandboxer\" comm=\"sandboxer\"");
  d = to_denial(lr.records.at(0));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, "domain");
  EXPECT_EQ(d->status, "allocated");
  EXPECT_EQ(d->pid, 286);
  EXPECT_EQ(d->exe, "/root/sandboxer");

  lr = parse_line(
      "type=LANDLOCK_ACCESS msg=audit(1729738800.268:30): domain=1a6fdc66f "
      "blockers=scope.signal opid=1 ocomm=\"systemd\"");
  d = to_denial(lr.records.at(0));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->opid, "1");
  EXPECT_EQ(d->ocomm, "systemd");

  lr = parse_line(
      "type=UNKNOWN[1423] msg=audit(1736258533.147:45): domain=190464446 "
      "blockers=net.connect_tcp daddr=127.0.0.1 dest=80");
  ASSERT_EQ(lr.records.size(), 1u);
  EXPECT_EQ(lr.records[0].type, 1423);
  d = to_denial(lr.records[0]);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->daddr, "127.0.0.1");
  EXPECT_EQ(d->blockers, "net.connect_tcp");
}

}  // namespace
}  // namespace cordon::audit
