// Golden files: tests/golden/NAME.cordon compiles to NAME.plan.json and NAME.asm exactly.
// Regenerate after an intended change with CORDON_UPDATE_GOLDEN=1 and review the diff.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/test_util.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

void check_golden(const fs::path& path, const std::string& actual) {
  if (getenv("CORDON_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with CORDON_UPDATE_GOLDEN=1";
  EXPECT_EQ(slurp(path), actual) << "golden mismatch: " << path;
}

TEST(Golden, PoliciesCompileToTheirPlansAndDisassembly) {
  fs::path dir = fs::path(CORDON_TEST_DATA) / "golden";
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".cordon") continue;
    ++n;
    std::string name = e.path().filename().string();
    auto c = cordon::testing::compile_text(slurp(e.path()), name);
    ASSERT_TRUE(c.plan) << name << ":\n" << c.rendered() << c.compile_error;
    auto json = cordon::launcher::plan_to_json(*c.plan);
    json.erase("policy_hash");  // depends on the machine's variables
    json.erase("policy_files");
    std::string plan = replace_all(json.dump(2), CORDON_PROFILES_DIR, "<profiles>") + "\n";
    fs::path stem = e.path().parent_path() / e.path().stem();
    check_golden(stem.string() + ".plan.json", plan);
    check_golden(stem.string() + ".asm", cordon::compiler::disassemble(c.plan->seccomp.program));
  }
  EXPECT_GE(n, 2u);
}

}  // namespace
