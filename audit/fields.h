// The key=value body of an audit record, and the kernel's hex encoding of untrusted strings.
#pragma once

#include <charconv>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "audit/record.h"

namespace cordon::audit {

struct BodyOptions {
  // `ausearch -i` output: values are already interpreted, never hex.
  bool interpreted = false;
};

struct BodyResult {
  // Where a second record glued onto this line starts (its node=/host=/type= token), if any.
  std::optional<size_t> next_record;
  // The body had ENRICHED fields: after a 0x1d separator, or glued onto the last raw value
  // when the separator was lost (`code=0x7ffc0000AUID="unset"`).
  bool enriched = false;
};

// Appends the body's fields to `rec.fields`. Words without '=' ("for", "(enforce)", old
// AppArmor prose) are skipped; an unterminated quote takes the rest of the body.
BodyResult parse_body(std::string_view body, const BodyOptions& opts, Record& rec);

// A whole field as a decimal number; nullopt for "", junk or trailing characters.
template <typename T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "2F62696E" → "/bin"; nullopt unless `s` is a non-empty, even-length run of hex digits.
std::optional<std::string> hex_decode(std::string_view s);

}  // namespace cordon::audit
