#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tcpdrop-report on real drops (root): SYNs to closed ports over IPv4 and IPv6 in a namespace
# the test creates, recorded by tcpdrop-record; the table, JSON, filters and summary must show
# exactly what was caused, with stacks symbolized from the file and without the tracing
# machinery's frames; and the live view (record -w - | report -r -) shows the drops while the
# recorder still runs.
set -u

fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (BPF, network namespaces)"; exit 77; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
rec=$build/tcpdrop-record
rpt=$build/tcpdrop-report
[ -x "$rec" ] && [ -x "$rpt" ] || fail "programs not built in $build"
for t in ip bash timeout; do
	command -v $t >/dev/null 2>&1 || fail "$t not installed (make deps)"
done

ns=tdre$$
tmp=$(mktemp -d /tmp/tcpdrop-report-e2e.XXXXXX)
recpid=
livepid=
cleanup() {
	[ -n "$recpid" ] && kill -TERM "$recpid" 2>/dev/null && wait "$recpid" 2>/dev/null
	[ -n "$livepid" ] && kill -TERM "$livepid" 2>/dev/null && wait "$livepid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$ns" || fail "ip netns add"
ip -n "$ns" link set lo up || fail "lo up"
ino=$(stat -L -c %i "/run/netns/$ns") || fail "netns inode"

syn() { # addr port: one connection attempt in the namespace, refused at once
	ip netns exec "$ns" timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_file() { # file pid
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "recorder did not start: $(cat "$tmp/rec.err")"
		kill -0 "$2" 2>/dev/null || fail "recorder exited: $(cat "$tmp/rec.err")"
		sleep 0.1
	done
	sleep 0.5
}

# ---- a recording: 3 SYNs to 127.0.0.1:7 and 2 to [::1]:9 in the namespace ----
"$rec" -w "$tmp/rec.tdrop" -q --netns "$ino" --duration 60 2>"$tmp/rec.err" &
recpid=$!
wait_file "$tmp/rec.tdrop" "$recpid"
for n in 1 2 3; do syn 127.0.0.1 7; done
for n in 1 2; do syn ::1 9; done
sleep 1.5 # > the flush interval
kill -TERM "$recpid"
wait "$recpid" || fail "recorder exit $?: $(cat "$tmp/rec.err")"
recpid=

# JSON: the SYNs (the RSTs the kernel answers with are not drops)
"$rpt" -r "$tmp/rec.tdrop" --format=json >"$tmp/all.json" || fail "report json"
v4=$(grep '"type":"drop"' "$tmp/all.json" | grep '"saddr":"127.0.0.1"' |
	grep '"dport":7,' | grep '"flags":"SYN"' | grep -c '"reason":"NO_SOCKET"')
v6=$(grep '"type":"drop"' "$tmp/all.json" | grep '"saddr":"::1"' |
	grep '"dport":9,' | grep '"flags":"SYN"' | grep -c '"reason":"NO_SOCKET"')
[ "$v4" -eq 3 ] || fail "IPv4 SYN drops: $v4, want 3"
[ "$v6" -eq 2 ] || fail "IPv6 SYN drops: $v6, want 2"
grep '"type":"drop"' "$tmp/all.json" | grep -v "\"netns\":$ino," && fail "a drop outside netns $ino"
grep '"dport":7,' "$tmp/all.json" | grep -q '"state":null' || fail "NO_SOCKET drop with a state"
grep '"dport":7,' "$tmp/all.json" | grep -q '"location":"tcp_v4_rcv+0x' || fail "v4 location: $(grep -m1 '"dport":7,' "$tmp/all.json")"
grep '"dport":9,' "$tmp/all.json" | grep -q '"location":"tcp_v6_rcv+0x' || fail "v6 location"
# Stacks: symbolized (no "?" frames at the top) and without the tracing machinery.
grep '"dport":7,' "$tmp/all.json" | grep -q '"stack":\["[a-z_]*+0x[0-9a-f]*",' || fail "stack not symbolized"
grep -q '"stack":\[[^]]*\(bpf_prog_\|bpf_trace_run\|__traceiter_\)' "$tmp/all.json" &&
	fail "tracing machinery frames in the stack"

# the table: 5 SYN lines, IPv6 in brackets, state "-", a stack under each.
# (libpcap's tcp[...] indexing reads IPv4 packets only: select by port here.)
"$rpt" -r "$tmp/rec.tdrop" 'dst port 7 or dst port 9' >"$tmp/table.txt" || fail "table"
[ "$(grep -c ' SYN *NO_SOCKET$' "$tmp/table.txt")" -eq 5 ] || fail "table: $(cat "$tmp/table.txt")"
grep -q ' \[::1\]:[0-9]* *\[::1\]:9 *- *SYN *NO_SOCKET$' "$tmp/table.txt" || fail "table: IPv6 line"
grep -q '^	tcp_v4_rcv+0x' "$tmp/table.txt" || fail "table: no stack frames"

# filters on real data: pcap v6, --stack-contains, --netns, --state
n=$("$rpt" -r "$tmp/rec.tdrop" --format=json 'ip6 and tcp dst port 9' | grep -c '"flags":"SYN"')
[ "$n" -eq 2 ] || fail "pcap ip6 filter: $n"
n=$("$rpt" -r "$tmp/rec.tdrop" --format=json 'tcp[tcpflags] == tcp-syn' | grep -c '"flags":"SYN"')
[ "$n" -eq 3 ] || fail "pcap tcp[tcpflags] (IPv4 only in libpcap): $n"
n=$("$rpt" -r "$tmp/rec.tdrop" --format=json --stack-contains=tcp_v6_rcv | grep -c '"flags":"SYN"')
[ "$n" -eq 2 ] || fail "--stack-contains=tcp_v6_rcv: $n"
n=$("$rpt" -r "$tmp/rec.tdrop" --format=json --netns=1 | grep -c '"type":"drop"')
[ "$n" -eq 0 ] || fail "--netns=1: $n"

# summary by reason and dport
"$rpt" -r "$tmp/rec.tdrop" --summary=reason,dport 'dst port 7 or dst port 9' >"$tmp/sum.txt" || fail "summary"
grep -q '^ *3  *60.0%  NO_SOCKET  7$' "$tmp/sum.txt" || fail "summary: $(cat "$tmp/sum.txt")"
grep -q '^ *2  *40.0%  NO_SOCKET  9$' "$tmp/sum.txt" || fail "summary: $(cat "$tmp/sum.txt")"

# --info names this machine and kernel, the file was closed cleanly
"$rpt" -r "$tmp/rec.tdrop" --info >"$tmp/info.txt" || fail "info"
grep -q "^kernel: *$(uname -r) " "$tmp/info.txt" || fail "info kernel: $(cat "$tmp/info.txt")"
grep -q "^closed cleanly: *yes" "$tmp/info.txt" || fail "info: not closed cleanly"

# ---- live view: drops show up while the recorder is still running ----
"$rec" -w - -q --netns "$ino" --duration 30 2>"$tmp/rec.err" |
	"$rpt" -r - --no-stack >"$tmp/live.txt" 2>&1 &
livepid=$!
sleep 1.5
syn 127.0.0.1 5
i=0
until grep -q '127.0.0.1:5 .* SYN *NO_SOCKET$' "$tmp/live.txt"; do
	i=$((i + 1))
	[ $i -le 40 ] || fail "live view: the drop did not appear within 4 s: $(cat "$tmp/live.txt")"
	sleep 0.1
done
kill -0 "$livepid" 2>/dev/null || fail "live view ended early"
echo "ok: 5 SYN drops decoded (3 IPv4, 2 IPv6), live view in $((i / 10)).$((i % 10)) s"
exit 0
