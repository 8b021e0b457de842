// `cordon import FILE.json`: an OCI runtime-spec seccomp profile (`linux.seccomp`, or a whole
// config.json holding one) or a Docker/moby profile becomes a .cordon policy whose compiled
// filter decides every system call the way runc or crun decide it with the profile.
//
// The import follows the runtimes rather than the spec's prose wherever the two differ:
//
//   - Docker's `includes` / `excludes` are resolved for ONE container (a capability set, an
//     architecture, a kernel version), exactly as moby does it before handing the profile on;
//     every entry left out is written as a comment saying why, never dropped silently.
//   - Within one entry the comparisons are ANDed, except when two test the same argument: then
//     runc and crun add each comparison of the entry as a rule of its own, so ALL of the entry's
//     comparisons are ORed (including those on other arguments). The import does the same.
//   - Names libseccomp cannot resolve are skipped (runc and crun skip them too) and listed.
//   - Entries for one syscall with different actions are ordered (cordon's first match wins) the
//     way libseccomp 2.5 really resolves their overlap. The import builds the profile's filter
//     with libseccomp, the way runc does, and checks its result against it for every syscall at
//     every boundary value, on every architecture of the filter; when no order of the rules
//     gives libseccomp's result, or libseccomp refuses a rule (so runc would refuse the
//     profile), the import fails and names the entries.
//   - cordon compares an argument on the width the kernel reads (32 bits for `int`), a profile
//     on 64 bits. The import writes conditions that agree on every value the kernel can see;
//     the policy's header lists the arguments where the upper 32 bits decide differently.
//
// What cannot be the same is refused or written down in the policy's header: SCMP_ACT_TRACE
// (refused unless mapped to `errno ENOSYS`, which is what a traced call gets with no tracer
// attached), x32 (cordon's filter kills x32 calls), calls from uncovered architectures (killed
// process, not thread), runc's ENOSYS stub for syscall numbers above the profile's highest.
// Profiles runc itself cannot load are refused with its reason: a rule libseccomp rejects
// (EEXIST, errno values from 4095 up), or a filter libseccomp takes over 10 s to build. Every
// policy returned has been compiled once by cordon's compiler; one it refuses is an error here.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace cordon::cli {

// Docker's default capability set (moby's oci/caps.DefaultCapabilities), "CAP_CHOWN" … .
const std::vector<std::string>& docker_default_capabilities();

struct ImportOptions {
  // The container's capabilities, for `includes.caps` / `excludes.caps`: "CAP_SYS_ADMIN",
  // "SYS_ADMIN" or "sys_admin". nullopt: Docker's default set. An empty list: none.
  std::optional<std::vector<std::string>> caps;
  // The architecture the profile is resolved for: moby's name ("amd64", "arm64", "x86"…),
  // GOARCH ("386") or libseccomp's ("x86_64", "aarch64"). "": this machine's.
  std::string arch;
  // The kernel version for `minKernel`: "6.1" or a release like "6.1.0-13-amd64". "": the
  // running kernel (uname).
  std::string kernel;
  // Named in the policy's header ("moby-default.json").
  std::string source_name;
  // SCMP_ACT_TRACE is refused unless this is set; then it becomes `errno ENOSYS`, the result a
  // traced call gets when no tracer is attached (cordon never attaches one).
  bool trace_as_enosys = false;
};

struct ImportResult {
  std::string policy_text;         // a complete .cordon file
  std::vector<std::string> notes;  // what was left out or differs, one sentence each
};

// `profile` is a `linux.seccomp` object, a Docker profile, or a whole OCI config.json. Errors
// name the JSON location: `syscalls[12].args[0].op: unknown operator "SCMP_CMP_FOO"`.
Result<ImportResult> import_seccomp(const nlohmann::json& profile, const ImportOptions& opt);

// Reads and parses FILE, then imports it; `source_name` defaults to the file's name.
Result<ImportResult> import_seccomp_file(const std::string& path, ImportOptions opt);

}  // namespace cordon::cli
