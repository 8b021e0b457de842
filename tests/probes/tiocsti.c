/* tiocsti: push one character into the terminal on fd 0 with TIOCSTI, the classic way for a
 * sandboxed program to type commands into its caller's shell. Prints "isatty=N" and
 * "TIOCSTI=RESULT" (OK — a hole — or the errno name). A filter that kills the call ends the
 * process with SIGSYS after the first line. */
#include <sys/ioctl.h>
#include <unistd.h>

#include "probe.h"

int main(void) {
  printf("isatty=%d\n", isatty(0));
  fflush(stdout);
  /* A newline-free character: even if it got through it would not run anything. */
  char c = '#';
  printf("TIOCSTI=%s\n", PROBE_RES(ioctl(0, TIOCSTI, &c)));
  return 0;
}
