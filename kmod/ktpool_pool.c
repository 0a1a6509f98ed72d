// SPDX-License-Identifier: GPL-2.0
/* ktpool pools: create, destroy, drain, runtime tuning and statistics. */

#include <linux/debugfs.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "ktpool_internal.h"
#include "ktpool_trace.h"

static LIST_HEAD(ktpool_pools);		/* G */
static DEFINE_MUTEX(ktpool_pools_mutex);

static bool ktpool_name_valid(const char *name)
{
	if (!name || !*name || strnlen(name, KTPOOL_NAME_LEN) == KTPOOL_NAME_LEN)
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

/* Destroy calls under way, counted from before they look at (and mark) a pool dying. */
static atomic_t ktpool_destroying = ATOMIC_INIT(0);

static void ktpool_destroy_done(void)
{
	/* Fully ordered: a waiter that sees 0 sees the pool's frees too. */
	if (atomic_dec_and_test(&ktpool_destroying))
		wake_up_var(&ktpool_destroying);
}

/**
 * ktpool_wait_destroys() - wait for every ktpool_destroy() under way, by any
 *	thread: a refused second destroy does not wait for the first
 *
 * Context: process context; sleeps.
 */
VISIBLE_IF_KUNIT void ktpool_wait_destroys(void)
{
	wait_var_event(&ktpool_destroying, !atomic_read_acquire(&ktpool_destroying));
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_wait_destroys);

/**
 * ktpool_create_attrs() - create a pool of kthreads with attributes
 * @name: unique, 1 to %KTPOOL_NAME_LEN - 1 printable characters, no '/' or
 *	space; its workers are named "ktpool/<name>"
 * @capacity: the most kthreads the pool may run, 1..%KTPOOL_MAX_CAPACITY
 * @idle_timeout_ms: stop a worker idle this long (one pending tasks counted
 *	on is in use meanwhile), 0 never, at most %KTPOOL_MAX_IDLE_TIMEOUT_MS
 * @attrs: the workers' attributes, or NULL for %KTPOOL_ATTRS_INIT; its
 *	min_threads workers are created before it returns, others as needed
 *
 * Context: process context; may sleep.
 * Return: the pool, never NULL; ERR_PTR(-EINVAL) for a bad argument (also an
 * attribute, see ktpool_apply_attrs(), or an invalid or offline @attrs->node),
 * -EEXIST when the name is taken, -ENOMEM (also when the min_threads workers
 * could not be created), -EINTR when a fatal signal ended their creation.
 */
struct ktpool *ktpool_create_attrs(const char *name, unsigned int capacity,
				   unsigned int idle_timeout_ms, const struct ktpool_attrs *attrs)
{
	static const struct ktpool_attrs dflt = KTPOOL_ATTRS_INIT;
	struct ktpool *pool;
	int ret;

	if (!attrs)
		attrs = &dflt;
	if (!ktpool_name_valid(name) || !capacity || capacity > KTPOOL_MAX_CAPACITY ||
	    idle_timeout_ms > KTPOOL_MAX_IDLE_TIMEOUT_MS ||
	    ktpool_attrs_validate(attrs, capacity) ||
	    (attrs->node != NUMA_NO_NODE &&
	     (attrs->node < 0 || attrs->node >= MAX_NUMNODES || !node_online(attrs->node))))
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
 * ktpool_create() - create a pool of kthreads, none until a task needs one
 * @name: as for ktpool_create_attrs()
 * @capacity: as for ktpool_create_attrs()
 * @idle_timeout_ms: as for ktpool_create_attrs()
 *
 * ktpool_create_attrs() with %KTPOOL_ATTRS_INIT.
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
 * @name: a copy of its name: the first destroy may have freed the pool
 *
 * Context: process context, no lock held (a KUnit stub may stall it here).
 */
VISIBLE_IF_KUNIT void ktpool_destroy_refused(const char *name)
{
	KUNIT_STATIC_STUB_REDIRECT(ktpool_destroy_refused, name);
	pr_err("%s: destroyed twice\n", name);
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_destroy_refused);

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

	/* No task in flight, no caller inside the API. */
	rcuwait_wait_event(&pool->destroy_wait,
			   !READ_ONCE(pool->inflight[0]) && !READ_ONCE(pool->inflight[1]) &&
			   !READ_ONCE(pool->nr_callers), TASK_UNINTERRUPTIBLE);
	cancel_work_sync(&pool->spawn_work);

	/* No debugfs reader may look at the workers from here on. */
	debugfs_remove_recursive(pool->debugfs);

	/* Also waits for the last waker to drop the lock. */
	raw_spin_lock_irq(&pool->lock);
	list_splice_init(&pool->workers, &stop);
	list_for_each_entry(w, &stop, all) {
		INIT_LIST_HEAD(&w->node);
		trace_ktpool_worker_reap(pool->name, task_pid_nr(w->task), KTPOOL_REAP_DESTROY);
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
 * ktpool_destroy() - stop a pool and free it
 * @pool: the pool, or NULL (then nothing happens)
 *
 * New submissions and the callers blocked in ktpool_submit() fail with
 * -ESHUTDOWN at once, their tasks not run. Then it waits for the accepted
 * tasks and the calls on @pool begun before it (a submit returns -ESHUTDOWN
 * or the outcome it had reached, running a task it returned 0 or
 * %KTPOOL_RAN_INLINE for to completion; a drain, once its tasks are done),
 * stops every thread and frees the pool. A call begun meanwhile gets
 * -ESHUTDOWN (ktpool_get_stats() still reads) if the caller guarantees it
 * begins before ktpool_destroy() returns, e.g. from a task of @pool; one
 * that may begin later is a use-after-free: as with destroy_workqueue(),
 * stop your own submitters first. A second destroy, a caller bug too, is
 * refused with an error message while the first runs. From a task of @pool
 * (on a worker, or inline in a submit to @pool) it would wait for itself:
 * refused with a WARN_ON_ONCE, the pool left as it was.
 *
 * Context: process context; sleeps.
 */
void ktpool_destroy(struct ktpool *pool)
{
	char name[KTPOOL_NAME_LEN];

	if (IS_ERR_OR_NULL(pool))
		return;
	if (WARN_ON_ONCE(ktpool_own_worker(pool) || ktpool_inline_holds(pool, NULL))) {
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

/*
 * The first pool no destroy has begun on, claimed (dying, counted), or NULL;
 * under G, which another destroy needs to unlist its pool before the free.
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
 * Module exit: a client's leftover pools would run ktpool's code after it.
 * A destroy overlapping it, a client bug, is waited for.
 */
void ktpool_destroy_leaked(void)
{
	struct ktpool *pool;

	mutex_lock(&ktpool_pools_mutex);
	while ((pool = ktpool_claim_alive_locked())) {
		mutex_unlock(&ktpool_pools_mutex);
		pr_warn("pool %s was not destroyed by its creator: destroying it\n", pool->name);
		ktpool_destroy_claimed(pool);
		mutex_lock(&ktpool_pools_mutex);
	}
	mutex_unlock(&ktpool_pools_mutex);
	ktpool_wait_destroys();
}

/**
 * ktpool_drain() - wait for the tasks accepted so far to finish
 * @pool: the pool
 *
 * Waits for exactly the tasks accepted for a worker of @pool before the call
 * began (those their submit returned 0 for, also those a blocked submitter
 * had handed over, not those deferred past %KTPOOL_MAX_INLINE_DEPTH): not for
 * inline ones (done before their submit, or the outermost inline run,
 * returns), nor blocked submitters' (not accepted yet), nor later ones, so a
 * steady stream of submissions cannot starve it. Drains are serialized.
 *
 * Context: process context; sleeps. May race with ktpool_destroy() as
 * described there.
 * Return: 0 once they have finished; -EINVAL for a NULL @pool, -EDEADLK from
 * a worker of @pool, -ESHUTDOWN when @pool is being destroyed.
 */
int ktpool_drain(struct ktpool *pool)
{
	unsigned int old;
	int ret;

	if (!pool)
		return -EINVAL;
	if (ktpool_own_worker(pool)) {
		pr_warn_once("%s: drain from its own worker refused\n", pool->name);
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
		rcuwait_wait_event(&pool->drain_wait, !READ_ONCE(pool->inflight[old]),
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
 * @capacity: 1..%KTPOOL_MAX_CAPACITY, not below the pool's min_threads
 *
 * At once: growing wakes blocked submitters to spawn; shrinking stops surplus
 * idle workers now (oldest first), busy ones as they finish their task, never
 * below min_threads created ones (one still being created does not count).
 *
 * Context: any context but NMI (the pool lock is raw); does not sleep. May
 * race with ktpool_destroy() as described there. Between batches of wake-ups
 * and retirements the lock is dropped, letting in interrupts if they were on.
 * Return: 0, -EINVAL for a NULL @pool or a bad @capacity (nothing changes),
 * -ESHUTDOWN when @pool is being destroyed.
 */
int ktpool_set_capacity(struct ktpool *pool, unsigned int capacity)
{
	struct ktpool_wake wk = { };
	unsigned long flags;
	bool more;
	int ret;

	if (!pool || !capacity || capacity > KTPOOL_MAX_CAPACITY)
		return -EINVAL;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->dying || capacity < pool->min_threads) {
		ret = pool->dying ? -ESHUTDOWN : -EINVAL;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		return ret;
	}
	trace_ktpool_resize(pool->name, pool->capacity, capacity, pool->nr_threads);
	WRITE_ONCE(pool->capacity, capacity);

	/*
	 * A batch at a time, L dropped in between: counted as a caller, so that
	 * destroy waits. Each batch looks anew: the last change's batches win.
	 */
	ktpool_caller_enter_locked(pool);
	for (;;) {
		more = pool->nr_threads > pool->capacity && ktpool_kick_all_locked(pool, &wk);
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
}
EXPORT_SYMBOL_GPL(ktpool_set_capacity);

/**
 * ktpool_set_idle_timeout() - change how long a worker may stay idle
 * @pool: the pool
 * @idle_timeout_ms: 0 (never reap) .. %KTPOOL_MAX_IDLE_TIMEOUT_MS; applies
 *	to the workers already idle too
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
 * @max_waiters: the most callers blocked at once for a worker of @pool (in
 *	any submit, but not at a group's own limit); 0, the default: no bound
 *
 * One more gets -EBUSY at once (the stats' waiters_refused); a lower bound
 * does not wake those already blocked.
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
 * @st: where to store it, under the pool lock (no torn or inconsistent
 *	values); zeroed when @pool is NULL
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
