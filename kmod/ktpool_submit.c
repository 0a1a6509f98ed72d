// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool submission: try, anyway and nowait.
 *
 * The hot path takes the pool lock once, accepts the job and publishes it in
 * the pool's FIFO of pending jobs for a free worker, waking one only if none
 * is on its way (ktpool_publish_locked(), in ktpool_job.c with the rest of a
 * job's life). No memory is allocated per task. When no worker is free, a
 * submitter below capacity spawns one with the job; a full pool makes try run
 * the job inline, anyway queue itself as a waiter that the next worker to
 * finish serves directly, and nowait answer -EBUSY (and start an asynchronous
 * spawn if it can).
 */

#include <linux/hash.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "ktpool_internal.h"
#include "ktpool_trace.h"

/*
 * Take back the acceptance of a job whose spawn failed. The submitter keeps
 * the module reference: it drops it when it returns.
 */
static void ktpool_unaccept_locked(struct ktpool *pool, struct ktpool_job *job)
	__must_hold(&pool->lock)
{
	pool->submitted--;
	ktpool_job_retire_locked(pool, job);
}

/*
 * Inline runs nest: a task run inline may submit to a full pool and run the
 * next task inline in turn. Each inline run pushes a frame, on its own
 * stack, in a hash keyed by the running thread, so that a submit call can
 * find how deep it is without a field in task_struct. At
 * %KTPOOL_MAX_INLINE_DEPTH frames (a fixed depth, so that a task below it
 * can rely on its nested submit running inline), a task that would run
 * inline is deferred instead:
 * queued on the thread's outermost frame, which runs it right after its own
 * task has returned (before that outermost submit call returns).
 * Every task still runs exactly once, the stack stays bounded, and nothing
 * waits for another thread, so nothing can deadlock.
 */
struct ktpool_inline {
	struct hlist_node node;		/* on ktpool_inline_hash, innermost first */
	struct task_struct *task;	/* the thread that runs it */
	struct ktpool *pool;		/* the pool whose task runs in it */
	struct ktpool *running;		/* outermost only: the pool of the
					 * deferred task it runs now, or NULL
					 */
	unsigned int depth;		/* 1 for the outermost frame */
	struct ktpool_inline *outer;	/* the thread's outermost frame */
	struct list_head deferred;	/* outermost only: ktpool_deferred */
};

/* A task past the nesting bound, waiting for the outermost frame. */
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

/* The innermost inline frame of the current thread, or NULL. */
static struct ktpool_inline *ktpool_inline_top(void)
	__must_hold(&ktpool_inline_lock)
{
	struct ktpool_inline *f;

	hlist_for_each_entry(f, ktpool_inline_bucket(current), node)
		if (f->task == current)
			return f;
	return NULL;
}

/* Run the tasks deferred to the outermost frame @f, until there are none. */
static void ktpool_run_deferred(struct ktpool_inline *f)
{
	struct ktpool_deferred *d;

	while ((d = list_first_entry_or_null(&f->deferred,
					     struct ktpool_deferred, node))) {
		list_del(&d->node);
		f->running = d->pool;
		ktpool_job_run(&d->job);
		ktpool_job_put(&d->job);
		/* The count the deferring submit call handed over. */
		raw_spin_lock_irq(&d->pool->lock);
		ktpool_caller_exit_locked(d->pool);
		raw_spin_unlock_irq(&d->pool->lock);
		f->running = NULL;
		kfree(d);
		cond_resched();
	}
}

/**
 * ktpool_in_inline_task() - is the caller running a task of @pool inline?
 * @pool: the pool
 *
 * Return: true when the calling thread runs a task of @pool inline, or has
 * one deferred to run after its outermost inline run: such a thread is
 * counted as a caller of @pool, so it must not wait for @pool's callers.
 */
bool ktpool_in_inline_task(struct ktpool *pool)
{
	struct ktpool_inline *f;
	struct ktpool_deferred *d;
	bool ret = false;

	spin_lock(&ktpool_inline_lock);
	hlist_for_each_entry(f, ktpool_inline_bucket(current), node) {
		if (f->task != current)
			continue;
		if (f->pool == pool || f->running == pool)
			ret = true;
		if (f->outer == f)
			list_for_each_entry(d, &f->deferred, node)
				if (d->pool == pool)
					ret = true;
	}
	spin_unlock(&ktpool_inline_lock);
	return ret;
}

/**
 * ktpool_deferred_in_group() - has the caller deferred a task of @grp?
 * @grp: a group
 *
 * Return: true when a task of @grp waits, deferred past the inline nesting
 * bound, for the calling thread's outermost inline run to return: the
 * caller must not wait for @grp's tasks.
 */
bool ktpool_deferred_in_group(const struct ktpool_group *grp)
{
	struct ktpool_inline *f;
	struct ktpool_deferred *d;
	bool ret = false;

	spin_lock(&ktpool_inline_lock);
	hlist_for_each_entry(f, ktpool_inline_bucket(current), node) {
		if (f->task != current || f->outer != f)
			continue;
		list_for_each_entry(d, &f->deferred, node)
			if (d->job.group.grp == grp)
				ret = true;
	}
	spin_unlock(&ktpool_inline_lock);
	return ret;
}

/*
 * Run @job in the caller, counted as inlined; past the nesting bound, defer
 * it to the outermost frame instead and return 0 (it runs later on this
 * thread, and the caller count of this submit call goes with it). Drops the
 * pool lock; the caller has left the pool when it returns.
 */
static int ktpool_run_inline_locked(struct ktpool *pool,
				    struct ktpool_job *job,
				    enum ktpool_mode mode, unsigned long flags,
				    bool served)
	__releases(&pool->lock)
{
	struct ktpool_inline f = { .task = current, .pool = pool };
	struct ktpool_deferred *d;
	struct ktpool_inline *top;

	/*
	 * A blocked submitter's task served by a waiting worker (ktpool_help())
	 * is in flight, as on any worker: a drain waits for it.
	 */
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
		/*
		 * A task accepted must run: a few dozen bytes, rarely (deep
		 * inside nested inline runs), in process context.
		 */
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
		trace_ktpool_submit(pool->name, job->fn, mode, KTPOOL_BLOCKED,
				    0);
		ktpool_run_checked(pool, ktpool_own_worker(pool), job);
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
		/*
		 * Room it took beyond the capacity, now free: a worker that
		 * finished meanwhile found none and went idle, so the next
		 * blocked submitter must look again.
		 */
		if (!list_empty(&pool->waiters))
			ktpool_wake_retry_locked(pool, false, NULL);
	}
	ktpool_caller_exit_locked(pool);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return KTPOOL_RAN_INLINE;
}

/*
 * A worker that waits for a group. A task on a worker that waits for a group
 * of its own pool (ktpool_group_wait()) may hold the slot that the group's
 * next task needs: with the pool full, that task's submitter sleeps on
 * pool->waiters until a worker is free, and the worker until the task has
 * run. So such a worker serves the group's blocked submitters itself: it
 * takes their tasks (the submitters return 0, as when a worker took them)
 * and runs them on its stack, in flight as on any worker. Only the tasks of
 * the group it waits for: it already waits for them, so running them adds
 * no wait on the locks its own task holds, where another task could. While
 * it sleeps it is on pool->helpers; a submitter that blocks with a task of
 * that group sets its help_kick and wakes it, both under L, so a task
 * queued after the worker's look is not missed.
 */
static void ktpool_kick_helpers_locked(struct ktpool *pool,
				       struct ktpool_group *grp)
	__must_hold(&pool->lock)
{
	struct ktpool_worker *w;

	/* One is enough: it serves every blocked task of the group. */
	list_for_each_entry(w, &pool->helpers, help_node) {
		if (w->help_grp == grp) {
			WRITE_ONCE(w->help_kick, true);
			wake_up_process(w->task);
			return;
		}
	}
}

/* Is the calling thread at the inline nesting bound? */
static bool ktpool_inline_at_bound(void)
{
	struct ktpool_inline *top;
	bool ret;

	spin_lock(&ktpool_inline_lock);
	top = ktpool_inline_top();
	ret = top && top->depth >= KTPOOL_MAX_INLINE_DEPTH;
	spin_unlock(&ktpool_inline_lock);
	return ret;
}

/* The oldest blocked submitter with a task of @grp, or NULL. */
static struct ktpool_waiter *ktpool_group_waiter_locked(struct ktpool *pool,
							struct ktpool_group *grp)
	__must_hold(&pool->lock)
{
	struct ktpool_waiter *wt;

	list_for_each_entry(wt, &pool->waiters, node)
		if (wt->job.group.grp == grp)
			return wt;
	return NULL;
}

/**
 * ktpool_help() - a worker waiting for a group serves the group's submitters
 * @w: the calling thread's worker
 * @grp: the group its task waits for, of @w's pool
 *
 * Runs the tasks of @grp that blocked submitters hold, oldest first, until
 * none is left or the group has no task pending; then puts @w on pool->helpers with help_kick clear: the caller sleeps
 * until help_kick is set or its wait is over, and calls ktpool_help_end()
 * then. At the inline nesting bound it runs nothing (the task would be
 * deferred past the wait) and is not kicked. Looking for the group's tasks
 * walks pool->waiters under L: only a worker that waits for a group does
 * it, once per task of the group that blocks.
 *
 * Context: process context, no lock held; may sleep (in the tasks).
 */
void ktpool_help(struct ktpool_worker *w, struct ktpool_group *grp)
{
	bool at_bound = ktpool_inline_at_bound();
	struct ktpool *pool = w->pool;
	struct ktpool_waiter *wt;
	struct ktpool_job job;
	unsigned long flags;

	raw_spin_lock_irqsave(&pool->lock, flags);
	for (;;) {
		list_del_init(&w->help_node);
		WRITE_ONCE(w->help_kick, false);
		if (at_bound)
			goto unlock;
		/* A dying pool shuts its waiters down instead. */
		if (pool->dying || !READ_ONCE(grp->pending))
			break;
		wt = ktpool_group_waiter_locked(pool, grp);
		if (!wt)
			break;
		job = wt->job;
		list_del_init(&wt->node);
		WRITE_ONCE(wt->state, KTPOOL_WAIT_TAKEN);
		wake_up_process(wt->task);
		ktpool_waiter_left_locked(pool, wt);
		ktpool_caller_enter_locked(pool);
		/* Below the bound: it runs now, it is not deferred. */
		ktpool_run_inline_locked(pool, &job, KTPOOL_ANYWAY, flags, true);
		ktpool_job_put(&job);
		raw_spin_lock_irqsave(&pool->lock, flags);
	}
	w->help_grp = grp;
	list_add_tail(&w->help_node, &pool->helpers);
unlock:
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}

/**
 * ktpool_help_end() - the wait of a ktpool_help() caller is over
 * @w: the calling thread's worker
 */
void ktpool_help_end(struct ktpool_worker *w)
{
	struct ktpool *pool = w->pool;

	raw_spin_lock_irq(&pool->lock);
	list_del_init(&w->help_node);
	raw_spin_unlock_irq(&pool->lock);
}

/*
 * How long a waiter whose own spawn failed sleeps before it tries to spawn
 * again, if no worker served it meanwhile (cmwq's CREATE_COOLDOWN): a slot
 * freed by that failure must not stay unused while the waiter waits behind
 * busy workers, whose tasks may even wait for its task. Only the oldest
 * waiter tries: the ones behind it wait for their turn (FIFO), and the
 * spawns of a pool that cannot create threads do not multiply with its
 * waiters.
 */
#define KTPOOL_SPAWN_COOLDOWN	HZ

/*
 * Put a waiter back in its place after a retry: before the first younger
 * one. Only the oldest waiters leave the queue to retry (the head when its
 * cooldown has passed, or the first ones that ktpool_wake_retry_locked()
 * wakes), so the only older ones still queued are retriers that came back
 * before it: the walk is no longer than the waiters retrying at once.
 */
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

/*
 * Block until a worker takes @job (killable), for at most *@timeout jiffies
 * (MAX_SCHEDULE_TIMEOUT: no limit; what is left is written back). Drops and
 * retakes the lock. *@ticket is the caller's place in the queue: 0 the
 * first time, when it is handed one (and max_waiters is checked), kept
 * across its retries. Returns -EAGAIN when the caller should look at the
 * pool again: room was made for it, or its spawn failed, the cooldown has
 * passed and it is the oldest waiter; -EBUSY at once when *@timeout is 0 or
 * max_waiters callers already wait; -ETIMEDOUT when the time ran out.
 */
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
	if (job->group.grp && !list_empty(&pool->helpers))
		ktpool_kick_helpers_locked(pool, job->group.grp);
	raw_spin_unlock_irqrestore(&pool->lock, *flags);

	/*
	 * Freezable on a freezable pool, if no lock is held: looked at once,
	 * after the pool lock is dropped (lockdep would count it).
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
		/* It looks at the pool again in this hold of the lock. */
		pool->nr_retrying--;
		ret = -EAGAIN;
		break;
	default:
		ret = -ESHUTDOWN;
		break;
	}
	pool->nr_waiters--;
	if (ret == -EAGAIN && !*timeout) {	/* out of time, even to retry */
		/* Room made for it goes to the next waiter instead. */
		if (wt.state == KTPOOL_WAIT_RETRY)
			ktpool_wake_retry_locked(pool, false, NULL);
		pool->timed_out++;
		ret = -ETIMEDOUT;
	}
	/* Gone from the queue, not to retry: */
	if (wt.state == KTPOOL_WAIT_QUEUED && ret != -EAGAIN)
		ktpool_waiter_left_locked(pool, &wt);
	return ret;
}

static int ktpool_do_submit(struct ktpool *pool, struct ktpool_job *job,
			    enum ktpool_mode mode, long timeout)
{
	ktpool_fn_t fn = job->fn;
	struct task_struct *tsk;
	unsigned long flags;
	bool held = false, counted = false;
	u64 ticket = 0;		/* its place among the waiters, once it waits */
	int spawn_err = 0;
	int ret;

	raw_spin_lock_irqsave(&pool->lock, flags);
again:
	if (unlikely(pool->dying)) {
		ret = -ESHUTDOWN;
		goto out_unlock;
	}

	if (likely(ktpool_publish_locked(pool, job, &tsk))) {
		trace_ktpool_submit(pool->name, fn, mode, KTPOOL_DISPATCHED, 0);
		/* A waiter that retried: as after its spawn below. */
		if (ticket)
			ktpool_wake_retry_locked(pool, false, NULL);
		if (counted)
			ktpool_caller_exit_locked(pool);
		if (!tsk) {	/* one is on its way, or polling: no wake-up */
			raw_spin_unlock_irqrestore(&pool->lock, flags);
			return 0;
		}
		/* The worker may run, go idle and be stopped before the wake. */
		rcu_read_lock();
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		wake_up_process(tsk);
		rcu_read_unlock();
		return 0;
	}

	/* Full, or no worker free to take it. */
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

	/*
	 * From here on the lock may be dropped (to spawn, wait or run the
	 * task inline): counted until it returns, so that destroy waits for
	 * it. The hand-off and nowait above never drop it.
	 */
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
			/*
			 * A waiter that retried: while it was the oldest, with
			 * a failed spawn, ktpool_wake_retry_locked() woke none
			 * behind it; room it did not use is theirs now.
			 */
			if (ticket)
				ktpool_wake_retry_locked(pool, false, NULL);
			ktpool_caller_exit_locked(pool);
			raw_spin_unlock_irqrestore(&pool->lock, flags);
			return 0;
		}
		/* In this order: the waiters woken see the room it leaves. */
		ktpool_unaccept_locked(pool, job);
		ktpool_unreserve_locked(pool);
		if (unlikely(pool->dying)) {
			ret = -ESHUTDOWN;
			goto out_unlock;
		}
		/* Full now, or the spawn failed: treat the pool as full. */
	}

	if (mode == KTPOOL_TRY || ktpool_on_own_worker(pool))
		return ktpool_run_inline_locked(pool, job, mode, flags, false);

	if (!pool->nr_threads) {
		/* Nothing to wait for: why the spawn failed (-ENOMEM, -EINTR). */
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

/**
 * ktpool_submit_common() - submit a job built by the caller
 * @pool: the pool
 * @job: the job: fn, data, owner and, for a group task, group
 * @mode: try, anyway or nowait
 * @timeout: anyway: the most jiffies to wait for a worker, 0 for none,
 *	MAX_SCHEDULE_TIMEOUT for no limit
 *
 * The reference on the job's owner is taken here, before anything else, and
 * is given to the worker with the job; every other outcome drops it before
 * returning. try_module_get() fails once the owner's exit has begun (and is
 * IRQ-safe), so no task of a module that is going away is ever accepted.
 *
 * Context: as the submit call of @mode.
 * Return: as the submit call of @mode.
 */
int ktpool_submit_common(struct ktpool *pool, struct ktpool_job *job,
			 enum ktpool_mode mode, long timeout)
{
	int ret;

	if (unlikely(!pool || !job->fn))
		return -EINVAL;
	/*
	 * Not traced: the call is not counted yet, so nothing keeps @pool
	 * from being freed under it if it races with ktpool_destroy().
	 */
	if (unlikely(!try_module_get(job->owner)))
		return -ENODEV;
	ret = ktpool_do_submit(pool, job, mode, timeout);
	if (ret)	/* not handed to a worker: the reference is still ours */
		module_put(job->owner);
	return ret;
}

/**
 * ktpool_submit_inline() - run a job in the caller, as try on a full pool
 * @pool: the pool
 * @job: the job
 * @mode: try or anyway, for the tracepoint
 *
 * For a group at its limit: counted as inlined, nested and deferred as any
 * inline run.
 *
 * Context: process context; may sleep.
 * Return: %KTPOOL_RAN_INLINE, 0 when deferred past the nesting bound,
 * -ENODEV when the owner is going away, -ESHUTDOWN when @pool is being
 * destroyed (then the job is not run).
 */
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
		ret = ktpool_run_inline_locked(pool, job, mode, flags, false);
	}
	if (ret)
		module_put(job->owner);
	return ret;
}

/* A job of fn(data) from @owner, as the submit calls build it. */
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
	/* A non-zero timeout waits at least a jiffy; never "forever". */
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
