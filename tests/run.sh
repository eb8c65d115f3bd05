#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run every test of one or more build trees: unit tests (cmocka), the fuzz corpus replay and
# the integration scripts (tests/integration/*.sh, root). Prints "N passed, N failed" last.
# An integration script exits 77 to skip (no root/BPF); under CI=true a skip is a failure.
set -u

mode=all
case "${1:-}" in
--unit-only) mode=unit; shift ;;
--integration-only) mode=integration; shift ;;
esac
[ $# -ge 1 ] || { echo "usage: tests/run.sh [--unit-only|--integration-only] BUILD..." >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0 failed=
logdir=$(mktemp -d /tmp/tcpdrop-tests.XXXXXX)

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

for b in "$@"; do
	b=$(cd "$b" && pwd)
	tag=$(basename "$b")
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
			run "$tag/integration/$(basename "$t" .sh)" env TCPDROP_BUILD="$b" TCPDROP_TOP="$top" sh "$t"
		done
	fi
done

[ -n "$failed" ] && echo "failed:$failed (logs in $logdir)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
