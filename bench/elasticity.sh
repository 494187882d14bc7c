#!/usr/bin/env bash
# Elasticity: a 3-node CairnDB at RF 3 holding --keys keys of 256 B, under a steady ycsb-a load
# (unary calls spread over every node, as a client generated from the seed contract makes them)
# well below its capacity. A 4th node joins, then one of the first three is removed. Reports how
# long each move takes, the bytes moved against the minimum the plan needs, and the clients'
# throughput and p99 before and during each move.
#
#   bench/elasticity.sh                 1,000,000 keys (about 15 minutes on 2 cores)
#   bench/elasticity.sh --keys 100000   a quicker picture
#   bench/elasticity.sh --help
#
# Everything it starts is stopped by PID when it exits, however it exits. Results go to --out DIR
# (default: a new directory under /tmp, printed at the end): phases.jsonl (one line per 5 s load
# phase, stamped with its end time), migrations.jsonl, elasticity.md (the table) and logs/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

keys=1000000
value_size=256
durability=periodic
steady=4
capacity_concurrency=64
phase=5
out=""

usage() {
  cat <<'EOF'
Usage: bench/elasticity.sh [options]

  --keys N             keys preloaded at RF 3 (default 1000000)
  --durability MODE    sync or periodic (default periodic)
  --steady N           requests in flight of the steady load (default 4); its throughput is
                       reported as a share of the capacity measured at --capacity N
  --capacity N         requests in flight of the capacity probe (default 64)
  --out DIR            where results, logs and the table go
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --keys) keys="$2"; shift ;;
    --durability) durability="$2"; shift ;;
    --steady) steady="$2"; shift ;;
    --capacity) capacity_concurrency="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "elasticity.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "elasticity: $(date +%T) $*" >&2; }
started=()
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/cairn-elasticity.XXXXXX")"
out="${out:-$work/out}"
mkdir -p "$out/logs"

cleanup() {
  local status=$?
  for pid in "${started[@]+"${started[@]}"}"; do
    stop_tree "$pid"
  done
  if [ -d "$work/data" ]; then
    cp "$work"/data/*.log "$out/logs/" 2>/dev/null || true
  fi
  rm -rf "$work/data"
  rmdir "$work" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    log "failed (exit $status); logs are in $out/logs"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
cairn() { "$root/bin/cairn" "$@"; }

# Builds both jars if needed, before anything is timed.
cairn --help >/dev/null
cairn bench --help >/dev/null

base="$(free_block 50)"
data="$work/data"
mkdir -p "$data"
target="127.0.0.1:$base"
targets="127.0.0.1:$base,127.0.0.1:$((base + 10)),127.0.0.1:$((base + 20))"
cairn dev-cluster --nodes 3 --base-port "$base" --data-dir "$data" --durability "$durability" \
  >"$out/logs/cluster.log" 2>&1 &
cluster=$!
started+=("$cluster")
wait_for_line "$out/logs/cluster.log" "CairnDB dev cluster ready" "$cluster" 180
log "3 nodes from $target, durability $durability"

bench=(bench --target "$targets" --unary --rf 3 --keys "$keys" --value-size "$value_size"
  --consistency quorum --tenant elastic)

t0="$(now)"
cairn "${bench[@]}" --preload-only --preload-concurrency 64 >"$out/logs/preload.log" 2>&1
log "preloaded $keys keys in $(awk "BEGIN { printf \"%.0f\", $(now) - $t0 }") s"

cairn "${bench[@]}" -w ycsb-a -c "$capacity_concurrency" -d 20s --initial-warmup 30s --json \
  >"$out/capacity.json" 2>"$out/logs/capacity.log"
log "capacity at c=$capacity_concurrency: $(grep -o '"throughputOpsPerSecond":[0-9.]*' \
  "$out/capacity.json" | cut -d: -f2) ops/s"

# The steady load: 5 s phases back to back, each line stamped with the time it ended.
levels="$steady"
for _ in $(seq 2 200); do levels="$levels,$steady"; done
(cairn "${bench[@]}" -w ycsb-a -c "$levels" -d "${phase}s" --warmup 0s --initial-warmup 10s \
  --json 2>"$out/logs/steady.log" | while IFS= read -r line; do
    echo "{\"endedAt\":$(now),\"phase\":$line}"
  done >"$out/phases.jsonl") &
load=$!
started+=("$load")
wait_for_line "$out/phases.jsonl" "endedAt" "$load" 120
until [ "$(wc -l <"$out/phases.jsonl")" -ge 5 ]; do sleep 1; done
log "steady load running; 4 phases before any move"

# Follows the newest migration to completed; appends it, with when it was asked for, to
# migrations.jsonl.
follow() {
  local what="$1" asked="$2" line status
  while :; do
    line="$(cairn migration list --json --target "$target" \
      | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[-1]))')"
    status="$(echo "$line" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')"
    case "$status" in
      completed) break ;;
      failed|cancelled) log "$what $status: $line"; exit 1 ;;
    esac
    sleep 0.5
  done
  echo "{\"move\":\"$what\",\"askedAt\":$asked,\"doneAt\":$(now),\"migration\":$line}" \
    >>"$out/migrations.jsonl"
  log "$what completed: $line"
}

asked="$(now)"
cairn dev-cluster --add --base-port "$base" --data-dir "$data" --durability "$durability" \
  >"$out/logs/added.log" 2>&1 &
added=$!
started+=("$added")
wait_for_line "$out/logs/added.log" "CairnDB dev cluster ready" "$added" 180
follow add "$asked"
sleep 10

asked="$(now)"
cairn node remove node-2 --target "$target" >>"$out/logs/remove.log" 2>&1
follow remove "$asked"
sleep 10
stop_tree "$load"

python3 - "$out" "$keys" "$value_size" "$phase" "$steady" "$capacity_concurrency" <<'PY'
import json, sys
from datetime import datetime
out, keys, value_size, phase, steady, cap_c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), sys.argv[5], sys.argv[6]
capacity = json.load(open(f"{out}/capacity.json"))["throughputOpsPerSecond"]
phases = [json.loads(l) for l in open(f"{out}/phases.jsonl") if l.strip()]
moves = [json.loads(l) for l in open(f"{out}/migrations.jsonl") if l.strip()]
first = moves[0]["askedAt"]
def window(rows):
    if not rows:
        return "-", "-"
    ops = sum(r["phase"]["ops"] for r in rows)
    secs = sum(r["phase"]["elapsedSeconds"] for r in rows)
    p99 = max(r["phase"]["latencyMillis"]["all"]["p99"] for r in rows)
    return f"{ops / secs:,.0f}", f"{p99:.1f}"
before = [p for p in phases if p["endedAt"] <= first]
lines = [
    f"Steady load: ycsb-a, {steady} requests in flight, unary calls over every node; capacity at "
    f"{cap_c} in flight: {capacity:,.0f} ops/s.",
    "",
    "| | time | keys moved | bytes moved | minimum bytes (plan) | throughput ops/s | p99 ms |",
    "|---|---|---|---|---|---|---|",
]
tp, p99 = window(before[-4:])
lines.append(f"| before | | | | | {tp} ({float(tp.replace(',', '')) / capacity:.0%} of capacity) | {p99} |")
for move in moves:
    m = move["migration"]
    start, end = move["askedAt"], move["doneAt"]
    during = [p for p in phases if p["endedAt"] - phase < end and p["endedAt"] > start]
    tp, p99 = window(during)
    took = (datetime.fromisoformat(m["finishedAt"].replace("Z", "+00:00"))
            - datetime.fromisoformat(m["startedAt"].replace("Z", "+00:00"))).total_seconds()
    lines.append(f"| {move['move']} a node | {end - start:.1f} s asked to done ({took:.1f} s "
                 f"streaming) | {m['keysMigrated']:,} | {m['bytesMigrated'] / 1e6:,.1f} MB | "
                 f"{m['totalBytes'] / 1e6:,.1f} MB | {tp} | {p99} |")
open(f"{out}/elasticity.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
log "results in $out"
