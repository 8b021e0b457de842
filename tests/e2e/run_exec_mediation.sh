#!/bin/bash
# Issue #14, class 7: a policy that refuses execve refuses every way to start a program
# (execveat by fd, by absolute path, on a re-opened fd number, fexecve, a memfd the app
# wrote), while cordon's own execveat of the app still works: the filter answers execveat
# with a user notification and the supervisor lets only the first one (cordon's) through.
# As root and as uid 65534, with tests/probes/execprobe and the shipped python3 profile.
# Usage: run_exec_mediation.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

MODES="execve execveat-fd execveat-abs execveat-stale fexecve memfd"

# Every way refused with the policy's errno; nothing ran; the app itself started (it printed).
check_refused() {
  crun exec-refused -- "$PROBES/execprobe" all "$PROBES/execprobe"
  expect_rc refused-app-started 0
  local m
  for m in $MODES; do expect "refused-$m" EPERM "$(after "$m=")"; done
  expect refused-nothing-ran '<missing>' "$(after 'ran=')"
}

# A script as the command: cordon's execveat of it fails (ENOENT, its fd is close-on-exec)
# and is made once more, announced to the supervisor, which lets that one through too; what
# the script then starts is refused.
check_script() {
  printf '#!/bin/sh\necho script-ran\n/bin/true && echo true-ran\n' >"$T/work/script.sh"
  chmod 755 "$T/work/script.sh"
  crun exec-refused -- "$T/work/script.sh"
  expect script-ran script-ran "$(grep -x script-ran <<<"$OUT" || echo '<missing>')"
  expect script-child-refused '<missing>' "$(grep -x true-ran <<<"$OUT" || echo '<missing>')"
}

# `kill execveat`: the process that tries is killed (SIGKILL: 137), and cordon says so.
check_killed() {
  crun exec-killed -- "$PROBES/execprobe" execveat-fd "$PROBES/execprobe"
  expect_rc killed-exit 137
  expect killed-nothing-ran '<missing>' "$(after 'ran=')"
  expect_in killed-said 'execveat refused by the policy \(kill .*\): pid [0-9]+ killed' stderr "$ERR"
}

# Under -p cli (execve and execveat allowed) each way works, and runs the program.
check_cli_runs() {
  local m
  for m in execve execveat-fd execveat-abs execveat-stale fexecve; do
    crun iso -- "$PROBES/execprobe" "$m" "$PROBES/execprobe"
    expect "cli-$m-ran" "$m" "$(after 'ran=')"
  done
}

# A root caller's sandbox has executable memfds off (vm.memfd_noexec 2 in its PID namespace):
# under -p cli, a memfd cannot be executed. Unprivileged, cordon cannot set it; cli lets the
# app write and run a file in /tmp anyway, so a memfd gives it nothing new and cordon does not
# warn on every launch (it warns only where nothing writable is executable).
# A kernel before 6.3 has no vm.memfd_noexec: there root's memfd runs too, as on any such
# kernel (the expectation is the host's, not this build machine's).
check_memfd_noexec() {
  crun iso -- "$PROBES/execprobe" memfd "$PROBES/execprobe"
  if [[ $MODE == root && -e /proc/sys/vm/memfd_noexec ]]; then
    expect memfd-noexec-root EACCES "$(after 'memfd=')"
  elif [[ $MODE == root ]]; then
    expect memfd-exec-root-old-kernel memfd "$(after 'ran=')" "no vm.memfd_noexec on this kernel"
  else
    expect memfd-exec-unpriv memfd "$(after 'ran=')" "the host's setting"
    if grep -q 'warning: memfd exec' <<<"$ERR"; then
      fail memfd-no-noise "expected no memfd warning where /tmp is writable and executable"
    else
      pass memfd-no-noise
    fi
  fi
}

# The supervisor killed while the app's execveat waits for its answer: the exec never happens
# (the kernel answers ENOSYS once the listener is gone, and the sandbox dies with cordon).
check_supervisor_killed() {
  local cgroups_before
  cgroups_before=$(cordon_cgroups)
  rm -f "$T/work/go"
  bg_start "$T/log/pending" "$CORDON" run -p "$POLICIES/exec-refused.cordon" --set "PROBES=$PROBES" \
    --set "T=$T" -- "$PROBES/execprobe" pending "$PROBES/execprobe" "$T/work/go"
  local cordon_pid=$BG_PID
  if ! wait_for 10 grep -q waiting "$T/log/pending"; then
    OUT=$(<"$T/log/pending") ERR=$(<"$T/log/pending.err") RC=-
    fail supervisor-killed "the probe did not start"
    kill -9 "$cordon_pid" 2>/dev/null
    return
  fi
  kill -STOP "$cordon_pid"
  touch "$T/work/go"
  wait_for 10 grep -q trying "$T/log/pending"
  sleep 0.5  # the execveat is now waiting for the stopped supervisor's answer
  kill -9 "$cordon_pid"
  wait "$cordon_pid" 2>/dev/null
  sleep 0.5
  OUT=$(<"$T/log/pending") ERR=$(<"$T/log/pending.err") RC=killed
  expect supervisor-killed-nothing-ran '<missing>' "$(after 'ran=')" "$(tr '\n' ' ' <<<"$OUT")"
  rm -f "$T/work/go"
  # A SIGKILLed cordon cannot remove its cgroup (run_signals.sh says the same): remove it.
  local d
  for d in $(comm -13 <(echo "$cgroups_before") <(cordon_cgroups) | grep -v '^$'); do
    wait_for 3 rmdir "$d" 2>/dev/null
  done
}

# The shipped python3 profile: os.execv, os.execve on an fd (fexecve), then a memfd, whose
# memfd_create the profile itself kills (SIGSYS, exit 159) before any exec could be tried.
check_python3() {
  [[ -x /usr/bin/python3 ]] || { skip python3 "no /usr/bin/python3"; return; }
  cat >"$T/work/tryexec.py" <<'PYEOF'
import os
def attempt(name, f):
    try:
        f()
        print(name + "=OK", flush=True)
    except OSError as e:
        print(name + "=" + __import__("errno").errorcode[e.errno], flush=True)
attempt("execv", lambda: os.execv("/usr/bin/true", ["true"]))
attempt("fexecve", lambda: os.execve(os.open("/usr/bin/true", os.O_RDONLY), ["true"], {}))
def memfd():
    fd = os.memfd_create("payload", 0)
    os.write(fd, open("/usr/bin/true", "rb").read())
    os.execve(fd, ["true"], {})
print("python3=started", flush=True)
attempt("memfd", memfd)
PYEOF
  chmod 644 "$T/work/tryexec.py"
  raw "$CORDON" run -p python3 -- /usr/bin/python3 "$T/work/tryexec.py"
  expect python3-started started "$(after 'python3=')"
  expect python3-execv EPERM "$(after 'execv=')"
  expect python3-fexecve EPERM "$(after 'fexecve=')"
  local memfd
  memfd=$(after 'memfd=')
  [[ $memfd == '<missing>' && $RC == 159 ]] && memfd="killed at memfd_create"
  expect python3-memfd 'EPERM|killed at memfd_create' "$memfd"
}

both check_refused
both check_script
both check_killed
both check_cli_runs
both check_memfd_noexec
both check_supervisor_killed
both check_python3
e2e_finish
