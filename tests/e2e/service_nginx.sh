#!/bin/bash
# profiles/services/nginx.cordon end to end, as root and as uid 65534: the real nginx (master
# and two workers) under the profile, with a configuration of the test's own (daemon off,
# error_log stderr, pid file and temp paths in a scratch STATE directory), on a free port of
# the host's 127.0.0.1 given to the profile with --set PORT:
#   - curl outside the sandbox fetches a page and a 3 MB file, byte for byte; nginx writes its
#     access log in STATE, reloads on SIGHUP, reopens its log on SIGUSR1, runs without any
#     capability as uid 65534 inside, and exits 0 on SIGQUIT (graceful) and SIGTERM (fast);
#   - what the profile forbids, with the error nginx logs, each next to a control run of the
#     same nginx and configuration outside the sandbox where it works:
#       a second `listen` on another port: Landlock refuses the bind,
#         "bind() to 127.0.0.1:N failed (13: Permission denied)", and nginx does not start;
#       an `alias` to a host directory outside the profile's paths: 404, and
#         "open() ".../secret/key.txt" failed (2: No such file or directory)" (not mounted);
#       an access_log in the document root: "(30: Read-only file system)", nginx does not start.
# Needs the Debian packages nginx and curl (installed here if missing). The test starts only
# nginx instances of its own, each with its own configuration; it never uses the system's.
# Usage: service_nginx.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

# On any exit, stop the nginx processes still running first: the SIGKILL of lib.bash's cleanup
# would leave an outside master's workers serving (under cordon, the PID namespace ends them).
nginx_cleanup() {
  local p
  for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null; done
  for p in $(jobs -p); do wait_for 5 dead "$p"; done
}
trap 'nginx_cleanup; e2e_cleanup' EXIT

need nginx nginx
need curl curl
need /usr/bin/python3 python3
NGINX=$(command -v nginx)
CURL=$(command -v curl)

# A port of 127.0.0.1 nobody holds: the kernel's pick.
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# The uid of host pid PID inside its user namespace: its host uid through its uid_map.
inside_uid() {
  local host
  host=$(awk '/^Uid:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  awk -v h="$host" '$2 <= h && h < $2 + $3 {print h - $2 + $1; exit}' "/proc/$1/uid_map" 2>/dev/null
}
# Whether something listens on 127.0.0.1:PORT (on that address or on all of them).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PROFILE=nginx
PORT=$(free_port)
# The port the forbidden second `listen` asks for.
OTHER=$(free_port)
[[ -n $PORT && -n $OTHER && $OTHER != "$PORT" ]] || e2e_skip_all "could not find free ports on 127.0.0.1"
URL="http://127.0.0.1:$PORT"

# The site (the same for both users): a page, a 3 MB binary file served with sendfile, and
# outside it a host directory standing in for anything the server must not publish.
mkdir -p "$T/site" "$T/secret"
echo '<html><body>cordon nginx</body></html>' >"$T/site/index.html"
head -c 3000000 /dev/urandom >"$T/site/big.bin"
echo "cordon-secret $RANDOM" >"$T/secret/key.txt"
chmod -R a+rX "$T/site" "$T/secret"

# Per mode, under $T/MODE: conf/ (the configurations), www/ (a copy of the site: the document
# root, owned by the mode's user so that the control can write a log there), state/ (STATE
# under the profile) and state-outside/ (the control's), both owned by the mode's user.
prepare() {
  D="$T/$MODE"
  rm -rf "$D"
  mkdir -p "$D/conf" "$D/state" "$D/state-outside"
  cp -r "$T/site" "$D/www"
  if [[ $MODE == unpriv ]]; then chown -R 65534:65534 "$D/www" "$D/state" "$D/state-outside"; fi
  chmod 755 "$D" "$D/conf"
  chmod -R a+rX "$D/www"
}

# conf NAME STATE-DIR [EXTRA-SERVER-LINE...]: writes $D/conf/NAME.conf, nginx's configuration:
# in the foreground, errors to stderr, pid and temp paths in STATE-DIR, a server on
# 127.0.0.1:PORT with the mode's document root, and /secret/ aliased to the host directory
# outside the profile's paths. Sets CONF to its path.
conf() {
  local name=$1 state=$2
  shift 2
  CONF="$D/conf/$name.conf"
  {
    cat <<EOF
daemon off;
master_process on;
worker_processes 2;
error_log stderr info;
pid $state/nginx.pid;
events { worker_connections 64; }
http {
  types { text/html html; application/octet-stream bin; }
  default_type application/octet-stream;
  access_log $state/access.log;
  client_body_temp_path $state/client_body;
  proxy_temp_path $state/proxy;
  fastcgi_temp_path $state/fastcgi;
  uwsgi_temp_path $state/uwsgi;
  scgi_temp_path $state/scgi;
  sendfile on;
  server {
    listen 127.0.0.1:$PORT;
    root $D/www;
    location /secret/ { alias $T/secret/; }
EOF
    local line
    for line in "$@"; do echo "    $line"; done
    echo "  }"
    echo "}"
  } >"$CONF"
  chmod 644 "$CONF"
}

# nginx under the profile, in the background (BG_PID: cordon); its stderr in $T/log/NAME.err.
start_sandboxed() {
  local name=$1
  bg_start "$T/log/$name" "$CORDON" run -p "$PROFILE" --set "PORT=$PORT" \
    --set "CONF=$CONF" --set "ROOT=$D/www" --set "STATE=$D/state" \
    -- "$NGINX" -e stderr -p "$D/state" -c "$CONF"
  LOGNAME_=$name
}

# The same nginx and configuration outside the sandbox, as the mode's user.
start_outside() {
  local name=$1
  bg_start "$T/log/$name" "$NGINX" -e stderr -p "$D/state-outside" -c "$CONF"
  LOGNAME_=$name
}

# Up when the page answers on PORT, or given up when the process died.
up_or_dead() { dead "$BG_PID" || "$CURL" -s -f -o /dev/null --max-time 1 "$URL/index.html"; }

# wait_up NAME: waits (10 s at most) until nginx answers; fails NAME when it died or did not.
wait_up() {
  wait_for 10 up_or_dead
  if alive "$BG_PID"; then return 0; fi
  bg_status
  fail "$1" "expected nginx to start and answer on $URL, it exited ($RC)"
  return 1
}

# bg_status: waits for the background process to end (10 s, then SIGKILL) and leaves its exit
# status in RC and its stderr in ERR.
bg_status() {
  wait_for 10 dead "$BG_PID" || { kill -KILL "$BG_PID" 2>/dev/null; note "$LOGNAME_" "killed: it did not exit within 10 s"; }
  wait "$BG_PID" 2>/dev/null
  RC=$?
  OUT=""
  ERR=$(cat "$T/log/$LOGNAME_.err" 2>/dev/null)
}

# logged ERE: the first part of ERR (nginx's error log) that matches ERE, or "<none>".
logged() { grep -Eo -m 1 -- "$1" <<<"$ERR" || echo "<none>"; }

# stop SIGNAL: sends SIGNAL to the background process and collects its status.
stop() {
  kill "-$1" "$BG_PID" 2>/dev/null
  bg_status
}

# fetch PATH FILE [URL]: curl outside the sandbox; HTTP status in CODE.
fetch() {
  CODE=$("$CURL" -s --noproxy '*' --max-time 10 -o "$2" -w '%{http_code}' "${3:-$URL}$1")
}

# The nginx processes under the sandbox: the master (the child of the sandbox's PID 1, itself
# cordon's child) and its workers, as host pids.
nginx_pids() {
  local init master
  init=$(pgrep -P "$BG_PID" | head -n 1)
  [[ -n $init ]] || return
  master=$(pgrep -P "$init" | head -n 1)
  [[ -n $master ]] || return
  echo "$master"
  pgrep -P "$master"
}

check_serve() {
  prepare
  conf main "$D/state"
  start_sandboxed "main-$MODE"
  wait_up nginx-starts || return
  pass nginx-starts "listening on $URL"

  # Page and large file, byte for byte.
  fetch /index.html "$T/log/got-page"
  expect page-status 200 "$CODE"
  if cmp -s "$T/log/got-page" "$D/www/index.html"; then pass page-content "identical"; else fail page-content "expected the page served to equal index.html"; fi
  fetch /big.bin "$T/log/got-big"
  expect big-status 200 "$CODE"
  if cmp -s "$T/log/got-big" "$D/www/big.bin"; then
    pass big-content "$(wc -c <"$T/log/got-big") bytes, identical"
  else
    fail big-content "expected the 3 MB file served to equal big.bin, got $(wc -c <"$T/log/got-big" 2>/dev/null) bytes"
  fi
  fetch /missing.html /dev/null
  expect missing-404 404 "$CODE"

  # The master and two workers: uid 65534 inside (the caller's uid outside, or for root one of
  # its sandboxes' range), no capability in any set.
  local pids p bad="" n=0
  pids=$(nginx_pids)
  for p in $pids; do
    n=$((n + 1))
    awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ && $2 != "0000000000000000" {bad = bad " " $1 $2} END {printf "%s", bad}' "/proc/$p/status" >"$T/log/caps" 2>/dev/null
    [[ -s $T/log/caps ]] && bad+=" pid $p:$(<"$T/log/caps")"
    [[ $(inside_uid "$p") == 65534 ]] || bad+=" pid $p: uid inside is not 65534"
  done
  if [[ $n -eq 3 && -z $bad ]]; then
    pass master-workers-no-caps "3 processes, uid 65534 inside, every capability set empty"
  else
    fail master-workers-no-caps "expected a master and 2 workers, uid 65534 inside, without capabilities; found $n process(es):$bad"
  fi

  # STATE is writable: the access log has the requests.
  expect_in access-log-written '"GET /big.bin HTTP/1.1" 200 3000000' access.log "$(cat "$D/state/access.log" 2>/dev/null)"

  # The alias outside the profile's paths: 404 here, the file is not in the sandbox.
  fetch /secret/key.txt "$T/log/got-secret"
  expect secret-404 404 "$CODE"
  if grep -q cordon-secret "$T/log/got-secret" 2>/dev/null; then fail secret-not-leaked "the secret reached the client"; else pass secret-not-leaked; fi

  # Reload: a new generation of workers, still serving.
  kill -HUP "$BG_PID"
  wait_for 10 grep -q 'reconfiguring' "$T/log/main-$MODE.err"
  sleep 0.3
  fetch /index.html "$T/log/got-page2"
  expect reload-serves 200 "$CODE" "SIGHUP: reconfigured, 200"

  # Log reopening (what logrotate asks for): the access log moved aside is created anew.
  mv "$D/state/access.log" "$D/state/access.log.1"
  kill -USR1 "$BG_PID"
  wait_for 10 test -e "$D/state/access.log"
  fetch /index.html /dev/null
  expect_in reopen-logs '"GET /index.html HTTP/1.1" 200' access.log "$(cat "$D/state/access.log" 2>/dev/null)"

  stop QUIT
  expect graceful-exit 0 "$RC" "SIGQUIT: exit $RC"
  expect_in graceful-exit-log 'signal 3 \(SIGQUIT\) received' stderr "$ERR"
  expect secret-open-ENOENT "open\(\) \"$T/secret/key.txt\" failed \(2: No such file or directory\)" "$(logged 'open\(\) "[^"]*/secret/[^"]*" failed \([^)]*\)')"
  # No worker died on the way (a syscall outside the profile kills one; the master would
  # start another and the fetches would still work).
  if grep -Eq 'exited on signal|\[(alert|crit|emerg)\]' <<<"$ERR"; then
    fail no-worker-killed "expected no 'exited on signal' nor alert/crit/emerg lines: $(grep -E 'exited on signal|\[(alert|crit|emerg)\]' <<<"$ERR" | head -n 3)"
  else
    pass no-worker-killed
  fi
  if [[ -e $D/state/nginx.pid ]]; then fail pid-file-removed "expected nginx to remove its pid file on exit"; else pass pid-file-removed; fi
}

check_term() {
  prepare
  conf main "$D/state"
  start_sandboxed "term-$MODE"
  wait_up term-starts || return
  fetch /index.html /dev/null
  expect term-serves 200 "$CODE"
  stop TERM
  expect fast-exit 0 "$RC" "SIGTERM: exit $RC"
  expect_in fast-exit-log 'signal 15 \(SIGTERM\) received' stderr "$ERR"
}

# run_refused NAME: nginx under the profile must exit on its own (it failed to start).
run_refused() {
  start_sandboxed "$1"
  wait_for 10 dead "$BG_PID"
  if alive "$BG_PID"; then
    stop QUIT
    fail "$1" "expected nginx to fail at start-up, it ran"
    return 1
  fi
  bg_status
  expect "$1" 1 "$RC" "nginx exit $RC"
}

# What the profile forbids, and the same configuration working outside the sandbox.
check_forbidden() {
  prepare
  # The control: nginx as the same user, outside the sandbox, with a second listen on OTHER
  # and an access log in the document root, serves the secret on both ports.
  conf control "$D/state-outside" "listen 127.0.0.1:$OTHER;" "access_log $D/www/access.log;"
  start_outside "control-$MODE"
  if wait_up outside-starts; then
    fetch /secret/key.txt "$T/log/got-secret-out"
    expect outside-alias-200 200 "$CODE"
    expect_in outside-alias-content cordon-secret secret "$(cat "$T/log/got-secret-out" 2>/dev/null)"
    fetch /index.html /dev/null "http://127.0.0.1:$OTHER"
    expect outside-second-port-200 200 "$CODE"
    expect_in outside-log-in-docroot 'GET /secret/key.txt' www/access.log "$(cat "$D/www/access.log" 2>/dev/null)"
    stop QUIT
    expect outside-exit 0 "$RC"
  fi
  rm -f "$D/www/access.log"

  # Under the profile: the second listen. Landlock refuses the bind; nginx stops. Only
  # Landlock keeps nginx from other ports of the host's network: where the kernel cannot
  # restrict TCP bind (Landlock ABI < 4), cordon says so (nginx -v shows its warnings).
  raw "$CORDON" run -p "$PROFILE" --set "PORT=$PORT" --set "CONF=$CONF" --set "ROOT=$D/www" --set "STATE=$D/state" -- "$NGINX" -v
  expect nginx-version 'nginx version: nginx/[0-9.]+' "$(grep -Eo -m 1 'nginx version: .*' <<<"$ERR")"
  if grep -Eq 'landlock: (not available|ABI [0-9]+ cannot restrict TCP)' <<<"$ERR"; then
    skip second-listen-refused "this kernel's Landlock cannot restrict TCP bind: $(grep -m 1 'landlock:' <<<"$ERR")"
  else
    conf second-listen "$D/state" "listen 127.0.0.1:$OTHER;"
    if run_refused second-listen-refused; then
      expect second-listen-EACCES "bind\(\) to 127\.0\.0\.1:$OTHER failed \(13: Permission denied\)" "$(logged 'bind\(\) to [^ ]* failed \([^)]*\)')"
    fi
    if listening "$OTHER"; then fail second-port-closed "expected nothing on port $OTHER"; else pass second-port-closed; fi
  fi

  # Under the profile: an access log in the document root, which is read-only.
  conf log-in-docroot "$D/state" "access_log $D/www/access.log;"
  if run_refused log-in-docroot-refused; then
    expect log-in-docroot-EROFS "open\(\) \"$D/www/access.log\" failed \(30: Read-only file system\)" "$(logged 'open\(\) "[^"]*" failed \([^)]*\)')"
  fi
  if [[ -e $D/www/access.log ]]; then fail docroot-unchanged "expected no access.log in the document root"; else pass docroot-unchanged; fi
}

both check_serve
both check_term
both check_forbidden
cd "$T" || exit 2
e2e_finish
