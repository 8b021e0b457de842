// AFL++ harness: one input is one Plan JSON text, the launcher's input contract (launcher/plan.h).
// Plans are read back from the plan cache ($XDG_CACHE_HOME/cordon/*.json), so the reader must
// survive any bytes: every input goes through plan_from_text, and an error result is fine (it is
// an answer). When the input is accepted as a Plan:
//
//   1. Round trip: plan_to_json(plan) must be accepted by plan_from_json and serialise to the
//      same JSON again, both as a json value and through its text (dump + plan_from_text, which
//      is what a cache store and a later lookup do). A refusal or a difference aborts: the
//      writer and the reader disagree about the contract.
//   2. The launcher's parent half, prepare_spec(plan, {"/bin/true"}): it may refuse the plan,
//      but must not crash, throw or hang. It only lstat()s mount paths and reads kernel facts
//      (Landlock ABI, AppArmor/SELinux state, rlimits); it starts nothing.
//
// Built with afl-clang-fast++, this is a persistent-mode harness (shared-memory test cases,
// __AFL_LOOP). Built with any other compiler it reads one input from the file named by argv[1]
// (or stdin) and runs it once, which is how a crashing input is reproduced under a debugger or
// a sanitizer build. Set CORDON_FUZZ_VERBOSE=1 to print what each step answered.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/harness_main.h"
#include "launcher/plan.h"
#include "launcher/spec.h"

namespace {

bool g_verbose = false;

[[noreturn]] void mismatch(const char* what, const nlohmann::json& want,
                           const nlohmann::json& got) {
  // dump() with `replace` never throws on a string that is not UTF-8.
  auto show = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::fprintf(stderr, "plan_fuzz: round trip (%s) changed the plan\n", what);
  std::fprintf(stderr, "  differences (RFC 6902, first -> second): %s\n",
               show(nlohmann::json::diff(want, got)).c_str());
  std::abort();
}

[[noreturn]] void refused(const char* what, const std::string& why) {
  std::fprintf(stderr, "plan_fuzz: round trip (%s): the reader refused the writer's plan: %s\n",
               what, why.c_str());
  std::abort();
}

void run_one(const uint8_t* data, size_t len) {
  using namespace cordon::launcher;
  std::string_view text(reinterpret_cast<const char*>(data), len);
  auto plan = plan_from_text(text);
  if (!plan) {
    if (g_verbose) std::fprintf(stderr, "refused: %s\n", plan.error().message().c_str());
    return;
  }

  // 1. Round trip, as a json value and as text.
  const nlohmann::json first = plan_to_json(*plan);
  auto back = plan_from_json(first);
  if (!back) refused("json value", back.error().message());
  const nlohmann::json second = plan_to_json(*back);
  if (first != second) mismatch("json value", first, second);

  // The writer's text (plan cache store: dump(); `cordon compile --emit plan`: dump(2)).
  const std::string dumped = first.dump();
  auto reread = plan_from_text(dumped);
  if (!reread) refused("text", reread.error().message());
  const nlohmann::json third = plan_to_json(*reread);
  if (first != third) mismatch("text", first, third);

  // 2. The launcher's parent half.
  std::vector<std::string> warnings;
  auto spec = prepare_spec(*plan, LaunchOptions{{"/bin/true"}, {}, false}, warnings);
  if (g_verbose) {
    std::fprintf(stderr, "accepted: %zu mounts, %zu seccomp instructions\n", plan->mounts.size(),
                 plan->seccomp.program.size());
    for (const std::string& w : warnings) std::fprintf(stderr, "spec warning: %s\n", w.c_str());
    if (spec)
      std::fprintf(stderr, "spec: %zu mount ops, %zu landlock rules, %zu candidates\n",
                   spec->mounts.size(), spec->landlock_rules.size(), spec->candidates.size());
    else
      std::fprintf(stderr, "spec error: %s\n", spec.error().message().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Warm the lazily initialised state (libseccomp's arch table, libapparmor/libselinux probes)
  // before the fork server starts, so each child does not pay for it.
  static constexpr std::string_view kWarm =
      R"({"version":1,"namespaces":{},"network":{"mode":"none"},"identity":{},"hostname":{},)"
      R"("mounts":[{"kind":"ro","path":"/usr"}],"env":{},"rlimits":[],"cgroup":{},)"
      R"("walltime":{},"capabilities":{"bounding":[]},"no_new_privs":true,)"
      R"("landlock":{"handled_fs":1},"mac":{},)"
      R"("seccomp":{"arches":["x86_64"],"default_action":"allow","default_ret":2147418112,)"
      R"("program":[[6,0,0,2147418112]]}})";
  return cordon::fuzz::harness_main("plan_fuzz", kWarm, run_one, g_verbose, argc, argv);
}
