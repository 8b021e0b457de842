#include "audit/record_types.h"

#include <charconv>

namespace cordon::audit {
namespace {

struct TypeName {
  int type;
  std::string_view name;
};
// The types denials come with, and the common neighbours a log interleaves them with. The
// commonest in real logs come first: lookups are linear.
constexpr TypeName kTypes[] = {
    {1300, "SYSCALL"},
    {1302, "PATH"},
    {1320, "EOE"},
    {1327, "PROCTITLE"},
    {1307, "CWD"},
    {1326, "SECCOMP"},
    {1400, "AVC"},
    {1100, "USER_AUTH"},
    {1101, "USER_ACCT"},
    {1103, "CRED_ACQ"},
    {1104, "CRED_DISP"},
    {1105, "USER_START"},
    {1106, "USER_END"},
    {1107, "USER_AVC"},
    {1108, "USER_CHAUTH"},
    {1112, "USER_LOGIN"},
    {1130, "SERVICE_START"},
    {1131, "SERVICE_STOP"},
    {1303, "IPC"},
    {1304, "SOCKETCALL"},
    {1305, "CONFIG_CHANGE"},
    {1306, "SOCKADDR"},
    {1309, "EXECVE"},
    {1321, "BPRM_FCAPS"},
    {1322, "CAPSET"},
    {1325, "NETFILTER_CFG"},
    {1334, "BPF"},
    {1401, "SELINUX_ERR"},
    {1402, "AVC_PATH"},
    {1403, "MAC_POLICY_LOAD"},
    {1404, "MAC_STATUS"},
    {1420, "MAC_UNLBL_STCADD"},
    {1423, "LANDLOCK_ACCESS"},
    {1424, "LANDLOCK_DOMAIN"},
    {1500, "APPARMOR"},
    {1501, "APPARMOR_AUDIT"},
    {1502, "APPARMOR_ALLOWED"},
    {1503, "APPARMOR_DENIED"},
    {1504, "APPARMOR_HINT"},
    {1505, "APPARMOR_STATUS"},
    {1506, "APPARMOR_ERROR"},
    {1507, "APPARMOR_KILL"},
    {1701, "ANOM_ABEND"},
    {2100, "USER_SELINUX_ERR"},
};

int parse_int(std::string_view s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n <= 0) return 0;
  return n;
}

}  // namespace

int record_type_number(std::string_view token) {
  if (token.starts_with("UNKNOWN[") && token.ends_with("]"))
    return parse_int(token.substr(8, token.size() - 9));
  if (!token.empty() && token[0] >= '0' && token[0] <= '9') return parse_int(token);
  // journald's name for a type it does not know (systemd's audit_type_name_alloca).
  if (token.size() > 5 && token.starts_with("AUDIT") && token[5] >= '0' && token[5] <= '9')
    return parse_int(token.substr(5));
  for (const auto& t : kTypes)
    if (t.name == token) return t.type;
  return 0;
}

std::string_view record_type_name(int type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t.name;
  return {};
}

}  // namespace cordon::audit
