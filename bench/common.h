// Helpers the benchmarks share (bench/*.cc are separate programs; this header is theirs).
#pragma once

#include <fmt/format.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace cordon::bench {

// "No such file or directory (ENOENT)".
inline std::string errno_str(int e) {
  return fmt::format("{} ({})", strerrordesc_np(e), strerrorname_np(e));
}

// An executable named `prog` in $PATH, then in the sbin directories (where ausearch lives and
// an ordinary user's PATH may not reach).
inline std::optional<std::string> find_in_path(const std::string& prog) {
  const char* p = std::getenv("PATH");
  std::string path = std::string(p && *p ? p : "/usr/local/bin:/usr/bin:/bin") +
                     ":/usr/local/sbin:/usr/sbin:/sbin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty()) {
      std::string cand = dir + "/" + prog;
      struct stat st;
      if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0)
        return cand;
    }
    start = end + 1;
  }
  return std::nullopt;
}

// A command line for messages.
inline std::string describe(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace cordon::bench
