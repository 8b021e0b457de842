// Diagnostics in the form a good compiler prints them:
//
//   redis.cordon:14:9: error: unknown syscall 'opn'; did you mean 'open'?
//      14 |   allow opn read
//         |         ^
//
// A Diagnostics object collects every message of a run (all errors, not only the first) and
// knows the sources so it can quote the offending line.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ast.h"

namespace cordon::policy {

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;
  bool verbose_only = false;  // notes listed only by `check --verbose` (overrides)
};

class Diagnostics {
 public:
  static constexpr size_t kMaxRendered = 200;
  void add_source(const std::string& file, std::string text);
  void error(const SourceLoc& loc, std::string msg);
  void warning(const SourceLoc& loc, std::string msg);
  void note(const SourceLoc& loc, std::string msg, bool verbose_only = false);

  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  size_t warning_count() const { return warnings_; }
  const std::vector<Diagnostic>& all() const { return diags_; }

  // Renders every diagnostic (sorted by file and position) with its source line and a caret.
  // At most kMaxRendered are printed; the rest are counted in a last line.
  std::string render(bool verbose) const;
  std::string render_one(const Diagnostic& d) const;

 private:
  struct Source {
    std::string text;
    std::vector<size_t> line_starts;  // byte offset of each line, so quoting a line is O(1)
  };
  std::map<std::string, Source> sources_;
  std::vector<Diagnostic> diags_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

// The closest candidate to `word` by edit distance, or "" when nothing is close enough to be a
// plausible misspelling. Used for every "did you mean" hint.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);
// "; did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace cordon::policy
