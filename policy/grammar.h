// The grammar of the cordon policy language (v1), in PEGTL 3.x. Named structs only; the actions
// and AST building live in parser.cc, so this header can be analysed on its own
// (`pegtl::analyze<file>()` runs as a unit test).
//
// Shape: a file is a list of statements, one per line (or separated by ';'). Blocks
// (`filesystem { … }`, `syscalls { … }` …) hold items; a malformed item is reported and skipped
// to the end of its line, so every error in a file is reported in one run.
#pragma once

#include <tao/pegtl.hpp>

namespace cordon::policy::grammar {

namespace pegtl = tao::pegtl;
using pegtl::alnum;
using pegtl::alpha;
using pegtl::any;
using pegtl::at;
using pegtl::digit;
using pegtl::eof;
using pegtl::eol;
using pegtl::must;
using pegtl::not_at;
using pegtl::not_one;
using pegtl::one;
using pegtl::opt;
using pegtl::plus;
using pegtl::seq;
using pegtl::sor;
using pegtl::star;
using pegtl::try_catch;
using pegtl::xdigit;

// ---- Lexical -------------------------------------------------------------------------------
struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct sp : star<sor<one<' ', '\t', '\r'>, comment>> {};        // blanks within a line
struct ws : star<sor<one<' ', '\t', '\r', '\n'>, comment>> {};  // blanks across lines
struct wordchar : sor<alnum, one<'_', '-'>> {};
template <typename Str>
struct kw : seq<Str, not_at<wordchar>> {};
#define CORDON_KW(name, str) \
  struct name : kw<TAO_PEGTL_STRING(str)> {}

// Tokens that become leaves of the AST (each has an action pushing it).
struct name_chars : seq<sor<alpha, one<'_'>>, star<sor<alnum, one<'_'>>>> {};
struct ident_tok : name_chars {};
struct word_tok : plus<sor<alnum, one<'_', '-', '.', '+', ':'>>> {};
struct number_tok : seq<opt<one<'-'>>, sor<seq<one<'0'>, one<'x', 'X'>, plus<xdigit>>, plus<digit>>,
                        not_at<wordchar>> {};
struct group_tok : seq<one<'@'>, plus<wordchar>> {};
struct qstring_close : one<'"'> {};
struct qstring_tok
    : seq<one<'"'>, star<sor<seq<one<'\\'>, not_one<'\n'>>, not_one<'"', '\n', '\\'>>>,
          must<qstring_close>> {};
struct varref : seq<one<'$'>, one<'{'>, name_chars, one<'}'>> {};
struct pathchar : not_one<' ', '\t', '\r', '\n', '#', ';', '{', '}', '"', '$'> {};
struct path_tok : plus<sor<varref, pathchar>> {};
struct path_arg : sor<qstring_tok, path_tok> {};
// Keywords that are themselves AST leaves (the builder needs to know which one matched).
struct kwtok_tag {};
template <typename Str>
struct kwtok : kw<Str>, kwtok_tag {};
#define CORDON_KWTOK(name, str) \
  struct name : kwtok<TAO_PEGTL_STRING(str)> {}

// End of a line-oriented statement or item.
struct eos : seq<sp, sor<one<';'>, eol, eof, at<one<'}'>>>> {};

// Recoverable list items: an item that fails is reported (by the control's raise) and the rest
// of its line is skipped.
struct skip_item : plus<not_one<'\n', '}'>> {};
template <typename Item>
struct recoverable : sor<try_catch<must<Item>>, skip_item> {};
struct open_brace : one<'{'> {};
struct close_brace : one<'}'> {};
template <typename Item>
struct block
    : seq<ws, must<open_brace>, ws, star<not_at<close_brace>, not_at<eof>, recoverable<Item>, ws>,
          must<close_brace>> {};
// A word that is not a known item keyword: reported with a "did you mean" by its action.
template <int Context>
struct unknown_word : plus<wordchar> {};

// ---- Conditions ----------------------------------------------------------------------------
struct expr;
struct value_terms
    : seq<sor<number_tok, ident_tok>,
          star<seq<sp, one<'|'>, not_at<one<'|'>>, sp, must<sor<number_tok, ident_tok>>>>> {};
// A value may be parenthesised: `flags & (O_WRONLY|O_RDWR)`.
struct value : sor<seq<one<'('>, sp, value_terms, sp, one<')'>>, value_terms> {};
struct cmp_op_tok : sor<TAO_PEGTL_STRING("=="), TAO_PEGTL_STRING("!="), TAO_PEGTL_STRING("<="),
                        TAO_PEGTL_STRING(">="), one<'<'>, one<'>'>> {};
struct eqne_op_tok : sor<TAO_PEGTL_STRING("=="), TAO_PEGTL_STRING("!=")> {};
struct arg_tok : name_chars {};
struct close_bracket : one<']'> {};
struct open_bracket : one<'['> {};
CORDON_KW(kw_in, "in");
struct in_atom
    : seq<arg_tok, sp, kw_in, sp, must<open_bracket>, ws, must<value>,
          star<seq<ws, one<','>, ws, must<value>>>, ws, opt<one<','>, ws>, must<close_bracket>> {};
struct masked_atom : seq<arg_tok, sp, one<'&'>, not_at<one<'&'>>, sp, must<value>,
                         opt<seq<sp, eqne_op_tok, sp, must<value>>>> {};
struct cmp_atom : seq<arg_tok, sp, cmp_op_tok, sp, must<value>> {};
// `(flags & MASK) == V`: a masked test in parentheses compared afterwards.
struct masked_paren_atom : seq<one<'('>, sp, arg_tok, sp, one<'&'>, not_at<one<'&'>>, sp, value, sp,
                               one<')'>, sp, eqne_op_tok, sp, must<value>> {};
struct atom : sor<in_atom, masked_atom, cmp_atom> {};
struct unary;
struct not_expr : seq<one<'!'>, not_at<one<'='>>, sp, must<unary>> {};
struct close_paren : one<')'> {};
struct paren_expr : seq<one<'('>, ws, must<expr>, sp, must<close_paren>> {};
struct unary : sor<not_expr, masked_paren_atom, paren_expr, atom> {};
struct and_expr : seq<unary, star<seq<sp, TAO_PEGTL_STRING("&&"), ws, must<unary>>>> {};
struct or_expr : seq<and_expr, star<seq<sp, TAO_PEGTL_STRING("||"), ws, must<and_expr>>>> {};
struct expr : seq<or_expr> {};
struct condition : seq<expr> {};

// ---- syscalls { … } ------------------------------------------------------------------------
CORDON_KWTOK(act_allow, "allow");
CORDON_KWTOK(act_errno, "errno");
CORDON_KWTOK(act_kill_thread, "kill-thread");
CORDON_KWTOK(act_kill, "kill");
CORDON_KWTOK(act_trap, "trap");
CORDON_KWTOK(act_log, "log");
CORDON_KWTOK(act_notify, "notify");
CORDON_KWTOK(log_flag, "log");
struct errno_tok : sor<number_tok, ident_tok> {};
struct action_word : sor<act_allow, seq<act_errno, sp, must<errno_tok>>, act_kill_thread, act_kill,
                         act_trap, act_log, act_notify> {};
struct action : seq<action_word, opt<seq<sp, log_flag>>> {};
CORDON_KW(kw_if, "if");
CORDON_KW(kw_default, "default");
struct target : sor<group_tok, seq<not_at<kw_if>, ident_tok>> {};
struct target_sep : seq<sp, opt<one<','>>, sp> {};
struct sc_default : seq<kw_default, sp, must<action>, must<eos>> {};
struct sc_rule : seq<action, sp, must<target>, star<seq<target_sep, target>>,
                     opt<seq<sp, kw_if, ws, must<condition>>>, must<eos>> {};
struct sc_item : sor<sc_default, sc_rule, unknown_word<1>> {};

// ---- filesystem { … } ----------------------------------------------------------------------
CORDON_KWTOK(fs_ro, "ro");
CORDON_KWTOK(fs_rw, "rw");
CORDON_KWTOK(fs_exec, "exec");
CORDON_KWTOK(fs_tmpfs, "tmpfs");
CORDON_KWTOK(fs_proc, "proc");
CORDON_KWTOK(fs_dev, "dev");
CORDON_KWTOK(fs_size, "size");
CORDON_KWTOK(fs_mode, "mode");
struct optional_mark : one<'?'> {};
struct fs_bind : seq<sor<fs_ro, fs_rw, fs_exec>, opt<optional_mark>, sp, must<path_arg>,
                     star<seq<sp, path_arg>>, must<eos>> {};
struct fs_tmpfs_item
    : seq<fs_tmpfs, sp, must<path_arg>,
          star<seq<sp, sor<seq<fs_size, sp, must<word_tok>>, seq<fs_mode, sp, must<word_tok>>>>>,
          must<eos>> {};
struct fs_proc_item : seq<fs_proc, must<eos>> {};
struct fs_dev_item : seq<fs_dev, sp, must<word_tok>, must<eos>> {};
struct fs_item : sor<fs_bind, fs_tmpfs_item, fs_proc_item, fs_dev_item, unknown_word<2>> {};

// ---- limits, env, landlock, mac ------------------------------------------------------------
struct limit_item : seq<word_tok, sp, must<word_tok>> {};
CORDON_KWTOK(env_clear, "clear");
CORDON_KWTOK(env_keep, "keep");
CORDON_KWTOK(env_set, "set");
struct env_kw : sor<env_clear, env_keep, env_set> {};
struct env_value_tok : star<sor<varref, not_one<' ', '\t', '\r', '\n', '}', '#', ';'>>> {};
struct env_assign : seq<ident_tok, one<'='>, sor<qstring_tok, env_value_tok>> {};
struct env_keep_item
    : seq<env_keep, sp, must<ident_tok>, star<seq<sp, not_at<env_kw>, ident_tok>>> {};
struct env_set_item : seq<env_set, sp, must<env_assign>> {};
struct env_item : sor<env_clear, env_keep_item, env_set_item, unknown_word<3>> {};
CORDON_KWTOK(ll_bind, "bind");
CORDON_KWTOK(ll_connect, "connect");
CORDON_KWTOK(ll_scope, "scope");
struct ll_kw : sor<ll_bind, ll_connect, ll_scope> {};
// A port: a number, or a variable given with --set (a service's port differs per deployment).
struct ll_port_var : seq<varref> {};
struct ll_port_tok : sor<number_tok, ll_port_var> {};
struct ll_port_item : seq<sor<ll_bind, ll_connect>, sp, must<word_tok>, sp, must<ll_port_tok>,
                          star<seq<sp, ll_port_tok>>> {};
struct ll_scope_item : seq<ll_scope, sp, must<word_tok>, star<seq<sp, not_at<ll_kw>, word_tok>>> {};
struct ll_item : sor<ll_port_item, ll_scope_item, unknown_word<4>> {};
CORDON_KWTOK(mac_apparmor, "apparmor");
CORDON_KWTOK(mac_selinux, "selinux");
CORDON_KWTOK(mac_optional, "optional");
struct mac_item : sor<seq<sor<mac_apparmor, mac_selinux>, sp, must<sor<qstring_tok, word_tok>>,
                          opt<seq<sp, mac_optional>>>,
                      unknown_word<5>> {};

// ---- Top-level statements ------------------------------------------------------------------
CORDON_KW(kw_cordon, "cordon");
CORDON_KW(kw_include, "include");
CORDON_KW(kw_name, "name");
CORDON_KW(kw_description, "description");
CORDON_KW(kw_namespaces, "namespaces");
CORDON_KW(kw_share, "share");
CORDON_KW(kw_network, "network");
CORDON_KW(kw_identity, "identity");
CORDON_KW(kw_hostname, "hostname");
CORDON_KW(kw_arch, "arch");
CORDON_KW(kw_group, "group");
CORDON_KW(kw_filesystem, "filesystem");
CORDON_KW(kw_capabilities, "capabilities");
CORDON_KW(kw_devices, "devices");
CORDON_KW(kw_limits, "limits");
CORDON_KW(kw_env, "env");
CORDON_KW(kw_syscalls, "syscalls");
CORDON_KW(kw_landlock, "landlock");
CORDON_KW(kw_mac, "mac");
CORDON_KW(kw_require, "require");
CORDON_KW(kw_nested_userns, "nested-userns");

template <typename Kw>
struct string_stmt : seq<Kw, sp, must<qstring_tok>, must<eos>> {};
template <typename Kw>
struct words_stmt : seq<Kw, sp, must<word_tok>, star<seq<sp, word_tok>>, must<eos>> {};

struct version_stmt : seq<kw_cordon, sp, must<number_tok>, must<eos>> {};
struct include_stmt : string_stmt<kw_include> {};
struct name_stmt : string_stmt<kw_name> {};
struct description_stmt : string_stmt<kw_description> {};
struct hostname_stmt : string_stmt<kw_hostname> {};
struct namespaces_stmt : seq<kw_namespaces, star<seq<sp, word_tok>>, must<eos>> {};
struct share_stmt : words_stmt<kw_share> {};
struct network_stmt : seq<kw_network, sp, must<word_tok>, must<eos>> {};
struct identity_stmt : words_stmt<kw_identity> {};
struct arch_stmt : words_stmt<kw_arch> {};
struct capabilities_stmt : words_stmt<kw_capabilities> {};
struct devices_stmt : words_stmt<kw_devices> {};
struct require_stmt : seq<kw_require, sp, must<word_tok>, opt<seq<sp, word_tok>>, must<eos>> {};
struct nested_userns_stmt : seq<kw_nested_userns, sp, must<word_tok>, must<eos>> {};
struct group_member : sor<group_tok, ident_tok> {};
struct group_close : one<'}'> {};
struct group_stmt : seq<kw_group, sp, must<group_tok>, ws, must<open_brace>, ws,
                        star<seq<group_member, ws>>, must<group_close>, must<eos>> {};
struct filesystem_stmt : seq<kw_filesystem, block<fs_item>, must<eos>> {};
struct limits_stmt : seq<kw_limits, block<limit_item>, must<eos>> {};
struct env_stmt : seq<kw_env, block<env_item>, must<eos>> {};
struct syscalls_stmt : seq<kw_syscalls, block<sc_item>, must<eos>> {};
struct landlock_stmt : seq<kw_landlock, block<ll_item>, must<eos>> {};
struct mac_stmt : seq<kw_mac, block<mac_item>, must<eos>> {};

struct statement
    : sor<version_stmt, include_stmt, name_stmt, description_stmt, namespaces_stmt, share_stmt,
          network_stmt, identity_stmt, hostname_stmt, arch_stmt, group_stmt, filesystem_stmt,
          capabilities_stmt, devices_stmt, limits_stmt, env_stmt, syscalls_stmt, landlock_stmt,
          mac_stmt, require_stmt, nested_userns_stmt, unknown_word<0>> {};

// After a malformed statement, skip its line and any indented continuation lines (the body of a
// block whose head was wrong) so one mistake gives one error.
struct skip_statement
    : seq<plus<not_one<'\n'>>, star<seq<eol, sor<one<' ', '\t', '}'>>, star<not_one<'\n'>>>>> {};
struct top_item : sor<try_catch<must<statement>>, skip_statement> {};
struct bom : TAO_PEGTL_STRING("\xEF\xBB\xBF") {};
struct file : seq<opt<bom>, ws, star<seq<not_at<eof>, top_item, ws>>, eof> {};

#undef CORDON_KW
#undef CORDON_KWTOK

}  // namespace cordon::policy::grammar
