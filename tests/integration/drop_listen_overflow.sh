#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Handshake-completing ACKs that find a listener's accept queue full (IPv4 and IPv6, played
# through a tap device) are recorded as TCP_LISTEN_OVERFLOW on the LISTEN socket.
. "$(dirname "$0")/lib.sh"
require_env tapinject

N=4
ns_new B b
TAP=$(tap_new "$B" 44)
INO=$(ns_inode "$B")
# Without SYN cookies the requests wait in the SYN queue, and their ACKs take the
# tcp_check_req() overflow path (with cookies the kernel says NO_SOCKET instead).
ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=0 || fail "sysctl tcp_syncookies"
ip netns exec "$B" nstat -n

# Kernels without TCP_LISTEN_OVERFLOW (6.1) free these ACKs as NOT_SPECIFIED, which the recorder
# counts but leaves out unless asked: record them then, and expect that reason, with no state
# (no rx_sk before 6.11, and the request socket is not attached to the segment at this point).
reason=TCP_LISTEN_OVERFLOW state=LISTEN all=
if ! kernel_has_reason TCP_LISTEN_OVERFLOW; then
	reason=NOT_SPECIFIED state=none all=--all-reasons
fi
rec_start -w "$T_TMP/t.tdrop" --netns "$INO" $all
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.44.0.1 -d 10.44.0.2 -p 7001 -P 47000 \
	-m overflow -n $N >"$T_TMP/o4" || fail "tapinject v4"
ip netns exec "$B" "$TOOLS/tapinject" -6 -i "$TAP" -s fd44::1 -d fd44::2 -p 7001 -P 48000 \
	-m overflow -n $N >"$T_TMP/o6" || fail "tapinject v6"
ovf=$(ip netns exec "$B" nstat -z TcpExtListenOverflows | awk '/ListenOverflows/ { print $2 }')
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"

[ "$ovf" = $((2 * N)) ] || fail "TcpExtListenOverflows $ovf, want $((2 * N))"
common="reason=$reason state_name=$state flags=0x10 dport=7001 netns=$INO"
n4=$(expect_packets "$T_TMP/d" "$T_TMP/o4" family=4 saddr=10.44.0.1 daddr=10.44.0.2 $common) || exit 1
n6=$(expect_packets "$T_TMP/d" "$T_TMP/o6" family=6 saddr=fd44::1 daddr=fd44::2 $common) || exit 1
got=$(grep "^drop .* reason=$reason " "$T_TMP/d" | grep -c " dport=7001 ")
[ "$got" -eq $((2 * N)) ] || fail "$got $reason drops recorded, want $((2 * N))"
log "$reason: $n4 IPv4 + $n6 IPv6 ACKs overflowed, kernel counted $ovf, recorded $got"
echo "PASS $T_NAME"
