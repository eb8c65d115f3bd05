#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A SYN flood into the smallest ring buffer the recorder accepts: events are lost, and the
# drops recorded plus the losses the file's LOSS records count equal exactly the SYNs sent.
. "$(dirname "$0")/lib.sh"
require_env synflood

N=20000
ns_new A a
ns_new B b
veth_pair "$A" "$B" 46
INO=$(ns_inode "$B")

rec_start -w "$T_TMP/t.tdrop" --netns "$INO" --ringbuf-size 64K
sent=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.46.0.1 -d 10.46.0.2 -p 9 -S 20000 -q 1 -n $N) ||
	fail "synflood"
[ "$sent" = $N ] || fail "synflood sent $sent of $N"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"

# every SYN is dropped once in B: by TCP (NO_SOCKET) or earlier (e.g. CPU_BACKLOG)
recorded=$(grep '^drop ' "$T_TMP/d" | grep -c " netns=$INO ")
other=$(grep '^drop ' "$T_TMP/d" | grep -vc " netns=$INO ")
lost=$(awk '/^loss kind=0 / { sub("count=", "", $4); n += $4 } END { print n + 0 }' "$T_TMP/d")
reasons=$(grep '^drop ' "$T_TMP/d" | sed 's/.* reason=\([^ ]*\) .*/\1/' | sort | uniq -c | tr -s ' ' | tr '\n' ',')
log "sent $N SYNs: recorded $recorded ($reasons), lost $lost (LOSS records)"
[ "$other" -eq 0 ] || fail "$other drops from other namespaces despite --netns"
[ "$lost" -gt 0 ] || fail "a 64K ring buffer lost nothing under a flood of $N: the test proves nothing"
[ $((recorded + lost)) -eq $N ] || fail "recorded $recorded + lost $lost = $((recorded + lost)), caused $N"
dups=$(grep '^drop ' "$T_TMP/d" | sed 's/.* tcp_seq=\([0-9]*\) .*/\1/' | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] || fail "$dups SYNs recorded twice"
idx=$(grep '^index ' "$T_TMP/d") || fail "no clean-close index"
expect_fields "$idx" "drops=$recorded" "lost=$lost"
grep -q "$recorded drops recorded, $lost lost" "$REC_ERR" || fail "recorder summary: $(cat "$REC_ERR")"
echo "PASS $T_NAME"
