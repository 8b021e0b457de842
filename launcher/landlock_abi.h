// Landlock uapi the project declares itself: Debian 12's headers are from Linux 6.1 (ABI 2),
// while the kernels cordon runs on offer up to ABI 7. Each value is guarded so newer headers win,
// and each right is used only when the running kernel's ABI (landlock_create_ruleset with
// LANDLOCK_CREATE_RULESET_VERSION) says it exists.
#pragma once

#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)  // ABI 3
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)  // ABI 5
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)  // ABI 4
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)  // ABI 6
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

namespace cordon::launcher::landlock {

inline constexpr uint64_t kRead = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
inline constexpr uint64_t kExecute = LANDLOCK_ACCESS_FS_EXECUTE;
inline constexpr uint64_t kWrite =
    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
    LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE;
inline constexpr uint64_t kIoctlDev = LANDLOCK_ACCESS_FS_IOCTL_DEV;

// The running kernel's Landlock ABI, or -errno (EOPNOTSUPP: built but off; ENOSYS: not built).
inline long kernel_abi() {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? -errno : abi;
}

// Names of the filesystem rights in `bits` ("read_file truncate"), for messages.
inline std::string fs_right_names(uint64_t bits) {
  static const char* const kNames[] = {"execute",    "write_file",  "read_file", "read_dir",
                                       "remove_dir", "remove_file", "make_char", "make_dir",
                                       "make_reg",   "make_sock",   "make_fifo", "make_block",
                                       "make_sym",   "refer",       "truncate",  "ioctl_dev"};
  std::string out;
  for (int i = 0; i < 16; ++i)
    if (bits & (1ULL << i)) out += (out.empty() ? "" : " ") + std::string(kNames[i]);
  return out;
}

// The filesystem rights each ABI knows; a ruleset may handle only these on that kernel.
inline constexpr uint64_t fs_rights_for_abi(int abi) {
  uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1
  if (abi >= 2) all |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) all |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5) all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  return all;
}

}  // namespace cordon::launcher::landlock

// Structures newer than Debian 12's headers, declared under cordon's own names so they never
// clash with a system header that has them.
namespace cordon::launcher::landlock {

// landlock_create_ruleset's attribute, full size (ABI 6). The size passed to the kernel says
// how much of it this kernel reads: 8 bytes before ABI 4, 16 before ABI 6.
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};
inline constexpr size_t ruleset_attr_size(int abi) { return abi >= 6 ? 24 : abi >= 4 ? 16 : 8; }

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};
struct NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;
};
inline constexpr int kRulePathBeneath = 1;
inline constexpr int kRuleNetPort = 2;  // ABI 4

// landlock_restrict_self flags (ABI 7): log denials of the program started by execve too, not
// only of the process that restricted itself — that is the sandboxed app.
inline constexpr uint32_t kRestrictSelfLogNewExecOn = 1U << 1;

// Rights that make sense on a file (not a directory): adding a directory-only right on a file
// is EINVAL.
inline constexpr uint64_t kFileRights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                        LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |
                                        LANDLOCK_ACCESS_FS_IOCTL_DEV;

}  // namespace cordon::launcher::landlock
