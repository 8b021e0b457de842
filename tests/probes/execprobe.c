/* execprobe: every way an app can start a program, as one that wants to run code the policy
 * refuses would try them. `execprobe MODE TARGET` tries MODE, with TARGET (this probe itself)
 * run as `TARGET ran MODE`, which prints "ran=MODE": a line that appears means the exec
 * happened. A refused call prints "MODE=ERRNO" and the next mode is tried.
 *   execve          execve(TARGET)
 *   execveat-fd     execveat(fd of TARGET, "", AT_EMPTY_PATH): what cordon itself does
 *   execveat-abs    execveat(a closed fd number, "/abs/TARGET", AT_EMPTY_PATH): an absolute
 *                   path ignores the fd
 *   execveat-stale  TARGET opened again at the fd number cordon's own exec used (the lowest
 *                   free), then execveat on it
 *   fexecve         glibc's fexecve(fd)
 *   memfd           memfd_create, TARGET's bytes written into it, execveat(memfd)
 *   all             each of the above, in that order
 *   pending GO      prints "waiting", waits for the file GO, prints "trying", then execveat-fd
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

extern char **environ;
static const char *target;

static void say(const char *mode, long rc) {
  printf("%s=%s\n", mode, rc < 0 ? probe_err(errno) : "OK");
  fflush(stdout);
}

static void try_mode(const char *mode) {
  char *argv[] = {(char *)target, "ran", (char *)mode, NULL};
  long rc = -1;
  fflush(stdout);
  if (strcmp(mode, "execve") == 0) {
    rc = execve(target, argv, environ);
  } else if (strcmp(mode, "execveat-fd") == 0) {
    int fd = open(target, O_PATH | O_CLOEXEC);
    rc = syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  } else if (strcmp(mode, "execveat-abs") == 0) {
    rc = syscall(SYS_execveat, 999, target, argv, environ, AT_EMPTY_PATH);
  } else if (strcmp(mode, "execveat-stale") == 0) {
    int fd = open(target, O_PATH);
    printf("stale-fd=%d\n", fd);
    rc = syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  } else if (strcmp(mode, "fexecve") == 0) {
    int fd = open(target, O_RDONLY);
    rc = fexecve(fd, argv, environ);
  } else if (strcmp(mode, "memfd") == 0) {
    int mfd = memfd_create("payload", 0);
    int in = open(target, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (mfd < 0 || in < 0 || fstat(in, &st) != 0 ||
        sendfile(mfd, in, NULL, (size_t)st.st_size) != st.st_size) {
      say("memfd-write", -1);
      return;
    }
    rc = syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
  }
  say(mode, rc);
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "ran") == 0) {
    printf("ran=%s\n", argv[2]);
    return 0;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: execprobe MODE TARGET [GO]\n");
    return 2;
  }
  target = argv[2];
  if (strcmp(argv[1], "all") == 0) {
    const char *modes[] = {"execve",         "execveat-fd", "execveat-abs",
                           "execveat-stale", "fexecve",     "memfd"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; ++i) try_mode(modes[i]);
    return 0;
  }
  if (strcmp(argv[1], "pending") == 0 && argc >= 4) {
    printf("waiting\n");
    fflush(stdout);
    while (access(argv[3], F_OK) != 0) usleep(20000);
    printf("trying\n");
    fflush(stdout);
    try_mode("execveat-fd");
    return 0;
  }
  try_mode(argv[1]);
  return 0;
}
