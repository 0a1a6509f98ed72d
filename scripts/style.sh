#!/usr/bin/env bash
# style.sh: checkpatch.pl --strict and kernel-doc -Wall (from linux-source-6.12)
# on the module sources, kernel-doc -rst on the API, and docutils on
# Documentation/*.rst. Zero findings required. Prints PASS/FAIL lines.
# Env: KTPOOL_RESULTS (file to append PASS/FAIL lines to).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

src=$(ktpool_src)
cd "$KTPOOL_ROOT"
rc=0

mapfile -t files < <(find kmod include kunit selftests samples bench \
	-name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
if [ ${#files[@]} -eq 0 ]; then
	result FAIL "style: checkpatch (no .c/.h files found)"
elif "$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types -f "${files[@]}"; then
	result PASS "style: checkpatch"
else
	result FAIL "style: checkpatch"
fi

mapfile -t docs < <({ ls include/linux/ktpool.h 2>/dev/null;
	grep -l EXPORT_SYMBOL kmod/*.c 2>/dev/null; } | sort -u)
if [ ${#docs[@]} -eq 0 ]; then
	result FAIL "style: kernel-doc (no files found)"
elif out=$("$src/scripts/kernel-doc" -none -Wall "${docs[@]}" 2>&1) && [ -z "$out" ]; then
	result PASS "style: kernel-doc"
else
	echo "$out"
	result FAIL "style: kernel-doc"
fi

# What Sphinx gets for Documentation/ktpool.rst. -sphinx-version only silences
# the notice that this host has no Sphinx; any other output is a finding.
if [ ! -f include/linux/ktpool.h ]; then
	result FAIL "style: kernel-doc rst (no header)"
elif out=$("$src/scripts/kernel-doc" -rst -Wall -sphinx-version 3.4.3 \
	"${docs[@]}" 2>&1 >/dev/null) && [ -z "$out" ]; then
	result PASS "style: kernel-doc rst"
else
	echo "$out"
	result FAIL "style: kernel-doc rst"
fi

# Documentation/*.rst through docutils (python3-docutils), warnings included.
if /usr/bin/python3 scripts/rstcheck.py . Documentation/*.rst; then
	result PASS "style: rst (docutils)"
else
	result FAIL "style: rst (docutils)"
fi
exit $rc
