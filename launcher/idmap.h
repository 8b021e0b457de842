// The parent's half of a root caller's filesystem (docs/launcher.md, "Ids").
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "launcher/spec.h"
#include "launcher/unique_fd.h"

namespace cordon::launcher {

// A root caller's binds (host_ids.count > 0), made by the parent before clone in the host's
// mount namespace, where it can still reach every source (idmap.cc): each source opened
// without following symlinks and cloned (recursively) as a detached mount with the entry's
// attributes; every `rw` clone idmapped so that the caller's files (host uid/gid 0) are the
// app's inside ids and the files the app creates are the caller's on disk. Fills
// s.source_fds (owned by the returned fds, which the parent closes after clone). An rw entry on
// a filesystem that cannot be idmapped is refused, naming it, unless it is a directory anyone
// may write (/tmp), which is bound as it is with a warning.
Result<std::vector<UniqueFd>> clone_bind_sources(Spec& s, std::vector<std::string>& warnings);

}  // namespace cordon::launcher
