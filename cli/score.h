// `cordon score` (issue #5): an exposure score of a compiled Plan, in the spirit of
// `systemd-analyze security`. Each item is an exposure in [0, 1] with a weight and the rule it
// came from; the total is 10 × Σ weight·exposure / Σ weight (0 tight … 10 wide open). The
// items and weights are documented in docs/score.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "launcher/plan.h"

namespace cordon::cli {

struct ScoreItem {
  std::string group;  // "namespaces", "network", "capabilities", "syscalls", "arguments"…
  std::string name;   // "user namespace", "@mount left open", "CAP_SYS_ADMIN kept"…
  double weight = 0;
  double exposure = 0;  // 0 closed … 1 open
  std::string why;      // what was found: "mount, umount2 allowed; 8 others refused"
  std::string rule;     // file:line:col, or "(built-in)" for what no rule set
};

struct Score {
  std::vector<ScoreItem> items;
  double total = 0;  // 0 … 10
};

Score score_plan(const launcher::Plan& plan);

std::string render_score(const Score& s);
nlohmann::json score_json(const Score& s);

}  // namespace cordon::cli
