#!/bin/bash
# profiles/apps/sqlite3.cordon end to end, as root and as uid 65534: the sqlite3 shell under
# the profile creates a database in the working directory, inserts, queries (a rollback
# journal and a WAL database, a temp table, a sort, .import/.output/.backup), and the host's
# sqlite3 reads the same data back. It cannot write a database outside the working directory
# (ATTACH fails; SQLite's log shows open() got errno 2, ENOENT: the directory is not in the
# sandbox) where the same sqlite3 can outside, and cannot run programs (.shell: fork EPERM).
# Usage: app_sqlite3.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need sqlite3 sqlite3
SQLITE=$(command -v sqlite3)

# A directory outside the working directory that both users may write on the host.
mkdir -p "$T/outside"
chmod 1777 "$T/outside"

csql() { raw "$CORDON" run -p sqlite3 -- "$SQLITE" "$@"; }

check_create_insert_query() {
  local db="shop-$MODE.db"
  rm -f "$db"*
  csql "$db" "create table items(id integer primary key, name text, price integer);
              insert into items(name, price) values ('apple', 3), ('pear', 5), ('plum', 7);
              insert into items(name, price) select name || '-2', price * 2 from items;
              select count(*), sum(price) from items;"
  expect_rc create-exit 0
  expect create-result '6\|45' "$OUT"
  # The database is a real file in the working directory: the host's sqlite3 reads it.
  raw "$SQLITE" "$db" "pragma integrity_check; select group_concat(name, ',') from (select name from items order by id);"
  expect host-reads-db $'ok\napple,pear,plum,apple-2,pear-2,plum-2' "$OUT" "integrity ok, 6 rows"
}

check_wal_import_backup() {
  local db="wal-$MODE.db"
  rm -f "$db"* "rows-$MODE.csv" "backup-$MODE.db"
  seq 1 500 | awk '{print $1 "," ($1 * 7) % 101}' >"in-$MODE.csv"
  chmod 644 "in-$MODE.csv"
  csql "$db" "pragma journal_mode=wal;" \
    "create table t(a integer, b integer);" \
    ".mode csv" ".import in-$MODE.csv t" ".mode list" \
    "create temp table top as select a, b from t order by b desc, a limit 5;" \
    "select group_concat(a, ' ') from top;" \
    ".output rows-$MODE.csv" "select a, b from t where b = 0;" ".output stdout" \
    ".backup backup-$MODE.db"
  expect_rc wal-exit 0
  local want
  want=$(seq 1 500 | awk '{print $1, ($1 * 7) % 101}' | sort -k2,2nr -k1,1n | head -5 | awk '{print $1}' | paste -sd' ')
  expect wal-query $'wal\n'"$want" "$OUT"
  # .output wrote the rows to a file of the working directory ('|' becomes ':' for the match).
  expect wal-output "$(seq 101 101 500 | awk '{print $1 ":0"}' | paste -sd' ')" "$(tr '|' ':' <"rows-$MODE.csv" 2>/dev/null | paste -sd' ')"
  raw "$SQLITE" "backup-$MODE.db" "select count(*), sum(b) from t;"
  expect backup-readable "500\|$(seq 1 500 | awk '{s += ($1 * 7) % 101} END {print s}')" "$OUT"
}

check_no_write_outside() {
  local out="$T/outside/evil-$MODE.db"
  rm -f "$out"
  # Outside the sandbox the same sqlite3, as the same user, creates it: the refusal is the
  # sandbox's.
  raw "$SQLITE" "$out" "create table z(a);"
  expect_rc attach-outside-ok 0
  rm -f "$out"
  csql "shop-$MODE.db" ".log stderr" "attach '$out' as o; create table o.z(a); insert into o.z values (1);"
  # The shell's exit status is SQLite's result code: 14, SQLITE_CANTOPEN.
  expect_rc attach-refused 14
  # SQLite's log names the system call and the errno it got: 2 is ENOENT.
  expect_in attach-errno "os_unix\.c:[0-9]+: \(2\) open\($out\)" stderr "$ERR"
  expect_in attach-error "unable to open database: $out" stderr "$ERR"
  if [[ -e $out ]]; then fail attach-absent "$out exists on the host"; else pass attach-absent; fi
}

check_no_programs() {
  csql "shop-$MODE.db" ".shell echo cordon-shell-ran" "select 'after';"
  # system() fails (fork: EPERM) and reports it as status 127 << 8; the query after still runs.
  expect_in shell-refused '^System command returns 32512$' stderr "$ERR"
  expect shell-no-output 'after' "$OUT"
}

both check_create_insert_query
both check_wal_import_backup
both check_no_write_outside
both check_no_programs
e2e_finish
