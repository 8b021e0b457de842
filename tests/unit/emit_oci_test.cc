// cordon compile --emit oci-seccomp | oci | k8s: a runtime that builds the exported profile
// with libseccomp, as runc and crun do, gets cordon's own decisions for every syscall; the
// config parts and what they cannot express are written down.
#include "cli/emit_oci.h"

#include <gtest/gtest.h>
#include <sys/ioctl.h>

#include <filesystem>
#include <iostream>

#include "tests/unit/oci_reference.h"
#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxX86_64 = 470;  // above the highest x86_64 syscall number (462 in 6.18)

struct Exported {
  launcher::Plan plan;
  compiler::LoweredSeccomp lowered;
};

std::optional<Exported> export_text(const std::string& text) {
  auto c = testing::compile_text(text);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  if (!c.plan) return std::nullopt;
  auto lowered = compiler::lower_seccomp(c.ir);
  EXPECT_TRUE(lowered) << lowered.error().message();
  if (!lowered) return std::nullopt;
  return Exported{std::move(*c.plan), std::move(*lowered)};
}

// The exported profile, built by the reference loader, against cordon's own filter.
size_t check_same_decisions(const launcher::Plan& plan, const std::string& profile_text,
                            const std::string& what) {
  json profile = json::parse(profile_text);
  auto ref = testing::oci_reference_filter(profile, profile.at("syscalls"));
  if (ref.empty()) return 0;
  size_t n = testing::compare_filters(plan.seccomp.program, ref, AUDIT_ARCH_X86_64, kMaxX86_64,
                                      profile.at("syscalls"), what, false, &plan.seccomp);
  // The one decision the format cannot carry: cordon kills the process for an x32 syscall
  // number, a runtime leaves it to libseccomp's bad-architecture default (kill the thread).
  compiler::SeccompData x32;
  x32.arch = AUDIT_ARCH_X86_64;
  x32.nr = 0x40000000 | 1;
  EXPECT_EQ(compiler::run_validated_program(plan.seccomp.program, x32), SCMP_ACT_KILL_PROCESS);
  EXPECT_EQ(compiler::run_validated_program(ref, x32), SCMP_ACT_KILL_THREAD) << what;
  EXPECT_NE(profile_text.find("bad-architecture action"), std::string::npos) << what;
  return n;
}

TEST(EmitOci, ConditionsWidthsAndActionsGiveTheSameDecisions) {
  auto e = export_text(
      "cordon 1\n"
      "syscalls {\n"
      "  default errno EACCES log\n"
      "  allow read write exit_group close\n"
      "  allow socket if domain in [AF_UNIX, AF_INET] && type & SOCK_RAW == 0\n"
      "  errno EAFNOSUPPORT socket if domain == AF_NETLINK\n"
      "  allow ioctl if request == TIOCGWINSZ\n"
      "  allow openat if (flags & O_ACCMODE) == O_RDONLY\n"
      "  allow mmap if !(prot & PROT_EXEC) || flags & MAP_SHARED == 0\n"
      "  allow kill if sig < 32 && pid != 1\n"
      "  trap ptrace\n"
      "  kill-thread reboot\n"
      "  log getpid\n"
      "}\n");
  ASSERT_TRUE(e);
  std::string text = emit_oci_seccomp(e->plan, e->lowered);
  json j = json::parse(text);
  EXPECT_EQ(j["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(j["defaultErrnoRet"], EACCES);
  EXPECT_EQ(j["architectures"], json::array({"SCMP_ARCH_X86_64"}));
  EXPECT_EQ(j["flags"], json::array({"SECCOMP_FILTER_FLAG_LOG"}));
  // A 32-bit argument is compared on its low 32 bits: a masked comparison, mask first.
  bool masked = false;
  for (const auto& s : j["syscalls"])
    if (s["names"] == json::array({"ioctl"}))
      for (const auto& a : s["args"])
        masked = masked || (a["op"] == "SCMP_CMP_MASKED_EQ" && a["value"] == 0xffffffffull &&
                            a["valueTwo"] == TIOCGWINSZ);
  EXPECT_TRUE(masked) << text;
  size_t n = check_same_decisions(e->plan, text, "conditions");
  EXPECT_GT(n, 5000u);
}

TEST(EmitOci, ShippedProfilesGiveTheSameDecisions) {
  size_t profiles = 0, cases = 0;
  for (const auto& f : testing::compile_shipped_profiles()) {
    auto lowered = compiler::lower_seccomp(f.ir);
    ASSERT_TRUE(lowered) << f.path;
    cases += check_same_decisions(f.plan, emit_oci_seccomp(f.plan, *lowered), f.path.string());
    ++profiles;
  }
  EXPECT_GE(profiles, 12u);
  std::cout << "compared " << cases << " (syscall, arguments) cases over " << profiles
            << " shipped profiles\n";
}

TEST(EmitOci, ConfigPartsAndWhatTheyCannotSay) {
  auto e = export_text(
      "cordon 1\n"
      "name \"Web Server\"\n"
      "identity uid 1000 gid 1000\n"
      "network loopback\n"
      "hostname \"box\"\n"
      "capabilities keep NET_BIND_SERVICE\n"
      "filesystem {\n  ro /usr\n  rw? /nonexistent/cordon-data\n  tmpfs /tmp size 16M mode "
      "01777\n  proc\n}\n"
      "limits { memory 64M pids 32 cpu 0.5 nofile 256 walltime 30s }\n"
      "env { clear keep TERM set MODE=prod }\n"
      "landlock { bind tcp 8080 }\n"
      "syscalls { default errno EPERM\n allow read write exit_group }\n");
  ASSERT_TRUE(e);
  json c = json::parse(emit_oci(e->plan, e->lowered, "web.cordon"));
  EXPECT_EQ(c["ociVersion"], "1.0.2");
  EXPECT_EQ(c["process"]["user"], json({{"uid", 1000}, {"gid", 1000}}));
  EXPECT_EQ(c["process"]["capabilities"]["bounding"], json::array({"CAP_NET_BIND_SERVICE"}));
  EXPECT_EQ(c["process"]["capabilities"]["ambient"], json::array({"CAP_NET_BIND_SERVICE"}));
  EXPECT_EQ(c["process"]["noNewPrivileges"], true);
  EXPECT_EQ(c["process"]["env"], json::array({"MODE=prod"}));
  EXPECT_EQ(c["process"]["rlimits"],
            json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 256}, {"soft", 256}}}));
  EXPECT_EQ(c["hostname"], "box");
  std::vector<std::string> types;
  for (const auto& n : c["linux"]["namespaces"]) types.push_back(n["type"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount", "user", "cgroup"}));
  EXPECT_EQ(c["linux"]["uidMappings"][0]["containerID"], 1000);
  EXPECT_EQ(c["linux"]["resources"]["memory"]["limit"], 64u << 20);
  EXPECT_EQ(c["linux"]["resources"]["pids"]["limit"], 32);
  EXPECT_EQ(c["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(c["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  bool usr = false, tmp = false, data = false;
  for (const auto& m : c["mounts"]) {
    usr = usr || (m["destination"] == "/usr" && m["type"] == "bind" &&
                  m["options"] == json::array({"rbind", "ro", "nosuid", "nodev"}));
    tmp = tmp || (m["destination"] == "/tmp" && m["type"] == "tmpfs" &&
                  m["options"][2] == "size=16777216" && m["options"][3] == "mode=1777");
    data = data || m["destination"] == "/nonexistent/cordon-data";
  }
  EXPECT_TRUE(usr && tmp) << c["mounts"];
  EXPECT_FALSE(data) << "an absent optional bind would make the runtime fail";
  std::string notes;
  for (const auto& [k, v] : c["annotations"].items())
    if (k.starts_with("org.cordon.not-expressed.")) notes += v.get<std::string>() + "\n";
  for (const char* want : {"walltime 30000 ms (t.cordon:", "landlock bind tcp 8080 (t.cordon:",
                           "env keep TERM (t.cordon:", "rw? /nonexistent/cordon-data (t.cordon:",
                           "bad-architecture action", "root ((built-in))"})
    EXPECT_NE(notes.find(want), std::string::npos) << want << "\n" << notes;
  EXPECT_EQ(c["annotations"]["org.cordon.policy"], "web.cordon");
}

TEST(EmitOci, DeviceListBecomesTheRuntimesDeviceCgroup) {
  auto e = export_text("cordon 1\ndevices allow null pts b:8:0\n");
  ASSERT_TRUE(e);
  json c = json::parse(emit_oci(e->plan, e->lowered, "t.cordon"));
  EXPECT_EQ(c["linux"]["resources"]["devices"], json::parse(R"([{"allow":false,"access":"rwm"},
                            {"allow":true,"type":"c","major":1,"minor":3,"access":"rw"},
                            {"allow":true,"type":"c","major":136,"access":"rw"},
                            {"allow":true,"type":"b","major":8,"minor":0,"access":"rw"}])"));
  auto none = export_text("cordon 1\nname \"x\"\n");
  ASSERT_TRUE(none);
  json n = json::parse(emit_oci(none->plan, none->lowered, "t.cordon"));
  EXPECT_FALSE(n["linux"].contains("resources") && n["linux"]["resources"].contains("devices"));
}

TEST(EmitOci, K8sSeccompProfile) {
  auto e = export_text(
      "cordon 1\nname \"My_Tool\"\n"
      "syscalls {\n  default errno EACCES\n  allow read write\n  errno ENOSYS clone3\n}\n");
  ASSERT_TRUE(e);
  std::string y = emit_k8s(e->plan, e->lowered, "t.cordon");
  ASSERT_TRUE(y.starts_with("# SeccompProfile")) << y;
  EXPECT_NE(y.find("#   - default errno EACCES (t.cordon:"), std::string::npos) << y;
  // The body after the comments is JSON, which YAML readers take as it is.
  json o = json::parse(y.substr(y.find("\n{") + 1));
  EXPECT_EQ(o["kind"], "SeccompProfile");
  EXPECT_EQ(o["apiVersion"], "security-profiles-operator.x-k8s.io/v1beta1");
  EXPECT_EQ(o["metadata"]["name"], "my-tool");
  bool enosys = false;
  for (const auto& s : o["spec"]["syscalls"])
    enosys = enosys || (s["names"] == json::array({"clone3"}) && s["errnoRet"] == "38");
  EXPECT_TRUE(enosys) << o.dump(2);
  EXPECT_FALSE(o["spec"].contains("defaultErrnoRet"));
}

}  // namespace
}  // namespace cordon::cli
