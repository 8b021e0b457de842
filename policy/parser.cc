// Builds the AST from the grammar. Leaf tokens are pushed on a node stack by actions; each
// composite rule records the stack height when it starts (control `start`) and, when it
// succeeds, turns the nodes above that height into one AST node (control `success`). When it
// fails or an exception passes through it, the stack is cut back, so backtracking and error
// recovery never leave half-built nodes behind.
#include "policy/parser.h"

#include <fmt/format.h>

#include <concepts>
#include <variant>

#include "policy/grammar.h"

namespace cordon::policy {
namespace {

namespace g = grammar;
namespace pegtl = tao::pegtl;

enum class TokKind {
  kIdent,
  kWord,
  kNumber,
  kGroup,
  kQString,
  kPath,
  kOp,
  kKeyword,
  kOptional,
  kCondText,
  kEnvValue,
  kArg
};
struct Tok {
  TokKind kind;
  std::string text;
  SourceLoc loc;
};
struct DefaultAction {
  Action action;
};
using Node = std::variant<Tok, ExprPtr, Value, Action, DefaultAction, SyscallRule, FsEntry,
                          LimitEntry, EnvEntry, LandlockEntry, MacEntry>;

struct TooManyErrors {};

struct Mark {
  size_t height;
  SourceLoc loc;
  const char* begin;
};

struct State {
  File& file;
  Diagnostics& diags;
  std::vector<Node> stack;
  std::vector<Mark> marks;
  size_t depth = 0;
  size_t errors = 0;
  size_t last_error_byte = SIZE_MAX;

  template <typename In>
  SourceLoc loc(const In& in) const {
    auto p = in.position();
    return {file.path, static_cast<uint32_t>(p.line), static_cast<uint32_t>(p.column)};
  }
  void error_at(size_t byte, const SourceLoc& where, std::string msg) {
    if (byte == last_error_byte) return;  // one error per position: the most specific one
    last_error_byte = byte;
    diags.error(where, std::move(msg));
    if (++errors >= kMaxErrorsPerFile) {
      diags.note(where, fmt::format("too many errors in this file; stopping after {}", errors));
      throw TooManyErrors{};
    }
  }
};

// ---- Error messages for `must<>` failures ---------------------------------------------------
template <typename Rule>
constexpr const char* kExpected = nullptr;
template <>
constexpr const char* kExpected<g::statement> =
    "expected a statement (include, name, filesystem, syscalls, limits, …)";
template <>
constexpr const char* kExpected<g::eos> = "expected the end of the statement";
template <>
constexpr const char* kExpected<g::number_tok> = "expected a number";
template <>
constexpr const char* kExpected<g::ll_port_tok> = "expected a port number or ${VARIABLE}";
template <>
constexpr const char* kExpected<g::qstring_tok> = "expected a quoted string";
template <>
constexpr const char* kExpected<g::qstring_close> = "unterminated string";
template <>
constexpr const char* kExpected<g::word_tok> = "expected a value";
template <>
constexpr const char* kExpected<g::ident_tok> = "expected a name";
template <>
constexpr const char* kExpected<g::group_tok> = "expected a group name like @name";
template <>
constexpr const char* kExpected<g::path_arg> = "expected a path";
template <>
constexpr const char* kExpected<g::open_brace> = "expected '{'";
template <>
constexpr const char* kExpected<g::close_brace> = "expected '}'";
template <>
constexpr const char* kExpected<g::group_close> = "expected a syscall name, an @group or '}'";
template <>
constexpr const char* kExpected<g::action> =
    "expected an action (allow, errno NAME, kill, kill-thread, trap, log, notify)";
template <>
constexpr const char* kExpected<g::errno_tok> = "expected an errno name such as EPERM";
template <>
constexpr const char* kExpected<g::target> = "expected a syscall name or an @group";
template <>
constexpr const char* kExpected<g::condition> = "expected a condition after 'if'";
template <>
constexpr const char* kExpected<g::unary> = "expected a condition";
template <>
constexpr const char* kExpected<g::and_expr> = "expected a condition";
template <>
constexpr const char* kExpected<g::expr> = "expected a condition";
template <>
constexpr const char* kExpected<g::value> = "expected a number or a constant name";
template <>
constexpr const char* kExpected<g::close_paren> = "expected ')'";
template <>
constexpr const char* kExpected<g::open_bracket> = "expected '[' after 'in'";
template <>
constexpr const char* kExpected<g::close_bracket> = "expected ',' or ']'";
template <>
constexpr const char* kExpected<g::sc_item> =
    "expected a syscall rule: ACTION NAME… [if CONDITION], or 'default ACTION'";
template <>
constexpr const char* kExpected<g::fs_item> =
    "expected a filesystem entry (ro, rw, exec, tmpfs, proc, dev)";
template <>
constexpr const char* kExpected<g::limit_item> = "expected a limit such as 'memory 256M'";
template <>
constexpr const char* kExpected<g::env_item> = "expected clear, keep NAME… or set NAME=VALUE";
template <>
constexpr const char* kExpected<g::env_assign> = "expected NAME=VALUE";
template <>
constexpr const char* kExpected<g::ll_item> =
    "expected 'bind tcp PORT…', 'connect tcp PORT…' or 'scope …'";
template <>
constexpr const char* kExpected<g::mac_item> =
    "expected 'apparmor PROFILE|generate' or 'selinux \"CONTEXT\"'";

template <typename In>
std::string found(const In& in) {
  if (in.empty()) return "end of file";
  unsigned char c = static_cast<unsigned char>(in.peek_char());
  if (c == '\n') return "end of line";
  if (c < 0x20 || c >= 0x7f) return fmt::format("byte 0x{:02x}", c);
  return fmt::format("'{}'", static_cast<char>(c));
}

template <typename Rule>
struct control_base : pegtl::normal<Rule> {
  template <typename In, typename... St>
  [[noreturn]] static void raise(const In& in, State& s, St&&...) {
    const char* what = kExpected<Rule>;
    std::string msg = what ? fmt::format("{}, found {}", what, found(in))
                           : fmt::format("syntax error at {}", found(in));
    s.error_at(in.byte(), s.loc(in), msg);
    throw pegtl::parse_error(msg, in);
  }
};

// ---- Leaf actions ---------------------------------------------------------------------------
template <typename Rule>
struct action : pegtl::nothing<Rule> {};

template <TokKind K>
struct push_tok {
  template <typename In>
  static void apply(const In& in, State& s) {
    s.stack.emplace_back(Tok{K, in.string(), s.loc(in)});
  }
};
template <>
struct action<g::ident_tok> : push_tok<TokKind::kIdent> {};
template <>
struct action<g::arg_tok> : push_tok<TokKind::kArg> {};
template <>
struct action<g::word_tok> : push_tok<TokKind::kWord> {};
template <>
struct action<g::number_tok> : push_tok<TokKind::kNumber> {};
template <>
struct action<g::ll_port_var> : push_tok<TokKind::kWord> {};
template <>
struct action<g::group_tok> : push_tok<TokKind::kGroup> {};
template <>
struct action<g::path_tok> : push_tok<TokKind::kPath> {};
template <>
struct action<g::cmp_op_tok> : push_tok<TokKind::kOp> {};
template <>
struct action<g::eqne_op_tok> : push_tok<TokKind::kOp> {};
template <>
struct action<g::optional_mark> : push_tok<TokKind::kOptional> {};
template <>
struct action<g::env_value_tok> : push_tok<TokKind::kEnvValue> {};
template <typename Rule>
requires std::derived_from<Rule, g::kwtok_tag>
struct action<Rule> : push_tok<TokKind::kKeyword> {
};

template <>
struct action<g::qstring_tok> {
  template <typename In>
  static void apply(const In& in, State& s) {
    std::string raw = in.string();
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 2 < raw.size()) {
        char n = raw[++i];
        out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      } else {
        out += c;
      }
    }
    s.stack.emplace_back(Tok{TokKind::kQString, std::move(out), s.loc(in)});
  }
};

// Unknown keywords: reported with a suggestion, then the item fails so recovery skips it.
constexpr std::string_view kContextKeywords[][24] = {
    {"cordon",       "include",  "name",         "description", "namespaces", "share",
     "network",      "identity", "hostname",     "arch",        "group",      "filesystem",
     "capabilities", "devices",  "limits",       "env",         "syscalls",   "landlock",
     "mac",          "require",  "nested-userns"},
    {"default", "allow", "errno", "kill", "kill-thread", "trap", "log", "notify"},
    {"ro", "rw", "exec", "tmpfs", "proc", "dev"},
    {"clear", "keep", "set"},
    {"bind", "connect", "scope"},
    {"apparmor", "selinux"},
};
constexpr const char* kContextWhat[] = {"statement", "action",         "filesystem entry",
                                        "env entry", "landlock entry", "mac entry"};

template <int C>
struct action<g::unknown_word<C>> {
  template <typename In>
  static bool apply(const In& in, State& s) {
    std::vector<std::string_view> cands;
    for (auto k : kContextKeywords[C])
      if (!k.empty()) cands.push_back(k);
    std::string word = in.string();
    std::string hint = did_you_mean(word, cands);
    if (hint.empty() && C == 1)
      hint = "; a rule starts with its action: allow, errno NAME, kill, trap, log or notify";
    s.error_at(in.iterator().byte, s.loc(in),
               fmt::format("unknown {} '{}'{}", kContextWhat[C], word, hint));
    return false;
  }
};

// ---- Builders -------------------------------------------------------------------------------
struct Nodes {
  std::vector<Node>& v;
  size_t i;
  bool done() const { return i >= v.size(); }
  template <typename T>
  bool is() const {
    return !done() && std::holds_alternative<T>(v[i]);
  }
  bool is_tok(TokKind k) const { return is<Tok>() && std::get<Tok>(v[i]).kind == k; }
  template <typename T>
  T take() {
    return std::move(std::get<T>(v[i++]));
  }
};

template <typename Rule>
struct builder;  // build(Nodes&, const Mark&, State&) -> pushes result(s)

template <typename Rule>
struct builder_control : control_base<Rule> {
  static constexpr bool kCountsDepth =
      std::is_same_v<Rule, g::paren_expr> || std::is_same_v<Rule, g::not_expr>;
  template <typename In>
  static void start(const In& in, State& s) {
    if constexpr (kCountsDepth) {
      if (++s.depth > kMaxConditionDepth) {
        --s.depth;
        std::string msg =
            fmt::format("condition nested too deeply (more than {} levels)", kMaxConditionDepth);
        s.error_at(in.byte(), s.loc(in), msg);
        throw pegtl::parse_error(msg, in);
      }
    }
    s.marks.push_back({s.stack.size(), s.loc(in), in.current()});
  }
  template <typename In>
  static void success(const In& in, State& s) {
    Mark m = s.marks.back();
    s.marks.pop_back();
    if constexpr (kCountsDepth) --s.depth;
    std::vector<Node> nodes(std::make_move_iterator(s.stack.begin() + m.height),
                            std::make_move_iterator(s.stack.end()));
    s.stack.resize(m.height);
    Nodes n{nodes, 0};
    builder<Rule>::build(n, m, s, std::string_view(m.begin, in.current() - m.begin));
  }
  template <typename In>
  static void failure(const In&, State& s) {
    s.stack.resize(s.marks.back().height);
    s.marks.pop_back();
    if constexpr (kCountsDepth) --s.depth;
  }
  template <typename In>
  static void unwind(const In& in, State& s) {
    failure(in, s);
  }
};

template <typename Rule>
struct control : control_base<Rule> {};
#define CORDON_BUILDER(rule)                                                                      \
  template <>                                                                                     \
  struct control<g::rule> : builder_control<g::rule> {};                                          \
  template <>                                                                                     \
  struct builder<g::rule> {                                                                       \
    static void build(Nodes& n, const Mark& m, State& s, [[maybe_unused]] std::string_view text); \
  };                                                                                              \
  void builder<g::rule>::build([[maybe_unused]] Nodes& n, [[maybe_unused]] const Mark& m,         \
                               [[maybe_unused]] State& s, [[maybe_unused]] std::string_view text)

Word word_of(Tok t) { return Word{std::move(t.text), std::move(t.loc)}; }

CORDON_BUILDER(value) {
  Value v;
  v.loc = m.loc;
  while (n.is<Tok>()) {
    Tok t = n.take<Tok>();
    v.terms.push_back({t.kind == TokKind::kIdent, std::move(t.text), std::move(t.loc)});
  }
  s.stack.emplace_back(std::move(v));
}

ExprPtr new_expr(Expr::Kind k, const SourceLoc& loc) {
  auto e = std::make_unique<Expr>();
  e->kind = k;
  e->loc = loc;
  return e;
}

CmpOp op_of(std::string_view t) {
  if (t == "==") return CmpOp::kEq;
  if (t == "!=") return CmpOp::kNe;
  if (t == "<") return CmpOp::kLt;
  if (t == "<=") return CmpOp::kLe;
  if (t == ">") return CmpOp::kGt;
  return CmpOp::kGe;
}

CORDON_BUILDER(in_atom) {
  auto e = new_expr(Expr::Kind::kIn, m.loc);
  e->arg = word_of(n.take<Tok>());
  while (n.is<Value>()) e->values.push_back(n.take<Value>());
  s.stack.emplace_back(std::move(e));
}

void build_masked(Nodes& n, const Mark& m, State& s) {
  auto e = new_expr(Expr::Kind::kMasked, m.loc);
  e->arg = word_of(n.take<Tok>());
  e->mask = n.take<Value>();
  if (n.is_tok(TokKind::kOp)) {
    e->op = op_of(n.take<Tok>().text);
    e->value = n.take<Value>();
  } else {
    e->op = CmpOp::kNe;  // `flags & M` alone: any of the bits in M is set
    e->value.loc = m.loc;
    e->value.terms.push_back({false, "0", m.loc});
  }
  s.stack.emplace_back(std::move(e));
}
CORDON_BUILDER(masked_atom) { build_masked(n, m, s); }
CORDON_BUILDER(masked_paren_atom) { build_masked(n, m, s); }

CORDON_BUILDER(cmp_atom) {
  auto e = new_expr(Expr::Kind::kCompare, m.loc);
  e->arg = word_of(n.take<Tok>());
  e->op = op_of(n.take<Tok>().text);
  e->value = n.take<Value>();
  s.stack.emplace_back(std::move(e));
}

// Parentheses only group; the builder passes the inner expression through (and the control
// counts the nesting depth).
CORDON_BUILDER(paren_expr) { s.stack.emplace_back(n.take<ExprPtr>()); }

CORDON_BUILDER(not_expr) {
  auto e = new_expr(Expr::Kind::kNot, m.loc);
  e->kids.push_back(n.take<ExprPtr>());
  s.stack.emplace_back(std::move(e));
}

void build_junction(Nodes& n, const Mark& m, State& s, Expr::Kind k) {
  std::vector<ExprPtr> kids;
  while (n.is<ExprPtr>()) kids.push_back(n.take<ExprPtr>());
  if (kids.size() == 1) {
    s.stack.emplace_back(std::move(kids[0]));
    return;
  }
  auto e = new_expr(k, m.loc);
  e->kids = std::move(kids);
  s.stack.emplace_back(std::move(e));
}
CORDON_BUILDER(and_expr) { build_junction(n, m, s, Expr::Kind::kAnd); }
CORDON_BUILDER(or_expr) { build_junction(n, m, s, Expr::Kind::kOr); }

CORDON_BUILDER(condition) {
  s.stack.emplace_back(n.take<ExprPtr>());
  // Normalise whitespace so messages quote the condition on one line.
  std::string t;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && (t.empty() || t.back() == ' ')) continue;
    t += c;
  }
  while (!t.empty() && t.back() == ' ') t.pop_back();
  s.stack.emplace_back(Tok{TokKind::kCondText, std::move(t), m.loc});
}

CORDON_BUILDER(action) {
  Action a;
  a.loc = m.loc;
  Tok kwd = n.take<Tok>();
  static const std::pair<std::string_view, ActionKind> kKinds[] = {
      {"allow", ActionKind::kAllow},  {"errno", ActionKind::kErrno},
      {"kill", ActionKind::kKill},    {"kill-thread", ActionKind::kKillThread},
      {"trap", ActionKind::kTrap},    {"log", ActionKind::kLog},
      {"notify", ActionKind::kNotify}};
  for (auto& [name, kind] : kKinds)
    if (kwd.text == name) a.kind = kind;
  if (a.kind == ActionKind::kErrno) a.errno_name = word_of(n.take<Tok>());
  if (n.is_tok(TokKind::kKeyword)) a.log = true;
  s.stack.emplace_back(std::move(a));
}

CORDON_BUILDER(sc_default) { s.stack.emplace_back(DefaultAction{n.take<Action>()}); }

CORDON_BUILDER(sc_rule) {
  SyscallRule r;
  r.loc = m.loc;
  r.action = n.take<Action>();
  while (n.is_tok(TokKind::kIdent) || n.is_tok(TokKind::kGroup))
    r.targets.push_back(word_of(n.take<Tok>()));
  if (n.is<ExprPtr>()) {
    r.condition = n.take<ExprPtr>();
    r.condition_text = n.take<Tok>().text;
  }
  s.stack.emplace_back(std::move(r));
}

FsKind fs_kind_of(std::string_view k) {
  if (k == "ro") return FsKind::kRo;
  if (k == "rw") return FsKind::kRw;
  if (k == "exec") return FsKind::kExec;
  if (k == "tmpfs") return FsKind::kTmpfs;
  if (k == "proc") return FsKind::kProc;
  return FsKind::kDev;
}

CORDON_BUILDER(fs_bind) {
  FsKind kind = fs_kind_of(n.take<Tok>().text);
  bool optional = false;
  if (n.is_tok(TokKind::kOptional)) {
    n.take<Tok>();
    optional = true;
  }
  while (n.is<Tok>()) {
    Tok p = n.take<Tok>();
    FsEntry e;
    e.kind = kind;
    e.optional = optional;
    e.loc = p.loc;
    e.path = word_of(std::move(p));
    s.stack.emplace_back(std::move(e));
  }
}

CORDON_BUILDER(fs_tmpfs_item) {
  FsEntry e;
  e.kind = FsKind::kTmpfs;
  e.loc = m.loc;
  n.take<Tok>();
  e.path = word_of(n.take<Tok>());
  while (n.is<Tok>()) {
    std::string key = n.take<Tok>().text;
    (key == "size" ? e.size : e.mode) = word_of(n.take<Tok>());
  }
  s.stack.emplace_back(std::move(e));
}

CORDON_BUILDER(fs_proc_item) {
  FsEntry e;
  e.kind = FsKind::kProc;
  e.loc = m.loc;
  s.stack.emplace_back(std::move(e));
}

CORDON_BUILDER(fs_dev_item) {
  FsEntry e;
  e.kind = FsKind::kDev;
  e.loc = m.loc;
  n.take<Tok>();
  e.dev_mode = word_of(n.take<Tok>());
  s.stack.emplace_back(std::move(e));
}

CORDON_BUILDER(limit_item) {
  LimitEntry l;
  l.loc = m.loc;
  l.key = word_of(n.take<Tok>());
  l.value = word_of(n.take<Tok>());
  s.stack.emplace_back(std::move(l));
}

CORDON_BUILDER(env_keep_item) {
  n.take<Tok>();
  while (n.is<Tok>()) {
    EnvEntry e;
    e.kind = EnvEntry::Kind::kKeep;
    e.name = word_of(n.take<Tok>());
    e.loc = e.name.loc;
    s.stack.emplace_back(std::move(e));
  }
}

CORDON_BUILDER(env_set_item) {
  EnvEntry e;
  e.kind = EnvEntry::Kind::kSet;
  e.loc = m.loc;
  n.take<Tok>();
  e.name = word_of(n.take<Tok>());
  if (n.is<Tok>()) e.value = n.take<Tok>().text;
  s.stack.emplace_back(std::move(e));
}

void build_landlock(Nodes& n, const Mark& m, State& s, bool has_protocol) {
  LandlockEntry e;
  e.loc = m.loc;
  e.verb = word_of(n.take<Tok>());
  if (has_protocol) e.protocol = word_of(n.take<Tok>());
  while (n.is<Tok>()) e.items.push_back(word_of(n.take<Tok>()));
  s.stack.emplace_back(std::move(e));
}
CORDON_BUILDER(ll_port_item) { build_landlock(n, m, s, true); }
CORDON_BUILDER(ll_scope_item) { build_landlock(n, m, s, false); }

CORDON_BUILDER(mac_item) {
  MacEntry e;
  e.loc = m.loc;
  e.kind = word_of(n.take<Tok>());
  e.value = word_of(n.take<Tok>());
  e.optional = n.is<Tok>();
  s.stack.emplace_back(std::move(e));
}

// ---- Statements -----------------------------------------------------------------------------
Statement& new_statement(State& s, Statement::Kind k, const Mark& m) {
  Statement& st = s.file.statements.emplace_back();
  st.kind = k;
  st.loc = m.loc;
  return st;
}

void take_words(Nodes& n, Statement& st) {
  while (n.is<Tok>()) st.words.push_back(word_of(n.take<Tok>()));
}

#define CORDON_WORDS_STMT(rule, kind) \
  CORDON_BUILDER(rule) { take_words(n, new_statement(s, Statement::Kind::kind, m)); }
CORDON_WORDS_STMT(version_stmt, kVersion)
CORDON_WORDS_STMT(namespaces_stmt, kNamespaces)
CORDON_WORDS_STMT(share_stmt, kShare)
CORDON_WORDS_STMT(network_stmt, kNetwork)
CORDON_WORDS_STMT(identity_stmt, kIdentity)
CORDON_WORDS_STMT(arch_stmt, kArch)
CORDON_WORDS_STMT(capabilities_stmt, kCapabilities)
CORDON_WORDS_STMT(devices_stmt, kDevices)
CORDON_WORDS_STMT(require_stmt, kRequire)
CORDON_WORDS_STMT(nested_userns_stmt, kNestedUserns)
#undef CORDON_WORDS_STMT

#define CORDON_STRING_STMT(rule, kind)                          \
  CORDON_BUILDER(rule) {                                        \
    Statement& st = new_statement(s, Statement::Kind::kind, m); \
    Tok t = n.take<Tok>();                                      \
    st.text = t.text;                                           \
    st.words.push_back(word_of(std::move(t)));                  \
  }
CORDON_STRING_STMT(include_stmt, kInclude)
CORDON_STRING_STMT(name_stmt, kName)
CORDON_STRING_STMT(description_stmt, kDescription)
CORDON_STRING_STMT(hostname_stmt, kHostname)
#undef CORDON_STRING_STMT

CORDON_BUILDER(group_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kGroup, m);
  st.group.loc = m.loc;
  st.group.name = word_of(n.take<Tok>());
  while (n.is<Tok>()) st.group.members.push_back(word_of(n.take<Tok>()));
}

CORDON_BUILDER(filesystem_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kFilesystem, m);
  while (n.is<FsEntry>()) st.fs.push_back(n.take<FsEntry>());
}

CORDON_BUILDER(limits_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kLimits, m);
  while (n.is<LimitEntry>()) st.limits.push_back(n.take<LimitEntry>());
}

CORDON_BUILDER(env_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kEnv, m);
  while (!n.done()) {
    if (n.is<EnvEntry>()) {
      st.env.push_back(n.take<EnvEntry>());
    } else {
      Tok t = n.take<Tok>();  // the bare `clear` keyword
      EnvEntry e;
      e.kind = EnvEntry::Kind::kClear;
      e.loc = t.loc;
      st.env.push_back(std::move(e));
    }
  }
}

CORDON_BUILDER(syscalls_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kSyscalls, m);
  while (!n.done()) {
    if (n.is<DefaultAction>()) {
      Action a = n.take<DefaultAction>().action;
      if (st.syscalls.default_action)
        s.diags.error(a.loc, fmt::format("second 'default' in this block (the first is at line {})",
                                         st.syscalls.default_action->loc.line));
      st.syscalls.default_action = std::move(a);
    } else {
      st.syscalls.rules.push_back(n.take<SyscallRule>());
    }
  }
}

CORDON_BUILDER(landlock_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kLandlock, m);
  while (n.is<LandlockEntry>()) st.landlock.push_back(n.take<LandlockEntry>());
}

CORDON_BUILDER(mac_stmt) {
  Statement& st = new_statement(s, Statement::Kind::kMac, m);
  while (n.is<MacEntry>()) st.mac.push_back(n.take<MacEntry>());
}

#undef CORDON_BUILDER

// Returns the offset of the first byte that is not valid UTF-8 (or is NUL), or npos.
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    uint32_t cp = c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid too.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace

File parse_policy_text(const std::string& path, std::string text, Diagnostics& diags) {
  File file;
  file.path = path;
  diags.add_source(path, text);
  if (text.size() > kMaxPolicyBytes) {
    diags.error({path, 1, 1}, fmt::format("file is {} bytes; policy files are limited to {} bytes",
                                          text.size(), kMaxPolicyBytes));
    return file;
  }
  if (size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < bad; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    diags.error({path, line, col}, fmt::format("{} (byte 0x{:02x}); a policy is UTF-8 text",
                                               text[bad] == 0 ? "NUL byte" : "invalid UTF-8",
                                               static_cast<unsigned char>(text[bad])));
    return file;
  }
  file.source = std::move(text);
  State state{file, diags, {}, {}};
  pegtl::memory_input<> in(file.source.data(), file.source.size(), path);
  try {
    if (!pegtl::parse<g::file, action, control>(in, state))
      diags.error({path, 1, 1}, "could not parse the file");
  } catch (const TooManyErrors&) {
  } catch (const pegtl::parse_error& e) {
    // Only an error outside every recovery point gets here; it was recorded by raise().
  } catch (const std::exception& e) {
    // A builder met nodes it did not expect: a parser bug, reported rather than crashing.
    diags.error({path, 1, 1}, fmt::format("internal parser error: {}", e.what()));
  }
  return file;
}

}  // namespace cordon::policy
