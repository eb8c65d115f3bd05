#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make demo`: record a few seconds of real TCP drops caused in throwaway namespaces, then show
# them: the table, a summary by reason, and a pcapng export. Usage: tools/demo.sh BUILD
# It writes demo.tdrop and demo.pcapng into the repository, or into $TCPDROP_DEMO_DIR if set.
set -u
[ $# -eq 1 ] || { echo "usage: tools/demo.sh BUILD" >&2; exit 2; }
TCPDROP_BUILD=$(cd "$1" && pwd)
TCPDROP_TOP=$(cd "$(dirname "$0")/.." && pwd)
export TCPDROP_BUILD TCPDROP_TOP
# The namespace, tap and recorder helpers of the integration tests; their exit trap removes
# everything the demo creates, also on Ctrl-C.
. "$TCPDROP_TOP/tests/integration/lib.sh"
T_NAME=demo

[ "$(id -u)" = 0 ] || { echo "demo: recording needs root: run 'sudo make demo'" >&2; exit 1; }
require_env synflood tapinject
OUT=${TCPDROP_DEMO_DIR:-$TCPDROP_TOP}/demo.tdrop
PCAP=${TCPDROP_DEMO_DIR:-$TCPDROP_TOP}/demo.pcapng
rm -f "$OUT" "$PCAP"

say() { printf '\n== %s\n' "$*"; }

ns_new A dcli
ns_new B dsrv
veth_pair "$A" "$B" 61
TAP=$(tap_new "$B" 62)
ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=0
ip netns exec "$B" nft -f - <<EOF || fail "nft"
table inet demo {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 7777 drop
	}
}
EOF

say "recording drops in namespaces $A and $B"
rec_start -w "$OUT"
echo "   SYNs to closed ports, IPv4 and IPv6 (NO_SOCKET)"
ip netns exec "$A" "$TOOLS/synflood" -s 10.61.0.1 -d 10.61.0.2 -p 81 -P 40000 -n 3 >/dev/null
ip netns exec "$A" "$TOOLS/synflood" -6 -s fd61::1 -d fd61::2 -p 82 -P 41000 -n 3 >/dev/null
echo "   SYNs into an nftables drop rule (NETFILTER_DROP)"
ip netns exec "$A" "$TOOLS/synflood" -s 10.61.0.1 -d 10.61.0.2 -p 7777 -P 42000 -n 2 >/dev/null
echo "   segments with a bad TCP checksum through a tap device (TCP_CSUM)"
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.62.0.1 -d 10.62.0.2 -p 7000 -P 43000 \
	-m csum -n 2 >/dev/null
ip netns exec "$B" "$TOOLS/tapinject" -6 -i "$TAP" -s fd62::1 -d fd62::2 -p 7000 -P 44000 \
	-m csum -n 2 >/dev/null
echo "   handshakes into a full accept queue (TCP_LISTEN_OVERFLOW)"
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.62.0.1 -d 10.62.0.2 -p 7001 -P 45000 \
	-m overflow -n 2 >/dev/null
echo "   data far outside the receive window of an established connection"
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.62.0.1 -d 10.62.0.2 -p 7002 -P 46000 \
	-m oow -n 2 >/dev/null
sleep 1
rec_stop
cat "$REC_ERR" >&2
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC"

# Only the namespaces the demo made: other drops on this host stay out of the way.
ONLY="--netns $(ns_inode "$A") --netns $(ns_inode "$B")"
say "tcpdrop-report -r demo.tdrop --no-stack $ONLY"
"$RPT" -r "$OUT" --no-stack $ONLY || fail "tcpdrop-report (table)"
say "one drop with its kernel stack: tcpdrop-report -r demo.tdrop --reason TCP_CSUM -c 1"
"$RPT" -r "$OUT" --reason TCP_CSUM -c 1 $ONLY || fail "tcpdrop-report (one stack)"
say "tcpdrop-report -r demo.tdrop --summary reason"
"$RPT" -r "$OUT" --summary reason $ONLY || fail "tcpdrop-report (summary)"
say "tcpdrop-report -r demo.tdrop -w demo.pcapng"
"$RPT" -r "$OUT" -w "$PCAP" $ONLY || fail "pcapng export"
if command -v tshark >/dev/null 2>&1; then
	echo "   tshark reads $(tshark -r "$PCAP" 2>/dev/null | wc -l) packets; the first comment:"
	tshark -r "$PCAP" -c 1 -T fields -e frame.comment 2>/dev/null | sed 's/^/   | /; s/\\n/\n   | /g'
fi
say "files: $OUT (trace, 0600) and $PCAP (open it in Wireshark)"
