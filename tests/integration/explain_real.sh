#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --explain on real drops: the demo causes NO_SOCKET (IPv4 and IPv6), NETFILTER_DROP,
# TCP_CSUM, TCP_LISTEN_OVERFLOW and TCP_INVALID_SEQUENCE drops; each must be explained with
# the facts of the drop (port, hook, device, state), its counter and a next step. The same
# diagnosis must be the second line of the pcapng comments as tshark reads them, the WHY
# column of --summary reason and the "why" key/column of JSON and CSV with --explain.
# not-in: vm: expects the diagnoses of Linux 6.11+ drops (TCP_LISTEN_OVERFLOW, states from rx_sk); 6.1's drops are checked by drop_* and demo
. "$TCPDROP_TOP/tests/integration/lib.sh"
require_env synflood tapinject
command -v tshark >/dev/null || fail "tshark not installed (make deps installs it)"

out=$T_TMP/demo.out
TCPDROP_DEMO_DIR=$T_TMP sh "$TCPDROP_TOP/tools/demo.sh" "$TCPDROP_BUILD" >"$out" 2>&1 ||
	fail "tools/demo.sh exit status $?: $(tail -n 5 "$out")"
F=$T_TMP/demo.tdrop
[ -s "$F" ] || fail "demo.tdrop missing"
# Only the demo's namespaces, as the demo itself shows them.
only=$(sed -n 's/^== tcpdrop-report -r demo.tdrop --no-stack //p' "$out" | head -n 1)
[ -n "$only" ] || fail "no namespace filter in the demo's output"

ex=$T_TMP/explain
# shellcheck disable=SC2086 # $only is a list of options
"$RPT" -r "$F" --explain $only >"$ex" 2>"$T_TMP/err" || fail "--explain: $(cat "$T_TMP/err")"

# has PATTERN WHAT: a line of the explanation matches PATTERN.
has() {
	grep -q -- "$1" "$ex" || fail "--explain lacks $2 ('$1'):
$(cat "$ex")"
}
# block REASON PATTERN WHAT: the first group of REASON holds a line matching PATTERN.
block() {
	awk -v r="$1 (" 'index($0, r) == 1 { on = !done; done = 1; next } /^$/ { on = 0 } on' "$ex" |
		grep -q -- "$2" || fail "--explain: the $1 group lacks $3 ('$2'):
$(cat "$ex")"
}
has "^[0-9]* drops in [0-9]* groups" "the header"
has "why:      a SYN to port 81, where nothing listens in netns [0-9]*" "NO_SOCKET over IPv4"
has "example:  10\.61\.0\.1:[0-9]* > 10\.61\.0\.2:81 SYN" "the IPv4 example flow"
has "why:      a SYN to port 82, where nothing listens" "NO_SOCKET over IPv6"
has "example:  \[fd61::1\]:[0-9]* > \[fd61::2\]:82 SYN" "the IPv6 example flow"
block NO_SOCKET "counters: nstat -az TcpOutRsts" "its counter"
block NO_SOCKET "ss -ltn" "its next step"
has "why:      an nftables rule dropped a SYN to port 7777 in the input hook (via ip_local_deliver)" \
	"NETFILTER_DROP with its hook"
block NETFILTER_DROP "nft list ruleset" "its next step"
has "why:      bad TCP checksum on tp[^,]*, a virtual device" "TCP_CSUM on the tap device"
block TCP_CSUM "counters: nstat -az TcpInCsumErrors" "its counter"
block TCP_CSUM "ethtool" "its next step"
has "why:      the accept queue of the listener on port 7001 .*in netns .* is full" \
	"TCP_LISTEN_OVERFLOW with the listener's port"
block TCP_LISTEN_OVERFLOW "counters: nstat -az TcpExtListenOverflows TcpExtListenDrops" \
	"its counters"
block TCP_LISTEN_OVERFLOW "somaxconn" "its next step"
has "why:      data outside the receive window (ESTABLISHED, port 7002)" \
	"TCP_INVALID_SEQUENCE with state and port"
block TCP_INVALID_SEQUENCE "counters: nstat -az TcpExtTCPACKSkippedSeq" "its counter"
block TCP_INVALID_SEQUENCE "verdict:" "its verdict"

# Filters apply: one reason only.
# shellcheck disable=SC2086
"$RPT" -r "$F" --explain --reason TCP_CSUM $only >"$T_TMP/one" || fail "--explain --reason"
grep -q "^TCP_CSUM (core): 4 drops" "$T_TMP/one" || fail "--explain --reason TCP_CSUM: $(cat "$T_TMP/one")"
grep -q "^NO_SOCKET" "$T_TMP/one" && fail "--reason TCP_CSUM still shows NO_SOCKET"

# The pcapng comment's second line, read back by tshark.
# shellcheck disable=SC2086
"$RPT" -r "$F" -w "$T_TMP/x.pcapng" $only || fail "pcapng export"
tshark -r "$T_TMP/x.pcapng" -T fields -e frame.comment 2>/dev/null >"$T_TMP/comments" ||
	fail "tshark cannot read the export"
n=$(wc -l <"$T_TMP/comments")
[ "$n" -gt 0 ] || fail "tshark read no packets"
# tshark prints a comment's newlines as the two characters \n
why=$(grep -c '^TCP drop: [A-Z0-9_]*\\nwhy: [^\\]' "$T_TMP/comments")
[ "$why" = "$n" ] || fail "$why of $n pcapng comments have 'why:' as their second line"
grep -q '^TCP drop: TCP_LISTEN_OVERFLOW\\nwhy: the accept queue of the listener on port 7001' \
	"$T_TMP/comments" || fail "no LISTEN_OVERFLOW diagnosis in the pcapng comments"
tshark -r "$T_TMP/x.pcapng" -Y 'frame.comment contains "why: a SYN to port 81"' 2>/dev/null |
	grep -q . || fail "a display filter on the why line finds nothing"

# --summary reason: the WHY column.
# shellcheck disable=SC2086
"$RPT" -r "$F" --summary reason $only >"$T_TMP/sum" || fail "--summary reason"
head -n 1 "$T_TMP/sum" | grep -q "REASON  *WHY$" || fail "no WHY column: $(head -n 2 "$T_TMP/sum")"
grep -q "TCP_LISTEN_OVERFLOW  *the listener's accept queue was full" "$T_TMP/sum" ||
	fail "no WHY for TCP_LISTEN_OVERFLOW: $(cat "$T_TMP/sum")"

# JSON and CSV carry "why" only with --explain.
# shellcheck disable=SC2086
"$RPT" -r "$F" --format=json $only | grep -q '"why"' && fail "JSON has why without --explain"
# shellcheck disable=SC2086
"$RPT" -r "$F" --format=json --explain $only >"$T_TMP/j" || fail "--format=json --explain"
[ "$(grep -c '"why":"' "$T_TMP/j")" = "$(grep -c '"type":"drop"' "$T_TMP/j")" ] ||
	fail "not every JSON drop has a why key"
# shellcheck disable=SC2086
"$RPT" -r "$F" --format=csv --explain $only | head -n 1 | grep -q ',count,why$' ||
	fail "the CSV header lacks the why column"

# --reasons needs no file.
"$RPT" --reasons >"$T_TMP/reasons" || fail "--reasons"
grep -q "^TCP_LISTEN_OVERFLOW  *core  *problem  *the listener's accept queue" "$T_TMP/reasons" ||
	fail "--reasons lacks TCP_LISTEN_OVERFLOW"
log "ok: $(grep -c '^[A-Z].* drops\?, ' "$ex") groups explained, $n pcapng comments with why"
