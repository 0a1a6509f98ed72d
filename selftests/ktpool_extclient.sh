#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The out-of-tree client that scripts/packaging.sh built against an installed
# ktpool (its header and Module.symvers only) loads on this ktpool.ko, runs
# its tasks on the default pool and a pool of its own, and unloads.
. "$(dirname "$0")/lib.sh"

ktap_print_header
if [ ! -f "$MODDIR"/ktpool_extclient.ko ]; then
	ktap_skip_all "no ktpool_extclient.ko (run scripts/packaging.sh first)"
	exit 4
fi
ktap_set_plan 3

insmod "$MODDIR"/ktpool.ko || ktap_exit_fail_msg "insmod ktpool"
check "the out-of-tree client loads and all its tasks run" \
	insmod "$MODDIR"/ktpool_extclient.ko
check "it depends on ktpool" \
	eval 'grep -q "^ktpool [0-9]* 1 ktpool_extclient" /proc/modules'
rmmod ktpool_extclient
rmmod ktpool
check "clean unload" eval '! grep -q "^ktpool" /proc/modules'
ktap_finished
