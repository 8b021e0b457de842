#!/usr/bin/env bash
# Writes a seed corpus into OUT_DIR.
#
#   fuzz/make_seeds.sh seeds                    policy_fuzz: every shipped profile
#                                               (profiles/**/*.cordon) plus small hostile inputs
#   fuzz/make_seeds.sh --plan seeds [CORDON]    plan_fuzz: real plans (tests/golden/*.plan.json,
#                                               and profiles/lib/{service,cli,base}.cordon
#                                               compiled by CORDON, default build/cordon) plus
#                                               small hostile plans
set -euo pipefail

usage() {
  echo "usage: $0 OUT_DIR | $0 --plan OUT_DIR [CORDON]" >&2
  exit 2
}
mode=policy
if [[ ${1:-} == --plan ]]; then
  mode=plan
  shift
  [[ $# -eq 1 || $# -eq 2 ]] || usage
else
  [[ $# -eq 1 ]] || usage
fi
out=$1
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"

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
