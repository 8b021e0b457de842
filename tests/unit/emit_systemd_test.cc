// cordon compile --emit systemd: the Plan as a unit drop-in; what systemd cannot express is
// listed as comments; every shipped profile's drop-in passes `systemd-analyze verify`.
#include "cli/emit_systemd.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

namespace fs = std::filesystem;

std::string emit(const std::string& text) {
  auto c = testing::compile_text(text);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? emit_systemd(*c.plan, "t.cordon") : "";
}

bool has_line(const std::string& out, const std::string& line) {
  return ("\n" + out).find("\n" + line + "\n") != std::string::npos;
}

TEST(EmitSystemd, AllowListWithItsErrnoAndFamilies) {
  std::string out = emit(
      "cordon 1\n"
      "network loopback\n"
      "capabilities keep NET_BIND_SERVICE\n"
      "filesystem {\n  ro /usr\n  rw? /srv/data\n  tmpfs /tmp size 16M mode 01777\n}\n"
      "limits { memory 64M pids 32 cpu 0.5 nofile 256 walltime 30s }\n"
      "syscalls {\n"
      "  default errno EPERM\n"
      "  allow read write exit_group\n"
      "  allow socket if domain in [AF_UNIX, AF_INET]\n"
      "  allow ioctl if request == TIOCGWINSZ\n"
      "  errno EACCES ptrace\n"
      "}\n");
  EXPECT_TRUE(has_line(out, "[Service]")) << out;
  EXPECT_TRUE(has_line(out, "NoNewPrivileges=yes"));
  EXPECT_TRUE(has_line(out, "CapabilityBoundingSet=CAP_NET_BIND_SERVICE")) << out;
  EXPECT_TRUE(has_line(out, "PrivateNetwork=yes"));
  EXPECT_TRUE(has_line(out, "TemporaryFileSystem=/"));
  EXPECT_TRUE(has_line(out, "BindReadOnlyPaths=/usr")) << out;
  EXPECT_TRUE(has_line(out, "BindPaths=-/srv/data")) << out;
  EXPECT_TRUE(has_line(out, "TemporaryFileSystem=/tmp:size=16777216,mode=1777")) << out;
  EXPECT_TRUE(has_line(out, "MemoryMax=67108864"));
  EXPECT_TRUE(has_line(out, "TasksMax=32"));
  EXPECT_TRUE(has_line(out, "CPUQuota=50%")) << out;
  EXPECT_TRUE(has_line(out, "LimitNOFILE=256"));
  EXPECT_TRUE(has_line(out, "RuntimeMaxSec=30000ms"));
  EXPECT_TRUE(has_line(out, "SystemCallArchitectures=native"));
  EXPECT_TRUE(has_line(out, "SystemCallFilter=exit_group read socket write")) << out;
  EXPECT_TRUE(has_line(out, "SystemCallErrorNumber=EPERM"));
  EXPECT_TRUE(has_line(out, "RestrictAddressFamilies=AF_UNIX AF_INET")) << out;
  // What systemd cannot say is written down with its rule, never dropped.
  EXPECT_NE(out.find("#  - errno EACCES ptrace (t.cordon:"), std::string::npos) << out;
  EXPECT_NE(out.find("#  - argument condition, not expressible: allow ioctl if request == "
                     "TIOCGWINSZ (t.cordon:"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("#  - Landlock ("), std::string::npos);
  EXPECT_NE(out.find("#  - a PID namespace"), std::string::npos);
}

TEST(EmitSystemd, NamespaceRefusalsBecomeRestrictNamespaces) {
  std::string out = emit(
      "cordon 1\n"
      "syscalls {\n"
      "  default kill\n"
      "  errno EPERM clone if clone_flags & CLONE_NEWUSER\n"
      "  allow clone\n"
      "  errno EPERM unshare if unshare_flags & CLONE_NEWUSER|CLONE_NEWNET\n"
      "  allow unshare\n"
      "}\n");
  EXPECT_TRUE(has_line(out, "RestrictNamespaces=~net user")) << out;
  EXPECT_TRUE(has_line(out, "SystemCallFilter=clone unshare")) << out;
  EXPECT_NE(out.find("#  - RestrictNamespaces= stands for errno EPERM clone if clone_flags & "
                     "CLONE_NEWUSER (t.cordon:4:3)"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("argument condition, not expressible: errno EPERM clone"), std::string::npos);
}

TEST(EmitSystemd, DefaultAllowBecomesADenyListWithErrnos) {
  std::string out = emit(
      "cordon 1\n"
      "network host\n"
      "syscalls {\n  default allow\n  errno EACCES ptrace\n  kill reboot\n}\n");
  EXPECT_TRUE(has_line(out, "SystemCallFilter=~ptrace:EACCES reboot")) << out;
  EXPECT_EQ(out.find("PrivateNetwork"), std::string::npos);
}

TEST(EmitSystemd, DeviceListBecomesStrictDevicePolicy) {
  std::string out = emit("cordon 1\ndevices allow null pts c:10:229\n");
  EXPECT_TRUE(has_line(out, "DevicePolicy=strict")) << out;
  EXPECT_TRUE(has_line(out, "DeviceAllow=/dev/null rw")) << out;
  EXPECT_TRUE(has_line(out, "DeviceAllow=char-pts rw")) << out;
  EXPECT_NE(out.find("#  - devices allow c:10:229 (t.cordon:2:1): systemd's DeviceAllow="),
            std::string::npos)
      << out;
  EXPECT_EQ(emit("cordon 1\n").find("DevicePolicy"), std::string::npos);
}

// systemd itself reads every shipped profile's drop-in without complaint.
TEST(EmitSystemd, ShippedProfilesVerifyWithSystemd) {
  if (std::system("command -v systemd-analyze >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "systemd-analyze is not installed";
  fs::path dir = fs::temp_directory_path() / ("cordon-systemd-" + std::to_string(getpid()));
  fs::create_directories(dir);
  size_t n = 0;
  for (const auto& shipped : testing::compile_shipped_profiles()) {
    const fs::path& path = shipped.path;
    const launcher::Plan& plan = shipped.plan;
    std::string unit = "[Unit]\nDescription=t\n[Service]\nExecStart=/bin/true\n";
    std::string drop = emit_systemd(plan, path.string());
    unit += drop.substr(drop.find("[Service]\n") + 10);
    fs::path f = dir / (path.stem().string() + ".service");
    std::ofstream(f) << unit;
    std::string cmd = "cd " + dir.string() + " && systemd-analyze verify " + f.string() + " >" +
                      (dir / "out").string() + " 2>&1";
    int rc = std::system(cmd.c_str());
    std::ifstream o(dir / "out");
    std::string msgs((std::istreambuf_iterator<char>(o)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << path << "\n" << msgs;
    EXPECT_EQ(msgs.find(f.filename().string() + ":"), std::string::npos)
        << path << ": systemd complained about a line:\n"
        << msgs;
    ++n;
  }
  EXPECT_GE(n, 10u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cordon::cli
