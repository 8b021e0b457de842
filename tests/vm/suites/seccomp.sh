# tests/vm/suites/seccomp.sh (issue #6): the seccomp filter's other-architecture kill, in a
# kernel that has the i386 entry point (Debian's, CONFIG_IA32_EMULATION). The build machine's
# kernel has none, so there e2e.run_isolation can only SKIP int80-killed.
#
# Bare, the int80 probe's `int $0x80` getpid (i386 number 20) returns its pid: the entry is
# there. Under the cli profile, as root and as uid 65534, the filter kills the process (SIGSYS,
# exit 159) before the call returns; the kernel logs a seccomp record with arch=40000003
# (AUDIT_ARCH_I386), and `cordon audit kmsg --policy` explains it as the filter's
# other-architecture action.
#
# shellcheck shell=dash disable=SC2086,SC2016
# shellcheck source=SCRIPTDIR/../guest/lib.sh
. /opt/cordon/vm/lib.sh
vm_init

POLICY="$POLICIES/seccomp.cordon"
CORDON_RUN="$CORDON run --set PROBES=$PROBES"

MODE=root
launch "$PROBES/int80"
if [ "$RC" != 0 ] || ! printf '%s' "$OUT" | grep -q '^int80 getpid=[0-9]'; then
  vm_skip_all "this kernel has no int 0x80 entry (the bare probe exits $RC: $(printf '%s' "$OUT" | tail -n1))"
fi
pass int80-bare-runs "$(printf '%s' "$OUT" | paste -sd' ' -)"

for MODE in root unpriv; do
  dmesg -c >/dev/null
  launch $CORDON_RUN -p "$POLICY" -- "$PROBES/int80"
  if [ "$RC" = 159 ] && ! printf '%s' "$OUT" | grep -q '^int80 getpid='; then
    pass int80-killed "exit 159 (SIGSYS), $(printf '%s' "$OUT" | head -n1) only"
  else
    fail int80-killed "expected exit 159 (SIGSYS) before int 0x80 returned, got exit $RC: $(printf '%s' "$OUT" | paste -sd' ' -)"
  fi
  wait_for 5 sh -c 'dmesg | grep -q "type=1326.*arch=40000003"'
  REC=$(dmesg | grep 'type=1326.*arch=40000003' | tail -n1)
  if [ -n "$REC" ]; then
    pass int80-logged "$(printf '%s' "$REC" | grep -o 'arch=[0-9a-f]* syscall=[0-9]*.*' | cut -c1-80)"
  else
    fail int80-logged "expected a seccomp record (type=1326) with arch=40000003 in dmesg; it has: $(dmesg | grep -c 1326) seccomp records"
  fi
  # Reading kmsg is root's (dmesg_restrict): the audit runs as root for both launches.
  RUN_AS=$MODE
  MODE=root
  launch $CORDON audit kmsg --policy "$POLICY" --set PROBES=$PROBES
  MODE=$RUN_AS
  if printf '%s' "$OUT" | grep -q 'getpid (x86 #20).*kill-process.*architecture check' &&
    printf '%s' "$OUT" | grep -q 'does not name architecture x86'; then
    pass int80-audit-explained "$(printf '%s\n' "$OUT" | grep -m1 'note:' | sed 's/^ *//' | cut -c1-110)"
  else
    fail int80-audit-explained "expected cordon audit to show getpid (x86 #20) killed by the architecture check and say the policy does not name x86"
  fi
done

MODE=root
vm_finish
