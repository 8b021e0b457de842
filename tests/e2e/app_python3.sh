#!/bin/bash
# profiles/apps/python3.cordon end to end, as root and as uid 65534: Debian's python3 under
# the profile runs a real script in the working directory (reads a CSV, computes statistics
# with threads, stores them with the sqlite3 module, writes a JSON report) and the report is
# checked against the same computation done outside the sandbox. Under its offline profile
# it cannot open a socket (PermissionError, errno 1: EPERM, for IPv4 and unix alike), nor
# start a process (subprocess: EPERM), nor read a file standing in for ~/.ssh/id_rsa
# (FileNotFoundError: the home inside is an empty tmpfs) that the same python3 reads outside.
# Usage: app_python3.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

# Debian's interpreter by its path: a python3 earlier in PATH (pyenv, /usr/local) is not the
# one the profile is written for.
need /usr/bin/python3 python3
PY=/usr/bin/python3

# The data and the script, in the working directory.
for ((i = 0; i < 300; i++)); do echo "s$((i % 5)),$((RANDOM % 1000))"; done >samples.csv
cat >report.py <<'PYEOF'
import concurrent.futures, csv, hashlib, json, os, sqlite3, statistics, sys, tempfile

out = sys.argv[1]
groups = {}
with open("samples.csv", newline="") as f:
    for name, value in csv.reader(f):
        groups.setdefault(name, []).append(int(value))

def summary(item):
    name, values = item
    digest = hashlib.sha256(",".join(map(str, values)).encode()).hexdigest()[:16]
    return name, {"n": len(values), "mean": round(statistics.fmean(values), 3),
                  "median": statistics.median(values), "sha": digest}

# Threads (clone with CLONE_THREAD), a database, a temporary file and an atomic rename.
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    stats = dict(pool.map(summary, sorted(groups.items())))
db = sqlite3.connect(out + ".db")
db.execute("create table if not exists s(name text primary key, n int, mean real)")
db.executemany("insert or replace into s values (?, ?, ?)", [(k, v["n"], v["mean"]) for k, v in stats.items()])
db.commit()
stats["total"] = db.execute("select sum(n) from s").fetchone()[0]
with tempfile.NamedTemporaryFile("w", dir=".", delete=False) as tmp:
    json.dump(stats, tmp, sort_keys=True)
os.replace(tmp.name, out)
print("wrote", out)
PYEOF
cat >refused.py <<'PYEOF'
import os, socket, subprocess, sys
def attempt(what, fn):
    try:
        fn()
        print(what, "OK")
    except OSError as e:
        print(what, type(e).__name__, e.errno)
attempt("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
attempt("subprocess", lambda: subprocess.run(["/bin/true"]))
attempt("key", lambda: open(sys.argv[1]).read())
PYEOF
chmod 644 samples.csv report.py refused.py

# A private key's stand-in in each user's home.
ssh_dirs KEY


cpy() { raw "$CORDON" run -p python3 -- "$PY" "$@"; }

check_script() {
  local out="report-$MODE.json"
  rm -f "$out" "$out.db"
  cpy report.py "$out"
  expect_rc script-exit 0
  expect script-stdout "wrote $out" "$OUT"
  # The same computation outside the sandbox, into the scratch tree.
  rm -f "$T/log/want.json" "$T/log/want.json.db"
  (cd "$T/work" && "$PY" report.py "$T/log/want.json" >/dev/null)
  if [[ -s $out ]] && cmp -s "$out" "$T/log/want.json"; then
    pass script-output "$(head -c 60 "$out")…"
  else
    fail script-output "expected $out to equal the report computed outside ($(head -c 60 "$T/log/want.json"))"
  fi
  if [[ -s $out.db ]]; then pass script-database; else fail script-database "expected $out.db in the working directory"; fi
}

check_refused() {
  local key
  key="$(home)/.ssh/id_rsa"
  # Outside the sandbox, as the same user: everything works (a socket, a process, the key).
  raw "$PY" refused.py "$key"
  expect refused-outside $'inet OK\nunix OK\nsubprocess OK\nkey OK' "$OUT" "all OK outside"
  cpy refused.py "$key"
  expect_rc refused-exit 0
  # errno 1 (EPERM) from the filter's `errno EPERM socket` for every family; subprocess's
  # fork (clone) gets EPERM too; the key is not in the sandbox: errno 2 (ENOENT).
  expect socket-inet-refused 'inet PermissionError 1' "$(grep '^inet' <<<"$OUT")"
  expect socket-unix-refused 'unix PermissionError 1' "$(grep '^unix' <<<"$OUT")"
  expect subprocess-refused 'subprocess PermissionError 1' "$(grep '^subprocess' <<<"$OUT")"
  expect key-refused 'key FileNotFoundError 2' "$(grep '^key' <<<"$OUT")"
}

both check_script
both check_refused
e2e_finish
