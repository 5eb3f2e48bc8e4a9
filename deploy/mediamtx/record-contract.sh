#!/usr/bin/env bash
# Re-records the Control API and metrics responses of the MediaMTX that install.sh provides, into
# mtx-core/src/test/resources/contract/<version>/ (issue #6): runs
# ObservabilityMediaMtxIT#test_control_api_response_schema, which checks every field our client reads
# against a live MediaMTX (a publisher, a worker reading over RTSP, its /out) and writes the raw answers.
#   deploy/mediamtx/record-contract.sh          exit 3 when no MediaMTX can be had (see install.sh)
set -euo pipefail
# An exported CDPATH makes `cd` print the directory, and $(cd … && pwd) then returns two lines.
unset CDPATH
root=$(cd "$(dirname "$0")/../.." && pwd -P)
mediamtx=$("$root/deploy/mediamtx/install.sh" | tail -n 1)
version=$("$mediamtx" --version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -n 1 || true)
[[ -n $version ]] || { echo "record-contract: cannot tell $mediamtx's version" >&2; exit 1; }
cd "$root"
mvn -B -q install -DskipTests
MEDIAMTX_BIN=$mediamtx mvn -B -q -pl mtx-orchestrator verify -Djacoco.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='ObservabilityMediaMtxIT#test_control_api_response_schema' -Dtest.excludedGroups=
dest="$root/mtx-core/src/test/resources/contract/$version"
mkdir -p "$dest"
cp "$root/mtx-orchestrator/target/mediamtx-contract/"* "$dest/"
echo "record-contract: MediaMTX $version answers recorded in ${dest#"$root"/}"
