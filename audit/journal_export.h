// `journalctl -o export` read line by line (systemd's docs/JOURNAL_EXPORT_FORMATS.md): entries
// of `FIELD=value` lines, each entry ended by an empty line. A value that is not printable
// UTF-8 free of newlines is written in the binary form instead: FIELD alone on its line, the
// value's length as a 64-bit little-endian number, the raw bytes, and '\n'.
//
// The reader is fed the stream split at '\n' (as std::getline splits a file), so a binary
// value, and even its 8 length bytes, may arrive over several lines: it keeps the count of
// bytes still owed and puts back the '\n' each split removed. Only the fields that locate an
// audit record are kept (JournalEntry), each cut at kMaxValue bytes, so an entry costs bounded
// memory whatever lengths the stream announces.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/record.h"

namespace cordon::audit {

class JournalExportReader {
 public:
  static constexpr size_t kMaxValue = 64 * 1024;

  struct Step {
    bool consumed = false;              // the line was part of an export stream
    std::optional<JournalEntry> entry;  // the entry this line ended, if any
  };

  // One line without its '\n'. Outside an entry, only a `FIELD=value` line starts one; any
  // other line is not consumed. Inside an entry, a line that is neither a field, a binary
  // field's name nor the empty line ends the entry early (counted in `malformed`) and is not
  // consumed: the caller reads it as a line of its own.
  Step add_line(std::string_view line);
  // At end of input: the entry still open (a stream cut short), if any.
  std::optional<JournalEntry> finish();

  bool in_entry() const { return state_ != State::kOutside; }

  size_t entries = 0;    // entries ended (by an empty line, a foreign line or finish())
  size_t malformed = 0;  // entries ended by a foreign line, binary fields not ended by '\n'

 private:
  enum class State { kOutside, kFields, kLength, kData, kTerminator };

  void store(std::string_view name, std::string_view value);
  void feed_binary(std::string_view line);
  JournalEntry take();

  State state_ = State::kOutside;
  JournalEntry entry_;
  std::array<bool, 6> seen_{};  // which of entry_'s fields were given (the first value wins)
  // The binary field being read.
  std::string binary_name_, binary_value_;
  std::array<unsigned char, 8> length_bytes_{};
  size_t length_have_ = 0;
  uint64_t owed_ = 0;  // data bytes still to come
};

}  // namespace cordon::audit
