#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tcpdrop-report under valgrind memcheck: every view (table, json, csv, summary, timeline,
# info, pcapng) over the report's sample recordings (the inputs of its golden outputs), plus
# merged, truncated and damaged input, a tcpdump filter and the fuzz corpus (hostile files),
# with no memcheck error and no leak.
# not-in: san: ASan and valgrind cannot run one process together; memcheck runs on the plain build
# not-in: vm: decodes files only, never touches the kernel: runs on the host
set -u

fail() { echo "FAIL: $*"; exit 1; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
if ! command -v valgrind >/dev/null 2>&1; then
	[ "${CI:-}" = true ] && fail "valgrind is not installed (make deps installs it)"
	echo "valgrind is not installed (make deps installs it)"
	exit 77
fi
rpt=$build/tcpdrop-report
export TCPDROP_NO_SECCOMP=1 # valgrind cannot run a seccomp-confined process (tcpdrop-report(8))
mk=$build/tests/tools/rpt_mksample
if [ ! -x "$rpt" ] || [ ! -x "$mk" ]; then fail "tcpdrop-report or rpt_mksample not built in $build"; fi

tmp=$(mktemp -d /tmp/tcpdrop-valgrind.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$mk" "$tmp" >/dev/null || fail "rpt_mksample"
cd "$tmp" || fail "cd $tmp"
export TZ=UTC

# A copy of alpha.tdrop with a byte of its first chunk damaged.
off=$(grep -abo TDBK alpha.tdrop | sed -n 1p | cut -d: -f1)
[ -n "$off" ] || fail "no block in alpha.tdrop"
cp alpha.tdrop damaged.tdrop
printf 'X' | dd of=damaged.tdrop bs=1 seek=$((off + 40)) conv=notrunc 2>/dev/null

runs=0
vg() { # name args...: run the report under memcheck, compare with the plain run
	name=$1; shift
	runs=$((runs + 1))
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		"$rpt" "$@" >"$name.vg.out" 2>"$name.vg.err" </dev/null
	rc=$?
	[ $rc -ne 99 ] || { cat "$name.vg.err"; fail "$name: memcheck errors"; }
	[ $rc -eq 0 ] || { cat "$name.vg.err"; fail "$name: exit $rc"; }
	"$rpt" "$@" >"$name.out" 2>/dev/null </dev/null
	cmp -s "$name.out" "$name.vg.out" || fail "$name: output differs under valgrind"
	[ -s "$name.out" ] || fail "$name: no output"
}

vg table -r alpha.tdrop --utc
vg table-iso -r alpha.tdrop --time=iso --no-stack
vg json -r alpha.tdrop --format=json
vg csv -r alpha.tdrop --format=csv
vg summary -r alpha.tdrop --summary=reason,dport,stack --top=2
vg summary-flow -r alpha.tdrop --summary=flow,state,comm,ifname,flags
vg summary-host -r alpha.tdrop --summary=host,location,saddr,daddr,netns
vg timeline -r alpha.tdrop --timeline=500ms
vg timeline-reason -r alpha.tdrop --timeline-by-reason
vg info -r alpha.tdrop --info
vg pcapng -r alpha.tdrop -w -
vg merge -r alpha.tdrop -r beta.tdrop --format=json --no-stack
vg filter -r alpha.tdrop --reason=no_socket --stack-contains=tcp_v4_rcv 'tcp port 80'
vg killed -r alpha-killed.tdrop --info
vg truncated -r alpha-truncated.tdrop
vg damaged -r damaged.tdrop --format=json
vg damaged-pcapng -r damaged.tdrop -w -

# The fuzz corpus (hostile files, several unreadable) in one run per view: exit 0 or 1 (some
# files cannot be read at all), never a memcheck error.
top=${TCPDROP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
corpus=$top/tests/fuzz/corpus/reader
[ -d "$corpus" ] || fail "no fuzz corpus at $corpus"
set --
for f in "$corpus"/*; do
	set -- "$@" -r "$f"
done
[ $# -ge 20 ] || fail "fuzz corpus has only $(($# / 2)) files"
for v in --format=json --format=csv --info --summary=reason,stack,comm --timeline-by-reason \
	"-w -"; do
	runs=$((runs + 1))
	# shellcheck disable=SC2086
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible "$rpt" "$@" $v \
		>corpus.out 2>corpus.err </dev/null
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 1 ] || { tail -n 40 corpus.err; fail "corpus $v: exit $rc"; }
	if grep -v '^tcpdrop-report: ' corpus.err | grep -q .; then
		tail -n 40 corpus.err
		fail "corpus $v: memcheck output"
	fi
done

# Usage and runtime errors free what they took too.
valgrind -q --error-exitcode=99 --leak-check=full "$rpt" -r alpha.tdrop --pid=x >/dev/null 2>vg.err
[ $? -eq 2 ] || { cat vg.err; fail "usage error under valgrind: want exit 2"; }
valgrind -q --error-exitcode=99 --leak-check=full "$rpt" -r missing.tdrop >/dev/null 2>vg.err
[ $? -eq 1 ] || { cat vg.err; fail "missing file under valgrind: want exit 1"; }

echo "valgrind_report: $runs runs clean"
exit 0
