// Naming policies on the command line: a shipped profile by name, a file by path.
//
// The sandboxed app may write its working directory (cli, python3, tar, git… bind ${PWD}
// read-write), so a bare word must never mean "the file of that name here": `cordon run -p
// cli` after the app wrote `./cli` would let the app choose the next sandbox. A bare name is
// therefore only ever looked up among the shipped profiles, and a file is named by a path
// (`./x`, `../x`, `/x`) or by the `.cordon` extension.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cordon::policy {

struct ShippedProfile {
  std::string name;    // as `cordon profiles` prints it: "curl", "nginx", "lib/cli"
  std::string folder;  // "apps", "services" or "lib"
  std::string path;    // the file
};

// Every shipped profile under profiles_dir(), folder by folder (apps, services, lib), each
// folder sorted by name.
std::vector<ShippedProfile> shipped_profiles();

// True when `arg` names a file rather than a shipped profile: it starts with '/', "./" or
// "../", or ends in ".cordon".
bool names_a_file(std::string_view arg);

// The file `arg` stands for: itself when it names a file, else the shipped profile of that
// name — as `cordon profiles` prints it, or a lib profile without its "lib/" ("cli" for
// "lib/cli"). An unknown name is an error that suggests the closest shipped name.
Result<std::string> resolve_policy_arg(const std::string& arg);

}  // namespace cordon::policy
