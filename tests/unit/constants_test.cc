#include "policy/constants.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace cordon::policy {
namespace {

TEST(ConstantsTest, KnownValuesComeFromTheHeaders) {
  EXPECT_EQ(find_constant("AF_INET"), 2u);
  EXPECT_EQ(find_constant("AF_UNIX"), 1u);
  EXPECT_EQ(find_constant("AF_NETLINK"), 16u);
  EXPECT_EQ(find_constant("O_WRONLY"), 1u);
  EXPECT_EQ(find_constant("O_CLOEXEC"), static_cast<uint64_t>(O_CLOEXEC));
  EXPECT_EQ(find_constant("TIOCSTI"), 0x5412u);
  EXPECT_EQ(find_constant("TCGETS"), 0x5401u);
  EXPECT_EQ(find_constant("TIOCGWINSZ"), 0x5413u);
  EXPECT_EQ(find_constant("TIOCLINUX"), 0x541Cu);
  EXPECT_EQ(find_constant("FIONREAD"), 0x541Bu);
  EXPECT_EQ(find_constant("FIOCLEX"), 0x5451u);
  EXPECT_EQ(find_constant("CLONE_NEWUSER"), 0x10000000u);
  EXPECT_EQ(find_constant("CLONE_NEWNS"), 0x00020000u);
  EXPECT_EQ(find_constant("PR_SET_NO_NEW_PRIVS"), 38u);
  EXPECT_EQ(find_constant("MAP_ANONYMOUS"), 0x20u);
  EXPECT_EQ(find_constant("MAP_SHARED"), 1u);
  EXPECT_EQ(find_constant("PROT_EXEC"), 4u);
  EXPECT_EQ(find_constant("SOCK_STREAM"), 1u);
  EXPECT_EQ(find_constant("SOCK_CLOEXEC"), 02000000u);
  EXPECT_EQ(find_constant("SOCK_NONBLOCK"), 04000u);
  EXPECT_EQ(find_constant("IPPROTO_TCP"), 6u);
  EXPECT_EQ(find_constant("SIGKILL"), 9u);
  EXPECT_EQ(find_constant("SIGSYS"), 31u);
  EXPECT_EQ(find_constant("NETLINK_ROUTE"), 0u);
  EXPECT_EQ(find_constant("NETLINK_AUDIT"), 9u);
  EXPECT_EQ(find_constant("FUTEX_WAIT"), 0u);
  EXPECT_EQ(find_constant("FUTEX_PRIVATE_FLAG"), 128u);
  EXPECT_EQ(find_constant("F_SETFL"), 4u);
  EXPECT_EQ(find_constant("MADV_DONTNEED"), 4u);
  EXPECT_EQ(find_constant("EPERM"), 1u);
}

TEST(ConstantsTest, PersonalityEnumeratorsAreIncluded) {
  // glibc declares these only as enumerators, without #define.
  EXPECT_EQ(find_constant("ADDR_NO_RANDOMIZE"), 0x0040000u);
  EXPECT_EQ(find_constant("PER_LINUX"), 0u);
  EXPECT_EQ(find_constant("READ_IMPLIES_EXEC"), 0x0400000u);
}

TEST(ConstantsTest, NegativeValuesAreTwosComplement) {
  EXPECT_EQ(find_constant("AT_FDCWD"), static_cast<uint64_t>(-100));
}

TEST(ConstantsTest, NonConstantMacrosAreDropped) {
  EXPECT_EQ(find_constant("MAP_FAILED"), std::nullopt);  // a pointer
  EXPECT_EQ(find_constant("SIGRTMIN"), std::nullopt);    // a libc call
  EXPECT_EQ(find_constant("SIGSTKSZ"), std::nullopt);    // not a signal
}

TEST(ConstantsTest, UnknownNames) {
  EXPECT_EQ(find_constant("AF_NO_SUCH_FAMILY"), std::nullopt);
  EXPECT_EQ(find_constant(""), std::nullopt);
  EXPECT_EQ(find_constant("af_inet"), std::nullopt);
  EXPECT_EQ(find_constant("ECHO"), std::nullopt);  // termios, not in the table
}

TEST(ConstantsTest, TableIsSortedAndUnique) {
  auto table = all_constants();
  EXPECT_GT(table.size(), 500u);
  for (size_t i = 1; i < table.size(); ++i) {
    EXPECT_LT(table[i - 1].name, table[i].name);
  }
}

TEST(ErrnoTest, NamesAndNumbers) {
  EXPECT_EQ(errno_from_name("EPERM"), 1);
  EXPECT_EQ(errno_from_name("ENOSYS"), ENOSYS);
  EXPECT_EQ(errno_from_name("EWOULDBLOCK"), EAGAIN);
  EXPECT_EQ(errno_from_name("ECHO"), std::nullopt);
  EXPECT_EQ(errno_from_name("AF_INET"), std::nullopt);
  EXPECT_EQ(errno_from_name("eperm"), std::nullopt);
  EXPECT_EQ(errno_to_name(1), "EPERM");
  EXPECT_EQ(errno_to_name(38), "ENOSYS");
  EXPECT_EQ(errno_to_name(EAGAIN), "EAGAIN");
  EXPECT_EQ(errno_to_name(EDEADLK), "EDEADLK");
  EXPECT_EQ(errno_to_name(EOPNOTSUPP), "EOPNOTSUPP");
  EXPECT_EQ(errno_to_name(100000), "100000");
  EXPECT_EQ(errno_to_name(-3), "-3");
}

TEST(ErrnoTest, NamesListHasEveryErrno) {
  auto names = errno_names();
  EXPECT_GT(names.size(), 120u);
  EXPECT_NE(std::find(names.begin(), names.end(), "EACCES"), names.end());
  for (std::string_view name : names) {
    ASSERT_TRUE(errno_from_name(name).has_value()) << name;
    EXPECT_EQ(find_constant(name), static_cast<uint64_t>(*errno_from_name(name))) << name;
  }
}

TEST(CapabilityTest, FromName) {
  EXPECT_EQ(capability_from_name("net_bind_service"), 10);
  EXPECT_EQ(capability_from_name("NET_BIND_SERVICE"), 10);
  EXPECT_EQ(capability_from_name("CAP_NET_BIND_SERVICE"), 10);
  EXPECT_EQ(capability_from_name("cap_net_bind_service"), 10);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capability_from_name("CHOWN"), 0);
  EXPECT_EQ(capability_from_name("NO_SUCH_CAP"), std::nullopt);
  EXPECT_EQ(capability_from_name("CAP_"), std::nullopt);
  EXPECT_EQ(capability_from_name(""), std::nullopt);
  EXPECT_EQ(capability_from_name("21"), std::nullopt);
  EXPECT_EQ(capability_from_name("all"), std::nullopt);
}

TEST(CapabilityTest, ToName) {
  EXPECT_EQ(capability_to_name(10), "NET_BIND_SERVICE");
  EXPECT_EQ(capability_to_name(21), "SYS_ADMIN");
  EXPECT_EQ(capability_to_name(-1), "-1");
  EXPECT_EQ(capability_to_name(1000), "1000");
}

TEST(CapabilityTest, NamesRoundTrip) {
  auto names = capability_names();
  ASSERT_GE(names.size(), 41u);  // CAP_CHECKPOINT_RESTORE (40) since Linux 5.9
  EXPECT_EQ(names[0], "CHOWN");
  for (const std::string& name : names) {
    auto cap = capability_from_name(name);
    ASSERT_TRUE(cap.has_value()) << name;
    EXPECT_EQ(capability_to_name(*cap), name);
  }
}

}  // namespace
}  // namespace cordon::policy
