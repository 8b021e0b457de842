// cordon import: an OCI / Docker seccomp profile becomes a policy whose compiled filter decides
// like the filter runc builds from the profile. The reference here is written from runc's and
// moby's sources, independently of the importer: moby's includes/excludes, then seccomp_init,
// the architectures and one seccomp_rule_add_array per name (runc's matchCall), exported with
// libseccomp. Both filters run in the userspace evaluator for every syscall number and a set of
// argument values at every boundary of the profile's comparisons.
#include "cli/import_seccomp.h"

#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "policy/syscall_signatures.h"
#include "tests/unit/oci_reference.h"
#include "tests/unit/test_util.h"

namespace cordon::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---- The reference loader --------------------------------------------------------------------

struct RefOptions {
  std::vector<std::string> caps;  // the container's bounding set, "CAP_..."
  std::string arch = "amd64";     // moby's name of the machine's architecture
  int kernel = 6, major = 1;
};

// moby's oci/caps DefaultCapabilities().
std::vector<std::string> docker_caps() {
  return {"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
          "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
          "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
          "CAP_KILL",    "CAP_AUDIT_WRITE"};
}

bool has(const json& list, const std::string& s) {
  for (const auto& x : list)
    if (x == s) return true;
  return false;
}

bool kernel_at_least(const std::string& v, const RefOptions& o) {
  int k = 0, m = 0;
  EXPECT_EQ(sscanf(v.c_str(), "%d.%d", &k, &m), 2) << v;
  return o.kernel > k || (o.kernel == k && o.major >= m);
}

// moby's setupSeccomp: is this entry in the container's profile?
bool moby_keeps(const json& call, const RefOptions& o) {
  std::set<std::string> caps(o.caps.begin(), o.caps.end());
  if (call.contains("excludes")) {
    const json& x = call["excludes"];
    if (x.contains("arches") && has(x["arches"], o.arch)) return false;
    if (x.contains("caps"))
      for (const auto& c : x["caps"])
        if (caps.count(c.get<std::string>())) return false;
    if (x.contains("minKernel") && kernel_at_least(x["minKernel"], o)) return false;
  }
  if (call.contains("includes")) {
    const json& i = call["includes"];
    if (i.contains("arches") && !i["arches"].empty() && !has(i["arches"], o.arch)) return false;
    if (i.contains("caps"))
      for (const auto& c : i["caps"])
        if (!caps.count(c.get<std::string>())) return false;
    if (i.contains("minKernel") && !kernel_at_least(i["minKernel"], o)) return false;
  }
  return true;
}

// runc's getAction and operator names: as tests/unit/oci_reference.h reads them.
using testing::oci_action_value;
using testing::oci_op_value;

std::vector<std::string> names_of(const json& call) {
  if (call.contains("name")) return {call["name"].get<std::string>()};
  return call.value("names", std::vector<std::string>{});
}

struct Reference {
  std::vector<sock_filter> program;
  std::vector<uint32_t> arches;  // libseccomp tokens, native first
  std::vector<json> calls;       // the entries moby keeps
};

Reference reference_filter(const json& profile, const RefOptions& o) {
  Reference ref;
  for (const auto& call : profile.value("syscalls", json::array()))
    if (moby_keeps(call, o)) ref.calls.push_back(call);
  uint32_t def =
      oci_action_value(profile["defaultAction"], profile.value("defaultErrnoRet", json()));
  void* ctx = seccomp_init(def);
  ref.arches.push_back(seccomp_arch_native());
  std::vector<std::string> arches = profile.value("architectures", std::vector<std::string>{});
  static const std::map<std::string, std::string> moby_to_oci = {{"amd64", "SCMP_ARCH_X86_64"}};
  for (const auto& m : profile.value("archMap", json::array()))
    if (m["architecture"] == moby_to_oci.at(o.arch)) {
      arches.push_back(m["architecture"]);
      for (const auto& s : m["subArchitectures"]) arches.push_back(s);
    }
  for (std::string a : arches) {
    a = a.substr(10);  // SCMP_ARCH_
    for (char& c : a) c = static_cast<char>(tolower(c));
    uint32_t token = seccomp_arch_resolve_name(a.c_str());
    EXPECT_NE(token, 0u) << a;
    if (token == seccomp_arch_native()) continue;
    EXPECT_EQ(seccomp_arch_add(ctx, token), 0) << a;
    ref.arches.push_back(token);
  }
  if (ref.calls.size() > 32) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (const auto& call : ref.calls) {
    uint32_t act = oci_action_value(call["action"], call.value("errnoRet", json()));
    if (act == def) continue;
    for (const auto& name : names_of(call)) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;
      std::vector<scmp_arg_cmp> cmps;
      int count[6] = {};
      bool dup = false;
      for (const auto& a : call.value("args", json::array())) {
        unsigned index = a["index"];
        dup |= ++count[index] > 1;
        cmps.push_back({index, oci_op_value(a["op"]), a["value"].get<uint64_t>(),
                        a.value("valueTwo", uint64_t{0})});
      }
      if (dup) {
        for (auto& c : cmps) EXPECT_EQ(seccomp_rule_add_array(ctx, act, nr, 1, &c), 0) << name;
      } else {
        EXPECT_EQ(
            seccomp_rule_add_array(ctx, act, nr, static_cast<unsigned>(cmps.size()), cmps.data()),
            0)
            << name;
      }
    }
  }
  int fd = memfd_create("reference", MFD_CLOEXEC);
  EXPECT_EQ(seccomp_export_bpf(ctx, fd), 0);
  seccomp_release(ctx);
  off_t size = lseek(fd, 0, SEEK_END);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  EXPECT_EQ(pread(fd, bytes.data(), bytes.size(), 0), size);
  close(fd);
  auto prog = compiler::parse_program(bytes);
  EXPECT_TRUE(prog.has_value());
  if (prog) ref.program = *prog;
  EXPECT_TRUE(compiler::validate_program(ref.program).has_value());
  return ref;
}

// ---- Comparing two filters ------------------------------------------------------------------

uint32_t run(const std::vector<sock_filter>& prog, uint32_t arch, int nr,
             const std::array<uint64_t, 6>& args) {
  compiler::SeccompData d;
  d.arch = arch;
  d.nr = nr;
  std::copy(args.begin(), args.end(), d.args);
  return compiler::run_validated_program(prog, d);
}

bool is_32bit(uint32_t arch) { return arch == SCMP_ARCH_X86; }

// The number of bits of the argument the kernel reads on `arch`.
uint8_t kernel_width(const std::string& name, int arg, uint32_t arch) {
  const auto* sig = policy::find_signature(name);
  uint8_t w = sig && arg < sig->nargs ? sig->args[arg].bits : 64;
  return is_32bit(arch) ? std::min<uint8_t>(w, 32) : w;
}

// Per argument index, every value where one of the profile's comparisons changes its answer.
std::map<int, std::set<uint64_t>> boundary_values(const std::vector<json>& calls) {
  std::map<int, std::set<uint64_t>> out;
  for (int i = 0; i < 6; ++i)
    out[i] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, ~0ull};
  for (const auto& call : calls)
    for (const auto& a : call.value("args", json::array())) {
      auto& vs = out[a["index"].get<int>()];
      uint64_t v = a["value"], hi = v >> 32 << 32, lo = v & 0xffffffff;
      for (uint64_t x : {v - 1, v, v + 1, ~v, lo, hi, hi - 1, hi | 0xffffffff}) vs.insert(x);
      if (a["op"] == "SCMP_CMP_MASKED_EQ") {
        uint64_t d = a.value("valueTwo", uint64_t{0});
        for (uint64_t x : {d, d & v, d | ~v, (d & v) | (~v & 0xffffffff)}) vs.insert(x);
        for (int b = 0; b < 64; ++b)
          if (v >> b & 1) vs.insert((d & v) ^ (1ull << b));
      }
    }
  return out;
}

struct Tally {
  size_t pairs = 0;  // (syscall, arguments) pairs compared
  size_t syscalls = 0;
};

// Compares the two filters on `arch` for every syscall number up to past the highest one
// libseccomp knows there, with arguments one at a time at every boundary value (within the
// width the kernel reads), and all combinations for the arguments one syscall's rules test
// together. Returns the disagreements, at most 20.
std::vector<std::string> compare(const launcher::Seccomp& cordon, const Reference& ref,
                                 uint32_t arch, Tally& tally) {
  const std::vector<sock_filter>& cordon_prog = cordon.program;
  std::vector<std::string> bad;
  auto values = boundary_values(ref.calls);
  std::map<std::string, std::set<int>> args_together;
  for (const auto& call : ref.calls)
    for (const auto& n : names_of(call))
      for (const auto& a : call.value("args", json::array()))
        args_together[n].insert(a["index"].get<int>());
  int top = 0;
  for (int nr = 0; nr < 1024; ++nr)
    if (char* n = seccomp_syscall_resolve_num_arch(arch, nr)) {
      top = nr;
      free(n);
    }
  for (int nr = 0; nr <= top + 16; ++nr) {
    std::string name;
    if (char* n = seccomp_syscall_resolve_num_arch(arch, nr)) {
      name = n;
      free(n);
    }
    std::vector<std::array<uint64_t, 6>> samples = {{}};
    for (int i = 0; i < 6; ++i) {
      uint64_t wm =
          kernel_width(name, i, arch) >= 64 ? ~0ull : (1ull << kernel_width(name, i, arch)) - 1;
      std::set<uint64_t> vs;
      for (uint64_t v : values[i]) vs.insert(v & wm);
      for (uint64_t v : vs) {
        std::array<uint64_t, 6> a{};
        a[i] = v;
        samples.push_back(a);
      }
    }
    if (args_together[name].size() > 1) {
      std::vector<std::array<uint64_t, 6>> all = {{}};
      for (int i : args_together[name]) {
        std::vector<std::array<uint64_t, 6>> next;
        for (const auto& base : all)
          for (uint64_t v : values[i]) {
            auto a = base;
            a[i] =
                v & (kernel_width(name, i, arch) >= 64 ? ~0ull
                                                       : (1ull << kernel_width(name, i, arch)) - 1);
            next.push_back(a);
          }
        all = std::move(next);
        if (all.size() > 5000) {
          std::mt19937_64 rng(nr);
          std::shuffle(all.begin(), all.end(), rng);
          all.resize(5000);
        }
      }
      samples.insert(samples.end(), all.begin(), all.end());
    }
    ++tally.syscalls;
    for (const auto& a : samples) {
      uint32_t want = run(ref.program, arch, nr, a),
               got = testing::as_the_app_sees(cordon, run(cordon_prog, arch, nr, a));
      ++tally.pairs;
      if (want != got && bad.size() < 20)
        bad.push_back(fmt::format("{} #{} ({}) args ({:#x}): runc's filter {}, cordon's {}",
                                  policy::arch_name(arch), nr, name.empty() ? "?" : name,
                                  fmt::join(a, ", "), compiler::describe_action(want),
                                  compiler::describe_action(got)));
    }
  }
  return bad;
}

struct Imported {
  ImportResult result;
  testing::Compiled compiled;
};

// Imports, then compiles the text as `cordon compile` would. Fails the test on any error or
// warning: an import must be a clean policy.
std::optional<Imported> import_and_compile(const json& profile, const ImportOptions& opt) {
  auto r = import_seccomp(profile, opt);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  if (!r) return std::nullopt;
  Imported out{*r, testing::compile_text(r->policy_text, "imported.cordon")};
  EXPECT_FALSE(out.compiled.diags.has_errors()) << out.compiled.rendered() << r->policy_text;
  EXPECT_EQ(out.compiled.diags.warning_count(), 0u) << out.compiled.rendered();
  EXPECT_TRUE(out.compiled.plan.has_value()) << out.compiled.compile_error << r->policy_text;
  if (!out.compiled.plan) return std::nullopt;
  return out;
}

// Imports `profile`, builds the reference, and compares on every architecture both cover.
Tally expect_same_decisions(const json& profile, ImportOptions opt, const RefOptions& ro,
                            const std::string& what, bool quiet = false) {
  Tally tally;
  if (opt.kernel.empty()) opt.kernel = fmt::format("{}.{}", ro.kernel, ro.major);
  auto imp = import_and_compile(profile, opt);
  if (!imp) return tally;
  Reference ref = reference_filter(profile, ro);
  std::vector<std::string> arches;
  for (uint32_t arch : ref.arches) {
    if (arch == SCMP_ARCH_X32) continue;  // cordon kills x32 calls: checked on its own below
    arches.push_back(policy::arch_name(arch));
    auto bad = compare(imp->compiled.plan->seccomp, ref, arch, tally);
    EXPECT_TRUE(bad.empty()) << what << " on " << policy::arch_name(arch) << ":\n"
                             << fmt::format("{}", fmt::join(bad, "\n")) << "\n"
                             << imp->result.policy_text;
  }
  if (!quiet)
    std::cout << "[ compared ] " << what << ": " << tally.pairs << " (syscall, arguments) pairs on "
              << tally.syscalls << " syscall numbers of "
              << fmt::format("{}", fmt::join(arches, " + ")) << "\n";
  return tally;
}

// The policy text with wrapped comments joined back into one line each, for searching.
std::string unwrapped(std::string t) {
  for (size_t at; (at = t.find("\n  #   ")) != std::string::npos;) t.replace(at, 7, " ");
  for (size_t at; (at = t.find("\n#     ")) != std::string::npos;) t.replace(at, 7, " ");
  return t;
}

std::optional<json> corpus(const std::string& file) {
  fs::path p = fs::path(CORDON_CORPUS_DIR) / "seccomp" / file;
  std::ifstream in(p);
  if (!in) return std::nullopt;
  return json::parse(in);
}

#define LOAD_CORPUS(var, file)                                                              \
  auto var = corpus(file);                                                                  \
  if (!var)                                                                                 \
    GTEST_SKIP() << "\n\n*** SKIPPED: the seccomp corpus is missing (" << CORDON_CORPUS_DIR \
                 << "/seccomp/" << file << "); this test proves nothing without it ***\n\n";

ImportOptions with_caps(std::vector<std::string> caps) {
  ImportOptions o;
  o.caps = std::move(caps);
  o.arch = "amd64";
  return o;
}

// ---- Equivalence on the corpus ---------------------------------------------------------------

TEST(ImportSeccomp, MobyDefaultDecidesLikeRuncWithDockersDefaultCapabilities) {
  LOAD_CORPUS(profile, "moby-default.json");
  ImportOptions opt;  // Docker's default capabilities, this machine's architecture
  opt.arch = "amd64";
  RefOptions ro{docker_caps()};
  Tally t = expect_same_decisions(*profile, opt, ro, "moby-default.json, default caps");
  EXPECT_GT(t.pairs, 50000u);
}

TEST(ImportSeccomp, MobyDefaultDecidesLikeRuncWithSysAdmin) {
  LOAD_CORPUS(profile, "moby-default.json");
  auto caps = docker_caps();
  caps.push_back("CAP_SYS_ADMIN");
  Tally t = expect_same_decisions(*profile, with_caps(caps), RefOptions{caps},
                                  "moby-default.json, default caps + CAP_SYS_ADMIN");
  EXPECT_GT(t.pairs, 50000u);
}

TEST(ImportSeccomp, MobyDefaultDecidesLikeRuncWithEveryCapabilityItNames) {
  LOAD_CORPUS(profile, "moby-default.json");
  std::vector<std::string> caps = docker_caps();
  for (const char* c :
       {"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_MODULE", "CAP_SYS_PACCT", "CAP_SYS_PTRACE",
        "CAP_SYS_RAWIO", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_SYS_NICE", "CAP_SYSLOG",
        "CAP_BPF", "CAP_PERFMON", "CAP_DAC_READ_SEARCH"})
    caps.push_back(c);
  expect_same_decisions(*profile, with_caps(caps), RefOptions{caps},
                        "moby-default.json, every capability it names");
}

TEST(ImportSeccomp, MobyDefaultOnAnOldKernelLeavesOutMinKernelEntries) {
  LOAD_CORPUS(profile, "moby-default.json");
  ImportOptions opt = with_caps(docker_caps());
  opt.kernel = "4.4.0-210-generic";
  RefOptions ro{docker_caps()};
  ro.kernel = 4;
  ro.major = 4;
  expect_same_decisions(*profile, opt, ro, "moby-default.json, kernel 4.4");
  auto r = import_seccomp(*profile, opt);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NE(unwrapped(r->policy_text)
                .find("# not imported: syscalls[1] process_vm_readv process_vm_writev "
                      "ptrace — needs kernel 4.8 or later (this import: 4.4)"),
            std::string::npos)
      << r->policy_text;
}

TEST(ImportSeccomp, MobyExampleIsRefusedLikeRuncThenDecidesLikeRunc) {
  LOAD_CORPUS(profile, "moby-example.json");
  // syslog's errnoRet 12345: libseccomp 2.5 refuses errno data from 4095 up, so runc cannot
  // load this profile; neither does the import.
  auto r = import_seccomp(*profile, with_caps(docker_caps()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "syscalls[3].errnoRet: 12345 is out of range: libseccomp 2.5.4 takes errno values "
            "0-4094 only, so runc and crun refuse this profile (the kernel itself would return at "
            "most 4095); give 0-4094");
  void* ctx = seccomp_init(SCMP_ACT_ALLOW);
  EXPECT_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(12345), SCMP_SYS(syslog), 0), -EINVAL);
  seccomp_release(ctx);
  // With the largest errno libseccomp takes, it imports and decides like runc.
  json fixed = *profile;
  fixed["syscalls"][3]["errnoRet"] = 4094;
  Tally t = expect_same_decisions(fixed, with_caps(docker_caps()), RefOptions{docker_caps()},
                                  "moby-example.json, errnoRet 4094");
  EXPECT_GT(t.pairs, 10000u);
  r = import_seccomp(fixed, with_caps(docker_caps()));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NE(r->policy_text.find("  errno 4094 syslog\n"), std::string::npos) << r->policy_text;
  EXPECT_NE(r->policy_text.find("  allow clone if (clone_flags & CLONE_NEWNS|CLONE_NEWCGROUP|"),
            std::string::npos)
      << r->policy_text;
}

TEST(ImportSeccomp, MobyConditionalIncludeDecidesLikeRunc) {
  LOAD_CORPUS(profile, "moby-conditional_include.json");
  expect_same_decisions(*profile, with_caps(docker_caps()), RefOptions{docker_caps()},
                        "moby-conditional_include.json, default caps");
  std::vector<std::string> caps = {"CAP_SYSLOG", "CAP_SYS_ADMIN"};
  expect_same_decisions(*profile, with_caps(caps), RefOptions{caps},
                        "moby-conditional_include.json, CAP_SYSLOG + CAP_SYS_ADMIN");
  auto r = import_seccomp(*profile, with_caps(docker_caps()));
  ASSERT_TRUE(r);
  EXPECT_NE(r->policy_text.find("  allow ptrace\n"), std::string::npos) << r->policy_text;
  EXPECT_NE(r->policy_text.find("# not imported: syscalls[1] syslog — needs CAP_SYSLOG, which "
                                "the container lacks"),
            std::string::npos);
  r = import_seccomp(*profile, with_caps(caps));
  ASSERT_TRUE(r);
  EXPECT_NE(r->policy_text.find("# not imported: syscalls[2] ptrace — not for a container with "
                                "CAP_SYS_ADMIN, which this one has"),
            std::string::npos)
      << r->policy_text;
}

// ---- What the import writes down ---------------------------------------------------------------

TEST(ImportSeccomp, ExcludedEntriesAndUnknownNamesAreListedWithTheirReason) {
  LOAD_CORPUS(profile, "moby-default.json");
  ImportOptions opt = with_caps(docker_caps());
  opt.kernel = "6.1";
  opt.source_name = "moby-default.json";
  auto r = import_seccomp(*profile, opt);
  ASSERT_TRUE(r) << r.error().message();
  const std::string t = unwrapped(r->policy_text);
  for (const char* s : {
           "# Imported by `cordon import` from moby-default.json",
           "#   kernel:       6.1, for minKernel",
           "#   architecture: amd64; the filter covers x86_64 x86 (from archMap)",
           "# not imported: syscalls[21] reboot — needs CAP_SYS_BOOT, which the container lacks",
           "# not imported: syscalls[10] sync_file_range2 swapcontext — only for ppc64le (this "
           "import: amd64)",
           "# not imported: syscalls[19] clone — only for s390, s390x (this import: amd64)",
           "unknown to libseccomp",
           "x32: cordon's filter kills every x32 call",
           "personality personality (unsigned int, 32 bits)",
           "socket family (int, 32 bits)",
           "  allow clone if (clone_flags & CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|"
           "CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET) == 0\n",
           "  errno ENOSYS clone3\n",
           "  allow personality if personality == 0xffffffff\n",
           "  allow @import-socket if family < AF_ALG\n",
           "  default errno EPERM\n",
           "arch x86\n",
       })
    EXPECT_NE(t.find(s), std::string::npos) << "missing: " << s << "\n" << t;
  // Every left-out entry is a note too.
  size_t excluded = std::count_if(r->notes.begin(), r->notes.end(), [](const std::string& n) {
    return n.starts_with("not imported: syscalls[");
  });
  EXPECT_EQ(excluded, 18u) << fmt::format("{}", fmt::join(r->notes, "\n"));
  // An excluded entry's syscalls appear in no rule.
  EXPECT_EQ(t.find("allow reboot"), std::string::npos);
  EXPECT_EQ(t.find("  allow clone\n"), std::string::npos);
}

TEST(ImportSeccomp, X32AndUncoveredArchitecturesAreKilledAsTheHeaderSays) {
  LOAD_CORPUS(profile, "moby-default.json");
  auto imp = import_and_compile(*profile, with_caps(docker_caps()));
  ASSERT_TRUE(imp);
  Reference ref = reference_filter(*profile, RefOptions{docker_caps()});
  const auto& prog = imp->compiled.plan->seccomp.program;
  // x32 read (0x40000000 | 0): the profile allows it, cordon's filter kills the process.
  int x32_read = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X32, "read");
  ASSERT_GE(x32_read, 0x40000000);
  EXPECT_EQ(run(ref.program, AUDIT_ARCH_X86_64, x32_read, {}), SCMP_ACT_ALLOW);
  EXPECT_EQ(run(prog, AUDIT_ARCH_X86_64, x32_read, {}), SCMP_ACT_KILL_PROCESS);
  // An architecture neither covers: runc's filter kills the thread, cordon's the process.
  EXPECT_EQ(run(ref.program, AUDIT_ARCH_AARCH64, 63, {}), SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(run(prog, AUDIT_ARCH_AARCH64, 63, {}), SCMP_ACT_KILL_PROCESS);
  EXPECT_NE(imp->result.policy_text.find("kills only the calling thread"), std::string::npos);
}

TEST(ImportSeccomp, NarrowArgumentsAreComparedOnTheKernelsWidth) {
  LOAD_CORPUS(profile, "moby-default.json");
  auto imp = import_and_compile(*profile, with_caps(docker_caps()));
  ASSERT_TRUE(imp);
  Reference ref = reference_filter(*profile, RefOptions{docker_caps()});
  const auto& prog = imp->compiled.plan->seccomp.program;
  int personality = *policy::syscall_number("personality", AUDIT_ARCH_X86_64);
  int socket = *policy::syscall_number("socket", AUDIT_ARCH_X86_64);
  // The kernel reads personality(unsigned int) and socket(int family) on 32 bits: with higher
  // bits set, runc's 64-bit comparisons decide on a number the kernel never sees.
  EXPECT_EQ(run(ref.program, AUDIT_ARCH_X86_64, personality, {~0ull}), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(run(prog, AUDIT_ARCH_X86_64, personality, {~0ull}), SCMP_ACT_ALLOW);
  // socket(0x100000028): AF_VSOCK for the kernel. runc's filter allows it (it is > 40).
  EXPECT_EQ(run(ref.program, AUDIT_ARCH_X86_64, socket, {0x100000028}), SCMP_ACT_ALLOW);
  EXPECT_EQ(run(prog, AUDIT_ARCH_X86_64, socket, {0x100000028}), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(run(prog, AUDIT_ARCH_X86_64, socket, {40}), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(run(prog, AUDIT_ARCH_X86_64, socket, {2}), SCMP_ACT_ALLOW);
}

// ---- Semantics a small profile pins down -----------------------------------------------------

json small_profile(json syscalls, std::string def = "SCMP_ACT_ERRNO") {
  return json{{"defaultAction", def}, {"syscalls", std::move(syscalls)}};
}

TEST(ImportSeccomp, OverlappingRulesFollowLibseccompNotTheFileOrder) {
  // libseccomp 2.5.4 decides write(7, …, 9) by its own tree order: the rule on the higher
  // argument wins, whichever entry comes first. cordon's first match is ordered to agree.
  json p = small_profile({
      {{"names", {"write"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args", {{{"index", 0}, {"value", 7}, {"op", "SCMP_CMP_EQ"}}}}},
      {{"names", {"write"}},
       {"action", "SCMP_ACT_ERRNO"},
       {"errnoRet", 5},
       {"args", {{{"index", 2}, {"value", 9}, {"op", "SCMP_CMP_EQ"}}}}},
      {{"names", {"read"}},
       {"action", "SCMP_ACT_TRAP"},
       {"args", {{{"index", 0}, {"value", 10}, {"op", "SCMP_CMP_LT"}}}}},
      {{"names", {"read"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args", {{{"index", 0}, {"value", 5}, {"op", "SCMP_CMP_EQ"}}}}},
  });
  expect_same_decisions(p, with_caps({}), RefOptions{}, "overlapping rules");
  auto imp = import_and_compile(p, with_caps({}));
  ASSERT_TRUE(imp);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "write", {7, 0, 9}), SCMP_ACT_ERRNO(5));
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "write", {7, 0, 0}), SCMP_ACT_ALLOW);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "read", {5}), SCMP_ACT_ALLOW);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "read", {4}), SCMP_ACT_TRAP);
  EXPECT_NE(imp->result.policy_text.find("libseccomp does not apply them in the profile's order"),
            std::string::npos)
      << imp->result.policy_text;
}

TEST(ImportSeccomp, UnconditionalRuleDecidesAloneAsInLibseccomp) {
  json p = small_profile({
      {{"names", {"getpid"}},
       {"action", "SCMP_ACT_ERRNO"},
       {"errnoRet", 13},
       {"args", {{{"index", 0}, {"value", 1}, {"op", "SCMP_CMP_EQ"}}}}},
      {{"names", {"getpid"}}, {"action", "SCMP_ACT_ALLOW"}},
      {{"names", {"getpid"}}, {"action", "SCMP_ACT_TRAP"}},
  });
  expect_same_decisions(p, with_caps({}), RefOptions{}, "unconditional rule");
  auto r = import_seccomp(p, with_caps({}));
  ASSERT_TRUE(r);
  EXPECT_NE(r->policy_text.find("  allow getpid\n"), std::string::npos) << r->policy_text;
  EXPECT_NE(r->policy_text.find("overridden by the unconditional rule of syscalls[1]"),
            std::string::npos)
      << r->policy_text;
}

TEST(ImportSeccomp, SameArgumentTwiceOrsTheWholeEntryLikeRunc) {
  // runc (and crun) add each comparison as its own rule when two test one argument: the entry
  // allows arg0 == 1 OR arg0 == 2 OR arg1 == 3.
  json p = small_profile({{{"names", {"kill"}},
                           {"action", "SCMP_ACT_ALLOW"},
                           {"args",
                            {{{"index", 0}, {"value", 1}, {"op", "SCMP_CMP_EQ"}},
                             {{"index", 0}, {"value", 2}, {"op", "SCMP_CMP_EQ"}},
                             {{"index", 1}, {"value", 3}, {"op", "SCMP_CMP_EQ"}}}}}});
  expect_same_decisions(p, with_caps({}), RefOptions{}, "same argument twice");
  auto imp = import_and_compile(p, with_caps({}));
  ASSERT_TRUE(imp);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "kill", {0, 3}), SCMP_ACT_ALLOW);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "kill", {2, 0}), SCMP_ACT_ALLOW);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "kill", {0, 0}), SCMP_ACT_ERRNO(EPERM));
}

TEST(ImportSeccomp, ValuesOutsideTheWidthAndMaskedDataFollowLibseccomp) {
  json p = small_profile({
      // close(unsigned int fd): 0x100000003 can never be what the kernel reads.
      {{"names", {"close"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args", {{{"index", 0}, {"value", 0x100000003}, {"op", "SCMP_CMP_EQ"}}}}},
      // fd < 2^33 holds for every fd the kernel reads: this allows every dup.
      {{"names", {"dup"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args", {{{"index", 0}, {"value", 0x200000000}, {"op", "SCMP_CMP_LT"}}}}},
      // libseccomp masks the datum too: (x & 0xf) == (0x13 & 0xf).
      {{"names", {"umask"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args",
        {{{"index", 0}, {"value", 0xf}, {"valueTwo", 0x13}, {"op", "SCMP_CMP_MASKED_EQ"}}}}},
      {{"names", {"lseek"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args", {{{"index", 1}, {"value", 0x100000000}, {"op", "SCMP_CMP_GE"}}}}},
  });
  expect_same_decisions(p, with_caps({}), RefOptions{}, "widths and masks");
  auto imp = import_and_compile(p, with_caps({}));
  ASSERT_TRUE(imp);
  const std::string t = unwrapped(imp->result.policy_text);
  EXPECT_NE(t.find("can never hold on the 32 bits of arg0 the kernel reads"), std::string::npos)
      << t;
  EXPECT_NE(t.find("  allow dup\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  allow umask if (mask & 0xf) == 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  allow lseek if offset >= 0x100000000\n"), std::string::npos) << t;
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "umask", {0x23}), SCMP_ACT_ALLOW);
}

TEST(ImportSeccomp, DenyListWithLogFlagAndAllowDefault) {
  json p = small_profile(
      {
          {{"names", {"ptrace", "process_vm_readv"}}, {"action", "SCMP_ACT_KILL_PROCESS"}},
          {{"names", {"mount"}}, {"action", "SCMP_ACT_LOG"}},
          {{"names", {"getpid"}}, {"action", "SCMP_ACT_ALLOW"}},  // the default: skipped
      },
      "SCMP_ACT_ALLOW");
  p["flags"] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  expect_same_decisions(p, with_caps({}), RefOptions{}, "deny list");
  auto imp = import_and_compile(p, with_caps({}));
  ASSERT_TRUE(imp);
  const std::string& t = imp->result.policy_text;
  EXPECT_NE(t.find("  default allow\n"), std::string::npos) << t;
  // The filter flag goes on the first non-allow rule: cordon sets it for the whole filter.
  EXPECT_NE(t.find("  kill log ptrace, process_vm_readv\n"), std::string::npos) << t;
  EXPECT_TRUE(imp->compiled.plan->seccomp.log);
  EXPECT_NE(t.find("SECCOMP_FILTER_FLAG_SPEC_ALLOW: not carried over"), std::string::npos);
  EXPECT_NE(t.find("its action (SCMP_ACT_ALLOW) is the default action"), std::string::npos);
}

TEST(ImportSeccomp, ConfigJsonIsReadFromLinuxSeccomp) {
  json config = {{"ociVersion", "1.0.2"},
                 {"process", {{"args", {"sh"}}}},
                 {"linux",
                  {{"seccomp",
                    {{"defaultAction", "SCMP_ACT_KILL"},
                     {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}},
                     {"syscalls",
                      {{{"names", {"read", "write", "exit_group", "stime"}},
                        {"action", "SCMP_ACT_ALLOW"}}}}}}}}};
  RefOptions ro;
  Tally t = expect_same_decisions(config["linux"]["seccomp"], with_caps({}), ro, "config.json");
  EXPECT_GT(t.pairs, 0u);
  auto r = import_seccomp(config, with_caps({}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NE(r->policy_text.find("  default kill-thread\n"), std::string::npos);
  // stime has no number on x86_64: it goes through a group, which cordon skips there.
  EXPECT_NE(r->policy_text.find("group @import-syscalls-0 {\n  stime\n}"), std::string::npos)
      << r->policy_text;
  auto bad = import_seccomp(json{{"ociVersion", "1.0.2"}, {"linux", json::object()}}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "linux.seccomp: missing: this OCI config.json has no seccomp profile");
  json wrong = config;
  wrong["linux"]["seccomp"]["syscalls"][0]["args"] = {{{"index", 0}, {"op", "SCMP_CMP_FOO"}}};
  bad = import_seccomp(wrong, {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find(
                "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\""),
            std::string::npos)
      << bad.error().message();
}

// ---- Errors ---------------------------------------------------------------------------------

std::string import_error(const json& p, ImportOptions opt = {}) {
  auto r = import_seccomp(p, opt);
  EXPECT_FALSE(r.has_value()) << p.dump() << "\n" << (r ? r->policy_text : "");
  return r ? "" : r.error().message();
}

TEST(ImportSeccomp, ErrorsNameTheJsonLocation) {
  json rule = {{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}};
  auto with = [&](const char* key, json v) {
    json r = rule;
    r[key] = std::move(v);
    return small_profile({rule, r});
  };
  EXPECT_EQ(import_error(with("args", {{{"index", 0}, {"value", 1}, {"op", "SCMP_CMP_FOO"}}})),
            "syscalls[1].args[0].op: unknown operator \"SCMP_CMP_FOO\" (expected SCMP_CMP_NE, "
            "_LT, _LE, _EQ, _GE, _GT or _MASKED_EQ)");
  EXPECT_EQ(import_error(with("args", {{{"index", 6}, {"value", 1}, {"op", "SCMP_CMP_EQ"}}})),
            "syscalls[1].args[0].index: 6 is out of range: a system call has arguments 0-5");
  EXPECT_EQ(import_error(with("args", {{{"index", 0}, {"value", -1}, {"op", "SCMP_CMP_EQ"}}})),
            "syscalls[1].args[0].value: -1 is negative; expected an integer from 0 to 2^64-1");
  EXPECT_EQ(import_error(with("args", {{{"index", 0}, {"value", 1e30}, {"op", "SCMP_CMP_EQ"}}})),
            "syscalls[1].args[0].value: expected an integer from 0 to 2^64-1, found the number "
            "1e+30");
  EXPECT_EQ(import_error(with("args", {{{"value", "7"}, {"op", "SCMP_CMP_EQ"}}})),
            "syscalls[1].args[0].value: expected an integer from 0 to 2^64-1, found the string "
            "\"7\"");
  EXPECT_EQ(import_error(with("args", {{{"value", 7}}})),
            "syscalls[1].args[0].op: missing (SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, ...)");
  EXPECT_EQ(import_error(with("args", json::object())),
            "syscalls[1].args: expected an array, found an object");
  EXPECT_EQ(import_error(with("action", "SCMP_ACT_TRACE")),
            "syscalls[1].action: SCMP_ACT_TRACE cannot be expressed in cordon: it hands the call "
            "to a ptrace tracer, and cordon runs none. Without a tracer the kernel fails a traced "
            "call with ENOSYS; import with the trace-as-enosys option to get exactly that (errno "
            "ENOSYS)");
  EXPECT_EQ(import_error(with("action", "SCMP_ACT_FOO")),
            "syscalls[1].action: unknown action \"SCMP_ACT_FOO\" (expected SCMP_ACT_ALLOW, "
            "_ERRNO, _KILL, _KILL_PROCESS, _KILL_THREAD, _TRAP, _LOG, _NOTIFY or _TRACE)");
  EXPECT_EQ(import_error(with("action", 3)),
            "syscalls[1].action: expected a string, found the number 3");
  EXPECT_EQ(import_error(with("names", {"read", 5})),
            "syscalls[1].names[1]: expected a string, found the number 5");
  EXPECT_EQ(import_error(with("name", "write")),
            "syscalls[1]: both 'name' and 'names' are given; use one (Docker refuses this "
            "profile too)");
  json errno_rule = rule;
  errno_rule["action"] = "SCMP_ACT_ERRNO";
  errno_rule["errnoRet"] = 40000;
  EXPECT_EQ(import_error(small_profile({errno_rule})),
            "syscalls[0].errnoRet: 40000 is out of range: libseccomp 2.5.4 takes errno values "
            "0-4094 only, so runc and crun refuse this profile (the kernel itself would return at "
            "most 4095); give 0-4094");
  json def_errno = small_profile({rule});
  def_errno["defaultErrnoRet"] = 4095;
  EXPECT_TRUE(import_error(def_errno).starts_with("defaultErrnoRet: 4095 is out of range: "));
  EXPECT_EQ(import_error(with("includes", {{"minKernel", "4.8.1"}})),
            "syscalls[1].includes.minKernel: invalid kernel version \"4.8.1\", expected "
            "\"<kernel>.<major>\"");
  EXPECT_EQ(import_error(json::array()), "the profile must be a JSON object, found an array");
  EXPECT_EQ(import_error(json{{"syscalls", {rule}}}), "defaultAction: missing");
  EXPECT_EQ(import_error(json::object()),
            "defaultAction: missing, and there are no syscalls: Docker reads such a profile as "
            "\"seccomp disabled\"; there is nothing to import");
  json both = small_profile({rule});
  both["architectures"] = {"SCMP_ARCH_X86"};
  both["archMap"] = json::array({{{"architecture", "SCMP_ARCH_X86_64"}}});
  EXPECT_EQ(import_error(both),
            "architectures and archMap are both given; use one (Docker refuses this profile "
            "too)");
  json arch = small_profile({rule});
  arch["architectures"] = {"SCMP_ARCH_FOO"};
  EXPECT_EQ(import_error(arch), "architectures[0]: unknown architecture \"SCMP_ARCH_FOO\"");
  json flag = small_profile({rule});
  flag["flags"] = {"SECCOMP_FILTER_FLAG_FOO"};
  EXPECT_EQ(import_error(flag),
            "flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\" (runc refuses it too)");
  ImportOptions bad_cap;
  bad_cap.caps = std::vector<std::string>{"CAP_FLY"};
  EXPECT_EQ(import_error(small_profile({rule}), bad_cap), "unknown capability \"CAP_FLY\"");
  ImportOptions bad_kernel;
  bad_kernel.kernel = "latest";
  EXPECT_EQ(import_error(small_profile({rule}), bad_kernel),
            "kernel version \"latest\": expected \"<kernel>.<major>\" like 6.1");
}

TEST(ImportSeccomp, ProfilesRuncRefusesAreRefused) {
  // libseccomp refuses a rule that extends an earlier one with another action (EEXIST), and
  // runc then refuses to start the container.
  json p = small_profile({
      {{"names", {"read"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args",
        {{{"index", 0}, {"value", 7}, {"op", "SCMP_CMP_EQ"}},
         {{"index", 1}, {"value", 9}, {"op", "SCMP_CMP_EQ"}}}}},
      {{"names", {"read"}},
       {"action", "SCMP_ACT_ERRNO"},
       {"errnoRet", 5},
       {"args", {{{"index", 0}, {"value", 7}, {"op", "SCMP_CMP_EQ"}}}}},
  });
  std::string e = import_error(p);
  EXPECT_NE(e.find("syscalls[1] (read): libseccomp refuses this rule (EEXIST"), std::string::npos)
      << e;
  EXPECT_NE(e.find("so runc and crun refuse the profile too"), std::string::npos) << e;
}

TEST(ImportSeccomp, TraceCanBeImportedAsEnosys) {
  json p = small_profile({{{"names", {"ptrace"}}, {"action", "SCMP_ACT_TRACE"}},
                          {{"names", {"read", "exit_group"}}, {"action", "SCMP_ACT_ALLOW"}}},
                         "SCMP_ACT_KILL_PROCESS");
  ImportOptions opt = with_caps({});
  opt.trace_as_enosys = true;
  auto imp = import_and_compile(p, opt);
  ASSERT_TRUE(imp);
  EXPECT_NE(imp->result.policy_text.find("  errno ENOSYS ptrace\n"), std::string::npos)
      << imp->result.policy_text;
  EXPECT_NE(imp->result.policy_text.find("SCMP_ACT_TRACE imported as errno ENOSYS"),
            std::string::npos);
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "ptrace"), SCMP_ACT_ERRNO(ENOSYS));
  EXPECT_EQ(testing::verdict(*imp->compiled.plan, "getpid"), SCMP_ACT_KILL_PROCESS);
}

TEST(ImportSeccomp, FileErrorsNameTheFile) {
  fs::path dir = fs::temp_directory_path() / fmt::format("cordon-import-{}", getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "broken.json") << "{\"defaultAction\": \"SCMP_ACT_ERRNO\",";
  auto r = import_seccomp_file((dir / "broken.json").string(), {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("broken.json: not valid JSON: "), std::string::npos)
      << r.error().message();
  std::ofstream(dir / "ok.json") << R"({"defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]})";
  auto ok = import_seccomp_file((dir / "ok.json").string(), {});
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_NE(ok->policy_text.find("from ok.json"), std::string::npos);
  r = import_seccomp_file((dir / "absent.json").string(), {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("ENOENT"), std::string::npos);
  fs::remove_all(dir);
}

// ---- Robustness and a property ----------------------------------------------------------------

// Random values of every JSON type in every place: the import returns a result or an error,
// and a result is always a policy cordon compiles.
TEST(ImportSeccomp, HostileProfilesNeverCrashAndResultsAlwaysCompile) {
  std::mt19937_64 rng(1123);
  auto random_value = [&](int depth) -> json {
    switch (rng() % 9) {
      case 0:
        return nullptr;
      case 1:
        return static_cast<int64_t>(rng());
      case 2:
        return rng();
      case 3:
        return 1e300;
      case 4:
        return std::string("SCMP_\n\x01\xff") + std::to_string(rng() % 3);
      case 5:
        return depth > 0 ? json::array({1, "x"}) : json::array();
      case 6:
        return json::object({{"index", rng() % 8}});
      case 7:
        return true;
      default:
        return "SCMP_CMP_EQ";
    }
  };
  json base = small_profile({
      {{"names", {"read", "write"}},
       {"action", "SCMP_ACT_ALLOW"},
       {"args", {{{"index", 0}, {"value", 3}, {"op", "SCMP_CMP_GT"}}}}},
      {{"names", {"close"}},
       {"action", "SCMP_ACT_ERRNO"},
       {"errnoRet", 9},
       {"includes", {{"caps", {"CAP_KILL"}}, {"minKernel", "4.1"}}}},
  });
  base["archMap"] = json::array(
      {{{"architecture", "SCMP_ARCH_X86_64"}, {"subArchitectures", {"SCMP_ARCH_X86"}}}});
  std::vector<std::vector<std::string>> paths = {{"defaultAction"},
                                                 {"defaultErrnoRet"},
                                                 {"archMap"},
                                                 {"flags"},
                                                 {"syscalls"},
                                                 {"syscalls", "0"},
                                                 {"syscalls", "0", "names"},
                                                 {"syscalls", "0", "names", "1"},
                                                 {"syscalls", "0", "action"},
                                                 {"syscalls", "0", "args"},
                                                 {"syscalls", "0", "args", "0"},
                                                 {"syscalls", "0", "args", "0", "index"},
                                                 {"syscalls", "0", "args", "0", "value"},
                                                 {"syscalls", "0", "args", "0", "op"},
                                                 {"syscalls", "1", "errnoRet"},
                                                 {"syscalls", "1", "includes"},
                                                 {"syscalls", "1", "includes", "caps"},
                                                 {"syscalls", "1", "includes", "minKernel"},
                                                 {"archMap", "0", "subArchitectures"}};
  int ok = 0, refused = 0;
  for (int iter = 0; iter < 400; ++iter) {
    json p = base;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4 == 0); ++k) {
      const auto& path = paths[rng() % paths.size()];
      json* at = &p;
      auto index = [](const std::string& k) {
        return std::isdigit(static_cast<unsigned char>(k[0])) ? std::stoul(k) : ~0ul;
      };
      for (size_t i = 0; i + 1 < path.size() && at; ++i) {
        if (at->is_object() && at->contains(path[i]))
          at = &(*at)[path[i]];
        else if (at->is_array() && index(path[i]) < at->size())
          at = &(*at)[index(path[i])];
        else
          at = nullptr;
      }
      if (!at) continue;
      const std::string& last = path.back();
      if (at->is_object())
        (*at)[last] = random_value(1);
      else if (at->is_array() && index(last) < at->size())
        (*at)[index(last)] = random_value(1);
    }
    auto r = import_seccomp(p, with_caps(docker_caps()));
    if (!r) {
      ++refused;
      EXPECT_FALSE(r.error().message().empty());
      continue;
    }
    ++ok;
    auto c = testing::compile_text(r->policy_text);
    EXPECT_FALSE(c.diags.has_errors()) << p.dump() << "\n" << c.rendered() << r->policy_text;
    EXPECT_TRUE(c.plan.has_value()) << c.compile_error;
  }
  std::cout << "[ hostile  ] " << ok << " imported, " << refused << " refused\n";
  EXPECT_GT(ok, 25);
  EXPECT_GT(refused, 40);
}

// Random small profiles over a few syscalls, every operator, overlapping actions: whatever the
// import writes decides like runc's filter, or the import refuses and says why.
TEST(ImportSeccomp, RandomProfilesDecideLikeRuncOrAreRefused) {
  std::mt19937_64 rng(20251123);
  static const char* kOps[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                               "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  static const char* kNames[] = {"pread64", "kill", "socket", "mmap"};
  static const char* kActs[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP",
                                "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG"};
  static const uint64_t kValues[] = {0, 1, 2, 3, 7, 0xff, 0xffffffff, 0x100000000, ~0ull};
  int compared = 0, refused = 0;
  size_t pairs = 0;
  for (int iter = 0; iter < 60; ++iter) {
    json calls = json::array();
    int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      json call = {{"names", {kNames[rng() % 4]}}, {"action", kActs[rng() % 5]}};
      if (call["action"] == "SCMP_ACT_ERRNO") call["errnoRet"] = 1 + rng() % 40;
      json args = json::array();
      int nargs = static_cast<int>(rng() % 3);
      for (int a = 0; a < nargs; ++a)
        args.push_back({{"index", rng() % 3},
                        {"op", kOps[rng() % 7]},
                        {"value", kValues[rng() % 9]},
                        {"valueTwo", kValues[rng() % 9]}});
      if (!args.empty()) call["args"] = args;
      calls.push_back(call);
    }
    json p = small_profile(calls, rng() % 3 ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
    if (rng() % 2) p["architectures"] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
    auto r = import_seccomp(p, with_caps({}));
    if (!r) {
      ++refused;
      const std::string& m = r.error().message();
      EXPECT_TRUE(m.find("syscalls[") != std::string::npos ||
                  m.find("no cordon rules can decide like") != std::string::npos ||
                  m.find("cordon cannot compile") != std::string::npos ||
                  m.find("libseccomp did not finish") != std::string::npos)
          << m;
      continue;
    }
    ++compared;
    Tally t = expect_same_decisions(p, with_caps({}), RefOptions{},
                                    fmt::format("random profile {}", iter), /*quiet=*/true);
    pairs += t.pairs;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << p.dump(2);
      break;
    }
  }
  std::cout << "[ random   ] " << compared << " profiles compared (" << pairs << " pairs), "
            << refused << " refused\n";
  EXPECT_GT(compared, 30);
}

}  // namespace
}  // namespace cordon::cli
