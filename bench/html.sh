#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The HTML report's size and speed on a large synthetic recording (bench/gen), and how long
# headless Chromium takes to load and render it (against an empty page: the browser's own
# start-up). A benchmark, not a test: it prints numbers and checks nothing.
# Usage: bench/html.sh [BUILD] [DROPS]   (make BUILD/tcpdrop-report BUILD/bench/gen first)
set -eu

build=${1:-build}
drops=${2:-1000000}
rpt=$build/tcpdrop-report
gen=$build/bench/gen
[ -x "$rpt" ] && [ -x "$gen" ] || { echo "html.sh: build $rpt and $gen first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/tcpdrop-bench-html.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$gen" -n "$drops" -o "$tmp/big.tdrop" >/dev/null

# best command...: "WALL CPU" seconds, each the least of three runs (CPU = user + system,
# which a loaded machine disturbs less than the wall clock).
best() {
	b=
	for _ in 1 2 3; do
		/usr/bin/time -o "$tmp/time" -f '%e %U %S' "$@" >/dev/null 2>&1
		r=$(tail -n 1 "$tmp/time")
		b=$(echo "$r ${b:-999999 999999}" |
			awk '{ c = $2 + $3; print ($1 < $4 ? $1 : $4), (c < $5 ? c : $5) }')
	done
	echo "$b"
}
rate() { # label "WALL CPU"
	echo "$2 $drops" | awk -v l="$1" '{ printf "%-17s %.3f s wall (%.0f drops/s), %.3f s CPU (%.0f drops/s)\n", l, $1, $3 / $1, $2, $3 / $2 }'
}

t_html=$(best "$rpt" -r "$tmp/big.tdrop" --html "$tmp/big.html")
t_fold=$(best "$rpt" -r "$tmp/big.tdrop" --format=folded)
t_sum=$(best "$rpt" -r "$tmp/big.tdrop" --summary reason)
/usr/bin/time -o "$tmp/time" -f %M "$rpt" -r "$tmp/big.tdrop" --html "$tmp/big.html"
rss=$(tail -n 1 "$tmp/time")
size=$(wc -c <"$tmp/big.html")
boxes=$(grep -o '<g class="f"' "$tmp/big.html" | wc -l)
echo "drops: $drops ($(wc -c <"$tmp/big.tdrop") bytes of trace), load average $(cut -d' ' -f1 /proc/loadavg)"
rate "--html" "$t_html"
rate "--format=folded" "$t_fold"
rate "--summary reason" "$t_sum"
echo "page: $size bytes ($(echo "$size" | awk '{ printf "%.2f", $1 / 1048576 }') MiB), $boxes flame boxes, peak RSS ${rss} KB"

if command -v chromium >/dev/null 2>&1; then
	printf '<!DOCTYPE html>\n<title>empty</title>\n' >"$tmp/empty.html"
	set -- chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update \
		--window-size=1200,1900 --screenshot="$tmp/shot.png"
	t_empty=$(best "$@" "file://$tmp/empty.html")
	t_page=$(best "$@" "file://$tmp/big.html")
	echo "$t_page $t_empty" | awk '{ printf "chromium start+load+render+screenshot: %.2f s wall (an empty page: %.2f s)\n", $1, $3 }'
	# The page's own time, from navigation start to "load" with the layout done, measured
	# by the browser in a copy whose policy lets one more inline script report it.
	sed "s/script-src 'sha256-[^']*'/script-src 'unsafe-inline'/; s|</body>|<script>addEventListener('load', function () { void document.body.offsetHeight; document.title = 'rendered-in ' + performance.now().toFixed(0) + ' ms'; });</script></body>|" \
		"$tmp/big.html" >"$tmp/timed.html"
	for _ in 1 2 3; do
		chromium --headless --no-sandbox --disable-gpu --no-first-run \
			--disable-background-networking --dump-dom "file://$tmp/timed.html" 2>/dev/null |
			grep -o 'rendered-in [0-9]* ms'
	done | sort -k2 -n | head -n 1 | sed 's/^/page in chromium: /'
fi
