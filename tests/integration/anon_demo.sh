#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Anonymised traces of real drops (tools/demo.sh: IPv4 and IPv6, several reasons, bad TCP
# checksums): no original address is left in the decompressed chunks (both byte orders), in
# any view or in the pcapng export; the prefix property holds for every pair of addresses;
# the summaries by reason, stack, state and dport, the losses and exclusions are unchanged;
# one key maps alike in two files, a second run is byte-identical, tshark finds no bad IP
# checksum and exactly the bad TCP checksums the original had; --time-shift, --keep-net,
# --scrub-names and a filter on the original addresses do what they say.
# not-in: vm: rewrites recorded files, never touches the kernel: runs on the host
. "$(dirname "$0")/lib.sh"
require_env
command -v tshark >/dev/null || skip "tshark not installed"
command -v jq >/dev/null || skip "jq not installed"

D=$T_TMP
export TZ=UTC
TCPDROP_DEMO_DIR=$D sh "$TCPDROP_TOP/tools/demo.sh" "$TCPDROP_BUILD" >"$D/demo.log" 2>&1 ||
	fail "tools/demo.sh: $(tail -n 5 "$D/demo.log")"
O=$D/demo.tdrop
K=$D/key
A=$D/a.tdrop

anon() { "$RPT" -r "$O" --anonymize --key-file="$K" "$@" 2>>"$D/err" || fail "anonymize $*: $(cat "$D/err")"; }
anon -w "$A"
[ "$(stat -c %a "$K")" = 600 ] || fail "key file mode $(stat -c %a "$K")"
[ "$(stat -c %s "$K")" = 32 ] || fail "key file size $(stat -c %s "$K")"
anon -w "$D/a2.tdrop"
cmp -s "$A" "$D/a2.tdrop" || fail "two runs with one key differ"

# ---- the unmodified reader decodes it, and everything diagnostic is unchanged ----
"$TDFDUMP" "$O" >"$D/o.dump" || fail "tdfdump original"
"$TDFDUMP" "$A" >"$D/a.dump" || fail "tdfdump of the anonymised file"
grep -q '^index ' "$D/a.dump" || fail "anonymised file has no clean-close index"
n=$(grep -c '^drop ' "$D/o.dump")
[ "$n" -gt 10 ] || fail "demo recorded only $n drops"
[ "$(grep -c '^drop ' "$D/a.dump")" = "$n" ] || fail "drop count changed"
grep -q ' family=6 ' "$D/o.dump" || fail "demo has no IPv6 drop"
for t in reasons states kmod ksyms stack loss clock; do
	[ "$(grep -c "^$t " "$D/o.dump")" = "$(grep -c "^$t " "$D/a.dump")" ] ||
		fail "$t records: $(grep -c "^$t " "$D/o.dump") before, $(grep -c "^$t " "$D/a.dump") after"
done
for s in reason stack state dport reason,stack,state,dport; do
	"$RPT" -r "$O" --summary=$s >"$D/s.o" && "$RPT" -r "$A" --summary=$s >"$D/s.a" ||
		fail "summary $s"
	cmp -s "$D/s.o" "$D/s.a" || fail "summary by $s changed: $(diff "$D/s.o" "$D/s.a" | head -5)"
done
"$RPT" -r "$O" --info | grep -E '^(lost|excluded|drops):' >"$D/i.o"
"$RPT" -r "$A" --info | grep -E '^(lost|excluded|drops):' >"$D/i.a"
cmp -s "$D/i.o" "$D/i.a" || fail "counts changed: $(cat "$D/i.o" "$D/i.a")"
"$RPT" -r "$A" --info >"$D/info"
grep -q '^anonymized: *crypto-pan aes-128; .*key=file ' "$D/info" || fail "--info: $(cat "$D/info")"
grep -q '^host: *host-[0-9a-f]\{12\}$' "$D/info" || fail "host not a pseudonym: $(grep host "$D/info")"
grep -q '^command line: *-$' "$D/info" || fail "command line kept"

# ---- the original addresses: text, and bytes in network and reversed order ----
grep '^drop ' "$D/o.dump" | tr ' ' '\n' | sed -n 's/^[sd]addr=//p' | sort -u >"$D/addrs"
hexaddrs() { # dump: "family hex" of every address in the stored packet bytes
	grep '^drop ' "$1" | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["family"] == 4) print 4, substr(f["data"], 25, 8) "\n" 4, substr(f["data"], 33, 8)
		else print 6, substr(f["data"], 17, 32) "\n" 6, substr(f["data"], 49, 32)
	}'
}
hexaddrs "$D/o.dump" | sort -u >"$D/hex"
[ "$(wc -l <"$D/addrs")" -ge 4 ] && [ "$(wc -l <"$D/hex")" = "$(wc -l <"$D/addrs")" ] ||
	fail "original addresses: $(cat "$D/addrs") / $(cat "$D/hex")"
log "original addresses: $(tr '\n' ' ' <"$D/addrs")"
spaced() { echo "$1" | sed 's/../ &/g'; }
reversed() { echo "$1" | sed 's/../&\n/g' | sed '/^$/d' | tac | tr -d '\n'; }
bytes() { od -An -v -tx1 "$1" | tr -d '\n'; echo; }
nohex() { # file what
	bytes "$1" >"$D/bytes"
	while read -r fam h; do
		for x in "$h" "$(reversed "$h")"; do
			! grep -qF "$(spaced "$x")" "$D/bytes" || fail "$2: address bytes $x (family $fam) found"
		done
	done <"$D/hex"
}
notext() { # file what
	while read -r ad; do
		! grep -qF -- "$ad" "$1" || fail "$2: original address $ad found"
	done <"$D/addrs"
}
"$TDFDUMP" --chunks "$A" >"$D/a.raw" || fail "tdfdump --chunks"
[ -s "$D/a.raw" ] || fail "no decompressed bytes"
"$TDFDUMP" --chunks "$O" >"$D/o.raw"
bytes "$D/o.raw" | grep -qF "$(spaced "$(head -n 1 "$D/hex" | cut -d' ' -f2)")" ||
	fail "the oracle does not find an address in the original's chunks"
nohex "$D/a.raw" "decompressed chunks"
notext "$D/a.dump" "tdfdump of the anonymised file"
i=0
for v in "" "--format=json" "--format=csv" "--summary=saddr,daddr,flow,host" "--explain" "--info" \
	"--format=folded" "--timeline" "--format=json --explain"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	"$RPT" -r "$A" $v >"$D/v$i" 2>&1 || fail "view '$v' of the anonymised file"
	notext "$D/v$i" "view '$v'"
	# shellcheck disable=SC2086
	anon $v >"$D/w$i"
	notext "$D/w$i" "view '$v' with --anonymize"
	cmp -s "$D/v$i" "$D/w$i" || [ "$v" = --info ] ||
		fail "view '$v': --anonymize differs from the view of the anonymised file"
done
"$RPT" -r "$A" --html="$D/a.html" && notext "$D/a.html" html || fail "html"

# ---- pcapng: addresses, bytes, checksums ----
"$RPT" -r "$O" -w "$D/o.pcapng" || fail "export of the original"
anon -w "$D/a.pcapng"
"$RPT" -r "$A" -w "$D/a2.pcapng" || fail "export of the anonymised file"
cmp -s "$D/a.pcapng" "$D/a2.pcapng" || fail "pcapng: --anonymize -w differs from -r anonymised -w"
nohex "$D/a.pcapng" "pcapng export"
tshark -r "$D/a.pcapng" -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst >"$D/a.fields" ||
	fail "tshark"
notext "$D/a.fields" "tshark fields of the export"
tshark -r "$D/a.pcapng" -V >"$D/a.verbose" 2>&1 || fail "tshark -V"
notext "$D/a.verbose" "tshark -V of the export"
cks() { # pcapng: "ip tcp" checksum status per packet (0 bad, 1 good, 2 unverified)
	tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-T fields -e ip.checksum.status -e tcp.checksum.status
}
cks "$D/o.pcapng" >"$D/o.cks"
cks "$D/a.pcapng" >"$D/a.cks"
cmp -s "$D/o.cks" "$D/a.cks" || fail "checksum status changed: $(diff "$D/o.cks" "$D/a.cks" | head)"
! grep -q '^0' "$D/a.cks" || fail "a bad IP checksum in the export"
bad=$(tshark -r "$D/a.pcapng" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -z expert -q |
	grep -ci 'bad checksum')
obad=$(tshark -r "$D/o.pcapng" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -z expert -q |
	grep -ci 'bad checksum')
[ "$bad" = "$obad" ] || fail "expert info: $bad bad checksum lines, the original $obad"
tshark -r "$D/a.pcapng" -o ip.check_checksum:TRUE -z expert -q | grep -i 'bad checksum' |
	grep -qi 'ip' && fail "tshark reports a bad IP checksum"
ngood=$(awk -F'\t' '$2 == 1' "$D/a.cks" | wc -l)
log "checksums: $(wc -l <"$D/a.cks") packets, TCP good $ngood, bad as before: $(awk -F'\t' '$2 == 0' "$D/a.cks" | wc -l)"

# ---- the prefix property, every pair, and one mapping per address ----
hexaddrs "$D/o.dump" >"$D/ho"
hexaddrs "$D/a.dump" >"$D/ha"
paste -d' ' "$D/ho" "$D/ha" | sort -u >"$D/pairs"
awk '
function bits(h,   s, i) { s = ""; for (i = 1; i <= length(h); i++) s = s b[substr(h, i, 1)]; return s }
function cp(x, y,   i) { for (i = 1; i <= length(x) && substr(x, i, 1) == substr(y, i, 1); i++); return i - 1 }
BEGIN { split("0000 0001 0010 0011 0100 0101 0110 0111 1000 1001 1010 1011 1100 1101 1110 1111", t, " ")
	split("0 1 2 3 4 5 6 7 8 9 a b c d e f", d, " "); for (i = 1; i <= 16; i++) b[d[i]] = t[i] }
$1 != $3 { print "family changed: " $0; bad = 1 }
{ if (($1, $2) in to && to[$1, $2] != $4) { print "two mappings: " $0; bad = 1 }
  if (($3, $4) in from && from[$3, $4] != $2) { print "two originals: " $0; bad = 1 }
  to[$1, $2] = $4; from[$3, $4] = $2; n++; f[n] = $1; o[n] = bits($2); a[n] = bits($4)
  if ($2 == $4) { print "unchanged: " $0; bad = 1 } }
END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (f[i] == f[j]) {
		pairs++; if (cp(o[i], o[j]) != cp(a[i], a[j])) { print "prefix " cp(o[i], o[j]) " became " cp(a[i], a[j]); bad = 1 } }
	print pairs " pairs of " n " addresses"; exit bad }' "$D/pairs" >"$D/prefix" ||
	fail "prefix property: $(head -n 5 "$D/prefix")"
log "prefix property: $(tail -n 1 "$D/prefix")"

# ---- one key, two files: the same mapping; another key, another ----
anon -c 5 -w "$D/p1.tdrop"
anon --reason=TCP_CSUM,QUEUE_PURGE -w "$D/p2.tdrop"
"$TDFDUMP" "$D/p1.tdrop" | sed -n 's/.* saddr=\([^ ]*\) .*/\1/p' | sort -u >"$D/m1"
"$TDFDUMP" "$A" | sed -n 's/.* saddr=\([^ ]*\) .*/\1/p' | sort -u >"$D/m"
[ -s "$D/m1" ] || fail "no drops in the first part"
[ -z "$(comm -23 "$D/m1" "$D/m")" ] || fail "one key, two files: different mappings"
"$TDFDUMP" "$D/p2.tdrop" | sed -n 's/.* saddr=\([^ ]*\) .*/\1/p' | sort -u >"$D/m2"
[ -z "$(comm -23 "$D/m2" "$D/m")" ] || fail "one key, two files: different mappings (2)"
"$RPT" -r "$D/p1.tdrop" -r "$D/p2.tdrop" --summary=reason >/dev/null || fail "the two parts do not merge"
"$RPT" -r "$O" --anonymize -w "$D/r.tdrop" 2>/dev/null || fail "random key"
"$TDFDUMP" "$D/r.tdrop" | sed -n 's/.* saddr=\([^ ]*\) .*/\1/p' | sort -u >"$D/mr"
[ -z "$(comm -12 "$D/mr" "$D/m")" ] || fail "a random key mapped like the key file"
"$RPT" -r "$D/r.tdrop" --info | grep -q 'key=random' || fail "random key not said"

# ---- the filter judges the original drop ----
first=$(head -n 1 "$D/addrs")
anon -w "$D/f.tdrop" host "$first"
want=$("$RPT" -r "$O" --format=csv host "$first" | tail -n +2 | grep -c .)
got=$("$RPT" -r "$D/f.tdrop" --format=csv | tail -n +2 | grep -c .)
[ "$want" = "$got" ] && [ "$got" -gt 0 ] || fail "filter host $first: $got drops, want $want"
"$RPT" -r "$D/f.tdrop" --info | grep -q 'drops=filtered' || fail "filtered not said"

# ---- --time-shift, --keep-net, --scrub-names, --keep-payload ----
anon --time-shift=-86400 --format=json | jq -r 'select(.type == "drop") | .ts_ns' >"$D/t1"
"$RPT" -r "$O" --format=json | jq -r 'select(.type == "drop") | .ts_ns' >"$D/t0"
paste "$D/t0" "$D/t1" | awk '$1 - $2 != 86400000000000 { bad = 1 } END { exit bad }' ||
	fail "--time-shift=-86400 did not move every drop by one day"
v4=$(grep -m1 '^10\.' "$D/addrs")
net=$(echo "$v4" | cut -d. -f1-2).0.0/16
anon --keep-net="$net" --format=csv >"$D/k.csv"
grep -qF "$v4" "$D/k.csv" || fail "--keep-net $net: $v4 not kept"
anon --scrub-names --format=csv >"$D/n.csv"
for nm in $(sed -n 's/.* comm=\([^ ]*\) .*/\1/p; s/.* ifname=\([^ ]*\) .*/\1/p' "$D/o.dump" | sort -u); do
	[ ${#nm} -ge 3 ] || continue
	! grep -qF "$nm" "$D/n.csv" || fail "--scrub-names: $nm still there"
done
anon --keep-payload -w "$D/kp.tdrop"
"$RPT" -r "$D/kp.tdrop" --info | grep -q 'payload=kept' || fail "--keep-payload not said"
echo "PASS $T_NAME"
