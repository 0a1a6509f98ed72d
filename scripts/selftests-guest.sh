#!/bin/sh
# Runs inside the QEMU guest (busybox sh): every /selftests/ktpool_*.sh in
# order (or the names listed in /selftests/LIST), each printing its own KTAP.
# Exit 4 means skip; any other non-zero exit is reported as a failure.
cd /selftests || exit 1
if [ -f LIST ]; then tests=$(grep -v '^#' LIST); else tests=$(ls ktpool_*.sh 2>/dev/null); fi
[ -n "$tests" ] || echo "KTPOOL-HARNESS: FAIL no selftests found"
for t in $tests; do
	echo "KTPOOL-HARNESS: BEGIN $t"
	sh "./$t"
	rc=$?
	case $rc in
	0) ;;
	4) echo "# $t: skipped (exit 4)" ;;
	*) echo "KTPOOL-HARNESS: FAIL $t exited with $rc" ;;
	esac
	# a test that left modules loaded must not leak into the next one
	for m in $(cut -d' ' -f1 /proc/modules); do
		case $m in ktpool*) echo "# unloading leftover $m"; rmmod "$m" ;; esac
	done
done
exit 0
