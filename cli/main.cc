// The `cordon` command: thin glue over the policy, compiler and launcher libraries.
//
// Exit codes: 0 ok, 1 policy errors (or a denial, for explain --exit-code), 2 usage errors.
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/audit.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/audit_cmd.h"
#include "cli/emit_apparmor.h"
#include "cli/emit_oci.h"
#include "cli/emit_selinux.h"
#include "cli/emit_systemd.h"
#include "cli/fidelity.h"
#include "cli/import_seccomp.h"
#include "cli/plan_cache.h"
#include "cli/score.h"
#include "compiler/bpf.h"
#include "compiler/compile.h"
#include "compiler/seccomp.h"
#include "launcher/registry.h"
#include "launcher/run.h"
#include "policy/checker.h"
#include "policy/constants.h"
#include "policy/parser.h"
#include "policy/profiles.h"
#include "policy/syscall_names.h"

namespace fs = std::filesystem;
using namespace cordon;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitPolicy = 1;
constexpr int kExitUsage = 2;

bool use_color() { return isatty(STDERR_FILENO) && !getenv("NO_COLOR"); }

// FILE, or the name of a shipped profile ("curl", "service", "lib/cli"): policy/profiles.h.
// An unknown name is said here (with the closest shipped name) and gives nullopt.
std::optional<std::string> resolve_policy(const std::string& arg) {
  auto r = policy::resolve_policy_arg(arg);
  if (!r) {
    std::cerr << fmt::format("cordon: {}\n", r.error().message());
    return std::nullopt;
  }
  return *r;
}

policy::CheckOptions make_options(const std::vector<std::string>& sets) {
  policy::CheckOptions o;
  o.vars = policy::caller_vars();
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CLI::ValidationError("--set", fmt::format("'{}' is not NAME=VALUE", s));
    o.vars[s.substr(0, eq)] = s.substr(eq + 1);
  }
  o.search_path = policy::default_search_path();
  return o;
}

void print_diags(const policy::Diagnostics& d, bool verbose) {
  std::string text = d.render(verbose);
  if (use_color()) {
    for (auto [word, color] : {std::pair{": error:", "\033[1;31m"},
                               {": warning:", "\033[1;35m"},
                               {": note:", "\033[1;36m"}}) {
      size_t pos = 0;
      while ((pos = text.find(word, pos)) != std::string::npos) {
        std::string colored = fmt::format(
            ": {}{}\033[0m:", color, std::string(word).substr(2, std::string(word).size() - 3));
        text.replace(pos, std::string(word).size(), colored);
        pos += colored.size();
      }
    }
  }
  std::cerr << text;
}

// `apparmor generate`: the profile cordon run loads, made from the whole Plan; its name carries
// the hash of its rules (cli/emit_apparmor.h).
void attach_generated_apparmor(launcher::Plan& plan, const std::string& path) {
  if (plan.mac.apparmor != "generate") return;
  cli::AppArmorOptions ao;
  ao.profile_name = cli::generated_apparmor_name(plan, path);
  cli::AppArmorProfile prof = cli::generate_apparmor(plan, path, ao);
  plan.mac.generated_name = prof.name;
  plan.mac.generated_profile = std::move(prof.text);
}

// Exit status of `check --fidelity` when cordon run would refuse to start here.
constexpr int kExitWouldRefuse = 3;

int cmd_check(const std::vector<std::string>& files, bool verbose,
              const std::vector<std::string>& sets, bool fidelity, bool json) {
  auto opts = make_options(sets);
  int rc = kExitOk;
  for (const auto& arg : files) {
    auto resolved = resolve_policy(arg);
    if (!resolved) {
      rc = kExitUsage;
      continue;
    }
    const std::string& path = *resolved;
    policy::Diagnostics diags;
    policy::PolicyIR ir;
    auto plan = compiler::compile_file(path, opts, diags, &ir);
    print_diags(diags, verbose);
    if (!plan) {
      if (!diags.has_errors())
        std::cerr << fmt::format("{}: error: {}\n", path, plan.error().message());
      std::cerr << fmt::format("{}: {} error(s), {} warning(s)\n", path,
                               std::max<size_t>(diags.error_count(), 1), diags.warning_count());
      rc = kExitPolicy;
      continue;
    }
    if (fidelity) {
      attach_generated_apparmor(*plan, path);
      auto host = cli::probe_host();
      auto trial = cli::trial_launch(*plan);
      auto rows = cli::fidelity_rows(*plan, host, trial);
      if (json)
        std::cout << cli::fidelity_json(path, rows, host, trial).dump() << "\n";
      else
        std::cout << cli::render_fidelity(path, rows, host, trial);
      if (trial.refusal && rc == kExitOk) rc = kExitWouldRefuse;
      continue;
    }
    size_t with_rules = 0;
    for (const auto& [n, r] : ir.syscalls) with_rules += !r.empty();
    std::cout << fmt::format(
        "{}: ok — {} syscalls decided by rules, default {}, {} instructions of "
        "BPF, {} warning(s)\n",
        path, with_rules, plan->seccomp.default_action, plan->seccomp.program.size(),
        diags.warning_count());
  }
  return rc;
}

std::string annotate_nr(const launcher::Plan& plan, size_t index, const sock_filter& ins) {
  // Name syscall numbers in `jeq #N` comparisons whose accumulator was last loaded from [nr]
  // (offset 0 of seccomp_data). Jumps only go forward, so the nearest earlier load is a good
  // guide for libseccomp's output; this is a reading aid, not a decoder.
  const auto& prog = plan.seccomp.program;
  size_t i = index;
  while (i > 0 && BPF_CLASS(prog[i - 1].code) != BPF_LD) --i;
  bool from_nr = i > 0 && prog[i - 1].code == (BPF_LD | BPF_W | BPF_ABS) && prog[i - 1].k == 0;
  if (from_nr && BPF_CLASS(ins.code) == BPF_JMP && BPF_OP(ins.code) == BPF_JEQ &&
      BPF_SRC(ins.code) == BPF_K) {
    for (const auto& r : plan.seccomp.rules)
      if (static_cast<uint32_t>(r.nr) == ins.k && r.arch == plan.seccomp.arches.front())
        return r.syscall;
  }
  return {};
}

// Compiles a policy for a command, printing its diagnostics; nullopt after a policy error.
std::optional<launcher::Plan> compile_reporting(const std::string& path,
                                                const policy::CheckOptions& opts,
                                                policy::PolicyIR* ir = nullptr) {
  policy::Diagnostics diags;
  auto plan = compiler::compile_file(path, opts, diags, ir);
  print_diags(diags, false);
  if (!plan) {
    if (!diags.has_errors())
      std::cerr << fmt::format("{}: error: {}\n", path, plan.error().message());
    return std::nullopt;
  }
  return std::move(*plan);
}

// Writes `bytes` to stdout (OUT empty or "-") or to OUT. A regular file (or a new one) is
// replaced atomically, so a failed write never leaves half an output behind. Anything else that
// exists — /dev/null, a FIFO, a terminal — is written in place: renaming over it would replace
// a device node with a file.
int write_output(const std::string& out, const std::string& bytes) {
  if (out.empty() || out == "-") {
    std::cout << bytes;
    return kExitOk;
  }
  std::error_code ec;
  auto st = fs::status(out, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    std::ofstream f(out, std::ios::binary);
    f << bytes;
    f.flush();
    if (!f) {
      std::cerr << fmt::format("cordon: write {}: {}\n", out, strerror(errno));
      return kExitUsage;
    }
    return kExitOk;
  }
  std::string tmp = (fs::path(out).parent_path() / ".cordon-XXXXXX").string();
  if (fs::path(out).parent_path().empty()) tmp = ".cordon-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) {
    std::cerr << fmt::format("cordon: write {}: {}\n", out, strerror(errno));
    return kExitUsage;
  }
  bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ok = fchmod(fd, 0644) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp.c_str(), out.c_str()) != 0) {
    std::cerr << fmt::format("cordon: write {}: {}\n", out, strerror(errno));
    unlink(tmp.c_str());
    return kExitUsage;
  }
  return kExitOk;
}

int cmd_compile(const std::string& file, const std::string& emit, const std::string& out,
                const std::vector<std::string>& sets) {
  auto opts = make_options(sets);
  auto resolved = resolve_policy(file);
  if (!resolved) return kExitUsage;
  const std::string& path = *resolved;
  policy::PolicyIR ir;
  auto plan = compile_reporting(path, opts, &ir);
  if (!plan) return kExitPolicy;
  std::string bytes;
  if (emit == "oci" || emit == "oci-seccomp" || emit == "k8s") {
    // The rules the filter was built from, for the runtime's libseccomp to build it again.
    auto lowered = compiler::lower_seccomp(ir);
    if (!lowered) {
      std::cerr << fmt::format("{}: error: {}\n", path, lowered.error().message());
      return kExitPolicy;
    }
    if (emit == "oci")
      bytes = cli::emit_oci(*plan, *lowered, path);
    else if (emit == "oci-seccomp")
      bytes = cli::emit_oci_seccomp(*plan, *lowered);
    else
      bytes = cli::emit_k8s(*plan, *lowered, path);
  } else if (emit == "apparmor") {
    bytes = cli::emit_apparmor(*plan, path);
  } else if (emit == "selinux-cil") {
    bytes = cli::emit_selinux_cil(*plan, path);
  } else if (emit == "plan") {
    bytes = launcher::plan_to_json(*plan).dump(2) + "\n";
  } else if (emit == "systemd") {
    bytes = cli::emit_systemd(*plan, path);
  } else if (emit == "bpf") {
    bytes.assign(reinterpret_cast<const char*>(plan->seccomp.program.data()),
                 plan->seccomp.program.size() * sizeof(sock_filter));
    if (out.empty() && isatty(STDOUT_FILENO)) {
      std::cerr << "cordon: refusing to write binary BPF to a terminal; use -o FILE or a pipe\n";
      return kExitUsage;
    }
  } else {
    bytes = fmt::format("# {} — {} instructions, default {}, arches {}\n", path,
                        plan->seccomp.program.size(), plan->seccomp.default_action,
                        fmt::join(plan->seccomp.arches, " "));
    bytes += compiler::disassemble(plan->seccomp.program, [&](size_t i, const sock_filter& ins) {
      return annotate_nr(*plan, i, ins);
    });
  }
  return write_output(out, bytes);
}

// cordon import: an OCI or Docker seccomp profile as a policy. The policy is compiled before
// it is written, and an existing file is replaced only with --force (it may hold edits).
int cmd_import(const std::string& file, cli::ImportOptions opt, const std::string& out,
               bool force) {
  auto r = cli::import_seccomp_file(file, std::move(opt));
  if (!r) {
    std::cerr << fmt::format("cordon import: {}\n", r.error().message());
    return kExitPolicy;
  }
  std::error_code ec;
  if (!force && !out.empty() && out != "-" && fs::is_regular_file(out, ec)) {
    std::cerr << fmt::format(
        "cordon import: {} exists; give --force to replace it, or another -o\n", out);
    return kExitUsage;
  }
  // The imported text must be a policy cordon compiles; anything else is our bug, not the
  // user's, and is never written.
  policy::Diagnostics diags;
  auto opts = make_options({});
  auto ir = policy::check_policy_text(out.empty() || out == "-" ? "imported.cordon" : out,
                                      r->policy_text, opts, diags);
  if (diags.has_errors() || !compiler::compile_plan(ir, opts)) {
    print_diags(diags, false);
    std::cerr << "cordon import: internal error: the generated policy does not compile\n";
    return kExitPolicy;
  }
  if (int rc = write_output(out, r->policy_text); rc != kExitOk) return rc;
  if (!r->notes.empty())
    std::cerr << fmt::format("cordon import: {} note(s), also in the policy's header:\n  {}\n",
                             r->notes.size(), fmt::join(r->notes, "\n  "));
  return kExitOk;
}

std::optional<uint64_t> parse_arg(const std::string& s) {
  if (auto n = policy::parse_integer(s)) return n;
  uint64_t v = 0;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, '|')) {
    auto c = policy::find_constant(part);
    if (!c) return std::nullopt;
    v |= *c;
  }
  return v;
}

int cmd_explain(const std::string& file, const std::string& syscall,
                const std::vector<std::string>& args, const std::string& arch_name,
                const std::vector<std::string>& sets) {
  auto opts = make_options(sets);
  auto resolved = resolve_policy(file);
  if (!resolved) return kExitUsage;
  const std::string& path = *resolved;
  policy::PolicyIR ir;
  auto plan = compile_reporting(path, opts, &ir);
  if (!plan) return kExitPolicy;
  auto arch = policy::arch_from_name(arch_name);
  if (!arch) {
    std::cerr << fmt::format("cordon: unknown architecture '{}'\n", arch_name);
    return kExitUsage;
  }
  auto nr = policy::syscall_number(syscall, *arch);
  if (!nr) {
    std::cerr << fmt::format("cordon: unknown syscall '{}' on {}{}\n", syscall, arch_name,
                             policy::did_you_mean(syscall, [&] {
                               std::vector<std::string_view> v;
                               for (const auto& n : policy::syscall_names(*arch)) v.push_back(n);
                               return v;
                             }()));
    return kExitUsage;
  }
  if (args.size() > 6) {
    std::cerr << "cordon: a syscall has at most 6 arguments\n";
    return kExitUsage;
  }
  compiler::SeccompData d;
  d.nr = *nr;
  d.arch = *arch;
  std::array<uint64_t, 6> a{};
  for (size_t i = 0; i < args.size(); ++i) {
    auto v = parse_arg(args[i]);
    if (!v) {
      std::cerr << fmt::format("cordon: argument {} '{}' is not a number or a known constant\n", i,
                               args[i]);
      return kExitUsage;
    }
    a[i] = d.args[i] = *v;
  }
  auto ret = compiler::run_program(plan->seccomp.program, d);
  if (!ret) {
    std::cerr << fmt::format("cordon: evaluating the filter: {}\n", ret.error().message());
    return kExitPolicy;
  }
  const policy::SyscallRuleIR* rule = compiler::decide(ir, syscall, a);
  bool arch_allowed = std::find(plan->seccomp.arches.begin(), plan->seccomp.arches.end(),
                                policy::arch_name(*arch)) != plan->seccomp.arches.end();
  std::cout << fmt::format("{}({}) on {} (#{})\n", syscall, fmt::join(args, ", "),
                           policy::arch_name(*arch), *nr);
  std::cout << fmt::format("  filter result: {}\n", compiler::describe_action(*ret));
  if (!arch_allowed) {
    std::cout << "  decided by: the architecture check — the policy does not name this "
                 "architecture, so every call from it is killed\n";
    return kExitOk;
  }
  const launcher::ExecMediation& mediation = plan->seccomp.exec_mediation;
  const bool mediated = mediation.on && syscall == "execveat";
  uint32_t want = mediated ? SCMP_ACT_NOTIFY
                           : compiler::seccomp_ret(rule ? rule->action : ir.default_action.value);
  if (want != *ret) {
    std::cerr << "cordon: internal error: the filter and the policy disagree; please report\n";
    return kExitPolicy;
  }
  if (rule) {
    std::cout << fmt::format("  decided by: {}  {} {}{}\n", rule->loc.str(), rule->action.str(),
                             rule->via_group.empty() ? syscall : rule->via_group,
                             rule->condition_text.empty() ? "" : " if " + rule->condition_text);
  } else {
    std::string where = ir.default_action.loc.str();
    if (where.empty()) where = "(built-in; the policy sets no 'default')";
    std::cout << fmt::format("  decided by: {}  default {} (no rule names {})\n", where,
                             ir.default_action.value.str(), syscall);
  }
  if (mediated)
    std::cout << fmt::format(
        "  answered by: cordon's supervisor (seccomp user notification): the first execveat, "
        "cordon's own exec of the app, continues; every later one gets {}\n",
        mediation.action);
  return kExitOk;
}

int cmd_profiles() {
  std::string root = policy::profiles_dir();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    std::cerr << fmt::format("cordon: no profiles folder at {} (set CORDON_PROFILES)\n", root);
    return kExitUsage;
  }
  std::string folder;
  for (const auto& p : policy::shipped_profiles()) {
    if (p.folder != folder) std::cout << (folder = p.folder) << ":\n";
    std::ifstream in(p.path);
    std::stringstream ss;
    ss << in.rdbuf();
    policy::Diagnostics d;
    auto file = policy::parse_policy_text(p.path, ss.str(), d);
    std::string desc = "(no description)";
    for (const auto& st : file.statements)
      if (st.kind == policy::Statement::Kind::kDescription) desc = st.text;
    std::cout << fmt::format("  {:<18} {}\n", p.name, desc);
  }
  return kExitOk;
}

// cordon score: the exposure score of the compiled policy. 3 when above --threshold.
int cmd_score(const std::string& file, const std::vector<std::string>& sets,
              std::optional<double> threshold, bool json) {
  auto opts = make_options(sets);
  auto resolved = resolve_policy(file);
  if (!resolved) return kExitUsage;
  const std::string& path = *resolved;
  auto plan = compile_reporting(path, opts);
  if (!plan) return kExitPolicy;
  cli::Score s = cli::score_plan(*plan);
  if (json) {
    auto j = cli::score_json(s);
    j["policy"] = path;
    if (threshold) j["threshold"] = *threshold;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << path << "\n\n" << cli::render_score(s);
  }
  if (threshold && s.total > *threshold + 1e-9) {
    std::cerr << fmt::format("cordon: score {:.1f} is above the threshold {:.1f}\n", s.total,
                             *threshold);
    return 3;
  }
  return kExitOk;
}

// cordon run: the plan comes from the cache when the policy and its includes are unchanged
// (no policy text is parsed then), else from the compiler, and is cached for the next launch.
int cmd_run(const std::string& profile, const std::vector<std::string>& sets,
            const std::vector<std::string>& command, const std::vector<int>& pass_fds,
            const std::vector<int>& pass_dir_fds, int json_fd, bool verbose, bool no_cache) {
  if (json_fd >= 0 && fcntl(json_fd, F_GETFD) < 0) {
    std::cerr << fmt::format("cordon: --json-status {}: EBADF (not an open descriptor)\n", json_fd);
    return launcher::kExitLaunchFailed;
  }
  auto resolved = resolve_policy(profile);
  if (!resolved) return launcher::kExitLaunchFailed;
  const std::string& path = *resolved;
  auto opts = make_options(sets);
  cli::PlanCache cache = no_cache ? cli::PlanCache::disabled("--no-cache") : cli::PlanCache();
  cli::PlanCacheKey key{path, opts.vars, opts.search_path};
  std::optional<launcher::Plan> plan;
  if (cache.enabled()) plan = cache.lookup(key);
  if (verbose)
    std::cerr << (plan ? fmt::format("cordon: plan for {} from the cache\n", path)
                       : fmt::format("cordon: compiling {} (cache: {})\n", path,
                                     cache.enabled() ? "miss" : cache.disabled_reason()));
  if (!plan) {
    policy::Diagnostics diags;
    policy::PolicyIR ir;
    auto compiled = compiler::compile_file(path, opts, diags, &ir);
    if (diags.has_errors() || diags.warning_count() > 0) print_diags(diags, false);
    if (!compiled) {
      if (!diags.has_errors())
        std::cerr << fmt::format("cordon: {}: {}\n", path, compiled.error().message());
      return launcher::kExitLaunchFailed;
    }
    plan = std::move(*compiled);
    // `apparmor generate`: the profile comes from the whole Plan (its socket rows among them),
    // so it is made here, before the rows go, and cached with the Plan.
    attach_generated_apparmor(*plan, path);
    // The launcher needs no per-syscall source-map rows (explain and audit compile the policy
    // themselves); they are four fifths of a plan's JSON, and parsing them is what a cached
    // launch would spend most on.
    plan->seccomp.rules.clear();
    if (cache.enabled()) {
      if (auto r = cache.store(key, *plan, ir.file_texts); !r && verbose)
        std::cerr << fmt::format("cordon: plan cache: {}\n", r.error().message());
    }
  }
  launcher::RunOptions ro;
  ro.launch.command = command;
  ro.launch.pass_fds = pass_fds;
  ro.launch.pass_dir_fds = pass_dir_fds;
  ro.launch.verbose = verbose;
  ro.json_status_fd = json_fd;
  ro.registry_dir = launcher::registry_dir();
  // The cache folder, used now or by a later launch (--no-cache changes only this one).
  ro.trusted.push_back(
      {"plan cache", cache.enabled() ? cache.dir() : cli::PlanCache::default_path()});
  ro.vars = opts.vars;
  ro.search_path = opts.search_path;
  if (verbose && ro.registry_dir.empty())
    std::cerr << "cordon: no sandbox registry (XDG_RUNTIME_DIR is not set): cordon audit will "
                 "need --policy\n";
  return launcher::run(*plan, ro);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "cordon — a sandbox launcher with a policy compiler.\n"
      "A policy (.cordon) states what an app may see and do; cordon checks it, compiles\n"
      "it to seccomp-BPF, Landlock, capabilities, mounts and limits, and explains\n"
      "every decision. Profiles: 'cordon profiles'; language: docs/language.md."};
  app.require_subcommand(1);
  std::vector<std::string> sets;
  auto add_set = [&](CLI::App* c) {
    // One NAME=VALUE per --set, so `--set K=V FILE` leaves FILE to the positional argument.
    c->add_option("--set", sets, "Define ${NAME} for the policy (NAME=VALUE), repeatable")
        ->allow_extra_args(false);
  };

  std::vector<std::string> check_files;
  bool verbose = false;
  auto* check =
      app.add_subcommand("check", "Check policies: every error and warning, with locations");
  check->add_option("FILE", check_files, "Policy files or shipped profile names")->required();
  check->add_flag("-v,--verbose", verbose, "Also list what each file overrides of its includes");
  bool fidelity = false, check_json = false;
  check->add_flag("--fidelity", fidelity,
                  "For each clause, which mechanism enforces it on this kernel for this user, "
                  "and what cordon run would do here (its cgroup is tried and removed; nothing "
                  "is loaded or started). Exit 3 when cordon run would refuse to start");
  check->add_flag("--json", check_json, "With --fidelity: one JSON object per policy");
  add_set(check);

  std::string file, emit = "plan", out;
  auto* compile =
      app.add_subcommand("compile", "Compile a policy to a plan, BPF or its disassembly");
  compile->add_option("FILE", file, "Policy file or shipped profile name")->required();
  compile
      ->add_option("--emit", emit,
                   "What to write: plan (JSON), bpf (the filter), asm (its disassembly), "
                   "systemd (a unit drop-in), oci (runtime-spec process/linux/mounts), "
                   "oci-seccomp (linux.seccomp, also Docker's format), k8s (a Security "
                   "Profiles Operator SeccompProfile), apparmor (an AppArmor profile), "
                   "selinux-cil (a CIL module for the sandbox's SELinux domain)")
      ->check(CLI::IsMember({"plan", "bpf", "asm", "systemd", "oci", "oci-seccomp", "k8s",
                             "apparmor", "selinux-cil"}))
      ->capture_default_str();
  compile->add_option("-o,--output", out, "Output file (default: stdout)");
  add_set(compile);

  std::string syscall, arch = "native";
  std::vector<std::string> sc_args;
  auto* explain = app.add_subcommand(
      "explain", "Run the compiled filter on one syscall and show the rule that decides it");
  explain->add_option("FILE", file, "Policy file or shipped profile name")->required();
  explain->add_option("SYSCALL", syscall, "Syscall name, e.g. openat")->required();
  explain->add_option("ARG", sc_args, "Arguments: numbers or constants (O_WRONLY|O_CREAT)");
  explain->add_option("--arch", arch, "Architecture (x86_64, x86, x32, aarch64…)")
      ->capture_default_str();
  add_set(explain);

  auto* profiles = app.add_subcommand("profiles", "List the shipped profiles");

  std::optional<double> score_threshold;
  bool score_json = false;
  auto* score = app.add_subcommand(
      "score",
      "Exposure score of a compiled policy, 0 (tight) to 10 (nothing confined), item by item "
      "(weights: docs/score.md). Exit 3 when above --threshold");
  score->add_option("FILE", file, "Policy file or shipped profile name")->required();
  score->add_option("--threshold", score_threshold, "Exit 3 when the score is above N (0-10)")
      ->check(CLI::Range(0.0, 10.0));
  score->add_flag("--json", score_json, "The items and the score as JSON");
  add_set(score);

  cli::ImportOptions import_opts;
  std::vector<std::string> import_caps;
  bool import_no_caps = false, import_force = false;
  auto* import = app.add_subcommand(
      "import",
      "Turn an OCI runtime-spec or Docker seccomp profile (or a config.json holding one) into a "
      "policy that compiles to the same decisions (docs/export.md)");
  import->add_option("FILE", file, "The profile, e.g. Docker's default seccomp.json")->required();
  auto* caps_opt =
      import
          ->add_option("--caps", import_caps,
                       "The container's capabilities, for Docker's includes/excludes (default: "
                       "Docker's default set)")
          ->delimiter(',');
  import->add_flag("--no-caps", import_no_caps, "The container has no capabilities")
      ->excludes(caps_opt);
  import->add_option("--arch", import_opts.arch,
                     "Architecture to resolve the profile for (amd64, arm64, x86_64…; default: "
                     "this machine's)");
  import->add_option("--kernel", import_opts.kernel,
                     "Kernel version for minKernel entries (default: the running kernel)");
  import->add_flag("--trace-as-enosys", import_opts.trace_as_enosys,
                   "Import SCMP_ACT_TRACE as errno ENOSYS (what a traced call gets without a "
                   "tracer) instead of refusing it");
  import->add_option("-o,--output", out, "Output file (default: stdout)");
  import->add_flag("--force", import_force, "Replace an existing output file");

  cli::AuditOptions audit_opts;
  auto* audit = app.add_subcommand(
      "audit", "Find denials in kernel logs, name the policy rule behind each, propose the fix");
  audit->add_option("SOURCE", audit_opts.sources,
                    "Log file (auditd raw or enriched, syslog, dmesg, journalctl -o json|export "
                    "or short), '-' for stdin, 'kmsg', or 'netlink' (with --follow). Default: "
                    "the live one (the audit daemon's log when one runs, else kmsg)");
  audit
      ->add_option("--policy", audit_opts.policies,
                   "Policy file the denials came from, repeatable (default: the policy each "
                   "sandbox ran, from the registry cordon run keeps)")
      ->allow_extra_args(false);
  audit
      ->add_option("--registry", audit_opts.registries,
                   "Sandbox registry directory to read, repeatable (default: "
                   "$XDG_RUNTIME_DIR/cordon; for root also /run/cordon and /run/user/*/cordon)")
      ->allow_extra_args(false);
  add_set(audit);
  audit->add_flag("--no-registry", audit_opts.no_registry, "Do not attribute by the registry");
  audit->add_option("--since", audit_opts.since,
                    "Only denials from TIME on: @EPOCH, 'YYYY-MM-DD HH:MM[:SS]', today, "
                    "yesterday, or a duration ago (10m, 2h, 1d)");
  auto* audit_json =
      audit->add_flag("--json", audit_opts.json, "One JSON object per distinct denial");
  auto* audit_diff =
      audit
          ->add_flag("--diff", audit_opts.diff,
                     "Print only a patch (unified diff) of every checked fix, for patch -p0")
          ->excludes(audit_json);
  audit
      ->add_flag("--follow,-f", audit_opts.follow,
                 "Keep reading (files across rotation, kmsg, netlink); print each new distinct "
                 "denial as it appears; Ctrl-C prints the summary")
      ->excludes(audit_diff);

  std::string run_profile = "cli";
  std::vector<std::string> run_command;
  std::vector<int> pass_fds, pass_dir_fds;
  int json_fd = -1;
  bool no_cache = false;
  auto* run = app.add_subcommand(
      "run",
      "Run a command in a sandbox built from a policy.\n"
      "Exit status: the command's; 128+N if it died of signal N; 125 if cordon failed\n"
      "before it started (the message names the stage and errno); 126 not executable;\n"
      "127 not found.");
  run->add_option("-p,--profile", run_profile,
                  "Shipped profile by name (as 'cordon profiles' lists it: curl, lib/cli, or cli "
                  "for lib/cli), or a policy file by path (./x, /x, or ending in .cordon); a bare "
                  "name never reads a file of that name in the working directory")
      ->capture_default_str();
  add_set(run);
  run->add_option("--json-status", json_fd,
                  "Write JSON status lines to this fd: 'start' (pids, namespaces, what was "
                  "applied) and 'exit'");
  run->add_option("--pass-fd", pass_fds,
                  "Keep this fd open in the sandbox, repeatable (not a directory: see "
                  "--pass-dir-fd)")
      ->allow_extra_args(false);
  run->add_option("--pass-dir-fd", pass_dir_fds,
                  "Keep this directory fd open in the sandbox, repeatable. It GRANTS the app "
                  "everything beneath the directory that the fd's opener may do, whatever the "
                  "policy's filesystem says: reading and writing by openat(), and chmod, chown, "
                  "utimes and connect() to unix sockets there, which Landlock cannot restrict")
      ->allow_extra_args(false);
  run->add_flag("-v,--verbose", verbose, "Say where the plan came from; show policy warnings");
  run->add_flag("--no-cache", no_cache, "Compile the policy even if a cached plan is current");
  run->add_option("CMD", run_command, "The command and its arguments (after --)");
  run->prefix_command();

  // `cordon run [OPTIONS] -- CMD ARGS…`: everything after the first `--` is the command,
  // untouched by option parsing (CLI11 would reorder a literal `--` in the command).
  std::vector<std::string> after_dashes;
  if (argc > 1 && std::string(argv[1]) == "run") {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--") {
        after_dashes.assign(argv + i + 1, argv + argc);
        argc = i;
        break;
      }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    // `run` keeps env(1)'s convention: 125 when cordon fails before the command starts.
    return run->parsed() ? launcher::kExitLaunchFailed : kExitUsage;
  }
  try {
    if (check->parsed()) return cmd_check(check_files, verbose, sets, fidelity, check_json);
    if (compile->parsed()) return cmd_compile(file, emit, out, sets);
    if (explain->parsed()) return cmd_explain(file, syscall, sc_args, arch, sets);
    if (profiles->parsed()) return cmd_profiles();
    if (score->parsed()) return cmd_score(file, sets, score_threshold, score_json);
    if (audit->parsed()) {
      audit_opts.vars = make_options(sets).vars;
      return cli::cmd_audit(audit_opts);
    }
    if (import->parsed()) {
      if (import_no_caps)
        import_opts.caps = std::vector<std::string>{};
      else if (!import_caps.empty())
        import_opts.caps = import_caps;
      return cmd_import(file, import_opts, out, import_force);
    }
    if (run->parsed()) {
      for (const auto& extra : run->remaining()) run_command.push_back(extra);
      for (const auto& a : after_dashes) run_command.push_back(a);
      if (run_command.empty()) {
        std::cerr << "cordon: run: no command given (cordon run -p PROFILE -- CMD [ARG]...)\n";
        return launcher::kExitLaunchFailed;
      }
      return cmd_run(run_profile, sets, run_command, pass_fds, pass_dir_fds, json_fd, verbose,
                     no_cache);
    }
  } catch (const CLI::ValidationError& e) {
    std::cerr << "cordon: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
