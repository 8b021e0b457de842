# tests/vm/suites/apparmor.sh (issue #6): cordon's AppArmor stage in a kernel that has AppArmor
# on, run by tests/vm/vm.sh inside the VM (busybox sh, as root). See tests/vm/README.md.
#
# The boot leaves Landlock out of the LSM list: Landlock comes first in Debian's, refuses the
# same accesses (its rules and the generated profile both follow the policy's entries) and stops
# the kernel's hook chain before AppArmor sees, or logs, anything. With mount isolation opened
# too (aa.cordon shares the mount and PID namespaces), the generated AppArmor profile is the only
# thing between the app and the guest's files.
#
# root: `apparmor generate` loads cordon-vm-aa-<hash> with apparmor_parser and the app runs in
# it (its attr/current); a read outside every entry and a create under `ro /vmdata` fail with
# EACCES, the same probe without the label succeeds; the kernel logs apparmor="DENIED" for both
# and `cordon audit kmsg --policy` maps the create to the `ro /vmdata` line and the read to no
# entry, each with its fix. A named profile that is not loaded is refused (125) or, optional,
# skipped with a warning; a PID namespace whose /proc is not its own is refused at the MAC
# stage; cordon confined by another profile is refused before launch, naming it.
# uid 65534: a generated profile not loaded yet is refused (loading needs root); once root has
# loaded it, the unprivileged run is confined by it; the named profile and /proc checks as root.
#
# vm-append: lsm=lockdown,yama,integrity,apparmor,bpf
#
# shellcheck shell=dash disable=SC2086,SC2016
# shellcheck source=SCRIPTDIR/../guest/lib.sh
. /opt/cordon/vm/lib.sh
vm_init

SECFS=/sys/kernel/security/apparmor
[ -r "$SECFS/profiles" ] || vm_skip_all "AppArmor is not enabled in this kernel (no $SECFS/profiles; lsm: $(cat /sys/kernel/security/lsm 2>/dev/null))"
[ -x /usr/sbin/apparmor_parser ] || vm_skip_all "no apparmor_parser in the initramfs (Debian package apparmor on the host)"
note lsm "$(cat /sys/kernel/security/lsm)"

mkdir -p /vmdata /vmsecret
echo public >/vmdata/public
echo key >/vmsecret/key
chmod -R a+rX /vmdata /vmsecret
# The control creates under /vmdata with nothing but file modes to stop it: a root caller's app
# is not host root (docs/launcher.md, "Ids"), so anyone may create there.
chmod 1777 /vmdata
CORDON_RUN="$CORDON run --set PROBES=$PROBES --set LOG=$T/log"
FSPROBE=$PROBES/fsprobe

# The profile names AppArmor lists (without their modes).
loaded() { sed 's/ ([a-z]*)$//' "$SECFS/profiles"; }

# 1. The control: without a label the app reads the secret and creates under /vmdata.
MODE=root
launch $CORDON_RUN -p "$POLICIES/aa-open.cordon" -- $FSPROBE read /vmsecret/key write /vmdata/control
expect control-unconfined "read /vmsecret/key: OK write /vmdata/control: OK" "$(printf '%s' "$OUT" | paste -sd' ' -)"
rm -f /vmdata/control

# 2. uid 65534 before root ran the policy: the profile is not loaded and cannot be.
MODE=unpriv
launch $CORDON_RUN -p "$POLICIES/aa.cordon" -- /bin/cat /proc/self/attr/current
if [ "$RC" = 125 ] && printf '%s\n' "$ERR" | grep -q "loading a profile needs root"; then
  pass generate-not-loaded-refused "exit 125: $(printf '%s\n' "$ERR" | grep -m1 'needs root' | cut -c1-160)"
else
  fail generate-not-loaded-refused "expected exit 125 and 'loading a profile needs root', got exit $RC"
fi

# 3. root: the generated profile is loaded and the app runs in it.
MODE=root
before=$(loaded | grep -c '^cordon-vm-aa-')
launch $CORDON_RUN -p "$POLICIES/aa.cordon" -- /bin/cat /proc/self/attr/current
PROFILE=$(printf '%s\n' "$OUT" | sed -n 's/^\(cordon-vm-aa-[0-9a-f]\{16\}\) (enforce)$/\1/p')
if [ "$RC" = 0 ] && [ -n "$PROFILE" ]; then
  pass generate-confines "the app's label: $OUT"
else
  fail generate-confines "expected exit 0 and the label 'cordon-vm-aa-<16 hex> (enforce)', got exit $RC: ${OUT:-<nothing>}"
fi
if [ -n "$PROFILE" ] && loaded | grep -qx "$PROFILE" && [ "$before" = 0 ]; then
  pass generate-loaded "$PROFILE listed in $SECFS/profiles after the run, not before"
else
  fail generate-loaded "expected $PROFILE newly listed in $SECFS/profiles, before: $before, now: $(loaded | grep '^cordon-' | paste -sd' ' -)"
fi
# The same policy again: the loaded profile is used as it is, not loaded a second time.
launch $CORDON_RUN -p "$POLICIES/aa.cordon" -- /bin/cat /proc/self/attr/current
expect generate-reused "$PROFILE \(enforce\) 1" "$OUT $(loaded | grep -c '^cordon-vm-aa-')"

# 4. What the profile forbids, and what it allows.
dmesg -c >/dev/null
launch $CORDON_RUN -p "$POLICIES/aa.cordon" -- $FSPROBE read /vmdata/public read /vmsecret/key write /vmdata/notes
expect denied-eacces "read /vmdata/public: OK read /vmsecret/key: EACCES write /vmdata/notes: EACCES" "$(printf '%s' "$OUT" | paste -sd' ' -)"
[ -e /vmdata/notes ] && fail denied-nothing-written "expected no /vmdata/notes, it exists"
sleep 1
KLOG=$(dmesg)
DENY_READ=$(printf '%s\n' "$KLOG" | grep 'apparmor="DENIED"' | grep "profile=\"$PROFILE\"" | grep -m1 'name="/vmsecret/key"')
DENY_WRITE=$(printf '%s\n' "$KLOG" | grep 'apparmor="DENIED"' | grep "profile=\"$PROFILE\"" | grep -m1 'name="/vmdata/notes"')
if [ -n "$DENY_READ" ] && [ -n "$DENY_WRITE" ]; then
  pass kmsg-denied "$(printf '%s' "$DENY_WRITE" | sed 's/.*\(apparmor="DENIED" operation="[a-z_]*"\).*\(name="[^"]*"\).*\(requested_mask="[a-z]*"\).*/\1 \2 \3/')"
else
  OUT=$KLOG
  fail kmsg-denied "expected apparmor=\"DENIED\" records of $PROFILE for /vmsecret/key and /vmdata/notes in the kernel log"
fi

# 5. cordon audit takes each record back to the policy.
launch $CORDON audit kmsg --policy "$POLICIES/aa.cordon" --set PROBES=$PROBES --set LOG=$T/log
AUDIT=$OUT
W=$(printf '%s\n' "$AUDIT" | grep -A8 '/vmdata/notes' | paste -sd' ' -)
if printf '%s' "$W" | grep -q 'aa-common.cordon:[0-9]*:[0-9]*' && printf '%s' "$W" | grep -q 'ro /vmdata' &&
  printf '%s' "$W" | grep -q 'rw /vmdata/notes'; then
  pass audit-maps-write "$(printf '%s' "$W" | grep -o 'aa-common.cordon:[0-9]*:[0-9]*' | head -n1) ro /vmdata, fix rw /vmdata/notes"
else
  fail audit-maps-write "expected the /vmdata/notes denial mapped to aa-common.cordon's 'ro /vmdata' with the fix 'rw /vmdata/notes'"
fi
R=$(printf '%s\n' "$AUDIT" | grep -A8 '/vmsecret/key' | paste -sd' ' -)
if printf '%s' "$R" | grep -q 'no filesystem entry covers /vmsecret/key' && printf '%s' "$R" | grep -q 'ro /vmsecret/key'; then
  pass audit-maps-read "no entry covers /vmsecret/key, fix ro /vmsecret/key"
else
  fail audit-maps-read "expected the /vmsecret/key denial with 'no filesystem entry covers /vmsecret/key' and the fix 'ro /vmsecret/key'"
fi

# 6. uid 65534 once the profile of its own policy (its own HOME: another hash) is loaded by root.
HOME=$T/home-unpriv XDG_CACHE_HOME=$T/home-root/.cache-unpriv $CORDON_RUN -p "$POLICIES/aa.cordon" -- /bin/true >/dev/null 2>&1
MODE=unpriv
launch $CORDON_RUN -p "$POLICIES/aa.cordon" -- /bin/sh -c 'cat /proc/self/attr/current; '"$FSPROBE"' read /vmsecret/key'
expect unpriv-confined "cordon-vm-aa-[0-9a-f]{16} \(enforce\) read /vmsecret/key: EACCES" "$(printf '%s' "$OUT" | paste -sd' ' -)"

# 7. A named profile nobody loaded: refused, or run without it when optional. Root finds it
# missing in securityfs before clone; uid 65534 may not list the profiles, and its child's
# aa_change_onexec finds it missing (ENOENT).
for MODE in root unpriv; do
  launch $CORDON_RUN -p "$POLICIES/aa-named.cordon" -- /bin/true
  if [ "$RC" = 125 ] && printf '%s\n' "$ERR" | grep -q "vm-not-loaded.*no profile of that name is loaded"; then
    pass named-not-loaded-refused "exit 125"
  else
    fail named-not-loaded-refused "expected exit 125 naming vm-not-loaded and 'no profile of that name is loaded', got exit $RC"
  fi
done
MODE=root
launch $CORDON_RUN -p "$POLICIES/aa-named-optional.cordon" -- /bin/cat /proc/self/attr/current
if [ "$RC" = 0 ] && [ "$OUT" = unconfined ] && printf '%s\n' "$ERR" | grep -q "warning.*vm-not-loaded.*running without it"; then
  pass named-optional-warns "ran unconfined with a warning"
else
  fail named-optional-warns "expected exit 0, label 'unconfined' and a warning naming vm-not-loaded, got exit $RC, label ${OUT:-<nothing>}"
fi

# 8. /proc that is not the sandbox's own: the label is not written through it.
for MODE in root unpriv; do
  launch $CORDON_RUN -p "$POLICIES/aa-pidns.cordon" -- /bin/true
  if [ "$RC" = 125 ] && printf '%s\n' "$ERR" | grep -q "mac.*/proc.*not a procfs of the sandbox's PID namespace"; then
    pass procfs-verified "exit 125: $(printf '%s\n' "$ERR" | grep -m1 'mac' | cut -c1-160)"
  else
    fail procfs-verified "expected exit 125 at the mac stage naming /proc, got exit $RC"
  fi
done
MODE=root

# 9. cordon confined by another profile: no_new_privs would refuse the exec transition.
printf 'profile vm-outer flags=(complain) {\n}\n' >"$T/vm-outer"
if /usr/sbin/apparmor_parser --add --skip-cache "$T/vm-outer" >"$T/log/parser" 2>&1; then
  launch /bin/sh -c 'echo "exec vm-outer" >/proc/self/attr/apparmor/exec && exec "$@"' sh \
    $CORDON_RUN -p "$POLICIES/aa.cordon" -- /bin/true
  if [ "$RC" = 125 ] && printf '%s\n' "$ERR" | grep -q "confined by AppArmor profile 'vm-outer'.*no_new_privs"; then
    pass confined-caller-refused "exit 125 naming vm-outer and no_new_privs"
  else
    fail confined-caller-refused "expected exit 125 naming vm-outer and no_new_privs, got exit $RC"
  fi
else
  OUT=$(cat "$T/log/parser")
  fail confined-caller-refused "expected apparmor_parser to load the vm-outer profile, it failed"
fi

vm_finish
