#!/bin/sh
# Reproduces the figures in BENCHMARKS.md: every benchmark of ./bench, at
# full size (1,000 hosted clients), with a header naming the machine.
#
#   bench/run.sh                 # from anywhere in the checkout
#   bench/run.sh -count 3        # extra flags go to every go test run
#
# Run it on an otherwise idle machine: the load average is printed first,
# and a busy machine inflates every latency (the ratios to the floor, which
# is measured in the same run, move less).
set -eu
cd "$(dirname "$0")/.."

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export OWUI_BENCH_CLIENTS="${OWUI_BENCH_CLIENTS:-1000}"

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# $(go version); open files: $(ulimit -n); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

run() {
	go test -run '^$' -timeout 20m "$@" ./bench/
}
run -bench 'ColdStart' -benchtime 200x "$@"
run -bench 'IdleRSS' -benchtime 5x "$@"
run -bench 'ToolsList' -benchtime 1000x "$@"
run -bench 'Call|Overhead|FloorCall' -benchtime 3s "$@"
run -bench 'DemoRequests' -benchtime 1x "$@"
run -bench 'Hosted' -benchtime 1x "$@"
run -bench 'Flood' -benchtime 1x "$@"
