// Result<T> and Error: how every fallible call in cordon reports failure.
//
// An Error carries an errno-style code (0 when none applies), a message, and the chain of
// context added as it travels up (`wrap`), so a failure deep in a stage still reads as one
// sentence at the top: "applying mounts: open /var/lib/redis: ENOENT".
#pragma once

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace cordon {

class Error {
 public:
  Error() = default;
  explicit Error(std::string message, int code = 0) : message_(std::move(message)), code_(code) {}

  // An error from a failed system call: "what: ENOENT (No such file or directory)".
  static Error from_errno(std::string_view what, int err = errno) {
    return Error(fmt::format("{}: {}", what, errno_name(err)), err);
  }

  const std::string& message() const { return message_; }
  int code() const { return code_; }

  // Adds context in front of the message, keeping the code.
  Error wrap(std::string_view context) const& {
    return Error(fmt::format("{}: {}", context, message_), code_);
  }
  Error wrap(std::string_view context) && {
    message_ = fmt::format("{}: {}", context, message_);
    return std::move(*this);
  }

  // "ENOENT" for 2; falls back to the number for codes without a symbolic name.
  static std::string errno_name(int err) {
    const char* name = strerrorname_np(err);
    return name ? std::string(name) : fmt::format("errno {}", err);
  }

 private:
  std::string message_;
  int code_ = 0;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(std::string message, int code = 0) {
  return tl::unexpected<Error>(Error(std::move(message), code));
}
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

}  // namespace cordon
