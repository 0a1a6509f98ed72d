#!/bin/busybox sh
# PID 1 of the UML KUnit run (the host's / is the guest's root via hostfs).
# Loads ktpool.ko and the KUnit modules from $KTPOOL_MODDIR (given on the
# kernel command line), unloads them, runs a kmemleak scan, powers off.
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t debugfs debugfs /sys/kernel/debug
leak=/sys/kernel/debug/kmemleak
[ -e $leak ] && echo clear >$leak

echo "KTPOOL-HARNESS: INSMOD (KUnit output of the modules follows)"
loaded=
for m in "$KTPOOL_MODDIR"/ktpool.ko "$KTPOOL_MODDIR"/*kunit*.ko; do
	if $bb insmod "$m"; then
		loaded="$($bb basename "$m" .ko) $loaded"
	else
		echo "KTPOOL-HARNESS: FAIL insmod $m"
	fi
done
for m in $loaded; do
	$bb rmmod "$m" || echo "KTPOOL-HARNESS: FAIL rmmod $m"
done

if [ -e $leak ]; then
	$bb sleep 6 # kmemleak ignores objects younger than 5 s
	echo scan >$leak
	echo scan >$leak
	$bb cat $leak
fi
echo "KTPOOL-HARNESS: DONE rc=0"
$bb poweroff -f
