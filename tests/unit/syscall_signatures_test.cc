#include "policy/syscall_signatures.h"

#include <gtest/gtest.h>

namespace cordon::policy {
namespace {

TEST(SyscallSignaturesTest, Socket) {
  const SyscallSignature* sig = find_signature("socket");
  ASSERT_NE(sig, nullptr);
  EXPECT_EQ(sig->name, "socket");
  ASSERT_EQ(sig->nargs, 3);
  EXPECT_EQ(sig->args[0].name, "family");
  EXPECT_EQ(sig->args[0].type, "int");
  EXPECT_FALSE(sig->args[0].pointer);
  EXPECT_EQ(sig->args[0].bits, 32);
  EXPECT_EQ(sig->args[1].name, "type");
  EXPECT_EQ(sig->args[2].name, "protocol");
}

TEST(SyscallSignaturesTest, PointersAndWidths) {
  const SyscallSignature* openat = find_signature("openat");
  ASSERT_NE(openat, nullptr);
  ASSERT_EQ(openat->nargs, 4);
  EXPECT_EQ(openat->args[1].name, "filename");
  EXPECT_TRUE(openat->args[1].pointer);
  EXPECT_EQ(openat->args[1].bits, 64);
  EXPECT_EQ(openat->args[3].name, "mode");
  EXPECT_EQ(openat->args[3].bits, 16);  // umode_t

  const SyscallSignature* mmap = find_signature("mmap");
  ASSERT_NE(mmap, nullptr);
  EXPECT_EQ(mmap->nargs, 6);
  EXPECT_EQ(mmap->args[1].name, "len");
  EXPECT_EQ(mmap->args[1].bits, 64);
  EXPECT_FALSE(mmap->args[1].pointer);

  const SyscallSignature* ioctl = find_signature("ioctl");
  ASSERT_NE(ioctl, nullptr);
  EXPECT_EQ(ioctl->args[1].name, "cmd");
  EXPECT_EQ(ioctl->args[1].bits, 32);  // unsigned int: TIOCSTI | 1<<32 is still TIOCSTI

  // capget's arguments are pointer typedefs without a `*` in their spelling.
  const SyscallSignature* capget = find_signature("capget");
  ASSERT_NE(capget, nullptr);
  EXPECT_TRUE(capget->args[0].pointer);
}

TEST(SyscallSignaturesTest, NamesAreLibseccompNames) {
  EXPECT_NE(find_signature("fstat"), nullptr);
  EXPECT_NE(find_signature("uname"), nullptr);
  EXPECT_NE(find_signature("umount2"), nullptr);
  EXPECT_EQ(find_signature("newfstat"), nullptr);
  ASSERT_NE(find_signature("getpid"), nullptr);
  EXPECT_EQ(find_signature("getpid")->nargs, 0);
}

TEST(SyscallSignaturesTest, Unknown) {
  EXPECT_EQ(find_signature("no_such_syscall"), nullptr);
  EXPECT_EQ(find_signature(""), nullptr);
  EXPECT_EQ(arg_index("no_such_syscall", "fd"), std::nullopt);
  EXPECT_EQ(arg_index("socket", "no_such_arg"), std::nullopt);
  EXPECT_EQ(arg_index("socket", "request"), std::nullopt);  // aliases are per syscall
}

TEST(SyscallSignaturesTest, ArgIndex) {
  EXPECT_EQ(arg_index("socket", "family"), 0);
  EXPECT_EQ(arg_index("socket", "domain"), 0);
  EXPECT_EQ(arg_index("socket", "protocol"), 2);
  EXPECT_EQ(arg_index("ioctl", "cmd"), 1);
  EXPECT_EQ(arg_index("ioctl", "request"), 1);
  EXPECT_EQ(arg_index("openat", "flags"), 2);
  EXPECT_EQ(arg_index("openat", "mode"), 3);
  EXPECT_EQ(arg_index("openat", "pathname"), 1);
  EXPECT_EQ(arg_index("open", "flags"), 1);
  EXPECT_EQ(arg_index("open", "mode"), 2);
}

TEST(SyscallSignaturesTest, TableIsComplete) {
  auto table = all_signatures();
  EXPECT_GT(table.size(), 300u);
  for (size_t i = 1; i < table.size(); ++i) {
    EXPECT_LT(table[i - 1].name, table[i].name);
  }
  for (const SyscallSignature& sig : table) {
    ASSERT_LE(sig.nargs, 6) << sig.name;
    for (int i = 0; i < sig.nargs; ++i) {
      const SyscallArg& arg = sig.args[i];
      EXPECT_FALSE(arg.name.empty()) << sig.name;
      EXPECT_TRUE(arg.bits == 16 || arg.bits == 32 || arg.bits == 64)
          << sig.name << " " << arg.name;
      if (arg.pointer) {
        EXPECT_EQ(arg.bits, 64) << sig.name << " " << arg.name;
      }
    }
  }
}

}  // namespace
}  // namespace cordon::policy
