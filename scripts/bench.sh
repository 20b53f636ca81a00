#!/usr/bin/env bash
# bench.sh runs chatinc-go's benchmarks with -benchmem and prints their
# figures: time per call, throughput (MB/s, where the benchmark sets the
# bytes it moves), bytes and allocations per call.
#
# The benchmarks (stream_test.go) run against a local httptest server:
#   BenchmarkCreateAudienceFromFile      a 10 MiB CSV upload (multipart, streamed)
#   BenchmarkRetrieveCampaignDetailsCSV  a 10 MiB CSV export streamed to io.Discard
#   BenchmarkCreateVariableGroup30k      30,000 rows marshalled to JSON and sent
#   BenchmarkRetrieveCampaignDetails     30,000 result rows decoded from JSON
#
# Usage: scripts/bench.sh [pattern] [packages...]
#   pattern   a -bench regexp (default "." : every benchmark)
#   packages  default ./...
# Environment: BENCHTIME (e.g. 3s or 20x, default Go's 1s), COUNT (default 1;
# use 6 or more to compare runs with benchstat).
# Example: COUNT=6 scripts/bench.sh CSV . > new.txt
set -euo pipefail
cd "$(dirname "$0")/.."

pattern="${1:-.}"
if (($# > 0)); then shift; fi
packages=("$@")
if ((${#packages[@]} == 0)); then packages=(./...); fi

args=(-run '^$' -bench "$pattern" -benchmem -count "${COUNT:-1}")
if [[ -n "${BENCHTIME:-}" ]]; then args+=(-benchtime "$BENCHTIME"); fi

echo "# go test ${args[*]} ${packages[*]}" >&2
go test "${args[@]}" "${packages[@]}"
