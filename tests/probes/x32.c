/* x32: getpid with the x32 ABI bit set (__X32_SYSCALL_BIT | 39). On a kernel without x32 the
 * call fails with ENOSYS, with x32 it returns the pid; a filter that denies x32 by construction
 * kills the process with SIGSYS before either. Prints "x32 getpid=RET errno=NAME". */
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

int main(void) {
  printf("native getpid=%d\n", getpid());
  fflush(stdout);
  errno = 0;
  long ret = syscall(__X32_SYSCALL_BIT | 39);
  printf("x32 getpid=%ld errno=%s\n", ret, probe_err(ret == -1 ? errno : 0));
  return 0;
}
