// AppArmor records against libapparmor's own expected parses (test_multi .in/.out pairs) and
// go-libaudit's golden for its AppArmor AVC.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "audit/denial.h"
#include "audit/record.h"
#include "tests/unit/audit_corpus.h"

namespace cordon::audit {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A .in file is one record; libapparmor joins continuation lines (D-Bus USER_AVC messages
// wrap their msg='…' onto an indented second line), and so do we.
std::string join_continuations(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line, '\n')) {
    if (line.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += line;
  }
  return out;
}

std::map<std::string, std::string> read_out(const fs::path& p) {
  std::map<std::string, std::string> m;
  std::istringstream in(read_file(p));
  std::string line;
  while (std::getline(in, line, '\n')) {
    size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      if (!line.empty() && line.back() == ':') m[line.substr(0, line.size() - 1)] = "";
      continue;
    }
    m[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return m;
}

std::string event_type(const Denial& d) {
  std::string k = d.apparmor_kind;
  if (k == "DENIED" || k == "ALLOWED" || k == "AUDIT" || k == "STATUS" || k == "HINT" ||
      k == "ERROR")
    return "AA_RECORD_" + k;
  return "AA_RECORD_INVALID";
}

TEST(AuditAppArmorCorpus, LibapparmorTestMulti) {
  fs::path dir = kCorpus / "apparmor/libraries/libapparmor/testsuite/test_multi";
  if (!fs::exists(dir)) GTEST_SKIP() << "SKIPPED: corpus not found at " << dir;
  int compared = 0, passed = 0, invalid_cases = 0, invalid_rejected = 0;
  std::vector<std::string> failures;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".in") continue;
    fs::path out_path = entry.path();
    out_path.replace_extension(".out");
    if (!fs::exists(out_path)) continue;
    auto expected = read_out(out_path);
    LineResult lr = parse_line(join_continuations(read_file(entry.path())));
    std::optional<Denial> d;
    for (const auto& r : lr.records)
      if ((d = to_denial(r)) && d->source == "apparmor") break;
    if (d && d->source != "apparmor") d.reset();
    const std::string name = entry.path().filename().string();
    if (expected["Event type"] == "AA_RECORD_INVALID") {
      ++invalid_cases;
      if (!d) ++invalid_rejected;
      continue;
    }
    ++compared;
    if (!d) {
      failures.push_back(fmt::format("{}: no AppArmor record ({})", name, lr.error));
      continue;
    }
    std::map<std::string, std::string> got = {
        {"Event type", event_type(*d)}, {"Operation", d->operation},
        {"Mask", d->requested},         {"Denied Mask", d->denied},
        {"Profile", d->profile},        {"Name", d->name},
        {"Command", d->comm},           {"PID", d->pid ? std::to_string(*d->pid) : ""}};
    std::string diffs;
    for (const auto& [key, value] : got) {
      auto it = expected.find(key);
      std::string want = it == expected.end() ? "" : it->second;
      if (want != value) diffs += fmt::format(" {}: want '{}' got '{}';", key, want, value);
    }
    if (diffs.empty())
      ++passed;
    else
      failures.push_back(name + ":" + diffs);
  }
  double rate = compared ? 100.0 * passed / compared : 0;
  std::cout << fmt::format(
      "libapparmor test_multi: {}/{} valid cases match ({:.1f}%); "
      "{}/{} AA_RECORD_INVALID cases give no AppArmor record\n",
      passed, compared, rate, invalid_rejected, invalid_cases);
  for (const auto& f : failures) std::cout << "  FAIL " << f << "\n";
  EXPECT_GT(compared, 140);
  EXPECT_GE(rate, 90.0);
}

TEST(AuditAppArmorCorpus, GoLibauditGolden) {
  fs::path log = kCorpus / "go-libaudit/auparse_testdata_audit-ubuntu16.log";
  if (!fs::exists(log)) GTEST_SKIP() << "SKIPPED: corpus not found at " << log;
  auto golden = nlohmann::json::parse(read_file(log.string() + ".golden"));
  std::istringstream in(read_file(log));
  std::string line;
  size_t i = 0;
  int checked = 0;
  while (std::getline(in, line, '\n')) {
    ASSERT_LT(i, golden.size());
    const auto& want = golden[i++];
    if (want["record_type"] != "avc") continue;
    LineResult lr = parse_line(line);
    ASSERT_EQ(lr.records.size(), 1u) << line;
    const Record& r = lr.records[0];
    EXPECT_EQ(r.serial, want["sequence"].get<uint64_t>());
    for (const auto& [k, v] : want["data"].items()) {
      ASSERT_NE(r.get(k), nullptr) << k;
      EXPECT_EQ(*r.get(k), v.get<std::string>()) << k;
    }
    auto d = to_denial(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, "denied");
    EXPECT_EQ(d->operation, "ptrace");
    EXPECT_EQ(d->profile, "docker-default");
    EXPECT_EQ(d->peer, "unconfined");
    EXPECT_EQ(d->requested, "trace");
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

}  // namespace
}  // namespace cordon::audit
