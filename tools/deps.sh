#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install every Debian package that building, testing and benchmarking tcpdrop need.
# Idempotent: does nothing when all are present; apt-get update only when something is missing.
set -eu

PKGS="make gcc pkg-config clang clang-format llvm bpftool libbpf-dev libelf-dev zlib1g-dev libzstd-dev
libpcap-dev libcmocka-dev tshark tcpdump nftables iproute2 procps bpftrace linux-perf
valgrind util-linux time jq"
# make deb (debhelper, dpkg-buildpackage, lintian) and the static recorder test (file)
PKGS="$PKGS debhelper dpkg-dev lintian file"
# the HTML report's browser test (tests/integration/html_browser.sh): headless Chromium
PKGS="$PKGS chromium"
# the recorder's seccomp filter (record/sandbox.c)
PKGS="$PKGS libseccomp-dev"
# tools/vm.sh: older kernels under QEMU (busybox initramfs, depmod/modprobe on the package)
PKGS="$PKGS qemu-system-x86 busybox-static kmod"
# tcpdrop-report --anonymize: Crypto-PAn over AES and HMAC from libcrypto
PKGS="$PKGS libssl-dev"
# tcpdrop-record --metrics and tools/clickhouse: the real servers of the fleet tests
# (promtool is in prometheus; curl scrapes node_exporter)
PKGS="$PKGS prometheus-node-exporter prometheus clickhouse-server clickhouse-client curl"
# make bench: the cost on a healthy host (a TCP stream over veth, no drops)
PKGS="$PKGS iperf3"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run 'sudo make deps')" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
