#!/bin/sh
# Compares what a stdio tool call adds to the HTTP call it wraps
# (BenchmarkOverhead) across builds of owui-mcp, in one run: each round
# measures every build, in alternating order, and the summary gives per
# build the median over rounds and the range (min-max) of the ratio, the
# added microseconds and both medians.
#
#   bench/overhead.sh before=1a51480 after=HEAD      # label=revision ...
#   bench/overhead.sh -r 9 -n 2000 a=HEAD~1 b=HEAD    # 9 rounds of 2,000 pairs
#   bench/overhead.sh now=.                            # "." is the work tree
#   bench/overhead.sh -b OverheadRemote a=HEAD~1 b=HEAD  # Open WebUI in its own process
#
# Extra environment for a build goes after the revision, for experiments
# that a flag or variable switches: tuned=HEAD:GOMAXPROCS=1.
set -eu
cd "$(dirname "$0")/.."

rounds=5 calls=1000 bench=Overhead
while getopts r:n:b: o; do
	case $o in
	r) rounds=$OPTARG ;;
	n) calls=$OPTARG ;;
	b) bench=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: bench/overhead.sh [-r rounds] [-n pairs] [-b Overhead|OverheadRemote] label=revision[:VAR=value] ..." >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bins=""
for arg in "$@"; do
	label=${arg%%=*}
	rest=${arg#*=}
	rev=${rest%%:*}
	env=""
	[ "$rev" = "$rest" ] || env=${rest#*:}
	src="$tmp/src-$label"
	if [ "$rev" = "." ]; then
		src=.
	else
		mkdir -p "$src"
		git archive "$rev" | tar -x -C "$src"
	fi
	(cd "$src" && CGO_ENABLED=0 go build -o "$tmp/$label" .)
	if [ -n "$env" ]; then
		# A wrapper sets the variable for that build only.
		printf '#!/bin/sh\nexec env %s "%s" "$@"\n' "$env" "$tmp/$label" >"$tmp/$label.sh"
		chmod +x "$tmp/$label.sh"
		bins="$bins${bins:+,}$label=$tmp/$label.sh"
	else
		bins="$bins${bins:+,}$label=$tmp/$label"
	fi
done
reversed=$(echo "$bins" | tr ',' '\n' | awk '{a[NR]=$0} END {for (i = NR; i > 0; i--) printf "%s%s", a[i], (i > 1 ? "," : "")}')

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); $(go version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# Benchmark$bench, $rounds rounds of $calls pairs; builds: $*"
for r in $(seq "$rounds"); do
	order=$bins
	[ $((r % 2)) -eq 0 ] && order=$reversed
	OWUI_BENCH_OVERHEAD_BINARIES="$order" go test -run '^$' -bench "^Benchmark$bench\$" \
		-benchtime "${calls}x" -count 1 ./bench/ | grep "^Benchmark$bench/"
done | tee "$tmp/runs"
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"

# The median and range of a metric's values, one per line on stdin.
summary() {
	sort -g | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3g [%.3g-%.3g]", m, v[1], v[NR]}'
}
metric() { # label unit
	awk -v l="Benchmark$bench/$1-" -v u="$2" 'index($1, l) == 1 {for (i = 3; i < NF; i += 2) if ($(i + 1) == u) print $i}' "$tmp/runs" | summary
}
printf '\n%-12s %-22s %-22s %-22s %-22s\n' build ratio added-us direct-us mcp-us
for arg in "$@"; do
	label=${arg%%=*}
	printf '%-12s %-22s %-22s %-22s %-22s\n' "$label" "$(metric "$label" ratio)" "$(metric "$label" added-us)" \
		"$(metric "$label" direct-us)" "$(metric "$label" mcp-us)"
done
