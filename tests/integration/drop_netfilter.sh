#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# An nftables drop rule in the input hook: every SYN it drops (IPv4 and IPv6) is recorded as
# NETFILTER_DROP with the packet's addresses, ports and flags; the rule's counter agrees.
. "$(dirname "$0")/lib.sh"
require_env synflood
command -v nft >/dev/null || skip "nft not installed"

N=100
ns_new A a
ns_new B b
veth_pair "$A" "$B" 42
INO=$(ns_inode "$B")
ip netns exec "$B" nft -f - <<NFT || fail "nft"
table inet tdtest {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 7777 counter drop
	}
}
NFT

rec_start -w "$T_TMP/t.tdrop" --netns "$INO"
s4=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.42.0.1 -d 10.42.0.2 -p 7777 -P 43000 -q 5000 -n $N)
s6=$(ip netns exec "$A" "$TOOLS/synflood" -6 -s fd42::1 -d fd42::2 -p 7777 -P 44000 -q 6000 -n $N)
[ "$s4" = $N ] && [ "$s6" = $N ] || fail "synflood sent $s4/$s6 of $N"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"

counted=$(ip netns exec "$B" nft list ruleset | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
[ "$counted" = $((2 * N)) ] || fail "nft counter $counted, want $((2 * N))"
for fam in 4 6; do
	if [ $fam = 4 ]; then sa=10.42.0.1 da=10.42.0.2 sp=43000 q=5000 len=40
	else sa=fd42::1 da=fd42::2 sp=44000 q=6000 len=60; fi
	grep "^drop .* family=$fam .* dport=7777 " "$T_TMP/d" | grep " netns=$INO " >"$T_TMP/f"
	expect_seqs "$T_TMP/f" $q $N
	expect_synflood "$T_TMP/f" $q $sp 7777 $len reason=NETFILTER_DROP state_name=none \
		flags=0x02 "saddr=$sa" "daddr=$da" "netns=$INO"
	log "IPv$fam: nft dropped $N, $N NETFILTER_DROP recorded, fields match"
done
echo "PASS $T_NAME"
