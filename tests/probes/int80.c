/* int80: getpid through the i386 entry point (`int $0x80`, eax = 20, i386's __NR_getpid) from
 * a 64-bit process — the classic way around a filter written for x86_64 numbers. Prints
 * "int80 getpid=N" when the call ran; a filter that kills other architectures ends the process
 * with SIGSYS first. */
#include <unistd.h>

#include "probe.h"

int main(void) {
  long ret = 20; /* i386 __NR_getpid */
  printf("native getpid=%d\n", getpid());
  fflush(stdout);
  __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
  printf("int80 getpid=%ld\n", ret);
  return 0;
}
