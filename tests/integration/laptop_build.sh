#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The laptop build: `make report` succeeds with neither clang, bpftool, libbpf nor libelf
# present (hidden by mounts in a private mount namespace), and tcpdrop-report links neither.
# not-in: vm: builds tcpdrop-report without the BPF toolchain: runs on the host
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to hide files with mounts"
command -v unshare >/dev/null || skip "unshare not installed"

cat >"$T_TMP/inner.sh" <<'INNER'
set -u
hide() { # every existing path given: directories under an empty tmpfs, files under /dev/null
	for p in "$@"; do
		[ -e "$p" ] || continue
		if [ -d "$p" ] && [ ! -L "$p" ]; then mount -t tmpfs -o size=4k,ro tmpfs "$p"
		else mount --bind /dev/null "$(readlink -f "$p")"; fi || exit 3
	done
}
hide /usr/include/bpf /usr/include/libelf.h /usr/include/gelf.h /usr/include/nlist.h \
	/usr/include/elfutils /usr/lib/llvm-*/bin/clang* /usr/bin/clang* /usr/local/bin/clang* \
	/usr/sbin/bpftool /usr/bin/bpftool /usr/local/sbin/bpftool \
	/usr/lib/*/libbpf.* /usr/lib/*/libbpf.so* /usr/lib/*/libelf.* /usr/lib/*/libelf-* \
	/usr/lib/*/libelf.so* /usr/lib/*/pkgconfig/libbpf.pc /usr/lib/*/pkgconfig/libelf.pc \
	/usr/lib64/libbpf* /usr/lib64/libelf* /usr/local/lib/libbpf* /usr/local/include/bpf
# prove the hiding works before trusting the build
if echo 'int main(void){return 0;}' | clang -x c - -o /dev/null 2>/dev/null; then
	echo "clang still works"; exit 4; fi
if bpftool version >/dev/null 2>&1; then echo "bpftool still works"; exit 4; fi
if echo '#include <bpf/libbpf.h>' | cc -E -x c - >/dev/null 2>&1; then echo "bpf/libbpf.h still found"; exit 4; fi
if echo '#include <libelf.h>' | cc -E -x c - 2>/dev/null | grep -q elf_version; then
	echo "libelf.h still found"; exit 4; fi
if echo 'int libbpf_major_version(void); int main(void){return libbpf_major_version();}' |
	cc -x c - -lbpf -o /dev/null 2>/dev/null; then echo "-lbpf still links"; exit 4; fi
if echo 'unsigned elf_version(unsigned); int main(void){return (int)elf_version(1);}' |
	cc -x c - -lelf -o /dev/null 2>/dev/null; then echo "-lelf still links"; exit 4; fi
make -C "$1" BUILD="$2" report >"$3" 2>&1 || exit 5
INNER

unshare -m --propagation private sh "$T_TMP/inner.sh" "$TCPDROP_TOP" "$T_TMP/b" "$T_TMP/make.log" \
	>"$T_TMP/inner.out" 2>&1
rc=$?
case $rc in
0) ;;
5) fail "make report failed without clang/bpftool/libbpf/libelf: $(tail -n 15 "$T_TMP/make.log")" ;;
*) fail "could not hide the BPF toolchain (status $rc): $(cat "$T_TMP/inner.out")" ;;
esac
bin=$T_TMP/b/tcpdrop-report
[ -x "$bin" ] || fail "make report did not produce $bin"
libs=$(ldd "$bin") || fail "ldd $bin"
echo "$libs" | grep -q -E 'libbpf|libelf' && fail "tcpdrop-report links libbpf/libelf: $libs"
[ -e "$T_TMP/b/tcpdrop-record" ] && fail "make report also built tcpdrop-record"
"$bin" --version >/dev/null 2>&1 || "$bin" -h >/dev/null 2>&1 || fail "$bin does not run"
log "make report built $(basename "$bin") without the BPF toolchain; it links: $(echo "$libs" | awk '{ print $1 }' | tr '\n' ' ')"
echo "PASS $T_NAME"
