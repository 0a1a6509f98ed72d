#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The torture module: random submits on several pools, capacity and timeout
# changes, drains, failing spawns, destroys under blocked submitters, group
# rounds (random limits, failing tasks, cancels, waits). Sized
# by a count, TORTURE_TASKS (kernel command line or environment; 100000 in
# `make check`, 10M in `make torture`): the run ends when that many tasks
# were submitted and the chaos thread did its quota of each kind of work.
# TORTURE_SECONDS is only a guard against a hang.
. "$(dirname "$0")/lib.sh"

tasks=${TORTURE_TASKS:-100000}
guard=${TORTURE_SECONDS:-1800}
TP=/sys/module/ktpool_torture/parameters

ktap_print_header
ktap_set_plan 10

insmod $MODDIR/ktpool.ko reap_interval_ms=1 || ktap_exit_fail_msg "insmod ktpool"
start=$(cut -d. -f1 /proc/uptime)
insmod $MODDIR/ktpool_torture.ko max_tasks=$tasks duration_s=$guard ||
	ktap_exit_fail_msg "insmod ktpool_torture"
wait_for $((guard + 120)) eval '[ "$(cat $TP/state)" = done ]'
ktap_print_msg "ran $(cat $TP/ran) of $(cat $TP/accepted) accepted tasks in $(($(cut -d. -f1 /proc/uptime) - start)) s"
dmesg | grep "ktpool_torture: summary" | sed 's/^/# /'

check "the run finished" eq "$(cat $TP/state)" done
check "every accepted task ran (lost=0)" eq "$(cat $TP/lost)" 0
check "no task ran twice (duplicated=0)" eq "$(cat $TP/duplicated)" 0
check "no refused task ran (ran_refused=0)" eq "$(cat $TP/ran_refused)" 0
check "the thread bound held at every sample" eq "$(cat $TP/bound_violations)" 0
check "no unexpected errno, destroy under blocked submitters passed" \
	eval 'eq "$(cat $TP/errors)" 0 && [ "$(cat $TP/victims_ok)" -ge 1 ]'
# the work, not the guard, ended it: every task and the chaos quota
check "all $tasks tasks submitted, drains, destroy rounds, IRQ submits done" \
	eval 'eq "$(cat $TP/ended_by)" count && [ "$(cat $TP/submitted)" -ge '"$tasks"' ] &&
	      [ "$(cat $TP/drains)" -ge 5 ] && [ "$(cat $TP/victim_rounds)" -ge 2 ] &&
	      [ "$(cat $TP/irq_submits)" -ge 1 ]'
# spawn failures are kernel fault injection, which stock kernels lack
if [ "$(cat $TP/fault_injection)" = Y ]; then
	check "spawn failures injected and survived" \
		eval '[ "$(cat $TP/spawn_fails)" -ge 3 ]'
else
	ktap_test_skip "spawn failures (no fault injection in this kernel)"
fi
check "group rounds ran, some with a failing task, some cancelled (errors=0 checks their waits)" \
	eval '[ "$(cat $TP/groups)" -ge 1 ] && [ "$(cat $TP/group_refused)" -ge 1 ]'
check "some submits were accepted, some inline, some refused" \
	eval '[ "$(cat $TP/accepted)" -ge 1 ] && [ "$(cat $TP/ran)" -ge 1 ]'
rmmod ktpool_torture
rmmod ktpool
ktap_finished
