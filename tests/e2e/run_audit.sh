#!/bin/bash
# cordon audit (issue #4) end to end: a program under `cordon run` (launched as root and as
# uid 65534) trips a seccomp rule that logs; `cordon audit kmsg --policy`, read as root, finds
# the denial in /dev/kmsg and names the exact rule (line and column) and its action. Landlock
# denials are checked the same way where the kernel writes Landlock audit records.
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

check_landlock_rule_named() {
  sleep 5
  local t0
  t0=$(date +%s)
  crun audit-ptrace.gen -- "$PROBES/fsprobe" mkdir /dev/cordon-audit-probe
  sleep 0.5
  local json
  json=$("$CORDON" audit kmsg --json --policy "$GEN" 2>/dev/null)
  OUT=$json
  if ! grep -q '"source":"landlock"' <<<"$json"; then
    skip audit-landlock "this kernel wrote no Landlock audit record (no Landlock audit support, or Landlock off)"
    return
  fi
  expect_in audit-landlock-path '"path":"/dev/cordon-audit-probe"' "the JSON" "$json"
}

both check_seccomp_rule_named
both check_landlock_rule_named
e2e_finish
