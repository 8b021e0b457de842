// The sandbox registry (issue #4): one small JSON file per `cordon run`, written by the
// supervisor when the app starts and rewritten when it ends, so that `cordon audit` can tell
// which sandbox — and so which policy — a denial in a kernel log came from.
//
// Where: $XDG_RUNTIME_DIR/cordon, else /run/cordon for root; an unprivileged caller without
// XDG_RUNTIME_DIR has no registry (audit then needs --policy). The directory must belong to
// the caller and be writable by nobody else; files are 0600, written to a temporary name and
// renamed, so a reader never sees half a record. A running sandbox's file is ID.run.json, an
// ended one's ID.json, so pruning needs no file read: the oldest ended records (and running
// ones whose PID 1 is gone) are pruned beyond kRegistryKeep files.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace cordon::launcher {

inline constexpr size_t kRegistryKeep = 512;

struct SandboxRecord {
  std::string id;        // "<start ns>-<pid>": the file's name without .json
  int64_t host_pid = 0;  // the sandbox's first process (PID 1 inside), in the host's namespace
  std::optional<int64_t> app_pid;  // the app's host pid, when it was seen before it exited
  std::optional<uint64_t> pid_ns;  // inode of the sandbox's PID namespace
  uint32_t uid = 0;                // the caller's uid
  double start = 0;                // CLOCK_REALTIME seconds, as audit timestamps are
  std::optional<double> end;       // nullopt while running (or when the supervisor was killed)
  std::optional<int> exit_code;
  std::vector<std::string> command;
  std::string policy_name;
  std::vector<std::string> policy_files;    // the policy first, then its includes
  std::string policy_hash;                  // launcher::Plan::policy_hash
  std::map<std::string, std::string> vars;  // ${NAME} values the policy was compiled with
  std::vector<std::string> search_path;     // include search path it was compiled with
};

// The caller's registry directory ("" when it has none).
std::string registry_dir();

// Writes (or rewrites) `rec` into `dir`, creating `dir` (0700) when missing. Refuses a `dir`
// that is a symlink, not the caller's, or writable by group or others.
Result<void> write_record(const std::string& dir, const SandboxRecord& rec);

// Removes the oldest ended records beyond `keep` files (never one whose PID 1 still lives).
void prune_registry(const std::string& dir, size_t keep = kRegistryKeep);

// Every record in `dir` (unreadable or malformed files are skipped and counted in `skipped`).
// A record counts only when the uid it names owns both its file and `dir`; one that does not
// is left out, with a line naming its file in `refused`.
std::vector<SandboxRecord> read_registry(const std::string& dir, size_t* skipped = nullptr,
                                         std::vector<std::string>* refused = nullptr);

// JSON text of a record, and its reader (nullopt on malformed input).
std::string record_json(const SandboxRecord& rec);
std::optional<SandboxRecord> parse_record(const std::string& text);

}  // namespace cordon::launcher
