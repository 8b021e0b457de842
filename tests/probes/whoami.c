/* whoami: the process's credentials as the kernel sees them.
 * Prints "ruid=R euid=E suid=S rgid=R egid=E sgid=S" and then the capability lines and
 * NoNewPrivs of /proc/self/status, as "CapInh=0000000000000000" etc. (hex, as the kernel
 * prints them). Used plain, and copied setuid-root to check that the bit gains nothing. */
#include <unistd.h>

#include "probe.h"

int main(void) {
  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  getresuid(&ru, &eu, &su);
  getresgid(&rg, &eg, &sg);
  printf("ruid=%u euid=%u suid=%u rgid=%u egid=%u sgid=%u\n", ru, eu, su, rg, eg, sg);
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) {
    printf("/proc/self/status: %s\n", probe_err(errno));
    return 2;
  }
  char line[256];
  while (fgets(line, sizeof line, f)) {
    char key[64], val[128];
    if (sscanf(line, "%63[^:]:%*[ \t]%127s", key, val) != 2) continue;
    if (strncmp(key, "Cap", 3) == 0 || strcmp(key, "NoNewPrivs") == 0 ||
        strcmp(key, "Seccomp") == 0)
      printf("%s=%s\n", key, val);
  }
  fclose(f);
  return 0;
}
