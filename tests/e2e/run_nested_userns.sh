#!/bin/bash
# Issue #14, class 6: a sandbox cannot create a user namespace (in one it would hold every
# capability again) unless its policy says `nested-userns allow`. tests/probes/userns tries a
# raw clone3, clone and unshare, each with CLONE_NEWUSER, as root and as uid 65534.
# Usage: run_nested_userns.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

# The shipped cli profile: clone3 answers ENOSYS (so glibc falls back to clone, whose flags
# the filter reads), clone and unshare with CLONE_NEWUSER get EPERM from the filter.
check_cli() {
  crun iso -- "$PROBES/userns"
  expect_rc cli-userns-exit 0
  expect cli-clone3 ENOSYS "$(after 'clone3=')"
  expect cli-clone EPERM "$(after 'clone=')"
  expect cli-unshare EPERM "$(after 'unshare=')"
}

# Every call allowed by the filter: the sandbox's user.max_user_namespaces (0, written from a
# user namespace where the app holds no CAP_SYS_RESOURCE) still refuses each one.
check_limit_alone() {
  crun userns-syscalls -- "$PROBES/userns"
  expect_rc limit-userns-exit 0
  expect limit-clone3 ENOSPC "$(after 'clone3=')"
  expect limit-clone ENOSPC "$(after 'clone=')"
  expect limit-unshare ENOSPC "$(after 'unshare=')"
}

# The opt-in: `nested-userns allow` with the calls allowed, and each works (the nested
# namespace's owner holds every capability there).
check_opt_in() {
  crun userns-allowed -- "$PROBES/userns"
  expect_rc optin-userns-exit 0
  expect optin-clone3 OK "$(after 'clone3=')"
  expect optin-clone OK "$(after 'clone=')"
  expect optin-unshare OK "$(after 'unshare=')"
  expect optin-capeff-full '000001ffffffffff|0000003fffffffff|[0-9a-f]*f' "$(after 'clone_capeff=')"
}

# A kept CAP_SYS_RESOURCE could raise the limit again: refused before the launch, one line.
check_sys_resource_refused() {
  crun userns-sys-resource -- "$PROBES/userns"
  expect_rc sysres-refused 125
  expect_in sysres-message 'SYS_RESOURCE would let the app raise user.max_user_namespaces' stderr "$ERR"
}

both check_cli
both check_limit_alone
both check_opt_in
both check_sys_resource_refused
e2e_finish
