#!/usr/bin/env bash
# The adversarial battery, part 1 (issue 14, classes 1-4): what a sandboxed app can write —
# its working directory, a cache under it, a folder a later launch binds — must never choose,
# rewrite or widen the next sandbox. Every check runs as root and as uid 65534.
# shellcheck source=lib.bash
source "$(dirname "$0")/lib.bash"
adv_init "$@"

PLANT='cordon 1\ninclude "lib/cli.cordon"\nname "planted"\nhostname "planted"\nnetwork host\n'

# Class 1. The app writes ./cli and ./cli.cordon in its rw working directory; the user's next
# `cordon run -p cli` must still be the shipped profile (hostname "cli", not "planted").
check_planted_name() {
  local w="$T/work/plant-$MODE"
  mkdir -p "$w" && chmod 1777 "$w"
  cd "$w" || return
  raw "$CORDON" run -p cli -- /bin/sh -c "printf '$PLANT' > cli; cp cli cli.cordon; cp cli tar"
  [[ -s cli ]] || { escape planted-name "the plant itself failed: nothing written"; cd "$T/work"; return; }
  raw "$CORDON" run -p cli -- /bin/hostname
  if [[ $RC == 0 && $OUT == cli ]]; then held planted-name "-p cli ran the shipped profile (hostname cli)"
  else escape planted-name "-p cli ran hostname '$OUT' (exit $RC)"; fi
  # Named by path, the planted file lies inside the launch's rw ${PWD}: refused.
  raw "$CORDON" run -p ./cli.cordon -- /bin/hostname
  if [[ $RC == 125 && $ERR == *"lies inside $w"* ]]; then held planted-path "refused: $(head -c 120 <<<"$ERR")"
  else escape planted-path "-p ./cli.cordon ran (exit $RC, hostname '$OUT')"; fi
  cd "$T/work" || return
}

# Class 1. Every name `cordon profiles` prints resolves; an unknown one says "did you mean".
check_profile_names() {
  raw "$CORDON" profiles
  local names n bad=""
  names=$(awk '/^  [a-z]/{print $1}' <<<"$OUT")
  for n in $names; do
    raw "$CORDON" check "$n"
    [[ $ERR == *"no shipped profile"* || $RC == 2 ]] && bad+=" $n"
  done
  if [[ -n $names && -z $bad ]]; then held profile-names-resolve "$(wc -w <<<"$names") names"
  else escape profile-names-resolve "did not resolve:${bad:- (no names listed)}"; fi
  raw "$CORDON" run -p clii -- /bin/true
  if [[ $RC == 125 && $ERR == *"did you mean 'cli'?"* ]]; then held unknown-name "$ERR"
  else escape unknown-name "expected exit 125 and a suggestion"; fi
}

# Class 2. XDG_CACHE_HOME inside the rw working directory (common in CI): the app could
# rewrite the plan the next launch runs. Refused, naming the cache and the bind — also with
# --no-cache, whose app could rewrite the entries a later cached launch would use.
check_cache_in_bind() {
  local w="$T/work/cache-$MODE"
  mkdir -p "$w" && chmod 1777 "$w"
  cd "$w" || return
  raw env XDG_CACHE_HOME="$w/.cache" "$CORDON" run -p cli -- /bin/true
  if [[ $RC == 125 && $ERR == *"plan cache $w/.cache/cordon lies inside $w"* ]]; then
    held cache-in-bind "refused"
  else escape cache-in-bind "the launch went on with its plan cache inside its rw bind"; fi
  raw env XDG_CACHE_HOME="$w/.cache" "$CORDON" run --no-cache -p cli -- /bin/true
  if [[ $RC == 125 && $ERR == *"plan cache $w/.cache/cordon lies inside $w"* ]]; then
    held cache-in-bind-no-cache "refused"
  else escape cache-in-bind-no-cache "a --no-cache launch could write the entries a later launch uses"; fi
  cd "$T/work" || return
}

# Class 2. A policy outside the binds whose include lies inside one, and a policy with a hard
# link inside one: both are files the app could rewrite.
check_include_and_link_in_bind() {
  local w="$T/work/inc-$MODE" pol="$T/pol-$MODE"
  mkdir -p "$w" "$pol" && chmod 1777 "$w" && chmod 755 "$pol"
  printf 'cordon 1\nname "inc"\n' >"$w/inc.cordon" && chmod 644 "$w/inc.cordon"
  printf 'cordon 1\ninclude "cli.cordon"\ninclude "%s/inc.cordon"\n' "$w" >"$pol/top.cordon"
  printf 'cordon 1\ninclude "cli.cordon"\n' >"$pol/linked.cordon"
  chmod 644 "$pol"/*.cordon
  ln -f "$pol/linked.cordon" "$w/linked-too"
  cd "$w" || return
  raw "$CORDON" run --no-cache -p "$pol/top.cordon" -- /bin/true
  if [[ $RC == 125 && $ERR == *"include $w/inc.cordon lies inside $w"* ]]; then held include-in-bind "refused"
  else escape include-in-bind "the launch went on with an include inside its rw bind"; fi
  raw "$CORDON" run --no-cache -p "$pol/linked.cordon" -- /bin/true
  if [[ $RC == 125 && $ERR == *"2 hard links"* ]]; then held policy-hard-link "refused"
  else escape policy-hard-link "a policy with a second name inside the rw bind was used"; fi
  cd "$T/work" || return
}

# Class 3. Started in / (cron's and systemd's default), in /etc or in the home itself, cli's
# `rw? ${PWD}` would hand the app the host's root, configuration or dotfiles.
check_workdir() {
  local d
  for d in / /etc /usr/bin "$(home)"; do
    cd "$d" || continue
    raw env HOME="$(home)" "$CORDON" run --no-cache -p cli -- /bin/sh -c 'touch ./cordon-escape-probe && echo wrote'
    rm -f "$d/cordon-escape-probe" 2>/dev/null
    if [[ $RC == 125 && $ERR == *"run cordon from the directory"* ]]; then held "workdir $d" "refused"
    else escape "workdir $d" "not refused as a working directory (exit $RC: '$OUT')"; fi
  done
  cd "$T/work" || return
}

# Class 3/swaps. Between launches the app replaces a folder the next launch binds read-only
# with a symlink to /etc: the next launch must not show the host's /etc through it.
check_symlink_swap() {
  local s="$T/swap"
  rm -rf "$s" && mkdir -p "$s/data" && echo safe >"$s/data/file" && chmod -R a+rwX "$s"
  crun adv-swap-prep -- /bin/sh -c "rm -rf '$s/data' && ln -s /etc '$s/data' && echo swapped"
  if [[ $OUT != swapped ]]; then escape symlink-swap "the swap itself failed (exit $RC)"; return; fi
  crun adv-swap -- /bin/sh -c "cat '$s/data/shadow' >/dev/null 2>&1 && echo READ-SHADOW; cat '$s/data/hostname' 2>&1"
  if [[ $OUT == *READ-SHADOW* || $OUT == "$(cat /etc/hostname)" ]]; then
    escape symlink-swap "the host's /etc showed through the swapped bind"
  else
    held symlink-swap "exit $RC: $(head -c 100 <<<"$OUT$ERR" | tr '\n' ' ')"
  fi
}

# Class 4. A directory fd passed with --pass-fd: refused (--pass-dir-fd says what it grants).
check_passfd_dir() {
  LASTCMD="[$MODE] cordon run -p cli --pass-fd 9 -- /bin/true 9<$T/work"
  as_mode "$CORDON" run -p cli --pass-fd 9 -- /bin/true >"$T/log/out" 2>"$T/log/err" </dev/null 9<"$T/work"
  RC=$? OUT=$(<"$T/log/out") ERR=$(<"$T/log/err")
  if [[ $RC == 125 && $ERR == *EISDIR* ]]; then held passfd-dir "refused"
  else escape passfd-dir "a directory fd was passed in (exit $RC)"; fi
}

both check_planted_name
both check_profile_names
both check_cache_in_bind
both check_include_and_link_in_bind
both check_workdir
both check_symlink_swap
both check_passfd_dir
e2e_finish
