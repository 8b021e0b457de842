# tests/vm/suites/cgroup2.sh (issue #6): cordon's cgroup v2 limits on a pure v2 hierarchy with
# every controller, run by tests/vm/vm.sh inside the VM (busybox sh, as root, in the root
# cgroup). Each check prints one line; see tests/vm/README.md.
#
# root, in the root cgroup: `limits { memory 32M pids 16 cpu 0.2 }` puts the sandbox in one v2
# cgroup beneath the caller's own, with memory.max, pids.max and cpu.max as the policy says; the
# child is cloned into it (clone3 CLONE_INTO_CGROUP, seen by strace); a CPU burner gets ~20% and
# is throttled, a 128 MiB toucher is OOM-killed and --json-status reports it, a fork bomb stops
# at pids.max; the cgroup is gone afterwards.
# root: `devices allow null zero` is a BPF_PROG_TYPE_CGROUP_DEVICE program on the sandbox's
# cgroup; /dev/full opens without it and fails with EPERM with it.
# root, in a cgroup below the root where cordon is the only process (a systemd unit's cgroup),
# and uid 65534 as the only process of a delegated cgroup (chowned as Delegate=yes does, flat
# or with the caller in a leaf it made): cordon moves itself into a leaf
# <name>-supervisor beneath its cgroup, enables the controllers there and the limits are
# enforced by a v2 cgroup beside the leaf; afterwards the caller's cgroup is as it was and
# nothing is made outside the case's own cgroup. With a second process in the caller's cgroup
# the limits fall back to rlimits with a warning naming it, and `require cgroup` refuses.
# uid 65534, not delegated: rlimits, a warning naming each limit, `require cgroup` refused.
# uid 65534 with a device list: refused (loading the BPF program needs CAP_BPF).
#
# shellcheck shell=dash disable=SC2086,SC2016
# (busybox sh has `local` as dash does; $CORDON_RUN is split into words on purpose)
# shellcheck source=SCRIPTDIR/../guest/lib.sh
. /opt/cordon/vm/lib.sh
vm_init

CORDON_RUN="$CORDON run --set PROBES=$PROBES"
LIMITS="$POLICIES/limits.cordon"
# A CPU burner for about 5 s, then its children's CPU time ("times": user and system of the
# shell, then of its reaped children).
BURN='yes >/dev/null & p=$!; sleep 5; kill $p; wait $p; times'

# Seconds of CPU in the last line of `times` (e.g. "0m0.950s 0m0.030s"), in milliseconds.
times_ms() {
  printf '%s\n' "$OUT" | tail -n1 |
    awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] }
           printf "%d", t * 1000 }'
}

# cpu.stat's FIELD of cgroup DIR.
cpu_stat() { awk -v f="$2" '$1 == f { print $2 }' "$1/cpu.stat" 2>/dev/null; }

skip_dependents() {
  local c
  for c in cgroup-placed limit-files cpu-max clone-into-cgroup memory-oom pids-max; do
    skip "$1-$c" "no v2 cgroup (see $1-cgroup-v2)"
  done
}

# check_limits TAG PARENT-ERE: the sandbox's cgroup, its files and the three limits, with the
# caller as MODE in IN_CG. The sandbox's cgroup must be a directory matching PARENT-ERE/cordon-N.
# Check names are TAG-…. When no v2 cgroup is used, the checks that need it are SKIPped.
check_limits() {
  local tag=$1 parent_re=$2 dir ver host_pid app t1 t2 u1 u2 thr1 thr2 share before
  before=$(cordon_cgroups)

  # 1. One launch of a CPU burner, looked at from outside while it runs.
  launch_bg $CORDON_RUN -p "$LIMITS" --json-status 3 -- /bin/sh -c "$BURN"
  if ! wait_for 60 started_or_ended || ! status_has_start; then
    launch_wait
    fail "$tag-cgroup-v2" "expected the sandbox to start with its limits in one cgroup v2, it did not start (exit $RC)"
    skip_dependents "$tag"
    return
  fi
  ver=$(status_cgroup_version)
  dir=$(status_cgroup_paths)
  host_pid=$(status_host_pid)
  if [ "$ver" != 2 ]; then
    launch_wait
    fail "$tag-cgroup-v2" "expected the limits in one cgroup v2 (applied.cgroup.version 2), got version ${ver:-?} paths [${dir}]"
    skip_dependents "$tag"
    return
  fi
  pass "$tag-cgroup-v2" "$dir"
  expect "$tag-cgroup-placed" "$parent_re/cordon-[0-9]+" "$dir" "$dir"
  if ! status_warnings | grep -qi 'cgroup'; then
    pass "$tag-no-cgroup-warning"
  else
    fail "$tag-no-cgroup-warning" "expected no cgroup warning, got $(status_warnings)"
  fi
  expect "$tag-limit-files" "memory.max=33554432 pids.max=16 cpu.max=20000 100000" \
    "memory.max=$(cat "$dir/memory.max") pids.max=$(cat "$dir/pids.max") cpu.max=$(cat "$dir/cpu.max")"
  # The sandbox's PID 1 and the app (its first child), as the host sees them.
  # The start line can come before PID 1 has forked the app: wait for the child (seen once in
  # a TCG guest: the check read no child). grep, not test -s: a /proc file has size 0.
  wait_for 10 grep -q . "/proc/$host_pid/task/$host_pid/children"
  app=$(cut -d' ' -f1 "/proc/$host_pid/task/$host_pid/children" 2>/dev/null)
  expect "$tag-sandbox-in-cgroup" "0::${dir#"$CG"} 0::${dir#"$CG"}" \
    "$(cat "/proc/$host_pid/cgroup" 2>/dev/null) $(cat "/proc/$app/cgroup" 2>/dev/null)" \
    "pid 1 and app in ${dir#"$CG"}"
  # CPU: usage over 3 s of wall time, with the burner running since ≥ 1 s.
  sleep 1
  t1=$(uptime_cs) u1=$(cpu_stat "$dir" usage_usec) thr1=$(cpu_stat "$dir" nr_throttled)
  sleep 3
  t2=$(uptime_cs) u2=$(cpu_stat "$dir" usage_usec) thr2=$(cpu_stat "$dir" nr_throttled)
  launch_wait
  if [ -n "$u1" ] && [ -n "$u2" ] && [ "$t2" -gt "$t1" ]; then
    share=$(((u2 - u1) / ((t2 - t1) * 100)))
    if [ "$share" -le 30 ] && [ "$share" -ge 5 ] && [ "$((thr2 - thr1))" -gt 0 ]; then
      pass "$tag-cpu-max" "usage ${share}% of one CPU over $(((t2 - t1) / 100)) s, throttled $((thr2 - thr1)) periods; app's own CPU time $(times_ms) ms in ~5 s"
    else
      fail "$tag-cpu-max" "expected 5-30% of one CPU and throttled periods, got ${share}% and $((thr2 - thr1)) throttled periods"
    fi
  else
    fail "$tag-cpu-max" "expected to read $dir/cpu.stat twice while the burner ran, got usage '$u1' / '$u2'"
  fi
  expect "$tag-burner-exit" 0 "$RC" "exit $RC"
  if [ -d "$dir" ]; then fail "$tag-cgroup-removed" "expected $dir removed after the sandbox ended, it is still there"; else pass "$tag-cgroup-removed"; fi

  # 2. The child enters its cgroup at clone: clone3 with CLONE_INTO_CGROUP, its cgroup fd the
  # one openat returned for the sandbox's cgroup (strace -y names it). Inside, the app's cgroup
  # namespace root is that cgroup (it reads 0::/).
  if command -v strace >/dev/null; then
    rm -f "$T/log/strace"
    launch strace -y -o "$T/log/strace" -e trace=openat,clone3 -e signal=none \
      $CORDON_RUN -p "$LIMITS" --json-status 3 -- /bin/cat /proc/self/cgroup
    dir=$(status_cgroup_paths)
    local call fd opened
    # The sandbox's clone3 (a root caller's launch makes one before it, for its rw binds'
    # idmapping: a user namespace only).
    call=$(grep 'clone3(.*CLONE_INTO_CGROUP' "$T/log/strace" 2>/dev/null | head -n1)
    fd=$(printf '%s' "$call" | sed -n 's/.*CLONE_INTO_CGROUP.* cgroup=\([0-9]*\)}.*/\1/p')
    # The last openat before that clone3 that returned that fd.
    opened=$(sed '/clone3(.*CLONE_INTO_CGROUP/,$d' "$T/log/strace" 2>/dev/null | grep "= $fd<" | tail -n1)
    OUT="$OUT
strace: $opened
strace: $call"
    if [ -n "$fd" ] && printf '%s' "$opened" | grep -qF "\"$dir\"" && [ "$RC" = 0 ]; then
      pass "$tag-clone-into-cgroup" "clone3 CLONE_INTO_CGROUP cgroup=$fd, fd $fd = openat(\"$dir\")"
    else
      fail "$tag-clone-into-cgroup" "expected clone3 with CLONE_INTO_CGROUP and cgroup=FD, FD opened on $dir, exit 0"
    fi
    expect "$tag-app-cgroupns-root" "0::/" "$(printf '%s\n' "$OUT" | head -n1)"
  else
    skip "$tag-clone-into-cgroup" "no strace in the guest (install strace on the host)"
  fi

  # 3. memory 32M: a 128 MiB toucher is OOM-killed (137) and --json-status says so.
  launch $CORDON_RUN -p "$LIMITS" --json-status 3 -- "$PROBES/memhog" 128
  if [ "$RC" = 137 ] && [ "$(status_oom_kills)" -ge 1 ] 2>/dev/null &&
    ! printf '%s' "$OUT" | grep -q 'done 128'; then
    pass "$tag-memory-oom" "exit 137, oom_kills=$(status_oom_kills), $(printf '%s\n' "$OUT" | tail -n1)"
  else
    fail "$tag-memory-oom" "expected exit 137 before 128 MiB and \"oom_kills\" >= 1 in the exit line, got exit $RC, oom_kills=$(status_oom_kills)"
  fi
  expect_in "$tag-memory-oom-said" 'reached its memory limit' "cordon's stderr" "$ERR"

  # 4. pids 16: PID 1 and the forker are two; at most 14 children, then EAGAIN.
  launch $CORDON_RUN -p "$LIMITS" -- "$PROBES/forker" 40
  local forked
  forked=$(after 'forked ')
  forked=${forked%% of*}
  if [ "$(after 'fork failed: ')" = EAGAIN ] && [ "$forked" -le 14 ] 2>/dev/null; then
    pass "$tag-pids-max" "forked $forked of 40, then EAGAIN"
  else
    fail "$tag-pids-max" "expected at most 14 forks then EAGAIN, got forked '$(after 'forked ')', fork failed: $(after 'fork failed: ')"
  fi

  # Nothing of these launches is left, and none was made anywhere but where expected.
  local new
  new=$(cordon_cgroups | grep -vxF -- "$before" | grep -v '^$')
  OUT="" ERR="" RC="-" LASTCMD="(all launches of $tag)"
  if [ -z "$new" ]; then pass "$tag-nothing-left"; else fail "$tag-nothing-left" "expected no cordon-* cgroup left, found: $new"; fi
}

# --- root, in the root cgroup -----------------------------------------------------------
MODE=root IN_CG=""
expect root-caller-cgroup "0::/" "$(cat /proc/self/cgroup)"
check_limits root "$CG"

# Device list: with every controller in the one v2 cgroup, `devices allow null zero` is a
# BPF_PROG_TYPE_CGROUP_DEVICE program attached to it. /dev/null and /dev/zero open, /dev/full
# (present in the sandbox's /dev, allowed by Landlock) is refused with EPERM, and without the
# list /dev/full opens.
launch $CORDON_RUN -p "$LIMITS" -- "$PROBES/fsprobe" read /dev/full
expect root-devices-control "OK" "$(after 'read /dev/full: ')" "without the list /dev/full opens"
launch $CORDON_RUN -p "$POLICIES/devices.cordon" --json-status 3 -- "$PROBES/fsprobe" read /dev/null read /dev/zero read /dev/full openw /dev/full
expect root-devices-cgroup-v2 2 "$(status_cgroup_version)" "one v2 cgroup: $(status_cgroup_paths)"
expect root-devices-allowed "OK OK" "$(after 'read /dev/null: ') $(after 'read /dev/zero: ')" "/dev/null and /dev/zero open"
expect root-devices-refused "EPERM EPERM" "$(after 'read /dev/full: ') $(after 'openw /dev/full: ')" "/dev/full refused for read and write"

# Without a cpu limit the same burner takes a whole CPU: the baseline of root-cpu-max.
launch $CORDON_RUN -p "$POLICIES/unlimited.cordon" -- /bin/sh -c "$BURN"
note root-cpu-baseline "without a cpu limit the burner's CPU time is $(times_ms) ms in ~5 s (exit $RC)"

# caller_untouched NAME WAS: the caller's cgroup.subtree_control is still WAS.
caller_untouched() {
  local now
  now=$(cat "$CG$IN_CG/cgroup.subtree_control")
  if [ "$now" = "$2" ]; then
    pass "$1" "$IN_CG/cgroup.subtree_control still '$2'"
  else
    fail "$1" "expected $IN_CG/cgroup.subtree_control to stay '$2', got '$now': controllers enabled in the caller's own cgroup"
  fi
}

# check_nested TAG BOUND WANT: the caller (MODE) sits in IN_CG, a cgroup below the root that
# holds the caller itself — the usual place on a systemd machine (a session scope, a service, a
# Delegate= unit's own cgroup). v2's no-internal-process rule forbids domain controllers
# (memory) in the subtree_control of a cgroup with processes, and threaded ones (pids, cpu)
# enabled there make it a thread root whose domain children no process may enter
# (EOPNOTSUPP). WANT v2: cordon is the only process there, moves itself into a leaf and the
# limits are in a v2 cgroup (an OOM kill, `require cgroup` runs). WANT fallback: another
# process is there too; each limit is named in a warning and replaced by its rlimit, and
# `require cgroup` refuses with cordon's one-line reason. Either way the app runs (the shipped
# cli profile, which limits pids, and the limits policy), the caller's own cgroup is left as it
# was, and every cgroup made is beneath BOUND (the cgroup set up for this case) and gone
# afterwards.
check_nested() {
  local tag=$1 bound=$2 want=$3 before new ctl v w
  before=$(cordon_cgroups)
  ctl=$(cat "$CG$IN_CG/cgroup.subtree_control")

  launch $CORDON_RUN -p cli --json-status 3 -- /bin/true
  expect "$tag-cli-runs" 0 "$RC" "exit 0, cgroup version $(status_cgroup_version) [$(status_cgroup_paths)]"
  caller_untouched "$tag-caller-cgroup-untouched" "$ctl"

  launch $CORDON_RUN -p "$LIMITS" --json-status 3 -- "$PROBES/memhog" 128
  v=$(status_cgroup_version)
  w=$(status_warnings)
  if [ "$RC" = 137 ] && [ "$(status_oom_kills)" -ge 1 ] 2>/dev/null && [ "$v" = 2 ] &&
    [ "$want" = v2 ]; then
    pass "$tag-memory-limit" "OOM-killed in the v2 cgroup $(status_cgroup_paths)"
  elif [ "$RC" = 3 ] && printf '%s' "$OUT" | grep -q 'malloc failed' &&
    printf '%s' "$w" | grep -q 'memory 32M not enforced by a cgroup' && [ "$want" = fallback ] &&
    printf '%s' "$w" | grep -q 'holds processes other than cordon'; then
    pass "$tag-memory-limit" "RLIMIT_AS instead, with a warning: $(printf '%s' "$OUT" | tail -n1)"
  else
    if [ "$want" = v2 ]; then
      fail "$tag-memory-limit" "expected an OOM kill (137) in a v2 cgroup beneath $IN_CG, cordon being alone in it; got exit $RC, cgroup version ${v:-?}, warnings: $w"
    else
      fail "$tag-memory-limit" "expected RLIMIT_AS's malloc failure (3) with a warning naming memory 32M and the other process in $IN_CG; got exit $RC, cgroup version ${v:-?}, warnings: $w"
    fi
  fi
  if [ "$v" != 2 ] && [ -n "$(status_has_start && echo y)" ]; then
    if printf '%s' "$w" | grep -q 'pids 16' && printf '%s' "$w" | grep -q 'cpu 20%'; then
      pass "$tag-fallback-warnings" "pids and cpu named too"
    else
      fail "$tag-fallback-warnings" "expected warnings naming pids 16 and cpu 20% when no cgroup holds them, got: $w"
    fi
  fi
  caller_untouched "$tag-caller-cgroup-untouched-2" "$ctl"

  launch $CORDON_RUN -p "$POLICIES/limits-required.cordon" --json-status 3 -- "$PROBES/memhog" 4
  if [ "$RC" = 0 ] && [ "$(status_cgroup_version)" = 2 ] && [ "$want" = v2 ]; then
    pass "$tag-required" "ran in the v2 cgroup $(status_cgroup_paths)"
  elif [ "$want" = fallback ] && [ "$RC" = 125 ] && [ "$(printf '%s\n' "$ERR" | grep -c '^cordon: [^w]')" = 1 ] &&
    printf '%s' "$ERR" | grep -q 'cannot be enforced by a cgroup, which the policy requires'; then
    pass "$tag-required" "refused: $(printf '%s\n' "$ERR" | grep '^cordon: [^w]' | cut -c1-110)…"
  else
    fail "$tag-required" "expected $([ "$want" = v2 ] && echo 'to run in a v2 cgroup (0)' || echo 'a refusal because no cgroup can hold the limits (125, one line)'); got exit $RC: $ERR"
  fi

  new=$(cordon_cgroups | grep -vxF -- "$before" | grep -v '^$')
  OUT="" ERR="" RC="-" LASTCMD="(all launches of $tag)"
  if [ -z "$new" ]; then pass "$tag-nothing-left"; else fail "$tag-nothing-left" "expected no cordon-* cgroup left, found: $new"; fi
  new=$(find "$CG" -mindepth 1 -type d | grep -Ev "^$CG$bound(/|\$)" | grep -vxF -- "$CGROUPS_AT_START")
  if [ -z "$new" ]; then pass "$tag-nothing-outside" "no cgroup made outside $bound"; else fail "$tag-nothing-outside" "expected no cgroup made outside $bound, found: $new"; fi
}

# --- root, in a cgroup below the root that holds it --------------------------------------
mkdir -p "$CG/vmroot/caller"
echo "+memory +pids +cpu" >"$CG/vmroot/cgroup.subtree_control"
CGROUPS_AT_START=$(find "$CG" -mindepth 1 -type d)
MODE=root IN_CG=/vmroot/caller
check_nested root-nested /vmroot v2
# The same cgroup with a second process in it: cordon cannot empty it by moving itself, so the
# limits fall back with a warning naming the other process, and `require cgroup` refuses.
sh -c 'echo $$ >"$0"; exec sleep 600' "$CG/vmroot/caller/cgroup.procs" &
OTHER=$!
wait_for 10 grep -qx "$OTHER" "$CG/vmroot/caller/cgroup.procs"
check_nested root-nested-shared /vmroot fallback
kill "$OTHER"
wait "$OTHER" 2>/dev/null
IN_CG=""

# --- unprivileged, not delegated --------------------------------------------------------
# uid 65534 in the root cgroup (root's): the limits fall back to rlimits, each named in a
# warning; `require cgroup` refuses with one line.
MODE=unpriv IN_CG=""
launch $CORDON_RUN -p "$LIMITS" --json-status 3 -- "$PROBES/memhog" 4
expect unpriv-undelegated-runs 0 "$RC" "exit $RC"
w=$(status_warnings)
if printf '%s' "$w" | grep -q 'memory 32M' && printf '%s' "$w" | grep -q 'pids 16' &&
  printf '%s' "$w" | grep -q 'cpu 20%' && printf '%s' "$w" | grep -q 'not delegated'; then
  pass unpriv-undelegated-warnings "memory, pids and cpu named, 'not delegated'"
else
  fail unpriv-undelegated-warnings "expected warnings naming memory 32M, pids 16 and cpu 20% as not delegated, got: $w"
fi
expect unpriv-undelegated-no-cgroup 0 "$(status_cgroup_version)"
launch $CORDON_RUN -p "$POLICIES/limits-required.cordon" -- "$PROBES/memhog" 4
expect unpriv-undelegated-required-refused 125 "$RC" "exit 125: $ERR"

# --- unprivileged, a delegated cgroup holding the caller itself ---------------------------
# As systemd's Delegate= does: the directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads chowned to the user, the user's process inside it (a Delegate= service's main
# process before it moves itself to a leaf).
MODE=root
mkdir -p "$CG/deleg-flat"
chown 65534:65534 "$CG/deleg-flat" "$CG/deleg-flat/cgroup.procs" "$CG/deleg-flat/cgroup.subtree_control" \
  "$CG/deleg-flat/cgroup.threads"
CGROUPS_AT_START=$(find "$CG" -mindepth 1 -type d)
MODE=unpriv IN_CG=/deleg-flat
check_nested delegated-flat /deleg-flat v2
IN_CG=""

# --- unprivileged, a delegated subtree with the caller in a leaf ---------------------------
# /deleg delegated as above; the user moves itself into /deleg/caller and enables the
# controllers in /deleg (allowed: it owns the files, and /deleg holds no process then). Each
# launch afterwards starts alone in /deleg/caller (launch execs cordon there): cordon makes
# its cgroups beneath the caller's own cgroup only, never beside it, so it moves itself into
# /deleg/caller/cordon-N-supervisor and enables the controllers in /deleg/caller (its
# creator's, uid 65534's); /deleg/caller is left as it was and nothing is made outside /deleg.
MODE=root IN_CG=""
mkdir -p "$CG/deleg"
chown 65534:65534 "$CG/deleg" "$CG/deleg/cgroup.procs" "$CG/deleg/cgroup.subtree_control" \
  "$CG/deleg/cgroup.threads"
MODE=unpriv IN_CG=/deleg
D=/sys/fs/cgroup/deleg
launch sh -c "mkdir $D/caller && echo \$\$ >$D/caller/cgroup.procs && echo '+memory +pids +cpu' >$D/cgroup.subtree_control && cat $D/cgroup.subtree_control"
expect delegated-setup-by-user "cpu memory pids" "$OUT" "/deleg/caller made and /deleg's controllers enabled by uid 65534"
MODE=root
CGROUPS_AT_START=$(find "$CG" -mindepth 1 -type d)
MODE=unpriv IN_CG=/deleg/caller
check_nested delegated-leaf /deleg v2
# A device list needs a BPF program, which only CAP_BPF (or CAP_SYS_ADMIN) may load: uid 65534
# is refused, naming the step, and nothing is left.
launch $CORDON_RUN -p "$POLICIES/devices.cordon" -- "$PROBES/fsprobe" read /dev/full
expect delegated-devices-refused 125 "$RC" "exit 125: $(printf '%s\n' "$ERR" | cut -c1-160)"
expect_in delegated-devices-names-step 'devices allow null zero.*load the device program' "cordon's error" "$ERR"
if [ -z "$(cordon_cgroups)" ]; then pass delegated-devices-nothing-left; else fail delegated-devices-nothing-left "found $(cordon_cgroups)"; fi
IN_CG=""

MODE=root
vm_finish
