#!/usr/bin/env bash
# selftests.sh [series...]: for each stock kernel series (default: 6.1 6.12)
# build the modules against its headers, boot it in QEMU, run the selftests
# (scripts/selftests-guest.sh) and count the KTAP with verdict.py.
# The build is W=1 -Werror, and counts as a case of its own ("build: <rel>").
# Env: KTPOOL_TIMEOUT (seconds per boot), KTPOOL_RESULTS (file to append to).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

rc=0
for series in ${@:-6.1 6.12}; do
	rel=$(ktpool_krel "$series")
	out=$CACHE/build/$rel
	logf=$CACHE/logs/selftests-$rel.log
	blog=$CACHE/logs/build-werror-$rel.log
	if "$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 \
		KCFLAGS=-Werror >"$blog" 2>&1; then
		result PASS "build: $rel (W=1 -Werror)"
	else
		tail -n 40 "$blog"
		result FAIL "build: $rel (W=1 -Werror, log: $blog)"
		# a warning is a failure, but the selftests still run
		blog=$CACHE/logs/build-$rel.log
		"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 \
			>"$blog" 2>&1 || { tail -n 40 "$blog"; rm -rf "$out/modules"; }
	fi
	if [ -d "$out/modules" ]; then
		# built by packaging.sh against an installed ktpool, if it ran, and
		# only if that ktpool exported what this one does (else it skips)
		cl=$CACHE/build/extclient-$rel
		if [ -f "$cl/ktpool_extclient.ko" ] && [ -s "$cl/crcs" ] &&
			(while read -r crc sym; do
				grep -q "^${crc}[[:space:]]${sym}[[:space:]]" "$out/tree/Module.symvers" || exit 1
			done <"$cl/crcs"); then
			cp "$cl/ktpool_extclient.ko" "$out/modules/"
		elif [ -f "$cl/ktpool_extclient.ko" ]; then
			log "$rel: $cl was built against another ktpool (run scripts/packaging.sh): not used"
		fi
		start=$SECONDS
		"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" \
			"$KTPOOL_ROOT/scripts/selftests-guest.sh" "$logf" || true
		log "$rel: QEMU run took $((SECONDS - start)) s"
		# A boot of its own with two NUMA nodes, for ktpool_numa.sh alone.
		nlog=$CACHE/logs/selftests-numa-$rel.log
		# One socket per CPU: a node may not split a socket.
		KTPOOL_SMP=2,sockets=2,cores=1,threads=1 KTPOOL_QEMU_ARGS="-object memory-backend-ram,id=m0,size=1G
			-object memory-backend-ram,id=m1,size=1G
			-numa node,nodeid=0,cpus=0,memdev=m0
			-numa node,nodeid=1,cpus=1,memdev=m1" \
			"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" \
			'echo "KTPOOL-HARNESS: BEGIN ktpool_numa.sh (2 nodes)"; cd /selftests &&
			 sh ./ktpool_numa.sh; rc=$?; [ $rc = 0 ] || echo "KTPOOL-HARNESS: FAIL ktpool_numa.sh (2 nodes) exited with $rc"' \
			"$nlog" || true
		mkdir -p "$KTPOOL_ROOT/out" && cp "$nlog" "$KTPOOL_ROOT/out/"
		v=$CACHE/logs/selftests-numa-$rel.verdict
		python3 "$KTPOOL_ROOT/scripts/verdict.py" "$nlog" ktap "selftests $rel (2 NUMA nodes): " >"$v" || rc=1
		cat "$v"
		[ -z "${KTPOOL_RESULTS:-}" ] || cat "$v" >>"$KTPOOL_RESULTS"
	else
		echo "KTPOOL-HARNESS: FAIL module build for $rel (see $blog)" >"$logf"
	fi
	mkdir -p "$KTPOOL_ROOT/out" && cp "$logf" "$KTPOOL_ROOT/out/"
	v=$CACHE/logs/selftests-$rel.verdict
	python3 "$KTPOOL_ROOT/scripts/verdict.py" "$logf" ktap "selftests $rel: " >"$v" || rc=1
	cat "$v"
	[ -z "${KTPOOL_RESULTS:-}" ] || cat "$v" >>"$KTPOOL_RESULTS"
done
exit $rc
