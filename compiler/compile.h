// Lowering a checked policy to the Plan the launcher applies, one backend per mechanism.
#pragma once

#include <string>

#include "base/result.h"
#include "launcher/plan.h"
#include "policy/checker.h"
#include "policy/ir.h"

namespace cordon::compiler {

Result<launcher::Plan> compile_plan(const policy::PolicyIR& ir, const policy::CheckOptions& opts);

// Parse, check and compile a policy file in one step. On policy errors, `diags` holds them and
// the result is an error saying how many.
Result<launcher::Plan> compile_file(const std::string& path, const policy::CheckOptions& opts,
                                    policy::Diagnostics& diags, policy::PolicyIR* ir_out = nullptr);

}  // namespace cordon::compiler
