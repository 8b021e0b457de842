# tests/vm/guest/lib.sh: shared by the guest suites (tests/vm/suites/*.sh), sourced by busybox
# sh inside the VM. The style of tests/e2e/lib.bash, with every line the host should see
# prefixed "@@VM " (vm.sh strips it and counts the results):
#   ok   root   cgroup-limit-files  (memory.max=33554432 …)
#   FAIL unpriv delegated-cgroup-v2: expected …, got …
#          command: [unpriv in /deleg/caller] cordon run …
#          exit status: 0
#          stderr:
#          | cordon: warning: …
#   SKIP unpriv …: why
#   NOTE root   …: an observation the check does not fail on
# vm_finish prints the summary, the kernel log when a check failed, and marks the suite done.

# shellcheck shell=dash disable=SC2016
# (busybox sh has `local` as dash does)

set -u

MODE=root
PASSES=0
FAILS=0
SKIPS=0
CORDON=/opt/cordon/bin/cordon
# shellcheck disable=SC2034  # for the suites
PROBES=/opt/cordon/probes
# shellcheck disable=SC2034
POLICIES=/opt/cordon/vm/policies
CG=/sys/fs/cgroup
T=/tmp/vm
export CORDON_PROFILES=/opt/cordon/profiles
LASTCMD=""
OUT=""
ERR=""
RC=0
# The cgroup (relative to $CG, e.g. /deleg/caller) the next launch is moved into before it
# runs; empty: the suite's own (the root cgroup).
IN_CG=""

vm_init() {
  rm -rf "$T"
  mkdir -p "$T/home-root" "$T/home-unpriv" "$T/work" "$T/log"
  chmod 1777 "$T/log"
  chmod 755 "$T"
  chown 65534:65534 "$T/home-unpriv"
  chmod 1777 "$T/work"
  # cli.cordon binds ${PWD} read-write: a directory of our own that both users may write.
  cd "$T/work" || exit 2
  /usr/bin/setpriv --version >/dev/null 2>&1 || vm_skip_all "no setpriv in the initramfs (util-linux on the host)"
  [ -x "$CORDON" ] || vm_skip_all "no cordon binary in the initramfs"
}

vm_skip_all() {
  echo "@@VM-SKIPALL $*"
  : >/run/suite-finished
  exit 0
}

_indent() { sed -n '1,20p' | sed 's/^/@@VM        | /'; }

# A timestamp line (guest uptime) before each result, kept in the serial log for timing.
_stamp() { echo "@@T $(cut -d' ' -f1 /proc/uptime)"; }

pass() {
  _stamp
  PASSES=$((PASSES + 1))
  printf '@@VM ok   %-6s %s%s\n' "$MODE" "$1" "${2:+  ($2)}"
}

# fail NAME WHY: WHY is "expected X, got Y". The last command and its results follow.
fail() {
  _stamp
  FAILS=$((FAILS + 1))
  printf '@@VM FAIL %-6s %s: %s\n' "$MODE" "$1" "$2"
  printf '@@VM        command: %s\n' "$LASTCMD"
  printf '@@VM        exit status: %s\n' "$RC"
  if [ -n "$OUT" ]; then echo "@@VM        stdout:"; printf '%s\n' "$OUT" | _indent; fi
  if [ -n "$ERR" ]; then echo "@@VM        stderr:"; printf '%s\n' "$ERR" | _indent; fi
  if [ -s "$T/log/status" ]; then echo "@@VM        --json-status:"; _indent <"$T/log/status"; fi
  return 0
}

skip() {
  SKIPS=$((SKIPS + 1))
  printf '@@VM SKIP %-6s %s: %s\n' "$MODE" "$1" "$2"
}

note() { printf '@@VM NOTE %-6s %s: %s\n' "$MODE" "$1" "$2"; }

# expect NAME WANT-ERE GOT [NOTE]: passes when GOT (one line) matches ^(WANT-ERE)$.
expect() {
  if printf '%s\n' "$3" | grep -Eqx -- "$2" && [ "$(printf '%s\n' "$3" | wc -l)" -eq 1 ]; then
    pass "$1" "${4:-$3}"
  else
    fail "$1" "expected $2, got ${3:-<nothing>}"
  fi
}

# expect_in NAME ERE WHAT TEXT: passes when some line of TEXT matches ERE.
expect_in() {
  if printf '%s\n' "$4" | grep -Eq -- "$2"; then
    pass "$1"
  else
    fail "$1" "expected $3 to match /$2/, it does not"
  fi
}

# The current MODE's scratch home.
home() { if [ "$MODE" = unpriv ]; then echo "$T/home-unpriv"; else echo "$T/home-root"; fi; }

# launch CMD [ARG...]: runs CMD as MODE (unpriv: uid/gid 65534 through setpriv, no groups)
# after moving itself into the cgroup IN_CG, with a 120 s guard, stdin /dev/null, fd 3 open on
# $T/log/status (for --json-status 3). Results in OUT, ERR, RC. launch_bg returns at once with
# BG_PID (the pid of CMD itself: timeout, sh and setpriv all exec); launch_wait collects the
# results.
LAUNCH_BG=0
launch_bg() {
  LAUNCH_BG=1
  launch "$@"
  LAUNCH_BG=0
}
launch() {
  local procs="" h
  h=$(home)
  [ -n "$IN_CG" ] && procs="$CG$IN_CG/cgroup.procs"
  # By path: busybox sh prefers its own applets (busybox setpriv has no --reuid).
  if [ "$MODE" = unpriv ]; then set -- /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; fi
  LASTCMD="[$MODE${IN_CG:+ in $IN_CG}] $*"
  : >"$T/log/status"
  if [ "$LAUNCH_BG" = 1 ]; then
    HOME=$h XDG_CACHE_HOME=$h/.cache timeout -s KILL 120 \
      sh -c '[ -z "$0" ] || echo $$ >"$0" || exit 121; exec "$@"' "$procs" "$@" \
      >"$T/log/out" 2>"$T/log/err" </dev/null 3>"$T/log/status" &
    BG_PID=$!
    return 0
  fi
  HOME=$h XDG_CACHE_HOME=$h/.cache timeout -s KILL 120 \
    sh -c '[ -z "$0" ] || echo $$ >"$0" || exit 121; exec "$@"' "$procs" "$@" \
    >"$T/log/out" 2>"$T/log/err" </dev/null 3>"$T/log/status"
  RC=$?
  OUT=$(cat "$T/log/out")
  ERR=$(cat "$T/log/err")
}

# The background launch is over (a zombie until launch_wait).
bg_ended() { [ ! -e "/proc/$BG_PID" ] || [ "$(cut -d' ' -f3 "/proc/$BG_PID/stat" 2>/dev/null)" = Z ]; }
started_or_ended() { status_has_start || bg_ended; }

launch_wait() {
  wait "$BG_PID"
  RC=$?
  OUT=$(cat "$T/log/out")
  ERR=$(cat "$T/log/err")
}

# wait_for SECONDS CMD...: polls every 0.1 s until CMD succeeds; status 0 when it did.
wait_for() {
  local n=$(($1 * 10))
  shift
  while [ "$n" -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    n=$((n - 1))
  done
  "$@"
}

# The --json-status lines (nlohmann's compact dump, keys sorted).
status_has_start() { grep -q '"event":"start"' "$T/log/status"; }
start_line() { grep '"event":"start"' "$T/log/status"; }
exit_line() { grep '"event":"exit"' "$T/log/status"; }
# The applied cgroup version and its paths (space-separated).
status_cgroup_version() { start_line | sed -n 's/.*"cgroup":{"paths":\[[^]]*\],"version":\([0-9]*\)}.*/\1/p'; }
status_cgroup_paths() { start_line | sed -n 's/.*"cgroup":{"paths":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr ',' ' '; }
status_warnings() { start_line | sed -n 's/.*"warnings":\[\(.*\)\]}$/\1/p'; }
status_host_pid() { start_line | sed -n 's/.*"host_pid":\([0-9]*\).*/\1/p'; }
status_oom_kills() { exit_line | sed -n 's/.*"oom_kills":\([0-9]*\).*/\1/p'; }

# The rest of the first line of OUT that starts with PREFIX, or "<missing>".
after() {
  local v
  v=$(printf '%s\n' "$OUT" | awk -v p="$1" 'index($0, p) == 1 { print substr($0, length(p) + 1); exit }')
  printf '%s' "${v:-<missing>}"
}

# cordon's cgroups anywhere in the hierarchy, one per line.
cordon_cgroups() { find "$CG" -mindepth 1 -type d -name 'cordon-*' 2>/dev/null | sort; }

# The guest's uptime in centiseconds.
uptime_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

vm_finish() {
  echo "@@VM -- guest: $PASSES ok, $FAILS failed, $SKIPS skipped, at $(cut -d' ' -f1 /proc/uptime) s of uptime"
  if [ "$FAILS" -gt 0 ]; then
    echo "@@VM        kernel log (last 40 lines):"
    dmesg | tail -n 40 | sed 's/^/@@VM        | /'
  fi
  : >/run/suite-finished
}
