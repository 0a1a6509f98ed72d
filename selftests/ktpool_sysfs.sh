#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The directory of a client's pool with KTPOOL_SYSFS, client-rt: its files
# read and tune that pool alone, bad writes fail with EINVAL and change
# nothing, and the directory goes and comes back with the flag.
. "$(dirname "$0")/lib.sh"

D=/sys/kernel/ktpool/client-rt
S=/sys/kernel/ktpool/default

# dstat FIELD: one field of client-rt's debugfs stats
dstat() { sed -n "s/^$1 //p" /sys/kernel/debug/ktpool/client-rt/stats; }

# the default pool, through its parameters and its files
default_pool() {
	cat $KP/capacity $KP/idle_timeout_ms $KP/nice $KP/cpumask $KP/min_threads \
		$S/capacity $S/idle_timeout_ms $S/nice $S/cpumask $S/min_threads | tr '\n' ' '
}

ktap_print_header
ktap_set_plan 10

insmod $MODDIR/ktpool.ko || ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko || ktap_exit_fail_msg "insmod client"
# client-rt: capacity 2, min_threads 1, idle timeout 0; then nice 3, not RT
echo 1 >$CP/rtpool && echo 2 >$CP/rtpool || ktap_exit_fail_msg "create client-rt"
before=$(default_pool)

modes_ok=1
for f in capacity idle_timeout_ms max_waiters nice cpumask min_threads; do
	m=$(stat -c %a $D/$f 2>/dev/null)
	[ "$m" = 644 ] || { ktap_print_msg "$D/$f: mode '$m'"; modes_ok=0; }
done
check "its files are 0644 and read the pool: capacity 2, nice 3, min_threads 1" \
	eval '[ $modes_ok = 1 ] && eq "$(cat $D/capacity $D/nice $D/min_threads | tr "\n" " ")" "2 3 1 "'
check "capacity 6 reaches the pool; 0 and x fail with EINVAL, nothing changes" \
	eval 'echo 6 >$D/capacity && einval $D/capacity 0 && einval $D/capacity x &&
	      eq "$(cat $D/capacity) $(dstat capacity)" "6 6"'
check "nice -20 reaches the worker; 20 fails with EINVAL, nothing changes" \
	eval 'echo -20 >$D/nice && einval $D/nice 20 && eq "$(cat $D/nice)" -20 &&
	      all ktpool/client-rt nice_is -20'
check "min_threads 7 (above the capacity) fails with EINVAL; 2 starts a worker at once" \
	eval 'einval $D/min_threads 7 && eq "$(cat $D/min_threads)" 1 && echo 2 >$D/min_threads &&
	      eq "$(cat $D/min_threads) $(dstat threads) $(threads ktpool/client-rt)" "2 2 2"'
check "cpumask: an empty list and abc fail with EINVAL; 0 reaches every worker" \
	eval 'einval $D/cpumask "" && einval $D/cpumask abc && echo 0 >$D/cpumask &&
	      eq "$(cat $D/cpumask)" 0 && all ktpool/client-rt cpus_is 0'
check "idle_timeout_ms 3600001 fails with EINVAL; 200 reaches the pool" \
	eval 'einval $D/idle_timeout_ms 3600001 && echo 200 >$D/idle_timeout_ms &&
	      eq "$(cat $D/idle_timeout_ms) $(dstat idle_timeout_ms)" "200 200"'
check "the default pool's parameters and files are untouched" eq "$(default_pool)" "$before"
check "without KTPOOL_SYSFS the directory is gone" \
	eval 'echo 3 >$CP/rtpool && [ ! -e $D ] && [ -d $S ]'
check "with KTPOOL_SYSFS again it is back, and reaches the pool" \
	eval 'echo 2 >$CP/rtpool && eq "$(cat $D/capacity)" 6 && echo 3 >$D/capacity &&
	      eq "$(dstat capacity)" 3'
check "destroyed: the directory and the workers are gone" \
	eval 'echo 0 >$CP/rtpool && [ ! -e $D ] && eq "$(threads ktpool/client-rt)" 0'

rmmod ktpool_test_client
rmmod ktpool
ktap_finished
