#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make demo` as a user sees it: tools/demo.sh exits 0, its table shows every drop kind it
# promises with its reason, one drop comes with its stack, tshark reads as many packets from
# demo.pcapng as the report counts, and every namespace the demo made is gone afterwards.
. "$TCPDROP_TOP/tests/integration/lib.sh"
require_env synflood tapinject
command -v tshark >/dev/null || fail "tshark not installed (make deps installs it)"

out=$T_TMP/demo.out
TCPDROP_DEMO_DIR=$T_TMP sh "$TCPDROP_TOP/tools/demo.sh" "$TCPDROP_BUILD" >"$out" 2>&1 ||
	fail "tools/demo.sh exit status $?: $(tail -n 5 "$out")"
[ -s "$T_TMP/demo.tdrop" ] && [ -s "$T_TMP/demo.pcapng" ] || fail "demo.tdrop or demo.pcapng missing"

# section TITLE-PREFIX: the lines of the demo's "== TITLE..." section.
section() {
	awk -v t="== $1" 'index($0, t) == 1 { on = 1; next } /^== / { on = 0 } on' "$out"
}
table=$T_TMP/table
section "tcpdrop-report -r demo.tdrop --no-stack" >"$table"
head -n 1 "$table" | grep -q '^TIME  *PID  *COMM  *OWNER  *SADDR:SPORT  *DADDR:DPORT  *STATE  *FLAGS  *REASON$' ||
	fail "no table header: $(head -n 2 "$table")"
# kind: an address pattern and the reason its row must carry. Kernels before 6.11 do not say
# which socket a segment reached (no states at these drops), and 6.1 has no
# TCP_LISTEN_OVERFLOW: it frees those ACKs as NOT_SPECIFIED, left out by default.
overflow=" LISTEN .* TCP_LISTEN_OVERFLOW$"
kernel_has_reason TCP_LISTEN_OVERFLOW || overflow=
for kind in "10\.61\.0\.1:[0-9]* .* NO_SOCKET$" "\[fd61::1\]:[0-9]* .* NO_SOCKET$" \
	" NETFILTER_DROP$" "10\.62\.0\.1:[0-9]* .* TCP_CSUM$" "\[fd62::1\]:[0-9]* .* TCP_CSUM$" \
	${overflow:+"$overflow"} " TCP_INVALID_SEQUENCE$"; do
	grep -q "$kind" "$table" || fail "no drop matching '$kind' in the demo's table"
done
rows=$(grep -c '^[0-9][0-9]:' "$table")

stack=$T_TMP/stack
section "one drop with its kernel stack" >"$stack"
[ "$(grep -c '^[0-9][0-9]:.* TCP_CSUM$' "$stack")" = 1 ] || fail "not one TCP_CSUM drop: $(cat "$stack")"
grep -q '^[[:space:]][[:space:]]*tcp_v[46]_rcv+0x[0-9a-f]*$' "$stack" ||
	fail "the stack has no symbolized tcp_v4_rcv/tcp_v6_rcv frame: $(cat "$stack")"

total=$(section "tcpdrop-report -r demo.tdrop --summary reason" | awk '$3 == "(total)" { print $1 }')
[ "$total" = "$rows" ] || fail "summary total $total, table rows $rows"
said=$(sed -n 's/^ *tshark reads \([0-9]*\) packets.*/\1/p' "$out")
read_back=$(tshark -r "$T_TMP/demo.pcapng" 2>/dev/null | wc -l)
[ "$said" = "$rows" ] && [ "$read_back" = "$rows" ] ||
	fail "tshark reads $read_back packets (demo says $said), report counts $rows"

set -- $(sed -n 's/^== recording drops in namespaces \([^ ]*\) and \([^ ]*\)$/\1 \2/p' "$out")
[ $# = 2 ] || fail "the demo does not name its namespaces"
for ns in "$@"; do
	ip netns list | grep -qw "$ns" && fail "namespace $ns still exists after the demo"
done
log "$rows drops of 7 kinds, stack shown, tshark reads $read_back, namespaces $* removed"
