#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Seccomp: while it records (here with -G rotation, so files are created and deleted under
# the filter) tcpdrop-record is in seccomp filter mode (Seccomp: 2) with no_new_privs and
# every drop is recorded; the test hook TCPDROP_TEST_FORBIDDEN_SYSCALL=1 makes a forbidden
# call (socket) after the filter is installed and the recorder dies of SIGSYS with one line
# naming the call; TCPDROP_NO_SECCOMP=1 records without a filter, where the same call is
# harmless.
. "$(dirname "$0")/lib.sh"
require_env synflood

ns_new A a
ns_new B b
veth_pair "$A" "$B" 45
INO=$(ns_inode "$B")
mkdir "$T_TMP/out"

# status PID FIELD: the value of FIELD in /proc/PID/status
status() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
_filtered() { [ "$(status "$REC_PID" Seccomp)" = 2 ]; }

rec_start -w "$T_TMP/out/s-%H%M%S.tdrop" -G 1 -W 2 --netns "$INO" --flush-interval 100
# the filter goes on right after the capabilities go: wait for it, not for CapEff
wait_until 10 _filtered || fail "Seccomp is $(status "$REC_PID" Seccomp) while recording (want 2)"
[ "$(status "$REC_PID" NoNewPrivs)" = 1 ] || fail "NoNewPrivs is not 1 under the filter"
log "while recording: Seccomp $(status "$REC_PID" Seccomp), filters $(status "$REC_PID" Seccomp_filters)"
sent=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.45.0.1 -d 10.45.0.2 -p 9 -q 1 -n 0 -r 400 -t $((3 * SLOW + 1)))
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC under the filter: $(cat "$REC_ERR")"
[ "$(ls "$T_TMP/out" | wc -l)" = 2 ] || fail "-W 2 under the filter left: $(ls "$T_TMP/out")"
for f in "$T_TMP"/out/*; do dump "$f" "$T_TMP/d"; done
last=$(sed -n 's/.*: \([0-9]*\) drops recorded, \([0-9]*\) lost.*/\1 \2/p' "$REC_ERR")
set -- $last
[ "$(($1 + $2))" = "$sent" ] || fail "under the filter: $1 recorded + $2 lost, $sent sent"
log "rotation under the filter: $1 recorded, $2 lost of $sent sent, 2 files kept"

# --- the forbidden call: killed by SIGSYS, one line naming it ---
# (in the background: a shell reports a foreground job's death by signal on its stderr)
TCPDROP_TEST_FORBIDDEN_SYSCALL=1 "$REC" -q -w "$T_TMP/f.tdrop" --duration $((10 * SLOW)) 2>"$T_TMP/err" &
wait $!
rc=$?
[ "$rc" = $((128 + 31)) ] || fail "forbidden call: exit status $rc (want 159, SIGSYS): $(cat "$T_TMP/err")"
grep -Eq '^tcpdrop-record: seccomp: forbidden system call [0-9]+ \(socket\)$' "$T_TMP/err" ||
	fail "forbidden call: no such line in: $(cat "$T_TMP/err")"
# sanitizer builds may add their own report of the signal; the native build says one line
[ "$SLOW" != 1 ] || [ "$(wc -l <"$T_TMP/err")" = 1 ] || fail "more than one line: $(cat "$T_TMP/err")"
log "forbidden call: exit $rc, $(cat "$T_TMP/err")"
if audit=$(dmesg 2>/dev/null | grep 'type=1326' | grep "pid=" | tail -n 1) && [ -n "$audit" ]; then
	log "kernel audit: ${audit#*audit: }"
fi

# --- TCPDROP_NO_SECCOMP=1: no filter; the hook's socket() then just works ---
TCPDROP_NO_SECCOMP=1 TCPDROP_TEST_FORBIDDEN_SYSCALL=1 rec_start -w "$T_TMP/n.tdrop"
[ "$(status "$REC_PID" Seccomp)" = 0 ] || fail "TCPDROP_NO_SECCOMP=1: Seccomp is $(status "$REC_PID" Seccomp)"
rec_stop
[ "$REC_RC" = 0 ] || fail "TCPDROP_NO_SECCOMP=1: exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/n.tdrop" "$T_TMP/d"
echo "PASS $T_NAME"
