#!/usr/bin/env bash
# bench-compare.sh runs the benchmarks of bench/ (each one an sdk and a
# baseline sub-benchmark, run one after the other) COUNT times (default 5),
# so that the two alternate, and prints for each benchmark the median of
# every figure (ns/op, B/op, allocs/op, peak-heap-MiB where reported) for
# the SDK, for the hand-written baseline, and their ratio.
#
# Usage: scripts/bench-compare.sh [pattern]      (a -bench regexp; default .)
# Environment: COUNT (default 5), BENCHTIME (default 1s; the 1M-row
# benchmarks take 2-3 s an iteration, so 3x is plenty for them).
# Example: COUNT=7 BENCHTIME=3x scripts/bench-compare.sh '1M'
set -euo pipefail
cd "$(dirname "$0")/.."

pattern=${1:-.}
count=${COUNT:-5}
benchtime=${BENCHTIME:-1s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# $(nproc) cores, $(go version), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# go test ./bench -run '^\$' -bench '$pattern' -benchmem -count $count -benchtime $benchtime"
go test ./bench -run '^$' -bench "$pattern" -benchmem -count "$count" -benchtime "$benchtime" | tee "$out" >&2

# Lines: BenchmarkName/.../sdk-2  N  v1 unit1  v2 unit2 ...
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	who = name; sub(/.*\//, "", who)
	if (who != "sdk" && who != "baseline") next
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
	printf "%-40s %-14s %16s %16s %8s\n", "benchmark", "figure", "sdk", "baseline", "ratio"
	for (b = 1; b <= nb; b++) {
		bench = order[b]
		nu = split(units[bench], us, " ")
		for (u = 1; u <= nu; u++) {
			s = median(vals[bench, "sdk", us[u]]); l = median(vals[bench, "baseline", us[u]])
			r = (l + 0 != 0) ? sprintf("%.2f", s / l) : "-"
			printf "%-40s %-14s %16s %16s %8s\n", bench, us[u], s, l, r
		}
	}
}' "$out"
