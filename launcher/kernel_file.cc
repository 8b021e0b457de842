#include "launcher/kernel_file.h"

#include <fcntl.h>
#include <unistd.h>

#include "launcher/unique_fd.h"

namespace cordon::launcher {

Result<void> write_kernel_file(const std::string& path, std::string_view value) {
  std::string_view shown = value;
  while (!shown.empty() && shown.back() == '\n') shown.remove_suffix(1);
  auto failed = [&](int err) {
    return fail(Error::from_errno(fmt::format("write {} to {}", shown, path), err));
  };
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return failed(errno);
  ssize_t n;
  do n = ::write(fd.get(), value.data(), value.size());
  while (n < 0 && errno == EINTR);
  if (n < 0) return failed(errno);
  if (static_cast<size_t>(n) != value.size()) return failed(EIO);
  return {};
}

}  // namespace cordon::launcher
