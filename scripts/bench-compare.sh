#!/usr/bin/env bash
# bench-compare.sh runs the benchmarks of bench/ (each one an sdk and a
# baseline sub-benchmark, run one after the other) COUNT times (default 5):
# the test binary is built once and run COUNT times, so that within each
# run a case's sdk and baseline sub-benchmarks run back to back, the SDK
# first in odd runs and the baseline first in even ones, and the two
# alternate across runs (go test -count N would run one side N times, then
# the other). It prints for each benchmark the median of every figure
# (ns/op, B/op, allocs/op, peak-heap-MiB where reported) for the SDK, for
# the hand-written baseline, and their ratio.
#
# Usage: scripts/bench-compare.sh [pattern]      (a -bench regexp; default .)
# Environment: COUNT (default 5), BENCHTIME (default 1s; the 1M-row
# benchmarks take about a second an iteration, so 3x is plenty for them).
# Every side of a case (sdk, baseline, tokenloop, checked...) is reported
# with min/median/max and the ratio sdk/side. SMOKE=1: one run, -benchtime
# 1x, a hundredth of the rows (a check of the harness, not figures).
# Example: COUNT=7 BENCHTIME=3x scripts/bench-compare.sh '1M'
set -euo pipefail
cd "$(dirname "$0")/.."

pattern=${1:-.}
count=${COUNT:-5}
benchtime=${BENCHTIME:-1s}
if [[ -n ${SMOKE:-} ]]; then # the harness end to end: one run, tiny sizes
	count=1 benchtime=1x
	export CHATINC_BENCH_SMOKE=1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out

echo "# $(nproc) cores, $(go version), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# go test -c ./bench; then $count runs of: bench.test -test.run '^\$' -test.bench '$pattern' -test.benchmem -test.benchtime $benchtime"
go test -c -o "$work/bench.test" ./bench
for i in $(seq "$count"); do
	# Odd runs start each case with the SDK, even runs with the baseline.
	order=sdk-first
	((i % 2 == 0)) && order=baseline-first
	(cd bench && CHATINC_BENCH_ORDER=$order "$work/bench.test" -test.run '^$' -test.bench "$pattern" -test.benchmem -test.benchtime "$benchtime") |
		grep '^Benchmark' | tee -a "$out" >&2
done

# Lines: BenchmarkName/.../sdk-2  N  v1 unit1  v2 unit2 ...
awk 'BEGIN { CONVFMT = "%.10g"; OFMT = "%.10g" }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	who = name; sub(/.*\//, "", who)
	if (!(who in wseen)) { wseen[who] = 1; if (who != "sdk") others[++no] = who }
	bench = name; sub(/\/[^\/]*$/, "", bench)
	if (!(bench in seen)) { seen[bench] = 1; order[++nb] = bench }
	for (i = 3; i < NF; i += 2) {
		unit = $(i + 1)
		if (!((bench, unit) in useen)) { useen[bench, unit] = 1; units[bench] = units[bench] " " unit }
		k = bench SUBSEP who SUBSEP unit
		vals[k] = vals[k] " " $i
	}
}
function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	if (n == 0) return ""
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	printf "%-44s %-14s %-10s %14s %14s %14s %8s\n", "benchmark", "figure", "side", "min", "median", "max", "sdk/side"
	for (b = 1; b <= nb; b++) {
		bench = order[b]
		nu = split(units[bench], us, " ")
		for (u = 1; u <= nu; u++) {
			s = median(vals[bench, "sdk", us[u]])
			for (o = 0; o <= no; o++) {
				who = (o == 0) ? "sdk" : others[o]
				if (!((bench, who, us[u]) in vals)) continue
				n = split(vals[bench, who, us[u]], a, " "); lo = a[1]; hi = a[1]
				for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
				l = median(vals[bench, who, us[u]])
				r = (o > 0 && l + 0 != 0) ? sprintf("%.2f", s / l) : "-"
				printf "%-44s %-14s %-10s %14s %14s %14s %8s\n", bench, us[u], who, lo, l, hi, r
			}
		}
	}
}' "$out"
