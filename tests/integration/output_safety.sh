#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Output safety: a crafted trace file (tests/tools/mkhostile) whose comm, interface, host,
# reason, state, symbol and module names hold control characters, terminal escape sequences,
# CSV/JSON specials, C1 controls and invalid UTF-8. Every view prints escaped, valid UTF-8
# with no raw control byte; the CSV keeps its columns (quote-aware count); the JSON parses
# with jq and its strings decode back to the escaped text; the pcapng export's comments and
# interface names read back through tshark are just as clean. No root needed.
# not-in: vm: decodes files only, never touches the kernel: runs on the host
set -u

fail() { echo "FAIL: $*"; exit 1; }

build=${TCPDROP_BUILD:?TCPDROP_BUILD not set}
rpt=$build/tcpdrop-report
mk=$build/tests/tools/mkhostile
if [ ! -x "$rpt" ] || [ ! -x "$mk" ]; then fail "tcpdrop-report or mkhostile not built in $build"; fi
command -v jq >/dev/null 2>&1 || fail "jq is not installed (make deps installs it)"
command -v iconv >/dev/null 2>&1 || fail "iconv is not installed"

tmp=$(mktemp -d /tmp/tcpdrop-output-safety.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || fail "cd $tmp"
"$mk" hostile.tdrop || fail "mkhostile"
export TZ=UTC
DROPS=14 # the number of hostile strings in mkhostile.c

C0=$(printf '[\001-\010\013-\037\177]') # controls but tab and newline
TAB=$(printf '\t')
C1=$(printf '\302[\200-\237]') # U+0080..U+009F encoded as UTF-8

clean() { # file what [notab]: valid UTF-8 with no raw control characters
	[ -s "$1" ] || fail "$2: empty output"
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || fail "$2: output is not valid UTF-8"
	if LC_ALL=C grep -n "$C0" "$1" >/dev/null; then
		fail "$2: raw control character on line $(LC_ALL=C grep -n "$C0" "$1" | head -1 | cut -d: -f1)"
	fi
	if LC_ALL=C grep -q "$C1" "$1"; then
		fail "$2: raw C1 control character"
	fi
	if [ "${3:-}" = notab ] && grep -q "$TAB" "$1"; then
		fail "$2: raw tab"
	fi
}

# ---- every text view ----
for v in "" "--no-stack" "--time=iso" "--summary=comm,ifname,reason,state,host" \
	"--summary=stack,location,flow" "--info" "--timeline-by-reason" "--timeline=1ms" \
	"--explain" "--explain --time=relative" "--format=json --explain" "--format=csv --explain"; do
	# shellcheck disable=SC2086
	"$rpt" -r hostile.tdrop $v >view.txt 2>err.txt || fail "view '$v': exit $?: $(cat err.txt)"
	clean view.txt "view '$v'"
	[ ! -s err.txt ] || clean err.txt "stderr of view '$v'"
done

# ---- the table: one line per drop, escapes shown, valid UTF-8 passed through ----
"$rpt" -r hostile.tdrop --no-stack >table.txt || fail "table exit $?"
clean table.txt table
n=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' table.txt)
[ "$n" -eq $DROPS ] || fail "table: $n drop lines, want $DROPS (a newline leaked?)"
for want in '\x1b[31mred\x1b[0m' 'a\x09b\x0ac\x0dd\x01\x7f' '\x80\xbf\xc0\xaf\xed\xa0\x80' \
	'ok\xe2\x82' '\xf4\x90\x80\x80' 'c1\xc2\x9b31m\xc2\x85' '\x1b]0;pwned\x07' \
	"$(printf 'caf\303\251\342\202\254')" "$(printf '\360\237\230\200smile')"; do
	grep -qF -- "$want" table.txt || fail "table: no '$want'"
done

# ---- CSV: the header's column count on every row, quotes and commas kept in their field ----
"$rpt" -r hostile.tdrop --format=csv >csv.txt || fail "csv exit $?"
clean csv.txt csv notab
[ "$(wc -l <csv.txt)" -eq $((DROPS + 1)) ] || fail "csv: $(wc -l <csv.txt) lines, want $((DROPS + 1))"
# RFC 4180 on single-line records: split on commas outside double quotes, "" is a quote.
awk '
function split_csv(line, f,    n, i, c, q, cur) {
	n = 0; q = 0; cur = ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"" && substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
			else if (c == "\"") q = 0
			else cur = cur c
		} else if (c == "\"") {
			if (cur != "") { print "stray quote in line " NR; bad = 1 }
			q = 1
		} else if (c == ",") { f[++n] = cur; cur = "" }
		else cur = cur c
	}
	if (q) { print "unterminated quote in line " NR; bad = 1 }
	f[++n] = cur
	return n
}
NR == 1 { cols = split_csv($0, h); for (i = 1; i <= cols; i++) col[h[i]] = i; next }
{
	n = split_csv($0, f)
	if (n != cols) { print "line " NR ": " n " fields, header has " cols; bad = 1 }
	comm[NR - 1] = f[col["comm"]]
}
END {
	if (!("comm" in col) || !("ifname" in col)) { print "no comm/ifname column"; bad = 1 }
	if (comm[3] != "q\"u'"'"'o,t;e\\\\") { print "comm of drop 3 is [" comm[3] "]"; bad = 1 }
	if (comm[1] != "\\x1b[31mred\\x1b[0m") { print "comm of drop 1 is [" comm[1] "]"; bad = 1 }
	exit bad
}' csv.txt || fail "csv does not parse into its columns"

# ---- JSON: jq parses every line; strings decode to the text with escapes as code points ----
"$rpt" -r hostile.tdrop --format=json >json.txt || fail "json exit $?"
clean json.txt json notab
jq -e . json.txt >/dev/null 2>jq.err || fail "json: jq cannot parse it: $(cat jq.err)"
n=$(jq -r 'select(.type == "drop") | .comm' json.txt | wc -l)
[ "$n" -ge $DROPS ] || fail "json: $n drop comm lines, want at least $DROPS"
n=$(jq -c 'select(.type == "drop")' json.txt | wc -l)
[ "$n" -eq $DROPS ] || fail "json: $n drops, want $DROPS"
chk() { # pid jq-expression
	jq -e -s --argjson pid "$1" \
		"map(select(.type == \"drop\" and .pid == \$pid)) | length == 1 and (.[0] | $2)" \
		json.txt >/dev/null || fail "json: drop with pid $1: not ($2): $(jq -c \
		--argjson pid "$1" 'select(.pid == $pid) | {comm, ifname}' json.txt)"
}
chk 101 '.comm == "\u001b[31mred\u001b[0m"'
chk 102 '.comm == "a\tb\nc\rd\u0001\u007f"'
chk 103 '.comm == "q\"u'"'"'o,t;e\\"'
chk 108 '.comm == "caf\u00e9\u20ac"'
chk 109 '.comm == "\ud83d\ude00smile"'
chk 104 '(.comm | length) == 7' # seven bytes, each invalid: seven escapes, none dropped
chk 101 '.ifname | type == "string"'
chk 101 '.host | test("^evil.*host")'
jq -e -s 'map(select(.type == "drop") | .stack | length) | all(. == 3)' json.txt >/dev/null ||
	fail "json: stacks lost frames"

# ---- pcapng: tshark reads every packet; comments and interface names are clean text ----
"$rpt" -r hostile.tdrop -w out.pcapng || fail "-w exit $?"
if command -v tshark >/dev/null 2>&1; then
	tshark -r out.pcapng -T fields -e frame.comment -e frame.interface_name >pcap.txt \
		2>tshark.err || fail "tshark cannot read the export: $(cat tshark.err)"
	[ "$(wc -l <pcap.txt)" -eq $DROPS ] || fail "pcapng: $(wc -l <pcap.txt) packets, want $DROPS"
	clean pcap.txt "pcapng comments"
	grep -qF 'pid/comm: 101/\x1b[31mred\x1b[0m' pcap.txt || fail "pcapng: comm not escaped"
fi

# ---- folded stacks: one "frames COUNT" line per path, the counts add up to the drops ----
for root in reason none netns owner; do
	"$rpt" -r hostile.tdrop --format=folded --folded-root=$root >folded.txt ||
		fail "folded ($root) exit $?"
	clean folded.txt "folded ($root)" notab
	bad=$(grep -cv ' [1-9][0-9]*$' folded.txt)
	[ "$bad" -eq 0 ] || fail "folded ($root): $bad lines without a count"
	n=$(awk '{ s += $NF } END { print s }' folded.txt)
	[ "$n" -eq $DROPS ] || fail "folded ($root): counts add up to $n, want $DROPS"
done
grep -qF 'on-cpu:q"u'"'"'o,t\x3be\\;' folded.txt || fail "folded: ';' in a comm not escaped"

# ---- HTML: only the page's own tags, every hostile string as text, nothing to fetch ----
"$rpt" -r hostile.tdrop --html page.html --ifname '<i>x' || fail "html exit $?"
clean page.html "html"
# The script is the page's own (its '<' are comparisons): leave it out of the tag check.
sed '/^<script>/,/<\/script>$/d' page.html >markup.txt
tags=$(grep -o '<[/!]\{0,1\}[A-Za-z0-9]*' markup.txt | tr -d '</!' | sort -u | tr '\n' ' ')
for t in $tags; do
	case " DOCTYPE html head meta title style body header h1 h2 dl dt dd span code br section p svg line text rect g table thead tbody tr th td div footer " in
	*" $t "*) ;;
	*) fail "html: unexpected tag <$t> (markup from the file?)" ;;
	esac
done
if grep -Eiq '(src|href)=|url\(|https?:|//' page.html; then
	fail "html: something that could fetch: $(grep -Eio '.{20}((src|href)=|url\(|https?:|//).{20}' page.html | head -1)"
fi
grep -q "Content-Security-Policy\" content=\"default-src 'none';" page.html || fail "html: no CSP"
grep -qF '<code>--ifname=&lt;i&gt;x</code>' page.html || fail "html: the filter is not shown escaped"
"$rpt" -r hostile.tdrop --html page.html || fail "html exit $?"
clean page.html "html"
for want in 'q&quot;u&#39;o,t;e\\' '\x1b[31mred\x1b[0m' 'evil\x1b[1mhost\xff' \
	'NO\x1b[5m_SOCKET' 'BAD,&quot;CSV&quot;\x0a\xfe' 'tcp_v4_rcv\x1b[0m' 'evil\xff,&quot;sym'; do
	grep -qF -- "$want" page.html || fail "html: no '$want'"
done
n=$(grep -o 'class="reason" data-reason="[^"]*" data-count="[0-9]*"' page.html |
	sed 's/.*data-count="//; s/"//' | awk '{ s += $1 } END { print s }')
[ "$n" -eq $DROPS ] || fail "html: reasons add up to $n, want $DROPS"

# ---- anonymised: the copy is read like any file, its views are as clean ----
"$rpt" -r hostile.tdrop --anonymize -w anon.tdrop 2>err.txt || fail "--anonymize -w: $(cat err.txt)"
clean err.txt "stderr of --anonymize -w"
for v in "" "--summary=comm,ifname,reason,state,host" "--info" "--explain" "--format=json"; do
	# shellcheck disable=SC2086
	"$rpt" -r anon.tdrop $v >view.txt 2>err.txt || fail "anonymised view '$v': exit $?"
	clean view.txt "anonymised view '$v'"
	# shellcheck disable=SC2086
	"$rpt" -r hostile.tdrop --anonymize --scrub-names $v >view.txt 2>err.txt ||
		fail "--anonymize --scrub-names view '$v': exit $?"
	clean view.txt "--anonymize --scrub-names view '$v'"
	! grep -qF '31mred' view.txt || fail "--scrub-names: a comm is left"
done
[ "$("$rpt" -r anon.tdrop --format=csv | wc -l)" -eq $((DROPS + 1)) ] || fail "anonymised: drops lost"
"$rpt" -r anon.tdrop --info | grep -q '^host: *host-[0-9a-f]*$' || fail "anonymised: host kept"
"$rpt" -r hostile.tdrop --anonymize -w anon.pcapng || fail "--anonymize -w pcapng exit $?"
if command -v tshark >/dev/null 2>&1; then
	tshark -r anon.pcapng -T fields -e frame.comment -e frame.interface_name >pcap.txt \
		2>tshark.err || fail "tshark cannot read the anonymised export: $(cat tshark.err)"
	clean pcap.txt "anonymised pcapng comments"
fi

echo "output_safety: all passed"
exit 0
