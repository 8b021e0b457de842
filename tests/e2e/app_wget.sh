#!/bin/bash
# profiles/apps/wget.cordon end to end, as root and as uid 65534: wget under the profile
# downloads a page from an HTTP server the test starts on the host's 127.0.0.1 (outside the
# sandbox) into the working directory, byte for byte, and mirrors a small site with -r; it
# cannot write into the caller's ~/.ssh (ENOENT: the home inside is an empty tmpfs), which
# the same wget can outside, and cannot fork into the background (-b: EPERM).
# Usage: app_wget.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need wget wget
need /usr/bin/python3 python3
WGET=$(command -v wget)

# The site: a page of random text (its bytes are compared), an index linking to it and to a
# page in a subdirectory, and a redirect.
mkdir -p "$T/www/sub"
head -c 48000 /dev/urandom | base64 >"$T/www/page.txt"
echo '<html><a href="page.txt">p</a> <a href="sub/two.html">2</a></html>' >"$T/www/index.html"
echo "<html>two $RANDOM</html>" >"$T/www/sub/two.html"
# A server on a free port of the host's 127.0.0.1, outside the sandbox.
http_server "$T/www"

# Each user's ~/.ssh, where a download must not land.
ssh_dirs


# wget under the profile. No proxy: the server is on the host's loopback.
cwget() { raw "$CORDON" run -p wget -- "$WGET" --no-proxy "$@"; }

check_fetch() {
  local f="got-$MODE.txt"
  rm -f "$f"
  cwget -nv -O "$f" "$URL/page.txt"
  expect_rc fetch-exit 0
  if cmp -s "$f" "$T/www/page.txt"; then
    pass fetch-content "$(wc -c <"$f") bytes, identical"
  else
    fail fetch-content "expected $f to equal the served page.txt"
  fi
}

check_mirror() {
  local d="mirror-$MODE"
  rm -rf "$d"
  # Recursive, no parent, into DIR without the host name: mkdir, statfs, utimensat…
  cwget -nv -r -np -nH -P "$d" "$URL/"
  expect_rc mirror-exit 0
  if cmp -s "$d/page.txt" "$T/www/page.txt" && cmp -s "$d/sub/two.html" "$T/www/sub/two.html" &&
    cmp -s "$d/index.html" "$T/www/index.html"; then
    pass mirror-content "$(find "$d" -type f | wc -l) files"
  else
    fail mirror-content "expected $d/{index.html,page.txt,sub/two.html} to equal the site's"
  fi
  # By name and through the redirect.
  cwget -q -O - "http://localhost:$PORT/moved"
  expect_rc redirect-by-name-exit 0
  if [[ $(printf '%s\n' "$OUT" | sha256sum) == "$(sha256sum <"$T/www/page.txt")" ]]; then
    pass redirect-by-name-content "stdout identical to page.txt"
  else
    fail redirect-by-name-content "expected stdout to equal page.txt"
  fi
}

check_no_write_to_ssh() {
  local dest
  dest="$(home)/.ssh/authorized_keys"
  rm -f "$dest"
  # Outside the sandbox the same wget, as the same user, writes it: the refusal is the sandbox's.
  raw "$WGET" --no-proxy -q -O "$dest" "$URL/sub/two.html"
  expect_rc write-ssh-outside 0
  rm -f "$dest"
  cwget -q -O "$dest" "$URL/sub/two.html"
  expect_rc write-ssh-refused 1
  expect_in write-ssh-errno "$dest: No such file or directory" stderr "$ERR"
  if [[ -e $dest ]]; then fail write-ssh-absent "$dest exists on the host"; else pass write-ssh-absent; fi
}

check_no_background() {
  cwget -b -q -O "bg-$MODE.html" "$URL/index.html"
  expect_rc background-refused 1
  expect_in background-errno '^fork: Operation not permitted$' "stdout+stderr" "$OUT$ERR"
}

both check_fetch
both check_mirror
both check_no_write_to_ssh
both check_no_background
e2e_finish
