#!/bin/bash
# The sandbox registry (issue #4): `cordon run` records each sandbox (host pids, PID
# namespace, times, exit code, policy and its variables) under $XDG_RUNTIME_DIR/cordon, and
# `cordon audit` attributes a denial to its sandbox's policy rule without --policy. As root
# and as uid 65534; the kernel log is read as root.
# Usage: run_registry.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

command -v python3 >/dev/null || e2e_skip_all "python3 is not installed (it reads the JSON)"

for m in root unpriv; do
  mkdir -p "$T/run-$m"
  chmod 700 "$T/run-$m"
done
chown 65534:65534 "$T/run-unpriv"

# The registry files of the current mode.
records() { ls "$T/run-$MODE/cordon/"*.json 2>/dev/null; }

# field FILE EXPR: a Python expression over the record `r`.
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

check_registered() {
  local before after file
  before=$(records | wc -l)
  raw env XDG_RUNTIME_DIR="$T/run-$MODE" "$CORDON" run -p "$POLICIES/audit-ptrace.cordon" \
    --set "PROBES=$PROBES" -- "$PROBES/ptrace"
  expect_rc registry-run 0
  after=$(records | wc -l)
  expect registry-one-record-more "$((before + 1))" "$after"
  file=$(records | tail -n 1)
  [[ -n $file ]] || return
  expect registry-file-mode 600 "$(stat -c %a "$file")"
  expect registry-owner "$(as_mode id -u)" "$(stat -c %u "$file")"
  expect registry-policy "$POLICIES/audit-ptrace.cordon" "$(field "$file" 'r["policy_files"][0]')"
  expect registry-command "$PROBES/ptrace" "$(field "$file" 'r["command"][0]')"
  expect registry-vars-kept "$PROBES" "$(field "$file" 'r["vars"]["PROBES"]')"
  expect registry-exit-code 0 "$(field "$file" 'r["exit_code"]')"
  expect registry-times "True" "$(field "$file" 'r["end"] > r["start"] > 1.7e9')"
  expect registry-pids "True" \
    "$(field "$file" 'r["host_pid"] > 1 and r["app_pid"] is not None and r["app_pid"] != r["host_pid"]')"
  expect registry-pidns "True" "$(field "$file" 'isinstance(r["pid_ns"], int) and r["pid_ns"] > 0')"
}

# A denial found in kmsg is attributed to the rule of the policy its sandbox ran — no --policy.
check_audit_by_registry() {
  sleep 5  # printk's rate limit: a burst of 10 audit lines per 5 s
  local t0 json row
  t0=$(date +%s)
  raw env XDG_RUNTIME_DIR="$T/run-$MODE" "$CORDON" run -p "$POLICIES/audit-ptrace.cordon" \
    --set "PROBES=$PROBES" -- "$PROBES/ptrace"
  if [[ $OUT != *"=EACCES"* ]]; then
    fail registry-denial "expected the probe's ptrace to fail with EACCES, got '$OUT'"
    return
  fi
  sleep 0.5
  LASTCMD="cordon audit kmsg --json --since @$t0 --registry $T/run-$MODE/cordon"
  json=$("$CORDON" audit kmsg --json --since "@$t0" --registry "$T/run-$MODE/cordon" 2>"$T/log/err")
  RC=$?
  OUT=$json ERR=$(<"$T/log/err")
  expect_rc registry-audit-exit 0
  row=$(python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    if j["syscall"] == "ptrace" and j["comm"] == "ptrace":
        print("{}|{}|{}".format(j["rule"], j["policy"], j["sandbox"]))
        break
' <<<"$json")
  if [[ -z $row ]]; then
    fail registry-audit-finds "expected the ptrace denial since $t0 in: $json"
    return
  fi
  local line
  line=$(grep -n '^ *errno EACCES log ptrace' "$POLICIES/audit-ptrace.cordon" | cut -d: -f1)
  expect registry-audit-rule "$POLICIES/audit-ptrace.cordon:$line:3" "$(cut -d'|' -f1 <<<"$row")"
  expect registry-audit-sandbox ".*\(.*/ptrace, matched by (pid|pid namespace)\)" "$(cut -d'|' -f3 <<<"$row")"
}

# Without XDG_RUNTIME_DIR an unprivileged caller has no registry: the run works, -v says so.
check_no_registry_unpriv() {
  [[ $MODE == unpriv ]] || { skip no-registry "only for the unprivileged caller"; return; }
  raw env -u XDG_RUNTIME_DIR "$CORDON" run -v -p "$POLICIES/audit-ptrace.cordon" \
    --set "PROBES=$PROBES" -- "$PROBES/ptrace"
  expect_rc no-registry-run 0
  expect_in no-registry-said "cordon: no sandbox registry" "stderr" "$ERR"
}

# A registry directory others can write is refused with a warning; the launch goes on.
check_unsafe_registry() {
  local d="$T/run-$MODE/unsafe"
  mkdir -p "$d/cordon"
  chown "$(as_mode id -u):$(as_mode id -g)" "$d" "$d/cordon"
  chmod 777 "$d" "$d/cordon"
  raw env XDG_RUNTIME_DIR="$d" "$CORDON" run -p "$POLICIES/audit-ptrace.cordon" \
    --set "PROBES=$PROBES" -- "$PROBES/ptrace"
  expect_rc unsafe-registry-run 0
  expect_in unsafe-registry-warned "cordon: warning: registry .*writable by others" "stderr" "$ERR"
  expect unsafe-registry-unused "" "$(ls "$d/cordon")"
  rm -rf "$d"
}

both check_registered
both check_audit_by_registry
both check_no_registry_unpriv
both check_unsafe_registry
e2e_finish
