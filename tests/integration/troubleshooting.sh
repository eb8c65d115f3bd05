#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# README's Troubleshooting is true: each refusal it lists (no root, no kernel BTF, bpf()
# forbidden by seccomp) makes the recorder exit 1 with exactly the one line README quotes,
# before creating any output file.
. "$(dirname "$0")/lib.sh"
require_env nobpf
command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
README=$TCPDROP_TOP/README.md

# refused WHAT CMD...: CMD (a recorder run) exits 1 with one stderr line that README quotes.
refused() {
	_what=$1
	shift
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	_rc=$?
	_line=$(cat "$T_TMP/err")
	[ "$_rc" = 1 ] && [ "$(wc -l <"$T_TMP/err")" = 1 ] && [ ! -s "$T_TMP/out" ] ||
		fail "$_what: exit $_rc, stderr: $_line"
	[ -e "$T_TMP/t.tdrop" ] && fail "$_what: an output file was created"
	sed -n '/^## Troubleshooting/,/^## /p' "$README" | grep -qxF -- "$_line" ||
		fail "$_what: README's Troubleshooting does not quote: $_line"
	log "$_what: $_line"
}

refused "no root" setpriv --reuid=65534 --regid=65534 --clear-groups "$REC" -w "$T_TMP/t.tdrop"
refused "no BTF" unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"' \
	"$REC" -w "$T_TMP/t.tdrop"
refused "seccomp" "$TOOLS/nobpf" "$REC" -w "$T_TMP/t.tdrop"
echo "PASS $T_NAME"
