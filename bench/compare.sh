#!/usr/bin/env bash
# CairnDB next to etcd and Redis: the same workloads, the same driver (cairn bench), one table.
#
#   bench/compare.sh            full run (15 to 20 minutes with every system)
#   bench/compare.sh --quick    short phases, a rough picture in a few minutes
#   bench/compare.sh --help     every option
#
# Installs etcd and Redis from Debian packages if they are missing, builds CairnDB if needed,
# then for each system in turn: starts it on loopback ports in a temporary directory, preloads
# the keys, runs every workload at every concurrency, and stops it. Everything it starts is
# stopped by PID when it exits, however it exits. Results (JSON Lines), logs and the table go to
# --out DIR (default: a new directory under /tmp, printed at the end).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

duration=10s
warmup=3s
initial_warmup=60s
keys=10000
value_size=256
concurrency=1,16,64
workloads=write-only,read-only
all_systems=etcd,redis,cairn1-sync,cairn1-periodic,cairn1-sync-unary,cairn1-periodic-unary,cairn1-sync-http,cairn1-periodic-http,cairn3-sync,cairn3-periodic,cairn3-sync-unary,cairn3-periodic-unary
systems="$all_systems"
out=""
install=1

usage() {
  cat <<'EOF'
Usage: bench/compare.sh [options]

Runs cairn bench against each system in turn and prints one side-by-side table.

Systems (--systems, comma-separated; default: all of them):
  etcd             3-member etcd cluster on loopback (always fsyncs), linearizable gets
  redis            one Redis, built-in defaults: RDB snapshots, no AOF (never fsyncs per write)
  cairn1-sync      1-node CairnDB, RF 1, durability sync (fsync before acknowledging)
  cairn1-periodic  1-node CairnDB, RF 1, durability periodic (fsync every second)
  cairn1-sync-unary, cairn1-periodic-unary
                   the same node driven with unary gRPC calls only, as a client generated from
                   the seed contract drives it
  cairn1-sync-http, cairn1-periodic-http
                   the same node driven over REST (/api/v1 on its HTTP port, JSON envelopes)
                   instead of gRPC
  cairn3-sync      3-node CairnDB (bin/cairn dev-cluster), RF 3, durability sync
  cairn3-periodic  3-node CairnDB, RF 3, durability periodic
  cairn3-sync-unary, cairn3-periodic-unary
                   the same clusters driven as a client generated from the seed contract
                   drives them: unary calls only, spread round-robin over all three nodes
CairnDB reads and writes at quorum.

Options:
  --quick                 3 s phases, 1 s warm-ups (8 s once per system), 5000 keys: a rough
                          picture in under a minute per system
  --duration TIME         measured phase of each run (default 10s)
  --warmup TIME           warm-up before each run (default 3s)
  --initial-warmup TIME   warm-up once per system, before its first run (default 60s: on two
                          cores the servers' JIT needs about 40 s of load to settle)
  --keys N                key space, preloaded once per system (default 10000)
  --value-size BYTES      value size (default 256; keys are 16 bytes)
  --concurrency LIST      requests in flight, comma-separated (default 1,16,64)
  --workloads LIST        cairn bench workloads, comma-separated (default write-only,read-only)
  --systems LIST          which systems to run (default: all)
  --out DIR               where results, logs and the table go; results already in DIR are kept
                          and appear in the table too (run systems one at a time into one DIR)
  --no-install            do not apt-get install etcd or Redis
  -h, --help              this text
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) duration=3s; warmup=1s; initial_warmup=8s; keys=5000 ;;
    --duration) duration="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    --initial-warmup) initial_warmup="$2"; shift ;;
    --keys) keys="$2"; shift ;;
    --value-size) value_size="$2"; shift ;;
    --concurrency) concurrency="$2"; shift ;;
    --workloads) workloads="$2"; shift ;;
    --systems) systems="$2"; shift ;;
    --out) out="$2"; shift ;;
    --no-install) install=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "compare: $*" >&2; }
wants() { [[ ",$systems," == *",$1,"* ]]; }

# ----------------------------------------------------------------------------- processes

work="$(mktemp -d "${TMPDIR:-/tmp}/cairn-compare.XXXXXX")"
out="${out:-$work/out}"
mkdir -p "$out/logs"
results="$out/results.jsonl"
notes="$out/notes.txt"
touch "$results" "$notes"
started=()   # PIDs this script started and has not stopped yet

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

cleanup() {
  local status=$?
  for pid in "${started[@]+"${started[@]}"}"; do
    stop_tree "$pid"
  done
  # Node logs of a dev cluster live beside its data; keep them with the other logs.
  if [ -d "$work/data" ]; then
    (cd "$work/data" && find . -maxdepth 2 -name '*.log' -type f) | while read -r log; do
      cp "$work/data/$log" "$out/logs/$(echo "${log#./}" | tr / -)"
    done
  fi
  rm -rf "$work/data"
  rmdir "$work" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    log "failed (exit $status); logs are in $out/logs"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----------------------------------------------------------------------------- install, build

if wants etcd || wants redis; then
  missing=()
  if wants etcd; then
    command -v etcd >/dev/null || missing+=(etcd-server)
    command -v etcdctl >/dev/null || missing+=(etcd-client)
  fi
  if wants redis; then
    command -v redis-server >/dev/null || missing+=(redis-server)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$install" = 0 ]; then
      log "missing ${missing[*]} and --no-install given"; exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    log "installing ${missing[*]} from Debian packages"
    # Keep the packages from starting system-wide etcd and Redis services (policy-rc.d is
    # Debian's switch for that); the comparison starts its own, on ports of its own.
    policy_added=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
      $sudo chmod +x /usr/sbin/policy-rc.d
      policy_added=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
    [ "$policy_added" = 0 ] || $sudo rm -f /usr/sbin/policy-rc.d
  fi
fi

log "building CairnDB and cairn bench if needed"
"$root/bin/cairn" --help >/dev/null
"$root/bin/cairn" bench --help >/dev/null
bench_jar="$root/cairn-bench/target/cairn-bench.jar"
read -r -a bench_java_opts <<<"${CAIRN_BENCH_JAVA_OPTS:-}"
bench() {
  java "${bench_java_opts[@]+"${bench_java_opts[@]}"}" -jar "$bench_jar" "$@"
}

# Runs every workload at every concurrency against one started system, appending JSON Lines.
run_bench() {
  local label="$1" backend="$2" target="$3" pids="$4"
  shift 4
  log "$label: preload $keys keys, then $workloads at concurrency $concurrency"
  # In the background and waited for, so that a signal reaches the trap at once.
  (exec java "${bench_java_opts[@]+"${bench_java_opts[@]}"}" -jar "$bench_jar" \
    --backend "$backend" --target "$target" --label "$label" \
    --workload "$workloads" --concurrency "$concurrency" --keys "$keys" \
    --value-size "$value_size" --preload --initial-warmup "$initial_warmup" \
    --warmup "$warmup" --duration "$duration" --server-pids "$pids" --json "$@") \
    >>"$results" 2> >(tee "$out/logs/$label.bench.log" >&2) &
  local pid=$!
  started+=("$pid")
  local status=0
  wait "$pid" || status=$?
  stop_tree "$pid"
  if [ "$status" -ne 0 ]; then
    log "$label: cairn bench failed (exit $status); see $out/logs/$label.bench.log"
    return "$status"
  fi
}

# ----------------------------------------------------------------------------- systems

mkdir -p "$work/data"

run_etcd() {
  local base members="" endpoints="" i name pids=() dir
  base="$(free_block 6)"
  for i in 0 1 2; do
    members+="${members:+,}m$i=http://127.0.0.1:$((base + 2 * i + 1))"
    endpoints+="${endpoints:+,}http://127.0.0.1:$((base + 2 * i))"
  done
  for i in 0 1 2; do
    name="m$i"
    dir="$work/data/etcd/$name"
    mkdir -p "$dir"
    etcd --name "$name" --data-dir "$dir" \
      --listen-client-urls "http://127.0.0.1:$((base + 2 * i))" \
      --advertise-client-urls "http://127.0.0.1:$((base + 2 * i))" \
      --listen-peer-urls "http://127.0.0.1:$((base + 2 * i + 1))" \
      --initial-advertise-peer-urls "http://127.0.0.1:$((base + 2 * i + 1))" \
      --initial-cluster "$members" --initial-cluster-token cairn-compare \
      --initial-cluster-state new --logger zap --log-outputs stderr --log-level warn \
      >"$out/logs/etcd-$name.log" 2>&1 &
    started+=($!)
    pids+=($!)
  done
  local healthy=0
  for i in $(seq 1 120); do
    if ETCDCTL_API=3 etcdctl --endpoints "$endpoints" endpoint health >/dev/null 2>&1; then
      healthy=1; break
    fi
    sleep 0.5
  done
  if [ "$healthy" = 0 ]; then log "etcd did not become healthy; see $out/logs"; return 1; fi
  log "etcd $(etcd --version | head -1 | awk '{print $3}'): 3 members at $endpoints"
  run_bench etcd etcd "$endpoints" "$(IFS=,; echo "${pids[*]}")"
  for pid in "${pids[@]}"; do stop_tree "$pid"; done
}

run_redis() {
  local port dir
  port="$(free_block 1)"
  dir="$work/data/redis"
  mkdir -p "$dir"
  # No config file: Redis's built-in defaults (RDB snapshots on "save 3600 1 300 100 60 10000",
  # appendonly no), so writes are acknowledged from memory and never fsynced.
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" >"$out/logs/redis.log" 2>&1 &
  local pid=$!
  started+=("$pid")
  wait_for_line "$out/logs/redis.log" "Ready to accept connections" "$pid" 30
  log "redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) at 127.0.0.1:$port"
  run_bench redis redis "127.0.0.1:$port" "$pid"
  stop_tree "$pid"
}

run_cairn1() {
  local durability="$1" backend="${2:-cairn}" label="cairn1-$1" port dir ports=() target
  local extra=()
  if [ "$backend" = http ]; then
    label="$label-http"
  elif [ "$backend" = unary ]; then
    label="$label-unary"
    backend=cairn
    extra=(--unary)
  fi
  port="$(free_block 4)"
  dir="$work/data/$label"
  # Servers that have separate peer, Raft and HTTP ports get free ones next to the client port.
  local help
  help="$("$root/bin/cairn" server --help 2>&1 || true)"
  [[ "$help" == *--peer-port* ]] && ports+=(--peer-port $((port + 1)))
  [[ "$help" == *--raft-port* ]] && ports+=(--raft-port $((port + 2)))
  [[ "$help" == *--http-port* ]] && ports+=(--http-port $((port + 3)))
  if [ "$backend" = http ] && [[ "$help" != *--http-port* ]]; then
    echo "$label skipped: this build's server has no --http-port" | tee -a "$notes" >&2
    return 0
  fi
  "$root/bin/cairn" server --port "$port" "${ports[@]}" --data-dir "$dir" \
    --durability "$durability" >"$out/logs/$label.log" 2>&1 &
  local pid=$!
  started+=("$pid")
  wait_for_line "$out/logs/$label.log" "^CairnDB ready:" "$pid" 120
  target="127.0.0.1:$port"
  if [ "$backend" = http ]; then
    target="127.0.0.1:$((port + 3))"
  fi
  log "$label: 1 node at $target, durability $durability, $backend backend"
  run_bench "$label" "$backend" "$target" "$pid" --rf 1 "${extra[@]}"
  stop_tree "$pid"
}

run_cairn3() {
  local durability="$1" transport="${2:-pipeline}" label="cairn3-$1" base dir
  local extra=() target
  if [ "$transport" = unary ]; then
    label="$label-unary"
  fi
  local why
  if ! why="$("$root/bin/cairn" dev-cluster --help 2>&1)"; then
    echo "$label skipped: 'bin/cairn dev-cluster --help' failed (no multi-node dev cluster in" \
      "this build): $(echo "$why" | head -1)" | tee -a "$notes" >&2
    return 0
  fi
  # Node i uses ports from base + 10 * (i - 1); keep the whole range free.
  base="$(free_block 30)"
  dir="$work/data/$label"
  "$root/bin/cairn" dev-cluster --nodes 3 --base-port "$base" --data-dir "$dir" \
    --durability "$durability" >"$out/logs/$label.log" 2>&1 &
  local pid=$!
  started+=("$pid")
  if ! wait_for_line "$out/logs/$label.log" "CairnDB dev cluster ready" "$pid" 180; then
    echo "$label failed to start; see $out/logs/$label.log" | tee -a "$notes" >&2
    stop_tree "$pid"
    return 0
  fi
  log "$label: 3 nodes from 127.0.0.1:$base, RF 3, durability $durability, $transport calls"
  target="127.0.0.1:$base"
  if [ "$transport" = unary ]; then
    # Every node's client port: base, base + 10, base + 20.
    target="127.0.0.1:$base,127.0.0.1:$((base + 10)),127.0.0.1:$((base + 20))"
    extra=(--unary)
  fi
  run_bench "$label" cairn "$target" "$pid" --rf 3 "${extra[@]}"
  stop_tree "$pid"
}

if wants etcd; then run_etcd; fi
if wants redis; then run_redis; fi
if wants cairn1-sync; then run_cairn1 sync; fi
if wants cairn1-periodic; then run_cairn1 periodic; fi
if wants cairn1-sync-unary; then run_cairn1 sync unary; fi
if wants cairn1-periodic-unary; then run_cairn1 periodic unary; fi
if wants cairn1-sync-http; then run_cairn1 sync http; fi
if wants cairn1-periodic-http; then run_cairn1 periodic http; fi
if wants cairn3-sync; then run_cairn3 sync; fi
if wants cairn3-periodic; then run_cairn3 periodic; fi
if wants cairn3-sync-unary; then run_cairn3 sync unary; fi
if wants cairn3-periodic-unary; then run_cairn3 periodic unary; fi

# ----------------------------------------------------------------------------- the table

{
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  memory="$(free -h | awk '/^Mem:/ {print $2}')"
  filesystem="$(df -T "$work" | awk 'NR==2 {print $2}')"
  echo "Machine: $(nproc) cores ($cpu), $memory memory, data on $filesystem ($work)." \
    "Client and servers share the machine."
  echo "Each row: $duration measured after a $warmup warm-up ($initial_warmup once per system)," \
    "$keys keys of 16 B, values of $value_size B, uniform keys, closed loop. CairnDB at quorum," \
    "etcd linearizable gets."
  echo
  bench table --baseline etcd --order "$all_systems" "$results"
  if [ -s "$notes" ]; then
    echo
    sort -u "$notes"
  fi
} | tee "$out/table.md"
log "results: $results, table: $out/table.md"
