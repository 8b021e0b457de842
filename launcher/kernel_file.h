// Writing a kernel control file: a cgroup's, or a process's id maps in /proc.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace cordon::launcher {

// One write(2) of `value` to the existing file `path`: the kernel parses each write as one
// whole value (uid_map takes every line at once). No O_CREAT: a missing file is an error.
Result<void> write_kernel_file(const std::string& path, std::string_view value);

}  // namespace cordon::launcher
