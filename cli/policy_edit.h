// Policy edits for `cordon audit`'s suggestions: which file a fix may write, an audit::Change
// applied to its text, and the unified diff between two texts.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "audit/attribute.h"
#include "base/result.h"

namespace cordon::cli {

struct Edited {
  std::string text;   // the whole new file
  uint32_t line = 0;  // 1-based line of the entry that now decides (for the check)
};

// Applies `c` to `text` (the file at `path`), the smallest way the language allows:
//  - syscalls: a conditional allow (`allow socket if family == 16`) goes right before the
//    rule of this file that refuses the call, else at the block's end; otherwise a rule of
//    this file that names the call alone, unconditionally, becomes
//    `allow CALL`; a call named among others is taken out of that rule; otherwise
//    `allow CALL` is added to the file's syscalls block (a direct rule of the top file comes
//    before every included rule and every group rule);
//  - filesystem: an entry of this file for the same path gets the new kind; otherwise the
//    entry is added;
//  - landlock: the entry is added.
// A block the file lacks is appended at its end. Errors: the text does not parse.
Result<Edited> apply_change(const std::string& path, const std::string& text,
                            const audit::Change& c);

// A unified diff (`diff -u` style, 3 lines of context, one hunk per changed region) from `a`
// to `b`, both labelled `label` (`a` labelled `from_label` when one is given: "/dev/null" for
// a file the diff creates); "" when they are equal.
std::string unified_diff(const std::string& label, const std::string& a, const std::string& b,
                         const std::string& from_label = "");

// Which file a fix to the policy at `policy` may write. A fix never writes a shipped profile
// (a file beneath one of `library_dirs`, the profiles and include search path), a file the
// caller does not own, or a file for a sandbox another user ran: the audited sandbox chose
// the denials, and must not choose edits to files others use.
//  - the caller's own policy, for the caller's own sandbox: that file (`path` = `policy`);
//  - a shipped profile: a new file `local_dir`/NAME-local.cordon that includes it (`includes`
//    set), unless that file exists; `local_dir` is the user's own folder (cordon audit:
//    $XDG_CONFIG_HOME/cordon), never a working directory a sandbox may have written;
//  - anything else: no file (`path` empty, `why` says why).
struct FixTarget {
  std::string path;      // the file the fix writes; "" when none may be
  std::string includes;  // set when `path` is a new file including this shipped profile
  std::string why;       // when `path` is "": why no file may be written
};
FixTarget fix_target(const std::string& policy, const std::vector<std::string>& library_dirs,
                     uid_t caller, uid_t sandbox_uid, const std::string& local_dir);

// The text of a new policy file that includes `included` (an absolute path: an include is
// looked for beside its includer first, and a new file's directory may hold anything).
std::string including_file_text(const std::string& included);

}  // namespace cordon::cli
