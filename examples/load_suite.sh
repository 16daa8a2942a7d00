#!/usr/bin/env bash
# The ingest benchmark in one run, beside its two ceilings measured the same way:
#   examples/load_suite.sh [--seconds 10] [--runs 1] [--dir DIR] [--no-build] [--against BIN] [--no-ceilings] [--postgres]
#
# --against BIN: each pass also runs the service loads on another `notarium` binary (e.g. one
# built from an older commit), old and new alternating which goes first; the table then gives
# both and new ÷ old. --no-ceilings: skip the two ceilings.
# --postgres: each pass also runs the service loads on PostgreSQL (a throw-away cluster under the
# work directory, fsync and synchronous_commit on; Debian's postgresql package), and the
# ceilings include examples/ceiling_postgres.rs (the writer's multi-row insert, groups of 64
# and 8,000) on the same server.
#
# Each run (a "pass"): `notarium serve` (release) on a fresh data directory with the merchant's
# quota lifted, loadgen single records (64 connections), batches of 1,000 (8 connections) and
# images (4 connections); then examples/ceiling_http.rs with the same single and batch loads;
# then examples/ceiling_sqlite.rs with groups of 64 and 8,000 rows (the most the writer can
# group from 64 single requests, or from 8 batches of 1,000, in flight). Then one table: the
# medians of the runs, and the ratios of the service's records/s to each ceiling's.
# Everything listens on port 0 (private ports); every process started is stopped on exit.
set -euo pipefail

SECS=10 RUNS=1 DIR="" BUILD=1 AGAINST="" CEILINGS=1 PG=0
while [ $# -gt 0 ]; do
    case "$1" in
        --against) AGAINST=$(realpath "$2"); shift 2 ;;
        --no-ceilings) CEILINGS=0; shift ;;
        --postgres) PG=1; shift ;;
        --seconds) SECS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --dir) DIR="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
if [ "$BUILD" = 1 ]; then
    (cd "$ROOT" && cargo build --release --quiet --bin notarium \
        --example loadgen --example ceiling_http --example ceiling_sqlite --example ceiling_postgres)
fi
WORK=$(mktemp -d "${DIR:-${TMPDIR:-/tmp}}/load_suite.XXXXXX")
RES=$WORK/results
mkdir -p "$RES"

PIDS=()
# Stops one process: SIGTERM (the server seals and anchors what is pending), SIGKILL after 60 s.
stop() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}
forget() {
    local left=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || left+=("$p"); done
    PIDS=("${left[@]}")
}
# Runs a command to its end, in the background so that a signal to this script stops it at
# once (bash runs traps only between foreground commands).
child() {
    "$@" &
    local pid=$! rc=0
    PIDS+=("$pid")
    wait "$pid" || rc=$?
    forget "$pid"
    return "$rc"
}
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop "$pid"; done
    [ "$PG" = 1 ] && [ -n "${PGPORT:-}" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$WORK"
}
# Runs a PostgreSQL tool as the postgres account when root (initdb refuses root).
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# pgdb NAME: creates database NAME on the throw-away cluster and prints its URL.
pgdb() {
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qc "CREATE DATABASE $1" >/dev/null
    echo "postgres://postgres@127.0.0.1:$PGPORT/$1"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until file $1 exists and is not empty, while process $2 lives.
await() {
    for _ in $(seq 600); do
        [ -s "$1" ] && return 0
        kill -0 "$2" 2>/dev/null || { echo "process $2 ended before writing $1" >&2; return 1; }
        sleep 0.1
    done
    echo "timed out waiting for $1" >&2
    return 1
}

# loadgen NAME URL KEY ARGS…: one loadgen run; its figures appended to $RES/NAME.*.
loadgen() {
    local name=$1 url=$2 key=$3 out=$WORK/$1.out
    shift 3
    if ! child "$TARGET/examples/loadgen" --url "$url" --key "$key" --seconds "$SECS" "$@" >"$out" 2>&1; then
        echo "loadgen $name failed:" >&2; cat "$out" >&2; exit 1
    fi
    awk '/^accepted records/ {print $3}' "$out" >>"$RES/$name.rate"
    awk '/^latency ms/ {print $4 >> "'"$RES/$name.p50"'"; print $6 >> "'"$RES/$name.p99"'"}' "$out"
    awk '/^201 -> anchored ms/ {print $7 >> "'"$RES/$name.a50"'"; print $9 >> "'"$RES/$name.a99"'"}' "$out"
}

# serve RUN BINARY PREFIX [DATABASE_URL]: the service loads on one binary, on a fresh data
# directory (and database); figures go to $RES/PREFIXsingle.* and so on.
serve() {
    local run=$1 bin=$2 prefix=$3 data=$WORK/serve-$1-${3:-new}
    mkdir -p "$data"
    (cd "$WORK" && { [ -z "${4:-}" ] || export NOTARIUM_DATABASE_URL="$4"; } \
        && NOTARIUM_RATE_LIMITS='{ merchant = { requests_per_second = 0, bytes_per_second = 0 } }' \
        RUST_LOG=warn exec "$bin" serve --data "$data" --listen 127.0.0.1:0) \
        >"$WORK/serve-$run-${prefix:-new}.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    await "$data/listen-addr" "$pid"
    local url key
    url=http://$(cat "$data/listen-addr")
    key=$(awk '/^merchant/ {print $3}' "$data/demo-keys.txt")
    loadgen "${prefix}single" "$url" "$key" --connections 64
    loadgen "${prefix}batch" "$url" "$key" --connections 8 --batch 1000 --anchor-every 20000
    loadgen "${prefix}images" "$url" "$key" --connections 4 --images --anchor-every 5
    stop "$pid"
    rm -rf "$data"
}

# One pass of everything.
pass() {
    local run=$1
    if [ -z "$AGAINST" ]; then
        serve "$run" "$TARGET/notarium" ""
    elif [ $((run % 2)) = 1 ]; then
        serve "$run" "$TARGET/notarium" "" && serve "$run" "$AGAINST" old_
    else
        serve "$run" "$AGAINST" old_ && serve "$run" "$TARGET/notarium" ""
    fi
    [ "$PG" = 0 ] || serve "$run" "$TARGET/notarium" pg_ "$(pgdb "serve_$run")"
    [ "$CEILINGS" = 1 ] || return 0
    local pid url

    "$TARGET/examples/ceiling_http" --listen 127.0.0.1:0 >"$WORK/ceiling_http-$run.out" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    await "$WORK/ceiling_http-$run.out" "$pid"
    url=$(awk '/^listening on/ {print $3}' "$WORK/ceiling_http-$run.out")
    loadgen http_single "$url" ceiling --connections 64 --no-follow
    loadgen http_batch "$url" ceiling --connections 8 --batch 1000 --no-follow
    stop "$pid"

    for group in 64 8000; do
        local out=$WORK/sqlite-$group.out
        child "$TARGET/examples/ceiling_sqlite" --data "$WORK/sqlite-$run-$group" --group "$group" --seconds "$SECS" >"$out"
        awk '/^rows\/s/ {print $2}' "$out" >>"$RES/sqlite_$group.rate"
        awk '/^transaction ms/ {print $4 >> "'"$RES/sqlite_$group.p50"'"; print $6 >> "'"$RES/sqlite_$group.p99"'"}' "$out"
        awk '/^bytes per row/ {print $4}' "$out" >>"$RES/sqlite_$group.bytes"
        rm -rf "$WORK/sqlite-$run-$group"
        [ "$PG" = 1 ] || continue
        out=$WORK/postgres-$group.out
        child "$TARGET/examples/ceiling_postgres" --url "$(pgdb "ceiling_${run}_$group")" --group "$group" \
            --seconds "$SECS" >"$out"
        awk '/^rows\/s/ {print $2}' "$out" >>"$RES/pg_$group.rate"
        awk '/^transaction ms/ {print $4 >> "'"$RES/pg_$group.p50"'"; print $6 >> "'"$RES/pg_$group.p99"'"}' "$out"
    done
}

# median NAME METRIC: the median of a metric's runs, "-" when there is none.
median() {
    [ -s "$RES/$1.$2" ] || { echo "-"; return; }
    sort -g "$RES/$1.$2" | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}
# ratio A B: A / B to two decimals, "-" if either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (a=="-" || b=="-" || b==0) ? "-" : sprintf("%.2f", a/b)}'; }
runs() { [ -s "$RES/$1.rate" ] && awk '{printf "%s%.0f", (NR>1 ? " / " : ""), $1}' "$RES/$1.rate" || echo "-"; }
num() { awk -v v="$1" -v f="$2" 'BEGIN {print (v=="-") ? "-" : sprintf(f, v)}'; }

if [ "$PG" = 1 ]; then
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$PGBIN/initdb" ] || { echo "--postgres needs Debian's postgresql package (initdb)" >&2; exit 2; }
    chmod 711 "$WORK"
    mkdir -p "$WORK/pg/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$WORK/pg"
    as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-instructions >/dev/null
    PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 30 -o "-k $WORK/pg/sock \
        -c listen_addresses=127.0.0.1 -p $PGPORT -c fsync=on -c synchronous_commit=on" start >/dev/null
fi
echo "load suite: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo '+dirty')"
echo "cpu: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "data: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}')); $SECS s per load, $RUNS run(s)"
for run in $(seq "$RUNS"); do
    echo "run $run of $RUNS…" >&2
    pass "$run"
done

echo
echo "| mode | records/s (runs) | median | p50 / p99 ms | 201 → anchored p50 / p99 ms | ÷ HTTP ceiling | ÷ storage ceiling |"
echo "|---|---|---|---|---|---|---|"
row() { # row LABEL NAME HTTP_CEILING STORAGE_CEILING
    local rate
    rate=$(median "$2" rate)
    printf '| %s | %s | %s | %s / %s | %s / %s | %s | %s |\n' "$1" "$(runs "$2")" "$(num "$rate" %.0f)" \
        "$(num "$(median "$2" p50)" %.2f)" "$(num "$(median "$2" p99)" %.2f)" \
        "$(num "$(median "$2" a50)" %.0f)" "$(num "$(median "$2" a99)" %.0f)" \
        "$( [ -n "$3" ] && ratio "$rate" "$(median "$3" rate)" || echo -)" \
        "$( [ -n "$4" ] && ratio "$rate" "$(median "$4" rate)" || echo -)"
}
row "service: single, 64 connections" single http_single sqlite_64
row "service: batch of 1,000, 8 connections" batch http_batch sqlite_8000
row "service: images 640 × 480, 4 connections" images "" ""
if [ -n "$AGAINST" ]; then
    row "old binary: single, 64 connections" old_single http_single sqlite_64
    row "old binary: batch of 1,000, 8 connections" old_batch http_batch sqlite_8000
    row "old binary: images 640 × 480, 4 connections" old_images "" ""
fi
if [ "$PG" = 1 ]; then
    row "service on PostgreSQL: single, 64 connections" pg_single http_single pg_64
    row "service on PostgreSQL: batch of 1,000, 8 connections" pg_batch http_batch pg_8000
    row "service on PostgreSQL: images 640 × 480, 4 connections" pg_images "" ""
    row "PostgreSQL ceiling: groups of 64 (p50/p99: per transaction)" pg_64 "" ""
    row "PostgreSQL ceiling: groups of 8,000 (p50/p99: per transaction)" pg_8000 "" ""
fi
row "HTTP ceiling: single, 64 connections" http_single "" ""
row "HTTP ceiling: batch of 1,000, 8 connections" http_batch "" ""
row "SQLite ceiling: groups of 64 (p50/p99: per transaction)" sqlite_64 "" ""
row "SQLite ceiling: groups of 8,000 (p50/p99: per transaction)" sqlite_8000 "" ""
if [ -n "$AGAINST" ]; then
    echo
    echo "new ÷ old ($AGAINST), medians: single $(ratio "$(median single rate)" "$(median old_single rate)")," \
        "batch $(ratio "$(median batch rate)" "$(median old_batch rate)")," \
        "images $(ratio "$(median images rate)" "$(median old_images rate)");" \
        "201 → anchored p50 single $(ratio "$(median single a50)" "$(median old_single a50)")," \
        "batch $(ratio "$(median batch a50)" "$(median old_batch a50)")"
fi
[ "$CEILINGS" = 1 ] || exit 0
echo
echo "SQLite ceiling bytes per row (after a checkpoint): groups of 64 $(median sqlite_64 bytes), groups of 8,000 $(median sqlite_8000 bytes)"
