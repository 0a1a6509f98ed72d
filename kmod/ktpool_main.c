// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool module: parameters, the default pool, init and exit.
 *
 * The parameters are writable at run time through
 * /sys/module/ktpool/parameters/ and apply to the default pool at once. A bad
 * write (empty, non-numeric, negative or out of range) fails with -EINVAL and
 * changes nothing. The parameters and the default pool pointer are protected
 * by the module's kernel_param_lock(). The default pool is also tunable under
 * /sys/kernel/ktpool/default/ (KTPOOL_SYSFS): once it exists, the pool
 * parameters (capacity, idle_timeout_ms, nice, cpumask, min_threads) read
 * the pool itself, so the two stay in step whichever is written.
 */

#include <linux/atomic.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "ktpool_internal.h"

#define CREATE_TRACE_POINTS
#include "ktpool_trace.h"

#define KTPOOL_DEFAULT_CAPACITY		64
#define KTPOOL_DEFAULT_IDLE_TIMEOUT_MS	10000
#define KTPOOL_DEFAULT_REAP_INTERVAL_MS	1000
#define KTPOOL_MAX_REAP_INTERVAL_MS	60000

static unsigned int ktpool_capacity = KTPOOL_DEFAULT_CAPACITY;
static unsigned int ktpool_idle_timeout_ms = KTPOOL_DEFAULT_IDLE_TIMEOUT_MS;
static unsigned int ktpool_reap_interval_ms = KTPOOL_DEFAULT_REAP_INTERVAL_MS;
static unsigned int ktpool_stall_ms;
#define KTPOOL_DEFAULT_SPIN_US		0
#define KTPOOL_MAX_SPIN_US		1000

static unsigned int ktpool_spin_us = KTPOOL_DEFAULT_SPIN_US;
static unsigned int ktpool_max_waiters;
/* The default pool's attributes until it exists (kernel_param_lock). */
static int ktpool_nice;
static unsigned int ktpool_min_threads;
static struct cpumask ktpool_cpus;
static bool ktpool_cpus_given;		/* else every CPU */
static struct ktpool *ktpool_default_pool;	/* kernel_param_lock */
static int ktpool_cpuhp_state;			/* I: ktpool_cpu_online() */

/* A number in [@min, @max], or -EINVAL (also for overflow and negatives). */
static int ktpool_parse_uint(const char *val, unsigned int min,
			     unsigned int max, unsigned int *res)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	*res = v;
	return 0;
}

static int ktpool_capacity_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 1, KTPOOL_MAX_CAPACITY, &v);
	if (!ret && ktpool_default_pool)
		ret = ktpool_set_capacity(ktpool_default_pool, v);
	if (!ret)
		WRITE_ONCE(ktpool_capacity, v);
	return ret;
}

static int ktpool_idle_timeout_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 0, KTPOOL_MAX_IDLE_TIMEOUT_MS, &v);
	if (!ret && ktpool_default_pool)
		ret = ktpool_set_idle_timeout(ktpool_default_pool, v);
	if (!ret)
		WRITE_ONCE(ktpool_idle_timeout_ms, v);
	return ret;
}

/* A pool parameter reads the default pool, once it exists. */
static int ktpool_capacity_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool *pool = ktpool_default_pool;

	return sysfs_emit(buf, "%u\n", pool ? READ_ONCE(pool->capacity) :
			  ktpool_capacity);
}

static int ktpool_max_waiters_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool *pool = ktpool_default_pool;

	return sysfs_emit(buf, "%u\n", pool ? READ_ONCE(pool->max_waiters) :
			  ktpool_max_waiters);
}

static int ktpool_idle_timeout_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool *pool = ktpool_default_pool;

	return sysfs_emit(buf, "%u\n", pool ? READ_ONCE(pool->idle_timeout_ms) :
			  ktpool_idle_timeout_ms);
}

static int ktpool_nice_set(const char *val, const struct kernel_param *kp)
{
	int v, ret;

	if (kstrtoint(val, 0, &v) || v < MIN_NICE || v > MAX_NICE)
		return -EINVAL;
	ret = ktpool_default_pool ? ktpool_set_nice(ktpool_default_pool, v) : 0;
	if (!ret)
		WRITE_ONCE(ktpool_nice, v);
	return ret;
}

static int ktpool_nice_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool *pool = ktpool_default_pool;

	return sysfs_emit(buf, "%d\n", pool ? READ_ONCE(pool->nice) :
			  ktpool_nice);
}

static int ktpool_min_threads_set(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 0, KTPOOL_MAX_CAPACITY, &v);
	if (!ret && ktpool_default_pool)
		ret = ktpool_set_min_threads(ktpool_default_pool, v);
	/* -ENOMEM, -EINTR: set, but not every worker could be created */
	if (!ret || ret == -ENOMEM || ret == -EINTR)
		WRITE_ONCE(ktpool_min_threads, v);
	return ret;
}

static int ktpool_min_threads_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool *pool = ktpool_default_pool;

	return sysfs_emit(buf, "%u\n", pool ? READ_ONCE(pool->min_threads) :
			  ktpool_min_threads);
}

static int ktpool_cpumask_set(const char *val, const struct kernel_param *kp)
{
	cpumask_var_t mask;
	int ret;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = ktpool_parse_cpulist(val, mask);
	if (!ret && ktpool_default_pool)
		ret = ktpool_set_cpumask(ktpool_default_pool, mask);
	if (!ret) {
		/* For the pool's creation, when given at load time. */
		cpumask_copy(&ktpool_cpus, mask);
		ktpool_cpus_given = true;
	}
	free_cpumask_var(mask);
	return ret;
}

static int ktpool_cpumask_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool *pool = ktpool_default_pool;
	int ret;

	if (!pool)
		return sysfs_emit(buf, "%*pbl\n",
				  cpumask_pr_args(ktpool_cpus_given ? &ktpool_cpus :
						  cpu_possible_mask));
	raw_spin_lock_irq(&pool->lock);
	ret = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(pool->cpumask));
	raw_spin_unlock_irq(&pool->lock);
	return ret;
}

static int ktpool_max_waiters_set(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 0, UINT_MAX, &v);
	if (!ret && ktpool_default_pool)
		ret = ktpool_set_max_waiters(ktpool_default_pool, v);
	if (!ret)
		WRITE_ONCE(ktpool_max_waiters, v);
	return ret;
}

static int ktpool_reap_interval_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 1, KTPOOL_MAX_REAP_INTERVAL_MS, &v);
	if (ret)
		return ret;
	WRITE_ONCE(ktpool_reap_interval_ms, v);
	/* Re-time the reaper of every pool with the new interval. */
	ktpool_visit_pools(ktpool_retime_reaper);
	return 0;
}

static int ktpool_stall_warn_set(const char *val,
				 const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 0, KTPOOL_MAX_IDLE_TIMEOUT_MS, &v);
	if (ret)
		return ret;
	WRITE_ONCE(ktpool_stall_ms, v);
	if (v && ktpool_default_pool)
		ktpool_watchdog_start();
	return 0;
}

static const struct kernel_param_ops ktpool_capacity_ops = {
	.set = ktpool_capacity_set,
	.get = ktpool_capacity_get,
};

static const struct kernel_param_ops ktpool_idle_timeout_ops = {
	.set = ktpool_idle_timeout_set,
	.get = ktpool_idle_timeout_get,
};

static const struct kernel_param_ops ktpool_nice_ops = {
	.set = ktpool_nice_set,
	.get = ktpool_nice_get,
};

static const struct kernel_param_ops ktpool_min_threads_ops = {
	.set = ktpool_min_threads_set,
	.get = ktpool_min_threads_get,
};

static const struct kernel_param_ops ktpool_cpumask_ops = {
	.set = ktpool_cpumask_set,
	.get = ktpool_cpumask_get,
};

static const struct kernel_param_ops ktpool_max_waiters_ops = {
	.set = ktpool_max_waiters_set,
	.get = ktpool_max_waiters_get,
};

static const struct kernel_param_ops ktpool_reap_interval_ops = {
	.set = ktpool_reap_interval_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops ktpool_stall_warn_ops = {
	.set = ktpool_stall_warn_set,
	.get = param_get_uint,
};

static int ktpool_spin_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = ktpool_parse_uint(val, 0, KTPOOL_MAX_SPIN_US, &v);
	if (!ret)
		WRITE_ONCE(ktpool_spin_us, v);
	return ret;
}

static const struct kernel_param_ops ktpool_spin_ops = {
	.set = ktpool_spin_set,
	.get = param_get_uint,
};

module_param_cb(capacity, &ktpool_capacity_ops, &ktpool_capacity, 0644);
MODULE_PARM_DESC(capacity,
		 "most kthreads of the default pool, 1..4096 (default 64)");
module_param_cb(idle_timeout_ms, &ktpool_idle_timeout_ops,
		&ktpool_idle_timeout_ms, 0644);
MODULE_PARM_DESC(idle_timeout_ms,
		 "stop default-pool workers idle this long, 0 = never, max 3600000 (default 10000)");
module_param_cb(nice, &ktpool_nice_ops, NULL, 0644);
MODULE_PARM_DESC(nice, "nice value of the default pool's workers, -20..19 (default 0)");
module_param_cb(cpumask, &ktpool_cpumask_ops, NULL, 0644);
MODULE_PARM_DESC(cpumask,
		 "CPUs of the default pool's workers, a cpulist such as 0-1,3 (default: every CPU)");
module_param_cb(min_threads, &ktpool_min_threads_ops, NULL, 0644);
MODULE_PARM_DESC(min_threads,
		 "workers of the default pool started at load and never reaped, 0..capacity (default 0)");
module_param_cb(max_waiters, &ktpool_max_waiters_ops, &ktpool_max_waiters,
		0644);
MODULE_PARM_DESC(max_waiters,
		 "most callers blocked for a worker of the default pool, 0 = no limit (default 0)");
module_param_cb(reap_interval_ms, &ktpool_reap_interval_ops,
		&ktpool_reap_interval_ms, 0644);
MODULE_PARM_DESC(reap_interval_ms,
		 "least time between two reaper runs of a pool, 1..60000 (default 1000)");
module_param_cb(stall_warn_ms, &ktpool_stall_warn_ops, &ktpool_stall_ms, 0644);
MODULE_PARM_DESC(stall_warn_ms,
		 "warn once about a task running longer than this, 0 = off, max 3600000 (default 0)");
module_param_cb(spin_us, &ktpool_spin_ops, &ktpool_spin_us, 0644);
MODULE_PARM_DESC(spin_us,
		 "how long a worker that went idle polls for a new task before it sleeps, 0..1000 (default 0; never on one CPU)");

/**
 * ktpool_reap_interval() - the least time between two reaper runs
 *
 * Return: the reap_interval_ms parameter, in jiffies.
 */
unsigned long ktpool_reap_interval(void)
{
	return msecs_to_jiffies(READ_ONCE(ktpool_reap_interval_ms));
}

/**
 * ktpool_stall_warn_ms() - the stall warning threshold
 *
 * Return: the stall_warn_ms parameter; 0 means off.
 */
unsigned int ktpool_stall_warn_ms(void)
{
	return READ_ONCE(ktpool_stall_ms);
}

/**
 * ktpool_spin_ns() - how long an idle worker polls for a job
 *
 * Return: the spin_us parameter in nanoseconds; 0 on a single CPU.
 */
u64 ktpool_spin_ns(void)
{
	/* Polling on the only CPU would just delay whoever it waits for. */
	if (num_online_cpus() < 2)
		return 0;
	return (u64)READ_ONCE(ktpool_spin_us) * NSEC_PER_USEC;
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
	int ret;

	ret = ktpool_debugfs_init();
	if (ret)
		goto err_debugfs;
	ret = ktpool_sysfs_init();
	if (ret)
		goto err_sysfs;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "ktpool:online",
					ktpool_cpu_online, NULL);
	if (ret < 0)
		goto err_cpuhp;
	ktpool_cpuhp_state = ret;

	kernel_param_lock(THIS_MODULE);
	attrs.nice = ktpool_nice;
	attrs.cpumask = ktpool_cpus_given ? &ktpool_cpus : NULL;
	attrs.min_threads = ktpool_min_threads;
	attrs.flags = KTPOOL_SYSFS;
	pool = ktpool_create_attrs("default", ktpool_capacity,
				   ktpool_idle_timeout_ms, &attrs);
	if (!IS_ERR(pool)) {
		ktpool_set_max_waiters(pool, ktpool_max_waiters);
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
		ktpool_capacity, ktpool_idle_timeout_ms,
		ktpool_reap_interval_ms);
	return 0;

err_pool:
	cpuhp_remove_state_nocalls(ktpool_cpuhp_state);
err_cpuhp:
	ktpool_sysfs_exit();
err_sysfs:
	ktpool_debugfs_exit();
err_debugfs:
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
