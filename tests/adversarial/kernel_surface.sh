#!/usr/bin/env bash
# The adversarial battery, part 2: the kernel interfaces a hostile app reaches for first, under
# the shipped cli and service profiles, as root and as uid 65534 — rings and counters the
# filter cannot see into, the keyring and abstract sockets it shares with the host, its own
# PID 1, core_pattern, hard links across binds, a fork bomb. The probe is
# tests/probes/escape.c; it prints held/ESCAPE per mode.
# shellcheck source=lib.bash
source "$(dirname "$0")/lib.bash"
adv_init "$@"

MODES=(io_uring userfaultfd perf_event_open proc1 pidfd-init core_pattern)

check_surface() {
  local profile=$1
  crun "adv-$profile" -- "$PROBES/escape" "${MODES[@]}"
  verdicts "$profile" "${MODES[@]}"
}

# A key the sandbox adds to "its" user keyring must not land in the host user's keyring (a
# channel out, and for a root caller, root's keys in reach).
check_keyring() {
  local profile=$1
  local name="cordon-adv-$profile-$MODE-$$"
  crun "adv-$profile" -- "$PROBES/escape" keyring-plant "$name"
  local plant=$OUT
  raw "$PROBES/escape" keyring-find "$name"
  if [[ $OUT == "keyring-find: found" ]]; then escape "$profile.keyring" "the host's user keyring holds the sandbox's key ($plant)"
  else held "$profile.keyring" "$plant; the host's search: ${OUT#keyring-find: }"; fi
}

# An abstract unix socket the host listens on (X11, D-Bus and container runtimes do) must be
# out of reach.
check_abstract() {
  local profile=$1
  local name="cordon-adv-$MODE-$$"
  : >"$T/log/listen"
  "$PROBES/escape" abstract-listen "$name" 20 >"$T/log/listen" 2>&1 &
  local lpid=$!
  wait_for 5 grep -q listening "$T/log/listen"
  # Control: from the host the socket answers, so a refusal inside is the sandbox's.
  local control
  control=$("$PROBES/escape" abstract-connect "$name")
  crun "adv-$profile" -- "$PROBES/escape" abstract-connect "$name"
  pkill -P "$lpid" 2>/dev/null; kill "$lpid" 2>/dev/null
  wait "$lpid" 2>/dev/null
  if [[ $control != *"ESCAPE (connected"* ]]; then
    escape "$profile.abstract-connect" "cannot tell: the host's own connect failed ($control)"
    return
  fi
  verdicts "$profile" abstract-connect
}

# A file the sandbox sees read-only, linked into a folder it may write, would be writable
# under its new name: links across the sandbox's binds are refused (EXDEV).
check_hardlink() {
  local w="$T/work/link-$MODE"
  mkdir -p "$w" && chmod 1777 "$w"
  cd "$w" || return
  crun adv-cli -- "$PROBES/escape" hardlink /etc/passwd "$w/passwd"
  case $OUT in
    "hardlink: linked") escape hardlink "/etc/passwd got a writable name in $w" ;;
    hardlink:*) held hardlink "${OUT#hardlink: }" ;;
    *) escape hardlink "the probe did not run (exit $RC)" ;;
  esac
  rm -f "$w/passwd"
  cd "$T/work" || return
}

# A fork bomb ends at the profile's pids limit (a cgroup as root here, RLIMIT_NPROC for an
# unprivileged caller), not at the host's.
check_forkbomb() {
  crun adv-cli -- "$PROBES/escape" forkbomb 3000
  verdicts cli forkbomb
}

# A memory bomb ends at the service profile's 512M (a cgroup's OOM kill as root here,
# RLIMIT_AS for an unprivileged caller). cli sets no memory limit on purpose (compilers, and
# runtimes that reserve address space, would break under RLIMIT_AS): docs/threat-model.md.
check_membomb() {
  crun adv-service -- "$PROBES/escape" membomb 2048
  verdicts service membomb
}

for p in cli service; do
  both check_surface "$p"
  both check_keyring "$p"
  both check_abstract "$p"
done
both check_hardlink
both check_forkbomb
both check_membomb
e2e_finish
