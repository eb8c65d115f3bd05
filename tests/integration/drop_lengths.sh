#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# "len" is the IP datagram's length as its header says, whatever layer the kernel dropped the
# segment at: IPv6 SYNs through a destination options header (dropped in tcp_v6_rcv, where
# skb->len counts from the TCP header) and SYNs dropped at a device's egress hook (where it
# counts the Ethernet header too). The kernel's own skb->len stays available as "skb_len".
. "$(dirname "$0")/lib.sh"
require_env tapinject
command -v nft >/dev/null || skip "nft not installed"

N=3
ns_new B b
TAP=$(tap_new "$B" 83)
ns_new C c
ns_new D d
veth_pair "$C" "$D" 84
IF=va${T_TAG}84
ip netns exec "$C" nft -f - <<NFT || fail "nft"
table netdev tdtest {
	chain egress {
		type filter hook egress device $IF priority 0; policy accept;
		tcp dport 7104 counter drop
	}
}
NFT

rec_start -w "$T_TMP/t.tdrop" --no-owner
ip netns exec "$B" "$TOOLS/tapinject" -6 -i "$TAP" -s fd83::1 -d fd83::2 -p 9 -P 48300 \
	-m ext6 -n $N >"$T_TMP/ext6" || fail "tapinject ext6"
egress_count() { ip netns exec "$C" nft list ruleset | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'; }
for dst in 10.84.0.2 fd84::2; do
	before=$(egress_count)
	ip netns exec "$C" bash -c "exec 3<>/dev/tcp/$dst/7104" 2>/dev/null &
	pid=$!
	egress_drop() { [ "$(egress_count)" -gt "$before" ]; }
	wait_until 10 egress_drop || fail "no egress drop to $dst"
	kill $pid
	wait $pid
done
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"

# the extension-header SYNs: ip_len = caplen = the injected datagram (expect_packets)
n=$(expect_packets "$T_TMP/d" "$T_TMP/ext6" family=6 reason=NO_SOCKET dport=9 ip_len=68) || exit 1
eg=
# the egress SYNs: the IP header's length, and skb->len 14 bytes more (the Ethernet header)
for fam in 4 6; do
	line=$(grep "^drop .* family=$fam .* dport=7104 " "$T_TMP/d" | head -n 1)
	[ -n "$line" ] || fail "no IPv$fam egress drop recorded"
	hex=$(field data "$line")
	if [ $fam = 4 ]; then want=$((0x$(echo "$hex" | cut -c5-8)))
	else want=$((40 + 0x$(echo "$hex" | cut -c9-12))); fi
	expect_fields "$line" "ip_len=$want" "len=$((want + 14))" reason=NETFILTER_DROP
	eg="$eg IPv$fam=$want"
done

# the report: JSON len is the datagram's, skb_len the kernel's; the table's LEN column too
"$RPT" -r "$T_TMP/t.tdrop" --format=json >"$T_TMP/j" || fail "tcpdrop-report json"
grep '"saddr":"fd83::1",' "$T_TMP/j" >"$T_TMP/j6"
[ "$(grep -c '"len":68,' "$T_TMP/j6")" = $N ] || fail "JSON len of the extension-header drops: $(head -n 1 "$T_TMP/j6")"
[ "$(grep -c '"skb_len":20,' "$T_TMP/j6")" = $N ] || fail "JSON skb_len of the tcp_v6_rcv drops: $(head -n 1 "$T_TMP/j6")"
grep '"daddr":"10.84.0.2","dport":7104,' "$T_TMP/j" | grep -q '"len":60,.*"skb_len":74,' ||
	fail "JSON len/skb_len of the IPv4 egress drop: $(grep '"dport":7104,' "$T_TMP/j" | head -n 1)"
log "len: $n IPv6 SYNs with a destination options header = 68; egress$eg (skb_len +14)"
echo "PASS $T_NAME"
