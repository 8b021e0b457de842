#include "launcher/cgroup_device.h"

#include <bpf/bpf.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

#include "launcher/unique_fd.h"

namespace cordon::launcher {
namespace {

// eBPF instructions, spelled out (the kernel's BPF_* instruction macros are not uapi).
bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
bpf_insn alu_imm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov_reg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) {
  return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
}
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// Registers: r1 = struct bpf_cgroup_dev_ctx *; then r2 = device type, r3 = access bits,
// r4 = major, r5 = minor.
constexpr uint8_t kCtx = 1, kType = 2, kAccess = 3, kMajor = 4, kMinor = 5, kScratch = 6;

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<Device>& devices) {
  std::vector<bpf_insn> p;
  // access_type = (access << 16) | type.
  p.push_back(load_u32(kType, kCtx, offsetof(bpf_cgroup_dev_ctx, access_type)));
  p.push_back(alu_imm(BPF_AND, kType, 0xffff));
  p.push_back(load_u32(kAccess, kCtx, offsetof(bpf_cgroup_dev_ctx, access_type)));
  p.push_back(alu_imm(BPF_RSH, kAccess, 16));
  p.push_back(load_u32(kMajor, kCtx, offsetof(bpf_cgroup_dev_ctx, major)));
  p.push_back(load_u32(kMinor, kCtx, offsetof(bpf_cgroup_dev_ctx, minor)));
  // mknod is never allowed: the nodes a sandbox may use are the ones it is given.
  p.push_back(mov_reg(kScratch, kAccess));
  p.push_back(alu_imm(BPF_AND, kScratch, BPF_DEVCG_ACC_MKNOD));
  std::vector<size_t> to_deny;  // jumps to the refusal at the end, patched below
  to_deny.push_back(p.size());
  p.push_back(jne_imm(kScratch, 0, 0));
  for (const auto& d : devices) {
    const int32_t type = d.type == "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    const bool any_minor = d.minor < 0;
    // Each entry: compare type, major[, minor]; on a mismatch skip to the next entry.
    const int16_t len = any_minor ? 4 : 5;  // the jumps, then r0 = 1 and exit
    p.push_back(jne_imm(kType, type, static_cast<int16_t>(len - 1)));
    p.push_back(jne_imm(kMajor, static_cast<int32_t>(d.major), static_cast<int16_t>(len - 2)));
    if (!any_minor) p.push_back(jne_imm(kMinor, static_cast<int32_t>(d.minor), 2));
    p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));
    p.push_back(exit_insn());
  }
  const size_t deny = p.size();
  p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
  p.push_back(exit_insn());
  for (size_t at : to_deny) p[at].off = static_cast<int16_t>(deny - at - 1);
  return p;
}

Result<void> attach_device_program(int cgroup_fd, const std::vector<Device>& devices) {
  const auto prog = device_program(devices);
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  char log[4096] = "";
  opts.log_buf = log;
  opts.log_size = sizeof log;
  opts.log_level = 0;
  int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "cordon_devices", "GPL", prog.data(),
                         prog.size(), &opts);
  if (fd < 0) {
    // libbpf returns -errno; a verifier refusal (a bug of ours) comes with its log on retry.
    int err = -fd;
    std::string detail = log[0] ? fmt::format(" ({})", log) : "";
    return fail(
        Error::from_errno("load the device program (BPF_PROG_TYPE_CGROUP_DEVICE)" + detail, err));
  }
  UniqueFd prog_fd(fd);
  // No BPF_F_ALLOW_OVERRIDE / ALLOW_MULTI: a cgroup below cannot attach a program of its own.
  if (int r = bpf_prog_attach(prog_fd.get(), cgroup_fd, BPF_CGROUP_DEVICE, 0); r < 0)
    return fail(Error::from_errno("attach the device program to the sandbox's cgroup", -r));
  // The cgroup holds the program now; our fd closes with prog_fd.
  return {};
}

std::vector<std::string> device_allow_lines(const std::vector<Device>& devices) {
  std::vector<std::string> out = {"a"};
  for (const auto& d : devices)
    out.push_back(d.minor < 0 ? fmt::format("{} {}:* rw", d.type, d.major)
                              : fmt::format("{} {}:{} rw", d.type, d.major, d.minor));
  return out;
}

std::string device_list_text(const std::vector<Device>& devices) {
  if (devices.empty()) return "none";
  std::string out;
  for (const auto& d : devices) out += (out.empty() ? "" : " ") + d.name;
  return out;
}

}  // namespace cordon::launcher
