#!/bin/bash
# profiles/apps/curl.cordon end to end, as root and as uid 65534: curl under the profile
# fetches a page from an HTTP server the test starts on the host's 127.0.0.1 (outside the
# sandbox) into the working directory, byte for byte; follows a redirect, writes headers and
# creates a directory; and cannot read a file standing in for ~/.ssh/id_rsa (file:// finds
# no such file: the home inside is an empty tmpfs) that the same curl reads outside.
# Usage: app_curl.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need curl curl
need /usr/bin/python3 python3
CURL=$(command -v curl)

# The site: a page of random text (its bytes are compared) and a redirect to it.
mkdir -p "$T/www"
head -c 48000 /dev/urandom | base64 >"$T/www/page.txt"
echo '<html>cordon</html>' >"$T/www/index.html"
# A server on a free port of the host's 127.0.0.1, outside the sandbox.
http_server "$T/www"

# A private key's stand-in in each user's home.
ssh_dirs KEY


# curl under the profile. No proxy: the server is on the host's loopback.
ccurl() { raw "$CORDON" run -p curl -- "$CURL" --noproxy '*' "$@"; }

check_fetch() {
  local f="got-$MODE.txt"
  rm -f "$f"
  ccurl -sS -f -o "$f" "$URL/page.txt"
  expect_rc fetch-exit 0
  if cmp -s "$f" "$T/www/page.txt"; then
    pass fetch-content "$(wc -c <"$f") bytes, identical"
  else
    fail fetch-content "expected $f to equal the served page.txt"
  fi
}

check_redirect_headers_dirs() {
  local d="dir-$MODE"
  rm -rf "$d"
  ccurl -sS -f -L -D "hdr-$MODE.txt" --create-dirs -o "$d/sub/page.txt" "$URL/moved"
  expect_rc redirect-exit 0
  if cmp -s "$d/sub/page.txt" "$T/www/page.txt"; then
    pass redirect-content
  else
    fail redirect-content "expected $d/sub/page.txt (created by --create-dirs) to equal page.txt"
  fi
  expect_in redirect-headers '^HTTP/1\.[01] 302' "hdr-$MODE.txt" "$(cat "hdr-$MODE.txt" 2>/dev/null)"
}

check_stdout_name() {
  # By name: "localhost" resolves through the resolver code (curl's own for localhost).
  ccurl -sS -f "http://localhost:$PORT/index.html"
  expect fetch-stdout-by-name '<html>cordon</html>' "$OUT"
}

check_ssh_key_unreadable() {
  local key
  key="$(home)/.ssh/id_rsa"
  # Outside the sandbox the same curl, as the same user, reads it: the refusal is the sandbox's.
  raw "$CURL" -sS "file://$key"
  expect key-readable-outside 'cordon-fake.*' "$(grep -o 'cordon-fake.*' <<<"$OUT")"
  ccurl -sS "file://$key"
  # CURLE_FILE_COULDNT_READ_FILE: the open failed (ENOENT: the home inside is an empty tmpfs).
  expect_rc key-refused 37
  expect_in key-refused-message "Couldn't open file $key" stderr "$ERR"
  if [[ $OUT == *cordon-fake* ]]; then fail key-not-leaked "the key's content reached stdout"; else pass key-not-leaked; fi
}

check_no_subprocess() {
  # The profile refuses execve: curl never runs a program (here the launcher runs sh, whose
  # first calls outside curl's list kill it: the filter is curl's, not a shell's).
  raw "$CORDON" run -p curl -- /bin/sh -c 'echo hi'
  expect_rc shell-killed 159
}

both check_fetch
both check_redirect_headers_dirs
both check_stdout_name
both check_ssh_key_unreadable
both check_no_subprocess
e2e_finish
