# tests/e2e/lib.bash: shared by the launcher's end-to-end scripts (tests/e2e/run_*.sh). Named
# .bash, not .sh, so that tests/CMakeLists.txt does not take it for a test of its own.
#
# A script sources this, calls `e2e_init "$@"` (arguments: the cordon binary and the source
# dir, as tests/CMakeLists.txt passes them), defines one function per check and runs each with
# `both CHECK` — once as root and once as uid/gid 65534 through setpriv — then `e2e_finish`.
#
# Every check prints one line per mode:
#   ok   root   pids-invisible
#   FAIL unpriv ro-bind: expected EROFS|EACCES, got OK
#        command: cordon run -p iso.cordon ... -- fsprobe write /usr/x
#        exit 0; stdout: ...; stderr: ...
#   SKIP root   int80-denied: why
# and the script exits 1 when any check failed, 77 (ctest: skipped) when it cannot run at all.

set -u

E2E_FAILS=0
E2E_PASSES=0
E2E_SKIPS=0
MODE=root

e2e_skip_all() {
  echo "########################################################################"
  echo "SKIPPED $(basename "$0"): $*"
  echo "########################################################################"
  exit 77
}

e2e_init() {
  [[ $# -ge 2 ]] || { echo "usage: $0 CORDON_BINARY SOURCE_DIR" >&2; exit 2; }
  CORDON=$(realpath "$1")
  SRC=$(realpath "$2")
  PROBES="$(dirname "$CORDON")/tests/probes"
  POLICIES="$SRC/tests/e2e/policies"
  export CORDON_PROFILES="$SRC/profiles"

  [[ $(id -u) -eq 0 ]] || e2e_skip_all "must run as root (every check runs as root and as uid 65534)"
  command -v setpriv >/dev/null || e2e_skip_all "setpriv (util-linux) is not installed"
  [[ -x $CORDON ]] || e2e_skip_all "no cordon binary at $CORDON"
  "$CORDON" run --help >/dev/null 2>&1 || e2e_skip_all "$CORDON has no 'run' subcommand"
  [[ -x $PROBES/fsprobe ]] || e2e_skip_all "probes are not built in $PROBES (ninja -C build)"

  # One scratch tree per script. The unprivileged user must reach it: 755 all the way.
  T=$(mktemp -d /tmp/cordon-e2e.XXXXXX)
  chmod 755 "$T"
  trap e2e_cleanup EXIT
  mkdir -p "$T/home-root" "$T/home-unpriv" "$T/work" "$T/log"
  chown 65534:65534 "$T/home-unpriv"
  # The working directory: cli.cordon binds ${PWD} read-write, so run from a directory of our
  # own (never the source tree) that both users may write.
  chmod 1777 "$T/work"
  cd "$T/work" || exit 2
  # The checkout may live where uid 65534 cannot reach (a CI clone under /root): run a copy of
  # the binary, the probes, the policies and the profiles from the scratch tree instead.
  mkdir -p "$T/bin"
  cp "$CORDON" "$T/bin/cordon" && cp -r "$PROBES" "$T/probes" && cp -r "$POLICIES" "$T/policies" &&
    cp -r "$SRC/profiles" "$T/profiles" || exit 2
  chmod -R a+rX "$T/bin" "$T/probes" "$T/policies" "$T/profiles"
  CORDON="$T/bin/cordon"
  PROBES="$T/probes"
  POLICIES="$T/policies"
  export CORDON_PROFILES="$T/profiles"
  E2E_BG_PIDS=()
  e2e_own_cgroups
  E2E_CGROUPS_AT_START=$(cordon_cgroups)
}

# Root only: moves this script into a cgroup of its own beneath its caller's, in every
# hierarchy it is in, so that every launch of the script (and only those) creates its
# cordon-<pid> cgroups inside it. ctest -j runs the scripts side by side, and run_signals
# leaves an empty cordon-<pid> behind on purpose for a moment after kill -9 of cordon: a
# check scanning all of /sys/fs/cgroup blamed that on whichever script finished meanwhile.
# Unprivileged launches of the script inherit the cgroup too (setpriv does not move them).
E2E_CG_DIRS=()
e2e_own_cgroups() {
  [[ $(id -u) == 0 ]] || return 0
  local _id ctrls rel mnt fstype opts dir mine
  # Read once: the file changes (and its lines move) as the script changes cgroups.
  mine=$(cat /proc/self/cgroup)
  while IFS=: read -r _id ctrls rel; do
    mnt=""
    while read -r _ _ _ _ target _ rest; do
      fstype=${rest#*- }; opts=${fstype#* * }; fstype=${fstype%% *}
      if [[ -z $ctrls && $fstype == cgroup2 ]]; then mnt=$target; break; fi
      if [[ -n $ctrls && $fstype == cgroup && ,$opts, == *,"${ctrls%%,*}",* ]]; then mnt=$target; break; fi
    done </proc/self/mountinfo
    [[ -n $mnt && -d $mnt$rel ]] || continue
    dir="${mnt%/}${rel%/}/e2e-$(basename "$0" .sh)-$$"
    mkdir "$dir" 2>/dev/null || continue
    if echo $$ >"$dir/cgroup.procs" 2>/dev/null; then
      E2E_CG_DIRS+=("$dir")
    else
      rmdir "$dir"
    fi
  done <<<"$mine"
}

# Moves the script back to its caller's cgroups and removes its own (and, depth first, any
# empty cgroup left inside them: all were made by this script's launches).
e2e_release_cgroups() {
  local dir i d
  for dir in "${E2E_CG_DIRS[@]}"; do
    echo $$ >"${dir%/*}/cgroup.procs" 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10; do
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
      [[ -d $dir ]] || break
      sleep 0.2
    done
    [[ -d $dir ]] && echo "warning: could not remove $dir: $(cat "$dir/cgroup.procs" 2>/dev/null | paste -sd' ')" >&2
  done
  E2E_CG_DIRS=()
}

e2e_cleanup() {
  local p
  for p in "${E2E_BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  e2e_release_cgroups
  cd / && rm -rf "$T"
}

# Runs "$@" as the current MODE's user: root as is; unpriv through setpriv as 65534:65534 with
# no supplementary groups. Either way HOME and XDG_CACHE_HOME point at that user's own
# scratch home (uid 65534 has no real home, and the plan cache must be writable).
as_mode() {
  if [[ $MODE == unpriv ]]; then
    HOME="$T/home-unpriv" XDG_CACHE_HOME="$T/home-unpriv/.cache" \
      setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
  else
    HOME="$T/home-root" XDG_CACHE_HOME="$T/home-root/.cache" "$@"
  fi
}

# A command crun puts in front of cordon (see without_landlock), and the tag added to the
# names of the checks run that way.
CRUN_WRAP=()
E2E_TAG=""

# without_landlock CHECK [ARG...]: runs the check with cordon under tests/probes/nolandlock,
# which makes landlock_create_ruleset fail with ENOSYS as on a kernel without Landlock: what
# the check asserts must then hold by the other layers (mounts, namespaces, seccomp, ids).
# Check names get the suffix "/no-landlock".
without_landlock() {
  CRUN_WRAP=("$PROBES/nolandlock")
  E2E_TAG="/no-landlock"
  "$@"
  CRUN_WRAP=()
  E2E_TAG=""
}

# The command line `crun` runs, for messages.
LASTCMD=""
OUT=""
ERR=""
RC=0

# crun POLICY [CORDON-RUN-OPTIONS...] -- CMD [ARG...]
# Runs `cordon run -p POLICIES/POLICY.cordon --set PROBES=... --set T=...` as MODE, with stdin
# from /dev/null, a 60 s guard, and leaves the results in OUT, ERR and RC.
crun() {
  local policy=$1
  shift
  local -a cmd=("${CRUN_WRAP[@]}" "$CORDON" run -p "$POLICIES/$policy.cordon" --set "PROBES=$PROBES" --set "T=$T" "$@")
  LASTCMD="[$MODE] ${cmd[*]}"
  as_mode timeout -k 5 60 "${cmd[@]}" >"$T/log/out" 2>"$T/log/err" </dev/null
  RC=$?
  OUT=$(<"$T/log/out")
  ERR=$(<"$T/log/err")
}

# raw CMD [ARG...]: like crun for any command (run as MODE, results in OUT, ERR, RC).
raw() {
  LASTCMD="[$MODE] $*"
  as_mode timeout -k 5 60 "$@" >"$T/log/out" 2>"$T/log/err" </dev/null
  RC=$?
  OUT=$(<"$T/log/out")
  ERR=$(<"$T/log/err")
}

# The rest of the first line of OUT that starts with PREFIX (literal), or "<missing>".
after() {
  local prefix=$1 line
  while IFS= read -r line; do
    if [[ $line == "$prefix"* ]]; then
      printf '%s' "${line#"$prefix"}"
      return
    fi
  done <<<"$OUT"
  printf '<missing>'
}

_indent() { sed 's/^/       | /' | head -n 12; }

# The words a passed and a failed check begin with (tests/adversarial/lib.bash says "held" and
# "ESCAPE").
E2E_PASS_WORD="ok  "
E2E_FAIL_WORD="FAIL"

pass() {
  E2E_PASSES=$((E2E_PASSES + 1))
  printf '%s %-6s %s%s\n' "$E2E_PASS_WORD" "$MODE" "$1$E2E_TAG" "${2:+  ($2)}"
}

# fail NAME WHY: WHY is "expected X, got Y". The last command and its results follow.
fail() {
  E2E_FAILS=$((E2E_FAILS + 1))
  printf '%s %-6s %s: %s\n' "$E2E_FAIL_WORD" "$MODE" "$1$E2E_TAG" "$2"
  printf '       command: %s\n' "$LASTCMD"
  printf '       exit status: %s\n' "$RC"
  [[ -n $OUT ]] && { echo "       stdout:"; _indent <<<"$OUT"; }
  [[ -n $ERR ]] && { echo "       stderr:"; _indent <<<"$ERR"; }
  return 0
}

# note NAME TEXT: an observation worth a look that the check does not fail on.
note() {
  printf 'NOTE %-6s %s: %s\n' "$MODE" "$1$E2E_TAG" "$2"
}

skip() {
  E2E_SKIPS=$((E2E_SKIPS + 1))
  printf 'SKIP %-6s %s: %s\n' "$MODE" "$1$E2E_TAG" "$2"
}

# expect NAME WANT-REGEX GOT [NOTE]: passes when GOT matches ^(WANT-REGEX)$.
expect() {
  local name=$1 want=$2 got=$3 note=${4:-}
  if [[ $got =~ ^($want)$ ]]; then
    pass "$name" "${note:-$got}"
  else
    fail "$name" "expected $want, got $got"
  fi
}

# expect_rc NAME WANT-REGEX: on RC.
expect_rc() { expect "$1" "$2" "$RC" "exit $RC"; }

# expect_in NAME REGEX TEXT-NAME TEXT: passes when some line of TEXT matches REGEX (grep -E).
expect_in() {
  local name=$1 re=$2 what=$3 text=$4
  if grep -Eq -- "$re" <<<"$text"; then
    pass "$name"
  else
    fail "$name" "expected $what to match /$re/, it does not"
  fi
}

# both CHECK [ARG...]: runs the check function as root, then as uid 65534.
both() {
  local m
  for m in root unpriv; do
    MODE=$m
    "$@"
  done
  MODE=root
}

# root_only CHECK [ARG...]
root_only() {
  MODE=root
  "$@"
}

# bg_start LOG CMD [ARG...]: runs CMD as MODE in the background, stdout in LOG and stderr in
# LOG.err, and sets BG_PID to the pid of CMD itself: a simple command with `&` is forked and
# exec'd directly, and setpriv execs too, so no shell stands between (signals sent to BG_PID
# reach CMD). Not through as_mode: a backgrounded function is a subshell.
bg_start() {
  local log=$1
  shift
  LASTCMD="[$MODE] $*"
  # Emptied here, before the background job starts: its own `>` runs later, and a caller that
  # polls the log at once (run_signals waits for 'ready') would otherwise read the previous
  # launch's output and signal a cordon that has not set up its signal handling yet.
  : >"$log" && : >"$log.err" || return 1
  if [[ $MODE == unpriv ]]; then
    HOME="$T/home-unpriv" XDG_CACHE_HOME="$T/home-unpriv/.cache" \
      setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@" >"$log" 2>"$log.err" </dev/null &
  else
    HOME="$T/home-root" XDG_CACHE_HOME="$T/home-root/.cache" "$@" >"$log" 2>"$log.err" </dev/null &
  fi
  BG_PID=$!
  E2E_BG_PIDS+=("$BG_PID")
}

# wait_for SECONDS CONDITION-COMMAND...: polls every 50 ms; status 0 when it became true.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 20; i++)); do
    "$@" && return 0
    sleep 0.05
  done
  "$@"
}

alive() { kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
dead() { ! alive "$1"; }

# cordon's own cgroups (named cordon-*) whose supervisor is gone, one per line: inside this
# script's own cgroups when it has them (root), else anywhere under /sys/fs/cgroup.
# Sandbox cgroups whose supervisor is gone (the name carries its pid): a live supervisor's
# cgroup, e.g. another test run's at the same moment, is not "left behind".
cordon_cgroups() {
  local d pid
  local roots=("${E2E_CG_DIRS[@]}")
  [[ ${#roots[@]} -gt 0 ]] || roots=(/sys/fs/cgroup)
  find "${roots[@]}" -mindepth 1 -type d -name 'cordon-[0-9]*' 2>/dev/null | sort |
    while read -r d; do
      pid=${d##*/cordon-}
      [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && continue
      echo "$d"
    done
}

e2e_finish() {
  # Every launch of the script is over: none may have left a cgroup behind.
  local new
  new=$(comm -13 <(echo "$E2E_CGROUPS_AT_START") <(cordon_cgroups) | grep -v '^$')
  MODE=root LASTCMD="(all of $(basename "$0"))" RC="-" OUT="" ERR=""
  if [[ -z $new ]]; then
    pass no-cgroup-left
  else
    fail no-cgroup-left "expected no cordon-* cgroup left by this script's launches, found: $(paste -sd' ' <<<"$new")"
  fi
  echo "-- $(basename "$0"): $E2E_PASSES ok, $E2E_FAILS failed, $E2E_SKIPS skipped"
  [[ $E2E_FAILS -eq 0 ]] || exit 1
  exit 0
}

# --- for the app profile tests (tests/e2e/app_*.sh) ---------------------------------------

# need PROGRAM DEBIAN-PACKAGE: installs the package when PROGRAM is missing (apt-get, after
# an update if the first try fails); SKIPs the whole script loudly when that is impossible.
need() {
  command -v "$1" >/dev/null && return 0
  echo "$(basename "$0"): $1 is missing, installing the Debian package $2"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null 2>&1; } ||
    e2e_skip_all "$1 is not installed and 'apt-get install $2' failed"
  command -v "$1" >/dev/null || e2e_skip_all "$2 installed but $1 is still missing"
}

# range_base FILE: the first host id of a root caller's sandboxes (docs/launcher.md, "Ids"):
# root's entry in FILE (/etc/subuid or /etc/subgid), else cordon's default.
range_base() {
  local b
  b=$(awk -F: '($1 == "root" || $1 == "0") && $3 > 0 {print $2; exit}' "$1" 2>/dev/null)
  echo "${b:-1878917120}"
}

# The current MODE's scratch home (HOME of as_mode).
home() { if [[ $MODE == unpriv ]]; then echo "$T/home-unpriv"; else echo "$T/home-root"; fi; }

# ssh_dirs [KEY]: ~/.ssh (0700) in both scratch homes, owned by their users; with KEY, also a
# private key's stand-in ~/.ssh/id_rsa (0600) that a profile must keep out of reach.
ssh_dirs() {
  local h
  for h in home-root home-unpriv; do
    mkdir -p "$T/$h/.ssh"
    [[ ${1:-} == KEY ]] && echo "-----BEGIN OPENSSH PRIVATE KEY----- cordon-fake-$h" >"$T/$h/.ssh/id_rsa"
    chmod 700 "$T/$h/.ssh"
    [[ ${1:-} == KEY ]] && chmod 600 "$T/$h/.ssh/id_rsa"
  done
  chown -R 65534:65534 "$T/home-unpriv/.ssh"
}

# http_server DIR: serves DIR on a free port of 127.0.0.1 (the kernel picks it), outside the
# sandbox, with /moved redirecting (302) to /page.txt; sets PORT and URL. SKIPs when it does
# not start.
http_server() {
  cat >"$T/serve.py" <<'EOF'
import http.server, sys, functools
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302); self.send_header("Location", "/page.txt")
            self.send_header("Content-Length", "0"); self.end_headers(); return
        super().do_GET()
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
  /usr/bin/python3 "$T/serve.py" "$1" >"$T/log/port" 2>"$T/log/serve.err" </dev/null &
  E2E_BG_PIDS+=($!)
  disown
  wait_for 10 test -s "$T/log/port" || e2e_skip_all "the HTTP server did not start: $(cat "$T/log/serve.err")"
  PORT=$(<"$T/log/port")
  URL="http://127.0.0.1:$PORT"
}
