// `cordon compile --emit apparmor` (issue #6): an AppArmor profile from the policy's
// filesystem, exec, capability and network intents. Like the other emitters it reads the Plan,
// never policy text, and what AppArmor cannot express is written as a comment naming its rule,
// never dropped silently. Every rule line carries `# <origin>: <entry>`, and `rules` keeps the
// same source map so `cordon audit` can take an `apparmor="DENIED"` record back to the
// filesystem entry that wrote the line (rule_for).
//
// The profile (AppArmor 3.0 syntax, `abi <abi/3.0>,`; self-contained: no tunables, no
// abstractions, so it parses wherever /etc/apparmor.d holds only abi/3.0):
//
// - Name: `cordon-<policy name>` (characters outside [A-Za-z0-9._+-] become '-'); a `mac {
//   apparmor NAME }` entry names it instead (the launcher asks for that name), and
//   AppArmorOptions::profile_name overrides both.
// - No attachment: the name does not start with '/', so no executable path selects it. cordon
//   opens the command as a descriptor and starts it with execveat; the launcher enters the
//   profile with aa_change_onexec just before (the DESIGN's "MAC exec label" stage).
// - flags=(attach_disconnected,mediate_deleted): the app runs in a private mount namespace
//   after pivot_root, and AppArmor names a file by its path from that namespace's root. cordon
//   binds every host path at the same place, so those are the host's names and the rules use
//   them as written in the policy. A descriptor opened outside the namespace (the caller's
//   stdio, passed fds) is on a mount the namespace does not hold — "disconnected" — and
//   attach_disconnected names it by its path where it is mounted instead of refusing every
//   access to it. AppArmor checks inherited descriptors against the new profile at exec and
//   swaps those it does not allow for its null device (Landlock, which checks at open, lets
//   them be used): a file passed in from outside every entry is lost at exec; pipes are not
//   mediated, unix sockets are allowed below.
//   mediate_deleted checks a file unlinked while open (a tmpfile) by its former name, so one in
//   /tmp is still covered by the tmpfs entry.
//
// Mapping. File rights follow the Plan's Landlock rights of each path exactly (the mount
// makes ro entries read-only whatever a rule says):
//
//   Landlock right on P            AppArmor
//   read_dir                       `P/ r,` and the directories beneath (`P/** …` covers them)
//   read_file                      r, and k (locks: Landlock does not mediate locking)
//   execute                        ix (exec, staying in this profile) and m (mmap PROT_EXEC of
//                                  libraries: Landlock does not mediate mmap)
//   write_file                     w (AppArmor's w also creates, deletes, truncates)
//   make_reg                       l (hard links)
//   (none of read_dir)             `P/**[^/]`: files beneath only, not directories
//
//   entry            Landlock rights                   AppArmor lines
//   ro P             read, execute                     `P/ r,`  `P mrkix,`  `P/** mrkix,`
//   rw P             ro's + write, make, remove…       `P/ r,`  `P mrwlkix,`  `P/** mrwlkix,`
//   exec P           read_file, execute                `P mrkix,`  `P/**[^/] mrkix,`
//   tmpfs P          read + write (no execute)         `P/ r,`  `P/** rwlk,`
//   proc             read on /proc                     `/proc/ r,`  `/proc/** rk,`
//   dev minimal      read, write_file, ioctl_dev       `/dev/ r,` `/dev/**/ r,` and the nodes:
//                                                      `/dev/{null,zero,full,random,urandom,
//                                                      tty} rwk,`  `/dev/pts/* rwk,` (ptmx too)
//   (no dev minimal) —                                 `/dev/null rw,` `/dev/pts/[0-9]* rw,`
//                                                      (built-in: the caller's stdio, checked
//                                                      at exec; the sandbox has no /dev then)
//   capabilities keep N…                               `capability n,` each (none: no rule, so
//                                                      every capability is refused)
//   network + socket's seccomp rows                    `network unix,` `unix,` always (IPC in
//                                                      the sandbox); each other family seccomp
//                                                      lets socket() create, as
//                                                      `network FAMILY,` (inet and inet6 only
//                                                      with network loopback|host); `network,`
//                                                      when seccomp does not limit families and
//                                                      the network is loopback or host
//   limits nofile nproc core fsize stack as            `set rlimit NAME <= VALUE,` (the same
//                                                      hard limit, applied again at exec)
//   (always)                                           `signal (receive),` from anyone (cordon's
//                                                      PID 1 and supervisor forward and send
//                                                      them); `signal (send)` and `ptrace (read,
//                                                      readby)` only to this profile's own
//                                                      processes; `ptrace (trace, tracedby)`
//                                                      within the profile when seccomp lets
//                                                      ptrace run
//
// Refused by omission: mount, umount, pivot_root, change_profile, signals and ptrace to any
// other profile, every capability not kept, every path not listed. Written as comments: the
// system-call filter and its argument conditions, Landlock port rules and the
// abstract-unix-socket scope, cgroup limits, walltime, the loopback/host distinction (AppArmor
// 3.0 has no address or port rules), ioctl (not mediated).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "launcher/plan.h"

namespace cordon::cli {

// One line of the profile and the policy rule it came from.
struct AppArmorRule {
  std::string line;    // the rule as written, without its comment: "/usr/** mrkix,"
  std::string origin;  // the policy rule (file:line:col); "" for a built-in line
  std::string entry;   // the policy's words for it: "ro /usr", "dev minimal", "capabilities"
  // File rules only (empty otherwise): the path pattern (AppArmor glob, unquoted), the
  // permission letters, and the filesystem entry's path.
  std::string glob, perms, entry_path;
};

struct AppArmorProfile {
  std::string name;
  std::string text;  // the profile file, ready for apparmor_parser
  std::vector<AppArmorRule> rules;
  std::vector<std::string> not_expressed;  // also at the end of `text`, as comments
};

struct AppArmorOptions {
  std::string profile_name;  // "" = apparmor_profile_name()
};

// The profile's name: the policy's `mac { apparmor NAME }` when it names one, else
// "cordon-<policy name>" (the policy file's stem when it has no name), sanitized.
std::string apparmor_profile_name(const launcher::Plan& plan, const std::string& policy_path);

AppArmorProfile generate_apparmor(const launcher::Plan& plan, const std::string& policy_path,
                                  const AppArmorOptions& opts = {});

// The name `cordon run` loads a policy's `apparmor generate` profile under:
// apparmor_profile_name() + "-" + the FNV-1a hash (16 hex) of the profile's rule lines. Equal
// rules, equal name: a profile root loaded serves every user whose policy comes out the same,
// and a policy that changes a rule gets a profile of its own instead of replacing the one
// running sandboxes are confined by. (Comments, which carry the policy's own hash, are left
// out: they do not change what the kernel enforces.)
std::string generated_apparmor_name(const launcher::Plan& plan, const std::string& policy_path);
std::string emit_apparmor(const launcher::Plan& plan, const std::string& policy_path,
                          const AppArmorOptions& opts = {});

// The file rule a denial of `path` maps to. `requested` is the record's requested_mask
// ("r", "wc", "x", "m"…; "" = any). In order:
//   1. a rule whose pattern matches the path and whose permissions grant every requested
//      letter (the most specific entry: the longest entry path) — the profile allows it;
//   2. a rule whose pattern matches but lacks a letter (write under `ro /usr`) — that entry;
//   3. the rule of the nearest filesystem entry above the path (/dev/sda under `dev minimal`,
//      a directory beneath an `exec` entry) — the entry the user would edit;
//   4. nullptr: no entry is at or above the path (nothing to edit but to add one).
// A built-in rule (origin "") can be returned in 1 and 2; it has no policy line.
const AppArmorRule* rule_for(const AppArmorProfile& profile, std::string_view path,
                             std::string_view requested);

// Whether an AppArmor path glob matches a path, for the forms this generator writes: `\`
// escapes, `*` (no '/'), `**`, `?`, `[…]` and `[^…]`, `{a,b}`; `/*` and `/**` match at least
// one character and not a '/' first, as apparmor_parser compiles them.
bool apparmor_glob_match(std::string_view glob, std::string_view path);

// Whether a rule's permission letters grant every letter of a record's requested_mask (c and
// d are part of w, a of w or a; letters of other classes are ignored).
bool apparmor_perms_grant(std::string_view perms, std::string_view requested);

}  // namespace cordon::cli
