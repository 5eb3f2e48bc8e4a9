#!/bin/sh
# ${app.name} launcher: finds its own installation (through symlinks), so it runs from any directory.
# JAVA_HOME selects the runtime; JAVA_OPTS adds JVM flags; ${app.env}_JAVA_OPTS overrides the defaults.
set -e
# An exported CDPATH makes `cd` print the directory, and $(cd … && pwd) then returns two lines.
unset CDPATH
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

# The JVM reads the environment (MediaMTX's MTX_QUERY) and writes its output in the locale's charset:
# under no locale or C/POSIX that is ASCII, which turns "José" into "Jos??". Keep UTF-8 there.
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in ""|C|POSIX) LC_ALL=C.UTF-8; export LC_ALL ;; esac

# shellcheck disable=SC2034 # default_opts is read by the eval
default_opts="${app.jvmOpts}"
# A collector chosen where the JVM looks by itself (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, _JAVA_OPTIONS; a platform
# may set them for a whole container) or in JAVA_OPTS wins over the default's: with two the JVM refuses to start,
# and MediaMTX's every event would be lost.
gc=""
without_collector() { printf '%s\n' "$1" | sed -E 's/-XX:\+Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC//g'; }
set -f # the words are flags, not file patterns
for word in ${JAVA_TOOL_OPTIONS-} ${JDK_JAVA_OPTIONS-} ${_JAVA_OPTIONS-} ${JAVA_OPTS-}; do
  word=${word#[\"\']}; word=${word%[\"\']} # the JVM takes a quoted word in these variables
  case $word in
    -XX:+UseSerialGC|-XX:+UseParallelGC|-XX:+UseG1GC|-XX:+UseZGC|-XX:+UseShenandoahGC|-XX:+UseEpsilonGC)
      gc=${word#-XX:+Use} ;;
  esac
done
set +f
opts_var=${app.env}_JAVA_OPTS
opts=""
eval "opts=\${$opts_var-\$default_opts}"
# ...over ours and over one in ${app.env}_JAVA_OPTS too: a copy of the defaults there must not stop the JVM either
if [ -n "$gc" ]; then default_opts=$(without_collector "$default_opts"); opts=$(without_collector "$opts"); fi

# <NAME>_CDS_ARCHIVE=make, for a launcher with a training class (mtx-hook), and no arguments: write lib/<name>.jsa
# for this runtime from one training run with the default flags, and exit. The build, the image and make dev's copy
# of the installation each make their own: an archive records the paths of the jars it was made from, and Java 17-19
# ignore it, silently, for jars anywhere else (20+ accept jars moved together).
training_class="${app.trainingClass}"
cds_var=${app.env}_CDS_ARCHIVE
cds_make=""
eval "cds_make=\${$cds_var-}"
if [ "$cds_make" = make ] && [ $# -eq 0 ]; then
  if [ -z "$training_class" ]; then
    echo "${app.name}: $cds_var=make: this command has no class-data archive to make" >&2
    exit 2
  fi
  # shellcheck disable=SC2086 # word splitting of the option string is intended
  exec "$java_cmd" -XX:ArchiveClassesAtExit="$app_home/lib/${app.name}.jsa" -Xlog:disable $default_opts -cp "$app_home/lib/*" "$training_class"
fi

# Class-data sharing, for a command that starts one JVM per call (mtx-hook: one per MediaMTX event).
# Java 17-24: lib/${app.name}.jsa, made at build; the JVM ignores it, silently, if it does not match
# this runtime or these jars. Java 25+: an AOT cache (JEP 483/514), which is faster, made once per
# runtime and build by a background training run on first use; that first call runs without it.
# cds_archive holds the one flag naming a file (quoted when used: the path may hold spaces), cds the others.
cds=""
cds_archive=""
if [ -n "$training_class" ]; then
  java_home=$JAVA_HOME
  # readlink -f: GNU, BusyBox and macOS 12.3+; where it fails the runtime is unknown and the .jsa is offered.
  if [ -z "$java_home" ]; then java_home=$(readlink -f "$(command -v "$java_cmd")" 2>/dev/null || true); java_home=${java_home%/bin/java}; fi
  runtime=""
  if [ -r "$java_home/release" ]; then
    while IFS= read -r line; do
      case $line in JAVA_RUNTIME_VERSION=*) runtime=${line#*=}; runtime=${runtime#\"}; runtime=${runtime%\"} ;; esac
    done <"$java_home/release"
  fi
  case $runtime in
    1[7-9]*|2[0-4]*|"")
      if [ -f "$app_home/lib/${app.name}.jsa" ]; then
        cds_archive="-XX:SharedArchiveFile=$app_home/lib/${app.name}.jsa"
        cds="-Xshare:auto -Xlog:disable -Xlog:all=error:stderr"
      fi ;;
    *)
      # Keyed by build and runtime: Temurin 25.0.3 uses a stale cache after the jars change (JDK-8377932); and by
      # the flags it is trained and used with (a checksum): ZGC refuses a cache made under another collector.
      flags="$opts ${JAVA_OPTS-} ${JAVA_TOOL_OPTIONS-} ${JDK_JAVA_OPTIONS-} ${_JAVA_OPTIONS-}"
      # (without cksum, as in BusyBox, the flags themselves, made fit for a file name)
      if command -v cksum >/dev/null 2>&1; then flags=$(printf '%s' "$flags" | cksum | cut -d' ' -f1)
      else flags=$(printf '%s' "$flags" | tr -c 'A-Za-z0-9' '_'); fi
      build=$(printf '%s' "${app.buildId}" | tr -c 'A-Za-z0-9._-' '_')
      key=$(printf '%s' "$build-$flags-$runtime" | tr -c 'A-Za-z0-9._-' '_')
      cache_dir=$app_home/lib
      [ -w "$cache_dir" ] || cache_dir=${MTX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mtx-toolkit}
      cache=$cache_dir/${app.name}-$key.aot
      if [ -f "$cache" ]; then
        cds_archive="-XX:AOTCache=$cache"
        cds="-Xlog:disable -Xlog:all=error:stderr"
      else
        # A lock older than any training run is left by a killed one: take it over.
        # (a lock this user cannot remove is left: the run goes on without the cache, as while another trains)
        [ -z "$(find "$cache.lock" -maxdepth 0 -mmin +10 2>/dev/null)" ] || rm -rf "$cache.lock" 2>/dev/null || true
      fi
      if [ -z "$cds_archive" ] && mkdir -p "$cache_dir" 2>/dev/null && mkdir "$cache.lock" 2>/dev/null; then
        # shellcheck disable=SC2086
        # MediaMTX stops a hook by signalling its whole process group (SIGINT): training ignores that,
        # and on SIGTERM it still cleans up, so neither leaves a lock or a partial cache behind.
        ( trap 'rm -rf "$cache.lock" "$cache.$$.tmp"' EXIT
          trap 'exit 143' TERM
          trap '' INT HUP
          if "$java_cmd" -XX:AOTCacheOutput="$cache.$$.tmp" -Xlog:disable $opts $JAVA_OPTS -cp "$app_home/lib/*" "$training_class"; then
            # Replaces the caches of other builds, and of this build and flags on another runtime; another set of
            # flags on this build (a second configuration sharing the directory) keeps its own.
            for old in "$cache_dir/${app.name}"-*.aot; do
              case ${old##*/} in
                "${app.name}-$build-$flags-"*) rm -f "$old" ;;
                "${app.name}-$build-"*) ;;
                *) rm -f "$old" ;;
              esac
            done
            mv -f "$cache.$$.tmp" "$cache"
          fi ) </dev/null >/dev/null 2>&1 &
      fi ;;
  esac
fi
# shellcheck disable=SC2086 # word splitting of the option strings is intended
exec "$java_cmd" ${cds_archive:+"$cds_archive"} $cds $opts $JAVA_OPTS -cp "$app_home/lib/*" ${app.mainClass} "$@"
