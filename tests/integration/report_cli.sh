#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tcpdrop-report as a program (no root needed): exit codes and one-line messages for bad
# options, stdin and the live view through a pipe, damage reported on stderr with offsets,
# the tcpdump expression on the command line, escaping of hostile strings in every format,
# several files merged, and -w. Sample files come from tests/tools/rpt_mksample.
# not-in: vm: decodes files only, never touches the kernel: runs on the host
set -u

fail() { echo "FAIL: $*"; exit 1; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
rpt=$build/tcpdrop-report
mk=$build/tests/tools/rpt_mksample
[ -x "$rpt" ] && [ -x "$mk" ] || fail "tcpdrop-report or rpt_mksample not built in $build"

tmp=$(mktemp -d /tmp/tcpdrop-report-cli.XXXXXX)
livepid=
cleanup() {
	[ -n "$livepid" ] && kill "$livepid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
"$mk" "$tmp" || fail "rpt_mksample"
cd "$tmp" || fail "cd $tmp"
export TZ=UTC

# ---- usage errors: exit 2, exactly one line on stderr, naming the option ----
usage_error() { # expected-text args...
	want=$1; shift
	"$rpt" "$@" >out 2>err
	rc=$?
	[ $rc -eq 2 ] || fail "'$*': exit $rc, want 2"
	[ "$(wc -l <err)" -eq 1 ] || fail "'$*': stderr is not one line: $(cat err)"
	grep -q -- "$want" err || fail "'$*': stderr does not name $want: $(cat err)"
	[ ! -s out ] || fail "'$*': wrote to stdout"
}
usage_error "--pid" -r alpha.tdrop --pid=abc
usage_error "--pid" -r alpha.tdrop --pid=-1
usage_error "--pid" -r alpha.tdrop --pid=4294967296
usage_error "--netns" -r alpha.tdrop --netns=0
usage_error "-c" -r alpha.tdrop -c 0
usage_error "-c" -r alpha.tdrop -c 12x
usage_error "--top" -r alpha.tdrop --summary=reason --top=0
usage_error "--top" -r alpha.tdrop --top=3
usage_error "--format" -r alpha.tdrop --format=xml
usage_error "--summary" -r alpha.tdrop --summary=reason,bogus
usage_error "bogus" -r alpha.tdrop --summary=reason,bogus
usage_error "--time" -r alpha.tdrop --time=yesterday
usage_error "--timeline" -r alpha.tdrop --timeline=10x
usage_error "--since" -r alpha.tdrop --since="May 1st"
usage_error "--until" -r alpha.tdrop --until=+
usage_error "--comm" -r alpha.tdrop --comm=aaaaaaaaaaaaaaaaaaaaa
usage_error "--reason" -r alpha.tdrop --reason=,
usage_error "--no-such-option" -r alpha.tdrop --no-such-option
usage_error "-Z" -r alpha.tdrop -Z
usage_error "-r" -r
usage_error "no input"
usage_error "--info" -r alpha.tdrop --summary=reason --info
usage_error "-w" -r alpha.tdrop -w x.pcapng --format=json
usage_error "filter expression" -r alpha.tdrop tcp port

"$rpt" --help >out 2>err || fail "--help exit $?"
grep -q "^usage: tcpdrop-report -r FILE" out || fail "--help: no usage line"
[ ! -s err ] || fail "--help wrote to stderr"
"$rpt" --version | grep -q "^tcpdrop-report [0-9]" || fail "--version"

# ---- runtime errors: exit 1 ----
"$rpt" -r "$tmp/does-not-exist" >out 2>err
[ $? -eq 1 ] || fail "missing file: want exit 1"
grep -q "^tcpdrop-report: $tmp/does-not-exist: No such file" err || fail "missing file: $(cat err)"
printf 'not a trace file at all, honest\n' >junk.tdrop
"$rpt" -r junk.tdrop >out 2>err
[ $? -eq 1 ] || fail "junk file: want exit 1"
grep -q "^tcpdrop-report: junk.tdrop" err || fail "junk file message: $(cat err)"

# ---- the table, from a file and from stdin ----
"$rpt" -r alpha.tdrop --utc >table.txt || fail "table exit $?"
[ "$(grep -c -E '^[0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]' table.txt)" -eq 6 ] || fail "table: want 6 drop lines"
grep -q '\*\*\* LOST 7 drops' table.txt || fail "table: no lost line"
"$rpt" -r - --utc <alpha.tdrop >stdin.txt || fail "stdin exit $?"
cmp -s table.txt stdin.txt || fail "-r - differs from -r FILE"
# -n, tcpdump's habit, changes nothing
"$rpt" -n -r alpha.tdrop --utc >n.txt || fail "-n exit $?"
cmp -s table.txt n.txt || fail "-n changes the table"
# a file that is no trace: its error alone, nothing on stdout (no header before it)
"$rpt" -r /etc/passwd >notrace.out 2>notrace.err
rc=$?
[ "$rc" = 1 ] && [ ! -s notrace.out ] && [ "$(wc -l <notrace.err)" = 1 ] &&
	grep -q '^tcpdrop-report: /etc/passwd: offset 0: not a tcpdrop trace file' notrace.err ||
	fail "-r /etc/passwd: exit $rc, stdout $(wc -c <notrace.out) bytes, stderr: $(cat notrace.err)"

# ---- tcpdump expression on the command line, v4 and v6 ----
n=$("$rpt" -r alpha.tdrop --no-stack 'tcp port 80' | tail -n +2 | grep -vc LOST)
[ "$n" -eq 4 ] || fail "'tcp port 80': $n drops, want 4"
n=$("$rpt" -r alpha.tdrop --no-stack --format=json ip6 and port 80 | grep -c '"type":"drop"')
[ "$n" -eq 1 ] || fail "'ip6 and port 80': $n drops, want 1"
n=$("$rpt" -r alpha.tdrop --format=json --reason=no_socket --state=- | grep -c '"type":"drop"')
[ "$n" -eq 2 ] || fail "--reason --state: $n drops, want 2"
n=$("$rpt" -r alpha.tdrop --format=json --since=+60 | grep -c '"type":"drop"')
[ "$n" -eq 2 ] || fail "--since=+60: $n, want 2"
n=$("$rpt" -r alpha.tdrop --format=json --until="2024-05-01 12:00:02" --utc | grep -c '"type":"drop"')
[ "$n" -eq 2 ] || fail "--until wall clock: $n, want 2"
n=$("$rpt" -r alpha.tdrop --format=json -c 1 | grep -c '"type":"drop"')
[ "$n" -eq 1 ] || fail "-c 1: $n"

# ---- several hosts: a HOST column ----
"$rpt" -r alpha.tdrop -r beta.tdrop --no-stack | head -1 | grep -q "HOST" || fail "merge: no HOST column"
"$rpt" -r alpha.tdrop --no-stack | head -1 | grep -q "HOST" && fail "one host: HOST column"

# ---- hostile comm and ifname: no raw control bytes in any view ----
for v in "" "--format=json" "--format=csv" "--summary=comm,ifname,flow" "--info" \
	"--timeline-by-reason"; do
	# shellcheck disable=SC2086
	"$rpt" -r alpha.tdrop $v >view.txt || fail "view '$v' exit $?"
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" view.txt; then
		fail "view '$v' prints raw control characters"
	fi
done
"$rpt" -r alpha.tdrop --format=json >j.txt
# jq (make deps) parses every line; a missing jq is a failure, not a skip.
command -v jq >/dev/null 2>&1 || fail "jq is not installed (make deps)"
[ "$(jq -c . j.txt | wc -l)" -eq "$(wc -l <j.txt)" ] || fail "json does not parse"

# ---- damage: reported on stderr with offsets, the rest still shown, exit 0 ----
"$rpt" -r alpha-truncated.tdrop --no-stack >out 2>err || fail "truncated: exit $?"
grep -q "^tcpdrop-report: alpha-truncated.tdrop: offset [0-9]*: truncated" err ||
	fail "truncated: stderr: $(cat err)"
grep -q "NO_SOCKET" out || fail "truncated: drops before the cut not shown"
# Flip a byte inside the second block (a chunk) of a copy.
off=$(grep -abo TDBK alpha.tdrop | sed -n 2p | cut -d: -f1)
cp alpha.tdrop corrupt.tdrop
printf 'X' | dd of=corrupt.tdrop bs=1 seek=$((off + 40)) conv=notrunc 2>/dev/null
"$rpt" -r corrupt.tdrop --no-stack >out 2>err || fail "corrupt: exit $?"
grep -q "^tcpdrop-report: corrupt.tdrop: offset $off: corrupt" err || fail "corrupt: stderr: $(cat err)"
[ "$(tail -n +2 out | grep -vc LOST)" -ge 1 ] || fail "corrupt: nothing shown"
"$rpt" -r corrupt.tdrop --info 2>/dev/null | grep -q "1 corrupt" || fail "corrupt: --info does not say so"

# ---- live view: drops appear while the writer still holds the pipe open ----
mkfifo live.fifo
"$rpt" -r - --no-stack <live.fifo >live.txt 2>&1 &
livepid=$!
{
	cat alpha-killed.tdrop
	sleep 3
} >live.fifo &
sleep 1.5
n=$(grep -c -E '^[0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]' live.txt)
[ "$n" -eq 6 ] || fail "live view: $n drop lines before the writer closed, want 6"
wait "$livepid"
livepid=

# ---- -w: a pcapng file that tcpdump reads (when the export is built) ----
if "$rpt" -r alpha.tdrop -w out.pcapng 2>err; then
	if command -v tcpdump >/dev/null 2>&1; then
		n=$(tcpdump -nr out.pcapng 2>/dev/null | wc -l)
		[ "$n" -eq 6 ] || fail "-w: tcpdump reads $n packets, want 6"
	fi
	"$rpt" -r alpha.tdrop -w - >stdout.pcapng || fail "-w - exit $?"
	cmp -s stdout.pcapng out.pcapng || fail "-w - to a file differs from -w FILE"
	# Through a pipe (not seekable): still a complete capture.
	"$rpt" -r alpha.tdrop -w - | cat >piped.pcapng
	if command -v tcpdump >/dev/null 2>&1; then
		n=$(tcpdump -nr piped.pcapng 2>/dev/null | wc -l)
		[ "$n" -eq 6 ] || fail "-w - through a pipe: tcpdump reads $n packets, want 6"
	fi
else
	fail "-w: $(cat err)"
fi
echo "report_cli: all passed"
exit 0
