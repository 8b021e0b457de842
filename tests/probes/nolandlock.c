/* nolandlock: runs a command as if the kernel had no Landlock. Installs a seccomp filter that
 * answers landlock_create_ruleset with ENOSYS (what a kernel without Landlock says) and allows
 * everything else, then execs argv[1..]. The e2e tests run `nolandlock cordon run …` to see
 * which isolation holds without Landlock (the other layers must), and that cordon says so.
 * Usage: nolandlock CMD [ARG]... */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: nolandlock CMD [ARG]...\n");
    return 2;
  }
  struct sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_landlock_create_ruleset, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog fprog = {.len = sizeof prog / sizeof prog[0], .filter = prog};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
      syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == -1) {
    fprintf(stderr, "nolandlock: seccomp: %s\n", probe_err(errno));
    return 125;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "nolandlock: exec %s: %s\n", argv[1], probe_err(errno));
  return errno == ENOENT ? 127 : 126;
}
