#!/bin/bash
# The launcher as a supervisor (issue #3): the sandbox dies with cordon, signals reach the
# app, orphans are reaped, walltime kills. As root and as uid 65534.
# Usage: run_signals.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

# Host pids of processes whose command line holds the unique argument and whose comm is NAME.
pids_of() {
  local name=$1 arg=$2 p
  for p in $(pgrep -f -- "$arg"); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$name" ]] && echo "$p"
  done
}

has_sleep() { [[ -n $(pids_of sleep "$1") ]]; }
no_sleep() { [[ -z $(pids_of sleep "$1") ]]; }
# Host pids of the processes in PID namespace $1 (as readlink /proc/PID/ns/pid prints it).
in_ns() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$1" ]] && echo "${p#/proc/}"
  done
}
# A process's identity that survives reuse: "PID:STARTTIME" (field 22 of /proc/PID/stat).
ident() { local st; st=$(cut -d')' -f2- "/proc/$1/stat" 2>/dev/null) && echo "$1:$(awk '{print $20}' <<<"$st")"; }
# Of a list of identities, those still alive (the same pid with the same start time).
alive_of() {
  local i
  for i in $1; do [[ $(ident "${i%%:*}") == "$i" ]] && echo "$i"; done
}
none_alive() { [[ -z $(alive_of "$1") ]]; }
# kill -9 each pid of a newline-separated list.
kill_list() {
  local p
  for p in $1; do kill -9 "$p" 2>/dev/null; done
}

# 9. SIGKILL of cordon kills the app: `sleep` inside with a unique argument, cordon killed
# with -9, the sleep (and every other process of the sandbox) gone within 2 s.
check_sigkill_cordon() {
  local tag="1000.$RANDOM$RANDOM" cgroups_before
  cgroups_before=$(cordon_cgroups)
  bg_start "$T/log/bg" "$CORDON" run -p "$POLICIES/iso.cordon" --set "PROBES=$PROBES" --set "T=$T" -- sleep "$tag"
  local cordon_pid=$BG_PID sleep_pid=""
  wait_for 10 has_sleep "$tag"
  sleep_pid=$(pids_of sleep "$tag")
  if [[ -z $sleep_pid ]]; then
    OUT=$(cat "$T/log/bg") ERR=$(cat "$T/log/bg.err") RC="(running)"
    fail sigkill-cordon "expected to find the app 'sleep $tag' on the host, found none"
    kill -9 "$cordon_pid" 2>/dev/null
    return
  fi
  # Everything in the sandbox: the processes in the sleep's PID namespace, seen from the host.
  local ns
  ns=$(readlink "/proc/$sleep_pid/ns/pid")
  if [[ $ns == "$(readlink /proc/self/ns/pid)" ]]; then
    # Not sandboxed at all: the namespace sweep below would list (and kill) the whole host.
    RC="(running)" OUT="" ERR=$(cat "$T/log/bg.err")
    fail sigkill-cordon "expected the app in a new PID namespace, it is in the host's ($ns)"
    kill -9 "$cordon_pid" "$sleep_pid" 2>/dev/null
    return
  fi
  [[ $(cat "/proc/$cordon_pid/comm" 2>/dev/null) == cordon ]] || echo "warning: pid $cordon_pid is $(cat "/proc/$cordon_pid/comm"), not cordon"
  # The sandbox's processes by pid and start time: a namespace's inode number is reused once
  # it is gone, and another test's sandbox running in parallel (ctest -j) may get it — which
  # made this check fail once in CI with processes that were not this sandbox's.
  local members="" p
  for p in $(in_ns "$ns"); do members+="$(ident "$p") "; done
  kill -9 "$cordon_pid"
  wait "$cordon_pid" 2>/dev/null
  wait_for 2 dead "$sleep_pid"
  wait_for 3 none_alive "$members"
  local left left_ps=""
  left=$(alive_of "$members")
  [[ -n $left ]] && left_ps=$(ps -o pid,ppid,stat,args -p "$(sed 's/:[0-9]*//' <<<"$left" | paste -sd,)" | tail -n +2 | paste -sd';')
  RC="killed" OUT="" ERR=$(cat "$T/log/bg.err")
  if dead "$sleep_pid"; then
    pass sigkill-cordon "app pid $sleep_pid gone"
  else
    fail sigkill-cordon "expected the app (host pid $sleep_pid) gone within 2 s of kill -9 cordon, it is still alive: $(ps -o pid,ppid,stat,args -p "$sleep_pid" | tail -1)"
  fi
  if [[ -z $left ]]; then
    pass sigkill-cordon-sandbox-empty "none of the $(wc -w <<<"$members") processes of $ns left"
  else
    fail sigkill-cordon-sandbox-empty "expected none of the sandbox's processes ($members) alive 5 s after kill -9 cordon, got: $(paste -sd, <<<"$left"): $left_ps"
    # Only a handful of stragglers of the sandbox are ever expected here.
    [[ $(wc -l <<<"$left") -le 10 ]] && kill_list "$left"
  fi
  # cordon cannot remove its cgroup when it is SIGKILLed; say so, and remove the (empty) leftover.
  local new_cgroups d
  new_cgroups=$(comm -13 <(echo "$cgroups_before") <(cordon_cgroups) | grep -v '^$')
  if [[ -n $new_cgroups ]]; then
    note sigkill-cordon-cgroup-left "after kill -9 of cordon its cgroup stays behind (empty): $(paste -sd' ' <<<"$new_cgroups"); removing it"
    for d in $new_cgroups; do rmdir "$d" 2>/dev/null; done
  fi
}

# 10. Signals sent to cordon reach the app: each signal the issue lists (SIGUSR1, SIGUSR2,
# SIGHUP, SIGINT, SIGQUIT, SIGWINCH), then SIGTERM; the app prints each and exits 42 after
# SIGTERM, and cordon exits 42.
check_signals_forwarded() {
  bg_start "$T/log/sig" "$CORDON" run -p "$POLICIES/iso.cordon" --set "PROBES=$PROBES" --set "T=$T" -- "$PROBES/sigcatch"
  local cordon_pid=$BG_PID sig
  if ! wait_for 10 grep -q '^ready' "$T/log/sig"; then
    OUT=$(cat "$T/log/sig") ERR=$(cat "$T/log/sig.err") RC="(running)"
    fail signals-forwarded "expected the app to print 'ready', it did not within 10 s"
    kill -9 "$cordon_pid"
    return
  fi
  for sig in USR1 USR2 HUP INT QUIT WINCH; do
    kill -"$sig" "$cordon_pid" 2>/dev/null
    wait_for 3 grep -q "got SIG$sig" "$T/log/sig"
  done
  kill -TERM "$cordon_pid"
  wait_for 5 dead "$cordon_pid"
  alive "$cordon_pid" && kill -9 "$cordon_pid"
  wait "$cordon_pid"
  RC=$?
  OUT=$(cat "$T/log/sig") ERR=$(cat "$T/log/sig.err")
  for sig in USR1 USR2 HUP INT QUIT WINCH TERM; do
    expect_in "signal-forwarded-$sig" "^got SIG$sig\$" stdout "$OUT"
  done
  expect_rc signals-forwarded-status 42
}

# 10. Orphans re-parented to the sandbox's PID 1 are reaped: no zombie a second later.
check_zombies() {
  crun iso -- "$PROBES/zombies" 5
  expect zombies-reaped 0 "$(sed -n 's/.* zombies=\([0-9]*\).*/\1/p' <<<"$OUT")" "$(head -1 <<<"$OUT")"
}

# 11. walltime 1s: the whole sandbox is killed within 3 s — the app (`sh`) and a background
# `sleep` it started — exit 137 (SIGKILL), a message naming walltime, and --json-status says
# walltime_exceeded.
check_walltime() {
  local start end tag="30.$RANDOM$RANDOM"
  start=$(date +%s%N)
  LASTCMD="[$MODE] cordon run -p walltime --json-status 3 -- sh -c 'sleep $tag & sleep $tag; wait'  3>status.json"
  as_mode timeout -k 5 60 "$CORDON" run -p "$POLICIES/walltime.cordon" --set "PROBES=$PROBES" --set "T=$T" \
    --json-status 3 -- sh -c "sleep $tag & sleep $tag; wait" >"$T/log/out" 2>"$T/log/err" </dev/null 3>"$T/log/status.json"
  RC=$? OUT=$(<"$T/log/out") ERR=$(<"$T/log/err")
  end=$(date +%s%N)
  local ms=$(((end - start) / 1000000))
  expect_rc walltime-status 137
  if ((ms <= 3000)); then pass walltime-prompt "${ms} ms"; else fail walltime-prompt "expected the kill within 3000 ms, took ${ms} ms"; fi
  expect_in walltime-message 'walltime' stderr "$ERR"
  expect_in walltime-json '"walltime_exceeded": *true' "--json-status" "$(cat "$T/log/status.json")"
  local left
  left=$(pids_of sleep "$tag")
  if [[ -z $left ]]; then
    pass walltime-kills-all
  else
    fail walltime-kills-all "expected no 'sleep $tag' left, found pids $(paste -sd' ' <<<"$left")"
    kill_list "$left"
  fi
}

# When the app exits, cordon exits with its status at once and whatever the app left running in
# the background goes with the sandbox (as with bwrap and docker: PID 1's exit ends the PID
# namespace).
check_app_exit_ends_sandbox() {
  local start end tag="1000.$RANDOM$RANDOM"
  start=$(date +%s%N)
  crun iso -- sh -c "sleep $tag >/dev/null 2>&1 </dev/null & exit 3"
  end=$(date +%s%N)
  local ms=$(((end - start) / 1000000))
  expect_rc app-exit-status 3
  if ((ms <= 5000)); then pass app-exit-prompt "${ms} ms"; else fail app-exit-prompt "expected cordon to return within 5 s of the app's exit, took ${ms} ms"; fi
  wait_for 2 no_sleep "$tag"
  local left
  left=$(pids_of sleep "$tag")
  if [[ -z $left ]]; then
    pass app-exit-kills-background
  else
    fail app-exit-kills-background "expected the app's background 'sleep $tag' gone with the sandbox, found pids $(paste -sd' ' <<<"$left")"
    kill_list "$left"
  fi
}

# Exit status pass-through: the app's code, and 128+N for a signal.
check_status_passthrough() {
  crun iso -- sh -c 'exit 7'
  expect_rc status-code 7
  crun iso -- sh -c 'kill -SEGV $$'
  expect_rc status-signal 139
}

both check_sigkill_cordon
both check_signals_forwarded
both check_zombies
both check_walltime
both check_app_exit_ends_sandbox
both check_status_passthrough
e2e_finish
