// `cordon compile --emit oci-seccomp | oci | k8s` (issue #5): the compiled policy for container
// runtimes.
//
// - oci-seccomp: the runtime-spec `linux.seccomp` object, also what Docker's
//   `--security-opt seccomp=FILE` and Podman read. Its entries are the compiler's lowered
//   libseccomp rules (compiler::lower_seccomp), the very rules cordon's own filter is built
//   from, so a runtime that hands them to libseccomp builds a filter with the same decisions.
// - oci: the parts of a runtime-spec config.json a policy decides — process (user,
//   capabilities, rlimits, noNewPrivileges, env, apparmorProfile, selinuxLabel), hostname,
//   mounts and linux (namespaces, uid/gid mappings, resources, seccomp) — to merge into a
//   config that names the root filesystem and the command.
// - k8s: a Security Profiles Operator `SeccompProfile` object (YAML).
//
// What a target cannot express is never dropped silently: it is listed, with the rule it came
// from, under "x-cordon-not-expressed" (oci-seccomp; runtimes ignore unknown keys), as
// "org.cordon.not-expressed.N" annotations (oci), or as YAML comments (k8s).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/seccomp.h"
#include "launcher/plan.h"

namespace cordon::cli {

// The runtime-spec name of a seccomp architecture ("x86_64" -> "SCMP_ARCH_X86_64").
std::string oci_arch(const std::string& libseccomp_name);

// The `linux.seccomp` object. `notes` receives what it cannot express.
nlohmann::ordered_json oci_seccomp(const launcher::Plan& plan,
                                   const compiler::LoweredSeccomp& lowered,
                                   std::vector<std::string>& notes);

// The three outputs, as text ready to write.
std::string emit_oci_seccomp(const launcher::Plan& plan, const compiler::LoweredSeccomp& lowered);
std::string emit_oci(const launcher::Plan& plan, const compiler::LoweredSeccomp& lowered,
                     const std::string& policy_path);
std::string emit_k8s(const launcher::Plan& plan, const compiler::LoweredSeccomp& lowered,
                     const std::string& policy_path);

}  // namespace cordon::cli
