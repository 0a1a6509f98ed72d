# SPDX-License-Identifier: GPL-2.0
# ktpool: build and test harness. The modules themselves are described by the
# top-level Kbuild; everything here drives kbuild, UML (KUnit) and QEMU.
#
#   make [module]   kmod/ktpool.ko against $(KDIR) (default: the running
#                   kernel's); needs only that directory and a compiler
#   make clean      remove build artifacts
#   make deps       install the Debian packages the harness needs
#   make style      checkpatch --strict + kernel-doc (zero findings)
#   make sparse     C=2 build against the stock 6.12 headers
#   make kunit      KUnit suites in a cached UML kernel (+ kmemleak scan)
#   make selftests  selftests/ktpool_*.sh in QEMU on stock 6.1, 6.12 and
#                   6.1 PREEMPT_RT
#   make run        boot stock 6.1 in QEMU and load ktpool + demo (PARAMS=...)
#   make debugkernel KUnit + selftests + kmemleak on a cached x86_64 debug
#                   kernel (KASAN, lockdep, atomic-sleep) in QEMU
#   make kcsankernel the same on that kernel with KCSAN in place of KASAN
#   make check      all of the above but the UML run (and deps), a table of where the time
#                   went, and last the line "N passed, M failed"
#   make check-cold make check with a throwaway, empty cache (the cold path
#                   a fresh machine takes; what CI may hide with a warm cache)
#   make torture    the torture module for 10M tasks on stock 6.1 in QEMU
#                   (TORTURE_TASKS=..., TORTURE_SECONDS=...)
#   make bench      bench/ktpool_bench.ko in QEMU (BENCH_KERNEL=6.1|6.12,
#                   BENCH_ARGS=..., BENCH_FULL=1, BENCH_PAY=0|1, BENCH_TEN=0|1,
#                   BENCH_SMP=n, BENCH_LAT=1); see bench/README.md
#   make bench-latency  make bench BENCH_LAT=1: one boot, submit-to-start
#                   latency percentiles of short tasks, idle and under load
#   make install    ktpool.ko into $(INSTALL_MOD_PATH)/lib/modules/<rel>/extra
#                   and, for clients, ktpool.h + Module.symvers into
#                   $(INSTALL_MOD_PATH)/usr/src/ktpool/<rel>/; then depmod
#   make uninstall  remove what make install put there (same KDIR)
#   make dkms-install    sources into /usr/src/ktpool-<VERSION>; dkms add,
#                   build, install (DKMS_ARGS="-k <rel>" for another kernel,
#                   DKMS_OPTS=... added to every dkms call)
#   make dkms-uninstall  dkms remove --all, and the sources
#
# Cache: $(KTPOOL_CACHE) (default ~/.cache/ktpool); logs in its logs/ and out/.

KDIR ?= /lib/modules/$(shell uname -r)/build
PARAMS ?= capacity=4 idle_timeout_ms=2000 reap_interval_ms=500
KTPOOL_VERSION := $(file < VERSION)
# The release modules built against $(KDIR) are for: Debian's 6.1 headers have
# another one in include/config/kernel.release.
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
INSTALL_MOD_PATH ?=
DEVDIR = $(INSTALL_MOD_PATH)/usr/src/ktpool/$(KREL)
DEPMOD ?= depmod
DKMS ?= dkms
DKMS_SRCTREE ?= /usr/src
DKMS_TREE ?= /var/lib/dkms
DKMS_FLAGS = -m ktpool -v $(KTPOOL_VERSION) --sourcetree $(DKMS_SRCTREE) \
	     --dkmstree $(DKMS_TREE) $(DKMS_OPTS)
DKMS_FILES = VERSION dkms.conf include/linux/ktpool.h kmod/Kbuild \
	     $(filter-out %.mod.c,$(wildcard kmod/*.[ch]))

all: module

# What a user builds and installs needs only $(KDIR) and a compiler; the
# harness targets below install the packages they need.
module: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

kdir:
	@test -d $(KDIR) || { echo "ktpool: no kernel build directory $(KDIR):" \
		"install your kernel's headers, or give KDIR=<dir>" >&2; exit 1; }

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
	scripts/selftests.sh 6.1 6.12 6.1-rt

torture: deps
	scripts/torture.sh 6.1

run: deps
	scripts/run.sh $(PARAMS)

check:
	scripts/check.sh

check-cold:
	@d=$$(mktemp -d /tmp/ktpool-cold.XXXXXX) && echo "==> cold cache: $$d" && \
	rc=0 && KTPOOL_CACHE=$$d scripts/check.sh || rc=$$?; rm -rf "$$d"; exit $$rc

bench: deps
	scripts/bench.sh

bench-latency: deps
	BENCH_LAT=1 scripts/bench.sh

bench-profile: deps
	scripts/bench-profile.sh

debugkernel: deps
	scripts/debugkernel.sh

kcsankernel: deps
	KTPOOL_KCSAN=1 scripts/debugkernel.sh

install: kdir
	@test -n "$(KREL)" || { echo "no kernel release in $(KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod KERNELRELEASE=$(KREL) \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=extra modules_install
	install -D -m 0644 include/linux/ktpool.h $(DEVDIR)/include/linux/ktpool.h
	install -D -m 0644 kmod/Module.symvers $(DEVDIR)/Module.symvers
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KREL)

uninstall: kdir
	@test -n "$(KREL)" || { echo "no kernel release in $(KDIR)" >&2; exit 1; }
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KREL)/extra/ktpool.ko*
	rm -rf $(DEVDIR)
	[ ! -d $(INSTALL_MOD_PATH)/usr/src/ktpool ] || \
		rmdir --ignore-fail-on-non-empty $(INSTALL_MOD_PATH)/usr/src/ktpool
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KREL)

dkms-install: $(DKMS_FILES)
	@$(foreach f,$(DKMS_FILES),install -v -m 0644 -D $(f) $(DKMS_SRCTREE)/ktpool-$(KTPOOL_VERSION)/$(f);)
	$(DKMS) add $(DKMS_FLAGS)
	$(DKMS) build $(DKMS_FLAGS) $(DKMS_ARGS)
	$(DKMS) install $(DKMS_FLAGS) $(DKMS_ARGS)

dkms-uninstall:
	-$(DKMS) remove $(DKMS_FLAGS) --all
	rm -rf $(DKMS_SRCTREE)/ktpool-$(KTPOOL_VERSION)

.PHONY: install uninstall dkms-install dkms-uninstall torture
.PHONY: all module kdir clean deps style sparse kunit selftests run check check-cold bench bench-latency bench-profile debugkernel kcsankernel
