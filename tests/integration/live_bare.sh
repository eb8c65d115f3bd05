#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The seed's way of working: `tcpdrop-record` run bare in a terminal shows each drop live in
# the classic table with its stack, within 1.5 s; its tcpdrop-report has no capabilities;
# Ctrl-C (SIGINT to the terminal's foreground group) ends both with the summary line last.
# `--no-stack -c 1` ends by itself without stacks; without a tcpdrop-report it says so.
. "$(dirname "$0")/lib.sh"
require_env synflood "$RPT"
command -v script >/dev/null || fail "script (util-linux) missing"

# Without a report next to it or on PATH: one line saying so, exit 1, before any privilege.
mkdir "$T_TMP/alone" && cp "$REC" "$T_TMP/alone/"
PATH=/nonexistent "$T_TMP/alone/tcpdrop-record" >"$T_TMP/alone.out" 2>"$T_TMP/alone.err"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$T_TMP/alone.err")" = 1 ] && [ ! -s "$T_TMP/alone.out" ] &&
	grep -q "^tcpdrop-record: live view: tcpdrop-report not found in $T_TMP/alone, its ../bin or on PATH" \
		"$T_TMP/alone.err" || fail "no report: exit $rc, stderr: $(cat "$T_TMP/alone.err")"
# An installed layout (PREFIX/sbin and PREFIX/bin) is found without PATH.
mkdir -p "$T_TMP/pfx/sbin" "$T_TMP/pfx/bin" && cp "$REC" "$T_TMP/pfx/sbin/" && cp "$RPT" "$T_TMP/pfx/bin/"
PATH=/nonexistent "$T_TMP/pfx/sbin/tcpdrop-record" -q --duration 1 --netns 1 >"$T_TMP/pfx.out" 2>"$T_TMP/pfx.err" ||
	fail "PREFIX/sbin + PREFIX/bin: exit $?: $(cat "$T_TMP/pfx.err")"

ns_new A a
ns_new B b
veth_pair "$A" "$B" 53
INO=$(ns_inode "$B")
TS=$T_TMP/typescript

# bare ARGS...: the recorder without -w on a terminal (script's pty) in the background.
bare() {
	rm -f "$TS"
	script -qfec "$REC --netns $INO $*" "$TS" >/dev/null 2>&1 </dev/null &
	SCRIPT_PID=$!
	at_exit "kill -KILL $SCRIPT_PID"
	wait_until 30 grep -qs 'showing drops live via' "$TS" ||
		fail "no start line after $((30 * SLOW)) s: $(cat "$TS")"
}
shown() { grep -q "10\.53\.0\.1:$1 .*10\.53\.0\.2:5353 .* SYN  *NO_SOCKET" "$TS"; }

bare
rpid=$(pgrep -x tcpdrop-record -P "$SCRIPT_PID" || pgrep -n -x tcpdrop-record)
kpid=$(pgrep -x tcpdrop-report -P "$rpid") || fail "no tcpdrop-report child of $rpid"
grep -q '^CapEff:[[:space:]]*0*$' "/proc/$kpid/status" ||
	fail "the live view's tcpdrop-report has capabilities: $(grep Cap "/proc/$kpid/status")"
t0=$(date +%s%N)
ip netns exec "$A" "$TOOLS/synflood" -s 10.53.0.1 -d 10.53.0.2 -p 5353 -P 45353 -n 1 >/dev/null
wait_until 10 shown 45353 || fail "no drop shown after $((10 * SLOW)) s: $(cat "$TS")"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -le $((1500 * SLOW)) ] || fail "the drop was shown after $ms ms (want <= $((1500 * SLOW)))"
# the header (printed with the first drop) comes first, then the row, then its stack
[ "$(grep -v '^Script started' "$TS" | grep -v '^tcpdrop-record: showing' | head -n 1 | cut -c1-8)" = "TIME    " ] ||
	fail "the table header does not come first: $(head -n 4 "$TS")"
grep -q '^TIME  *PID  *COMM  *OWNER  *SADDR:SPORT  *DADDR:DPORT  *STATE  *FLAGS  *REASON' "$TS" ||
	fail "no table header: $(head -n 4 "$TS")"
sed -n '/10\.53\.0\.1:45353 /,$p' "$TS" | sed -n 2,6p | grep -q '^	tcp_v4_rcv+0x' ||
	fail "no stack under the drop: $(cat "$TS")"
# Ctrl-C: the terminal signals its whole foreground process group
pgid=$(sed 's/.*) //' "/proc/$rpid/stat" | cut -d' ' -f3)
env kill -INT -- "-$pgid"
wait_until 10 eval '! alive $SCRIPT_PID' || fail "still running 10 s after Ctrl-C"
tail -n 4 "$TS" | grep -q '^tcpdrop-record: [1-9][0-9]* drops recorded, 0 lost' ||
	fail "no summary line after Ctrl-C: $(tail -n 5 "$TS")"
grep -q 'COMMAND_EXIT_CODE="0"' "$TS" || fail "exit status: $(tail -n 2 "$TS")"
[ "$(sed -n '/drops recorded/,$p' "$TS" | grep -c '^[0-9][0-9]:')" = 0 ] ||
	fail "table rows after the summary line: $(cat "$TS")"

# -c 1 --no-stack: ends by itself after one drop, no stack lines
bare --no-stack -c 1
ip netns exec "$A" "$TOOLS/synflood" -s 10.53.0.1 -d 10.53.0.2 -p 5353 -P 46353 -n 1 >/dev/null
wait_until 10 eval '! alive $SCRIPT_PID' || fail "-c 1 did not end the live view: $(cat "$TS")"
shown 46353 || fail "-c 1: drop not shown: $(cat "$TS")"
grep -q '^	' "$TS" && fail "--no-stack shows stack lines: $(cat "$TS")"
grep -q '^tcpdrop-record: 1 drops recorded' "$TS" || fail "-c 1 summary: $(tail -n 3 "$TS")"
log "bare recorder showed the drop after $ms ms"
