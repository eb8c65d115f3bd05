#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SYNs to a closed port (IPv4 and IPv6) are recorded as NO_SOCKET, one event per SYN sent,
# with the addresses, ports, flags, sequence numbers and netns the test used.
. "$(dirname "$0")/lib.sh"
require_env synflood

N=300
A=$(ns_new a) B=$(ns_new b)
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

check() { # family saddr daddr seqbase sportbase len
	grep "^drop .* family=$1 .* dport=9 " "$T_TMP/d" | grep " netns=$INO " >"$T_TMP/f$1"
	got=$(wc -l <"$T_TMP/f$1")
	[ "$got" -eq $N ] || fail "IPv$1: $got NO_SOCKET drops recorded, $N SYNs sent"
	# one event per SYN: sequence numbers base..base+N-1 each exactly once
	seqs=$(sed 's/.* tcp_seq=\([0-9]*\) .*/\1/' "$T_TMP/f$1" | sort -n | uniq | wc -l)
	first=$(sed 's/.* tcp_seq=\([0-9]*\) .*/\1/' "$T_TMP/f$1" | sort -n | head -n 1)
	last=$(sed 's/.* tcp_seq=\([0-9]*\) .*/\1/' "$T_TMP/f$1" | sort -n | tail -n 1)
	[ "$seqs" -eq $N ] && [ "$first" -eq "$4" ] && [ "$last" -eq $(($4 + N - 1)) ] ||
		fail "IPv$1: sequence numbers $first..$last ($seqs distinct), want $4..$(($4 + N - 1))"
	while read -r line; do
		seq=$(field tcp_seq "$line")
		sport=$(($5 + seq - $4))
		# snap bytes: the IP header the kernel built, then the exact TCP header synflood sent
		tcp=$(printf '%04x0009%08x000000005002faf0' "$sport" "$seq")
		data=$(field data "$line")
		hl=$(( $6 - 20 ))
		[ "$(echo "$data" | cut -c$((2 * hl + 1))-$((2 * hl + 32)))" = "$tcp" ] ||
			fail "IPv$1: snap bytes $data do not carry the TCP header sent ($tcp...)"
		expect_fields "$line" reason=NO_SOCKET state=0 state_name=none flags=0x02 \
			"saddr=$2" "daddr=$3" "sport=$sport" dport=9 tcp_ack=0 win=64240 \
			"netns=$INO" "ifindex=$IFINDEX" "ifname=$IF" "caplen=$6"
		expect_len "$line" "$6"
	done <"$T_TMP/f$1"
	log "IPv$1: $N SYNs sent, $got NO_SOCKET drops recorded, all fields match"
}
check 4 10.41.0.1 10.41.0.2 1000000 41000 40
check 6 fd41::1 fd41::2 2000000 42000 60
grep -q "$((2 * N)) drops recorded, 0 lost" "$REC_ERR" || fail "recorder summary: $(cat "$REC_ERR")"
echo "PASS $T_NAME"
