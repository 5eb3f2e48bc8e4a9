#!/usr/bin/env bash
# Finds or builds the pinned MediaMTX and prints the binary's absolute path as the last line of stdout.
#
# Resolution order (the first that yields a binary wins):
#   1. $MEDIAMTX_BIN
#   2. `mediamtx` on PATH, if it reports an accepted version (VERSIONS)
#   3. a cached build: ${XDG_CACHE_HOME:-~/.cache}/mtx-toolkit/mediamtx/<version>/mediamtx
#   4. a build from the Go module proxy (go + npm needed), for each accepted version in order
#   5. the official release archive (needs internet access to github.com)
#
# Exit codes: 0 found; 2 bad usage or MEDIAMTX_BIN not executable; 3 no source could provide an
# accepted version (see the messages); 4 the module proxy served a version but building it failed,
# and no later source helped.
set -euo pipefail
# An exported CDPATH makes `cd` print the directory, and $(cd … && pwd) then returns two lines.
unset CDPATH

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# The pin, and the only fall-backs we accept if the module proxy refuses it (issue #2).
# (`|| ((…))`: read answers 1 at a last line without its newline, which set -e would take for a failure)
read -r -a versions < "$here/VERSIONS" || ((${#versions[@]}))
pinned=${MEDIAMTX_VERSION:-${versions[0]}}
[[ -n "${MEDIAMTX_VERSION:-}" ]] && versions=("$MEDIAMTX_VERSION")
cache_root=${MTX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mtx-toolkit}/mediamtx

log() { printf 'install-mediamtx: %s\n' "$*" >&2; }
# Scratch directories go with the script however it ends, Ctrl-C included (a build's holds MediaMTX's source).
scratch=()
trap 'rm -rf ${scratch[@]+"${scratch[@]}"}' EXIT # found and every failure end in exit: this is the one clean-up
trap 'exit 130' INT
trap 'exit 143' TERM
found() { log "using $1 (MediaMTX $2, $3)"; printf '%s\n' "$1"; exit 0; }

version_of() { { "$1" --version 2>/dev/null || true; } | sed -n 1p | tr -d '[:space:]'; } # a binary that fails to run has no version

case "${1:-}" in
  "") ;;
  --print-versions) printf '%s\n' "${versions[@]}"; exit 0 ;;
  *) log "usage: install.sh [--print-versions]"; exit 2 ;;
esac

# 1. explicit binary
if [[ -n "${MEDIAMTX_BIN:-}" ]]; then
  if [[ -x "$MEDIAMTX_BIN" && -f "$MEDIAMTX_BIN" ]]; then
    bin=$(cd "$(dirname "$MEDIAMTX_BIN")" && pwd -P)/$(basename "$MEDIAMTX_BIN")
    found "$bin" "$(version_of "$bin")" "from MEDIAMTX_BIN"
  fi
  log "MEDIAMTX_BIN=$MEDIAMTX_BIN is not an executable file"
  exit 2
fi

# 2. PATH, only at an accepted version: tests and docs are pinned to it
if bin=$(command -v mediamtx 2>/dev/null); then
  v=$(version_of "$bin")
  for want in "${versions[@]}"; do
    [[ "$v" == "$want" ]] && found "$(readlink -f "$bin")" "$v" "from PATH"
  done
  log "ignoring $bin on PATH: it reports '${v:-no version}', not one of ${versions[*]}"
fi

# 3. cache, where each binary must still report its version: a home directory shared with a machine of
# another architecture holds binaries that cannot run here
for want in "${versions[@]}"; do
  if [[ -x "$cache_root/$want/mediamtx" ]]; then
    v=$(version_of "$cache_root/$want/mediamtx")
    [[ "$v" != "$want" ]] || found "$cache_root/$want/mediamtx" "$want" "cached build"
    log "ignoring $cache_root/$want/mediamtx: it reports '${v:-no version}', not $want"
  fi
done

refusals=()

go_wanted() { sed -n 's/^go \([0-9][0-9.]*\).*/\1/p' "$1" | head -n 1; } # go.mod → the Go it needs
# True when this Go can build a module whose go.mod is $1: new enough, or (1.21+, GOTOOLCHAIN not local) able to
# fetch the toolchain it names from the module proxy itself.
go_is_enough() {
  local want have
  want=$(go_wanted "$1"); have=$(go env GOVERSION 2>/dev/null); have=${have#go}
  [[ -n $want && -n $have ]] || return 0
  at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; } # $1 >= $2
  at_least "$have" "$want" && return 0
  at_least "$have" 1.21 || return 1
  case "$(go env GOTOOLCHAIN 2>/dev/null)" in local|path|*+path) return 1 ;; esac # these never download one
}

# 4. build from the Go module proxy
build_from_module_proxy() {
  local want=$1 work modjson moddir hlsver src
  work=$(mktemp -d)
  scratch+=("$work")
  trap 'rm -rf "$work"' RETURN
  (cd "$work" && go mod init mtx-toolkit.local/fetch >/dev/null 2>&1)
  modjson=$(cd "$work" && GOFLAGS=-modcacherw go mod download -json "github.com/bluenviron/mediamtx@$want" 2>&1) || true
  moddir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$modjson")
  if [[ -z "$moddir" || ! -d "$moddir" ]]; then
    refusals+=("go mod download github.com/bluenviron/mediamtx@$want: $(sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$modjson" | head -n 1)")
    log "module proxy: $want not available"
    return 3
  fi
  if ! go_is_enough "$moddir/go.mod"; then
    refusals+=("module proxy build of $want: $(go env GOVERSION 2>/dev/null) is older than the Go $(go_wanted "$moddir/go.mod") it needs, and cannot fetch a newer one (Go before 1.21, or GOTOOLCHAIN=local)")
    log "module proxy: got $want, but this Go is too old to build it"
    return 3
  fi
  log "module proxy: got $want, building (CGO_ENABLED=0)"
  src=$work/src
  cp -R "$moddir" "$src"
  chmod -R u+w "$src"
  # Files MediaMTX generates before a release build are not part of the module archive.
  printf '%s' "$want" > "$src/internal/core/VERSION"
  hlsver=$(tr -d '[:space:]' < "$src/internal/servers/hls/hlsjsdownloader/VERSION")
  hlsver=${hlsver#v}
  if ! command -v npm >/dev/null 2>&1; then
    log "npm is needed to fetch hls.js@$hlsver for the build"; return 4
  fi
  (cd "$work" && npm pack --silent "hls.js@$hlsver" >/dev/null 2>"$work/npm.log") || { cat "$work/npm.log" >&2; return 4; }
  tar -xzf "$work"/hls.js-*.tgz -C "$work" package/dist/hls.min.js
  cp "$work/package/dist/hls.min.js" "$src/internal/servers/hls/hls.min.js"
  mkdir -p "$cache_root/$want"
  # a name of this process's own: two first runs at once (make test, make dev) must not rename each other's file
  scratch+=("$cache_root/$want/mediamtx.tmp.$$")
  if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-modcacherw go build -trimpath -o "$cache_root/$want/mediamtx.tmp.$$" .) >&2; then
    log "go build of MediaMTX $want failed"; return 4
  fi
  mv -f "$cache_root/$want/mediamtx.tmp.$$" "$cache_root/$want/mediamtx"
  found "$cache_root/$want/mediamtx" "$want" "built from the Go module proxy"
}

build_failed=""
case "$(uname -s)/$(uname -m)" in
  # On Linux ARM, MediaMTX embeds Raspberry Pi camera support that its release build downloads
  # first (go:embed mtxrpicam_*); the module archive lacks it, so a plain go build cannot work.
  Linux/aarch64|Linux/arm64|Linux/armv*) refusals+=("module proxy build: not on $(uname -m) (needs MediaMTX's generated camera files)") ;;
  *)
    if command -v go >/dev/null 2>&1; then
      for want in "${versions[@]}"; do
        rc=0; build_from_module_proxy "$want" || rc=$?
        # A version the proxy served but that did not build is not replaced by a fall-back version.
        if [[ $rc == 4 ]]; then build_failed=$want; refusals+=("module proxy build of $want failed (messages above)"); break; fi
      done
    else
      refusals+=("go: not installed")
    fi ;;
esac

# 5. official release archive
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) asset=linux_amd64 ;;
  Linux/aarch64) asset=linux_arm64 ;;
  Linux/armv7l) asset=linux_armv7 ;;
  Linux/armv6l) asset=linux_armv6 ;;
  Darwin/x86_64) asset=darwin_amd64 ;;
  Darwin/arm64) asset=darwin_arm64 ;;
  *) asset="" ;;
esac
if [[ -n "$asset" ]] && command -v curl >/dev/null 2>&1; then
  url="https://github.com/bluenviron/mediamtx/releases/download/$pinned/mediamtx_${pinned}_${asset}.tar.gz"
  tmp=$(mktemp -d)
  scratch+=("$tmp")
  if ! curl -fsSL --connect-timeout 10 --max-time 120 -o "$tmp/m.tgz" "$url" 2>"$tmp/err"; then
    why=$(head -n 1 "$tmp/err")
  elif ! tar -xzf "$tmp/m.tgz" -C "$tmp" mediamtx 2>"$tmp/err"; then
    # e.g. a proxy's or captive portal's page served as 200: no MediaMTX here, like any other refusal
    why="not a MediaMTX release archive: $(head -n 1 "$tmp/err")"
  else
    mkdir -p "$cache_root/$pinned"
    # Copied beside its final name first: a rename within the cache is atomic, a move from $tmp may not be.
    scratch+=("$cache_root/$pinned/mediamtx.tmp.$$")
    cp "$tmp/mediamtx" "$cache_root/$pinned/mediamtx.tmp.$$"
    mv -f "$cache_root/$pinned/mediamtx.tmp.$$" "$cache_root/$pinned/mediamtx"
    found "$cache_root/$pinned/mediamtx" "$pinned" "official release download"
  fi
  refusals+=("release download $url: $why")
elif [[ -n "$asset" ]]; then
  refusals+=("release download: curl is not installed")
fi

log "no source could provide MediaMTX ${versions[*]}:"
for r in "${refusals[@]}"; do log "  - $r"; done
log "set MEDIAMTX_BIN to a MediaMTX ${pinned} binary, or put one on PATH"
[[ -z $build_failed ]] || exit 4
exit 3
