#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Debian packages from `make deb` install on this machine with apt-get (local files, no
# download), the installed /usr/sbin/tcpdrop-record records real drops in a namespace, the
# installed /usr/bin/tcpdrop-report reads them (from a file and live), man finds the pages,
# and a purge leaves nothing behind. A `make install` in /usr/local is left untouched.
# not-in: san: make deb builds the packages once, without sanitizers, beside the native build
# not-in: vm: installs packages into the root filesystem, which the guest mounts read-only
. "$(dirname "$0")/lib.sh"
require_env synflood

VERSION=$(make -s --no-print-directory -C "$TCPDROP_TOP" version) || fail "make version"
ARCH=$(dpkg --print-architecture)
DEB_REC=$TCPDROP_BUILD/deb/tcpdrop-record_${VERSION}_$ARCH.deb
DEB_RPT=$TCPDROP_BUILD/deb/tcpdrop-report_${VERSION}_$ARCH.deb
[ -f "$DEB_REC" ] && [ -f "$DEB_RPT" ] || skip "$DEB_REC and $DEB_RPT not built (make deb)"
for p in tcpdrop-record tcpdrop-report; do
	case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" in
	*" not-installed" | "") ;;
	*) skip "package $p is already on this machine: not replacing or purging it" ;;
	esac
done

# A `make install` (PREFIX=/usr/local) must survive installing and purging the packages.
LOCAL="/usr/local/sbin/tcpdrop-record /usr/local/bin/tcpdrop-report
/usr/local/share/man/man8/tcpdrop-record.8 /usr/local/share/man/man8/tcpdrop-report.8
/usr/local/share/man/man5/tcpdrop-file.5"
local_sums() {
	for f in $LOCAL; do
		if [ -e "$f" ]; then sha256sum "$f"; else echo "absent $f"; fi
	done
}
local_sums >"$T_TMP/local.before"

export DEBIAN_FRONTEND=noninteractive
APT="apt-get -y -q -o DPkg::Lock::Timeout=300"
# Every dependency must already be here: the simulation installs the two packages, nothing
# else, so the real run downloads nothing. (--no-download trips apt 2.6 on local .deb files.)
# shellcheck disable=SC2086
$APT -s install --no-install-recommends "$DEB_REC" "$DEB_RPT" >"$T_TMP/sim" 2>&1 ||
	fail "apt-get -s install: $(tail -n 15 "$T_TMP/sim")"
inst=$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$T_TMP/sim" | sort | tr '\n' ' ')
[ "$inst" = "tcpdrop-record tcpdrop-report " ] ||
	fail "installing would also fetch: $inst(run make deps first)"
at_exit "$APT purge tcpdrop-record tcpdrop-report"
# shellcheck disable=SC2086
$APT install --no-install-recommends "$DEB_REC" "$DEB_RPT" >"$T_TMP/install.log" 2>&1 ||
	fail "apt-get install: $(tail -n 15 "$T_TMP/install.log")"
for p in tcpdrop-record tcpdrop-report; do
	st=$(dpkg-query -W -f='${Status} ${Version}' "$p")
	[ "$st" = "install ok installed $VERSION" ] || fail "$p: dpkg says '$st'"
done
dpkg -L tcpdrop-record tcpdrop-report | sort -u >"$T_TMP/files"
for f in /usr/sbin/tcpdrop-record /usr/bin/tcpdrop-report /usr/share/man/man8/tcpdrop-record.8.gz \
	/usr/share/man/man8/tcpdrop-report.8.gz /usr/share/man/man5/tcpdrop-file.5.gz \
	/usr/share/doc/tcpdrop-record/copyright /usr/share/doc/tcpdrop-report/changelog.gz; do
	grep -qx "$f" "$T_TMP/files" || fail "$f is not in the packages"
	[ -f "$f" ] || fail "$f listed but not installed"
done
grep -q '^/usr/local' "$T_TMP/files" && fail "the packages ship files under /usr/local"
for b in /usr/sbin/tcpdrop-record /usr/bin/tcpdrop-report; do
	ldd "$b" >"$T_TMP/ldd" 2>&1 || fail "ldd $b: $(cat "$T_TMP/ldd")"
	grep -q 'not found' "$T_TMP/ldd" && fail "$b misses libraries: $(cat "$T_TMP/ldd")"
	[ "$("$b" --version)" = "$(basename "$b") $VERSION" ] || fail "$b --version: $("$b" --version)"
done
# MANPATH: a `make install` in /usr/local comes first in man's search, as in PATH.
if command -v man >/dev/null; then
	for m in 8/tcpdrop-record 8/tcpdrop-report 5/tcpdrop-file; do
		w=$(MANPATH=/usr/share/man man -w "${m%/*}" "${m#*/}" 2>/dev/null)
		[ "$w" = "/usr/share/man/man${m%/*}/${m#*/}.${m%/*}.gz" ] || fail "man -w $m finds '$w'"
	done
fi
log "installed: $(dpkg-query -W -f='${Package} ${Version} ${Installed-Size}K, ' tcpdrop-record tcpdrop-report)"

N=100
ns_new A a
ns_new B b
veth_pair "$A" "$B" 45
INO=$(ns_inode "$B")
IF=vb${T_TAG}45
IFINDEX=$(ip netns exec "$B" cat "/sys/class/net/$IF/ifindex")
flood() { # sport base, seq base
	s=$(ip netns exec "$A" "$TOOLS/synflood" -s 10.45.0.1 -d 10.45.0.2 -p 9 -P "$1" -S 1000 -q "$2" -n $N) ||
		fail "synflood"
	[ "$s" = $N ] || fail "synflood sent $s of $N"
}

# To a file, read back by the installed reader (and, field by field, by tdfdump).
REC=/usr/sbin/tcpdrop-record
rec_start -w "$T_TMP/t.tdrop" --netns "$INO"
flood 45000 5000000
rec_stop
[ "$REC_RC" = 0 ] || fail "installed recorder exit status $REC_RC: $(cat "$REC_ERR")"
dump "$T_TMP/t.tdrop" "$T_TMP/d"
grep "^drop .* dport=9 " "$T_TMP/d" >"$T_TMP/f"
expect_seqs "$T_TMP/f" 5000000 $N
expect_synflood "$T_TMP/f" 5000000 45000 9 40 reason=NO_SOCKET flags=0x02 saddr=10.45.0.1 \
	daddr=10.45.0.2 "netns=$INO" "ifindex=$IFINDEX" "ifname=$IF" state_name=none
grep -q "^meta key=tool_version value=$VERSION\$" "$T_TMP/d" || fail "file's tool_version is not $VERSION"
grep -q '^meta key=cmdline value=/usr/sbin/tcpdrop-record' "$T_TMP/d" || fail "cmdline is not the installed recorder"

/usr/bin/tcpdrop-report -r "$T_TMP/t.tdrop" --format=csv --no-stack >"$T_TMP/csv" 2>"$T_TMP/csv.err" ||
	fail "installed tcpdrop-report: $(cat "$T_TMP/csv.err")"
got=$(awk -F, -v ino="$INO" -v ifn="$IF" '$1 == "drop" && $10 == "10.45.0.1" && $12 == "10.45.0.2" &&
	$13 == 9 && $14 == "SYN" && $19 == "NO_SOCKET" && $22 == ino && $24 == ifn &&
	$11 == 45000 + $15 - 5000000' "$T_TMP/csv" | wc -l)
[ "$got" -eq $N ] || fail "installed report shows $got of $N SYNs as expected: $(sed -n 2p "$T_TMP/csv")"
/usr/bin/tcpdrop-report -r "$T_TMP/t.tdrop" --summary reason >"$T_TMP/sum" || fail "--summary reason"
grep -Eq "^ +$N +100\.0% +NO_SOCKET +no socket matched" "$T_TMP/sum" || fail "summary: $(cat "$T_TMP/sum")"
/usr/bin/tcpdrop-report -r "$T_TMP/t.tdrop" >"$T_TMP/table" || fail "table view"
grep -q 'tcp_v4_rcv+0x' "$T_TMP/table" || fail "no symbolised tcp_v4_rcv frame in the table"
log "file: $N SYNs sent, $N NO_SOCKET drops recorded and read by the installed programs"

# Live: without -w the installed recorder shows drops through the installed reader. PATH is
# the system's alone, so a tcpdrop-report in /usr/local cannot stand in for the packaged one.
cat >"$T_TMP/live.sh" <<EOF
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin exec /usr/sbin/tcpdrop-record "\$@" >"$T_TMP/live.out"
EOF
chmod +x "$T_TMP/live.sh"
REC=$T_TMP/live.sh
rec_start --netns "$INO" --no-stack
flood 46000 6000000
sleep 0.5
rec_stop
[ "$REC_RC" = 0 ] || fail "live recorder exit status $REC_RC: $(cat "$REC_ERR")"
got=$(grep -c "10\.45\.0\.1:46[0-9]* .*10\.45\.0\.2:9 .* SYN .*NO_SOCKET" "$T_TMP/live.out")
[ "$got" -eq $N ] || fail "live view shows $got of $N SYNs: $(head -n 3 "$T_TMP/live.out")"
log "live: $N drops shown by /usr/bin/tcpdrop-report"

# Purge: no package state, no file left, /usr/local as it was.
# shellcheck disable=SC2086
$APT purge tcpdrop-record tcpdrop-report >"$T_TMP/purge.log" 2>&1 ||
	fail "apt-get purge: $(tail -n 15 "$T_TMP/purge.log")"
for p in tcpdrop-record tcpdrop-report; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in "" | *" not-installed") ;; *) fail "$p after purge: '$st'" ;; esac
	[ -z "$(dpkg -L "$p" 2>/dev/null)" ] || fail "dpkg -L $p still lists files"
done
while IFS= read -r f; do
	[ -f "$f" ] && fail "$f is still there after the purge"
	case "$f" in /usr/share/doc/tcpdrop-*) [ -e "$f" ] && fail "$f is still there after the purge" ;; esac
done <"$T_TMP/files"
local_sums >"$T_TMP/local.after"
cmp -s "$T_TMP/local.before" "$T_TMP/local.after" ||
	fail "/usr/local changed: $(diff "$T_TMP/local.before" "$T_TMP/local.after")"
echo "PASS $T_NAME"
