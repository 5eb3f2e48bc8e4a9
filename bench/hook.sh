#!/usr/bin/env bash
# Benchmark 1 (issue #8 part 1): process time of one `mtx-hook ready` run against a running orchestrator,
# beside curl POSTing the same body, measured in alternation in the same run. Prints a Markdown table.
#   bench/hook.sh [RUNS]     (default 31; the built tree is needed: make build)
set -euo pipefail
# An exported CDPATH makes `cd` print the directory, and $(cd … && pwd) then returns two lines.
unset CDPATH
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${1:-31}
# Unsigned, as MediaMTX's hook and curl are by default: with a secret the orchestrator would refuse curl's posts (401).
unset HOOK_SECRET
hook="$root/mtx-hook-cli/target/dist/bin/mtx-hook"
orch="$root/mtx-orchestrator/target/dist/bin/mtx-orchestrator"
[[ -x "$hook" && -x "$orch" ]] || { echo "bench/hook.sh: build first (make build)" >&2; exit 2; }
command -v curl >/dev/null || { echo "bench/hook.sh: curl is needed" >&2; exit 2; }
gnu_time=$(type -P time) || { echo "bench/hook.sh: GNU time (Debian package time) is needed for peak RSS" >&2; exit 2; }

command -v python3 >/dev/null || { echo "bench/hook.sh: python3 is needed (a free port)" >&2; exit 2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
orch_pid=""
trap '[[ -z $orch_pid ]] || { kill $orch_pid 2>/dev/null; wait $orch_pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
"$orch" --host 127.0.0.1 --port "$port" --worker-mode none --events-kept 1000 >"$work/orchestrator.log" 2>&1 &
orch_pid=$!
for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || {
  cat "$work/orchestrator.log" >&2; echo "bench/hook.sh: the orchestrator did not answer within 10 s" >&2; exit 1; }

export ORCHESTRATOR_URL="http://127.0.0.1:$port" MTX_PATH=live/bench/in MTX_QUERY=lang=es MTX_SOURCE_TYPE=rtmpConn \
  MTX_SOURCE_ID=0b9c3f5e-3f1a-4c1e-9d2a-7b6e5d4c3b2a
body=$(MTX_HOOK_DRY_RUN=1 "$hook" ready 2>/dev/null) # (its stderr: the dry run's own warning)

# Optional peer: the same launcher on JDK 25 (JAVA_HOME=$JDK25_HOME), which trains its AOT cache in the
# background on first use; the bench waits (bounded) for that cache before measuring.
jdk25=""
if [[ -n "${JDK25_HOME:-}" && -x "$JDK25_HOME/bin/java" ]]; then jdk25=$JDK25_HOME; fi
lib="$root/mtx-hook-cli/target/dist/lib"
if [[ -n "$jdk25" ]]; then
  JAVA_HOME=$jdk25 "$hook" ready >/dev/null 2>&1 || true
  for _ in $(seq 120); do
    compgen -G "$lib/mtx-hook-*.aot" >/dev/null && ! compgen -G "$lib/mtx-hook-*.lock" >/dev/null && break
    sleep 0.5
  done
  compgen -G "$lib/mtx-hook-*.aot" >/dev/null || { echo "bench/hook.sh: no AOT cache after 60 s; JDK 25 row left out" >&2; jdk25=""; }
fi

measure() { # name, command... → appends "ms rss_kb" lines to $work/<name>
  local name=$1; shift
  local start end
  start=$(date +%s%N)
  "$gnu_time" -f "%M" -o "$work/t" "$@" >/dev/null 2>&1 || { echo "bench: $name failed" >&2; exit 1; }
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $(cat "$work/t")" | awk '{printf "%.1f %d\n", $1/1000, $2}' >> "$work/$name"
}
for _ in $(seq "$runs"); do
  measure "mtx-hook (JDK 17, AppCDS)" "$hook" ready
  measure "curl" curl -fs -o /dev/null -H 'Content-Type: application/json' --data "$body" "$ORCHESTRATOR_URL/v1/mediamtx/events/ready"
  if [[ -n "$jdk25" ]]; then
    JAVA_HOME=$jdk25 measure "mtx-hook (JDK 25, AOT cache)" "$hook" ready
  fi
done

echo "| command | runs | median ms | p95 ms | max ms | peak RSS MiB (median) |"
echo "|---|---|---|---|---|---|"
for f in "$work"/*; do
  name=$(basename "$f")
  case $name in t|orchestrator.log) continue ;; esac
  sort -n -k1 "$f" | awk -v n="$name" '{ms[NR]=$1} END {p95=ms[int(NR*0.95+0.999)]; printf "| %s | %d | %.0f | %.0f | %.0f |", n, NR, ms[int((NR+1)/2)], p95, ms[NR]}'
  sort -n -k2 "$f" | awk '{r[NR]=$2} END {printf " %.0f |\n", r[int((NR+1)/2)]/1024}'
done
echo
echo "Target (issue #3): mtx-hook median <= 100 ms. Wall time of the whole process (including GNU time's own ~1 ms); peak RSS from GNU time; the orchestrator answers 202."
for f in "$work"/mtx-hook*; do
  sort -n -k1 "$f" | awk -v n="$(basename "$f")" '{ms[NR]=$1} END {m=ms[int((NR+1)/2)];
    printf "%s: median %.0f ms, target %s.\n", n, m, (m <= 100 ? "met" : "MISSED")}'
done
