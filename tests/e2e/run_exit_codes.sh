#!/bin/bash
# cordon run's own exit statuses (issue #3), as root and as uid 65534:
#   125 cordon failed before the app started: one line `cordon: <stage> <object>: <ERRNO>`,
#       nothing left behind (no cgroup, no process)
#   126 the command is not executable, 127 it is not found.
# Usage: run_exit_codes.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

mkdir -p "$T/bin"
printf '#!/bin/sh\necho should-not-run\n' >"$T/bin/notexec"
chmod 644 "$T/bin/notexec"
chmod 755 "$T/bin"

# Processes whose command line mentions this script's scratch tree, other than us.
leftovers() { pgrep -f -- "$T" | grep -vx "$$" || true; }

# 125: a required bind of a missing path. The policy also has cgroup limits, so as root a
# cgroup is created before the mount fails: it must be gone afterwards.
check_125() {
  local before after new
  before=$(cordon_cgroups)
  crun missing-bind -- "$PROBES/pidns"
  after=$(cordon_cgroups)
  expect_rc exit-125 125
  local lines
  lines=$(grep -c . <<<"$ERR")
  # Unprivileged, the cgroup fallback adds warning lines; the failure itself is one line.
  local msg
  msg=$(grep -v 'warning' <<<"$ERR")
  expect exit-125-one-line 1 "$(grep -c . <<<"$msg")" "$lines line(s) on stderr"
  expect exit-125-message "cordon: mount[^:]* $T/does-not-exist: ENOENT" "$msg"
  if [[ $OUT == *pid=* ]]; then fail exit-125-app-not-run "expected the app not to run, it printed: $OUT"; fi
  new=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^$')
  if [[ -z $new ]]; then pass exit-125-no-cgroup-left; else fail exit-125-no-cgroup-left "expected no new cgroup, found: $(paste -sd' ' <<<"$new")"; fi
  local left
  left=$(leftovers)
  if [[ -z $left ]]; then pass exit-125-no-process-left; else fail exit-125-no-process-left "processes left: $(ps -o pid,args -p "$(paste -sd, <<<"$left")" | tail -n +2 | paste -sd';')"; fi
}

# 126: a file without the execute bit.
check_126() {
  crun exec -- "$T/bin/notexec"
  expect_rc exit-126-not-executable 126
  if [[ $OUT == *should-not-run* ]]; then fail exit-126-not-run "the file ran: $OUT"; fi
  crun exec -- "$T/bin"
  expect_rc exit-126-directory 126
}

# 127: a command that does not exist, by name (PATH searched inside) and by path.
check_127() {
  crun iso -- cordon-e2e-no-such-command
  expect_rc exit-127-by-name 127
  crun iso -- "$T/bin/no-such-file"
  expect_rc exit-127-by-path 127
  # A program that exists on the host but not in the sandbox (outside every bind).
  cp "$PROBES/pidns" "$T/bin-host-only" && chmod 755 "$T/bin-host-only"
  crun iso -- "$T/bin-host-only"
  expect_rc exit-127-outside-binds 127
}

both check_125
both check_126
both check_127
e2e_finish
