#!/bin/bash
# profiles/apps/jq.cordon end to end, as root and as uid 65534: jq under the profile filters
# a JSON file of the working directory (aggregates, --slurp, --arg, --rawfile, stdin) and the
# output is compared with what the same jq prints outside the sandbox; it cannot read a file
# standing in for ~/.ssh/id_rsa ("No such file or directory": the home inside is an empty
# tmpfs) that the same jq reads outside, nor /etc/shadow.
# Usage: app_jq.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need jq jq
JQ=$(command -v jq)

# The input, in the working directory: 200 orders of random amounts.
for ((i = 0; i < 200; i++)); do
  printf '{"id":%d,"customer":"c%d","amount":%d,"tags":["t%d"]}\n' "$i" $((RANDOM % 7)) $((RANDOM % 1000)) $((i % 3))
done >orders.json
chmod 644 orders.json

# A private key's stand-in in each user's home.
ssh_dirs KEY


cjq() { raw "$CORDON" run -p jq -- "$JQ" "$@"; }

# same NAME JQ-ARGS...: jq under the profile prints exactly what jq outside prints.
same() {
  local name=$1 want
  shift
  want=$("$JQ" "$@" 2>&1)
  cjq "$@"
  if [[ $RC -eq 0 && -n $OUT && $OUT == "$want" ]]; then
    pass "$name" "$(wc -l <<<"$OUT") lines, identical"
  else
    fail "$name" "expected exit 0 and the output of jq outside ($(wc -l <<<"$want") lines: $(head -c 80 <<<"$want"))"
  fi
}

check_filter() {
  same filter-group -c -s 'group_by(.customer) | map({customer: .[0].customer, total: (map(.amount) | add), n: length})' orders.json
  same filter-select -r --arg min 500 'select(.amount > ($min | tonumber)) | "\(.id)\t\(.amount)"' orders.json
  same filter-rawfile -n --rawfile raw orders.json '$raw | split("\n") | map(select(length > 0) | fromjson | .amount) | add'
  # From stdin, as in a pipeline.
  local want
  want=$("$JQ" -c '[.tags[]] | length' <orders.json | sort | uniq -c)
  LASTCMD="[$MODE] cordon run -p jq -- jq -c '[.tags[]] | length' < orders.json"
  OUT=$(as_mode "$CORDON" run -p jq -- "$JQ" -c '[.tags[]] | length' <orders.json 2>"$T/log/err" | sort | uniq -c)
  RC=$? ERR=$(<"$T/log/err")
  expect filter-stdin "$want" "$OUT" "identical"
}

check_ssh_key_unreadable() {
  local key
  key="$(home)/.ssh/id_rsa"
  # Outside the sandbox the same jq, as the same user, reads it: the refusal is the sandbox's.
  raw "$JQ" -R . "$key"
  expect key-readable-outside '"-----BEGIN OPENSSH PRIVATE KEY----- cordon-fake-home-(root|unpriv)"' "$OUT"
  cjq -R . "$key"
  expect_rc key-refused 2
  expect_in key-refused-errno "Could not open file $key: No such file or directory" stderr "$ERR"
  if [[ $OUT == *cordon-fake* ]]; then fail key-not-leaked "the key's content reached stdout"; else pass key-not-leaked; fi
}

check_system_file_absent() {
  # Only the working directory and the system's programs are there: /etc/shadow, readable by
  # root outside, does not exist inside (base.cordon binds none of /etc but the name-lookup
  # files).
  [[ $MODE == root ]] && { raw "$JQ" -R -n 'input | length > 0' /etc/shadow; expect shadow-readable-outside true "$OUT"; }
  cjq -R -n 'input' /etc/shadow
  expect_rc shadow-refused 2
  expect_in shadow-refused-errno "Could not open file /etc/shadow: No such file or directory" stderr "$ERR"
}

both check_filter
both check_ssh_key_unreadable
both check_system_file_absent
e2e_finish
