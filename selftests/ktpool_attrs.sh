#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Pool attributes, seen from user space: the default pool's nice, cpumask
# and min_threads (module params and /sys/kernel/ktpool/default/, in step),
# on idle and busy workers (/proc/<pid>/stat, Cpus_allowed_list); a
# KTPOOL_RT pool of the client (SCHED_FIFO, then live back to normal);
# bad writes (also a cpumask of offline CPUs only) refused with nothing
# changed; sysfs modes, and writes refused to an unprivileged user.
. "$(dirname "$0")/lib.sh"

S=/sys/kernel/ktpool/default

policy_is() { [ "$(statf "$2" 41)" = "$1" ] || { ktap_print_msg "policy $(statf "$2" 41)"; return 1; }; }
rtprio_is() { [ "$(statf "$2" 40)" = "$1" ]; }

ktap_print_header
ktap_set_plan 18

# The second CPU if there is one.
C2=0
[ "$(nproc)" -gt 1 ] && C2=1

insmod $MODDIR/ktpool.ko capacity=4 idle_timeout_ms=100 reap_interval_ms=50 \
	nice=5 cpumask=0 min_threads=2 || ktap_exit_fail_msg "insmod ktpool with attributes"
insmod $MODDIR/ktpool_test_client.ko task_ms=50 || ktap_exit_fail_msg "insmod client"

check "min_threads=2: two workers from load on, none reaped" \
	eval 'sleep 0.5; eq "$(threads ktpool/default) $(pstat threads)" "2 2"'
check "every worker runs with nice 5, SCHED_OTHER" \
	eval 'all ktpool/default nice_is 5 && all ktpool/default policy_is 0'
check "every worker runs only on CPU 0" all ktpool/default cpus_is 0

modes_ok=1
for f in capacity idle_timeout_ms max_waiters nice cpumask min_threads; do
	m=$(stat -c %a $S/$f 2>/dev/null)
	[ "$m" = 644 ] || { ktap_print_msg "$S/$f: mode '$m'"; modes_ok=0; }
done
check "sysfs files of the default pool are 0644" [ $modes_ok = 1 ]
check "sysfs and module params read the same values" \
	eval 'eq "$(cat $S/capacity $S/idle_timeout_ms $S/nice $S/cpumask $S/min_threads | tr "\n" " ")" "4 100 5 0 2 " &&
	      eq "$(cat $KP/capacity $KP/idle_timeout_ms $KP/nice $KP/cpumask $KP/min_threads | tr "\n" " ")" "4 100 5 0 2 "'

check "sysfs nice write reaches the workers and the param" \
	eval 'echo -5 >$S/nice && all ktpool/default nice_is -5 && eq "$(cat $KP/nice)" -5'
check "sysfs max_waiters write reaches the param, and back" \
	eval 'echo 7 >$S/max_waiters && eq "$(cat $KP/max_waiters)" 7 &&
	      echo 0 >$KP/max_waiters && eq "$(cat $S/max_waiters)" 0'
check "param cpumask write reaches the workers and sysfs" \
	eval 'echo $C2 >$KP/cpumask && all ktpool/default cpus_is $C2 && eq "$(cat $S/cpumask)" $C2'

# Busy workers are changed too.
echo 1 >$CP/hold
echo 4 >$CP/burst
wait_for 5 eval '[ "$(pstat busy)" = 4 ]'
check "busy workers get a live nice and cpumask" \
	eval 'echo 2 >$S/nice && echo 0-$C2 >$S/cpumask &&
	      eq "$(pstat busy) $(threads ktpool/default)" "4 4" &&
	      all ktpool/default nice_is 2 && all ktpool/default cpus_is "$(cat $S/cpumask)"'
echo 0 >$CP/hold
wait_for 5 eval '[ "$(cat $CP/done)" = 4 ]'

bad_ok=1
before="$(cat $S/capacity $S/idle_timeout_ms $S/nice $S/cpumask $S/min_threads | tr '\n' ' ')"
for fv in nice=20 nice=-21 nice=abc nice= cpumask= cpumask=abc cpumask=64 cpumask=0-99 \
	min_threads=5 min_threads=-1 capacity=1 capacity=0 idle_timeout_ms=3600001 \
	max_waiters=-1 max_waiters=abc; do
	f=${fv%%=*}
	for d in $S $KP; do
		einval $d/$f "${fv#*=}" || bad_ok=0
	done
done
after="$(cat $S/capacity $S/idle_timeout_ms $S/nice $S/cpumask $S/min_threads | tr '\n' ' ')"
[ "$before" = "$after" ] || { ktap_print_msg "changed: '$before' -> '$after'"; bad_ok=0; }
check "bad writes (range, cpulist, min_threads > capacity, capacity < min_threads) fail with EINVAL, nothing changes" \
	[ $bad_ok = 1 ]

# An unprivileged user reads but cannot write.
mkdir -p /etc
grep -q '^nobody:' /etc/passwd 2>/dev/null ||
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^root:' /etc/passwd || echo 'root:x:0:0:root:/:/bin/sh' >>/etc/passwd
if [ "$(su -s /bin/sh nobody -c 'id -u' 2>/dev/null)" = 65534 ]; then
	check "an unprivileged user reads the files, every write is refused" \
		eval 'eq "$(su -s /bin/sh nobody -c "cat $S/nice")" 2 &&
		      ! su -s /bin/sh nobody -c "echo 1 >$S/nice || exit 1; echo 1 >$S/capacity || exit 1; echo 0 >$S/cpumask || exit 1; echo 3 >$S/min_threads || exit 1; echo 5 >$S/idle_timeout_ms" 2>/dev/null &&
		      eq "$(cat $S/nice $S/capacity $S/min_threads | tr "\n" " ")" "2 4 2 "'
else
	ktap_print_msg "busybox su cannot switch to nobody here"
	ktap_test_skip "an unprivileged user reads the files, every write is refused"
fi

check "lowering min_threads lets the workers age out" \
	eval 'echo 0 >$S/min_threads && wait_for 5 eval "[ \$(threads ktpool/default) = 0 ]" && eq "$(cat $KP/min_threads)" 0'
check "raising min_threads starts the workers at once" \
	eval 'echo 3 >$KP/min_threads && eq "$(threads ktpool/default) $(cat $S/min_threads)" "3 3"'

check "a KTPOOL_RT pool: its workers run SCHED_FIFO at priority 1" \
	eval 'echo 1 >$CP/rtpool && all ktpool/client-rt policy_is 1 && all ktpool/client-rt rtprio_is 1'
check "applied live: back to SCHED_OTHER with nice 3" \
	eval 'echo 2 >$CP/rtpool && all ktpool/client-rt policy_is 0 && all ktpool/client-rt nice_is 3'
check "its sysfs directory is removed with the pool" \
	eval '[ -d /sys/kernel/ktpool/client-rt ] && echo 0 >$CP/rtpool && [ ! -e /sys/kernel/ktpool/client-rt ] &&
	      [ "$(threads ktpool/client-rt)" = 0 ]'

# A cpumask of offline CPUs only is refused, nothing changed.
CPU1=/sys/devices/system/cpu/cpu1/online
if [ "$C2" = 1 ] && [ -w $CPU1 ] && echo 0 >$CPU1 2>/dev/null; then
	before=$(cat $S/cpumask)
	check "a cpumask of offline CPUs only is refused, nothing changes" \
		eval '! echo 1 >$S/cpumask 2>/dev/null && ! echo 1 >$KP/cpumask 2>/dev/null &&
		      eq "$(cat $S/cpumask) $(cat $KP/cpumask)" "$before $before"'
	echo 1 >$CPU1
else
	ktap_print_msg "CPU 1 cannot be taken offline here"
	ktap_test_skip "a cpumask of offline CPUs only is refused, nothing changes"
fi

rmmod ktpool_test_client
rmmod ktpool
check "clean unload: /sys/kernel/ktpool is gone, no thread left" \
	eval '[ ! -e /sys/kernel/ktpool ] && [ "$(threads ktpool/default)" = 0 ]'
ktap_finished
