#include "cli/audit_selinux.h"

#include <fmt/format.h>

#include <set>
#include <sstream>
#include <string_view>

#include "audit/attribute.h"
#include "base/path.h"
#include "cli/emit_selinux.h"

namespace cordon::cli {

namespace {

// The permissions that need a writable entry (SELinux's names for changing a file or a
// directory's entries).
bool needs_write(std::string_view perms) {
  static const std::set<std::string> kWrite = {"write",       "append", "create",  "unlink",
                                               "link",        "rename", "setattr", "add_name",
                                               "remove_name", "rmdir",  "reparent"};
  std::stringstream in{std::string(perms)};
  for (std::string p; in >> p;)
    if (kWrite.count(p)) return true;
  return false;
}

}  // namespace

std::optional<audit::Attribution> attribute_selinux_module(const audit::Denial& d,
                                                           const launcher::Plan& plan,
                                                           const std::string& policy_path) {
  if (d.source != "selinux") return std::nullopt;
  SelinuxModule m = generate_selinux(plan, policy_path);
  if (audit::selinux_type(d.scontext) != m.domain) return std::nullopt;
  const std::string perms = d.denied.empty() ? d.requested : d.denied;
  const std::string target(audit::selinux_type(d.tcontext));
  const std::string permissive =
      d.permissive && *d.permissive ? "; permissive: it was allowed and logged" : "";
  audit::Attribution a;
  const std::string kind = needs_write(perms) ? "rw" : "ro";
  const SelinuxFileType* t = selinux_file_type(m, target);
  if (!t && !d.path.empty() && d.path.front() == '/') {
    // A type no entry gives: the nearest entry above the path is the one to edit.
    for (const auto& ft : m.file_types)
      if (ft.declared && at_or_beneath(d.path, ft.path) && (!t || ft.path.size() > t->path.size()))
        t = &ft;
  }
  if (!t) {
    if (target == m.domain || d.tclass.find("socket") != std::string::npos ||
        d.tclass.starts_with("cap") || d.tclass.starts_with("process")) {
      a.rule = plan.mac.selinux_origin;
      a.rule_action = fmt::format("selinux \"{}\"", m.context);
      a.note = fmt::format(
          "the module's domain {} refused {{ {} }} on {} {}: it allows only what the policy's "
          "capabilities, network and syscalls allow{}",
          m.domain, perms, d.tclass, d.tcontext, permissive);
    } else {
      a.note = fmt::format(
          "no filesystem entry's files carry type {} ({} {}), so the module {} grants nothing "
          "on it{}",
          target, d.tclass, d.name.empty() ? d.path : d.name, m.domain, permissive);
    }
    return a;
  }
  a.rule = t->origin;
  a.rule_action = t->entry;
  if (selinux_allows(m, target, d.tclass, perms)) {
    a.note = fmt::format(
        "`{}` gives {} {{ {} }} on {} {}: the loaded module came from another version of the "
        "policy{}",
        t->entry, m.domain, perms, d.tclass, target, permissive);
    return a;
  }
  a.note = fmt::format("`{}` (type {}) gives {} no {{ {} }} on {}{}", t->entry, target, m.domain,
                       perms, d.tclass, permissive);
  // A write under an entry that does not allow it: the entry, read-write. Only binds have a
  // path to name (tmpfs, proc and dev entries are the sandbox's own).
  if (d.is_denial() && t->declared && kind == "rw" && t->kind != "rw") {
    std::string path = !d.path.empty() && d.path.front() == '/' ? d.path : t->path;
    a.change = audit::Change{"filesystem", "rw " + path, "", path, "rw"};
    a.suggestion = fmt::format("add to filesystem {{ }}: rw {}", path);
  }
  return a;
}

}  // namespace cordon::cli
