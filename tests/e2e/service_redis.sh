#!/bin/bash
# profiles/services/redis-server.cordon end to end, as root and as uid 65534: the real
# redis-server (7.0: a main thread, bio and jemalloc threads, a forked child for BGSAVE) under
# the profile, with a configuration of the test's own (daemonize no, log on stdout, port 0, a
# unix socket in the data directory), its clients outside the sandbox:
#   - redis-benchmark runs 5000 requests of each of SET, GET, INCR and LPUSH over the socket;
#     redis-cli SETs and GETs a value; SAVE and BGSAVE (a fork) write dump.rdb in the data
#     directory; SHUTDOWN exits 0; a second start loads the value back from dump.rdb;
#   - what the profile forbids, with the error redis reports, each next to a control run of
#     the same redis-server and configuration outside the sandbox, as the same user, where it
#     works (the test enables protected configs, as a careless or compromised deployment
#     would, so that CONFIG SET dir is the classic "write a file anywhere" attack):
#       CONFIG SET dir to a host directory outside the profile's paths:
#         "No such file or directory" (it is not mounted), nothing is written there;
#       SAVE into the configuration directory: "Read-only file system" in the log;
#       CONFIG REWRITE: "ERR Rewriting config file: Read-only file system";
#       REPLICAOF 127.0.0.1: "Unable to connect to MASTER: Address family not supported by
#         protocol" (no IP sockets; outside it connects);
#       SAVE into /tmp: "Permission denied" (the profile's /tmp is an empty tmpfs of mode
#         0555; the host's /tmp, world-writable, is the control by construction);
#   - the TCP variant the profile's header describes (a profile including it, host network,
#     Landlock bind on one port): redis answers on that port, and a configuration asking
#     for another port fails with "bind: Permission denied" (outside, the same one listens).
# Needs the Debian packages redis-server and redis-tools (installed here if missing; redis is
# never started as a system service here) and python3 (free ports for the TCP variant).
# Usage: service_redis.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need redis-server redis-server
need redis-cli redis-tools
need redis-benchmark redis-tools
need /usr/bin/python3 python3
REDIS_SERVER=$(command -v redis-server)
REDIS_CLI=$(command -v redis-cli)
REDIS_BENCHMARK=$(command -v redis-benchmark)

# N distinct ports of 127.0.0.1 nobody holds (the kernel's picks), one a line.
free_ports() {
  /usr/bin/python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))' "$1" 2>/dev/null
}

# The Landlock ABI cordon applies here (from --json-status), 0 without Landlock.
mkdir -p "$T/probe-conf" "$T/probe-data"
MODE=root raw "$CORDON" run -p redis-server --set "CONF=$T/probe-conf" --set "DATA=$T/probe-data" --json-status 1 \
  -- "$REDIS_SERVER" --version
LANDLOCK_ABI=$(grep -o '"landlock":{"abi":[0-9]*' <<<"$OUT" | grep -o '[0-9]*$')
LANDLOCK_ABI=${LANDLOCK_ABI:-0}
[[ $OUT == *"Redis server v="* ]] || e2e_skip_all "redis-server --version does not run under the profile: $OUT $ERR"

# Per mode, under $T/redis-MODE, all owned by the mode's user: conf/ (CONF, read-only inside)
# with redis.conf, data/ (DATA), outside/ (a host directory outside the profile's paths), and
# ctl/conf, ctl/data for the control server outside the sandbox.
prepare() {
  D="$T/redis-$MODE"
  CONF="$D/conf"
  DATA="$D/data"
  OUTSIDE="$D/outside"
  SOCK="$DATA/redis.sock"
  rm -rf "$D"
  mkdir -p "$CONF" "$DATA" "$OUTSIDE" "$D/ctl/conf" "$D/ctl/data"
  write_conf "$CONF/redis.conf" "$DATA"
  write_conf "$D/ctl/conf/redis.conf" "$D/ctl/data"
  chmod -R 755 "$D"
  chmod 644 "$CONF/redis.conf" "$D/ctl/conf/redis.conf"
  if [[ $MODE == unpriv ]]; then chown -R 65534:65534 "$D"; fi
}

# write_conf FILE DATA-DIR: the test's configuration for a server whose data directory (and
# socket) is DATA-DIR.
write_conf() {
  local file=$1 data=$2
  cat >"$file" <<EOF
# Written by tests/e2e/service_redis.sh.
daemonize no
supervised no
port 0
unixsocket $data/redis.sock
unixsocketperm 700
dir $data
dbfilename dump.rdb
logfile ""
save ""
appendonly no
# Lets CONFIG SET dir through from the local socket: the attack the sandbox must still stop.
enable-protected-configs yes
EOF
}

# rcli [-s SOCKET] ARGS...: redis-cli as the mode's user on the sandboxed server's socket
# (or SOCKET); results in OUT, ERR, RC.
rcli() {
  local sock=$SOCK
  if [[ ${1:-} == -s ]]; then sock=$2; shift 2; fi
  raw "$REDIS_CLI" -s "$sock" "$@"
}

# steps [-s SOCKET] NAME COMMAND WANT [NAME COMMAND WANT]...: every COMMAND in one redis-cli
# (commands on stdin, as the mode's user; one process instead of one per command), then
# `expect NAME WANT REPLY` for each; NAME "-" checks nothing. Every reply must be one line
# and not empty (redis-cli follows an error with a blank line, which is dropped).
steps() {
  local sock=$SOCK i
  if [[ $1 == -s ]]; then sock=$2; shift 2; fi
  local -a names=() cmds=() wants=() replies=()
  while (($# >= 3)); do names+=("$1") cmds+=("$2") wants+=("$3"); shift 3; done
  printf '%s\n' "${cmds[@]}" >"$T/log/cmds"
  LASTCMD="[$MODE] redis-cli -s $sock <<< '$(paste -sd'|' "$T/log/cmds" | sed 's/|/ | /g')'"
  as_mode timeout -k 5 60 "$REDIS_CLI" -s "$sock" <"$T/log/cmds" >"$T/log/out" 2>"$T/log/err"
  RC=$?
  OUT=$(<"$T/log/out")
  ERR=$(<"$T/log/err")
  mapfile -t replies < <(grep -v '^$' "$T/log/out")
  for i in "${!cmds[@]}"; do
    [[ ${names[i]} == - ]] && continue
    expect "${names[i]}" "${wants[i]}" "${replies[i]:-<no reply>}"
  done
}

# Up when the server answers PING on SOCKET (or on TCP port PORT: -p PORT), or given up when
# the process died.
pong() {
  if [[ $1 == -p ]]; then
    [[ $(as_mode "$REDIS_CLI" -p "$2" ping 2>/dev/null) == PONG ]]
  else
    [[ $(as_mode "$REDIS_CLI" -s "$1" ping 2>/dev/null) == PONG ]]
  fi
}
up_or_dead() { dead "$BG_PID" || pong "$@"; }

# start_sandboxed NAME: redis-server under the profile in the background (BG_PID: cordon);
# its stdout (redis's log) in $T/log/NAME, cordon's stderr in $T/log/NAME.err.
start_sandboxed() {
  LOGNAME_=$1
  bg_start "$T/log/$LOGNAME_" "$CORDON" run -p redis-server --set "CONF=$CONF" --set "DATA=$DATA" \
    -- "$REDIS_SERVER" "$CONF/redis.conf"
}

# start_outside NAME CONF-FILE: the same redis-server outside the sandbox, as the mode's user.
start_outside() {
  LOGNAME_=$1
  bg_start "$T/log/$LOGNAME_" "$REDIS_SERVER" "$2"
}

# wait_up NAME SOCKET: waits (10 s at most) until the server answers; fails NAME when it died
# or did not answer.
wait_up() {
  wait_for 10 up_or_dead "$2"
  if alive "$BG_PID" && pong "$2"; then return 0; fi
  bg_status
  fail "$1" "expected redis-server to start and answer PING on $2, it did not (exit $RC)"
  return 1
}

# bg_status: waits for the background process to end (10 s, then SIGKILL) and leaves its exit
# status in RC, its log in OUT and cordon's stderr in ERR.
bg_status() {
  wait_for 10 dead "$BG_PID" || { kill -KILL "$BG_PID" 2>/dev/null; note "$LOGNAME_" "killed: it did not exit within 10 s"; }
  wait "$BG_PID" 2>/dev/null
  RC=$?
  OUT=$(cat "$T/log/$LOGNAME_" 2>/dev/null)
  ERR=$(cat "$T/log/$LOGNAME_.err" 2>/dev/null)
}

# shutdown_server NAME [SOCKET]: SHUTDOWN over the socket, then the exit status (bg_status).
shutdown_server() {
  rcli -s "${2:-$SOCK}" shutdown
  bg_status
  # For fail's report: what the exit status belongs to.
  # shellcheck disable=SC2034
  LASTCMD="[$MODE] redis-cli shutdown; wait (the server: $LOGNAME_)"
}

# The server's log so far (its stdout), for expect_in.
srvlog() { cat "$T/log/$LOGNAME_" 2>/dev/null; }

# wait_log REGEX: waits (5 s at most) until the server's log has a line matching REGEX.
wait_log() { wait_for 5 grep -Eq -- "$1" "$T/log/$LOGNAME_"; }

check_serve() {
  prepare
  start_sandboxed "serve-$MODE"
  wait_up redis-starts "$SOCK" || return
  pass redis-starts "PONG on $SOCK"

  # redis-benchmark outside the sandbox: every test completes, with a request rate, and what
  # it wrote is there (INCR and LPUSH hit one key each, 5000 times).
  raw "$REDIS_BENCHMARK" -s "$SOCK" -n 5000 -c 20 -t set,get,incr,lpush --csv
  expect_rc benchmark-exit 0
  local tests
  tests=$(awk -F'","' 'NR > 1 && $2 + 0 > 0 { gsub(/"/, "", $1); printf "%s ", $1 }' <<<"$OUT")
  expect benchmark-tests 'SET GET INCR LPUSH ' "$tests" \
    "$(awk -F'","' 'NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $2); printf "%s %.0f/s ", $1, $2 }' <<<"$OUT")"

  # A value in and out, the benchmark's keys, and SAVE in the server's own process.
  local value="cordon-$MODE-$RANDOM"
  echo "$value" >"$T/log/value-$MODE"
  steps \
    set-ok "set cordon:key $value" OK \
    get-value "get cordon:key" "$value" \
    benchmark-lpush-count "llen mylist" 5000 \
    benchmark-incr-count "get counter:__rand_int__" 5000 \
    save-ok save OK
  expect dump-rdb-written 'REDIS[0-9]{4}' "$(head -c 9 "$DATA/dump.rdb" 2>/dev/null)" \
    "$(stat -c %s "$DATA/dump.rdb" 2>/dev/null) bytes in $DATA"

  # BGSAVE forks a child (clone with fork's flags) that writes the snapshot and reports back
  # through a pipe; the parent reaps it.
  steps - "set cordon:bg after-save" OK bgsave-started bgsave 'Background saving started'
  wait_log 'Background saving terminated'
  expect_in bgsave-child-ok 'Background saving started by pid [0-9]+' log "$(srvlog)"
  expect_in bgsave-child-done 'Background saving terminated with success' log "$(srvlog)"
  if grep -q cordon:bg "$DATA/dump.rdb"; then pass bgsave-dump-rewritten; else fail bgsave-dump-rewritten "expected the key set after SAVE in dump.rdb, written by the BGSAVE child"; fi

  # Nothing else was written in DATA: the socket and dump.rdb, no temp file left.
  expect data-dir-contents 'dump.rdb redis.sock ' "$(cd "$DATA" && printf '%s ' *)"

  # SHUTDOWN: a clean exit (0), the socket removed.
  shutdown_server "serve-$MODE"
  expect_rc shutdown-exit 0
  expect_in shutdown-logged 'Redis is now ready to exit, bye bye' log "$OUT"
  if [[ -e $SOCK ]]; then fail socket-removed "expected $SOCK removed on SHUTDOWN"; else pass socket-removed; fi
  # The launcher's warnings: none as root; unprivileged, without a delegated cgroup, memory
  # and pids fall back to RLIMIT_AS and RLIMIT_NPROC.
  if [[ -n $ERR ]]; then note cordon-warnings "$(grep -o 'warning: [^(]*' <<<"$ERR" | paste -sd';')"; fi
}

# The forbidden things, under the profile, in one restart of the server of check_serve.
check_refusals() {
  D="$T/redis-$MODE"
  CONF="$D/conf"
  DATA="$D/data"
  OUTSIDE="$D/outside"
  SOCK="$DATA/redis.sock"
  local value
  value=$(cat "$T/log/value-$MODE" 2>/dev/null)
  start_sandboxed "refuse-$MODE"
  wait_up redis-restarts "$SOCK" || return

  # In order: the value SAVEd before is loaded back from dump.rdb;
  # 1. dir outside the profile's paths: not mounted, chdir fails (ENOENT);
  # 2. dir = the configuration directory, read-only: SAVE's temp file fails (EROFS, logged);
  # 3. CONFIG REWRITE: the configuration stays what the next start loads (EROFS);
  # 4. no IP sockets: REPLICAOF cannot even create its socket (EAFNOSUPPORT, logged);
  # 5. /tmp is the profile's empty tmpfs of mode 0555: SAVE there fails (EACCES, logged);
  # and the server still serves.
  steps \
    value-loaded-from-rdb "get cordon:key" "${value:-<none>}" \
    config-dir-outside-ENOENT "config set dir $OUTSIDE" \
    "ERR CONFIG SET failed \(possibly related to argument 'dir'\) - No such file or directory" \
    save-still-in-data save OK \
    config-dir-conf "config set dir $CONF" OK \
    save-in-conf-refused save ERR \
    - "config set dir $DATA" OK \
    config-rewrite-EROFS "config rewrite" 'ERR Rewriting config file: Read-only file system' \
    replicaof-accepted "replicaof 127.0.0.1 $NOPORT" OK \
    - "replicaof no one" OK \
    config-dir-tmp "config set dir /tmp" OK \
    save-in-tmp-refused save ERR \
    - "config set dir $DATA" OK \
    still-serving "get cordon:key" "${value:-<none>}"
  expect nothing-written-outside '' "$(ls -A "$OUTSIDE")"
  expect_in save-in-conf-EROFS "Failed opening the temp RDB file temp-[0-9]+\.rdb \(in server root dir $CONF\) for saving: Read-only file system" log "$(srvlog)"
  expect_in replicaof-EAFNOSUPPORT 'Unable to connect to MASTER: Address family not supported by protocol' log "$(srvlog)"
  expect_in save-in-tmp-EACCES 'Failed opening the temp RDB file temp-[0-9]+\.rdb \(in server root dir /tmp\) for saving: Permission denied' log "$(srvlog)"

  # Errors redis handled, not calls outside its list: it still exits cleanly.
  shutdown_server "refuse-$MODE"
  expect_rc refusals-shutdown-exit 0
}

# The control: the same redis-server and the same kind of configuration outside the sandbox,
# as the same user. What the profile refused works here.
check_controls() {
  D="$T/redis-$MODE"
  OUTSIDE="$D/outside"
  local csock="$D/ctl/data/redis.sock" cconf="$D/ctl/conf"
  start_outside "control-$MODE" "$cconf/redis.conf"
  wait_up control-starts "$csock" || return
  steps -s "$csock" \
    - "set cordon:key control" OK \
    control-config-dir-outside "config set dir $OUTSIDE" OK \
    control-save-outside save OK \
    control-config-dir-conf "config set dir $cconf" OK \
    control-save-in-conf save OK \
    - "config set dir $D/ctl/data" OK \
    control-config-rewrite "config rewrite" OK \
    - "replicaof 127.0.0.1 $NOPORT" OK \
    - "replicaof no one" OK
  expect control-dump-outside 'REDIS[0-9]{4}' "$(head -c 9 "$OUTSIDE/dump.rdb" 2>/dev/null)" "$OUTSIDE/dump.rdb written"
  expect control-dump-in-conf 'REDIS[0-9]{4}' "$(head -c 9 "$cconf/dump.rdb" 2>/dev/null)" "$cconf/dump.rdb written"
  expect_in control-replicaof-connects 'MASTER <-> REPLICA sync started' log "$(srvlog)"
  shutdown_server "control-$MODE" "$csock"
  expect_rc control-shutdown-exit 0
}

# The TCP variant from the profile's header: host network, Landlock bind on PORT only.
check_tcp_variant() {
  D="$T/redis-$MODE"
  CONF="$D/tcp-conf"
  DATA="$D/tcp-data"
  rm -rf "$CONF" "$DATA"
  mkdir -p "$CONF" "$DATA"
  {
    echo "# Written by tests/e2e/service_redis.sh."
    printf '%s\n' "daemonize no" "port $TCP_PORT" "bind 127.0.0.1" "dir $DATA" 'logfile ""' 'save ""'
  } >"$CONF/redis.conf"
  sed "s/^port .*/port $TCP_OTHER/" "$CONF/redis.conf" >"$CONF/other.conf"
  chmod -R a+rX "$CONF"
  if [[ $MODE == unpriv ]]; then chown -R 65534:65534 "$CONF" "$DATA"; fi

  LOGNAME_="tcp-$MODE"
  bg_start "$T/log/$LOGNAME_" "$CORDON" run -p "$TCP_PROFILE" --set "CONF=$CONF" --set "DATA=$DATA" \
    -- "$REDIS_SERVER" "$CONF/redis.conf"
  wait_for 10 up_or_dead -p "$TCP_PORT"
  raw "$REDIS_CLI" -p "$TCP_PORT" set cordon:tcp "tcp-$MODE"
  raw "$REDIS_CLI" -p "$TCP_PORT" get cordon:tcp
  expect tcp-variant-serves "tcp-$MODE" "$OUT" "127.0.0.1:$TCP_PORT"
  raw "$REDIS_CLI" -p "$TCP_PORT" shutdown
  bg_status
  expect_rc tcp-variant-shutdown-exit 0

  # Another port: Landlock refuses the bind and redis gives up (exit 1).
  if ((LANDLOCK_ABI < 4)); then
    skip tcp-variant-other-port "Landlock ABI $LANDLOCK_ABI here: TCP bind rules need ABI 4"
    return
  fi
  # (10 s at most: were the bind let through, the server would keep running.)
  raw timeout -k 2 10 "$CORDON" run -p "$TCP_PROFILE" --set "CONF=$CONF" --set "DATA=$DATA" \
    -- "$REDIS_SERVER" "$CONF/other.conf"
  expect_rc tcp-variant-other-port-exit 1
  expect_in tcp-variant-other-port-EACCES "Could not create server TCP listening socket 127.0.0.1:$TCP_OTHER: bind: Permission denied" stdout "$OUT"
  # Control: outside, the same configuration listens on that port.
  LOGNAME_="tcp-control-$MODE"
  bg_start "$T/log/$LOGNAME_" "$REDIS_SERVER" "$CONF/other.conf"
  wait_for 10 up_or_dead -p "$TCP_OTHER"
  raw "$REDIS_CLI" -p "$TCP_OTHER" ping
  expect tcp-control-other-port PONG "$OUT" "listening on 127.0.0.1:$TCP_OTHER outside"
  raw "$REDIS_CLI" -p "$TCP_OTHER" shutdown
  bg_status
}

# Three free ports: one nothing listens on, for REPLICAOF; the TCP variant's, and another one
# it must not bind (Landlock ports take no --set variable, so the test writes the profile).
{ read -r NOPORT; read -r TCP_PORT; read -r TCP_OTHER; } < <(free_ports 3)
[[ -n ${NOPORT:-} && -n ${TCP_PORT:-} && -n ${TCP_OTHER:-} ]] || e2e_skip_all "could not find free ports on 127.0.0.1"
TCP_PROFILE="$T/redis-server-tcp.cordon"
cat >"$TCP_PROFILE" <<EOF
cordon 1
include "services/redis-server.cordon"
name "redis-server-tcp"
description "redis-server on the host network, TCP port $TCP_PORT only (test variant)"
share net
network host
landlock { bind tcp $TCP_PORT }
syscalls {
  allow socket if domain in [AF_INET, AF_INET6]
  allow getpeername getsockname
}
EOF
chmod 644 "$TCP_PROFILE"

both check_serve
both check_refusals
both check_controls
both check_tcp_variant
cd "$T" || exit 2
e2e_finish
