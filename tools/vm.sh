#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run one command as root in a QEMU guest that boots one of Debian's older kernels over this
# machine's own root filesystem (read-only) and this repository (writable, same path).
#
#   tools/vm.sh --kernel 6.1 -- CMD [ARG...]
#
# The kernel package is fetched with apt-get download and unpacked (never installed) into
# $TCPDROP_VM_DIR (default build/vm), where it stays for the next run. CMD runs in the
# repository root with PATH, HOME, CI and every TCPDROP_* variable; its stdout and stderr
# come back on ours, its exit status is ours. Kernel messages go to a log, not to stdout.
# Environment: TCPDROP_VM_TIMEOUT (seconds, default 1800), TCPDROP_VM_MEM (MiB, default 2048),
# TCPDROP_VM_ACCEL (kvm or tcg; default kvm when it works), TCPDROP_VM_VERBOSE=1 (boot log
# and timings on stderr).
set -eu

# Short name, then an extended regex over Debian package names; the newest match is used.
KERNELS='
6.1	linux-image-6\.1\.0-[0-9]+-amd64-unsigned
'
# Modules the initramfs loads itself (the rest come from the package's lib/modules).
EARLY_MODULES="virtio_pci 9pnet_virtio 9p virtio_console"
# Loaded before CMD: /dev/net/tun appears only once tun is loaded; the others would load on
# demand (through the initramfs's /sbin/modprobe) but the first test would pay for it.
GUEST_MODULES="tun veth nf_tables"
MSIZE=262144 # 9p message size: above the client's default, fewer round trips per large read

prog=vm
die() {
	echo "$prog: $*" >&2
	exit 1
}
say() {
	[ "${TCPDROP_VM_VERBOSE:-}" = 1 ] && echo "$prog: $*" >&2
	return 0
}
usage() {
	echo "usage: tools/vm.sh --kernel NAME -- CMD [ARG...]" >&2
	echo "kernels:$(echo "$KERNELS" | awk 'NF { printf " %s", $1 }')" >&2
	exit 2
}
# q WORD: WORD quoted for sh.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
now() {
	date +%s.%N
}
elapsed() { # since START
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'
}

kernel=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
	--kernel=*) kernel=${1#--kernel=}; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ -n "$kernel" ] && [ $# -ge 1 ] || usage
pattern=$(echo "$KERNELS" | awk -v k="$kernel" '$1 == k { print $2 }')
[ -n "$pattern" ] || die "unknown kernel '$kernel' (known:$(echo "$KERNELS" | awk 'NF { printf " %s", $1 }'))"

start=$(now)
top=$(cd "$(dirname "$0")/.." && pwd -P)
qemu=qemu-system-x86_64
command -v $qemu >/dev/null || die "$qemu not found (apt-get install qemu-system-x86)"
for t in apt-cache apt-get dpkg-deb depmod modprobe; do
	command -v $t >/dev/null || die "$t not found (this needs Debian's apt, dpkg and kmod)"
done
vmdir=${TCPDROP_VM_DIR:-$top/build/vm}
mkdir -p "$vmdir"
vmdir=$(cd "$vmdir" && pwd -P)

# --- the kernel package: newest in apt's lists, else the newest already unpacked ---------------
newest() { # names on stdin
	grep -Ex "$pattern" | sort -V | tail -n 1
}
unpacked() {
	for d in "$vmdir"/*/.unpacked; do
		[ -e "$d" ] && basename "$(dirname "$d")"
	done
}
pkg=$(apt-cache pkgnames linux-image- 2>/dev/null | newest || true)
[ -n "$pkg" ] || pkg=$(unpacked | newest || true)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	say "no package matches $pattern: apt-get update"
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(apt-cache pkgnames linux-image- 2>/dev/null | newest || true)
fi
[ -n "$pkg" ] || die "no Debian package matches $pattern (apt-get update?)"
kdir=$vmdir/$pkg
if [ ! -e "$kdir/.unpacked" ]; then
	say "downloading $pkg"
	rm -rf "$kdir" "$vmdir/.dl"
	mkdir -p "$vmdir/.dl"
	# as root apt would otherwise warn that its _apt sandbox user cannot write here
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$vmdir/.dl" && apt-get download -qq $sandbox "$pkg") >"$vmdir/.dl/log" 2>&1 ||
		die "cannot download package $pkg: $(tail -n 1 "$vmdir/.dl/log")"
	dpkg-deb -x "$vmdir/.dl/"*.deb "$vmdir/.dl/root" || die "cannot unpack $pkg"
	dpkg-deb -f "$vmdir/.dl/"*.deb Version >"$vmdir/.dl/root/.version"
	mv "$vmdir/.dl/root" "$kdir"
	rm -rf "$vmdir/.dl"
	rel=$(ls "$kdir/lib/modules")
	depmod -b "$kdir" "$rel" || die "depmod failed for $pkg"
	touch "$kdir/.unpacked"
fi
rel=$(ls "$kdir/lib/modules")
kimage=$kdir/boot/vmlinuz-$rel
[ -f "$kimage" ] || die "$pkg has no boot/vmlinuz-$rel"
say "kernel $pkg $(cat "$kdir/.version" 2>/dev/null) ($rel)"

# The guest mounts the package's modules over this host directory, so it has to exist here.
if [ ! -d /lib/modules ]; then
	mkdir -p /lib/modules 2>/dev/null || die "/lib/modules is missing (the guest mounts the kernel's modules there)"
fi

# --- busybox for the initramfs: the installed busybox-static, else its package unpacked -------
bb=
if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q ' installed$'; then
	bb=/bin/busybox
elif [ -x "$vmdir/busybox/bin/busybox" ]; then
	bb=$vmdir/busybox/bin/busybox
else
	rm -rf "$vmdir/.bb" && mkdir -p "$vmdir/.bb"
	(cd "$vmdir/.bb" && apt-get download -qq busybox-static) >/dev/null 2>&1 ||
		die "cannot download busybox-static"
	dpkg-deb -x "$vmdir/.bb/"*.deb "$vmdir/.bb/root" && mv "$vmdir/.bb/root" "$vmdir/busybox"
	rm -rf "$vmdir/.bb"
	bb=$vmdir/busybox/bin/busybox
fi

# --- the initramfs: busybox, the early modules, /init; rebuilt when this script changes -------
base=$kdir/initramfs.cpio
if [ ! -s "$base" ] || [ "$0" -nt "$base" ]; then
	say "building $base"
	t=$vmdir/.initramfs
	rm -rf "$t" && mkdir -p "$t/bin" "$t/sbin" "$t/lib/early" "$t/proc" "$t/sys" "$t/dev" \
		"$t/newroot"
	cp "$bb" "$t/bin/busybox"
	# insmod order from kmod itself; builtin modules are listed as "builtin" and skipped
	# shellcheck disable=SC2086
	modprobe -d "$kdir" -S "$rel" --show-depends -a $EARLY_MODULES |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$t/early.list" ||
		die "modprobe cannot resolve $EARLY_MODULES in $pkg"
	: >"$t/lib/early/order"
	while read -r m; do
		cp "$m" "$t/lib/early/"
		echo "${m##*/}" >>"$t/lib/early/order"
	done <"$t/early.list"
	rm "$t/early.list"
	# The kernel's own module loader helper runs in the initramfs, outside our chroot.
	cat >"$t/sbin/modprobe" <<-'EOF'
		#!/bin/busybox sh
		exec /bin/busybox chroot /newroot /sbin/modprobe "$@"
	EOF
	cat >"$t/init" <<-'EOF'
		#!/bin/busybox sh
		# PID 1 of the tools/vm.sh guest: mount the host's root and the repository, run
		# /cmd.sh in a chroot, hand its exit status to the host, power off.
		/bin/busybox --install -s /bin
		export PATH=/bin
		fail() {
			echo "vm-init: $*"
			reboot -f
		}
		mount -t proc proc /proc
		mount -t sysfs sys /sys
		mount -t devtmpfs dev /dev
		while read -r m; do
			insmod "/lib/early/$m" || fail "insmod $m"
		done </lib/early/order
		. /run.conf
		r=/newroot
		o=trans=virtio,version=9p2000.L,msize=$MSIZE
		# the host's root does not change under us: let the guest cache it
		mount -t 9p -o "$o,ro,cache=loose" hostroot $r || fail "mount 9p hostroot"
		mount -t proc proc $r/proc
		mount -t sysfs sys $r/sys
		mount -t devtmpfs dev $r/dev
		mkdir -p $r/dev/pts $r/dev/shm
		mount -t devpts -o ptmxmode=0666 devpts $r/dev/pts
		mount -t tmpfs -o mode=1777 shm $r/dev/shm
		# writable: ip netns needs /run, tests need /tmp, tools want a home
		mount -t tmpfs -o mode=0755 run $r/run
		mount -t tmpfs -o mode=1777 tmp $r/tmp
		mount -t tmpfs -o mode=0700 home $r/root
		# after the tmpfs mounts: a repository under /tmp (or /root) must not be hidden by them
		mkdir -p "$r$REPO" 2>/dev/null
		mount -t 9p -o "$o,cache=mmap" repo "$r$REPO" || fail "mount 9p repo $REPO"
		mount -t bpf bpf $r/sys/fs/bpf
		mount -t tracefs tracefs $r/sys/kernel/tracing
		mount -t debugfs debugfs $r/sys/kernel/debug
		mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
		mount -o bind "$r$KMODS" $r/lib/modules || fail "bind $KMODS"
		hostname "$HOSTNAME"
		ip link set lo up
		chroot $r /sbin/modprobe -a $GUEST_MODULES || fail "modprobe $GUEST_MODULES"
		port() { # NAME: the virtio serial port the host named so
			for p in /sys/class/virtio-ports/*; do
				[ "$(cat "$p/name")" = "$1" ] && echo "/dev/${p##*/}" && return
			done
			fail "no virtio port $1"
		}
		out=$(port out) err=$(port err) st=$(port status)
		echo "vm-init: command starts at $(cut -d' ' -f1 /proc/uptime) s uptime"
		chroot $r /bin/sh -c "$(cat /cmd.sh)" </dev/null >"$out" 2>"$err"
		echo $? >"$st"
		sync
		reboot -f
	EOF
	chmod 0755 "$t/init" "$t/sbin/modprobe"
	(cd "$t" && find . | "$bb" cpio -o -H newc 2>/dev/null) >"$base.tmp" ||
		die "cannot build the initramfs"
	mv "$base.tmp" "$base"
	rm -rf "$t"
fi

# --- accelerator: KVM if a guest really boots with it here, else software emulation ----------
# Opening /dev/kvm is not enough: under some nested hypervisors the BIOS runs and the kernel
# then hangs. The probe boots the kernel with no root filesystem: with panic=-1 it stops by
# itself within seconds. The verdict holds for this host boot.
accel=${TCPDROP_VM_ACCEL:-}
if [ -z "$accel" ]; then
	probe=$vmdir/.kvm-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	if [ ! -s "$probe" ]; then
		verdict=tcg
		if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
			timeout -k 5 20 $qemu -no-user-config -nodefaults -display none -no-reboot \
				-accel kvm -cpu host -m 256 -kernel "$kimage" -append "panic=-1 quiet" \
				-serial none -monitor none </dev/null >/dev/null 2>&1; then
			verdict=kvm
		fi
		rm -f "$vmdir"/.kvm-*
		echo $verdict >"$probe"
	fi
	accel=$(cat "$probe")
fi
case "$accel" in
kvm) cpu=host ;;
tcg) cpu=max ;;
*) die "TCPDROP_VM_ACCEL must be kvm or tcg, not '$accel'" ;;
esac
say "accelerator $accel, setup took $(elapsed "$start")"

# --- this run: the command and its environment, appended as a second cpio archive -----------
run=$(mktemp -d /tmp/tcpdrop-vm.XXXXXX)
trap 'rm -rf "$run"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
mkdir "$run/root"
cat >"$run/root/run.conf" <<EOF
REPO=$(q "$top")
KMODS=$(q "$kdir/lib/modules")
MSIZE=$MSIZE
HOSTNAME=$(q "tcpdrop-vm-$kernel")
GUEST_MODULES=$(q "$GUEST_MODULES")
EOF
{
	echo "cd $(q "$top") || exit 127"
	printf 'exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	printf ' HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb LANG=C.UTF-8'
	for v in $(env | sed -n 's/^\(CI\|TCPDROP_[A-Za-z0-9_]*\)=.*/\1/p'); do
		eval "val=\${$v}"
		printf ' %s=%s' "$v" "$(q "$val")"
	done
	# last, so they win: tests may scale their timeouts under emulation
	printf ' TCPDROP_VM_KERNEL=%s TCPDROP_VM_ACCEL=%s' "$(q "$kernel")" "$accel"
	for a in "$@"; do
		printf ' %s' "$(q "$a")"
	done
	echo
} >"$run/root/cmd.sh"
(cd "$run/root" && find . | "$bb" cpio -o -H newc 2>/dev/null) >"$run/run.cpio"
cat "$base" "$run/run.cpio" >"$run/initrd"

# --- boot ----------------------------------------------------------------------------------
timeout=${TCPDROP_VM_TIMEOUT:-1800}
console=$run/console.log
kargs="console=ttyS0 panic=-1 quiet loglevel=3"
if [ "${TCPDROP_VM_VERBOSE:-}" = 1 ]; then
	console=/proc/self/fd/3
	kargs="console=ttyS0 panic=-1"
fi
: >"$run/status"
# fd 3 is our stderr, kept for the guest's while qemu's own messages go to a log. qemu runs
# in the background so that a signal to us stops it too: a shell runs its traps only once
# the foreground command has ended.
# shellcheck disable=SC2094
timeout -k 10 "$timeout" $qemu -no-user-config -nodefaults -nographic -no-reboot \
	-accel "$accel" -cpu "$cpu" -smp 2 -m "${TCPDROP_VM_MEM:-2048}" \
	-kernel "$kimage" -initrd "$run/initrd" \
	-append "$kargs" \
	-chardev file,id=console,path="$console",append=on -serial chardev:console -monitor none \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=repo,path="$top",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=repo,mount_tag=repo \
	-device virtio-serial-pci \
	-chardev file,id=out,path=/proc/self/fd/1,append=on \
	-device virtserialport,chardev=out,name=out \
	-chardev file,id=err,path=/proc/self/fd/3,append=on \
	-device virtserialport,chardev=err,name=err \
	-chardev file,id=status,path="$run/status" \
	-device virtserialport,chardev=status,name=status \
	3>&2 </dev/null 2>"$run/qemu.log" &
qpid=$!
trap 'kill $qpid 2>/dev/null; wait $qpid; exit 130' INT
trap 'kill $qpid 2>/dev/null; wait $qpid; exit 143' TERM HUP
qrc=0
wait $qpid || qrc=$?
trap 'exit 130' INT
trap 'exit 143' TERM HUP
say "guest stopped after $(elapsed "$start")"
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	die "timed out after ${timeout}s (TCPDROP_VM_TIMEOUT)"
fi
if [ $qrc -ne 0 ]; then
	die "$qemu failed (exit $qrc): $(tail -n 1 "$run/qemu.log")"
fi
rc=$(tr -dc 0-9 <"$run/status")
if [ -z "$rc" ]; then
	panic=$(grep -a 'Kernel panic' "$console" 2>/dev/null | tail -n 1 | tr -d '\r')
	grep -aq 'vm-init: command starts' "$console" 2>/dev/null &&
		die "the guest stopped before the command ended${panic:+: $panic}"
	why=$(grep -a 'vm-init:' "$console" 2>/dev/null | tail -n 1 | tr -d '\r')
	why=${why:-$panic}
	die "boot failure: ${why:-guest stopped before the command ran (TCPDROP_VM_VERBOSE=1 shows the boot log)}"
fi
exit "$rc"
