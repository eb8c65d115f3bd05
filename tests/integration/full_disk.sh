#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Full disk: recording into a small tmpfs under a flood stops within about a second of the
# first failed write, exit status 1, with one stderr line naming the path and "No space left
# on device"; the file decodes up to its last complete chunk. A tmpfs too small for even the
# file's head fails the same way at start. Mounts live in a private mount namespace.
# not-in: vm: the recorder's file handling, not the kernel's; needs a SYN rate software emulation cannot reach (about 4,700/s measured under TCG)
. "$(dirname "$0")/lib.sh"
require_env synflood
command -v unshare >/dev/null || skip "unshare not installed"

ns_new A a
ns_new B b
veth_pair "$A" "$B" 51
INO=$(ns_inode "$B")

# inner SIZE: in a private mount namespace, record into a SIZE tmpfs until the recorder
# exits; leaves rc, the seconds from "disk full" to exit, stderr and a copy of the file.
cat >"$T_TMP/inner.sh" <<INNER
set -u
mkdir -p "$T_TMP/disk"
mount -t tmpfs -o size=\$1,mode=0700 tmpfs "$T_TMP/disk" || exit 3
"$REC" -q -w "$T_TMP/disk/f.tdrop" --netns $INO --flush-interval 100 2>"$T_TMP/err" &
pid=\$!
full=
i=0
while kill -0 \$pid 2>/dev/null && [ "\$(sed 's/.*) //' /proc/\$pid/stat | cut -d' ' -f1)" != Z ]; do
	avail=\$(df -k --output=avail "$T_TMP/disk" | tail -n 1 | tr -d ' ')
	[ -z "\$full" ] && [ "\$avail" -le 4 ] && full=\$(date +%s%N)
	i=\$((i + 1))
	[ \$i -gt $((600 * SLOW)) ] && { kill -KILL \$pid; echo "recorder still running after $((30 * SLOW)) s" >>"$T_TMP/err"; break; }
	sleep 0.05
done
wait \$pid
echo \$? >"$T_TMP/rc"
end=\$(date +%s%N)
echo \$(( (end - \${full:-\$end}) / 1000000 )) >"$T_TMP/ms"
cp "$T_TMP/disk/f.tdrop" "$T_TMP/f.tdrop"
umount "$T_TMP/disk"
INNER

run_full() { # tmpfs size
	rm -f "$T_TMP/rc" "$T_TMP/ms" "$T_TMP/err" "$T_TMP/f.tdrop"
	ip netns exec "$A" "$TOOLS/synflood" -s 10.51.0.1 -d 10.51.0.2 -p 9 -S 20000 -n 0 -r 50000 \
		-t $((40 * SLOW)) >/dev/null &
	fp=$!
	at_exit "kill -KILL $fp"
	unshare -m --propagation private sh "$T_TMP/inner.sh" "$1" || fail "private mount namespace"
	kill -TERM "$fp"
	wait "$fp"
	rc=$(cat "$T_TMP/rc") ms=$(cat "$T_TMP/ms")
	[ "$rc" = 1 ] || fail "size $1: exit status $rc, want 1: $(cat "$T_TMP/err")"
	[ "$(grep -c . "$T_TMP/err")" = 1 ] || fail "size $1: want one stderr line, got: $(cat "$T_TMP/err")"
	grep -q "$T_TMP/disk/f.tdrop.*No space left on device" "$T_TMP/err" ||
		fail "size $1: stderr does not name the path and ENOSPC: $(cat "$T_TMP/err")"
	[ "$ms" -le $((1500 * SLOW)) ] || fail "size $1: exited $ms ms after the disk filled"
}

# a disk that fills during capture (the file's head is about 1 MB)
run_full 1536k
"$TDFDUMP" "$T_TMP/f.tdrop" >"$T_TMP/d" 2>"$T_TMP/d.err" || fail "full-disk file does not decode: $(cat "$T_TMP/d.err")"
grep -q '^end status=ok ' "$T_TMP/d" || fail "no end line"
grep -q '^corrupt ' "$T_TMP/d" && fail "corrupt blocks: $(grep '^corrupt' "$T_TMP/d" | head -n 2)"
drops=$(grep -c '^drop ' "$T_TMP/d")
[ "$drops" -gt 0 ] || fail "no drops before the disk filled"
grep '^drop ' "$T_TMP/d" | sed 's/^drop seq_no=\([0-9]*\) .*/\1/' >"$T_TMP/s"
[ "$(sort -n "$T_TMP/s" | awk 'NR != $1 { bad = 1 } END { print bad + 0 }')" = 0 ] ||
	fail "drops in the full-disk file are not seq_no 1..$drops"
if [ -x "$RPT" ]; then
	"$RPT" -r "$T_TMP/f.tdrop" >"$T_TMP/r" 2>"$T_TMP/r.err"
	grep -q 'offset [0-9].*truncated' "$T_TMP/r.err" ||
		fail "the report does not say where the file ends: $(head -n 3 "$T_TMP/r.err")"
	log "report on it: $(head -n 1 "$T_TMP/r.err")"
fi
log "1536k tmpfs: exit 1 $ms ms after the disk filled: $(cat "$T_TMP/err"); $drops drops decode, $(grep '^end' "$T_TMP/d")"

# a disk too small for the file's head
run_full 256k
log "256k tmpfs: exit 1 after $ms ms: $(cat "$T_TMP/err")"
echo "PASS $T_NAME"
