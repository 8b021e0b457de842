#!/usr/bin/env python3
"""Generates policy/syscall_signatures.inc from the running kernel's syscall trace events.

Usage (as root; the output is checked in, so this runs only when refreshing the table):

  mkdir -p /tmp/tracefs && mount -t tracefs nodev /tmp/tracefs
  tools/gen_syscall_signatures.py /tmp/tracefs > policy/syscall_signatures.inc

Every events/syscalls/sys_enter_NAME/format lists the arguments of SYSCALL_DEFINEn(NAME, ...)
as `field:TYPE NAME; offset:..; size:8; signed:..;` after the common fields and __syscall_nr.
The event size is always 8 (the register); what matters to a seccomp filter is the width the
kernel really uses after SYSCALL_DEFINE casts the register to TYPE, which BITS below gives for
every type the kernel uses. An unknown type stops the generator: a wrong width would let a
filter compare bits the kernel ignores (or ignore bits it uses), so it must be decided by a
person, here, not guessed.

Names: tracefs names the event after the SYSCALL_DEFINE, which is not always the name of the
syscall in the architecture's table (x86_64: `stat` is sys_newstat, `umount2` is sys_umount).
RENAMES maps those to the syscall names libseccomp (and so the policy language) uses; a rename
is applied only when libseccomp does not know the tracefs name as a native syscall and knows
the target as one. The names libseccomp still does not know (syscalls newer than the installed
libseccomp) are kept and listed on stderr.
"""

import ctypes
import ctypes.util
import os
import platform
import re
import sys

# Width in bits of each argument type after SYSCALL_DEFINE's cast (x86_64, LP64). `const` and
# `volatile` are ignored. Pointers (a `*` in the type, or a pointer typedef below) are 64.
BITS = {
    # 64: long-sized integers.
    "long": 64,
    "unsigned long": 64,
    "size_t": 64,  # __kernel_size_t = unsigned long
    "off_t": 64,  # __kernel_off_t = long
    "loff_t": 64,  # long long
    "u64": 64,
    "__u64": 64,
    "aio_context_t": 64,  # __kernel_ulong_t
    # 32: int-sized integers; the upper half of the register is ignored by the kernel.
    "int": 32,
    "unsigned int": 32,
    "unsigned": 32,
    "u32": 32,
    "__u32": 32,
    "__s32": 32,
    "pid_t": 32,  # __kernel_pid_t = int
    "uid_t": 32,  # __kernel_uid32_t = unsigned int
    "gid_t": 32,  # __kernel_gid32_t = unsigned int
    "qid_t": 32,  # __kernel_uid32_t
    "key_t": 32,  # __kernel_key_t = int
    "key_serial_t": 32,  # int32_t
    "clockid_t": 32,  # __kernel_clockid_t = int
    "timer_t": 32,  # __kernel_timer_t = int
    "mqd_t": 32,  # __kernel_mqd_t = int
    "rwf_t": 32,  # __kernel_rwf_t = int
    "enum landlock_rule_type": 32,  # enum with small values: int-sized
    # 16.
    "umode_t": 16,  # unsigned short
    "u16": 16,
    "__u16": 16,
}
# Typedefs that are pointers although their spelling has no `*`.
POINTER_TYPEDEFS = {
    "cap_user_header_t",  # struct __user_cap_header_struct __user *
    "cap_user_data_t",  # struct __user_cap_data_struct __user *
}

# tracefs (SYSCALL_DEFINE) name -> syscall table name, from arch/x86/entry/syscalls/syscall_64.tbl.
RENAMES = {
    "newstat": "stat",
    "newlstat": "lstat",
    "newfstat": "fstat",
    "newuname": "uname",
    "sendfile64": "sendfile",
    "umount": "umount2",
}

FIELD_RE = re.compile(r"^\s*field:(.+?)\s*([A-Za-z_]\w*);\s*offset:\d+;\s*size:(\d+);")
SCMP_ERROR = -1  # __NR_SCMP_ERROR: a name libseccomp does not know on any architecture


def fail(msg):
    sys.exit(f"gen_syscall_signatures: {msg}")


def normalize(ctype):
    words = [w for w in ctype.replace("*", " * ").split() if w not in ("const", "volatile")]
    return " ".join(words).replace(" *", "*")


def classify(ctype, where):
    """(pointer, bits) of a C type, or exit."""
    t = normalize(ctype)
    if "*" in t or t in POINTER_TYPEDEFS:
        return True, 64
    if t not in BITS:
        fail(f"{where}: unknown argument type `{ctype}`; add it to BITS with its width")
    return False, BITS[t]


def parse(path, name):
    """The argument list (name, type, pointer, bits) of one sys_enter format file."""
    with open(path) as f:
        lines = f.read().splitlines()
    args, seen_nr = [], False
    for line in lines:
        m = FIELD_RE.match(line)
        if not m:
            continue
        ctype, field, size = m.group(1), m.group(2), int(m.group(3))
        if field == "__syscall_nr":
            seen_nr = True
            continue
        if not seen_nr:
            continue  # common_* fields
        if size != 8:
            fail(f"{path}: field {field} has size {size}, expected 8")
        pointer, bits = classify(ctype, f"{name}.{field}")
        args.append((field, " ".join(ctype.split()), pointer, bits))
    if not seen_nr:
        fail(f"{path}: no __syscall_nr field")
    if len(args) > 6:
        fail(f"{path}: {len(args)} arguments")
    return args


def libseccomp():
    lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2")
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    return lambda name: lib.seccomp_syscall_resolve_name(name.encode())


def main():
    if len(sys.argv) != 2:
        fail("usage: gen_syscall_signatures.py TRACEFS_DIR > policy/syscall_signatures.inc")
    events = os.path.join(sys.argv[1], "events", "syscalls")
    if not os.path.isdir(events):
        fail(f"{events}: not a directory (is tracefs mounted there?)")
    resolve = libseccomp()

    table = {}
    renamed, unknown = [], []
    for entry in sorted(os.listdir(events)):
        if not entry.startswith("sys_enter_"):
            continue
        name = entry[len("sys_enter_"):]
        args = parse(os.path.join(events, entry, "format"), name)
        native = resolve(name) >= 0
        target = RENAMES.get(name)
        if not native and target and resolve(target) >= 0:
            renamed.append(f"{name}->{target}")
            name = target
        elif resolve(name) == SCMP_ERROR:
            unknown.append(name)
        if name in table:
            fail(f"two events for syscall {name}")
        table[name] = args

    print(f"gen_syscall_signatures: {len(table)} syscalls", file=sys.stderr)
    print(f"  renamed to libseccomp's names: {' '.join(renamed) or '(none)'}", file=sys.stderr)
    print(f"  unknown to libseccomp (kept): {' '.join(unknown) or '(none)'}", file=sys.stderr)

    out = sys.stdout
    out.write(
        "// Generated by tools/gen_syscall_signatures.py; do not edit. Regenerate with:\n"
        "//   mount -t tracefs nodev /tmp/tracefs\n"
        "//   tools/gen_syscall_signatures.py /tmp/tracefs > policy/syscall_signatures.inc\n"
        f"// Source: kernel {platform.release()} ({platform.machine()}), "
        f"{len(table)} sys_enter_* events.\n"
        f"// Renamed to libseccomp's names: {' '.join(renamed) or '(none)'}\n"
        f"// Unknown to the libseccomp that generated this: {' '.join(unknown) or '(none)'}\n"
        "// {name, nargs, {{arg, type, pointer, bits}, ...}}\n")
    for name in sorted(table):
        args = table[name]
        cells = ", ".join(
            f'{{"{a}", "{t}", {"true" if p else "false"}, {b}}}' for a, t, p, b in args)
        out.write(f'{{"{name}", {len(args)}, {{{cells}}}}},\n')


if __name__ == "__main__":
    main()
