#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Socket owners on real drops: a listener's accept-queue overflow names the listening process,
# an established connection's drop the accepting one, a SYN dropped on its way out (and its
# retransmission from a timer, on whatever task the CPU ran) the connecting process; each with
# the cgroup the test put it in, a container id where that cgroup's name carries one, and the
# namespace's name as `ip netns` lists it. A drop without a socket has no owner.
. "$(dirname "$0")/lib.sh"
require_env tapinject synflood
command -v nft >/dev/null || skip "nft not installed"

HEX=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns_new B b
TAP=$(tap_new "$B" 81)
ns_new C c
ns_new D d
veth_pair "$C" "$D" 82
INO_B=$(ns_inode "$B")
INO_C=$(ns_inode "$C")
ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=0 || fail "sysctl tcp_syncookies"
# egress: segments to port 7103 leaving C's veth are dropped there (netdev egress hook)
ip netns exec "$C" nft -f - <<NFT || fail "nft"
table netdev tdtest {
	chain egress {
		type filter hook egress device va${T_TAG}82 priority 0; policy accept;
		tcp dport 7103 counter drop
	}
}
NFT
cg_new CG_SRV "tcpdrop-it-$T_TAG/docker-$HEX.scope"
cg_new CG_CLI "tcpdrop-it-$T_TAG/client.scope"
SRV_PATH=${CG_SRV#"$CG_ROOT"}
CLI_PATH=${CG_CLI#"$CG_ROOT"}

# 6.1 frees the overflowing ACKs as NOT_SPECIFIED (see drop_listen_overflow): record those too
all=
kernel_has_reason TCP_LISTEN_OVERFLOW || all=--all-reasons
rec_start -w "$T_TMP/t.tdrop" $all

# the listener and the accepting server: tapinject, inside the "container" cgroup
in_cg() { # CGDIR CMD...: run CMD (exec'd, so $! is its pid) in the cgroup
	_cg=$1
	shift
	exec sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$_cg" "$@"
}
in_cg "$CG_SRV" ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.81.0.1 -d 10.81.0.2 \
	-p 7101 -P 47100 -m overflow -n 2 >"$T_TMP/ovf" &
PID_OVF=$!
wait $PID_OVF || fail "tapinject overflow"
in_cg "$CG_SRV" ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.81.0.1 -d 10.81.0.2 \
	-p 7102 -P 47200 -m oow -n 2 >"$T_TMP/oow" &
PID_OOW=$!
wait $PID_OOW || fail "tapinject oow"
# the connecting client: its SYN and the retransmission a second later die at C's egress
in_cg "$CG_CLI" ip netns exec "$C" bash -c 'exec 3<>/dev/tcp/10.82.0.2/7103' 2>/dev/null &
PID_CLI=$!
egress_drops() {
	[ "$(ip netns exec "$C" nft list ruleset | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')" -ge 2 ]
}
wait_until 10 egress_drops || fail "the client's SYN was not dropped twice at egress"
kill $PID_CLI
wait $PID_CLI
# no socket at all: SYNs to a closed port
ip netns exec "$B" "$TOOLS/tapinject" -i "$TAP" -s 10.81.0.1 -d 10.81.0.2 -p 9 -P 47300 \
	-m csum -n 2 >"$T_TMP/csum" || fail "tapinject csum"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"
[ "$(meta_value "$T_TMP/d" owners)" = yes ] || fail "owners not recorded: $(meta_value "$T_TMP/d" owners)"

# owner_of DPORT: the OWNER record the drops to DPORT name (all the same), as "pid comm cgroup"
owner_of() {
	_ids=$(grep "^drop .* dport=$1 " "$T_TMP/d" | sed 's/.* owner=\([0-9]*\) .*/\1/' | sort -u)
	[ -n "$_ids" ] || fail "no drops to port $1"
	[ "$(echo "$_ids" | wc -l)" = 1 ] || fail "drops to port $1 name owners $(echo $_ids)"
	[ "$_ids" = 0 ] && { echo none; return; }
	grep "^owner id=$_ids " "$T_TMP/d" | head -n 1 | sed 's/^owner id=[0-9]* pid=\([0-9]*\) comm=\([^ ]*\) cgroup=\([0-9]*\)$/\1 \2 \3/'
}
cg_path() { # ID: the path the CGROUP record gives
	sed -n "s/^cgroup id=$1 path=\(.*\) container=.*/\1/p" "$T_TMP/d" | tail -n 1
}
cg_container() {
	sed -n "s/^cgroup id=$1 path=.* container=\(.*\)/\1/p" "$T_TMP/d" | tail -n 1
}
check_owner() { # what DPORT PID COMM CGPATH CONTAINER
	set -- "$@"
	_o=$(owner_of "$2")
	[ "$_o" = "$3 $4 ${_o##* }" ] || fail "$1: owner '$_o', want pid $3 comm $4"
	_cg=${_o##* }
	[ "$(cg_path "$_cg")" = "$5" ] || fail "$1: cgroup $_cg path '$(cg_path "$_cg")', want '$5'"
	[ "$(cg_container "$_cg")" = "$6" ] || fail "$1: container '$(cg_container "$_cg")', want '$6'"
	log "$1: owner pid $3 ($4), cgroup $5${6:+, container ${6%${6#????????????}}}"
}

if [ "$(meta_value "$T_TMP/d" rx_sk)" = yes ]; then
	grep -q "^drop .* dport=7101 .* reason=TCP_LISTEN_OVERFLOW " "$T_TMP/d" || fail "no overflow drop"
	check_owner "listen overflow" 7101 "$PID_OVF" tapinject "$SRV_PATH" "$HEX"
	grep -q "^drop .* dport=7102 .* reason=TCP_INVALID_SEQUENCE " "$T_TMP/d" || fail "no oow drop"
	check_owner "established" 7102 "$PID_OOW" tapinject "$SRV_PATH" "$HEX"
else
	# before Linux 6.11 these drops carry no socket (see drop_listen_overflow, drop_oow)
	[ "$(owner_of 7101)" = none ] || fail "6.1: overflow drop has an owner: $(owner_of 7101)"
	log "listen overflow, established: no socket without rx_sk, no owner (as documented)"
fi
n=$(grep -c "^drop .* dport=7103 .* netns=$INO_C " "$T_TMP/d")
[ "$n" -ge 2 ] || fail "$n egress drops of the client's SYN, want >= 2 (SYN + retransmission)"
check_owner "egress SYN x$n" 7103 "$PID_CLI" bash "$CLI_PATH" ""
[ "$(owner_of 9)" = none ] || fail "socket-less drop has an owner: $(owner_of 9)"
# the retransmission ran from a timer: the on-CPU task is not the owner there
cpu_pids=$(grep "^drop .* dport=7103 " "$T_TMP/d" | sed 's/.* pid=\([0-9]*\) tid=.*/\1/' | sort -u | tr '\n' ' ')
log "egress drops on-CPU pids: $cpu_pids(owner $PID_CLI)"

# names: what ip netns lists, for the namespaces the drops happened in
for ns in "$B" "$C"; do
	ino=$(ns_inode "$ns")
	ip netns list | grep -q "^$ns\( \|$\)" || fail "ip netns does not list $ns"
	grep -q "^netns inode=$ino name=$ns$" "$T_TMP/d" || fail "no NETNS record $ino=$ns"
done
log "netns names: $B=$INO_B $C=$INO_C"
echo "PASS $T_NAME"
