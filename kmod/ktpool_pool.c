// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool pools: create, destroy, drain, runtime tuning and statistics.
 */

#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "ktpool_internal.h"
#include "ktpool_trace.h"

static LIST_HEAD(ktpool_pools);		/* G */
static DEFINE_MUTEX(ktpool_pools_mutex);

static bool ktpool_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, KTPOOL_NAME_LEN);
	if (!len || len >= KTPOOL_NAME_LEN)
		return false;
	for (; *name; name++)
		if (*name == '/' || *name <= ' ' || *name > '~')
			return false;
	return true;
}

static struct ktpool *ktpool_find_locked(const char *name)
{
	struct ktpool *pool;

	lockdep_assert_held(&ktpool_pools_mutex);
	list_for_each_entry(pool, &ktpool_pools, node)
		if (!strcmp(pool->name, name))
			return pool;
	return NULL;
}

/* Call @fn on every pool, under ktpool_pools_mutex; it may take L. */
void ktpool_visit_pools(ktpool_visit_t fn)
{
	struct ktpool *pool;

	mutex_lock(&ktpool_pools_mutex);
	list_for_each_entry(pool, &ktpool_pools, node)
		fn(pool);
	mutex_unlock(&ktpool_pools_mutex);
}

/*
 * Destroy calls under way, counted before they look at their pool and
 * until they return: a pool found dying has its destroy counted.
 */
static atomic_t ktpool_destroying = ATOMIC_INIT(0);

static void ktpool_destroy_done(void)
{
	/* Fully ordered: a waiter that sees 0 sees the pool's frees too. */
	if (atomic_dec_and_test(&ktpool_destroying))
		wake_up_var(&ktpool_destroying);
}

/**
 * ktpool_wait_destroys() - wait for every ktpool_destroy() under way
 *
 * Also those begun elsewhere: a second destroy is refused while the first
 * runs, so waiting for them is how to know they are done with ktpool.ko.
 *
 * Context: process context; sleeps.
 */
VISIBLE_IF_KUNIT void ktpool_wait_destroys(void)
{
	wait_var_event(&ktpool_destroying,
		       !atomic_read_acquire(&ktpool_destroying));
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_wait_destroys);

static void ktpool_destroy_claimed(struct ktpool *pool);

/*
 * The first pool no destroy has begun on, claimed (dying, counted) under
 * the mutex that another destroy needs to unlist it; or NULL.
 */
static struct ktpool *ktpool_claim_alive_locked(void)
{
	struct ktpool *pool;
	bool claimed;

	lockdep_assert_held(&ktpool_pools_mutex);
	list_for_each_entry(pool, &ktpool_pools, node) {
		atomic_inc(&ktpool_destroying);
		raw_spin_lock_irq(&pool->lock);
		claimed = !pool->dying;
		pool->dying = true;
		raw_spin_unlock_irq(&pool->lock);
		if (claimed)
			return pool;
		ktpool_destroy_done();
	}
	return NULL;
}

/*
 * At module exit: a client that did not destroy its pools is gone, but
 * their threads and reapers would run ktpool's code after it. Warn and
 * destroy each; one another thread destroys is waited for (a destroy that
 * overlaps module exit is a client bug, as with any module's completion).
 */
void ktpool_destroy_leaked(void)
{
	struct ktpool *pool;

	mutex_lock(&ktpool_pools_mutex);
	while ((pool = ktpool_claim_alive_locked())) {
		mutex_unlock(&ktpool_pools_mutex);
		pr_warn("pool %s was not destroyed by its creator: destroying it\n",
			pool->name);
		ktpool_destroy_claimed(pool);
		mutex_lock(&ktpool_pools_mutex);
	}
	mutex_unlock(&ktpool_pools_mutex);
	ktpool_wait_destroys();
}

/**
 * ktpool_create_attrs() - create a pool of kthreads with attributes
 * @name: a unique name of 1 to %KTPOOL_NAME_LEN - 1 printable characters,
 *	no '/' or space; its workers are named "ktpool/<name>"
 * @capacity: the most kthreads the pool may run, 1..%KTPOOL_MAX_CAPACITY
 * @idle_timeout_ms: stop a worker idle this long (one that pending tasks
 *	counted on is in use meanwhile); 0 never stops idle workers; at most
 *	%KTPOOL_MAX_IDLE_TIMEOUT_MS
 * @attrs: the workers' attributes (struct ktpool_attrs), or NULL for
 *	%KTPOOL_ATTRS_INIT
 *
 * Creates @attrs->min_threads workers before it returns; no other thread is
 * created until a task needs it.
 *
 * Context: process context; may sleep.
 * Return: the pool; ERR_PTR(-EINVAL) for a bad argument (including a bad
 * attribute, see ktpool_apply_attrs(), and an invalid or offline
 * @attrs->node), ERR_PTR(-EEXIST) when a pool of that name exists,
 * ERR_PTR(-ENOMEM), also when the min_threads workers could not be
 * created, ERR_PTR(-EINTR) when a fatal signal ended their creation.
 * Never NULL.
 */
struct ktpool *ktpool_create_attrs(const char *name, unsigned int capacity,
				   unsigned int idle_timeout_ms,
				   const struct ktpool_attrs *attrs)
{
	static const struct ktpool_attrs dflt = KTPOOL_ATTRS_INIT;
	struct ktpool *pool;
	int ret;

	if (!attrs)
		attrs = &dflt;
	if (!ktpool_name_valid(name) || !capacity ||
	    capacity > KTPOOL_MAX_CAPACITY ||
	    idle_timeout_ms > KTPOOL_MAX_IDLE_TIMEOUT_MS ||
	    ktpool_attrs_validate(attrs, capacity) ||
	    (attrs->node != NUMA_NO_NODE &&
	     (attrs->node < 0 || attrs->node >= MAX_NUMNODES ||
	      !node_online(attrs->node))))
		return ERR_PTR(-EINVAL);

	pool = kzalloc_node(sizeof(*pool), GFP_KERNEL, attrs->node);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	ret = -ENOMEM;
	if (ktpool_pending_init(pool, capacity))
		goto free_pool;
	if (ktpool_attrs_init(pool, attrs))
		goto free_pending;

	strscpy(pool->name, name, sizeof(pool->name));
	raw_spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->idle);
	INIT_LIST_HEAD(&pool->zombies);
	INIT_LIST_HEAD(&pool->workers);
	INIT_LIST_HEAD(&pool->waiters);
	INIT_LIST_HEAD(&pool->helpers);
	pool->capacity = capacity;
	pool->idle_timeout_ms = idle_timeout_ms;
	INIT_DELAYED_WORK(&pool->reaper, ktpool_reaper_workfn);
	INIT_WORK(&pool->spawn_work, ktpool_spawn_workfn);
	rcuwait_init(&pool->drain_wait);
	rcuwait_init(&pool->destroy_wait);
	rcuwait_init(&pool->spawn_wait);
	mutex_init(&pool->drain_mutex);

	mutex_lock(&ktpool_pools_mutex);
	if (ktpool_find_locked(name)) {
		mutex_unlock(&ktpool_pools_mutex);
		mutex_destroy(&pool->drain_mutex);
		ktpool_attrs_free(pool);
		ret = -EEXIST;
		goto free_pending;
	}
	list_add_tail(&pool->node, &ktpool_pools);
	ktpool_debugfs_add(pool);
	mutex_unlock(&ktpool_pools_mutex);

	ret = ktpool_start_min_threads(pool);
	if (ret) {
		ktpool_destroy(pool);
		return ERR_PTR(ret);
	}
	if (attrs->flags & KTPOOL_SYSFS) {
		mutex_lock(&pool->sysfs_mutex);
		mutex_lock(&pool->attrs_mutex);
		ktpool_sysfs_add(pool);	/* not fatal: works without */
		mutex_unlock(&pool->attrs_mutex);
		mutex_unlock(&pool->sysfs_mutex);
	}
	return pool;
free_pending:
	ktpool_pending_free(pool);
free_pool:
	kfree(pool);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(ktpool_create_attrs);

/**
 * ktpool_create() - create a pool of kthreads with the default attributes
 * @name: as for ktpool_create_attrs()
 * @capacity: as for ktpool_create_attrs()
 * @idle_timeout_ms: as for ktpool_create_attrs()
 *
 * ktpool_create_attrs() with %KTPOOL_ATTRS_INIT. No thread is created until
 * the first task arrives.
 *
 * Context: process context; may sleep.
 * Return: the pool, or ERR_PTR(-EINVAL) for a bad argument, ERR_PTR(-EEXIST)
 * when a pool of that name exists, ERR_PTR(-ENOMEM). Never NULL.
 */
struct ktpool *ktpool_create(const char *name, unsigned int capacity,
			     unsigned int idle_timeout_ms)
{
	return ktpool_create_attrs(name, capacity, idle_timeout_ms, NULL);
}
EXPORT_SYMBOL_GPL(ktpool_create);

/**
 * ktpool_destroy_refused() - report a second destroy of a pool
 * @name: a copy of the pool's name: the pool itself may be gone by now
 *
 * A KUnit static stub can hold the refused caller here, after it has let
 * go of the pool, while the first destroy frees it.
 *
 * Context: process context, no lock held.
 */
VISIBLE_IF_KUNIT void ktpool_destroy_refused(const char *name)
{
	KUNIT_STATIC_STUB_REDIRECT(ktpool_destroy_refused, name);
	pr_err("%s: destroyed twice\n", name);
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_destroy_refused);

/* No task in flight, no caller inside the API: destroy may go on. */
static bool ktpool_quiet(struct ktpool *pool)
{
	return !READ_ONCE(pool->inflight[0]) && !READ_ONCE(pool->inflight[1]) &&
	       !READ_ONCE(pool->nr_callers);
}

/**
 * ktpool_destroy() - stop a pool and free it
 * @pool: the pool, or NULL (then nothing happens)
 *
 * New submissions fail with -ESHUTDOWN at once, and so do the callers blocked
 * in ktpool_submit(); their tasks are not run. Then it waits for every
 * accepted task to finish and for every caller still inside a call on @pool
 * to leave it, stops every thread, cancels the reaper and frees the pool.
 *
 * Calls that race with it: a ktpool_try_submit(), ktpool_submit(),
 * ktpool_submit_nowait() or ktpool_drain() on @pool that has begun before
 * ktpool_destroy() is waited for: a submit that is polling for a worker,
 * creating one, blocked, or running its task inline returns -ESHUTDOWN (or
 * the outcome it had already reached: 0 and %KTPOOL_RAN_INLINE tasks are
 * run to completion), a drain returns once its tasks have finished. Any call
 * on @pool that begins while ktpool_destroy() runs gets -ESHUTDOWN
 * (ktpool_get_stats() still reads it), but only if the caller can guarantee
 * it begins before ktpool_destroy() returns, e.g. from a task of @pool. A
 * call on @pool that may begin after ktpool_destroy() has returned is a
 * use-after-free: as with destroy_workqueue(), the caller must stop its own
 * submitters first. Destroying a pool twice is a caller bug too (a second
 * call while the first runs is refused with an error message).
 *
 * Must not be called from a task of @pool, on a worker or run inline by a
 * submit call to @pool: it would wait for itself. That is refused with a
 * warning (WARN_ON_ONCE), and the pool is left as it was.
 *
 * Context: process context; sleeps until the tasks in flight have finished
 * and the callers inside the API have left.
 */
void ktpool_destroy(struct ktpool *pool)
{
	char name[KTPOOL_NAME_LEN];

	if (IS_ERR_OR_NULL(pool))
		return;
	if (WARN_ON_ONCE(ktpool_own_worker(pool) ||
			 ktpool_inline_holds(pool, NULL))) {
		pr_err("%s: destroy from its own task refused\n", pool->name);
		return;
	}

	atomic_inc(&ktpool_destroying);
	raw_spin_lock_irq(&pool->lock);
	if (pool->dying) {
		/* The first destroy may free the pool once the lock is dropped. */
		strscpy(name, pool->name, sizeof(name));
		raw_spin_unlock_irq(&pool->lock);
		ktpool_destroy_refused(name);
		ktpool_destroy_done();
		return;
	}
	pool->dying = true;
	raw_spin_unlock_irq(&pool->lock);
	ktpool_destroy_claimed(pool);
}
EXPORT_SYMBOL_GPL(ktpool_destroy);

/* ktpool_destroy() once the caller has marked @pool dying, and counted. */
static void ktpool_destroy_claimed(struct ktpool *pool)
{
	struct ktpool_kobj *kobj;
	struct ktpool_worker *w;
	LIST_HEAD(stop);

	ktpool_shutdown_waiters(pool);

	/* Its writers get -ESHUTDOWN now; removal waits for them. */
	mutex_lock(&pool->sysfs_mutex);
	mutex_lock(&pool->attrs_mutex);
	kobj = ktpool_sysfs_detach(pool);
	mutex_unlock(&pool->attrs_mutex);
	ktpool_sysfs_remove(kobj);
	mutex_unlock(&pool->sysfs_mutex);

	rcuwait_wait_event(&pool->destroy_wait, ktpool_quiet(pool),
			   TASK_UNINTERRUPTIBLE);
	cancel_work_sync(&pool->spawn_work);

	/* No debugfs reader may look at the workers from here on. */
	debugfs_remove_recursive(pool->debugfs);

	/* Also waits for the last waker to drop the lock. */
	raw_spin_lock_irq(&pool->lock);
	list_splice_init(&pool->workers, &stop);
	list_for_each_entry(w, &stop, all) {
		INIT_LIST_HEAD(&w->node);
		trace_ktpool_worker_reap(pool->name, task_pid_nr(w->task),
					 KTPOOL_REAP_DESTROY);
	}
	INIT_LIST_HEAD(&pool->idle);
	INIT_LIST_HEAD(&pool->zombies);
	/* Every spawner was a counted caller, or spawn_work: all done. */
	WARN_ON(pool->nr_spawning);
	pool->nr_idle = 0;
	pool->nr_threads = 0;
	raw_spin_unlock_irq(&pool->lock);

	ktpool_stop_workers(&stop);
	cancel_delayed_work_sync(&pool->reaper);

	mutex_lock(&ktpool_pools_mutex);
	list_del(&pool->node);
	mutex_unlock(&ktpool_pools_mutex);
	mutex_destroy(&pool->drain_mutex);
	ktpool_attrs_free(pool);
	ktpool_pending_free(pool);
	kfree(pool);
	ktpool_destroy_done();
}

/**
 * ktpool_drain() - wait for the tasks accepted so far to finish
 * @pool: the pool
 *
 * Waits for exactly the tasks that were accepted for a worker of @pool
 * before the call began (those its submit call returned 0 for, including
 * the ones a blocked submitter had already handed over, but not the ones
 * deferred past %KTPOOL_MAX_INLINE_DEPTH) to finish on their worker. It does
 * not wait for tasks run inline (they finish before their submit call
 * returns, and deferred ones before the outermost inline run returns), nor
 * for submitters still blocked in ktpool_submit() (their tasks are not
 * accepted yet), nor for anything accepted after the call began, so a
 * steady stream of submissions cannot starve the caller. Drains are
 * serialized.
 *
 * Context: process context; sleeps. Not from a worker of @pool. May race
 * with ktpool_destroy() as described there.
 * Return: 0 once they have finished, -EINVAL for a NULL @pool, -EDEADLK when
 * called from a worker of @pool (it would wait on itself), -ESHUTDOWN when
 * @pool is being destroyed.
 */
int ktpool_drain(struct ktpool *pool)
{
	unsigned int old;
	int ret;

	if (!pool)
		return -EINVAL;
	if (ktpool_own_worker(pool)) {
		pr_warn_once("%s: drain from its own worker refused\n",
			     pool->name);
		return -EDEADLK;
	}

	ret = ktpool_caller_enter(pool);
	if (ret)
		return ret;
	mutex_lock(&pool->drain_mutex);
	raw_spin_lock_irq(&pool->lock);
	if (pool->dying) {
		ret = -ESHUTDOWN;
		raw_spin_unlock_irq(&pool->lock);
	} else {
		old = pool->epoch;
		pool->epoch ^= 1;
		raw_spin_unlock_irq(&pool->lock);
		/* One waiter at a time: drain_mutex. */
		rcuwait_wait_event(&pool->drain_wait,
				   !READ_ONCE(pool->inflight[old]),
				   TASK_UNINTERRUPTIBLE);
	}
	/* Fault injection: widen the window in which drain_mutex is held. */
	ktpool_debug_hold(KTPOOL_HOLD_DRAIN);
	mutex_unlock(&pool->drain_mutex);
	ktpool_caller_exit(pool);
	return ret;
}
EXPORT_SYMBOL_GPL(ktpool_drain);

/**
 * ktpool_set_capacity() - change the most kthreads a pool may run
 * @pool: the pool
 * @capacity: 1..%KTPOOL_MAX_CAPACITY
 *
 * Takes effect at once: growing wakes blocked submitters so they can spawn;
 * shrinking stops surplus idle workers now (oldest first) and busy ones as
 * they finish their task, but never below min_threads created workers (a
 * worker still being created may fail to be: it does not count).
 *
 * Context: any context but NMI (the pool lock is a raw spinlock); does not
 * sleep. May race with ktpool_destroy() as described there. The lock is
 * dropped between batches of wake-ups and retirements, which lets
 * interrupts in only when the caller had them on: from hard IRQ, or with
 * interrupts already disabled, raw_spin_unlock_irqrestore() leaves them
 * off, and the whole change runs with interrupts off on this CPU (other
 * CPUs still get the lock between batches).
 * Return: 0, -EINVAL for a NULL @pool, a capacity out of range or below
 * the pool's min_threads (nothing changes), -ESHUTDOWN when @pool is being
 * destroyed.
 */
int ktpool_set_capacity(struct ktpool *pool, unsigned int capacity)
{
	struct ktpool_wake wk = { };
	unsigned long flags;
	bool more;
	int ret = 0;

	if (!pool || !capacity || capacity > KTPOOL_MAX_CAPACITY)
		return -EINVAL;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->dying) {
		ret = -ESHUTDOWN;
		goto out;
	}
	if (capacity < pool->min_threads) {
		ret = -EINVAL;
		goto out;
	}
	trace_ktpool_resize(pool->name, pool->capacity, capacity,
			    pool->nr_threads);
	WRITE_ONCE(pool->capacity, capacity);

	/*
	 * A batch at a time, L dropped in between: counted as a caller, so that
	 * destroy waits. Each batch looks anew: the last change's batches win.
	 */
	ktpool_caller_enter_locked(pool);
	for (;;) {
		more = pool->nr_threads > pool->capacity &&
		       ktpool_kick_all_locked(pool, &wk);
		if (!more)
			more = ktpool_retire_surplus_locked(pool);
		if (!more)
			more = ktpool_wake_retry_locked(pool, true, &wk);
		if (!more || pool->dying)
			break;
		ktpool_wake_unlock_irqrestore(pool, &wk, flags);
		raw_spin_lock_irqsave(&pool->lock, flags);
	}
	ktpool_caller_exit_locked(pool);
	ktpool_wake_unlock_irqrestore(pool, &wk, flags);
	return 0;
out:
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(ktpool_set_capacity);

/**
 * ktpool_set_idle_timeout() - change how long a worker may stay idle
 * @pool: the pool
 * @idle_timeout_ms: 0 (never reap) .. %KTPOOL_MAX_IDLE_TIMEOUT_MS
 *
 * Applies to workers already idle: the reaper is run at once to re-time.
 *
 * Context: as ktpool_set_capacity(); does not sleep.
 * Return: 0, -EINVAL for a NULL @pool or a timeout out of range (nothing
 * changes), -ESHUTDOWN when @pool is being destroyed.
 */
int ktpool_set_idle_timeout(struct ktpool *pool, unsigned int idle_timeout_ms)
{
	unsigned long flags;
	int ret = 0;

	if (!pool || idle_timeout_ms > KTPOOL_MAX_IDLE_TIMEOUT_MS)
		return -EINVAL;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->dying) {
		ret = -ESHUTDOWN;
	} else {
		WRITE_ONCE(pool->idle_timeout_ms, idle_timeout_ms);
		if (idle_timeout_ms && pool->nr_idle)
			ktpool_kick_reaper(pool, 0);
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(ktpool_set_idle_timeout);

/**
 * ktpool_set_max_waiters() - bound the callers blocked for a worker
 * @pool: the pool
 * @max_waiters: the most callers blocked at once in ktpool_submit(),
 *	ktpool_submit_timeout() and group submits waiting for a worker of
 *	@pool (not those waiting at a group's own limit); 0 = no bound, the
 *	default
 *
 * One more caller gets -EBUSY at once, counted in the stats'
 * waiters_refused. Callers already blocked stay blocked when the bound is
 * lowered under their number.
 *
 * Context: as ktpool_set_capacity(); does not sleep.
 * Return: 0, -EINVAL for a NULL @pool, -ESHUTDOWN when @pool is being
 * destroyed.
 */
int ktpool_set_max_waiters(struct ktpool *pool, unsigned int max_waiters)
{
	unsigned long flags;
	int ret = 0;

	if (!pool)
		return -EINVAL;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->dying)
		ret = -ESHUTDOWN;
	else
		WRITE_ONCE(pool->max_waiters, max_waiters);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(ktpool_set_max_waiters);

/**
 * ktpool_get_stats() - take a snapshot of a pool's counters
 * @pool: the pool
 * @st: where to store it; zeroed when @pool is NULL
 *
 * The snapshot is taken under the pool lock: no torn or mutually
 * inconsistent values.
 *
 * Context: any context but NMI; does not sleep.
 */
void ktpool_get_stats(struct ktpool *pool, struct ktpool_stats *st)
{
	unsigned long flags;

	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (!pool)
		return;

	raw_spin_lock_irqsave(&pool->lock, flags);
	st->capacity = pool->capacity;
	st->idle_timeout_ms = pool->idle_timeout_ms;
	st->threads = pool->nr_threads;
	st->idle = pool->nr_idle;
	st->busy = pool->nr_busy + pool->nr_woken;
	st->waiters = pool->nr_waiters;
	st->peak_threads = pool->peak_threads;
	st->submitted = pool->submitted;
	st->completed = pool->completed;
	st->inlined = pool->inlined;
	st->rejected = pool->rejected;
	st->spawned = pool->spawned;
	st->reaped = pool->reaped;
	st->spawn_failed = pool->spawn_failed;
	st->timed_out = pool->timed_out;
	st->waiters_refused = pool->waiters_refused;
	st->cancelled = pool->cancelled;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(ktpool_get_stats);
