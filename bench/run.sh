#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The benchmark harness behind `make bench`: cost per drop, completeness, bytes per drop, decode
# speed and startup of tcpdrop-record/-report next to bpftrace and perf, on one SYN flood to a
# closed port in a namespace of its own. Prints a markdown table and writes it to bench/results/.
# Usage: bench/run.sh [--mode quick|full] [--build DIR] [--keep]   (root)
set -u

mode=quick build=build keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: bench/run.sh [--mode quick|full] [--build DIR] [--keep]" >&2; exit 2 ;;
	esac
done
# SYNTH_REPS/SYNTH_VIEWS: the 10M-drop synthetic file is decoded by every view, 3 times, in
# full mode only; quick mode decodes it once with the table and JSON views (goal 4).
# DEC_SECS x DEC_RATE: the recorded decode input, ~250k drops in both modes.
case "$mode" in
quick) DUR=2 REPS=3 SYNTH=10000000 SYNTH_REPS=1 SYNTH_VIEWS="table json" DEC_SECS=5 DEC_RATE=50000 IPERF_T=1 IPERF_PAIRS=8 ;;
full) DUR=10 REPS=5 SYNTH=10000000 SYNTH_REPS=3 SYNTH_VIEWS="table json reason stack" DEC_SECS=5 DEC_RATE=50000 IPERF_T=3 IPERF_PAIRS=12 ;;
*) echo "bench: --mode: '$mode' is not quick or full" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (BPF, perf, namespaces)" >&2; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$build" 2>/dev/null && pwd) || { echo "bench: $build: no such build directory" >&2; exit 1; }
FLOOD=$B/bench/flood FLOOR=$B/bench/floor FLOOR_OBJ=$B/bench/floor.bpf.o GEN=$B/bench/gen
BCAST=$B/bench/bcast TIMEIT=$B/bench/timeit
REC=$B/tcpdrop-record RPT=$B/tcpdrop-report
for f in "$FLOOD" "$FLOOR" "$FLOOR_OBJ" "$BCAST" "$TIMEIT"; do
	[ -e "$f" ] || { echo "bench: $f missing (make bench-tools)" >&2; exit 1; }
done
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) missing: make deps" >&2; exit 1; }
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)

NS=tdbench$$
DST=10.99.1.1 SRC=10.99.2.2
# the healthy host: two namespaces joined by a veth pair, an iperf3 TCP stream between them
NSA=tdbencha$$ NSB=tdbenchb$$
HA=10.99.3.1 HB=10.99.3.2 HBCAST=10.99.3.255
W=$(mktemp -d /tmp/tcpdrop-bench.XXXXXX)
RAW=$W/raw.tsv
: >"$RAW"
tracefs_mounted=0 stats_old= bg_pids=

cleanup() {
	# the tracer itself first (GNU time passes no signal on), then what we started
	[ -n "${CPID:-}" ] && kill -INT "$CPID" 2>/dev/null
	for p in $bg_pids; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$stats_old" ] && sysctl -q -w kernel.bpf_stats_enabled="$stats_old" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	[ "$tracefs_mounted" -eq 1 ] && umount /sys/kernel/tracing 2>/dev/null
	if [ "$keep" -eq 1 ]; then echo "bench: raw data kept in $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }
now() { date +%s.%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# ---- the namespace: SYNs from a raw socket to a local address, closed port 9; the RSTs go to
# a blackholed source and are never built, so each SYN is exactly one NO_SOCKET drop.
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" addr add $DST/32 dev lo
ip -n "$NS" route add blackhole 10.99.2.0/24
NETNS_INO=$(stat -L -c %i "/run/netns/$NS")

if [ ! -e /sys/kernel/tracing/events/skb ]; then
	mount -t tracefs nodev /sys/kernel/tracing && tracefs_mounted=1
fi

# Segments the namespace's TCP received: the kernel's own count of what the flood caused.
insegs() {
	ip netns exec "$NS" cat /proc/net/snmp | awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InSegs") c = i; h = 1 } else print $c }'
}

# flood ARGS... -> sets SENT RATE CPUNS (flood CPU ns per SYN) CAUSED
flood() {
	before=$(insegs)
	out=$(ip netns exec "$NS" "$@")
	after=$(insegs)
	SENT=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	RATE=$(echo "$out" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')
	CPUNS=$(echo "$out" | sed -n 's/.*cpu_ns=\([0-9]*\).*/\1/p')
	CAUSED=$((after - before))
	[ "$SENT" = "$CAUSED" ] || log "warning: flood sent $SENT SYNs, the namespace received $CAUSED"
}
flood1() { flood taskset -c 0 "$FLOOD" -d $DST -S $SRC -t "$1"; }
flood2() { flood "$FLOOD" -d $DST -S $SRC -t "$1" -j "$NCPU"; }

# The bpftrace scripts.
BT=$top/bench/tcpdrop.bt
BT_DIST=$(dpkg -L bpftrace 2>/dev/null | grep '/tcpdrop\.bt$' | head -1)
BT_DIST_BTF=$W/tcpdrop-dist-btf.bt
BT_FIRST=$W/tcpdrop-first.bt
if [ -n "$BT_DIST" ]; then
	# The distribution script with only its BTF branch, to show what it captures when it runs.
	awk '/^#ifndef BPFTRACE_HAVE_BTF/ { skip = 1; next } skip && /^#else/ { skip = 2; next }
		skip == 2 && /^#endif/ { skip = 0; next } skip == 1 { next } { print }' "$BT_DIST" >"$BT_DIST_BTF"
fi
sed 's/printf("%s\\n", kstack);/printf("%s\\n", kstack); exit();/' "$BT" >"$BT_FIRST"

have() { # config -> 0 when its program exists
	case "$1" in
	rec*) [ -x "$REC" ] ;;
	bt-dist) [ -n "$BT_DIST" ] ;;
	bt*) command -v bpftrace >/dev/null ;;
	perf*) command -v perf >/dev/null ;;
	*) true ;;
	esac
}

# start_tracer CONFIG DIR -> sets TPID (GNU time) and CPID (the tracer); 1 if it did not start
start_tracer() {
	cfg=$1 d=$2
	case "$cfg" in
	floor) set -- "$FLOOR" "$FLOOR_OBJ" ;;
	rec | rec-max) set -- "$REC" -q -w "$d/out.tdrop" ;;
	rec-nostack) set -- "$REC" -q --no-stack -w "$d/out.tdrop" ;;
	rec-noowner) set -- "$REC" -q --no-owner -w "$d/out.tdrop" ;;
	bt) set -- bpftrace "$BT" ;;
	bt-dist) set -- bpftrace "$BT_DIST" ;;
	bt-dist-btf) set -- bpftrace "$BT_DIST_BTF" ;;
	perf) set -- perf record -q -e skb:kfree_skb -g -a -z -o "$d/perf.data" ;;
	esac
	t0=$(now)
	"$TIME" -f '%U %S %M' -o "$d/time" "$@" >"$d/out" 2>"$d/err" &
	TPID=$!
	bg_pids="$bg_pids $TPID"
	CPID= i=0
	while [ $i -lt 6000 ]; do # 60 s
		kill -0 "$TPID" 2>/dev/null || return 1
		[ -n "$CPID" ] || CPID=$(pgrep -P "$TPID" | head -1)
		if [ -n "$CPID" ]; then
			fds=$(ls -l "/proc/$CPID/fd" 2>/dev/null)
			case "$cfg" in
			floor | rec*) echo "$fds" | grep -q 'bpf_link' && break ;;
			bt*) grep -q '^Attaching' "$d/out" 2>/dev/null &&
				echo "$fds" | grep -q 'perf_event' && break ;;
			perf) [ "$(echo "$fds" | grep -c 'perf_event')" -ge "$NCPU" ] && break ;;
			esac
		fi
		sleep 0.01
		i=$((i + 1))
	done
	if [ $i -ge 6000 ]; then
		echo "did not attach within 60 s" >>"$d/err"
		kill -INT "$CPID" 2>/dev/null
		return 1
	fi
	ATTACH=$(secs_since "$t0")
	# bpftrace attaches probes after printing "Attaching"; perf maps its buffers after opening
	# its events: give both a moment more. The recorder is ready once its link exists.
	case "$cfg" in bt* | perf) sleep 1 ;; *) sleep 0.2 ;; esac
	return 0
}

stop_tracer() {
	kill -INT "$CPID" 2>/dev/null
	wait "$TPID"
	bg_pids=$(echo "$bg_pids" | sed "s/ $TPID\$//; s/ $TPID / /")
}

# Programs attached to kfree_skb by other work on the machine run on our drops too.
foreign() { bpftool perf show 2>/dev/null | awk -v me="${1:-none}" '/kfree_skb/ && $2 != me { n++ } END { print n + 0 }'; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# run_cfg CONFIG REP: one measurement, one line into $RAW:
# cfg rep rate sent caused captured lost cpu_s rss_kb bytes attach_s status flood_cpu_ns foreign total
# (captured: drops of the bench namespace in the output; total: every drop in it)
run_cfg() {
	cfg=$1 rep=$2 d=$W/$1.$2
	mkdir -p "$d"
	if ! have "$cfg"; then
		printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\tnot built\t-\t-\n' "$cfg" "$rep" >>"$RAW"
		return
	fi
	fl=flood1
	case "$cfg" in *-max) fl=flood2 ;; esac
	if [ "$cfg" = none ] || [ "$cfg" = none-max ]; then
		fg=$(foreign)
		$fl "$DUR"
		fg=$((fg + $(foreign)))
		printf '%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\tok\t%s\t%s\n' "$cfg" "$rep" "$RATE" "$SENT" "$CAUSED" "$CPUNS" "$fg" >>"$RAW"
		return
	fi
	if ! start_tracer "$cfg" "$d"; then
		wait "$TPID" 2>/dev/null
		why=$(cat "$d/err" "$d/out" 2>/dev/null | grep -v -e RLIMIT_MEMLOCK -e '^Command exited' | head -1 | cut -c1-120)
		printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\tdoes not start: %s\t-\t-\n' "$cfg" "$rep" "$why" >>"$RAW"
		return
	fi
	c0=$(cpu_ticks "$CPID")
	fg=$(foreign "$CPID")
	$fl "$DUR"
	fg=$((fg + $(foreign "$CPID")))
	sleep 1 # let the tracer drain what it has buffered
	stop_tracer
	set -- $(cat "$d/time" | tail -1)
	cpu=$(awk -v u="$1" -v s="$2" -v c0="$c0" -v hz="$HZ" 'BEGIN { printf "%.3f", u + s - c0 / hz }')
	rss=$3
	lost=-
	case "$cfg" in
	rec*)
		lost=$(sed -n 's/.* drops recorded, \([0-9]*\) lost.*/\1/p' "$d/err" | tail -1)
		bytes=$(stat -c %s "$d/out.tdrop")
		total=$(sed -n 's/.*: \([0-9]*\) drops recorded.*/\1/p' "$d/err" | tail -1)
		if [ -x "$RPT" ]; then
			# only the drops of our namespace: other work on the machine drops TCP too
			captured=$("$RPT" -r "$d/out.tdrop" --netns="$NETNS_INO" --summary=netns 2>/dev/null |
				awk -v n="$NETNS_INO" '$3 == n { print $1 }')
		else
			captured=$(sed -n 's/.*: \([0-9]*\) drops recorded.*/\1/p' "$d/err" | tail -1)
		fi
		;;
	bt*)
		captured=$(grep -c " > $DST:9 " "$d/out")
		total=$(grep -c " DROP " "$d/out")
		lost=$(cat "$d/out" "$d/err" | sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
		bytes=$(stat -c %s "$d/out")
		;;
	perf)
		captured=$(perf report -i "$d/perf.data" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }')
		total=$captured
		bytes=$(stat -c %s "$d/perf.data")
		;;
	*) captured=- bytes=- total=- ;;
	esac
	[ -n "$total" ] || total=-
	[ -n "$captured" ] || captured=0
	[ -n "$lost" ] || lost=-
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\t%s\t%s\t%s\n' "$cfg" "$rep" "$RATE" "$SENT" "$CAUSED" \
		"$captured" "$lost" "$cpu" "$rss" "$bytes" "$ATTACH" "$CPUNS" "$fg" "$total" >>"$RAW"
	# keep the last repetition's files for the decode pass only where needed
	rm -f "$d/out.tdrop" "$d/perf.data"
}

started=$(now)
load0=$(cut -d' ' -f1 /proc/loadavg)
log "mode $mode: ${DUR}s floods, $REPS repetitions, namespace $NS (netns $NETNS_INO)"

# ---- 1. cost per drop: the configurations, interleaved so that drift hits all alike ----
CFGS="none floor rec rec-nostack rec-noowner bt perf none-max rec-max"
ncfg=$(echo $CFGS | wc -w)
# does the distribution's script start at all, as shipped and with only its BTF branch?
# (once each: where it starts, it captures no socket-less drop, see the table)
if [ -n "$BT_DIST" ]; then
	run_cfg bt-dist 1
	run_cfg bt-dist-btf 1
else
	printf 'bt-dist\t1\t-\t-\t-\t-\t-\t-\t-\t-\t-\tnot installed\t-\t-\n' >>"$RAW"
fi
rep=1
while [ $rep -le "$REPS" ]; do
	# rotate the order each repetition
	k=$(( (rep - 1) % ncfg ))
	order=$(echo $CFGS | awk -v k="$k" '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + k) % NF) + 1) }')
	for cfg in $order; do
		log "rep $rep/$REPS: $cfg"
		run_cfg "$cfg" "$rep"
	done
	rep=$((rep + 1))
done

# prog_stats PID -> "run_time_ns run_cnt" of the process's BPF program that ran most: the
# kfree_skb program (the recorder also holds others, such as an iterator, that run rarely)
prog_stats() {
	for fd in /proc/$1/fd/*; do
		[ "$(readlink "$fd")" = "anon_inode:bpf-prog" ] || continue
		awk '/^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 } END { print t + 0, c + 0 }' "/proc/$1/fdinfo/${fd##*/}"
	done | sort -k2,2n | tail -1
}

# ---- 2. in-kernel time per drop of each BPF program (kernel.bpf_stats_enabled, own pass: the
# accounting itself costs a little, so the throughput figures above are taken without it) ----
STATS=$W/bpfstats.tsv
: >"$STATS"
stats_old=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
if sysctl -q -w kernel.bpf_stats_enabled=1 >/dev/null 2>&1; then
	for cfg in floor rec rec-nostack bt; do
		have "$cfg" || continue
		d=$W/stats.$cfg
		mkdir -p "$d"
		start_tracer "$cfg" "$d" || { wait "$TPID"; continue; }
		flood1 2
		ns_run=$(prog_stats "$CPID" | awk '{ if ($2) printf "%.0f", $1 / $2; else print "-" }')
		stop_tracer
		printf '%s\t%s\n' "$cfg" "$ns_run" >>"$STATS"
	done
	sysctl -q -w kernel.bpf_stats_enabled="$stats_old" >/dev/null
fi
stats_old=

# ---- 3. a healthy host (goal 5): no drops at all. An iperf3 TCP stream over a veth pair
# between two namespaces, without and with the recorder, interleaved; then each probe's time
# per kfree_skb call that is no TCP drop, under UDP broadcasts to a closed port (NOT_SPECIFIED
# frees in __udp4_lib_rcv on 6.18, two per datagram: the peer's and the local copy) ----
HEALTHY=$W/healthy.tsv EARLY=$W/early.tsv
: >"$HEALTHY"
: >"$EARLY"
VA=tdba$$ VB=tdbb$$
healthy_ok=0
if ip netns add "$NSA" && ip netns add "$NSB" &&
	ip link add "$VA" netns "$NSA" type veth peer name "$VB" netns "$NSB" &&
	ip -n "$NSA" addr add $HA/24 dev "$VA" && ip -n "$NSB" addr add $HB/24 dev "$VB" &&
	ip -n "$NSA" link set "$VA" up && ip -n "$NSB" link set "$VB" up &&
	ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up; then
	healthy_ok=1
	INO_A=$(stat -L -c %i "/run/netns/$NSA") INO_B=$(stat -L -c %i "/run/netns/$NSB")
else
	log "could not set up the veth namespaces: no healthy-host figures"
fi

# iperf_run CFG REP: one stream -> "cfg rep bits/s drops_recorded" into $HEALTHY
iperf_run() {
	d=$W/iperf.$1.$2
	mkdir -p "$d"
	if [ "$1" = rec ] && ! start_tracer rec "$d"; then
		wait "$TPID" 2>/dev/null
		printf '%s\t%s\t-\t-\t-\n' "$1" "$2" >>"$HEALTHY"
		return
	fi
	# -O 0.5: slow start is not part of the figure
	bps=$(ip netns exec "$NSA" iperf3 -c $HB -t "$IPERF_T" -O 0.5 -J 2>/dev/null |
		jq -r '.end.sum_received.bits_per_second // empty' 2>/dev/null)
	drops=- other=-
	if [ "$1" = rec ]; then
		stop_tracer
		total=$(sed -n 's/.*: \([0-9]*\) drops recorded.*/\1/p' "$d/err" | tail -1)
		# the stream's own drops (its two namespaces), apart from other work's on the machine
		drops=$("$RPT" -r "$d/out.tdrop" --summary=netns 2>/dev/null |
			awk -v a="$INO_A" -v b="$INO_B" '$3 == a || $3 == b { n += $1 } END { print n + 0 }')
		other=$(( ${total:-0} - ${drops:-0} ))
		rm -f "$d/out.tdrop"
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${bps:--}" "${drops:--}" "$other" >>"$HEALTHY"
}

if [ $healthy_ok -eq 1 ] && command -v iperf3 >/dev/null && command -v jq >/dev/null; then
	ip netns exec "$NSB" iperf3 -s -B $HB >/dev/null 2>&1 &
	iperf_srv=$!
	bg_pids="$bg_pids $iperf_srv"
	sleep 0.5
	rep=1
	while [ $rep -le "$IPERF_PAIRS" ]; do
		log "pair $rep/$IPERF_PAIRS: iperf3 over veth, without and with the recorder"
		if [ $((rep % 2)) -eq 1 ]; then
			iperf_run none $rep
			iperf_run rec $rep
		else
			iperf_run rec $rep
			iperf_run none $rep
		fi
		rep=$((rep + 1))
	done
	kill -TERM $iperf_srv 2>/dev/null
	wait $iperf_srv 2>/dev/null
	bg_pids=$(echo "$bg_pids" | sed "s/ $iperf_srv//")
elif [ $healthy_ok -eq 1 ]; then
	log "iperf3 or jq missing (make deps): no healthy-host throughput"
fi

stats_old=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
if [ $healthy_ok -eq 1 ] && sysctl -q -w kernel.bpf_stats_enabled=1 >/dev/null 2>&1; then
	# what the probe itself costs during a stream: its calls and run time, against the stream's
	if [ -n "${iperf_srv:-}" ] && have rec; then
		ip netns exec "$NSB" iperf3 -s -B $HB >/dev/null 2>&1 &
		iperf_srv=$!
		bg_pids="$bg_pids $iperf_srv"
		sleep 0.3
		d=$W/stream.rec
		mkdir -p "$d"
		if start_tracer rec "$d"; then
			before=$(prog_stats "$CPID")
			ip netns exec "$NSA" iperf3 -c $HB -t "$IPERF_T" >/dev/null 2>&1
			after=$(prog_stats "$CPID")
			stop_tracer
			rm -f "$d/out.tdrop"
			echo "$before $after" | awk -v t="$IPERF_T" \
				'{ printf "stream\t%d\t%.0f\t%s\n", $4 - $2, $3 - $1, t }' >>"$EARLY"
		fi
		kill -TERM $iperf_srv 2>/dev/null
		wait $iperf_srv 2>/dev/null
		bg_pids=$(echo "$bg_pids" | sed "s/ $iperf_srv//")
	fi
	for cfg in floor rec rec-nostack; do
		have "$cfg" || continue
		log "early exit: $cfg under UDP broadcasts"
		d=$W/early.$cfg
		mkdir -p "$d"
		start_tracer "$cfg" "$d" || {
			wait "$TPID"
			continue
		}
		before=$(prog_stats "$CPID")
		out=$(ip netns exec "$NSA" "$BCAST" -d $HBCAST -t 2)
		after=$(prog_stats "$CPID")
		stop_tracer
		drops=-
		case "$cfg" in rec*) drops=$(sed -n 's/.*: \([0-9]*\) drops recorded.*/\1/p' "$d/err" | tail -1) ;; esac
		rm -f "$d/out.tdrop"
		sent=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
		echo "$before $after" | awk -v cfg="$cfg" -v sent="${sent:--}" -v drops="${drops:--}" -v dur=2 \
			'{ c = $4 - $2; t = $3 - $1; ns = (c > 0) ? sprintf("%.1f", t / c) : "-"; printf "%s\t%d\t%s\t%s\t%s\t%.0f\n", cfg, c, ns, sent, drops, c / dur }' >>"$EARLY"
	done
	sysctl -q -w kernel.bpf_stats_enabled="$stats_old" >/dev/null
fi
stats_old=

# ---- 4. startup: launch to first drop captured, under a slow steady flood (2000 SYN/s) ----
STARTUP=$W/startup.tsv
: >"$STARTUP"
ip netns exec "$NS" "$FLOOD" -d $DST -S $SRC -t 0 -r 2000 >/dev/null &
slow=$!
bg_pids="$bg_pids $slow"
rep=1
while [ $rep -le "$REPS" ]; do
	if [ -x "$REC" ]; then
		t0=$(now)
		"$REC" -q -c 1 -w "$W/first.tdrop" 2>/dev/null
		printf 'rec\t%s\n' "$(secs_since "$t0")" >>"$STARTUP"
	fi
	if command -v bpftrace >/dev/null; then
		t0=$(now)
		bpftrace "$BT_FIRST" >"$W/first.txt" 2>/dev/null
		grep -q " DROP " "$W/first.txt" && printf 'bt\t%s\n' "$(secs_since "$t0")" >>"$STARTUP"
	fi
	rep=$((rep + 1))
done
kill -INT $slow 2>/dev/null
wait $slow 2>/dev/null
bg_pids=$(echo "$bg_pids" | sed "s/ $slow//")

# ---- 5. decode speed: the same drops recorded by tcpdrop-record and perf at once, then a
# large synthetic file written through the format library ----
DEC=$W/decode.tsv
: >"$DEC"
# time_cmd LABEL INPUT DROPS CMD...: median of REPS runs -> "label input drops secs rss_kb"
time_cmd() {
	label=$1 input=$2 drops=$3
	shift 3
	r=1 ts= rs=
	while [ $r -le "${TREPS:-3}" ]; do
		# bench/timeit: fork to exit on a nanosecond clock, so 0.1 s decodes are timed exactly
		"$TIMEIT" -o "$W/dec.time" "$@" >/dev/null 2>"$W/dec.err" || {
			printf '%s\t%s\t%s\t-\t-\tfailed: %s\n' "$label" "$input" "$drops" \
				"$(head -1 "$W/dec.err" | cut -c1-100)" >>"$DEC"
			return
		}
		ts="$ts $(cut -d' ' -f1 "$W/dec.time")"
		rs="$rs $(cut -d' ' -f2 "$W/dec.time")"
		r=$((r + 1))
	done
	med() { echo "$@" | tr ' ' '\n' | sort -g | awk 'NF { v[n++] = $1 } END { print v[int((n - 1) / 2)] }'; }
	printf '%s\t%s\t%s\t%s\t%s\tok\n' "$label" "$input" "$drops" "$(med $ts)" "$(med $rs)" >>"$DEC"
}

d=$W/decode
mkdir -p "$d"
dec_caused=- rec_drops=0 perf_drops=0
if [ -x "$REC" ]; then
	start_tracer rec "$d" || log "recorder did not start for the decode pass"
	REC_T=$TPID REC_C=$CPID
fi
start_tracer perf "$d" || log "perf did not start for the decode pass"
flood taskset -c 0 "$FLOOD" -d $DST -S $SRC -t "$DEC_SECS" -r "$DEC_RATE"
dec_caused=$CAUSED
sleep 1
stop_tracer
if [ -x "$REC" ]; then
	TPID=$REC_T CPID=$REC_C
	stop_tracer
	rec_drops=$(sed -n 's/.*: \([0-9]*\) drops recorded.*/\1/p' "$d/err" | tail -1)
fi
perf_drops=$(perf report -i "$d/perf.data" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }')
log "decode: $dec_caused drops caused, recorder has ${rec_drops:-0}, perf has ${perf_drops:-0}"
if [ -x "$RPT" ] && [ -s "$d/out.tdrop" ]; then
	F=$d/out.tdrop
	time_cmd "tcpdrop-report (table)" recorded "$rec_drops" "$RPT" -r "$F"
	time_cmd "tcpdrop-report --format=json" recorded "$rec_drops" "$RPT" -r "$F" --format=json
	time_cmd "tcpdrop-report --summary reason" recorded "$rec_drops" "$RPT" -r "$F" --summary=reason
	time_cmd "tcpdrop-report --summary stack" recorded "$rec_drops" "$RPT" -r "$F" --summary=stack
else
	printf 'tcpdrop-report\trecorded\t-\t-\t-\tnot built\n' >>"$DEC"
fi
if [ -s "$d/perf.data" ]; then
	time_cmd "perf script" recorded "$perf_drops" perf script -i "$d/perf.data"
	time_cmd "perf report" recorded "$perf_drops" perf report -i "$d/perf.data" --stdio
fi
rm -f "$d/perf.data" "$d/out.tdrop"
synth_bytes=-
if [ -x "$GEN" ] && [ -x "$RPT" ]; then
	S=$W/synthetic.tdrop
	log "writing a synthetic file of $SYNTH drops"
	if "$GEN" -n "$SYNTH" -o "$S" >/dev/null; then
		synth_bytes=$(stat -c %s "$S")
		for v in $SYNTH_VIEWS; do
			case $v in
			table) TREPS=$SYNTH_REPS time_cmd "tcpdrop-report (table)" synthetic "$SYNTH" "$RPT" -r "$S" ;;
			json) TREPS=$SYNTH_REPS time_cmd "tcpdrop-report --format=json" synthetic "$SYNTH" "$RPT" -r "$S" --format=json ;;
			reason) TREPS=$SYNTH_REPS time_cmd "tcpdrop-report --summary reason" synthetic "$SYNTH" "$RPT" -r "$S" --summary=reason ;;
			stack) TREPS=$SYNTH_REPS time_cmd "tcpdrop-report --summary stack" synthetic "$SYNTH" "$RPT" -r "$S" --summary=stack ;;
			esac
		done
	fi
	rm -f "$S"
else
	printf 'tcpdrop-report\tsynthetic\t-\t-\t-\tnot built\n' >>"$DEC"
fi

total=$(secs_since "$started")

# ---- 6. the tables ----
RESULTS=$top/bench/results
mkdir -p "$RESULTS"
OUT=$RESULTS/$(date -u +%Y-%m-%d)-$mode.md
{
	echo "## tcpdrop benchmark ($mode mode, $(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "Machine: $(uname -r), $NCPU CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo);" \
		"load average $load0 at the start, $(cut -d' ' -f1 /proc/loadavg) at the end (the machine is shared with other work)."
	echo "Command: \`sudo make bench$( [ "$mode" = full ] && echo ' BENCH_MODE=full')\` (bench/run.sh --mode $mode);" \
		"${DUR} s SYN floods to a closed port in a private namespace, medians of $REPS repetitions," \
		"configurations interleaved; total run time ${total} s."
	echo
	awk -F'\t' -v stats="$STATS" -v startup="$STARTUP" -v hz="$HZ" -v summary="$W/sum.rec" \
		-f "$top/bench/median.awk" -f "$top/bench/table.awk" "$RAW" >"$W/table.md"
	awk -F'\t' -v synth_bytes="$synth_bytes" -v dec_caused="$dec_caused" -v startup="$STARTUP" \
		-v summary="$W/sum.dec" -f "$top/bench/median.awk" -f "$top/bench/decode.awk" "$DEC" >"$W/decode.md"
	awk -F'\t' -v early="$EARLY" -v iperf_t="$IPERF_T" -f "$top/bench/median.awk" -f "$top/bench/goals.awk" \
		"$W/sum.rec" "$W/sum.dec" "$HEALTHY"
	echo
	cat "$W/table.md"
	echo
	cat "$W/decode.md"
} >"$OUT"
cat "$OUT"
log "written to $OUT"
