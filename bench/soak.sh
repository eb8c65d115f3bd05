#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The soak test behind `make soak`: tcpdrop-record with size rotation (-C/-W) under a steady
# moderate SYN flood in a namespace of its own for SOAK_SECS (default 600) seconds, sampling the
# recorder's RSS and open fds every 10 s; checks that both stay flat and that recorded + lost
# equals exactly what the flood caused. Prints a verdict, writes bench/results/<date>-soak.md.
# Usage: bench/soak.sh [--build DIR]   (root; env SOAK_SECS, SOAK_RATE, SOAK_MB, SOAK_FILES)
set -u

build=build
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	*) echo "usage: bench/soak.sh [--build DIR]" >&2; exit 2 ;;
	esac
done
SECS=${SOAK_SECS:-600}
RATE=${SOAK_RATE:-20000}
MB=${SOAK_MB:-2}
FILES=${SOAK_FILES:-4}
STEP=10
for v in "$SECS" "$RATE" "$MB" "$FILES"; do
	case "$v" in '' | *[!0-9]*) echo "soak: SOAK_SECS/SOAK_RATE/SOAK_MB/SOAK_FILES must be whole numbers" >&2; exit 2 ;; esac
done
[ "$SECS" -ge 10 ] || { echo "soak: SOAK_SECS must be at least 10" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "soak: needs root (BPF, namespaces)" >&2; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$build" 2>/dev/null && pwd) || { echo "soak: $build: no such build directory" >&2; exit 1; }
FLOOD=$B/bench/flood REC=$B/tcpdrop-record RPT=$B/tcpdrop-report
for f in "$FLOOD" "$REC"; do
	[ -x "$f" ] || { echo "soak: $f missing (make BUILD=$build all bench-tools)" >&2; exit 1; }
done

NS=tdsoak$$
DST=10.99.1.1 SRC=10.99.2.2
W=$(mktemp -d /tmp/tcpdrop-soak.XXXXXX)
rec_pid= flood_pid=
cleanup() {
	[ -n "$flood_pid" ] && kill -TERM "$flood_pid" 2>/dev/null
	[ -n "$rec_pid" ] && kill -TERM "$rec_pid" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" addr add $DST/32 dev lo
ip -n "$NS" route add blackhole 10.99.2.0/24
NETNS_INO=$(stat -L -c %i "/run/netns/$NS")

insegs() {
	ip netns exec "$NS" cat /proc/net/snmp | awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InSegs") c = i; h = 1 } else print $c }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# --netns: other work on this machine drops TCP too; only this namespace's drops are counted.
"$REC" -q --netns "$NETNS_INO" -C "$MB" -W "$FILES" -w "$W/soak.tdrop" 2>"$W/rec.err" &
rec_pid=$!
i=0
until ls -l "/proc/$rec_pid/fd" 2>/dev/null | grep -q bpf_link; do
	kill -0 "$rec_pid" 2>/dev/null || { echo "soak: tcpdrop-record did not start: $(head -1 "$W/rec.err")" >&2; exit 1; }
	i=$((i + 1))
	[ $i -lt 3000 ] || { echo "soak: tcpdrop-record did not attach within 30 s" >&2; exit 1; }
	sleep 0.01
done

echo "soak: ${SECS}s at $RATE SYN/s, tcpdrop-record -C $MB -W $FILES, sampling every ${STEP}s (netns $NETNS_INO)" >&2
before=$(insegs)
ip netns exec "$NS" "$FLOOD" -d $DST -S $SRC -t "$SECS" -r "$RATE" >"$W/flood.out" 2>&1 &
flood_pid=$!
SAMPLES=$W/samples.tsv
printf 't_s\trss_kb\thwm_kb\tfds\tfiles\tbytes_on_disk\n' >"$SAMPLES"
t=0
start=$(date +%s)
while kill -0 "$flood_pid" 2>/dev/null; do
	sleep "$STEP"
	t=$(( $(date +%s) - start ))
	kill -0 "$rec_pid" 2>/dev/null || { echo "soak: tcpdrop-record exited early: $(head -1 "$W/rec.err")" >&2; break; }
	fds=$(ls "/proc/$rec_pid/fd" 2>/dev/null | wc -l)
	nfiles=$(ls "$W" | grep -c '^soak\.tdrop')
	bytes=$(cat "$W"/soak.tdrop* 2>/dev/null | wc -c)
	line=$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$t" "$(status_kb "$rec_pid" VmRSS)" "$(status_kb "$rec_pid" VmHWM)" "$fds" "$nfiles" "$bytes")
	echo "$line" >>"$SAMPLES"
	echo "soak: $line" | tr '\t' ' ' >&2
done
wait "$flood_pid"
flood_pid=
after=$(insegs)
caused=$((after - before))
sleep 2 # the flush interval
kill -INT "$rec_pid" 2>/dev/null
wait "$rec_pid"
rec_rc=$?
rec_pid=
recorded=$(sed -n 's/.*: \([0-9]*\) drops recorded, \([0-9]*\) lost.*/\1/p' "$W/rec.err" | tail -1)
lost=$(sed -n 's/.*: \([0-9]*\) drops recorded, \([0-9]*\) lost.*/\2/p' "$W/rec.err" | tail -1)
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$W/flood.out")

# every file left in the ring decodes on its own
decoded=
if [ -x "$RPT" ]; then
	for f in "$W"/soak.tdrop*; do
		[ -e "$f" ] || continue
		if "$RPT" -r "$f" --summary=reason >/dev/null 2>"$W/rpt.err"; then
			decoded="$decoded ok"
		else
			decoded="$decoded FAIL($(basename "$f"): $(head -1 "$W/rpt.err"))"
		fi
	done
fi

verdict=$(awk -F'\t' -v recorded="${recorded:-}" -v lost="${lost:-}" -v caused="$caused" -v sent="${sent:-}" \
	-v rc="$rec_rc" -v decoded="$decoded" -v files="$FILES" '
NR == 1 { next }
{
	n++
	rss[n] = $2; fds[n] = $4; nf[n] = $5
}
END {
	fail = ""
	if (recorded == "" || lost == "")
		fail = fail " no \"N drops recorded, M lost\" line from tcpdrop-record;"
	else if (recorded + lost != caused)
		fail = fail sprintf(" recorded %d + lost %d != caused %d;", recorded, lost, caused)
	if (sent != caused)
		fail = fail sprintf(" the flood sent %s SYNs but the namespace received %d;", sent, caused)
	if (rc != 0)
		fail = fail sprintf(" tcpdrop-record exited with %d;", rc)
	if (n < 2)
		fail = fail " fewer than 2 samples;"
	# after the first sample (warm-up) RSS may move by at most 1 MiB or 5 %, fds by the one
	# file being rotated in
	w = n >= 3 ? 2 : 1
	lo = hi = rss[w]; flo = fhi = fds[w]; maxf = 0
	for (i = w; i <= n; i++) {
		if (rss[i] < lo) lo = rss[i]
		if (rss[i] > hi) hi = rss[i]
		if (fds[i] < flo) flo = fds[i]
		if (fds[i] > fhi) fhi = fds[i]
	}
	for (i = 1; i <= n; i++) if (nf[i] > maxf) maxf = nf[i]
	lim = rss[w] * 0.05 > 1024 ? rss[w] * 0.05 : 1024
	if (n >= 2 && rss[n] - rss[w] > lim)
		fail = fail sprintf(" RSS grew from %d to %d kB;", rss[w], rss[n])
	if (n >= 2 && (fhi - flo > 1 || fds[n] != fds[w]))
		fail = fail sprintf(" open fds moved between %d and %d;", flo, fhi)
	if (maxf > files)
		fail = fail sprintf(" %d files on disk with -W %d;", maxf, files)
	if (decoded ~ /FAIL/)
		fail = fail " a rotated file does not decode;"
	printf "caused %d, recorded %s, lost %s; RSS %d..%d kB after warm-up; fds %d..%d; at most %d files on disk; files left decode:%s\n", caused, recorded, lost, lo, hi, flo, fhi, maxf, decoded == "" ? " not checked (no tcpdrop-report)" : decoded
	print fail == "" ? "PASS" : "FAIL:" fail
}' "$SAMPLES")

RESULTS=$top/bench/results
mkdir -p "$RESULTS"
OUT=$RESULTS/$(date -u +%Y-%m-%d)-soak.md
{
	echo "## tcpdrop soak ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "Command: \`sudo make soak\`$( [ "$SECS" != 600 ] && echo " with SOAK_SECS=$SECS") (bench/soak.sh):" \
		"tcpdrop-record --netns INODE -C $MB -W $FILES under $RATE SYN/s to a closed port for ${SECS} s;" \
		"RSS and open fds of the recorder every ${STEP} s."
	echo
	echo "| t (s) | VmRSS kB | VmHWM kB | open fds | files on disk | bytes on disk |"
	echo "|---|---|---|---|---|---|"
	tail -n +2 "$SAMPLES" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
	echo
	echo "$verdict" | head -1
	echo
	echo "Verdict: $(echo "$verdict" | tail -1)"
} >"$OUT"
cat "$OUT"
echo "soak: written to $OUT" >&2
case "$(echo "$verdict" | tail -1)" in PASS) exit 0 ;; *) exit 1 ;; esac
