#!/usr/bin/env bash
# sparse.sh: build every module with C=2 against the stock 6.12 headers;
# any `warning:` or `error:` line in the build log fails.
# Env: KTPOOL_RESULTS (file to append PASS/FAIL lines to).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

rel=$(ktpool_krel 6.12)
logf=$CACHE/logs/sparse-$rel.log
rc=0
"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$CACHE/build/sparse-$rel" \
	C=2 >"$logf" 2>&1 || rc=$?
if [ $rc -eq 0 ] && ! grep -qE 'warning:|error:' "$logf"; then
	line="PASS sparse ($rel)"
else
	grep -E 'warning:|error:' "$logf" || tail -n 30 "$logf"
	line="FAIL sparse ($rel, log: $logf)"
	rc=1
fi
echo "$line"
[ -z "${KTPOOL_RESULTS:-}" ] || echo "$line" >>"$KTPOOL_RESULTS"
exit $rc
