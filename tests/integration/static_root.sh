#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The static recorder (make static) records real drops from inside an empty root: a read-only
# directory holding nothing but the binary, with /proc, /sys, /dev and a writable /tmp
# mounted (private mount namespace + chroot). A dynamic binary cannot even start there. The
# file it writes decodes outside with every field of the SYNs the test sent.
# not-in: san: make static builds one recorder, without sanitizers, beside the native build
. "$(dirname "$0")/lib.sh"
require_env synflood

STATIC=$TCPDROP_BUILD/static/tcpdrop-record
[ -x "$STATIC" ] || skip "$STATIC not built (make static)"
VERSION=$(make -s --no-print-directory -C "$TCPDROP_TOP" version) || fail "make version"

# Statically linked: no program interpreter, no dynamic section, nothing for ldd to load.
readelf -lW "$STATIC" | grep -q 'INTERP' && fail "$STATIC has a program interpreter"
readelf -dW "$STATIC" | grep -q 'NEEDED' && fail "$STATIC needs shared libraries"
log "$(file -b "$STATIC" 2>/dev/null | cut -d, -f1-5)"

ROOT=$T_TMP/root
OUT=$T_TMP/out
mkdir -p "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$OUT"
cp "$STATIC" "$ROOT/tcpdrop-record"
cp "$REC" "$ROOT/dynamic-record" # the control: the native build, dynamically linked
chmod 1777 "$OUT"

# inroot.sh ARGS...: run /tcpdrop-record ARGS... in the empty root. It execs all the way
# down (unshare, sh, chroot), so its pid is the recorder's and rec_start/rec_stop work on it.
cat >"$T_TMP/inroot.sh" <<EOF
#!/bin/sh
set -e
mount --bind "$ROOT" "$ROOT"
mount -o remount,bind,ro "$ROOT"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount --bind "$OUT" "$ROOT/tmp"
exec chroot "$ROOT" "\${BIN:-/tcpdrop-record}" "\$@"
EOF
cat >"$T_TMP/rec.sh" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh "$T_TMP/inroot.sh" "\$@"
EOF
chmod +x "$T_TMP/rec.sh"

# The root really is empty: the dynamic recorder finds no loader, the static one runs.
BIN=/dynamic-record "$T_TMP/rec.sh" --version >"$T_TMP/dyn.out" 2>&1 &&
	fail "the dynamic recorder ran in the empty root: $(cat "$T_TMP/dyn.out")"
got=$("$T_TMP/rec.sh" --version) || fail "static --version in the empty root failed: $got"
[ "$got" = "tcpdrop-record $VERSION" ] || fail "--version says '$got', want 'tcpdrop-record $VERSION'"
rm -f "$ROOT/dynamic-record"
left=$(ls -A "$ROOT" | tr '\n' ' ')
[ "$left" = "dev proc sys tcpdrop-record tmp " ] || fail "root holds more than expected: $left"

N=200
ns_new A a
ns_new B b
veth_pair "$A" "$B" 43
INO=$(ns_inode "$B")
IF=vb${T_TAG}43
IFINDEX=$(ip netns exec "$B" cat "/sys/class/net/$IF/ifindex")

REC=$T_TMP/rec.sh
rec_start -w /tmp/t.tdrop --netns "$INO"
sent4=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.43.0.1 -d 10.43.0.2 -p 9 -P 43000 -S 1000 -q 3000000 -n $N) ||
	fail "synflood v4"
sent6=$(ip netns exec "$A" "$TOOLS/synflood" -6 -s fd43::1 -d fd43::2 -p 9 -P 44000 -S 1000 -q 4000000 -n $N) ||
	fail "synflood v6"
[ "$sent4" = $N ] && [ "$sent6" = $N ] || fail "synflood sent $sent4/$sent6 of $N"
rec_stop
[ "$REC_RC" = 0 ] || fail "recorder exit status $REC_RC: $(cat "$REC_ERR")"
grep -q "$((2 * N)) drops recorded, 0 lost" "$REC_ERR" || fail "recorder summary: $(cat "$REC_ERR")"
[ -z "$(ls -A "$ROOT/tmp")" ] || fail "the private /tmp mount leaked into the root directory"

F=$OUT/t.tdrop
[ "$(stat -c %a "$F")" = 600 ] || fail "trace file mode $(stat -c %a "$F"), want 600"
dump "$F" "$T_TMP/d"
grep -q '^index ' "$T_TMP/d" || fail "no clean-close index"

meta() { sed -n "s/^meta key=$1 value=//p" "$T_TMP/d" | head -n 1; }
[ "$(meta tool_version)" = "$VERSION" ] || fail "tool_version=$(meta tool_version), want $VERSION"
[ "$(meta kernel_release)" = "$(uname -r)" ] || fail "kernel_release=$(meta kernel_release)"
[ "$(meta boot_id)" = "$(cat /proc/sys/kernel/random/boot_id)" ] || fail "boot_id=$(meta boot_id)"
[ "$(meta arch)" = "$(uname -m)" ] || fail "arch=$(meta arch)"
case "$(meta cmdline)" in /tcpdrop-record\\x20-q\\x20-w\\x20/tmp/t.tdrop*) ;; *) fail "cmdline=$(meta cmdline)" ;; esac
[ "$(meta hook)" = tp_btf ] || [ "$(meta hook)" = raw_tp ] || fail "hook=$(meta hook)"
grep -q '^ksyms mod=0 count=[1-9]' "$T_TMP/d" || fail "no kallsyms snapshot (read from /proc in the root)"
grep -q '^reasons count=[1-9]' "$T_TMP/d" || fail "no drop-reason table (read from /sys in the root)"

check() { # family saddr daddr seqbase sportbase iplen
	grep "^drop .* family=$1 .* dport=9 " "$T_TMP/d" | grep " netns=$INO " >"$T_TMP/f$1"
	expect_seqs "$T_TMP/f$1" "$4" $N
	expect_synflood "$T_TMP/f$1" "$4" "$5" 9 "$6" reason=NO_SOCKET state=0 state_name=none \
		flags=0x02 "saddr=$2" "daddr=$3" tcp_ack=0 win=64240 "netns=$INO" \
		"ifindex=$IFINDEX" "ifname=$IF"
	grep -q " stack_id=[1-9]" "$T_TMP/f$1" || fail "IPv$1 drops carry no stack"
	log "IPv$1: $N SYNs sent, $N NO_SOCKET drops recorded in the empty root, all fields match"
}
check 4 10.43.0.1 10.43.0.2 3000000 43000 40
check 6 fd43::1 fd43::2 4000000 44000 60

# The normal build's report decodes it, stacks named from the snapshot the file carries.
"$RPT" -r "$F" >"$T_TMP/table" 2>"$T_TMP/table.err" || fail "tcpdrop-report: $(cat "$T_TMP/table.err")"
grep -q "10\.43\.0\.1:43000 .*10\.43\.0\.2:9 .* SYN .*NO_SOCKET" "$T_TMP/table" ||
	fail "table lacks the first IPv4 SYN: $(head -n 3 "$T_TMP/table")"
grep -q 'tcp_v4_rcv+0x' "$T_TMP/table" || fail "table has no symbolised tcp_v4_rcv frame"
grep -q 'tcp_v6_rcv+0x' "$T_TMP/table" || fail "table has no symbolised tcp_v6_rcv frame"
echo "PASS $T_NAME"
