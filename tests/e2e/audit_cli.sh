#!/bin/bash
# cordon audit's command line on files (issue #4): the fix printed by --diff applies with
# patch(1) and makes the denied call allowed (cordon explain says so), --since drops older
# denials, --follow keeps reading a log across rotation and prints the summary on SIGINT.
# Usage: audit_cli.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
CORDON=$(realpath "$1")
[[ -x $CORDON ]] || e2e_skip_all "no cordon binary at $1"
command -v patch >/dev/null || e2e_skip_all "patch(1) is not installed"
T=$(mktemp -d /tmp/cordon-audit-cli.XXXXXX)
trap 'e2e_release_cgroups; rm -rf "$T"' EXIT
cd "$T" || exit 2
e2e_own_cgroups
E2E_CGROUPS_AT_START=$(cordon_cgroups)

# seccomp LINE: a raw auditd SECCOMP record of x86_64 syscall NR at TIME with SERIAL.
seccomp() {
  printf 'type=SECCOMP msg=audit(%s:%s): auid=0 uid=0 gid=0 ses=1 pid=77 comm="app" exe="/usr/bin/app" sig=0 arch=c000003e syscall=%s compat=0 ip=0x1 code=0x50000\n' "$1" "$2" "$3"
}

cat >app.cordon <<'EOF'
cordon 1
name "app"
syscalls {
  default errno EPERM log
  allow read write exit_group
  errno EPERM log mprotect, mincore
}
EOF
{
  seccomp 1700000000.100 1 39  # getpid: the default
  seccomp 1700000000.200 2 10  # mprotect: named with mincore
  seccomp 1700000000.300 3 101 # ptrace: the default, but leave it denied
  seccomp 1600000000.000 4 63  # uname, long before --since
} >audit.log

check_diff_applies() {
  LASTCMD="cordon audit --diff --policy app.cordon audit.log"
  OUT=$("$CORDON" audit --diff --policy app.cordon audit.log 2>"$T/err")
  RC=$?
  ERR=$(<"$T/err")
  expect_rc diff-exit 0
  expect_in diff-adds-getpid '^\+  allow getpid$' "the patch" "$OUT"
  expect_in diff-takes-mprotect-out '^\+  errno EPERM log mincore$' "the patch" "$OUT"
  if grep -q 'ptrace' <<<"$OUT"; then fail diff-leaves-ptrace "expected no ptrace change, got: $OUT"; else pass diff-leaves-ptrace; fi
  LASTCMD="patch -p0 < fix.diff"
  printf '%s\n' "$OUT" >fix.diff
  patch -s -p0 <fix.diff >"$T/out" 2>&1
  RC=$?
  OUT=$(<"$T/out")
  expect_rc diff-patch-applies 0
  local call
  for call in getpid mprotect; do
    LASTCMD="cordon explain app.cordon $call"
    OUT=$("$CORDON" explain app.cordon "$call" 2>&1)
    expect_in "diff-makes-$call-allowed" "filter result: ALLOW" "cordon explain" "$OUT"
  done
  LASTCMD="cordon explain app.cordon mincore"
  OUT=$("$CORDON" explain app.cordon mincore 2>&1)
  expect_in diff-keeps-mincore-denied "filter result: ERRNO" "cordon explain" "$OUT"
  # Once applied, the same log has nothing left to fix.
  OUT=$("$CORDON" audit --diff --policy app.cordon audit.log 2>&1 >/dev/null)
  expect_in diff-nothing-left "no policy change to suggest" "stderr" "$OUT"
}

check_since() {
  LASTCMD="cordon audit --json --no-registry --since @1650000000 audit.log"
  OUT=$("$CORDON" audit --json --no-registry --since @1650000000 audit.log 2>"$T/err")
  ERR=$(<"$T/err")
  expect since-keeps-newer 3 "$(grep -c '"syscall"' <<<"$OUT")"
  if grep -q '"uname"' <<<"$OUT"; then fail since-drops-older "uname (1600000000) is before --since"; else pass since-drops-older; fi
  expect_in since-counted "1 before --since" "the summary" "$ERR"
  LASTCMD="cordon audit --since yesterday-ish audit.log"
  "$CORDON" audit --since yesterday-ish audit.log >/dev/null 2>"$T/err"
  RC=$?
  ERR=$(<"$T/err")
  expect_rc since-bad-time 2
  expect_in since-bad-time-says "--since yesterday-ish: not a time" "stderr" "$ERR"
}

check_follow_rotation() {
  seccomp 1700000001.000 10 39 >live.log
  "$CORDON" audit --follow --no-registry live.log >"$T/fout" 2>"$T/ferr" &
  local pid=$!
  sleep 1
  mv live.log live.log.1
  seccomp 1700000001.100 11 40 >>live.log.1 # written to the old file after the rename
  seccomp 1700000001.200 12 41 >live.log    # the new file
  sleep 1.5
  kill -INT "$pid"
  wait "$pid"
  RC=$?
  OUT=$(<"$T/fout") ERR=$(<"$T/ferr")
  LASTCMD="cordon audit --follow live.log (rotated)"
  expect_rc follow-exit-on-sigint 0
  local c
  for c in getpid sendfile socket; do
    expect_in "follow-sees-$c" "denied $c \(x86_64" "the output" "$OUT"
  done
  expect_in follow-summary "3 lines, 3 records, 3 denials \(3 distinct\)" "stderr" "$ERR"
}

# With audit enabled the event also has the SYSCALL record: the fix allows the value seen.
check_argument_condition() {
  cat >net.cordon <<'EOF2'
cordon 1
syscalls {
  default errno EPERM log
  allow read write exit_group
}
EOF2
  {
    seccomp 1700000002.000 20 41
    printf 'type=SYSCALL msg=audit(1700000002.000:20): arch=c000003e syscall=41 success=no exit=-1 a0=10 a1=80003 a2=0 a3=0 items=0 ppid=1 pid=77 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="app" exe="/usr/bin/app" key=(null)
'
  } >net.log
  LASTCMD="cordon audit --diff --policy net.cordon net.log"
  OUT=$("$CORDON" audit --diff --policy net.cordon net.log 2>"$T/err")
  ERR=$(<"$T/err")
  expect_in diff-argument-condition '^\+  allow socket if family == 16$' "the patch" "$OUT"
  printf '%s\n' "$OUT" | patch -s -p0 >/dev/null 2>&1
  OUT=$("$CORDON" explain net.cordon socket AF_NETLINK 2>&1)
  expect_in diff-condition-allows-netlink "filter result: ALLOW" "cordon explain socket AF_NETLINK" "$OUT"
  OUT=$("$CORDON" explain net.cordon socket AF_INET 2>&1)
  expect_in diff-condition-not-inet "filter result: ERRNO" "cordon explain socket AF_INET" "$OUT"
}

check_diff_applies
check_argument_condition
check_since
check_follow_rotation
e2e_finish
