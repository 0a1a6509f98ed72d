#!/usr/bin/env bash
# selftests.sh [series...]: for each stock kernel series (default: 6.1 6.12)
# build the modules against its headers, boot it in QEMU, run the selftests
# (scripts/selftests-guest.sh) and count the KTAP with verdict.py.
# Env: KTPOOL_TIMEOUT (seconds per boot), KTPOOL_RESULTS (file to append to).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

rc=0
for series in ${@:-6.1 6.12}; do
	rel=$(ktpool_krel "$series")
	out=$CACHE/build/$rel
	logf=$CACHE/logs/selftests-$rel.log
	if "$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 \
		>"$CACHE/logs/build-$rel.log" 2>&1; then
		# built by packaging.sh against an installed ktpool, if it ran
		cp "$CACHE/build/extclient-$rel/ktpool_extclient.ko" "$out/modules/" 2>/dev/null || true
		start=$SECONDS
		"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" \
			"$KTPOOL_ROOT/scripts/selftests-guest.sh" "$logf" || true
		log "$rel: QEMU run took $((SECONDS - start)) s"
	else
		tail -n 30 "$CACHE/logs/build-$rel.log"
		echo "KTPOOL-HARNESS: FAIL module build for $rel (see $CACHE/logs/build-$rel.log)" >"$logf"
	fi
	mkdir -p "$KTPOOL_ROOT/out" && cp "$logf" "$KTPOOL_ROOT/out/"
	v=$CACHE/logs/selftests-$rel.verdict
	python3 "$KTPOOL_ROOT/scripts/verdict.py" "$logf" ktap "selftests $rel: " >"$v" || rc=1
	cat "$v"
	[ -z "${KTPOOL_RESULTS:-}" ] || cat "$v" >>"$KTPOOL_RESULTS"
done
exit $rc
