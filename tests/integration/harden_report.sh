#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Hardening of tcpdrop-report against hostile files: crafted files (tests/tools/mkhostile
# --budget) fill each per-file table past its cap or the memory budget (report/budget.h);
# the report says so once per file and table on stderr, still decodes every drop and its
# peak RSS (getrusage through /usr/bin/time) stays below 256 MiB, also for -r given 100
# times; given 1024 times, the file past the budget is refused with one line. The seccomp filter is in (Seccomp: 2 in
# /proc/PID/status), a forbidden call dies with the one-line message, TCPDROP_NO_SECCOMP=1
# turns it off. Under ASan (TCPDROP_BUILD=build/san) the bound is 1 GiB: shadow memory,
# redzones and the 256 MiB quarantine of freed blocks come on top of what the report holds.
# No root needed.
# not-in: vm: decodes files only, never touches the kernel: runs on the host
set -u

fail() { echo "FAIL harden_report: $*"; exit 1; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
rpt=$build/tcpdrop-report
mk=$build/tests/tools/mkhostile
[ -x "$rpt" ] && [ -x "$mk" ] || fail "tcpdrop-report or mkhostile not built in $build"
[ -x /usr/bin/time ] || fail "/usr/bin/time is not installed (Debian package time)"
case "$(cat "$build/flavour" 2>/dev/null)" in
san) limit_kb=$((1024 * 1024)) ;;
*) limit_kb=$((256 * 1024)) ;;
esac

tmp=$(mktemp -d /tmp/tcpdrop-harden-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || fail "cd $tmp"
export TZ=UTC

# run NAME ARGS...: the report's exit status must be 0 and its peak RSS below the limit
run() {
	name=$1
	shift
	/usr/bin/time -f '%M' -o rss "$rpt" "$@" >out 2>err || {
		cat err
		fail "$name: tcpdrop-report $* failed"
	}
	rss=$(tail -n 1 rss)
	echo "harden_report: $name: peak RSS ${rss} kB"
	[ "$rss" -lt "$limit_kb" ] || fail "$name: peak RSS ${rss} kB, the bound is ${limit_kb} kB"
}

# full FILE TABLE: exactly one line names the file and the full table
full() {
	n=$(grep -c "^tcpdrop-report: $1: $2: " err)
	[ "$n" = 1 ] || { cat err; fail "$1: $n lines say the $2 table is full, want 1"; }
}

# table file, per-file budget tables; drops: what each file still decodes
for t in stacks:stacks stacks-count:stacks symbols:symbols symbols-long:symbols \
	modules:modules meta:metadata clocks:"clock anchors" reasons:"drop reasons"; do
	file=${t%%:*}
	table=${t#*:}
	"$mk" --budget "$file" "$file.tdrop" || fail "mkhostile --budget $file"
	run "$file" -r "$file.tdrop" --no-stack
	full "$file.tdrop" "$table"
	[ "$(grep -c 'TCP\|NO_SOCKET\|NOT_SPECIFIED\|UNKNOWN' out)" -ge 1000 ] ||
		fail "$file: fewer than 1000 drops decoded"
	for view in --summary=reason,stack --timeline --format=folded --explain --info; do
		run "$file $view" -r "$file.tdrop" "$view"
	done
	run "$file --html" -r "$file.tdrop" --html="$file.html"
done

# the drops of a stack past the budget: decoded, shown without one
"$rpt" -r stacks.tdrop --summary=stack 2>/dev/null | grep -q '(no stack)' ||
	fail "stacks: drops of stacks past the budget are not counted as (no stack)"

# the views' budget: 400000 drops from distinct sources with distinct unknown reasons
"$mk" --budget views views.tdrop || fail "mkhostile --budget views"
for view in --summary=flow --summary=reason,netns --timeline=1ms --info; do
	run "views $view" -r views.tdrop "$view"
	grep -q '(other)' out || [ "$view" = --timeline=1ms ] || fail "views $view: no (other) row"
done
run "views --summary=flow total" -r views.tdrop --summary=flow
grep -q '^  400000  100.0%  (total)' out || fail "views: the summary's total is not 400000"
# the folded, explain and html views' own maps: past the budget in one (other), the sum intact
run "views --format=folded" -r views.tdrop --format=folded
grep -q '^(other) [0-9]*$' out || fail "views --format=folded: no (other) line"
[ "$(awk '{ s += $NF } END { print s }' out)" = 400000 ] ||
	fail "views --format=folded: the counts do not sum to 400000"
run "views --explain" -r views.tdrop --explain
grep -q '^400000 drops in ' out || fail "views --explain: the total is not 400000"
grep -q '^(other): [0-9]* drops in groups past the memory budget$' out ||
	fail "views --explain: no (other) line"
run "views --html" -r views.tdrop --html=views.html
grep -q 'data-total="400000"' views.html || fail "views --html: the flame graph's total is not 400000"
grep -q 'id="flame-folded">[0-9]* drops whose stacks did not fit' views.html ||
	fail "views --html: the page does not say what it folded"

# everything at once; -r given 100 times (the fuzz corpus's count) and 1024 times: one
# account for all files bounds their readers and tables together, the file past it is refused
"$mk" --budget all all.tdrop || fail "mkhostile --budget all"
run "all" -r all.tdrop --summary=reason
many() { # COUNT: -r stacks.tdrop COUNT times
	args=""
	i=0
	while [ $i -lt "$1" ]; do
		args="$args -r stacks.tdrop"
		i=$((i + 1))
	done
}
many 100
# shellcheck disable=SC2086
run "stacks x100" $args --summary=reason
many 1024
# shellcheck disable=SC2086
/usr/bin/time -f '%M' -o rss "$rpt" $args --summary=reason >/dev/null 2>err
[ $? = 1 ] || fail "-r given 1024 times did not stop at the files' budget"
[ "$(grep -c '^tcpdrop-report: stacks.tdrop: input files: memory budget used up' err)" = 1 ] ||
	fail "-r 1024 times: $(head -n 3 err)"
echo "harden_report: stacks x1024: peak RSS $(tail -n 1 rss) kB"

# seccomp: in once the files are open, a forbidden call is named, it can be turned off
"$mk" hostile.tdrop || fail "mkhostile"
TCPDROP_TEST_FORBIDDEN_SYSCALL=1 "$rpt" -r hostile.tdrop >/dev/null 2>err
rc=$?
[ $rc = 159 ] || fail "a forbidden system call ended the report with $rc, not SIGSYS (159)"
grep -qx 'tcpdrop-report: seccomp: forbidden system call [0-9]* (socket)' err ||
	fail "no seccomp line for the forbidden call: $(cat err)"
TCPDROP_NO_SECCOMP=1 TCPDROP_TEST_FORBIDDEN_SYSCALL=1 "$rpt" -r hostile.tdrop >/dev/null 2>err ||
	fail "TCPDROP_NO_SECCOMP=1 does not turn the filter off: $(cat err)"
mkfifo in.fifo || fail "mkfifo"
"$rpt" -r in.fifo >/dev/null 2>err &
pid=$!
exec 3>in.fifo
cat hostile.tdrop >&3
i=0
while [ $i -lt 50 ] && ! grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status 2>/dev/null || fail "no seccomp filter in the running report"
exec 3>&-
wait $pid || fail "the confined report failed: $(cat err)"
echo "PASS harden_report"
