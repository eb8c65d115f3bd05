#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# One version string: the Makefile's VERSION is what both programs print with --version,
# what each man page's .TH line names, the newest CHANGELOG.md entry, the debian/changelog
# generated from it, and (when built) the static recorder's and the packages' version.
# Needs no root.
# not-in: vm: compares version strings only: runs on the host
. "$(dirname "$0")/lib.sh"

VERSION=$(make -s --no-print-directory -C "$TCPDROP_TOP" version) || fail "make version"
case "$VERSION" in [0-9]*.[0-9]*.[0-9]*) ;; *) fail "make version says '$VERSION'" ;; esac

for b in "$REC" "$RPT"; do
	[ -x "$b" ] || fail "$b not built (make)"
	got=$("$b" --version 2>&1) || fail "$b --version failed: $got"
	[ "$got" = "$(basename "$b") $VERSION" ] || fail "$b --version says '$got', want '$(basename "$b") $VERSION'"
done

# .TH title section date source manual: the source is "tcpdrop VERSION".
for m in tcpdrop-record.8 tcpdrop-report.8 tcpdrop-file.5; do
	th=$(grep '^\.TH ' "$TCPDROP_TOP/man/$m") || fail "man/$m has no .TH line"
	case "$th" in
	*" \"tcpdrop $VERSION\" "*) ;;
	*) fail "man/$m: '$th' does not name \"tcpdrop $VERSION\"" ;;
	esac
done

top=$(sed -n 's/^## \([^ ]*\) .*/\1/p' "$TCPDROP_TOP/CHANGELOG.md" | head -n 1)
[ "$top" = "$VERSION" ] || fail "newest CHANGELOG.md entry is '$top', want $VERSION"
sh "$TCPDROP_TOP/debian/gen-changelog" "$VERSION" "$TCPDROP_TOP/CHANGELOG.md" >"$T_TMP/changelog" ||
	fail "debian/gen-changelog failed"
first=$(head -n 1 "$T_TMP/changelog")
[ "$first" = "tcpdrop ($VERSION) unstable; urgency=medium" ] || fail "debian/changelog starts '$first'"
# dpkg's own parser accepts it (entries, trailer, date).
v=$(dpkg-parsechangelog -l "$T_TMP/changelog" -S Version 2>"$T_TMP/pc.err") ||
	fail "dpkg-parsechangelog: $(cat "$T_TMP/pc.err")"
[ "$v" = "$VERSION" ] || fail "dpkg-parsechangelog says $v"
[ ! -s "$T_TMP/pc.err" ] || fail "dpkg-parsechangelog warns: $(cat "$T_TMP/pc.err")"
# A CHANGELOG.md that disagrees with the Makefile stops the package build.
sh "$TCPDROP_TOP/debian/gen-changelog" "$VERSION.1" "$TCPDROP_TOP/CHANGELOG.md" >/dev/null 2>&1 &&
	fail "gen-changelog accepted a version CHANGELOG.md does not have"

s=$TCPDROP_BUILD/static/tcpdrop-record
if [ -x "$s" ]; then
	got=$("$s" --version) && [ "$got" = "tcpdrop-record $VERSION" ] || fail "$s --version says '$got'"
fi
for d in "$TCPDROP_BUILD"/deb/tcpdrop-record_*.deb "$TCPDROP_BUILD"/deb/tcpdrop-report_*.deb; do
	[ -f "$d" ] || continue
	v=$(dpkg-deb -f "$d" Version) && [ "$v" = "$VERSION" ] || fail "$d has version '$v', want $VERSION"
done
echo "PASS $T_NAME"
