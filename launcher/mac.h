// The MAC stage's parent half (issue #6): what can be looked up or refused before clone, for
// AppArmor (is a profile loaded, load a generated one with apparmor_parser, which label cordon
// itself runs under) and the procfs check the child makes before it sets an exec label.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace cordon::launcher {

// Whether AppArmor has a profile of this name loaded (securityfs `profiles`, the names of
// every loaded profile, each followed by its mode). An error when the list cannot be read.
Result<bool> apparmor_profile_loaded(const std::string& name);

// Loads a profile with apparmor_parser (--add, from stdin; no cache is read or written). The
// parser is looked for in /usr/sbin, /sbin, then PATH. On failure the message holds the
// parser's own first lines of output.
Result<void> load_apparmor_profile(const std::string& text);

// The AppArmor label cordon runs under ("unconfined" when none), and its mode; nullopt when
// it cannot be asked.
struct AppArmorLabel {
  std::string label, mode;
};
std::optional<AppArmorLabel> current_apparmor_label();

// Child side: whether `/proc` (as the process sees it now) is a procfs of its own PID
// namespace, where libapparmor and libselinux write the exec label: its filesystem type is
// procfs and /proc/self names this process. Returns 0, or the errno to report.
int verify_procfs();

}  // namespace cordon::launcher
