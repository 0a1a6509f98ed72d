#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# KTPOOL_FREEZABLE across a system freeze (pm_test=freezer: the tasks are
# frozen, held frozen for pm_test's delay, and thawed; nothing suspends).
# The client's pool client-frz (capacity 1, min_threads 1) has a task held
# busy and a submitter (a freezable kthread of the client, holding no
# lock) blocked in an anyway submit behind it. The freeze must succeed
# (the blocked submitter freezes), the worker must freeze before it starts
# the queued task, the default pool (not freezable) must run a task
# meanwhile, and the queued task must run after the thaw. A watcher
# kthread of the client, not freezable, looks.
. "$(dirname "$0")/lib.sh"

ktap_print_header
P=/sys/power
if [ ! -w $P/pm_test ] || [ ! -w $P/state ]; then
	ktap_skip_all "this kernel has no $P/pm_test (CONFIG_PM_DEBUG) or $P/state"
	exit $KSFT_SKIP
fi
if grep -qw mem $P/state; then st=mem; elif grep -qw freeze $P/state; then st=freeze; else
	ktap_skip_all "no suspend state in $P/state: $(cat $P/state)"
	exit $KSFT_SKIP
fi
ktap_set_plan 6

insmod $MODDIR/ktpool.ko || ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko task_ms=10 || ktap_exit_fail_msg "insmod client"
D=/sys/kernel/debug/ktpool/client-frz/stats

check "a freezable pool with one reserve worker" \
	eval 'echo 1 >$CP/frztest && grep -qx "flags freezable" $D && [ "$(threads ktpool/client-frz)" = 1 ]'

echo 1 >$CP/hold
echo 2 >$CP/frzsync
wait_for 5 eval 'grep -qx "waiters 1" $D'
echo freezer >$P/pm_test
check "the freeze succeeds with a busy worker and a blocked submitter" \
	eval 'echo $st >$P/state'
echo none >$P/pm_test
r=$(cat $CP/frzresult)
ktap_print_msg "watcher: $r"
check "the worker of the freezable pool was frozen" eval 'echo "$r" | grep -q "seen_frozen=1"'
check "no task of it started while it was frozen" eval 'echo "$r" | grep -q "started_frozen=1 "'
check "the default pool ran a task while it was frozen" eval 'echo "$r" | grep -q "default_ran_frozen=1"'
frz_synced() { grep -q "frz_started=2 sync_ret=0$" $CP/frzresult; }
check "after the thaw the queued task ran, the submit returned 0" \
	wait_for 5 frz_synced
echo 0 >$CP/hold
echo 0 >$CP/frztest
rmmod ktpool_test_client
rmmod ktpool
ktap_finished
