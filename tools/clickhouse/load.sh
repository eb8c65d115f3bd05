#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Load tcpdrop trace files of any number of hosts into ClickHouse (tables of schema.sql):
# each file through `tcpdrop-report --format=json` (JSONEachRow), its drops into DB.drops and
# its lost spans into DB.lost, as the host its metadata names or the one given with --host.
#
#   tools/clickhouse/load.sh [--database DB] [--host NAME] FILE... [--host NAME FILE...]...
#
# --host NAME applies to the files after it (until the next --host; --host '' goes back to
# the files' own names): two recordings made on one machine load as two hosts. FILE may be
# - (standard input). Environment: CLICKHOUSE_CLIENT, the client command (default
# clickhouse-client; e.g. "clickhouse-client --host ch1 --port 9000 --user loader");
# TCPDROP_REPORT, the tcpdrop-report to use (default: the one on PATH).
# One line per file on standard error; exit status 0, 1 when a file or an insert failed (the
# files before it stay loaded), 2 for a usage error.
set -u

prog=load.sh
db=tcpdrop host=
client=${CLICKHOUSE_CLIENT:-clickhouse-client}
report=${TCPDROP_REPORT:-tcpdrop-report}

usage() {
	echo "usage: $prog [--database DB] [--host NAME] FILE... [--host NAME FILE...]..." >&2
	exit 2
}

# a host name goes into the JSON text as it is: only characters that need no escaping there
check_name() {
	case "$2" in
	*[!A-Za-z0-9._:-]*) echo "$prog: $1: '$2': only letters, digits and . _ : - allowed" >&2; exit 2 ;;
	esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpdrop-load.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# split: drop lines to stdout, lost lines to the file lost, their number to the file count;
# with host set, the value of the first "host" key (escapes honoured) becomes host. One awk
# pass streams: a million drops are ~600 MB of JSON, never on disk.
# shellcheck disable=SC2016
split='
function sethost(line,   i, j, c) {
	if (host == "")
		return line
	i = index(line, ",\"host\":\"")
	if (!i)
		return line
	for (j = i + 9; (c = substr(line, j, 1)) != "\"" && c != ""; j++)
		if (c == "\\")
			j++
	return substr(line, 1, i + 8) host substr(line, j)
}
/^\{"type":"drop",/ { print sethost($0); n++; next }
/^\{"type":"lost",/ { print sethost($0) > lost }
END { print n + 0 > count }
'

# insert TABLE: JSONEachRow lines from standard input into DB.TABLE
insert() {
	# blocks of 100,000 rows: the default (1,048,576) of these rows needs more than 2 GB of
	# server memory to parse (measured on 18.16 with 20-frame stacks)
	# shellcheck disable=SC2086
	$client --database "$db" --input_format_skip_unknown_fields=1 \
		--max_insert_block_size=100000 --query "INSERT INTO $1 FORMAT JSONEachRow"
}

# load FILE: decode, set the host, insert; one line on stderr
load() {
	rm -f "$tmp/rc"
	: >"$tmp/lost.json"
	echo 0 >"$tmp/n"
	{ "$report" -r "$1" --format=json 2>"$tmp/err" || echo $? >"$tmp/rc"; } |
		awk -v host="$host" -v lost="$tmp/lost.json" -v count="$tmp/n" "$split" |
		insert drops 2>"$tmp/cerr"
	st=$?
	n=$(cat "$tmp/n")
	if [ -e "$tmp/rc" ]; then
		echo "$prog: $1: $(tail -n 1 "$tmp/err")" >&2
		return 1
	fi
	# an INSERT of nothing is an error to the client ("No data to insert"), not to us
	if [ "$st" -ne 0 ] && [ "$n" -gt 0 ]; then
		echo "$prog: $1: inserting the drops failed: $(head -n 1 "$tmp/cerr")" >&2
		return 1
	fi
	if [ -s "$tmp/lost.json" ] && ! insert lost <"$tmp/lost.json" 2>"$tmp/cerr"; then
		echo "$prog: $1: inserting the lost spans failed: $(head -n 1 "$tmp/cerr")" >&2
		return 1
	fi
	echo "$prog: $1: $n drops, $(wc -l <"$tmp/lost.json") lost spans into $db${host:+ as host $host}" >&2
}

files=0 status=0
while [ $# -gt 0 ]; do
	case "$1" in
	--host) [ $# -ge 2 ] || usage; check_name --host "$2"; host=$2; shift 2 ;;
	--host=*) check_name --host "${1#*=}"; host=${1#*=}; shift ;;
	--database) [ $# -ge 2 ] || usage; check_name --database "$2"; db=$2; shift 2 ;;
	--database=*) check_name --database "${1#*=}"; db=${1#*=}; shift ;;
	--) shift; [ $# -gt 0 ] || usage; for f in "$@"; do load "$f" || status=1; files=$((files + 1)); done; break ;;
	-?*) echo "$prog: $1: unknown option" >&2; usage ;;
	*) load "$1" || status=1; files=$((files + 1)); shift ;;
	esac
done
[ "$files" -gt 0 ] || usage
exit "$status"
