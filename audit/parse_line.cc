// Format detection: find where the audit record starts in a line (only ever at the start of the
// message its transport carries) and what its prefix says about the transport, then hand the
// body to parse_body().
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "audit/fields.h"
#include "audit/record.h"
#include "audit/record_types.h"

namespace cordon::audit {
namespace {

constexpr std::string_view npos_sv = {};
constexpr size_t npos = std::string_view::npos;
// Bodies glued onto one line are rare (two or three); the cap keeps a hostile line of
// "type=A msg=audit(1:1): type=A msg=audit(1:1): …" linear.
constexpr int kMaxRecordsPerLine = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_boundary(std::string_view s, size_t pos) {
  if (pos == 0) return true;
  char c = s[pos - 1];
  return c == ' ' || c == '\t' || c == ']' || c == ':' || c == ';' || c == '\x1d';
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The first "needle" at a token boundary, at or after `from`.
size_t find_token(std::string_view s, std::string_view needle, size_t from = 0) {
  for (size_t p = s.find(needle, from); p != npos; p = s.find(needle, p + 1))
    if (is_boundary(s, p)) return p;
  return npos;
}

// "1700000000.123:456" or, from `ausearch -i`, "11/23/2026 12:00:00.123:456" (read as UTC:
// ausearch prints local time and does not say which zone).
bool parse_stamp(std::string_view stamp, Record& rec, bool& interpreted) {
  // Digits and a date's separators only: the ')' that ends it is looked for on the line, and a
  // stamp that ran over other text (a segfault report's) is no stamp.
  if (stamp.size() > 40 || stamp.find_first_not_of("0123456789./:- ") != npos) return false;
  if (kernel_stamp(stamp, rec.time, rec.serial)) {
    interpreted = false;
    return true;
  }
  size_t colon = stamp.rfind(':');
  if (colon == npos || !parse_number(stamp.substr(colon + 1), rec.serial)) return false;
  std::string_view when = stamp.substr(0, colon);
  size_t dot = when.rfind('.');
  std::string_view whole = dot == npos ? when : when.substr(0, dot);
  std::string_view frac = dot == npos ? npos_sv : when.substr(dot + 1);
  unsigned millis = 0;
  if (!frac.empty() && (!parse_number(frac, millis) || frac.size() > 9)) return false;
  double fraction = millis;
  for (size_t k = 0; k < frac.size(); ++k) fraction /= 10;
  if (whole.find_first_of("/- ") == npos) {
    uint64_t secs = 0;
    if (!parse_number(whole, secs)) return false;
    rec.time = static_cast<double>(secs) + fraction;
    interpreted = false;
    return true;
  }
  // `ausearch -i` prints the date in the locale's format: "11/23/2026", "23/11/26",
  // "2026-11-23" … then HH:MM:SS. A date it cannot place still yields the record, with time 0.
  interpreted = true;
  rec.time = 0;
  size_t space = whole.find(' ');
  if (space == npos) return true;
  std::string_view date = whole.substr(0, space), clock = whole.substr(space + 1);
  int a = 0, b = 0, c = 0, hh = 0, mm = 0, ss = 0;
  char sep = date.find('/') != npos ? '/' : '-';
  size_t s1 = date.find(sep), s2 = s1 == npos ? npos : date.find(sep, s1 + 1);
  size_t c1 = clock.find(':'), c2 = c1 == npos ? npos : clock.find(':', c1 + 1);
  if (s2 == npos || c2 == npos || !parse_number(date.substr(0, s1), a) ||
      !parse_number(date.substr(s1 + 1, s2 - s1 - 1), b) || !parse_number(date.substr(s2 + 1), c) ||
      !parse_number(clock.substr(0, c1), hh) ||
      !parse_number(clock.substr(c1 + 1, c2 - c1 - 1), mm) ||
      !parse_number(clock.substr(c2 + 1), ss))
    return true;
  int year, mon, day;
  if (sep == '-') {
    year = a, mon = b, day = c;
  } else {
    year = c < 100 ? c + 2000 : c;
    mon = a > 12 ? b : a;  // day first when the first number cannot be a month
    day = a > 12 ? a : b;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return true;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  rec.time = static_cast<double>(timegm(&tm)) + fraction;
  return true;
}

void set_type(Record& rec, std::string_view token) {
  rec.type = record_type_number(token);
  std::string_view known = record_type_name(rec.type);
  rec.type_name = known.empty() ? std::string(token) : std::string(known);
}

// The type of a body that came without a type= header.
void infer_type(Record& rec, std::string_view body) {
  int type = 0;
  if (body.find("apparmor=") != npos || body.find("avc:") != npos)
    type = body.find("USER_AVC") != npos ? kUserAvc : kAvc;
  else if (body.find("domain=") != npos && body.find("blockers=") != npos)
    type = kLandlockAccess;
  else if (body.find("domain=") != npos && body.find("status=") != npos)
    type = kLandlockDomain;
  rec.type = type;
  rec.type_name = std::string(record_type_name(type));
}

bool is_kmsg_prefix(std::string_view p) {
  // "PRIORITY,SEQ,USEC,FLAGS[,…];"
  size_t semi = p.find(';');
  if (semi == npos || semi + 1 != p.size()) return false;
  int commas = 0;
  for (size_t k = 0; k < semi; ++k) {
    if (p[k] == ',')
      ++commas;
    else if (!is_digit(p[k]) && commas < 3)
      return false;
  }
  return commas >= 3;
}

std::string prefix_format(std::string_view prefix) {
  if (prefix.empty()) return "auditd";
  if (size_t semi = prefix.find(';'); semi != npos && is_kmsg_prefix(prefix.substr(0, semi + 1)))
    return "kmsg";
  if (prefix[0] == '[' || prefix.starts_with("audit:")) return "dmesg";
  return "syslog";
}

// The kernel's notices that audit records were lost (kernel/audit.c: audit_log_lost(),
// audit_panic(), audit_log_start()), and printk's "FUNC: N callbacks suppressed" when FUNC is
// audit's (kauditd_printk_skb, audit_printk_skb …): other subsystems' are not audit's concern.
bool is_lost_notice(std::string_view line) {
  if (size_t a = find_token(line, "audit: "); a != npos) {
    std::string_view rest = line.substr(a + 7);
    for (std::string_view n :
         {"audit_lost=", "audit_backlog=", "rate limit exceeded", "backlog limit exceeded",
          "kauditd hold queue overflow", "printk limit exceeded"})
      if (rest.starts_with(n)) return true;
  }
  size_t cs = line.find(" callbacks suppressed");
  if (cs == npos) return false;
  size_t colon = line.rfind(": ", cs);
  if (colon == npos) return false;
  size_t from = std::min(colon + 2, cs);  // "audit: callbacks suppressed" has no count
  std::string_view count = line.substr(from, cs - from);
  if (!std::all_of(count.begin(), count.end(), is_digit)) return false;
  size_t word = line.find_last_of(" \t]", colon);
  word = word == npos ? 0 : word + 1;
  return line.substr(word, colon - word).find("audit") != npos;
}

// The first position at or after `from` that is (blank=true) or is not (false) a space or
// tab; npos when none. (std::string_view::find_first_of calls memchr once per character.)
size_t blank_at_or_after(std::string_view s, size_t from, bool blank) {
  for (size_t i = from; i < s.size(); ++i)
    if ((s[i] == ' ' || s[i] == '\t') == blank) return i;
  return npos;
}

// ---- Where a record may start -------------------------------------------------------------
//
// A sandboxed program can make the kernel print text of its choosing: a segfault report
// "COMM[PID]: segfault at … in FILE[…]" carries its comm and the name of the file it faulted
// in, and other reports carry other names. So a record counts only where the kernel (or auditd)
// starts one: at the start of the message, after the header its transport puts in front
// (kmsg's "PRI,SEQ,USEC,FLAGS;", dmesg's "[TIME]" groups, syslog's "TIME HOST TAG:"), never
// where `type=` merely occurs further on. The kernel starts a message with its own text or,
// at worst, with a task's comm (at most 15 bytes, followed by its own "[PID]: …"); every lead
// accepted below is longer than that, so no comm completes one.

// The end of the "[…]" groups (dmesg's time, the caller id "[T60]") starting at `from`, and
// of the blanks after them; `from` when there are none.
size_t skip_brackets(std::string_view s, size_t from) {
  size_t p = from;
  while (p < s.size() && s[p] == '[') {
    size_t close = s.find(']', p);
    if (close == npos) break;
    p = close + 1;
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
  }
  return p;
}

// A syslog tag ("kernel:", "audit[123]:", "dbus-daemon[9]:", Android's "E/audit:").
bool is_tag(std::string_view w) { return !w.empty() && w.back() == ':'; }

// journald's short form names the record's transport "audit[PID]:".
bool is_journal_tag(std::string_view w) {
  if (!w.starts_with("audit[") || !w.ends_with("]:") || w.size() < 9) return false;
  return std::all_of(w.begin() + 6, w.end() - 2, is_digit);
}

// Whether a syslog tag lets its message hold a record. "NAME[PID]:" is a program's: a service's
// stdout reaches syslog so (journald forwards it under the unit's name), and a sandboxed
// service chooses what it prints. Only the audit daemons' and dbus-daemon's (which logs its
// AppArmor and SELinux mediation) may. Tags without a pid ("kernel:", "kern.notice:") may.
bool tag_may_hold_records(std::string_view tag) {
  size_t bracket = tag.find('[');
  if (bracket == npos || !tag.ends_with("]:")) return true;
  std::string_view name = tag.substr(0, bracket);
  for (std::string_view n : {"audit", "auditd", "audispd", "audisp-syslog", "dbus", "dbus-daemon"})
    if (name == n) return true;
  return false;
}

// A kmsg prefix's priority is facility*8 + level; the kernel's own messages have facility 0,
// lines written to /dev/kmsg by a program never do.
bool kernel_priority(std::string_view kmsg_prefix) {
  unsigned pri = 0;
  auto [end, ec] =
      std::from_chars(kmsg_prefix.data(), kmsg_prefix.data() + kmsg_prefix.size(), pri);
  return ec == std::errc() && end != kmsg_prefix.data() && pri < 8;
}

// Where the message starts after the transport's header, and the syslog tag before it ("" when
// none); npos for a kmsg line a program wrote. Without a header the message starts at 0.
size_t message_start(std::string_view line, std::string_view& tag) {
  if (size_t semi = line.find(';'); semi != npos && is_kmsg_prefix(line.substr(0, semi + 1)))
    return kernel_priority(line) ? semi + 1 : npos;
  size_t p = skip_brackets(line, 0);
  // syslog: the tag is the first word ending in ':' among the first six (a BSD or ISO time of
  // one to three words, a host, Android's "PID-TID/?"); after it may come the kernel's
  // "[TIME]" when the daemon read /proc/kmsg.
  size_t w = blank_at_or_after(line, p, false);
  for (int k = 0; k < 6 && w != npos; ++k) {
    size_t e = blank_at_or_after(line, w, true);
    if (e == npos) e = line.size();
    std::string_view word = line.substr(w, e - w);
    if (word.find_first_of("=(") != npos) break;  // a record's field: no header word has one
    if (is_tag(word)) {
      tag = word;
      size_t m = blank_at_or_after(line, e, false);
      return m == npos ? line.size() : skip_brackets(line, m);
    }
    w = blank_at_or_after(line, e, false);
  }
  return p;
}

// A record body with no header, as the kernel documentation and dbus-daemon print them:
// AppArmor's apparmor="TYPE", SELinux's "avc:  denied  { ", Landlock's "domain=ID blockers="
// or "domain=ID status=", each as the kernel writes it.
bool bare_lead(std::string_view s) {
  if (s.starts_with("apparmor=\"")) {
    for (std::string_view t :
         {"AUDIT", "ALLOWED", "DENIED", "HINT", "STATUS", "ERROR", "KILLED", "AUTO"})
      if (s.substr(10).starts_with(t) && s.substr(10 + t.size()).starts_with("\" ")) return true;
    return false;
  }
  if (s.starts_with("avc:  denied  { ") || s.starts_with("avc:  granted  { ")) return true;
  if (!s.starts_with("domain=")) return false;
  size_t i = 7;
  while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 7) return false;
  std::string_view rest = s.substr(i);
  return rest.starts_with(" blockers=") || rest.starts_with(" status=");
}

// What follows an old kernel's "audit(STAMP):" (no type=): a body signature or "type=".
bool stamp_body_lead(std::string_view s) {
  return s.starts_with("type=") || s.starts_with("avc: ") || bare_lead(s);
}

struct Cursor {
  LineResult& out;
  int budget = kMaxRecordsPerLine;
  const BodyFilter* filter = nullptr;
};

void parse_text(std::string_view line, Cursor& cur, bool nested);

void parse_glued(std::string_view rest, Cursor& cur) {
  if (--cur.budget <= 0) {
    cur.out.error =
        fmt::format("more than {} records on one line; the rest was skipped", kMaxRecordsPerLine);
    return;
  }
  parse_text(rest, cur, true);
}

// `line[type_pos]` is "type=…"; `node_pos` the node=/host= token before it or npos.
void parse_typed(std::string_view line, size_t type_pos, size_t node_pos, Cursor& cur,
                 bool nested) {
  LineResult& out = cur.out;
  out.audit_like = true;
  Record rec;
  size_t rec_start = node_pos != npos ? node_pos : type_pos;
  if (node_pos != npos) {
    size_t eq = line.find('=', node_pos);
    rec.node = std::string(line.substr(eq + 1, type_pos - eq - 1));
    while (!rec.node.empty() && rec.node.back() == ' ') rec.node.pop_back();
  } else if (nested && !out.records.empty()) {
    // A record glued onto another one's line without its own node= came from the same host.
    rec.node = out.records.back().node;
  }
  size_t tstart = type_pos + 5;
  size_t tend = blank_at_or_after(line, tstart, true);
  if (tend == npos) tend = line.size();
  set_type(rec, line.substr(tstart, tend - tstart));
  size_t i = blank_at_or_after(line, tend, false);
  std::string_view rest = i == npos ? npos_sv : line.substr(i);
  if (rest.starts_with("msg=")) rest.remove_prefix(4);
  if (!rest.starts_with("audit(")) {
    out.error = fmt::format("type={} without an audit(…) header", rec.type_name);
    return;
  }
  size_t close = rest.find(')');
  if (close == npos) {
    out.error = "unterminated audit(…) header";
    return;
  }
  bool interpreted = false;
  if (!parse_stamp(rest.substr(6, close - 6), rec, interpreted)) {
    out.error =
        fmt::format("bad audit({}) header", rest.substr(6, std::min<size_t>(close - 6, 40)));
    return;
  }
  std::string_view body = rest.substr(close + 1);
  size_t b = body.find_first_not_of(' ');
  if (b != npos && body[b] == ':')
    body.remove_prefix(b + 1);
  else if (b == npos)
    body = npos_sv;

  if (cur.filter && cur.filter->want && !has_stamp(body) &&
      !cur.filter->want(rec, cur.filter->ctx)) {
    // Not wanted, and no second record can be glued on (it would start with an audit( stamp).
    if (!nested) {
      out.format = interpreted ? "ausearch-interpreted" : prefix_format(line.substr(0, rec_start));
      if (out.format == "auditd" && body.find('\x1d') != npos) out.format = "auditd-enriched";
    }
    rec.body_skipped = true;
    out.records.push_back(std::move(rec));
    return;
  }
  BodyOptions opts;
  opts.interpreted = interpreted;
  BodyResult br = parse_body(body, opts, rec);
  if (!nested) {
    if (interpreted)
      out.format = "ausearch-interpreted";
    else
      out.format = prefix_format(line.substr(0, rec_start));
    if (br.enriched && out.format == "auditd") out.format = "auditd-enriched";
  }
  out.records.push_back(std::move(rec));
  if (br.next_record) parse_glued(body.substr(*br.next_record), cur);
}

void parse_text(std::string_view line, Cursor& cur, bool nested) {
  LineResult& out = cur.out;
  // A record glued onto another's line starts `rest`; any other record starts its message.
  std::string_view tag;
  size_t msg = 0;
  auto typed_at = [&](size_t p) -> std::pair<size_t, size_t> {  // {type=, node=} or npos
    std::string_view m = line.substr(p);
    if (m.starts_with("type=")) return {p, npos};
    if (!nested && m.starts_with("audit: type=")) return {p + 7, npos};
    if (m.starts_with("node=") || m.starts_with("host=")) {
      // auditd's (or audispd's) node=X before the record.
      size_t e = blank_at_or_after(line, p, true);
      size_t t = e == npos ? npos : blank_at_or_after(line, e, false);
      if (t != npos && line.substr(t).starts_with("type=")) return {t, p};
    }
    return {npos, npos};
  };
  auto [type_pos, node_pos] = typed_at(0);
  // A headerless line may hold a body of its own at 0 ("avc:  denied  {" would read as a tag).
  if (type_pos == npos && !nested && !line.starts_with("audit(") && !bare_lead(line)) {
    msg = message_start(line, tag);
    if (msg == npos) return;  // written to /dev/kmsg by a program, not by the kernel
    if (!tag_may_hold_records(tag)) return;
    std::tie(type_pos, node_pos) = typed_at(msg);
  }
  if (type_pos != npos) {
    parse_typed(line, type_pos, node_pos, cur, nested);
    return;
  }
  if (nested) return;
  std::string_view m = line.substr(msg);
  Record rec;
  std::string_view body;
  if (is_journal_tag(tag)) {
    // journald short: "host audit[1234]: SECCOMP auid=…" or "audit[1234]: AVC avc: …": the
    // record's type, then a body whose first word is a field or a signature.
    size_t w = m.find(' ');
    std::string_view token = m.substr(0, w);
    body = w == npos ? npos_sv : m.substr(w + 1);
    std::string_view first = body.substr(0, body.find(' '));
    size_t eq = first.find('=');
    bool field = eq != npos && eq > 0;
    if (record_type_number(token) == 0 || !(field || first.starts_with("avc:"))) return;
    set_type(rec, token);
    out.format = "journal-short";
  } else if (m.starts_with("audit(")) {
    // The old syslog form with no type: "kernel: audit(1158064002.046:4): avc:  denied …".
    size_t close = m.find(')');
    bool interpreted = false;
    if (close == npos || !parse_stamp(m.substr(6, close - 6), rec, interpreted)) return;
    body = m.substr(close + 1);
    if (body.starts_with(":")) body.remove_prefix(1);
    body.remove_prefix(std::min(body.find_first_not_of(' '), body.size()));
    if (!stamp_body_lead(body)) return;
    infer_type(rec, body);
    out.format = prefix_format(line.substr(0, msg));
    // Old kernels printed the type after the stamp: "audit(…): type=1503 operation=…".
    if (rec.type == 0 && body.starts_with("type=")) {
      size_t e = body.find(' ');
      set_type(rec, body.substr(5, e == npos ? npos : e - 5));
      body = e == npos ? npos_sv : body.substr(e + 1);
    }
  } else if (bare_lead(m)) {
    body = m;
    infer_type(rec, line);
    out.format = msg == 0 ? "bare" : "syslog";
  } else {
    if (is_lost_notice(line)) {
      out.audit_like = true;
      out.lost_notice = true;
      out.format = prefix_format(line.substr(0, line.find("audit")));
      out.error = "kernel rate-limit notice (records were dropped)";
    }
    return;
  }
  out.audit_like = true;
  BodyResult br = parse_body(body, BodyOptions{}, rec);
  out.records.push_back(std::move(rec));
  if (br.next_record) parse_glued(body.substr(*br.next_record), cur);
}

// The bytes of a value `journalctl -o json` printed as an array of numbers (not UTF-8).
std::string json_bytes(const nlohmann::json& a) {
  std::string out;
  for (const auto& b : a)
    if (b.is_number_unsigned() || b.is_number_integer())
      out.push_back(static_cast<char>(b.get<int64_t>() & 0xff));
  return out;
}

// MESSAGE as `journalctl -o json` prints it: a string, an array of bytes when it is not
// UTF-8, or an array of either when the entry holds the field more than once (the first wins;
// one level only, so a deeply nested array costs no recursion).
std::optional<std::string> json_message(const nlohmann::json& m) {
  if (m.is_string()) return m.get<std::string>();
  if (!m.is_array()) return std::nullopt;
  if (!m.empty() && m.front().is_string()) return m.front().get<std::string>();
  if (!m.empty() && m.front().is_array()) return json_bytes(m.front());
  return json_bytes(m);
}

std::string json_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void parse_journal_json(std::string_view line, LineResult& out) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    out.audit_like = line.find("\"MESSAGE\"") != npos;
    if (out.audit_like) out.error = "invalid journal JSON";
    return;
  }
  JournalEntry e;
  if (auto msg = j.find("MESSAGE"); msg != j.end()) e.message = json_message(*msg);
  e.transport = json_string(j, "_TRANSPORT");
  e.audit_type = json_string(j, "_AUDIT_TYPE");
  e.audit_id = json_string(j, "_AUDIT_ID");
  e.source_realtime = json_string(j, "_SOURCE_REALTIME_TIMESTAMP");
  e.realtime = json_string(j, "__REALTIME_TIMESTAMP");
  out = parse_journal_entry(e);
}

}  // namespace

LineResult parse_journal_entry(const JournalEntry& e) {
  LineResult out;
  if (!e.message) return out;
  const std::string& message = *e.message;
  // A service's stdout, which a sandboxed service writes itself: never a record.
  if (e.transport == "stdout") return out;
  if (e.transport == "audit") {
    // The audit transport drops the header: MESSAGE is "TYPE body", the stamp is in fields.
    out.audit_like = true;
    out.format = "journal-json";
    Record rec;
    std::string_view body = message;
    size_t w = body.find(' ');
    std::string_view token = body.substr(0, w);
    set_type(rec, !e.audit_type.empty() ? std::string_view(e.audit_type) : token);
    if (record_type_number(token) != 0 || token == rec.type_name)
      body = w == npos ? npos_sv : body.substr(w + 1);
    parse_number(std::string_view(e.audit_id), rec.serial);
    uint64_t us = 0;
    if (parse_number(std::string_view(e.source_realtime), us) ||
        parse_number(std::string_view(e.realtime), us))
      rec.time = static_cast<double>(us) / 1e6;
    parse_body(body, BodyOptions{}, rec);
    out.records.push_back(std::move(rec));
    return out;
  }
  Cursor cur{out};
  parse_text(message, cur, false);
  if (out.audit_like) out.format = "journal-json";
  return out;
}

// '(' is rare in record bodies, so scanning for it is cheaper than for the word.
bool has_stamp(std::string_view s) {
  for (size_t p = s.find('('); p != npos; p = s.find('(', p + 1))
    if (p >= 5 && s.substr(p - 5, 5) == "audit") return true;
  return false;
}

bool kernel_stamp(std::string_view stamp, double& time, uint64_t& serial) {
  size_t i = 0;
  uint64_t secs = 0, n = 0;
  unsigned millis = 0, digits = 0;
  while (i < stamp.size() && is_digit(stamp[i]) && i < 19) secs = secs * 10 + (stamp[i++] - '0');
  if (i == 0 || i >= stamp.size() || stamp[i] != '.') return false;
  size_t f = ++i;
  while (i < stamp.size() && is_digit(stamp[i]) && i - f < 9)
    millis = millis * 10 + (stamp[i++] - '0'), ++digits;
  if (digits == 0 || i >= stamp.size() || stamp[i] != ':') return false;
  size_t start = ++i;
  while (i < stamp.size() && is_digit(stamp[i]) && i - start < 19) n = n * 10 + (stamp[i++] - '0');
  if (i == start || i != stamp.size()) return false;
  double fraction = millis;
  for (unsigned k = 0; k < digits; ++k) fraction /= 10;
  time = static_cast<double>(secs) + fraction;
  serial = n;
  return true;
}

LineResult parse_line(std::string_view line, const BodyFilter* filter) {
  LineResult out;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  size_t first = blank_at_or_after(line, 0, false);
  if (first == npos) return out;
  if (line[first] == '{') {
    parse_journal_json(line.substr(first), out);
    return out;
  }
  // An indented line continues the message before it: dmesg and journalctl print a newline
  // inside a kernel message (a file name may hold one) so, and what follows is its text.
  if (first > 0) return out;
  Cursor cur{out, kMaxRecordsPerLine, filter};
  parse_text(line, cur, false);
  return out;
}

}  // namespace cordon::audit
