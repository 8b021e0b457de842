#include "cli/audit_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "audit/attribute.h"
#include "compiler/compile.h"
#include "launcher/plan.h"
#include "policy/checker.h"
#include "policy/diagnostics.h"

namespace cordon::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitPolicy = 1;
constexpr int kExitUsage = 2;

// Every line of an istream, in constant memory (one line at a time).
void read_stream(std::istream& in, audit::Collector& c) {
  std::string line;
  while (std::getline(in, line)) c.add_line(line);
}

// /dev/kmsg from the start of the ring buffer until EAGAIN: each read() is one record (its
// continuation lines follow a '\n').
bool read_kmsg(audit::Collector& c, std::ostream& err) {
  int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    err << fmt::format("cordon audit: kmsg: cannot open /dev/kmsg: {}{}\n", strerror(e),
                       e == EPERM || e == EACCES
                           ? " (kernel.dmesg_restrict is set: run as root, or pass a log file)"
                           : "");
    return false;
  }
  lseek(fd, 0, SEEK_DATA);  // the oldest record still in the buffer (the default, made explicit)
  std::vector<char> buf(16384);
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) continue;  // records were overwritten while we read: go on
      if (errno == EAGAIN) break;
      int e = errno;
      err << fmt::format("cordon audit: kmsg: read: {}\n", strerror(e));
      close(fd);
      return false;
    }
    if (n == 0) break;
    std::string_view rec(buf.data(), static_cast<size_t>(n));
    // The first line is the record; continuation lines (" KEY=value") are not audit records.
    size_t nl = rec.find('\n');
    c.add_line(rec.substr(0, nl));
  }
  close(fd);
  return true;
}

std::string pad(const std::string& s, size_t w) {
  // Width in code points, so "×" and non-ASCII comm values do not skew the columns.
  size_t cps = 0;
  for (unsigned char ch : s) cps += (ch & 0xC0) != 0x80;
  return cps >= w ? s : s + std::string(w - cps, ' ');
}

size_t width(const std::string& s) {
  size_t cps = 0;
  for (unsigned char ch : s) cps += (ch & 0xC0) != 0x80;
  return cps;
}

void print_table(const std::vector<audit::Entry>& entries,
                 const std::vector<std::optional<audit::Attribution>>& attrs, bool have_policy,
                 std::ostream& out) {
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({"COUNT", "SOURCE", "PROCESS", "WHAT", "ACTION", "RULE"});
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const auto& d = e.denial;
    std::string action = audit::action_text(d);
    if (d.kind == "logged") action = "log (ran, logged)";
    std::string rule = "-";
    if (attrs[i] && attrs[i]->rule)
      rule = *attrs[i]->rule;
    else if (attrs[i] && !attrs[i]->rule_action.empty())
      rule = "(" + attrs[i]->rule_action + ")";
    rows.push_back({std::to_string(e.count), d.source, audit::process_text(d), audit::what_text(d),
                    action, rule});
  }
  std::array<size_t, 6> w{};
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], width(r[c]));
  for (const auto& r : rows) {
    std::string line = std::string(w[0] - width(r[0]), ' ') + r[0];
    for (size_t c = 1; c < r.size(); ++c)
      line += "  " + (c + 1 == r.size() ? r[c] : pad(r[c], w[c]));
    out << line << "\n";
  }
  if (!have_policy) return;
  out << "\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& a = *attrs[i];
    out << audit::short_line(entries[i], a) << "\n";
    if (!a.note.empty()) out << "    note: " << a.note << "\n";
    if (a.suggestion) out << "    fix:  " << *a.suggestion << "\n";
  }
}

}  // namespace

int cmd_audit(const AuditOptions& opts, std::ostream& out, std::ostream& err) {
  // Compile the policies first: a policy error is reported before any log is read.
  std::vector<launcher::Plan> plans;
  if (!opts.policies.empty()) {
    policy::CheckOptions co;
    co.vars = policy::caller_vars();
    co.search_path = policy::default_search_path();
    for (const auto& path : opts.policies) {
      policy::Diagnostics diags;
      auto plan = compiler::compile_file(path, co, diags);
      if (!plan) {
        err << diags.render(false);
        if (!diags.has_errors())
          err << fmt::format("{}: error: {}\n", path, plan.error().message());
        return kExitPolicy;
      }
      plans.push_back(std::move(*plan));
    }
  }

  std::vector<std::string> sources = opts.sources;
  if (sources.empty()) sources.push_back("kmsg");
  // Check every source before reading any, so a typo does not cost a long read.
  for (const auto& s : sources) {
    if (s == "-" || s == "kmsg") continue;
    std::error_code ec;
    if (std::filesystem::is_directory(s, ec)) {
      err << fmt::format("cordon audit: {}: is a directory, not a log file\n", s);
      return kExitUsage;
    }
    std::ifstream probe(s);
    if (!probe) {
      err << fmt::format("cordon audit: {}: cannot open: {}\n", s, strerror(errno));
      return kExitUsage;
    }
  }

  audit::Collector c;
  for (const auto& s : sources) {
    if (s == "-") {
      read_stream(std::cin, c);
    } else if (s == "kmsg") {
      if (!read_kmsg(c, err)) return kExitUsage;
    } else {
      std::ifstream in(s, std::ios::binary);
      if (!in) {
        err << fmt::format("cordon audit: {}: cannot open: {}\n", s, strerror(errno));
        return kExitUsage;
      }
      read_stream(in, c);
    }
  }
  c.finish();

  const auto& entries = c.entries();
  std::vector<std::optional<audit::Attribution>> attrs(entries.size());
  if (!plans.empty())
    for (size_t i = 0; i < entries.size(); ++i)
      attrs[i] = audit::attribute(entries[i].denial, plans);

  if (opts.json) {
    for (size_t i = 0; i < entries.size(); ++i)
      out << audit::to_json(entries[i], attrs[i] ? &*attrs[i] : nullptr).dump() << "\n";
  } else if (entries.empty()) {
    out << "no denials found\n";
  } else {
    print_table(entries, attrs, !plans.empty(), out);
  }
  err << "cordon audit: " << c.summary() << "\n";
  return kExitOk;
}

int cmd_audit(const AuditOptions& opts) { return cmd_audit(opts, std::cout, std::cerr); }

}  // namespace cordon::cli
