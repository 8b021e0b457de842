/* zombies: leaves orphans for the sandbox's PID 1 to reap, then looks for zombies.
 * A child forks N (default 5) grandchildren and exits at once; the grandchildren, re-parented
 * to PID 1 of the sandbox (or to a subreaper), exit after 100 ms without anyone of ours
 * waiting for them. After 1 s the probe scans /proc/[0-9]*\/stat and prints
 * "mypid=N zombies=K" and "zombie PID PPID COMM" for each process in state Z. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5;
  pid_t child = fork();
  if (child == -1) {
    printf("fork: %s\n", probe_err(errno));
    return 2;
  }
  if (child == 0) {
    for (int i = 0; i < n; i++)
      if (fork() == 0) {
        usleep(100 * 1000);
        _exit(0);
      }
    _exit(0);
  }
  waitpid(child, NULL, 0);
  sleep(1);
  DIR *d = opendir("/proc");
  if (!d) {
    printf("opendir /proc: %s\n", probe_err(errno));
    return 2;
  }
  int zombies = 0;
  char report[4096] = "";
  size_t len = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "re");
    if (!f) continue;
    if (fgets(buf, sizeof buf, f)) {
      /* "pid (comm) S ppid ...": comm may hold blanks, so find the last ')'. */
      char *rp = strrchr(buf, ')');
      char state;
      int ppid;
      if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && state == 'Z') {
        zombies++;
        *rp = '\0';
        char *comm = strchr(buf, '(');
        if (len < sizeof report - 100)
          len += (size_t)snprintf(report + len, sizeof report - len, "zombie %s %d %s\n", e->d_name,
                                  ppid, comm ? comm + 1 : "?");
      }
    }
    fclose(f);
  }
  closedir(d);
  printf("mypid=%d zombies=%d\n%s", getpid(), zombies, report);
  return 0;
}
