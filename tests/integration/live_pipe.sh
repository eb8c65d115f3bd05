#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Live view: `tcpdrop-record -w - | tcpdrop-report -r -` prints a drop within about two
# seconds of it happening (the default flush interval is one second).
. "$(dirname "$0")/lib.sh"
require_env synflood "$RPT"

ns_new A a
ns_new B b
veth_pair "$A" "$B" 52
INO=$(ns_inode "$B")
mkfifo "$T_TMP/pipe"
"$RPT" -r - <"$T_TMP/pipe" >"$T_TMP/out" 2>"$T_TMP/rpt.err" &
RP=$!
at_exit "kill -KILL $RP"
rec_start -w - --netns "$INO" >"$T_TMP/pipe"

seen() { grep -q '10\.52\.0\.2' "$T_TMP/out"; }
seen && fail "report shows a drop before any was caused"
t0=$(date +%s%N)
ip netns exec "$A" "$TOOLS/synflood" -s 10.52.0.1 -d 10.52.0.2 -p 5252 -P 45252 -n 1 >/dev/null
wait_until 10 seen || fail "no drop in the live report after $((10 * SLOW)) s: $(head -c 600 "$T_TMP/out") $(cat "$T_TMP/rpt.err")"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -le $((2000 * SLOW)) ] || fail "the live report showed the drop after $ms ms"
line=$(grep '10\.52\.0\.2' "$T_TMP/out" | head -n 1)
case "$line" in *NO_SOCKET*) ;; *) fail "live line lacks the reason: $line" ;; esac
case "$line" in *5252*) ;; *) fail "live line lacks the port: $line" ;; esac
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
wait_until 10 eval '! alive $RP' || fail "report still running after the recorder closed the pipe"
wait "$RP" || fail "report exit status $?: $(cat "$T_TMP/rpt.err")"
log "drop shown after $ms ms: $line"
echo "PASS $T_NAME"
