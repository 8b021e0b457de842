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

# Root's `cordon audit` reads every /run/user/*/cordon (issue #14, class 8b). uid 65534 writes
# into a registry directory of its own a record claiming uid 0, whose policy is the shipped
# base.cordon, for a pid of its choosing, and a log line of a denial of that pid (any process
# can make one: a sandbox of its own logs them): the reader — root or 65534 — must not match
# the denial to that record, and warns naming the file. An honest record of 65534's in the
# same directory still counts.
check_forged_record() {
  local d="$T/forge" now json row
  mkdir -p "$d/cordon"
  chown 65534:65534 "$d" "$d/cordon"
  chmod 700 "$d" "$d/cordon"
  now=$(date +%s)
  # record ID PID UID POLICY COMM: one registry record as the launcher writes it.
  record() {
    printf '{"version":1,"id":"%s","host_pid":%s,"app_pid":null,"pid_ns":null,"uid":%s,"start":%s,"end":%s,"exit_code":0,"command":["/bin/sh"],"policy_name":"x","policy_files":["%s"],"policy_hash":"x","vars":{"PROBES":"%s"},"search_path":["%s/lib","%s"]}\n' \
      "$1" "$2" "$3" "$((now - 10))" "$((now + 10))" "$4" "$PROBES" "$CORDON_PROFILES" "$CORDON_PROFILES"
  }
  record "${now}000000000-4242" 4242 0 "$CORDON_PROFILES/lib/base.cordon" |
    setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "cat >'$d/cordon/${now}000000000-4242.json'"
  record "${now}000000001-4343" 4343 65534 "$POLICIES/audit-ptrace.cordon" |
    setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "cat >'$d/cordon/${now}000000001-4343.json'"
  {
    printf 'type=SECCOMP msg=audit(%s.000:1): auid=0 uid=0 gid=0 ses=1 pid=4242 comm="forged" exe="/usr/bin/forged" sig=0 arch=c000003e syscall=159 compat=0 ip=0x1 code=0x50000\n' "$now"
    printf 'type=SECCOMP msg=audit(%s.000:2): auid=0 uid=0 gid=0 ses=1 pid=4343 comm="honest" exe="/usr/bin/honest" sig=0 arch=c000003e syscall=101 compat=0 ip=0x1 code=0x50000\n' "$now"
  } >"$T/forged.log"
  chmod 644 "$T/forged.log"
  raw "$CORDON" audit --json --registry "$d/cordon" "$T/forged.log"
  json=$OUT
  expect_rc forged-audit-exit 0
  row=$(python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    print("{}|{}|{}".format(j["comm"], j["sandbox"], j["policy"]))
' <<<"$json")
  expect forged-record-unused "forged\|None\|None" "$(grep '^forged|' <<<"$row")"
  expect forged-record-warned ".*cordon audit: warning: ignoring registry record $d/cordon/${now}000000000-4242\.json: the record says uid 0, but the file is owned by uid 65534 and its directory by uid 65534.*" \
    "$(grep -F 'ignoring registry record' <<<"$ERR")"
  expect forged-honest-used "honest\|${now}000000001-4343 \(/bin/sh, matched by pid\)\|.*" "$(grep '^honest|' <<<"$row")"
  raw "$CORDON" audit --diff --registry "$d/cordon" "$T/forged.log"
  if grep -q 'base\.cordon' <<<"$OUT"; then
    fail forged-no-patch "expected no patch of base.cordon"
  else
    pass forged-no-patch
  fi
  rm -rf "$d"
}

both check_registered
both check_audit_by_registry
both check_no_registry_unpriv
both check_unsafe_registry
both check_forged_record
e2e_finish
