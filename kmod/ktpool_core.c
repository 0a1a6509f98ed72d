// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool core: a task's whole path, in the order it happens.
 *
 *  1. Accept        a submit call takes its owner's module reference and,
 *                   under pool->lock, counts the task in flight while fewer
 *                   than capacity are (pool->inflight, by drain epoch).
 *  2. Publish, kick the task goes to pool->pending, a FIFO of tasks no worker
 *                   has taken, only while an idle or woken worker is free for
 *                   it: kfifo_len(pending) <= nr_idle + nr_woken, so no
 *                   pending task waits for another task. A worker is woken
 *                   only when none is on its way (cmwq's kick_pool()): the
 *                   head of the idle list (LIFO), marked WOKEN, woken after
 *                   the lock is dropped. The wake-up and the park are the one
 *                   lockless pair: the waker writes state = WOKEN, smp_mb(),
 *                   reads sleeping; the worker writes sleeping = true,
 *                   set_current_state(), reads state. One sees the other.
 *  3. Full pool     with no worker free, a submitter below capacity spawns
 *                   one with its task (section 10); at capacity try runs it
 *                   inline (nested up to KTPOOL_MAX_INLINE_DEPTH, deferred
 *                   past it), anyway blocks as a waiter, nowait gets -EBUSY
 *                   and starts an asynchronous spawn.
 *  4. Waiters       blocked submitters, oldest first: queued on their stack
 *                   (struct ktpool_waiter), served by a worker's take or by a
 *                   worker that waits for their group (ktpool_help()), woken
 *                   to retry when room is made, shut down by destroy.
 *  5. Submit calls  the exports built on 1-4.
 *  6. Take          a worker with no task serves the oldest waiter when there
 *                   is room, then takes the oldest pending task, never
 *                   sleeping while one is pending.
 *  7. Run           the task runs with no lock held; what it leaked (preempt
 *                   count, IRQs, locks, RCU) is reported and repaired; the
 *                   owner's reference is dropped.
 *  8. Retire        the task leaves the in-flight count, which wakes a drain
 *                   or destroy waiting for its epoch.
 *  9. Park          with nothing pending, the worker goes to the head of the
 *                   idle list (or leaves, above capacity) and sleeps until
 *                   woken (section 2).
 * 10. Spawn         a reserved slot becomes a thread, with a first task.
 * 11. Reaper        stops zombies and workers idle past the timeout.
 *
 * Everything but the task itself and the sleeps runs under pool->lock, so
 * the task's fields need no barriers of their own; the locking legend is in
 * ktpool_internal.h.
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

/* A caller blocked in ktpool_submit(), on its own stack. */
struct ktpool_waiter {
	/* L: while QUEUED, on pool->waiters (or, once dying, destroy's list) */
	struct list_head node;
	struct task_struct *task;	/* I */
	struct ktpool_job job;		/* I, then owned by the taker */
	enum ktpool_waiter_state state;	/* L to write; READ_ONCE to poll */
	bool spawn_failed;		/* I: its own spawn failed */
	/* I: its place in the queue, kept across retries (oldest lowest) */
	u64 ticket;
};

/* Run @job: its fn, or for a group task the group's trampoline. */
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

/*
 * Idle and woken workers that no pending job has claimed yet: never below 0
 * at a lock release (the invariant of ktpool_core.c; inside
 * ktpool_take_locked() it may be -1 while the taker's own job is still
 * queued). A job may be published only while it is above 0.
 */
static int ktpool_free_workers_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return (int)(pool->nr_idle + pool->nr_woken) -
	       (int)kfifo_len(&pool->pending);
}

/*
 * May a created worker leave the pool (reaped, or surplus after a shrink)?
 * Only while the created ones stay at least min_threads: a slot reserved
 * for a spawn in progress is no thread yet, and that spawn may fail.
 */
static bool ktpool_above_min_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_threads - pool->nr_spawning > pool->min_threads;
}

/* 1. Accept */

static void ktpool_job_retire_locked(struct ktpool *pool, struct ktpool_job *job);

/**
 * ktpool_accept_locked() - count a job as accepted
 * @pool: the pool
 * @job: the job
 *
 * The submit call took the reference on its owner module (try_module_get());
 * from here on the job holds it until it has run.
 */
static void ktpool_accept_locked(struct ktpool *pool, struct ktpool_job *job)
	__must_hold(&pool->lock)
{
	job->epoch = pool->epoch;
	pool->inflight[job->epoch]++;
	pool->submitted++;
}

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

/* 2. Publish and kick, and the park that pairs with the kick */

/*
 * Take the head of the idle list off it, for a pending job. Returns its task
 * when it must be woken, or NULL when it is still polling.
 */
static struct task_struct *ktpool_claim_idle_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	struct ktpool_worker *w;

	lockdep_assert_held(&pool->lock);
	w = list_first_entry_or_null(&pool->idle, struct ktpool_worker, node);
	if (WARN_ON_ONCE(!w))	/* the invariant above is broken */
		return NULL;
	list_del(&w->node);
	pool->nr_idle--;
	pool->nr_woken++;
	WRITE_ONCE(w->state, KTPOOL_W_WOKEN);
	/* Pairs with ktpool_worker_park(): see "Ordering" above. */
	smp_mb();
	return READ_ONCE(w->sleeping) ? w->task : NULL;
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

/*
 * Wake the head of the idle list if jobs are pending and no worker is on its
 * way to them. Returns the task to wake after the lock is dropped, or NULL.
 */
static struct task_struct *ktpool_kick_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	if (pool->nr_woken || kfifo_is_empty(&pool->pending))
		return NULL;
	return ktpool_claim_idle_locked(pool);
}

/* Is backing slot @i still within the idle timeout @tmo (jiffies) of @now? */
static bool ktpool_backed_live(struct ktpool *pool, int i, u64 now,
			       unsigned long tmo)
	__must_hold(&pool->lock)
{
	return pool->backed[i] && time_before64(now, pool->backed_at[i] + tmo);
}

/*
 * Pending jobs beyond the workers on their way are counted against the head
 * of the idle list: those workers are in use, as the backing of accepted
 * jobs, even when workers that finish take the jobs first and they are
 * never woken. Remember the most of them within an idle timeout, so that
 * the reaper does not stop them as idle and make the next submitter create
 * them again (ktpool_reaper_workfn()). Slot 0 holds the most, slot 1 the
 * most since slot 0 was reached, which takes over when slot 0 expires. Two
 * slots approximate the window's maximum: never more than it, but after
 * strictly falling peaks less, for less than a timeout (a count below slot
 * 1, reached after it, is forgotten when slot 1 moves up), which costs at
 * most one round of spawns, where a full sliding maximum would need a
 * deque of up to capacity entries.
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

/**
 * ktpool_backed_locked() - idle workers the reaper must keep
 * @pool: the pool
 * @now: get_jiffies_64(), read by the caller under the pool lock
 * @until: set to the jiffies (get_jiffies_64()) at which that may change
 *	(the kept count expires; after @now) when the return value is not 0,
 *	left untouched otherwise
 *
 * Return: how many idle workers pending jobs counted on at once within the
 * last idle timeout (ktpool_note_backing_locked(): the most, or less once a
 * larger count has expired); 0 when none did, or the pool never reaps.
 */
static unsigned int ktpool_backed_locked(struct ktpool *pool, u64 now, u64 *until)
	__must_hold(&pool->lock)
{
	unsigned long tmo = msecs_to_jiffies(pool->idle_timeout_ms);
	int i;

	for (i = 0; i < 2; i++) {
		if (!ktpool_backed_live(pool, i, now, tmo))
			continue;
		*until = pool->backed_at[i] + tmo;
		return pool->backed[i];
	}
	return 0;
}

/**
 * ktpool_publish_locked() - accept a job and publish it for a worker
 * @pool: the pool
 * @job: the job
 * @wake: set to the worker to wake once the lock is dropped, or NULL
 *
 * Return: true when the job was accepted and published; false, with nothing
 * changed, when the pool is full or no worker is free to take it.
 */
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

	if (served)
		trace_ktpool_submit(pool->name, job->fn, mode, KTPOOL_BLOCKED,
				    0);
	else
		trace_ktpool_submit(pool->name, job->fn, mode, KTPOOL_INLINE,
				    KTPOOL_RAN_INLINE);
	ktpool_job_run(job);
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

/* 4. Blocked submitters: queue, retry, shut down, served by a waiting worker */

/*
 * A waiter left pool->waiters for good (a worker or a helper took its job,
 * its time ran out, it was killed), not to retry. If its own spawn had
 * failed, ktpool_wake_retry_locked() stopped at it and woke none of the
 * younger waiters behind it, which nothing else would retry: room that it
 * held back goes to them now.
 */
static void ktpool_waiter_left_locked(struct ktpool *pool,
					     const struct ktpool_waiter *wt)
	__must_hold(&pool->lock)
{
	if (wt->spawn_failed)
		ktpool_wake_retry_locked(pool, false, NULL);
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

	list_for_each_entry(w, &pool->helpers, help_node) {
		if (w->help_grp != grp)
			continue;
		WRITE_ONCE(w->help_kick, true);
		wake_up_process(w->task);
	}
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
 * ktpool_shutdown_waiters() - wake whoever waits for a dying pool
 * @pool: the pool, dying
 *
 * Wakes the wait for a spawn in flight, and takes every blocked submitter
 * off pool->waiters at once, so that no worker serves one any more; then
 * shuts them down a batch at a time, the lock dropped in between for their
 * wake-ups. One that leaves by itself meanwhile (a signal, its timeout)
 * unlinks itself from the private list, under the lock; no new one comes:
 * a dying pool queues none.
 */
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
 * @deadline: when the wait ends, in jiffies, if @timed
 * @timed: the wait has a deadline
 *
 * Runs the tasks of @grp that blocked submitters hold, oldest first, until
 * none is left, the group has no task pending or the deadline has passed;
 * then puts @w on pool->helpers with help_kick clear: the caller sleeps
 * until help_kick is set or its wait is over, and calls ktpool_help_end()
 * then. At the inline nesting bound it runs nothing (the task would be
 * deferred past the wait) and is not kicked. Looking for the group's tasks
 * walks pool->waiters under L: only a worker that waits for a group does
 * it, once per task of the group that blocks.
 *
 * Context: process context, no lock held; may sleep (in the tasks).
 */
void ktpool_help(struct ktpool_worker *w, struct ktpool_group *grp,
		 unsigned long deadline, bool timed)
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
		if (pool->dying || !READ_ONCE(grp->pending) ||
		    (timed && time_after_eq(jiffies, deadline)))
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
		module_put(job.owner);
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

/* 5. The submit calls */

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

/* 6. Take */

/**
 * ktpool_take_locked() - a worker with no job takes the next one
 * @pool: the pool
 * @w: the worker: just spawned, woken, or done with its job
 * @wake: set to the next worker to wake once the lock is dropped, or NULL
 *
 * Serves the oldest blocked submitter first, if the pool has room and a
 * worker stays free for every pending job, then takes the oldest pending job
 * into @w->job.
 *
 * Return: true when @w has a job to run; false when nothing is pending (@w
 * is left busy, the caller parks it or lets it go).
 */
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

	/*
	 * @w takes one job below, so after it the pending ones must still be
	 * no more than the idle and woken workers.
	 */
	wt = list_first_entry_or_null(&pool->waiters, struct ktpool_waiter,
				      node);
	if (wt && ktpool_inflight(pool) < pool->capacity &&
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
	/*
	 * Only a blocked submitter's job, let in above, adds to the pending
	 * ones here (a take only removes one): count its backing then.
	 */
	if (let_in) {
		ktpool_note_backing_locked(pool);
		/* After the take: the pending jobs fit the free workers again. */
		ktpool_waiter_left_locked(pool, wt);
	}
	return true;
}

/* 7. Run */

/* One report per leak, across all pools, rate-limited. */
static DEFINE_RATELIMIT_STATE(ktpool_leak_rs, 5 * HZ, 10);

/* Is the thread inside an RCU read-side critical section? */
static bool ktpool_rcu_held(int depth)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RCU))
		return rcu_preempt_depth() > 0;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	/* Non-preemptible RCU: only lockdep knows (else it is a preempt count). */
	/* Not LOCK_STATE_UNKNOWN (-1): lockdep may have turned itself off. */
	return depth && lock_is_held(&rcu_lock_map) > 0;
#else
	return false;
#endif
}

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

/**
 * ktpool_check_leaks() - after a task, check what it left behind
 * @pool: its pool
 * @fn: the task that has just returned on this worker
 * @preempt: the preempt count before it ran
 * @depth: the locks lockdep saw held before it ran (only a lock an earlier
 *	task leaked, which cannot be released for it): only new ones count
 *
 * As cmwq does after each work item: a task that returns with preemption
 * or IRQs disabled, locks held or inside an RCU read-side critical section
 * gets one pr_err() naming the pool and the task, the held locks and a
 * stack (rate-limited across all pools); the preempt count, the IRQ state
 * and the RCU nesting are repaired, so that the next task runs in a clean
 * context. Held locks can only be reported.
 */
static void ktpool_check_leaks(struct ktpool *pool, const void *fn,
			       int preempt, int depth)
{
	if (unlikely(preempt_count() != preempt || irqs_disabled() ||
		     lockdep_depth(current) > depth ||
		     (IS_ENABLED(CONFIG_PREEMPT_RCU) && rcu_preempt_depth())))
		ktpool_leak_report(pool, fn, preempt);
}

/**
 * ktpool_run_job() - run a worker's job, with the pool lock not held
 * @pool: the pool
 * @w: the worker, the calling thread
 *
 * Drops the owner's reference once the task has returned: the module may go
 * away from then on, and nothing of its code runs any more. Before that,
 * checks what the task leaked (ktpool_check_leaks()).
 */
static void ktpool_run_job(struct ktpool *pool, struct ktpool_worker *w)
{
	int preempt = preempt_count(), depth = lockdep_depth(current);

	trace_ktpool_execute_start(pool->name, w->job.fn);
	ktpool_job_run(&w->job);
	trace_ktpool_execute_end(pool->name, w->job.fn);
	/*
	 * What it leaked is reported and repaired (above); a group
	 * task is named by the group's function, not the stub.
	 */
	ktpool_check_leaks(pool, w->job.group.grp ? (const void *)w->job.group.fn :
			   (const void *)w->job.fn, preempt, depth);
	WRITE_ONCE(w->nr_run, w->nr_run + 1);
	module_put(w->job.owner);
}

/* 8. Retire */

/**
 * ktpool_job_retire_locked() - a job leaves the in-flight count
 * @pool: its pool
 * @job: the job, finished or never run
 *
 * Wakes drain and destroy when the job's epoch runs dry. rcuwait wakes under
 * a raw spinlock (it only wakes a task), so this is fine in any context.
 */
static void ktpool_job_retire_locked(struct ktpool *pool, struct ktpool_job *job)
	__must_hold(&pool->lock)
{
	if (--pool->inflight[job->epoch])
		return;
	rcuwait_wake_up(&pool->drain_wait);
	if (pool->dying)
		rcuwait_wake_up(&pool->destroy_wait);
}

/**
 * ktpool_job_done_locked() - retire the job a worker has run
 * @pool: the pool
 * @w: the worker
 */
static void ktpool_job_done_locked(struct ktpool *pool, struct ktpool_worker *w)
	__must_hold(&pool->lock)
{
	pool->completed++;
	ktpool_job_retire_locked(pool, &w->job);
	w->job.fn = NULL;
}

/* 9. Park: the worker thread */

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

/* 10. Spawn */

/*
 * The FIFO's buffer: kvmalloc(), since a pool of 4096 threads needs 224 KiB,
 * which a fragmented machine may not have in one piece.
 */
static void *ktpool_pending_buf(unsigned int size)
{
	return kvmalloc_array(size, sizeof(struct ktpool_job), GFP_KERNEL);
}

/**
 * ktpool_pending_init() - allocate a new pool's FIFO of pending jobs
 * @pool: the pool, not yet visible
 * @capacity: its capacity
 *
 * Sized for the capacity, or 64 jobs if that is less; it grows with the
 * threads (ktpool_pending_grow()).
 *
 * Return: 0 or -ENOMEM.
 */
int ktpool_pending_init(struct ktpool *pool, unsigned int capacity)
{
	unsigned int size = roundup_pow_of_two(clamp(capacity, 2U, 64U));
	void *buf = ktpool_pending_buf(size);

	if (!buf)
		return -ENOMEM;
	/* Cannot fail: size is a power of two, at least 2. */
	return kfifo_init(&pool->pending, buf,
			  size * sizeof(struct ktpool_job));
}

/**
 * ktpool_pending_free() - free a pool's FIFO of pending jobs
 * @pool: the pool, quiet
 */
void ktpool_pending_free(struct ktpool *pool)
{
	kvfree(pool->pending.kfifo.data);
}

/**
 * ktpool_pending_grow() - make room in the FIFO for one job per thread
 * @pool: the pool, with the slot of the thread about to be created already
 *	counted in nr_threads
 *
 * The jobs move to the new buffer with at most two memcpy()s under the lock;
 * it grows by powers of two, so a pool's FIFO moves at most 11 times. It
 * never shrinks, so most spawns (those that replace reaped workers) find it
 * large enough and allocate nothing.
 *
 * Context: process context; may sleep (allocates when it grows).
 * Return: 0, or -ENOMEM (the thread must not be created).
 */
static int ktpool_pending_grow(struct ktpool *pool)
{
	unsigned int want, size, n;
	void *buf, *old;

	/*
	 * Nothing to do on most spawns: the FIFO only grows by powers of two,
	 * and a pool that lost threads to the reaper keeps its size.
	 */
	raw_spin_lock_irq(&pool->lock);
	want = pool->nr_threads;
	size = kfifo_size(&pool->pending);
	raw_spin_unlock_irq(&pool->lock);
	if (want <= size)
		return 0;
	size = roundup_pow_of_two(want);
	buf = ktpool_pending_buf(size);
	if (!buf)
		return -ENOMEM;

	raw_spin_lock_irq(&pool->lock);
	if (want <= kfifo_size(&pool->pending)) {
		/* Grown meanwhile, by another spawn. */
		old = buf;
	} else {
		old = pool->pending.kfifo.data;
		/* All of them: they fit in the old size, below want. */
		n = kfifo_out(&pool->pending, buf, size);
		kfifo_init(&pool->pending, buf,
			   size * sizeof(struct ktpool_job));
		/* The n jobs copied to the start of buf are its contents. */
		pool->pending.kfifo.in = n;
	}
	raw_spin_unlock_irq(&pool->lock);
	kvfree(old);
	return 0;
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

/* 11. Reaper */

/**
 * ktpool_retire_idle_locked() - take an idle worker out of service
 * @pool: its pool
 * @w: a worker on @pool's idle list
 * @why: idle timeout or surplus, for the tracepoint
 *
 * The caller puts it on a list that leads to kthread_stop().
 */
static void ktpool_retire_idle_locked(struct ktpool *pool, struct ktpool_worker *w,
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

/**
 * ktpool_may_retire_idle_locked() - may an idle worker be stopped?
 * @pool: the pool, with an idle worker
 *
 * Return: true when every pending job keeps a free worker without it, and
 * the pool keeps min_threads created threads (ktpool_above_min_locked():
 * a spawn in progress does not count, it may fail).
 */
static bool ktpool_may_retire_idle_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_idle &&
	       ktpool_free_workers_locked(pool) > 0 &&
	       ktpool_above_min_locked(pool);
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
 * ktpool_kick_all_locked() - claim an idle worker for every pending job
 * @pool: the pool
 * @wk: where to collect the workers to wake once the lock is dropped
 *
 * For a shrink: the idle workers that pending jobs need are woken at once,
 * rather than one after the other, so that none of them stays idle above
 * the new capacity.
 *
 * Return: true when @wk is full and more are to be claimed: the caller
 * wakes those, retakes the lock and calls it again.
 */
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
