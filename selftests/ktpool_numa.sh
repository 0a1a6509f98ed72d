#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NUMA: a pool created with attrs.node = N creates its workers on node N
# (kthread_create_on_node(): the worker's task_struct is on N; its stack may
# be one the kernel cached, from any node); a node that is not
# online is refused with EINVAL and nothing is created. With one node (the
# usual boot) node 0 is checked; scripts/selftests.sh also boots each stock
# kernel with two nodes (QEMU -numa) to run this test alone, and then node 1
# is checked too.
. "$(dirname "$0")/lib.sh"

nodes=1
[ -d /sys/devices/system/node/node0 ] &&
	nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
ktap_print_header
ktap_print_msg "$nodes NUMA node(s) online"
if [ "$nodes" -gt 1 ]; then ktap_set_plan 4; else ktap_set_plan 3; fi

insmod $MODDIR/ktpool.ko || ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko || ktap_exit_fail_msg "insmod client"

check "a pool on node 0: its worker is on node 0" \
	eval 'echo 0 >$CP/numapool && eq "$(cat $CP/numaseen) $(threads ktpool/client-numa)" "0 1"'
if [ "$nodes" -gt 1 ]; then
	check "a pool on node 1: its worker is on node 1" \
		eval 'echo 1 >$CP/numapool && eq "$(cat $CP/numaseen) $(threads ktpool/client-numa)" "1 1"'
fi
check "a node not online, or negative, is refused; nothing is created" \
	eval '! echo $nodes >$CP/numapool 2>/dev/null && ! echo 4096 >$CP/numapool 2>/dev/null &&
	      ! echo -2 >$CP/numapool 2>/dev/null && eq "$(cat $CP/numaseen) $(threads ktpool/client-numa)" "-1 0"'
check "destroyed: no thread left" \
	eval 'echo 0 >$CP/numapool && echo -1 >$CP/numapool && eq "$(threads ktpool/client-numa)" 0'
rmmod ktpool_test_client
rmmod ktpool
ktap_finished
