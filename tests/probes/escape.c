/* escape: the adversarial battery's probe (tests/adversarial/). Each mode tries one way out of,
 * or around, the sandbox and prints one line:
 *   MODE: held (EVIDENCE)      the attempt failed; EVIDENCE is the errno or the signal
 *   MODE: ESCAPE (EVIDENCE)    it worked
 *   MODE: RESULT               for the host-side helpers and plants, whose verdict the script
 *                              draws from what the host then sees
 * Modes (several may follow each other; each runs in a child, so a kill is "held (SIGSYS)"):
 *   io_uring             io_uring_setup: its operations are not seen by the syscall filter
 *   userfaultfd          userfaultfd(2) and /dev/userfaultfd: the staple of kernel race exploits
 *   perf_event_open      a software counter on itself
 *   proc1                /proc/1/mem and /proc/1/environ of the sandbox's PID 1 (cordon's init)
 *   pidfd-init           pidfd_getfd on the sandbox's PID 1 (cordon's init)
 *   core_pattern         open /proc/sys/kernel/core_pattern for writing (a pipe there runs as
 *                        host root on the next crash); opens only, never writes
 *   keyring-plant NAME   add a "user" key NAME to the user keyring (shared with the host?)
 *   keyring-find NAME    (host side) search the user keyring for it
 *   abstract-connect N   connect to the abstract unix socket "@N"
 *   abstract-listen N S  (host side) listen on "@N" for S seconds
 *   hardlink SRC DST     link(SRC, DST): a read-only file made writable under another name
 *   membomb MIB          touch MIB MiB of memory; destructive and guarded like forkbomb
 *   forkbomb MAX         fork until it fails or MAX children live; destructive, so it refuses
 *                        to run unless its PID 1 is cordon's (a fresh PID namespace)
 * Exit 0 unless the arguments are malformed. */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

static void held(const char *mode, const char *why) { printf("%s: held (%s)\n", mode, why); }
static void escape(const char *mode, const char *why) { printf("%s: ESCAPE (%s)\n", mode, why); }

static void try_io_uring(void) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  long fd = syscall(SYS_io_uring_setup, 4, &p);
  if (fd < 0)
    held("io_uring", probe_err(errno));
  else
    escape("io_uring", "io_uring_setup gave a ring: its opens and connects bypass seccomp");
}

static void try_userfaultfd(void) {
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
  int err = errno;
  int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  int dev_err = errno;
  char why[96];
  snprintf(why, sizeof why, "userfaultfd: %s, /dev/userfaultfd: %s", fd < 0 ? probe_err(err) : "OK",
           dev < 0 ? probe_err(dev_err) : "OK");
  (fd < 0 && dev < 0 ? held : escape)("userfaultfd", why);
}

static void try_perf(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.disabled = 1;
  long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  (fd < 0 ? held : escape)("perf_event_open", fd < 0 ? probe_err(errno) : "a counter fd");
}

static void try_proc1(void) {
  int mem = open("/proc/1/mem", O_RDONLY | O_CLOEXEC);
  int mem_err = errno;
  int env = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
  int env_err = errno;
  char why[96];
  snprintf(why, sizeof why, "/proc/1/mem: %s, /proc/1/environ: %s",
           mem < 0 ? probe_err(mem_err) : "OK", env < 0 ? probe_err(env_err) : "OK");
  (mem < 0 && env < 0 ? held : escape)("proc1", why);
}

/* pidfd_getfd on cordon's PID 1 would hand the app PID 1's descriptors (the report pipe, and
 * whatever PID 1 holds outside the app's Landlock domain and filter). */
static void try_pidfd_init(void) {
  long pfd = syscall(SYS_pidfd_open, 1, 0);
  if (pfd < 0) {
    held("pidfd-init", probe_err(errno));
    return;
  }
  for (int fd = 0; fd < 16; ++fd) {
    long got = syscall(SYS_pidfd_getfd, pfd, fd, 0);
    if (got >= 0) {
      char why[64];
      snprintf(why, sizeof why, "took fd %d of PID 1", fd);
      escape("pidfd-init", why);
      return;
    }
    if (errno != EBADF) {
      held("pidfd-init", probe_err(errno));
      return;
    }
  }
  held("pidfd-init", "PID 1 holds no fd below 16");
}

static void try_core_pattern(void) {
  int fd = open("/proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC);
  (fd < 0 ? held : escape)("core_pattern", fd < 0 ? probe_err(errno) : "opened for writing");
}

static void keyring_plant(const char *name) {
  long id = syscall(SYS_add_key, "user", name, "cordon", 6, KEY_SPEC_USER_KEYRING);
  if (id < 0)
    printf("keyring-plant: refused (%s)\n", probe_err(errno));
  else
    printf("keyring-plant: planted\n");
}

static void keyring_find(const char *name) {
  long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", name, 0);
  printf("keyring-find: %s\n", id < 0 ? probe_err(errno) : "found");
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  size_t n = strlen(name);
  if (n > sizeof a->sun_path - 2) n = sizeof a->sun_path - 2;
  memcpy(a->sun_path + 1, name, n);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void abstract_connect(const char *name) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    held("abstract-connect", probe_err(errno));
    return;
  }
  struct sockaddr_un a;
  socklen_t len = abstract_addr(&a, name);
  int rc = connect(s, (struct sockaddr *)&a, len);
  (rc < 0 ? held : escape)("abstract-connect", rc < 0 ? probe_err(errno) : "connected to @host");
}

static void abstract_listen(const char *name, const char *seconds) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a;
  socklen_t len = abstract_addr(&a, name);
  if (s < 0 || bind(s, (struct sockaddr *)&a, len) != 0 || listen(s, 8) != 0) {
    printf("abstract-listen: %s\n", probe_err(errno));
    return;
  }
  printf("abstract-listen: listening\n");
  fflush(stdout);
  sleep((unsigned)atoi(seconds));
}

static void try_hardlink(const char *src, const char *dst) {
  int rc = link(src, dst);
  printf("hardlink: %s\n", rc < 0 ? probe_err(errno) : "linked");
}

static int fresh_pid_namespace(void) {
  char comm[32] = "";
  int fd = open("/proc/1/comm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, comm, sizeof comm - 1);
  close(fd);
  return n > 0 && strncmp(comm, "cordon", 6) == 0 && getpid() != 1;
}

static void forkbomb(const char *max_text) {
  int max = atoi(max_text);
  if (!fresh_pid_namespace()) {
    printf("forkbomb: not run (PID 1 is not cordon's: not in a fresh PID namespace)\n");
    return;
  }
  static pid_t kids[4096];
  if (max > 4096) max = 4096;
  int n = 0, err = 0;
  for (; n < max; ++n) {
    pid_t p = fork();
    if (p < 0) {
      err = errno;
      break;
    }
    if (p == 0) {
      pause();
      _exit(0);
    }
    kids[n] = p;
  }
  for (int k = 0; k < n; ++k) kill(kids[k], SIGKILL);
  for (int k = 0; k < n; ++k) waitpid(kids[k], NULL, 0);
  char why[64];
  snprintf(why, sizeof why, "%d children, then %s", n, err ? probe_err(err) : "stopped at MAX");
  (err ? held : escape)("forkbomb", why);
}

/* Touches MAX MiB, 16 MiB at a time: held when an allocation fails or the kernel kills it (the
 * parent then reports the signal) before MAX. Destructive like forkbomb, and guarded alike. */
static void membomb(const char *max_text) {
  int max_mib = atoi(max_text);
  if (!fresh_pid_namespace()) {
    printf("membomb: not run (PID 1 is not cordon's: not in a fresh PID namespace)\n");
    return;
  }
  int got = 0;
  for (; got < max_mib; got += 16) {
    char *p = malloc(16u << 20);
    if (!p) break;
    memset(p, 1, 16u << 20);
  }
  char why[64];
  snprintf(why, sizeof why, "%d MiB, then %s", got, got < max_mib ? "ENOMEM" : "stopped at MAX");
  (got < max_mib ? held : escape)("membomb", why);
}

/* Every mode: its name, how many arguments it takes, and what runs it. */
static const struct {
  const char *name;
  void (*run0)(void);
  void (*run1)(const char *);
  void (*run2)(const char *, const char *);
} kModes[] = {
    {"io_uring", try_io_uring, NULL, NULL},
    {"userfaultfd", try_userfaultfd, NULL, NULL},
    {"perf_event_open", try_perf, NULL, NULL},
    {"proc1", try_proc1, NULL, NULL},
    {"pidfd-init", try_pidfd_init, NULL, NULL},
    {"core_pattern", try_core_pattern, NULL, NULL},
    {"keyring-plant", NULL, keyring_plant, NULL},
    {"keyring-find", NULL, keyring_find, NULL},
    {"abstract-connect", NULL, abstract_connect, NULL},
    {"forkbomb", NULL, forkbomb, NULL},
    {"membomb", NULL, membomb, NULL},
    {"abstract-listen", NULL, NULL, abstract_listen},
    {"hardlink", NULL, NULL, try_hardlink},
};

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    const char *m = argv[i];
    size_t k = 0;
    while (k < sizeof kModes / sizeof kModes[0] && strcmp(kModes[k].name, m) != 0) ++k;
    if (k == sizeof kModes / sizeof kModes[0]) goto usage;
    const int args = kModes[k].run2 ? 2 : kModes[k].run1 ? 1 : 0;
    if (i + args >= argc) goto usage;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      if (args == 0) kModes[k].run0();
      if (args == 1) kModes[k].run1(argv[i + 1]);
      if (args == 2) kModes[k].run2(argv[i + 1], argv[i + 2]);
      fflush(stdout);
      _exit(0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) {
      printf("%s: not run (fork: %s)\n", m, probe_err(errno));
    } else if (WIFSIGNALED(st)) {
      char why[32];
      snprintf(why, sizeof why, "killed by SIG%s", sigabbrev_np(WTERMSIG(st)));
      held(m, why);
    }
    i += args;
  }
  return 0;
usage:
  fprintf(stderr, "usage: escape MODE [ARGS]... (see the source)\n");
  return 2;
}
