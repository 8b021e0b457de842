/* sigcatch: reports forwarded signals. Catches SIGUSR1, SIGUSR2, SIGHUP, SIGINT, SIGQUIT,
 * SIGWINCH and SIGTERM, printing "got SIGNAME" for each; prints "ready pid=N" once the handlers are
 * installed; exits 42 after SIGTERM (so the caller can tell a forwarded-and-handled SIGTERM from a
 * kill) or 3 after 60 s without one. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

static volatile sig_atomic_t got_term;

static void on_signal(int sig) {
  const char *name = sigabbrev_np(sig);
  char msg[32] = "got SIG";
  size_t len = strlen(msg);
  for (const char *p = name; p && *p && len < sizeof msg - 2; p++) msg[len++] = *p;
  msg[len++] = '\n';
  (void)!write(1, msg, len);
  if (sig == SIGTERM) got_term = 1;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGINT, SIGQUIT, SIGWINCH, SIGTERM};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
  printf("ready pid=%d\n", getpid());
  fflush(stdout);
  for (int i = 0; i < 600 && !got_term; i++) usleep(100 * 1000);
  return got_term ? 42 : 3;
}
