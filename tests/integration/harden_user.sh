#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# -Z USER: once attached and with its first file open, the recorder runs as USER (real,
# effective and saved uid and gid, USER's groups, no capabilities); -G rotation keeps
# creating files in a directory USER may write, all owned by USER; a directory USER cannot
# write fails at start; an unknown user is a usage error (exit 2); the live view's
# tcpdrop-report runs as USER too.
# not-in: vm: the recorder's file and user handling, not the kernel's: runs on the host
. "$(dirname "$0")/lib.sh"
require_env synflood

NOBODY=$(id -u nobody 2>/dev/null) || skip "no user nobody"
NOGROUP=$(id -g nobody)

ns_new A a
ns_new B b
veth_pair "$A" "$B" 47
INO=$(ns_inode "$B")
FLOOD="ip netns exec $A $TOOLS/synflood -s 10.47.0.1 -d 10.47.0.2 -p 9 -q 1 -n 0"

# ids PID: "Uid Gid Groups" from /proc/PID/status, tabs squeezed
ids() {
	grep -E '^(Uid|Gid|Groups):' "/proc/$1/status" | tr -s '\t ' ' ' | tr '\n' ';'
}

# --- unknown user: exit 2, one line, before anything happens ---
"$REC" -q -w "$T_TMP/x.tdrop" -Z no-such-user-$T_TAG --duration 1 2>"$T_TMP/err"
rc=$?
[ "$rc" = 2 ] || fail "-Z no-such-user: exit status $rc (want 2): $(cat "$T_TMP/err")"
grep -q "^tcpdrop-record: -Z: no-such-user-$T_TAG: no such user" "$T_TMP/err" ||
	fail "-Z no-such-user: $(cat "$T_TMP/err")"
[ ! -e "$T_TMP/x.tdrop" ] || fail "-Z no-such-user created the file"

# $T_TMP is root's 0700: the directories nobody works in hang off a searchable one
P=$(mktemp -d /tmp/tcpdrop-it-user.XXXXXX)
at_exit "rm -rf $P"
chmod 0755 "$P"
OUT=$P/out
mkdir -m 0700 "$OUT"
chown nobody "$OUT"

# --- rotation into a directory nobody cannot write: refused at start ---
mkdir -m 0755 "$P/rootonly"
"$REC" -q -w "$P/rootonly/r-%H%M%S.tdrop" -G 1 -Z nobody --duration 1 2>"$T_TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "-Z nobody -G into a root directory: exit status $rc: $(cat "$T_TMP/err")"
grep -q "rootonly: not writable by nobody (uid $NOBODY)" "$T_TMP/err" || fail "$(cat "$T_TMP/err")"
[ -z "$(ls "$P/rootonly")" ] || fail "a refused start left $(ls "$P/rootonly")"
log "refused at start: $(cat "$T_TMP/err")"

# --- -Z nobody with -G 1 into a directory nobody owns ---
rec_start -w "$OUT/p-%H%M%S.tdrop" -G 1 -Z nobody --netns "$INO" --flush-interval 100
want="Uid: $NOBODY $NOBODY $NOBODY $NOBODY;Gid: $NOGROUP $NOGROUP $NOGROUP $NOGROUP;"
got=$(ids "$REC_PID")
case "$got" in "$want"*) ;; *) fail "while recording: $got (want $want...)" ;; esac
for c in CapEff CapPrm CapAmb; do
	v=$(sed -n "s/^$c:[[:space:]]*//p" "/proc/$REC_PID/status")
	[ "$(echo "$v" | tr -d 0)" = "" ] || fail "$c is $v while recording as nobody"
done
log "while recording: $got"
sent=$($FLOOD -r 400 -t $((3 * SLOW + 1)))
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
nfiles=$(ls "$OUT" | wc -l)
[ "$nfiles" -ge 3 ] || fail "-G 1 as nobody made $nfiles files"
total=0
for f in "$OUT"/*; do
	[ "$(stat -c %u:%a "$f")" = "$NOBODY:600" ] || fail "$f: owner:mode $(stat -c %u:%a "$f")"
	dump "$f" "$T_TMP/d"
	total=$((total + $(grep -c '^drop ' "$T_TMP/d")))
done
[ "$total" -eq "$sent" ] || fail "$nfiles files hold $total drops, $sent SYNs were sent"
log "-Z nobody -G 1: $nfiles files owned by nobody, mode 0600, $total of $sent drops"

# --- a numeric uid names the same user ---
"$REC" -q -w "$T_TMP/n.tdrop" -Z "$NOBODY" --duration 1 2>"$T_TMP/err" || fail "-Z $NOBODY: $(cat "$T_TMP/err")"
[ "$(stat -c %u "$T_TMP/n.tdrop")" = "$NOBODY" ] || fail "-Z $NOBODY: the file is not nobody's"

# --- the live view: recorder and report both run as nobody ---
"$REC" -Z nobody --netns "$INO" --no-stack --duration $((3 * SLOW + 2)) >"$T_TMP/live.out" 2>"$T_TMP/live.err" &
lpid=$!
at_exit "kill -KILL $lpid"
_live_ready() { grep -q 'showing drops live' "$T_TMP/live.err"; }
wait_until 30 _live_ready || fail "live view not ready: $(cat "$T_TMP/live.err")"
child=$(cat "/proc/$lpid/task/$lpid/children" | tr -d ' ')
[ -n "$child" ] || fail "the live view has no report child"
case "$(ids "$lpid")" in "$want"*) ;; *) fail "live recorder: $(ids "$lpid")" ;; esac
case "$(ids "$child")" in "$want"*) ;; *) fail "live report: $(ids "$child")" ;; esac
grep -q tcpdrop-report "/proc/$child/cmdline" || fail "child $child is not tcpdrop-report"
sent=$($FLOOD -r 50 -t 1)
wait "$lpid" || fail "live view exit status $?: $(cat "$T_TMP/live.err")"
rows=$(grep -c 'NO_SOCKET' "$T_TMP/live.out")
[ "$rows" -eq "$sent" ] || fail "live view as nobody showed $rows rows for $sent SYNs"
log "live view: recorder $lpid and report $child as nobody, $rows rows for $sent SYNs"
echo "PASS $T_NAME"
