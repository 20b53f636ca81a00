#!/usr/bin/env bash
# upload-vs-curl.sh builds a sink server (bench/cmd/sink) and the uploader
# (bench/cmd/upload), then uploads one CSV file of SIZE_MIB MiB (default
# 1024) RUNS times (default 5) with each contender:
#   sdk        CreateAudienceFromFile(FileFromPath(...)), multipart, streamed
#   multipart  the same bytes by hand in Go (same parts, headers, length):
#              net/http streaming head + file + tail (TestBaselinesAgree
#              checks they are the SDK's bytes)
#   curl       curl --form file=@... to the same path (multipart)
#   sendfile   the file's bytes alone, as an *os.File body through net/http
#   raw        the file's bytes alone: a fixed header, then io.Copy of the
#              *os.File to the TCP connection (sendfile(2): the kernel's
#              limit)
# The contenders run in turn, in the order above in odd runs and reversed
# in even ones. It prints each run, then per contender min/median/max
# seconds and the median peak RSS (from /usr/bin/time), and the SDK's
# ratio to each.
#
# Usage: scripts/upload-vs-curl.sh            (SIZE_MIB=1024 RUNS=5)
#        SIZE_MIB=8 RUNS=1 scripts/upload-vs-curl.sh     (a smoke run)
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
echo "# file: $size_mib MiB; sink: $url; $runs runs, the order flipping from run to run"

run() { # name: prints "name seconds maxrss_kib"
	local name=$1 t0 t1 rss
	local cmd=("$work/upload" -mode "$name" -url "$url" -file "$file")
	if [[ $name == curl ]]; then
		cmd=("$curl" -sS -f -o /dev/null -H "Authorization: sk_bench_0123456789abcdef"
			-F name=A -F id=a -F "file=@$file;type=text/csv" "$url/v1/create/audience/from/file")
	fi
	t0=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$work/rss" "${cmd[@]}" >/dev/null
	t1=$(date +%s.%N)
	rss=$(tail -1 "$work/rss")
	echo "$name $(echo "$t1 - $t0" | bc -l) $rss"
}

contenders=(sdk multipart curl sendfile raw)
: >"$work/results"
for i in $(seq "$runs"); do
	order=("${contenders[@]}")
	if ((i % 2 == 0)); then
		order=()
		for ((j = ${#contenders[@]} - 1; j >= 0; j--)); do order+=("${contenders[j]}"); done
	fi
	for who in "${order[@]}"; do run "$who" | tee -a "$work/results"; done
done

stats() { sort -g | awk '{a[NR]=$1} END {printf "%s %s %s\n", a[1], (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[NR]}'; }
echo "# per contender: seconds min/median/max, MiB/s at the median, median peak RSS"
for who in "${contenders[@]}"; do
	read -r lo mid hi < <(awk -v w="$who" '$1==w {print $2}' "$work/results" | stats)
	read -r _ rss _ < <(awk -v w="$who" '$1==w {print $3}' "$work/results" | stats)
	printf '%-10s %7.3f %7.3f %7.3f s  %8.1f MiB/s  peak RSS %6.1f MiB\n' "$who" "$lo" "$mid" "$hi" \
		"$(echo "$size_mib / $mid" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
	echo "$who $mid $rss" >>"$work/medians"
done
st=$(awk '$1=="sdk" {print $2}' "$work/medians")
sr=$(awk '$1=="sdk" {print $3}' "$work/medians")
for who in multipart curl sendfile raw; do
	t=$(awk -v w="$who" '$1==w {print $2}' "$work/medians")
	r=$(awk -v w="$who" '$1==w {print $3}' "$work/medians")
	printf 'ratio sdk/%-9s time %.2f  peak RSS %.2f\n' "$who" "$(echo "$st / $t" | bc -l)" "$(echo "$sr / $r" | bc -l)"
done
