// The policy's `devices` list as the kernel's device controller enforces it.
//
// cgroup v2 has no devices.allow file: access to device nodes is decided by a
// BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. device_program() builds one from
// the list: it allows read and write of the listed nodes and refuses everything else, mknod of
// any node included (the kernel then returns EPERM). It is loaded and attached with libbpf,
// without BPF_F_ALLOW_OVERRIDE, so nothing beneath the sandbox's cgroup can replace it.
// cgroup v1 gets the same list as devices.deny / devices.allow lines.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "launcher/plan.h"

namespace cordon::launcher {

// The program's instructions (exposed for tests: each listed node allowed, the rest refused).
std::vector<bpf_insn> device_program(const std::vector<Device>& devices);

// Loads device_program(devices) and attaches it to the cgroup directory `cgroup_fd` (v2).
// Errors name the step ("load" / "attach") and the errno the kernel gave.
Result<void> attach_device_program(int cgroup_fd, const std::vector<Device>& devices);

// v1: the lines to write, in order: "a" to devices.deny, then one "c 1:3 rw" (or "c 136:* rw")
// per entry to devices.allow.
std::vector<std::string> device_allow_lines(const std::vector<Device>& devices);

// "null zero c:10:229": the list as the policy wrote it ("none" when empty).
std::string device_list_text(const std::vector<Device>& devices);

}  // namespace cordon::launcher
