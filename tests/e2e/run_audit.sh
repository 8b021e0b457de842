#!/bin/bash
# cordon audit (issue #4) end to end: a program under `cordon run` (launched as root and as
# uid 65534) trips a seccomp rule that logs; `cordon audit kmsg --policy`, read as root, finds
# the denial in /dev/kmsg and names the exact rule (line and column) and its action. Then, with
# the kernel's audit switched on for the while (and put back as it was), one sandboxed program
# trips a Landlock rule and a seccomp rule: the audit finds both and names both rules.
# Usage: run_audit.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

"$CORDON" --help 2>/dev/null | grep -qE '^  audit ' || e2e_skip_all "$CORDON has no 'audit' subcommand"
# The kernel sends audit records to kmsg only while no audit daemon is connected.
pgrep -x auditd >/dev/null && e2e_skip_all "auditd is running: the records go to it, not to /dev/kmsg"
[[ -r /dev/kmsg ]] || e2e_skip_all "/dev/kmsg is not readable"
command -v python3 >/dev/null || e2e_skip_all "python3 is not installed (it reads the JSON)"

# `cordon audit --policy` takes no --set: write the policy with ${PROBES} filled in, next to
# the policies it includes, and use that one file for both the run and the audit.
GEN="$POLICIES/audit-ptrace.gen.cordon"
sed "s|\${PROBES}|$PROBES|g" "$POLICIES/audit-ptrace.cordon" >"$GEN"
# The rule the denial must be attributed to: `errno EACCES log ptrace`, line:col of `errno`.
RULE_LINE=$(grep -n '^ *errno EACCES log ptrace' "$GEN" | cut -d: -f1)
RULE_COL=$(($(sed -n "${RULE_LINE}p" "$GEN" | sed 's/[^ ].*//' | wc -c)))
WANT_RULE="$GEN:$RULE_LINE:$RULE_COL"

# json_rows T0 COMM SYSCALL < JSON-LINES: "rule|rule_action|count|action" of each distinct
# denial of COMM's SYSCALL last seen at or after T0 (seconds since the epoch).
json_rows() {
  python3 -c '
import json, sys
t0 = float(sys.argv[1])
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    j = json.loads(line)
    if j.get("comm") != sys.argv[2] or j.get("syscall") != sys.argv[3]: continue
    if (j.get("last_time") or 0) < t0: continue
    print("{}|{}|{}|{}".format(j.get("rule"), j.get("rule_action"), j.get("count"), j.get("action")))
' "$@"
}

check_seccomp_rule_named() {
  # printk's rate limit lets a burst of 10 audit lines through per 5 s: start with a full bucket.
  sleep 5
  local t0
  t0=$(date +%s)
  crun audit-ptrace.gen -- "$PROBES/ptrace"
  if [[ $OUT != *"=EACCES"* ]]; then
    fail seccomp-denied "expected the probe's ptrace to fail with EACCES, got '$OUT'"
    return
  fi
  sleep 0.5
  local json table rows
  LASTCMD="cordon audit kmsg --json --policy $GEN"
  json=$("$CORDON" audit kmsg --json --policy "$GEN" 2>"$T/log/err")
  RC=$?
  OUT=$json ERR=$(<"$T/log/err")
  expect_rc audit-exit-status 0
  rows=$(json_rows "$t0" ptrace ptrace <<<"$json")
  if [[ -z $rows ]]; then
    fail audit-finds-denial "expected a ptrace denial from comm 'ptrace' since $t0 in the JSON"
    return
  fi
  pass audit-finds-denial "$(head -1 <<<"$rows")"
  expect audit-names-rule "$WANT_RULE" "$(head -1 <<<"$rows" | cut -d'|' -f1)"
  expect audit-rule-action "errno EACCES log" "$(head -1 <<<"$rows" | cut -d'|' -f2)"
  expect audit-action "errno" "$(head -1 <<<"$rows" | cut -d'|' -f4)"

  table=$("$CORDON" audit kmsg --policy "$GEN" 2>/dev/null)
  OUT=$table
  expect_in audit-short-line "^$WANT_RULE  errno EACCES log  denied ptrace \(x86_64 #101\) ×[0-9]+$" \
    "the table's rule lines" "$table"
  expect_in audit-leave-denied "probably leave it denied" "the table" "$table"
}


# ---- both sources: a Landlock denial and a seccomp denial of one sandboxed program ----------
#
# The kernel writes Landlock records (1423 access, 1424 domain) only while audit is enabled;
# tests/probes/auditctl turns it on for this part (over NETLINK_AUDIT, no auditd package
# needed) and the previous state is put back on every way out of the script. Seccomp records
# (1326) are written either way.
#
# The Landlock denial: audit-both.cordon binds $T/audit-ro read-only, so Landlock grants that
# directory read rights only. The caller opens $T/audit-ro/MODE (1777, so DAC lets either user
# create there) and passes it with --pass-dir-fd 9; `audittrip create 9 trip` then creates a file
# through that fd. The fd's mount is the caller's, writable, not the sandbox's read-only bind:
# only Landlock refuses (EACCES), and the same launch under tests/probes/nolandlock succeeds.
# The record names the directory ($T/audit-ro/MODE, a different path per user), which lies
# beneath the `ro` entry: the audit must name that entry's line:col. The seccomp denial:
# `audittrip ptrace 0` meets `errno EACCES log ptrace`, in the same process. The audit merges
# equal denials (same source, executable, call, path, action) whatever their pid, so each user
# runs a copy of its own ($PROBES/audittrip-MODE), and a row counts when its last_time is at
# or after the launch.
#
# Budget: one launch writes 6 kernel lines (1423, 1424 allocated, 1300 SYSCALL, 1327 PROCTITLE,
# 1326, 1424 deallocated); printk_ratelimit lets 10 through per 5 s, then drops the rest
# silently (the audit "lost" counter does not move). So: 5 s of quiet before each launch, kmsg
# polled 10 times, and a launch whose records did not all arrive (another test's records can
# use up the burst) is repeated twice at most, each time with a NOTE.

GEN2="$POLICIES/audit-both.gen.cordon"
sed -e "s|\${PROBES}|$PROBES|g" -e "s|\${T}|$T|g" "$POLICIES/audit-both.cordon" >"$GEN2"
# line:col of the first token matching REGEX on a line of GEN2 matching LINE-REGEX.
pos_in_gen2() {
  local n line col
  n=$(grep -n -E -- "$1" "$GEN2" | head -1 | cut -d: -f1)
  line=$(sed -n "${n}p" "$GEN2")
  col=$(awk -v s="$line" -v t="$2" 'BEGIN { print index(s, t) }')
  echo "$n:$col"
}
# The Landlock denial's rule: the path of `ro $T/audit-ro` (an entry's origin is its path).
LL_RULE="$GEN2:$(pos_in_gen2 "^ *ro $T/audit-ro\$" "$T/audit-ro")"
# The seccomp denial's rule: `errno EACCES log ptrace`, at `errno`.
SC_RULE="$GEN2:$(pos_in_gen2 '^ *errno EACCES log ptrace$' errno)"
mkdir -p "$T/audit-ro/root" "$T/audit-ro/unpriv"
cp "$PROBES/audittrip" "$PROBES/audittrip-root"
cp "$PROBES/audittrip" "$PROBES/audittrip-unpriv"
chmod 755 "$T/audit-ro"
chmod 1777 "$T/audit-ro/root" "$T/audit-ro/unpriv"

AUDITCTL="$PROBES/auditctl"
AUDIT_PREV=""    # the enabled state found before this script touched it
AUDIT_CHANGED=0  # 1 while this script may have it changed
# Every run of this script on the machine takes AUDIT_LOCK while it may change the state (two
# runs would save and restore each other's state, and share one printk burst), and writes the
# state to put back in AUDIT_STATE while it has it changed: a run killed before its EXIT trap
# (SIGKILL, a ctest timeout) leaves the file, and the guard below or the next run restores it.
# /run/lock is emptied at boot, when the audit state resets too.
AUDIT_LOCK=/run/lock/cordon-e2e-audit.lock
[[ -d /run/lock && -w /run/lock ]] || AUDIT_LOCK=/tmp/cordon-e2e-audit.lock
AUDIT_STATE=${AUDIT_LOCK%.lock}.prev

audit_enabled_now() { "$AUDITCTL" get 2>/dev/null | sed -n 's/^enabled //p'; }

# Puts the audit enabled state back; safe to call twice (the EXIT trap calls it again).
audit_restore() {
  [[ $AUDIT_CHANGED == 1 ]] || return 0
  if "$AUDITCTL" set "$AUDIT_PREV" >/dev/null; then
    rm -f "$AUDIT_STATE"
  else
    echo "run_audit.sh: could not restore audit enabled $AUDIT_PREV (left in $AUDIT_STATE)" >&2
  fi
  AUDIT_CHANGED=0
}

# audit_guard: a process outside this script's process group that waits for the script
# to end and then, holding the lock, restores the state AUDIT_STATE still records (only a run
# that died before its EXIT trap leaves one). It keeps its own copy of auditctl: $T goes with
# the script. It leaves the script's own cgroups first (e2e_own_cgroups): outliving the script
# inside them, it kept e2e_cleanup from removing them, and each run left one per hierarchy.
audit_guard() {
  local copy d parents=()
  copy=$(mktemp /tmp/cordon-e2e-auditctl.XXXXXX) && cp "$AUDITCTL" "$copy" && chmod 700 "$copy" ||
    return 1
  for d in "${E2E_CG_DIRS[@]}"; do parents+=("${d%/*}"); done
  # shellcheck disable=SC2016
  setsid bash -c '
    for p in "${@:5}"; do echo $$ >"$p/cgroup.procs"; done
    while kill -0 "$1" 2>/dev/null; do sleep 1; done
    exec 9>"$2"
    if flock -w 3600 9 && [[ -f $3 ]]; then
      v=$(<"$3")
      [[ $v == [01] ]] && "$4" set "$v" >/dev/null && rm -f "$3"
    fi
    rm -f "$4"
  ' audit-guard "$$" "$AUDIT_LOCK" "$AUDIT_STATE" "$copy" "${parents[@]}" </dev/null >/dev/null 2>&1 &
}
trap 'audit_restore; e2e_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# trip_launch [nolandlock] NAME [AUDITTRIP-ARGS...]: `audittrip-MODE create 9 NAME ARGS...` under
# audit-both.cordon as MODE, with $T/audit-ro/MODE passed as fd 9, --json-status to
# $T/log/status. Results in OUT, ERR, RC.
trip_launch() {
  local -a wrap=()
  if [[ $1 == nolandlock ]]; then
    wrap=("$PROBES/nolandlock")
    shift
  fi
  local name=$1
  shift
  local dir="$T/audit-ro/$MODE"
  LASTCMD="[$MODE] ${wrap[*]} cordon run -p $GEN2 --pass-dir-fd 9 --json-status 3 -- audittrip-$MODE create 9 $name $*  9<$dir"
  as_mode timeout -k 5 60 "${wrap[@]}" "$CORDON" run -p "$GEN2" --pass-dir-fd 9 --json-status 3 \
    -- "$PROBES/audittrip-$MODE" create 9 "$name" "$@" \
    >"$T/log/out" 2>"$T/log/err" </dev/null 9<"$dir" 3>"$T/log/status"
  RC=$? OUT=$(<"$T/log/out") ERR=$(<"$T/log/err")
}

# both_rows T0 EXE DIR < JSON-LINES: the denials of executable EXE last seen at or after T0:
# Landlock's of DIR as "landlock|rule|rule_action|blockers|syscall", seccomp's of ptrace as
# "seccomp|rule|rule_action|action".
both_rows() {
  python3 -c '
import json, sys
t0, exe, path = float(sys.argv[1]), sys.argv[2], sys.argv[3]
for line in sys.stdin:
    if not line.strip(): continue
    j = json.loads(line)
    if j.get("exe") != exe or (j.get("last_time") or 0) < t0: continue
    if j.get("source") == "landlock" and j.get("path") == path:
        print("landlock|{}|{}|{}|{}".format(j.get("rule"), j.get("rule_action"), j.get("blockers"), j.get("syscall")))
    if j.get("source") == "seccomp" and j.get("syscall") == "ptrace":
        print("seccomp|{}|{}|{}".format(j.get("rule"), j.get("rule_action"), j.get("action")))
' "$@" | sort -u
}

check_both_sources() {
  local dir="$T/audit-ro/$MODE"
  # Control: the same launch without Landlock creates the file, so the EACCES below is
  # Landlock's (not the mount's, not DAC's).
  trip_launch nolandlock control
  expect audit-both-control OK "$(after 'create 9 control: ')" "created when Landlock is unavailable"

  local attempt json rows t0 abi ll sc
  for attempt in 1 2 3; do
    sleep 5 # a full printk burst (see Budget above)
    t0=$(date +%s)
    trip_launch trip ptrace 0
    if [[ $(after 'create 9 trip: ') != EACCES || $(after 'ptrace 0: ') != EACCES ]]; then
      fail audit-both-denied "expected 'create 9 trip: EACCES' and 'ptrace 0: EACCES'"
      return
    fi
    abi=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["applied"]["landlock"]["abi"])' \
      <"$T/log/status" 2>/dev/null)
    # Poll: kauditd prints asynchronously.
    local i
    for ((i = 0; i < 10; i++)); do
      json=$("$CORDON" audit kmsg --json --policy "$GEN2" 2>"$T/log/audit-err")
      rows=$(both_rows "$t0" "$PROBES/audittrip-$MODE" "$dir" <<<"$json")
      [[ $(wc -l <<<"$rows") -ge 2 ]] && break 2
      sleep 0.5
    done
    if [[ ${abi:-0} -lt 7 ]] && ! grep -q '^landlock|' <<<"$rows"; then
      skip audit-both "Landlock ABI ${abi:-?} < 7 writes no audit records"
      return
    fi
    [[ $attempt -lt 3 ]] && note audit-both "attempt $attempt: not all the launch's records reached kmsg (printk rate limit?); again"
  done
  LASTCMD="cordon audit kmsg --json --policy $GEN2" RC=0 OUT=$json ERR=$(<"$T/log/audit-err")
  ll=$(grep '^landlock|' <<<"$rows")
  sc=$(grep '^seccomp|' <<<"$rows")
  if [[ -z $ll ]]; then
    OUT=$(grep -F "$T" <<<"$json")
    fail audit-both-landlock-found "expected a landlock denial of $dir by audittrip-$MODE since $t0 in the JSON"
    return
  fi
  pass audit-both-landlock-found "$ll"
  expect audit-both-landlock-rule "$LL_RULE" "$(cut -d'|' -f2 <<<"$ll")"
  expect audit-both-landlock-rule-action "ro $T/audit-ro" "$(cut -d'|' -f3 <<<"$ll")"
  expect audit-both-landlock-blockers "fs\.make_reg" "$(cut -d'|' -f4 <<<"$ll")"
  if [[ -z $sc ]]; then
    OUT=$(grep -F "$T" <<<"$json")
    fail audit-both-seccomp-found "expected a ptrace denial by audittrip-$MODE since $t0 in the JSON"
    return
  fi
  pass audit-both-seccomp-found "$sc"
  expect audit-both-seccomp-rule "$SC_RULE" "$(cut -d'|' -f2 <<<"$sc")"
  expect audit-both-seccomp-rule-action "errno EACCES log" "$(cut -d'|' -f3 <<<"$sc")"

  local table
  LASTCMD="cordon audit kmsg --policy $GEN2"
  table=$("$CORDON" audit kmsg --policy "$GEN2" 2>/dev/null)
  OUT=$(grep -F -e "$GEN2" -e audittrip <<<"$table")
  if grep -qF -- "$LL_RULE  ro $T/audit-ro  denied $dir ×" <<<"$table"; then
    pass audit-both-table-landlock
  else
    fail audit-both-table-landlock "expected a line '$LL_RULE  ro $T/audit-ro  denied $dir ×N'"
  fi
  if grep -qF -- "$SC_RULE  errno EACCES log  denied ptrace (x86_64 #101) ×" <<<"$table"; then
    pass audit-both-table-seccomp
  else
    fail audit-both-table-seccomp "expected a line '$SC_RULE  errno EACCES log  denied ptrace (x86_64 #101) ×N'"
  fi
}

# Reading the kernel log needs root under kernel.dmesg_restrict=1: uid 65534 is refused with a
# message, not shown an empty log.
check_kmsg_needs_root() {
  MODE=unpriv
  if [[ $(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null) != 1 ]]; then
    skip audit-kmsg-needs-root "kernel.dmesg_restrict is not 1"
  else
    raw "$CORDON" audit kmsg
    expect_rc audit-kmsg-needs-root 2
    expect_in audit-kmsg-needs-root-message 'dmesg_restrict' "stderr" "$ERR"
  fi
  MODE=root
}

# Runs check_both_sources as root and as uid 65534 with audit enabled, then restores the state.
audit_both_sources() {
  MODE=root LASTCMD="$AUDITCTL get" RC=0 OUT="" ERR=""
  local status daemon lock_fd
  if ! command -v flock >/dev/null || ! command -v setsid >/dev/null; then
    skip audit-both "flock and setsid (util-linux) are needed to change the audit state safely"
    return
  fi
  # The guard first: it must not inherit the lock's descriptor (it would hold the lock).
  audit_guard || {
    fail audit-both "expected to copy $AUDITCTL to /tmp for the guard"
    return
  }
  exec {lock_fd}>"$AUDIT_LOCK"
  if ! flock -w 300 "$lock_fd"; then
    fail audit-both "expected to take $AUDIT_LOCK within 300 s (another run_audit.sh holds it)"
    exec {lock_fd}>&-
    return
  fi
  # A run killed while it had the state changed: put back what it found.
  if [[ -f $AUDIT_STATE ]]; then
    AUDIT_PREV=$(<"$AUDIT_STATE")
    if [[ $AUDIT_PREV == [01] ]] && "$AUDITCTL" set "$AUDIT_PREV" >/dev/null; then
      note audit-both "a killed run left audit changed ($AUDIT_STATE): restored enabled $AUDIT_PREV"
      rm -f "$AUDIT_STATE"
    fi
  fi
  if ! status=$("$AUDITCTL" get 2>&1); then
    skip audit-both "cannot read the audit status: $status"
    exec {lock_fd}>&-
    return
  fi
  AUDIT_PREV=$(sed -n 's/^enabled //p' <<<"$status")
  daemon=$(sed -n 's/^pid //p' <<<"$status")
  if [[ $AUDIT_PREV == 2 ]]; then
    skip audit-both "the audit configuration is locked (enabled 2): not touching it"
  elif [[ $daemon != 0 ]]; then
    skip audit-both "an audit daemon (pid $daemon) is connected: the records go to it, not to kmsg"
  elif [[ $AUDIT_PREV != [01] ]]; then
    fail audit-both "expected 'enabled 0|1' from auditctl get, got: $status"
  else
    if [[ $AUDIT_PREV == 0 ]]; then
      echo "$AUDIT_PREV" >"$AUDIT_STATE"
      AUDIT_CHANGED=1
      if ! OUT=$("$AUDITCTL" set 1 2>&1); then
        fail audit-enable "expected auditctl set 1 to work"
        audit_restore
        exec {lock_fd}>&-
        return
      fi
    fi
    both check_both_sources
    audit_restore
    LASTCMD="$AUDITCTL get" OUT="" ERR=""
    expect audit-state-restored "$AUDIT_PREV" "$(audit_enabled_now)" "enabled $AUDIT_PREV as before"
  fi
  exec {lock_fd}>&-
}

# ---- what the sandbox makes the kernel print is not a record (issue #14, class 8a) ----------
#
# The sandboxed program names a copy of itself with a SECCOMP record and faults in it: the
# kernel's segfault report ("COMM[PID]: segfault at … in FILE[…]") carries the file name, so
# kmsg holds "… in zzzz type=1326 audit(…): … comm="planted-MODE" … syscall=101 …". A second
# name starts a line of its own: "zzzz\n[ 1.000000] audit: type=1326 …" (dmesg prints the rest
# of the message indented on the next line). Root's `cordon audit kmsg`, and `dmesg | cordon
# audit -`, must report neither ptrace denial.
check_planted_segfault() {
  if [[ $(cat /proc/sys/debug/exception-trace 2>/dev/null) != 1 ]]; then
    skip audit-planted "debug.exception-trace (show_unhandled_signals) is not 1: no segfault reports here"
    return
  fi
  local dir="$T/plant-$MODE" t0 kind name record json line src
  mkdir -p "$dir"
  cp "$PROBES/audittrip" "$dir/audittrip"
  [[ $MODE == unpriv ]] && chown -R 65534:65534 "$dir"
  t0=$(date +%s)
  for kind in inline newline; do
    sleep 5 # a full printk burst: the report is rate-limited too
    record="type=1326 audit($t0.500:4242): auid=0 uid=0 gid=0 ses=1 pid=4242 comm=\"planted-$MODE-$kind\" exe=\"planted\" sig=0 arch=c000003e syscall=101 compat=0 ip=0x1 code=0x50000 x="
    if [[ $kind == inline ]]; then
      name="zzzzzzzzzzzzzzzz $record"
    else
      name="zzzzzzzzzzzzzzzz"$'\n'"[    1.000000] audit: $record"
    fi
    cd "$dir" || return
    # shellcheck disable=SC2016
    raw "$CORDON" run -p cli -- /bin/sh -c 'cp ./audittrip "./$1" && exec "./$1" segv 0' sh "$name"
    cd "$T/work" || return
    expect_rc "audit-planted-$kind-segv" 139
    sleep 0.5
    line=$(dmesg | grep -F "comm=\"planted-$MODE-$kind\"" | tail -1)
    if [[ -z $line ]]; then
      skip "audit-planted-$kind" "the kernel printed no segfault report for it (printk rate limit?)"
      continue
    fi
    pass "audit-planted-$kind-kernel-printed" "${line:0:100}…"
  done
  for src in kmsg dmesg; do
    LASTCMD="cordon audit $src --json --no-registry --since @$t0"
    if [[ $src == kmsg ]]; then
      json=$("$CORDON" audit kmsg --json --no-registry --since "@$t0" 2>"$T/log/err")
    else
      LASTCMD="dmesg | cordon audit - --json --no-registry --since @$t0"
      json=$(dmesg | "$CORDON" audit - --json --no-registry --since "@$t0" 2>"$T/log/err")
    fi
    RC=$? OUT=$json ERR=$(<"$T/log/err")
    expect_rc "audit-planted-$src-exit" 0
    if grep -qF "planted-$MODE" <<<"$json"; then
      OUT=$(grep -F "planted-$MODE" <<<"$json")
      fail "audit-planted-$src-ignored" "expected no denial of comm planted-$MODE-* (the segfault reports' file names)"
    else
      pass "audit-planted-$src-ignored"
    fi
  done
}

# ---- a fix never patches a shipped profile (issue #14, class 8c) ----------------------------
#
# adjtimex (reading the clock, unprivileged; glibc calls clock_adjtime) is outside
# @system-service: under `-p cli` the default refuses and logs it. Root's `cordon audit kmsg
# --diff` finds the sandbox in the registry, which names the shipped cli.cordon: the diff must
# create cli-local.cordon (which includes it) in the user's configuration folder
# ($XDG_CONFIG_HOME/cordon: never the working directory, which the sandbox may write and
# cordon run refuses policies in) and leave profiles/ alone; applied with patch -p0 -d there
# by the user who ran it, `cordon run -p CONFIG/cli-local.cordon` then lets the call through.
check_fix_for_shipped_profile() {
  local dir="$T/fix-$MODE" run="$T/run-$MODE" cfg="$T/config-$MODE/cordon" t0 diff sum_before i
  mkdir -p "$dir" "$run" "$T/config-$MODE"
  chmod 700 "$run"
  cp "$PROBES/audittrip" "$dir/audittrip"
  [[ $MODE == unpriv ]] && chown -R 65534:65534 "$dir" "$run" "$T/config-$MODE"
  sum_before=$(cat "$CORDON_PROFILES"/lib/*.cordon | sha256sum)
  sleep 5
  t0=$(date +%s)
  cd "$dir" || return
  raw env XDG_RUNTIME_DIR="$run" "$CORDON" run -p cli -- ./audittrip adjtimex 0
  expect audit-fix-denied "EPERM" "$(after 'adjtimex 0: ')" "adjtimex refused under -p cli"
  for ((i = 0; i < 10; i++)); do
    sleep 0.5
    diff=$(XDG_CONFIG_HOME="$T/config-$MODE" "$CORDON" audit kmsg --diff --since "@$t0" --registry "$run/cordon" 2>"$T/log/err")
    [[ $diff == *clock_adjtime* ]] && break
  done
  LASTCMD="(root, in $dir) cordon audit kmsg --diff --since @$t0 --registry $run/cordon"
  RC=0 OUT=$diff ERR=$(<"$T/log/err")
  expect_in audit-fix-new-file '^--- /dev/null$' "the patch" "$diff"
  expect_in audit-fix-new-file-name '^\+\+\+ cli-local\.cordon$' "the patch" "$diff"
  expect_in audit-fix-includes-cli "^\+include \".*/lib/cli\.cordon\"$" "the patch" "$diff"
  expect_in audit-fix-allows '^\+  allow clock_adjtime$' "the patch" "$diff"
  expect_in audit-fix-says-how "creates $cfg/cli-local\.cordon.*patch -p0 -d $cfg. and run with -p $cfg/cli-local\.cordon" "stderr" "$ERR"
  if grep -E '^(---|\+\+\+) ' <<<"$diff" | grep -qvE '^(--- /dev/null|\+\+\+ cli-local\.cordon)$'; then
    fail audit-fix-only-new-file "expected the patch to name no file but cli-local.cordon"
  else
    pass audit-fix-only-new-file
  fi
  printf '%s\n' "$diff" >"$dir/fix.diff"
  chmod 644 "$dir/fix.diff"
  raw mkdir -p "$cfg"
  raw patch -p0 -d "$cfg" -i "$dir/fix.diff"
  expect_rc audit-fix-patch-applies 0
  expect audit-fix-profiles-untouched "$sum_before" "$(cat "$CORDON_PROFILES"/lib/*.cordon | sha256sum)" "profiles/lib unchanged"
  raw env XDG_RUNTIME_DIR="$run" "$CORDON" run -p "$cfg/cli-local.cordon" -- ./audittrip adjtimex 0
  expect audit-fix-works "OK" "$(after 'adjtimex 0: ')" "adjtimex allowed under -p $cfg/cli-local.cordon"
  # The same file in the working directory would be the sandbox's to rewrite: refused.
  raw cp "$cfg/cli-local.cordon" "$dir/cli-local.cordon"
  raw env XDG_RUNTIME_DIR="$run" "$CORDON" run -p ./cli-local.cordon -- ./audittrip adjtimex 0
  expect_rc audit-fix-not-in-workdir 125
  cd "$T/work" || return
}

both check_planted_segfault
both check_fix_for_shipped_profile
both check_seccomp_rule_named
audit_both_sources
check_kmsg_needs_root
e2e_finish
