/* audittrip: trips the denials tests/e2e/run_audit.sh looks for in the kernel's audit
 * records, one operation per argument pair, each printed as "OP ARG: RESULT" (OK or the errno
 * name):
 *   audittrip create FD NAME   openat(FD, NAME, O_WRONLY|O_CREAT|O_EXCL): a NEW file in a
 *                              directory reached through an inherited fd. With FD a directory
 *                              the policy binds read-only, passed with --pass-fd, the mount is
 *                              the caller's (writable) and only Landlock refuses (EACCES).
 *                              An existing file is never touched (EEXIST).
 *   audittrip ptrace PID       PTRACE_ATTACH to PID (0: the parent); detached again at once
 *   audittrip adjtimex 0       adjtimex() reading the clock's state (modes 0; glibc calls
 *                              clock_adjtime): harmless and unprivileged, and outside
 *                              @system-service (cli's default refuses and logs it)
 *   audittrip segv 0           a store to address 0: the kernel's segfault report names the
 *                              program and the file it faulted in (this one, under its name)
 * Exit 0 unless the arguments are malformed (or segv, which dies of SIGSEGV). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv) {
  int i = 1;
  while (i < argc) {
    const char *op = argv[i];
    if (i + 1 >= argc) goto usage;
    const char *arg = argv[i + 1];
    if (strcmp(op, "create") == 0) {
      if (i + 2 >= argc) goto usage;
      int fd = openat(atoi(arg), argv[i + 2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      printf("create %s %s: %s\n", arg, argv[i + 2], fd == -1 ? probe_err(errno) : "OK");
      if (fd != -1) close(fd);
      i += 3;
    } else if (strcmp(op, "ptrace") == 0) {
      pid_t pid = (pid_t)atoi(arg);
      if (pid == 0) pid = getppid();
      if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == -1) {
        printf("ptrace %s: %s\n", arg, probe_err(errno));
      } else {
        waitpid(pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        printf("ptrace %s: OK\n", arg);
      }
      i += 2;
    } else if (strcmp(op, "adjtimex") == 0) {
      struct timex tx = {0};
      printf("adjtimex %s: %s\n", arg, PROBE_RES(adjtimex(&tx)));
      i += 2;
    } else if (strcmp(op, "segv") == 0) {
      fflush(stdout);
      *(volatile int *)(uintptr_t)atoi(arg) = 1;
      i += 2;
    } else {
      goto usage;
    }
    fflush(stdout);
  }
  return 0;
usage:
  fprintf(stderr, "usage: audittrip {create FD NAME | ptrace PID | adjtimex 0 | segv 0}...\n");
  return 2;
}
