// cordon audit on AppArmor denials of a profile cordon generated (`mac { apparmor generate }`):
// a kernel record of the generated profile maps to the filesystem entry that wrote the denied
// line, with a fix of the same kind as a Landlock denial's; records of other profiles are left
// to the audit library's attribution.
#include "cli/audit_apparmor.h"

#include <gtest/gtest.h>

#include "audit/record.h"
#include "cli/emit_apparmor.h"
#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

const char* kPolicy =
    "cordon 1\n"
    "name \"aa\"\n"
    "filesystem {\n"
    "  ro /usr\n"
    "  ro /vmdata\n"
    "  proc\n"
    "}\n"
    "mac { apparmor generate }\n";

// The denial of one kmsg line as the kernel writes it.
audit::Denial denial(const std::string& profile, const std::string& name, const std::string& mask) {
  std::string line = fmt::format(
      "6,812,5000000,-;audit: type=1400 audit(1700000000.100:70): apparmor=\"DENIED\" "
      "operation=\"open\" class=\"file\" profile=\"{}\" name=\"{}\" pid=5 comm=\"cat\" "
      "requested_mask=\"{}\" denied_mask=\"{}\" fsuid=0 ouid=0",
      profile, name, mask, mask);
  audit::LineResult r = audit::parse_line(line);
  EXPECT_EQ(r.records.size(), 1u) << r.error;
  auto d = r.records.empty() ? std::nullopt : audit::to_denial(r.records[0]);
  EXPECT_TRUE(d) << line;
  return d ? *d : audit::Denial{};
}

TEST(AuditAppArmor, GeneratedProfileDenialMapsToTheEntryBehindTheLine) {
  auto c = testing::compile_text(kPolicy);
  ASSERT_TRUE(c.plan) << c.rendered() << c.compile_error;
  const launcher::Plan& plan = *c.plan;
  const std::string profile = generated_apparmor_name(plan, "t.cordon");
  ASSERT_EQ(apparmor_profile_name(plan, "t.cordon"), "cordon-aa");
  ASSERT_EQ(profile.size(), std::string("cordon-aa-").size() + 16) << profile;
  // The name follows the rules, not the text: a description changes the policy
  // hash but no rule, an entry changes a rule.
  auto commented = testing::compile_text(std::string(kPolicy) + "description \"another\"\n");
  auto widened = testing::compile_text(std::string(kPolicy) + "filesystem { ro /opt }\n");
  ASSERT_TRUE(commented.plan && widened.plan);
  EXPECT_EQ(generated_apparmor_name(*commented.plan, "t.cordon"), profile);
  EXPECT_NE(generated_apparmor_name(*widened.plan, "t.cordon"), profile);

  // A write under `ro /vmdata`: that entry, and the fix makes the path rw.
  auto a = attribute_generated_apparmor(denial(profile, "/vmdata/notes", "w"), plan, "t.cordon");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->rule);
  EXPECT_EQ(*a->rule, "t.cordon:5:6");
  EXPECT_EQ(a->rule_action, "ro /vmdata");
  EXPECT_NE(a->note.find("lacks 'w' on /vmdata/notes"), std::string::npos) << a->note;
  ASSERT_TRUE(a->change);
  EXPECT_EQ(a->change->entry, "rw /vmdata/notes");

  // A read outside every entry: no rule, the fix is a new ro entry.
  a = attribute_generated_apparmor(denial(profile, "/vmsecret/key", "r"), plan, "t.cordon");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->rule);
  EXPECT_NE(a->note.find("no filesystem entry covers /vmsecret/key"), std::string::npos) << a->note;
  ASSERT_TRUE(a->change);
  EXPECT_EQ(a->change->entry, "ro /vmsecret/key");

  // A profile of another version of the policy (another hash): mapped, and said so.
  a = attribute_generated_apparmor(denial("cordon-aa-0123456789abcdef", "/usr/x", "w"), plan,
                                   "t.cordon");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rule_action, "ro /usr");
  EXPECT_NE(a->note.find("another version of the policy"), std::string::npos) << a->note;

  // After the fix (`rw` on the path): the edited policy's entry allows the create ('c' is part
  // of AppArmor's w), so a record of the old profile is mapped to it as allowed now.
  auto fixed = testing::compile_text(std::string(kPolicy) + "filesystem { rw /vmdata/notes }\n");
  ASSERT_TRUE(fixed.plan);
  a = attribute_generated_apparmor(denial(profile, "/vmdata/notes", "c"), *fixed.plan, "t.cordon");
  ASSERT_TRUE(a);
  EXPECT_NE(a->note.find("another version of the policy"), std::string::npos) << a->note;
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rule_action, "rw /vmdata/notes");
  EXPECT_NE(a->note.find("allows 'c' on /vmdata/notes"), std::string::npos) << a->note;
  EXPECT_FALSE(a->change);

  // Another profile, or a policy that names its profile: not ours to map.
  EXPECT_FALSE(attribute_generated_apparmor(denial("/usr/bin/x", "/usr/x", "w"), plan, "t.cordon"));
  EXPECT_FALSE(attribute_generated_apparmor(denial("cordon-aab-" + plan.policy_hash, "/usr/x", "w"),
                                            plan, "t.cordon"));
  auto named = testing::compile_text("cordon 1\nfilesystem { ro /usr }\nmac { apparmor x }\n");
  ASSERT_TRUE(named.plan);
  EXPECT_FALSE(attribute_generated_apparmor(denial("x", "/usr/x", "w"), *named.plan, "t.cordon"));
}

}  // namespace
}  // namespace cordon::cli
