// Every line of every log in the corpus through parse_line() and to_denial(): no crash, and
// nearly every line that carries a denial-ish signature (MANIFEST.md's counting convention)
// yields a Denial of the right source. The misses are listed in the output.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "audit/denial.h"
#include "audit/record.h"
#include "tests/unit/audit_corpus.h"

namespace cordon::audit {
namespace {

namespace fs = std::filesystem;

bool has(const std::string& s, std::string_view needle) {
  return s.find(needle) != std::string::npos;
}

// The family a line's signature says it belongs to, or "".
std::string family_of(const std::string& l) {
  if (has(l, "type=1326") || has(l, "type=SECCOMP") || has(l, "]: SECCOMP ")) return "seccomp";
  if (has(l, "apparmor=\"")) return "apparmor";
  if (has(l, "avc:  denied") || has(l, "avc:  granted") || has(l, "avc: denied") ||
      has(l, "avc: granted"))
    return "selinux";
  size_t d = l.find("domain=");
  if (d != std::string::npos &&
      (l.find(" blockers=", d) != std::string::npos || l.find(" status=", d) != std::string::npos))
    return "landlock";
  return "";
}

TEST(AuditCorpusSweep, DenialLinesYieldDenials) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "SKIPPED: corpus not found at " << kCorpus;
  struct Tally {
    int lines = 0, parsed = 0;
    std::vector<std::string> misses;
  };
  std::map<std::string, Tally> tally;
  int all_lines = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kCorpus)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext != ".log" && ext != ".in" && ext != ".txt" && ext != ".syslog") continue;
    // Landlock's pre-merge RFC formats were never in a kernel release; SPO's lines include
    // deliberate negatives and have their own test (audit_seccomp_corpus_test.cc).
    if (has(entry.path().filename().string(), "premerge") ||
        has(entry.path().filename().string(), "spo-enricher"))
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string line;
    while (std::getline(in, line, '\n')) {
      ++all_lines;
      LineResult lr = parse_line(line);
      std::string fam = family_of(line);
      if (fam.empty()) continue;
      bool ok = false;
      for (const auto& r : lr.records)
        if (auto d = to_denial(r); d && d->source == fam) ok = true;
      Tally& t = tally[fam];
      ++t.lines;
      if (ok)
        ++t.parsed;
      else
        t.misses.push_back(
            fmt::format("{}: {}", entry.path().filename().string(), line.substr(0, 160)));
    }
  }
  std::cout << fmt::format("corpus sweep: {} lines read\n", all_lines);
  for (const auto& [fam, t] : tally) {
    double rate = 100.0 * t.parsed / t.lines;
    std::cout << fmt::format("  {}: {}/{} signature lines give a Denial ({:.1f}%)\n", fam, t.parsed,
                             t.lines, rate);
    for (const auto& m : t.misses) std::cout << "    miss " << m << "\n";
    EXPECT_GE(rate, 97.0) << fam;
  }
  EXPECT_EQ(tally.size(), 4u);
}

}  // namespace
}  // namespace cordon::audit
