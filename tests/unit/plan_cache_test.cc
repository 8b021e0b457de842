// The plan cache: a stored plan comes back only while every file it was compiled from, every
// variable and the search path are unchanged, and only from a folder this user owns.
#include "cli/plan_cache.h"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/unit/test_util.h"

namespace fs = std::filesystem;
using cordon::cli::PlanCache;
using cordon::cli::PlanCacheKey;
using cordon::launcher::Plan;
using cordon::launcher::plan_to_json;

namespace {

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << p;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The bytes of each of the plan's policy files as they are now: what the compiler would have
// parsed had it compiled them just now (tests of the compile-then-swap race pass others).
std::vector<std::string> texts_of(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& f : plan.policy_files) out.push_back(read_file(f));
  return out;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Sets (or unsets, with nullptr) an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_.c_str(), old_->c_str(), 1);
    else
      unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

class PlanCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "plan_cache_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    policy_ = root_ / "policy" / "app.cordon";
    include_ = root_ / "policy" / "inc.cordon";
    fs::create_directories(policy_.parent_path());
    write_file(policy_, "cordon 1\ninclude \"inc.cordon\"\nname \"app\"\n");
    write_file(include_, "cordon 1\nnetwork loopback\n");
    key_.policy_path = policy_.string();
    key_.vars = {{"HOME", "/home/tester"}, {"PWD", "/work/dir"}, {"UID", "1000"}};
    key_.search_path = {"/usr/share/cordon/profiles/lib", "/usr/share/cordon/profiles"};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // A small plan with something in every part that round-trips, naming both policy files.
  Plan fake_plan() const {
    Plan p;
    p.name = "app";
    p.policy_hash = "0123456789abcdef";
    p.policy_files = {policy_.string(), include_.string()};
    p.network = "loopback";
    p.network_origin = include_.string() + ":2:1";
    p.hostname = "app";
    p.mounts.push_back({"ro", "/usr", false, 0, 0, "", policy_.string() + ":4:3"});
    p.mounts.push_back({"tmpfs", "/tmp", false, 64 << 20, 01777, "", policy_.string() + ":5:3"});
    p.env.clear = true;
    p.env.keep = {"LANG", "PATH"};
    p.env.set.push_back({"HOME", "/home/tester", policy_.string() + ":7:9"});
    p.capabilities = {10};
    p.cgroup.pids = 64;
    p.walltime_ms = 3600000;
    p.seccomp.arches = {"x86_64"};
    p.seccomp.default_action = "errno EPERM";
    p.seccomp.program = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
                         BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u)};
    p.seccomp.program_hash = "feedfacecafebeef";
    return p;
  }

  fs::path cache_dir() const { return root_ / "cache"; }
  fs::path entry_path(const PlanCache& c) const { return fs::path(c.dir()) / c.entry_name(key_); }

  fs::path root_, policy_, include_;
  PlanCacheKey key_;
};

TEST_F(PlanCacheTest, StoreThenLookupReturnsTheSamePlan) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.enabled()) << cache.disabled_reason();
  EXPECT_FALSE(cache.lookup(key_)) << "nothing stored yet";
  Plan plan = fake_plan();
  ASSERT_TRUE(cache.store(key_, plan, texts_of(plan)))
      << cache.store(key_, plan, texts_of(plan)).error().message();
  auto got = cache.lookup(key_);
  ASSERT_TRUE(got);
  EXPECT_EQ(plan_to_json(*got), plan_to_json(plan));
  // A second cache object (the next `cordon run`) sees the same entry.
  auto again = PlanCache(cache_dir().string()).lookup(key_);
  ASSERT_TRUE(again);
  EXPECT_EQ(plan_to_json(*again), plan_to_json(plan));
}

TEST_F(PlanCacheTest, StoringAgainReplacesTheEntryAndLeavesNoTempFiles) {
  PlanCache cache(cache_dir().string());
  Plan plan = fake_plan();
  ASSERT_TRUE(cache.store(key_, plan, texts_of(plan)));
  plan.hostname = "changed";
  ASSERT_TRUE(cache.store(key_, plan, texts_of(plan)));
  auto got = cache.lookup(key_);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->hostname, "changed");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(cache.dir())) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{cache.entry_name(key_)});
}

TEST_F(PlanCacheTest, EditedIncludeMissesAndRestoringItHitsAgain) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  std::string original = read_file(include_);
  write_file(include_, "cordon 1\nnetwork host\n");
  EXPECT_FALSE(cache.lookup(key_));
  write_file(include_, original);  // the same bytes: the content hash matches again
  EXPECT_TRUE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, EditedPolicyMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  write_file(policy_, read_file(policy_) + "hostname \"other\"\n");
  EXPECT_FALSE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, ChangedAddedOrRemovedVariableMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  PlanCacheKey k = key_;
  k.vars["HOME"] = "/home/other";
  EXPECT_FALSE(cache.lookup(k));
  k = key_;
  k.vars["APP_PORT"] = "8080";  // a --set value
  EXPECT_FALSE(cache.lookup(k));
  k = key_;
  k.vars.erase("PWD");
  EXPECT_FALSE(cache.lookup(k));
  // A value that would read as two fields if the key were naively joined.
  k = key_;
  k.vars["HOME"] = "/home/tester\nvar PWD=/work/dir";
  k.vars.erase("PWD");
  EXPECT_FALSE(cache.lookup(k));
  EXPECT_NE(cache.key_string(k), cache.key_string(key_));
  EXPECT_TRUE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, ChangedSearchPathOrPolicyPathMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  PlanCacheKey k = key_;
  k.search_path = {"/opt/profiles"};
  EXPECT_FALSE(cache.lookup(k));
  k = key_;
  fs::copy_file(policy_, root_ / "policy" / "copy.cordon");
  k.policy_path = (root_ / "policy" / "copy.cordon").string();
  EXPECT_FALSE(cache.lookup(k));
}

TEST_F(PlanCacheTest, DeletedFileMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  fs::remove(include_);
  EXPECT_FALSE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, IncludeReplacedByAFifoMissesWithoutHanging) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  fs::remove(include_);
  ASSERT_EQ(mkfifo(include_.c_str(), 0600), 0);
  EXPECT_FALSE(cache.lookup(key_));
}

// An entry must carry its policy's bytes: a plan that does not list the policy is not cached
// (before, store read the policy from disk itself, and recorded whatever was there by then).
TEST_F(PlanCacheTest, APlanThatDoesNotListItsPolicyIsNotStored) {
  PlanCache cache(cache_dir().string());
  Plan plan = fake_plan();
  plan.policy_files.clear();
  auto stored = cache.store(key_, plan, texts_of(plan));
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message().find("does not list its policy"), std::string::npos)
      << stored.error().message();
  EXPECT_FALSE(cache.lookup(key_));
}

// The race of issue 14: the policy is compiled (strict), then swapped for a weak one before the
// entry is written. The entry records the bytes that were compiled, so the weak file on disk
// does not match it: the next launch compiles the weak policy itself instead of running the
// strict plan under its name — and, the other way round, the strict plan is never filed under
// the weak file's content.
TEST_F(PlanCacheTest, TheEntryHoldsTheBytesCompiledNotASecondRead) {
  PlanCache cache(cache_dir().string());
  Plan plan = fake_plan();
  std::vector<std::string> compiled = texts_of(plan);
  write_file(policy_, "cordon 1\ninclude \"inc.cordon\"\nname \"swapped\"\nnetwork host\n");
  ASSERT_TRUE(cache.store(key_, plan, compiled));
  EXPECT_FALSE(cache.lookup(key_)) << "the file on disk is not what the plan was compiled from";
  write_file(policy_, compiled[0]);
  EXPECT_TRUE(cache.lookup(key_)) << "the compiled bytes are back: the entry is current";
}

TEST_F(PlanCacheTest, RelativePolicyFilesAreRecordedAbsolute) {
  PlanCache cache(cache_dir().string());
  fs::path old_cwd = fs::current_path();
  fs::current_path(root_ / "policy");
  Plan plan = fake_plan();
  plan.policy_files = {"app.cordon", "inc.cordon"};  // as the checker saw them, from this cwd
  auto stored = cache.store(key_, plan, texts_of(plan));
  fs::current_path(root_);  // a later run, started elsewhere
  auto got = cache.lookup(key_);
  write_file(include_, "cordon 1\nnetwork host\n");
  auto after_edit = cache.lookup(key_);
  fs::current_path(old_cwd);
  ASSERT_TRUE(stored) << stored.error().message();
  ASSERT_TRUE(got);
  EXPECT_EQ(plan_to_json(*got), plan_to_json(plan));
  EXPECT_FALSE(after_edit) << "the include was recorded by its absolute path";
}

// The entry holds the compiled bytes of every file; one that is gone by the lookup is a miss.
TEST_F(PlanCacheTest, AListedFileThatIsGoneMisses) {
  PlanCache cache(cache_dir().string());
  Plan plan = fake_plan();
  const fs::path gone = root_ / "policy" / "gone.cordon";
  write_file(gone, "cordon 1\n");
  plan.policy_files.push_back(gone.string());
  ASSERT_TRUE(cache.store(key_, plan, texts_of(plan)));
  EXPECT_TRUE(cache.lookup(key_));
  fs::remove(gone);
  EXPECT_FALSE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, CorruptEntryMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  const fs::path entry = entry_path(cache);
  const std::string good = read_file(entry);
  auto entry_json = nlohmann::json::parse(good);

  auto miss_with = [&](const std::string& text, const char* what) {
    write_file(entry, text);
    EXPECT_FALSE(cache.lookup(key_)) << what;
  };
  miss_with("", "empty file");
  miss_with("\x01\x02garbage{{", "not JSON");
  miss_with(good.substr(0, good.size() / 2), "truncated");
  miss_with("[1,2,3]", "not an object");
  auto j = entry_json;
  j["files"] = nlohmann::json::array();
  miss_with(j.dump(), "no files recorded");
  j = entry_json;
  j["files"][0]["text"] = 42;
  miss_with(j.dump(), "text of the wrong type");
  j = entry_json;
  j["files"][0]["path"] = "\\xZZ";
  miss_with(j.dump(), "path that does not unescape");
  j = entry_json;
  j["plan"]["version"] = 99;
  miss_with(j.dump(), "plan of another version");
  j = entry_json;
  j["plan"].erase("seccomp");
  miss_with(j.dump(), "plan missing a part");
  j = entry_json;
  j.erase("plan");
  miss_with(j.dump(), "no plan");
  j = entry_json;
  ASSERT_EQ(j["files"][0]["path"], policy_.string());
  j["files"].erase(0);
  miss_with(j.dump(), "the policy itself not among the files re-hashed");
  // The intact entry still works: the misses above were the entry's fault.
  write_file(entry, good);
  EXPECT_TRUE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, EntryWithAnotherKeyUnderTheSameNameMisses) {
  // What a fnv1a collision would look like: the file name matches, the key inside does not.
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  const fs::path entry = entry_path(cache);
  auto j = nlohmann::json::parse(read_file(entry));
  PlanCacheKey other = key_;
  other.vars["HOME"] = "/home/other";
  j["key"] = cache.key_string(other);
  write_file(entry, j.dump());
  EXPECT_FALSE(cache.lookup(key_));
}

TEST_F(PlanCacheTest, KeyNamesThePlanVersionAndTheBinary) {
  PlanCache cache(cache_dir().string());
  std::string k = cache.key_string(key_);
  EXPECT_NE(k.find(fmt::format("plan-version {}\n", cordon::launcher::kPlanVersion)),
            std::string::npos)
      << k;
  struct stat st {};
  ASSERT_EQ(stat("/proc/self/exe", &st), 0);
  EXPECT_NE(k.find(fmt::format("binary {} {} {} ", st.st_dev, st.st_ino, st.st_size)),
            std::string::npos)
      << k;
  EXPECT_EQ(cache.entry_name(key_), cordon::launcher::fnv1a_hex(k) + ".json");
}

TEST_F(PlanCacheTest, EntryIs0600AndFolderIs0700WhateverTheUmask) {
  for (mode_t mask : {0000, 0022, 0277}) {
    fs::path dir = cache_dir() / fmt::format("umask{:o}", mask) / "cordon";
    mode_t old = umask(mask);
    PlanCache cache(dir.string());
    auto stored = cache.store(key_, fake_plan(), texts_of(fake_plan()));
    umask(old);
    ASSERT_TRUE(cache.enabled()) << cache.disabled_reason();
    ASSERT_TRUE(stored) << stored.error().message();
    EXPECT_EQ(mode_of(cache.dir()), 0700u) << "umask " << mask;
    EXPECT_EQ(mode_of(dir.parent_path()), 0700u) << "parents are created 0700 too";
    EXPECT_EQ(mode_of(entry_path(cache)), 0600u) << "umask " << mask;
    EXPECT_TRUE(cache.lookup(key_));
  }
}

TEST_F(PlanCacheTest, LooseFolderOfOursIsTightenedTo0700) {
  fs::create_directories(cache_dir());
  ASSERT_EQ(chmod(cache_dir().c_str(), 0777), 0);
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.enabled()) << cache.disabled_reason();
  EXPECT_EQ(mode_of(cache_dir()), 0700u);
  // Loosened after start (another tool, a careless chmod): used no more until reopened.
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  ASSERT_EQ(chmod(cache_dir().c_str(), 0777), 0);
  EXPECT_FALSE(cache.lookup(key_));
  EXPECT_FALSE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
}

TEST_F(PlanCacheTest, FolderComesFromXdgCacheHomeThenHome) {
  {
    ScopedEnv xdg("XDG_CACHE_HOME", (root_ / "xdg" / "cache").c_str());
    PlanCache cache;
    ASSERT_TRUE(cache.enabled()) << cache.disabled_reason();
    EXPECT_EQ(cache.dir(), (root_ / "xdg" / "cache" / "cordon").string());
    EXPECT_EQ(mode_of(cache.dir()), 0700u);
    ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
    EXPECT_TRUE(cache.lookup(key_));
  }
  fs::create_directories(root_ / "home");
  ScopedEnv home("HOME", (root_ / "home").c_str());
  for (const char* xdg_value : {static_cast<const char*>(nullptr), "", "relative/cache"}) {
    ScopedEnv xdg("XDG_CACHE_HOME", xdg_value);
    PlanCache cache;
    ASSERT_TRUE(cache.enabled()) << cache.disabled_reason();
    EXPECT_EQ(cache.dir(), (root_ / "home" / ".cache" / "cordon").string())
        << "XDG_CACHE_HOME=" << (xdg_value ? xdg_value : "(unset)");
  }
}

TEST_F(PlanCacheTest, NoUsableFolderDisablesTheCache) {
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  for (const char* home_value :
       {static_cast<const char*>(nullptr), "", "relative", "/nonexistent-cordon-test-home"}) {
    ScopedEnv home("HOME", home_value);
    PlanCache cache;
    EXPECT_FALSE(cache.enabled()) << "HOME=" << (home_value ? home_value : "(unset)");
    EXPECT_FALSE(cache.disabled_reason().empty());
    EXPECT_FALSE(cache.lookup(key_));
    auto r = cache.store(key_, fake_plan(), texts_of(fake_plan()));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("disabled"), std::string::npos) << r.error().message();
  }
  EXPECT_FALSE(fs::exists("/nonexistent-cordon-test-home")) << "a missing home is not created";
}

TEST_F(PlanCacheTest, DisabledCacheTouchesNoFolder) {
  ScopedEnv xdg("XDG_CACHE_HOME", (root_ / "xdg").c_str());
  PlanCache cache = PlanCache::disabled("--no-cache");
  EXPECT_FALSE(cache.enabled());
  EXPECT_EQ(cache.disabled_reason(), "--no-cache");
  EXPECT_FALSE(cache.lookup(key_));
  auto r = cache.store(key_, fake_plan(), texts_of(fake_plan()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "plan cache disabled: --no-cache");
  EXPECT_FALSE(fs::exists(root_ / "xdg"));
}

TEST_F(PlanCacheTest, SymlinkedCordonFolderDisablesTheCache) {
  fs::create_directories(root_ / "xdg");
  fs::create_directories(root_ / "elsewhere");
  fs::create_directory_symlink(root_ / "elsewhere", root_ / "xdg" / "cordon");
  ScopedEnv xdg("XDG_CACHE_HOME", (root_ / "xdg").c_str());
  PlanCache cache;
  EXPECT_FALSE(cache.enabled());
}

TEST_F(PlanCacheTest, SymlinkedEntryMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  const fs::path entry = entry_path(cache);
  fs::rename(entry, root_ / "moved.json");
  fs::create_symlink(root_ / "moved.json", entry);
  EXPECT_FALSE(cache.lookup(key_));
}

// Ownership: only root can make files owned by another uid.
class PlanCacheForeignTest : public PlanCacheTest {
 protected:
  static constexpr uid_t kOther = 12345;
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to chown to another uid";
    PlanCacheTest::SetUp();
  }
};

TEST_F(PlanCacheForeignTest, CacheHomeOwnedByAnotherUserDisablesTheCache) {
  fs::path other = root_ / "other-cache";
  fs::create_directories(other);
  ASSERT_EQ(chown(other.c_str(), kOther, kOther), 0);
  ScopedEnv xdg("XDG_CACHE_HOME", other.c_str());
  PlanCache cache;
  EXPECT_FALSE(cache.enabled());
  EXPECT_NE(cache.disabled_reason().find("12345"), std::string::npos) << cache.disabled_reason();
  EXPECT_FALSE(fs::exists(other / "cordon")) << "nothing is created in a foreign folder";
  EXPECT_FALSE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
}

TEST_F(PlanCacheForeignTest, HomeOwnedByAnotherUserDisablesTheCache) {
  // `sudo` keeping the caller's HOME: root must not trust (or fill) the caller's cache.
  fs::path home = root_ / "home";
  fs::create_directories(home / ".cache");
  ASSERT_EQ(chown((home / ".cache").c_str(), kOther, kOther), 0);
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  ScopedEnv h("HOME", home.c_str());
  EXPECT_FALSE(PlanCache().enabled());
}

TEST_F(PlanCacheForeignTest, CordonFolderOwnedByAnotherUserDisablesTheCache) {
  fs::create_directories(root_ / "xdg" / "cordon");
  ASSERT_EQ(chown((root_ / "xdg" / "cordon").c_str(), kOther, kOther), 0);
  ScopedEnv xdg("XDG_CACHE_HOME", (root_ / "xdg").c_str());
  EXPECT_FALSE(PlanCache().enabled());
  // And through a symlink to it.
  fs::create_directories(root_ / "xdg2");
  fs::create_directory_symlink(root_ / "xdg" / "cordon", root_ / "xdg2" / "cordon");
  ScopedEnv xdg2("XDG_CACHE_HOME", (root_ / "xdg2").c_str());
  EXPECT_FALSE(PlanCache().enabled());
  // An explicit folder is held to the same rule.
  EXPECT_FALSE(PlanCache((root_ / "xdg" / "cordon").string()).enabled());
}

TEST_F(PlanCacheForeignTest, FolderHandedToAnotherUserAfterStartMissesAndRefusesToStore) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  ASSERT_EQ(chown(cache_dir().c_str(), kOther, kOther), 0);
  EXPECT_FALSE(cache.lookup(key_));
  EXPECT_FALSE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
}

TEST_F(PlanCacheForeignTest, EntryOwnedByAnotherUserMisses) {
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key_, fake_plan(), texts_of(fake_plan())));
  ASSERT_EQ(chown(entry_path(cache).c_str(), kOther, kOther), 0);
  EXPECT_FALSE(cache.lookup(key_));
}

// The real pipeline: a policy with a local include and one from the search path.
TEST_F(PlanCacheTest, CompiledPolicyRoundTripsAndAnIncludeEditMisses) {
  write_file(include_, "cordon 1\nhostname \"cached\"\n");
  write_file(policy_, "cordon 1\ninclude \"cli.cordon\"\ninclude \"inc.cordon\"\nname \"app\"\n");
  auto opts = cordon::testing::test_options();
  cordon::policy::Diagnostics diags;
  auto plan = cordon::compiler::compile_file(policy_.string(), opts, diags);
  ASSERT_TRUE(plan) << diags.render(false) << (plan ? "" : plan.error().message());
  ASSERT_GE(plan->policy_files.size(), 3u) << "the policy, inc, cli and what cli includes";

  PlanCacheKey key{policy_.string(), opts.vars, opts.search_path};
  PlanCache cache(cache_dir().string());
  ASSERT_TRUE(cache.store(key, *plan, texts_of(*plan)));
  auto got = cache.lookup(key);
  ASSERT_TRUE(got);
  EXPECT_EQ(plan_to_json(*got), plan_to_json(*plan));
  EXPECT_EQ(got->hostname, "cached");

  write_file(include_, "cordon 1\nhostname \"edited\"\n");
  EXPECT_FALSE(cache.lookup(key));
}

}  // namespace
