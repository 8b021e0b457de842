#!/bin/bash
# profiles/apps/git.cordon on the real git (issue #5), as root and as uid 65534:
#   - a bare repository made outside the sandbox (owned by the user running cordon) is bound
#     read-only with --set REPO=…, cloned over file:// (git runs git-upload-pack,
#     pack-objects and index-pack as helpers) into the working directory; the working tree
#     equals the source's, `git log` lists every commit, `git status` is clean, then sees
#     an edit, and a commit in the clone works;
#   - what the profile forbids: a push to the source repository is rejected and a ref
#     update there fails with EROFS (the source is unchanged outside), and a git:// remote
#     fails at socket() with EACCES ("Permission denied").
# Needs the Debian package git (installed here if missing).
# Usage: app_git.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

if ! command -v git >/dev/null; then
  echo "git is missing: apt-get install -y --no-install-recommends git"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git >/dev/null 2>&1 ||
    e2e_skip_all "git is not installed and 'apt-get install git' failed"
fi
command -v git >/dev/null || e2e_skip_all "git is still not installed"

# The source: 25 commits of 12 files each in a non-bare repository, cloned bare. Enough
# objects that pack-objects and index-pack do real work (threads, sysinfo).
SEED="$T/seed"
gitc() { git -c user.name=seed -c user.email=seed@example.org -c init.defaultBranch=main "$@"; }
gitc init -q "$SEED" || exit 2
for ((i = 1; i <= 25; i++)); do
  for ((j = 1; j <= 12; j++)); do echo "commit $i file $j $RANDOM" >"$SEED/f$j.txt"; done
  mkdir -p "$SEED/dir$i" && echo "$i" >"$SEED/dir$i/n"
  gitc -C "$SEED" add -A && gitc -C "$SEED" commit -q -m "commit $i" || exit 2
done
SUBJECTS=$(gitc -C "$SEED" log --format=%s)

# Per mode: the user's own bare copy of the source (git refuses a repository another user
# owns), and an empty working directory of its own to clone into. A root caller's sandbox owns
# nothing of root's (docs/launcher.md, "Ids"): through the read-only bind, root's files show
# as nobody's, so root's copy belongs to the first id of its sandboxes' range instead (the
# sandbox's root); the working directory, an rw bind, is idmapped and stays root's.
enter() {
  REPO="$T/src-$MODE.git"
  cd "$T/work/$MODE" || exit 2
}
prepare() {
  REPO="$T/src-$MODE.git"
  rm -rf "$REPO" "$T/work/$MODE"
  gitc clone -q --bare "$SEED" "$REPO" || exit 2
  mkdir "$T/work/$MODE"
  if [[ $MODE == unpriv ]]; then chown -R 65534:65534 "$REPO" "$T/work/$MODE"; fi
  if [[ $MODE == root ]]; then chown -R "$(range_base /etc/subuid):$(range_base /etc/subgid)" "$REPO"; fi
  chmod -R a+rX "$REPO"
  cd "$T/work/$MODE" || exit 2
}

# git outside the sandbox, as root, on the current mode's source repository.
hostgit() { git -c safe.directory='*' --git-dir="$REPO" "$@"; }

# grun [cordon-run options] -- GIT-ARGS: git under the profile, in the current directory.
grun() { raw "$CORDON" run -p git --set "REPO=$REPO" -- git "$@"; }

check_clone() {
  prepare
  grun clone -q "file://$REPO" clone
  expect_rc git-clone 0
  if diff -r -x .git "$SEED" clone >"$T/log/diff" 2>&1; then
    pass git-clone-tree-equal
  else
    OUT=$(<"$T/log/diff") fail git-clone-tree-equal "expected the clone's working tree to equal the source's, diff -r differs"
  fi
  cd clone || return
  grun log --format=%s
  expect_rc git-log 0
  if [[ $OUT == "$SUBJECTS" ]]; then pass git-log-subjects "25 commits"; else fail git-log-subjects "expected the source's 25 subjects, newest first"; fi
  grun status
  expect_in git-status-clean 'nothing to commit, working tree clean' stdout "$OUT"
  echo edited >>f3.txt
  grun status --short
  expect git-status-sees-edit ' M f3.txt' "$OUT"
  grun -c user.name=t -c user.email=t@example.org commit -q -am "edit in the sandbox"
  expect_rc git-commit 0
  grun log -1 --format=%s
  expect git-commit-logged "edit in the sandbox" "$OUT"
  cd "$T/work/$MODE" || return
}

# The source is read-only: pushing the commit back is rejected by the remote side, and a
# ref update in it fails with EROFS. Outside, its branch has not moved.
check_source_readonly() {
  local before after
  enter
  before=$(hostgit rev-parse refs/heads/main)
  cd clone || return
  grun push -q origin HEAD:main
  expect git-push-refused '[1-9][0-9]*' "$RC" "exit $RC"
  expect_in git-push-unpacker-error 'unpacker error|unable to create temporary object directory' stderr "$ERR"
  grun --git-dir="$REPO" update-ref refs/heads/evil HEAD
  expect git-update-ref-refused 128 "$RC" "exit $RC"
  expect_in git-update-ref-EROFS 'Read-only file system' stderr "$ERR"
  cd "$T/work/$MODE" || return
  after=$(hostgit rev-parse refs/heads/main)
  expect git-source-unchanged "$before" "$after"
  if [[ -e $REPO/refs/heads/evil ]]; then fail git-no-evil-ref "expected no refs/heads/evil in the source"; else pass git-no-evil-ref; fi
}

# No network: git:// connects with a TCP socket, which the filter refuses with EACCES.
check_no_network() {
  enter
  grun clone -q git://127.0.0.1/x.git netclone
  expect git-network-refused 128 "$RC" "exit $RC"
  expect_in git-network-EACCES 'errno=Permission denied' stderr "$ERR"
  [[ -e netclone ]] && fail git-network-nothing-cloned "expected no netclone directory"
}

both check_clone
both check_source_readonly
both check_no_network
cd "$T" || exit 2
e2e_finish
