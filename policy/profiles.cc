// Shipped profiles by name, policy files by path (see profiles.h for why the two never mix).
#include "policy/profiles.h"

#include <algorithm>
#include <filesystem>

#include "policy/checker.h"
#include "policy/diagnostics.h"

namespace cordon::policy {
namespace fs = std::filesystem;

std::vector<ShippedProfile> shipped_profiles() {
  std::vector<ShippedProfile> out;
  const fs::path root = profiles_dir();
  for (const char* folder : {"apps", "services", "lib"}) {
    std::vector<ShippedProfile> here;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root / folder, ec)) {
      if (e.path().extension() != ".cordon" || !e.is_regular_file(ec)) continue;
      std::string stem = e.path().stem().string();
      std::string name = std::string(folder) == "lib" ? "lib/" + stem : stem;
      here.push_back({std::move(name), folder, e.path().string()});
    }
    std::sort(here.begin(), here.end(),
              [](const ShippedProfile& a, const ShippedProfile& b) { return a.name < b.name; });
    out.insert(out.end(), here.begin(), here.end());
  }
  return out;
}

bool names_a_file(std::string_view arg) {
  auto starts = [&](std::string_view p) { return arg.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view s) {
    return arg.size() >= s.size() && arg.substr(arg.size() - s.size()) == s;
  };
  return starts("/") || starts("./") || starts("../") || ends(".cordon");
}

Result<std::string> resolve_policy_arg(const std::string& arg) {
  if (names_a_file(arg)) return arg;
  const auto profiles = shipped_profiles();
  for (const auto& p : profiles)
    if (p.name == arg || (p.folder == "lib" && p.name == "lib/" + arg)) return p.path;
  std::vector<std::string> names;
  for (const auto& p : profiles) {
    names.push_back(p.name);
    if (p.folder == "lib") names.push_back(p.name.substr(4));
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  std::string hint = did_you_mean(arg, views);
  return fail(fmt::format("no shipped profile named '{}'{} ('cordon profiles' lists them; a policy "
                          "file is named by a path, such as ./{} or {}.cordon)",
                          arg, hint.empty() ? "" : hint, arg, arg),
              ENOENT);
}

}  // namespace cordon::policy
