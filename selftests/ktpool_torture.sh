#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The torture module: random submits on several pools, capacity and timeout
# changes, drains, failing spawns, destroys under blocked submitters. Sized by
# TORTURE_TASKS and TORTURE_SECONDS (kernel command line or environment).
. "$(dirname "$0")/lib.sh"

tasks=${TORTURE_TASKS:-1000000}
secs=${TORTURE_SECONDS:-240}
TP=/sys/module/ktpool_torture/parameters

ktap_print_header
ktap_set_plan 7

insmod $MODDIR/ktpool.ko reap_interval_ms=1 || ktap_exit_fail_msg "insmod ktpool"
start=$(cut -d. -f1 /proc/uptime)
insmod $MODDIR/ktpool_torture.ko max_tasks=$tasks duration_s=$secs ||
	ktap_exit_fail_msg "insmod ktpool_torture"
wait_for $((secs + 120)) eval '[ "$(cat $TP/state)" = done ]'
ktap_print_msg "ran $(cat $TP/ran) of $(cat $TP/accepted) accepted tasks in $(($(cut -d. -f1 /proc/uptime) - start)) s"
dmesg | grep "ktpool_torture: summary" | sed 's/^/# /'

check "the run finished" eq "$(cat $TP/state)" done
check "every accepted task ran (lost=0)" eq "$(cat $TP/lost)" 0
check "no task ran twice (duplicated=0)" eq "$(cat $TP/duplicated)" 0
check "no refused task ran (ran_refused=0)" eq "$(cat $TP/ran_refused)" 0
check "the thread bound held at every sample" eq "$(cat $TP/bound_violations)" 0
check "no unexpected errno, destroy under blocked submitters passed" \
	eval 'eq "$(cat $TP/errors)" 0 && [ "$(cat $TP/victims_ok)" -ge 1 ]'
check "at least $tasks tasks were submitted" eval '[ "$(cat $TP/submitted)" -ge '"$tasks"' ]'
rmmod ktpool_torture
rmmod ktpool
ktap_finished
