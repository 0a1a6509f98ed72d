#!/usr/bin/env bash
# qemu-run.sh <vmlinuz> <moddir> <guest-script-or-command> <log>
# Boot a stock kernel under QEMU (TCG) with a busybox initramfs holding the
# .ko files of <moddir> in /modules and selftests/*.sh in /selftests; the init
# runs the guest script (a file, or else a shell command) and powers off.
# The console is shown live and saved (without \r) to <log>; with
# KTPOOL_QUIET=1 only what follows the boot log is shown.
# Env: KTPOOL_TIMEOUT (seconds, a guard against hangs, default 1500), KTPOOL_APPEND (extra cmdline),
# KTPOOL_SMP (virtual CPUs, default 2), KTPOOL_QEMU_ARGS (more QEMU options,
# split on blanks, e.g. the NUMA nodes of a boot of its own).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

[ $# -eq 4 ] || die "usage: $0 <vmlinuz> <moddir> <guest-script-or-command> <log>"
vmlinuz=$1 moddir=$2 guest=$3 logf=$4
[ -r "$vmlinuz" ] || die "$vmlinuz not readable (run: make deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,selftests}
cp /bin/busybox "$root/bin/busybox"
find "$moddir" -maxdepth 1 -name '*.ko' -exec cp {} "$root/modules/" \;
cp "$KTPOOL_ROOT"/selftests/*.sh "$root/selftests/" 2>/dev/null || true
if [ -f "$guest" ]; then cp "$guest" "$root/guest.sh"; else echo "$guest" >"$root/guest.sh"; fi
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
export KTPOOL_MODDIR=/modules PATH=/bin
cd /
echo "KTPOOL-HARNESS: BOOTED $(uname -r)"
sh /guest.sh
echo "KTPOOL-HARNESS: DONE rc=$?"
reboot -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz"

mkdir -p "$(dirname "$logf")"
log "booting $vmlinuz in QEMU (log: $logf)"
rc=0
# tsc=reliable: on a loaded host the clocksource watchdog marks the emulated
# TSC unstable, and the code patching that follows can crash a TCG guest.
timeout -k 10 "${KTPOOL_TIMEOUT:-1500}" qemu-system-x86_64 -smp "${KTPOOL_SMP:-2}" -m 2048 \
	-kernel "$vmlinuz" -initrd "$tmp/initrd.gz" ${KTPOOL_QEMU_ARGS:-} \
	-append "console=ttyS0 panic=-1 loglevel=7 tsc=reliable sysctl.kernel.hung_task_timeout_secs=30 ${KTPOOL_APPEND:-}" \
	-nographic -no-reboot </dev/null 2>&1 9>&- | sed -u 's/\r//g' |
	if [ -n "${KTPOOL_QUIET:-}" ]; then
		# only the guest's own lines, not the kernel's boot log
		tee "$logf" | sed -un '/^KTPOOL-HARNESS: BOOTED/,$p'
	else
		tee "$logf"
	fi || rc=$?
[ "$rc" -ne 124 ] || echo "KTPOOL-HARNESS: QEMU killed after ${KTPOOL_TIMEOUT:-1500}s" | tee -a "$logf"
grep -q '^KTPOOL-HARNESS: DONE rc=0' "$logf"
