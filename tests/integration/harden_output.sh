#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Output hardening: -w never follows a symbolic link at the last component (the reproduction
# from the issue: the victim is untouched, one error line, exit 1, nothing written anywhere),
# refuses a directory, a socket, a symlink to /dev/null and another user's file, accepts a
# FIFO and a character device, overwrites an existing file of its own in place (mode 0600);
# -W deletes only files the recording made: a decoy under the oldest name survives.
# not-in: vm: the recorder's file and user handling, not the kernel's: runs on the host
. "$(dirname "$0")/lib.sh"
require_env synflood

D=$T_TMP/d
mkdir "$D"

# refused PATH WORDS: the recorder exits 1 with exactly one line "PATH: WORDS..." and
# creates nothing in $D
refused() {
	ls -A "$D" >"$T_TMP/before"
	"$REC" -q -w "$1" --duration 1 >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	[ "$rc" = 1 ] || fail "-w $1: exit status $rc (want 1): $(cat "$T_TMP/err")"
	[ "$(wc -l <"$T_TMP/err")" = 1 ] || fail "-w $1: want one error line, got: $(cat "$T_TMP/err")"
	grep -qF "tcpdrop-record: $1: $2" "$T_TMP/err" || fail "-w $1: '$(cat "$T_TMP/err")' lacks '$1: $2'"
	[ ! -s "$T_TMP/out" ] || fail "-w $1: wrote to standard output"
	ls -A "$D" | cmp -s - "$T_TMP/before" || fail "-w $1: changed $D: $(ls -A "$D")"
	log "refused: $(cat "$T_TMP/err")"
}

# accepted ARGS...: the recorder records for a second and exits 0
accepted() {
	"$REC" -q "$@" --duration 1 2>"$T_TMP/err" || fail "$*: exit status $?: $(cat "$T_TMP/err")"
}

# --- the issue's reproduction: a symlink to a victim ---
printf 'precious\n' >"$T_TMP/victim"
chmod 0644 "$T_TMP/victim"
sum=$(cksum <"$T_TMP/victim")
ln -s "$T_TMP/victim" "$D/link.tdrop"
refused "$D/link.tdrop" "is a symbolic link"
[ "$(cksum <"$T_TMP/victim")" = "$sum" ] || fail "the victim changed"
[ "$(stat -c %a "$T_TMP/victim")" = 644 ] || fail "the victim's mode changed"
ln -s /nonexistent-$T_TAG "$D/dangling.tdrop"
refused "$D/dangling.tdrop" "is a symbolic link"
[ ! -e /nonexistent-$T_TAG ] || fail "a dangling symlink's target was created"
ln -s /dev/null "$D/null.tdrop"
refused "$D/null.tdrop" "is a symbolic link"

# --- other things that are not files to write ---
mkdir "$D/dir.tdrop"
refused "$D/dir.tdrop" "is a directory"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$D/sock.tdrop"
	refused "$D/sock.tdrop" "is a socket"
else
	log "no python3: the socket case is left to the unit test (test_rec_output)"
fi
printf 'theirs\n' >"$D/theirs.tdrop"
chown nobody "$D/theirs.tdrop"
refused "$D/theirs.tdrop" "exists and belongs to another user"
grep -q '^theirs$' "$D/theirs.tdrop" || fail "another user's file was written"
ln "$D/theirs.tdrop" "$D/second-name.tdrop"
chown 0 "$D/theirs.tdrop"
refused "$D/theirs.tdrop" "has more than one hard link"
grep -q '^theirs$' "$D/second-name.tdrop" || fail "a hard-linked file was truncated"
rmdir "$D/dir.tdrop"
rm -f "$D"/*.tdrop

# --- accepted: a character device, a FIFO, an existing file of our own ---
accepted -w /dev/null
mkfifo -m 0600 "$D/fifo"
cat "$D/fifo" >"$T_TMP/from-fifo" &
cat_pid=$!
accepted -w "$D/fifo"
wait "$cat_pid"
dump "$T_TMP/from-fifo" "$T_TMP/fifo.dump"
rm "$D/fifo"
log "accepted: /dev/null, a FIFO ($(wc -c <"$T_TMP/from-fifo") bytes through it, decoded)"

printf 'an older trace\n' >"$D/mine.tdrop"
chmod 0644 "$D/mine.tdrop"
ino=$(stat -c %i "$D/mine.tdrop")
accepted -w "$D/mine.tdrop"
dump "$D/mine.tdrop" "$T_TMP/mine.dump"
[ "$(stat -c %i "$D/mine.tdrop")" = "$ino" ] || fail "our own file was replaced, not truncated"
[ "$(stat -c %a "$D/mine.tdrop")" = 600 ] || fail "our own file has mode $(stat -c %a "$D/mine.tdrop")"
log "accepted: our own existing file, truncated in place (inode $ino), mode 0600"
rm "$D/mine.tdrop"

# --- -W deletes only its own files: replace the first file by a decoy once it is closed ---
ns_new A a
ns_new B b
veth_pair "$A" "$B" 46
INO=$(ns_inode "$B")
rec_start -w "$D/g-%H%M%S.tdrop" -G 1 -W 2 --netns "$INO" --flush-interval 100
ip netns exec "$A" "$TOOLS/synflood" -s 10.46.0.1 -d 10.46.0.2 -p 9 -q 1 -n 0 -r 400 \
	-t $((4 * SLOW + 2)) >"$T_TMP/sent" &
flood=$!
at_exit "kill $flood"
_two_files() { [ "$(ls "$D" | wc -l)" -ge 2 ]; }
wait_until 20 _two_files || fail "no rotation: $(ls "$D")"
first=$(ls "$D" | sort | head -n 1)
printf 'decoy\n' >"$T_TMP/decoy"
mv "$T_TMP/decoy" "$D/$first" # a new inode under the recording's oldest name
wait "$flood"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
[ "$(cat "$D/$first" 2>/dev/null)" = decoy ] || fail "-W deleted or wrote the decoy $first"
n=$(ls "$D" | wc -l)
[ "$n" = 3 ] || fail "want the decoy and the 2 newest files, have: $(ls "$D")"
for f in $(ls "$D" | grep -vx "$first"); do
	dump "$D/$f" "$T_TMP/g.dump"
done
log "-G 1 -W 2: the decoy under $first survived, 2 newest files kept and decoded"
echo "PASS $T_NAME"
