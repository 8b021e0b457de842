#include "policy/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>

namespace cordon::policy {

void Diagnostics::add_source(const std::string& file, std::string text) {
  Source src{std::move(text), {0}};
  for (size_t i = 0; i < src.text.size(); ++i)
    if (src.text[i] == '\n') src.line_starts.push_back(i + 1);
  sources_[file] = std::move(src);
}

void Diagnostics::error(const SourceLoc& loc, std::string msg) {
  diags_.push_back({Severity::kError, loc, std::move(msg), false});
  ++errors_;
}
void Diagnostics::warning(const SourceLoc& loc, std::string msg) {
  diags_.push_back({Severity::kWarning, loc, std::move(msg), false});
  ++warnings_;
}
void Diagnostics::note(const SourceLoc& loc, std::string msg, bool verbose_only) {
  diags_.push_back({Severity::kNote, loc, std::move(msg), verbose_only});
}

namespace {

std::string_view line_of(const std::string& text, const std::vector<size_t>& starts,
                         uint32_t line) {
  if (line == 0 || line > starts.size()) return {};
  size_t pos = starts[line - 1];
  size_t end = line < starts.size() ? starts[line] - 1 : text.size();
  return std::string_view(text).substr(pos, end - pos);
}

// Source lines may hold anything (binary junk, escape sequences): print them made safe so a
// hostile file cannot drive the user's terminal.
std::string printable(std::string_view s, size_t max = 200) {
  std::string out;
  for (unsigned char c : s.substr(0, max)) {
    if (c == '\t')
      out += ' ';
    else if (c < 0x20 || c == 0x7f)
      out += '?';
    else
      out += static_cast<char>(c);
  }
  if (s.size() > max) out += "…";
  return out;
}

}  // namespace

std::string Diagnostics::render_one(const Diagnostic& d) const {
  static constexpr const char* kNames[] = {"error", "warning", "note"};
  // A file-level problem (cannot read it) has no line: name the file alone, not "file:0:0".
  std::string where = d.loc.line > 0 ? d.loc.str() : d.loc.file.empty() ? "cordon" : d.loc.file;
  std::string out = fmt::format("{}: {}: {}\n", where, kNames[static_cast<int>(d.severity)],
                                printable(d.message, 1000));
  auto it = sources_.find(d.loc.file);
  if (it != sources_.end() && d.loc.line > 0) {
    std::string text = printable(line_of(it->second.text, it->second.line_starts, d.loc.line));
    std::string num = std::to_string(d.loc.line);
    out += fmt::format(" {} | {}\n", num, text);
    size_t col = d.loc.column > 0 ? d.loc.column - 1 : 0;
    if (col > text.size()) col = text.size();
    out += fmt::format(" {} | {}^\n", std::string(num.size(), ' '), std::string(col, ' '));
  }
  return out;
}

std::string Diagnostics::render(bool verbose) const {
  std::vector<const Diagnostic*> order;
  for (const auto& d : diags_)
    if (verbose || !d.verbose_only) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tie(a->loc.file, a->loc.line, a->loc.column) <
           std::tie(b->loc.file, b->loc.line, b->loc.column);
  });
  std::string out;
  for (size_t i = 0; i < order.size() && i < kMaxRendered; ++i) out += render_one(*order[i]);
  if (order.size() > kMaxRendered)
    out += fmt::format("… and {} more diagnostics not shown\n", order.size() - kMaxRendered);
  return out;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Damerau-Levenshtein (optimal string alignment), case-insensitive: 'opn' → 'open' is 1.
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (word.size() > 64) return {};
  size_t best = std::string::npos;
  std::string_view best_name;
  for (auto c : candidates) {
    if (c.size() > word.size() + 3 || c.size() + 3 < word.size()) continue;
    size_t dist = edit_distance(word, c);
    if (dist < best) {
      best = dist;
      best_name = c;
    }
  }
  // Allow roughly one edit per three characters, at least one, at most three.
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  if (best == std::string::npos || best > limit) return {};
  return std::string(best_name);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string m = closest_match(word, candidates);
  return m.empty() ? std::string() : fmt::format("; did you mean '{}'?", m);
}

}  // namespace cordon::policy
