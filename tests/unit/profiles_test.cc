// Every file under profiles/ checks and compiles (the filter self-check included).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/test_util.h"

TEST(Profiles, EveryShippedProfileChecksAndCompiles) {
  size_t count = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CORDON_PROFILES_DIR)) {
    if (e.path().extension() != ".cordon") continue;
    ++count;
    cordon::policy::Diagnostics d;
    // With the variables shipped profiles require from the caller (`--set NAME=…`, said in
    // each profile's header).
    auto opts = cordon::testing::shipped_profile_options();
    cordon::policy::PolicyIR ir;
    auto plan = cordon::compiler::compile_file(e.path().string(), opts, d, &ir);
    EXPECT_TRUE(plan.has_value()) << e.path() << ": " << d.render(false)
                                  << (plan ? "" : plan.error().message());
    EXPECT_EQ(d.warning_count(), 0u) << e.path() << ":\n" << d.render(false);
  }
  EXPECT_GE(count, 5u);
}

TEST(Profiles, BaseDeniesTheClassicEscapes) {
  cordon::policy::Diagnostics d;
  auto opts = cordon::testing::test_options();
  auto plan =
      cordon::compiler::compile_file(std::string(CORDON_PROFILES_DIR) + "/lib/cli.cordon", opts, d);
  ASSERT_TRUE(plan) << d.render(false);
  for (const char* sc : {"ptrace", "kexec_load", "init_module", "bpf", "process_vm_readv"})
    EXPECT_NE(cordon::testing::verdict(*plan, sc), SCMP_ACT_ALLOW) << sc;
  EXPECT_NE(cordon::testing::verdict(*plan, "ioctl", {0, 0x5412}), SCMP_ACT_ALLOW) << "TIOCSTI";
  EXPECT_EQ(cordon::testing::verdict(*plan, "ioctl", {0, 0x5413}), SCMP_ACT_ALLOW) << "TIOCGWINSZ";
  EXPECT_EQ(cordon::testing::verdict(*plan, "read"), SCMP_ACT_ALLOW);
}
