// Audit record type numbers and the names auditd prints for them (linux/audit.h).
#pragma once

#include <string_view>

namespace cordon::audit {

// The type number for "SECCOMP", "1326", "UNKNOWN[1326]" (auditd) or "AUDIT1326" (journald);
// 0 when the token is none of these.
int record_type_number(std::string_view token);
// "SECCOMP" for 1326; "" for numbers this table does not name.
std::string_view record_type_name(int type);

inline constexpr int kUserAvc = 1107;
inline constexpr int kSyscall = 1300;
inline constexpr int kPath = 1302;
inline constexpr int kCwd = 1307;
inline constexpr int kEoe = 1320;
inline constexpr int kSeccomp = 1326;
inline constexpr int kProctitle = 1327;
inline constexpr int kAvc = 1400;
inline constexpr int kAppArmorFirst = 1500;  // 1500 APPARMOR … 1507 APPARMOR_KILL
inline constexpr int kAppArmorLast = 1507;
inline constexpr int kLandlockAccess = 1423;
inline constexpr int kLandlockDomain = 1424;

}  // namespace cordon::audit
