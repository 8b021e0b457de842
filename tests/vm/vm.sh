#!/bin/bash
# tests/vm/vm.sh: boots a real Debian kernel under qemu (TCG, no KVM needed) with an initramfs
# built here, runs one guest suite (tests/vm/suites/NAME.sh) as the guest's only job, and turns
# the guest's result lines into this test's pass/fail.
#
# Usage: vm.sh CORDON_BINARY PROBES_DIR SOURCE_DIR CACHE_DIR SUITE
#   CORDON_BINARY  the cordon binary to test (copied, debug info stripped, into the initramfs)
#   PROBES_DIR     build/tests/probes (copied to /opt/cordon/probes in the guest)
#   SOURCE_DIR     the source tree (profiles/, tests/vm/)
#   CACHE_DIR      a directory in the BUILD tree: the kernel package is downloaded and unpacked
#                  here once; the initramfs and the serial log of each run are written here
#   SUITE          a suite name (tests/vm/suites/SUITE.sh)
#
# Environment (all optional):
#   CORDON_VM_KERNEL_PACKAGE  the Debian package holding the kernel (default: the one the meta
#                             package linux-image-cloud-amd64 names, its -unsigned variant)
#   CORDON_VM_TIMEOUT         seconds qemu may run (default 300; a boot takes ~3 s under TCG,
#                             the suite most of the rest)
#   CORDON_VM_SMP             guest CPUs (default 2)
#   CORDON_VM_VERBOSE=1       prints the whole serial log, also when every check passed
#
# Output follows tests/e2e/lib.bash: one line per check (`ok   root   NAME  (note)`,
# `FAIL unpriv NAME: why` with the command and its output indented, `SKIP …`, `NOTE …`),
# then `-- vm.SUITE: N ok, N failed, N skipped`. Exit 0 when every check passed, 1 when one
# failed or the guest did not finish, 77 (ctest: skipped) with a SKIPPED banner when qemu,
# busybox-static or the kernel cannot be had.
#
# The guest: the kernel's rootfs is copied to a tmpfs and switch_root'ed into (pivot_root, which
# cordon uses, is refused on the initial rootfs), proc/sys/devtmpfs are mounted, cgroup2 alone
# at /sys/fs/cgroup (nsdelegate, as systemd mounts it) with every controller enabled in the
# root's cgroup.subtree_control, and the suite runs as root in the root cgroup. Its result
# lines carry the prefix "@@VM "; "@@VM-DONE" ends a suite that ran to its end.

set -u
set -o pipefail

die() { echo "vm.sh: $*" >&2; exit 2; }
skip_all() {
  echo "########################################################################"
  echo "SKIPPED vm.${SUITE:-?}: $*"
  echo "########################################################################"
  exit 77
}

[[ $# -eq 5 ]] || die "usage: $0 CORDON_BINARY PROBES_DIR SOURCE_DIR CACHE_DIR SUITE"
CORDON=$1
PROBES=$2
SRC=$3
CACHE=$4
SUITE=$5
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE_FILE="$HERE/suites/$SUITE.sh"
TIMEOUT=${CORDON_VM_TIMEOUT:-300}
SMP=${CORDON_VM_SMP:-2}

[[ -f $SUITE_FILE ]] || die "no suite $SUITE_FILE"
[[ -x $CORDON ]] || skip_all "no cordon binary at $CORDON"
[[ -d $PROBES ]] || skip_all "no probes directory $PROBES (ninja -C build)"
[[ -d $SRC/profiles ]] || die "no profiles in $SRC"
mkdir -p "$CACHE" || die "cannot create $CACHE"
CACHE=$(cd "$CACHE" && pwd)

# --- the tools ----------------------------------------------------------------------------
# Only what Debian ships: qemu-system-x86 (qemu-system-x86_64), busybox-static (a static
# /bin/busybox, the guest's userland) and the kernel package, fetched with apt-get download.
[[ $(uname -m) == x86_64 ]] || skip_all "the VM tests boot an amd64 kernel; this host is $(uname -m)"
command -v qemu-system-x86_64 >/dev/null ||
  skip_all "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
BUSYBOX=""
for b in /bin/busybox /usr/bin/busybox; do
  # busybox-static's binary; the dynamic one of package busybox would need its libraries.
  if [[ -x $b ]] && ! ldd "$b" >/dev/null 2>&1; then BUSYBOX=$b; break; fi
done
[[ -n $BUSYBOX ]] || skip_all "no static busybox (Debian package busybox-static)"
for t in gzip ldd find; do command -v $t >/dev/null || skip_all "$t is not installed"; done

# --- the kernel ---------------------------------------------------------------------------
# Downloaded once into CACHE/kernel/PACKAGE/ and unpacked with dpkg -x; later runs reuse it.
kernel_package() {
  if [[ -n ${CORDON_VM_KERNEL_PACKAGE:-} ]]; then echo "$CORDON_VM_KERNEL_PACKAGE"; return; fi
  local dep
  dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)
  [[ -n $dep ]] || return 1
  if apt-cache show "$dep-unsigned" >/dev/null 2>&1; then echo "$dep-unsigned"; else echo "$dep"; fi
}

fetch_kernel() {
  local pkg dir deb
  pkg=$(kernel_package)
  if [[ -z $pkg ]] && [[ $(id -u) -eq 0 ]]; then
    apt-get update >/dev/null 2>&1
    pkg=$(kernel_package)
  fi
  if [[ -z $pkg ]]; then
    # No package index: any kernel downloaded earlier will do.
    KERNEL=$(ls -1 "$CACHE"/kernel/*/boot/vmlinuz-* 2>/dev/null | tail -n1)
    [[ -n $KERNEL ]] && return 0
    skip_all "cannot name a Debian cloud kernel (apt-cache depends linux-image-cloud-amd64 found none)"
  fi
  dir="$CACHE/kernel/$pkg"
  KERNEL=$(ls -1 "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1)
  [[ -n $KERNEL ]] && return 0
  mkdir -p "$CACHE/kernel/download"
  rm -f "$CACHE"/kernel/download/*.deb
  echo "vm.sh: downloading the kernel package $pkg into $CACHE/kernel"
  (cd "$CACHE/kernel/download" && apt-get download "$pkg") >"$CACHE/kernel/download.log" 2>&1 ||
    { [[ $(id -u) -eq 0 ]] && apt-get update >/dev/null 2>&1 &&
      (cd "$CACHE/kernel/download" && apt-get download "$pkg") >>"$CACHE/kernel/download.log" 2>&1; } ||
    skip_all "apt-get download $pkg failed: $(tail -n1 "$CACHE/kernel/download.log")"
  deb=$(ls -1 "$CACHE"/kernel/download/*.deb 2>/dev/null | head -n1)
  [[ -n $deb ]] || skip_all "apt-get download $pkg left no .deb"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" && dpkg -x "$deb" "$dir.tmp" ||
    skip_all "dpkg -x $deb failed"
  rm -f "$deb"
  # Only boot/ is used (vmlinuz, config): the serial console and the initramfs need no module.
  find "$dir.tmp" -mindepth 1 -maxdepth 1 ! -name boot -exec rm -rf {} +
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  KERNEL=$(ls -1 "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1)
  [[ -n $KERNEL ]] || skip_all "$pkg holds no boot/vmlinuz-*"
}
KERNEL=""
# One download at a time when several suites run at once (ctest -j).
if command -v flock >/dev/null; then
  exec 9>"$CACHE/kernel.lock"
  flock 9
fi
fetch_kernel
exec 9>&-

# --- the initramfs ------------------------------------------------------------------------
WORK="$CACHE/run-$SUITE"
ROOT="$WORK/root"
rm -rf "$WORK"
mkdir -p "$ROOT" || die "cannot create $ROOT"

# Debian's merged-/usr layout, so that paths ldd prints (/lib/x86_64-linux-gnu/…,
# /lib64/ld-linux-x86-64.so.2) and the shipped profiles' binds (/usr /bin /lib…) hold.
mkdir -p "$ROOT"/usr/{bin,sbin,lib,lib64} "$ROOT"/{etc,proc,sys,dev,tmp,run,root,newroot} \
  "$ROOT"/opt/cordon/{bin,vm}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOT/$d"; done
chmod 1777 "$ROOT/tmp"

cp "$BUSYBOX" "$ROOT/usr/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [[ $applet == busybox ]] && continue
  ln -sf busybox "$ROOT/usr/bin/$applet"
done

# copy_prog SRC DEST-IN-GUEST: the program and every library ldd names for it, each at its
# directory's real path (so /lib64/ld-linux-x86-64.so.2 lands in usr/lib64 behind the link).
copy_libs() {
  local lib dir
  for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
    [[ -e $lib ]] || continue
    dir=$(realpath "$(dirname "$lib")")
    [[ -e $ROOT$dir/$(basename "$lib") ]] && continue
    mkdir -p "$ROOT$dir"
    cp -L "$lib" "$ROOT$dir/$(basename "$lib")" || die "cannot copy $lib"
  done
}
copy_prog() {
  mkdir -p "$ROOT$(dirname "$2")"
  rm -f "$ROOT$2"  # never through a busybox applet's link
  cp -L "$1" "$ROOT$2" || die "cannot copy $1"
  chmod 755 "$ROOT$2"
  copy_libs "$1"
}

# cordon without its debug information (tens of MiB less to compress and unpack under TCG).
if command -v strip >/dev/null; then
  strip --strip-debug -o "$ROOT/opt/cordon/bin/cordon" "$CORDON" || die "strip $CORDON failed"
  chmod 755 "$ROOT/opt/cordon/bin/cordon"
  copy_libs "$CORDON"
else
  copy_prog "$CORDON" /opt/cordon/bin/cordon
fi
mkdir -p "$ROOT/opt/cordon/probes"
for p in "$PROBES"/*; do
  [[ -f $p && -x $p ]] || continue
  copy_prog "$p" "/opt/cordon/probes/$(basename "$p")"
done
# util-linux's setpriv (busybox's has no --reuid); strace when the host has it (the suites
# SKIP what needs it otherwise).
command -v setpriv >/dev/null && copy_prog "$(command -v setpriv)" /usr/bin/setpriv
command -v strace >/dev/null && copy_prog "$(command -v strace)" /usr/bin/strace
# AppArmor's parser (Debian package apparmor) and the abi files the generated profiles name;
# the suites that need it SKIP loudly without it.
for p in /usr/sbin/apparmor_parser /sbin/apparmor_parser; do
  [[ -x $p ]] || continue
  copy_prog "$p" /usr/sbin/apparmor_parser
  mkdir -p "$ROOT/etc/apparmor.d" "$ROOT/etc/apparmor"
  [[ -d /etc/apparmor.d/abi ]] && cp -r /etc/apparmor.d/abi "$ROOT/etc/apparmor.d/"
  [[ -f /etc/apparmor/parser.conf ]] && cp /etc/apparmor/parser.conf "$ROOT/etc/apparmor/"
  # parser.conf pins Debian's policy feature set (policy-features=…): the file it names.
  [[ -d /usr/share/apparmor-features ]] && mkdir -p "$ROOT/usr/share" &&
    cp -r /usr/share/apparmor-features "$ROOT/usr/share/"
  break
done

# SELinux (the selinux suite): secilc (Debian package secilc) compiles the minimal base and the
# module cordon generates in the guest; coreutils' chcon (linked with libselinux) labels files
# (busybox's has no SELinux applets). The suite SKIPs loudly without them.
if command -v secilc >/dev/null; then
  copy_prog "$(command -v secilc)" /usr/bin/secilc
  cp -r "$HERE/selinux" "$ROOT/opt/cordon/vm/selinux"
fi
[[ -x /usr/bin/chcon ]] && ldd /usr/bin/chcon 2>/dev/null | grep -q libselinux &&
  copy_prog /usr/bin/chcon /usr/bin/chcon

cp -r "$SRC/profiles" "$ROOT/opt/cordon/profiles"
cp -r "$HERE/policies" "$HERE/guest/lib.sh" "$ROOT/opt/cordon/vm/"
cp "$SUITE_FILE" "$ROOT/opt/cordon/vm/suite.sh"
cp "$HERE/guest/init" "$ROOT/init"
chmod 755 "$ROOT/init"
printf '%s\n' "$SUITE" >"$ROOT/opt/cordon/vm/suite-name"

cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf '/usr/lib/x86_64-linux-gnu\n/usr/lib64\n/usr/lib\n' >"$ROOT/etc/ld.so.conf"
ldconfig -r "$ROOT" 2>/dev/null || true
chmod -R a+rX "$ROOT/opt" "$ROOT/usr" "$ROOT/etc"

INITRD="$WORK/initrd.gz"
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) |
  gzip -1 >"$INITRD" || die "cannot build the initramfs"

# --- the boot -----------------------------------------------------------------------------
LOG="$WORK/serial.log"
# quiet + the guest's dmesg -n 1: the console carries the suite's lines, not the kernel's (the
# guest prints its kernel log when a check failed). random.trust_cpu: -cpu max has RDRAND,
# so nothing waits for entropy.
# A suite may add to the kernel's command line with a line "# vm-append: WORDS" (the AppArmor
# suite leaves Landlock out of the LSM list with lsm=…).
SUITE_APPEND=$(sed -n 's/^# vm-append: //p' "$SUITE_FILE" | head -n1)
APPEND="console=ttyS0 panic=-1 quiet loglevel=3 random.trust_cpu=on cordon.suite=$SUITE${SUITE_APPEND:+ $SUITE_APPEND}"
echo "vm.sh: booting $(basename "$KERNEL") ($(du -h "$INITRD" | cut -f1) initramfs) under qemu TCG, timeout ${TIMEOUT}s${SUITE_APPEND:+, with $SUITE_APPEND}"
T0=$(date +%s.%N)
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp "$SMP" -m 1024 \
  -nodefaults -no-user-config -nographic -serial stdio -no-reboot \
  -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" </dev/null >"$LOG" 2>"$WORK/qemu.err"
QRC=$?
T1=$(date +%s.%N)
tr -d '\r' <"$LOG" >"$LOG.txt"

# --- the results --------------------------------------------------------------------------
PASSES=0 FAILS=0 SKIPS=0
DONE=0 GUEST_SKIP=""
BOOTED=""
while IFS= read -r line; do
  # The console's first line carries the BIOS's escape sequences before the guest's text.
  [[ $line == *"@@VM"* ]] || continue
  line="@@VM${line#*@@VM}"
  case $line in
    "@@VM-BOOTED "*) BOOTED=${line#@@VM-BOOTED } ;;
    "@@VM-DONE"*) DONE=1 ;;
    "@@VM-SKIPALL "*) GUEST_SKIP=${line#@@VM-SKIPALL } ;;
    "@@VM ok "*) PASSES=$((PASSES + 1)); echo "${line#@@VM }" ;;
    "@@VM FAIL "*) FAILS=$((FAILS + 1)); echo "${line#@@VM }" ;;
    "@@VM SKIP "*) SKIPS=$((SKIPS + 1)); echo "${line#@@VM }" ;;
    "@@VM "*) echo "${line#@@VM }" ;;
  esac
done <"$LOG.txt"

ELAPSED=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')
echo "vm.sh: qemu ran ${ELAPSED}s (exit $QRC); guest userland up after ${BOOTED:-?}s of guest uptime"
[[ -n $GUEST_SKIP ]] && skip_all "$GUEST_SKIP (serial log: $LOG.txt)"
if [[ $DONE -eq 0 ]]; then
  FAILS=$((FAILS + 1))
  if [[ $QRC -eq 124 || $QRC -eq 137 ]]; then
    echo "FAIL -      vm-finished: the guest did not finish within ${TIMEOUT}s (qemu killed)"
  else
    echo "FAIL -      vm-finished: the guest stopped before the end of its suite (qemu exit $QRC)"
  fi
  echo "       qemu stderr: $(head -c 2000 "$WORK/qemu.err")"
  echo "       serial log ($LOG.txt), last 60 lines:"
  tail -n 60 "$LOG.txt" | sed 's/^/       | /'
elif [[ ${CORDON_VM_VERBOSE:-0} == 1 ]]; then
  sed 's/^/       | /' "$LOG.txt"
fi
echo "-- vm.$SUITE: $PASSES ok, $FAILS failed, $SKIPS skipped"
[[ $FAILS -eq 0 ]] || exit 1
exit 0
