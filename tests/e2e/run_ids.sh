#!/bin/bash
# Host ids (issue #14, class 5): a sandbox started by root must own nothing of the host's.
# /dev's nodes are read-only binds, and /proc masks what Docker masks. Each check is an
# attack an app inside would try, as root and as uid 65534.
# Usage: run_ids.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

# 1. /dev's nodes: chmod of the host's /dev/null gets EROFS and its mode stays; I/O works.
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

# 2. /proc: what Docker masks reads empty (or not at all) and cannot be written, nor chmod-ed.
# (A kernel without kcore or sysrq-trigger, as the build machine's, has nothing there to mask:
# ENOENT.)
check_proc_masked() {
  local f
  crun iso -- "$PROBES/fsprobe" count /proc/kcore count /proc/keys count /proc/timer_list \
    count /proc/sysrq-trigger openw /proc/kcore openw /proc/keys openw /proc/timer_list \
    openw /proc/sysrq-trigger chmod /proc/timer_list
  for f in kcore keys timer_list sysrq-trigger; do
    expect "proc-$f-empty" "0|EACCES|EPERM|ENOENT" "$(after "count /proc/$f: ")"
    expect "proc-$f-unwritable" "EROFS|EACCES|EPERM|ENOENT" "$(after "openw /proc/$f: ")"
  done
  expect proc-chmod-masked "EROFS|EPERM" "$(after 'chmod /proc/timer_list: ')"
}

both check_dev_readonly
both check_proc_masked
e2e_finish
