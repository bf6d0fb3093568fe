#!/usr/bin/env bash
# Figures for docs/benchmarks.md: cold start to interactive window (median of 10)
# and memory (PSS and RSS) of the app and its WebKit processes, under Xvfb.
# Usage: scripts/bench-start.sh [binary] [data dir to use (default: a fresh one)]
#        scripts/bench-start.sh --webkit-floor   (memory of WebKit's MiniBrowser on about:blank)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/perf/zeitrechnung}
data=${2:-}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
mem_tree() { # "PSS RSS" in kB of a process and all its descendants, then each process
  local pid=$1 pss=0 rss=0 p each=""
  for p in $pid $(pgrep -P "$pid"; for c in $(pgrep -P "$pid"); do pgrep -P "$c"; done); do
    local pp rr
    pp=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    rr=$(awk '/^Rss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    pss=$(( pss + pp )); rss=$(( rss + rr ))
    each="$each $(cat /proc/$p/comm 2>/dev/null) $(( pp / 1024 )) MB,"
  done
  echo "PSS $(( pss / 1024 )) MB, RSS $(( rss / 1024 )) MB (${each# })"
}
if [ "${1:-}" = "--webkit-floor" ]; then
  # What any WebKitGTK window costs: WebKit's own MiniBrowser on about:blank.
  mini=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
  "$mini" about:blank >/dev/null 2>&1 &
  pid=$!
  sleep 5
  echo "WebKitGTK floor (MiniBrowser, about:blank): $(mem_tree $pid)"
  kill $pid; wait $pid 2>/dev/null || true
  exit 0
fi
[ -x "$bin" ] || { echo "build it first: cargo build --profile perf" >&2; exit 1; }
times=()
for i in $(seq 1 10); do
  dir=${data:-$(mktemp -d)}
  rm -f "$dir"/logs/*.log 2>/dev/null || true
  ZEITRECHNUNG_DATA_DIR=$dir "$bin" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    grep -h "interactive after" "$dir"/logs/*.log >/dev/null 2>&1 && break
    sleep 0.05
  done
  ms=$(grep -ho "interactive after [0-9]* ms" "$dir"/logs/*.log | head -1 | grep -o "[0-9]*")
  times+=("$ms")
  if [ "$i" = 10 ]; then
    sleep 3
    echo "memory after start (app + WebKit processes): $(mem_tree $pid)"
  fi
  kill $pid; wait $pid 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 5,6p | awk '{s+=$1} END {print s/NR}')
echo "cold start to interactive (ms), 10 runs: $sorted"
echo "median: $median ms"
