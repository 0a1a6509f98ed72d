// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool pool attributes. The scheduler calls sleep: they are set on the
 * workers outside the pool lock, through task references taken under it. A
 * new worker joins pool->workers only if attrs_gen did not move while it
 * applied them, so that it misses no change in between.
 */

#include <linux/cpumask.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "ktpool_internal.h"

static bool ktpool_sched_default_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return !pool->nice && !(pool->flags & KTPOOL_RT) &&
	       cpumask_equal(pool->cpumask, cpu_possible_mask);
}

/* All but the online CPUs, which only a new cpumask must have. */
static int ktpool_attrs_check(const struct ktpool_attrs *attrs, unsigned int capacity)
{
	if (!attrs || attrs->nice < MIN_NICE || attrs->nice > MAX_NICE ||
	    (attrs->flags & ~KTPOOL_ALL_FLAGS) || attrs->min_threads > capacity)
		return -EINVAL;
	return 0;
}

/* A new pool's attributes, but the node (create checks it): 0 or -EINVAL. */
int ktpool_attrs_validate(const struct ktpool_attrs *attrs, unsigned int capacity)
{
	if (ktpool_attrs_check(attrs, capacity) ||
	    (attrs->cpumask && !cpumask_intersects(attrs->cpumask, cpu_online_mask)))
		return -EINVAL;
	return 0;
}

/* Into a pool not yet visible: valid @attrs, node checked. */
int ktpool_attrs_init(struct ktpool *pool, const struct ktpool_attrs *attrs)
{
	if (!zalloc_cpumask_var(&pool->cpumask, GFP_KERNEL))
		return -ENOMEM;
	mutex_init(&pool->attrs_mutex);
	mutex_init(&pool->sysfs_mutex);
	cpumask_copy(pool->cpumask, attrs->cpumask ?: cpu_possible_mask);
	pool->nice = attrs->nice;
	pool->numa_node = attrs->node;
	pool->min_threads = attrs->min_threads;
	pool->flags = attrs->flags;
	return 0;
}

void ktpool_attrs_free(struct ktpool *pool)
{
	mutex_destroy(&pool->sysfs_mutex);
	mutex_destroy(&pool->attrs_mutex);
	free_cpumask_var(pool->cpumask);
}

/* Set a worker's scheduling attributes; never under the pool lock. */
static void ktpool_set_task_attrs(struct task_struct *task, int nice, unsigned int flags,
				  const struct cpumask *mask)
{
	if (flags & KTPOOL_RT)
		sched_set_fifo_low(task);
	else
		sched_set_normal(task, nice);
	/* With no CPU of @mask online, the task keeps the CPUs it has. */
	set_cpus_allowed_ptr(task, mask);
}

/* @fresh: nothing applied yet; the worker joins only if *@gen is still attrs_gen. */
int ktpool_apply_worker_attrs(struct ktpool *pool, struct task_struct *task,
			      unsigned int *gen, bool fresh)
{
	cpumask_var_t mask;
	unsigned int flags;
	int nice;

	raw_spin_lock_irq(&pool->lock);
	*gen = pool->attrs_gen;
	if (fresh && ktpool_sched_default_locked(pool)) {
		raw_spin_unlock_irq(&pool->lock);
		return 0;
	}
	raw_spin_unlock_irq(&pool->lock);

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	raw_spin_lock_irq(&pool->lock);
	*gen = pool->attrs_gen;
	nice = pool->nice;
	flags = pool->flags;
	cpumask_copy(mask, pool->cpumask);
	raw_spin_unlock_irq(&pool->lock);

	ktpool_set_task_attrs(task, nice, flags, mask);
	free_cpumask_var(mask);
	return 0;
}

/* To every live worker; one created meanwhile applies them itself. */
static int ktpool_apply_live(struct ktpool *pool)
	__must_hold(&pool->attrs_mutex)
{
	struct task_struct **tasks = NULL;
	struct ktpool_worker *w;
	unsigned int n, want = 0, i;
	cpumask_var_t mask;
	unsigned int flags;
	int nice;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	for (;;) {
		raw_spin_lock_irq(&pool->lock);
		n = 0;
		list_for_each_entry(w, &pool->workers, all)
			n++;
		if (n <= want)
			break;
		raw_spin_unlock_irq(&pool->lock);
		kvfree(tasks);
		want = n;
		tasks = kvmalloc_array(want, sizeof(*tasks), GFP_KERNEL);
		if (!tasks) {
			free_cpumask_var(mask);
			return -ENOMEM;
		}
	}
	n = 0;
	list_for_each_entry(w, &pool->workers, all)
		tasks[n++] = get_task_struct(w->task);
	nice = pool->nice;
	flags = pool->flags;
	cpumask_copy(mask, pool->cpumask);
	raw_spin_unlock_irq(&pool->lock);

	for (i = 0; i < n; i++) {
		ktpool_set_task_attrs(tasks[i], nice, flags, mask);
		put_task_struct(tasks[i]);
	}
	kvfree(tasks);
	free_cpumask_var(mask);
	return 0;
}

/* The CPU ktpool_cpu_online() was called for: hotplug callbacks are serial. */
static unsigned int ktpool_online_cpu;

/* Under ktpool_pools_mutex, which keeps the pool. */
static void ktpool_restore_cpus(struct ktpool *pool)
{
	bool restore;

	mutex_lock(&pool->attrs_mutex);
	raw_spin_lock_irq(&pool->lock);
	/* A worker allowed every possible CPU is never moved. */
	restore = !pool->dying && cpumask_test_cpu(ktpool_online_cpu, pool->cpumask) &&
		  !cpumask_equal(pool->cpumask, cpu_possible_mask);
	/* A worker being created applies them again, with the CPU online. */
	if (restore)
		pool->attrs_gen++;
	raw_spin_unlock_irq(&pool->lock);
	/* On -ENOMEM the workers stay where they are: a write restores. */
	if (restore)
		ktpool_apply_live(pool);
	mutex_unlock(&pool->attrs_mutex);
}

/*
 * select_fallback_rq() widened for good the workers none of whose CPUs was
 * online: give them back, as cmwq's restore_unbound_workers_cpumask().
 */
int ktpool_cpu_online(unsigned int cpu)
{
	ktpool_online_cpu = cpu;
	ktpool_visit_pools(ktpool_restore_cpus);
	return 0;
}

static bool ktpool_spawn_ended(struct ktpool *pool, u64 seen)
{
	bool ended;

	raw_spin_lock_irq(&pool->lock);
	ended = pool->dying || pool->spawned + pool->spawn_failed != seen;
	raw_spin_unlock_irq(&pool->lock);
	return ended;
}

/* The caller is in nr_callers and holds attrs_mutex, or it creates the pool. */
int ktpool_start_min_threads(struct ktpool *pool)
{
	bool reserved, full;
	u64 seen = 0;
	int ret;

	for (;;) {
		raw_spin_lock_irq(&pool->lock);
		reserved = false;
		full = false;
		if (!pool->dying && pool->nr_threads - pool->nr_spawning < pool->min_threads) {
			reserved = ktpool_reserve_locked(pool);
			/* Full below min_threads: wait for a spawn in flight. */
			full = !reserved;
			seen = pool->spawned + pool->spawn_failed;
		}
		raw_spin_unlock_irq(&pool->lock);
		if (full) {
			ret = rcuwait_wait_event(&pool->spawn_wait, ktpool_spawn_ended(pool, seen),
						 TASK_KILLABLE);
			if (ret)
				return ret;
			continue;
		}
		if (!reserved)
			return 0;
		ret = ktpool_spawn(pool, NULL, KTPOOL_ANYWAY);
		if (ret) {
			raw_spin_lock_irq(&pool->lock);
			ktpool_unreserve_locked(pool);
			raw_spin_unlock_irq(&pool->lock);
			return ret;
		}
	}
}

/* In nr_callers. With @gone (sysfs_mutex held), the directory follows KTPOOL_SYSFS. */
static int ktpool_apply_attrs_locked(struct ktpool *pool, const struct ktpool_attrs *attrs,
				     struct ktpool_kobj **gone)
	__must_hold(&pool->attrs_mutex)
{
	const struct cpumask *mask = attrs->cpumask ?: cpu_possible_mask;
	bool sysfs = attrs->flags & KTPOOL_SYSFS;
	int ret;

	raw_spin_lock_irq(&pool->lock);
	if (pool->dying) {
		raw_spin_unlock_irq(&pool->lock);
		return -ESHUTDOWN;
	}
	/* Under L, as ktpool_set_capacity(); only a new cpumask needs a CPU. */
	if (attrs->min_threads > pool->capacity ||
	    (!cpumask_equal(mask, pool->cpumask) && !cpumask_intersects(mask, cpu_online_mask))) {
		raw_spin_unlock_irq(&pool->lock);
		return -EINVAL;
	}
	pool->nice = attrs->nice;
	cpumask_copy(pool->cpumask, mask);
	WRITE_ONCE(pool->flags, attrs->flags);
	WRITE_ONCE(pool->min_threads, attrs->min_threads);
	pool->attrs_gen++;
	/* A lowered min_threads lets the surplus age out. */
	if (pool->idle_timeout_ms && pool->nr_idle)
		ktpool_kick_reaper(pool, 0);
	raw_spin_unlock_irq(&pool->lock);

	ret = ktpool_apply_live(pool);
	if (gone) {
		lockdep_assert_held(&pool->sysfs_mutex);
		if (sysfs && !pool->kobj)
			ktpool_sysfs_add(pool);	/* the pool works without */
		else if (!sysfs && pool->kobj)
			*gone = ktpool_sysfs_detach(pool);
	}
	/* On an error, the rest is applied all the same. */
	return ktpool_start_min_threads(pool) ?: ret;
}

/**
 * ktpool_apply_attrs() - change a pool's attributes, live
 * @pool: the pool
 * @attrs: the new attributes (@attrs->node is ignored: fixed at create)
 *
 * Every worker, idle or busy, gets the new nice value (or %SCHED_FIFO) and
 * cpumask at once. Raising @attrs->min_threads creates the missing workers
 * before it returns; lowering it lets the surplus age out through the idle
 * timeout. %KTPOOL_SYSFS adds or removes /sys/kernel/ktpool/<name>/:
 * concurrent calls are serialized from the change of the flag to the end
 * of the removal, so the directory is there when the last call's flag says
 * so (unless it could not be created: a warning, the pool works without).
 * %KTPOOL_FREEZABLE reaches an idle worker when it next wakes.
 *
 * Context: process context; sleeps. Not from a sysfs file of @pool. May race
 * with ktpool_destroy() as the submit calls do.
 * Return: 0; -EINVAL for a NULL @pool or @attrs, a nice out of -20..19, a
 * cpumask other than the pool's with no online CPU, @attrs->min_threads
 * above the capacity or unknown flags (nothing changed); -ESHUTDOWN when
 * @pool is being destroyed; -ENOMEM when a worker could not be created for
 * @attrs->min_threads, or memory for the change was short; -EINTR when a
 * fatal signal ended the wait for, or the creation of, a worker for
 * @attrs->min_threads (after -ENOMEM or -EINTR the attributes are applied
 * to the pool and to the workers it could reach).
 */
int ktpool_apply_attrs(struct ktpool *pool, const struct ktpool_attrs *attrs)
{
	struct ktpool_kobj *gone = NULL;
	int ret;

	if (!pool || ktpool_attrs_check(attrs, KTPOOL_MAX_CAPACITY))
		return -EINVAL;
	/*
	 * A caller until after the last unlock: a mutex_unlock() may touch the
	 * mutex after another task took it (mutex-design.rst), and destroy
	 * frees the pool once it is quiet (it drops sysfs_mutex to wait).
	 */
	ret = ktpool_caller_enter(pool);
	if (ret)
		return ret;
	mutex_lock(&pool->sysfs_mutex);
	mutex_lock(&pool->attrs_mutex);
	ret = ktpool_apply_attrs_locked(pool, attrs, &gone);
	mutex_unlock(&pool->attrs_mutex);
	/* With sysfs_mutex: no change adds it again before it is gone. */
	if (gone) {
		ktpool_debug_hold(KTPOOL_HOLD_SYSFS);
		ktpool_sysfs_remove(gone);
	}
	mutex_unlock(&pool->sysfs_mutex);
	ktpool_caller_exit(pool);
	return ret;
}
EXPORT_SYMBOL_GPL(ktpool_apply_attrs);

/* @attrs->cpumask is set to @mask, a copy of the pool's. */
void ktpool_get_attrs(struct ktpool *pool, struct ktpool_attrs *attrs, struct cpumask *mask)
{
	raw_spin_lock_irq(&pool->lock);
	attrs->nice = pool->nice;
	attrs->node = pool->numa_node;
	attrs->min_threads = pool->min_threads;
	attrs->flags = pool->flags;
	cpumask_copy(mask, pool->cpumask);
	attrs->cpumask = mask;
	raw_spin_unlock_irq(&pool->lock);
}

/*
 * For a knob's writer, with a value its knob checked. The flags stay, and
 * so does the directory (no sysfs_mutex: a removal waits for its writers).
 */
int ktpool_update_attrs(struct ktpool *pool,
			void (*edit)(struct ktpool_attrs *attrs, s64 v, const struct cpumask *mask),
			s64 v, const struct cpumask *mask)
{
	struct ktpool_attrs attrs;
	cpumask_var_t cur;
	int ret;

	if (!alloc_cpumask_var(&cur, GFP_KERNEL))
		return -ENOMEM;
	ret = ktpool_caller_enter(pool);
	if (ret)
		goto out;
	mutex_lock(&pool->attrs_mutex);
	ktpool_get_attrs(pool, &attrs, cur);
	edit(&attrs, v, mask);
	ret = ktpool_apply_attrs_locked(pool, &attrs, NULL);
	mutex_unlock(&pool->attrs_mutex);
	ktpool_caller_exit(pool);
out:
	free_cpumask_var(cur);
	return ret;
}
