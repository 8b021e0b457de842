#!/usr/bin/env bash
# Writes a seed corpus into OUT_DIR.
#
#   fuzz/make_seeds.sh seeds                    policy_fuzz: every shipped profile
#                                               (profiles/**/*.cordon) plus small hostile inputs
#   fuzz/make_seeds.sh --plan seeds [CORDON]    plan_fuzz: real plans (tests/golden/*.plan.json,
#                                               and profiles/lib/{service,cli,base}.cordon
#                                               compiled by CORDON, default build/cordon) plus
#                                               small hostile plans
#   fuzz/make_seeds.sh --audit seeds [CORPUS]   audit_fuzz: samples of every log file the
#                                               corpus MANIFEST.md lists (default
#                                               /work/shared/corpus/audit) plus hand-written
#                                               lines of each format, journal export included
set -euo pipefail

usage() {
  echo "usage: $0 OUT_DIR | $0 --plan OUT_DIR [CORDON] | $0 --audit OUT_DIR [CORPUS]" >&2
  exit 2
}
mode=policy
if [[ ${1:-} == --plan || ${1:-} == --audit ]]; then
  mode=${1#--}
  shift
  [[ $# -eq 1 || $# -eq 2 ]] || usage
else
  [[ $# -eq 1 ]] || usage
fi
out=$1
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"

if [[ $mode == audit ]]; then
  corpus=${2:-/work/shared/corpus/audit}
  n=0
  if [[ -f $corpus/MANIFEST.md ]]; then
    # The files the MANIFEST's table lists (its first column), with their globs and one level
    # of {a,b} expanded. Upstream sources, expected outputs and provenance tables are not logs.
    shopt -s nullglob
    files=()
    # shellcheck disable=SC2016  # the backticks are the MANIFEST's quoting, not an expansion
    listed=$(grep -o '^| `[^`]*`' "$corpus/MANIFEST.md" | sed 's/^| `//; s/`$//')
    while IFS= read -r pat; do
      pat=${pat%%(*}  # "x.log(.golden)": the log itself
      if [[ $pat =~ ^(.*)\{([^}]*)\}(.*)$ ]]; then
        IFS=, read -ra alts <<< "${BASH_REMATCH[2]}"
        before=${BASH_REMATCH[1]} after=${BASH_REMATCH[3]}
        for a in "${alts[@]}"; do
          for f in "$corpus"/$before$a$after; do files+=("$f"); done  # unquoted: a glob
        done
      else
        for f in "$corpus"/$pat; do files+=("$f"); done
      fi
    done <<< "$listed"
    shopt -u nullglob
    for f in "${files[@]}"; do
      [[ -f $f ]] || continue
      case $f in
        *.py | *.go | *.golden | *.out | *.err | *.profile | *.cil | *.tsv | *.md | *.jsonl) continue ;;
      esac
      rel=${f#"$corpus"/}
      name=corpus_${rel//\//_}
      lines=$(wc -l < "$f")
      # Small files whole (up to 2 KiB); bigger ones as three runs of 6 lines (start, middle,
      # end), so the related records of one event stay together. AFL mutates short inputs best.
      if ((lines <= 6)); then
        head -c 2048 "$f" > "$out/$name"
        n=$((n + 1))
      else
        for start in $(printf '%s\n' 1 $((lines / 2)) $((lines - 5)) | sort -nu); do
          sed -n "${start},$((start + 5))p" "$f" > "$out/${name}_$start"
          truncate -s '<2048' "$out/${name}_$start"  # not `| head -c`: SIGPIPE under pipefail
          n=$((n + 1))
        done
      fi
    done
  else
    echo "$0: no MANIFEST.md in $corpus; only the hand-written seeds" >&2
  fi

  # Hand-written seeds: one per format and per thing the Collector must survive.
  # The seed text is printf's format on purpose: its \n, \x1d and \" escapes are the point.
  # shellcheck disable=SC2059
  seed() { printf -- "$2" > "$out/hand_$1"; n=$((n + 1)); }
  body='auid=1000 uid=1000 gid=1000 ses=3 pid=9952 comm="bw" exe="/bin/bw" sig=0 arch=c000003e syscall=92 compat=0 ip=0x7f code=0x50001'
  seed auditd "type=SECCOMP msg=audit(1700000000.123:456): $body\n"
  seed enriched "type=SECCOMP msg=audit(1700000000.123:456): $body\x1dAUID=\"alice\" ARCH=x86_64 SYSCALL=chown\n"
  seed enriched_lost "type=SECCOMP msg=audit(1.0:2): arch=c000003e syscall=3 code=0x7ffc0000AUID=\"unset\" UID=\"root\"\n"
  seed kmsg "6,1234,5678,-;audit: type=1326 audit(1700000000.123:456): $body\n"
  seed dmesg "[   12.345] audit: type=1326 audit(1700000000.123:456): $body\n"
  seed syslog "Nov 23 12:00:00 host kernel: [ 1.2] audit: type=1326 audit(1700000000.123:456): $body\n"
  seed journal_short "Nov 23 12:00:00 host audit[1234]: SECCOMP $body\nNov 23 12:00:00 host audit[1234]: AUDIT1423 domain=1a2b blockers=fs.read_file path=\"/etc\"\n"
  seed journal_json '{"_TRANSPORT":"audit","_AUDIT_TYPE":"1326","_AUDIT_ID":"456","_SOURCE_REALTIME_TIMESTAMP":"1700000000123000","MESSAGE":"SECCOMP auid=1000 pid=9952 comm=\\"bw\\" arch=c000003e syscall=92 code=0x50001"}\n{"_TRANSPORT":"kernel","MESSAGE":[97,117,100,105,116,58]}\n'
  seed ausearch "----\ntime->Mon Nov 23 12:00:00 2026\ntype=SECCOMP msg=audit(11/23/2026 12:00:00.123:456) : auid=alice pid=9952 comm=bw arch=x86_64 syscall=chown code=errno\n"
  seed glued "node=bob type=PATH msg=audit(1166111074.191:74): item=0 name=\"/etc/auto.net\" node=bob type=CWD msg=audit(1166111074.191:74):  cwd=\"/\"\n"
  seed event "type=AVC msg=audit(1.0:7): avc:  denied  { read } for  pid=1 comm=\"cat\" name=\"x\" scontext=u:r:a:s0 tcontext=u:r:b:s0 tclass=file permissive=0\ntype=SYSCALL msg=audit(1.0:7): arch=c000003e syscall=257 success=no exit=-13 pid=1 comm=\"cat\" exe=\"/bin/cat\"\ntype=CWD msg=audit(1.0:7): cwd=\"/\"\ntype=PATH msg=audit(1.0:7): item=0 name=\"/x\"\ntype=PROCTITLE msg=audit(1.0:7): proctitle=636174002F78\ntype=EOE msg=audit(1.0:7):\n"
  seed interleaved "type=SYSCALL msg=audit(5.0:1): arch=c000003e syscall=2 pid=1 exe=\"/a\"\ntype=LANDLOCK_ACCESS msg=audit(5.0:2): domain=1a blockers=fs.read_file path=\"/b\"\ntype=LANDLOCK_ACCESS msg=audit(5.0:1): domain=1a blockers=fs.write_file path=\"/a\"\ntype=LANDLOCK_DOMAIN msg=audit(5.0:2): domain=1a status=allocated mode=enforcing pid=2 uid=0 exe=\"/c\" comm=\"c\"\ntype=EOE msg=audit(5.0:2):\n"
  seed apparmor 'type=AVC msg=audit(1.0:3): apparmor="DENIED" operation="open" profile="/usr/bin/x" name="/etc/shadow" pid=5 comm="x" requested_mask="r" denied_mask="r" fsuid=0 ouid=0\n'
  seed user_avc "type=USER_AVC msg=audit(1.0:4): pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='apparmor=\"DENIED\" operation=\"dbus_method_call\" bus=\"system\" path=\"/\" mask=\"send\" label=\"x\" exe=\"/usr/bin/dbus-daemon\"'\n"
  seed lost "[ 9.1] audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64\n[ 9.2] audit: rate limit exceeded\n[ 9.3] kauditd_printk_skb: 12 callbacks suppressed\naudit: callbacks suppressed\n"
  seed truncated "type=SECCOMP msg=audit(1700000000.123:456): auid=1000 pid=1 comm=\"a b\" arch=c000003e sysc\ntype=SECCOMP msg=audit(1700000000.1\n"
  # journalctl -o export: a text entry, then one whose MESSAGE is binary (it holds a newline)
  # with a length whose low byte is '\n'.
  {
    printf '__CURSOR=s=84589ce9;i=c38e;b=39214;m=c65c378;t=5e5bd1ff7d4f3;x=c22e6\n'
    printf '__REALTIME_TIMESTAMP=1700000000123456\n__MONOTONIC_TIMESTAMP=207995768\n'
    printf '_BOOT_ID=3921464b65f64fb4a7c037dee97cd6ad\n_TRANSPORT=audit\n_AUDIT_TYPE=1326\n'
    printf '_AUDIT_TYPE_NAME=SECCOMP\n_AUDIT_ID=456\n_SOURCE_REALTIME_TIMESTAMP=1700000000123000\n'
    printf '_HOSTNAME=host\n_PID=9952\n_COMM=bw\nMESSAGE=SECCOMP %s\n\n' "$body"
    printf '__CURSOR=s=1\n_TRANSPORT=audit\n_AUDIT_TYPE=1107\n_AUDIT_ID=1075\nMESSAGE\n'
    printf '\x0a\x01\x00\x00\x00\x00\x00\x00'  # 266 bytes
    msg="USER_AVC pid=1538 uid=104 msg='avc:  denied  { send_msg } for  scontext=system_u:system_r:a_t:s0 tcontext=system_u:system_r:b_t:s0 tclass=dbus"
    msg+=$'\n'" exe=\"/usr/bin/dbus-broker\" sauid=104 hostname=? addr=? terminal=?'"
    while ((${#msg} < 266)); do msg+=' '; done
    printf '%s\n\n' "${msg:0:266}"
  } > "$out/hand_journal_export"
  n=$((n + 1))
  echo "wrote $n seeds to $out"
  exit 0
fi

if [[ $mode == plan ]]; then
  cordon=${2:-$src/build/cordon}
  # One line of JSON: AFL mutates and trims a 70 KB compact plan better than a 140 KB pretty one.
  compact() { jq -c . ; }
  n=0
  for f in "$src"/tests/golden/*.plan.json; do
    compact < "$f" > "$out/plan_golden_$(basename "$f" .plan.json)"
    n=$((n + 1))
  done
  if [[ -x $cordon ]]; then
    for p in service cli base; do
      # Fixed variables, so the seeds do not depend on who makes them.
      (cd "$src" && HOME=/home/fuzz USER=fuzz "$cordon" compile "profiles/lib/$p.cordon" \
        --emit plan) | compact > "$out/plan_profile_$p"
      n=$((n + 1))
    done
  else
    echo "$0: $cordon is not built; only the golden plans and the hostile seeds" >&2
  fi

  # Hostile seeds: variants of one minimal plan (every key the reader requires, nothing else).
  # Keep them small: AFL mutates better from short inputs.
  min='{"version":1,"name":"seed","namespaces":{"user":true,"net":true},"network":{"mode":"none"},'
  min+='"identity":{"uid":null,"gid":null},"hostname":{"name":""},'
  min+='"mounts":[{"kind":"ro","path":"/usr"},{"kind":"tmpfs","path":"/tmp","size":65536,"mode":1023}],'
  min+='"env":{"clear":true,"keep":["PATH"],"set":[{"name":"HOME","value":"/tmp"}]},'
  min+='"rlimits":[{"name":"nofile","resource":7,"value":1024}],'
  min+='"cgroup":{"memory_bytes":null,"pids":64},"walltime":{"ms":null},'
  min+='"capabilities":{"bounding":[]},"no_new_privs":true,'
  min+='"landlock":{"handled_fs":8191,"restrict_net":true,"paths":[{"path":"/usr","access":5}],'
  min+='"ports":[{"port":80,"bind":false}],"scopes":["signal"],"required_abi":0},'
  min+='"mac":{"apparmor":""},'
  min+='"seccomp":{"arches":["x86_64"],"default_action":"allow","default_ret":2147418112,'
  min+='"program":[[32,0,0,4],[21,1,0,3221225534],[6,0,0,0],[6,0,0,2147418112]]},"requires":{}}'
  printf '%s\n' "$min" > "$out/plan_hostile_minimal"
  n=$((n + 1))
  # variant NAME FROM TO: the minimal plan with the text FROM replaced by TO.
  variant() {
    local s=${min/"$2"/"$3"}
    [[ $s != "$min" ]] || { echo "$0: variant $1: '$2' not in the minimal plan" >&2; exit 1; }
    printf '%s\n' "$s" > "$out/plan_hostile_$1"
    n=$((n + 1))
  }
  # Mounts: every kind, optional and missing, a symlink, paths that are not absolute or normal.
  variant mounts '"mounts":[' '"mounts":[{"kind":"exec","path":"/bin"},{"kind":"rw","path":"/nonexistent/x","optional":true},{"kind":"proc","path":"/proc"},{"kind":"dev","path":"/dev","dev":"minimal"},{"kind":"dev","path":"/dev2","dev":"none"},{"kind":"ro","path":"usr"},{"kind":"ro","path":"/a/../b"},{"kind":"bogus","path":"/x"},'
  # Numbers at the edges of their C++ types, negative, fractional, beyond 64 bits.
  variant numbers '"identity":{"uid":null,"gid":null}' '"identity":{"uid":4294967295,"gid":-1},"x":[1e308,-0.0,18446744073709551616,-9223372036854775809,1.5e-300]'
  variant numbers_float '"uid":null' '"uid":1e300'
  variant floats '"resource":7,"value":1024' '"resource":7.9,"value":1e19'
  variant caps '"bounding":[]' '"bounding":[0,40,63,64,-1,2147483647]'
  variant ports '"port":80' '"port":65536'
  variant program '[6,0,0,0]' '[6,256,-1,4294967296]'
  variant program_short '[6,0,0,0]' '[6,0,0]'
  # Wrong types and nulls where objects, arrays and strings are expected.
  variant types '"namespaces":{"user":true,"net":true}' '"namespaces":[true,"net",null]'
  variant nulls '"env":{' '"env":null,"env2":{'
  variant version '"version":1' '"version":"1"'
  variant version2 '"version":1' '"version":2'
  variant nnp '"no_new_privs":true' '"no_new_privs":false'
  # Kernel facts: Landlock ABI, MAC, requires, architecture, network host with a namespace.
  variant requires '"requires":{}' '"requires":{"landlock":99,"apparmor":1,"selinux":1,"seccomp":1,"userns":1}'
  variant landlock '"required_abi":0' '"required_abi":99'
  variant mac '"apparmor":""' '"apparmor":"generate","apparmor_optional":true,"selinux":"u:r:t:s0"'
  variant arch '"arches":["x86_64"]' '"arches":["aarch64","x86_64"]'
  variant network '"mode":"none"' '"mode":"host"'
  # Strings: escapes, NUL, lone surrogates, non-ASCII.
  variant strings '"name":"seed"' '"name":"\u0000\ud800\udc00\u00e9\n\"\\"'
  printf '\xef\xbb\xbf%s\n' "$min" > "$out/plan_hostile_bom"
  printf '%s' "${min:0:200}" > "$out/plan_hostile_truncated"
  # Deep nesting and a big flat array.
  {
    printf '{"version":1,"x":'
    for _ in $(seq 2000); do printf '['; done
    for _ in $(seq 2000); do printf ']'; done
    printf '}\n'
  } > "$out/plan_hostile_deep"
  printf '\x00\xff{"version":1\x80}' > "$out/plan_hostile_binary"
  n=$((n + 4))
  echo "wrote $n seeds to $out"
  exit 0
fi

# Shipped profiles, named after their path so profiles/lib/base.cordon and a service profile
# called base.cordon do not collide.
n=0
while IFS= read -r -d '' f; do
  rel=${f#"$src"/profiles/}
  cp "$f" "$out/profile_${rel//\//_}"
  n=$((n + 1))
done < <(find "$src/profiles" -name '*.cordon' -type f -print0)

# Hostile seeds. Keep them small: AFL mutates better from short inputs.
# Parentheses nested past kMaxConditionDepth (64), and '!' chains.
{
  printf 'cordon 1\nsyscalls {\n  allow read if '
  for _ in $(seq 80); do printf '('; done
  printf 'fd == 0'
  for _ in $(seq 80); do printf ')'; done
  printf '\n}\n'
} > "$out/hostile_deep_parens"
{
  printf 'cordon 1\nsyscalls {\n  allow read if '
  for _ in $(seq 80); do printf '!'; done
  printf 'fd == 0\n}\n'
} > "$out/hostile_deep_not"
# Binary noise with NUL bytes, a UTF-8 BOM and invalid UTF-8.
printf '\xef\xbb\xbfcordon 1\n\x00\xff\xfe\x01syscalls {\x00 allow \x80\xc3( }\n' > "$out/hostile_binary"
head -c 256 /dev/urandom > "$out/hostile_random" 2>/dev/null || true
# Long literals: a 4 KiB quoted string, a huge number, a long path and a long identifier.
{
  printf 'cordon 1\nname "'
  head -c 4096 /dev/zero | tr '\0' 'a'
  printf '"\nlimits {\n  memory 99999999999999999999999999G\n  pids 0x%s\n}\n' \
    "$(head -c 40 /dev/zero | tr '\0' 'f')"
  printf 'filesystem {\n  ro /'
  head -c 2048 /dev/zero | tr '\0' 'p'
  printf '\n}\nsyscalls {\n  allow '
  head -c 1024 /dev/zero | tr '\0' 'x'
  printf '\n}\n'
} > "$out/hostile_long_literal"
# Unterminated constructs at end of file.
printf 'cordon 1\nname "unterminated\nsyscalls {\n  allow read if fd in [1, 2,' > "$out/hostile_unterminated"
# Includes: self, missing, absolute, a directory, parent traversal.
printf 'cordon 1\ninclude "fuzz.cordon"\ninclude "nope"\ninclude "/etc"\ninclude "../lib/base"\ninclude "/dev/null"\n' \
  > "$out/hostile_includes"
# Argument conditions at the edges: masks, negative numbers, all-ones, wide or narrow args.
cat > "$out/hostile_conditions" <<'POLICY'
cordon 1
include "base.cordon"
syscalls {
  allow personality if personality in [-1, 0xffffffffffffffff, 0, PER_LINUX|UNAME26]
  errno EPERM openat if (flags & 0x3) == 0x3 || !(mode & 0o777 != 0)
  allow mmap if prot & PROT_EXEC == 0 && prot & PROT_WRITE && flags >= -9223372036854775808
  allow fchmod if mode > 0xffff
  kill ioctl if request in [TIOCSTI] && request != TIOCSTI
  default errno 4095 log
}
POLICY
n=$((n + 8))
echo "wrote $n seeds to $out"
