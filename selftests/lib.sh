#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the ktpool selftests (busybox sh in the QEMU guest).
. "$(dirname "$0")/ktap.sh"

MODDIR=${KTPOOL_MODDIR:-/modules}
KP=/sys/module/ktpool/parameters
CP=/sys/module/ktpool_test_client/parameters

# threads NAME: live kthreads whose comm is NAME
threads() {
	n=0
	for f in /proc/[0-9]*/comm; do
		read -r c <"$f" 2>/dev/null && [ "$c" = "$1" ] && n=$((n + 1))
	done
	echo $n
}

# pstat FIELD: one field of the default pool's stats, read through the client
pstat() {
	tr ' ' '\n' <$CP/stats | sed -n "s/^$1=//p"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds. SECONDS
# is what a fast machine needs; the guard is KTPOOL_SLACK (default 10) times
# that, for TCG, debug kernels and busy hosts. It returns as soon as CMD
# succeeds, so the slack costs nothing when all is well.
wait_for() {
	t=$(($1 * 10 * ${KTPOOL_SLACK:-10}))
	shift
	while [ $t -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		t=$((t - 1))
	done
	"$@"
}

# check DESC CMD...: a KTAP result for CMD, with what it saw on failure
check() {
	desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

eq() { [ "$1" = "$2" ] || { ktap_print_msg "expected '$2', got '$1'"; return 1; }; }
le() { [ "$1" -le "$2" ] || { ktap_print_msg "expected <= $2, got $1"; return 1; }; }
