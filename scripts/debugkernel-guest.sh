#!/bin/sh
# Runs inside the QEMU guest on the x86_64 debug kernel (busybox sh). Loads
# the KUnit suites; scripts/debugkernel.sh appends scripts/selftests-guest.sh
# (in a subshell) and then a call to leak_scan.
leak=/sys/kernel/debug/kmemleak

# leak_scan: report every object leaked since the start (kmemleak only
# reports objects older than 5 s, and a second scan confirms the first)
leak_scan() {
	[ -e $leak ] || { echo "KTPOOL-HARNESS: FAIL no $leak"; return; }
	echo "KTPOOL-HARNESS: kmemleak scan"
	sleep 6
	echo scan >$leak
	echo scan >$leak
	cat $leak
}

# objects allocated while booting are not ours: forget them
[ -e $leak ] && echo scan >$leak && echo clear >$leak

echo "KTPOOL-HARNESS: BEGIN kunit"
if insmod /modules/ktpool.ko; then
	for m in /modules/*kunit*.ko; do
		if insmod "$m"; then
			rmmod "$(basename "$m" .ko)" || echo "KTPOOL-HARNESS: FAIL rmmod $m"
		else
			echo "KTPOOL-HARNESS: FAIL insmod $m"
		fi
	done
	rmmod ktpool || echo "KTPOOL-HARNESS: FAIL rmmod ktpool"
else
	echo "KTPOOL-HARNESS: FAIL insmod ktpool.ko"
fi
