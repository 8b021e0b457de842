#!/usr/bin/env bash
# Writes the seed corpus for policy_fuzz into OUT_DIR: every shipped profile
# (profiles/**/*.cordon) plus a few small hostile inputs the real profiles never contain.
#
#   fuzz/make_seeds.sh seeds
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out=$1
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"

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
