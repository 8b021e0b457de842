#!/usr/bin/env python3
"""Generates cordon's table of named constants from the system headers.

Run by CMake at build time (policy/constants.cmake); nothing in the output is typed by hand:

  1. `CC -dM -E` over HEADERS lists every object-like macro; `CC -E` over the same headers gives
     the enumerators of anonymous and tagged enums (glibc declares PER_*, ADDR_NO_RANDOMIZE and
     friends only as enumerators, without a `#define X X`).
  2. Names are kept when they match PREFIXES or NAMES. Errno names (E*) come only from <errno.h>
     so that termios' ECHO or EXTA are not mistaken for errors.
  3. Every candidate is test-compiled with the C++ compiler as
     `constexpr uint64_t x = static_cast<uint64_t>(NAME);` under -Wall -Wextra -Werror; names
     that fail (pointer casts like MAP_FAILED, run-time values like SIGRTMIN or SIGSTKSZ,
     ioctls on structs the headers do not declare) are dropped and listed in the output's
     header comment.
  4. The outputs hold names only; the compiler evaluates the values when constants.cc includes
     them together with the same headers:

       cordon_constants_headers.inc  the #include lines (HEADERS)
       cordon_constants.inc          {"AF_INET", static_cast<uint64_t>(AF_INET)},  sorted by name
       cordon_errno.inc              {"EAGAIN", EAGAIN, false},  {"EWOULDBLOCK", EWOULDBLOCK, true},
                                     the flag marks aliases (a macro defined as another E-name)

Usage: gen_constants.py --cc CC --cxx CXX --out-dir DIR [--depfile FILE]
(--depfile writes the system headers read, so a libc or kernel-headers upgrade regenerates.)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# Order matters only for the includes; names are deduplicated, values come from the compiler.
HEADERS = [
    "errno.h",
    "sys/socket.h",
    "netinet/in.h",
    "fcntl.h",
    "sched.h",
    "linux/sched.h",
    "sys/prctl.h",
    "sys/mman.h",
    "sys/ioctl.h",
    "termios.h",
    "linux/futex.h",
    "signal.h",
    "linux/netlink.h",
    "sys/personality.h",
]

# Name patterns of the constants a policy condition may use.
PREFIXES = [
    r"AF_\w+",  # socket families
    r"SOCK_\w+",  # socket types, SOCK_NONBLOCK, SOCK_CLOEXEC
    r"O_\w+",  # open flags
    r"AT_\w+",  # *at() flags, AT_FDCWD
    r"CLONE_\w+",  # clone flags, namespaces
    r"PR_\w+",  # prctl options
    r"MAP_\w+",  # mmap flags
    r"PROT_\w+",  # mmap protections
    r"MADV_\w+",  # madvise advice
    r"F_\w+",  # fcntl commands
    r"FUTEX_\w+",  # futex operations
    r"IPPROTO_\w+",  # IP protocols
    r"SIG[A-Z0-9]+",  # signal numbers (SIGSTKSZ is excluded below)
    r"SIG_(BLOCK|UNBLOCK|SETMASK)",  # rt_sigprocmask's `how`
    r"NETLINK_\w+",  # netlink protocols (and SOL_NETLINK options)
    r"TC\w+",  # termios ioctls (TCGETS, TCSETS*, ...) and tcsetattr actions
    r"TIOC\w+",  # tty ioctls
    r"FIO\w+",  # file ioctls
    r"SIOC\w+",  # socket ioctls
    r"PER_\w+",  # personality domains
    r"ADDR_\w+",  # personality flags
]
# Personality flags without a common prefix.
NAMES = [
    "FDPIC_FUNCPTRS",
    "MMAP_PAGE_ZERO",
    "READ_IMPLIES_EXEC",
    "SHORT_INODE",
    "STICKY_TIMEOUTS",
    "UNAME26",
    "WHOLE_SECONDS",
]
EXCLUDE = {"SIGSTKSZ"}  # a stack size, not a signal

ERRNO_HEADER = "errno.h"
ERRNO_PATTERN = re.compile(r"E[A-Z0-9]+")

NAME_RE = re.compile("(?:" + "|".join(PREFIXES) + ")")
DEFINE_RE = re.compile(r"^#define ([A-Za-z_]\w*) ?(.*)$")  # function-like macros have "("
ENUM_RE = re.compile(r"\benum\b\s*(?:[A-Za-z_]\w*\s*)?\{([^{}]*)\}", re.S)
ENUMERATOR_RE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:=|$)", re.S)

CPP_FLAGS = ["-D_GNU_SOURCE"]  # what g++ predefines, so C and C++ see the same declarations
# clang warns about the unused probe constants themselves; that is not what the probe tests.
CXX_FLAGS = ["-std=c++20", "-Wall", "-Wextra", "-Werror", "-Wno-unused-const-variable", "-fsyntax-only"]


def run(cmd, stdin):
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"gen_constants: {' '.join(cmd)} failed:\n{proc.stderr}")
    return proc.stdout


def includes(headers):
    return "".join(f"#include <{h}>\n" for h in headers)


def macros(cc, headers):
    """Object-like macros: name -> body."""
    out = run([cc, *CPP_FLAGS, "-x", "c", "-dM", "-E", "-"], includes(headers))
    result = {}
    for line in out.splitlines():
        m = DEFINE_RE.match(line)
        if m and not line.startswith(f"#define {m.group(1)}("):
            result[m.group(1)] = m.group(2).strip()
    return result


def enumerators(cc, headers):
    out = run([cc, *CPP_FLAGS, "-x", "c", "-E", "-P", "-"], includes(headers))
    names = set()
    for body in ENUM_RE.findall(out):
        for item in body.split(","):
            m = ENUMERATOR_RE.match(item)
            if m:
                names.add(m.group(1))
    return names


def wanted(name):
    return name not in EXCLUDE and (NAME_RE.fullmatch(name) or name in NAMES)


def compiles(cxx, names):
    """The subset of names that are integer constant expressions in C++."""
    names = list(names)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.cc")
        for _ in range(20):
            header = "#include <cstdint>\n" + includes(HEADERS)
            first = header.count("\n") + 1
            body = "".join(
                f"constexpr uint64_t probe_{i} = static_cast<uint64_t>({n});\n"
                for i, n in enumerate(names)
            )
            with open(src, "w") as f:
                f.write(header + body)
            proc = subprocess.run([cxx, *CXX_FLAGS, src], capture_output=True, text=True)
            if proc.returncode == 0:
                return set(names)
            bad = {
                int(line) - first
                for line in re.findall(re.escape(src) + r":(\d+):", proc.stderr)
                if int(line) >= first
            }
            if not bad:
                sys.exit(f"gen_constants: probe failed outside the probe lines:\n{proc.stderr}")
            names = [n for i, n in enumerate(names) if i not in bad]
    sys.exit("gen_constants: probe did not converge")


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cc", required=True, help="C compiler used for -dM -E")
    ap.add_argument("--cxx", required=True, help="C++ compiler used to test-compile names")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--depfile", help="write a Makefile-style list of the headers read")
    args = ap.parse_args()

    defined = macros(args.cc, HEADERS)
    candidates = {n for n in defined if wanted(n)}
    candidates |= {n for n in enumerators(args.cc, HEADERS) if wanted(n)}

    errno_macros = {n: v for n, v in macros(args.cc, [ERRNO_HEADER]).items()
                    if ERRNO_PATTERN.fullmatch(n)}
    candidates |= set(errno_macros)

    kept = compiles(args.cxx, sorted(candidates))
    dropped = sorted(candidates - kept)
    names = sorted(kept)

    banner = (
        "// Generated by tools/gen_constants.py at build time; do not edit.\n"
        "// Names from `cc -dM -E` and enum declarations of: " + " ".join(HEADERS) + "\n"
    )
    dropped_note = "".join(
        f"//   {' '.join(dropped[i:i + 8])}\n" for i in range(0, len(dropped), 8))
    write_if_changed(os.path.join(args.out_dir, "cordon_constants_headers.inc"),
                     banner + includes(HEADERS))
    write_if_changed(
        os.path.join(args.out_dir, "cordon_constants.inc"),
        banner + f"// {len(names)} names; dropped (not integer constant expressions):\n" +
        dropped_note + "".join(f'{{"{n}", static_cast<uint64_t>({n})}},\n' for n in names))

    errnos = sorted(n for n in errno_macros if n in kept)
    write_if_changed(
        os.path.join(args.out_dir, "cordon_errno.inc"),
        banner + "// Errno names of <errno.h>; true marks an alias (EWOULDBLOCK for EAGAIN).\n" +
        "".join(f'{{"{n}", {n}, {"true" if errno_macros[n] in errno_macros else "false"}}},\n'
                for n in errnos))

    if args.depfile:
        target = os.path.join(args.out_dir, "cordon_constants.inc")
        deps = run([args.cc, *CPP_FLAGS, "-x", "c", "-M", "-MT", target, "-"], includes(HEADERS))
        write_if_changed(args.depfile, deps)


if __name__ == "__main__":
    main()
