/* pidns: which processes can this process see?
 * Prints "pid=N ppid=N nprocs=N pids=A,B,..." from getpid() and the numeric entries of /proc.
 * In a fresh PID namespace with its own /proc only the sandbox's few processes appear. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

int main(void) {
  DIR *d = opendir("/proc");
  if (!d) {
    printf("opendir /proc: %s\n", probe_err(errno));
    return 2;
  }
  char list[4096] = "";
  size_t len = 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    n++;
    if (len + strlen(e->d_name) + 2 < sizeof list)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? "," : "", e->d_name);
  }
  closedir(d);
  printf("pid=%d ppid=%d nprocs=%d pids=%s\n", getpid(), getppid(), n, list);
  return 0;
}
