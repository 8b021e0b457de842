// `cordon compile --emit systemd` (issue #5): the Plan as a systemd unit drop-in ([Service]
// settings). What systemd cannot express — argument conditions, Landlock, per-call actions
// other than one errno, a PID namespace before systemd 257 — is written as a comment naming
// the rule, never dropped silently.
#pragma once

#include <string>

#include "launcher/plan.h"

namespace cordon::cli {

std::string emit_systemd(const launcher::Plan& plan, const std::string& policy_path);

}  // namespace cordon::cli
