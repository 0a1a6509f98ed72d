#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Minimal KTAP helpers for the ktpool selftests (POSIX sh / busybox ash),
# modeled on tools/testing/selftests/kselftest/ktap_helpers.sh.
# Usage: . "$(dirname "$0")/ktap.sh"; ktap_print_header; ktap_set_plan 2;
#        ktap_test_pass "desc"; ktap_test_fail "desc"; ktap_finished

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

KTAP_TESTNO=1
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0
KTAP_PLAN=0

ktap_print_header() { echo "TAP version 13"; }
ktap_print_msg() { echo "# $*"; }
ktap_set_plan() { KTAP_PLAN=$1; echo "1..$1"; }
ktap_skip_all() { echo "1..0 # SKIP $*"; }

__ktap_test() { # result description [directive]
	echo "$1 $KTAP_TESTNO $2${3:+ # $3}"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
}

ktap_test_pass() { __ktap_test ok "$1"; KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1)); }
ktap_test_skip() { __ktap_test ok "$1" SKIP; KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1)); }
ktap_test_fail() { __ktap_test "not ok" "$1"; KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1)); }

# ktap_test_result "desc" cmd args...: pass if the command succeeds
ktap_test_result() {
	desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

ktap_print_totals() {
	echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
}

ktap_exit_fail_msg() { echo "Bail out! $*"; ktap_print_totals; exit $KSFT_FAIL; }

ktap_finished() {
	ktap_print_totals
	if [ $((KTAP_CNT_PASS + KTAP_CNT_SKIP)) -eq "$KTAP_PLAN" ]; then
		exit $KSFT_PASS
	fi
	exit $KSFT_FAIL
}
