#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Least privilege: while it records, tcpdrop-record has no effective, permitted or ambient
# capability and no_new_privs set; time-based rotation still creates and fills new files.
. "$(dirname "$0")/lib.sh"
require_env synflood

ns_new A a
ns_new B b
veth_pair "$A" "$B" 48
INO=$(ns_inode "$B")
mkdir "$T_TMP/out"

rec_start -w "$T_TMP/out/p-%H%M%S.tdrop" -G 1 --netns "$INO" --flush-interval 100
st=/proc/$REC_PID/status
for c in CapEff CapPrm CapAmb; do
	v=$(sed -n "s/^$c:[[:space:]]*//p" "$st")
	[ -n "$v" ] && [ "$(echo "$v" | tr -d 0)" = "" ] || fail "$c is $v while recording (want 0)"
done
nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "$st")
[ "$nnp" = 1 ] || fail "NoNewPrivs is $nnp while recording (want 1)"
log "while recording: $(grep -E '^(CapEff|CapPrm|CapAmb|NoNewPrivs)' "$st" | tr -s '\t\n' ' ')"

sent=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.48.0.1 -d 10.48.0.2 -p 9 -q 1 -n 0 -r 400 -t $((3 * SLOW + 1)))
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
nfiles=$(ls "$T_TMP/out" | wc -l)
[ "$nfiles" -ge 3 ] || fail "-G 1 over $((3 * SLOW + 1)) s made $nfiles files after dropping privileges"
total=0
for f in "$T_TMP"/out/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
	dump "$f" "$T_TMP/d"
	total=$((total + $(grep -c '^drop ' "$T_TMP/d")))
done
[ "$total" -eq "$sent" ] || fail "$nfiles rotated files hold $total drops, $sent SYNs were sent"
log "rotation without privileges: $nfiles files, $total of $sent drops"
echo "PASS $T_NAME"
