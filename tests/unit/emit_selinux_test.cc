// cordon compile --emit selinux-cil: the policy's filesystem, exec, capability and network intents
// as a CIL module for the sandbox's domain, each statement naming its policy line; secilc
// compiles it together with the VM suite's minimal base (tests/vm/selinux/base.cil) into a
// kernel policy, for the demo policy and every shipped profile.
#include "cli/emit_selinux.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

namespace fs = std::filesystem;

const std::string kBase = std::string(CORDON_TEST_DATA) + "/vm/selinux/base.cil";

SelinuxModule generate(const std::string& text) {
  auto c = testing::compile_text(text);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? generate_selinux(*c.plan, "t.cordon") : SelinuxModule{};
}

// The statement is in the source map with this origin AND written as "LINE  ; ORIGIN: ENTRY".
::testing::AssertionResult has_rule(const SelinuxModule& m, const std::string& line,
                                    const std::string& origin, const std::string& entry) {
  const SelinuxRule* found = nullptr;
  for (const auto& r : m.rules)
    if (r.line == line) found = &r;
  if (!found)
    return ::testing::AssertionFailure() << "no statement `" << line << "` in\n" << m.text;
  if (found->origin != origin || found->entry != entry)
    return ::testing::AssertionFailure() << "`" << line << "` comes from " << found->origin << ": "
                                         << found->entry << ", not " << origin << ": " << entry;
  std::string written =
      fmt::format("\n{}  ; {}: {}\n", line, origin.empty() ? "(built-in)" : origin, entry);
  if (m.text.find(written) == std::string::npos)
    return ::testing::AssertionFailure() << "`" << written << "` not written in\n" << m.text;
  return ::testing::AssertionSuccess();
}

std::string secilc_path() {
  for (const char* p : {"/usr/bin/secilc", "/bin/secilc", "/usr/sbin/secilc"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

struct CompileResult {
  int status = -1;
  std::string output;
  uintmax_t policy_size = 0;
};

// secilc BASE MODULE into a binary kernel policy (no file_contexts written).
CompileResult secilc(const std::string& module, const std::string& stem) {
  fs::path dir = fs::temp_directory_path() / ("cordon-selinux-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path cil = dir / (stem + ".cil"), pol = dir / (stem + ".pol"), out = dir / (stem + ".out");
  std::ofstream(cil) << module;
  std::string cmd = fmt::format("{} -o {} -f /dev/null {} {} >{} 2>&1", secilc_path(), pol.string(),
                                kBase, cil.string(), out.string());
  int rc = std::system(cmd.c_str());
  CompileResult r;
  std::ifstream o(out);
  r.output.assign(std::istreambuf_iterator<char>(o), std::istreambuf_iterator<char>());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::error_code ec;
  r.policy_size = fs::file_size(pol, ec);
  if (ec) r.policy_size = 0;
  fs::remove_all(dir);
  return r;
}

const char* kDemo =
    "cordon 1\n"
    "name \"demo\"\n"
    "network loopback\n"
    "capabilities keep NET_BIND_SERVICE\n"
    "filesystem {\n"
    "  ro /usr\n"
    "  rw /srv/data\n"
    "  exec /opt/app/server\n"
    "  tmpfs /tmp size 16M mode 01777\n"
    "  proc\n"
    "  dev minimal\n"
    "}\n"
    "limits { nofile 256 }\n"
    "landlock { bind tcp 8080 }\n"
    "syscalls {\n"
    "  default errno EPERM\n"
    "  allow read write exit_group\n"
    "}\n";

TEST(EmitSelinux, EntriesBecomeTypesAndRulesWithTheirOrigins) {
  SelinuxModule m = generate(kDemo);
  EXPECT_EQ(m.domain, "cordon_demo_t");
  EXPECT_EQ(m.context, "system_u:system_r:cordon_demo_t:s0");
  EXPECT_TRUE(has_rule(m, "(type cordon_demo_t)", "", "the sandbox's domain"));
  EXPECT_TRUE(has_rule(m, "(allow unconfined_t cordon_demo_t (process2 (nnp_transition)))", "",
                       "cordon sets no_new_privs before the exec"));

  // ro: a type of its own, its filecon, read and execute (entrypoint: the app may start there).
  EXPECT_TRUE(has_rule(m, "(type cordon_demo_usr_t)", "t.cordon:6:6", "ro /usr"));
  EXPECT_TRUE(
      has_rule(m, "(filecon \"/usr(/.*)?\" any (system_u object_r cordon_demo_usr_t ((s0) (s0))))",
               "t.cordon:6:6", "ro /usr"));
  EXPECT_TRUE(has_rule(m,
                       "(allow cordon_demo_t cordon_demo_usr_t_a (file (entrypoint execute "
                       "execute_no_trans getattr ioctl lock map open read)))",
                       "t.cordon:6:6", "ro /usr"));
  EXPECT_TRUE(selinux_allows(m, "cordon_demo_usr_t", "file", "read open"));
  EXPECT_FALSE(selinux_allows(m, "cordon_demo_usr_t", "file", "write"));
  EXPECT_FALSE(selinux_allows(m, "cordon_demo_usr_t", "dir", "add_name"));
  // rw: also write, create, remove.
  EXPECT_TRUE(selinux_allows(m, "cordon_demo_srv_data_t", "file", "{ write create unlink }"));
  EXPECT_TRUE(selinux_allows(m, "cordon_demo_srv_data_t", "dir", "add_name remove_name rmdir"));
  // exec: a file to run, no directory listing.
  EXPECT_TRUE(selinux_allows(m, "cordon_demo_opt_app_server_t", "file", "execute entrypoint"));
  EXPECT_FALSE(selinux_allows(m, "cordon_demo_opt_app_server_t", "dir", "read"));
  // tmpfs, proc, dev minimal: the reference policy's types.
  EXPECT_TRUE(selinux_allows(m, "tmpfs_t", "file", "create write"));
  EXPECT_FALSE(selinux_allows(m, "tmpfs_t", "file", "execute"));
  EXPECT_TRUE(selinux_allows(m, "proc_t", "file", "read"));
  EXPECT_FALSE(selinux_allows(m, "proc_t", "file", "write"));
  EXPECT_TRUE(selinux_allows(m, "urandom_device_t", "chr_file", "read ioctl"));
  // The entry types, for audit.
  const SelinuxFileType* t = selinux_file_type(m, "cordon_demo_srv_data_t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->entry, "rw /srv/data");
  EXPECT_EQ(t->origin, "t.cordon:7:6");
  EXPECT_TRUE(t->declared);
  EXPECT_EQ(selinux_file_type(m, "etc_t"), nullptr);

  // capabilities keep: the one kept, in the user namespace too; nothing else.
  EXPECT_TRUE(has_rule(m, "(allow cordon_demo_t self (capability (net_bind_service)))",
                       "t.cordon:4:1", "capabilities keep NET_BIND_SERVICE"));
  EXPECT_TRUE(selinux_allows(m, "cordon_demo_t", "cap_userns", "net_bind_service"));
  EXPECT_FALSE(selinux_allows(m, "cordon_demo_t", "capability", "sys_admin"));
  // network loopback: tcp and udp; ports are not numbers in SELinux.
  EXPECT_TRUE(selinux_allows(m, "cordon_demo_t", "tcp_socket", "create connect"));
  EXPECT_NE(m.text.find(";  - landlock bind tcp 8080 (t.cordon:14:21): SELinux names ports"),
            std::string::npos)
      << m.text;
  EXPECT_NE(m.text.find(";  - the system-call filter (default errno EPERM"), std::string::npos);
}

TEST(EmitSelinux, NetworkNoneAndNoCapabilities) {
  SelinuxModule m = generate("cordon 1\nname \"n\"\nnetwork none\nfilesystem { ro /usr }\n");
  EXPECT_TRUE(selinux_allows(m, "cordon_n_t", "unix_stream_socket", "create connectto"));
  EXPECT_FALSE(selinux_allows(m, "cordon_n_t", "tcp_socket", "create"));
  EXPECT_EQ(m.text.find("(capability "), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("; capabilities none"), std::string::npos) << m.text;
}

TEST(EmitSelinux, DomainFromTheMacContext) {
  SelinuxModule m = generate(
      "cordon 1\nname \"x\"\nfilesystem { rw /srv/a-b; rw /srv/a_b }\n"
      "mac { selinux \"system_u:system_r:vm_sandbox_t:s0\" }\n");
  EXPECT_EQ(m.domain, "vm_sandbox_t");
  EXPECT_EQ(m.context, "system_u:system_r:vm_sandbox_t:s0");
  // Types are named after the domain; paths that sanitize alike get types of their own.
  ASSERT_EQ(m.file_types.size(), 2u);
  EXPECT_EQ(m.file_types[0].type, "vm_sandbox_srv_a_b_t");
  EXPECT_EQ(m.file_types[1].type, "vm_sandbox_srv_a_b_2_t");
}

TEST(EmitSelinux, SecilcChecksTheModuleAndCanFail) {
  if (secilc_path().empty())
    GTEST_SKIP() << "SKIPPED LOUDLY: secilc is not installed (package `secilc`); the generated "
                    "CIL modules were NOT checked";
  SelinuxModule m = generate(kDemo);
  CompileResult ok = secilc(m.text, "demo");
  EXPECT_EQ(ok.status, 0) << ok.output << "\n" << m.text;
  EXPECT_GT(ok.policy_size, 1000u);

  // A statement naming a type nobody declares is refused, so a passing check means something.
  CompileResult bad = secilc(m.text + "(allow cordon_demo_t no_such_t (file (read)))\n", "bad");
  EXPECT_NE(bad.status, 0) << bad.output;
  EXPECT_EQ(bad.policy_size, 0u);
  // So is a permission the class does not have.
  CompileResult perm = secilc(m.text + "(allow cordon_demo_t tmpfs_t (file (fly)))\n", "perm");
  EXPECT_NE(perm.status, 0) << perm.output;

  // Paths with blanks, quotes and regex characters; `ro /`.
  SelinuxModule odd = generate(
      "cordon 1\nfilesystem {\n  ro /\n  ro \"/srv/with space\"\n"
      "  rw \"/srv/a*b{c}[d]?e(f)|g.h\\\"i\"\n}\n"
      // `ro /` is a Landlock/SELinux rule only: with a mount namespace it is refused.
      "share mount\n");
  CompileResult oddr = secilc(odd.text, "odd");
  EXPECT_EQ(oddr.status, 0) << oddr.output << "\n" << odd.text;
  EXPECT_NE(odd.text.find("(filecon \"/.*\" any"), std::string::npos) << odd.text;
  EXPECT_NE(odd.text.find("(filecon \"/srv/with\\x20space(/.*)?\" any"), std::string::npos)
      << odd.text;
  EXPECT_NE(odd.text.find("(filecon \"/srv/a\\*b\\{c\\}\\[d\\]\\?e\\(f\\)\\|g\\.h\\x22i(/.*)?\""),
            std::string::npos)
      << odd.text;
}

// Every shipped profile's module compiles against the minimal base.
TEST(EmitSelinux, ShippedProfilesCompileWithSecilc) {
  if (secilc_path().empty())
    GTEST_SKIP() << "SKIPPED LOUDLY: secilc is not installed (package `secilc`); the shipped "
                    "profiles' SELinux modules were NOT checked";
  size_t n = 0;
  for (const auto& shipped : testing::compile_shipped_profiles()) {
    SelinuxModule m = generate_selinux(shipped.plan, shipped.path.string());
    CompileResult r = secilc(m.text, shipped.path.stem().string());
    EXPECT_EQ(r.status, 0) << shipped.path << "\n" << r.output << "\n" << m.text;
    for (const auto& mount : shipped.plan.mounts) {
      bool found = std::any_of(m.rules.begin(), m.rules.end(), [&](const SelinuxRule& rule) {
        return rule.origin == mount.origin && !rule.perms.empty();
      });
      EXPECT_TRUE(found) << shipped.path << ": no rule for " << mount.kind << " " << mount.path;
    }
    ++n;
  }
  EXPECT_GE(n, 10u);
}

}  // namespace
}  // namespace cordon::cli
