// Where the audit tests find the shared denial-log corpus (../shared/corpus/audit), and how they
// read it: tests skip with "SKIPPED" when it is absent.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cordon::audit {

inline const std::filesystem::path kCorpus = std::filesystem::path(CORDON_CORPUS_DIR) / "audit";

// Lines split on '\n' only: auditd's 0x1d separator must stay inside its line.
inline std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line, '\n')) lines.push_back(line);
  return lines;
}

}  // namespace cordon::audit
