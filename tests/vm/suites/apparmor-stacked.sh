# tests/vm/suites/apparmor-stacked.sh (issue #6): AppArmor under the kernel's default LSM order
# (Landlock first, then AppArmor), with nothing of cordon's isolation opened. vm.apparmor shows
# the generated profile's own refusals with Landlock left out; here every mechanism is on at
# once, as on a Debian machine.
#
# root: a named profile vm-stacked (loaded by the suite with apparmor_parser) allows every file
# but refuses, audited, one the policy's entries allow (/vmdata/private): without the label the
# probe reads it; with it the app runs in vm-stacked, reads /vmdata/public, and /vmdata/private
# fails with EACCES with apparmor="DENIED" in kmsg; cordon audit names the policy's mac entry.
# uid 65534: the same refusal under the same (root-loaded) profile. `apparmor generate` with
# full isolation: the app runs in its generated profile and reads what the entries allow.
#
# shellcheck shell=dash disable=SC2086,SC2016
# shellcheck source=SCRIPTDIR/../guest/lib.sh
. /opt/cordon/vm/lib.sh
vm_init

SECFS=/sys/kernel/security/apparmor
[ -r "$SECFS/profiles" ] || vm_skip_all "AppArmor is not enabled in this kernel (lsm: $(cat /sys/kernel/security/lsm 2>/dev/null))"
[ -x /usr/sbin/apparmor_parser ] || vm_skip_all "no apparmor_parser in the initramfs (Debian package apparmor on the host)"
LSM=$(cat /sys/kernel/security/lsm)
case ",$LSM," in
  *,landlock,*apparmor,*) pass lsm-order "$LSM: Landlock before AppArmor" ;;
  *) fail lsm-order "expected the default LSM list with Landlock before AppArmor, got $LSM" ;;
esac

mkdir -p /vmdata
echo public >/vmdata/public
echo private >/vmdata/private
chmod -R a+rX /vmdata
CORDON_RUN="$CORDON run --set PROBES=$PROBES --set LOG=$T/log"
FSPROBE=$PROBES/fsprobe
MODE=root

# The named profile: everything but an audited refusal of /vmdata/private. attach_disconnected:
# the sandbox's files are seen from its own mount namespace, after pivot_root.
cat >"$T/vm-stacked" <<'PROFILE'
profile vm-stacked flags=(attach_disconnected) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  audit deny /vmdata/private rw,
}
PROFILE
if ! /usr/sbin/apparmor_parser --add --skip-cache "$T/vm-stacked" >"$T/log/parser" 2>&1; then
  OUT=$(cat "$T/log/parser")
  fail profile-loaded "expected apparmor_parser to load vm-stacked"
  vm_finish
  exit 0
fi
pass profile-loaded "vm-stacked"

# 1. The control: no label, everything else the same.
launch $CORDON_RUN -p "$POLICIES/aa-stacked-open.cordon" -- $FSPROBE read /vmdata/public read /vmdata/private
expect control-reads "read /vmdata/public: OK read /vmdata/private: OK" "$(printf '%s' "$OUT" | paste -sd' ' -)"

# 2. Under vm-stacked, as root and uid 65534.
for MODE in root unpriv; do
  dmesg -c >/dev/null 2>&1 || true
  launch $CORDON_RUN -p "$POLICIES/aa-stacked.cordon" -- /bin/sh -c "cat /proc/self/attr/current; $FSPROBE read /vmdata/public read /vmdata/private"
  expect named-confined "vm-stacked \(enforce\) read /vmdata/public: OK read /vmdata/private: EACCES" \
    "$(printf '%s' "$OUT" | paste -sd' ' -)"
  if [ "$MODE" = root ]; then
    sleep 1
    D=$(dmesg | grep 'apparmor="DENIED"' | grep 'profile="vm-stacked"' | grep -m1 'name="/vmdata/private"')
    if [ -n "$D" ]; then
      pass named-kmsg-denied "$(printf '%s' "$D" | grep -o 'apparmor="DENIED" operation="[a-z_]*"')"
    else
      OUT=$(dmesg | tail -n 20)
      fail named-kmsg-denied "expected apparmor=\"DENIED\" of vm-stacked for /vmdata/private in kmsg"
    fi
    launch $CORDON audit kmsg --policy "$POLICIES/aa-stacked.cordon" --set PROBES=$PROBES --set LOG=$T/log
    A=$(printf '%s\n' "$OUT" | grep -A8 '/vmdata/private' | paste -sd' ' -)
    if printf '%s' "$A" | grep -q 'aa-stacked.cordon:6:[0-9]*'; then
      pass named-audit-mac-entry "$(printf '%s' "$A" | grep -o 'aa-stacked.cordon:6:[0-9]*[^|]*' | head -n1 | cut -c1-100)"
    else
      fail named-audit-mac-entry "expected cordon audit to attribute the /vmdata/private denial to aa-stacked.cordon:6 (the mac entry)"
    fi
  fi
done

# 3. The generated profile with full isolation.
MODE=root
launch $CORDON_RUN -p "$POLICIES/aa-stacked-gen.cordon" -- /bin/sh -c "cat /proc/self/attr/current; $FSPROBE read /vmdata/public"
expect generate-confined "cordon-vm-aa-stacked-gen-[0-9a-f]{16} \(enforce\) read /vmdata/public: OK" \
  "$(printf '%s' "$OUT" | paste -sd' ' -)"
expect generate-exit 0 "$RC" "exit $RC"

vm_finish
