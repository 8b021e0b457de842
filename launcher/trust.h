// What the next launch trusts must be out of the sandbox's reach.
//
// A policy, its includes, the plan cache and the sandbox registry decide the NEXT sandbox (or
// what `cordon audit` says about this one). If the app can write one of them — because it
// lies inside a read-write bind of this very launch (a project's `./p.cordon` under `rw
// ${PWD}`; XDG_CACHE_HOME=$PWD/.cache), or because the file or a folder above it is writable
// by some other user — the app, or that user, chooses the next policy. The launch is refused
// then, with one line naming the file and the bind (or the owner and mode) responsible.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "launcher/plan.h"

namespace cordon::launcher {

struct TrustedPath {
  std::string what;  // "policy", "include", "plan cache", "sandbox registry"
  std::string path;  // as the caller names it; made absolute against the working directory
  // Only the writable-bind check: the registry checks its folder's owner and mode itself and,
  // when they are unsafe, runs without a registry (a warning), which decides no launch.
  bool binds_only = false;
};

// The files and folders a launch of `plan` trusts: the plan's policy files (the first is the
// policy, the rest its includes), then `extra` (the cache and registry folders, when used).
std::vector<TrustedPath> trusted_paths(const Plan& plan, const std::vector<TrustedPath>& extra);

// Refuses when a trusted path is, or lies beneath, a read-write bind of `plan` — compared by
// device and inode up the path's real ancestry, so another name for the same folder (a bind
// mount, a symlink) counts too — or is a file with more than one hard link (another name
// could be inside a bind), or when it or a folder above it could be changed by a user other
// than `uid` and root (owned by one, or writable by group or others without the sticky bit).
// A trusted path that does not exist is skipped (an optional registry folder, say).
Result<void> refuse_untrusted(const Plan& plan, const std::vector<TrustedPath>& paths, uid_t uid);

}  // namespace cordon::launcher
