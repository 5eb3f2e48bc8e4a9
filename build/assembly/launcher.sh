#!/bin/sh
# ${app.name} launcher: finds its own installation (through symlinks), so it runs from any directory.
# JAVA_HOME selects the runtime; JAVA_OPTS adds JVM flags; ${app.env}_JAVA_OPTS overrides the defaults.
set -e
self=$0
while [ -h "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac
done
app_home=$(cd "$(dirname "$self")/.." && pwd -P)

if [ -n "$JAVA_HOME" ]; then java_cmd=$JAVA_HOME/bin/java; else java_cmd=java; fi
if ! command -v "$java_cmd" >/dev/null 2>&1; then
  echo "${app.name}: no Java runtime found (set JAVA_HOME or put java 17+ on PATH)" >&2
  exit 127
fi

if ! opts=$(printenv ${app.env}_JAVA_OPTS); then
  opts="${app.jvmOpts}"
fi
# A class-data-sharing archive made at build time (lib/${app.name}.jsa) cuts start-up; the JVM ignores
# it, silently, if it does not match this runtime or these jars.
cds=""
if [ -f "$app_home/lib/${app.name}.jsa" ]; then
  cds="-XX:SharedArchiveFile=$app_home/lib/${app.name}.jsa -Xshare:auto -Xlog:disable -Xlog:all=error:stderr"
fi
# shellcheck disable=SC2086 # word splitting of the option strings is intended
exec "$java_cmd" $cds $opts $JAVA_OPTS -cp "$app_home/lib/*" ${app.mainClass} "$@"
