#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A pool's sysfs directory outlives ktpool.ko harmlessly: with
# CONFIG_DEBUG_KOBJECT_RELEASE the kernel releases a kobject 1 to 4 s after
# its last put, so a release function in ktpool.ko would run after the
# module is gone (an Oops). Creates a sysfs pool, writes one of its files,
# destroys it and unloads ktpool at once (which destroys the default pool,
# a sysfs pool too), then waits 5 s for the delayed releases. A kernel that
# releases at once cannot show it: SKIP there. The delay is known from the
# kernel config (/proc/config.gz, /boot/config-<release>) or else from the
# kernel's own message for each delayed release.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 3

# config_has OPTION: 0 set, 1 not set, 2 no config to tell
config_has() {
	if [ -r /proc/config.gz ]; then
		zcat /proc/config.gz | grep -qx "CONFIG_$1=y"
		return
	fi
	f=/boot/config-$(uname -r)
	[ -r "$f" ] || return 2
	grep -qx "CONFIG_$1=y" "$f"
}

dmesg -c >/dev/null
insmod $MODDIR/ktpool.ko || ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko || ktap_exit_fail_msg "insmod client"
echo 1 >$CP/rtpool
check "a sysfs pool: its file is written, and read back" \
	eval 'echo 7 >/sys/kernel/ktpool/client-rt/max_waiters &&
	      eq "$(cat /sys/kernel/ktpool/client-rt/max_waiters)" 7'
echo 0 >$CP/rtpool
rmmod ktpool_test_client
check "ktpool unloads at once after its pools' directories went" rmmod ktpool
sleep 5
dmesg >/tmp/kobj.txt

config_has DEBUG_KOBJECT_RELEASE
cfg=$?
delayed=0
grep -q "'client-rt' (.*): kobject_release, parent .* (delayed" /tmp/kobj.txt && delayed=1
ktap_print_msg "CONFIG_DEBUG_KOBJECT_RELEASE: $(case $cfg in 0) echo set ;; 1) echo not set ;; *) echo no config ;; esac), delayed release seen: $delayed"
if [ $cfg = 0 ] || [ $delayed = 1 ]; then
	check "no kernel report from the releases after the unload" \
		eval '! grep -E "BUG:|Oops|WARNING:|general protection|KASAN|Unable to handle" /tmp/kobj.txt'
else
	ktap_test_skip "no kernel report from the releases after the unload (no CONFIG_DEBUG_KOBJECT_RELEASE)"
fi
ktap_finished
