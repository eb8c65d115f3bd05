#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --metrics against the real node_exporter (Debian's prometheus-node-exporter, textfile
# collector, run as nobody on a loopback port picked here): after real NO_SOCKET drops a scrape
# shows tcpdrop_drops_total per family and netns equal to what the trace file counts, while
# recording (each flush) and after exit; promtool check metrics accepts the file; the file is
# 0644 and written by the -Z user after the privilege drop and under the seccomp filter. The
# live view writes it too; a write error is one warning line and the recording goes on; a
# directory that does not exist is a one-line error before anything starts.
# not-in: vm: the recorder's file handling and a server, not the kernel's: runs on the host
. "$(dirname "$0")/lib.sh"
require_env synflood "$RPT"
NODE_EXPORTER=$(command -v prometheus-node-exporter) || skip "prometheus-node-exporter not installed (make deps)"
command -v promtool >/dev/null || skip "promtool (package prometheus) not installed (make deps)"
command -v curl >/dev/null || skip "curl not installed (make deps)"
id nobody >/dev/null 2>&1 || skip "no user nobody"

N=150
ns_new A a
ns_new B b
veth_pair "$A" "$B" 71
INO=$(ns_inode "$B")
# the netns label: the namespace's name where the recorder knows it (ip netns), else its inode
NSL="\($B\|$INO\)"

# free_port: a loopback TCP port nothing listens on (ephemeral range avoided).
free_port() {
	for _p in $(shuf -i 20000-30000 -n 50); do
		ss -Htln "sport = :$_p" | grep -q . || { echo "$_p"; return 0; }
	done
	fail "no free port"
}

# $T_TMP is root's 0700: the textfile directory hangs off a searchable one, owned by nobody
D=$(mktemp -d /tmp/tcpdrop-it-fleet.XXXXXX)
at_exit "rm -rf $D"
chmod 0755 "$D"
PROM=$D/textfile
mkdir -m 0755 "$PROM" && chown nobody "$PROM"
# root's own directory: uid 0 writes there without keeping CAP_DAC_OVERRIDE (rec_start's
# readiness signal is an empty CapEff)
OWN=$D/own
mkdir -m 0755 "$OWN"

# --- a bad value: one line, status 1 (2 for a name that is no file), before anything starts
"$REC" -q -w "$T_TMP/bad.tdrop" --metrics "$D/nonexistent/tcpdrop.prom" --duration 1 2>"$T_TMP/bad.err"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$T_TMP/bad.err")" = 1 ] && [ ! -e "$T_TMP/bad.tdrop" ] &&
	grep -q "^tcpdrop-record: --metrics: $D/nonexistent/tcpdrop.prom: No such file or directory (its directory must exist)$" \
		"$T_TMP/bad.err" || fail "missing directory: exit $rc: $(cat "$T_TMP/bad.err")"
"$REC" -q -w "$T_TMP/bad.tdrop" --metrics "$PROM/" 2>"$T_TMP/bad.err"
rc=$?
[ "$rc" = 2 ] && grep -q "^tcpdrop-record: --metrics: '$PROM/' is not a file name" "$T_TMP/bad.err" ||
	fail "--metrics DIR/: exit $rc: $(cat "$T_TMP/bad.err")"
log "bad --metrics values: one line each, nothing recorded"

# --- node_exporter as nobody: reads only what is 0644 ---
PORT=$(free_port)
setpriv --reuid=nobody --regid=nogroup --clear-groups "$NODE_EXPORTER" \
	--web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$PROM" >"$T_TMP/ne.log" 2>&1 &
NE_PID=$!
at_exit "kill $NE_PID"
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$T_TMP/scrape" 2>/dev/null; }
wait_until 20 scrape || fail "node_exporter not ready on port $PORT: $(tail -n 5 "$T_TMP/ne.log")"
log "node_exporter $("$NODE_EXPORTER" --version 2>&1 | head -n 1 | cut -d' ' -f3) on 127.0.0.1:$PORT"

# scraped FAMILY: the NO_SOCKET count node_exporter shows for B's netns and FAMILY, or nothing
scraped() {
	scrape && sed -n "s/^tcpdrop_drops_total{family=\"$1\",netns=\"$NSL\",reason=\"NO_SOCKET\"} //p" "$T_TMP/scrape"
}
scraped_is() { [ "$(scraped "$1")" = "$2" ]; }

# --- -w, -Z nobody: counters each flush while recording, and at exit ---
rec_start -w "$T_TMP/t.tdrop" --netns "$INO" --metrics "$PROM/tcpdrop.prom" --flush-interval 200 -Z nobody
wait_until 10 test -s "$PROM/tcpdrop.prom" || fail "no metrics file at the first flush: $(cat "$REC_ERR")"
ip netns exec "$A" "$TOOLS/synflood" -s 10.71.0.1 -d 10.71.0.2 -p 9 -P 41000 -n $N >/dev/null ||
	fail "synflood v4"
ip netns exec "$A" "$TOOLS/synflood" -6 -s fd71::1 -d fd71::2 -p 9 -P 42000 -n $N >/dev/null ||
	fail "synflood v6"
wait_until 10 scraped_is ipv4 $N ||
	fail "while recording: scraped ipv4 '$(scraped ipv4)', want $N: $(grep tcpdrop_drops "$T_TMP/scrape")"
wait_until 10 scraped_is ipv6 $N || fail "while recording: scraped ipv6 '$(scraped ipv6)', want $N"
log "while recording: the scrape shows $N + $N NO_SOCKET drops within a flush"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
! grep -q warning "$REC_ERR" || fail "recorder said: $(cat "$REC_ERR")"

# the trace file counts the same
"$RPT" -r "$T_TMP/t.tdrop" --summary reason >"$T_TMP/sum" || fail "tcpdrop-report --summary"
want=$(awk '$3 == "NO_SOCKET" { print $1 }' "$T_TMP/sum")
"$RPT" -r "$T_TMP/t.tdrop" --format=json --reason NO_SOCKET >"$T_TMP/json" || fail "tcpdrop-report json"
want4=$(grep -c '"family":4,' "$T_TMP/json")
want6=$(grep -c '"family":6,' "$T_TMP/json")
scrape || fail "scrape after exit"
got4=$(scraped ipv4) got6=$(scraped ipv6)
[ "$want4" = "$N" ] && [ "$want6" = "$N" ] && [ "$want" = $((2 * N)) ] ||
	fail "the trace file counts $want4 + $want6 ($want in --summary reason), want $N + $N"
[ "$got4" = "$want4" ] && [ "$got6" = "$want6" ] ||
	fail "scrape after exit: $got4 + $got6, the trace file: $want4 + $want6"
total=$(awk '/^tcpdrop_drops_total\{.*reason="NO_SOCKET"/ { s += $2 } END { print s + 0 }' "$T_TMP/scrape")
[ "$total" = "$want" ] || fail "scraped NO_SOCKET total $total, --summary reason says $want"
grep -q '^node_textfile_scrape_error 0$' "$T_TMP/scrape" || fail "textfile collector error: $(grep textfile "$T_TMP/scrape")"
for m in tcpdrop_lost_total tcpdrop_excluded_total tcpdrop_bytes_written_total tcpdrop_start_time_seconds; do
	grep -q "^# TYPE $m " "$T_TMP/scrape" && grep -q "^$m [0-9]" "$T_TMP/scrape" || fail "no $m in the scrape"
done
grep -q '^tcpdrop_lost_total 0$' "$T_TMP/scrape" || fail "lost: $(grep '^tcpdrop_lost' "$T_TMP/scrape")"
bytes=$(sed -n 's/^tcpdrop_bytes_written_total //p' "$T_TMP/scrape")
[ "$bytes" -gt 0 ] && [ "$bytes" -le "$(stat -c %s "$T_TMP/t.tdrop")" ] || fail "bytes written $bytes"
log "after exit: scraped $got4 + $got6 NO_SOCKET = --summary reason's $want; lost, excluded, bytes, start time there"

promtool check metrics <"$PROM/tcpdrop.prom" >"$T_TMP/promtool" 2>&1 || fail "promtool: $(cat "$T_TMP/promtool")"
[ ! -s "$T_TMP/promtool" ] || fail "promtool lint: $(cat "$T_TMP/promtool")"
[ "$(stat -c '%a %U' "$PROM/tcpdrop.prom")" = "644 nobody" ] ||
	fail "file mode/owner $(stat -c '%a %U' "$PROM/tcpdrop.prom"), want 644 nobody"
[ "$(ls -A "$PROM")" = tcpdrop.prom ] || fail "left in the directory: $(ls -A "$PROM")"
log "promtool check metrics: ok; 0644, owned by the -Z user, no temporary file left"

# --- the live view (no -w) writes it too ---
"$REC" -q --netns "$INO" --metrics "$OWN/live.prom" --duration 3 >"$T_TMP/live.out" 2>"$T_TMP/live.err" &
LIVE_PID=$!
at_exit "kill -KILL $LIVE_PID"
wait_until 20 test -s "$OWN/live.prom" || fail "live view: no metrics file: $(cat "$T_TMP/live.err")"
ip netns exec "$A" "$TOOLS/synflood" -s 10.71.0.1 -d 10.71.0.2 -p 9 -P 43000 -n 7 >/dev/null || fail "synflood"
wait "$LIVE_PID" || fail "live view: exit $?: $(cat "$T_TMP/live.err")"
grep -q "^tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\",netns=\"$NSL\"} 7$" "$OWN/live.prom" ||
	fail "live view metrics: $(grep drops_total "$OWN/live.prom")"
[ "$(grep -c 'NO_SOCKET' "$T_TMP/live.out")" -ge 7 ] || fail "live view showed: $(cat "$T_TMP/live.out")"
log "live view: 7 drops shown and counted in the metrics file"

# --- a write error: one warning line, the recording goes on and ends well ---
mkdir -p "$OWN/busy.prom/x"
rec_start -w "$T_TMP/w.tdrop" --netns "$INO" --metrics "$OWN/busy.prom" --flush-interval 100
ip netns exec "$A" "$TOOLS/synflood" -s 10.71.0.1 -d 10.71.0.2 -p 9 -P 44000 -n 5 >/dev/null || fail "synflood"
sleep 0.5
rec_stop
[ "$REC_RC" = 0 ] || fail "with a failing metrics file: exit status $REC_RC: $(cat "$REC_ERR")"
[ "$(grep -c 'warning' "$REC_ERR")" = 1 ] &&
	grep -q "^tcpdrop-record: warning: --metrics $OWN/busy.prom: Is a directory (recording goes on)$" "$REC_ERR" ||
	fail "want one warning line: $(cat "$REC_ERR")"
"$RPT" -r "$T_TMP/w.tdrop" --summary reason | grep -q '^ *5 .*NO_SOCKET' || fail "the recording lost drops"
[ ! -e "$OWN/.busy.prom.tmp" ] || fail "temporary file left after the failed rename"
log "a failing metrics file: one warning line, all 5 drops recorded"
echo "PASS $T_NAME"
