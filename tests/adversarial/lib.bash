# tests/adversarial/lib.bash: the adversarial battery's helpers, on top of tests/e2e/lib.bash
# (e2e_init, both, crun/raw, OUT/ERR/RC). Each check is an attack from inside a sandbox (or
# from what a sandbox could write) and prints, per mode, one of
#   held   root   NAME (evidence)
#   ESCAPE unpriv NAME: evidence
#          command: ...
# An ESCAPE fails the script; so does a check that could not tell (it says why).
# shellcheck source=../e2e/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.bash"

# adv_init CORDON SRC: e2e_init, plus this battery's policies beside the e2e ones.
adv_init() {
  e2e_init "$@"
  cp "$SRC"/tests/adversarial/policies/*.cordon "$POLICIES/" && chmod a+r "$POLICIES"/*.cordon || exit 2
}

# A held attack is a passed check, an escape a failed one (tests/e2e/lib.bash's pass and
# fail, with their own words).
E2E_PASS_WORD="held  "
E2E_FAIL_WORD="ESCAPE"
held() { pass "$@"; }
# escape NAME EVIDENCE: the attack worked.
escape() { fail "$@"; }

# verdicts: every "MODE: held (…)" / "MODE: ESCAPE (…)" line of OUT (tests/probes/escape.c)
# becomes a held/escape of its own, named PREFIX.MODE; WANT lists the modes that must appear.
verdicts() {
  local prefix=$1 line mode rest
  shift
  for mode in "$@"; do
    line=$(grep -m1 "^$mode: " <<<"$OUT")
    rest=${line#"$mode: "}
    case $rest in
      held*) held "$prefix.$mode" "$(sed 's/^held (\(.*\))$/\1/' <<<"$rest")" ;;
      ESCAPE*) escape "$prefix.$mode" "$rest" ;;
      *) escape "$prefix.$mode" "the probe said nothing about it (exit $RC)" ;;
    esac
  done
}
