#!/usr/bin/env bash
# The project's line coverage and its least-covered classes, from JaCoCo's CSV report, so `make test` shows
# where coverage is thin before the gate decides. Usage: coverage-report.sh CSV [COUNT]
set -euo pipefail
csv=${1:?usage: coverage-report.sh jacoco.csv [count]}
count=${2:-10}
[[ -r $csv ]] || { echo "coverage-report: no report at $csv" >&2; exit 2; }
# Columns: GROUP,PACKAGE,CLASS,…,LINE_MISSED ($8),LINE_COVERED ($9).
awk -F, 'NR > 1 { m += $8; c += $9 }
  END { if (m + c == 0) { print "coverage-report: the report lists no lines" > "/dev/stderr"; exit 3 }
        printf "coverage: %.1f%% of %d lines; the least-covered classes of 10 lines or more:\n", 100 * c / (m + c), m + c }' "$csv"
# Classes under 10 lines are left out: a small record at 50% says less than a service at 70%.
echo "  covered  missed  lines  class"
# Tab-separated in between: JaCoCo names anonymous classes with spaces ("Launcher.new RunningWorker() {...}").
# The last awk reads all of sort's output: a `head` would exit early, and sort's SIGPIPE fail the build (pipefail).
awk -F, 'NR > 1 && $8 + $9 >= 10 { printf "%.1f\t%d\t%d\t%s.%s\n", 100 * $9 / ($8 + $9), $8, $8 + $9, $2, $3 }' "$csv" \
  | LC_ALL=C sort -t "$(printf '\t')" -k1,1n -k2,2nr \
  | awk -F'\t' -v n="$count" 'NR <= n { printf "  %6.1f%%  %6d  %5d  %s\n", $1, $2, $3, $4 }'
