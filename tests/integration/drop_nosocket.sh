#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SYNs to a closed port (IPv4 and IPv6) are recorded as NO_SOCKET, one event per SYN sent,
# with the addresses, ports, flags, sequence numbers and netns the test used.
. "$(dirname "$0")/lib.sh"
require_env synflood

N=300
ns_new A a
ns_new B b
veth_pair "$A" "$B" 41
INO=$(ns_inode "$B")
IF=vb${T_TAG}41
IFINDEX=$(ip netns exec "$B" cat "/sys/class/net/$IF/ifindex")

rec_start -w "$T_TMP/t.tdrop" --netns "$INO"
sent4=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.41.0.1 -d 10.41.0.2 -p 9 -P 41000 -S 1000 -q 1000000 -n $N) ||
	fail "synflood v4"
sent6=$(ip netns exec "$A" "$TOOLS/synflood" -6 -s fd41::1 -d fd41::2 -p 9 -P 42000 -S 1000 -q 2000000 -n $N) ||
	fail "synflood v6"
[ "$sent4" = $N ] && [ "$sent6" = $N ] || fail "synflood sent $sent4/$sent6 of $N"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"
grep -q '^index ' "$T_TMP/d" || fail "no clean-close index"

check() { # family saddr daddr seqbase sportbase iplen
	grep "^drop .* family=$1 .* dport=9 " "$T_TMP/d" | grep " netns=$INO " >"$T_TMP/f$1"
	expect_seqs "$T_TMP/f$1" "$4" $N
	expect_synflood "$T_TMP/f$1" "$4" "$5" 9 "$6" reason=NO_SOCKET state=0 state_name=none \
		flags=0x02 "saddr=$2" "daddr=$3" tcp_ack=0 win=64240 "netns=$INO" \
		"ifindex=$IFINDEX" "ifname=$IF"
	log "IPv$1: $N SYNs sent, $N NO_SOCKET drops recorded, all fields match"
}
check 4 10.41.0.1 10.41.0.2 1000000 41000 40
check 6 fd41::1 fd41::2 2000000 42000 60
grep -q "$((2 * N)) drops recorded, 0 lost" "$REC_ERR" || fail "recorder summary: $(cat "$REC_ERR")"
echo "PASS $T_NAME"
