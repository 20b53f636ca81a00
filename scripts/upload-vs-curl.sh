#!/usr/bin/env bash
# upload-vs-curl.sh builds a sink server (bench/cmd/sink) and the SDK
# uploader (bench/cmd/upload), then uploads one CSV file of SIZE_MIB MiB
# (default 1024) RUNS times (default 5) with each contender, alternating:
#   sdk       CreateAudienceFromFile(FileFromPath(...)), multipart, streamed
#   curl      curl --form file=@... to the same path (multipart)
#   sendfile  the file's bytes alone, as *os.File: net/http's sendfile path
# and prints each run, then the medians, the ratios to curl and the peak RSS
# (maximum resident set size, from /usr/bin/time) of each contender.
#
# Usage: scripts/upload-vs-curl.sh            (SIZE_MIB=1024 RUNS=5)
#        SIZE_MIB=256 RUNS=3 scripts/upload-vs-curl.sh
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${SIZE_MIB:-1024}
runs=${RUNS:-5}
curl=${CURL:-/usr/bin/curl}
[[ -x $curl ]] || { echo "no curl at $curl" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "need /usr/bin/time for peak RSS" >&2; exit 1; }

work=$(mktemp -d)
sink_pid=
cleanup() { [[ -n $sink_pid ]] && kill "$sink_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/sink" ./bench/cmd/sink
go build -o "$work/upload" ./bench/cmd/upload

# A CSV file: a header, then phone numbers.
file="$work/contacts.csv"
{ echo number; yes +15550100001 || true; } | head -c "$((size_mib << 20))" >"$file" || true
echo >>"$file"

"$work/sink" >"$work/addr" &
sink_pid=$!
for _ in $(seq 50); do [[ -s $work/addr ]] && break; sleep 0.1; done
url=$(cat "$work/addr")
echo "# $(nproc) cores; $(go version); $($curl --version | head -1)"
echo "# file: $size_mib MiB; sink: $url; $runs alternating runs"

run() { # name, command...: prints "name seconds maxrss_kib"
	local name=$1; shift
	local t0 t1 rss
	t0=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null
	t1=$(date +%s.%N)
	rss=$(tail -1 "$work/rss")
	echo "$name $(echo "$t1 - $t0" | bc -l) $rss"
}

: >"$work/results"
for i in $(seq "$runs"); do
	run sdk "$work/upload" -mode sdk -url "$url" -file "$file" | tee -a "$work/results"
	run curl "$curl" -sS -f -o /dev/null -H "Authorization: sk_bench_upload" \
		-F name=A -F id=a -F "file=@$file;type=text/csv" "$url/v1/create/audience/from/file" | tee -a "$work/results"
	run sendfile "$work/upload" -mode sendfile -url "$url" -file "$file" | tee -a "$work/results"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "# medians: seconds, peak RSS"
for who in sdk curl sendfile; do
	t=$(awk -v w=$who '$1==w {print $2}' "$work/results" | median)
	r=$(awk -v w=$who '$1==w {print $3}' "$work/results" | median)
	printf '%-9s %8.3f s  %8.1f MiB/s  peak RSS %6.1f MiB\n' "$who" "$t" "$(echo "$size_mib / $t" | bc -l)" "$(echo "$r / 1024" | bc -l)"
	echo "$who $t $r" >>"$work/medians"
done
ct=$(awk '$1=="curl" {print $2}' "$work/medians")
st=$(awk '$1=="sdk" {print $2}' "$work/medians")
ft=$(awk '$1=="sendfile" {print $2}' "$work/medians")
sr=$(awk '$1=="sdk" {print $3}' "$work/medians")
fr=$(awk '$1=="sendfile" {print $3}' "$work/medians")
printf 'ratio sdk/curl time %.2f; sdk/sendfile time %.2f; sdk/sendfile peak RSS %.2f\n' \
	"$(echo "$st / $ct" | bc -l)" "$(echo "$st / $ft" | bc -l)" "$(echo "$sr / $fr" | bc -l)"
