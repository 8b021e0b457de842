/* userns: tries every way to create a user namespace, as an app that wants every capability
 * back would: a raw clone3 with CLONE_NEWUSER (its flags live in memory, out of seccomp's
 * sight), clone(CLONE_NEWUSER) and unshare(CLONE_NEWUSER), in that order (unshare last, since
 * it moves this process). Prints one line per call, "clone3=OK" or the errno's name, and for a
 * nested namespace that was made, the effective capabilities seen inside it. */
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

/* The child's side of clone/clone3: say what it holds in the new namespace, then exit. */
static void in_child(const char *how) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "CapEff:", 7) == 0) printf("%s_capeff=%s", how, line + 8);
  fflush(stdout);
  _exit(0);
}

static void report(const char *how, long rc, int err) {
  if (rc > 0) waitpid((pid_t)rc, NULL, 0);
  printf("%s=%s\n", how, rc < 0 ? probe_err(err) : "OK");
  fflush(stdout);
}

int main(void) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  fflush(stdout);
  long rc = syscall(SYS_clone3, &args, sizeof args);
  if (rc == 0) in_child("clone3");
  report("clone3", rc, errno);

  rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (rc == 0) in_child("clone");
  report("clone", rc, errno);

  rc = unshare(CLONE_NEWUSER);
  report("unshare", rc, errno);
  return 0;
}
