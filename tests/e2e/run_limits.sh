#!/bin/bash
# Resource limits (issue #3): cgroup memory and pids limits (as root, on this machine's cgroup
# v1 or on v2 where it has the controllers), their fallback with a warning — or a refusal —
# when unprivileged, and the nofile rlimit. Nothing is left behind in the cgroup trees.
# Usage: run_limits.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

CGROUPS_BEFORE=$(cordon_cgroups)

# Fails when a cordon-* cgroup exists now that did not exist when the script started.
check_no_cgroup_left() {
  local name=$1 now new
  now=$(cordon_cgroups)
  new=$(comm -13 <(echo "$CGROUPS_BEFORE") <(echo "$now") | grep -v '^$')
  if [[ -z $new ]]; then
    pass "$name"
  else
    fail "$name" "expected no cgroup left behind, found: $(paste -sd' ' <<<"$new")"
  fi
}

# The warning cordon prints when a limit could not be placed in a cgroup.
cgroup_warning() { grep -Ei 'warning.*(not enforced|cgroup)' <<<"$ERR"; }

# 12. memory 32M: as root a cgroup holds it and a 128 MiB toucher is OOM-killed (137), and
# the OOM kill is reported in --json-status. Unprivileged there is no writable cgroup here:
# the app still runs, with a warning naming memory.
check_memory() {
  if [[ $MODE == root ]]; then
    LASTCMD="[root] cordon run -p memory --json-status 3 -- memhog 128   3>status.json"
    as_mode timeout -k 5 60 "$CORDON" run -p "$POLICIES/memory.cordon" --set "PROBES=$PROBES" --set "T=$T" \
      --json-status 3 -- "$PROBES/memhog" 128 >"$T/log/out" 2>"$T/log/err" </dev/null 3>"$T/log/status.json"
    RC=$? OUT=$(<"$T/log/out") ERR=$(<"$T/log/err")
    expect_rc memory-oom-killed 137
    if [[ $OUT == *"done 128 MiB"* ]]; then fail memory-limit "expected the toucher stopped before 128 MiB, it finished"; fi
    local oom
    oom=$(grep -o '"oom_kills": *[0-9]*' "$T/log/status.json" | grep -o '[0-9]*$')
    if [[ -n $oom && $oom -ge 1 ]]; then
      pass memory-oom-reported "oom_kills=$oom"
    else
      OUT="$OUT
--json-status: $(cat "$T/log/status.json")"
      fail memory-oom-reported "expected \"oom_kills\" >= 1 in the --json-status exit line, got ${oom:-none}"
    fi
    if [[ -n $(cgroup_warning) ]]; then fail memory-no-warning "expected no cgroup warning as root, got: $(cgroup_warning)"; fi
    check_no_cgroup_left memory-cgroup-removed
  else
    crun memory -- "$PROBES/memhog" 4
    expect_rc memory-unpriv-runs 0
    expect_in memory-unpriv-warning 'memory' "cordon's warning (stderr)" "$(cgroup_warning)"
  fi
}

# 12. `require cgroup`: as root the limit is placed and the app runs; unprivileged the launch
# is refused (125) with one line on stderr.
check_memory_required() {
  crun memory-required -- "$PROBES/memhog" 4
  if [[ $MODE == root ]]; then
    expect_rc memory-required-root-runs 0
  else
    expect_rc memory-required-unpriv-refused 125
    expect memory-required-one-line 1 "$(grep -c . <<<"$ERR")" "$ERR"
    if [[ $OUT == *"done"* ]]; then fail memory-required-app-not-run "expected the app not to run, it printed: $OUT"; fi
  fi
  check_no_cgroup_left memory-required-cgroup-removed
}

# 12. pids 8: as root, forking 20 children fails with EAGAIN part way. Unprivileged: runs with
# a warning naming pids.
check_pids() {
  crun pids -- "$PROBES/forker" 20
  if [[ $MODE == root ]]; then
    expect pids-fork-fails EAGAIN "$(after 'fork failed: ')" "$(after 'forked ')"
    if [[ -n $(cgroup_warning) ]]; then fail pids-no-warning "expected no cgroup warning as root, got: $(cgroup_warning)"; fi
    check_no_cgroup_left pids-cgroup-removed
  else
    if [[ $(after 'forked ') == "<missing>" ]]; then fail pids-unpriv-runs "expected the probe to run and report its forks"; else pass pids-unpriv-runs "forked $(after 'forked '), fork failed: $(after 'fork failed: ')"; fi
    expect_in pids-unpriv-warning 'pids' "cordon's warning (stderr)" "$(cgroup_warning)"
  fi
}

# 13. nofile 64: the app sees RLIMIT_NOFILE 64 and its 65th descriptor fails with EMFILE.
check_nofile() {
  crun nofile -- "$PROBES/nofile"
  expect nofile-soft 64 "$(sed -n 's/^nofile soft=\([0-9a-z]*\) .*/\1/p' <<<"$OUT")"
  expect nofile-emfile 'last fd=63 next open: EMFILE' "$(grep '^last fd=' <<<"$OUT")"
}

# `devices allow null zero`: /dev/null and /dev/zero open, /dev/full (in the sandbox's /dev,
# allowed by Landlock) is refused with EPERM by the device controller. Alone, the list goes
# into a cgroup v2 BPF_PROG_TYPE_CGROUP_DEVICE program (the unified hierarchy needs no
# controller for it); with a memory limit, into cgroup v1 devices.allow beside it. Without the
# list (iso) /dev/full opens: the refusal is the list's. Unprivileged, no cgroup can hold it
# and the launch is refused: a device list has no fallback.
check_devices() {
  local policy version
  if [[ $MODE == root ]]; then
    crun iso -- "$PROBES/fsprobe" read /dev/full
    expect devices-control-full-opens OK "$(after 'read /dev/full: ')"
  fi
  for policy in devices devices-memory; do
    LASTCMD="[$MODE] cordon run -p $policy --json-status 3 -- fsprobe read /dev/null read /dev/zero read /dev/full openw /dev/full"
    as_mode "$CORDON" run -p "$POLICIES/$policy.cordon" --set "PROBES=$PROBES" --set "T=$T" \
      --json-status 3 -- "$PROBES/fsprobe" read /dev/null read /dev/zero read /dev/full openw /dev/full \
      >"$T/log/out" 2>"$T/log/err" </dev/null 3>"$T/log/status.json"
    RC=$? OUT=$(<"$T/log/out") ERR=$(<"$T/log/err")
    if [[ $MODE == root ]]; then
      expect_rc "$policy-runs" 0
      expect "$policy-null-opens" OK "$(after 'read /dev/null: ')"
      expect "$policy-zero-opens" OK "$(after 'read /dev/zero: ')"
      expect "$policy-full-read-eperm" EPERM "$(after 'read /dev/full: ')"
      expect "$policy-full-write-eperm" EPERM "$(after 'openw /dev/full: ')"
      version=$(grep -o '"version": *[0-9]' "$T/log/status.json" | head -1 | grep -o '[0-9]$')
      expect "$policy-cgroup-version" "$([[ $policy == devices ]] && echo 2 || echo 1)" "${version:-none}"
      check_no_cgroup_left "$policy-cgroup-removed"
    else
      expect_rc "$policy-unpriv-refused" 125
      expect_in "$policy-unpriv-says-why" 'devices allow null zero' "cordon's error (stderr)" "$ERR"
      if [[ -n $OUT ]]; then fail "$policy-unpriv-app-not-run" "expected the app not to run, it printed: $OUT"; fi
    fi
  done
}

both check_memory
both check_memory_required
both check_pids
both check_nofile
both check_devices
MODE=root check_no_cgroup_left cgroups-all-removed
e2e_finish
