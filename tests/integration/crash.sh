#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Crash safety. SIGKILL during a flood: the file still decodes and holds every drop that
# happened more than the flush interval before the kill, in order and without gaps.
# SIGTERM after a flood: every drop is there and the clean-close index and trailer are read.
. "$(dirname "$0")/lib.sh"
require_env synflood

FLUSH_MS=200
N1=3000
ns_new A a
ns_new B b
veth_pair "$A" "$B" 47
INO=$(ns_inode "$B")
# run as `ip netns exec` (which execs) so that $! of a background flood is synflood itself
FLOOD="ip netns exec $A $TOOLS/synflood -s 10.47.0.1 -d 10.47.0.2 -p 9 -S 20000 -t 30"

# --- SIGKILL ---
rec_start -w "$T_TMP/k.tdrop" --netns "$INO" --flush-interval $FLUSH_MS
[ "$($FLOOD -q 1000000 -n $N1)" = $N1 ] || fail "synflood phase 1"
# phase 1 is now older than the flush interval (with slack for slow builds)
sleep $((SLOW * 2))
$FLOOD -q 5000000 -n 0 -r 4000 >"$T_TMP/flood2" &
FP=$!
at_exit "kill -KILL $FP"
sleep 0.7
kill -KILL "$REC_PID"
wait "$REC_PID"
kill -TERM "$FP"
wait "$FP"
n2=$(cat "$T_TMP/flood2")
[ "$n2" -gt 0 ] || fail "phase 2 flood sent nothing"

"$TDFDUMP" "$T_TMP/k.tdrop" >"$T_TMP/k" 2>"$T_TMP/k.err" || fail "killed recording does not decode: $(cat "$T_TMP/k.err")"
grep -q '^end status=ok ' "$T_TMP/k" || fail "killed recording: no end line"
grep -q '^corrupt ' "$T_TMP/k" && fail "killed recording has corrupt blocks: $(grep '^corrupt ' "$T_TMP/k" | head -n 3)"
grep -q '^index ' "$T_TMP/k" && fail "killed recording has a clean-close index"
grep '^drop ' "$T_TMP/k" | grep " netns=$INO " | grep ' tcp_seq=1[0-9]\{6\} ' >"$T_TMP/k1"
expect_seqs "$T_TMP/k1" 1000000 $N1
grep '^drop ' "$T_TMP/k" | grep " netns=$INO " | grep ' tcp_seq=5[0-9]\{6\} ' >"$T_TMP/k2"
k2=$(wc -l <"$T_TMP/k2")
[ "$k2" -gt 0 ] && expect_seqs "$T_TMP/k2" 5000000 "$k2"
log "SIGKILL: phase 1 $N1 of $N1 present; phase 2 (in flight at the kill) $k2 of $n2 present, no gap;" \
	"$(sed -n 's/^end //p' "$T_TMP/k")"

# --- SIGTERM ---
rec_start -w "$T_TMP/t.tdrop" --netns "$INO" --flush-interval $FLUSH_MS
$FLOOD -q 7000000 -n 0 -r 20000 >"$T_TMP/flood3" &
FP=$!
sleep 1
kill -TERM "$FP"
wait "$FP"
n3=$(cat "$T_TMP/flood3")
rec_stop TERM
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC after SIGTERM: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/t"
grep -q '^end .* truncated=0 clean_close=1$' "$T_TMP/t" || fail "SIGTERM: $(grep '^end' "$T_TMP/t")"
idx=$(grep '^index ' "$T_TMP/t") || fail "SIGTERM: no index"
grep '^drop ' "$T_TMP/t" | grep " netns=$INO " >"$T_TMP/t3"
expect_seqs "$T_TMP/t3" 7000000 "$n3"
lost=$(awk '/^loss kind=0 / { sub("count=", "", $4); n += $4 } END { print n + 0 }' "$T_TMP/t")
[ "$lost" -eq 0 ] || fail "SIGTERM: $lost events lost with the default ring buffer"
expect_fields "$idx" "drops=$n3" lost=0
log "SIGTERM: $n3 of $n3 present, index read: $idx"
echo "PASS $T_NAME"
