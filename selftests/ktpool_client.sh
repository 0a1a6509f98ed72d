#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A client module on the default pool: the capacity bound, a live shrink,
# idle reaping, try running inline, and rmmod of a client whose task runs;
# then groups, ktpool_submit_timeout() and max_waiters through the exports.
# Tasks that must stay busy are held by the client's "hold" parameter, never
# by a sleep that must be long enough.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 18

insmod $MODDIR/ktpool.ko capacity=4 idle_timeout_ms=1000 reap_interval_ms=100 ||
	ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko task_ms=100 || ktap_exit_fail_msg "insmod client"
check "no thread before the first task" eq "$(threads ktpool/default)" 0

echo 1 >$CP/hold
echo 8 >$CP/burst
wait_for 5 eval '[ "$(pstat busy) $(pstat waiters)" = "4 1" ]'
check "8 tasks at capacity 4: 4 threads, the submitter blocks" \
	eq "$(threads ktpool/default) $(pstat busy) $(pstat waiters)" "4 4 1"

echo 2 >$KP/capacity
check "live capacity write reaches the default pool" eq "$(pstat capacity)" 2
echo 0 >$CP/hold
wait_for 5 eval '[ "$(pstat threads)" -le 2 ]'
peak=0
while [ "$(cat $CP/done)" -lt 8 ]; do
	n=$(threads ktpool/default)
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 0.1
done
check "after the shrink at most 2 threads run" le $peak 2
check "every task ran, none failed" eq "$(cat $CP/done) $(cat $CP/errors)" "8 0"
check "idle workers are reaped to zero" wait_for 5 eval '[ "$(threads ktpool/default)" = 0 ]'
check "stats agree: submitted = completed + inlined" \
	eval '[ $(pstat submitted) -eq $(($(pstat completed) + $(pstat inlined))) ]'

# the first task holds the only worker; the second runs in the submitter
echo 1 >$KP/capacity
echo 1 >$CP/hold
echo 2 >$CP/tryburst
wait_for 5 eval '[ "$(pstat inlined)" -ge 1 ]'
echo 0 >$CP/hold
wait_for 5 eval '[ "$(cat $CP/bursting)" = 0 ]'
check "try runs inline when the pool is full" eval '[ "$(cat $CP/inlined)" -ge 1 ]'

echo 1 >$CP/hold
echo 1 >$CP/burst
wait_for 5 eval '[ "$(pstat busy)" = 1 ]'
check "rmmod of a client with a running task fails" eval '! rmmod ktpool_test_client 2>/dev/null'
check "the client is still loaded, its task still runs" \
	eval 'grep -q "^ktpool_test_client " /proc/modules && [ "$(pstat busy)" = 1 ]'

# kill -9 of a process blocked in the anyway submit: -EINTR, task not run.
D=/sys/kernel/debug/ktpool/default/stats
before=$(cat $CP/done)
sh -c "echo 1 >$CP/syncburst" 2>/dev/null &
victim=$!
wait_for 5 eval 'grep -qx "waiters 1" $D'
kill -9 $victim
wait $victim 2>/dev/null
check "kill -9 ends a blocked submit with EINTR" \
	eval 'grep -qx "waiters 0" $D && eq "$(cat $CP/eintr)" 1'
echo 0 >$CP/hold
wait_for 10 eval '[ "$(pstat busy)" = 0 ]'
check "the interrupted task never ran" \
	eval 'eq "$(cat $CP/done)" $((before + 1)) && eq "$(pstat submitted)" "$(($(pstat completed) + $(pstat inlined)))"'

# groups: 100 tasks, the 51st fails; the wait returns its error (-EIO), the
# 49 later submits are refused (-ECANCELED) and counted in the stats
echo 4 >$KP/capacity
echo "100 50 3" >$CP/group
check "group fan-out: the wait returns the first error (-EIO)" eq "$(cat $CP/group_ret)" -5
check "group fan-out: 51 tasks ran, the 49 later submits were refused" \
	eq "$(cat $CP/group_ran) $(cat $CP/group_refused) $(pstat cancelled)" "51 49 49"
echo "20 20 0" >$CP/group
check "a group without a failure: every task ran, the wait returns 0" \
	eq "$(cat $CP/group_ret) $(cat $CP/group_ran) $(cat $CP/group_refused)" "0 20 0"

# submit_timeout and max_waiters, on a pool held full
echo 1 >$KP/capacity
echo 1 >$CP/hold
echo 1 >$CP/burst
wait_for 5 eval '[ "$(pstat busy)" = 1 ]'
echo 30 >$CP/submit_timeout
check "submit_timeout on a held pool: -ETIMEDOUT, counted" \
	eq "$(cat $CP/last_ret) $(pstat timed_out) $(pstat waiters)" "-110 1 0"
echo 1 >$KP/max_waiters
# the burst thread blocks for the held worker (not a write of a client
# parameter: those are serialized, a blocked one would hold the others)
echo 1 >$CP/burst
wait_for 5 eval 'grep -qx "waiters 1" $D'
echo 100000 >$CP/submit_timeout
check "max_waiters=1: one more blocking submit gets -EBUSY at once, counted" \
	eval 'eq "$(cat $CP/last_ret) $(pstat waiters_refused)" "-16 1" &&
	      grep -qx "waiters_refused 1" $D && grep -qx "timed_out 1" $D && grep -qx "cancelled 49" $D'
echo 0 >$KP/max_waiters
echo 0 >$CP/hold
wait_for 10 eval '[ "$(cat $CP/bursting) $(pstat busy)" = "0 0" ]'
rmmod ktpool_test_client
rmmod ktpool
check "clean unload: no module, no ktpool thread left" \
	eval '! grep -q "^ktpool" /proc/modules && [ "$(threads ktpool/default)" = 0 ]'
ktap_finished
