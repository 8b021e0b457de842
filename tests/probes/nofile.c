/* nofile: RLIMIT_NOFILE as the process sees it, and where opening stops.
 * Prints "nofile soft=S hard=H" ("inf" for RLIM_INFINITY), then opens /dev/null until an
 * open fails (at most 100000 times) and prints "last fd=F next open: ERRNO". Under
 * `nofile 64` with 0-2 open, the last fd is 63 and the next open fails with EMFILE. */
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe.h"

static void print_lim(const char *key, rlim_t v) {
  if (v == RLIM_INFINITY)
    printf("%s=inf", key);
  else
    printf("%s=%llu", key, (unsigned long long)v);
}

int main(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
    printf("getrlimit: %s\n", probe_err(errno));
    return 2;
  }
  printf("nofile ");
  print_lim("soft", rl.rlim_cur);
  printf(" ");
  print_lim("hard", rl.rlim_max);
  printf("\n");
  int last = -1, err = 0;
  for (int i = 0; i < 100000; i++) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd == -1) {
      err = errno;
      break;
    }
    last = fd;
  }
  printf("last fd=%d next open: %s\n", last, err ? probe_err(err) : "never failed");
  return 0;
}
