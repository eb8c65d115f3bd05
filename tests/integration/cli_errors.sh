#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Bad command lines, one table for both programs: every option given a malformed or
# out-of-range value exits 2 with exactly one line on stderr that names the option and says
# what it accepts, and nothing on stdout. The recorder must find usage errors before it looks
# at privileges or BPF, so as root the table runs twice: as root and as user nobody.
# not-in: vm: parses command lines only (before any BPF): runs on the host
set -u

fail() { echo "FAIL: $*"; exit 1; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
rec=$build/tcpdrop-record
rpt=$build/tcpdrop-report
mk=$build/tests/tools/rpt_mksample
for b in "$rec" "$rpt" "$mk"; do
	[ -x "$b" ] || fail "$b not built"
done

tmp=$(mktemp -d /tmp/tcpdrop-cli-errors.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$mk" "$tmp" >/dev/null || fail "rpt_mksample"
chmod 755 "$tmp" && chmod 644 "$tmp"/*.tdrop
cd "$tmp" || fail "cd $tmp"

# What the messages must say about the accepted values (extended regular expressions).
RANGE='[0-9]+ ?(\.\.|-) ?[0-9]+'          # "1..65535", "range 1-65535"
NOVALUE='takes no|no value|no argument|not allow|does not take|doesn.t take'
NEEDS='needs|requires|missing|expects'

# Columns: program (rec|rpt) | option the line must name | what-it-accepts regex | arguments.
# The recorder's rows get "-q --duration 1 -w FILE" first (so a row it wrongly accepts ends
# by itself), the report's get "-r alpha.tdrop" first (so the input is never what is wrong).
table() {
	cat <<'EOF'
rec|-w|file name|-w ''
rec|-w|NEEDS|-w
rec|-c|RANGE|-c 0
rec|-c|RANGE|-c ten
rec|-c|RANGE|-c 18446744073709551616
rec|--duration|RANGE|--duration 0
rec|--duration|RANGE|--duration 315360001
rec|--duration|RANGE|--duration 10s
rec|--duration|NEEDS|--duration
rec|-C|RANGE|-C 0
rec|-C|RANGE|-C 1000001
rec|-C|RANGE|-C 1.5
rec|-G|RANGE|-G 0
rec|-G|RANGE|-G 31622401
rec|-G|RANGE|-G -1
rec|-W|RANGE|-C 1 -W 0
rec|-W|RANGE|-C 1 -W 100001
rec|-s|RANGE|-s 19
rec|-s|RANGE|-s 1025
rec|-s|RANGE|-s 64k
rec|-s|NEEDS|-s
rec|-4|-6|-4 -6
rec|--port|RANGE|--port 0
rec|--port|RANGE|--port 65536
rec|--port|RANGE|--port http
rec|--host|IPv4 or IPv6|--host 10.0.0
rec|--host|IPv4 or IPv6|--host ''
rec|--netns|RANGE|--netns 0
rec|--netns|RANGE|--netns 4294967296
rec|--reason|[Nn]ame|--reason ''
rec|--reason|[Nn]ame|--reason ,
rec|--reason|16|--reason A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P,Q
rec|--reason|NEEDS|--reason
rec|--all-reasons|NOVALUE|--all-reasons=yes
rec|--no-stack|NOVALUE|--no-stack=1
rec|--stack-depth|RANGE|--stack-depth 0
rec|--stack-depth|RANGE|--stack-depth 128
rec|--stack-depth|RANGE|--stack-depth deep
rec|--ringbuf-size|power of two|--ringbuf-size 3M
rec|--ringbuf-size|K or M|--ringbuf-size 12Q
rec|--ringbuf-size|64K-1024M|--ringbuf-size 32K
rec|--ringbuf-size|64K-1024M|--ringbuf-size 2048M
rec|--flush-interval|RANGE|--flush-interval 9
rec|--flush-interval|RANGE|--flush-interval 60001
rec|--flush-interval|RANGE|--flush-interval 1s
rec|--help|NOVALUE|--help=x
rec|--version|NOVALUE|--version=x
rec|--bogus|unknown|--bogus
rec|-x|unknown|-x
rec|extra|unexpected|extra
rpt|-r|file name|-r ''
rpt|-r|NEEDS|-r
rpt|-w|file name|-w ''
rpt|-w|NEEDS|-w
rpt|-c|RANGE|-c 0
rpt|-c|RANGE|-c x
rpt|-c|RANGE|-c 18446744073709551616
rpt|--format|table, json, csv|--format=xml
rpt|--format|table, json, csv|--format=
rpt|--summary|reason.*dport|--summary=bogus
rpt|--summary|reason.*dport|--summary=
rpt|--summary|8|--summary=reason,dport,state,comm,netns,ifname,flags,host,saddr
rpt|--top|RANGE|--summary=reason --top=0
rpt|--top|RANGE|--summary=reason --top=x
rpt|--timeline|10s|--timeline=10x
rpt|--timeline|10s|--timeline=0
rpt|--timeline-by-reason|NOVALUE|--timeline-by-reason=1
rpt|--info|NOVALUE|--info=1
rpt|--no-stack|NOVALUE|--no-stack=1
rpt|--time|clock, iso, epoch, relative|--time=x
rpt|--utc|NOVALUE|--utc=1
rpt|--reason|[Nn]ame|--reason=,
rpt|--reason|[Nn]ame|--reason=
rpt|--state|[Nn]ame|--state=,
rpt|--state|ESTABLISHED,.*,LISTEN,|--state=BOGUS
rpt|--state|ESTABLISHED,.*,LISTEN,|--state=listen,listening
rpt|--comm|1\.\.15 bytes|--comm=
rpt|--comm|1\.\.15 bytes|--comm=abcdefghijklmnop
rpt|--pid|RANGE|--pid=x
rpt|--pid|RANGE|--pid=-1
rpt|--pid|RANGE|--pid=4294967296
rpt|--netns|RANGE|--netns=0
rpt|--netns|RANGE|--netns=4294967296
rpt|--ifname|1\.\.15 bytes|--ifname=
rpt|--ifname|1\.\.15 bytes|--ifname=abcdefghijklmnop
rpt|--since|YYYY-MM-DD|--since=yesterday
rpt|--until|YYYY-MM-DD|--until=+x
rpt|--stack-contains|symbol|--stack-contains=
rpt|--help|NOVALUE|--help=x
rpt|--version|NOVALUE|--version=x
rpt|--bogus|unknown|--bogus
rpt|-x|unknown|-x
EOF
}

# run_table [setpriv-prefix...]: every row, as whoever the prefix makes us.
run_table() {
	pre=$*
	who=${1:+as $(echo "$pre" | sed 's/.*--reuid=\([^ ]*\).*/uid \1/')}
	bad=0 rows=0
	while IFS='|' read -r prog opt accept args; do
		case "$accept" in
		RANGE) accept=$RANGE ;;
		NOVALUE) accept=$NOVALUE ;;
		NEEDS) accept=$NEEDS ;;
		esac
		if [ "$prog" = rec ]; then
			eval "set -- $pre '$rec' -q --duration 1 -w '$tmp/rec.tdrop' $args"
		else
			eval "set -- $pre '$rpt' -r '$tmp/alpha.tdrop' $args"
		fi
		rows=$((rows + 1))
		timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
		lines=$(wc -l <"$tmp/err")
		why=
		if [ $rc -ne 2 ]; then
			why="exit $rc, want 2"
		elif [ "$lines" -ne 1 ]; then
			why="$lines lines on stderr, want 1"
		elif [ -s "$tmp/out" ]; then
			why="wrote to stdout"
		elif ! grep -q "^tcpdrop-re[a-z]*: " "$tmp/err"; then
			why="the line does not start with the program's name"
		elif ! grep -qF -- "$opt" "$tmp/err"; then
			why="the line does not name $opt"
		elif ! grep -qE -- "$accept" "$tmp/err"; then
			why="the line does not say what $opt accepts (/$accept/)"
		elif LC_ALL=C grep -q "$(printf '[\001-\037\177]')" "$tmp/err"; then
			why="raw control characters in the line"
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			echo "BAD  $prog $args ${who}: $why"
			sed 's/^/       stderr| /' "$tmp/err" | cat -v | head -n 3
		fi
	done <<EOF
$(table)
EOF
	echo "cli_errors: $rows rows ${who:-as uid $(id -u)}, $bad bad"
	[ "$bad" -eq 0 ]
}

status=0
run_table || status=1
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null 2>&1 || fail "setpriv (util-linux) missing"
	run_table setpriv --reuid=65534 --regid=65534 --clear-groups || status=1
fi
[ -e "$tmp/rec.tdrop" ] && { echo "FAIL: a row started a recording"; status=1; }
[ $status -eq 0 ] && echo "cli_errors: all passed"
exit $status
