#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The default pool's CPUs: nice and min_threads written (parameter and
# sysfs) while every CPU of the pool's cpumask is offline, and the workers
# back on it when one comes online; cpulists longer than 127 bytes, up to
# what a page holds, written to both; longer ones refused with nothing
# changed.
. "$(dirname "$0")/lib.sh"

S=/sys/kernel/ktpool/default
CPU1=/sys/devices/system/cpu/cpu1/online
PAGE=4096	# x86-64, the guests' architecture

cpus_of() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"; }
nice_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f17; }

# workers_on CPUS: every default-pool worker (there is one) runs on CPUS
workers_on() {
	n=0
	for p in $(pids ktpool/default); do
		[ "$(cpus_of "$p")" = "$1" ] ||
			{ ktap_print_msg "pid $p runs on CPUs $(cpus_of "$p")"; return 1; }
		n=$((n + 1))
	done
	[ $n -gt 0 ] || { ktap_print_msg "no worker"; return 1; }
}

# workers_nice NICE: every default-pool worker (there is one) has it
workers_nice() {
	n=0
	for p in $(pids ktpool/default); do
		[ "$(nice_of "$p")" = "$1" ] ||
			{ ktap_print_msg "pid $p has nice $(nice_of "$p")"; return 1; }
		n=$((n + 1))
	done
	[ $n -gt 0 ] || { ktap_print_msg "no worker"; return 1; }
}

# both VALUE: the cpumask parameter and sysfs file both read VALUE
both() { eq "$(cat $KP/cpumask) $(cat $S/cpumask)" "$1 $1"; }

# list N LAST: "0," N times, then LAST (2N + length of LAST bytes)
list() {
	l=
	i=0
	while [ $i -lt "$1" ]; do l="${l}0,"; i=$((i + 1)); done
	echo "$l$2"
}

ktap_print_header
ktap_set_plan 12

# The second CPU if there is one.
C2=0
[ "$(nproc)" -gt 1 ] && C2=1
# every CPU, as the kernel prints a cpulist ("0" on one CPU)
ALL=0-$C2
[ $C2 = 0 ] && ALL=0

insmod $MODDIR/ktpool.ko capacity=4 idle_timeout_ms=0 cpumask=$C2 min_threads=1 ||
	ktap_exit_fail_msg "insmod ktpool cpumask=$C2"

HP="every CPU of the cpumask offline:"
if [ $C2 = 1 ] && [ -w $CPU1 ] && echo 0 >$CPU1 2>/dev/null; then
	check "$HP nice written through the parameter" \
		eval 'echo -3 >$KP/nice && eq "$(cat $KP/nice $S/nice | tr "\n" " ")" "-3 -3 "'
	check "$HP min_threads written through the parameter starts a worker" \
		eval 'echo 2 >$KP/min_threads &&
		      eq "$(cat $KP/min_threads $S/min_threads | tr "\n" " ")$(threads ktpool/default)" "2 2 2"'
	check "$HP nice written through sysfs" \
		eval 'echo 4 >$S/nice && eq "$(cat $S/nice $KP/nice | tr "\n" " ")" "4 4 "'
	check "$HP min_threads written through sysfs starts a worker" \
		eval 'echo 3 >$S/min_threads &&
		      eq "$(cat $S/min_threads $KP/min_threads | tr "\n" " ")$(threads ktpool/default)" "3 3 3"'
	check "$HP the nice value reached every worker, the cpumask still reads 1" \
		eval 'workers_nice 4 && both 1'
	# Three tasks held at once wake every worker, the one started
	# before the CPU went down too: the scheduler has no allowed CPU for
	# it (select_fallback_rq()) and widens it to its cpuset's, all here.
	insmod $MODDIR/ktpool_test_client.ko task_ms=20 ||
		ktap_exit_fail_msg "insmod client"
	echo 1 >$CP/hold
	echo 3 >$CP/burst
	wait_for 5 eval '[ "$(pstat busy)" = 3 ]'
	check "$HP tasks run, on workers the scheduler moved to CPU 0-$C2" \
		eval 'eq "$(pstat busy)" 3 && workers_on 0-$C2 && echo 0 >$CP/hold &&
		      wait_for 5 eval "[ \$(cat $CP/done) = 3 ]" && eq "$(cat $CP/done)" 3'
	echo 0 >$CP/hold
	rmmod ktpool_test_client
	check "$HP the cpumask written back as it reads is accepted, nothing changes" \
		eval 'echo 1 >$KP/cpumask && echo 1 >$S/cpumask && both 1'
	echo 1 >$CPU1 || ktap_exit_fail_msg "CPU 1 does not come back online"
	check "CPU 1 online again: every worker is back on it, none written" \
		eval 'both 1 && workers_on 1'
else
	ktap_print_msg "CPU 1 cannot be taken offline here (one CPU, or no CONFIG_HOTPLUG_CPU)"
	for d in "$HP nice written through the parameter" \
		"$HP min_threads written through the parameter starts a worker" \
		"$HP nice written through sysfs" \
		"$HP min_threads written through sysfs starts a worker" \
		"$HP the nice value reached every worker, the cpumask still reads 1" \
		"$HP tasks run, on workers the scheduler moved to CPU 0-$C2" \
		"$HP the cpumask written back as it reads is accepted, nothing changes" \
		"CPU 1 online again: every worker is back on it, none written"; do
		ktap_test_skip "$d"
	done
fi

# Long cpulists: repeated entries, which cpulist_parse() accepts.
check "a 201-byte cpulist through the parameter is applied and reads back" \
	eval 'echo "$(list 100 0)" >$KP/cpumask && both 0 && workers_on 0'
check "a 201-byte cpulist through sysfs is applied and reads back" \
	eval 'echo "$(list 100 $C2)" >$S/cpumask && both $ALL && workers_on $ALL'
# The longest a page holds: PAGE - 1 bytes with the newline (a leading
# space, which cpulist_parse() skips, makes the length even).
check "a $((PAGE - 1))-byte write of a cpulist is applied, to the parameter and to sysfs" \
	eval 'l=" $(list $((PAGE / 2 - 2)) 0)"; eq $((${#l} + 1)) $((PAGE - 1)) &&
	      echo "$l" >$KP/cpumask && both 0 &&
	      echo "$(list $((PAGE / 2 - 2)) $C2)" >$S/cpumask && both $ALL'

# A page or more is refused, whole: the first page alone ("0,0,...")
# would be a valid list that changes the mask from 0-1 to 0.
echo $ALL >$S/cpumask
big_ok=1
for n in $((PAGE / 2 - 1)) $((PAGE / 2)) 3000; do
	l=$(list $n 0)
	for f in $KP/cpumask $S/cpumask; do
		if err=$({ echo "$l" >$f; } 2>&1); then
			ktap_print_msg "$f: a $((${#l} + 1))-byte write was accepted"
			big_ok=0
		elif [ "${err%Invalid argument}" = "$err" ]; then
			ktap_print_msg "$f: a $((${#l} + 1))-byte write failed with: $err"
			big_ok=0
		fi
		both $ALL || big_ok=0
	done
done
check "writes of a page or more ($PAGE, $((PAGE + 2)), 6002 bytes) fail with EINVAL, nothing changes" \
	eval '[ $big_ok = 1 ] && workers_on $ALL'

rmmod ktpool
ktap_finished
