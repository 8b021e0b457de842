/* killall: kill(-1, SIGTERM) — "every process I may signal" — and kill(PID, 0) for each
 * host pid given as an argument. Prints "kill(-1,SIGTERM)=RESULT" and "kill(PID,0)=RESULT"
 * (OK or the errno name). In a PID namespace kill(-1) reaches only the sandbox's processes;
 * the caller checks that a host process it started is still alive afterwards.
 *
 * SAFETY: outside a fresh PID namespace kill(-1) as root would SIGTERM every process on the
 * machine. So the probe refuses (prints "refused: pid=N, not in a new PID namespace", exit 3)
 * unless its own pid is at most 10 — which, in a namespace that shows host pids, it never is.
 * A launcher that fails to isolate then fails the check instead of taking the host down. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv) {
  if (getpid() > 10) {
    printf("refused: pid=%d, not in a new PID namespace\n", getpid());
    return 3;
  }
  /* kill(-1) skips the caller anyway; ignoring SIGTERM makes that explicit. */
  signal(SIGTERM, SIG_IGN);
  printf("kill(-1,SIGTERM)=%s\n", PROBE_RES(kill(-1, SIGTERM)));
  for (int i = 1; i < argc; i++) {
    pid_t pid = (pid_t)atoi(argv[i]);
    printf("kill(%d,0)=%s\n", pid, PROBE_RES(kill(pid, 0)));
  }
  return 0;
}
