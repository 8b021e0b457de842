#!/bin/bash
# cordon audit reads a log of any size in constant memory (issue #4: "1 GB files streamed in
# constant memory"). 1 GiB of generated auditd lines (bench_audit --emit-log: SYSCALL/PATH/…
# traffic with SECCOMP, AppArmor, SELinux and Landlock denials, the same for a seed) goes
# through a pipe into `cordon audit - --json`, so no such file is ever on disk, and
#   - it completes, exit 0;
#   - its peak RSS (wait4's ru_maxrss, through bench_audit --measure) stays under 64 MiB and
#     within 1.5x of what the same command needs for the first 10 MiB of the same stream;
#   - lines, records, denials per source and per seccomp action, distinct denials and the
#     records it drops (STATUS, ALLOWED, granted, domain) are exactly what was generated.
# Runs as any user (it reads no kernel log), so it uses lib.bash's reporting but not e2e_init,
# which wants root, setpriv and the probes.
# Usage: audit_stream.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[[ $# -ge 2 ]] || { echo "usage: $0 CORDON_BINARY SOURCE_DIR" >&2; exit 2; }
CORDON=$(realpath "$1")
BENCH="$(dirname "$CORDON")/bench/bench_audit"
[[ -x $CORDON ]] || e2e_skip_all "no cordon binary at $CORDON"
"$CORDON" --help 2>/dev/null | grep -qE '^  audit ' || e2e_skip_all "$CORDON has no 'audit' subcommand"
[[ -x $BENCH ]] || e2e_skip_all "no log generator at $BENCH (build the bench_audit target)"

MODE="uid$(id -u)"
BIG=1G
SMALL=10M
SEED=4
MAX_RSS_KIB=$((64 * 1024))
T=$(mktemp -d /tmp/cordon-e2e-audit-stream.XXXXXX)
trap 'rm -rf "$T"' EXIT

# stream NAME SIZE: generates SIZE bytes of log into `cordon audit - --json` through a pipe.
# Leaves the exit statuses in GEN_RC and RC, the peak RSS (KiB) in RSS, the wall time in
# SECS, and the outputs in $T/NAME.{expect,json,err,gen.err,measure}.
stream() {
  local name=$1 size=$2 t0
  LASTCMD="bench_audit --emit-log --bytes $size --seed $SEED | bench_audit --measure … -- cordon audit - --json"
  t0=$EPOCHREALTIME
  "$BENCH" --emit-log --bytes "$size" --seed "$SEED" --expect "$T/$name.expect" 2>"$T/$name.gen.err" |
    timeout -k 5 900 "$BENCH" --measure "$T/$name.measure" -- "$CORDON" audit - --json \
      >"$T/$name.json" 2>"$T/$name.err"
  local st=("${PIPESTATUS[@]}")
  GEN_RC=${st[0]} RC=${st[1]}
  SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  RSS=$(sed -n 's/^maxrss_kib=\([0-9]*\) .*/\1/p' "$T/$name.measure" 2>/dev/null)
  OUT=$(head -c 2000 "$T/$name.json") ERR=$(<"$T/$name.err")
}

# check_stream NAME: the run completed and its counts are exactly what was generated.
check_stream() {
  local name=$1
  if [[ $GEN_RC -ne 0 ]]; then
    fail "$name-generated" "expected the generator to exit 0, got $GEN_RC: $(<"$T/$name.gen.err")"
    return 1
  fi
  expect "$name-completes" 0 "$RC" "exit 0 in $SECS s; $(sed 's/^bench_audit: //' "$T/$name.gen.err")"
  [[ $RC -eq 0 ]] || return 1
  local verdict
  if verdict=$("$BENCH" --verify "$T/$name.expect" --json "$T/$name.json" --stderr "$T/$name.err"); then
    pass "$name-counts-exact" "${ERR##*cordon audit: }"
  else
    fail "$name-counts-exact" "expected cordon's counts to match the generator's: $verdict"
  fi
  [[ $RSS =~ ^[0-9]+$ ]] || { fail "$name-rss" "no peak RSS measured: $(cat "$T/$name.measure" 2>&1)"; return 1; }
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# The whole stream, once the first 10 MiB of it (the reference for memory) went through.
check_big() {
  stream small "$SMALL"
  check_stream small || return
  local small_rss=$RSS
  stream big "$BIG"
  check_stream big || return
  local note
  note="$(mib "$RSS") for $BIG, $(mib "$small_rss") for $SMALL; $SECS s for $BIG"
  if ((RSS <= MAX_RSS_KIB)); then
    pass big-rss-bounded "$note"
  else
    fail big-rss-bounded "expected a peak RSS of at most $(mib "$MAX_RSS_KIB"), got $(mib "$RSS") ($note)"
  fi
  # Constant, not merely small: 100 times the input may cost at most half again the memory.
  if ((RSS * 2 <= small_rss * 3)); then
    pass big-rss-constant "$(awk -v a="$RSS" -v b="$small_rss" 'BEGIN { printf "%.2fx", a / b }') the peak RSS of the $SMALL run"
  else
    fail big-rss-constant "expected at most 1.5x the $SMALL run's peak RSS ($(mib "$small_rss")), got $(mib "$RSS") ($note)"
  fi
}

check_big
echo "-- $(basename "$0"): $E2E_PASSES ok, $E2E_FAILS failed, $E2E_SKIPS skipped"
[[ $E2E_FAILS -eq 0 ]] || exit 1
exit 0
