#include "cli/policy_edit.h"

#include <fmt/format.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string_view>
#include <vector>

#include "policy/parser.h"

namespace cordon::cli {

namespace {

using policy::Statement;

// Byte offset of a 1-based line and column.
size_t offset_of(const std::string& text, uint32_t line, uint32_t col) {
  size_t off = 0;
  for (uint32_t l = 1; l < line && off < text.size(); ++l) {
    size_t nl = text.find('\n', off);
    if (nl == std::string::npos) return text.size();
    off = nl + 1;
  }
  return std::min(text.size(), off + (col > 0 ? col - 1 : 0));
}

uint32_t line_of(const std::string& text, size_t off) {
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + off, '\n'));
}

// The offset of the `}` closing the first `{` at or after `from`, skipping comments and
// quoted strings; npos when there is none.
size_t block_close(const std::string& t, size_t from) {
  int depth = 0;
  for (size_t i = from; i < t.size(); ++i) {
    char ch = t[i];
    if (ch == '#') {
      i = t.find('\n', i);
      if (i == std::string::npos) return i;
    } else if (ch == '"') {
      for (++i; i < t.size() && t[i] != '"' && t[i] != '\n'; ++i)
        if (t[i] == '\\') ++i;
    } else if (ch == '{') {
      ++depth;
    } else if (ch == '}') {
      if (--depth == 0) return i;
    }
  }
  return std::string::npos;
}

size_t line_start(const std::string& t, size_t off) {
  size_t nl = off == 0 ? std::string::npos : t.rfind('\n', off - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

std::string indent_of(const std::string& t, size_t ls) {
  size_t e = ls;
  while (e < t.size() && (t[e] == ' ' || t[e] == '\t')) ++e;
  return t.substr(ls, e - ls);
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

// Adds `entry` as the last item of the block whose statement starts at `stmt`; returns the
// offset where the entry was written.
size_t insert_in_block(std::string& t, size_t stmt, const std::string& entry, bool blank_sep) {
  size_t close = block_close(t, stmt);
  if (close == std::string::npos) return std::string::npos;
  size_t ls = line_start(t, close);
  if (blank(std::string_view(t).substr(ls, close - ls))) {
    // `}` on a line of its own: the new line goes above it, indented like the item before.
    std::string indent = indent_of(t, ls) + "  ";
    if (ls > 0) {
      size_t prev = line_start(t, ls - 1);
      std::string_view pl = std::string_view(t).substr(prev, ls - 1 - prev);
      if (prev > stmt && !blank(pl)) indent = indent_of(t, prev);
    }
    t.insert(ls, indent + entry + "\n");
    return ls + indent.size();
  }
  // `… }` on one line: the item goes before the brace.
  size_t before = close;
  while (before > 0 && (t[before - 1] == ' ' || t[before - 1] == '\t')) --before;
  char prev = before > 0 ? t[before - 1] : '{';
  std::string sep = (blank_sep || prev == '{' || prev == ';') ? " " : "; ";
  std::string ins = sep + entry + " ";
  t.replace(before, close - before, ins);
  return before + sep.size();
}

// The end of the token starting at `off` (a quoted string, or up to a blank, ',', ';', '#',
// '}' or the end of the line).
size_t token_end(const std::string& t, size_t off) {
  if (off < t.size() && t[off] == '"') {
    size_t q = t.find('"', off + 1);
    return q == std::string::npos ? t.size() : q + 1;
  }
  size_t e = off;
  while (e < t.size() && std::string_view(" \t\r\n,;#}").find(t[e]) == std::string_view::npos) ++e;
  return e;
}

// Removes the token at `off` from a list written with blanks or commas, with one separator.
void remove_token(std::string& t, size_t off) {
  size_t e = token_end(t, off);
  size_t after = e;
  while (after < t.size() && (t[after] == ' ' || t[after] == '\t')) ++after;
  if (after < t.size() && t[after] == ',') {
    ++after;
    while (after < t.size() && (t[after] == ' ' || t[after] == '\t')) ++after;
    t.erase(off, after - off);
    return;
  }
  // The last of the list: the separator before it goes.
  size_t b = off;
  while (b > 0 && (t[b - 1] == ' ' || t[b - 1] == '\t')) --b;
  if (b > 0 && t[b - 1] == ',') {
    --b;
    while (b > 0 && (t[b - 1] == ' ' || t[b - 1] == '\t')) --b;
  }
  t.erase(b, e - b);
}

// End of a one-line rule starting at `off`: before a ';', '#', '}' or the line's end, with
// trailing blanks trimmed.
size_t rule_end(const std::string& t, size_t off) {
  size_t e = off;
  while (e < t.size() && std::string_view("\n;#}").find(t[e]) == std::string_view::npos) {
    if (t[e] == '"') e = token_end(t, e) - 1;
    ++e;
  }
  while (e > off && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r')) --e;
  return e;
}

// The first word of the block item holding `off`: after the line's start, a ';' or a '{'.
size_t item_start(const std::string& t, size_t off) {
  size_t b = off;
  while (b > 0 && std::string_view("\n;{").find(t[b - 1]) == std::string_view::npos) --b;
  while (b < off && (t[b] == ' ' || t[b] == '\t')) ++b;
  return b;
}

const Statement* first_block(const policy::File& f, Statement::Kind k) {
  for (const auto& st : f.statements)
    if (st.kind == k) return &st;
  return nullptr;
}

Edited append_block(std::string t, const std::string& block, const std::string& entry) {
  if (!t.empty() && t.back() != '\n') t += '\n';
  t += "\n" + block + " {\n";
  Edited e;
  e.line = line_of(t, t.size());
  t += "  " + entry + "\n}\n";
  e.text = std::move(t);
  return e;
}

Edited add_entry(const std::string& text, const Statement* st, const std::string& block,
                 const std::string& entry, bool blank_sep) {
  if (!st) return append_block(text, block, entry);
  Edited e;
  e.text = text;
  size_t at =
      insert_in_block(e.text, offset_of(text, st->loc.line, st->loc.column), entry, blank_sep);
  if (at == std::string::npos) return append_block(text, block, entry);
  e.line = line_of(e.text, at);
  return e;
}

Result<Edited> change_syscalls(const std::string& text, const policy::File& f,
                               const audit::Change& c) {
  const Statement* block = first_block(f, Statement::Kind::kSyscalls);
  // An unconditional non-allow rule of this file naming the call decided it.
  for (const auto& st : f.statements) {
    if (st.kind != Statement::Kind::kSyscalls) continue;
    for (const auto& r : st.syscalls.rules) {
      if (r.condition || r.action.kind == policy::ActionKind::kAllow) continue;
      auto it = std::find_if(r.targets.begin(), r.targets.end(),
                             [&](const policy::Word& w) { return w.text == c.syscall; });
      if (it == r.targets.end()) continue;
      size_t roff = offset_of(text, r.loc.line, r.loc.column);
      if (c.entry.find(" if ") != std::string::npos) {
        // A conditional allow goes before the rule (first match), which keeps deciding the
        // call's other uses.
        Edited e;
        e.text = text;
        size_t ls = line_start(text, roff);
        e.text.insert(ls, indent_of(text, ls) + c.entry + "\n");
        e.line = r.loc.line;
        return e;
      }
      if (r.targets.size() == 1) {
        Edited e;
        e.text = text;
        e.text.replace(roff, rule_end(text, roff) - roff, c.entry);
        e.line = r.loc.line;
        return e;
      }
      // Named among others: add the allow (at the block's end, after this rule), then take
      // the call out of this rule (whose offset the addition did not move).
      Edited e = add_entry(text, &st, "syscalls", c.entry, false);
      remove_token(e.text, offset_of(text, it->loc.line, it->loc.column));
      return e;
    }
  }
  return add_entry(text, block, "syscalls", c.entry, false);
}

Result<Edited> change_filesystem(const std::string& text, const policy::File& f,
                                 const audit::Change& c) {
  for (const auto& st : f.statements) {
    if (st.kind != Statement::Kind::kFilesystem) continue;
    for (const auto& fe : st.fs) {
      if (fe.path.text != c.path) continue;
      if (fe.kind != policy::FsKind::kRo && fe.kind != policy::FsKind::kRw &&
          fe.kind != policy::FsKind::kExec)
        return fail(
            fmt::format("{} is a tmpfs, proc or dev entry; cordon audit rewrites only "
                        "ro, rw and exec entries",
                        c.path));
      // Entries are per path; the kind word starts the item (`ro /a /b`, items end at a
      // newline or ';').
      size_t poff = offset_of(text, fe.path.loc.line, fe.path.loc.column);
      size_t koff = item_start(text, poff);
      size_t same_item = std::count_if(st.fs.begin(), st.fs.end(), [&](const policy::FsEntry& o) {
        return item_start(text, offset_of(text, o.path.loc.line, o.path.loc.column)) == koff;
      });
      if (same_item == 1) {
        Edited e;
        e.text = text;
        size_t kend = token_end(text, koff);
        std::string kind = c.kind + (fe.optional ? "?" : "");
        e.text.replace(koff, kend - koff, kind);
        e.line = fe.path.loc.line;
        return e;
      }
      Edited e = add_entry(text, &st, "filesystem", c.entry, false);
      remove_token(e.text, poff);
      return e;
    }
  }
  return add_entry(text, first_block(f, Statement::Kind::kFilesystem), "filesystem", c.entry,
                   false);
}

}  // namespace

Result<Edited> apply_change(const std::string& path, const std::string& text,
                            const audit::Change& c) {
  policy::Diagnostics diags;
  policy::File f = policy::parse_policy_text(path, text, diags);
  if (diags.has_errors())
    return fail(fmt::format("{} does not parse ({} errors): run cordon check {}", path,
                            diags.error_count(), path));
  if (c.block == "syscalls") return change_syscalls(text, f, c);
  if (c.block == "filesystem") return change_filesystem(text, f, c);
  if (c.block == "landlock")
    return add_entry(text, first_block(f, Statement::Kind::kLandlock), "landlock", c.entry, true);
  return fail("unknown policy block " + c.block);
}

FixTarget fix_target(const std::string& policy, const std::vector<std::string>& library_dirs,
                     uid_t caller, uid_t sandbox_uid, const std::string& local_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(policy, ec);
  if (ec) canon = fs::absolute(policy, ec).lexically_normal();
  FixTarget t;
  for (const auto& dir : library_dirs) {
    fs::path lib = fs::weakly_canonical(dir, ec);
    if (ec || lib.empty()) continue;
    auto rel = canon.lexically_relative(lib);
    if (rel.empty() || *rel.begin() == "..") continue;
    fs::path local = fs::path(local_dir) / (canon.stem().string() + "-local.cordon");
    if (fs::exists(fs::symlink_status(local, ec))) {
      t.why =
          fmt::format("{} is a shipped profile and {} exists: add the change there, or remove it",
                      policy, local.string());
      return t;
    }
    t.path = local.string();
    t.includes = canon.string();
    return t;
  }
  struct stat st;
  if (stat(policy.c_str(), &st) != 0) {
    t.why = fmt::format("cannot stat {}: {}", policy, strerror(errno));
    return t;
  }
  if (st.st_uid != caller) {
    t.why = fmt::format(
        "{} is owned by uid {}, not by you: cordon audit changes only your own "
        "policy files",
        policy, st.st_uid);
    return t;
  }
  if (sandbox_uid != caller) {
    t.why = fmt::format("the sandbox was run by uid {}: its policy is that user's to change",
                        sandbox_uid);
    return t;
  }
  t.path = policy;
  return t;
}

std::string including_file_text(const std::string& included) {
  return fmt::format("cordon 1\ninclude \"{}\"\n", included);
}

std::string unified_diff(const std::string& label, const std::string& a, const std::string& b,
                         const std::string& from_label) {
  if (a == b) return "";
  auto split = [](const std::string& s) {
    std::vector<std::string_view> lines;
    size_t p = 0;
    while (p < s.size()) {
      size_t nl = s.find('\n', p);
      if (nl == std::string::npos) nl = s.size() - 1;
      lines.emplace_back(std::string_view(s).substr(p, nl + 1 - p));
      p = nl + 1;
    }
    return lines;
  };
  auto x = split(a), y = split(b);
  // Longest common subsequence on lines (policies are small: a few hundred lines at most).
  const size_t n = x.size(), m = y.size();
  std::vector<std::vector<uint32_t>> L(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      L[i][j] = x[i] == y[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
  struct Op {
    char tag;  // ' ', '-', '+'
    std::string_view line;
    size_t ai, bi;  // 0-based positions in a and b before this op
  };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] == y[j]) {
      ops.push_back({' ', x[i], i, j});
      ++i, ++j;
    } else if (i < n && (j == m || L[i + 1][j] >= L[i][j + 1])) {
      ops.push_back({'-', x[i], i, j});  // removals before additions, as diff -u prints them
      ++i;
    } else {
      ops.push_back({'+', y[j], i, j});
      ++j;
    }
  }
  std::string out = fmt::format("--- {}\n+++ {}\n", from_label.empty() ? label : from_label, label);
  constexpr size_t kContext = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].tag == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext after the last change that
    // is no more than 2*kContext unchanged lines further on.
    size_t start = k >= kContext ? k - kContext : 0;
    while (start < k && ops[start].tag != ' ') ++start;
    size_t end = k;
    for (size_t q = k; q < ops.size(); ++q) {
      if (ops[q].tag != ' ') {
        end = q;
      } else if (q - end > 2 * kContext) {
        break;
      }
    }
    size_t stop = std::min(ops.size(), end + 1 + kContext);
    size_t a_count = 0, b_count = 0;
    for (size_t q = start; q < stop; ++q) {
      if (ops[q].tag != '+') ++a_count;
      if (ops[q].tag != '-') ++b_count;
    }
    size_t a_start = ops[start].ai + (a_count ? 1 : 0);
    size_t b_start = ops[start].bi + (b_count ? 1 : 0);
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_start, a_count, b_start, b_count);
    for (size_t q = start; q < stop; ++q) {
      out += ops[q].tag;
      out += ops[q].line;
      if (ops[q].line.empty() || ops[q].line.back() != '\n')
        out += "\n\\ No newline at end of file\n";
    }
    k = stop;
  }
  return out;
}

}  // namespace cordon::cli
