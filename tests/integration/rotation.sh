#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Rotation: with -C every file decodes on its own (metadata, reason table, kallsyms, the
# stacks its drops use) and together the files hold every drop once, seq_no without gap or
# duplicate at the seams; with -G and -W N only the newest N files remain, still continuous.
# not-in: vm: the recorder's file handling, not the kernel's; needs a SYN rate software emulation cannot reach (about 4,700/s measured under TCG)
. "$(dirname "$0")/lib.sh"
require_env synflood

ns_new A a
ns_new B b
veth_pair "$A" "$B" 50
INO=$(ns_inode "$B")
FLOOD="ip netns exec $A $TOOLS/synflood -s 10.50.0.1 -d 10.50.0.2 -p 9 -S 20000 -t 30"

# check_files DIR: each file decodes alone; prints "seq_no tcp_seq" of all drops to DIR.seqs
check_files() {
	: >"$1.seqs"
	: >"$1.lost"
	for f in "$1"/*; do
		dump "$f" "$T_TMP/d"
		for what in '^meta key=kernel_release ' '^reasons count=[1-9]' '^states count=[1-9]' \
			'^ksyms mod=0 count=[1-9]' '^index '; do
			grep -q "$what" "$T_TMP/d" || fail "$(basename "$f") lacks $what"
		done
		# every stack a drop references is defined in the same file, before use
		awk '/^stack id=/ { sub("id=", "", $2); def[$2] = 1 }
		     /^drop / { for (i = 1; i <= NF; i++) if ($i ~ /^stack_id=/) { id = substr($i, 10)
			if (id != 0 && !(id in def)) { print "stack " id " used before definition"; exit 1 } } }' \
			"$T_TMP/d" >"$T_TMP/why" || fail "$(basename "$f"): $(cat "$T_TMP/why")"
		grep '^drop ' "$T_TMP/d" | sed 's/^drop seq_no=\([0-9]*\) .* tcp_seq=\([0-9]*\) .*/\1 \2/' >>"$1.seqs"
		awk '/^loss kind=0 / { sub("count=", "", $4); n += $4 } END { print n + 0 }' "$T_TMP/d" >>"$1.lost"
	done
}
# continuous FILE: seq_no values are consecutive, each once; prints "first last count"
continuous() {
	sort -n "$1" | awk 'NR == 1 { first = $1 } NR > 1 && $1 != prev + 1 { print "seq_no " prev " then " $1; bad = 1; exit }
		{ prev = $1 } END { if (!bad) print first, prev, NR; exit bad }'
}

# --- size: -C 2 (2,000,000 bytes; the metadata and kallsyms snapshot at the head of every
# file take about 1 MB, and a SYN drop about 15 compressed bytes, so 120,000 of them fill
# more than one file), no ring: everything is kept, losses included ---
mkdir "$T_TMP/c"
rec_start -w "$T_TMP/c/r.tdrop" -C 2 --netns "$INO" --flush-interval 100
sent=$($FLOOD -q 1 -n 0 -r 20000 -t 6)
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
nc=$(ls "$T_TMP/c" | wc -l)
[ "$nc" -ge 2 ] || fail "-C 2 made $nc file(s) from $sent drops"
check_files "$T_TMP/c"
r=$(continuous "$T_TMP/c.seqs") || fail "-C: $r"
set -- $r
lost=$(awk '{ n += $1 } END { print n + 0 }' "$T_TMP/c.lost")
[ "$1" = 1 ] && [ $(($3 + lost)) = "$sent" ] ||
	fail "-C: seq_no $1..$2 ($3 drops) + $lost lost, $sent SYNs sent"
dups=$(awk '{ print $2 }' "$T_TMP/c.seqs" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] || fail "-C: $dups SYNs recorded twice"
log "-C 2: $nc files, seq_no 1..$2 continuous, $3 recorded + $lost lost = $sent SYNs sent, no duplicate"

# --- time: -G 1 -W 2 with a strftime name: only the newest 2 files remain ---
mkdir "$T_TMP/g"
rec_start -w "$T_TMP/g/g-%Y%m%d-%H%M%S.tdrop" -G 1 -W 2 --netns "$INO" --flush-interval 100
sent=$($FLOOD -q 1 -n 0 -r 2000 -t $((3 * SLOW + 1)))
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
ng=$(ls "$T_TMP/g" | wc -l)
[ "$ng" = 2 ] || fail "-G 1 -W 2 left $ng files: $(ls "$T_TMP/g")"
ls "$T_TMP/g" | grep -q '^g-[0-9]\{8\}-[0-9]\{6\}\.tdrop$' || fail "-G names not from the strftime pattern: $(ls "$T_TMP/g")"
check_files "$T_TMP/g"
r=$(continuous "$T_TMP/g.seqs") || fail "-G -W: $r"
set -- $r
last=$(sed -n 's/.*: \([0-9]*\) drops recorded.*/\1/p' "$REC_ERR")
[ "$2" = "$last" ] || fail "-G -W: newest file ends at seq_no $2, the recorder recorded $last"
log "-G 1 -W 2: $ng files kept, seq_no $1..$2 continuous, $last recorded of $sent sent"
echo "PASS $T_NAME"
