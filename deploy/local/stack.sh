#!/usr/bin/env bash
# The dev stack behind `make dev|logs|down|ps`: Docker Compose when a Docker engine answers, otherwise the
# same services as local processes (MediaMTX from deploy/mediamtx/install.sh + the orchestrator), with
# logs and pids under run/. MTX_DEV_MODE=docker|local forces a mode.
#
# Exit codes: 0 ok; 2 usage, nothing built or a tool missing; 3 MediaMTX unavailable; 4 a port is in use;
# 5 not healthy in time (or a service exited while starting). `make` reports any of them as its own exit 2.
set -uo pipefail
# An exported CDPATH makes `cd` print the directory, and $(cd … && pwd) then returns two lines.
unset CDPATH
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)
compose_file="$root/deploy/docker-compose.yml"
# deploy/.env (copied from .env.example) moves ports here as it does for Compose; exported variables win.
# Read as Compose reads it: a quoted value is taken as quoted; an unquoted one ends at " #" and is trimmed.
if [[ -f "$root/deploy/.env" ]]; then
  while IFS= read -r line || [[ -n $line ]]; do # the last line may lack its newline
    [[ $line == *=* ]] || continue
    # split at the first "=" only: read would drop a value's last "=", which ends many base64 secrets
    key=${line%%=*} value=${line#*=}
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ && -z "${!key+set}" ]] || continue
    value=${value#"${value%%[![:space:]]*}"}
    if [[ $value =~ ^\"([^\"]*)\" || $value =~ ^\'([^\']*)\' ]]; then
      value=${BASH_REMATCH[1]}
    else
      value=${value%%[[:space:]]#*}
      value=${value%"${value##*[![:space:]]}"}
    fi
    export "$key=$value"
  done < "$root/deploy/.env"
fi
run="${MTX_RUN_DIR:-$root/run}"

# name:variable:default:proto — every port the stack binds, and the variable that moves it.
ports=(
  "RTMP:MTX_RTMP_PORT:1935:tcp" "RTSP:MTX_RTSP_PORT:8554:tcp" "HLS:MTX_HLS_PORT:8888:tcp"
  "WebRTC:MTX_WEBRTC_PORT:8889:tcp" "WebRTC ICE:MTX_WEBRTC_UDP_PORT:8189:udp" "playback:MTX_PLAYBACK_PORT:9996:tcp"
  "API:MTX_API_PORT:9997:tcp" "metrics:MTX_METRICS_PORT:9998:tcp" "orchestrator:ORCHESTRATOR_PORT:8080:tcp"
)
port_of() { local var=$1 def=$2; printf '%s' "${!var:-$def}"; }
say() { printf 'make %s: %s\n' "$cmd" "$*"; }
die() { local code=$1; shift; printf 'make %s: %s\n' "$cmd" "$*" >&2; exit "$code"; }

mode() {
  case "${MTX_DEV_MODE:-auto}" in
    docker|local) printf '%s' "$MTX_DEV_MODE" ;;
    # A stack started as local processes stays local (down, ps, logs) even once a Docker engine answers; a pid
    # file that a reboot or a crash left behind does not: it names nothing running.
    auto) if local_present; then printf local
          elif command -v docker >/dev/null 2>&1 && bounded 5 docker info >/dev/null 2>&1; then printf docker
          else printf local; fi ;;
  esac
}

# `timeout cmd`, also where timeout(1) is missing (macOS): a Docker engine that hangs must not hang make.
bounded() { # seconds, command…
  if command -v timeout >/dev/null 2>&1; then timeout "$@"; return; fi
  local secs=$1 pid watchdog rc; shift
  "$@" & pid=$!
  { sleep "$secs"; kill "$pid"; } >/dev/null 2>&1 & watchdog=$!
  wait "$pid"; rc=$?
  kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
  return "$rc"
}

compose_v2() { docker compose version >/dev/null 2>&1; }
# A project name of its own: by default Compose names the project after the file's folder ("deploy"), which another
# checkout, or another project's deploy/, would share: its containers recreated by make dev, stopped by make down.
compose_project=mtx-toolkit
compose() {
  if compose_v2; then docker compose -p "$compose_project" -f "$compose_file" "$@"
  else docker-compose -p "$compose_project" -f "$compose_file" "$@"; fi
}

# Build the images (as long as that takes), then start and wait for the health checks, the same 30 s as local mode.
# Compose v1 (Debian 12's docker-compose) has no `up --wait`: poll.
compose_up() {
  compose build || die 2 "docker compose build failed (messages above)"
  # `up --wait-timeout` came with Compose v2.17; an older v2 waits without a bound of its own, so it is polled too
  if compose_v2 && docker compose up --help 2>/dev/null | grep -q -- --wait-timeout; then
    compose up -d --wait --wait-timeout 30
    return
  fi
  compose up -d || return
  local deadline=$(( $(date +%s) + 30 )) ids states
  while :; do
    ids=$(compose ps -q) && [[ -n $ids ]] || return 1
    # shellcheck disable=SC2086 # one container id per word
    states=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' $ids) || return 1
    grep -qvx -e healthy -e running <<<"$states" || return 0
    ! grep -qx -e unhealthy -e exited -e dead <<<"$states" || return 1
    (( $(date +%s) < deadline )) || return 1
    sleep 1
  done
}

need() { # command, Debian package
  command -v "$1" >/dev/null 2>&1 || die 2 "$1 is needed (Debian package $2)"
}

# Who holds a port, when the system can tell.
holder() {
  local port=$1 proto=$2 flag=-ltnp
  if ! command -v ss >/dev/null 2>&1; then
    lsof_listeners "$port" "$proto" | awk 'NR == 2 { print $1 ",pid=" $2 }'
    return
  fi
  [[ $proto == udp ]] && flag=-lunp
  ss $flag "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -n 1 | tr -d '"'
}

# lsof where ss is missing (macOS): the listeners on a port, a header line first when there are any.
lsof_listeners() {
  if [[ $2 == udp ]]; then lsof -nP -iUDP:"$1" 2>/dev/null; else lsof -nP -iTCP:"$1" -sTCP:LISTEN 2>/dev/null; fi
}

port_busy() {
  local port=$1 proto=$2 flag=-ltn
  if ! command -v ss >/dev/null 2>&1; then
    [[ -n "$(lsof_listeners "$port" "$proto")" ]]
    return
  fi
  [[ $proto == udp ]] && flag=-lun
  [[ -n "$(ss -H $flag "sport = :$port" 2>/dev/null)" ]]
}

# ss (Linux) or lsof (macOS): without either every port would look free.
have_port_tool() { command -v ss >/dev/null 2>&1 || command -v lsof >/dev/null 2>&1; }

check_ports() {
  local entry name var def proto port who other taken=""
  for entry in "${ports[@]}"; do
    IFS=: read -r name var def proto <<<"$entry"
    port=$(port_of "$var" "$def")
    # two of the stack's own services on one port: the second would die at its bind, as "a service exited"
    other=$(awk -v k="$port/$proto" '$1 == k { print $2; exit }' <<<"$taken")
    [[ -z $other ]] || die 4 "$var and $other both name port $port/$proto; give each its own"
    taken+="$port/$proto $var"$'\n'
  done
  if ! have_port_tool; then
    [[ $m == docker ]] || die 2 "ss is needed (Debian package iproute2), or lsof"
    say "cannot check the ports first (neither ss nor lsof); Docker reports a port that is taken"
    return
  fi
  for entry in "${ports[@]}"; do
    IFS=: read -r name var def proto <<<"$entry"
    port=$(port_of "$var" "$def")
    if port_busy "$port" "$proto"; then
      who=$(holder "$port" "$proto")
      die 4 "port $port/$proto ($name) is already in use${who:+ by $who}; free it or choose another with $var=<port>"
    fi
  done
}

urls() {
  local h=localhost
  say "RTMP      rtmp://$h:$(port_of MTX_RTMP_PORT 1935)/live/<id>/in"
  say "RTSP      rtsp://$h:$(port_of MTX_RTSP_PORT 8554)/live/<id>/in   (…/out: the worker's output)"
  say "API       http://$h:$(port_of MTX_API_PORT 9997)/v3/paths/list"
  say "metrics   http://$h:$(port_of MTX_METRICS_PORT 9998)/metrics"
  say "playback  http://$h:$(port_of MTX_PLAYBACK_PORT 9996)"
  say "orchestrator http://$h:$(port_of ORCHESTRATOR_PORT 8080)/v1/streams"
  say "status    http://$h:$(port_of ORCHESTRATOR_PORT 8080)/"
  if [[ $m == docker ]]; then
    # the host has no build in Docker mode (no JDK needed): the test kit is not there, FFmpeg may be
    say "try:      ffmpeg -re -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=48000 -c:v libx264" \
      "-preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 25 -c:a aac -ar 48000 -f flv rtmp://$h:$(port_of MTX_RTMP_PORT 1935)/live/test/in"
  else
    say "try:      mtx-testkit/target/dist/bin/mtx-testkit publish --url rtmp://$h:$(port_of MTX_RTMP_PORT 1935)/live/test/in"
  fi
}

# A pid file holds "pid start-time boot-id" (start time: /proc/<pid>/stat field 22, in ticks since boot): a
# pid the system reused after a reboot or a crash has another start time or boot, and is not ours to
# report or to stop.
# A zombie (state Z) is dead: once make dev has returned, a service that exits waits for PID 1 to reap it, and in a
# container whose PID 1 never reaps it would count as running for ever.
start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '$1 != "Z" {print $20}'; }
boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown; }
record_pid() { echo "$2 $(start_time "$2") $(boot_id)" > "$run/$1.pid"; }
live_pid() { # service → its pid when the pid file names a process that is still that process
  local pid started boot
  [[ -f "$run/$1.pid" ]] || return 1
  read -r pid started boot < "$run/$1.pid" || true
  # A file from before boot ids were recorded has none: the start time alone decides, as it did then.
  [[ -n ${pid:-} && -n ${started:-} && ( -z ${boot:-} || $boot == "$(boot_id)" ) && "$(start_time "$pid")" == "$started" ]] \
    && echo "$pid"
}

# The session a service that died left running (its workers, hooks): its pid when the pid file names a service of
# this boot whose process is gone while its session lives. Linux does not reuse a pid that is still a session's id
# within one boot; after a reboot the same number may be anyone's session.
orphan_session() {
  local pid boot
  [[ -f "$run/$1.pid" ]] || return 1
  read -r pid _ boot < "$run/$1.pid" || true
  # gone, or a zombie nobody reaps: dead either way (start_time is empty for both)
  [[ ${pid:-} =~ ^[0-9]+$ ]] && (( pid > 1 )) && [[ ${boot:-} == "$(boot_id)" && -z "$(start_time "$pid")" ]] \
    && session_alive "$pid" && echo "$pid"
}

# A local stack, or what its dead services left running, belongs to this run directory.
local_present() {
  local svc
  for svc in mediamtx orchestrator; do
    live_pid "$svc" >/dev/null && return 0
    orphan_session "$svc" >/dev/null && return 0
  done
  return 1
}

await_http() { # url, deadline (epoch s): 0 answered, 1 too late, 2 a service exited
  until curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null; do
    live_pid mediamtx >/dev/null && live_pid orchestrator >/dev/null || return 2
    (( $(date +%s) < $2 )) || return 1
    sleep 0.2
  done
}

# One make dev at a time per run directory: two would both pass the checks below, and the second's services
# would be left running with no pid file. flock(1) (util-linux, as setsid): the kernel drops the lock when this
# script ends however it ends, so none is ever left behind. The services must not inherit it (9>&- below).
claim_start() {
  mkdir -p "$run"
  exec 9>"$run/starting.lock"
  flock -n 9 || die 2 "another make dev is starting this stack ($run)"
}

local_up() {
  local built_hook="$root/mtx-hook-cli/target/dist" built_orch="$root/mtx-orchestrator/target/dist"
  # the tools first: a missing one should not cost a build
  # Pid files are checked against /proc (start time, boot id), and services get sessions of their own (setsid).
  [[ -r /proc/self/stat ]] || die 2 "local mode needs Linux (/proc, setsid, flock); on $(uname -s), start a Docker engine and make dev uses Compose"
  need setsid util-linux
  need pkill procps
  need curl curl
  need flock util-linux
  have_port_tool || die 2 "ss is needed (Debian package iproute2), or lsof"
  claim_start
  # the quick refusals first: a build or a MediaMTX compile that ends in "already running" or "no MediaMTX" is minutes lost
  if live_pid mediamtx >/dev/null || live_pid orchestrator >/dev/null; then
    die 2 "the local stack is already running (make ps; make down to stop it)"
  fi
  check_ports
  local bin rc
  # install.sh's messages go straight through: a first build of MediaMTX from source takes minutes, and silence
  # would look like a hang
  bin=$("$root/deploy/mediamtx/install.sh" | tail -n 1); rc=${PIPESTATUS[0]}
  if [[ $rc != 0 ]]; then
    die 3 "no MediaMTX binary (deploy/mediamtx/install.sh exit $rc); set MEDIAMTX_BIN to one"
  fi
  if [[ ! -x $built_hook/bin/mtx-hook || ! -x $built_orch/bin/mtx-orchestrator ]]; then
    say "first run: building the launchers (mvn package -DskipTests)"
    # shellcheck disable=SC2086 # MVN is a command with its flags, as the Makefile passes it
    (cd "$root" && ${MVN:-mvn} -q package -DskipTests) || die 2 "the build failed; run make build to see why"
  fi
  # again, last before the services start: a port taken while MediaMTX compiled or the build ran is still named
  check_ports
  { echo "mediamtx $(service_ports mediamtx)"; echo "orchestrator $(service_ports orchestrator)"; } > "$run/ports"
  # The services run from a copy: a build while they run (make test) empties target/dist, and a hook MediaMTX
  # starts then, or a worker the orchestrator launches then, would find no jars.
  local dist="$run/dist"
  if ! { rm -rf "$dist" && mkdir -p "$dist" && cp -a "$built_hook" "$dist/hook" && cp -a "$built_orch" "$dist/orchestrator"; }; then
    die 2 "cannot copy the launchers into $dist"
  fi
  local hook="$dist/hook/bin/mtx-hook" orch="$dist/orchestrator/bin/mtx-orchestrator"
  # The hook's class-data archive names the jars' paths it was made for, and Java 17-19 ignore it elsewhere: the
  # copy gets an archive of its own. An AOT cache (Java 25+), or a training run's leftovers, the copy makes afresh.
  rm -rf "$dist"/hook/lib/*.aot "$dist"/hook/lib/*.aot.lock "$dist"/hook/lib/*.aot.*.tmp
  MTX_HOOK_CDS_ARCHIVE="make" "$hook" >/dev/null 2>&1 \
    || say "could not make the hook's class-data archive; hooks start without it, more slowly"
  mkdir -p "$run/logs"
  local deadline=$(( $(date +%s) + 30 ))
  say "mode: local processes (no Docker engine answered, or MTX_DEV_MODE=local); logs and pids in $run"
  ORCHESTRATOR_PORT=$(port_of ORCHESTRATOR_PORT 8080) MEDIAMTX_HOST=127.0.0.1 \
    MEDIAMTX_API_URL="http://127.0.0.1:$(port_of MTX_API_PORT 9997)" \
    MEDIAMTX_RTSP_PORT=$(port_of MTX_RTSP_PORT 8554) MEDIAMTX_RTMP_PORT=$(port_of MTX_RTMP_PORT 1935) \
    MEDIAMTX_HLS_PORT=$(port_of MTX_HLS_PORT 8888) MEDIAMTX_WEBRTC_PORT=$(port_of MTX_WEBRTC_PORT 8889) \
    setsid "$orch" >"$run/logs/orchestrator.log" 2>&1 < /dev/null 9>&- &
  record_pid orchestrator $!
  # Interrupted while starting (Ctrl-C): stop what was started rather than leave it running.
  trap 'local_down >/dev/null; exit 130' INT TERM
  # MediaMTX reads MTX_<KEY> variables as overrides of its configuration keys: only the ports move. TZ=UTC: its
  # timestamps in the same zone as every other service's (it writes local time), as in its container.
  TZ=UTC PATH="$(dirname "$hook"):$PATH" ORCHESTRATOR_URL="http://127.0.0.1:$(port_of ORCHESTRATOR_PORT 8080)" \
    MTX_RTMPADDRESS=":$(port_of MTX_RTMP_PORT 1935)" MTX_RTSPADDRESS=":$(port_of MTX_RTSP_PORT 8554)" \
    MTX_HLSADDRESS=":$(port_of MTX_HLS_PORT 8888)" MTX_WEBRTCADDRESS=":$(port_of MTX_WEBRTC_PORT 8889)" \
    MTX_WEBRTCLOCALUDPADDRESS=":$(port_of MTX_WEBRTC_UDP_PORT 8189)" MTX_PLAYBACKADDRESS=":$(port_of MTX_PLAYBACK_PORT 9996)" \
    MTX_APIADDRESS=":$(port_of MTX_API_PORT 9997)" MTX_METRICSADDRESS=":$(port_of MTX_METRICS_PORT 9998)" \
    setsid "$bin" "$root/deploy/mediamtx/mediamtx.yml" >"$run/logs/mediamtx.log" 2>&1 < /dev/null 9>&- &
  record_pid mediamtx $!
  local health=0
  await_http "http://127.0.0.1:$(port_of ORCHESTRATOR_PORT 8080)/healthz" "$deadline" \
    && await_http "http://127.0.0.1:$(port_of MTX_API_PORT 9997)/v3/paths/list" "$deadline" || health=$?
  if (( health != 0 )); then
    tail -n 20 "$run"/logs/*.log >&2
    local_down >/dev/null
    trap - INT TERM
    (( health == 2 )) && die 5 "a service exited while starting (logs above); stopped the stack"
    die 5 "the stack was not healthy within 30 s (logs above); stopped it again"
  fi
  trap - INT TERM
  say "healthy: mediamtx (pid $(live_pid mediamtx)), orchestrator (pid $(live_pid orchestrator))"
  urls
}

# Each service leads its own session (setsid). Its hooks (MediaMTX puts each in a process group of its
# own) and workers stay in that session, so the session, not the group, is what is stopped.
# (awk reads all of ps's output: grep -q would stop early, and ps's SIGPIPE would fail the pipeline under pipefail)
session_alive() { ps -o stat= -s "$1" 2>/dev/null | awk '$1 !~ /^Z/ { n++ } END { exit !n }'; }
stop_session() { # pid, deadline (epoch s): SIGTERM, then SIGKILL for what remains at the deadline
  pkill -TERM -s "$1" 2>/dev/null || true
  while session_alive "$1" && (( $(date +%s) < $2 )); do sleep 0.1; done
}

local_down() {
  local svc pid start
  start=$(date +%s)
  need pkill procps
  local -A pids=()
  for svc in mediamtx orchestrator; do
    if pid=$(live_pid "$svc"); then
      pids[$svc]=$pid
    elif [[ -f "$run/$svc.pid" ]]; then
      # The service itself died (kill -9, out of memory) but its session lives on in its children.
      if pid=$(orphan_session "$svc"); then
        say "$svc exited, but processes it started are still running; stopping them"
        pids[$svc]=$pid
      else
        say "$svc: $run/$svc.pid names no process of this stack any more; removed it"
        rm -f "$run/$svc.pid"
      fi
    fi
  done
  # MediaMTX first, so its last not-ready hooks still find the orchestrator; 10 s in all.
  [[ -n ${pids[mediamtx]:-} ]] && stop_session "${pids[mediamtx]}" $(( start + 4 ))
  [[ -n ${pids[orchestrator]:-} ]] && stop_session "${pids[orchestrator]}" $(( start + 9 ))
  for svc in mediamtx orchestrator; do
    pid=${pids[$svc]:-}
    [[ -n $pid ]] || continue
    if session_alive "$pid"; then
      pkill -KILL -s "$pid" 2>/dev/null || true
      stop_session "$pid" $(( $(date +%s) + 1 ))
    fi
    rm -f "$run/$svc.pid"
    say "stopped $svc"
  done
}

# The ports a service listens on, from this shell's variables.
service_ports() {
  if [[ $1 == orchestrator ]]; then
    echo "$(port_of ORCHESTRATOR_PORT 8080)/tcp"
  else
    echo "$(port_of MTX_RTMP_PORT 1935),$(port_of MTX_RTSP_PORT 8554),$(port_of MTX_HLS_PORT 8888),$(
      port_of MTX_WEBRTC_PORT 8889),$(port_of MTX_PLAYBACK_PORT 9996),$(port_of MTX_API_PORT 9997),$(
      port_of MTX_METRICS_PORT 9998)/tcp $(port_of MTX_WEBRTC_UDP_PORT 8189)/udp"
  fi
}

local_ps() {
  local svc pid state live ports
  printf '%-13s %-8s %-8s %s\n' SERVICE STATE PID PORTS
  for svc in mediamtx orchestrator; do
    pid=-; state=stopped
    if live=$(live_pid "$svc"); then
      pid=$live; state=running
    elif [[ -f "$run/$svc.pid" ]]; then
      state=exited
    fi
    # the ports the stack was started with (make dev in another shell may have set other variables), else this shell's
    ports=""
    [[ $state == stopped ]] || ports=$(awk -v s="$svc" '$1 == s { sub(/^[^ ]+ /, ""); print; exit }' "$run/ports" 2>/dev/null || true)
    printf '%-13s %-8s %-8s %s\n' "$svc" "$state" "$pid" "${ports:-$(service_ports "$svc")}"
  done
}

local_logs() {
  ls "$run"/logs/*.log >/dev/null 2>&1 || die 2 "no logs yet (make dev first)"
  local follow=-F
  [[ "${MTX_LOGS_FOLLOW:-1}" == 0 ]] && follow=""
  tail -n 100 $follow "$run"/logs/*.log | awk '/^==> / {sub(/^==> /, ""); sub(/ <==$/, ""); n = split($0, p, "/"); svc = p[n]; sub(/\.log$/, "", svc); next}
    NF {printf "%-12s | %s\n", svc, $0; fflush()}'
}

cmd=${1:-}
case "$cmd" in
  dev|down|ps|logs) ;;
  *) echo "usage: deploy/local/stack.sh dev|down|ps|logs" >&2; exit 2 ;;
esac
case "${MTX_DEV_MODE:-auto}" in
  docker|local|auto) ;;
  *) die 2 "MTX_DEV_MODE must be docker, local or auto, not '$MTX_DEV_MODE'" ;;
esac
m=$(mode)
if [[ $m == docker ]]; then
  compose_v2 || command -v docker-compose >/dev/null 2>&1 \
    || die 2 "Docker Compose is needed: the docker compose plugin, or docker-compose (Debian package docker-compose); or run the stack as local processes: MTX_DEV_MODE=local"
  case "$cmd" in
    dev) say "mode: docker compose ($compose_file)"
         # our own running containers hold the ports: only a first start checks them
         [[ -n "$(compose ps -q 2>/dev/null)" ]] || check_ports
         if ! compose_up; then
           compose logs --tail 20 >&2 || true
           compose down --timeout 10 >/dev/null 2>&1 || true
           die 5 "docker compose up failed, or the stack did not become healthy (logs above); stopped it again"
         fi
         urls ;;
    down) compose down --timeout 10 ;;
    ps) compose ps ;;
    logs) if [[ "${MTX_LOGS_FOLLOW:-1}" == 0 ]]; then compose logs; else compose logs -f; fi ;;
  esac
  exit
fi
mkdir -p "$run"
case "$cmd" in
  dev) local_up ;;
  down) local_down ;;
  ps) local_ps ;;
  logs) local_logs ;;
esac
