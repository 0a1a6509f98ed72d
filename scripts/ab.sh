#!/usr/bin/env bash
# ab.sh <rev-a> <rev-b> [rounds]: judge a change by alternating quick boots
# of two versions of the tree on one stock kernel (BENCH_KERNEL, default
# 6.12). Each round boots a, then b (b first in every other round), twice
# each: 1M nop tasks from one and two submitters, then 20k sleep tasks of
# 10 ms with a 4 KiB payload, both at C=256. Only ratios within one boot
# mean anything here, so the verdict is each mode's ratio of time to
# cmwq_unbound in its boot, median (min-max) over the rounds, a against b.
# Every boot's CSV is kept in out/ab/<rev-a>-<rev-b>/.
# Env: AB_MODES (default ktpool_try,ktpool_anyway,cmwq_unbound).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: scripts/ab.sh <rev-a> <rev-b> [rounds]"
rounds=${3:-4}
modes=${AB_MODES:-ktpool_try,ktpool_anyway,cmwq_unbound}
series=${BENCH_KERNEL:-6.12}
rel=$(ktpool_krel "$series")
a=$(git -C "$KTPOOL_ROOT" rev-parse --short "$1")
b=$(git -C "$KTPOOL_ROOT" rev-parse --short "$2")
out=$KTPOOL_ROOT/out/ab/$a-$b
work=$CACHE/ab
mkdir -p "$out" "$work"
cases=(
	"nop:workloads=nop nop_tasks=1000000 submitters=1,2 modes=$modes"
	"sleep:workloads=sleep sleep_tasks=20000 sleep_us=10000 payload=4096 submitters=1 modes=$modes"
)

for side in a b; do
	rev=${!side}
	git -C "$KTPOOL_ROOT" worktree remove --force "$work/$side" 2>/dev/null || rm -rf "${work:?}/$side"
	git -C "$KTPOOL_ROOT" worktree add -q --detach "$work/$side" "$rev"
done

for r in $(seq "$rounds"); do
	order="a b"
	[ $((r % 2)) = 1 ] || order="b a"
	for side in $order; do
		for c in "${cases[@]}"; do
			name=${c%%:*}
			log "round $r of $rounds: $side (${!side}), $name"
			BENCH_KERNEL=$series BENCH_ARGS=${c#*:} KTPOOL_CACHE=$work/cache-$side \
				"$work/$side/scripts/bench.sh" >"$work/$side.log" 2>&1 ||
				{ tail -n 20 "$work/$side.log"; die "bench of $side failed"; }
			cp "$work/$side/bench/results/$rel.csv" "$out/$side-$name-round$r.csv"
		done
	done
done

python3 - "$out" "$a" "$b" <<'EOF' | tee "$out/summary.txt"
import csv, glob, os, statistics, sys
out, revs = sys.argv[1], {'a': sys.argv[2], 'b': sys.argv[3]}
ratios = {}
for path in sorted(glob.glob(os.path.join(out, '*-round*.csv'))):
    side = os.path.basename(path)[0]
    for row in csv.DictReader(open(path)):
        if row['mode'] == 'cmwq_unbound' or row['status'] != 'ok':
            continue
        key = (row['workload'], row['tasks'], row['submitters'], row['mode'])
        ratios.setdefault(key, {}).setdefault(side, []).append(
            float(row['ratio_to_cmwq_unbound']))
print(f"ratio of time to cmwq_unbound, median (min-max); a = {revs['a']}, b = {revs['b']}")
print('| workload | tasks | submitters | mode | a | b | b/a |')
print('|---|---|---|---|---|---|---|')
for key in sorted(ratios):
    cell, med = [], {}
    for side in 'ab':
        v = ratios[key].get(side, [])
        med[side] = statistics.median(v) if v else None
        cell.append(f'{med[side]:.3f} ({min(v):.3f}-{max(v):.3f}), n={len(v)}' if v else '-')
    rel = f"{med['b'] / med['a']:.3f}" if med['a'] and med['b'] else '-'
    print('| ' + ' | '.join(list(key) + cell + [rel]) + ' |')
EOF
for side in a b; do
	git -C "$KTPOOL_ROOT" worktree remove --force "$work/$side"
done
