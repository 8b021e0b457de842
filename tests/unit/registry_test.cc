// The sandbox registry (launcher/registry.h) and how audit matches a denial to a sandbox
// (audit/sandboxes.h).
#include "launcher/registry.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audit/sandboxes.h"

namespace cordon {
namespace {

namespace fs = std::filesystem;
using launcher::SandboxRecord;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("cordon-registry-" + std::to_string(getpid()));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

SandboxRecord record(int64_t pid, double start, std::optional<double> end) {
  SandboxRecord r;
  r.id = std::to_string(static_cast<int64_t>(start * 1e9)) + "-" + std::to_string(pid);
  r.host_pid = pid;
  r.app_pid = pid + 1;
  r.pid_ns = 4026530000u + static_cast<uint64_t>(pid);
  r.uid = getuid();
  r.start = start;
  r.end = end;
  if (end) r.exit_code = 0;
  r.command = {"app", "--flag"};
  r.policy_name = "t";
  r.policy_files = {"/p/t.cordon", "/p/lib/base.cordon"};
  r.policy_hash = "0123456789abcdef";
  r.vars = {{"HOME", "/root"}, {"PWD", "/tmp"}};
  r.search_path = {"/p/lib", "/p"};
  return r;
}

TEST(Registry, RecordsRoundTripAndAreReadBack) {
  TempDir t;
  auto a = record(100, 1700000000.5, 1700000002.0);
  auto b = record(200, 1700000010.25, std::nullopt);
  ASSERT_TRUE(launcher::write_record(t.path, a));
  ASSERT_TRUE(launcher::write_record(t.path, b));
  struct stat st;
  ASSERT_EQ(stat(t.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((t.path / (a.id + ".json")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A rewrite replaces the record (the end of a run).
  b.end = 1700000011.0;
  b.exit_code = 137;
  ASSERT_TRUE(launcher::write_record(t.path, b));
  std::ofstream(t.path / "junk.json") << "{not json";
  size_t skipped = 0;
  auto all = launcher::read_registry(t.path, &skipped);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(all[0].id, a.id);
  EXPECT_EQ(all[0].command, a.command);
  EXPECT_EQ(all[0].vars, a.vars);
  EXPECT_EQ(all[0].pid_ns, a.pid_ns);
  EXPECT_DOUBLE_EQ(all[0].start, a.start);
  EXPECT_EQ(all[1].exit_code, 137);
  EXPECT_EQ(all[1].end, 1700000011.0);
}

TEST(Registry, RefusesADirectoryOthersCanWrite) {
  TempDir t;
  fs::create_directories(t.path);
  chmod(t.path.c_str(), 0777);
  auto r = launcher::write_record(t.path, record(1, 1, 2));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("writable by others"), std::string::npos);
  fs::remove_all(t.path);
  fs::create_directories(t.path.parent_path());
  fs::create_directory_symlink("/tmp", t.path);
  EXPECT_FALSE(launcher::write_record(t.path, record(1, 1, 2)));
  fs::remove(t.path);
  EXPECT_FALSE(launcher::write_record(t.path, [] {
    auto r = record(1, 1, 2);
    r.id = "../escape";
    return r;
  }()));
}

// Root's `cordon audit` reads every /run/user/*/cordon: a record speaks only for the uid that
// owns its file and its directory (issue #14, class 8b). An unprivileged user who writes a
// record naming uid 0 (and root's policy) into a directory of their own is not believed.
TEST(Registry, ARecordCountsOnlyForTheUidOwningItsFileAndDirectory) {
  if (geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root to give files to uid 65534";
  TempDir t;
  constexpr uid_t kNobody = 65534;
  auto write_as = [&](const std::string& name, uint32_t claimed, uid_t file_owner) {
    auto r = record(4242, 1700000000.0, 1700000001.0);
    r.uid = claimed;
    r.id = name;
    fs::path f = t.path / (name + ".json");
    std::ofstream(f) << launcher::record_json(r);
    ASSERT_EQ(chown(f.c_str(), file_owner, file_owner), 0);
  };
  fs::create_directories(t.path);
  ASSERT_EQ(chown(t.path.c_str(), kNobody, kNobody), 0);
  write_as("1-1", 0, kNobody);        // the forgery: claims root
  write_as("2-2", kNobody, kNobody);  // honest
  write_as("3-3", kNobody, 0);        // root's file claiming the directory's owner
  write_as("4-4", 0, 0);              // root's file in someone else's directory
  std::vector<std::string> refused;
  auto all = launcher::read_registry(t.path, nullptr, &refused);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, "2-2");
  EXPECT_EQ(all[0].uid, kNobody);
  ASSERT_EQ(refused.size(), 3u);
  EXPECT_EQ(refused[0], fmt::format("{}/1-1.json: the record says uid 0, but the file is owned by "
                                    "uid 65534 and its directory by uid 65534",
                                    t.path.string()));
  EXPECT_NE(refused[1].find("/3-3.json: the record says uid 65534, but the file is owned by uid 0"),
            std::string::npos);
  EXPECT_NE(refused[2].find("/4-4.json: "), std::string::npos);
  // Root's own directory: root's records count.
  ASSERT_EQ(chown(t.path.c_str(), 0, 0), 0);
  all = launcher::read_registry(t.path);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, "4-4");
}

TEST(Registry, PruneKeepsTheNewestAndEveryRunningSandbox) {
  TempDir t;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(launcher::write_record(
        t.path, record(i == 0 ? getpid() : 1000 + i, 1700000000.0 + i,
                       i == 0 ? std::nullopt : std::optional<double>(1700000000.5 + i))));
  launcher::prune_registry(t.path, 4);
  auto all = launcher::read_registry(t.path);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].host_pid, getpid());  // running (its PID 1 is alive): kept though oldest
  EXPECT_EQ(all[1].host_pid, 1007);
  EXPECT_EQ(all[3].host_pid, 1009);
}

std::optional<uint64_t> no_live(int64_t) { return std::nullopt; }
std::optional<uint64_t> live_in_300(int64_t pid) {
  return pid == 555 ? std::optional<uint64_t>(4026530300u) : std::nullopt;
}

audit::Denial denial(int64_t pid, double time) {
  audit::Denial d;
  d.source = "seccomp";
  d.kind = "denied";
  d.pid = pid;
  d.time = time;
  return d;
}

TEST(SandboxMatch, ByPidWithinTheSandboxsTime) {
  std::vector<SandboxRecord> recs = {record(100, 1000, 1010), record(100, 2000, 2010),
                                     record(300, 1005, std::nullopt)};
  audit::newest_first(recs);
  auto m = audit::match_sandbox(denial(101, 2005), recs, 3000, no_live);  // the app of the 2nd
  ASSERT_TRUE(m);
  EXPECT_EQ(m->record->start, 2000);
  EXPECT_EQ(m->how, "pid");
  m = audit::match_sandbox(denial(100, 1001), recs, 3000, no_live);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->record->start, 1000);
  // Same pid, no sandbox running then with it: time decides among those running (only 300).
  m = audit::match_sandbox(denial(100, 1500), recs, 3000, no_live);
  EXPECT_FALSE(m);  // pid 100 is older than sandbox 300's PID 1: not one of its processes
  m = audit::match_sandbox(denial(420, 1500), recs, 3000, no_live);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->record->host_pid, 300);
  EXPECT_EQ(m->how, "time");
}

TEST(SandboxMatch, TwoSandboxesRunningIsNoAnswerUnlessThePidNamespaceSays) {
  std::vector<SandboxRecord> recs = {record(100, 1000, 1100), record(300, 1005, 1100)};
  audit::newest_first(recs);
  EXPECT_FALSE(audit::match_sandbox(denial(555, 1050), recs, 3000, no_live));
  auto m = audit::match_sandbox(denial(555, 1050), recs, 3000, live_in_300);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->record->host_pid, 300);
  EXPECT_EQ(m->how, "pid namespace");
  // Without a time only a live process can be placed.
  EXPECT_FALSE(audit::match_sandbox(denial(100, 0), recs, 3000, no_live));
  EXPECT_TRUE(audit::match_sandbox(denial(555, 0), recs, 3000, live_in_300));
  audit::Denial no_pid = denial(100, 1050);
  no_pid.pid.reset();
  EXPECT_FALSE(audit::match_sandbox(no_pid, recs, 3000, no_live));
}

}  // namespace
}  // namespace cordon
