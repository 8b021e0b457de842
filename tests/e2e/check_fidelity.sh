#!/bin/bash
# cordon check --fidelity: what enforces each clause here, and what cordon run would do, as
# root and as uid 65534 — each answer checked against what cordon run then does.
#   cli (pids 1024): root: the pids limit in a cgroup, run starts (exit 0); uid 65534: the
#   limit only partly (RLIMIT_NPROC), named in the run's warning.
#   devices: root: the list in cgroup v2's device program; uid 65534: refused (exit 3), and
#   cordon run is refused with the same line (125).
#   Nothing is left in the cgroup trees by the trial.
# Usage: check_fidelity.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

CGROUPS_BEFORE=$(cordon_cgroups)

fidelity() {
  raw "$CORDON" check --fidelity "$POLICIES/$1.cordon" --set "PROBES=$PROBES" --set "T=$T" "${@:2}"
}

check_cli() {
  fidelity iso
  local pids
  pids=$(grep -A1 '^  limits pids 1024' <<<"$OUT" | tail -n1)
  if [[ $MODE == root ]]; then
    expect_rc fidelity-cli-exit 0
    expect_in fidelity-cli-pids-in-cgroup '^ +yes +cgroup v1: /sys/fs/cgroup/pids' "the pids row" "$pids"
    expect_in fidelity-cli-starts '^cordon run here: starts in cgroup v1' "the summary" "$OUT"
  else
    expect_rc fidelity-cli-exit 0
    expect_in fidelity-cli-pids-partly '^ +partly +cgroup: pids 1024 not enforced by a cgroup.*RLIMIT_NPROC' "the pids row" "$pids"
    expect_in fidelity-cli-starts '^cordon run here: starts, no cgroup, with [1-9][0-9]* warning' "the summary" "$OUT"
    local said=$OUT
    crun iso -- /bin/true
    expect_in fidelity-cli-run-warns-the-same 'warning: cgroup: pids 1024 not enforced by a cgroup' "cordon run's stderr" "$ERR"
    OUT=$said
  fi
  expect_in fidelity-cli-landlock '^ +yes +Landlock ABI [0-9]+: execute read_file read_dir' "the ro /usr rows" \
    "$(grep -A3 '^  ro /usr' <<<"$OUT")"
}

check_devices() {
  fidelity devices
  local dev
  dev=$(grep -A1 '^  devices allow null zero' <<<"$OUT" | tail -n1)
  if [[ $MODE == root ]]; then
    expect_rc fidelity-devices-exit 0
    expect_in fidelity-devices-program '^ +yes +cgroup v2 device program' "the devices row" "$dev"
  else
    expect_rc fidelity-devices-would-refuse 3
    expect_in fidelity-devices-no '^ +no +cgroup device controller' "the devices row" "$dev"
    local said
    said=$(sed -n 's/^cordon run here: refused (exit 125): //p' <<<"$OUT")
    crun devices -- /bin/true
    expect_rc fidelity-devices-run-refused 125
    expect fidelity-devices-same-line "$(sed 's/cordon-[0-9]*/cordon-N/g; s/[][().*^$]/./g' <<<"$said")" \
      "$(sed 's/cordon-[0-9]*/cordon-N/g' <<<"$ERR")"
  fi
  fidelity devices --json
  expect_in fidelity-devices-json '"run":\{[^}]*"starts":(true|false)' "the JSON" "$OUT"
}

both check_cli
both check_devices
now=$(cordon_cgroups)
new=$(comm -13 <(echo "$CGROUPS_BEFORE") <(echo "$now") | grep -v '^$')
OUT="" ERR="" LASTCMD="(all of the above)"
if [[ -z $new ]]; then pass fidelity-no-cgroup-left; else fail fidelity-no-cgroup-left "found: $new"; fi
e2e_finish
