#!/bin/bash
# profiles/apps/tar.cordon on the real GNU tar (issue #5), as root and as uid 65534:
#   - a directory tree (text, random binary, empty file, nested directories, a symlink, a
#     name with blanks, modes) is packed into .tar.gz and .tar.xz (tar runs gzip and xz as
#     child processes), the archives are valid outside (gzip -t, xz -t), both are unpacked
#     in the sandbox and the results equal the original (diff -r, modes, symlink target);
#   - what the profile forbids: a member with an absolute name under /usr given -P fails
#     with EROFS, -C to a host directory outside the working directory fails with ENOENT
#     (it does not exist in the sandbox), writing the archive there likewise, and a ../
#     member given -P lands in the sandbox's private /tmp, never on the host.
# Needs the Debian packages tar, gzip and xz-utils (installed here if missing).
# Usage: app_tar.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need tar tar
need gzip gzip
need xz xz-utils

# A host directory outside every working directory, writable by both users.
OUTSIDE="$T/outside"
mkdir "$OUTSIDE" && chmod 1777 "$OUTSIDE"
# A name under /usr that must never appear (the sandbox binds /usr read-only).
EVIL_ABS="/usr/lib/cordon-e2e-tar-evil.$$"

# Per mode: a working directory of the user's own holding the tree to pack and two
# hostile archives, all made outside the sandbox.
prepare() {
  W="$T/work/$MODE"
  rm -rf "$W"
  mkdir -p "$W/site/a/b/c" "$W/site/empty-dir" || exit 2
  seq 1 50000 >"$W/site/numbers.txt"
  head -c 300000 /dev/urandom >"$W/site/a/random.bin"
  : >"$W/site/a/b/empty"
  echo deep >"$W/site/a/b/c/deep.txt"
  echo blanks >"$W/site/name with blanks.txt"
  printf '#!/bin/sh\necho hi\n' >"$W/site/run.sh" && chmod 750 "$W/site/run.sh"
  chmod 600 "$W/site/a/b/c/deep.txt"
  ln -s ../numbers.txt "$W/site/a/link"
  echo evil >"$W/escape.txt"
  (cd "$W" && tar -cPf evil-abs.tar --transform "s,^.*\$,$EVIL_ABS," escape.txt &&
    tar -cPf evil-dotdot.tar --transform 's,^,../,' escape.txt && rm -f escape.txt) || exit 2
  if [[ $MODE == unpriv ]]; then chown -R 65534:65534 "$W"; fi
  cd "$W" || exit 2
}

# trun ARGS: tar under the profile, in the current directory.
trun() { raw "$CORDON" run -p tar -- tar "$@"; }

# same NAME DIR: DIR/site equals the original tree: contents, modes, the symlink.
same() {
  local name=$1 dir=$2
  if diff -r --no-dereference "$W/site" "$dir/site" >"$T/log/diff" 2>&1; then
    pass "$name-contents"
  else
    OUT=$(<"$T/log/diff") fail "$name-contents" "expected $dir/site to equal the original (diff -r)"
  fi
  expect "$name-modes" "$(cd "$W/site" && find . -printf '%p %m %y\n' | sort | md5sum)" \
    "$(cd "$dir/site" && find . -printf '%p %m %y\n' | sort | md5sum)" "modes and types"
  expect "$name-symlink" "../numbers.txt" "$(readlink "$dir/site/a/link")"
}

check_pack_unpack() {
  prepare
  trun -czf site.tar.gz site
  expect_rc tar-create-gz 0
  trun -cJf site.tar.xz site
  expect_rc tar-create-xz 0
  if gzip -t site.tar.gz 2>/dev/null; then pass tar-gz-valid; else fail tar-gz-valid "expected gzip -t to accept site.tar.gz"; fi
  if xz -t site.tar.xz 2>/dev/null; then pass tar-xz-valid; else fail tar-xz-valid "expected xz -t to accept site.tar.xz"; fi
  trun -tJf site.tar.xz
  expect tar-list-xz "$(cd "$W" && find site | wc -l)" "$(grep -c . <<<"$OUT")" "$(grep -c . <<<"$OUT") members"
  as_mode mkdir out-gz out-xz
  trun -xzf site.tar.gz -C out-gz
  expect_rc tar-extract-gz 0
  same tar-gz out-gz
  trun -xJf site.tar.xz -C out-xz
  expect_rc tar-extract-xz 0
  same tar-xz out-xz
}

check_confined() {
  W="$T/work/$MODE"
  cd "$W" || return
  # -P keeps the absolute name: the open fails on the read-only /usr.
  trun -xPf evil-abs.tar
  expect tar-abs-refused 2 "$RC" "exit $RC"
  expect_in tar-abs-EROFS "$EVIL_ABS: Cannot open: Read-only file system" stderr "$ERR"
  if [[ -e $EVIL_ABS ]]; then
    rm -f "$EVIL_ABS"
    fail tar-abs-not-on-host "expected no $EVIL_ABS on the host"
  else
    pass tar-abs-not-on-host
  fi
  # -C to a host directory outside the working directory: it is not in the sandbox.
  trun -xzf site.tar.gz -C "$OUTSIDE"
  expect tar-C-outside-refused 2 "$RC" "exit $RC"
  expect_in tar-C-outside-ENOENT "$OUTSIDE: Cannot open: No such file or directory" stderr "$ERR"
  # Nor can the archive be written there.
  trun -czf "$OUTSIDE/stolen.tar.gz" site
  expect tar-write-outside-refused 2 "$RC" "exit $RC"
  expect_in tar-write-outside-ENOENT "$OUTSIDE/stolen.tar.gz: Cannot open: No such file or directory" stderr "$ERR"
  expect tar-outside-empty "" "$(ls -A "$OUTSIDE")" "empty"
  # A ../ member: tar refuses it by itself; given -P, it lands in the parent directory as
  # the sandbox sees it, which is its private /tmp (the working directory is under /tmp
  # here), gone when the sandbox exits — never the host's $T/work.
  trun -xf evil-dotdot.tar
  expect tar-dotdot-refused-by-tar 2 "$RC" "exit $RC"
  expect_in tar-dotdot-message "Member name contains '\.\.'" stderr "$ERR"
  trun -xPf evil-dotdot.tar
  if [[ -e $T/work/escape.txt ]]; then
    rm -f "$T/work/escape.txt"
    fail tar-dotdot-not-on-host "expected no $T/work/escape.txt on the host after tar -xPf (exit $RC)"
  else
    pass tar-dotdot-not-on-host "tar exit $RC"
  fi
}

both check_pack_unpack
both check_confined
cd "$T" || exit 2
e2e_finish
