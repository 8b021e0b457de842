// cordon audit on SELinux denials of the domain `--emit selinux-cil` writes: a kernel AVC record
// whose target type is a filesystem entry's maps to that entry, with a fix when a write was
// refused under a read-only one; a type no entry gives is said to be no entry's; records of
// other domains are left to the audit library's attribution (the `mac` entry).
#include "cli/audit_selinux.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "audit/record.h"
#include "cli/emit_selinux.h"
#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

const char* kPolicy =
    "cordon 1\n"
    "name \"se\"\n"
    "filesystem {\n"
    "  ro /usr\n"
    "  ro /vmdata\n"
    "  rw /srv/data\n"
    "  tmpfs /tmp\n"
    "}\n"
    "mac { selinux \"system_u:system_r:cordon_vm_se_t:s0\" }\n";

// The denial of one kmsg line as the kernel writes it (6.1, no audit daemon).
audit::Denial avc(const std::string& scontext, const std::string& perms, const std::string& name,
                  const std::string& tcontext, const std::string& tclass) {
  std::string line = fmt::format(
      "5,1234,15000000,-;audit: type=1400 audit(1700000000.100:70): avc:  denied  {{ {} }} for  "
      "pid=236 comm=\"fsprobe\" name=\"{}\" dev=\"tmpfs\" ino=42 scontext={} tcontext={} "
      "tclass={} permissive=0",
      perms, name, scontext, tcontext, tclass);
  audit::LineResult r = audit::parse_line(line);
  EXPECT_EQ(r.records.size(), 1u) << r.error;
  auto d = r.records.empty() ? std::nullopt : audit::to_denial(r.records[0]);
  EXPECT_TRUE(d) << line;
  return d ? *d : audit::Denial{};
}

const std::string kDomain = "system_u:system_r:cordon_vm_se_t:s0";

TEST(AuditSelinux, DenialMapsToTheEntryBehindItsType) {
  auto c = testing::compile_text(kPolicy);
  ASSERT_TRUE(c.plan) << c.rendered() << c.compile_error;
  const launcher::Plan& plan = *c.plan;
  ASSERT_EQ(generate_selinux(plan, "t.cordon").domain, "cordon_vm_se_t");

  // A create under `ro /vmdata`: that entry, and the fix makes it rw.
  auto a = attribute_selinux_module(
      avc(kDomain, "write", "vmdata", "system_u:object_r:cordon_vm_se_vmdata_t:s0", "dir"), plan,
      "t.cordon");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->rule);
  EXPECT_EQ(*a->rule, "t.cordon:5:6");
  EXPECT_EQ(a->rule_action, "ro /vmdata");
  EXPECT_NE(a->note.find("gives cordon_vm_se_t no { write } on dir"), std::string::npos) << a->note;
  ASSERT_TRUE(a->change);
  EXPECT_EQ(a->change->entry, "rw /vmdata");
  EXPECT_EQ(a->suggestion.value_or(""), "add to filesystem { }: rw /vmdata");

  // A read the entry allows: the loaded module is another version's; no fix.
  a = attribute_selinux_module(
      avc(kDomain, "read", "public", "system_u:object_r:cordon_vm_se_vmdata_t:s0", "file"), plan,
      "t.cordon");
  ASSERT_TRUE(a && a->rule);
  EXPECT_EQ(*a->rule, "t.cordon:5:6");
  EXPECT_NE(a->note.find("another version of the policy"), std::string::npos) << a->note;
  EXPECT_FALSE(a->change);

  // tmpfs_t is the tmpfs entry's; executing there is not in its rights, and no fix widens it.
  a = attribute_selinux_module(avc(kDomain, "execute", "x", "system_u:object_r:tmpfs_t:s0", "file"),
                               plan, "t.cordon");
  ASSERT_TRUE(a && a->rule);
  EXPECT_EQ(*a->rule, "t.cordon:7:3");
  EXPECT_EQ(a->rule_action, "tmpfs /tmp");
  EXPECT_FALSE(a->change);

  // A type no entry gives: no rule, said so.
  a = attribute_selinux_module(
      avc(kDomain, "read", "key", "system_u:object_r:cordon_vm_secret_t:s0", "file"), plan,
      "t.cordon");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->rule);
  EXPECT_NE(a->note.find("no filesystem entry's files carry type cordon_vm_secret_t"),
            std::string::npos)
      << a->note;

  // A capability: the domain's, from the mac entry.
  a = attribute_selinux_module(avc(kDomain, "sys_admin", "x", kDomain, "capability"), plan,
                               "t.cordon");
  ASSERT_TRUE(a && a->rule);
  EXPECT_EQ(*a->rule, "t.cordon:9:7");

  // Another domain's record: not this module's.
  EXPECT_FALSE(attribute_selinux_module(
      avc("system_u:system_r:httpd_t:s0", "read", "key", "system_u:object_r:etc_t:s0", "file"),
      plan, "t.cordon"));
  // Not SELinux at all.
  audit::Denial other;
  other.source = "apparmor";
  EXPECT_FALSE(attribute_selinux_module(other, plan, "t.cordon"));
}

}  // namespace
}  // namespace cordon::cli
