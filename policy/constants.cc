#include "policy/constants.h"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

// The same headers the generator read, so the names below evaluate to their system values.
#include "cordon_constants_headers.inc"

namespace cordon::policy {
namespace {

constexpr Constant kConstants[] = {
#include "cordon_constants.inc"
};

struct ErrnoName {
  std::string_view name;
  int value;
  bool alias;  // EWOULDBLOCK, EDEADLOCK, ENOTSUP: defined as another errno name
};

constexpr ErrnoName kErrnos[] = {
#include "cordon_errno.inc"
};

constexpr bool sorted_unique(std::span<const Constant> table) {
  return std::adjacent_find(table.begin(), table.end(), [](const Constant& a, const Constant& b) {
           return a.name >= b.name;
         }) == table.end();
}
static_assert(sorted_unique(kConstants), "gen_constants.py must sort and dedupe by name");

// libcap's names are "cap_net_bind_service"; ours drop the prefix and are upper case.
std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// libcap's name for cap, or nullopt when it only knows the number.
std::optional<std::string> libcap_name(int cap) {
  char* raw = cap_to_name(static_cast<cap_value_t>(cap));
  if (raw == nullptr) return std::nullopt;
  std::string name(raw);
  cap_free(raw);
  if (to_lower(name.substr(0, 4)) != "cap_") return std::nullopt;
  return to_upper(std::string_view(name).substr(4));
}

// The highest capability number worth asking libcap about: the larger of what the headers and
// what the running kernel know.
int last_capability() {
  return std::max(static_cast<int>(CAP_LAST_CAP), static_cast<int>(cap_max_bits()) - 1);
}

}  // namespace

std::span<const Constant> all_constants() { return kConstants; }

std::optional<uint64_t> find_constant(std::string_view name) {
  auto it = std::lower_bound(std::begin(kConstants), std::end(kConstants), name,
                             [](const Constant& c, std::string_view n) { return c.name < n; });
  if (it == std::end(kConstants) || it->name != name) return std::nullopt;
  return it->value;
}

std::optional<int> errno_from_name(std::string_view name) {
  for (const ErrnoName& e : kErrnos) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

std::string errno_to_name(int err) {
  for (const ErrnoName& e : kErrnos) {
    if (e.value == err && !e.alias) return std::string(e.name);
  }
  return std::to_string(err);
}

std::vector<std::string_view> errno_names() {
  std::vector<std::string_view> names;
  names.reserve(std::size(kErrnos));
  for (const ErrnoName& e : kErrnos) names.push_back(e.name);
  return names;
}

std::optional<int> capability_from_name(std::string_view name) {
  std::string lower = to_lower(name);
  if (lower.starts_with("cap_")) lower.erase(0, 4);
  // cap_from_name() also parses numbers ("21"); a policy names capabilities.
  if (lower.empty() || !std::isalpha(static_cast<unsigned char>(lower[0]))) return std::nullopt;
  cap_value_t value;
  if (cap_from_name(("cap_" + lower).c_str(), &value) != 0) return std::nullopt;
  return static_cast<int>(value);
}

std::string capability_to_name(int cap) {
  if (cap >= 0) {
    if (auto name = libcap_name(cap)) return *name;
  }
  return std::to_string(cap);
}

std::string capability_label(int cap) {
  if (auto name = libcap_name(cap)) return "CAP_" + *name;
  return std::to_string(cap);
}

std::vector<std::string> capability_names() {
  std::vector<std::string> names;
  for (int cap = 0; cap <= last_capability(); ++cap) {
    if (auto name = libcap_name(cap)) names.push_back(std::move(*name));
  }
  return names;
}

}  // namespace cordon::policy
