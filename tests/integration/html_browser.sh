#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The HTML report in a real browser: real drops from tools/demo.sh, the page loaded from disk
# by headless Chromium. From the DOM Chromium built: the counts per reason equal
# --summary reason, the flame graph has one box per distinct frame path of --format=folded
# (whose counts add up to the drops), the page's own script ran and the graph is complete
# without it. The page declares a Content-Security-Policy that forbids every fetch, and
# Chromium's net log shows that it fetched nothing; a canary page shows that the net log
# check sees a fetch, and the page with markup injected shows that the policy blocks it.
# Writes a screenshot (kept at $TCPDROP_HTML_SCREENSHOT when set). Root (the demo's drops).
# not-in: vm: decodes files only, never touches the kernel: runs on the host
. "$TCPDROP_TOP/tests/integration/lib.sh"

require_env synflood tapinject
command -v chromium >/dev/null 2>&1 || fail "chromium is not installed (make deps installs it)"
command -v jq >/dev/null 2>&1 || fail "jq is not installed (make deps installs it)"
cd "$T_TMP" || fail "cd $T_TMP"

TCPDROP_DEMO_DIR=$T_TMP sh "$TCPDROP_TOP/tools/demo.sh" "$TCPDROP_BUILD" >demo.log 2>&1 ||
	fail "tools/demo.sh: $(tail -n 5 demo.log)"
# The demo's namespaces, from its own tools' drops: other drops on this host stay out.
ONLY=$("$RPT" -r demo.tdrop --summary netns --comm synflood --comm tapinject |
	awk '$3 ~ /^[0-9]+$/ { printf "--netns=%s ", $3 }')
[ -n "$ONLY" ] || fail "no drops of the demo's tools in demo.tdrop"

# shellcheck disable=SC2086
"$RPT" -r demo.tdrop $ONLY --html page.html || fail "--html exit $?"
# shellcheck disable=SC2086
"$RPT" -r demo.tdrop $ONLY --summary reason >summary.txt || fail "--summary reason exit $?"
# shellcheck disable=SC2086
"$RPT" -r demo.tdrop $ONLY --format=folded >folded.txt || fail "--format=folded exit $?"
drops=$(awk '$3 == "(total)" { print $1 }' summary.txt)
[ "${drops:-0}" -ge 10 ] || fail "only ${drops:-0} demo drops"

# ---- the folded stacks add up to the drops ----
n=$(awk '{ s += $NF } END { print s }' folded.txt)
[ "$n" = "$drops" ] || fail "folded counts add up to $n, --summary reason says $drops"

# ---- nothing in the page can fetch, and it says so to the browser ----
if grep -Eiq '(src|href)=|url\(|https?:|//' page.html; then
	fail "page.html holds a URL: $(grep -Eio '.{20}((src|href)=|url\(|https?:|//).{20}' page.html | head -1)"
fi
grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" \
	page.html || fail "page.html declares no Content-Security-Policy forbidding fetches"

# chrome URL [flags...]: headless Chromium on a file, its net log in $1.netlog. Background
# networking off, every name unresolvable and a proxy to nowhere: nothing can leave the host.
chrome() {
	page=$1
	shift
	timeout $((60 * SLOW)) chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-extensions --disable-default-apps "--host-resolver-rules=MAP * ~NOTFOUND" \
		--proxy-server=127.0.0.1:9 --log-net-log="$T_TMP/$page.netlog" "$@" \
		"file://$T_TMP/$page" 2>>chrome.err
}
# fetched PAGE: the URLs a page loaded from a file asked the network for (the browser's own
# background requests have no file:// isolation key and are not counted).
fetched() {
	jq -r '.constants.logEventTypes.URL_REQUEST_START_JOB as $t | .events[] |
		select(.type == $t and (.params.network_isolation_key // "" | startswith("file:")))
		| .params.url | select(startswith("file:") | not)' "$1.netlog"
}

chrome page.html --dump-dom >dom.html || fail "chromium --dump-dom exit $?: $(tail -n 3 chrome.err)"
[ -s dom.html ] || fail "chromium dumped no DOM"
[ -z "$(fetched page.html)" ] || fail "the page fetched: $(fetched page.html | head -3)"

# The net log check can fail: a page with one image from the network is seen fetching it.
printf '<!DOCTYPE html>\n<img src="http://tcpdrop-canary.invalid/x.png">\n' >canary.html
chrome canary.html --dump-dom >/dev/null || fail "chromium (canary) exit $?"
fetched canary.html | grep -q '^http://tcpdrop-canary.invalid/x.png$' ||
	fail "the net log check does not see a canary's fetch"
# Markup injected into the page is stopped by its policy: no fetch, no foreign script.
sed 's|^<body>$|<body><img src="http://tcpdrop-csp.invalid/x.png"><script>document.title="INJECTED"</script>|' \
	page.html >injected.html
grep -q tcpdrop-csp injected.html || fail "could not inject into a copy of the page"
chrome injected.html --dump-dom >injected.dom || fail "chromium (injected) exit $?"
[ -z "$(fetched injected.html)" ] || fail "the policy let a fetch through: $(fetched injected.html)"
grep -q '<title>INJECTED' injected.dom && fail "the policy let an injected script run"
grep -q '<html lang="en" class="js">' injected.dom || fail "the page's own script did not run (injected copy)"

# ---- the page's own script ran (its hash matches the policy): zoom and search are there ----
grep -q '<html lang="en" class="js">' dom.html ||
	fail "the page's script did not run: its sha256 and the policy's differ? $(grep -i 'refused\|content security' chrome.err | head -2)"
grep -q '<input type="search"' dom.html || fail "no search box"

# ---- counts per reason: the DOM's table equals --summary reason ----
grep -o '<tr class="reason" data-reason="[^"]*" data-count="[0-9]*"' dom.html |
	sed 's/.*data-reason="\([^"]*\)" data-count="\([0-9]*\)"/\1 \2/' | sort >dom-reasons.txt
awk 'NR > 1 && $2 ~ /%$/ && $3 !~ /^\(/ { print $3, $1 }' summary.txt | sort >summary-reasons.txt
[ -s dom-reasons.txt ] || fail "no reason rows in the DOM"
cmp -s dom-reasons.txt summary-reasons.txt ||
	fail "reasons differ: DOM [$(tr '\n' ' ' <dom-reasons.txt)] summary [$(tr '\n' ' ' <summary-reasons.txt)]"
n=$(sed -n 's/.*id="drops" data-count="\([0-9]*\)".*/\1/p' dom.html)
[ "$n" = "$drops" ] || fail "the header says $n drops, --summary reason $drops"

# ---- the flame graph: one box per distinct frame path, plus the box of all drops ----
want=$(awk '{
	sub(/ [0-9]+$/, "")
	n = split($0, f, ";"); p = ""
	for (i = 1; i <= n; i++) { p = (i > 1 ? p ";" : "") f[i]; seen[p] = 1 }
} END { k = 0; for (p in seen) k++; print k + 1 }' folded.txt)
got=$(grep -o '<g class="f"' dom.html | wc -l)
[ "$got" -eq "$want" ] || fail "flame graph: $got boxes, --format=folded has $want frame paths (+1)"
# Without its script the graph is all there (the script only zooms and searches). The
# copy's policy allows no script at all (--dump-dom itself needs scripting left on).
sed "s/script-src 'sha256-[^']*'/script-src 'none'/" page.html >noscript.html
chrome noscript.html --dump-dom >noscript.dom || fail "chromium (no script) exit $?"
grep -q 'class="js"' noscript.dom && fail "the script ran despite script-src 'none'"
grep -q '<input type="search"' noscript.dom && fail "a search box without the script"
got=$(grep -o '<g class="f"' noscript.dom | wc -l)
[ "$got" -eq "$want" ] || fail "flame graph without script: $got boxes, want $want"

# ---- a screenshot ----
chrome page.html --hide-scrollbars --window-size=1200,1900 --screenshot="$T_TMP/page.png" \
	>/dev/null || fail "chromium --screenshot exit $?"
[ "$(head -c 8 page.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "no PNG"
size=$(wc -c <page.png)
[ "$size" -gt 20000 ] || fail "screenshot of $size bytes: an empty page?"
if [ -n "${TCPDROP_HTML_SCREENSHOT:-}" ]; then
	cp page.png "$TCPDROP_HTML_SCREENSHOT" || fail "cp page.png $TCPDROP_HTML_SCREENSHOT"
	cp page.html "${TCPDROP_HTML_SCREENSHOT%.png}.html" || fail "cp page.html"
fi
echo "html_browser: $drops drops, $want boxes, screenshot $size bytes: all passed"
