// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool module: the knobs, the default pool, init and exit. A pool's knob
 * is also a file of /sys/kernel/ktpool/<pool>/; its parameter acts on the
 * default pool once it exists, and before (at load) sets what it starts with.
 */

#include <kunit/visibility.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "ktpool_inject.h"
#include "ktpool_internal.h"

#define CREATE_TRACE_POINTS
#include "ktpool_trace.h"

/* A pool's knob is at @field in struct ktpool; a module-wide one (@field -1) is @val. */
struct ktpool_knob {
	struct kobj_attribute attr;	/* I: the name, and a pool's file */
	s64 min, max;			/* I: the range; a cpulist has none */
	int field;			/* I */
	int (*set)(struct ktpool *pool, unsigned int v);	/* I */
	void (*edit)(struct ktpool_attrs *attrs, s64 v,		/* I */
		     const struct cpumask *mask);
	s64 val;			/* kernel_param_lock to write; READ_ONCE */
};

enum {
	KNOB_CAPACITY, KNOB_IDLE_TIMEOUT, KNOB_MAX_WAITERS, KNOB_NICE,
	KNOB_CPUMASK, KNOB_MIN_THREADS,
	KNOB_NR_POOL,		/* a pool's above, module-wide below */
	KNOB_REAP_INTERVAL = KNOB_NR_POOL, KNOB_STALL_WARN, KNOB_SPIN, KNOB_NR,
};

/* The default pool's cpumask until it exists (kernel_param_lock). */
static struct cpumask ktpool_cpus;
static bool ktpool_cpus_given;			/* else every CPU */
static struct ktpool *ktpool_default_pool;	/* kernel_param_lock */
static int ktpool_cpuhp_state;			/* I: ktpool_cpu_online() */

static bool ktpool_knob_cpulist(const struct ktpool_knob *k)
{
	return k->field == (int)offsetof(struct ktpool, cpumask);
}

/* Shorter than a page: a write cut at a page may be part of a longer list. */
static int ktpool_parse_cpulist(const char *buf, struct cpumask *mask)
{
	if (strnlen(buf, PAGE_SIZE) >= PAGE_SIZE)
		return -EINVAL;
	buf = skip_spaces(buf);
	/* A new mask needs an online CPU: the pool's apply (or create) judges. */
	if (!*buf || cpulist_parse(buf, mask))
		return -EINVAL;
	return 0;
}

static int ktpool_knob_parse(const struct ktpool_knob *k, const char *buf,
			     s64 *v, struct cpumask *mask)
{
	if (ktpool_knob_cpulist(k))
		return ktpool_parse_cpulist(buf, mask);
	/* Unsigned takes no sign; above S64_MAX it reads negative: too low. */
	if (k->min < 0 ? kstrtoll(buf, 0, v) : kstrtoull(buf, 0, (u64 *)v))
		return -EINVAL;
	return *v < k->min || *v > k->max ? -EINVAL : 0;
}

/* @pool NULL: no default pool yet. */
static int ktpool_knob_write(struct ktpool_knob *k, struct ktpool *pool,
			     const char *buf, bool param)
{
	cpumask_var_t mask;
	s64 v = 0;
	int ret;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = ktpool_knob_parse(k, buf, &v, mask);
	if (!ret && pool && k->edit)
		ret = ktpool_update_attrs(pool, k->edit, v, mask);
	else if (!ret && pool && k->field >= 0)
		ret = k->set(pool, v);
	if (ret || !param)
		goto out;
	WRITE_ONCE(k->val, v);
	if (ktpool_knob_cpulist(k)) {
		cpumask_copy(&ktpool_cpus, mask);
		ktpool_cpus_given = true;
	}
	if (k->field < 0 && k->set)
		k->set(NULL, v);
out:
	free_cpumask_var(mask);
	return ret;
}

static int ktpool_knob_read(const struct ktpool_knob *k, struct ktpool *pool, char *buf)
{
	s64 v = READ_ONCE(k->val);
	int ret;

	if (ktpool_knob_cpulist(k) && !pool)
		return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(ktpool_cpus_given ?
								 &ktpool_cpus : cpu_possible_mask));
	if (ktpool_knob_cpulist(k)) {
		cpumask_var_t mask;

		/* Formatted after L: up to nr_cpu_ids bits, not with IRQs off. */
		if (!alloc_cpumask_var(&mask, GFP_KERNEL))
			return -ENOMEM;
		raw_spin_lock_irq(&pool->lock);
		cpumask_copy(mask, pool->cpumask);
		raw_spin_unlock_irq(&pool->lock);
		ret = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(mask));
		free_cpumask_var(mask);
		return ret;
	}
	if (pool && k->field >= 0)
		v = READ_ONCE(*(unsigned int *)((char *)pool + k->field));
	if (k->min < 0)
		return sysfs_emit(buf, "%d\n", (int)v);
	return sysfs_emit(buf, "%u\n", (unsigned int)v);
}

static ssize_t ktpool_knob_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct ktpool *pool = ktpool_sysfs_pool(kobj);

	if (!pool)
		return -ENODEV;
	return ktpool_knob_read(container_of(attr, struct ktpool_knob, attr), pool, buf);
}

static ssize_t ktpool_knob_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf, size_t count)
{
	struct ktpool *pool = ktpool_sysfs_pool(kobj);
	int ret = -ENODEV;

	if (pool)
		ret = ktpool_knob_write(container_of(attr, struct ktpool_knob,
						     attr), pool, buf, false);
	return ret ?: count;
}

static void ktpool_edit_nice(struct ktpool_attrs *attrs, s64 v, const struct cpumask *mask)
{
	attrs->nice = v;
}

static void ktpool_edit_cpumask(struct ktpool_attrs *attrs, s64 v, const struct cpumask *mask)
{
	attrs->cpumask = mask;
}

static void ktpool_edit_min_threads(struct ktpool_attrs *attrs, s64 v, const struct cpumask *mask)
{
	attrs->min_threads = v;
}

static int ktpool_retime_reapers(struct ktpool *unused, unsigned int v)
{
	ktpool_visit_pools(ktpool_retime_reaper);
	return 0;
}

static int ktpool_stall_warn_set(struct ktpool *unused, unsigned int v)
{
	if (v && ktpool_default_pool)
		ktpool_watchdog_start();
	return 0;
}

#define KNOB(_name, _min, _max, _field)					\
	.attr = __ATTR(_name, 0644, ktpool_knob_show, ktpool_knob_store),	\
	.min = (_min), .max = (_max), .field = (_field)
#define FIELD(f)	offsetof(struct ktpool, f)

static struct ktpool_knob ktpool_knobs[KNOB_NR] = {
	[KNOB_CAPACITY] = { KNOB(capacity, 1, KTPOOL_MAX_CAPACITY, FIELD(capacity)),
			    .set = ktpool_set_capacity, .val = 64 },
	[KNOB_IDLE_TIMEOUT] = { KNOB(idle_timeout_ms, 0, KTPOOL_MAX_IDLE_TIMEOUT_MS,
				     FIELD(idle_timeout_ms)),
				.set = ktpool_set_idle_timeout, .val = 10000 },
	[KNOB_MAX_WAITERS] = { KNOB(max_waiters, 0, UINT_MAX, FIELD(max_waiters)),
			       .set = ktpool_set_max_waiters },
	[KNOB_NICE] = { KNOB(nice, MIN_NICE, MAX_NICE, FIELD(nice)),
			.edit = ktpool_edit_nice },
	[KNOB_CPUMASK] = { KNOB(cpumask, 0, 0, FIELD(cpumask)),
			   .edit = ktpool_edit_cpumask },
	[KNOB_MIN_THREADS] = { KNOB(min_threads, 0, KTPOOL_MAX_CAPACITY, FIELD(min_threads)),
			       .edit = ktpool_edit_min_threads },
	[KNOB_REAP_INTERVAL] = { KNOB(reap_interval_ms, 1, 60000, -1),
				 .set = ktpool_retime_reapers, .val = 1000 },
	[KNOB_STALL_WARN] = { KNOB(stall_warn_ms, 0, KTPOOL_MAX_IDLE_TIMEOUT_MS, -1),
			      .set = ktpool_stall_warn_set },
	[KNOB_SPIN] = { KNOB(spin_us, 0, 1000, -1) },
};

/* The files of a pool's directory: its knobs (set at init). */
static struct attribute *ktpool_knob_attrs[KNOB_NR_POOL + 1];
static const struct attribute_group ktpool_knob_group = {
	.attrs = ktpool_knob_attrs,
};

const struct attribute_group *ktpool_knob_groups[] = {
	&ktpool_knob_group,
	NULL,
};

static int ktpool_param_set(const char *buf, const struct kernel_param *kp)
{
	return ktpool_knob_write(kp->arg, ktpool_default_pool, buf, true);
}

static int ktpool_param_get(char *buf, const struct kernel_param *kp)
{
	return ktpool_knob_read(kp->arg, ktpool_default_pool, buf);
}

static const struct kernel_param_ops ktpool_param_ops = {
	.set = ktpool_param_set,
	.get = ktpool_param_get,
};

/* Their ranges and defaults are in Documentation/ktpool.rst. */
#define KTPOOL_PARAM(_name, _knob)					\
	module_param_cb(_name, &ktpool_param_ops, &ktpool_knobs[_knob], 0644)

KTPOOL_PARAM(capacity, KNOB_CAPACITY);
MODULE_PARM_DESC(capacity, "most kthreads of the default pool");
KTPOOL_PARAM(idle_timeout_ms, KNOB_IDLE_TIMEOUT);
MODULE_PARM_DESC(idle_timeout_ms, "stop default-pool workers idle this long");
KTPOOL_PARAM(nice, KNOB_NICE);
MODULE_PARM_DESC(nice, "nice value of the default pool's workers");
KTPOOL_PARAM(cpumask, KNOB_CPUMASK);
MODULE_PARM_DESC(cpumask, "CPUs of the default pool's workers, a cpulist");
KTPOOL_PARAM(min_threads, KNOB_MIN_THREADS);
MODULE_PARM_DESC(min_threads, "default-pool workers never reaped");
KTPOOL_PARAM(max_waiters, KNOB_MAX_WAITERS);
MODULE_PARM_DESC(max_waiters, "most callers blocked for a default-pool worker");
KTPOOL_PARAM(reap_interval_ms, KNOB_REAP_INTERVAL);
MODULE_PARM_DESC(reap_interval_ms, "least time between two runs of a reaper");
KTPOOL_PARAM(stall_warn_ms, KNOB_STALL_WARN);
MODULE_PARM_DESC(stall_warn_ms, "warn once about a task running longer");
KTPOOL_PARAM(spin_us, KNOB_SPIN);
MODULE_PARM_DESC(spin_us, "how long an idle worker polls before it sleeps");

static unsigned int ktpool_knob(int knob)
{
	return READ_ONCE(ktpool_knobs[knob].val);
}

unsigned long ktpool_reap_interval(void)
{
	return msecs_to_jiffies(ktpool_knob(KNOB_REAP_INTERVAL));
}

unsigned int ktpool_stall_warn_ms(void)
{
	return ktpool_knob(KNOB_STALL_WARN);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * ktpool_test_reap_interval() - set reap_interval_ms as its parameter would
 * @ms: the least time between two runs of a reaper
 *
 * Context: process context.
 * Return: 0, or -EINVAL out of the parameter's range.
 */
int ktpool_test_reap_interval(unsigned int ms)
{
	char buf[12];
	int ret;

	snprintf(buf, sizeof(buf), "%u", ms);
	kernel_param_lock(THIS_MODULE);
	ret = ktpool_knob_write(&ktpool_knobs[KNOB_REAP_INTERVAL], NULL, buf, true);
	kernel_param_unlock(THIS_MODULE);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_test_reap_interval);
#endif

/* Polling on the only CPU would just delay whoever it waits for. */
u64 ktpool_spin_ns(void)
{
	if (num_online_cpus() < 2)
		return 0;
	return (u64)ktpool_knob(KNOB_SPIN) * NSEC_PER_USEC;
}

/**
 * ktpool_default() - the default pool, tuned by the module parameters
 *
 * Context: any context.
 * Return: the default pool; valid while ktpool.ko is loaded (a module that
 * uses it depends on ktpool.ko, so it always is).
 */
struct ktpool *ktpool_default(void)
{
	return READ_ONCE(ktpool_default_pool);
}
EXPORT_SYMBOL_GPL(ktpool_default);

static int __init ktpool_init(void)
{
	struct ktpool_attrs attrs = KTPOOL_ATTRS_INIT;
	struct ktpool *pool;
	int i, ret;

	for (i = 0; i < KNOB_NR_POOL; i++)
		ktpool_knob_attrs[i] = &ktpool_knobs[i].attr.attr;
	ktpool_debugfs_init();
	ret = ktpool_sysfs_init();
	if (ret)
		goto err_sysfs;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "ktpool:online",
					ktpool_cpu_online, NULL);
	if (ret < 0)
		goto err_cpuhp;
	ktpool_cpuhp_state = ret;

	kernel_param_lock(THIS_MODULE);
	attrs.nice = ktpool_knobs[KNOB_NICE].val;
	attrs.cpumask = ktpool_cpus_given ? &ktpool_cpus : NULL;
	attrs.min_threads = ktpool_knob(KNOB_MIN_THREADS);
	attrs.flags = KTPOOL_SYSFS;
	pool = ktpool_create_attrs("default", ktpool_knob(KNOB_CAPACITY),
				   ktpool_knob(KNOB_IDLE_TIMEOUT), &attrs);
	if (!IS_ERR(pool)) {
		ktpool_set_max_waiters(pool, ktpool_knob(KNOB_MAX_WAITERS));
		WRITE_ONCE(ktpool_default_pool, pool);
	}
	kernel_param_unlock(THIS_MODULE);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		pr_err("cannot create the default pool: %d\n", ret);
		goto err_pool;
	}

	if (ktpool_stall_warn_ms())
		ktpool_watchdog_start();
	pr_info("loaded: default pool capacity=%u idle_timeout_ms=%u reap_interval_ms=%u\n",
		ktpool_knob(KNOB_CAPACITY), ktpool_knob(KNOB_IDLE_TIMEOUT),
		ktpool_knob(KNOB_REAP_INTERVAL));
	return 0;

err_pool:
	cpuhp_remove_state_nocalls(ktpool_cpuhp_state);
err_cpuhp:
	ktpool_sysfs_exit();
err_sysfs:
	ktpool_debugfs_exit();
	return ret;
}

static void __exit ktpool_exit(void)
{
	struct ktpool *pool;

	cpuhp_remove_state_nocalls(ktpool_cpuhp_state);
	kernel_param_lock(THIS_MODULE);
	pool = ktpool_default_pool;
	WRITE_ONCE(ktpool_default_pool, NULL);
	kernel_param_unlock(THIS_MODULE);

	ktpool_watchdog_stop();
	ktpool_destroy(pool);
	ktpool_destroy_leaked();
	ktpool_sysfs_exit();
	ktpool_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(ktpool_init);
module_exit(ktpool_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktpool developers");
MODULE_DESCRIPTION("A capacity-bounded pool of kthreads for blocking work");
MODULE_VERSION("0.1.0");
