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

# pids NAME: the pids of the kthreads whose comm is NAME
pids() {
	for f in /proc/[0-9]*/comm; do
		read -r c <"$f" 2>/dev/null && [ "$c" = "$1" ] &&
			{ f=${f#/proc/}; echo "${f%/comm}"; }
	done
}

# statf PID N: field N of /proc/PID/stat (19 nice, 40 rt_priority, 41 policy)
statf() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f$(($2 - 2))
}

# all NAME CMD...: CMD PID succeeds for every thread NAME, and there is one
all() {
	name=$1
	shift
	n=0
	for p in $(pids "$name"); do
		"$@" "$p" || { ktap_print_msg "pid $p: $* failed"; return 1; }
		n=$((n + 1))
	done
	[ $n -gt 0 ] || { ktap_print_msg "no thread $name"; return 1; }
}

nice_is() { [ "$(statf "$2" 19)" = "$1" ] || { ktap_print_msg "nice $(statf "$2" 19)"; return 1; }; }
cpus_is() {
	got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$2/status")
	[ "$got" = "$1" ] || { ktap_print_msg "Cpus_allowed_list $got"; return 1; }
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

# einval FILE VALUE: writing VALUE (echo adds a newline) to FILE fails, EINVAL
einval() {
	if err=$({ echo "$2" >"$1"; } 2>&1); then
		ktap_print_msg "$1: '$2' was accepted"
		return 1
	fi
	[ "${err%Invalid argument}" != "$err" ] && return 0
	ktap_print_msg "$1: '$2' failed with: $err"
	return 1
}
