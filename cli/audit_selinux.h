// `cordon audit` for SELinux denials of the domain a policy's module describes (issue #6):
// `cordon compile --emit selinux-cil` gives each filesystem entry a type of its own (or the
// reference policy's tmpfs_t, proc_t, device types), so an `avc: denied` record's tcontext
// names the entry that decides: the denial maps to that entry, with the fix a Landlock denial
// of the same kind gets. The audit library attributes SELinux denials only to the `mac` entry.
#pragma once

#include <optional>
#include <string>

#include "audit/attribute.h"
#include "audit/denial.h"
#include "launcher/plan.h"

namespace cordon::cli {

// nullopt when `d` is not an SELinux denial of the domain generate_selinux() writes for
// `plan` (then the audit library's attribution stands).
std::optional<audit::Attribution> attribute_selinux_module(const audit::Denial& d,
                                                           const launcher::Plan& plan,
                                                           const std::string& policy_path);

}  // namespace cordon::cli
