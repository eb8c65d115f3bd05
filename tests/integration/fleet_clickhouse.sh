#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tools/clickhouse against the real server (Debian's clickhouse-server 18.16, its own config
# and data directory, loopback ports picked here): schema.sql loads; two recordings of real
# drops in two namespaces load as two hosts (load.sh --host); GROUP BY reason equals
# `tcpdrop-report --summary reason` on the merged files, per host too; every drop's ts_ns (to
# the nanosecond), its DateTime and its stack come back exactly as tcpdrop-report's JSON has
# them; distributed.sql's tables (a one-shard cluster here) take a load and name the same
# columns. Prints the compressed bytes per drop and the rows/s loaded; with
# TCPDROP_FLEET_DROPS=N (default 300) each host's flood is N SYNs: the README's measurement.
# not-in: vm: the report's JSON and a server, not the kernel's: runs on the host
. "$(dirname "$0")/lib.sh"
require_env synflood "$RPT"
SERVER=$(command -v clickhouse-server) || skip "clickhouse-server not installed (make deps)"
command -v clickhouse-client >/dev/null || skip "clickhouse-client not installed (make deps)"
command -v nft >/dev/null || fail "nft (nftables) missing (make deps)"
CH=$TCPDROP_TOP/tools/clickhouse

N=${TCPDROP_FLEET_DROPS:-300}
ns_new A a
ns_new B b
ns_new C c
veth_pair "$A" "$B" 72
veth_pair "$A" "$C" 73
INO_B=$(ns_inode "$B")
INO_C=$(ns_inode "$C")
# host 2 also drops by rule: another reason, another count
ip netns exec "$C" nft -f - <<EOF || fail "nft"
table inet tdfleet {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 7777 drop
	}
}
EOF

free_port() {
	for _p in $(shuf -i 20000-30000 -n 50); do
		ss -Htln "sport = :$_p" | grep -q . || { echo "$_p"; return 0; }
	done
	fail "no free port"
}

# --- the server: loopback only, everything under $T_TMP/ch, UTC ---
CHD=$T_TMP/ch
mkdir -p "$CHD/data" "$CHD/tmp" "$CHD/user_files"
TCP_PORT=$(free_port)
HTTP_PORT=$(free_port)
[ "$HTTP_PORT" != "$TCP_PORT" ] || HTTP_PORT=$((TCP_PORT + 1))
cat >"$CHD/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CHD/server.log</log><errorlog>$CHD/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$TCP_PORT</tcp_port>
  <http_port>$HTTP_PORT</http_port>
  <path>$CHD/data/</path>
  <tmp_path>$CHD/tmp/</tmp_path>
  <user_files_path>$CHD/user_files/</user_files_path>
  <users_config>$CHD/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mlock_executable>false</mlock_executable>
  <remote_servers><fleet><shard><replica><host>127.0.0.1</host><port>$TCP_PORT</port></replica></shard></fleet></remote_servers>
</yandex>
EOF
cat >"$CHD/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
"$SERVER" --config-file="$CHD/config.xml" >"$CHD/stdout" 2>&1 &
CH_PID=$!
at_exit "kill $CH_PID; sleep 1; kill -KILL $CH_PID"
q() { clickhouse-client --port "$TCP_PORT" --query "$@"; }
wait_until 30 q 'SELECT 1' >/dev/null 2>&1 ||
	fail "clickhouse-server not ready on port $TCP_PORT: $(tail -n 5 "$CHD/error.log" "$CHD/stdout" 2>/dev/null)"
log "clickhouse-server $(q 'SELECT version()') on 127.0.0.1:$TCP_PORT"
clickhouse-client --port "$TCP_PORT" --multiquery <"$CH/schema.sql" || fail "schema.sql"

# --- two recordings at once, one per namespace: two hosts ---
"$REC" -q -w "$T_TMP/h1.tdrop" --netns "$INO_B" 2>"$T_TMP/h1.err" &
P1=$!
at_exit "kill -KILL $P1"
REC_PID=$P1
wait_until 30 _rec_ready || fail "recorder 1 not ready: $(cat "$T_TMP/h1.err")"
rec_start -w "$T_TMP/h2.tdrop" --netns "$INO_C"
P2=$REC_PID
ip netns exec "$A" "$TOOLS/synflood" -s 10.72.0.1 -d 10.72.0.2 -p 9 -P 40000 -S 1000 -n "$N" >/dev/null &&
	ip netns exec "$A" "$TOOLS/synflood" -6 -s fd72::1 -d fd72::2 -p 9 -P 40000 -S 1000 -n "$N" >/dev/null &&
	ip netns exec "$A" "$TOOLS/synflood" -s 10.73.0.1 -d 10.73.0.2 -p 9 -P 41000 -S 1000 -n $((N / 3)) >/dev/null &&
	ip netns exec "$A" "$TOOLS/synflood" -s 10.73.0.1 -d 10.73.0.2 -p 7777 -P 42000 -S 1000 -n $((N / 2)) >/dev/null ||
	fail "synflood"
sleep 0.3
for p in $P1 $P2; do
	REC_PID=$p
	rec_stop
	[ "$REC_RC" = 0 ] || fail "recorder $p: exit status $REC_RC"
done

# --- load: the two files as two hosts ---
t0=$(date +%s%N)
CLICKHOUSE_CLIENT="clickhouse-client --port $TCP_PORT" TCPDROP_REPORT=$RPT \
	sh "$CH/load.sh" --host host-1 "$T_TMP/h1.tdrop" --host host-2 "$T_TMP/h2.tdrop" 2>"$T_TMP/load.err" ||
	fail "load.sh: $(cat "$T_TMP/load.err")"
ns=$(($(date +%s%N) - t0))
rows=$(q 'SELECT count() FROM tcpdrop.drops')
log "$(tr '\n' ';' <"$T_TMP/load.err")"

# --- GROUP BY reason = --summary reason of the merged files; per host, per file ---
summary() { "$RPT" "$@" --summary reason | awk '$3 != "(total)" && $1 ~ /^[0-9]+$/ { print $3 "\t" $1 }' | sort; }
summary -r "$T_TMP/h1.tdrop" -r "$T_TMP/h2.tdrop" >"$T_TMP/want"
q 'SELECT reason, count() FROM tcpdrop.drops GROUP BY reason ORDER BY reason' | sort >"$T_TMP/got"
[ -s "$T_TMP/want" ] && cmp -s "$T_TMP/want" "$T_TMP/got" ||
	fail "GROUP BY reason differs from --summary reason: $(diff "$T_TMP/want" "$T_TMP/got" | tr '\n' ' ')"
grep -q "^NO_SOCKET	$((2 * N + N / 3))$" "$T_TMP/got" && grep -q "^NETFILTER_DROP	$((N / 2))$" "$T_TMP/got" ||
	fail "want $((2 * N + N / 3)) NO_SOCKET and $((N / 2)) NETFILTER_DROP: $(tr '\n' ' ' <"$T_TMP/got")"
for h in 1 2; do
	summary -r "$T_TMP/h$h.tdrop" >"$T_TMP/want$h"
	q "SELECT reason, count() FROM tcpdrop.drops WHERE host = 'host-$h' GROUP BY reason" | sort >"$T_TMP/got$h"
	cmp -s "$T_TMP/want$h" "$T_TMP/got$h" || fail "host-$h: $(diff "$T_TMP/want$h" "$T_TMP/got$h" | tr '\n' ' ')"
done
log "GROUP BY reason = --summary reason: $(tr '\n' ' ' <"$T_TMP/got")(and per host)"

# --- every drop's nanoseconds, DateTime and stack round-trip exactly ---
# from the JSON text itself (jq would round ts_ns to a double): ts_ns, time, stack
for h in 1 2; do
	"$RPT" -r "$T_TMP/h$h.tdrop" --format=json |
		sed -n 's/^{"type":"drop","time":"\([^".]*\)\.[0-9]*Z","ts_ns":\([0-9]*\),.*"stack":\[\(.*\)\]}$/\2 \1 \3/p' |
		sed 's/T/ /' | sort >"$T_TMP/rt-want$h"
	q "SELECT ts_ns, toString(ts), arrayStringConcat(arrayMap(x -> concat('\"', x, '\"'), stack), ',')
	   FROM tcpdrop.drops WHERE host = 'host-$h' FORMAT TSVRaw" | tr '\t' ' ' | sort >"$T_TMP/rt-got$h"
	[ "$(wc -l <"$T_TMP/rt-want$h")" -gt 0 ] && cmp -s "$T_TMP/rt-want$h" "$T_TMP/rt-got$h" ||
		fail "host-$h: ts_ns/time/stack differ: $(diff "$T_TMP/rt-want$h" "$T_TMP/rt-got$h" | head -n 4)"
done
grep -q '"tcp_v4_rcv+0x[0-9a-f]*"' "$T_TMP/rt-got1" && grep -q '"tcp_v6_rcv+0x[0-9a-f]*"' "$T_TMP/rt-got1" &&
	grep -q '"nf_hook_slow+0x[0-9a-f]*"' "$T_TMP/rt-got2" || fail "stacks without the expected frames"
log "ts_ns, DateTime and stack of all $rows drops round-trip exactly"

# --- the figures: compressed bytes per drop, rows/s loaded ---
q 'OPTIMIZE TABLE tcpdrop.drops FINAL'
q "SELECT sum(rows), sum(data_compressed_bytes), sum(data_uncompressed_bytes) FROM system.parts
   WHERE database = 'tcpdrop' AND table = 'drops' AND active" >"$T_TMP/parts"
read -r prows comp uncomp <"$T_TMP/parts"
[ "$prows" = "$rows" ] || fail "system.parts counts $prows rows, count() $rows"
tdrop=$(($(stat -c %s "$T_TMP/h1.tdrop") + $(stat -c %s "$T_TMP/h2.tdrop")))
log "measured: $rows drops, ClickHouse $((comp / rows)) bytes/drop compressed ($((uncomp / rows)) uncompressed," \
	"trace files $((tdrop / rows))), loaded at $((rows * 1000000000 / ns)) rows/s (load.sh, decode included)"

# --- distributed.sql: the same columns; a load through it reaches the shard ---
clickhouse-client --port "$TCP_PORT" --multiquery <"$CH/distributed.sql" || fail "distributed.sql"
cols() { q "SELECT name, type FROM system.columns WHERE database = '$1' ORDER BY table, name"; }
[ "$(cols tcpdrop)" = "$(cols tcpdrop_all)" ] ||
	fail "distributed.sql and schema.sql differ: $(cols tcpdrop | md5sum) / $(cols tcpdrop_all | md5sum)"
CLICKHOUSE_CLIENT="clickhouse-client --port $TCP_PORT" TCPDROP_REPORT=$RPT \
	sh "$CH/load.sh" --database tcpdrop_all --host host-3 "$T_TMP/h2.tdrop" 2>"$T_TMP/load.err" ||
	fail "load.sh --database tcpdrop_all: $(cat "$T_TMP/load.err")"
n2=$(q "SELECT count() FROM tcpdrop.drops WHERE host = 'host-2'")
shard_has() { [ "$(q "SELECT count() FROM tcpdrop.drops WHERE host = 'host-3'")" = "$n2" ]; }
wait_until 20 shard_has || fail "the Distributed insert did not reach the shard"
[ "$(q "SELECT count() FROM tcpdrop_all.drops WHERE host = 'host-3' AND ts > toDateTime('2000-01-01 00:00:00')")" = "$n2" ] ||
	fail "tcpdrop_all.drops (ts through the ALIAS) does not count host-3's $n2 drops"
log "distributed.sql: same columns, $n2 drops loaded through tcpdrop_all reached the shard"
echo "PASS $T_NAME"
