#include "audit/journal_export.h"

#include <algorithm>

namespace cordon::audit {
namespace {

// journald's rule for field names (journal_field_valid()): at most 64 characters of A-Z, 0-9
// and '_', not starting with a digit. Export metadata (__CURSOR …) starts with two '_'.
bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "NAME=value" with a valid NAME.
std::optional<std::pair<std::string_view, std::string_view>> text_field(std::string_view line) {
  // Names are short: look for '=' in the first 65 characters only, so a long line costs nothing.
  size_t eq = line.substr(0, 65).find('=');
  if (eq == std::string_view::npos || !valid_name(line.substr(0, eq))) return std::nullopt;
  return std::make_pair(line.substr(0, eq), line.substr(eq + 1));
}

// The JournalEntry member a field name fills, as an index into the reader's `seen_`; -1 for
// fields the audit reader does not need.
int field_index(std::string_view name) {
  if (name == "MESSAGE") return 0;
  if (name == "_TRANSPORT") return 1;
  if (name == "_AUDIT_TYPE") return 2;
  if (name == "_AUDIT_ID") return 3;
  if (name == "_SOURCE_REALTIME_TIMESTAMP") return 4;
  if (name == "__REALTIME_TIMESTAMP") return 5;
  return -1;
}

void append_capped(std::string& to, std::string_view bytes) {
  size_t room =
      JournalExportReader::kMaxValue - std::min(to.size(), JournalExportReader::kMaxValue);
  to.append(bytes.substr(0, room));
}

}  // namespace

void JournalExportReader::store(std::string_view name, std::string_view value) {
  int k = field_index(name);
  if (k < 0 || seen_[k]) return;
  seen_[k] = true;
  value = value.substr(0, kMaxValue);
  switch (k) {
    case 0:
      entry_.message = std::string(value);
      break;
    case 1:
      entry_.transport = std::string(value);
      break;
    case 2:
      entry_.audit_type = std::string(value);
      break;
    case 3:
      entry_.audit_id = std::string(value);
      break;
    case 4:
      entry_.source_realtime = std::string(value);
      break;
    default:
      entry_.realtime = std::string(value);
      break;
  }
}

JournalEntry JournalExportReader::take() {
  JournalEntry e = std::move(entry_);
  entry_ = JournalEntry{};
  seen_ = {};
  binary_name_.clear();
  binary_value_.clear();
  state_ = State::kOutside;
  ++entries;
  return e;
}

// The bytes of `line` and then the '\n' the split removed, through the binary field's states.
void JournalExportReader::feed_binary(std::string_view line) {
  const size_t n = line.size() + 1;
  auto byte_at = [&](size_t k) { return k < line.size() ? line[k] : '\n'; };
  bool keep = field_index(binary_name_) >= 0;
  size_t i = 0;
  while (i < n) {
    switch (state_) {
      case State::kLength:
        length_bytes_[length_have_++] = static_cast<unsigned char>(byte_at(i++));
        if (length_have_ == length_bytes_.size()) {
          owed_ = 0;
          for (size_t b = length_bytes_.size(); b-- > 0;) owed_ = owed_ << 8 | length_bytes_[b];
          state_ = owed_ ? State::kData : State::kTerminator;
        }
        break;
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(owed_, n - i));
        if (keep) {
          // [i, i + take) may reach past the line, into its '\n'.
          size_t in_line = std::min(i + take, line.size()) - std::min(i, line.size());
          append_capped(binary_value_, line.substr(std::min(i, line.size()), in_line));
          if (i + take > line.size()) append_capped(binary_value_, "\n");
        }
        i += take;
        owed_ -= take;
        if (owed_ == 0) state_ = State::kTerminator;
        break;
      }
      case State::kTerminator:
        // The '\n' after the data must be where the line ended; anything else means the
        // announced length was wrong: the rest of the line is dropped with the field.
        if (i == line.size()) {
          store(binary_name_, binary_value_);
        } else {
          ++malformed;
        }
        binary_name_.clear();
        binary_value_.clear();
        state_ = State::kFields;
        i = n;
        break;
      case State::kOutside:
      case State::kFields:
        i = n;  // not reached: a binary field's states are left only by the terminator
        break;
    }
  }
}

JournalExportReader::Step JournalExportReader::add_line(std::string_view line) {
  Step step;
  if (state_ == State::kLength || state_ == State::kData || state_ == State::kTerminator) {
    feed_binary(line);
    step.consumed = true;
    return step;
  }
  // journald writes no '\r'; a file that went through a CRLF conversion has one on every line.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (state_ == State::kOutside) {
    auto field = text_field(line);
    if (!field) return step;
    state_ = State::kFields;
    store(field->first, field->second);
    step.consumed = true;
    return step;
  }
  step.consumed = true;
  if (line.empty()) {
    step.entry = take();
  } else if (valid_name(line)) {
    binary_name_ = std::string(line);
    binary_value_.clear();
    length_have_ = 0;
    state_ = State::kLength;
  } else if (auto field = text_field(line)) {
    store(field->first, field->second);
  } else {
    ++malformed;
    step.entry = take();
    step.consumed = false;
  }
  return step;
}

std::optional<JournalEntry> JournalExportReader::finish() {
  if (state_ == State::kOutside) return std::nullopt;
  if (state_ != State::kFields && !binary_value_.empty()) store(binary_name_, binary_value_);
  return take();
}

}  // namespace cordon::audit
