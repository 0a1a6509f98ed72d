#!/usr/bin/env bash
# build-modules.sh <kdir> <outdir> [extra make args...]
# Copy the module sources into <outdir>/tree, build every module there against
# <kdir>, and collect the .ko files into <outdir>/modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

[ $# -ge 2 ] || die "usage: $0 <kdir> <outdir> [make args...]"
kdir=$1 out=$2
shift 2
[ -d "$kdir" ] || die "kernel build dir $kdir not found (run: make deps)"

ktpool_copy_tree "$out/tree"
rm -rf "$out/modules" && mkdir -p "$out/modules"
log "building modules against $kdir in $out/tree ($*)"
make -C "$kdir" M="$out/tree" -j"$(nproc)" "$@" modules
find "$out/tree" -name '*.ko' -exec cp {} "$out/modules/" \;
ls "$out/modules"
