# Process and port helpers shared by the benchmark scripts. Sourced; the caller defines log()
# and an array started=() of the PIDs it started.

# Every PID under $1, deepest last.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# Stops a process we started, and its children: TERM, up to 20 s of grace, then KILL.
stop_tree() {
  local pid="$1" tree i
  tree="$pid $(descendants "$pid" | tr '\n' ' ')"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  for p in $tree; do
    if kill -0 "$p" 2>/dev/null; then
      log "process $p did not stop after TERM; killing it"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  wait "$pid" 2>/dev/null || true
  local kept=()
  for p in "${started[@]}"; do
    [ "$p" = "$pid" ] || kept+=("$p")
  done
  started=("${kept[@]+"${kept[@]}"}")
}

# Whether something listens on a loopback port.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 on such that $2 consecutive ports are all free.
next_free_block=20000
free_block() {
  local size="$1" base="$next_free_block" i ok
  while :; do
    ok=1
    for ((i = 0; i < size; i++)); do
      if port_in_use $((base + i)); then ok=0; base=$((base + i + 1)); break; fi
    done
    if [ "$ok" = 1 ]; then
      next_free_block=$((base + size))
      echo "$base"
      return
    fi
  done
}

# Waits until file $1 has a line matching $2, while process $3 lives; $4 seconds at most.
wait_for_line() {
  local file="$1" pattern="$2" pid="$3" seconds="$4" i
  for ((i = 0; i < seconds * 4; i++)); do
    if grep -q -- "$pattern" "$file" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before printing '$pattern'; see $file"
      tail -20 "$file" >&2 || true
      return 1
    fi
    sleep 0.25
  done
  log "no '$pattern' in $file after $seconds s"
  return 1
}
