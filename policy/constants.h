// Named constants a policy condition may use (AF_INET, O_WRONLY, TIOCSTI, EPERM, ...), errno
// names, and capability names.
//
// The values are not typed by hand: tools/gen_constants.py lists the names defined by the system
// headers at build time and constants.cc compiles them with those same headers, so the compiler
// evaluates every value for the machine being built for. Capabilities come from libcap.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::policy {

// A named integer constant. Negative values (AT_FDCWD) are stored as two's complement.
struct Constant {
  std::string_view name;
  uint64_t value;
};

// Every named constant usable in a policy condition: AF_*, SOCK_* (types and SOCK_NONBLOCK /
// SOCK_CLOEXEC), O_*, AT_*, CLONE_*, PR_*, MAP_*, PROT_*, MADV_*, F_* (fcntl), FUTEX_*,
// IPPROTO_*, SIG* signal numbers and SIG_BLOCK/SIG_UNBLOCK/SIG_SETMASK, NETLINK_*, ioctl requests
// (TC*, TIOC*, FIO*, SIOC*), personality PER_* / ADDR_NO_RANDOMIZE etc., errno names (EPERM...).
std::span<const Constant> all_constants();  // sorted by name, no duplicates
std::optional<uint64_t> find_constant(std::string_view name);

// Errno names of <errno.h> only: "EPERM" -> 1.
std::optional<int> errno_from_name(std::string_view name);
// 1 -> "EPERM"; for values with aliases the primary name (11 -> "EAGAIN", not "EWOULDBLOCK");
// unknown -> the number as text.
std::string errno_to_name(int err);
std::vector<std::string_view> errno_names();  // sorted, aliases included

// Capabilities through libcap. Accepts "NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE" and lower
// case; not numbers. Names are returned upper case without CAP_; capability_to_name of a number
// libcap has no name for returns the number as text.
std::optional<int> capability_from_name(std::string_view name);
std::string capability_to_name(int cap);
// "CAP_NET_BIND_SERVICE", as systemd and libcap's users write it; the number for one libcap
// has no name for.
std::string capability_label(int cap);
std::vector<std::string> capability_names();  // every capability libcap knows, by number

}  // namespace cordon::policy
