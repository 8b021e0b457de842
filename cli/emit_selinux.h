// `cordon compile --emit selinux-cil` (issue #6): a CIL module for the sandbox's SELinux domain,
// built from the policy's filesystem, exec, capability and network intents. Like the other
// emitters it reads the Plan, never policy text; what SELinux cannot express is written as a
// comment naming its rule, never dropped silently. Every statement ends with `; <origin>:
// <entry>`, and `rules` keeps the same source map, so `cordon audit` can take an `avc: denied`
// record back to the filesystem entry whose type it names (cli/audit_selinux.h).
//
// SELinux decides by label, not by path: a policy entry becomes a file type of the module's own,
// a `filecon` that gives the entry's path that type (semodule -i, then restorecon), and the
// allow rules its Landlock rights map to. The module is written against the names of the
// reference policy (refpolicy: Debian's selinux-policy-default, Fedora's targeted), which a
// base must declare: user system_u, roles system_r and object_r, sensitivity s0, the
// attributes domain, file_type, port_type, node_type, and the types unconfined_t (the
// launcher's domain), tmpfs_t, proc_t, devpts_t, ptmx_t and the device nodes' types.
// tests/vm/selinux/base.cil is such a base, the smallest one; the unit test compiles every
// shipped profile's module against it with secilc.
//
// - The domain: the type of the policy's `mac { selinux "USER:ROLE:TYPE:LEVEL" }`, else
//   cordon_<policy name>_t; the role of that context (else system_r) may enter it. cordon run
//   sets it with setexeccon just before the app's exec, under no_new_privs, so the module lets
//   the launcher's domain transition (process transition, process2 nnp_transition: the base
//   needs `policycap nnp_nosuid_transition`).
// - Entry types: <domain stem>_<path>_t for each ro / rw / exec bind (cordon_demo_srv_data_t
//   for `rw /srv/data`), in the attribute file_type, labelled by `(filecon "PATH(/.*)?" any
//   …)`. Files created beneath take their directory's type. A path the host's policy labels
//   already (/usr) is relabelled for every program by that filecon; to keep the host's types,
//   leave the module's filecon out and add the host's types to the entry's attribute
//   <type>_a instead (`(typeattributeset cordon_demo_usr_t_a (usr_t bin_t lib_t))` in a module
//   of your own): the allow rules name the attribute.
// - tmpfs entries and the sandbox's root (a tmpfs cordon builds): tmpfs_t. proc: proc_t and
//   the domain's own /proc files. dev minimal: the nodes' refpolicy types.
//
//   Landlock right        SELinux permissions (on the entry's type; proc: proc_t)
//   (any)                 dir search getattr open; lnk_file read getattr; file getattr
//   read_file             file read open ioctl lock map
//   read_dir              dir read ioctl lock
//   execute               file execute execute_no_trans map entrypoint
//   write_file            file write append setattr
//   truncate              file setattr write
//   make_reg/dir/sym/sock/fifo/char/block  dir write add_name; the class's create (dir create)
//   remove_file           dir write remove_name; unlink on files, links, sockets, fifos
//   remove_dir            dir write remove_name rmdir
//   refer                 dir reparent rename; file link rename; lnk_file rename
//   ioctl_dev             chr_file ioctl (dev minimal)
//
// - capabilities keep N: capability (capability2 from 32 on) and cap_userns (the sandbox is
//   its own user namespace's root) on self; none kept: no rule.
// - network: unix stream and datagram sockets among the domain's own processes always;
//   tcp/udp sockets with network loopback or host, their ports (port_type) and addresses
//   (node_type) unrestricted: SELinux names ports by portcon types, not by number, so the
//   Landlock port rules are listed as not expressed.
// - process: fork, signals and ptrace (when seccomp lets ptrace run) within the domain, its
//   own /proc/PID files (read: refpolicy gives every domain as much); inherited descriptors, pipes
//   and sockets of the launcher (unconfined_t), /dev/null and a terminal (devpts_t) for stdio;
//   SIGCHLD to the launcher.
//
// Refused by omission: every other type, every capability not kept, mount, relabelling,
// every class a base declares and no rule here names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "launcher/plan.h"

namespace cordon::cli {

// One statement of the module and the policy rule it came from.
struct SelinuxRule {
  std::string line;    // "(allow cordon_demo_t cordon_demo_usr_t_a (file (getattr open read)))"
  std::string origin;  // the policy rule (file:line:col); "" for a built-in statement
  std::string entry;   // the policy's words: "ro /usr", "capabilities keep NET_ADMIN"
  // allow rules only: target (type or attribute), class and permissions.
  std::string target, tclass;
  std::vector<std::string> perms;
};

// A filesystem entry's type (ro / rw / exec binds: the module's own; tmpfs: tmpfs_t; proc:
// proc_t; dev minimal: one per node type).
struct SelinuxFileType {
  std::string type;        // cordon_demo_usr_t, tmpfs_t, null_device_t
  std::string target;      // what the allow rules name: <type>_a for the module's own types
  std::string entry;       // "ro /usr"
  std::string kind, path;  // "ro", "/usr"
  std::string origin;
  bool declared = false;  // a type of this module (with a filecon)
};

struct SelinuxModule {
  std::string domain;   // cordon_demo_t
  std::string context;  // the exec context: the policy's, else system_u:system_r:<domain>:s0
  std::string text;     // the CIL module, for secilc / semodule -i
  std::vector<SelinuxRule> rules;
  std::vector<SelinuxFileType> file_types;
  std::vector<std::string> not_expressed;  // also at the end of `text`, as comments
};

// The domain type: the policy's `mac { selinux }` context's type, else cordon_<name>_t (the
// policy file's stem when it has no name), characters outside [A-Za-z0-9_] as '_'.
std::string selinux_domain(const launcher::Plan& plan, const std::string& policy_path);

SelinuxModule generate_selinux(const launcher::Plan& plan, const std::string& policy_path);
std::string emit_selinux_cil(const launcher::Plan& plan, const std::string& policy_path);

// The entry whose type `type` is (nullptr when no entry's files carry it).
const SelinuxFileType* selinux_file_type(const SelinuxModule& m, std::string_view type);

// Whether the module lets its domain do every one of `perms` (blank-separated, as an AVC
// record lists them) on class `tclass` of `target` (a type or attribute the rules name).
bool selinux_allows(const SelinuxModule& m, std::string_view target, std::string_view tclass,
                    std::string_view perms);

}  // namespace cordon::cli
