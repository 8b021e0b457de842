// bench_launch: wall-clock latency of launching /bin/true through cordon and its peers.
//
//   cordon (cached)    cordon run -p PROFILE -- /bin/true, the plan already in the cache
//   cordon (no-cache)  the same with --no-cache: parse, check and compile the policy every time
//   bwrap              bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev /bin/true
//   unshare            unshare -Urpfnm --mount-proc /bin/true
//   /bin/true          plain fork+exec: the floor of this machine
//
// Each runs as root and as an unprivileged user (65534). The bench forks the child itself and
// drops to 65534 in the child before execve, so no extra process (setpriv, su) is timed. Every
// mode gets its own HOME and XDG_CACHE_HOME, a fresh temp folder owned by that mode's user, so
// the plan cache works for it and the bench neither reads nor pollutes the caller's cache.
//
// One untimed warm-up launch per case fills the plan cache and checks that every command
// succeeds; then all cases run round-robin in one process, the starting case rotating each round,
// so machine noise hits all alike. A sample is fork() to waitpid() of one launch.
//
// Usage: bench_launch [--runs N] [--cordon PATH] [--profile NAME]
//   --runs N        timed launches per case (default 30)
//   --cordon PATH   the cordon binary (default: ../cordon beside this bench's folder)
//   --profile NAME  the policy given to -p (default service)
#include <fcntl.h>
#include <fmt/core.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/common.h"

extern char** environ;

namespace {

using cordon::bench::describe;
using cordon::bench::errno_str;
using cordon::bench::find_in_path;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uid_t kNobody = 65534;

std::vector<std::string> g_tmpdirs;  // removed on every exit path

void cleanup() {
  std::error_code ec;
  for (const auto& d : g_tmpdirs) fs::remove_all(d, ec);
}

[[noreturn]] void die(const std::string& msg) {
  fmt::print(stderr, "bench_launch: {}\n", msg);
  cleanup();
  std::exit(1);
}

struct Stats {
  double median = 0, p10 = 0, p90 = 0;
};

// Nearest-rank percentile of a sorted sample.
double percentile(const std::vector<double>& sorted, int pct) {
  size_t n = sorted.size();
  size_t rank = (n * pct + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  Stats s;
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  s.p10 = percentile(v, 10);
  s.p90 = percentile(v, 90);
  return s;
}

// Who a launch runs as, and the environment it gets.
struct Mode {
  std::string name;
  bool drop = false;  // setgroups/setresgid/setresuid to 65534 in the child before exec
  std::string home;   // HOME and XDG_CACHE_HOME
  std::vector<std::string> env;
};

struct Peer {
  std::string name;
  std::string missing;  // why it cannot run here; empty when installed
  std::vector<std::string> argv;
};

struct Case {
  const Peer* peer;
  const Mode* mode;
  std::vector<char*> argv, envp;  // point into peer->argv / mode->env, built once
  std::vector<double> ms;
};

std::string make_home(uid_t owner) {
  char tmpl[] = "/tmp/cordon-bench-XXXXXX";
  if (!mkdtemp(tmpl)) die(fmt::format("mkdtemp /tmp/cordon-bench-XXXXXX: {}", errno_str(errno)));
  g_tmpdirs.push_back(tmpl);
  if (owner != geteuid() && chown(tmpl, owner, owner) != 0)
    die(fmt::format("chown `{}` to {}: {}", tmpl, owner, errno_str(errno)));
  return tmpl;
}

std::vector<std::string> make_env(const std::string& home) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    if (kv.rfind("HOME=", 0) == 0 || kv.rfind("XDG_CACHE_HOME=", 0) == 0) continue;
    env.emplace_back(kv);
  }
  env.push_back("HOME=" + home);
  env.push_back("XDG_CACHE_HOME=" + home);
  return env;
}

// The fds a launch gets: stdin and stdout on /dev/null, stderr on a memfd the parent reads
// after the clock stops.
struct Io {
  int devnull = -1;
  int err = -1;
};

struct Launch {
  double ms = 0;
  int status = 0;
  std::string stderr_text;
};

// Child side of fork(): only async-signal-safe calls; a failure is written to the stderr memfd.
[[noreturn]] void child(const Case& c, const Io& io) {
  auto fail = [](const char* what) {
    const char* e = strerrorname_np(errno);
    (void)!write(2, "bench_launch child: ", 20);
    (void)!write(2, what, strlen(what));
    (void)!write(2, ": ", 2);
    if (e) (void)!write(2, e, strlen(e));
    (void)!write(2, "\n", 1);
    _exit(124);
  };
  if (dup2(io.devnull, 0) < 0 || dup2(io.devnull, 1) < 0 || dup2(io.err, 2) < 0) fail("dup2");
  if (c.mode->drop) {
    if (setgroups(0, nullptr) != 0) fail("setgroups");
    if (setresgid(kNobody, kNobody, kNobody) != 0) fail("setresgid 65534");
    if (setresuid(kNobody, kNobody, kNobody) != 0) fail("setresuid 65534");
  }
  execve(c.argv[0], c.argv.data(), c.envp.data());
  fail("execve");
  _exit(127);
}

Launch launch(const Case& c, const Io& io) {
  // Empty the stderr file; the child's dup shares this offset.
  if (ftruncate(io.err, 0) != 0 || lseek(io.err, 0, SEEK_SET) != 0)
    die(fmt::format("reset stderr memfd: {}", errno_str(errno)));
  Launch r;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) die(fmt::format("fork: {}", errno_str(errno)));
  if (pid == 0) child(c, io);
  while (waitpid(pid, &r.status, 0) < 0) {
    if (errno != EINTR) die(fmt::format("waitpid: {}", errno_str(errno)));
  }
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

  off_t len = lseek(io.err, 0, SEEK_END);
  if (len > 0) {
    r.stderr_text.resize(static_cast<size_t>(len));
    if (pread(io.err, r.stderr_text.data(), r.stderr_text.size(), 0) != len)
      die(fmt::format("read stderr memfd: {}", errno_str(errno)));
  }
  return r;
}

std::string case_name(const Case& c) { return c.peer->name + " as " + c.mode->name; }

// Fails loudly on anything but exit 0: the command, how it ended, and everything it printed.
void require_success(const Case& c, const Launch& r) {
  if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) return;
  std::string how = WIFEXITED(r.status) ? fmt::format("exited {}", WEXITSTATUS(r.status))
                                        : fmt::format("died of signal {} ({})", WTERMSIG(r.status),
                                                      sigabbrev_np(WTERMSIG(r.status)));
  die(fmt::format("{}: `{}` {}; its stderr:\n{}", case_name(c), describe(c.peer->argv), how,
                  r.stderr_text.empty() ? "(empty)\n" : r.stderr_text));
}

std::string ms_str(double v) { return fmt::format("{:.2f}", v); }

}  // namespace

int main(int argc, char** argv) {
  int runs = 30;
  std::string cordon_path, profile = "service";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      std::string f = flag;
      if (a == f && i + 1 < argc) return std::string(argv[++i]);
      if (a.rfind(f + "=", 0) == 0) return a.substr(f.size() + 1);
      return std::nullopt;
    };
    if (auto v = value("--runs")) {
      runs = std::atoi(v->c_str());
    } else if (auto v = value("--cordon")) {
      cordon_path = *v;
    } else if (auto v = value("--profile")) {
      profile = *v;
    } else {
      fmt::print(stderr, "usage: {} [--runs N] [--cordon PATH] [--profile NAME]\n", argv[0]);
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (runs < 1) die("--runs must be at least 1");

  if (cordon_path.empty()) {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) die(fmt::format("readlink /proc/self/exe: {}", ec.message()));
    cordon_path = (self.parent_path().parent_path() / "cordon").string();
  }
  cordon_path = fs::absolute(cordon_path).lexically_normal().string();

  const std::string truebin = "/bin/true";
  if (access(truebin.c_str(), X_OK) != 0)
    die(fmt::format("access `{}`: {}", truebin, errno_str(errno)));

  // The peers, in table order. A missing one stays in the table as "not installed".
  std::vector<Peer> peers;
  {
    std::string missing = access(cordon_path.c_str(), X_OK) == 0 ? "" : cordon_path;
    peers.push_back({"cordon", missing, {cordon_path, "run", "-p", profile, "--", truebin}});
    peers.push_back({"cordon --no-cache",
                     missing,
                     {cordon_path, "run", "--no-cache", "-p", profile, "--", truebin}});
    auto bwrap = find_in_path("bwrap");
    peers.push_back({"bwrap",
                     bwrap ? "" : "bwrap not in PATH",
                     {bwrap.value_or("bwrap"), "--unshare-all", "--ro-bind", "/", "/", "--proc",
                      "/proc", "--dev", "/dev", truebin}});
    auto unshare = find_in_path("unshare");
    peers.push_back({"unshare",
                     unshare ? "" : "unshare not in PATH",
                     {unshare.value_or("unshare"), "-Urpfnm", "--mount-proc", truebin}});
    peers.push_back({"/bin/true", "", {truebin}});
  }

  // Modes: root and 65534 when run as root; otherwise only the caller, and the root rows say why.
  std::vector<Mode> modes;
  std::string root_skipped;
  if (geteuid() == 0) {
    modes.push_back({"root", false, make_home(0), {}});
    modes.push_back({"uid 65534", true, make_home(kNobody), {}});
  } else {
    root_skipped = "bench not run as root";
    modes.push_back({fmt::format("uid {}", geteuid()), false, make_home(geteuid()), {}});
  }
  for (auto& m : modes) m.env = make_env(m.home);

  std::vector<Case> cases;
  for (const auto& m : modes) {
    for (const auto& p : peers) {
      if (!p.missing.empty()) continue;
      Case c{&p, &m, {}, {}, {}};
      for (const auto& a : p.argv) c.argv.push_back(const_cast<char*>(a.c_str()));
      c.argv.push_back(nullptr);
      for (const auto& e : m.env) c.envp.push_back(const_cast<char*>(e.c_str()));
      c.envp.push_back(nullptr);
      c.ms.reserve(static_cast<size_t>(runs));
      cases.push_back(std::move(c));
    }
  }

  Io io;
  io.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (io.devnull < 0) die(fmt::format("open `/dev/null`: {}", errno_str(errno)));
  io.err = memfd_create("bench_launch-stderr", MFD_CLOEXEC);
  if (io.err < 0) die(fmt::format("memfd_create: {}", errno_str(errno)));

  // Warm-up: fills each mode's plan cache, proves every command works, and keeps what each
  // printed on stderr (e.g. unprivileged cordon's cgroup fallbacks) to show below the table.
  std::vector<std::string> warmup_notes;
  for (const auto& c : cases) {
    Launch r = launch(c, io);
    require_success(c, r);
    if (!r.stderr_text.empty()) warmup_notes.push_back(case_name(c) + ":\n" + r.stderr_text);
  }
  // The cached rows must really hit the cache: ask cordon where its plan came from.
  for (const auto& c : cases) {
    if (c.peer->name != "cordon") continue;
    Case v = c;
    std::vector<std::string> vargv = c.peer->argv;
    vargv.insert(vargv.begin() + 2, "-v");
    v.argv.clear();
    for (const auto& a : vargv) v.argv.push_back(const_cast<char*>(a.c_str()));
    v.argv.push_back(nullptr);
    Launch r = launch(v, io);
    require_success(v, r);
    if (r.stderr_text.find("from the cache") == std::string::npos)
      die(fmt::format("{}: plan cache not warm after a launch; `{} -v` said:\n{}", case_name(c),
                      describe(c.peer->argv), r.stderr_text));
  }

  // Timed: round-robin, the first case rotating each round.
  const size_t n = cases.size();
  for (int round = 0; round < runs; ++round) {
    for (size_t k = 0; k < n; ++k) {
      Case& c = cases[(static_cast<size_t>(round) + k) % n];
      Launch r = launch(c, io);
      require_success(c, r);
      c.ms.push_back(r.ms);
    }
  }

  struct utsname u;
  uname(&u);
  fmt::print(
      "bench_launch: {} timed launches per case, interleaved round-robin; kernel {}, {} CPUs\n",
      runs, u.release, sysconf(_SC_NPROCESSORS_ONLN));
  fmt::print("cordon: {} -p {}\n\n", cordon_path, profile);

  // Medians by (peer, mode) for the ratios.
  auto median_of = [&](const std::string& peer, const Mode& m) -> std::optional<double> {
    for (const auto& c : cases)
      if (c.peer->name == peer && c.mode == &m) return stats(c.ms).median;
    return std::nullopt;
  };

  fmt::print("{:<18} {:<10} {:>10} {:>8} {:>8}  {}\n", "peer", "mode", "median ms", "p10", "p90",
             "above /bin/true");
  if (!root_skipped.empty())
    for (const auto& p : peers)
      fmt::print("{:<18} {:<10} skipped: {}\n", p.name, "root", root_skipped);
  for (const auto& m : modes) {
    double floor = *median_of("/bin/true", m);
    for (const auto& p : peers) {
      if (!p.missing.empty()) {
        fmt::print("{:<18} {:<10} not installed ({})\n", p.name, m.name, p.missing);
        continue;
      }
      for (const auto& c : cases) {
        if (c.peer != &p || c.mode != &m) continue;
        Stats s = stats(c.ms);
        fmt::print("{:<18} {:<10} {:>10} {:>8} {:>8}  {:>+.2f} ms\n", p.name, m.name,
                   ms_str(s.median), ms_str(s.p10), ms_str(s.p90), s.median - floor);
      }
    }
  }

  // Ratios of medians; "above floor" divides the time each spends above plain fork+exec.
  fmt::print("\nratios of medians (<1 means cordon is faster)\n");
  fmt::print("{:<10} {:<34} {:>8} {:>13}\n", "mode", "", "total", "above floor");
  for (const auto& m : modes) {
    double floor = *median_of("/bin/true", m);
    for (const char* ours : {"cordon", "cordon --no-cache"}) {
      for (const char* theirs : {"bwrap", "unshare"}) {
        std::string label = fmt::format("{} / {}", ours, theirs);
        auto a = median_of(ours, m), b = median_of(theirs, m);
        if (!a || !b) {
          fmt::print("{:<10} {:<34} n/a ({} not installed)\n", m.name, label, !a ? ours : theirs);
          continue;
        }
        fmt::print("{:<10} {:<34} {:>8} {:>13}\n", m.name, label, fmt::format("{:.2f}x", *a / *b),
                   fmt::format("{:.2f}x", (*a - floor) / (*b - floor)));
      }
    }
  }

  fmt::print(
      "\nwhat each applies\n"
      "  cordon     user/pid/mount/net/ipc/uts/cgroup namespaces, a new tmpfs root with binds\n"
      "             (pivot_root), fresh /proc and minimal /dev, Landlock, seccomp, capabilities,\n"
      "             rlimits, cgroup limits (as root; unprivileged falls back to rlimits)\n"
      "  bwrap      namespaces + bind of / + proc + dev; no seccomp, no Landlock\n"
      "  unshare    namespaces + proc\n"
      "  /bin/true  nothing: the fork+exec floor\n");
  if (!warmup_notes.empty()) {
    fmt::print("\nstderr of the warm-up launches (timed launches print alike)\n");
    for (std::string note : warmup_notes) {
      while (!note.empty() && note.back() == '\n') note.pop_back();
      // Indent every line under its case.
      std::string indented = "  ";
      for (char ch : note) indented += ch == '\n' ? std::string("\n    ") : std::string(1, ch);
      fmt::print("{}\n", indented);
    }
  }
  cleanup();
  return 0;
}
