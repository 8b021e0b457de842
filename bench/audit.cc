// bench_audit: how fast `cordon audit` reads a large auditd log, and in how much memory,
// against auditd's own search tool on the same file.
//
//   cordon         cordon audit FILE --json           every record parsed, grouped into events,
//                                                     the denials of four sources kept, enriched
//                                                     from their events and deduplicated
//   ausearch       ausearch -m SECCOMP,AVC -if FILE   the events holding a SECCOMP or AVC record,
//                                                     printed raw (no interpretation)
//   cordon (1/10)  cordon audit on a log of a tenth the lines: memory must not grow with input
//
// The log is generated, the same for a given seed: auditd's raw format, mostly SYSCALL/EXECVE/
// CWD/PATH/SOCKADDR/PROCTITLE/EOE events and user-space records of unrelated processes, with a
// few percent of denials: SECCOMP (seven actions; x86_64, i386, x32, and aarch64 from a second
// node=), AppArmor and SELinux AVCs and Landlock (1423/1424) records with their SYSCALL
// siblings, and the records around them that are not denials (AppArmor STATUS and ALLOWED,
// SELinux granted, Landlock domains). 2% of events are interleaved with the next one. The
// generator knows what it wrote: before anything is timed, cordon's summary line and JSON are
// checked against it (lines, records, denials per source and per seccomp action, distinct
// denials, the non-denial kinds) and so is ausearch's count of events. A mismatch is an error.
//
// All cases then run round-robin, the starting case rotating each round, the files already in
// the page cache. Time is fork() to wait4(); peak memory is wait4()'s ru_maxrss. A child's
// ru_maxrss is never below the anonymous memory its parent held at fork() (the child starts
// with those pages mapped), so this process keeps its heap small, and prints it.
//
// Usage:
//   bench_audit [--lines N] [--runs N] [--seed S] [--cordon PATH] [--keep]
//     --lines N      lines in the log (default 1000000); the small log has N/10
//     --runs N       timed runs per case (default 3)
//     --cordon PATH  the cordon binary (default: ../cordon beside this bench's folder)
//     --keep         leave the generated logs in their temp folder (and say where)
//   bench_audit --emit-log [--lines N | --bytes N[KMG]] [--seed S] [--expect FILE]
//     writes the log to stdout (nothing on disk) and what it holds, as JSON, to FILE
//   bench_audit --verify EXPECT --json FILE --stderr FILE
//     checks one `cordon audit --json` run (its stdout and stderr) against EXPECT
//   bench_audit --measure FILE -- CMD [ARG...]
//     runs CMD with this process's stdin, stdout and stderr, then writes `maxrss_kib=N
//     wall_s=X` to FILE and exits as CMD did (tests/e2e/audit_stream.sh; no GNU time needed)
#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/common.h"

namespace {

using cordon::bench::describe;
using cordon::bench::errno_str;
using cordon::bench::find_in_path;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string g_tmpdir;  // removed on every exit path unless --keep
bool g_keep = false;

void cleanup() {
  if (g_tmpdir.empty() || g_keep) return;
  std::error_code ec;
  fs::remove_all(g_tmpdir, ec);
}

[[noreturn]] void die(const std::string& msg) {
  fmt::print(stderr, "bench_audit: {}\n", msg);
  cleanup();
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// The generator

// splitmix64: the same stream on every machine and compiler (no std:: distributions, whose
// results are implementation-defined).
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
  bool chance(unsigned per_mille) { return below(1000) < per_mille; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
};

struct Proc {
  const char* comm;
  const char* exe;
  const char* subj;  // the kernel writes an AppArmor label as `subj==label (mode)`
  unsigned uid;      // also gid and, for a login (not a daemon), auid
  bool daemon;       // auid and ses unset, no tty
  const char* cwd;
  const char* argv;  // arguments separated by '|'
};

// Unrelated processes: the traffic around the denials.
const std::vector<Proc> kNoise = {
    {"bash", "/usr/bin/bash", "unconfined", 1000, false, "/home/alice", "-bash"},
    {"sshd", "/usr/sbin/sshd", "unconfined", 0, true, "/", "sshd: alice [priv]"},
    {"cron", "/usr/sbin/cron", "unconfined", 0, true, "/", "/usr/sbin/cron|-f|-P"},
    {"python3", "/usr/bin/python3.11", "unconfined", 1000, false, "/srv/app",
     "python3|manage.py|runserver|0.0.0.0:8000"},
    {"git", "/usr/bin/git", "unconfined", 1000, false, "/home/alice/src/cordon", "git|status"},
    {"cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "unconfined", 1000, false,
     "/home/alice/src/cordon/build",
     "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus|-quiet|-I|/home/alice/src/cordon|collector.cc|-o|"
     "/tmp/ccQ2x7Lm.s"},
    {"make", "/usr/bin/make", "unconfined", 1000, false, "/home/alice/src/cordon/build",
     "make|-j2"},
    {"ls", "/usr/bin/ls", "unconfined", 1000, false, "/home/alice", "ls|--color=auto|-la"},
    {"cat", "/usr/bin/cat", "unconfined", 1000, false, "/home/alice", "cat|/etc/hosts"},
    {"systemd", "/usr/lib/systemd/systemd", "unconfined", 0, true, "/", "/sbin/init"},
    {"nginx", "/usr/sbin/nginx", "unconfined", 33, true, "/", "nginx: worker process"},
    {"postgres", "/usr/lib/postgresql/15/bin/postgres", "unconfined", 108, true,
     "/var/lib/postgresql/15/main", "postgres: 15/main: checkpointer"},
    {"node", "/usr/bin/node", "unconfined", 1001, true, "/srv/web", "node|/srv/web/server.js"},
    {"containerd-shim", "/usr/bin/containerd-shim-runc-v2", "unconfined", 0, true, "/",
     "/usr/bin/containerd-shim-runc-v2|-namespace|moby|-id|4f3c2a9be1d0|-address|/run/containerd/"
     "containerd.sock"},
    {"curl", "/usr/bin/curl", "unconfined", 1000, false, "/home/alice",
     "curl|-fsS|https://deb.debian.org/debian/dists/bookworm/Release"},
    {"dpkg", "/usr/bin/dpkg", "unconfined", 0, false, "/",
     "/usr/bin/dpkg|--status-fd|35|--configure|"
     "--pending"},
    {"sudo", "/usr/bin/sudo", "unconfined", 0, false, "/home/alice", "sudo|-i"},
    {"rsyslogd", "/usr/sbin/rsyslogd", "unconfined", 0, true, "/", "/usr/sbin/rsyslogd|-n|-iNONE"},
};

// Processes that meet a seccomp filter, an LSM or a Landlock domain.
const Proc kPython("python3", "/usr/bin/python3.11", "unconfined", 1000, false,
                   "/home/alice/notebooks", "python3|-m|jupyter|lab");
const Proc kChrome("chrome", "/opt/google/chrome/chrome", "unconfined", 1000, false, "/home/alice",
                   "/opt/google/chrome/chrome|--type=renderer|--lang=en-US");
// "Web Content" holds a space: the kernel writes such a comm in hex.
const Proc kFirefox("Web Content", "/usr/lib/firefox-esr/firefox-esr", "unconfined", 1000, false,
                    "/home/alice", "/usr/lib/firefox-esr/firefox-esr|-contentproc|-childID|3|tab");
const Proc kNode("node", "/usr/bin/node", "unconfined", 1001, true, "/srv/web",
                 "node|/srv/web/server.js");
const Proc kNginxCtr("nginx", "/usr/sbin/nginx", "=docker-default (enforce)", 0, true, "/",
                     "nginx: master process nginx -g daemon off;");
const Proc kRedis("redis-server", "/usr/bin/redis-server", "unconfined", 109, true,
                  "/var/lib/redis", "/usr/bin/redis-server 127.0.0.1:6379");
const Proc kSandboxed("bash", "/usr/bin/bash", "unconfined", 1000, false, "/home/alice/work",
                      "bash|-c|make test");
const Proc kWine("game.exe", "/usr/lib/wine/wine", "unconfined", 1000, false,
                 "/home/alice/.wine/drive_c", "C:\\Games\\game.exe");
const Proc kJava("java", "/usr/lib/jvm/java-17-openjdk-arm64/bin/java", "unconfined", 0, true,
                 "/var/lib/jenkins", "java|-jar|/usr/share/java/jenkins.war");
const Proc kPythonArm("python3", "/usr/bin/python3.11", "unconfined", 1000, true, "/srv/ci",
                      "python3|run_tests.py");
const Proc kRunc("runc:[2:INIT]", "/usr/bin/runc", "unconfined", 0, true, "/", "runc|init");
const Proc kProot("proot", "/usr/bin/proot", "unconfined", 1000, false, "/home/alice",
                  "proot|-r|/home/alice/rootfs|/bin/sh");
const Proc kResolved("systemd-resolve", "/usr/lib/systemd/systemd-resolved", "unconfined", 102,
                     true, "/", "/lib/systemd/systemd-resolved");
const Proc kCupsd("cupsd", "/usr/sbin/cupsd", "=/usr/sbin/cupsd (enforce)", 0, true, "/",
                  "/usr/sbin/cupsd|-l");
const Proc kSnapFirefox("firefox", "/snap/firefox/4336/usr/lib/firefox/firefox",
                        "=snap.firefox.firefox (enforce)", 1000, false, "/home/alice",
                        "/snap/firefox/4336/usr/lib/firefox/firefox");
const Proc kCtrSh("sh", "/usr/bin/dash", "=docker-default (enforce)", 0, true, "/",
                  "/bin/sh|-c|mount -t cgroup2 none /sys/fs/cgroup");
const Proc kMan("man", "/usr/bin/man", "=/usr/bin/man (enforce)", 1000, false, "/home/alice",
                "man|5|crontab");
const Proc kDiscord("Discord", "/snap/discord/190/usr/share/discord/Discord",
                    "=snap.discord.discord (enforce)", 1000, false, "/home/alice",
                    "/snap/discord/190/usr/share/discord/Discord");
const Proc kCode("code", "/snap/code/180/usr/share/code/code", "=snap.code.code (enforce)", 1000,
                 false, "/home/alice/src", "/snap/code/180/usr/share/code/code");
const Proc kEvince("evince", "/usr/bin/evince", "=/usr/bin/evince (complain)", 1000, false,
                   "/home/alice", "evince|/home/alice/Downloads/paper.pdf");
const Proc kAaParser("apparmor_parser", "/usr/sbin/apparmor_parser", "unconfined", 0, true, "/",
                     "/sbin/apparmor_parser|-r|-T|-W|/etc/apparmor.d/usr.sbin.cupsd");
const Proc kLsb("lsb_release", "/usr/bin/python3.11", "=lsb_release (enforce)", 0, true, "/",
                "/usr/bin/python3|-Es|/usr/bin/lsb_release|-sd");
const Proc kHttpd("httpd", "/usr/sbin/httpd", "system_u:system_r:httpd_t:s0", 48, true, "/",
                  "/usr/sbin/httpd|-DFOREGROUND");
const Proc kPhpFpm("php-fpm", "/usr/sbin/php-fpm", "system_u:system_r:httpd_t:s0", 48, true, "/",
                   "php-fpm: pool www");
const Proc kLogrotate("logrotate", "/usr/sbin/logrotate", "system_u:system_r:logrotate_t:s0", 0,
                      true, "/", "/usr/sbin/logrotate|/etc/logrotate.conf");
const Proc kCtrPython("python3", "/usr/local/bin/python3.12",
                      "system_u:system_r:container_t:s0:c123,c456", 0, true, "/app",
                      "python3|/app/main.py");
const Proc kSshd("sshd", "/usr/sbin/sshd", "system_u:system_r:sshd_t:s0-s0:c0.c1023", 0, true, "/",
                 "sshd: alice [priv]");
const Proc kSetenforce("setenforce", "/usr/sbin/setenforce",
                       "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023", 0, false, "/root",
                       "setenforce|0");
const Proc kLlMake("make", "/usr/bin/make", "unconfined", 1000, false, "/home/alice/work",
                   "make|install");
const Proc kLlCurl("curl", "/usr/bin/curl", "unconfined", 1000, false, "/home/alice/work",
                   "curl|https://example.com/");
const Proc kLlGdb("gdb", "/usr/bin/gdb", "unconfined", 1000, false, "/home/alice/work", "gdb|-p|1");
const Proc kLlKill("kill", "/usr/bin/kill", "unconfined", 1000, false, "/home/alice/work",
                   "kill|-TERM|1");
const Proc kLlPython("python3", "/usr/bin/python3.11", "unconfined", 1000, false,
                     "/home/alice/work", "python3|steal.py");

struct Arch {
  const char* hex;
  const char* name;  // as cordon's JSON and the key name it
};
const Arch kX86_64{"c000003e", "x86_64"};
const Arch kI386{"40000003", "x86"};
const Arch kAarch64{"c00000b7", "aarch64"};

// The kernel's SECCOMP record carries the action only (SECCOMP_RET_ACTION_FULL), never the
// errno or trace data: errno is always code=0x50000.
struct SeccompAction {
  uint32_t code;
  const char* name;  // cordon's JSON "action"
  int sig;           // sig= (SIGSYS for the kill actions, else 0)
  int exit;          // the syscall's exit in a SYSCALL sibling
};
const SeccompAction kKillProcess{0x80000000u, "kill-process", 31, 0};
const SeccompAction kKillThread{0x00000000u, "kill-thread", 31, 0};
const SeccompAction kTrap{0x00030000u, "trap", 0, -38};
const SeccompAction kErrno{0x00050000u, "errno", 0, -1};
const SeccompAction kNotify{0x7fc00000u, "user-notif", 0, 0};
const SeccompAction kTrace{0x7ff00000u, "trace", 0, 0};
const SeccompAction kLog{0x7ffc0000u, "log", 0, 0};

// Every case below is one distinct denial for cordon: no two share (exe, arch, syscall, path,
// action, profile, contexts), so the generator's distinct count is the number of cases seen.
struct SeccompCase {
  const Proc* proc;
  const Arch* arch;
  int64_t nr;  // as the record prints it (x32: with bit 30 set)
  bool compat;
  const SeccompAction* action;
  const char* node;  // forwarded from another machine (audisp-remote), or nullptr
  unsigned weight;
};
const std::vector<SeccompCase> kSeccomp = {
    {&kPython, &kX86_64, 101, false, &kErrno, nullptr, 6},        // ptrace
    {&kPython, &kX86_64, 321, false, &kErrno, nullptr, 4},        // bpf
    {&kPython, &kX86_64, 165, false, &kKillProcess, nullptr, 2},  // mount
    {&kPython, &kX86_64, 272, false, &kErrno, nullptr, 3},        // unshare
    {&kPython, &kX86_64, 298, false, &kLog, nullptr, 5},          // perf_event_open
    {&kChrome, &kX86_64, 257, false, &kTrap, nullptr, 6},         // openat (to the broker)
    {&kChrome, &kX86_64, 16, false, &kTrap, nullptr, 3},          // ioctl
    {&kChrome, &kX86_64, 298, false, &kErrno, nullptr, 2},
    {&kFirefox, &kX86_64, 272, false, &kErrno, nullptr, 4},
    {&kFirefox, &kX86_64, 250, false, &kErrno, nullptr, 2},  // keyctl
    {&kFirefox, &kX86_64, 310, false, &kErrno, nullptr, 1},  // process_vm_readv
    {&kNode, &kX86_64, 425, false, &kErrno, nullptr, 3},     // io_uring_setup
    {&kNode, &kX86_64, 323, false, &kErrno, nullptr, 2},     // userfaultfd
    {&kNginxCtr, &kX86_64, 165, false, &kErrno, nullptr, 2},
    {&kNginxCtr, &kX86_64, 246, false, &kErrno, nullptr, 1},  // kexec_load
    {&kNginxCtr, &kX86_64, 169, false, &kErrno, nullptr, 1},  // reboot
    {&kNginxCtr, &kX86_64, 155, false, &kErrno, nullptr, 1},  // pivot_root
    {&kRedis, &kX86_64, 101, false, &kKillThread, nullptr, 1},
    {&kSandboxed, &kX86_64, 101, false, &kKillProcess, nullptr, 2},
    {&kSandboxed, &kX86_64, 16, false, &kKillProcess, nullptr, 1},
    {&kSandboxed, &kX86_64, 0x40000000 + 165, true, &kKillProcess, nullptr, 1},  // x32 mount
    {&kWine, &kI386, 26, true, &kErrno, nullptr, 2},                             // ptrace
    {&kWine, &kI386, 21, true, &kErrno, nullptr, 1},                             // mount
    {&kWine, &kI386, 357, true, &kErrno, nullptr, 1},                            // bpf
    {&kJava, &kAarch64, 117, false, &kErrno, "arm-ci-01", 2},                    // ptrace
    {&kJava, &kAarch64, 40, false, &kKillProcess, "arm-ci-01", 1},               // mount
    {&kPythonArm, &kAarch64, 280, false, &kLog, "arm-ci-01", 2},                 // bpf
    {&kRunc, &kX86_64, 165, false, &kNotify, nullptr, 1},
    {&kProot, &kX86_64, 257, false, &kTrace, nullptr, 1},
    {&kResolved, &kX86_64, 165, false, &kKillProcess, nullptr, 1},
};

// `{pid}` and `{comm}` are filled per record.
struct AvcCase {
  const Proc* proc;
  int nr;                 // the SYSCALL sibling's syscall (x86_64)
  const char* kind;       // what cordon makes of it: "denied", "allowed", "status", "granted"
  const char* body;       // after `type=AVC msg=audit(…): `
  const char* path_item;  // a PATH sibling's name, or nullptr
  unsigned weight;
};
const std::vector<AvcCase> kAppArmor = {
    {&kCupsd, 257, "denied",
     R"(apparmor="DENIED" operation="open" class="file" profile="/usr/sbin/cupsd" )"
     R"(name="/etc/ssl/private/" pid={pid} comm={comm} requested_mask="r" )"
     R"(denied_mask="r" fsuid=0 ouid=0)",
     nullptr, 4},
    {&kSnapFirefox, 257, "denied",
     R"(apparmor="DENIED" operation="open" class="file" profile="snap.firefox.firefox" )"
     R"(name="/proc/pressure/memory" pid={pid} comm={comm} requested_mask="r" )"
     R"(denied_mask="r" fsuid=1000 ouid=0)",
     nullptr, 5},
    {&kNginxCtr, 165, "denied",
     R"(apparmor="DENIED" operation="capable" class="cap" profile="docker-default" )"
     R"(pid={pid} comm={comm} capability=21  capname="sys_admin")",
     nullptr, 2},
    {&kCtrSh, 165, "denied",
     R"(apparmor="DENIED" operation="mount" class="mount" info="failed flags match" )"
     R"(error=-13 profile="docker-default" name="/sys/fs/cgroup/" pid={pid} )"
     R"(comm={comm} fstype="cgroup2" srcname="none" flags="rw, nosuid, nodev, noexec")",
     nullptr, 1},
    {&kMan, 41, "denied",
     R"(apparmor="DENIED" operation="create" class="net" profile="/usr/bin/man" )"
     R"(pid={pid} comm={comm} family="inet6" sock_type="raw" protocol=58 )"
     R"(requested_mask="create" denied_mask="create")",
     nullptr, 1},
    {&kDiscord, 101, "denied",
     R"(apparmor="DENIED" operation="ptrace" class="ptrace" )"
     R"(profile="snap.discord.discord" pid={pid} comm={comm} requested_mask="read" )"
     R"(denied_mask="read" peer="unconfined")",
     nullptr, 1},
    {&kCode, 62, "denied",
     R"(apparmor="DENIED" operation="signal" class="signal" profile="snap.code.code" )"
     R"(pid={pid} comm={comm} requested_mask="send" denied_mask="send" signal=term )"
     R"(peer="unconfined")",
     nullptr, 1},
    {&kLsb, 257, "denied",
     R"(apparmor="DENIED" operation="open" class="file" profile="lsb_release" )"
     R"(name="/usr/local/lib/python3.11/dist-packages/" pid={pid} comm={comm} )"
     R"(requested_mask="r" denied_mask="r" fsuid=0 ouid=0)",
     nullptr, 1},
    {&kEvince, 257, "allowed",
     R"(apparmor="ALLOWED" operation="open" class="file" profile="/usr/bin/evince" )"
     R"(name="/home/alice/.cache/thumbnails/large/" pid={pid} comm={comm} )"
     R"(requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000)",
     nullptr, 2},
    {&kAaParser, 1, "status",
     R"(apparmor="STATUS" operation="profile_replace" info="same as current profile, )"
     R"(skipping" profile="unconfined" name="/usr/sbin/cupsd" pid={pid} comm={comm})",
     nullptr, 2},
};
const std::vector<AvcCase> kSelinux = {
    {&kHttpd, 257, "denied",
     R"(avc:  denied  { read } for  pid={pid} comm={comm} name="index.html" dev="dm-0" )"
     R"(ino=1971393 scontext=system_u:system_r:httpd_t:s0 )"
     R"(tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file permissive=0)",
     "/home/alice/public_html/index.html", 4},
    {&kPhpFpm, 42, "denied",
     R"(avc:  denied  { name_connect } for  pid={pid} comm={comm} dest=3306 )"
     R"(scontext=system_u:system_r:httpd_t:s0 )"
     R"(tcontext=system_u:object_r:mysqld_port_t:s0 tclass=tcp_socket permissive=0)",
     nullptr, 3},
    {&kLogrotate, 257, "denied",
     R"(avc:  denied  { dac_override } for  pid={pid} comm={comm} capability=1  )"
     R"(scontext=system_u:system_r:logrotate_t:s0 )"
     R"(tcontext=system_u:system_r:logrotate_t:s0 tclass=capability permissive=0)",
     "/var/log/nginx/access.log", 2},
    {&kCtrPython, 262, "denied",
     R"(avc:  denied  { getattr } for  pid={pid} comm={comm} )"
     R"(path="/home/alice/src/app/config.yaml" dev="dm-2" ino=393219 )"
     R"(scontext=system_u:system_r:container_t:s0:c123,c456 )"
     R"(tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file permissive=0)",
     "/home/alice/src/app/config.yaml", 2},
    {&kSshd, 42, "denied",
     R"(avc:  denied  { write } for  pid={pid} comm={comm} name="nss" dev="dm-0" )"
     R"(ino=2228 scontext=system_u:system_r:sshd_t:s0-s0:c0.c1023 )"
     R"(tcontext=system_u:object_r:sssd_var_lib_t:s0 tclass=sock_file permissive=1)",
     "/var/lib/sss/pipes/nss", 2},
    {&kSetenforce, 1, "granted",
     R"(avc:  granted  { setenforce } for  pid={pid} comm={comm} )"
     R"(scontext=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 )"
     R"(tcontext=system_u:object_r:security_t:s0 tclass=security)",
     nullptr, 1},
};

struct LandlockCase {
  const Proc* proc;
  int nr;
  const char* blockers;  // the rest of the LANDLOCK_ACCESS body after domain=
  const char* asked;     // the name the call asked for (its PATH record), or nullptr
  unsigned weight;
};
const std::vector<LandlockCase> kLandlock = {
    {&kSandboxed, 257, R"(blockers=fs.write_file path="/dev/tty" dev="devtmpfs" ino=11)",
     "/dev/tty", 3},
    {&kLlPython, 257,
     R"(blockers=fs.read_file path="/home/alice/.ssh/id_ed25519" dev="vda1" ino=1048609)",
     "/home/alice/.ssh/id_ed25519", 2},
    {&kLlMake, 257, R"(blockers=fs.make_reg path="/usr" dev="vda1" ino=840)",
     "/usr/cordon-test-tool", 2},
    {&kLlCurl, 42, R"(blockers=net.connect_tcp daddr=93.184.216.34 dest=443)", nullptr, 2},
    {&kLlGdb, 101, R"(blockers=ptrace opid=1 ocomm="systemd")", nullptr, 1},
    {&kLlKill, 62, R"(blockers=scope.signal opid=1 ocomm="systemd")", nullptr, 1},
};

template <class T>
const T& pick_weighted(Rng& rng, const std::vector<T>& v) {
  unsigned total = 0;
  for (const auto& c : v) total += c.weight;
  uint64_t r = rng.below(total);
  for (const auto& c : v) {
    if (r < c.weight) return c;
    r -= c.weight;
  }
  return v.back();
}

// What the generator wrote, in the terms `cordon audit` reports it.
struct Expect {
  uint64_t seed = 0, lines = 0, bytes = 0, records = 0, events = 0;
  uint64_t denials = 0;  // denial records, and seccomp `log` records, before dedup
  // Events holding a SECCOMP or SELinux AVC record, and those holding an AppArmor AVC, which
  // ausearch 3.0.9 skips as malformed (its AVC parser requires tclass=).
  uint64_t ausearch_events = 0, apparmor_events = 0;
  std::set<std::string> distinct;               // "source #case"
  std::map<std::string, uint64_t> not_denials;  // kinds cordon drops: status allowed granted domain
  std::map<std::string, uint64_t> by_source;    // denials per source
  std::map<std::string, uint64_t> seccomp_actions;  // seccomp denials per JSON action
};

nlohmann::json to_json(const Expect& e) {
  nlohmann::json j;
  j["seed"] = e.seed;
  j["lines"] = e.lines;
  j["bytes"] = e.bytes;
  j["records"] = e.records;
  j["events"] = e.events;
  j["denials"] = e.denials;
  j["distinct"] = e.distinct.size();
  j["distinct_keys"] = e.distinct;
  j["ausearch_events"] = e.ausearch_events;
  j["apparmor_events"] = e.apparmor_events;
  j["not_denials"] = e.not_denials;
  j["by_source"] = e.by_source;
  j["seccomp_actions"] = e.seccomp_actions;
  return j;
}

Expect expect_from_json(const nlohmann::json& j) {
  Expect e;
  e.seed = j.at("seed");
  e.lines = j.at("lines");
  e.bytes = j.at("bytes");
  e.records = j.at("records");
  e.events = j.at("events");
  e.denials = j.at("denials");
  e.distinct = j.at("distinct_keys").get<std::set<std::string>>();
  e.ausearch_events = j.at("ausearch_events");
  e.apparmor_events = j.at("apparmor_events");
  e.not_denials = j.at("not_denials").get<std::map<std::string, uint64_t>>();
  e.by_source = j.at("by_source").get<std::map<std::string, uint64_t>>();
  e.seccomp_actions = j.at("seccomp_actions").get<std::map<std::string, uint64_t>>();
  return e;
}

// Buffered writes to a descriptor, counting lines and bytes.
class Sink {
 public:
  explicit Sink(int fd) : fd_(fd) { buf_.reserve(kChunk + 4096); }
  ~Sink() { flush(); }
  void line(std::string_view s) {
    buf_.append(s);
    buf_.push_back('\n');
    bytes += s.size() + 1;
    ++lines;
    if (buf_.size() >= kChunk) flush();
  }
  void flush() {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        if (errno == EPIPE) die("write: the reader of the log exited before its end (EPIPE)");
        die(fmt::format("write the log: {}", errno_str(errno)));
      }
      off += static_cast<size_t>(n);
    }
    buf_.clear();
  }
  uint64_t lines = 0, bytes = 0;

 private:
  static constexpr size_t kChunk = 1 << 20;
  int fd_;
  std::string buf_;
};

// A string as the kernel's audit_log_untrustedstring() writes it: quoted when clean, else hex.
std::string untrusted(std::string_view s) {
  bool clean = !s.empty();
  for (unsigned char c : s)
    if (c <= 0x20 || c == '"' || c >= 0x7f) clean = false;
  if (clean) return fmt::format("\"{}\"", s);
  std::string hex;
  hex.reserve(s.size() * 2);
  for (unsigned char c : s) fmt::format_to(std::back_inserter(hex), "{:02X}", c);
  return hex;
}

std::vector<std::string_view> split_args(std::string_view argv) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t bar = argv.find('|', start);
    out.push_back(argv.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

// An AVC body with its `{pid}` and `{comm}` filled (SELinux's `{ read }` stays as it is).
std::string fill(std::string_view body, uint64_t pid, const std::string& comm) {
  std::string out;
  out.reserve(body.size() + 32);
  for (size_t i = 0; i < body.size();) {
    if (body.substr(i).starts_with("{pid}")) {
      out += std::to_string(pid);
      i += 5;
    } else if (body.substr(i).starts_with("{comm}")) {
      out += comm;
      i += 6;
    } else {
      out.push_back(body[i++]);
    }
  }
  return out;
}

std::string proctitle(const Proc& p) {
  std::string t = p.argv;
  std::replace(t.begin(), t.end(), '|', '\0');
  return "proctitle=" + untrusted(t);
}

class LogGen {
 public:
  explicit LogGen(uint64_t seed) : rng_{seed} {
    expect.seed = seed;
    saved_ = expect;
  }

  // Writes whole events until `max_lines` lines or `max_bytes` bytes (0: no limit); exactly
  // `max_lines` when given, the last ones single-record user-space events.
  void write(Sink& out, uint64_t max_lines, uint64_t max_bytes) {
    std::vector<std::string> a, b, merged;
    while (true) {
      if (max_bytes && out.bytes >= max_bytes) break;
      if (max_lines && out.lines >= max_lines) break;
      a.clear();
      b.clear();
      event(a);
      // 2% of events overlap the next one, as records of events on two CPUs do.
      bool overlap = rng_.chance(20);
      if (overlap) event(b);
      if (max_lines && out.lines + a.size() + b.size() > max_lines) {
        // Not enough room for this event: fill with one-line events (not counted twice: the
        // event just built is dropped, with the counts it added).
        expect = saved_;
        while (out.lines < max_lines) {
          std::vector<std::string> one;
          ++expect.events;
          user_record(one);
          commit_lines(one);
          out.line(one[0]);
        }
        break;
      }
      merged.clear();
      for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        if (i < a.size()) merged.push_back(std::move(a[i]));
        if (i < b.size()) merged.push_back(std::move(b[i]));
      }
      commit_lines(merged);
      for (const auto& l : merged) out.line(l);
    }
    out.flush();
    expect.lines = out.lines;
    expect.bytes = out.bytes;
  }

  Expect expect;

 private:
  // The event's lines are written: its counts stand.
  void commit_lines(const std::vector<std::string>& lines) {
    expect.records += lines.size();
    saved_ = expect;
  }

  // One event's lines, its counts added to `expect` (undone by the caller if it is dropped).
  void event(std::vector<std::string>& out) {
    ++expect.events;
    uint64_t r = rng_.below(1000);
    if (r < 250) return execve(out);
    if (r < 500) return file_access(out);
    if (r < 620) return connect(out);
    if (r < 820) return user_record(out);
    if (r < 860) return service(out);
    if (r < 910) return bpf(out);
    if (r < 915) return netfilter(out);
    if (r < 955) return seccomp(out);
    if (r < 975) return avc(out, kAppArmor, "apparmor");
    if (r < 990) return avc(out, kSelinux, "selinux");
    return landlock(out);
  }

  // Advances the clock (50 events a second on average) and the serial; sets the stamp.
  void next_stamp(const char* node = nullptr) {
    ms_ += rng_.below(40);
    if (node) {
      serial_remote_ += 1 + (rng_.chance(50) ? rng_.below(3) : 0);
      // The other machine's clock runs 137 ms ahead.
      stamp_ = fmt::format("{}.{:03}:{}", (ms_ + 137) / 1000, (ms_ + 137) % 1000, serial_remote_);
      prefix_ = fmt::format("node={} ", node);
    } else {
      serial_ += 1 + (rng_.chance(50) ? rng_.below(3) : 0);
      stamp_ = fmt::format("{}.{:03}:{}", ms_ / 1000, ms_ % 1000, serial_);
      prefix_.clear();
    }
  }

  std::string rec(std::string_view type, std::string_view body) const {
    return fmt::format("{}type={} msg=audit({}): {}", prefix_, type, stamp_, body);
  }

  uint64_t pid() { return 1000 + rng_.below(400000); }

  std::string syscall(const Proc& p, const Arch& a, int64_t nr, bool ok, int64_t exit, int items,
                      uint64_t id, const char* key) {
    unsigned auid = p.daemon ? 4294967295u : 1000u;
    std::string ses = p.daemon ? "4294967295" : std::to_string(2 + p.uid % 7);
    // One draw per statement: the order in which arguments are evaluated is unspecified.
    uint64_t a0 = rng_.below(1 << 20);
    uint64_t a1 = 0x7ffc00000000ull + rng_.below(1ull << 32);
    uint64_t a2 = rng_.below(0x80000);
    uint64_t a3 = rng_.below(0x1ff);
    uint64_t ppid = pid();
    return rec("SYSCALL",
               fmt::format(
                   "arch={} syscall={} success={} exit={} a0={:x} a1={:x} a2={:x} a3={:x} "
                   "items={} ppid={} pid={} auid={} uid={u} gid={u} euid={u} suid={u} fsuid={u} "
                   "egid={u} sgid={u} fsgid={u} tty={} ses={} comm={} exe={} subj={} key={}",
                   a.hex, nr, ok ? "yes" : "no", exit, a0, a1, a2, a3, items, ppid, id, auid,
                   p.daemon ? "(none)" : "pts0", ses, untrusted(p.comm), untrusted(p.exe), p.subj,
                   key ? fmt::format("\"{}\"", key) : std::string("(null)"), fmt::arg("u", p.uid)));
  }

  std::string path(int item, std::string_view name, const char* nametype) {
    return rec("PATH", fmt::format("item={} name={} inode={} dev=fe:01 mode=0100644 ouid=0 ogid=0 "
                                   "rdev=00:00 nametype={} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
                                   "cap_frootid=0",
                                   item, untrusted(name), 100000 + rng_.below(3000000), nametype));
  }

  std::string cwd(const Proc& p) const {
    return rec("CWD", fmt::format("cwd={}", untrusted(p.cwd)));
  }
  std::string title(const Proc& p) const { return rec("PROCTITLE", proctitle(p)); }
  std::string eoe() const { return rec("EOE", ""); }

  void execve(std::vector<std::string>& out) {
    const Proc& p = rng_.pick(kNoise);
    next_stamp();
    uint64_t id = pid();
    out.push_back(syscall(p, kX86_64, 59, true, 0, 2, id, rng_.chance(500) ? "exec" : nullptr));
    auto args = split_args(p.argv);
    std::string ex = fmt::format("argc={}", args.size());
    for (size_t i = 0; i < args.size(); ++i)
      fmt::format_to(std::back_inserter(ex), " a{}={}", i, untrusted(args[i]));
    out.push_back(rec("EXECVE", ex));
    out.push_back(cwd(p));
    out.push_back(path(0, p.exe, "NORMAL"));
    out.push_back(path(1, "/lib64/ld-linux-x86-64.so.2", "NORMAL"));
    out.push_back(title(p));
    out.push_back(eoe());
  }

  void file_access(std::vector<std::string>& out) {
    static const std::vector<std::pair<const char*, const char*>> kWatched = {
        {"/etc/shadow", "identity"},       {"/etc/passwd", "identity"},
        {"/etc/sudoers", "scope"},         {"/etc/ssh/sshd_config", "sshd"},
        {"/etc/hosts", "network"},         {"/var/log/auth.log", "logs"},
        {"/etc/crontab", "cron"},          {"/etc/ld.so.cache", "libpath"},
        {"/etc/systemd/system", "systemd"}};
    const Proc& p = rng_.pick(kNoise);
    const auto& [file, key] = rng_.pick(kWatched);
    next_stamp();
    uint64_t id = pid();
    if (rng_.chance(150)) {  // a delete: the parent and the entry
      out.push_back(syscall(p, kX86_64, 263, true, 0, 2, id, key));
      out.push_back(cwd(p));
      std::string parent = fs::path(file).parent_path().string();
      out.push_back(path(0, parent, "PARENT"));
      out.push_back(path(1, file, "DELETE"));
    } else {
      bool ok = p.uid == 0 || rng_.chance(600);
      out.push_back(syscall(p, kX86_64, 257, ok, ok ? 3 : -13, 1, id, key));
      out.push_back(cwd(p));
      out.push_back(path(0, file, "NORMAL"));
    }
    out.push_back(title(p));
    out.push_back(eoe());
  }

  void connect(std::vector<std::string>& out) {
    const Proc& p = rng_.pick(kNoise);
    next_stamp();
    out.push_back(syscall(p, kX86_64, 42, true, 0, 0, pid(), "network"));
    int port = rng_.chance(500) ? 443 : 80;
    uint64_t addr = 0x0a000000u + rng_.below(1 << 24);  // 10.0.0.0/8
    out.push_back(
        rec("SOCKADDR", fmt::format("saddr=0200{:04X}{:08X}0000000000000000", port, addr)));
    out.push_back(title(p));
    out.push_back(eoe());
  }

  void user_record(std::vector<std::string>& out) {
    static const std::vector<std::pair<const char*, const char*>> kPam = {
        {"USER_AUTH", "PAM:authentication"}, {"USER_ACCT", "PAM:accounting"},
        {"CRED_ACQ", "PAM:setcred"},         {"USER_START", "PAM:session_open"},
        {"USER_END", "PAM:session_close"},   {"CRED_DISP", "PAM:setcred"}};
    struct Who {
      const char* exe;
      const char* terminal;
      const char* acct;
      unsigned auid;
    };
    static const std::vector<Who> kWho = {{"/usr/bin/sudo", "/dev/pts/0", "alice", 1000},
                                          {"/usr/sbin/sshd", "ssh", "alice", 1000},
                                          {"/usr/sbin/cron", "cron", "root", 4294967295u}};
    next_stamp();
    const Who& who = rng_.pick(kWho);
    uint64_t id = pid(), ses = 2 + rng_.below(20);
    if (rng_.chance(100)) {
      out.push_back(
          rec("USER_LOGIN",
              fmt::format("pid={} uid=0 auid=1000 ses={} subj=unconfined msg='op=login id=1000 "
                          "exe=\"/usr/sbin/sshd\" hostname=203.0.113.{} addr=203.0.113.{} "
                          "terminal=/dev/pts/1 res=success'",
                          id, ses, 7, 7)));
      return;
    }
    const auto& [type, op] = rng_.pick(kPam);
    out.push_back(rec(
        type, fmt::format("pid={} uid=0 auid={} ses={} subj=unconfined msg='op={} "
                          "grantors=pam_permit,pam_unix acct=\"{}\" exe=\"{}\" hostname=? addr=? "
                          "terminal={} res=success'",
                          id, who.auid, ses, op, who.acct, who.exe, who.terminal)));
  }

  void service(std::vector<std::string>& out) {
    static const std::vector<const char*> kUnits = {
        "apt-daily", "man-db",           "logrotate",   "systemd-tmpfiles-clean",
        "user@1000", "fstrim",           "e2scrub_all", "phpsessionclean",
        "certbot",   "systemd-timesyncd"};
    next_stamp();
    const char* type = rng_.chance(500) ? "SERVICE_START" : "SERVICE_STOP";
    out.push_back(
        rec(type, fmt::format("pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined "
                              "msg='unit={} comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" "
                              "hostname=? addr=? terminal=? res=success'",
                              rng_.pick(kUnits))));
  }

  void bpf(std::vector<std::string>& out) {
    next_stamp();
    uint64_t prog = 40 + rng_.below(900);
    out.push_back(
        rec("BPF", fmt::format("prog-id={} op={}", prog, rng_.chance(500) ? "LOAD" : "UNLOAD")));
  }

  void netfilter(std::vector<std::string>& out) {
    next_stamp();
    uint64_t entries = 100 + rng_.below(80);
    out.push_back(
        rec("NETFILTER_CFG", fmt::format("table=filter family=2 entries={} op=xt_replace pid={} "
                                         "subj=unconfined comm=\"iptables\"",
                                         entries, pid())));
  }

  void seccomp(std::vector<std::string>& out) {
    size_t i = static_cast<size_t>(&pick_weighted(rng_, kSeccomp) - kSeccomp.data());
    const SeccompCase& c = kSeccomp[i];
    const Proc& p = *c.proc;
    next_stamp(c.node);
    uint64_t id = pid();
    uint64_t ip = c.arch == &kI386      ? 0xf7000000ull + rng_.below(1 << 24)
                  : c.arch == &kAarch64 ? 0xffff00000000ull + rng_.below(1ull << 32)
                                        : 0x7f0000000000ull + rng_.below(1ull << 40);
    out.push_back(
        rec("SECCOMP",
            fmt::format("auid={} uid={u} gid={u} ses={} subj={} pid={} comm={} exe={} "
                        "sig={} arch={} syscall={} compat={} ip=0x{:x} code=0x{:x}",
                        p.daemon ? 4294967295u : 1000u, p.daemon ? 4294967295u : 2 + p.uid % 7,
                        p.subj, id, untrusted(p.comm), untrusted(p.exe), c.action->sig, c.arch->hex,
                        c.nr, c.compat ? 1 : 0, ip, c.action->code, fmt::arg("u", p.uid))));
    // An action that lets the call return leaves it to finish: its SYSCALL record follows.
    if (c.action->sig == 0 && rng_.chance(300)) {
      out.push_back(syscall(p, *c.arch, c.nr, c.action->exit == 0, c.action->exit, 0, id, nullptr));
      out.push_back(title(p));
      out.push_back(eoe());
    }
    ++expect.ausearch_events;
    denial("seccomp", i);
    ++expect.seccomp_actions[c.action->name];
  }

  void avc(std::vector<std::string>& out, const std::vector<AvcCase>& cases, const char* source) {
    size_t i = static_cast<size_t>(&pick_weighted(rng_, cases) - cases.data());
    const AvcCase& c = cases[i];
    const Proc& p = *c.proc;
    next_stamp();
    uint64_t id = pid();
    out.push_back(rec("AVC", fill(c.body, id, untrusted(p.comm))));
    int exit = std::string_view(c.kind) == "denied" ? -13 : 0;
    out.push_back(syscall(p, kX86_64, c.nr, exit == 0, exit, c.path_item ? 1 : 0, id, nullptr));
    if (c.path_item) {
      out.push_back(cwd(p));
      out.push_back(path(0, c.path_item, "NORMAL"));
    }
    out.push_back(title(p));
    out.push_back(eoe());
    ++(std::string_view(source) == "apparmor" ? expect.apparmor_events : expect.ausearch_events);
    if (std::string_view(c.kind) == "denied")
      denial(source, i);
    else
      ++expect.not_denials[c.kind];
  }

  // A Landlock domain (one sandboxed process) logs its first denial with its allocation
  // record; when it goes away, one LANDLOCK_DOMAIN record says so, outside any syscall.
  void landlock(std::vector<std::string>& out) {
    size_t i = static_cast<size_t>(&pick_weighted(rng_, kLandlock) - kLandlock.data());
    const LandlockCase& c = kLandlock[i];
    const Proc& p = *c.proc;
    Domain& d = domains_[i];
    bool fresh = d.id.empty();
    if (fresh) {
      d.id = fmt::format("{:x}", 0x100000000ull + rng_.below(0xf00000000ull));
      d.pid = pid();
      d.denials = 0;
    }
    next_stamp();
    out.push_back(rec("LANDLOCK_ACCESS", fmt::format("domain={} {}", d.id, c.blockers)));
    if (fresh) {
      out.push_back(rec("LANDLOCK_DOMAIN",
                        fmt::format("domain={} status=allocated mode=enforcing pid={} uid={} "
                                    "exe={} comm={}",
                                    d.id, d.pid, p.uid, untrusted(p.exe), untrusted(p.comm))));
      ++expect.not_denials["domain"];
    }
    out.push_back(syscall(p, kX86_64, c.nr, false, -13, c.asked ? 1 : 0, d.pid, nullptr));
    if (c.asked) {
      // The name the program asked for; the record's path= is where the rule is missing.
      out.push_back(cwd(p));
      out.push_back(path(0, c.asked, "NORMAL"));
    }
    out.push_back(title(p));
    out.push_back(eoe());
    ++d.denials;
    denial("landlock", i);
    if (rng_.chance(50)) {
      // The deallocation is its own event (the record of a kworker), not this one.
      ++expect.events;
      next_stamp();
      out.push_back(rec("LANDLOCK_DOMAIN",
                        fmt::format("domain={} status=deallocated denials={}", d.id, d.denials)));
      ++expect.not_denials["domain"];
      d.id.clear();
    }
  }

  void denial(const char* source, size_t case_index) {
    ++expect.denials;
    ++expect.by_source[source];
    expect.distinct.insert(fmt::format("{} #{}", source, case_index));
  }

  struct Domain {
    std::string id;
    uint64_t pid = 0, denials = 0;
  };

  Rng rng_;
  Expect saved_;
  uint64_t ms_ = 1700000000000ull, serial_ = 4000, serial_remote_ = 91000;
  std::string stamp_, prefix_;
  std::map<size_t, Domain> domains_;
};

Expect generate(int fd, uint64_t seed, uint64_t lines, uint64_t bytes) {
  Sink sink(fd);
  LogGen gen(seed);
  gen.write(sink, lines, bytes);
  return gen.expect;
}

// ---------------------------------------------------------------------------------------------
// Checking cordon's output against what was generated

std::string describe_counts(const std::map<std::string, uint64_t>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", v, k);
  return s.empty() ? "none" : s;
}

// Compares two count maps; appends "what: cordon X, generated Y" for each difference.
void compare(const char* what, const std::map<std::string, uint64_t>& got,
             const std::map<std::string, uint64_t>& want, std::vector<std::string>& problems) {
  std::set<std::string> keys;
  for (const auto& [k, v] : got) keys.insert(k);
  for (const auto& [k, v] : want) keys.insert(k);
  for (const auto& k : keys) {
    uint64_t g = got.count(k) ? got.at(k) : 0, w = want.count(k) ? want.at(k) : 0;
    if (g != w) problems.push_back(fmt::format("{} {}: cordon {}, generated {}", what, k, g, w));
  }
}

struct Summary {
  uint64_t lines = 0, records = 0, denials = 0, distinct = 0;
  std::map<std::string, uint64_t> extras;  // "42 status" → {"status": 42}
};

// cordon's last stderr line: "cordon audit: N lines, R records, D denials (K distinct), …".
std::optional<Summary> parse_summary(const std::string& err) {
  const std::string tag = "cordon audit: ";
  size_t at = err.rfind(tag);
  if (at == std::string::npos) return std::nullopt;
  std::string line = err.substr(at + tag.size());
  line = line.substr(0, line.find('\n'));
  Summary s;
  unsigned long long l, r, d, k;
  int used = 0;
  if (std::sscanf(line.c_str(), "%llu lines, %llu records, %llu denials (%llu distinct)%n", &l, &r,
                  &d, &k, &used) != 4)
    return std::nullopt;
  s.lines = l, s.records = r, s.denials = d, s.distinct = k;
  std::string_view rest = std::string_view(line).substr(static_cast<size_t>(used));
  while (rest.starts_with(", ")) {
    rest.remove_prefix(2);
    size_t end = rest.find(", ");
    std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    size_t sp = item.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    s.extras[std::string(item.substr(sp + 1))] =
        std::strtoull(std::string(item).c_str(), nullptr, 10);
  }
  return s;
}

// Everything cordon got wrong, one line each; empty when its output matches the generator.
std::vector<std::string> verify(const Expect& e, const std::string& err, const std::string& json) {
  std::vector<std::string> problems;
  auto s = parse_summary(err);
  if (!s) {
    problems.push_back(
        "no summary line (`cordon audit: N lines, R records, D denials (K "
        "distinct)…`) on cordon's stderr");
  } else {
    auto check = [&](const char* what, uint64_t got, uint64_t want) {
      if (got != want)
        problems.push_back(fmt::format("{}: cordon {}, generated {}", what, got, want));
    };
    check("lines", s->lines, e.lines);
    check("records", s->records, e.records);
    check("denials", s->denials, e.denials);
    check("distinct denials", s->distinct, e.distinct.size());
    std::map<std::string, uint64_t> kinds;
    for (const auto& [what, n] : s->extras) {
      // Unknown record types are a naming question, not a miscount: the generator writes
      // only types auditd names, but cordon's table may lag behind auditd's. The sandboxes
      // cordon found in its registry are this machine's, not the log's.
      if (what == "of unknown type" || what == "registered sandboxes") continue;
      kinds[what] = n;  // includes "unparsable" and "not audit", which must not appear
    }
    compare("dropped records of kind", kinds, e.not_denials, problems);
  }
  std::map<std::string, uint64_t> by_source, actions;
  uint64_t rows = 0, total = 0;
  std::istringstream in(json);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++rows;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      problems.push_back("a JSON line that does not parse: " + line.substr(0, 200));
      continue;
    }
    uint64_t count = j.value("count", uint64_t{0});
    std::string source = j.value("source", "");
    total += count;
    by_source[source] += count;
    if (source == "seccomp" && j["action"].is_string())
      actions[j["action"].get<std::string>()] += count;
  }
  if (rows != e.distinct.size())
    problems.push_back(fmt::format("JSON rows (distinct denials): cordon {}, generated {}", rows,
                                   e.distinct.size()));
  if (total != e.denials)
    problems.push_back(
        fmt::format("sum of JSON counts: cordon {}, generated {}", total, e.denials));
  compare("denials of source", by_source, e.by_source, problems);
  compare("seccomp denials with action", actions, e.seccomp_actions, problems);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Running the peers

struct Outcome {
  double wall_s = 0, cpu_s = 0;
  long maxrss_kib = 0;
  int status = 0;
};

std::string how_it_ended(int status) {
  if (WIFEXITED(status)) return fmt::format("exited {}", WEXITSTATUS(status));
  return fmt::format("died of signal {} ({})", WTERMSIG(status), sigabbrev_np(WTERMSIG(status)));
}

// fork + execv with stdin from `in`, stdout to `out`, stderr to `err` (-1: inherited); the
// clock runs from fork() to wait4(). No allocation between fork and exec.
Outcome run(const std::vector<std::string>& argv, int in, int out, int err) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Outcome o;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) die(fmt::format("fork: {}", errno_str(errno)));
  if (pid == 0) {
    if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0) ||
        (err >= 0 && dup2(err, 2) < 0))
      _exit(124);
    execv(args[0], args.data());
    const char* e = strerrorname_np(errno);
    const char msg[] = "bench_audit: execv failed: ";
    (void)!write(2, msg, sizeof msg - 1);
    (void)!write(2, args[0], strlen(args[0]));
    (void)!write(2, ": ", 2);
    if (e) (void)!write(2, e, strlen(e));
    (void)!write(2, "\n", 1);
    _exit(127);
  }
  struct rusage ru;
  while (wait4(pid, &o.status, 0, &ru) < 0)
    if (errno != EINTR) die(fmt::format("wait4: {}", errno_str(errno)));
  o.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  o.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  o.maxrss_kib = ru.ru_maxrss;
  return o;
}

int make_memfd(const char* name) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) die(fmt::format("memfd_create: {}", errno_str(errno)));
  return fd;
}

void reset(int fd) {
  if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
    die(fmt::format("reset memfd: {}", errno_str(errno)));
}

std::string slurp_fd(int fd) {
  off_t len = lseek(fd, 0, SEEK_END);
  std::string s(static_cast<size_t>(std::max<off_t>(len, 0)), '\0');
  if (len > 0 && pread(fd, s.data(), s.size(), 0) != len)
    die(fmt::format("read memfd: {}", errno_str(errno)));
  return s;
}

// Lines equal to "----" (ausearch's event separator), read in chunks: its output can be large
// and must not grow this process before the next fork.
uint64_t count_separators(int fd) {
  char buf[65536];
  uint64_t n = 0;
  off_t off = 0;
  std::string carry;  // the current line, while it may still be "----"
  bool at_start = true;
  for (;;) {
    ssize_t got = pread(fd, buf, sizeof buf, off);
    if (got < 0) die(fmt::format("read memfd: {}", errno_str(errno)));
    if (got == 0) break;
    off += got;
    for (ssize_t i = 0; i < got; ++i) {
      char c = buf[i];
      if (c == '\n') {
        if (at_start && carry == "----") ++n;
        carry.clear();
        at_start = true;
      } else if (at_start) {
        carry.push_back(c);
        if (carry.size() > 4) {  // longer than "----": not a separator
          at_start = false;
          carry.clear();
        }
      }
    }
  }
  return n;
}

long self_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0)
      return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  return 0;
}

std::string mib(long kib) { return fmt::format("{:.1f} MiB", kib / 1024.0); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::optional<uint64_t> parse_size(std::string s) {
  if (s.empty()) return std::nullopt;
  uint64_t mult = 1;
  switch (s.back()) {
    case 'K':
    case 'k':
      mult = 1ull << 10;
      break;
    case 'M':
    case 'm':
      mult = 1ull << 20;
      break;
    case 'G':
    case 'g':
      mult = 1ull << 30;
      break;
    default:
      break;
  }
  if (mult != 1) s.pop_back();
  char* end = nullptr;
  uint64_t v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end) return std::nullopt;
  return v * mult;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die(fmt::format("open `{}`: {}", path, errno_str(errno)));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// ---------------------------------------------------------------------------------------------
// The modes

int emit_log(uint64_t seed, uint64_t lines, uint64_t bytes, const std::string& expect_path) {
  signal(SIGPIPE, SIG_IGN);  // a reader that stops early is reported as EPIPE, not a signal
  Expect e = generate(1, seed, lines, bytes);
  if (!expect_path.empty()) {
    std::ofstream out(expect_path);
    out << to_json(e).dump(1) << "\n";
    if (!out) die(fmt::format("write `{}`", expect_path));
  }
  fmt::print(stderr,
             "bench_audit: wrote {} lines ({:.1f} MiB), {} events, {} denials ({} distinct: {})\n",
             e.lines, e.bytes / 1048576.0, e.events, e.denials, e.distinct.size(),
             describe_counts(e.by_source));
  return 0;
}

int verify_mode(const std::string& expect_path, const std::string& json_path,
                const std::string& stderr_path) {
  Expect e = expect_from_json(nlohmann::json::parse(read_file(expect_path)));
  auto problems = verify(e, read_file(stderr_path), read_file(json_path));
  if (problems.empty()) {
    fmt::print(
        "bench_audit: cordon's output matches the generated log: {} lines, {} denials "
        "({} distinct; {})\n",
        e.lines, e.denials, e.distinct.size(), describe_counts(e.by_source));
    return 0;
  }
  fmt::print("bench_audit: cordon's output does NOT match the generated log (seed {}):\n", e.seed);
  for (const auto& p : problems) fmt::print("  {}\n", p);
  return 1;
}

int measure_mode(const std::string& out_path, const std::vector<std::string>& argv) {
  std::vector<std::string> cmd = argv;
  if (cmd[0].find('/') == std::string::npos) {
    auto found = find_in_path(cmd[0]);
    if (!found) die(fmt::format("{}: not found in PATH", cmd[0]));
    cmd[0] = *found;
  }
  Outcome o = run(cmd, -1, -1, -1);
  std::ofstream out(out_path);
  out << fmt::format("maxrss_kib={} wall_s={:.3f} cpu_s={:.3f}\n", o.maxrss_kib, o.wall_s, o.cpu_s);
  if (!out) die(fmt::format("write `{}`", out_path));
  if (WIFEXITED(o.status)) return WEXITSTATUS(o.status);
  return 128 + WTERMSIG(o.status);
}

struct Case {
  std::string name;
  std::vector<std::string> argv;
  uint64_t lines = 0, bytes = 0;
  const Expect* expect = nullptr;  // cordon's cases: checked on every run
  std::vector<double> wall, cpu;
  long maxrss_kib = 0;  // the largest of all runs
};

int bench(uint64_t lines, int runs, uint64_t seed, std::string cordon_path) {
  if (cordon_path.empty()) {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) die(fmt::format("readlink /proc/self/exe: {}", ec.message()));
    cordon_path = (self.parent_path().parent_path() / "cordon").string();
  }
  cordon_path = fs::absolute(cordon_path).lexically_normal().string();
  if (access(cordon_path.c_str(), X_OK) != 0)
    die(fmt::format("no cordon binary at `{}`: {} (build it, or pass --cordon PATH)", cordon_path,
                    errno_str(errno)));
  auto ausearch = find_in_path("ausearch");

  char tmpl[] = "/tmp/cordon-bench-audit-XXXXXX";
  if (!mkdtemp(tmpl)) die(fmt::format("mkdtemp: {}", errno_str(errno)));
  g_tmpdir = tmpl;
  const std::string big = g_tmpdir + "/audit.log", small = g_tmpdir + "/audit-tenth.log";
  auto gen_file = [&](const std::string& path, uint64_t n) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die(fmt::format("open `{}`: {}", path, errno_str(errno)));
    auto t0 = Clock::now();
    Expect e = generate(fd, seed, n, 0);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (close(fd) != 0) die(fmt::format("close `{}`: {}", path, errno_str(errno)));
    fmt::print(stderr, "bench_audit: generated {} ({} lines, {:.1f} MiB) in {:.1f} s\n", path,
               e.lines, e.bytes / 1048576.0, s);
    return e;
  };
  const Expect e_big = gen_file(big, lines);
  const Expect e_small = gen_file(small, std::max<uint64_t>(lines / 10, 1));

  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) die(fmt::format("open `/dev/null`: {}", errno_str(errno)));
  int out = make_memfd("bench_audit-stdout"), err = make_memfd("bench_audit-stderr");

  std::vector<Case> cases;
  cases.push_back({"cordon audit --json",
                   {cordon_path, "audit", big, "--json"},
                   e_big.lines,
                   e_big.bytes,
                   &e_big,
                   {},
                   {},
                   0});
  if (ausearch)
    cases.push_back({"ausearch -m SECCOMP,AVC",
                     {*ausearch, "-m", "SECCOMP,AVC", "-if", big},
                     e_big.lines,
                     e_big.bytes,
                     nullptr,
                     {},
                     {},
                     0});
  cases.push_back({"cordon audit, 1/10 lines",
                   {cordon_path, "audit", small, "--json"},
                   e_small.lines,
                   e_small.bytes,
                   &e_small,
                   {},
                   {},
                   0});

  // Check runs (untimed): every output against what was generated.
  std::string ausearch_note;
  for (auto& c : cases) {
    reset(out);
    reset(err);
    Outcome o = run(c.argv, devnull, out, err);
    std::string err_text = slurp_fd(err);
    if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
      die(fmt::format("`{}` {}; its stderr:\n{}", describe(c.argv), how_it_ended(o.status),
                      err_text));
    if (c.expect) {
      auto problems = verify(*c.expect, err_text, slurp_fd(out));
      if (!problems.empty()) {
        std::string list;
        for (const auto& p : problems) list += "\n  " + p;
        g_keep = true;
        die(fmt::format("`{}` does not report what was generated (seed {}; log kept in {}):{}",
                        describe(c.argv), seed, g_tmpdir, list));
      }
      fmt::print(stderr, "bench_audit: check {}: ok ({} lines, {} denials, {} distinct)\n", c.name,
                 c.expect->lines, c.expect->denials, c.expect->distinct.size());
    } else {
      // ausearch 3.0.9 skips AppArmor AVC events (`--debug`: "Malformed event skipped, rc=9");
      // a later one may not.
      uint64_t events = count_separators(out);
      uint64_t want = e_big.ausearch_events, with_aa = want + e_big.apparmor_events;
      if (events != want && events != with_aa) {
        g_keep = true;
        die(
            fmt::format("`{}` printed {} events; the log holds {} with a SECCOMP or SELinux AVC "
                        "record and {} more with an AppArmor AVC (log kept in {})",
                        describe(c.argv), events, want, e_big.apparmor_events, g_tmpdir));
      }
      ausearch_note =
          events == want
              ? fmt::format(
                    "ausearch printed {} events: every SECCOMP and SELinux AVC event, and "
                    "none of the {} AppArmor AVC events (its AVC parser needs tclass=; "
                    "`ausearch --debug`: \"Malformed event skipped, rc=9\")",
                    events, e_big.apparmor_events)
              : fmt::format("ausearch printed {} events: every SECCOMP and AVC event", events);
      fmt::print(stderr, "bench_audit: check {}: ok ({} events printed)\n", c.name, events);
    }
  }
  close(out);

  // A child's ru_maxrss includes what this process holds at fork(): show it is small.
  long own_anon = self_kib("RssAnon:");

  const size_t n = cases.size();
  for (int round = 0; round < runs; ++round) {
    for (size_t k = 0; k < n; ++k) {
      Case& c = cases[(static_cast<size_t>(round) + k) % n];
      reset(err);
      Outcome o = run(c.argv, devnull, devnull, err);
      if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
        die(fmt::format("`{}` {}; its stderr:\n{}", describe(c.argv), how_it_ended(o.status),
                        slurp_fd(err)));
      if (c.expect) {
        auto s = parse_summary(slurp_fd(err));
        if (!s || s->denials != c.expect->denials)
          die(fmt::format("`{}`: a timed run reported other counts than its check run",
                          describe(c.argv)));
      }
      c.wall.push_back(o.wall_s);
      c.cpu.push_back(o.cpu_s);
      c.maxrss_kib = std::max(c.maxrss_kib, o.maxrss_kib);
    }
  }

  struct utsname u;
  uname(&u);
  fmt::print("bench_audit: {} timed runs per case, interleaved round-robin; kernel {}, {} CPUs\n",
             runs, u.release, sysconf(_SC_NPROCESSORS_ONLN));
  fmt::print("log: {} lines, {:.1f} MiB, seed {}: {} events, {} denials ({} distinct; {})\n",
             e_big.lines, e_big.bytes / 1048576.0, seed, e_big.events, e_big.denials,
             e_big.distinct.size(), describe_counts(e_big.by_source));
  fmt::print("     seccomp actions: {}; not denials: {}\n", describe_counts(e_big.seccomp_actions),
             describe_counts(e_big.not_denials));
  fmt::print("cordon:   {}\n", cordon_path);
  fmt::print("ausearch: {}\n\n", ausearch ? *ausearch : "not installed");

  fmt::print("{:<26} {:>10} {:>9} {:>12} {:>9} {:>10}\n", "peer", "median s", "cpu s", "lines/s",
             "MiB/s", "peak RSS");
  auto row = [](const Case& c) {
    double w = median(c.wall);
    fmt::print("{:<26} {:>10.3f} {:>9.3f} {:>12.0f} {:>9.1f} {:>10}\n", c.name, w, median(c.cpu),
               c.lines / w, c.bytes / 1048576.0 / w, mib(c.maxrss_kib));
  };
  for (const auto& c : cases) row(c);
  const Case& cordon = cases[0];
  const Case& tenth = cases.back();
  if (!ausearch) {
    fmt::print("{:<26} SKIPPED: ausearch is not installed (Debian: auditd; scripts/setup)\n",
               "ausearch -m SECCOMP,AVC");
    fmt::print(
        "\n"
        "########################################################################\n"
        "SKIPPED peer ausearch: not installed, no ratios against it\n"
        "########################################################################\n");
  } else {
    const Case& as = cases[1];
    double speed = (cordon.lines / median(cordon.wall)) / (as.lines / median(as.wall));
    fmt::print("\nratios cordon / ausearch, same file\n");
    fmt::print("  speed (lines/s)   {:.2f}x  (>1: cordon faster)\n", speed);
    // On a shared machine wall time carries other jobs' load; CPU time does not.
    fmt::print("  speed by CPU time {:.2f}x  (user+sys; >1: cordon cheaper)\n",
               median(as.cpu) / median(cordon.cpu));
    fmt::print("  peak memory       {:.2f}x  (<1: cordon smaller)\n",
               static_cast<double>(cordon.maxrss_kib) / static_cast<double>(as.maxrss_kib));
  }
  fmt::print("\ncordon's peak RSS against input size\n");
  fmt::print("  {:>9} lines  {}\n", tenth.lines, mib(tenth.maxrss_kib));
  fmt::print("  {:>9} lines  {}  ({:.2f}x the memory for {:.0f}x the lines)\n", cordon.lines,
             mib(cordon.maxrss_kib),
             static_cast<double>(cordon.maxrss_kib) / static_cast<double>(tenth.maxrss_kib),
             static_cast<double>(cordon.lines) / static_cast<double>(tenth.lines));
  fmt::print(
      "\nwhat each does\n"
      "  cordon    parses every record, groups events, keeps the SECCOMP, AppArmor, SELinux\n"
      "            and Landlock denials enriched from their SYSCALL/CWD/PATH/PROCTITLE and\n"
      "            deduplicated with counts; JSON of the distinct denials on stdout\n"
      "  ausearch  groups events, prints every record of those with a SECCOMP or AVC\n"
      "            record (raw, not interpreted); no Landlock, no deduplication\n");
  if (!ausearch_note.empty()) fmt::print("  {}\n", ausearch_note);
  fmt::print(
      "this process's anonymous RSS at fork: {} (every child's peak includes at least that)\n",
      mib(own_anon));
  if (g_keep) fmt::print("logs kept in {}\n", g_tmpdir);
  cleanup();
  return 0;
}

[[noreturn]] void usage(const char* argv0, int code) {
  fmt::print(stderr,
             "usage: {0} [--lines N] [--runs N] [--seed S] [--cordon PATH] [--keep]\n"
             "       {0} --emit-log [--lines N | --bytes N[KMG]] [--seed S] [--expect FILE]\n"
             "       {0} --verify EXPECT --json FILE --stderr FILE\n"
             "       {0} --measure FILE -- CMD [ARG...]\n",
             argv0);
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t lines = 1000000, bytes = 0, seed = 1;
  int runs = 3;
  bool emit = false, lines_given = false;
  std::string cordon_path, expect_path, verify_path, json_path, stderr_path, measure_path;
  std::vector<std::string> command;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      std::string f = flag;
      if (a == f && i + 1 < argc) return std::string(argv[++i]);
      if (a.rfind(f + "=", 0) == 0) return a.substr(f.size() + 1);
      return std::nullopt;
    };
    auto number = [&](const std::string& v, const char* flag) {
      auto n = parse_size(v);
      if (!n) die(fmt::format("{}: not a number: `{}`", flag, v));
      return *n;
    };
    if (a == "--") {
      for (++i; i < argc; ++i) command.push_back(argv[i]);
    } else if (auto v = value("--lines")) {
      lines = number(*v, "--lines");
      lines_given = true;
    } else if (auto v = value("--bytes")) {
      bytes = number(*v, "--bytes");
    } else if (auto v = value("--runs")) {
      runs = static_cast<int>(number(*v, "--runs"));
    } else if (auto v = value("--seed")) {
      seed = number(*v, "--seed");
    } else if (auto v = value("--cordon")) {
      cordon_path = *v;
    } else if (auto v = value("--expect")) {
      expect_path = *v;
    } else if (auto v = value("--verify")) {
      verify_path = *v;
    } else if (auto v = value("--json")) {
      json_path = *v;
    } else if (auto v = value("--stderr")) {
      stderr_path = *v;
    } else if (auto v = value("--measure")) {
      measure_path = *v;
    } else if (a == "--emit-log") {
      emit = true;
    } else if (a == "--keep") {
      g_keep = true;
    } else {
      usage(argv[0], a == "--help" || a == "-h" ? 0 : 2);
    }
  }
  if (!measure_path.empty()) {
    if (command.empty()) usage(argv[0], 2);
    return measure_mode(measure_path, command);
  }
  if (!verify_path.empty()) {
    if (json_path.empty() || stderr_path.empty()) usage(argv[0], 2);
    return verify_mode(verify_path, json_path, stderr_path);
  }
  if (emit) {
    if (bytes && lines_given) die("--lines and --bytes: give one");
    return emit_log(seed, bytes ? 0 : lines, bytes, expect_path);
  }
  if (bytes) die("--bytes is for --emit-log; the bench takes --lines");
  if (runs < 1) die("--runs must be at least 1");
  if (lines < 10) die("--lines must be at least 10");
  return bench(lines, runs, seed, cordon_path);
}
