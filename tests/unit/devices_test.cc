// `devices none|allow …`: the language, its Plan, and the cgroup device rules it becomes — the
// v1 devices.allow lines and the v2 BPF_PROG_TYPE_CGROUP_DEVICE program, run here through a
// small interpreter of the instructions it uses (the kernel's own run is in e2e.run_limits and
// the vm.cgroup2 suite).
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <optional>

#include "launcher/cgroup_device.h"
#include "launcher/plan.h"
#include "tests/unit/test_util.h"

namespace cordon {
namespace {

using launcher::Device;

std::optional<launcher::Plan> plan_of(const std::string& body, std::string* diags = nullptr) {
  auto c = testing::compile_text("cordon 1\n" + body);
  if (diags) *diags = c.rendered();
  return c.plan;
}

// Runs the program on one access: returns its r0 (1 allow, 0 refuse); fails the test on an
// instruction outside what device_program() is meant to emit or a jump out of the program.
int run(const std::vector<bpf_insn>& prog, uint32_t type, uint32_t access, uint32_t major,
        uint32_t minor) {
  bpf_cgroup_dev_ctx ctx{(access << 16) | type, major, minor};
  uint64_t r[11] = {};
  size_t pc = 0;
  for (int steps = 0; steps < 10000 && pc < prog.size(); ++steps) {
    const bpf_insn& i = prog[pc++];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        EXPECT_EQ(i.src_reg, 1);
        EXPECT_TRUE(i.off == 0 || i.off == 4 || i.off == 8) << i.off;
        uint32_t v = 0;
        memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        r[i.dst_reg] = v;
        break;
      }
      case BPF_ALU64 | BPF_AND | BPF_K:
        r[i.dst_reg] &= static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_ALU64 | BPF_RSH | BPF_K:
        r[i.dst_reg] >>= i.imm;
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_ALU64 | BPF_MOV | BPF_X:
        r[i.dst_reg] = r[i.src_reg];
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(r[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(i.code) << " at " << pc - 1;
        return -1;
    }
  }
  ADD_FAILURE() << "the program ran off its end";
  return -1;
}

constexpr uint32_t kChar = BPF_DEVCG_DEV_CHAR, kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kRead = BPF_DEVCG_ACC_READ, kWrite = BPF_DEVCG_ACC_WRITE,
                   kMknod = BPF_DEVCG_ACC_MKNOD;

TEST(Devices, AllowMinimalIsDevMinimalsNodesAndThePtys) {
  auto p = plan_of("devices allow minimal\n");
  ASSERT_TRUE(p && p->cgroup.devices);
  std::vector<std::string> names;
  for (const auto& d : *p->cgroup.devices) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"null", "zero", "full", "random", "urandom", "tty",
                                             "ptmx", "pts"}));
  EXPECT_EQ(p->cgroup.devices_origin, "t.cordon:2:1");
  const auto& pts = p->cgroup.devices->back();
  EXPECT_EQ(pts.type, "c");
  EXPECT_EQ(pts.major, 136u);
  EXPECT_EQ(pts.minor, -1);
}

TEST(Devices, NumbersNamesAndDuplicates) {
  auto p = plan_of("devices allow c:10:229 b:7 null c:1:3 kmsg\n");
  ASSERT_TRUE(p && p->cgroup.devices);
  const auto& d = *p->cgroup.devices;
  ASSERT_EQ(d.size(), 4u);  // c:1:3 is null again
  EXPECT_EQ(d[0].name, "c:10:229");
  EXPECT_EQ(d[0].major, 10u);
  EXPECT_EQ(d[0].minor, 229);
  EXPECT_EQ(d[1].type, "b");
  EXPECT_EQ(d[1].minor, -1);
  EXPECT_EQ(d[3].name, "kmsg");
  EXPECT_EQ(d[3].minor, 11);
}

TEST(Devices, NoneIsAnEmptyListAndAbsentIsNoRule) {
  auto none = plan_of("devices none\n");
  ASSERT_TRUE(none && none->cgroup.devices);
  EXPECT_TRUE(none->cgroup.devices->empty());
  auto absent = plan_of("name \"x\"\n");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->cgroup.devices);
}

TEST(Devices, MistakesAreErrorsThatSayWhatToWrite) {
  std::string diags;
  EXPECT_FALSE(plan_of("devices allow nul\n", &diags));
  EXPECT_NE(diags.find("unknown device 'nul'; did you mean 'null'"), std::string::npos) << diags;
  EXPECT_FALSE(plan_of("devices allow c:4096:0\n", &diags));  // majors have 12 bits
  EXPECT_NE(diags.find("unknown device 'c:4096:0'"), std::string::npos) << diags;
  EXPECT_FALSE(plan_of("devices allow c:1:1048576\n", &diags));  // minors 20
  EXPECT_FALSE(plan_of("devices allow\n", &diags));
  EXPECT_NE(diags.find("needs at least one device"), std::string::npos) << diags;
  EXPECT_FALSE(plan_of("devices none null\n", &diags));
  EXPECT_FALSE(plan_of("devices permit null\n", &diags));
  EXPECT_NE(diags.find("expected 'allow' or 'none'"), std::string::npos) << diags;
  EXPECT_FALSE(plan_of("devices allow null\ndevices none\n", &diags));
  EXPECT_NE(diags.find("already set"), std::string::npos) << diags;
}

TEST(Devices, PlanJsonRoundTripsAndRefusesWhatIsNoDeviceNumber) {
  auto p = plan_of("devices allow null pts b:8:0\n");
  ASSERT_TRUE(p);
  auto j = launcher::plan_to_json(*p);
  auto back = launcher::plan_from_json(j);
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_TRUE(back->cgroup.devices);
  EXPECT_EQ(back->cgroup.devices->size(), 3u);
  EXPECT_EQ(launcher::plan_to_json(*back), j);
  for (auto [field, value] : std::vector<std::pair<const char*, nlohmann::json>>{
           {"type", "x"}, {"major", 4096}, {"minor", -2}, {"minor", 1 << 20}}) {
    auto bad = j;
    bad["cgroup"]["devices"][0][field] = value;
    EXPECT_FALSE(launcher::plan_from_json(bad)) << field << "=" << value;
  }
}

TEST(Devices, V1LinesDenyAllThenAllowReadWrite) {
  std::vector<Device> d = {{"c", 1, 3, "null"}, {"c", 136, -1, "pts"}, {"b", 7, 0, "b:7:0"}};
  EXPECT_EQ(launcher::device_allow_lines(d),
            (std::vector<std::string>{"a", "c 1:3 rw", "c 136:* rw", "b 7:0 rw"}));
  EXPECT_EQ(launcher::device_allow_lines({}), (std::vector<std::string>{"a"}));
  EXPECT_EQ(launcher::device_list_text(d), "null pts b:7:0");
  EXPECT_EQ(launcher::device_list_text({}), "none");
}

TEST(Devices, ProgramAllowsExactlyTheListAndNeverMknod) {
  std::vector<Device> d = {{"c", 1, 3, "null"}, {"c", 136, -1, "pts"}, {"b", 7, 0, "b:7:0"}};
  auto prog = launcher::device_program(d);
  for (uint32_t acc : {kRead, kWrite, kRead | kWrite}) {
    EXPECT_EQ(run(prog, kChar, acc, 1, 3), 1);
    EXPECT_EQ(run(prog, kChar, acc, 136, 0), 1);
    EXPECT_EQ(run(prog, kChar, acc, 136, 77), 1);
    EXPECT_EQ(run(prog, kBlock, acc, 7, 0), 1);
    EXPECT_EQ(run(prog, kChar, acc, 1, 5), 0);   // zero: not listed
    EXPECT_EQ(run(prog, kChar, acc, 1, 11), 0);  // kmsg
    EXPECT_EQ(run(prog, kBlock, acc, 1, 3), 0);  // a block device with null's numbers
    EXPECT_EQ(run(prog, kChar, acc, 7, 0), 0);   // a char device with the block's
    EXPECT_EQ(run(prog, kBlock, acc, 7, 1), 0);
    EXPECT_EQ(run(prog, kChar, acc, 137, 0), 0);
  }
  EXPECT_EQ(run(prog, kChar, kMknod, 1, 3), 0);
  EXPECT_EQ(run(prog, kChar, kMknod | kRead, 136, 1), 0);
  auto empty = launcher::device_program({});
  EXPECT_EQ(run(empty, kChar, kRead, 1, 3), 0);
}

TEST(Limits, NoneRemovesTheCgroupLimitInsteadOfWritingTwoToTheSixtyFour) {
  auto p = plan_of("limits { memory none pids unlimited }\n");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->cgroup.memory_bytes);
  EXPECT_FALSE(p->cgroup.pids);
  // Control: a number still becomes the cgroup limit.
  auto q = plan_of("limits { pids 64 }\n");
  ASSERT_TRUE(q && q->cgroup.pids);
  EXPECT_EQ(*q->cgroup.pids, 64u);
}

}  // namespace
}  // namespace cordon
