// The plan cache: `cordon run -p NAME|FILE` compiles a policy once and reuses the Plan.
//
// An entry lives under $XDG_CACHE_HOME/cordon (else $HOME/.cache/cordon) and is keyed by the
// policy's absolute path, every ${VAR} value the check may expand (the caller's and --set),
// the include search path, and the identity of the cordon binary (so a new compiler never
// reuses an old plan). The entry records each file the policy read (the policy and its
// includes) with the exact bytes the compiler parsed — not a second read from disk, which a
// swap between the two reads would make disagree with the plan; a lookup compares each file's
// current bytes with those and parses no policy text — any difference is a miss. Entries are
// written atomically (temp file + rename) with mode 0600 in a 0700 folder; a corrupt or foreign
// entry is a miss, never an error.
//
// Trust: a cached Plan is applied as if just compiled, so only files this user wrote count. The
// cache folder and the folder holding it must be owned by the effective uid (else the cache is
// disabled: e.g. `sudo` keeping the caller's $HOME, or a cache folder planted by another user);
// the `cordon` folder itself may not be a symlink; an entry must be a regular file owned by the
// effective uid and not writable by group or others.
//
// Whether the app of a launch could write any of this (the cache folder or a policy file
// inside one of its read-write binds) is refused by the launcher (launcher/trust.h).
//
// Not covered (a lookup can only see files the policy did read): a new file that would now
// shadow an include found later in the search path.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "launcher/plan.h"

namespace cordon::cli {

struct PlanCacheKey {
  std::string policy_path;                  // as resolved; made absolute by the cache
  std::map<std::string, std::string> vars;  // every variable the checker was given
  std::vector<std::string> search_path;     // the checker's include search path, in order
};

class PlanCache {
 public:
  // dir "": $XDG_CACHE_HOME/cordon, else $HOME/.cache/cordon; no usable folder → disabled.
  // A folder that does not exist is created (mode 0700, parents as needed).
  explicit PlanCache(std::string dir = "");
  // A cache that neither hits nor stores and touches no folder (`run --no-cache`). A path
  // like /nonexistent/... is no substitute: run as root, the cache would create it.
  static PlanCache disabled(std::string reason);
  // Where the default cache lives ($XDG_CACHE_HOME/cordon, else $HOME/.cache/cordon), without
  // creating or checking anything; "" when neither variable is an absolute path. A launch that
  // does not use the cache still must not hand it to its app: a later launch will read it.
  static std::string default_path();

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  // Why the cache is disabled ("" when enabled), for --verbose.
  const std::string& disabled_reason() const { return disabled_reason_; }

  // The cached Plan when every recorded file still hashes the same; nullopt otherwise.
  std::optional<launcher::Plan> lookup(const PlanCacheKey& key) const;
  // Stores `plan` with `texts`, the bytes the compiler parsed of each of plan.policy_files
  // (PolicyIR::file_texts), which must include the key's policy. Failure to write is reported
  // to the caller, who may ignore it: the cache is an optimisation.
  Result<void> store(const PlanCacheKey& key, const launcher::Plan& plan,
                     const std::vector<std::string>& texts) const;

  // The key as stored in an entry, and the entry's file name (fnv1a of the key + ".json").
  // Exposed for tests and `--verbose`.
  std::string key_string(const PlanCacheKey& key) const;
  std::string entry_name(const PlanCacheKey& key) const;

 private:
  struct DisabledTag {};
  explicit PlanCache(DisabledTag) {}

  std::string dir_;
  std::string binary_id_;  // dev, inode, size, mtime, ctime of /proc/self/exe
  std::string disabled_reason_;
};

}  // namespace cordon::cli
