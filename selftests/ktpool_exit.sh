#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A client whose module_exit submits a 200 ms task to the default pool with
# try, anyway and nowait (idle workers waiting): every call is refused with
# ENODEV, no task is accepted or run after the module is gone, no kernel
# report, and ktpool keeps working afterwards. Then a client that leaves a
# pool behind: unloading ktpool warns, naming it, and stops its worker.
. "$(dirname "$0")/lib.sh"

D=/sys/kernel/debug/ktpool/default/stats
dstat() { sed -n "s/^$1 //p" $D; }

ktap_print_header
ktap_set_plan 8

insmod $MODDIR/ktpool.ko capacity=4 idle_timeout_ms=0 || ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko task_ms=20 || ktap_exit_fail_msg "insmod client"
# Workers that stay idle, so that nowait in the exit would be accepted.
echo 3 >$CP/tryburst
wait_for 10 eval '[ "$(cat $CP/done)" = 3 ] && [ "$(dstat busy)" = 0 ]'
check "the default pool has idle workers" eval '[ "$(dstat idle)" -ge 1 ]'

dmesg -c >/dev/null
insmod $MODDIR/ktpool_exit_client.ko || ktap_exit_fail_msg "insmod exit client"
before=$(dstat submitted)
rmmod ktpool_exit_client
dmesg >/tmp/exit.txt
sed -n 's/.*ktpool_exit_client: /# /p' /tmp/exit.txt
check "try, anyway and nowait from module_exit get ENODEV" \
	grep -q "ktpool_exit_client: exit: try=-19 anyway=-19 nowait=-19" /tmp/exit.txt
check "nothing was accepted for the departed module" \
	eq "$(dstat submitted) $(dstat busy)" "$before 0"

echo 250 >$CP/task_ms
echo 2 >$CP/burst
wait_for 10 eval '[ "$(cat $CP/done)" = 5 ]'
check "ktpool keeps working afterwards" eq "$(cat $CP/done) $(cat $CP/errors)" "5 0"
dmesg >/tmp/exit.txt
check "no kernel report" eval '! grep -qE "BUG:|Oops|WARNING:|general protection" /tmp/exit.txt'
rmmod ktpool_test_client

insmod $MODDIR/ktpool_exit_client.ko leak_pool=1 || ktap_exit_fail_msg "insmod leaking client"
rmmod ktpool_exit_client
check "the leaked pool's worker outlives its client" eq "$(threads ktpool/leaked)" 1
dmesg -c >/dev/null
check "ktpool unloads" rmmod ktpool
dmesg >/tmp/exit.txt
sed -n 's/.*ktpool: /# /p' /tmp/exit.txt
check "the unload warns, naming the leaked pool, and stops its worker" \
	eval 'grep -q "ktpool: pool leaked was not destroyed by its creator" /tmp/exit.txt &&
	      [ "$(threads ktpool/leaked)" = 0 ]'
ktap_finished
