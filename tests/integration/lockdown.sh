#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Under kernel lockdown in confidentiality mode the recorder stops with exactly the line
# README's Troubleshooting quotes, and writes nothing. Lockdown cannot be lifted until reboot,
# so this runs in a guest of its own (tools/vm.sh), never on the host.
# not-in: san: the guest runs the native build
# not-in: vm: boots a guest of its own
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (tools/vm.sh)"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (make deps installs it)"
[ -x "$REC" ] || fail "$REC not built"

out=$T_TMP/out
# the guest's /tmp is its own: the file it must not create lives there
sh "$TCPDROP_TOP/tools/vm.sh" --kernel 6.1 -- sh -c '
	mountpoint -q /sys/kernel/security || mount -t securityfs none /sys/kernel/security
	echo confidentiality >/sys/kernel/security/lockdown || exit 90
	grep -q "\[confidentiality\]" /sys/kernel/security/lockdown || exit 91
	"$0" -w /tmp/t.tdrop --duration 1 2>/tmp/err
	echo "rc=$?"
	cat /tmp/err
	[ -e /tmp/t.tdrop ] && echo "file created"
	exit 0' "$REC" >"$out" 2>&1 || fail "guest: exit $?: $(tail -n 3 "$out")"
grep -qx 'rc=1' "$out" || fail "want exit 1 under lockdown: $(cat "$out")"
grep -q 'file created' "$out" && fail "an output file was created under lockdown"
line=$(sed -n 's/^\(tcpdrop-record: .*\)/\1/p' "$out")
[ "$(echo "$line" | grep -c .)" = 1 ] || fail "want one error line: $(cat "$out")"
sed -n '/^## Troubleshooting/,/^## /p' "$TCPDROP_TOP/README.md" | grep -qxF -- "$line" ||
	fail "README's Troubleshooting does not quote: $line"
log "$line"
echo "PASS $T_NAME"
