#!/bin/sh
# run-fuzzer.sh: run one libFuzzer target on a copy of its seed corpus
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-fuzzer.sh TARGET SEED_DIR time SECONDS   (the fuzz suite)
#        run-fuzzer.sh TARGET SEED_DIR runs N         (the benchmark)
# New inputs go to a temporary folder, never into the repository; a crash
# leaves its input in $MESON_BUILD_ROOT/fuzz-artifacts (or the current
# folder) and fails.
set -eu

target=$1
seeds=$2
mode=$3
amount=$4
name=$(basename "$target")
artifacts=${MESON_BUILD_ROOT:-.}/fuzz-artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/lodge-$name-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

case $mode in
  time) limit="-max_total_time=$amount" ;;
  runs) limit="-runs=$amount" ;;
  *) echo "run-fuzzer: mode is time or runs" >&2; exit 2 ;;
esac

# The suite checks leaks with full stacks for allocations (GLib has no
# frame pointers; the suppressions match frames below GLib's); the
# benchmark measures the parsers' rate, without that cost.
here=$(cd "$(dirname "$0")" && pwd)
if [ "$mode" = time ]; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
else
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$here/../sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

start=$(date +%s.%N)
"$target" $limit -timeout=10 -rss_limit_mb=4096 -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
  -artifact_prefix="$artifacts/$name-" "$work" "$seeds" 2> "$work.log" || {
  rc=$?
  tail -n 60 "$work.log" >&2
  rm -f "$work.log"
  exit $rc
}
end=$(date +%s.%N)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log" | tail -n 1)
rm -f "$work.log"
awk -v n="$name" -v r="${runs:-0}" -v s="$start" -v e="$end" \
  'BEGIN { t = e - s; printf "%s: %d executions in %.1f s (%.0f per second), 0 crashes\n", n, r, t, (t > 0 ? r / t : 0) }'
