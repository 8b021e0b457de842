# tests/vm/suites/selinux.sh (issue #6): cordon's SELinux stage in a kernel that has SELinux on
# and enforcing, run by tests/vm/vm.sh inside the VM (busybox sh, as root). See
# tests/vm/README.md.
#
# The boot puts SELinux in the LSM list and leaves Landlock out (it comes first in Debian's
# order and would refuse, unlogged, what the policy's entries leave out before SELinux sees
# it); enforcing=1. No distribution policy: the guest builds one with secilc from
# tests/vm/selinux/base.cil (one user, unconfined_t for every process, refpolicy's names) and
# the module `cordon compile --emit selinux-cil` writes for se.cordon, loads it by writing it
# to selinuxfs, and labels the module's paths with chcon from the file_contexts secilc writes
# (what restorecon would do). The policies (policies/se*.cordon) share the mount and PID
# namespaces, so the module is the only thing between the app and the guest's files.
#
# root and uid 65534: the app runs in cordon_vm_se_t (its attr/current); it reads /vmdata,
# not /vmsecret/key (cordon_vm_secret_t) nor creates under `ro /vmdata` (EACCES), which the
# same probe without the label does; the kernel logs `avc: denied` for both, and
# `cordon audit kmsg --policy` maps the create to the `ro /vmdata` line with the fix
# `rw /vmdata` and the read to no entry. A context the policy does not define stops the
# launch at the MAC stage (125) or, optional, runs without it with a warning.
#
# vm-append: lsm=lockdown,yama,integrity,selinux,bpf enforcing=1
#
# shellcheck shell=dash disable=SC2086,SC2016
# shellcheck source=SCRIPTDIR/../guest/lib.sh
. /opt/cordon/vm/lib.sh
vm_init

grep -qw selinux /sys/kernel/security/lsm 2>/dev/null ||
  vm_skip_all "SELinux is not enabled in this kernel (lsm: $(cat /sys/kernel/security/lsm 2>/dev/null))"
[ -x /usr/bin/secilc ] || vm_skip_all "no secilc in the initramfs (Debian package secilc on the host)"
[ -x /usr/bin/chcon ] || vm_skip_all "no SELinux-aware chcon in the initramfs (coreutils on the host)"
note lsm "$(cat /sys/kernel/security/lsm)"
SEFS=/sys/fs/selinux
mkdir -p $SEFS
mount -t selinuxfs selinuxfs $SEFS || vm_skip_all "cannot mount selinuxfs"

mkdir -p /vmdata /vmsecret
echo public >/vmdata/public
echo key >/vmsecret/key
chmod -R a+rX /vmdata /vmsecret
# Creating under /vmdata is stopped by SELinux only, not by file modes: a root caller's app is
# not host root (docs/launcher.md, "Ids"), so anyone may create there.
chmod 1777 /vmdata
SETS="--set PROBES=$PROBES --set LOG=$T/log"
CORDON_RUN="$CORDON run $SETS"
FSPROBE=$PROBES/fsprobe
DOMAIN=system_u:system_r:cordon_vm_se_t:s0
# libselinux counts SELinux as enabled when selinuxfs is mounted and the system has a
# configuration (is_selinux_enabled: /etc/selinux/config exists), as a real installation has.
mkdir -p /etc/selinux
printf 'SELINUX=enforcing\nSELINUXTYPE=cordon-vm\n' >/etc/selinux/config

# 1. The policy: the minimal base and the module generated from se.cordon, loaded, enforcing.
SE=$T/selinux
mkdir -p $SE
MODE=root
launch $CORDON compile "$POLICIES/se.cordon" $SETS --emit selinux-cil -o $SE/se.cil
if [ "$RC" = 0 ] && grep -q '^(type cordon_vm_se_t)' $SE/se.cil; then
  pass module-generated "$(grep -c '^(allow ' $SE/se.cil) allow rules, $(grep -c '^(filecon ' $SE/se.cil) filecon"
else
  fail module-generated "expected cordon compile --emit selinux-cil to write a module for cordon_vm_se_t, exit $RC"
fi
launch /usr/bin/secilc -o $SE/policy -f $SE/file_contexts /opt/cordon/vm/selinux/base.cil $SE/se.cil
[ "$RC" = 0 ] && [ -s $SE/policy ] || fail policy-built "expected secilc to build the policy"
# One write: the kernel takes the policy in a single write(2) (busybox cat writes in pieces).
launch dd if=$SE/policy of=$SEFS/load bs=4M
ENFORCE=$(cat $SEFS/enforce 2>/dev/null)
if [ "$RC" = 0 ] && [ "$ENFORCE" = 1 ] && [ "$(tr -d '\0' </proc/self/attr/current)" = system_u:system_r:unconfined_t:s0-s0:c0 ]; then
  pass policy-loaded "$(wc -c <$SE/policy) bytes, enforce=$ENFORCE, the guest runs as $(tr -d '\0' </proc/self/attr/current)"
else
  fail policy-loaded "expected the policy loaded (dd exit 0), enforce 1 and the guest in unconfined_t; got exit $RC, enforce ${ENFORCE:-?}, $(tr -d '\0' </proc/self/attr/current 2>&1)"
  vm_finish
  exit 0
fi

# 2. Labels, as restorecon would give them: each filecon's path (shortest first, so a nested
# entry wins), then the secret and /dev/null (the launch's stdin).
LABELLED=""
while read -r regex ctx; do
  path=$(printf '%s' "$regex" | sed 's|(/\.\*)?$||; s|\\||g')
  [ -e "$path" ] || continue
  chcon -R -h "$ctx" "$path" && LABELLED="$LABELLED $path"
done <<EOF
$(awk '{ print length($1), $0 }' $SE/file_contexts | sort -n | cut -d' ' -f2-)
EOF
chcon system_u:object_r:cordon_vm_secret_t:s0 /vmsecret/key
chcon system_u:object_r:null_device_t:s0 /dev/null
note labelled "$LABELLED"

# 3. The control: without a label the app reads the secret and creates under /vmdata.
launch $CORDON_RUN -p "$POLICIES/se-open.cordon" -- $FSPROBE read /vmsecret/key write /vmdata/control
expect control-unconfined "read /vmsecret/key: OK write /vmdata/control: OK" "$(printf '%s' "$OUT" | paste -sd' ' -)"
rm -f /vmdata/control

# 4. The app runs in the policy's context (root, then uid 65534).
for MODE in root unpriv; do
  launch $CORDON_RUN -p "$POLICIES/se.cordon" -- /bin/cat /proc/self/attr/current
  GOT=$(printf '%s' "$OUT" | tr -d '\0')
  if [ "$RC" = 0 ] && [ "$GOT" = "$DOMAIN" ]; then
    pass context-entered "the app's attr/current: $GOT"
  else
    fail context-entered "expected exit 0 and $DOMAIN, got exit $RC: ${GOT:-<nothing>}"
  fi
done
MODE=root

# 5. What the module forbids, and what it allows.
sleep 5 # printk's audit limit: 10 records per 5 s; the policy load used some
dmesg -c >/dev/null
launch $CORDON_RUN -p "$POLICIES/se.cordon" -- $FSPROBE read /vmdata/public read /vmsecret/key write /vmdata/notes
expect denied-eacces "read /vmdata/public: OK read /vmsecret/key: EACCES write /vmdata/notes: EACCES" "$(printf '%s' "$OUT" | paste -sd' ' -)"
[ -e /vmdata/notes ] && fail denied-nothing-written "expected no /vmdata/notes, it exists"
sleep 1
KLOG=$(dmesg)
AVC=$(printf '%s\n' "$KLOG" | grep 'avc:  *denied' | grep "scontext=$DOMAIN")
DENY_READ=$(printf '%s\n' "$AVC" | grep 'tcontext=system_u:object_r:cordon_vm_secret_t:s0' | grep -m1 'tclass=file')
DENY_WRITE=$(printf '%s\n' "$AVC" | grep 'tcontext=system_u:object_r:cordon_vm_se_vmdata_t:s0' | grep -m1 'tclass=dir')
if [ -n "$DENY_READ" ] && [ -n "$DENY_WRITE" ]; then
  pass kmsg-avc-denied "$(printf '%s' "$DENY_READ" | sed 's/.*\(avc: *denied *{[^}]*}\).*\(name="[^"]*"\).*\(tcontext=[^ ]*\).*\(tclass=[a-z_]*\).*/\1 \2 \3 \4/')"
else
  OUT=$KLOG
  fail kmsg-avc-denied "expected avc: denied records of $DOMAIN for cordon_vm_secret_t (file) and cordon_vm_se_vmdata_t (dir) in the kernel log"
fi

# 6. cordon audit takes each record back to the policy.
launch $CORDON audit kmsg --policy "$POLICIES/se.cordon" $SETS
AUDIT=$OUT
W=$(printf '%s\n' "$AUDIT" | grep -A10 'denied dir vmdata' | paste -sd' ' -)
if printf '%s' "$W" | grep -q 'se-common.cordon:[0-9]*:[0-9]*' && printf '%s' "$W" | grep -q 'ro /vmdata' &&
  printf '%s' "$W" | grep -q 'rw /vmdata'; then
  pass audit-maps-write "$(printf '%s' "$W" | grep -o 'se-common.cordon:[0-9]*:[0-9]*' | head -n1) ro /vmdata, fix rw /vmdata"
else
  fail audit-maps-write "expected the create under /vmdata mapped to se-common.cordon's 'ro /vmdata' with the fix 'rw /vmdata'"
fi
R=$(printf '%s\n' "$AUDIT" | grep -A10 'denied file key' | paste -sd' ' -)
if printf '%s' "$R" | grep -q 'no filesystem entry'; then
  pass audit-maps-read "the read of cordon_vm_secret_t: no filesystem entry's type"
else
  fail audit-maps-read "expected the cordon_vm_secret_t denial with 'no filesystem entry'"
fi

# 7. uid 65534: confined the same way.
MODE=unpriv
launch $CORDON_RUN -p "$POLICIES/se.cordon" -- $FSPROBE read /vmdata/public read /vmsecret/key
expect unpriv-denied "read /vmdata/public: OK read /vmsecret/key: EACCES" "$(printf '%s' "$OUT" | paste -sd' ' -)"

# 8. A context the loaded policy does not define: refused before clone, naming the MAC stage;
# optional: the app runs in cordon's own domain with a warning.
for MODE in root unpriv; do
  launch $CORDON_RUN -p "$POLICIES/se-undefined.cordon" -- /bin/true
  if [ "$RC" = 125 ] && printf '%s\n' "$ERR" | grep -q "mac:.*cordon_vm_undefined_t.*does not define it"; then
    pass undefined-refused "exit 125: $(printf '%s\n' "$ERR" | grep -m1 'mac:' | cut -c1-160)"
  else
    fail undefined-refused "expected exit 125 naming the mac stage and cordon_vm_undefined_t, got exit $RC"
  fi
  launch $CORDON_RUN -p "$POLICIES/se-undefined-optional.cordon" -- /bin/cat /proc/self/attr/current
  GOT=$(printf '%s' "$OUT" | tr -d '\0')
  if [ "$RC" = 0 ] && [ "$GOT" != "$DOMAIN" ] && printf '%s' "$GOT" | grep -q unconfined_t &&
    printf '%s\n' "$ERR" | grep -q "warning.*cordon_vm_undefined_t.*running without it"; then
    pass undefined-optional-warns "ran as $GOT with a warning"
  else
    fail undefined-optional-warns "expected exit 0, unconfined_t and a warning naming cordon_vm_undefined_t, got exit $RC, ${GOT:-<nothing>}"
  fi
done
MODE=root

vm_finish
