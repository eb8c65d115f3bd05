#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Data far outside the receive window of an established connection (IPv4 and IPv6, played
# through a tap device) is recorded as TCP_INVALID_SEQUENCE on the ESTABLISHED socket.
. "$(dirname "$0")/lib.sh"
require_env tapinject

N=3
ns_new B b
TAP=$(tap_new "$B" 45)
INO=$(ns_inode "$B")

rec_start -w "$T_TMP/t.tdrop" --netns "$INO"
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.45.0.1 -d 10.45.0.2 -p 7002 -P 49000 \
	-m oow -n $N >"$T_TMP/o4" || fail "tapinject v4"
ip netns exec "$B" "$TOOLS/tapinject" -6 -i "$TAP" -s fd45::1 -d fd45::2 -p 7002 -P 50000 \
	-m oow -n $N >"$T_TMP/o6" || fail "tapinject v6"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"

# Before Linux 6.11 the tracepoint does not name the receiving socket, and at this drop the
# segment's own skb->sk is not set yet: the kernel does not tell the state (tcpdrop shows "-").
state=ESTABLISHED
[ "$(meta_value "$T_TMP/d" rx_sk)" = no ] && state=none
common="reason=TCP_INVALID_SEQUENCE state_name=$state flags=0x18 dport=7002 netns=$INO"
n4=$(expect_packets "$T_TMP/d" "$T_TMP/o4" family=4 saddr=10.45.0.1 daddr=10.45.0.2 sport=49000 $common) || exit 1
n6=$(expect_packets "$T_TMP/d" "$T_TMP/o6" family=6 saddr=fd45::1 daddr=fd45::2 sport=50000 $common) || exit 1
got=$(grep -c '^drop .* reason=TCP_INVALID_SEQUENCE ' "$T_TMP/d")
[ "$got" -eq $((2 * N)) ] || fail "$got TCP_INVALID_SEQUENCE drops recorded, want $((2 * N))"
log "TCP_INVALID_SEQUENCE: $n4 IPv4 + $n6 IPv6 segments sent out of window, recorded $got"
echo "PASS $T_NAME"
