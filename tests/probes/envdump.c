/* envdump: the environment exactly as received, one "NAME=VALUE" per line, in order. */
#include "probe.h"

extern char **environ;

int main(void) {
  for (char **e = environ; *e; e++) printf("%s\n", *e);
  return 0;
}
