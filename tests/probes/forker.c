/* forker: forks up to N (default 20) children that wait to be killed, then kills and reaps
 * them. Prints "forked K of N" and, when a fork failed, "fork failed: ERRNO" (EAGAIN under a
 * pids limit). Exit 0 either way. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  pid_t kids[1024];
  int k = 0, err = 0;
  if (n > 1024) n = 1024;
  for (; k < n; k++) {
    pid_t p = fork();
    if (p == -1) {
      err = errno;
      break;
    }
    if (p == 0) {
      for (;;) pause();
    }
    kids[k] = p;
  }
  printf("forked %d of %d\n", k, n);
  if (err) printf("fork failed: %s\n", probe_err(err));
  for (int i = 0; i < k; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < k; i++) waitpid(kids[i], NULL, 0);
  return 0;
}
