#include "audit/record.h"

namespace cordon::audit {

const std::string* Record::get(std::string_view key) const {
  for (auto it = fields.rbegin(); it != fields.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

std::string_view Record::value(std::string_view key) const {
  const std::string* v = get(key);
  return v ? std::string_view(*v) : std::string_view();
}

}  // namespace cordon::audit
