#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run every test of one or more build trees: unit tests (cmocka), the fuzz corpus replay and
# the integration scripts (tests/integration/*.sh, root). Prints "N passed, N failed" last.
# An integration script exits 77 to skip (no root/BPF); under CI=true a skip is a failure.
# A script that cannot run somewhere says so in a header line, and is then not scheduled there
# but listed as "N/A" with its reason (never counted as passed):
#   # not-in: san: why        (sanitizer builds: the build's flavour file says "san")
#   # not-in: vm: why         (inside tools/vm.sh guests, where TCPDROP_VM_KERNEL is set)
# --vm KERNEL (repeatable): afterwards, the integration tests of the first BUILD again inside a
# tools/vm.sh guest booting KERNEL, plus the drop_* tests with the raw_tp fallback forced
# (--raw-tp, what the guest run is given); one "kernel RELEASE: N passed, ..." line each.
set -u

mode=all vms= raw_tp=
while [ $# -gt 0 ]; do
	case "$1" in
	--unit-only) mode=unit; shift ;;
	--integration-only) mode=integration; shift ;;
	--raw-tp) raw_tp=1; shift ;;
	--vm) [ $# -ge 2 ] || break; vms="$vms $2"; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || {
	echo "usage: tests/run.sh [--unit-only|--integration-only] [--raw-tp] [--vm KERNEL]... BUILD..." >&2
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0 na=0 failed=
logdir=$(mktemp -d /tmp/tcpdrop-tests.XXXXXX)
[ -n "${TCPDROP_VM_KERNEL:-}" ] && echo "release $(uname -r)"

run() { # name command...
	name=$1; shift
	log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS  $name (${secs}s)"
	elif [ $rc -eq 77 ] && [ "${CI:-}" != true ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL  $name (exit $rc${secs:+, ${secs}s}); last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    | /'
	fi
}

# not_in SCRIPT WHERE: the reason SCRIPT gives for not running in WHERE, or nothing.
not_in() {
	sed -n "s/^# not-in: $2: //p" "$1" | head -n 1
}

for b in "$@"; do
	b=$(cd "$b" && pwd)
	tag=$(basename "$b")
	flavour=$(cat "$b/flavour" 2>/dev/null || echo native)
	if [ "$mode" != integration ]; then
		for t in "$b"/tests/test_*; do
			[ -x "$t" ] || continue
			run "$tag/unit/$(basename "$t")" "$t"
		done
		if [ -x "$b/tests/replay_reader" ]; then
			run "$tag/fuzz-replay" "$b/tests/replay_reader" "$top/tests/fuzz/corpus/reader"
		fi
	fi
	if [ "$mode" != unit ]; then
		for t in "$top"/tests/integration/*.sh; do
			[ -f "$t" ] || continue
			case "$(basename "$t")" in lib*.sh) continue ;; esac
			why=
			[ "$flavour" = san ] && why=$(not_in "$t" san)
			[ -z "$why" ] && [ -n "${TCPDROP_VM_KERNEL:-}" ] && why=$(not_in "$t" vm)
			if [ -n "$why" ]; then
				na=$((na + 1))
				echo "N/A   $tag/integration/$(basename "$t" .sh): $why"
				continue
			fi
			run "$tag/integration/$(basename "$t" .sh)" env TCPDROP_BUILD="$b" TCPDROP_TOP="$top" sh "$t"
		done
		# the same real drops through the raw tracepoint program (tp_btf skipped)
		for t in $([ -n "$raw_tp" ] && echo "$top"/tests/integration/drop_*.sh); do
			run "$tag/raw_tp/$(basename "$t" .sh)" env TCPDROP_FORCE_RAW_TP=1 \
				TCPDROP_BUILD="$b" TCPDROP_TOP="$top" sh "$t"
		done
	fi
done

# Inside each guest: this script again, on the first build; its lines come back indented.
first=$(cd "$1" && pwd)
for k in $vms; do
	out="$logdir/vm-$k.log"
	start=$(date +%s)
	if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
		skip=$((skip + 1))
		echo "SKIP  kernel $k: the guest needs root (sudo make check)"
		continue
	fi
	echo "---- kernel $k in tools/vm.sh (integration tests, then drop_* with raw_tp forced)"
	TCPDROP_VM_KERNEL=$k sh "$top/tools/vm.sh" --kernel "$k" -- \
		sh tests/run.sh --integration-only --raw-tp "$first" >"$out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|SKIP|N/A|    \||failed:)' "$out" | sed 's/^/  /'
	rel=$(sed -n 's/^release //p' "$out" | head -n 1)
	counts=$(tail -n 1 "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')
	if [ -z "$counts" ]; then
		fail=$((fail + 1)) failed="$failed vm-$k"
		echo "FAIL  kernel $k: the guest run ended without its counts (exit $rc); last lines of $out:"
		tail -n 15 "$out" | sed 's/^/    | /'
		continue
	fi
	set -- $counts
	echo "kernel ${rel:-$k}: $1 passed, $2 failed, $3 skipped ($(( $(date +%s) - start ))s)"
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
	[ "$2" -gt 0 ] && failed="$failed kernel-${rel:-$k}"
done

[ -n "$failed" ] && echo "failed:$failed (logs in $logdir)"
[ "$na" -gt 0 ] && echo "$na not applicable here (listed as N/A above, not counted)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
