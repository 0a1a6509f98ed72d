# SPDX-License-Identifier: GPL-2.0
# ktpool: build and test harness. The modules themselves are described by the
# top-level Kbuild; everything here drives kbuild, UML (KUnit) and QEMU.
#
#   make [module]   build every module in place against $(KDIR), W=1
#   make clean      remove build artifacts
#   make deps       install the Debian packages the harness needs
#   make style      checkpatch --strict + kernel-doc (zero findings)
#   make sparse     C=2 build against the stock 6.12 headers
#   make kunit      KUnit suites in a cached UML kernel (+ kmemleak scan)
#   make selftests  selftests/ktpool_*.sh in QEMU on stock 6.1 and 6.12
#   make run        boot stock 6.1 in QEMU and load ktpool + demo (PARAMS=...)
#   make debugkernel KUnit + selftests + kmemleak on a cached x86_64 debug
#                   kernel (KASAN, lockdep, atomic-sleep) in QEMU
#   make check      all of the above; last line "N passed, M failed"
#   make bench      bench/ktpool_bench.ko in QEMU (BENCH_KERNEL=6.1|6.12,
#                   BENCH_ARGS=..., BENCH_FULL=1); see bench/README.md
#
# Cache: $(KTPOOL_CACHE) (default ~/.cache/ktpool); logs in its logs/ and out/.

KDIR ?= $(shell bash -c '. scripts/lib.sh && ktpool_default_kdir')
PARAMS ?= capacity=4 idle_timeout_ms=2000 reap_interval_ms=500

all: module

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

clean:
	[ ! -d $(KDIR) ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf out

deps:
	@scripts/deps.sh

style: deps
	scripts/style.sh

sparse: deps
	scripts/sparse.sh

kunit: deps
	scripts/kunit.sh

selftests: deps
	scripts/selftests.sh 6.1 6.12

run: deps
	scripts/run.sh $(PARAMS)

check: deps
	scripts/check.sh

bench: deps
	scripts/bench.sh

debugkernel: deps
	scripts/debugkernel.sh

.PHONY: all module clean deps style sparse kunit selftests run check bench debugkernel
