// SPDX-License-Identifier: GPL-2.0
/*
 * A job's life, and the hand-off from the thread that submits it to the
 * thread that runs it. Everything here runs under pool->lock, except the run.
 *
 * Accept. A submit call accepts a job when the pool has room for it: fewer
 * than capacity jobs in flight (accepted and not finished, counted in
 * pool->inflight). A try that finds no room runs the job inline instead, an
 * anyway waits for room, a nowait answers -EBUSY (ktpool_submit.c).
 *
 * Publish (the submitter's half). An accepted job is put at the tail of
 * pool->pending, a FIFO of jobs that no worker has taken yet, when a worker
 * that is free to take it exists: the pool keeps
 *
 *	kfifo_len(&pool->pending) <= pool->nr_idle + pool->nr_woken
 *
 * so that every pending job has an idle worker, or one already woken, to
 * take it, and no pending job ever waits for another task to finish. When
 * publishing would break that, the submitter creates a worker for its job
 * instead (ktpool_spawn()); the FIFO never holds more than nr_threads jobs,
 * and is grown to that before a thread is created, so it never fills.
 *
 * Kick (cmwq's kick_pool()). A worker is woken only when no worker is on its
 * way: the head of the idle list (the one that went idle last: LIFO) is taken
 * off the list, marked KTPOOL_W_WOKEN and counted in nr_woken, and woken
 * after the lock is dropped, unless it is still polling. A second submit
 * while it is on its way wakes nobody: the woken worker takes the oldest
 * pending job and kicks the next idle worker itself if more are pending.
 *
 * Take (the worker's half). A worker that finishes its job, or was woken,
 * first serves the oldest blocked submitter when there is room (its job is
 * accepted and put at the tail), then takes the oldest pending job, without
 * sleeping in between. With nothing pending it goes back to the head of the
 * idle list (ktpool_worker.c), or leaves when the pool shrank below it. A
 * worker whose task waits for a group serves the group's blocked
 * submitters too, oldest first, running their tasks itself (ktpool_help()).
 *
 * Run and retire. The worker runs the job with the lock dropped, drops the
 * reference its owner module gave it, and retires it under the lock: it
 * leaves the in-flight count, which wakes a drain or destroy waiting for it.
 *
 * Ordering. Publish and take are both under pool->lock, so the job's fields
 * need no barriers of their own. The one lockless step is the wake-up: the
 * waker writes state = WOKEN, then (smp_mb()) reads w->sleeping; the worker
 * writes sleeping = true, then (set_current_state()'s barrier) reads state.
 * One of them sees the other's write: either the waker wakes it, or the
 * worker sees WOKEN and does not sleep. The wake itself is done after the
 * lock is dropped, inside rcu_read_lock(): the worker may run, go idle and
 * be stopped in between, and its task_struct is freed only after a grace
 * period. A late wake-up finds it running, or parked again, and it sleeps
 * again (its state is not WOKEN).
 */

#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "ktpool_internal.h"
#include "ktpool_trace.h"

/**
 * ktpool_accept_locked() - count a job as accepted
 * @pool: the pool
 * @job: the job
 *
 * The submit call took the reference on its owner module (try_module_get());
 * from here on the job holds it until it has run.
 */
void ktpool_accept_locked(struct ktpool *pool, struct ktpool_job *job)
	__must_hold(&pool->lock)
{
	job->epoch = pool->epoch;
	pool->inflight[job->epoch]++;
	pool->submitted++;
}

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
unsigned int ktpool_backed_locked(struct ktpool *pool, u64 now, u64 *until)
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
bool ktpool_publish_locked(struct ktpool *pool, struct ktpool_job *job,
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
bool ktpool_take_locked(struct ktpool *pool, struct ktpool_worker *w,
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

/**
 * ktpool_job_put() - drop the module reference a job holds
 * @job: the finished job
 */
void ktpool_job_put(struct ktpool_job *job)
{
	module_put(job->owner);
}

/**
 * ktpool_run_checked() - run a task on a worker's thread, traced and checked
 * @pool: the pool
 * @w: the worker, the calling thread
 * @job: its job, or a blocked submitter's it serves (ktpool_help())
 *
 * Checks what the task leaked (ktpool_check_leaks()) against the state
 * before it, so a served task nested in the worker's own is judged alone.
 */
void ktpool_run_checked(struct ktpool *pool, struct ktpool_worker *w,
			struct ktpool_job *job)
{
	int preempt = preempt_count(), depth = lockdep_depth(current);

	trace_ktpool_execute_start(pool->name, job->fn);
	ktpool_job_run(job);
	trace_ktpool_execute_end(pool->name, job->fn);
	/* A group task is named by the group's function, not the stub. */
	ktpool_check_leaks(pool, job->group.grp ? (const void *)job->group.fn :
			   (const void *)job->fn, preempt, depth);
	WRITE_ONCE(w->nr_run, w->nr_run + 1);
}

/**
 * ktpool_run_job() - run a worker's job, with the pool lock not held
 * @pool: the pool
 * @w: the worker, the calling thread
 *
 * Drops the owner's reference once the task has returned: the module may go
 * away from then on, and nothing of its code runs any more.
 */
void ktpool_run_job(struct ktpool *pool, struct ktpool_worker *w)
{
	ktpool_run_checked(pool, w, &w->job);
	ktpool_job_put(&w->job);
}

/**
 * ktpool_job_retire_locked() - a job leaves the in-flight count
 * @pool: its pool
 * @job: the job, finished or never run
 *
 * Wakes drain and destroy when the job's epoch runs dry. rcuwait wakes under
 * a raw spinlock (it only wakes a task), so this is fine in any context.
 */
void ktpool_job_retire_locked(struct ktpool *pool, struct ktpool_job *job)
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
void ktpool_job_done_locked(struct ktpool *pool, struct ktpool_worker *w)
	__must_hold(&pool->lock)
{
	pool->completed++;
	ktpool_job_retire_locked(pool, &w->job);
	w->job.fn = NULL;
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
 * ktpool_may_retire_idle_locked() - may an idle worker be stopped?
 * @pool: the pool, with an idle worker
 *
 * Return: true when every pending job keeps a free worker without it, and
 * the pool keeps min_threads created threads (ktpool_above_min_locked():
 * a spawn in progress does not count, it may fail).
 */
bool ktpool_may_retire_idle_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_idle &&
	       ktpool_free_workers_locked(pool) > 0 &&
	       ktpool_above_min_locked(pool);
}

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
int ktpool_pending_grow(struct ktpool *pool)
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
