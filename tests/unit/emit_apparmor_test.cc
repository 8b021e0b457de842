// cordon compile --emit apparmor: the policy's filesystem, exec, capability and network intents
// as an AppArmor profile whose every rule names its policy line; what AppArmor cannot express
// is listed as comments; every shipped profile's output compiles with apparmor_parser; rule_for
// takes a denied path back to the filesystem entry that wrote the line.
#include "cli/emit_apparmor.h"

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

AppArmorProfile generate(const std::string& text, const AppArmorOptions& opts = {}) {
  auto c = testing::compile_text(text);
  EXPECT_TRUE(c.plan) << c.rendered() << c.compile_error;
  return c.plan ? generate_apparmor(*c.plan, "t.cordon", opts) : AppArmorProfile{};
}

// The rule is in the source map with this origin AND written in the text as
// "  LINE   # ORIGIN: ENTRY".
::testing::AssertionResult has_rule(const AppArmorProfile& p, const std::string& line,
                                    const std::string& origin, const std::string& entry) {
  const AppArmorRule* found = nullptr;
  for (const auto& r : p.rules)
    if (r.line == line) found = &r;
  if (!found) return ::testing::AssertionFailure() << "no rule `" << line << "` in\n" << p.text;
  if (found->origin != origin || found->entry != entry)
    return ::testing::AssertionFailure() << "`" << line << "` comes from " << found->origin << ": "
                                         << found->entry << ", not " << origin << ": " << entry;
  std::string comment = fmt::format("# {}: {}\n", origin.empty() ? "(built-in)" : origin, entry);
  for (size_t at = p.text.find("\n  " + line + " "); at != std::string::npos;
       at = p.text.find("\n  " + line + " ", at + 1)) {
    size_t eol = p.text.find('\n', at + 1);
    std::string text_line = p.text.substr(at + 1, eol - at);
    if (text_line.ends_with(comment)) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "`" << line << "  " << comment << "` not written in\n"
                                       << p.text;
}

bool has_line_starting(const std::string& text, const std::string& start) {
  return ("\n" + text).find("\n" + start) != std::string::npos;
}

// apparmor_parser, or "" when it is not installed.
std::string parser_path() {
  if (std::system("command -v apparmor_parser >/dev/null 2>&1") == 0) return "apparmor_parser";
  for (const char* p : {"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

struct ParseResult {
  int status = -1;
  std::string output;
};

// Compiles a profile the way apparmor_parser loads one, without loading it (-Q -K): this needs
// no AppArmor in the running kernel.
ParseResult parse(const std::string& parser, const std::string& text, const std::string& stem) {
  fs::path dir = fs::temp_directory_path() / ("cordon-apparmor-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path f = dir / stem, out = dir / (stem + ".out");
  std::ofstream(f) << text;
  std::string cmd = parser + " -Q -K " + f.string() + " >" + out.string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream o(out);
  ParseResult r;
  r.output.assign(std::istreambuf_iterator<char>(o), std::istreambuf_iterator<char>());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  fs::remove(f);
  fs::remove(out);
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
    "limits { nofile 256 memory 64M }\n"
    "landlock { bind tcp 8080 }\n"
    "syscalls {\n"
    "  default errno EPERM\n"
    "  allow read write exit_group\n"
    "  allow socket if domain in [AF_UNIX, AF_INET]\n"
    "  allow socket if domain == AF_INET6 && (type & 0xf) == SOCK_STREAM\n"
    "  allow ioctl if request == TIOCGWINSZ\n"
    "}\n";

TEST(EmitAppArmor, EntriesBecomeRulesWithTheirOrigins) {
  AppArmorProfile p = generate(kDemo);
  EXPECT_EQ(p.name, "cordon-demo");
  EXPECT_TRUE(has_line_starting(p.text, "abi <abi/3.0>,\n")) << p.text;
  EXPECT_TRUE(has_line_starting(
      p.text, "profile cordon-demo flags=(attach_disconnected,mediate_deleted) {\n"))
      << p.text;
  EXPECT_EQ(p.text.find("#include"), std::string::npos);

  // ro: read and execute (Landlock read_file, read_dir, execute).
  EXPECT_TRUE(has_rule(p, "/usr/ r,", "t.cordon:6:6", "ro /usr"));
  EXPECT_TRUE(has_rule(p, "/usr mrkix,", "t.cordon:6:6", "ro /usr"));
  EXPECT_TRUE(has_rule(p, "/usr/** mrkix,", "t.cordon:6:6", "ro /usr"));
  // rw: ro's rights and write, hard links.
  EXPECT_TRUE(has_rule(p, "/srv/data/ r,", "t.cordon:7:6", "rw /srv/data"));
  EXPECT_TRUE(has_rule(p, "/srv/data/** mrwlkix,", "t.cordon:7:6", "rw /srv/data"));
  // exec: read_file and execute, no read_dir: files only beneath.
  EXPECT_TRUE(has_rule(p, "/opt/app/server mrkix,", "t.cordon:8:8", "exec /opt/app/server"));
  EXPECT_TRUE(has_rule(p, "/opt/app/server/**[^/] mrkix,", "t.cordon:8:8", "exec /opt/app/server"));
  EXPECT_EQ(p.text.find("/opt/app/server/ r,"), std::string::npos);
  // tmpfs: read and write, no execute, no mmap of code.
  EXPECT_TRUE(has_rule(p, "/tmp/ r,", "t.cordon:9:3", "tmpfs /tmp"));
  EXPECT_TRUE(has_rule(p, "/tmp/** rwlk,", "t.cordon:9:3", "tmpfs /tmp"));
  // proc: read.
  EXPECT_TRUE(has_rule(p, "/proc/ r,", "t.cordon:10:3", "proc"));
  EXPECT_TRUE(has_rule(p, "/proc/** rk,", "t.cordon:10:3", "proc"));
  // dev minimal: the launcher's nodes and the private devpts, nothing else.
  EXPECT_TRUE(has_rule(p, "/dev/ r,", "t.cordon:11:3", "dev minimal"));
  EXPECT_TRUE(
      has_rule(p, "/dev/{null,zero,full,random,urandom,tty} rwk,", "t.cordon:11:3", "dev minimal"));
  EXPECT_TRUE(has_rule(p, "/dev/pts/* rwk,", "t.cordon:11:3", "dev minimal"));
  EXPECT_EQ(p.text.find("/dev/** "), std::string::npos);
  // With dev minimal the stdio rules are not needed.
  EXPECT_EQ(p.text.find("/dev/pts/[0-9]*"), std::string::npos);

  EXPECT_TRUE(has_rule(p, "capability net_bind_service,", "t.cordon:4:1",
                       "capabilities keep NET_BIND_SERVICE"));
  EXPECT_EQ(std::count_if(p.rules.begin(), p.rules.end(),
                          [](const AppArmorRule& r) { return r.line.starts_with("capability "); }),
            1);

  // network: unix always; inet from the socket rule that allows it; inet6 too, with the
  // type test left to seccomp and said so.
  EXPECT_TRUE(has_rule(p, "network unix,", "", "unix sockets: IPC inside the sandbox"));
  EXPECT_TRUE(has_rule(p, "network inet,", "t.cordon:18:3",
                       "allow socket if domain in [AF_UNIX, AF_INET]"));
  EXPECT_TRUE(has_rule(p, "network inet6,", "t.cordon:19:3",
                       "allow socket if domain == AF_INET6 && (type & 0xf) == SOCK_STREAM"));
  EXPECT_EQ(p.text.find("  network,"), std::string::npos);
  EXPECT_EQ(p.text.find("network netlink"), std::string::npos);

  EXPECT_TRUE(
      has_rule(p, "signal (send) peer=cordon-demo,", "", "signals to the app's own processes"));
  EXPECT_TRUE(has_rule(p, "ptrace (read, readby) peer=cordon-demo,", "",
                       "/proc of the app's own processes"));
  EXPECT_EQ(p.text.find("ptrace (trace"), std::string::npos) << "seccomp refuses ptrace";
  EXPECT_TRUE(has_rule(p, "set rlimit nofile <= 256,", "t.cordon:13:10", "limits nofile"));
  for (const char* refused : {"  mount", "  umount", "  pivot_root", "  change_profile"})
    EXPECT_EQ(p.text.find(refused), std::string::npos) << refused;

  // What AppArmor cannot say, with its rule.
  auto lost = [&](const std::string& s) { return p.text.find("#  - " + s) != std::string::npos; };
  EXPECT_TRUE(lost("landlock bind tcp 8080 (t.cordon:14:21): AppArmor 3.0 has no port rules"))
      << p.text;
  EXPECT_TRUE(lost("memory 67108864 (t.cordon:13:21): a cgroup limit")) << p.text;
  EXPECT_TRUE(lost("network loopback (t.cordon:3:1)")) << p.text;
  EXPECT_TRUE(
      lost("allow socket if domain == AF_INET6 && (type & 0xf) == SOCK_STREAM "
           "(t.cordon:19:3): AppArmor's network rules here name the family only"))
      << p.text;
  EXPECT_TRUE(lost("argument condition: allow ioctl if request == TIOCGWINSZ (t.cordon:20:3)"))
      << p.text;
  // socket's family tests are the network rules, not lost.
  EXPECT_EQ(p.text.find("argument condition: allow socket"), std::string::npos) << p.text;
  EXPECT_TRUE(lost("the system-call filter (default errno EPERM (t.cordon:16:11), 6 rules"))
      << p.text;
  for (const auto& n : p.not_expressed) EXPECT_TRUE(lost(n)) << n;
}

TEST(EmitAppArmor, NetworkNoneAllowsUnixOnly) {
  // seccomp does not limit socket at all: with network none only unix sockets remain.
  AppArmorProfile open = generate("cordon 1\nname \"n\"\nnetwork none\n");
  EXPECT_TRUE(has_rule(open, "network unix,", "", "unix sockets: IPC inside the sandbox"));
  EXPECT_TRUE(has_rule(open, "unix,", "", "unix sockets: IPC inside the sandbox"));
  for (const auto& r : open.rules)
    EXPECT_TRUE(!r.line.starts_with("network") || r.line == "network unix,") << r.line;
  // Without dev minimal the caller's stdio is still usable after exec.
  EXPECT_TRUE(has_rule(open, "/dev/pts/[0-9]* rw,", "", "stdio"));
  EXPECT_TRUE(has_rule(open, "/dev/null rw,", "", "stdio"));

  // A family seccomp allows is kept unless the network rules it out.
  AppArmorProfile fam = generate(
      "cordon 1\nnetwork none\n"
      "syscalls {\n  default kill\n  allow socket if domain in [AF_INET, AF_NETLINK]\n}\n");
  EXPECT_TRUE(has_rule(fam, "network netlink,", "t.cordon:5:3",
                       "allow socket if domain in [AF_INET, AF_NETLINK]"));
  EXPECT_EQ(fam.text.find("network inet,"), std::string::npos) << fam.text;
  EXPECT_NE(fam.text.find("# domain in [AF_INET, AF_NETLINK] allows inet (t.cordon:5:3), but "
                          "network none: AppArmor refuses it"),
            std::string::npos)
      << fam.text;

  // network host and an unlimited socket(): every family.
  AppArmorProfile host = generate("cordon 1\nnetwork host\nsyscalls {\n  default allow\n}\n");
  EXPECT_TRUE(has_rule(host, "network,", "t.cordon:2:1",
                       "network host; seccomp does not limit socket families (t.cordon:4:11)"));
}

TEST(EmitAppArmor, PtraceWithinTheProfileOnlyWhenSeccompLetsItRun) {
  AppArmorProfile p =
      generate("cordon 1\nname \"dbg\"\nsyscalls {\n  default errno EPERM\n  allow ptrace\n}\n");
  EXPECT_TRUE(has_rule(p, "ptrace (trace, tracedby) peer=cordon-dbg,", "t.cordon:5:3",
                       "seccomp lets ptrace run"));
  EXPECT_EQ(p.text.find("peer=unconfined"), std::string::npos);
  EXPECT_TRUE(has_rule(p, "signal (receive),", "", "signals from cordon's PID 1 and supervisor"));
}

TEST(EmitAppArmor, ProfileNames) {
  // The policy's name, sanitized; the policy file's stem when it has none.
  EXPECT_EQ(generate("cordon 1\nname \"my app/v2\"\n").name, "cordon-my-app-v2");
  EXPECT_EQ(generate("cordon 1\n").name, "cordon-t");
  // `mac { apparmor NAME }` names the profile the launcher will ask for.
  AppArmorProfile named =
      generate("cordon 1\nname \"x\"\nmac { apparmor cordon-redis optional }\n");
  EXPECT_EQ(named.name, "cordon-redis");
  EXPECT_TRUE(has_line_starting(named.text, "profile cordon-redis flags="));
  EXPECT_EQ(generate("cordon 1\nname \"x\"\nmac { apparmor generate optional }\n").name,
            "cordon-x");
  // An explicit name wins; one that would be a path is not written as one, and that is said.
  AppArmorOptions o;
  o.profile_name = "/usr/bin/x";
  AppArmorProfile path = generate("cordon 1\n", o);
  EXPECT_EQ(path.name, "-usr-bin-x");
  EXPECT_NE(path.text.find("#  - profile name \"/usr/bin/x\" (--name): not a name this profile "
                           "can carry"),
            std::string::npos)
      << path.text;
}

TEST(EmitAppArmor, GlobsMatchAsApparmorParserCompilesThem) {
  // `/**` needs at least one character after the '/' and not a '/' (the parser writes
  // /usr/[^/\x00][^\x00]*), so `P/**` never covers P/ itself: that is what `P/ r,` is for.
  EXPECT_TRUE(apparmor_glob_match("/usr/**", "/usr/lib/x.so"));
  EXPECT_TRUE(apparmor_glob_match("/usr/**", "/usr/lib/"));
  EXPECT_FALSE(apparmor_glob_match("/usr/**", "/usr/"));
  EXPECT_FALSE(apparmor_glob_match("/usr/**", "/usr"));
  EXPECT_FALSE(apparmor_glob_match("/usr/**", "/usrx/a"));
  EXPECT_TRUE(apparmor_glob_match("/usr", "/usr"));
  EXPECT_FALSE(apparmor_glob_match("/usr", "/usr/"));
  // Files only beneath an exec entry.
  EXPECT_TRUE(apparmor_glob_match("/opt/app/**[^/]", "/opt/app/bin/tool"));
  EXPECT_FALSE(apparmor_glob_match("/opt/app/**[^/]", "/opt/app/bin/"));
  // `*` and `?` stay within one path component.
  EXPECT_TRUE(apparmor_glob_match("/dev/pts/*", "/dev/pts/3"));
  EXPECT_FALSE(apparmor_glob_match("/dev/pts/*", "/dev/pts/3/x"));
  EXPECT_FALSE(apparmor_glob_match("/dev/pts/*", "/dev/pts/"));
  EXPECT_TRUE(apparmor_glob_match("/dev/pts/[0-9]*", "/dev/pts/12"));
  EXPECT_FALSE(apparmor_glob_match("/dev/pts/[0-9]*", "/dev/pts/ptmx"));
  EXPECT_TRUE(apparmor_glob_match("/dev/{null,zero,tty}", "/dev/zero"));
  EXPECT_FALSE(apparmor_glob_match("/dev/{null,zero,tty}", "/dev/sda"));
  EXPECT_TRUE(apparmor_glob_match("/dev/**/", "/dev/pts/"));
  EXPECT_FALSE(apparmor_glob_match("/dev/**/", "/dev/pts/0"));
  // Escaped pattern characters are literal.
  EXPECT_TRUE(apparmor_glob_match("/srv/a\\*b\\{c\\}", "/srv/a*b{c}"));
  EXPECT_FALSE(apparmor_glob_match("/srv/a\\*b\\{c\\}", "/srv/axb{c}"));
}

TEST(EmitAppArmor, RuleForFindsTheEntryThatWroteTheLine) {
  AppArmorProfile p = generate(kDemo);
  auto origin = [&](std::string_view path, std::string_view mask) -> std::string {
    const AppArmorRule* r = rule_for(p, path, mask);
    return r ? r->origin + " " + r->entry : "none";
  };
  // Allowed: the entry that allows it.
  EXPECT_EQ(origin("/srv/data/db/dump.rdb", "wc"), "t.cordon:7:6 rw /srv/data");
  EXPECT_EQ(origin("/srv/data/", "r"), "t.cordon:7:6 rw /srv/data");
  EXPECT_EQ(origin("/usr/lib/x86_64-linux-gnu/libc.so.6", "m"), "t.cordon:6:6 ro /usr");
  // Refused: the entry whose line lacks the right (a write under ro, an exec in tmpfs).
  EXPECT_EQ(origin("/usr/lib/x.so", "w"), "t.cordon:6:6 ro /usr");
  EXPECT_EQ(origin("/tmp/payload", "x"), "t.cordon:9:3 tmpfs /tmp");
  // Outside every line but below an entry: that entry.
  EXPECT_EQ(origin("/dev/sda", "r"), "t.cordon:11:3 dev minimal");
  EXPECT_EQ(origin("/opt/app/server/sub/", "r"), "t.cordon:8:8 exec /opt/app/server");
  // Outside every entry: none (the fix is a new entry, not an edit).
  EXPECT_EQ(origin("/etc/shadow", "r"), "none");
  EXPECT_EQ(origin("/srv/database/x", "r"), "none");
  // The most specific entry wins where two cover a path.
  AppArmorProfile nested = generate("cordon 1\nfilesystem {\n  ro /srv\n  rw /srv/data\n}\n");
  const AppArmorRule* r = rule_for(nested, "/srv/data/x", "w");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->origin, "t.cordon:4:6");
  r = rule_for(nested, "/srv/other", "w");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->entry, "ro /srv");
}

TEST(EmitAppArmor, ParserChecksTheProfileAndCanFail) {
  std::string parser = parser_path();
  if (parser.empty())
    GTEST_SKIP() << "SKIPPED LOUDLY: apparmor_parser is not installed (package `apparmor`); the "
                    "generated profiles were NOT checked";
  AppArmorProfile p = generate(kDemo);
  ParseResult ok = parse(parser, p.text, "demo");
  EXPECT_EQ(ok.status, 0) << ok.output << "\n" << p.text;

  // A broken line is refused, so a passing check means something.
  std::string broken = p.text;
  broken.insert(broken.find("  capability net_bind_service,"), "  /srv/x rz,\n");
  ParseResult bad = parse(parser, broken, "broken");
  EXPECT_NE(bad.status, 0) << bad.output;
  EXPECT_NE(bad.output.find("syntax error"), std::string::npos) << bad.output;

  // Paths with blanks, quotes, glob and variable characters are written literally.
  AppArmorProfile odd = generate(
      "cordon 1\nfilesystem {\n  ro /\n  ro \"/srv/with space\"\n"
      "  rw \"/srv/a*b{c}[d]?e@{f},g#h\"\n}\n"
      // `ro /` is a Landlock/AppArmor rule only: with a mount namespace it is refused.
      "share mount\n");
  ParseResult oddp = parse(parser, odd.text, "odd");
  EXPECT_EQ(oddp.status, 0) << oddp.output << "\n" << odd.text;
  EXPECT_TRUE(has_line_starting(odd.text, "  \"/srv/with space/**\" mrkix,")) << odd.text;
  const AppArmorRule* r = rule_for(odd, "/srv/a*b{c}[d]?e@{f},g#h/file", "w");
  ASSERT_NE(r, nullptr) << odd.text;
  EXPECT_EQ(r->entry, "rw /srv/a*b{c}[d]?e@{f},g#h");
  EXPECT_NE(r->perms.find('w'), std::string::npos) << r->perms;
  // `ro /`: the root directory and everything, no "as a file" line.
  EXPECT_TRUE(has_rule(odd, "/ r,", "t.cordon:3:6", "ro /"));
  EXPECT_TRUE(has_rule(odd, "/** mrkix,", "t.cordon:3:6", "ro /"));
  r = rule_for(odd, "/etc/shadow", "w");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->entry, "ro /");
}

// Every shipped profile's AppArmor profile compiles.
TEST(EmitAppArmor, ShippedProfilesCompileWithApparmorParser) {
  std::string parser = parser_path();
  if (parser.empty())
    GTEST_SKIP() << "SKIPPED LOUDLY: apparmor_parser is not installed (package `apparmor`); the "
                    "shipped profiles' AppArmor output was NOT checked";
  size_t n = 0;
  for (const auto& shipped : testing::compile_shipped_profiles()) {
    const fs::path& path = shipped.path;
    const launcher::Plan& plan = shipped.plan;
    AppArmorProfile p = generate_apparmor(plan, path.string());
    ParseResult r = parse(parser, p.text, path.stem().string());
    EXPECT_EQ(r.status, 0) << path << "\n" << r.output << "\n" << p.text;
    // Each filesystem entry of the plan has its lines, with its origin.
    for (const auto& m : plan.mounts) {
      bool found = std::any_of(p.rules.begin(), p.rules.end(), [&](const AppArmorRule& rule) {
        return rule.origin == m.origin && rule.entry_path == m.path;
      });
      EXPECT_TRUE(found) << path << ": no rule for " << m.kind << " " << m.path;
    }
    ++n;
  }
  EXPECT_GE(n, 10u);
}

}  // namespace
}  // namespace cordon::cli
