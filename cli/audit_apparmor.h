// `cordon audit` for AppArmor denials of a profile cordon generated from the policy (issue #6):
// `apparmor generate` runs enter cordon-<policy name>-<hash of its rules>
// (generated_apparmor_name), `--emit apparmor` writes cordon-<policy name>. The audit library
// attributes a named profile's denial only to the `mac` entry (the rule that refused is in that
// profile); a generated profile's lines each come from a policy entry, so its denial maps to the
// filesystem entry that wrote the line (rule_for), with the same kind of fix as a Landlock denial.
#pragma once

#include <optional>
#include <string>

#include "audit/attribute.h"
#include "audit/denial.h"
#include "launcher/plan.h"

namespace cordon::cli {

// nullopt when `d` is not an AppArmor denial of a profile generated from `plan` (then the
// audit library's attribution stands). `policy_path` is the policy file (its stem names the
// profile when the policy has no name).
std::optional<audit::Attribution> attribute_generated_apparmor(const audit::Denial& d,
                                                               const launcher::Plan& plan,
                                                               const std::string& policy_path);

}  // namespace cordon::cli
