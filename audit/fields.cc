#include "audit/fields.h"

#include <algorithm>
#include <array>

namespace cordon::audit {
namespace {

constexpr char kEnrichedSeparator = '\x1d';

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Keys whose value the kernel prints with audit_log_untrustedstring(): quoted when clean,
// hex when the string holds a space, quote, control character or non-ASCII byte.
constexpr std::array<std::string_view, 22> kHexKeys = {
    "name", "exe",    "comm",     "proctitle", "path",    "profile", "label", "peer",
    "cwd",  "target", "acct",     "ocomm",     "cmd",     "new",     "old",   "peer_label",
    "data", "watch",  "root_dir", "srcname",   "fs_type", "execpath"};

bool is_hex_key(std::string_view key) {
  return std::find(kHexKeys.begin(), kHexKeys.end(), key) != kHexKeys.end();
}

// The end of an unquoted raw value starting at s[i]: the next space or 0x1d, or where an
// ENRICHED `KEY=` starts when the 0x1d separator before it was lost (`code=0x0AUID="unset"`):
// an uppercase run of two or more, not preceded by an uppercase letter, followed by '='.
// One pass, so a long word full of '=' stays linear.
size_t raw_value_end(std::string_view s, size_t i, bool& enriched) {
  size_t run = std::string_view::npos;
  for (size_t v = i; v < s.size(); ++v) {
    char c = s[v];
    if (is_space(c) || c == kEnrichedSeparator) return v;
    if (run != std::string_view::npos) {
      if (is_upper(c) || is_digit(c) || c == '_') continue;
      if (c == '=' && v - run >= 2) {
        enriched = true;
        return run;
      }
      run = std::string_view::npos;
    }
    if (is_upper(c) && v > i && !is_upper(s[v - 1])) run = v;
  }
  return s.size();
}

void skip_space(std::string_view s, size_t& i, bool& enriched) {
  while (i < s.size() && (is_space(s[i]) || s[i] == kEnrichedSeparator)) {
    if (s[i] == kEnrichedSeparator) enriched = true;
    ++i;
  }
}

size_t word_end(std::string_view s, size_t i) {
  while (i < s.size() && !is_space(s[i]) && s[i] != kEnrichedSeparator) ++i;
  return i;
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// SELinux's `avc:  denied  { read write } for` preamble, starting at s[i] == "avc:".
void parse_avc_preamble(std::string_view s, size_t& i, Record& rec, bool& enriched) {
  i += 4;
  skip_space(s, i, enriched);
  size_t e = word_end(s, i);
  if (e > i && s.substr(i, e - i).find('=') == std::string_view::npos) {
    rec.fields.emplace_back("seresult", std::string(s.substr(i, e - i)));
    i = e;
    skip_space(s, i, enriched);
  }
  if (i < s.size() && s[i] == '{') {
    size_t close = s.find('}', i);
    size_t stop = close == std::string_view::npos ? s.size() : close;
    rec.fields.emplace_back("seperms", collapse_spaces(s.substr(i + 1, stop - i - 1)));
    i = close == std::string_view::npos ? s.size() : close + 1;
    skip_space(s, i, enriched);
  }
  if (s.substr(i).starts_with("for") && (i + 3 == s.size() || is_space(s[i + 3]))) i += 3;
}

BodyResult parse_body_impl(std::string_view s, const BodyOptions& opts, Record& rec, int depth) {
  BodyResult result;
  size_t i = 0;
  size_t last_field_start = std::string_view::npos;
  while (true) {
    skip_space(s, i, result.enriched);
    if (i >= s.size()) break;
    if (s.substr(i).starts_with("avc:")) {
      parse_avc_preamble(s, i, rec, result.enriched);
      continue;
    }
    size_t start = i;
    // The key runs to '=' (not to the end of the word: a word may be long and hold many '=').
    size_t k = i;
    while (k < s.size() && s[k] != '=' && !is_space(s[k]) && s[k] != kEnrichedSeparator) ++k;
    if (k == s.size() || s[k] != '=' || k == i) {  // a plain word, or "=x"
      i = k == i ? word_end(s, i + 1) : k;
      continue;
    }
    size_t eq = k - i;
    std::string_view key = s.substr(i, eq);
    i += eq + 1;
    // A second record glued on: `… type=SYSCALL msg=audit(…` (possibly behind node=/host=).
    if (key == "type" && depth == 0 && !rec.fields.empty()) {
      // Type tokens are short; bounding the scan keeps "type=type=type=…" linear.
      size_t after = word_end(s.substr(0, std::min(s.size(), i + 64)), i);
      size_t next = after;
      bool dummy = false;
      skip_space(s, next, dummy);
      if (s.substr(next).starts_with("msg=audit(") || s.substr(next).starts_with("audit(")) {
        size_t cut = start;
        const std::string& last = rec.fields.back().first;
        if ((last == "node" || last == "host") && last_field_start != std::string_view::npos) {
          cut = last_field_start;
          rec.fields.pop_back();
        }
        result.next_record = cut;
        return result;
      }
    }
    std::string value;
    bool quoted = false;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      char q = s[i];
      size_t close = s.find(q, i + 1);
      size_t stop = close == std::string_view::npos ? s.size() : close;
      std::string_view inner = s.substr(i + 1, stop - i - 1);
      i = close == std::string_view::npos ? s.size() : close + 1;
      if (q == '\'' && key == "msg" && depth < 2) {
        // USER_AVC and other user-space records: the payload is itself a field list.
        BodyResult sub = parse_body_impl(inner, opts, rec, depth + 1);
        result.enriched = result.enriched || sub.enriched;
        last_field_start = start;
        continue;
      }
      value.assign(inner);
      quoted = true;
    } else {
      size_t vend = opts.interpreted ? word_end(s, i) : raw_value_end(s, i, result.enriched);
      std::string_view raw = s.substr(i, vend - i);
      i = vend;
      // AppArmor labels in subj= print as `subj==label (mode)`.
      if (key == "subj" && raw.starts_with("=")) raw.remove_prefix(1);
      value.assign(raw);
    }
    if (!quoted && !opts.interpreted && is_hex_key(key)) {
      if (auto decoded = hex_decode(value)) {
        if (key == "proctitle") {
          std::replace(decoded->begin(), decoded->end(), '\0', ' ');
          while (!decoded->empty() && decoded->back() == ' ') decoded->pop_back();
        }
        value = std::move(*decoded);
      }
    }
    last_field_start = start;
    rec.fields.emplace_back(std::string(key), std::move(value));
  }
  return result;
}

}  // namespace

std::optional<std::string> hex_decode(std::string_view s) {
  if (s.empty() || s.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(s.size() / 2);
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

BodyResult parse_body(std::string_view body, const BodyOptions& opts, Record& rec) {
  return parse_body_impl(body, opts, rec, 0);
}

}  // namespace cordon::audit
