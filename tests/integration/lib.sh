# SPDX-License-Identifier: BSD-2-Clause
# Shared helpers of the integration tests: environment checks, cleanup traps, namespaces,
# veth/tap set-up, the recorder's lifecycle, waits and assertions on tdfdump output.
# Sourced by tests/integration/*.sh (POSIX sh) run as
#   env TCPDROP_BUILD=<abs build dir> TCPDROP_TOP=<repo> sh tests/integration/<name>.sh

set -u

T_NAME=$(basename "$0" .sh)
: "${TCPDROP_BUILD:?TCPDROP_BUILD must name the build directory}"
: "${TCPDROP_TOP:?TCPDROP_TOP must name the repository}"
REC=$TCPDROP_BUILD/tcpdrop-record
RPT=$TCPDROP_BUILD/tcpdrop-report
TOOLS=$TCPDROP_BUILD/tests/tools
TDFDUMP=$TOOLS/tdfdump
# Sanitizer builds are several times slower: every timeout scales with this.
case "$(cat "$TCPDROP_BUILD/flavour" 2>/dev/null)" in san) SLOW=3 ;; *) SLOW=1 ;; esac
# So is a tools/vm.sh guest under software emulation (measured: about a fifth of the host's speed).
[ "${TCPDROP_VM_ACCEL:-}" = tcg ] && SLOW=$((SLOW * 3))

T_TMP=$(mktemp -d /tmp/tcpdrop-it-"$T_NAME".XXXXXX)
chmod 0700 "$T_TMP"
# Short per-run tag for namespace and interface names (IFNAMSIZ is 16).
T_TAG=$(printf '%x' $$)
_cleanup=""

log() { echo "$T_NAME: $*" >&2; }
fail() {
	echo "FAIL $T_NAME: $*" >&2
	exit 1
}
skip() {
	[ "${CI:-}" = true ] && fail "cannot run in CI: $*"
	echo "SKIP $T_NAME: $*"
	exit 77
}

# at_exit CMD: run CMD when the test ends, whatever the reason (last registered runs first).
at_exit() {
	_cleanup="$*
$_cleanup"
}
_run_cleanup() {
	_rc=$?
	trap - EXIT INT TERM HUP
	set +e
	eval "$_cleanup" >/dev/null 2>&1
	if [ "$_rc" -ne 0 ] && [ "${KEEP_TMP:-}" = 1 ]; then
		echo "$T_NAME: kept $T_TMP" >&2
	else
		rm -rf "$T_TMP"
	fi
	exit "$_rc"
}
trap _run_cleanup EXIT
trap 'exit 1' INT TERM HUP

# require_env [tool...]: root, BPF and the binaries, else skip (fail in CI).
require_env() {
	[ "$(id -u)" = 0 ] || skip "needs root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN)"
	[ -r /sys/kernel/btf/vmlinux ] || skip "kernel BTF (/sys/kernel/btf/vmlinux) not available"
	ip netns add "tdchk$T_TAG" 2>/dev/null || skip "cannot create network namespaces"
	ip netns del "tdchk$T_TAG"
	for _b in "$REC" "$TDFDUMP" "$@"; do
		case "$_b" in /*) ;; *) _b=$TOOLS/$_b ;; esac
		[ -x "$_b" ] || fail "$_b not built (make test-bins)"
	done
}

# ns_new VAR NAME: create netns td<NAME><tag> with lo up, deleted at exit, its name in VAR.
# (Not used as $(ns_new ...): the exit trap must be registered in the test's own shell.)
ns_new() {
	_ns="td$2$T_TAG"
	ip netns add "$_ns" || fail "ip netns add $_ns"
	at_exit "ip netns del $_ns"
	ip -n "$_ns" link set lo up
	eval "$1=\$_ns"
}

# ns_inode NS: the network namespace's inode number (what the recorder stores).
ns_inode() {
	ip netns exec "$1" stat -L -c %i /proc/self/ns/net
}

# veth_pair NSA NSB: veth between them, 10.X.0.1/24 + fdX::1/64 in A, .2/::2 in B, where
# X is given as $3 (1-254). Interface names: va<tag> and vb<tag>.
veth_pair() {
	_a=va$T_TAG$3 _b=vb$T_TAG$3
	ip link add "$_a" netns "$1" type veth peer name "$_b" netns "$2" || fail "ip link add veth"
	ip -n "$1" addr add "10.$3.0.1/24" dev "$_a"
	ip -n "$2" addr add "10.$3.0.2/24" dev "$_b"
	ip -n "$1" addr add "fd$3::1/64" dev "$_a" nodad
	ip -n "$2" addr add "fd$3::2/64" dev "$_b" nodad
	ip -n "$1" link set "$_a" up
	ip -n "$2" link set "$_b" up
	# Permanent neighbours both ways: an unresolved neighbour queues only a few packets
	# and drops the rest in the sender's namespace, which would race the first sends.
	_ma=$(ip netns exec "$1" cat "/sys/class/net/$_a/address")
	_mb=$(ip netns exec "$2" cat "/sys/class/net/$_b/address")
	ip -n "$1" neigh replace "10.$3.0.2" lladdr "$_mb" dev "$_a" nud permanent
	ip -n "$1" neigh replace "fd$3::2" lladdr "$_mb" dev "$_a" nud permanent
	ip -n "$2" neigh replace "10.$3.0.1" lladdr "$_ma" dev "$_b" nud permanent
	ip -n "$2" neigh replace "fd$3::1" lladdr "$_ma" dev "$_b" nud permanent
	wait_until 10 _carrier "$1" "$_a" || fail "veth $_a has no carrier"
	wait_until 10 _carrier "$2" "$_b" || fail "veth $_b has no carrier"
}
_carrier() {
	[ "$(ip netns exec "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = 1 ]
}

# tap_new NS X: tap device tp<tag> in NS with 10.X.0.2/24 and fdX::2/64; the made-up peer
# 10.X.0.1 / fdX::1 (tapinject's MAC) has permanent neighbour entries. Prints the name.
tap_new() {
	_t=tp$T_TAG
	ip -n "$1" tuntap add dev "$_t" mode tap || fail "ip tuntap add"
	ip -n "$1" addr add "10.$2.0.2/24" dev "$_t"
	ip -n "$1" addr add "fd$2::2/64" dev "$_t" nodad
	ip -n "$1" link set "$_t" up
	ip -n "$1" neigh add "10.$2.0.1" lladdr 02:00:00:00:77:01 dev "$_t" nud permanent
	ip -n "$1" neigh add "fd$2::1" lladdr 02:00:00:00:77:01 dev "$_t" nud permanent
	echo "$_t"
}

# cg_new VAR NAME: a cgroup v2 directory NAME (a path under the cgroup2 root; parents are made
# too) for the test; VAR gets its absolute path, CG_ROOT the mount. Removed at exit, innermost
# first, once its processes are gone. Mounts cgroup2 in T_TMP where none is mounted (guests).
CG_ROOT=
cg_new() {
	if [ -z "$CG_ROOT" ]; then
		CG_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
		if [ -z "$CG_ROOT" ]; then
			CG_ROOT=$T_TMP/cg2
			mkdir -p "$CG_ROOT" && mount -t cgroup2 none "$CG_ROOT" || fail "mount cgroup2"
			at_exit "umount $CG_ROOT"
		fi
	fi
	_p=$CG_ROOT
	for _c in $(echo "$2" | tr '/' ' '); do
		_p=$_p/$_c
		[ -d "$_p" ] && continue
		mkdir "$_p" || fail "mkdir $_p"
		at_exit "rmdir $_p"
	done
	eval "$1=\$_p"
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# wait_until SECS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout.
wait_until() {
	_deadline=$(( $(date +%s) + $1 * SLOW ))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

_rec_ready() {
	alive "$REC_PID" || return 0
	grep -q '^CapEff:[[:space:]]*0*$' "/proc/$REC_PID/status" 2>/dev/null
}

# rec_start ARGS...: start the recorder in the background (REC_PID, stderr in REC_ERR) and
# wait until it is attached. The recorder drops every capability right after attaching and
# opening its output, so CapEff 0 is the readiness signal.
REC_PID=
REC_ERR=$T_TMP/rec.err
rec_start() {
	"$REC" -q "$@" 2>"$REC_ERR" &
	REC_PID=$!
	at_exit "kill -KILL $REC_PID"
	wait_until 30 _rec_ready || fail "recorder not ready after $((30 * SLOW)) s: $(cat "$REC_ERR")"
	alive "$REC_PID" || { wait "$REC_PID"; fail "recorder exited at start (status $?): $(cat "$REC_ERR")"; }
}

# rec_wait SECS: wait for the recorder to exit by itself; sets REC_RC; 1 on timeout.
REC_RC=
rec_wait() {
	wait_until "$1" eval '! alive $REC_PID' || return 1
	wait "$REC_PID"
	REC_RC=$?
	return 0
}

# rec_stop [SIGNAL]: signal the recorder (default INT) until it exits; fails if it will not.
# The signal is repeated because a background job ignores SIGINT until the recorder installs
# its handler.
rec_stop() {
	_sig=${1:-INT}
	_i=0
	while alive "$REC_PID"; do
		kill "-$_sig" "$REC_PID" 2>/dev/null
		wait_until 1 eval '! alive $REC_PID' && break
		_i=$((_i + 1))
		[ "$_i" -ge $((20 * SLOW)) ] && fail "recorder ignores SIG$_sig"
	done
	wait "$REC_PID"
	REC_RC=$?
}

# dump FILE OUT: decode FILE with tdfdump into OUT; fails unless the whole file decodes.
dump() {
	"$TDFDUMP" "$1" >"$2" 2>"$2.err" || fail "tdfdump $1: $(cat "$2.err")"
	grep -q '^end status=ok ' "$2" || fail "tdfdump $1: no end line"
}

# kernel_has_reason NAME: the running kernel's BTF names SKB_DROP_REASON_NAME (the enum
# differs between kernel versions: 6.1 has no TCP_LISTEN_OVERFLOW, for one).
kernel_has_reason() {
	tr '\0' '\n' </sys/kernel/btf/vmlinux | grep -qx "SKB_DROP_REASON_$1"
}

# meta_value DUMP KEY: a META value of a tdfdump output ("rx_sk" is "yes" on Linux 6.11+).
meta_value() {
	sed -n "s/^meta key=$2 value=//p" "$1" | tail -n 1
}

# field KEY LINE: the value of KEY=... in a tdfdump line.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# expect_fields LINE KEY=VALUE...: every pair is in LINE, else fail naming the difference.
expect_fields() {
	_line=$1
	shift
	for _kv in "$@"; do
		case " $_line " in
		*" $_kv "*) ;;
		*) fail "expected ${_kv} in: $(echo "$_line" | cut -c1-600) (has ${_kv%%=*}=$(field "${_kv%%=*}" "$_line"))" ;;
		esac
	done
}

# expect_synflood FILE SEQBASE SPORTBASE DPORT IPLEN KEY=VALUE...: every line of FILE (drops
# of synflood SYNs) has the pairs, sport = SPORTBASE + tcp_seq - SEQBASE, snap bytes of
# IPLEN bytes (the IP header, then exactly the TCP header synflood built, window 64240) and
# 0 < len <= IPLEN. One awk pass: a per-line shell loop is too slow for thousands of lines.
expect_synflood() {
	_f=$1 _q=$2 _sp=$3 _dp=$4 _iplen=$5
	shift 5
	awk -v q="$_q" -v sp="$_sp" -v dp="$_dp" -v iplen="$_iplen" -v want="$*" '
	{
		delete f
		for (i = 1; i <= NF; i++) {
			k = index($i, "=")
			if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1)
		}
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			k = index(w[i], "=")
			key = substr(w[i], 1, k - 1)
			if (f[key] != substr(w[i], k + 1)) {
				print "expected " w[i] " (has " key "=" f[key] ") in: " $0
				exit 1
			}
		}
		sport = sp + f["tcp_seq"] - q
		if (f["sport"] != sport) { print "sport " f["sport"] " for seq " f["tcp_seq"] ": " $0; exit 1 }
		tcp = sprintf("%04x%04x%08x000000005002faf0", sport, dp, f["tcp_seq"])
		hl = iplen - 20
		if (f["caplen"] != iplen || substr(f["data"], 2 * hl + 1, 32) != tcp) {
			print "snap bytes do not carry the TCP header sent (" tcp "...): " $0
			exit 1
		}
		if (f["len"] < 1 || f["len"] > iplen) { print "len outside 1.." iplen ": " $0; exit 1 }
		if (f["ip_len"] != iplen) { print "ip_len " f["ip_len"] ", want " iplen ": " $0; exit 1 }
	}' "$_f" >"$_f.why" || fail "$(cut -c1-700 "$_f.why")"
}

# expect_seqs FILE BASE N: FILE has exactly N lines whose tcp_seq are BASE..BASE+N-1.
expect_seqs() {
	_got=$(wc -l <"$1")
	_seqs=$(sed 's/.* tcp_seq=\([0-9]*\) .*/\1/' "$1" | sort -n | uniq)
	_d=$(echo "$_seqs" | grep -c .)
	_lo=$(echo "$_seqs" | head -n 1)
	_hi=$(echo "$_seqs" | tail -n 1)
	[ "$_got" -eq "$3" ] && [ "$_d" -eq "$3" ] && [ "$_lo" -eq "$2" ] &&
		[ "$_hi" -eq $(($2 + $3 - 1)) ] ||
		fail "$(basename "$1"): $_got drops, $_d distinct seqs $_lo..$_hi; want $3 = $2..$(($2 + $3 - 1))"
}

# expect_len LINE MAX: len (skb->len, counted from wherever skb->data points at the drop
# site: the IP or the TCP header) is positive and at most MAX, the IP packet's length.
expect_len() {
	_l=$(field len "$1")
	[ -n "$_l" ] && [ "$_l" -gt 0 ] && [ "$_l" -le "$2" ] ||
		fail "len=$_l outside 1..$2 in: $(echo "$1" | cut -c1-600)"
}

# expect_packets DUMP TOOLOUT KEY=VALUE...: every "drop HEX" packet TOOLOUT lists was
# recorded exactly once, with snap bytes equal to the packet, caplen equal to its length
# and the given fields. Prints how many packets were checked.
expect_packets() {
	_dump=$1 _out=$2
	shift 2
	_n=0
	for _hex in $(sed -n 's/^drop //p' "$_out"); do
		_m=$(grep -c "^drop .* data=$_hex\$" "$_dump")
		[ "$_m" -eq 1 ] || fail "packet recorded $_m times (want 1): $_hex"
		_line=$(grep "^drop .* data=$_hex\$" "$_dump")
		_len=$(( ${#_hex} / 2 ))
		expect_fields "$_line" "$@" "caplen=$_len" "ip_len=$_len"
		expect_len "$_line" "$_len"
		_n=$((_n + 1))
	done
	[ "$_n" -gt 0 ] || fail "no packets expected in $_out"
	echo "$_n"
}
