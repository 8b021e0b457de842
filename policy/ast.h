// The policy AST: what one .cordon file says, as plain data. No PEGTL types leak in here; the
// parser (parser.cc) fills these structs and the resolver/checker (checker.cc) reads them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cordon::policy {

// Where a construct starts in its source file: the key of the source map.
struct SourceLoc {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  // "file:line:col"; "" for a setting no rule made (a built-in default), so a Plan's origin
  // is either a real rule or visibly none.
  std::string str() const {
    return file.empty() ? std::string()
                        : file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  bool operator==(const SourceLoc&) const = default;
};

// A word as written, with its location (syscall names, constants, keywords' operands).
struct Word {
  std::string text;
  SourceLoc loc;
};

// A numeric operand: either a literal or a constant name; `|` joins several (O_RDONLY|O_CLOEXEC).
struct ValueTerm {
  bool is_name = false;
  std::string text;  // constant name, or the literal as written (converted by the checker)
  SourceLoc loc;
};
struct Value {
  std::vector<ValueTerm> terms;  // OR-ed together
  SourceLoc loc;
};

// Conditions on syscall arguments.
enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct Expr {
  enum class Kind { kCompare, kMasked, kIn, kNot, kAnd, kOr };
  Kind kind = Kind::kCompare;
  SourceLoc loc;
  Word arg;                   // kCompare, kMasked, kIn: argument name (fd, domain, arg0…)
  CmpOp op = CmpOp::kEq;      // kCompare, kMasked (kMasked with no explicit op: `!= 0`)
  Value mask;                 // kMasked
  Value value;                // kCompare, kMasked (default 0)
  std::vector<Value> values;  // kIn
  std::vector<ExprPtr> kids;  // kNot (1), kAnd/kOr (2+)
};

enum class ActionKind { kAllow, kErrno, kKill, kKillThread, kTrap, kLog, kNotify };
struct Action {
  ActionKind kind = ActionKind::kKill;
  Word errno_name;  // kErrno: a name (EPERM) or a number as text
  bool log = false;
  SourceLoc loc;
};

struct SyscallRule {
  Action action;
  std::vector<Word> targets;   // syscall names or @groups
  ExprPtr condition;           // null: unconditional
  std::string condition_text;  // normalised source text of the condition, for messages
  SourceLoc loc;
};

struct SyscallsBlock {
  std::optional<Action> default_action;
  std::vector<SyscallRule> rules;
};

enum class FsKind { kRo, kRw, kExec, kTmpfs, kProc, kDev };
struct FsEntry {
  FsKind kind = FsKind::kRo;
  bool optional = false;
  Word path;                 // kRo/kRw/kExec/kTmpfs
  std::optional<Word> size;  // kTmpfs
  std::optional<Word> mode;  // kTmpfs
  Word dev_mode;             // kDev: minimal | none
  SourceLoc loc;
};

struct LimitEntry {
  Word key;    // memory pids cpu nofile nproc core fsize stack as walltime
  Word value;  // 256M, 0.5, 1h …
  SourceLoc loc;
};

struct EnvEntry {
  enum class Kind { kClear, kKeep, kSet } kind = Kind::kClear;
  Word name;          // kKeep, kSet
  std::string value;  // kSet
  SourceLoc loc;
};

struct LandlockEntry {
  Word verb;                // bind | connect | scope
  Word protocol;            // tcp (bind/connect)
  std::vector<Word> items;  // ports, or scope names
  SourceLoc loc;
};

struct MacEntry {
  Word kind;   // apparmor | selinux
  Word value;  // "generate" or a quoted profile / context
  bool optional = false;
  SourceLoc loc;
};

struct GroupDef {
  Word name;  // with the leading '@'
  std::vector<Word> members;
  SourceLoc loc;
};

// Top-level statements in file order. Each keeps its location so the compiler can cite it.
struct Statement {
  enum class Kind {
    kVersion,
    kInclude,
    kName,
    kDescription,
    kNamespaces,
    kShare,
    kNetwork,
    kIdentity,
    kHostname,
    kArch,
    kGroup,
    kFilesystem,
    kCapabilities,
    kDevices,
    kLimits,
    kEnv,
    kSyscalls,
    kLandlock,
    kMac,
    kRequire,
    kNestedUserns
  };
  Kind kind = Kind::kVersion;
  SourceLoc loc;
  std::vector<Word> words;  // operands of the simple statements (names, ids, mechanisms…)
  std::string text;         // quoted string operand (include path, name, hostname…)
  std::vector<FsEntry> fs;
  std::vector<LimitEntry> limits;
  std::vector<EnvEntry> env;
  std::vector<LandlockEntry> landlock;
  std::vector<MacEntry> mac;
  GroupDef group;
  SyscallsBlock syscalls;
};

struct File {
  std::string path;    // as opened
  std::string source;  // full text, for diagnostics' source lines
  std::vector<Statement> statements;
};

}  // namespace cordon::policy
