#!/usr/bin/env bash
# `make test`: provisions the pinned MediaMTX, then runs every module's tests and the coverage gate.
#
# Tests that need a real MediaMTX carry @Tag("mediamtx"). They run whenever install.sh yields a binary.
# When install.sh exits 3 (no source can provide an accepted MediaMTX version on this machine; see
# issue #2) and a Docker engine answers on a Linux host, the tests copy the pinned binary out of the
# official image through Testcontainers (mtx-testkit's OfficialImage; MEDIAMTX_FROM_IMAGE=0 switches that
# off). Otherwise they are excluded — loudly, with the reason — and everything else still runs. Any other
# provisioning failure fails the run. MTX_REQUIRE_MEDIAMTX=1 turns the exclusion into a failure.
set -uo pipefail
# An exported CDPATH makes `cd` print the directory, and $(cd … && pwd) then returns two lines.
unset CDPATH
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root" || exit 2

# Leaves the mediamtx-tagged tests out of this run, loudly.
exclude_mediamtx_tests() {
  cat >&2 <<'BANNER'
################################################################################
#  MediaMTX NOT AVAILABLE: tests tagged "mediamtx" are EXCLUDED from this run. #
#  install.sh could not obtain an accepted MediaMTX version (reasons above).   #
#  Set MEDIAMTX_BIN to a MediaMTX binary, or start a Docker engine (Linux), to #
#  run them. Tracked in issue #2.                                              #
################################################################################
BANNER
  extra+=("-Dtest.excludedGroups=bench,mediamtx")
  # For .ci/run's closing line.
  echo "tests tagged mediamtx excluded: no MediaMTX (install.sh exit 3)" > target/test-excluded.txt
}

out=$(deploy/mediamtx/install.sh)
rc=$?
extra=()
mkdir -p target
rm -f target/test-excluded.txt
case $rc in
  0)
    export MEDIAMTX_BIN=${out##*$'\n'}
    echo "test: MediaMTX integration tests use $MEDIAMTX_BIN"
    ;;
  3)
    if [[ "${MEDIAMTX_FROM_IMAGE:-1}" != 0 && "$(uname -s)" == Linux ]] && docker info >/dev/null 2>&1; then
      echo "test: no MediaMTX binary here, but a Docker engine answers: the tests copy the pinned one out of" \
        "the official image (bluenviron/mediamtx, through Testcontainers) into the cache"
    elif [[ "${MTX_REQUIRE_MEDIAMTX:-0}" == 1 ]]; then
      echo "test: MTX_REQUIRE_MEDIAMTX=1 and no MediaMTX could be provisioned" >&2
      exit 3
    else
      exclude_mediamtx_tests
    fi
    ;;
  *)
    echo "test: provisioning MediaMTX failed (install.sh exit $rc)" >&2
    exit "$rc"
    ;;
esac

# ${extra[@]+…}: an empty array is an unbound variable to bash 3.2 (macOS) under set -u
exec mvn verify ${extra[@]+"${extra[@]}"} "$@"
