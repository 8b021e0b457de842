/* Shared helpers for the isolation-battery probes. Each probe does one thing the sandbox
 * should prevent or allow and prints what it saw in a fixed, greppable form; the e2e scripts
 * (tests/e2e/run_*.sh) assert on that text and on the exit status. */
#ifndef CORDON_PROBE_H
#define CORDON_PROBE_H

/* _GNU_SOURCE (strerrorname_np, sigabbrev_np…) comes from CMakeLists.txt, so that it precedes
 * every system header whatever order the includes are sorted in. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* "OK" for 0, else the errno's symbolic name ("ENOENT"), never a locale-dependent message. */
static inline const char *probe_err(int err) {
  if (err == 0) return "OK";
  const char *name = strerrorname_np(err);
  static char buf[32];
  if (name) return name;
  snprintf(buf, sizeof buf, "errno%d", err);
  return buf;
}

/* The result of a call returning -1 on error: "OK" or the errno's name. */
#define PROBE_RES(expr) ((expr) == -1 ? probe_err(errno) : "OK")

#endif
