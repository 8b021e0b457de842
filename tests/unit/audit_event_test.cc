// Grouping records into events, and a denial completed from its SYSCALL/PATH/CWD/PROCTITLE.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audit/denial.h"
#include "audit/event.h"
#include "audit/record.h"
#include "tests/unit/audit_corpus.h"

namespace cordon::audit {
namespace {

namespace fs = std::filesystem;

std::vector<Event> group_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string line;
  EventGrouper g;
  std::vector<Event> events;
  while (std::getline(in, line, '\n'))
    for (auto& r : parse_line(line).records)
      for (auto& e : g.add(std::move(r))) events.push_back(std::move(e));
  for (auto& e : g.flush()) events.push_back(std::move(e));
  return events;
}

TEST(AuditEvent, LandlockDenialGetsItsSyscall) {
  fs::path p = kCorpus / "landlock/landlock-quiet-demo-kmsg.log";
  if (!fs::exists(p)) GTEST_SKIP() << "SKIPPED: corpus not found at " << p;
  std::vector<Event> events = group_file(p);
  ASSERT_EQ(events.size(), 4u);
  const Event& first = events[0];
  EXPECT_EQ(first.serial, 195u);
  ASSERT_EQ(first.records.size(), 4u);
  EXPECT_EQ(first.syscall, "openat");
  EXPECT_EQ(first.exe, "/usr/bin/bash");
  EXPECT_EQ(first.exit, -13);
  EXPECT_EQ(first.proctitle, "bash");
  auto d = to_denial(first.records[0]);
  ASSERT_TRUE(d);
  enrich(*d, first);
  EXPECT_EQ(d->syscall, "openat");
  EXPECT_EQ(d->syscall_nr, 257);
  EXPECT_EQ(d->arch, "x86_64");
  EXPECT_EQ(d->pid, 616);
  EXPECT_EQ(d->exe, "/usr/bin/bash");
  EXPECT_EQ(d->path, "/dev/tty");  // the denial's own path wins over siblings'
}

TEST(AuditEvent, SelinuxEventWithNodesAndGluedRecords) {
  fs::path p = kCorpus / "selinux/python/audit2allow/test.log";
  if (!fs::exists(p)) GTEST_SKIP() << "SKIPPED: corpus not found at " << p;
  std::vector<Event> events = group_file(p);
  const Event* ev = nullptr;
  for (const auto& e : events)
    if (e.node == "bob.example.com" && e.serial == 74u) ev = &e;
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->paths, std::vector<std::string>{"/etc/auto.net"});
  EXPECT_EQ(ev->cwd, "/");
  EXPECT_EQ(ev->arch, "x86");
  EXPECT_EQ(ev->syscall, "access");
  const Record* avc = nullptr;
  for (const auto& r : ev->records)
    if (r.type == 1400) avc = &r;
  ASSERT_NE(avc, nullptr);
  auto d = to_denial(*avc);
  ASSERT_TRUE(d);
  enrich(*d, *ev);
  EXPECT_EQ(d->path, "/etc/auto.net");
  EXPECT_EQ(d->cwd, "/");
  EXPECT_EQ(d->requested, "execute");
  EXPECT_EQ(d->node, "bob.example.com");
}

Record rec(int type, double time, uint64_t serial, std::string node = "") {
  Record r;
  r.type = type;
  r.time = time;
  r.serial = serial;
  r.node = std::move(node);
  return r;
}

TEST(AuditEvent, EmitsOnEoeWindowAndNodes) {
  EventGrouper g(2.0, 3);
  EXPECT_TRUE(g.add(rec(1400, 10.0, 1)).empty());
  EXPECT_TRUE(g.add(rec(1400, 10.0, 1, "other")).empty());  // another node: another event
  EXPECT_TRUE(g.add(rec(1300, 10.0, 1)).empty());
  auto done = g.add(rec(1320, 10.0, 1));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].saw_eoe);
  EXPECT_EQ(done[0].records.size(), 2u);
  // A record 5 s later closes what is still open (no EOE: SECCOMP records come alone).
  done = g.add(rec(1326, 15.0, 2));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].node, "other");
  // No serial (journald short): an event by itself, at once.
  EXPECT_EQ(g.add(rec(1326, 0, 0)).size(), 1u);
  // Too many open events: the oldest goes first.
  g.add(rec(1326, 15.0, 3));
  g.add(rec(1326, 15.0, 4));
  done = g.add(rec(1326, 15.0, 5));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].serial, 2u);
  EXPECT_EQ(g.flush().size(), 3u);
}

TEST(AuditEvent, OpenEventsAreBoundedInBytes) {
  // Records that share one serial and never end (no EOE, no newer record) would pile up in
  // one open event; past max_bytes the oldest open event is emitted.
  EventGrouper g(2.0, 1024, 100 * 1024);
  size_t emitted = 0, records = 0;
  for (int i = 0; i < 1000; ++i) {
    Record r = rec(1302, 10.0, 7);
    r.fields.emplace_back("name", std::string(1024, 'p'));
    for (auto& e : g.add(std::move(r))) {
      ++emitted;
      records += e.records.size();
      EXPECT_LE(e.records.size(), 100u);
    }
  }
  for (auto& e : g.flush()) records += e.records.size();
  EXPECT_GE(emitted, 9u);
  EXPECT_EQ(records, 1000u);  // nothing lost, only split
}

}  // namespace
}  // namespace cordon::audit
