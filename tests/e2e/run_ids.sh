#!/bin/bash
# Host ids (issue #14, class 5): a sandbox started by root must own nothing of the host's.
# Its processes run under unprivileged host ids (docs/launcher.md, "Ids"), its rw binds are
# idmapped so root-owned paths stay writable, /dev's nodes are read-only binds, and /proc
# masks what Docker masks. Each check is an attack an app inside would try, as root and as
# uid 65534 (whose sandbox maps only its own id, as before).
# Usage: run_ids.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

# A root-owned directory bound rw, with a root-owned file; one owned by 65534 bound rw; a
# root-owned 0600 secret in a directory bound ro; a bind source only root can reach (0700).
mkdir -p "$T/rootrw" "$T/nobodyrw" "$T/rosecret" "$T/rootonly/sub"
chmod 755 "$T/rootrw" "$T/nobodyrw" "$T/rosecret" "$T/rootonly/sub"
chmod 700 "$T/rootonly"
echo "root's file" >"$T/rootrw/existing"
chmod 644 "$T/rootrw/existing"
chown 65534:65534 "$T/nobodyrw"
echo "root's secret" >"$T/rosecret/key"
chmod 600 "$T/rosecret/key"
echo "behind root's 0700" >"$T/rootonly/sub/file"
chmod 644 "$T/rootonly/sub/file"

# The ids of the sandbox's processes seen from the host: "uid gid groups" of PID 1 (the
# supervisor's child) and of the app (PID 1's child), from /proc/PID/status. Sets P1 and APP.
host_ids_of() {
  awk '/^Uid:/ {u=$2} /^Gid:/ {g=$2} /^Groups:/ {$1=""; gr=$0} END {gsub(/^ +| +$/, "", gr); print u, g, "[" gr "]"}' "/proc/$1/status" 2>/dev/null
}
sandbox_ids() {  # POLICY CHECK-NAME [WRAPPER...]: WRAPPER runs cordon (setpriv --groups)
  local policy=$1 name=$2 pid1 app
  shift 2
  bg_start "$T/log/ids" "$@" "$CORDON" run -p "$POLICIES/$policy.cordon" --set "PROBES=$PROBES" --set "T=$T" -- sleep 10
  wait_for 10 grep -q . "/proc/$BG_PID/task/$BG_PID/children" 2>/dev/null
  pid1=$(awk '{print $1}' "/proc/$BG_PID/task/$BG_PID/children" 2>/dev/null)
  [[ -n $pid1 ]] && wait_for 10 grep -q . "/proc/$pid1/task/$pid1/children" 2>/dev/null
  app=$(awk '{print $1}' "/proc/$pid1/task/$pid1/children" 2>/dev/null)
  P1=$(host_ids_of "$pid1")
  APP=$(host_ids_of "$app")
  LASTCMD="[$MODE] cordon run -p $policy.cordon -- sleep 10 (host pids: cordon $BG_PID, PID 1 ${pid1:-?}, app ${app:-?})"
  OUT="" ERR=$(cat "$T/log/ids.err") RC="-"
  kill -9 "$BG_PID" 2>/dev/null
  wait "$BG_PID" 2>/dev/null
  [[ -n $pid1 && -n $app ]] || { fail "$name" "expected a running sandbox, found cordon's children '${pid1:-}' / '${app:-}'"; return 1; }
}

# 1. The app and PID 1 run under host ids that are not root's (root: the first of the
# documented range, with no supplementary group; uid 65534: its own), checked from outside.
check_host_ids() {
  sandbox_ids iso host-ids || return
  local want="65534 65534 []"
  [[ $MODE == root ]] && want="$(range_base /etc/subuid) $(range_base /etc/subgid) []"
  if [[ $P1 == "$want" && $APP == "$want" ]]; then
    pass host-ids "PID 1: $P1, app: $APP"
  else
    fail host-ids "expected PID 1 and the app at host ids '$want', got PID 1: $P1, app: $APP"
  fi
}

# 2. nginx's `identity uid 65534` as root is not host root either: it is 65534 ids above the
# range's start, PID 1 included (it shares the app's ids to signal it); uid 65534 as caller:
# its own id, as before.
check_identity_nobody() {
  sandbox_ids ids-nobody identity-nobody-host-ids || return
  local want="65534 65534 []"
  [[ $MODE == root ]] &&
    want="$(($(range_base /etc/subuid) + 65534)) $(($(range_base /etc/subgid) + 65534)) []"
  if [[ $P1 == "$want" && $APP == "$want" ]]; then
    pass identity-nobody-host-ids "PID 1: $P1, app: $APP"
  else
    fail identity-nobody-host-ids "expected PID 1 and the app at host ids '$want', got PID 1: $P1, app: $APP"
  fi
}

# 2b. Root's supplementary groups (here adm, which reads /var/log) stay outside: the app and
# PID 1 have none (setgroups is allowed for root's range only so that the child can drop them).
check_no_root_groups() {
  sandbox_ids iso host-groups setpriv --groups 4 -- || return
  local want
  want="$(range_base /etc/subuid) $(range_base /etc/subgid) []"
  if [[ $P1 == "$want" && $APP == "$want" ]]; then
    pass host-groups "caller's groups 4; PID 1: $P1, app: $APP"
  else
    fail host-groups "expected PID 1 and the app at host ids '$want' with no group, got PID 1: $P1, app: $APP"
  fi
}

# 3. /dev's nodes: chmod of the host's /dev/null gets EROFS and its mode stays; I/O works.
check_dev_readonly() {
  local before after
  before=$(stat -c %a /dev/null)
  crun iso -- "$PROBES/fsprobe" chmod /dev/null chmod /dev/tty openw /dev/null
  after=$(stat -c %a /dev/null)
  expect dev-null-chmod EROFS "$(after 'chmod /dev/null: ')"
  expect dev-tty-chmod "EROFS|ENOENT" "$(after 'chmod /dev/tty: ')"
  expect dev-null-write OK "$(after 'openw /dev/null: ')"
  expect dev-null-mode-unchanged "$before" "$after"
  crun iso -- sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c'
  expect dev-io-works 4 "$OUT"
}

# 4. /proc: what Docker masks reads empty (or not at all) and cannot be written; a global
# entry's mode (shared by every procfs mount) cannot be changed. (A kernel without kcore or
# sysrq-trigger, as the build machine's, has nothing there to mask: ENOENT.)
check_proc_masked() {
  local f
  crun iso -- "$PROBES/fsprobe" count /proc/kcore count /proc/keys count /proc/timer_list \
    count /proc/sysrq-trigger openw /proc/kcore openw /proc/keys openw /proc/timer_list \
    openw /proc/sysrq-trigger chmod /proc/timer_list chmod /proc/meminfo
  for f in kcore keys timer_list sysrq-trigger; do
    expect "proc-$f-empty" "0|EACCES|EPERM|ENOENT" "$(after "count /proc/$f: ")"
    expect "proc-$f-unwritable" "EROFS|EACCES|EPERM|ENOENT" "$(after "openw /proc/$f: ")"
  done
  expect proc-chmod-masked "EROFS|EPERM" "$(after 'chmod /proc/timer_list: ')"
  expect proc-chmod-global "EPERM|EROFS" "$(after 'chmod /proc/meminfo: ')"
}

# 5. A rw bind of a root-owned directory: root's sandbox writes there (idmapped), and what it
# creates is root's on the host; uid 65534 cannot (not its directory) but writes its own.
check_rw_root_owned() {
  rm -f "$T/rootrw/new-$MODE" "$T/nobodyrw/new-$MODE"
  crun ids-binds -- "$PROBES/fsprobe" write "$T/rootrw/new-$MODE" openw "$T/rootrw/existing" \
    write "$T/nobodyrw/new-$MODE"
  if [[ $MODE == root ]]; then
    expect rw-root-owned-create OK "$(after "write $T/rootrw/new-$MODE: ")"
    expect rw-root-owned-write OK "$(after "openw $T/rootrw/existing: ")"
    expect rw-new-file-host-owner "0:0" "$(stat -c %u:%g "$T/rootrw/new-$MODE" 2>&1)"
    # Another user's directory is not root's sandbox's (only the caller's ids are mapped).
    expect rw-other-owner-refused EACCES "$(after "write $T/nobodyrw/new-$MODE: ")"
  else
    expect rw-root-owned-create EACCES "$(after "write $T/rootrw/new-$MODE: ")"
    expect rw-root-owned-write EACCES "$(after "openw $T/rootrw/existing: ")"
    expect rw-own-create OK "$(after "write $T/nobodyrw/new-$MODE: ")"
    expect rw-new-file-host-owner "65534:65534" "$(stat -c %u:%g "$T/nobodyrw/new-$MODE" 2>&1)"
  fi
}

# 6. A root-owned 0600 file under a ro bind of its directory: not the sandbox's to read (its
# host uid is not 0).
check_ro_not_owned() {
  crun ids-binds -- "$PROBES/fsprobe" read "$T/rosecret/key"
  expect ro-root-secret-unreadable EACCES "$(after "read $T/rosecret/key: ")"
}

# 7. A bind source only root can reach (under a 0700 directory) is still bound for root: the
# parent opens it, though the sandbox's ids could not; uid 65534's launch is refused, naming it.
check_source_behind_0700() {
  crun ids-rootonly -- "$PROBES/fsprobe" read "$T/rootonly/sub/file"
  if [[ $MODE == root ]]; then
    expect ro-source-behind-0700 OK "$(after "read $T/rootonly/sub/file: ")"
  else
    expect_rc ro-source-behind-0700-refused 125
    expect_in ro-source-behind-0700-message "mount $T/rootonly/sub: EACCES" stderr "$ERR"
  fi
}

# 8. An rw bind whose filesystem cannot be idmapped (sysfs, whose directories only root may
# write) is refused for root, naming it, rather than bound rw in name only (or, as before,
# writable to host root); uid 65534's sandbox needs no idmapping and starts.
check_rw_not_idmappable() {
  crun ids-sysfs -- true
  if [[ $MODE == root ]]; then
    expect_rc rw-not-idmappable-refused 125
    expect_in rw-not-idmappable-message "^cordon: mount /sys/kernel/mm: EINVAL .*cannot be idmapped" stderr "$ERR"
  else
    expect_rc rw-not-idmappable-unpriv-starts 0
  fi
}

# 9. An rw bind of a directory anyone may write (1777) on a filesystem that cannot be idmapped
# (ramfs, as tmpfs before Linux 6.3) is bound as it is for root, with a warning: the sandbox
# writes there as its own host ids, never as root. (Mounted here for the check, unmounted after.)
check_rw_anyone_writes_not_idmappable() {
  mkdir -p "$T/ramfs"
  mount -t ramfs -o mode=1777 ramfs "$T/ramfs" || { skip rw-ramfs "cannot mount a ramfs"; return; }
  crun ids-ramfs -- "$PROBES/fsprobe" write "$T/ramfs/new-$MODE"
  expect_rc rw-ramfs-starts 0
  expect rw-ramfs-create OK "$(after "write $T/ramfs/new-$MODE: ")"
  if [[ $MODE == root ]]; then
    expect_in rw-ramfs-warned "^cordon: warning: mount $T/ramfs: .*cannot be idmapped" stderr "$ERR"
    expect rw-ramfs-host-owner "$(range_base /etc/subuid):$(range_base /etc/subgid)" "$(stat -c %u:%g "$T/ramfs/new-$MODE" 2>&1)"
  else
    expect rw-ramfs-host-owner "65534:65534" "$(stat -c %u:%g "$T/ramfs/new-$MODE" 2>&1)"
  fi
  umount "$T/ramfs"
}

both check_host_ids
both check_identity_nobody
root_only check_no_root_groups
both check_dev_readonly
both check_proc_masked
both check_rw_root_owned
both check_ro_not_owned
both check_source_behind_0700
both check_rw_not_idmappable
both check_rw_anyone_writes_not_idmappable
e2e_finish
