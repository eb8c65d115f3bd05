#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Confidentiality: a trace file is created 0600 and holds no absolute kernel address of the
# running boot (_text, and the drop locations made absolute again) in any byte order, neither
# in its raw bytes nor in its decompressed chunks, nor in the report's output.
. "$(dirname "$0")/lib.sh"
require_env synflood

TEXT=$(awk '$3 == "_text" { print $1; exit }' /proc/kallsyms)
case "$TEXT" in "" | 0000000000000000) skip "kernel addresses hidden in /proc/kallsyms" ;; esac
ns_new A a
ns_new B b
veth_pair "$A" "$B" 49
INO=$(ns_inode "$B")

umask 022 # the recorder must not rely on the caller's umask
rec_start -w "$T_TMP/c.tdrop" --netns "$INO"
ip netns exec "$A" "$TOOLS/synflood" -s 10.49.0.1 -d 10.49.0.2 -p 9 -n 50 >/dev/null
ip netns exec "$A" "$TOOLS/synflood" -6 -s fd49::1 -d fd49::2 -p 9 -n 50 >/dev/null
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
mode=$(stat -c %a "$T_TMP/c.tdrop")
[ "$mode" = 600 ] || fail "trace file mode $mode, want 600"
dump "$T_TMP/c.tdrop" "$T_TMP/d"
grep -q '^stack id=' "$T_TMP/d" || fail "no stacks recorded: nothing to check"
grep -q '^ksyms mod=0 count=[1-9]' "$T_TMP/d" || fail "no kallsyms snapshot: nothing to check"
"$TDFDUMP" --chunks "$T_TMP/c.tdrop" >"$T_TMP/raw" 2>/dev/null || fail "cannot decompress chunks"

# hexstring FILE: the file as one line of hex digits
hexstring() { od -An -v -tx1 "$1" | tr -d ' \n'; echo; }
# be64 HEX16 / le64 HEX16: an address's bytes in big/little-endian order, as hex
le64() { echo "$1" | sed 's/\(..\)/\1 /g' | awk '{ for (i = NF; i >= 1; i--) printf "%s", $i; print "" }'; }
# has_bytes HEXFILE PATTERN: PATTERN occurs at a byte boundary
has_bytes() {
	awk -v p="$2" '{ s = $0; off = 0
		while ((i = index(s, p)) > 0) { if ((off + i) % 2 == 1) { found = 1; exit }
			s = substr(s, i + 1); off += i } }
		END { exit !found }' "$1"
}
hexstring "$T_TMP/c.tdrop" >"$T_TMP/c.hex"
hexstring "$T_TMP/raw" >"$T_TMP/raw.hex"

# _text and every recorded vmlinux location as absolute addresses (64-bit sum in halves)
hi=$((0x$(echo "$TEXT" | cut -c1-8))) lo=$((0x$(echo "$TEXT" | cut -c9-16)))
addrs=$TEXT
for off in $(grep -o ' location=0+0x[0-9a-f]*' "$T_TMP/d" | sed 's/.*0x//' | sort -u); do
	l=$((lo + 0x$off))
	addrs="$addrs $(printf '%08x%08x' $(((hi + (l >> 32)) & 0xffffffff)) $((l & 0xffffffff)))"
done
n=0
for a in $addrs; do
	for pat in "$a" "$(le64 "$a")"; do
		has_bytes "$T_TMP/c.hex" "$pat" && fail "address $a found in the trace file as bytes $pat"
		has_bytes "$T_TMP/raw.hex" "$pat" && fail "address $a found in decompressed chunks as bytes $pat"
	done
	for f in "$T_TMP/c.tdrop" "$T_TMP/raw"; do
		grep -a -q -i "$a" "$f" && fail "address $a found as text in $f"
		grep -a -q -i "0x$(echo "$a" | sed 's/^0*//')" "$f" && fail "address $a found as 0x text in $f"
	done
	n=$((n + 1))
done
if [ -x "$RPT" ]; then
	"$RPT" -r "$T_TMP/c.tdrop" >"$T_TMP/report.txt" 2>&1 || fail "tcpdrop-report failed: $(tail -n 3 "$T_TMP/report.txt")"
	[ -s "$T_TMP/report.txt" ] || fail "empty report"
	for a in $addrs; do
		grep -q -i "$(echo "$a" | sed 's/^0*//')" "$T_TMP/report.txt" && fail "address $a in the report's output"
	done
	rpt="and the report's output"
fi
log "$n absolute addresses (_text $TEXT + $((n - 1)) drop locations) absent from $(stat -c %s "$T_TMP/c.tdrop") file bytes, $(stat -c %s "$T_TMP/raw") decompressed bytes ${rpt:-}; mode $mode"
echo "PASS $T_NAME"
