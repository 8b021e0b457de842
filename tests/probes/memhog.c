/* memhog: allocates and touches MiB of memory (argument, default 128), 1 MiB at a time.
 * Prints "touched N MiB" every 16 MiB and "done N MiB" at the end (exit 0); "malloc failed
 * after N MiB: ERRNO" and exit 3 when an allocation is refused (an RLIMIT_AS fallback). A
 * cgroup memory limit instead gets the process OOM-killed (SIGKILL) part way. */
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 128;
  for (long i = 1; i <= mib; i++) {
    char *p = malloc(1 << 20);
    if (!p) {
      printf("malloc failed after %ld MiB: %s\n", i - 1, probe_err(errno));
      return 3;
    }
    for (long off = 0; off < (1 << 20); off += 4096) p[off] = (char)i;
    if (i % 16 == 0) {
      printf("touched %ld MiB\n", i);
      fflush(stdout);
    }
  }
  printf("done %ld MiB\n", mib);
  return 0;
}
