/* ptrace: PTRACE_ATTACH to the parent (getppid()) and to each pid given as an argument.
 * Prints "attach(ppid=N)=RESULT" and "attach(N)=RESULT"; RESULT is OK (a hole: the tracee
 * is detached again at once) or the errno name. Under a filter that kills ptrace the process
 * dies of SIGSYS before printing the result. */
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

static void attach(const char *label, pid_t pid) {
  printf("%s", label);
  fflush(stdout); /* so the caller sees how far it got if the filter kills us */
  if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == -1) {
    printf("%s\n", probe_err(errno));
    return;
  }
  waitpid(pid, NULL, __WALL);
  ptrace(PTRACE_DETACH, pid, NULL, NULL);
  printf("OK\n");
}

int main(int argc, char **argv) {
  char label[64];
  pid_t ppid = getppid();
  snprintf(label, sizeof label, "attach(ppid=%d)=", ppid);
  attach(label, ppid);
  for (int i = 1; i < argc; i++) {
    pid_t pid = (pid_t)atoi(argv[i]);
    snprintf(label, sizeof label, "attach(%d)=", pid);
    attach(label, pid);
  }
  return 0;
}
