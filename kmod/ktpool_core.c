// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool core: a task's whole path, in the order it happens.
 *  1. Accept: with its owner's reference, in flight (by epoch) below capacity.
 *  2. Publish, kick: pending only while a worker is free for it (pending <=
 *     nr_idle + nr_woken); the idle head (LIFO) is woken.
 *  3. Full pool: spawn below capacity; at capacity try runs inline (deferred
 *     past KTPOOL_MAX_INLINE_DEPTH), anyway waits, nowait gets -EBUSY.
 *  4. Waiters: blocked submitters, oldest first, on their stack.
 *  5. Submit calls: the exports.
 *  6. Take: a worker lets the oldest waiter in, then takes a pending task.
 *  7. Run: with no lock held; leaks are reported and repaired.
 *  8. Retire: out of the in-flight count, which ends drain and destroy.
 *  9. Park: to the idle head (or out, above capacity) until woken.
 * 10. Spawn: a reserved slot becomes a thread, with a first task.
 * 11. Reaper: stops zombies and workers idle past the timeout.
 * A job's fields are accessed under L only; the legend is in ktpool_internal.h.
 */

#include <linux/freezer.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>

#include "ktpool_internal.h"
#include "ktpool_trace.h"

enum ktpool_waiter_state {
	KTPOOL_WAIT_QUEUED,	/* on pool->waiters */
	KTPOOL_WAIT_TAKEN,	/* a worker took the job */
	KTPOOL_WAIT_RETRY,	/* capacity grew: try to spawn again */
	KTPOOL_WAIT_SHUTDOWN,	/* the pool is being destroyed */
};

struct ktpool_waiter {
	struct list_head node;		/* L: while QUEUED, on a waiter list */
	struct task_struct *task;	/* I */
	struct ktpool_job job;		/* I, then owned by the taker */
	enum ktpool_waiter_state state;	/* L to write; READ_ONCE to poll */
	bool spawn_failed;		/* I: its own spawn failed */
	u64 ticket;			/* I: queue order across retries */
};

static void ktpool_job_run(struct ktpool_job *job)
{
	if (job->group.grp)
		ktpool_group_run(job);
	else
		job->fn(job->data);
}

static unsigned long ktpool_inflight(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->inflight[0] + pool->inflight[1];
}

/* A job may be published only while > 0. */
static int ktpool_free_workers_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return (int)(pool->nr_idle + pool->nr_woken) -
	       (int)kfifo_len(&pool->pending);
}

/* Not below min_threads: a reserved spawn may still fail. */
static bool ktpool_above_min_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_threads - pool->nr_spawning > pool->min_threads;
}

/* 1. Accept */

static void ktpool_job_retire_locked(struct ktpool *pool, struct ktpool_job *job);

static void ktpool_accept_locked(struct ktpool *pool, struct ktpool_job *job)
	__must_hold(&pool->lock)
{
	job->epoch = pool->epoch;
	WRITE_ONCE(pool->inflight[job->epoch], pool->inflight[job->epoch] + 1);
	pool->submitted++;
}

/* 2. Publish and kick, and the park that pairs with the kick */

/* The idle head's task to wake, or NULL while it polls. */
static struct task_struct *ktpool_claim_idle_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	struct ktpool_worker *w;

	lockdep_assert_held(&pool->lock);
	w = list_first_entry_or_null(&pool->idle, struct ktpool_worker, node);
	if (WARN_ON_ONCE(!w))	/* pending > idle + woken: a bug */
		return NULL;
	list_del(&w->node);
	pool->nr_idle--;
	pool->nr_woken++;
	WRITE_ONCE(w->state, KTPOOL_W_WOKEN);
	/*
	 * Pairs with set_current_state() in ktpool_worker_park(): either this
	 * reads sleeping, or the worker reads WOKEN and does not sleep.
	 */
	smp_mb();
	return READ_ONCE(w->sleeping) ? w->task : NULL;
}

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

/* The idle head polls first, as KVM's halt polling; false when stopped. */
static bool ktpool_worker_park(struct ktpool_worker *w)
{
	u64 spin = ktpool_spin_ns(), now, end, shared_end;

	if (spin) {
		now = local_clock();
		end = now + spin;
		shared_end = now + spin / 10;
		while (READ_ONCE(w->state) == KTPOOL_W_IDLE &&
		       READ_ONCE(w->pool->idle.next) == &w->node && now < end &&
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
		/* Its barrier pairs with smp_mb() in ktpool_claim_idle_locked(). */
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

static struct task_struct *ktpool_kick_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	if (pool->nr_woken || kfifo_is_empty(&pool->pending))
		return NULL;
	return ktpool_claim_idle_locked(pool);
}

static bool ktpool_backed_live(struct ktpool *pool, int i, u64 now,
			       unsigned long tmo)
	__must_hold(&pool->lock)
{
	return pool->backed[i] && time_before64(now, pool->backed_at[i] + tmo);
}

/*
 * The reaper keeps as many idle workers as pending jobs counted on within
 * an idle timeout: a sliding maximum in two slots, not a capacity deque.
 */
static void ktpool_note_backing_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	int n = (int)kfifo_len(&pool->pending) - (int)pool->nr_woken;
	unsigned long tmo;
	u64 now;

	if (n <= 0 || !pool->idle_timeout_ms)	/* 0: never reaps */
		return;
	now = get_jiffies_64();
	tmo = msecs_to_jiffies(pool->idle_timeout_ms);
	if (!ktpool_backed_live(pool, 0, now, tmo)) {
		/* Slot 1, live or not, is slot 0's successor. */
		pool->backed[0] = ktpool_backed_live(pool, 1, now, tmo) ?
				  pool->backed[1] : 0;
		pool->backed_at[0] = pool->backed_at[1];
		pool->backed[1] = 0;
	}
	if (n >= pool->backed[0]) {
		pool->backed[0] = n;
		pool->backed_at[0] = now;
		pool->backed[1] = 0;
	} else if (n >= pool->backed[1]) {
		pool->backed[1] = n;
		pool->backed_at[1] = now;
	}
}

/* False, nothing changed, when no worker is free or no room. */
static bool ktpool_publish_locked(struct ktpool *pool, struct ktpool_job *job,
				  struct task_struct **wake)
	__must_hold(&pool->lock)
{
	lockdep_assert_held(&pool->lock);
	/* kfifo_is_full() only guards the invariant: it is never true. */
	if (ktpool_inflight(pool) >= pool->capacity ||
	    ktpool_free_workers_locked(pool) <= 0 ||
	    WARN_ON_ONCE(kfifo_is_full(&pool->pending)))
		return false;
	ktpool_accept_locked(pool, job);
	kfifo_put(&pool->pending, *job);
	*wake = ktpool_kick_locked(pool);
	ktpool_note_backing_locked(pool);
	return true;
}

/* 3. A full pool: inline runs, nested and deferred */

/* A frame per inline run; deferring past the bound keeps the stack bounded. */
struct ktpool_inline {
	struct hlist_node node;		/* on ktpool_inline_hash, innermost first */
	struct task_struct *task;	/* the thread that runs it */
	struct ktpool *pool;		/* the pool whose task runs in it */
	struct ktpool *running;		/* outermost: pool of the deferred task */
	unsigned int depth;		/* 1 for the outermost frame */
	struct ktpool_inline *outer;	/* the thread's outermost frame */
	struct list_head deferred;	/* outermost only: ktpool_deferred */
};

struct ktpool_deferred {
	struct list_head node;
	struct ktpool *pool;
	struct ktpool_job job;		/* holds the owner's reference */
};

#define KTPOOL_INLINE_HASH_BITS	6
static struct hlist_head ktpool_inline_hash[1 << KTPOOL_INLINE_HASH_BITS];
static DEFINE_SPINLOCK(ktpool_inline_lock);	/* the hash, not the frames */

static struct hlist_head *ktpool_inline_bucket(struct task_struct *task)
{
	return &ktpool_inline_hash[hash_ptr(task, KTPOOL_INLINE_HASH_BITS)];
}

static struct ktpool_inline *ktpool_inline_top(void)
	__must_hold(&ktpool_inline_lock)
{
	struct ktpool_inline *f;

	hlist_for_each_entry(f, ktpool_inline_bucket(current), node)
		if (f->task == current)
			return f;
	return NULL;
}

static void ktpool_run_deferred(struct ktpool_inline *f)
{
	struct ktpool_deferred *d;

	while ((d = list_first_entry_or_null(&f->deferred,
					     struct ktpool_deferred, node))) {
		list_del(&d->node);
		f->running = d->pool;
		ktpool_job_run(&d->job);
		module_put(d->job.owner);
		/* The count the deferring submit call handed over. */
		raw_spin_lock_irq(&d->pool->lock);
		ktpool_caller_exit_locked(d->pool);
		raw_spin_unlock_irq(&d->pool->lock);
		f->running = NULL;
		kfree(d);
		cond_resched();
	}
}

/* Then this thread must not wait for @pool's callers or @grp's tasks. */
bool ktpool_inline_holds(struct ktpool *pool, const struct ktpool_group *grp)
{
	struct ktpool_inline *f;
	struct ktpool_deferred *d;
	bool ret = false;

	spin_lock(&ktpool_inline_lock);
	hlist_for_each_entry(f, ktpool_inline_bucket(current), node) {
		if (f->task != current)
			continue;
		if (pool && (f->pool == pool || f->running == pool))
			ret = true;
		if (f->outer == f)
			list_for_each_entry(d, &f->deferred, node)
				if (pool ? d->pool == pool :
				    d->job.group.grp == grp)
					ret = true;
	}
	spin_unlock(&ktpool_inline_lock);
	return ret;
}

static void ktpool_run_checked(struct ktpool *pool, struct ktpool_worker *w,
			       struct ktpool_job *job);

/* 0: deferred, with the caller count. @served: the worker in ktpool_help(). */
static int ktpool_run_inline_locked(struct ktpool *pool,
				    struct ktpool_job *job,
				    enum ktpool_mode mode, unsigned long flags,
				    struct ktpool_worker *served)
	__releases(&pool->lock)
{
	struct ktpool_inline f = { .task = current, .pool = pool };
	struct ktpool_deferred *d;
	struct ktpool_inline *top;

	/* Served: in flight, as on a worker, so that a drain waits. */
	if (served) {
		ktpool_accept_locked(pool, job);
	} else {
		pool->submitted++;
		pool->inlined++;
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);

	spin_lock(&ktpool_inline_lock);
	top = ktpool_inline_top();
	if (top && top->depth >= KTPOOL_MAX_INLINE_DEPTH) {
		spin_unlock(&ktpool_inline_lock);
		/* ktpool_help() runs nothing at the bound. */
		WARN_ON_ONCE(served);
		/* A task accepted must run: rare, small, in process context. */
		d = kmalloc(sizeof(*d), GFP_KERNEL | __GFP_NOFAIL);
		d->pool = pool;
		d->job = *job;
		/* Only this thread touches its frames' lists. */
		list_add_tail(&d->node, &top->outer->deferred);
		trace_ktpool_submit(pool->name, job->fn, mode, KTPOOL_INLINE, 0);
		return 0;
	}
	f.depth = top ? top->depth + 1 : 1;
	f.outer = top ? top->outer : &f;
	INIT_LIST_HEAD(&f.deferred);
	hlist_add_head(&f.node, ktpool_inline_bucket(current));
	spin_unlock(&ktpool_inline_lock);

	if (served) {
		trace_ktpool_submit(pool->name, job->fn, mode, KTPOOL_BLOCKED, 0);
		ktpool_run_checked(pool, served, job);
	} else {
		trace_ktpool_submit(pool->name, job->fn, mode, KTPOOL_INLINE,
				    KTPOOL_RAN_INLINE);
		ktpool_job_run(job);
	}
	if (f.outer == &f)
		ktpool_run_deferred(&f);

	spin_lock(&ktpool_inline_lock);
	hlist_del(&f.node);
	spin_unlock(&ktpool_inline_lock);

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (served) {
		pool->completed++;
		ktpool_job_retire_locked(pool, job);
		/* It ran beyond capacity: a worker may have gone idle since. */
		if (!list_empty(&pool->waiters))
			ktpool_wake_retry_locked(pool, false, NULL);
	}
	ktpool_caller_exit_locked(pool);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return KTPOOL_RAN_INLINE;
}

/* 4. Blocked submitters: queue, retry, shut down, served by a waiting worker */

/* Retries stopped at a waiter whose spawn failed: the next one's turn. */
static void ktpool_waiter_left_locked(struct ktpool *pool,
				      const struct ktpool_waiter *wt)
	__must_hold(&pool->lock)
{
	if (wt->spawn_failed)
		ktpool_wake_retry_locked(pool, false, NULL);
}

/* As cmwq's CREATE_COOLDOWN: busy workers' tasks may wait for its task. */
#define KTPOOL_SPAWN_COOLDOWN	HZ

/* Only the oldest retry: a short walk. */
static void ktpool_requeue_locked(struct ktpool *pool, struct ktpool_waiter *wt)
	__must_hold(&pool->lock)
{
	struct ktpool_waiter *pos;

	list_for_each_entry(pos, &pool->waiters, node) {
		if (pos->ticket > wt->ticket) {
			list_add_tail(&wt->node, &pos->node);
			return;
		}
	}
	list_add_tail(&wt->node, &pool->waiters);
}

/* 0: taken; -EAGAIN: room was made, or its spawn cooled down: look again. */
static int ktpool_wait_locked(struct ktpool *pool, struct ktpool_job *job,
			      unsigned long *flags, bool spawn_failed,
			      long *timeout, u64 *ticket)
	__must_hold(&pool->lock)
{
	struct ktpool_waiter wt = {
		.task = current,
		.job = *job,
		.state = KTPOOL_WAIT_QUEUED,
		.spawn_failed = spawn_failed,
	};
	/* A deadline: a spurious wake-up must not restart the cooldown. */
	unsigned long cool = jiffies + KTPOOL_SPAWN_COOLDOWN;
	struct ktpool_worker *w;
	unsigned int state;
	bool cooled;
	long t, left;
	int ret;

	if (!*timeout) {
		pool->rejected++;
		return -EBUSY;
	}
	if (!*ticket) {
		/* Only at the door: one already waiting is never refused later. */
		if (pool->max_waiters &&
		    pool->nr_waiters >= pool->max_waiters) {
			pool->waiters_refused++;
			return -EBUSY;
		}
		*ticket = ++pool->waiter_ticket;
		wt.ticket = *ticket;
		list_add_tail(&wt.node, &pool->waiters);
	} else {
		wt.ticket = *ticket;
		ktpool_requeue_locked(pool, &wt);
	}
	pool->nr_waiters++;
	/* One helper serves the whole group; under L, so none misses it. */
	if (job->group.grp) {
		list_for_each_entry(w, &pool->helpers, help_node) {
			if (w->help_grp == job->group.grp) {
				WRITE_ONCE(w->help_kick, true);
				wake_up_process(w->task);
				break;
			}
		}
	}
	raw_spin_unlock_irqrestore(&pool->lock, *flags);

	/*
	 * Read after L is dropped (lockdep would count it). set_current_state()
	 * pairs with the taker's WRITE_ONCE(state) then wake_up_process().
	 */
	state = ktpool_wait_state(READ_ONCE(pool->flags));
	for (;;) {
		cooled = false;
		for (;;) {
			set_current_state(state);
			if (READ_ONCE(wt.state) != KTPOOL_WAIT_QUEUED ||
			    fatal_signal_pending(current) || !*timeout)
				break;
			t = *timeout;
			if (spawn_failed) {
				left = (long)(cool - jiffies);
				if (left <= 0) {
					cooled = true;
					break;
				}
				t = min(t, left);
			}
			left = schedule_timeout(t);
			if (*timeout != MAX_SCHEDULE_TIMEOUT)
				*timeout -= t - left;
		}
		__set_current_state(TASK_RUNNING);

		raw_spin_lock_irqsave(&pool->lock, *flags);
		/* Cooled down behind an older waiter: that one tries first. */
		if (!cooled || wt.state != KTPOOL_WAIT_QUEUED ||
		    fatal_signal_pending(current) ||
		    list_is_first(&wt.node, &pool->waiters))
			break;
		cool = jiffies + KTPOOL_SPAWN_COOLDOWN;
		raw_spin_unlock_irqrestore(&pool->lock, *flags);
	}

	switch (wt.state) {
	case KTPOOL_WAIT_QUEUED:
		list_del(&wt.node);
		ret = fatal_signal_pending(current) ? -EINTR : -EAGAIN;
		break;
	case KTPOOL_WAIT_TAKEN:
		ret = 0;
		break;
	case KTPOOL_WAIT_RETRY:
		pool->nr_retrying--;
		ret = -EAGAIN;
		break;
	default:
		ret = -ESHUTDOWN;
		break;
	}
	pool->nr_waiters--;
	if (ret == -EAGAIN && !*timeout) {
		/* Out of time, even to retry: its room goes to the next one. */
		if (wt.state == KTPOOL_WAIT_RETRY)
			ktpool_wake_retry_locked(pool, false, NULL);
		pool->timed_out++;
		ret = -ETIMEDOUT;
	}
	if (wt.state == KTPOOL_WAIT_QUEUED && ret != -EAGAIN)
		ktpool_waiter_left_locked(pool, &wt);
	return ret;
}

/* Unless @all, not past a failed spawn. True: @wk is full, room is left. */
bool ktpool_wake_retry_locked(struct ktpool *pool, bool all,
			      struct ktpool_wake *wk)
	__must_hold(&pool->lock)
{
	struct ktpool_waiter *wt;
	unsigned long inflight = ktpool_inflight(pool);
	int room, free;

	room = pool->capacity > inflight ? pool->capacity - inflight : 0;
	free = (int)pool->capacity - (int)pool->nr_threads +
	       ktpool_free_workers_locked(pool);
	room = max(min(room, free) - (int)pool->nr_retrying, 0);
	if (!wk)
		room = min(room, 1);
	while (room) {
		wt = list_first_entry_or_null(&pool->waiters,
					      struct ktpool_waiter, node);
		/* A worker that finishes lets it in: unless one is free now. */
		if (!wt || (!all && wt->spawn_failed && pool->nr_threads &&
			    ktpool_free_workers_locked(pool) <=
			    (int)pool->nr_retrying))
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

/* All at once, so that no worker serves one any more. */
void ktpool_shutdown_waiters(struct ktpool *pool)
{
	struct ktpool_wake wk = { };
	struct ktpool_waiter *wt;
	unsigned long flags;
	LIST_HEAD(shut);

	raw_spin_lock_irqsave(&pool->lock, flags);
	rcuwait_wake_up(&pool->spawn_wait);
	list_splice_init(&pool->waiters, &shut);
	while ((wt = list_first_entry_or_null(&shut, struct ktpool_waiter,
					      node))) {
		list_del_init(&wt->node);
		WRITE_ONCE(wt->state, KTPOOL_WAIT_SHUTDOWN);
		ktpool_wake_add_locked(pool, &wk, wt->task);
		if (ktpool_wake_full(&wk)) {
			ktpool_wake_unlock_irqrestore(pool, &wk, flags);
			cond_resched();
			raw_spin_lock_irqsave(&pool->lock, flags);
		}
	}
	ktpool_wake_unlock_irqrestore(pool, &wk, flags);
}

/*
 * A task waiting for @grp on a worker may hold the slot its next task
 * needs: run the group's blocked tasks, then wait on pool->helpers (until
 * ktpool_help_end()). At the inline bound it runs nothing: it would defer.
 */
void ktpool_help(struct ktpool_worker *w, struct ktpool_group *grp)
{
	struct ktpool *pool = w->pool;
	struct ktpool_inline *top;
	struct ktpool_waiter *wt;
	struct ktpool_job job;
	unsigned long flags;
	bool at_bound;

	spin_lock(&ktpool_inline_lock);
	top = ktpool_inline_top();
	at_bound = top && top->depth >= KTPOOL_MAX_INLINE_DEPTH;
	spin_unlock(&ktpool_inline_lock);
	raw_spin_lock_irqsave(&pool->lock, flags);
	for (;;) {
		list_del_init(&w->help_node);
		WRITE_ONCE(w->help_kick, false);
		if (at_bound)
			goto unlock;
		if (pool->dying || !READ_ONCE(grp->pending))
			break;
		list_for_each_entry(wt, &pool->waiters, node)
			if (wt->job.group.grp == grp)
				break;
		if (list_entry_is_head(wt, &pool->waiters, node))
			break;
		job = wt->job;
		list_del_init(&wt->node);
		WRITE_ONCE(wt->state, KTPOOL_WAIT_TAKEN);
		wake_up_process(wt->task);
		ktpool_waiter_left_locked(pool, wt);
		ktpool_caller_enter_locked(pool);
		ktpool_run_inline_locked(pool, &job, KTPOOL_ANYWAY, flags, w);
		module_put(job.owner);
		raw_spin_lock_irqsave(&pool->lock, flags);
	}
	w->help_grp = grp;
	list_add_tail(&w->help_node, &pool->helpers);
unlock:
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}

void ktpool_help_end(struct ktpool_worker *w)
{
	struct ktpool *pool = w->pool;

	raw_spin_lock_irq(&pool->lock);
	list_del_init(&w->help_node);
	raw_spin_unlock_irq(&pool->lock);
}

/* 5. The submit calls */

static int ktpool_do_submit(struct ktpool *pool, struct ktpool_job *job,
			    enum ktpool_mode mode, long timeout)
{
	ktpool_fn_t fn = job->fn;
	struct task_struct *tsk;
	unsigned long flags;
	bool held = false, counted = false;
	u64 ticket = 0;
	int spawn_err, ret;

	raw_spin_lock_irqsave(&pool->lock, flags);
again:
	if (unlikely(pool->dying)) {
		ret = -ESHUTDOWN;
		goto out_unlock;
	}

	if (likely(ktpool_publish_locked(pool, job, &tsk))) {
		trace_ktpool_submit(pool->name, fn, mode, KTPOOL_DISPATCHED, 0);
		/* A retrier whose spawn failed held back the younger ones. */
		if (ticket)
			ktpool_wake_retry_locked(pool, false, NULL);
		if (counted)
			ktpool_caller_exit_locked(pool);
		if (!tsk) {
			raw_spin_unlock_irqrestore(&pool->lock, flags);
			return 0;
		}
		/* It may run, go idle and be stopped before the wake: RCU. */
		rcu_read_lock();
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		wake_up_process(tsk);
		rcu_read_unlock();
		return 0;
	}

	if (mode == KTPOOL_NOWAIT) {
		if (ktpool_inflight(pool) < pool->capacity &&
		    pool->nr_threads < pool->capacity && !pool->spawn_pending) {
			pool->spawn_pending = true;
			queue_work(system_unbound_wq, &pool->spawn_work);
		}
		pool->rejected++;
		ret = -EBUSY;
		goto out_unlock;
	}

	/* From here on L may be dropped: counted, so that destroy waits. */
	if (!counted) {
		ktpool_caller_enter_locked(pool);
		counted = true;
	}

	/* Fault injection: drop the lock here once, and look again. */
	if (!held && ktpool_debug_holding(KTPOOL_HOLD_POLL)) {
		held = true;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		ktpool_debug_hold(KTPOOL_HOLD_POLL);
		raw_spin_lock_irqsave(&pool->lock, flags);
		goto again;
	}

	spawn_err = 0;
	if (ktpool_inflight(pool) < pool->capacity &&
	    ktpool_reserve_locked(pool)) {
		ktpool_accept_locked(pool, job);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		spawn_err = ktpool_spawn(pool, job, mode);
		raw_spin_lock_irqsave(&pool->lock, flags);
		if (!spawn_err) {
			if (ticket)
				ktpool_wake_retry_locked(pool, false, NULL);
			ktpool_caller_exit_locked(pool);
			raw_spin_unlock_irqrestore(&pool->lock, flags);
			return 0;
		}
		/* Unaccepted, then unreserved: woken waiters see its room. */
		pool->submitted--;
		ktpool_job_retire_locked(pool, job);
		ktpool_unreserve_locked(pool);
		if (unlikely(pool->dying)) {
			ret = -ESHUTDOWN;
			goto out_unlock;
		}
		/* A worker went idle while it spawned: nothing wakes it. */
		if (ktpool_free_workers_locked(pool) > 0)
			goto again;
	}

	if (mode == KTPOOL_TRY || ktpool_own_worker(pool))
		return ktpool_run_inline_locked(pool, job, mode, flags, NULL);

	if (!pool->nr_threads) {
		/* Nothing to wait for: why the spawn failed. */
		ret = spawn_err ?: -ENOMEM;
		goto out_unlock;
	}

	ret = ktpool_wait_locked(pool, job, &flags, spawn_err != 0, &timeout,
				 &ticket);
	if (ret == -EAGAIN)
		goto again;
	if (!ret) {
		/* The worker that took it traced it as blocked. */
		ktpool_caller_exit_locked(pool);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		return 0;
	}
out_unlock:
	trace_ktpool_submit(pool->name, fn, mode,
			    ret == -EBUSY ? KTPOOL_REJECTED : KTPOOL_FAILED, ret);
	if (counted)
		ktpool_caller_exit_locked(pool);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}

/* try_module_get() fails once the owner's exit has begun. */
int ktpool_submit_common(struct ktpool *pool, struct ktpool_job *job,
			 enum ktpool_mode mode, long timeout)
{
	int ret;

	if (unlikely(!pool || !job->fn))
		return -EINVAL;
	/* Not traced: not counted yet, the pool may be freed under it. */
	if (unlikely(!try_module_get(job->owner)))
		return -ENODEV;
	ret = ktpool_do_submit(pool, job, mode, timeout);
	if (ret)
		module_put(job->owner);
	return ret;
}

/* For a group at its limit: as try on a full pool. */
int ktpool_submit_inline(struct ktpool *pool, struct ktpool_job *job,
			 enum ktpool_mode mode)
{
	unsigned long flags;
	int ret;

	if (unlikely(!try_module_get(job->owner)))
		return -ENODEV;
	raw_spin_lock_irqsave(&pool->lock, flags);
	if (unlikely(pool->dying)) {
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		ret = -ESHUTDOWN;
	} else {
		ktpool_caller_enter_locked(pool);
		ret = ktpool_run_inline_locked(pool, job, mode, flags, NULL);
	}
	if (ret)
		module_put(job->owner);
	return ret;
}

#define KTPOOL_JOB(f, d, o) \
	((struct ktpool_job){ .fn = (f), .data = (d), .owner = (o) })

/**
 * __ktpool_try_submit() - the function behind ktpool_try_submit()
 * @pool: the pool
 * @fn: the task
 * @data: its argument
 * @owner: the module @fn lives in (THIS_MODULE of the caller)
 *
 * Context: process context; may sleep.
 * Return: see ktpool_try_submit().
 */
int __ktpool_try_submit(struct ktpool *pool, ktpool_fn_t fn, void *data,
			struct module *owner)
{
	struct ktpool_job job = KTPOOL_JOB(fn, data, owner);

	might_sleep();
	return ktpool_submit_common(pool, &job, KTPOOL_TRY,
				    MAX_SCHEDULE_TIMEOUT);
}
EXPORT_SYMBOL_GPL(__ktpool_try_submit);

/**
 * __ktpool_submit() - the function behind ktpool_submit()
 * @pool: the pool
 * @fn: the task
 * @data: its argument
 * @owner: the module @fn lives in (THIS_MODULE of the caller)
 *
 * Context: process context; may sleep (killable).
 * Return: see ktpool_submit().
 */
int __ktpool_submit(struct ktpool *pool, ktpool_fn_t fn, void *data,
		    struct module *owner)
{
	struct ktpool_job job = KTPOOL_JOB(fn, data, owner);

	might_sleep();
	return ktpool_submit_common(pool, &job, KTPOOL_ANYWAY,
				    MAX_SCHEDULE_TIMEOUT);
}
EXPORT_SYMBOL_GPL(__ktpool_submit);

/**
 * __ktpool_submit_timeout() - the function behind ktpool_submit_timeout()
 * @pool: the pool
 * @fn: the task
 * @data: its argument
 * @timeout_ms: how long to wait for a worker; 0: do not wait
 * @owner: the module @fn lives in (THIS_MODULE of the caller)
 *
 * Context: process context; may sleep (killable).
 * Return: see ktpool_submit_timeout().
 */
int __ktpool_submit_timeout(struct ktpool *pool, ktpool_fn_t fn, void *data,
			    unsigned int timeout_ms, struct module *owner)
{
	struct ktpool_job job = KTPOOL_JOB(fn, data, owner);
	unsigned long t = msecs_to_jiffies(timeout_ms);

	might_sleep();
	/* A non-zero timeout waits at least a jiffy, and never forever. */
	return ktpool_submit_common(pool, &job, KTPOOL_ANYWAY,
				    min_t(unsigned long, t,
					  MAX_SCHEDULE_TIMEOUT - 1));
}
EXPORT_SYMBOL_GPL(__ktpool_submit_timeout);

/**
 * __ktpool_submit_nowait() - the function behind ktpool_submit_nowait()
 * @pool: the pool
 * @fn: the task
 * @data: its argument
 * @owner: the module @fn lives in (THIS_MODULE of the caller)
 *
 * Context: any context except NMI, including hard IRQ on PREEMPT_RT; never
 * sleeps.
 * Return: see ktpool_submit_nowait().
 */
int __ktpool_submit_nowait(struct ktpool *pool, ktpool_fn_t fn, void *data,
			   struct module *owner)
{
	struct ktpool_job job = KTPOOL_JOB(fn, data, owner);

	return ktpool_submit_common(pool, &job, KTPOOL_NOWAIT, 0);
}
EXPORT_SYMBOL_GPL(__ktpool_submit_nowait);

/* 6. Take */

/* False when none is pending; @w stays busy, for the caller to park. */
static bool ktpool_take_locked(struct ktpool *pool, struct ktpool_worker *w,
			       struct task_struct **wake)
	__must_hold(&pool->lock)
{
	struct ktpool_waiter *wt;
	bool let_in = false;

	lockdep_assert_held(&pool->lock);
	*wake = NULL;
	if (w->state == KTPOOL_W_WOKEN) {
		pool->nr_woken--;
		pool->nr_busy++;
		WRITE_ONCE(w->state, KTPOOL_W_BUSY);
	}

	/* @w takes one below: then pending <= idle + woken again. */
	wt = list_first_entry_or_null(&pool->waiters, struct ktpool_waiter,
				      node);
	/* A dying pool shuts its waiters down instead: none is let in. */
	if (wt && !pool->dying && ktpool_inflight(pool) < pool->capacity &&
	    ktpool_free_workers_locked(pool) >= 0 &&
	    !WARN_ON_ONCE(kfifo_is_full(&pool->pending))) {
		list_del_init(&wt->node);
		ktpool_accept_locked(pool, &wt->job);
		kfifo_put(&pool->pending, wt->job);
		trace_ktpool_submit(pool->name, wt->job.fn, KTPOOL_ANYWAY,
				    KTPOOL_BLOCKED, 0);
		WRITE_ONCE(wt->state, KTPOOL_WAIT_TAKEN);
		wake_up_process(wt->task);
		let_in = true;
	}

	if (!kfifo_get(&pool->pending, &w->job))
		return false;
	w->job_start = jiffies;
	w->stall_warned = false;
	*wake = ktpool_kick_locked(pool);
	/* Only a waiter let in adds to the pending jobs: note its backing. */
	if (let_in) {
		ktpool_note_backing_locked(pool);
		ktpool_waiter_left_locked(pool, wt);
	}
	return true;
}

/* 7. Run */

/* One report per leak, across all pools, rate-limited. */
static DEFINE_RATELIMIT_STATE(ktpool_leak_rs, 5 * HZ, 10);

static bool ktpool_rcu_held(int depth)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RCU))
		return rcu_preempt_depth() > 0;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	/* Only lockdep knows; > 0: it may have turned itself off (-1). */
	return depth && lock_is_held(&rcu_lock_map) > 0;
#else
	return false;
#endif
}

/* As cmwq after each work item: reported; all but locks repaired. */
static noinline void ktpool_leak_report(struct ktpool *pool, const void *fn,
					int preempt)
{
	int depth = lockdep_depth(current), pc = preempt_count(), n;
	bool irqs = irqs_disabled(), rcu = ktpool_rcu_held(depth);

	if (__ratelimit(&ktpool_leak_rs)) {
		pr_err("pool %s: task %ps returned with%s%s%s%s: preempt count %d (was %d), %d locks held, RCU nesting %d\n",
		       pool->name, fn,
		       pc != preempt ? " [preemption disabled]" : "",
		       irqs ? " [IRQs disabled]" : "",
		       depth ? " [locks held]" : "",
		       rcu ? " [an RCU read-side lock]" : "",
		       pc, preempt, depth,
		       IS_ENABLED(CONFIG_PREEMPT_RCU) ? rcu_preempt_depth() : rcu);
		if (depth)
			debug_show_held_locks(current);
		dump_stack();
	}

	/* Repair what the kernel repairs: RCU nesting, preempt count, IRQs. */
	for (n = 0; ktpool_rcu_held(lockdep_depth(current)) && n < 64; n++) {
		__acquire(RCU);	/* the task took it: for sparse */
		rcu_read_unlock();
	}
	if (preempt_count() != preempt)
		preempt_count_set(preempt);
	if (irqs_disabled())
		local_irq_enable();
}

/* Leaks are judged against the state before @job, not an outer task's. */
static void ktpool_run_checked(struct ktpool *pool, struct ktpool_worker *w,
			       struct ktpool_job *job)
{
	int preempt = preempt_count(), depth = lockdep_depth(current);

	trace_ktpool_execute_start(pool->name, job->fn);
	ktpool_job_run(job);
	trace_ktpool_execute_end(pool->name, job->fn);
	/* A group task is named by the group's function, not the stub. */
	if (unlikely(preempt_count() != preempt || irqs_disabled() ||
		     lockdep_depth(current) > depth ||
		     (IS_ENABLED(CONFIG_PREEMPT_RCU) && rcu_preempt_depth())))
		ktpool_leak_report(pool, job->group.grp ?
				   (const void *)job->group.fn :
				   (const void *)job->fn, preempt);
	WRITE_ONCE(w->nr_run, w->nr_run + 1);
}

/* 8. Retire */

/* rcuwait_wake_up(): any context. */
static void ktpool_job_retire_locked(struct ktpool *pool, struct ktpool_job *job)
	__must_hold(&pool->lock)
{
	unsigned long *n = &pool->inflight[job->epoch];

	WRITE_ONCE(*n, *n - 1);
	if (*n)
		return;
	rcuwait_wake_up(&pool->drain_wait);
	if (pool->dying)
		rcuwait_wake_up(&pool->destroy_wait);
}

/* 9. Park: the worker thread */

static void ktpool_worker_rest_locked(struct ktpool *pool,
				      struct ktpool_worker *w)
	__must_hold(&pool->lock)
{
	lockdep_assert_held(&pool->lock);
	pool->nr_busy--;
	if (unlikely((pool->nr_threads > pool->capacity &&
		      ktpool_above_min_locked(pool)) || pool->dying)) {
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
		ktpool_kick_reaper(pool, max(msecs_to_jiffies(pool->idle_timeout_ms),
					     ktpool_reap_interval()));
}

static int ktpool_worker_fn(void *arg)
{
	struct ktpool_worker *w = arg;
	struct ktpool *pool = w->pool;
	struct task_struct *next;
	bool more;

	/* ktpool_spawn() may have given it a first job. */
	for (;;) {
		if (w->job.fn) {
			ktpool_worker_freeze(w);
			ktpool_run_checked(pool, w, &w->job);
			/* Then the owner may go: none of its code runs. */
			module_put(w->job.owner);
		}

		raw_spin_lock_irq(&pool->lock);
		if (w->job.fn) {
			pool->completed++;
			ktpool_job_retire_locked(pool, &w->job);
			w->job.fn = NULL;
		}
		more = ktpool_take_locked(pool, w, &next);
		if (!more)
			ktpool_worker_rest_locked(pool, w);
		if (next) {
			rcu_read_lock();	/* as in ktpool_do_submit() */
			raw_spin_unlock_irq(&pool->lock);
			wake_up_process(next);
			rcu_read_unlock();
		} else {
			raw_spin_unlock_irq(&pool->lock);
		}
		if (more) {
			/* As cmwq's worker_thread(); after the retire, for drain. */
			cond_resched();
			continue;
		}

		if (!ktpool_worker_park(w))
			return 0;
	}
}

struct ktpool_worker *ktpool_own_worker(struct ktpool *pool)
{
	struct ktpool_worker *w;

	if (!(current->flags & PF_KTHREAD) ||
	    kthread_func(current) != ktpool_worker_fn)
		return NULL;
	w = kthread_data(current);
	return w->pool == pool ? w : NULL;
}

/* 10. Spawn */

/* At most 64 at first; it grows with the threads. */
int ktpool_pending_init(struct ktpool *pool, unsigned int capacity)
{
	unsigned int size = roundup_pow_of_two(clamp(capacity, 2U, 64U));
	void *buf = kvmalloc_array(size, sizeof(struct ktpool_job), GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	return kfifo_init(&pool->pending, buf,
			  size * sizeof(struct ktpool_job));
}

void ktpool_pending_free(struct ktpool *pool)
{
	kvfree(pool->pending.kfifo.data);
}

/* One job per thread; by powers of two, so at most 11 moves under L. */
static int ktpool_pending_grow(struct ktpool *pool)
{
	unsigned int want, size, n;
	void *buf, *old;

	raw_spin_lock_irq(&pool->lock);
	want = pool->nr_threads;
	size = kfifo_size(&pool->pending);
	raw_spin_unlock_irq(&pool->lock);
	if (want <= size)
		return 0;
	size = roundup_pow_of_two(want);
	/* kvmalloc(): 4096 threads need 224 KiB, maybe not in one piece. */
	buf = kvmalloc_array(size, sizeof(struct ktpool_job), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	raw_spin_lock_irq(&pool->lock);
	if (want <= kfifo_size(&pool->pending)) {
		/* Grown meanwhile, by another spawn. */
		old = buf;
	} else {
		old = pool->pending.kfifo.data;
		/* All of them, to the start of buf: they fit below want. */
		n = kfifo_out(&pool->pending, buf, size);
		kfifo_init(&pool->pending, buf,
			   size * sizeof(struct ktpool_job));
		pool->pending.kfifo.in = n;
	}
	raw_spin_unlock_irq(&pool->lock);
	kvfree(old);
	return 0;
}

/* On failure the caller undoes the reservation. */
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
		return PTR_ERR(task) == -EINTR ? -EINTR : -ENOMEM;
	}
	w->task = task;

	/* Attributes before its first run; again if changed before it is listed. */
	for (fresh = true;; fresh = false) {
		ret = ktpool_apply_worker_attrs(pool, task, &gen, fresh);
		if (ret) {
			kthread_stop(task);	/* its fn never runs */
			kfree(w);
			return ret;
		}
		raw_spin_lock_irq(&pool->lock);
		if (gen == pool->attrs_gen)
			break;
		raw_spin_unlock_irq(&pool->lock);
	}
	list_add(&w->all, &pool->workers);
	pool->nr_spawning--;
	rcuwait_wake_up(&pool->spawn_wait);
	pool->nr_busy++;
	pool->spawned++;
	/* Idle workers kept while it could fail (ktpool_above_min_locked()). */
	if (!pool->dying) {
		ktpool_retire_surplus_locked(pool);
		if (list_empty(&pool->zombies) && pool->idle_timeout_ms &&
		    pool->nr_idle && ktpool_above_min_locked(pool))
			ktpool_kick_reaper(pool, 0);
	}
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

void ktpool_spawn_workfn(struct work_struct *work)
{
	struct ktpool *pool = container_of(work, struct ktpool, spawn_work);
	bool reserved;

	raw_spin_lock_irq(&pool->lock);
	pool->spawn_pending = false;
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

/* 11. Reaper */

static void ktpool_retire_idle_locked(struct ktpool *pool,
				      struct ktpool_worker *w,
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

static bool ktpool_may_retire_idle_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_idle &&
	       ktpool_free_workers_locked(pool) > 0 &&
	       ktpool_above_min_locked(pool);
}

static bool ktpool_idle_surplus_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_threads > pool->capacity &&
	       ktpool_may_retire_idle_locked(pool);
}

/* A busy surplus leaves when its task returns. True: more are surplus. */
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

/* For a shrink: none stays idle above capacity. True: @wk is full. */
bool ktpool_kick_all_locked(struct ktpool *pool, struct ktpool_wake *wk)
	__must_hold(&pool->lock)
{
	struct task_struct *tsk;

	while (kfifo_len(&pool->pending) > pool->nr_woken && pool->nr_idle) {
		if (ktpool_wake_full(wk))
			return true;
		tsk = ktpool_claim_idle_locked(pool);
		if (tsk)
			ktpool_wake_add_locked(pool, wk, tsk);
	}
	return false;
}

/* Sooner if queued later (the timeout may have shrunk); L: destroy sees it. */
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
		return;
	pool->reap_at = at;
}

void ktpool_retime_reaper(struct ktpool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	if ((pool->idle_timeout_ms && pool->nr_idle) ||
	    !list_empty(&pool->zombies))
		ktpool_kick_reaper(pool, 0);
	raw_spin_unlock_irq(&pool->lock);
}

void ktpool_stop_workers(struct list_head *list)
{
	struct ktpool_worker *w, *tmp;

	list_for_each_entry_safe(w, tmp, list, all) {
		list_del(&w->all);
		kthread_stop(w->task);
		kfree(w);
	}
}

static bool ktpool_reap_batch(struct ktpool *pool, struct list_head *stop)
{
	struct ktpool_worker *w, *tmp;
	unsigned long timeout, delay;
	unsigned int backed = 0, n = 0;
	u64 until = 0, now;
	int i;

	raw_spin_lock_irq(&pool->lock);
	now = get_jiffies_64();
	timeout = msecs_to_jiffies(pool->idle_timeout_ms);
	/* Nothing below notes backing: it holds for the batch. */
	for (i = 0; i < 2; i++) {
		if (!ktpool_backed_live(pool, i, now, timeout))
			continue;
		backed = pool->backed[i];
		until = pool->backed_at[i] + timeout;
		break;
	}
	list_for_each_entry_safe_reverse(w, tmp, &pool->idle, node) {
		/* Never the backed head of the list, nor below min_threads. */
		if (n == KTPOOL_WAKE_BATCH || !pool->idle_timeout_ms ||
		    time_before64(now, w->idle_since + timeout) ||
		    !ktpool_may_retire_idle_locked(pool) ||
		    pool->nr_idle <= backed)
			break;
		ktpool_retire_idle_locked(pool, w, KTPOOL_REAP_IDLE);
		list_move(&w->all, stop);
		n++;
	}
	/* The surplus of a shrink left to it. */
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
		/* Kept for a pending job: soon; backed: when that expires. */
		delay = time_before64(now, w->idle_since + timeout) ?
			(unsigned long)(w->idle_since + timeout - now) : 0;
		if (!delay && backed)
			delay = (unsigned long)(until - now);
		ktpool_kick_reaper(pool, max(delay, ktpool_reap_interval()));
	}
	raw_spin_unlock_irq(&pool->lock);
	return false;
}

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
