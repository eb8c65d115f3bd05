#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Segments with a wrong TCP checksum injected through a tap device (IPv4 and IPv6) are
# recorded as TCP_CSUM; the snap bytes are exactly the injected IP packets.
. "$(dirname "$0")/lib.sh"
require_env tapinject

N=5
ns_new B b
TAP=$(tap_new "$B" 43)
INO=$(ns_inode "$B")
IFINDEX=$(ip netns exec "$B" cat "/sys/class/net/$TAP/ifindex")
ip netns exec "$B" nstat -n

rec_start -w "$T_TMP/t.tdrop" --netns "$INO"
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.43.0.1 -d 10.43.0.2 -p 7000 -P 45000 \
	-m csum -n $N >"$T_TMP/o4" || fail "tapinject v4"
ip netns exec "$B" "$TOOLS/tapinject" -6 -i "$TAP" -s fd43::1 -d fd43::2 -p 7000 -P 46000 \
	-m csum -n $N >"$T_TMP/o6" || fail "tapinject v6"
errs=$(ip netns exec "$B" nstat -z TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"

[ "$errs" = $((2 * N)) ] || fail "TcpInCsumErrors $errs, want $((2 * N))"
common="reason=TCP_CSUM state_name=none flags=0x02 dport=7000 netns=$INO ifindex=$IFINDEX ifname=$TAP"
n4=$(expect_packets "$T_TMP/d" "$T_TMP/o4" family=4 saddr=10.43.0.1 daddr=10.43.0.2 $common) || exit 1
n6=$(expect_packets "$T_TMP/d" "$T_TMP/o6" family=6 saddr=fd43::1 daddr=fd43::2 $common) || exit 1
csum=$(grep -c '^drop .* reason=TCP_CSUM ' "$T_TMP/d")
[ "$csum" -eq $((2 * N)) ] || fail "$csum TCP_CSUM drops recorded, $((2 * N)) injected"
log "TCP_CSUM: injected $n4 IPv4 + $n6 IPv6, kernel counted $errs, recorded $csum, bytes equal"
echo "PASS $T_NAME"
