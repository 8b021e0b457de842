/* fsprobe: file-system operations, each printed as "OP ARG: RESULT" (OK or the errno name).
 *   fsprobe read PATH          open O_RDONLY and read a byte
 *   fsprobe write PATH         create a NEW file (O_CREAT|O_EXCL) and write a byte; an existing
 *                              file is never touched (EEXIST), so the probe cannot damage the
 *                              host even when run without a sandbox
 *   fsprobe stat PATH          stat (ENOENT when the path is not in the sandbox)
 *   fsprobe openat FD NAME     openat(FD, NAME, O_RDONLY) and read a byte: a path reached
 *                              through an inherited directory fd (Landlock still applies)
 *   fsprobe mkdir PATH
 *   fsprobe openw PATH         open O_WRONLY (no create, no truncate) and write nothing: the
 *                              permission check alone, safe on /proc/sysrq-trigger and sysctls
 *   fsprobe count PATH         open O_RDONLY and read up to 1 MiB: "count PATH: N" (the bytes
 *                              read) or the errno name
 *   fsprobe chmod PATH         chmod PATH to the mode it already has: the permission check of a
 *                              chmod (EPERM, EROFS or OK), the mode unchanged either way
 * Several operations may follow each other: fsprobe read /a write /b. Exit 0 unless the
 * arguments are malformed. Nothing here modifies an existing file. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

static const char *read_one(int fd) {
  if (fd == -1) return probe_err(errno);
  char c;
  ssize_t n = read(fd, &c, 1);
  int err = errno;
  close(fd);
  /* EISDIR is a success for our purpose: the path was reached and opened. */
  if (n == -1 && err != EISDIR) return probe_err(err);
  return "OK";
}

int main(int argc, char **argv) {
  int i = 1;
  while (i < argc) {
    const char *op = argv[i];
    if (i + 1 >= argc) goto usage;
    const char *arg = argv[i + 1];
    const char *res;
    if (strcmp(op, "read") == 0) {
      res = read_one(open(arg, O_RDONLY | O_CLOEXEC));
    } else if (strcmp(op, "write") == 0) {
      int fd = open(arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd == -1) {
        res = probe_err(errno);
      } else {
        res = PROBE_RES(write(fd, "x", 1));
        close(fd);
      }
    } else if (strcmp(op, "stat") == 0) {
      struct stat st;
      res = PROBE_RES(stat(arg, &st));
    } else if (strcmp(op, "openw") == 0) {
      int fd = open(arg, O_WRONLY | O_CLOEXEC);
      res = fd == -1 ? probe_err(errno) : "OK";
      if (fd != -1) close(fd);
    } else if (strcmp(op, "count") == 0) {
      static char buf[1 << 20];
      int fd = open(arg, O_RDONLY | O_CLOEXEC);
      ssize_t total = 0, n = 0;
      while (fd != -1 && total < (ssize_t)sizeof buf &&
             (n = read(fd, buf + total, sizeof buf - (size_t)total)) > 0)
        total += n;
      int err = errno;
      if (fd != -1) close(fd);
      if (fd == -1 || n == -1) {
        res = probe_err(err);
      } else {
        printf("count %s: %zd\n", arg, total);
        i += 2;
        continue;
      }
    } else if (strcmp(op, "chmod") == 0) {
      struct stat st;
      res = stat(arg, &st) == -1 ? probe_err(errno) : PROBE_RES(chmod(arg, st.st_mode & 07777));
    } else if (strcmp(op, "mkdir") == 0) {
      res = PROBE_RES(mkdir(arg, 0755));
    } else if (strcmp(op, "openat") == 0) {
      if (i + 2 >= argc) goto usage;
      int dirfd = atoi(arg);
      printf("openat %d %s: %s\n", dirfd, argv[i + 2],
             read_one(openat(dirfd, argv[i + 2], O_RDONLY | O_CLOEXEC)));
      i += 3;
      continue;
    } else {
      goto usage;
    }
    printf("%s %s: %s\n", op, arg, res);
    i += 2;
  }
  return 0;
usage:
  fprintf(stderr,
          "usage: fsprobe {read|write|openw|count|chmod|stat|mkdir PATH | openat FD NAME}...\n");
  return 2;
}
