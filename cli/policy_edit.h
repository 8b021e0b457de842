// Policy edits for `cordon audit`'s suggestions: an audit::Change applied to the text of the
// policy file given on the command line, and the unified diff between two texts.
#pragma once

#include <cstdint>
#include <string>

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
// to `b`, both labelled `label`; "" when they are equal.
std::string unified_diff(const std::string& label, const std::string& a, const std::string& b);

}  // namespace cordon::cli
