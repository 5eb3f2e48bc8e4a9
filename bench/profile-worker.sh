#!/usr/bin/env bash
# Where a passthrough worker's CPU goes (issue #8, part 4): one mtx-worker process between the ffmpeg CLI serving a
# pre-encoded 640x360 30 fps H.264 + AAC file in real time and the ffmpeg CLI reading it into the null muxer, as in
# WorkerCostBench. Prints, over SECONDS of steady state: the worker's and a Debian `ffmpeg -c copy` peer's CPU ticks
# (from /proc, same setup, one after the other), JFR's view of the JVM (execution samples, GCs), and, where `perf`
# can sample (cpu-clock), the share of each library.
#   bench/profile-worker.sh [SECONDS]     (default 40; the built tree is needed: make build)
set -euo pipefail
unset CDPATH
root=$(cd "$(dirname "$0")/.." && pwd -P)
secs=${1:-40}
worker="$root/mtx-worker-cli/target/dist/bin/mtx-worker"
[[ -x $worker ]] || { echo "bench/profile-worker.sh: build first (make build)" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "bench/profile-worker.sh: ffmpeg is needed" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench/profile-worker.sh: python3 is needed (free ports)" >&2; exit 2; }
command -v ss >/dev/null || { echo "bench/profile-worker.sh: ss (iproute2) is needed" >&2; exit 2; }
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc=size=640x360:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 30 -c:v libx264 -preset veryfast -g 30 -b:v 1M -c:a aac -b:a 128k -shortest "$work/src.flv"

# ticks PID: user and system clock ticks so far of every thread of PID but JFR's own (the recording is not the worker)
ticks() {
  local u=0 s=0 t f
  for t in /proc/"$1"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == JFR* ]] && continue
    # fields after the parenthesised name: state is 1, utime 12, stime 13
    read -r -a f < <(sed 's/.*) //' "$t/stat" 2>/dev/null) || continue
    u=$((u + f[11])); s=$((s + f[12]))
  done
  echo "$u $s"
}

# run_middle NAME COMMAND...: source and sink on fresh ports, COMMAND in the middle ({in} and {out} replaced)
run_middle() {
  local name=$1; shift
  local in out
  in="rtmp://127.0.0.1:$(port)/live/p/in"; out="rtmp://127.0.0.1:$(port)/live/p/out"
  ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 -i "$work/src.flv" -c copy -f flv -listen 1 "$in" &
  ffmpeg -hide_banner -loglevel error -nostdin -listen 1 -i "$out" -c copy -f null - &
  # both listen before the middle connects: the ffmpeg CLI does not retry (a test connection would take their one accept)
  local p
  for p in "${in#rtmp://127.0.0.1:}" "${out#rtmp://127.0.0.1:}"; do
    p=${p%%/*}
    local listening=""
    for _ in $(seq 100); do
      if ss -ltn "sport = :$p" | grep LISTEN >/dev/null; then listening=1; break; fi
      sleep 0.1
    done
    [[ -n $listening ]] || { echo "bench/profile-worker.sh: nothing listens on port $p after 10 s" >&2; exit 1; }
  done
  local args=()
  for a in "$@"; do a=${a//\{in\}/$in}; args+=("${a//\{out\}/$out}"); done
  "${args[@]}" >"$work/middle.log" 2>&1 &
  local pid=$!
  sleep 10 # open, probe and warm-up
  if [[ $name == worker* ]]; then
    pid=$(pgrep -f "WorkerMain run --stream profile" || true)
    pid=${pid%%$'\n'*}
    [[ -n $pid ]] || { echo "bench/profile-worker.sh: the worker did not start:" >&2; cat "$work/middle.log" >&2; exit 1; }
  fi
  kill -0 "$pid" 2>/dev/null || { echo "bench/profile-worker.sh: $name ended early:" >&2; cat "$work/middle.log" >&2; exit 1; }
  read -r u1 s1 < <(ticks "$pid")
  local t1=$EPOCHREALTIME
  if [[ $name == worker ]] && command -v perf >/dev/null && perf record -e cpu-clock -F 499 -p "$pid" -o "$work/w.perf" \
      -- sleep "$secs" >/dev/null 2>&1; then :; else sleep "$secs"; fi
  read -r u2 s2 < <(ticks "$pid")
  local t2=$EPOCHREALTIME # the window as it was (perf's start and end take time of their own)
  if [[ $name != *jfr ]]; then
    echo "| $name | $((u2 - u1)) | $((s2 - s1)) | $(awk -v t=$((u2 - u1 + s2 - s1)) -v a="$t1" -v b="$t2" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "%.2f", 100 * t / hz / (b - a)}') |"
  fi
  kill "$pid" 2>/dev/null || true
  pkill -P $$ ffmpeg 2>/dev/null || true
  wait 2>/dev/null || true
}

echo "| in the middle | user ticks | system ticks | CPU % of one core |"
echo "|---|---|---|---|"
# the flags the orchestrator gives each worker process (ProcessLauncher.DEFAULT_JVM_OPTIONS), as WorkerCostBench runs them
opts="-XX:+UseSerialGC -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData \
-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"
MTX_WORKER_JAVA_OPTS=$opts run_middle worker "$worker" run --stream profile --input-url '{in}' --output-url '{out}'
run_middle "ffmpeg -c copy (Debian's)" ffmpeg -hide_banner -loglevel error -nostdin -i '{in}' -c copy -f flv '{out}'
# JFR in a run of its own: its sampling would count in the worker's ticks and in perf's libjvm share
MTX_WORKER_JAVA_OPTS="$opts -XX:StartFlightRecording=filename=$work/w.jfr,settings=profile,delay=10s" \
  run_middle worker-jfr "$worker" run --stream profile --input-url '{in}' --output-url '{out}'
echo
if [[ -s $work/w.jfr ]] && command -v jfr >/dev/null; then
  echo "JFR (worker): $(jfr summary "$work/w.jfr" | awk '$1 == "jdk.ExecutionSample" {e=$2} $1 == "jdk.NativeMethodSample" {n=$2}
    $1 == "jdk.GarbageCollection" {g=$2} END {printf "%d Java execution samples, %d native-method samples, %d GCs", e, n, g}')."
  echo "Native-method samples by Java frame:"
  { jfr print --events jdk.NativeMethodSample "$work/w.jfr" | grep -A1 "stackTrace = \[" | grep -v "stackTrace\|^--" \
    | sed 's/line:.*//; s/^ *//' | sort | uniq -c | sort -rn | head -3; } || true
fi
if [[ -s $work/w.perf ]]; then
  echo "perf (worker, cpu-clock at 499 Hz), share by library:"
  { perf report -i "$work/w.perf" --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -10; } || true
fi
