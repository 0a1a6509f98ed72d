// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool worker threads: the thread function, spawning, and the reaper.
 *
 * A worker runs its job, then takes the next one under the pool lock
 * (ktpool_take_locked(), in ktpool_job.c with the rest of a job's life), so
 * that it never sleeps while work is pending; with none, it parks itself at
 * the head of the idle list until it is woken for a pending job. Workers
 * above capacity leave for the zombie list instead; the reaper stops zombies
 * and the workers idle longer than the idle timeout, oldest first.
 */

#include <linux/freezer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>

#include "ktpool_internal.h"
#include "ktpool_trace.h"

/**
 * ktpool_wake_retry_locked() - let blocked submitters use free thread slots
 * @pool: the pool
 * @all: also the waiters whose own spawn failed (the capacity grew)
 * @wk: where to collect the waiters, to be woken once the caller has
 *	dropped the lock; NULL: wake one at most, under the lock (the slot of
 *	one failed spawn, or the room of one waiter that left)
 *
 * Wakes, oldest first, as many waiters as the pool can now accept and serve
 * (with a free worker or a new one), with %KTPOOL_WAIT_RETRY: each submits
 * again. The room that waiters woken earlier (by an earlier batch of the
 * same change, or by another call) will take once they run is not theirs
 * to give: pool->nr_retrying counts them until they take the lock, and
 * from then on the room they took is in the pool's counts. It stops at a
 * waiter whose own spawn failed (unless @all) while the pool has a thread
 * that will serve it: that one tries again itself when its cooldown has
 * passed, and the ones behind it are younger, so that it looks at no
 * waiter it does not wake (when that one leaves the queue instead, it calls
 * this again: ktpool_waiter_left_locked()). With no thread left nothing
 * else would serve it, so it retries, and returns the errno if it fails
 * again.
 *
 * Return: true when it stopped because @wk was full with room left: the
 * caller wakes those, retakes the lock and calls it again.
 */
bool ktpool_wake_retry_locked(struct ktpool *pool, bool all,
			      struct ktpool_wake *wk)
	__must_hold(&pool->lock)
{
	struct ktpool_waiter *wt;
	unsigned long inflight = ktpool_inflight(pool);
	int room, free;

	/* Jobs the pool may accept, and workers free or yet to be created. */
	room = pool->capacity > inflight ? pool->capacity - inflight : 0;
	free = (int)pool->capacity - (int)pool->nr_threads +
	       ktpool_free_workers_locked(pool);
	room = max(min(room, free) - (int)pool->nr_retrying, 0);
	if (!wk)
		room = min(room, 1);
	while (room) {
		wt = list_first_entry_or_null(&pool->waiters,
					      struct ktpool_waiter, node);
		if (!wt || (!all && wt->spawn_failed && pool->nr_threads))
			break;
		if (wk && ktpool_wake_full(wk))
			return true;
		list_del_init(&wt->node);
		WRITE_ONCE(wt->state, KTPOOL_WAIT_RETRY);
		pool->nr_retrying++;
		if (wk)
			ktpool_wake_add_locked(pool, wk, wt->task);
		else
			wake_up_process(wt->task);
		room--;
	}
	return false;
}

/**
 * ktpool_retire_idle_locked() - take an idle worker out of service
 * @pool: its pool
 * @w: a worker on @pool's idle list
 * @why: idle timeout or surplus, for the tracepoint
 *
 * The caller puts it on a list that leads to kthread_stop().
 */
void ktpool_retire_idle_locked(struct ktpool *pool, struct ktpool_worker *w,
			       enum ktpool_reap_reason why)
	__must_hold(&pool->lock)
{
	list_del(&w->node);
	WRITE_ONCE(w->state, KTPOOL_W_DYING);
	pool->nr_idle--;
	pool->nr_threads--;
	pool->reaped++;
	trace_ktpool_worker_reap(pool->name, task_pid_nr(w->task), why);
}

/* Is an idle worker above capacity, and may it leave? */
static bool ktpool_idle_surplus_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_threads > pool->capacity &&
	       ktpool_may_retire_idle_locked(pool);
}

/**
 * ktpool_retire_surplus_locked() - retire idle workers above capacity
 * @pool: the pool
 *
 * While the pool has more threads than its capacity, moves idle workers,
 * oldest first, to the zombie list, as long as ktpool_may_retire_idle_locked()
 * allows (never below min_threads created ones, nor a worker that a pending
 * job needs); a busy surplus leaves when its task returns. At most
 * %KTPOOL_WAKE_BATCH of them: the caller drops the lock and calls it again
 * while it returns true, or leaves the rest to the reaper, which retires
 * them too. Runs the reaper at once when there are zombies to stop.
 *
 * Context: under pool->lock, which it does not drop.
 * Return: true when more idle workers are surplus.
 */
bool ktpool_retire_surplus_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	struct ktpool_worker *w;
	unsigned int n;

	for (n = 0; n < KTPOOL_WAKE_BATCH && ktpool_idle_surplus_locked(pool);
	     n++) {
		w = list_last_entry(&pool->idle, struct ktpool_worker, node);
		ktpool_retire_idle_locked(pool, w, KTPOOL_REAP_SURPLUS);
		list_add(&w->node, &pool->zombies);
	}
	if (!list_empty(&pool->zombies) || ktpool_idle_surplus_locked(pool))
		ktpool_kick_reaper(pool, 0);
	return ktpool_idle_surplus_locked(pool);
}

/**
 * ktpool_kick_reaper() - run the reaper after @delay jiffies, or sooner
 * @pool: the pool
 * @delay: jiffies from now; 0 runs it at once
 *
 * A reaper already queued for later is pulled in to @delay (a worker that
 * went idle after the timeout shrank must not wait for the old expiry); one
 * queued sooner is left alone.
 *
 * Context: under pool->lock, so that ktpool_destroy() cannot miss it.
 */
void ktpool_kick_reaper(struct ktpool *pool, unsigned long delay)
	__must_hold(&pool->lock)
{
	unsigned long at = jiffies + delay;

	if (pool->dying)
		return;
	if (!delayed_work_pending(&pool->reaper))
		queue_delayed_work(system_unbound_wq, &pool->reaper, delay);
	else if (!delay || time_before(at, pool->reap_at))
		mod_delayed_work(system_unbound_wq, &pool->reaper, delay);
	else
		return;	/* queued sooner already */
	pool->reap_at = at;
}

/**
 * ktpool_retime_reaper() - re-time a pool's reaper after reap_interval_ms
 *	changed
 * @pool: the pool
 *
 * Runs the reaper at once if it has anything to watch; it re-arms itself
 * with the new interval.
 */
void ktpool_retime_reaper(struct ktpool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	if ((pool->idle_timeout_ms && pool->nr_idle) ||
	    !list_empty(&pool->zombies))
		ktpool_kick_reaper(pool, 0);
	raw_spin_unlock_irq(&pool->lock);
}

static unsigned long ktpool_reap_delay(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return max(msecs_to_jiffies(pool->idle_timeout_ms),
		   ktpool_reap_interval());
}

/*
 * A worker found nothing to take: park it at the head of the idle list, or,
 * above capacity or in a dying pool, let it go.
 */
static void ktpool_worker_rest_locked(struct ktpool *pool,
				      struct ktpool_worker *w)
	__must_hold(&pool->lock)
{
	lockdep_assert_held(&pool->lock);
	pool->nr_busy--;
	if (unlikely((pool->nr_threads > pool->capacity &&
		      ktpool_above_min_locked(pool)) || pool->dying)) {
		/*
		 * Surplus after a shrink (or a dying pool): leave. Not below
		 * min_threads created threads: with a spawn in progress the
		 * pool is above capacity only until that spawn fails, or its
		 * worker, surplus in turn, leaves instead.
		 */
		WRITE_ONCE(w->state, KTPOOL_W_DYING);
		if (pool->dying) {
			INIT_LIST_HEAD(&w->node);
			return;
		}
		pool->nr_threads--;
		pool->reaped++;
		trace_ktpool_worker_reap(pool->name, task_pid_nr(w->task),
					 KTPOOL_REAP_SURPLUS);
		list_add(&w->node, &pool->zombies);
		ktpool_kick_reaper(pool, 0);
		return;
	}

	pool->nr_idle++;
	WRITE_ONCE(w->state, KTPOOL_W_IDLE);
	w->idle_since = get_jiffies_64();
	list_add(&w->node, &pool->idle);
	if (pool->idle_timeout_ms)
		ktpool_kick_reaper(pool, ktpool_reap_delay(pool));
}

/*
 * Is @w the head of the idle list, the worker the next kick wakes? A
 * lockless peek, only to decide whether polling is worth it.
 */
static bool ktpool_worker_is_next(struct ktpool_worker *w)
{
	return READ_ONCE(w->pool->idle.next) == &w->node;
}

/*
 * KTPOOL_FREEZABLE: a worker of a freezable pool becomes freezable, and
 * freezes here while the system freezes, before it starts a task or parks.
 * A worker whose pool stopped being freezable becomes unfreezable again
 * (PF_NOFREEZE, as kthreadd gives every kthread), so that the freezer does
 * not wait for it.
 */
static void ktpool_worker_freeze(struct ktpool_worker *w)
{
	bool want = READ_ONCE(w->pool->flags) & KTPOOL_FREEZABLE;

	if (unlikely(want != w->freezable)) {
		w->freezable = want;
		if (want)
			set_freezable();
		else
			current->flags |= PF_NOFREEZE;
	}
	if (want)
		try_to_freeze();
}

/*
 * Wait until woken for a pending job: poll briefly (the spin_us parameter,
 * off by default), then sleep. Only the head of the idle list polls: the
 * others are not next in line. As KVM's halt polling does, it polls the
 * whole window only while no other task wants this CPU
 * (single_task_running(), meant for such short loops); with company it
 * polls a tenth of it, yielding when asked to, and then sleeps. Returns
 * false when stopped.
 */
static bool ktpool_worker_park(struct ktpool_worker *w)
{
	u64 spin = ktpool_spin_ns(), now, end, shared_end;

	if (spin) {
		now = local_clock();
		end = now + spin;
		shared_end = now + spin / 10;
		while (READ_ONCE(w->state) == KTPOOL_W_IDLE &&
		       ktpool_worker_is_next(w) && now < end &&
		       (now < shared_end || single_task_running())) {
			if (need_resched())
				cond_resched();
			else
				cpu_relax();
			now = local_clock();
		}
	}

	for (;;) {
		/* The freezer wakes a parked worker (TASK_IDLE) to freeze it. */
		ktpool_worker_freeze(w);
		WRITE_ONCE(w->sleeping, true);
		/* The barrier in it pairs with ktpool_claim_idle_locked(). */
		set_current_state(TASK_IDLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			return false;
		}
		if (READ_ONCE(w->state) == KTPOOL_W_WOKEN)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(w->sleeping, false);
	return true;
}

static int ktpool_worker_fn(void *arg)
{
	struct ktpool_worker *w = arg;
	struct ktpool *pool = w->pool;
	struct task_struct *next;
	bool more;

	/* A first job, given by ktpool_spawn(), is in w->job already. */
	for (;;) {
		if (w->job.fn) {
			/* No task starts while the system is frozen. */
			ktpool_worker_freeze(w);
			ktpool_run_job(pool, w);
		}

		raw_spin_lock_irq(&pool->lock);
		if (w->job.fn)
			ktpool_job_done_locked(pool, w);
		more = ktpool_take_locked(pool, w, &next);
		if (!more)
			ktpool_worker_rest_locked(pool, w);
		if (next) {
			/* It may run, go idle and be stopped before the wake. */
			rcu_read_lock();
			raw_spin_unlock_irq(&pool->lock);
			wake_up_process(next);
			rcu_read_unlock();
		} else {
			raw_spin_unlock_irq(&pool->lock);
		}
		if (more) {
			/*
			 * A scheduling point between two tasks, as cmwq's
			 * worker_thread() has: a worker that goes straight on
			 * to the next pending task would otherwise never give
			 * up its CPU on a kernel without full preemption. After
			 * the retire, so that drain and destroy do not wait on
			 * it. (A worker with nothing to do sleeps instead.)
			 */
			cond_resched();
			continue;
		}

		if (!ktpool_worker_park(w))
			return 0;
	}
}

/**
 * ktpool_own_worker() - the caller as a worker of @pool
 * @pool: the pool; not dereferenced
 *
 * Return: the calling thread's struct ktpool_worker when it is one of
 * @pool's workers, else NULL.
 */
struct ktpool_worker *ktpool_own_worker(struct ktpool *pool)
{
	struct ktpool_worker *w;

	if (!(current->flags & PF_KTHREAD) ||
	    kthread_func(current) != ktpool_worker_fn)
		return NULL;
	w = kthread_data(current);
	return w->pool == pool ? w : NULL;
}

/**
 * ktpool_on_own_worker() - is the caller a worker of @pool?
 * @pool: the pool
 *
 * Return: true when the calling thread is one of @pool's workers.
 */
bool ktpool_on_own_worker(struct ktpool *pool)
{
	return ktpool_own_worker(pool);
}

/*
 * A spawn just turned its slot into a thread. While it was in progress, an
 * idle worker may have stayed only because that spawn could still fail
 * (ktpool_above_min_locked()): the surplus of a shrink, which nothing else
 * retires now, or one past its idle timeout, for which the reaper did not
 * re-arm. Retire the former and run the reaper for both.
 */
static void ktpool_spawned_retire_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	if (pool->dying)
		return;
	ktpool_retire_surplus_locked(pool);
	/* And for one idle past its timeout, unless run for zombies already. */
	if (list_empty(&pool->zombies) && pool->idle_timeout_ms &&
	    pool->nr_idle && ktpool_above_min_locked(pool))
		ktpool_kick_reaper(pool, 0);
}

/**
 * ktpool_spawn() - create a worker, optionally with a first job
 * @pool: the pool, with a thread slot already reserved in nr_threads
 * @job: the first job (already accepted), or NULL to park at once
 * @mode: how @job was submitted, for the tracepoint
 *
 * Context: process context; sleeps. The caller keeps the reservation on
 * failure and undoes it under the pool lock.
 * Return: 0; -EINTR when a fatal signal ended it (in debug_hold or in
 * kthread_create_on_node()); -ENOMEM when no thread could be created
 * otherwise (memory, or the system's pid or thread limit: -EAGAIN there).
 */
int ktpool_spawn(struct ktpool *pool, struct ktpool_job *job,
		 enum ktpool_mode mode)
{
	struct ktpool_worker *w;
	struct task_struct *task;
	unsigned int gen;
	bool fresh;
	int ret;

	ret = ktpool_debug_hold(KTPOOL_HOLD_SPAWN);
	if (ret)
		return ret;
	if (ktpool_should_fail_spawn())
		return -ENOMEM;
	ret = ktpool_pending_grow(pool);
	if (ret)
		return ret;

	w = kzalloc_node(sizeof(*w), GFP_KERNEL, pool->numa_node);
	if (!w)
		return -ENOMEM;
	w->pool = pool;
	w->state = KTPOOL_W_BUSY;
	INIT_LIST_HEAD(&w->node);
	INIT_LIST_HEAD(&w->help_node);

	task = kthread_create_on_node(ktpool_worker_fn, w, pool->numa_node,
				      "ktpool/%s", pool->name);
	if (IS_ERR(task)) {
		kfree(w);
		/* Killed while kthreadd made it, or out of memory, pids, threads. */
		return PTR_ERR(task) == -EINTR ? -EINTR : -ENOMEM;
	}
	w->task = task;

	/*
	 * Nice or SCHED_FIFO and the cpumask before its first run; again if
	 * they changed before it is on pool->workers, where a change finds it.
	 */
	for (fresh = true;; fresh = false) {
		ret = ktpool_apply_worker_attrs(pool, task, &gen, fresh);
		if (ret) {
			kthread_stop(task);	/* never ran: its fn is not called */
			kfree(w);
			return ret;
		}
		raw_spin_lock_irq(&pool->lock);
		if (gen == pool->attrs_gen)
			break;
		raw_spin_unlock_irq(&pool->lock);
	}
	list_add(&w->all, &pool->workers);
	pool->nr_spawning--;	/* the reserved slot is a thread now */
	rcuwait_wake_up(&pool->spawn_wait);
	pool->nr_busy++;
	pool->spawned++;
	ktpool_spawned_retire_locked(pool);
	trace_ktpool_worker_spawn(pool->name, task_pid_nr(task),
				  pool->nr_threads);
	if (job) {
		w->job = *job;
		w->job_start = jiffies;
		trace_ktpool_submit(pool->name, job->fn, mode,
				    KTPOOL_DISPATCHED, 0);
	}
	raw_spin_unlock_irq(&pool->lock);

	wake_up_process(task);
	return 0;
}

/**
 * ktpool_spawn_workfn() - the asynchronous spawn started by nowait
 * @work: pool->spawn_work
 */
void ktpool_spawn_workfn(struct work_struct *work)
{
	struct ktpool *pool = container_of(work, struct ktpool, spawn_work);
	bool reserved;

	raw_spin_lock_irq(&pool->lock);
	pool->spawn_pending = false;
	/* Still no free worker for one more task, and room for it? */
	reserved = !pool->dying &&
		   ktpool_free_workers_locked(pool) <= 0 &&
		   ktpool_inflight(pool) < pool->capacity &&
		   ktpool_reserve_locked(pool);
	raw_spin_unlock_irq(&pool->lock);
	if (!reserved || !ktpool_spawn(pool, NULL, KTPOOL_NOWAIT))
		return;

	raw_spin_lock_irq(&pool->lock);
	ktpool_unreserve_locked(pool);
	raw_spin_unlock_irq(&pool->lock);
}

/**
 * ktpool_stop_workers() - stop and free workers taken off every pool list
 * @list: workers linked through their ->all member
 *
 * Context: process context; sleeps until each thread has exited.
 */
void ktpool_stop_workers(struct list_head *list)
{
	struct ktpool_worker *w, *tmp;

	list_for_each_entry_safe(w, tmp, list, all) {
		list_del(&w->all);
		kthread_stop(w->task);
		kfree(w);
	}
}

/*
 * One pass of the reaper under the lock, at most %KTPOOL_WAKE_BATCH workers
 * moved to @stop: idle ones past their timeout, oldest first, surplus ones,
 * and zombies. Returns true when it stopped at the bound; otherwise it has
 * re-armed the reaper as needed.
 */
static bool ktpool_reap_batch(struct ktpool *pool, struct list_head *stop)
{
	struct ktpool_worker *w, *tmp;
	unsigned long timeout, delay;
	unsigned int backed, n = 0;
	u64 until = 0, now;

	raw_spin_lock_irq(&pool->lock);
	now = get_jiffies_64();
	timeout = msecs_to_jiffies(pool->idle_timeout_ms);
	/*
	 * Only ktpool_note_backing_locked() writes the count, and nothing
	 * below calls it: it holds for the whole batch.
	 */
	backed = ktpool_backed_locked(pool, now, &until);
	list_for_each_entry_safe_reverse(w, tmp, &pool->idle, node) {
		/*
		 * The reserve of min_threads workers is never reaped (checked
		 * by ktpool_may_retire_idle_locked(), on created threads), nor
		 * the idle workers that pending jobs counted on within the last
		 * idle timeout: the head of the list, backed of them.
		 */
		if (n == KTPOOL_WAKE_BATCH || !pool->idle_timeout_ms ||
		    time_before64(now, w->idle_since + timeout) ||
		    !ktpool_may_retire_idle_locked(pool) ||
		    pool->nr_idle <= backed)
			break;
		ktpool_retire_idle_locked(pool, w, KTPOOL_REAP_IDLE);
		list_move(&w->all, stop);
		n++;
	}
	/* The surplus of a shrink that ktpool_set_capacity() left to it. */
	while (n < KTPOOL_WAKE_BATCH && !pool->dying &&
	       ktpool_idle_surplus_locked(pool)) {
		w = list_last_entry(&pool->idle, struct ktpool_worker, node);
		ktpool_retire_idle_locked(pool, w, KTPOOL_REAP_SURPLUS);
		list_move(&w->all, stop);
		n++;
	}
	list_for_each_entry_safe(w, tmp, &pool->zombies, node) {
		if (n == KTPOOL_WAKE_BATCH)
			break;
		list_del(&w->node);
		list_move(&w->all, stop);
		n++;
	}
	if (n == KTPOOL_WAKE_BATCH) {
		raw_spin_unlock_irq(&pool->lock);
		return true;
	}
	if (pool->idle_timeout_ms && !list_empty(&pool->idle) &&
	    ktpool_above_min_locked(pool)) {
		w = list_last_entry(&pool->idle, struct ktpool_worker, node);
		/*
		 * Expired but kept for a pending job: look again soon; kept
		 * because pending jobs counted on it: when that ends.
		 */
		delay = time_before64(now, w->idle_since + timeout) ?
			(unsigned long)(w->idle_since + timeout - now) : 0;
		if (!delay && backed)
			delay = (unsigned long)(until - now);
		ktpool_kick_reaper(pool, max(delay, ktpool_reap_interval()));
	}
	raw_spin_unlock_irq(&pool->lock);
	return false;
}

/**
 * ktpool_reaper_workfn() - stop surplus workers and those idle too long
 * @work: pool->reaper.work
 *
 * Runs only while the pool has idle or surplus workers; rearms itself for the
 * oldest idle worker's expiry, or, while it keeps expired idle workers that
 * pending jobs counted on (ktpool_backed_locked()), for when that ends; never
 * sooner than one reap interval. Takes the pool lock for a batch of workers
 * at a time, and stops each batch with the lock dropped.
 */
void ktpool_reaper_workfn(struct work_struct *work)
{
	struct ktpool *pool = container_of(to_delayed_work(work),
					   struct ktpool, reaper);
	LIST_HEAD(stop);
	bool more;

	do {
		more = ktpool_reap_batch(pool, &stop);
		ktpool_stop_workers(&stop);
		cond_resched();
	} while (more);
}
