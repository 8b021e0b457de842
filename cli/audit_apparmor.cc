#include "cli/audit_apparmor.h"

#include <fmt/format.h>

#include <string_view>

#include "cli/emit_apparmor.h"

namespace cordon::cli {

namespace {

bool all_hex(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// AppArmor's letters that need a writable entry: write, create, delete, append, link, rename
// (which it reports as w, c, d, a, l on the source and target).
bool needs_write(std::string_view requested) {
  return requested.find_first_of("wcdal") != std::string_view::npos;
}

}  // namespace

std::optional<audit::Attribution> attribute_generated_apparmor(const audit::Denial& d,
                                                               const launcher::Plan& plan,
                                                               const std::string& policy_path) {
  if (d.source != "apparmor" || plan.mac.apparmor != "generate") return std::nullopt;
  const std::string base = apparmor_profile_name(plan, policy_path);
  std::string_view profile = d.profile;
  if (size_t child = profile.find("//"); child != std::string_view::npos)
    profile = profile.substr(0, child);
  bool same_policy = profile == generated_apparmor_name(plan, policy_path);
  bool older_policy =
      !same_policy && profile.starts_with(base + "-") && all_hex(profile.substr(base.size() + 1));
  if (!same_policy && !older_policy && profile != base) return std::nullopt;

  AppArmorOptions ao;
  ao.profile_name = std::string(profile);
  AppArmorProfile gen = generate_apparmor(plan, policy_path, ao);
  audit::Attribution a;
  std::string changed =
      older_policy
          ? "; the profile was generated from another version of the policy: this is today's rule"
          : "";
  std::string path = d.path.empty() ? d.name : d.path;
  if (path.empty() || path.front() != '/') {
    // Capabilities, network, signals, ptrace: the profile follows the policy's
    // `capabilities`, `network` and seccomp socket rules; say what it refused.
    std::string what = d.operation;
    if (!d.capability.empty()) what += " capability " + d.capability;
    if (!path.empty()) what += " " + path;
    a.rule = plan.mac.apparmor_origin;
    a.rule_action = "apparmor generate";
    a.note = fmt::format(
        "generated profile {} refused {} (it allows only what the policy's "
        "entries allow){}",
        profile, what, changed);
    a.suggestion = audit::suggest(d, a);
    return a;
  }
  const std::string& req = d.requested.empty() ? d.denied : d.requested;
  const AppArmorRule* r = rule_for(gen, path, req);
  std::string kind = needs_write(req) ? "rw" : "ro";
  if (!r || r->origin.empty()) {
    a.note = r ? fmt::format(
                     "generated profile {}: built-in line `{}` (no policy entry) lacks "
                     "'{}' on {}{}",
                     profile, r->line, req, path, changed)
               : fmt::format(
                     "generated profile {}: no filesystem entry covers {}, so the "
                     "profile has no line for it{}",
                     profile, path, changed);
  } else {
    a.rule = r->origin;
    a.rule_action = r->entry;
    bool grants = !req.empty() && apparmor_perms_grant(r->perms, req);
    a.note = grants ? fmt::format(
                          "generated profile {}: line `{}` from `{}` allows '{}' on {}; "
                          "the denial came from another version of the profile{}",
                          profile, r->line, r->entry, req, path, changed)
                    : fmt::format("generated profile {}: line `{}` from `{}` lacks '{}' on {}{}",
                                  profile, r->line, r->entry, req, path, changed);
    if (grants) return a;
    // The entry covers the path but not the access: ro where a write was asked.
    if (r->entry.starts_with(kind + " ")) return a;
  }
  if (d.is_denial()) {
    a.change = audit::Change{"filesystem", kind + " " + path, "", path, kind};
    a.suggestion = fmt::format("add to {} {{ }}: {}", a.change->block, a.change->entry);
  }
  return a;
}

}  // namespace cordon::cli
