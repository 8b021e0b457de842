#include "cli/audit_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "audit/attribute.h"
#include "audit/record_types.h"
#include "audit/sandboxes.h"
#include "cli/audit_apparmor.h"
#include "cli/audit_selinux.h"
#include "cli/policy_edit.h"
#include "compiler/compile.h"
#include "launcher/plan.h"
#include "launcher/registry.h"
#include "policy/checker.h"
#include "policy/diagnostics.h"

namespace cordon::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitPolicy = 1;
constexpr int kExitUsage = 2;

// A line longer than this is cut (the rest up to its newline is dropped): no audit record
// comes near it, and reading must stay in constant memory whatever the input.
constexpr size_t kMaxLine = 1 << 20;

volatile sig_atomic_t g_stop = 0;
void on_stop(int) { g_stop = 1; }

double now_seconds() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// ---- sources ----------------------------------------------------------------------------------

// Splits a byte stream into lines for the Collector, in constant memory.
class LineSplitter {
 public:
  explicit LineSplitter(audit::Collector& c) : c_(c) {}
  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      size_t nl = bytes.find('\n');
      if (partial_.empty() && !skipping_ && nl != std::string_view::npos && nl <= kMaxLine) {
        c_.add_line(bytes.substr(0, nl));  // a whole line in the buffer: no copy
        bytes.remove_prefix(nl + 1);
        continue;
      }
      std::string_view part = bytes.substr(0, nl);
      if (!skipping_) {
        size_t room = kMaxLine - std::min(kMaxLine, partial_.size());
        partial_.append(part.substr(0, room));
        if (part.size() > room) skipping_ = true;
      }
      if (nl == std::string_view::npos) return;
      c_.add_line(partial_);
      partial_.clear();
      skipping_ = false;
      bytes.remove_prefix(nl + 1);
    }
  }
  void end() {
    if (!partial_.empty()) c_.add_line(partial_);
    partial_.clear();
    skipping_ = false;
  }

 private:
  audit::Collector& c_;
  std::string partial_;
  bool skipping_ = false;
};

// Reads `fd` to its end (EOF or EAGAIN). False on a read error.
bool drain(int fd, LineSplitter& s) {
  std::array<char, 65536> buf;
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n > 0) {
      s.feed(std::string_view(buf.data(), static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) return true;
    if (errno == EINTR) {
      if (g_stop) return true;
      continue;
    }
    return errno == EAGAIN;
  }
}

// /dev/kmsg: each read() is one record (its continuation lines follow a '\n').
struct Kmsg {
  int fd = -1;
  bool open(std::ostream& err) {
    fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      err << fmt::format("cordon audit: kmsg: cannot open /dev/kmsg: {}{}\n", strerror(e),
                         e == EPERM || e == EACCES
                             ? " (kernel.dmesg_restrict is set: run as root, or pass a log file)"
                             : "");
      return false;
    }
    lseek(fd, 0, SEEK_DATA);  // from the oldest record still in the buffer
    return true;
  }
  // Reads what is there; false on an error.
  bool read_all(audit::Collector& c, std::ostream& err) {
    std::vector<char> buf(16384);
    for (;;) {
      ssize_t n = read(fd, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR && !g_stop) continue;
        if (errno == EPIPE) continue;  // records were overwritten while we read: go on
        if (errno == EAGAIN || errno == EINTR) return true;
        err << fmt::format("cordon audit: kmsg: read: {}\n", strerror(errno));
        return false;
      }
      if (n == 0) return true;
      std::string_view rec(buf.data(), static_cast<size_t>(n));
      c.add_line(rec.substr(0, rec.find('\n')));
    }
  }
  ~Kmsg() {
    if (fd >= 0) close(fd);
  }
};

// The audit netlink multicast group (AUDIT_NLGRP_READLOG): every record the kernel emits,
// not rate-limited, for callers with CAP_AUDIT_READ. Only what happens after joining.
struct Netlink {
  int fd = -1;
  std::string error;
  bool open() {
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
    if (fd < 0) {
      error = fmt::format("netlink: socket: {}", strerror(errno));
      return false;
    }
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = AUDIT_NLGRP_READLOG;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      int e = errno;
      error = fmt::format("netlink: joining the audit multicast group: {}{}", strerror(e),
                          e == EPERM ? " (it needs CAP_AUDIT_READ in the initial namespace)" : "");
      close(fd);
      fd = -1;
      return false;
    }
    return true;
  }
  void read_all(audit::Collector& c) {
    std::vector<char> buf(65536);
    for (;;) {
      ssize_t n = recv(fd, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR && !g_stop) continue;
        return;  // EAGAIN, or ENOBUFS when records were lost (they are counted nowhere else)
      }
      size_t len = static_cast<size_t>(n);
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
           h = NLMSG_NEXT(h, len)) {
        std::string_view body(static_cast<const char*>(NLMSG_DATA(h)),
                              h->nlmsg_len >= NLMSG_HDRLEN ? h->nlmsg_len - NLMSG_HDRLEN : 0);
        while (!body.empty() && (body.back() == '\0' || body.back() == '\n')) body.remove_suffix(1);
        std::string_view name = audit::record_type_name(h->nlmsg_type);
        c.add_line(fmt::format("type={} msg={}",
                               name.empty() ? std::to_string(h->nlmsg_type) : std::string(name),
                               body));
      }
    }
  }
  ~Netlink() {
    if (fd >= 0) close(fd);
  }
};

// A log file followed across rotation: when the path names another file (or the file
// shrank), the old one is read to its end and the new one from its start.
struct FollowedFile {
  std::string path;
  int fd = -1;
  ino_t ino = 0;
  dev_t dev = 0;
  off_t pos = 0;
  std::unique_ptr<LineSplitter> lines;

  bool open(audit::Collector& c) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    fstat(fd, &st);
    ino = st.st_ino;
    dev = st.st_dev;
    pos = 0;
    lines = std::make_unique<LineSplitter>(c);
    return true;
  }
  void poll_once(audit::Collector& c) {
    if (fd < 0) {
      open(c);
      if (fd < 0) return;
    }
    drain(fd, *lines);
    pos = lseek(fd, 0, SEEK_CUR);
    struct stat now, cur;
    bool rotated = stat(path.c_str(), &now) == 0 && (now.st_ino != ino || now.st_dev != dev);
    bool truncated = fstat(fd, &cur) == 0 && cur.st_size < pos;
    if (rotated || truncated) {
      drain(fd, *lines);
      lines->end();
      close(fd);
      fd = -1;
      open(c);
      if (fd >= 0) drain(fd, *lines);
    }
  }
  ~FollowedFile() {
    if (fd >= 0) close(fd);
  }
};

// An audit daemon holds the audit socket: the kernel then writes nothing to kmsg.
bool audit_daemon_running() {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(e.path() / "comm");
    std::string c;
    if (std::getline(comm, c) && c == "auditd") return true;
  }
  return false;
}

constexpr const char* kAuditdLog = "/var/log/audit/audit.log";

// ---- --since ----------------------------------------------------------------------------------

std::optional<double> local_time(int y, int mo, int d, int h, int mi, int s) {
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<double>(t);
}

// ---- attribution ------------------------------------------------------------------------------

// A policy a denial can be attributed to: the file given on the command line (or recorded
// by the launcher), its compiled Plan, and the options it compiles with (for checking fixes).
struct PolicySource {
  std::string path;
  launcher::Plan plan;
  policy::CheckOptions opts;
};

struct Resolved {
  std::optional<audit::Attribution> attribution;
  const PolicySource* policy = nullptr;
  std::string sandbox;  // "ID (pid N, matched by pid)"; "" when not from the registry
  FixTarget target;     // the file a fix to `policy` writes
  std::optional<Edited> fix;
  std::string diff;
  std::string fix_note;  // why a suggested change has no diff, or where the diff goes
};

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Where a new including file goes: the user's own configuration folder, never the working
// directory — a sandbox that wrote there (cli's `rw ${PWD}`) could rewrite the fix before the
// next launch, and cordon run refuses a policy inside its rw binds.
std::string local_policy_dir() {
  namespace fs = std::filesystem;
  if (const char* x = getenv("XDG_CONFIG_HOME"); x && x[0] == '/')
    return (fs::path(x) / "cordon").string();
  if (const char* h = getenv("HOME"); h && h[0] == '/')
    return (fs::path(h) / ".config" / "cordon").string();
  std::error_code ec;
  auto p = fs::current_path(ec);
  return ec ? std::string(".") : p.string();
}

// The diff label: the path relative to the working directory when it lies beneath it (so
// `patch -p0` applies it), else as given; a new including file's is its name alone, applied
// with `patch -p0 -d` its folder (patch ignores absolute names).
std::string diff_label(const std::string& path, bool new_file = false) {
  if (new_file) return std::filesystem::path(path).filename().string();
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  auto cwd = std::filesystem::current_path(ec);
  if (!ec) {
    auto rel = abs.lexically_normal().lexically_relative(cwd);
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
  }
  return path;
}

// The attribution of `d` to a rule of `plan` (compiled from `path`): a generated AppArmor
// profile's denial to the entry behind its line, an SELinux denial of the module's domain to
// the entry behind its target type, anything else by the audit library.
audit::Attribution attribute_in(const audit::Denial& d, const launcher::Plan& plan,
                                const std::string& path) {
  if (auto a = cli::attribute_generated_apparmor(d, plan, path)) return *a;
  // An SELinux denial of the domain --emit selinux-cil writes: to the entry behind its type.
  if (auto a = cli::attribute_selinux_module(d, plan, path)) return *a;
  return audit::attribute(d, plan);
}

// Does the edited text decide `d` the way the change meant? Compiles it and attributes the
// denial again: the entry on the edited line must now decide, allowing it.
// `path` is the file the edit writes: the policy itself, or a new file including it.
bool fix_works(const audit::Denial& d, const PolicySource& src, const std::string& path,
               const Edited& e, const audit::Change& c, std::string& why) {
  policy::Diagnostics diags;
  policy::PolicyIR ir = policy::check_policy_text(path, e.text, src.opts, diags);
  if (diags.has_errors()) {
    why = fmt::format("the edited policy does not compile ({} errors)", diags.error_count());
    return false;
  }
  auto plan = compiler::compile_plan(ir, src.opts);
  if (!plan) {
    why = plan.error().message();
    return false;
  }
  if (d.source == "seccomp") {
    // The denial's own action no longer comes out of the filter: ask for an allow instead.
    audit::Denial allowed = d;
    allowed.action = "allow";
    audit::Attribution a = audit::attribute(allowed, *plan);
    std::string want = fmt::format("{}:{}:", path, e.line);
    if (a.rule && a.rule->starts_with(want) && a.rule_action.starts_with("allow")) return true;
    why = fmt::format("after the edit the call is decided by {}", a.rule.value_or("the default"));
    return false;
  }
  audit::Attribution a = attribute_in(d, *plan, path);
  std::string want = fmt::format("{}:{}:", path, e.line);
  bool ok = a.rule && a.rule->starts_with(want);
  if (ok && c.block == "filesystem") ok = a.rule_action.starts_with(c.kind + " ");
  if (!ok) why = fmt::format("after the edit the access is decided by {}", a.rule.value_or("none"));
  return ok;
}

// The directories of shipped profiles a policy compiled with `opts` draws on.
std::vector<std::string> library_dirs(const policy::CheckOptions& opts) {
  std::vector<std::string> dirs = opts.search_path;
  dirs.push_back(policy::profiles_dir());
  return dirs;
}

// The text a fix to `target` starts from: the policy's own, or a new including file's.
std::optional<std::string> base_text(const FixTarget& target) {
  if (!target.includes.empty()) return including_file_text(target.includes);
  return read_text(target.path);
}

// What the diff of a new including file means for the next run.
std::string new_file_note(const FixTarget& t) {
  const std::filesystem::path p(t.path);
  return fmt::format(
      "{} is a shipped profile: the diff creates {}, which includes it; apply it with "
      "`mkdir -p {} && patch -p0 -d {}` and run with -p {}",
      std::filesystem::path(t.includes).filename().string(), t.path, p.parent_path().string(),
      p.parent_path().string(), t.path);
}

class Resolver {
 public:
  Resolver(std::vector<PolicySource> given, std::vector<std::string> registry_dirs,
           std::ostream& err)
      : given_(std::move(given)), dirs_(std::move(registry_dirs)), err_(err) {
    reload();
  }

  void reload() {
    last_reload_ = now_seconds();
    records_.clear();
    std::vector<std::string> refused;
    for (const auto& d : dirs_)
      for (auto& r : launcher::read_registry(d, nullptr, &refused))
        records_.push_back(std::move(r));
    for (const auto& why : refused)
      if (warned_.insert(why).second)
        err_ << "cordon audit: warning: ignoring registry record " << why << "\n";
    audit::newest_first(records_);
  }
  size_t sandboxes() const { return records_.size(); }
  // The sandbox a denial came from, for telling apart equal denials of different sandboxes.
  // Following, a sandbox started after the last reading of the registry is looked for again
  // (at most twice a second).
  std::string sandbox_id(const audit::Denial& d, bool follow) {
    auto m = audit::match_sandbox(d, records_, now_seconds(), audit::live_pid_ns);
    if (!m && follow && now_seconds() - last_reload_ > 0.5) {
      reload();
      m = audit::match_sandbox(d, records_, now_seconds(), audit::live_pid_ns);
    }
    return m ? m->record->id : std::string();
  }

  Resolved resolve(const audit::Denial& d) {
    Resolved out;
    uid_t sandbox_uid = geteuid();  // who ran the sandbox: the caller, unless the registry says
    if (!given_.empty()) {
      for (const auto& p : given_) {
        audit::Attribution a = attribute_in(d, p.plan, p.path);
        if (!out.attribution || (a.rule && !out.attribution->rule)) {
          out.attribution = std::move(a);
          out.policy = &p;
        }
        if (out.attribution->rule) break;
      }
    } else if (auto m = audit::match_sandbox(d, records_, now_seconds(), audit::live_pid_ns)) {
      const auto& r = *m.value().record;
      sandbox_uid = r.uid;
      out.sandbox = fmt::format("{} ({}, matched by {})", r.id,
                                r.command.empty() ? "?" : r.command.front(), m->how);
      const PolicySource* src = policy_of(r);
      if (src) {
        out.attribution = attribute_in(d, src->plan, src->path);
        out.policy = src;
        if (src->plan.policy_hash != r.policy_hash) {
          std::string n = "the policy changed since that sandbox ran; this is today's rule";
          out.attribution->note =
              out.attribution->note.empty() ? n : out.attribution->note + "; " + n;
        }
      } else {
        audit::Attribution a;
        a.note = failures_[r.id];
        out.attribution = std::move(a);
      }
    }
    if (out.attribution && out.attribution->change && out.policy) {
      const audit::Change& c = *out.attribution->change;
      out.target = fix_target(out.policy->path, library_dirs(out.policy->opts), geteuid(),
                              sandbox_uid, local_policy_dir());
      const FixTarget& t = out.target;
      if (t.path.empty()) {
        out.fix_note = "no diff: " + t.why;
        return out;
      }
      auto text = base_text(t);
      auto e =
          text ? apply_change(t.path, *text, c) : Result<Edited>(fail("cannot read " + t.path));
      std::string why;
      if (!e) {
        out.fix_note = e.error().message();
      } else if (!fix_works(d, *out.policy, t.path, *e, c, why)) {
        out.fix_note = "no diff: " + why;
      } else if (t.includes.empty()) {
        out.diff = unified_diff(diff_label(t.path), *text, e->text);
        out.fix = std::move(*e);
      } else {
        out.diff = unified_diff(diff_label(t.path, true), "", e->text, "/dev/null");
        out.fix_note = new_file_note(t);
        out.fix = std::move(*e);
      }
    }
    return out;
  }

 private:
  // The policy a registered sandbox ran, compiled again with the same variables (once).
  const PolicySource* policy_of(const launcher::SandboxRecord& r) {
    if (auto it = compiled_.find(r.id); it != compiled_.end()) return it->second.get();
    auto& slot = compiled_[r.id];
    if (r.policy_files.empty()) {
      failures_[r.id] = "the sandbox's registry record names no policy file";
      return nullptr;
    }
    const std::string& path = r.policy_files.front();
    // Another user's record names a file: compile it only if that user or root owns it, so a
    // record cannot make this process read (and quote) a file its writer could not.
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      failures_[r.id] = fmt::format("the sandbox's policy {} is gone: {}", path, strerror(errno));
      return nullptr;
    }
    if (r.uid != geteuid() && st.st_uid != r.uid && st.st_uid != 0) {
      failures_[r.id] =
          fmt::format("{} is not owned by uid {} (who ran the sandbox) or root", path, r.uid);
      return nullptr;
    }
    auto src = std::make_unique<PolicySource>();
    src->path = path;
    src->opts.vars = r.vars;
    src->opts.search_path = r.search_path;
    policy::Diagnostics diags;
    auto plan = compiler::compile_file(path, src->opts, diags);
    if (!plan) {
      failures_[r.id] = fmt::format(
          "the sandbox's policy {} no longer compiles: run cordon check {}", path, path);
      return nullptr;
    }
    src->plan = std::move(*plan);
    slot = std::move(src);
    return slot.get();
  }

  std::vector<PolicySource> given_;
  std::vector<std::string> dirs_;
  std::ostream& err_;
  std::set<std::string> warned_;  // each refused record is told once, not at every reload
  std::vector<launcher::SandboxRecord> records_;
  double last_reload_ = 0;
  std::map<std::string, std::unique_ptr<PolicySource>> compiled_;
  std::map<std::string, std::string> failures_;
};

// ---- output -----------------------------------------------------------------------------------

size_t width(const std::string& s) {
  // Width in code points, so "×" and non-ASCII comm values do not skew the columns.
  size_t cps = 0;
  for (unsigned char ch : s) cps += (ch & 0xC0) != 0x80;
  return cps;
}

std::string pad(const std::string& s, size_t w) {
  size_t n = width(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}

std::string rule_text(const Resolved& r) {
  const auto& a = r.attribution;
  if (a && a->rule) return *a->rule;
  if (a && !a->rule_action.empty()) return "(" + a->rule_action + ")";
  return "-";
}

void print_details(const audit::Entry& e, const Resolved& r, std::ostream& out) {
  if (!r.attribution) return;
  const auto& a = *r.attribution;
  out << audit::short_line(e, a) << "\n";
  if (!r.sandbox.empty()) out << "    sandbox: " << r.sandbox << "\n";
  if (!a.note.empty()) out << "    note: " << a.note << "\n";
  if (a.suggestion) out << "    fix:  " << *a.suggestion << "\n";
  if (!r.fix_note.empty()) out << "          (" << r.fix_note << ")\n";
  if (!r.diff.empty()) {
    std::istringstream lines(r.diff);
    std::string l;
    while (std::getline(lines, l)) out << "      " << l << "\n";
  }
}

void print_table(const std::vector<audit::Entry>& entries, const std::vector<Resolved>& res,
                 std::ostream& out) {
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({"COUNT", "SOURCE", "PROCESS", "WHAT", "ACTION", "RULE"});
  bool any_attribution = false;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& d = entries[i].denial;
    std::string action = audit::action_text(d);
    if (d.kind == "logged") action = "log (ran, logged)";
    rows.push_back({std::to_string(entries[i].count), d.source, audit::process_text(d),
                    audit::what_text(d), action, rule_text(res[i])});
    any_attribution |= res[i].attribution.has_value();
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
  if (!any_attribution) return;
  out << "\n";
  for (size_t i = 0; i < entries.size(); ++i) print_details(entries[i], res[i], out);
}

nlohmann::json json_of(const audit::Entry& e, const Resolved& r) {
  auto j = audit::to_json(e, r.attribution ? &*r.attribution : nullptr);
  j["policy"] = r.policy ? nlohmann::json(r.policy->path) : nlohmann::json(nullptr);
  j["sandbox"] = r.sandbox.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.sandbox);
  j["diff"] = r.diff.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.diff);
  return j;
}

// Every verified fix, one policy file at a time, as one patch.
std::string combined_diff(const std::vector<audit::Entry>& entries,
                          const std::vector<Resolved>& res, std::ostream& err) {
  struct Texts {
    std::string before, after;
    const FixTarget* target;
  };
  std::map<std::string, Texts> texts;  // by the file the fix writes
  for (size_t i = 0; i < entries.size(); ++i) {
    const Resolved& r = res[i];
    if (!r.fix || !r.policy) continue;
    const std::string& path = r.target.path;
    auto it = texts.find(path);
    if (it == texts.end()) {
      auto t = base_text(r.target);
      if (!t) continue;
      std::string before = r.target.includes.empty() ? *t : "";
      it = texts.emplace(path, Texts{before, *t, &r.target}).first;
    }
    auto e = apply_change(path, it->second.after, *r.attribution->change);
    std::string why;
    if (!e || !fix_works(entries[i].denial, *r.policy, path, *e, *r.attribution->change, why)) {
      err << fmt::format("cordon audit: {}: left out of the patch: {}\n",
                         r.attribution->change->entry, e ? why : e.error().message());
      continue;
    }
    it->second.after = std::move(e->text);
  }
  std::string out;
  for (const auto& [path, t] : texts) {
    if (t.target->includes.empty()) {
      out += unified_diff(diff_label(path), t.before, t.after);
      continue;
    }
    out += unified_diff(diff_label(path, true), "", t.after, "/dev/null");
    err << "cordon audit: " << new_file_note(*t.target) << "\n";
  }
  return out;
}

}  // namespace

std::optional<double> parse_since(const std::string& text, double now) {
  std::string s = text;
  if (s.empty()) return std::nullopt;
  if (s == "today" || s == "yesterday") {
    time_t t = static_cast<time_t>(now);
    struct tm tm;
    localtime_r(&t, &tm);
    auto midnight = local_time(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0);
    if (!midnight) return std::nullopt;
    return s == "today" ? *midnight : *midnight - 86400;
  }
  if (s.front() == '@') s.erase(0, 1);
  {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && v >= 0) {
      if (text.front() == '@' || v > 1e8) return v;  // an epoch time
    }
  }
  // A duration ago: N followed by s, m, h or d.
  if (s.size() >= 2 && std::string_view("smhd").find(s.back()) != std::string_view::npos) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
    if (ec == std::errc() && p == s.data() + s.size() - 1) {
      double unit = s.back() == 's' ? 1 : s.back() == 'm' ? 60 : s.back() == 'h' ? 3600 : 86400;
      return now - static_cast<double>(n) * unit;
    }
  }
  int y, mo, d, h = 0, mi = 0, sec = 0;
  char sep = 0;
  char tail = 0;
  int got =
      sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%c", &y, &mo, &d, &sep, &h, &mi, &sec, &tail);
  if (got == 3 || ((got == 6 || got == 7) && (sep == ' ' || sep == 'T'))) {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    return local_time(y, mo, d, h, mi, sec);
  }
  return std::nullopt;
}

int cmd_audit(const AuditOptions& opts, std::ostream& out, std::ostream& err) {
  std::optional<double> since;
  if (!opts.since.empty()) {
    since = parse_since(opts.since, now_seconds());
    if (!since) {
      err << fmt::format(
          "cordon audit: --since {}: not a time (use @EPOCH, YYYY-MM-DD[ HH:MM[:SS]], today, "
          "yesterday, or a duration ago such as 10m, 2h, 1d)\n",
          opts.since);
      return kExitUsage;
    }
  }
  // Compile the policies first: a policy error is reported before any log is read.
  std::vector<PolicySource> given;
  for (const auto& path : opts.policies) {
    PolicySource src;
    src.path = path;
    src.opts.vars = opts.vars;
    src.opts.search_path = policy::default_search_path();
    policy::Diagnostics diags;
    auto plan = compiler::compile_file(path, src.opts, diags);
    if (!plan) {
      err << diags.render(false);
      if (!diags.has_errors()) err << fmt::format("{}: error: {}\n", path, plan.error().message());
      return kExitPolicy;
    }
    src.plan = std::move(*plan);
    given.push_back(std::move(src));
  }

  std::vector<std::string> sources = opts.sources;
  if (sources.empty()) {
    // The live source: the daemon's log while one holds the audit socket (the kernel then
    // writes nothing to kmsg), else kmsg; following, also the multicast group if we may join.
    if (audit_daemon_running() && access(kAuditdLog, R_OK) == 0) {
      sources.push_back(kAuditdLog);
      err << fmt::format("cordon audit: an audit daemon is running: reading {}\n", kAuditdLog);
    } else {
      sources.push_back("kmsg");
    }
  }
  for (const auto& s : sources) {
    if (s == "-" || s == "kmsg" || s == "netlink") continue;
    std::error_code ec;
    if (std::filesystem::is_directory(s, ec)) {
      err << fmt::format("cordon audit: {}: is a directory, not a log file\n", s);
      return kExitUsage;
    }
    if (access(s.c_str(), R_OK) != 0) {
      err << fmt::format("cordon audit: {}: cannot open: {}\n", s, strerror(errno));
      return kExitUsage;
    }
  }
  if (!opts.follow && std::count(sources.begin(), sources.end(), "netlink")) {
    err << "cordon audit: netlink: the multicast group carries only new records: use --follow\n";
    return kExitUsage;
  }

  std::vector<std::string> dirs;
  if (!opts.no_registry && given.empty())
    dirs = opts.registries.empty() ? audit::registry_dirs_to_read() : opts.registries;
  Resolver resolver(std::move(given), dirs, err);

  audit::Collector c;
  if (since) c.since = *since;
  if (!dirs.empty() && (opts.follow || resolver.sandboxes() > 0))
    c.tag = [&resolver, &opts](const audit::Denial& d) {
      return resolver.sandbox_id(d, opts.follow);
    };

  // Following: each new distinct denial is printed when it first appears.
  size_t printed = 0;
  auto print_new = [&] {
    const auto& entries = c.entries();
    if (printed < entries.size()) resolver.reload();
    for (; printed < entries.size(); ++printed) {
      Resolved r = resolver.resolve(entries[printed].denial);
      if (opts.json) {
        out << json_of(entries[printed], r).dump() << "\n";
      } else if (r.attribution) {
        print_details(entries[printed], r, out);
      } else {
        out << audit::short_line(entries[printed], audit::Attribution{}) << "\n";
      }
      out.flush();
    }
  };

  if (!opts.follow) {
    for (const auto& s : sources) {
      if (s == "kmsg") {
        Kmsg k;
        if (!k.open(err) || !k.read_all(c, err)) return kExitUsage;
        continue;
      }
      int fd = s == "-" ? dup(STDIN_FILENO) : open(s.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        err << fmt::format("cordon audit: {}: cannot open: {}\n", s, strerror(errno));
        return kExitUsage;
      }
      LineSplitter lines(c);
      bool ok = drain(fd, lines);
      int e = errno;
      close(fd);
      lines.end();
      if (!ok) {
        err << fmt::format("cordon audit: {}: read: {}\n", s, strerror(e));
        return kExitUsage;
      }
    }
    c.finish();
  } else {
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::vector<std::unique_ptr<Kmsg>> kmsgs;
    std::vector<std::unique_ptr<Netlink>> links;
    std::vector<std::unique_ptr<FollowedFile>> files;
    std::unique_ptr<LineSplitter> stdin_lines;
    for (const auto& s : sources) {
      if (s == "kmsg") {
        kmsgs.push_back(std::make_unique<Kmsg>());
        if (!kmsgs.back()->open(err)) return kExitUsage;
      } else if (s == "netlink") {
        links.push_back(std::make_unique<Netlink>());
        if (!links.back()->open()) {
          err << "cordon audit: " << links.back()->error << "\n";
          return kExitUsage;
        }
      } else if (s == "-") {
        stdin_lines = std::make_unique<LineSplitter>(c);
        fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
      } else {
        files.push_back(std::make_unique<FollowedFile>());
        files.back()->path = s;
        files.back()->open(c);
      }
    }
    err << "cordon audit: following (Ctrl-C or SIGTERM to stop and print the summary)\n";
    bool stdin_open = stdin_lines != nullptr;
    while (!g_stop) {
      for (auto& k : kmsgs) k->read_all(c, err);
      for (auto& l : links) l->read_all(c);
      for (auto& f : files) f->poll_once(c);
      if (stdin_open) {
        std::array<char, 65536> buf;
        ssize_t n;
        while ((n = read(STDIN_FILENO, buf.data(), buf.size())) > 0)
          stdin_lines->feed(std::string_view(buf.data(), static_cast<size_t>(n)));
        if (n == 0) stdin_open = false, stdin_lines->end();
      }
      print_new();
      std::vector<pollfd> fds;
      for (auto& k : kmsgs) fds.push_back({k->fd, POLLIN, 0});
      for (auto& l : links) fds.push_back({l->fd, POLLIN, 0});
      if (stdin_open) fds.push_back({STDIN_FILENO, POLLIN, 0});
      // Files have no readiness: look again in 250 ms. A quiet interval ends the events still
      // open (the kernel writes an event's records together), so their denials show now.
      if (poll(fds.data(), fds.size(), 250) == 0) {
        c.finish();
        print_new();
      }
    }
    c.finish();
    print_new();
    err << "cordon audit: " << c.summary() << "\n";
    return kExitOk;
  }

  const auto& entries = c.entries();
  std::vector<Resolved> res;
  res.reserve(entries.size());
  for (const auto& e : entries) res.push_back(resolver.resolve(e.denial));

  if (opts.diff) {
    std::string patch = combined_diff(entries, res, err);
    out << patch;
    if (patch.empty()) err << "cordon audit: no policy change to suggest\n";
  } else if (opts.json) {
    for (size_t i = 0; i < entries.size(); ++i) out << json_of(entries[i], res[i]).dump() << "\n";
  } else if (entries.empty()) {
    out << "no denials found\n";
  } else {
    print_table(entries, res, out);
  }
  err << "cordon audit: " << c.summary();
  if (!dirs.empty()) err << fmt::format(", {} registered sandboxes", resolver.sandboxes());
  err << "\n";
  return kExitOk;
}

int cmd_audit(const AuditOptions& opts) { return cmd_audit(opts, std::cout, std::cerr); }

}  // namespace cordon::cli
