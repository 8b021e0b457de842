// Path relations on normalised absolute paths, as text (nothing is resolved on disk).
#pragma once

#include <string_view>

namespace cordon {

// `path` equals `dir` or lies beneath it ("/a/b" is at or beneath "/a", "/ab" is not); every
// absolute path is beneath "/". A trailing '/' of `dir` is ignored.
inline bool at_or_beneath(std::string_view path, std::string_view dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

}  // namespace cordon
