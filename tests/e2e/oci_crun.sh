#!/bin/bash
# cordon compile --emit oci, run for real: crun (root) runs the probes with the exported
# config — its process, mounts and linux parts, under an empty read-only root — and they get
# the same answers as under `cordon run` with the same policy (policies/oci-interop.cordon):
#   - mkdir refused with EXDEV by the policy's own errno rule (a control without the exported
#     seccomp gets another answer, so the EXDEV is the filter's);
#   - socket(AF_INET) refused with EAFNOSUPPORT by cli.cordon's argument condition, while
#     AF_UNIX sockets work;
#   - ioctl(TIOCSTI) killed with SIGSYS (exit 159);
#   - the app's capabilities and no_new_privs as the policy says.
# crun refuses a cgroup v2 hierarchy with controllers next to v1 ones ("hybrid mode"), as this
# machine has, so it runs in a private mount namespace without /sys/fs/cgroup/unified and with
# --cgroup-manager=disabled: the config's resources are not applied here (tests/e2e/run_limits.sh
# covers cordon's own limits).
# Usage: oci_crun.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need crun crun
need python3 python3
# `crun` is lib.bash's "cordon run"; the runtime is found by path.
CRUN_BIN=$(type -P crun)
B="$T/bundle"
mkdir -p "$B/rootfs" "$B/state"

# oci_run NAME ARGS...: the probe command under crun with the exported config (in $B/oci.json),
# plus root, args, cwd and PATH; results in OUT, ERR, RC like raw.
oci_run() {
  local name=$1
  shift
  python3 - "$B/oci.json" "$B/config.json" "$@" <<'EOF' || return 1
import json, sys
c = json.load(open(sys.argv[1]))
c["root"] = {"path": "rootfs", "readonly": True}
c["process"]["args"] = sys.argv[3:]
c["process"]["cwd"] = "/"
c["process"]["terminal"] = False
c["process"]["env"].append("PATH=/usr/bin:/bin")
if "CORDON_NO_SECCOMP" in __import__("os").environ:
    del c["linux"]["seccomp"]
json.dump(c, open(sys.argv[2], "w"), indent=1)
EOF
  LASTCMD="[root] crun run $name: $*"
  unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh \
    timeout -k 5 60 "$CRUN_BIN" --cgroup-manager=disabled --root "$B/state" run -b "$B" "$name" \
    >"$T/log/out" 2>"$T/log/err" </dev/null
  RC=$?
  OUT=$(<"$T/log/out")
  ERR=$(<"$T/log/err")
  "$CRUN_BIN" --root "$B/state" delete -f "$name" >/dev/null 2>&1
}

export_config() {
  raw "$CORDON" compile "$POLICIES/oci-interop.cordon" --set "PROBES=$PROBES" --set "T=$T" \
    --emit oci -o "$B/oci.json"
  expect_rc export 0
  cp "$B/oci.json" "$T/log/oci.json"
}

# same NAME WANT-REGEX PROBE ARGS...: cordon run and crun print the same line matching WANT.
same() {
  local name=$1 want=$2 a b
  shift 2
  crun oci-interop -- "$PROBES/$1" "${@:2}"
  a="$OUT"
  expect "$name-cordon" "$want" "$a"
  oci_run "c-$name" "$PROBES/$1" "${@:2}"
  b="$OUT"
  expect "$name-crun" "$want" "$b"
  if [[ $a == "$b" ]]; then pass "$name-same" "$a"; else fail "$name-same" "cordon: $a; crun: $b"; fi
}

check_errno_rule() {
  same mkdir-exdev 'mkdir /tmp/oci-x: EXDEV' fsprobe mkdir /tmp/oci-x
  # Control: the same config without its seccomp part answers otherwise, so EXDEV is the
  # exported filter's.
  CORDON_NO_SECCOMP=1 oci_run c-noseccomp "$PROBES/fsprobe" mkdir /tmp/oci-x
  if [[ $OUT == "mkdir /tmp/oci-x: "* && $OUT != *EXDEV ]]; then
    pass mkdir-control "$OUT"
  else
    fail mkdir-control "expected another answer than EXDEV without the filter, got: $OUT $ERR"
  fi
}

check_socket_condition() {
  same inet-refused 'connect 127.0.0.1:9: socket: EAFNOSUPPORT' netprobe connect 127.0.0.1 9
  # An AF_UNIX socket is allowed by the same rule's condition (netprobe ifaces opens one), and
  # its SIOCGIFFLAGS ioctl is refused with ENOTTY by cli.cordon's ioctl list, in both.
  same unix-socket-ioctl-enotty 'ifaces: lo:ENOTTY' netprobe ifaces
}

check_kill() {
  crun oci-interop -- "$PROBES/tiocsti"
  expect_rc tiocsti-killed-cordon 159
  oci_run c-tiocsti "$PROBES/tiocsti"
  expect_rc tiocsti-killed-crun 159
  expect tiocsti-crun-stopped-at-the-call 'isatty=0' "$OUT"
}

check_credentials() {
  local a b
  crun oci-interop -- "$PROBES/whoami"
  a=$(grep -E '^(CapEff|CapBnd|CapAmb|NoNewPrivs)' <<<"$OUT")
  oci_run c-whoami "$PROBES/whoami"
  b=$(grep -E '^(CapEff|CapBnd|CapAmb|NoNewPrivs)' <<<"$OUT")
  expect_in creds-no-caps-crun '^CapBnd=0000000000000000$' "crun's whoami" "$b"
  expect_in creds-nnp-crun '^NoNewPrivs=1$' "crun's whoami" "$b"
  if [[ -n $a && $a == "$b" ]]; then pass creds-same "$(tr '\n' ' ' <<<"$a")"; else fail creds-same "cordon: $a; crun: $b"; fi
}

root_only export_config
root_only check_errno_rule
root_only check_socket_condition
root_only check_kill
root_only check_credentials
e2e_finish
