#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# pcapng export of real drops: two namespaces joined by a veth pair, NO_SOCKET (closed port)
# and NETFILTER_DROP (nft rule) over IPv4 and IPv6, loopback drops in both namespaces (same
# ifindex 1, two netns). The export must agree with the report drop by drop: count, reasons,
# timestamps to the nanosecond; tcpdump and libpcap read it; tshark reads it without warnings
# or malformed packets; `-w -` streams the same file.
set -u

fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (BPF, network namespaces)"; exit 77; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
rec=$build/tcpdrop-record
rpt=$build/tcpdrop-report
[ -x "$rec" ] && [ -x "$rpt" ] || fail "programs not built in $build"
for t in tshark tcpdump nft ip bash; do
	command -v $t >/dev/null 2>&1 || fail "$t not installed (make deps)"
done

ns1=tdpn$$a
ns2=tdpn$$b
tmp=$(mktemp -d /tmp/tcpdrop-pcapng.XXXXXX)
recpid=
cleanup() {
	[ -n "$recpid" ] && kill -TERM "$recpid" 2>/dev/null && wait "$recpid" 2>/dev/null
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$ns1" || fail "ip netns add"
ip netns add "$ns2" || fail "ip netns add"
ip link add "v$$a" netns "$ns1" type veth peer name "v$$b" netns "$ns2" || fail "veth"
for ns in "$ns1" "$ns2"; do ip -n "$ns" link set lo up; done
ip -n "$ns1" addr add 10.251.7.1/24 dev "v$$a"
ip -n "$ns2" addr add 10.251.7.2/24 dev "v$$b"
ip -n "$ns1" addr add fd00:251::1/64 dev "v$$a" nodad
ip -n "$ns2" addr add fd00:251::2/64 dev "v$$b" nodad
ip -n "$ns1" link set "v$$a" up
ip -n "$ns2" link set "v$$b" up
ip netns exec "$ns2" nft -f - <<EOF || fail "nft"
table inet tdpn {
	chain in {
		type filter hook input priority 0;
		tcp dport 9 drop
	}
}
EOF
ino1=$(stat -L -c %i "/run/netns/$ns1") || fail "netns inode"
ino2=$(stat -L -c %i "/run/netns/$ns2") || fail "netns inode"

"$rec" -w "$tmp/rec.tdf" -q --duration 60 2>"$tmp/rec.err" &
recpid=$!
# The file appears once the probe is attached and the metadata is written.
i=0
while [ ! -s "$tmp/rec.tdf" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "recorder did not start: $(cat "$tmp/rec.err")"
	kill -0 "$recpid" 2>/dev/null || fail "recorder exited: $(cat "$tmp/rec.err")"
	sleep 0.1
done
sleep 0.5

syn() { # netns addr port seconds: one connection attempt
	ip netns exec "$1" timeout "$4" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
}
for n in 1 2 3; do
	syn "$ns1" 10.251.7.2 1 2        # NO_SOCKET in ns2 (veth)
	syn "$ns1" fd00:251::2 1 2       # the same over IPv6
	syn "$ns1" 127.0.0.1 1 2         # NO_SOCKET on lo of ns1
	syn "$ns2" ::1 1 2               # NO_SOCKET on lo of ns2 (same ifindex, other netns)
done
syn "$ns1" 10.251.7.2 9 1.5             # NETFILTER_DROP: SYN and its retransmission
syn "$ns1" fd00:251::2 9 1.5
sleep 1.5                               # > flush interval
kill -TERM "$recpid"
wait "$recpid"
rc=$?
recpid=
[ $rc -eq 0 ] || fail "recorder exit $rc: $(cat "$tmp/rec.err")"

sel="--netns=$ino1 --netns=$ino2"
# shellcheck disable=SC2086
"$rpt" -r "$tmp/rec.tdf" $sel --format=json --no-stack >"$tmp/drops.json" || fail "report json"
n=$(grep -c '"type":"drop"' "$tmp/drops.json")
[ "$n" -ge 14 ] || fail "expected at least 14 drops, the report has $n"
# shellcheck disable=SC2086
"$rpt" -r "$tmp/rec.tdf" $sel -w "$tmp/out.pcapng" 2>"$tmp/export.err" ||
	fail "export: $(cat "$tmp/export.err")"
[ -s "$tmp/export.err" ] && fail "export wrote to stderr: $(cat "$tmp/export.err")"

# libpcap (tcpdump): every drop, no error
tcpdump -nn -r "$tmp/out.pcapng" >"$tmp/tcpdump.out" 2>"$tmp/tcpdump.err" ||
	fail "tcpdump -r: $(cat "$tmp/tcpdump.err")"
[ "$(wc -l <"$tmp/tcpdump.out")" -eq "$n" ] || fail "tcpdump reads $(wc -l <"$tmp/tcpdump.out") packets, report has $n"
grep -q ' IP6 ' "$tmp/tcpdump.out" && grep -q ' IP ' "$tmp/tcpdump.out" || fail "IPv4 and IPv6 expected"

# tshark: per reason, the comment filter counts what the report counts
sed -n 's/.*"reason":"\([A-Z0-9_]*\)".*/\1/p' "$tmp/drops.json" | sort | uniq -c >"$tmp/reasons"
grep -q ' NO_SOCKET$' "$tmp/reasons" || fail "no NO_SOCKET drop recorded: $(cat "$tmp/reasons")"
grep -q ' NETFILTER_DROP$' "$tmp/reasons" || fail "no NETFILTER_DROP drop recorded: $(cat "$tmp/reasons")"
while read -r count reason; do
	got=$(tshark -n -r "$tmp/out.pcapng" -Y "frame.comment contains \"TCP drop: $reason\\n\"" \
		-T fields -e frame.number 2>/dev/null | wc -l)
	[ "$got" -eq "$count" ] || fail "$reason: tshark shows $got, the report $count"
done <"$tmp/reasons"

# timestamps: the report's, to the nanosecond, in the same order
sed -n 's/.*"ts_ns":\([0-9]*\).*/\1/p' "$tmp/drops.json" >"$tmp/ts.report"
tshark -n -r "$tmp/out.pcapng" -T fields -e frame.time_epoch 2>/dev/null | tr -d . >"$tmp/ts.pcapng"
cmp -s "$tmp/ts.report" "$tmp/ts.pcapng" || fail "timestamps differ: $(diff "$tmp/ts.report" "$tmp/ts.pcapng" | head -5)"

# packet ids are the drops' sequence numbers, every packet has a drop count
tshark -n -r "$tmp/out.pcapng" -T fields -e frame.packet_id -e frame.drop_count 2>/dev/null |
	grep -vc '^[0-9][0-9]*	[0-9][0-9]*$' >"$tmp/badids"
[ "$(cat "$tmp/badids")" -eq 0 ] || fail "packets without packet id or drop count"

# two namespaces with the same ifindex (lo) are two interfaces
tshark -n -r "$tmp/out.pcapng" -T fields -e frame.interface_name -e frame.interface_description \
	2>/dev/null | sort -u >"$tmp/ifaces"
grep -q "^lo	netns $ino1, ifindex 1$" "$tmp/ifaces" || fail "no lo of ns1: $(cat "$tmp/ifaces")"
grep -q "^lo	netns $ino2, ifindex 1$" "$tmp/ifaces" || fail "no lo of ns2: $(cat "$tmp/ifaces")"
grep -q "^v$$b	netns $ino2, ifindex " "$tmp/ifaces" || fail "no veth of ns2: $(cat "$tmp/ifaces")"

# opens cleanly: nothing on stderr but tshark's note about root, no errors or malformed
tshark -n -r "$tmp/out.pcapng" -q -z expert >"$tmp/expert" 2>"$tmp/tshark.err" || fail "tshark -r"
grep -v 'Running as user' "$tmp/tshark.err" | grep -q . && fail "tshark warns: $(cat "$tmp/tshark.err")"
grep -Eq 'Errors \(|Malformed|Undecoded' "$tmp/expert" && fail "tshark expert: $(cat "$tmp/expert")"

# SHB: the recording kernel
capinfos "$tmp/out.pcapng" >"$tmp/capinfos" 2>&1 || fail "capinfos"
grep -q "Capture oper-sys:    Linux $(uname -r) " "$tmp/capinfos" || fail "shb_os: $(grep oper-sys "$tmp/capinfos")"
grep -q "Capture application: tcpdrop-report " "$tmp/capinfos" || fail "shb_userappl"

# -w - streams the same bytes
# shellcheck disable=SC2086
"$rpt" -r "$tmp/rec.tdf" $sel -w - >"$tmp/stdout.pcapng" || fail "-w -"
cmp -s "$tmp/out.pcapng" "$tmp/stdout.pcapng" || fail "-w - differs from -w FILE"
# shellcheck disable=SC2086
got=$("$rpt" -r "$tmp/rec.tdf" $sel -w - | tshark -n -r - -T fields -e frame.number 2>/dev/null | wc -l)
[ "$got" -eq "$n" ] || fail "tshark -r - reads $got packets from -w -"

echo "ok: $n drops exported, $(wc -l <"$tmp/ifaces") interfaces, reasons: $(tr -s ' \n' ' ' <"$tmp/reasons")"
exit 0
