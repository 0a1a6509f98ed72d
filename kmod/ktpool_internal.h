/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktpool internals, shared by the files of kmod/.
 *
 * Locking legend, used on every shared field below:
 *
 *  L: pool->lock, a raw spinlock taken with interrupts disabled:
 *     ktpool_submit_nowait() may be called from hard IRQ, also on PREEMPT_RT
 *     (IRQF_NO_THREAD handlers, HRTIMER_MODE_HARD timers), where a
 *     spinlock_t would sleep. Nothing done under it may sleep on RT either:
 *     it only wakes tasks (wake_up_process(), rcuwait_wake_up(); never a
 *     wait queue, whose lock is a spinlock_t) and queues work and delayed
 *     work (the workqueue and timer locks are raw). Never held across a
 *     task, a spawn or a sleep.
 *  G: ktpool_pools_mutex (the list of all pools, for unique names).
 *  A: pool->attrs_mutex (one change of the attributes at a time; the fields
 *     that workers and spawns read are written under L as well).
 *  S: pool->sysfs_mutex (adds and removes the sysfs directory, from the
 *     change of KTPOOL_SYSFS under A to the end of the removal, which waits
 *     for the directory's writers; taken before A, and never by those
 *     writers).
 *  D: pool->drain_mutex (one drain at a time flips the epoch).
 *  I: set once before the object is published, read-only afterwards.
 *  W: written only by the worker's own thread.
 *
 * S and A across a sleep for spawns: ktpool_start_min_threads() waits
 * (killable) on spawn_wait for the spawns in flight to end, under S and A
 * from ktpool_apply_attrs(), under A alone from the sysfs and parameter
 * writers (at create under neither: the pool is not visible yet). Nothing
 * in ktpool_spawn() takes either mutex, so those spawns end without them:
 * a spawn reads the attributes under L with their attrs_gen, and applies
 * them again when a change moved it (the attrs_gen retry in ktpool_spawn(),
 * with ktpool_apply_worker_attrs()) instead of taking A.
 *
 * Lifetime rules:
 *  - Worker threads exit only through kthread_stop(), called by the reaper or
 *    by ktpool_destroy() after the worker was taken off every list under L.
 *    Thread code therefore never runs after ktpool.ko is gone.
 *  - A submitter or a worker that claimed an idle worker for a pending job
 *    wakes it after dropping L, inside rcu_read_lock(): task_structs are
 *    freed after an RCU grace period, so the wake is safe even if the worker
 *    ran the task, and was stopped, in between. Only single wake-ups are
 *    done under L (a waiter served by a worker, or given the slot of a
 *    failed spawn; one worker asleep in a wait for the group of a
 *    submitter that blocks; and after a waiter whose own spawn failed has
 *    left the queue, or a task run by a worker waiting for its group has
 *    finished, one more, given the room it held back); every path
 *    that wakes more collects them in a struct ktpool_wake and wakes them
 *    after dropping L, in the same way.
 *  - Every submit call that may drop L (to spawn, wait or run a task
 *    inline), and every drain, is counted in nr_callers (L) until it
 *    returns, so ktpool_destroy() never frees the pool under it. The
 *    publish fast path and nowait never drop L and are not counted.
 *  - A blocked submitter's struct ktpool_waiter lives on its stack; whoever
 *    removes it from pool->waiters sets its state under L, and the submitter
 *    itself always takes L once more before it returns. A task woken after
 *    L is dropped (struct ktpool_wake) is woken by its task_struct alone,
 *    never through the waiter, which may be gone by then.
 *  - Blocked submitters are served oldest first. One whose retry (a spawn
 *    of its own) fails goes back to its place, by its ticket; only the
 *    oldest ones leave the queue to retry (ktpool_wake_retry_locked(), and
 *    the head alone when its spawn cooldown has passed).
 *  - The walks under L that wake tasks or move workers wake or move at
 *    most %KTPOOL_WAKE_BATCH in one hold of L: a longer one drops L
 *    between batches (the wake-ups and retirements of a capacity change,
 *    destroy's shutdown of the waiters, the reaper), at points where the
 *    state is consistent and each batch looks at the pool again. The
 *    kernel's wake_q is not exported to modules; struct ktpool_wake is its
 *    bounded stand-in. Other walks under L are not batched, and grow with
 *    what they walk: pool->workers (at most the largest capacity the pool
 *    has had, %KTPOOL_MAX_CAPACITY: a surplus worker stays on it until it
 *    is stopped) in ktpool_apply_live(), the watchdog's scan, the debugfs
 *    workers copy and destroy's trace of the workers it stops; the pending
 *    jobs (at most nr_threads) that kfifo_out() copies in
 *    ktpool_pending_grow(); and, in ktpool_requeue_locked(), the waiters
 *    older than a retrier that comes back, and in ktpool_help() the waiters
 *    older than the oldest of its group (both at most nr_waiters, bounded
 *    by max_waiters when it is set); and the workers asleep in a group wait
 *    (pool->helpers, at most nr_threads) that a blocked group submitter
 *    walks to the first of its group. Each step of these is a few loads and
 *    stores, no wake-up.
 */
#ifndef _KTPOOL_INTERNAL_H
#define _KTPOOL_INTERNAL_H

#include <linux/ktpool.h>
#include <linux/cpumask.h>
#include <linux/kfifo.h>
#include <linux/sched/clock.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
/*
 * KUnit static stubs (the tests' hold points): compiled out without
 * CONFIG_KUNIT; kernels before 6.3 have none (kmod/Kbuild looks).
 */
#ifdef KTPOOL_HAVE_STATIC_STUB
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)
#endif

/* Every flag of struct ktpool_attrs. */
#define KTPOOL_ALL_FLAGS	(KTPOOL_FREEZABLE | KTPOOL_RT | KTPOOL_SYSFS)

enum ktpool_mode {
	KTPOOL_TRY,
	KTPOOL_ANYWAY,
	KTPOOL_NOWAIT,
};

/* What became of a submission (the ktpool_submit tracepoint). */
enum ktpool_outcome {
	KTPOOL_DISPATCHED,	/* a worker took it at once */
	KTPOOL_INLINE,		/* ran in the caller */
	KTPOOL_BLOCKED,		/* a worker took it after the caller waited */
	KTPOOL_REJECTED,	/* nowait: -EBUSY */
	KTPOOL_FAILED,		/* any other error */
};

/* Why a worker was stopped (the ktpool_worker_reap tracepoint). */
enum ktpool_reap_reason {
	KTPOOL_REAP_IDLE,
	KTPOOL_REAP_SURPLUS,
	KTPOOL_REAP_DESTROY,
};

/* What a group task adds to its job (ktpool_group.c). */
struct ktpool_job_group {
	struct ktpool_group *grp;	/* NULL: not a group task */
	ktpool_group_fn_t fn;		/* called instead of job->fn */
	bool slot;			/* holds one of the group's limit */
};

/*
 * One task: what the submitter hands over. Copied whole wherever it goes
 * (the pending FIFO, a worker, a waiter, a deferred run), and run only by
 * ktpool_job_run().
 */
struct ktpool_job {
	ktpool_fn_t fn;
	void *data;
	struct module *owner;	/* referenced from submit until fn returns */
	unsigned int epoch;	/* the drain epoch it was counted in */
	struct ktpool_job_group group;
};

/* ktpool_group.c */
void ktpool_group_task(void *data);
void ktpool_group_run(struct ktpool_job *job);

/* Run @job: its fn, or for a group task the group's trampoline. */
static inline void ktpool_job_run(struct ktpool_job *job)
{
	if (job->group.grp)
		ktpool_group_run(job);
	else
		job->fn(job->data);
}

enum ktpool_worker_state {
	KTPOOL_W_BUSY,		/* running, or about to run, a job */
	KTPOOL_W_IDLE,		/* on pool->idle */
	KTPOOL_W_DYING,		/* on pool->zombies, waiting for kthread_stop */
	KTPOOL_W_WOKEN,		/* taken off pool->idle to take a pending job */
};

struct ktpool_worker {
	struct list_head node;		/* L: on pool->idle or pool->zombies */
	struct list_head all;		/* L: on pool->workers */
	struct task_struct *task;	/* I */
	struct ktpool *pool;		/* I */
	/*
	 * L: the job it runs (fn NULL when none). Written under L by the
	 * worker itself, or by ktpool_spawn() before the thread first runs;
	 * the worker reads its own without the lock.
	 */
	struct ktpool_job job;
	/* L to write; the worker polls its own with READ_ONCE (IDLE->WOKEN) */
	enum ktpool_worker_state state;
	u64 idle_since;			/* L: get_jiffies_64() when it went idle */
	unsigned long job_start;	/* L: jiffies when it took its job */
	bool stall_warned;		/* L: the stall warning was given */
	/*
	 * W; read by the waker under L: the worker may be asleep. Written
	 * before the worker's last check of state, read after state is set to
	 * WOKEN, each followed by a full barrier: a waker that reads false
	 * can skip the wake-up, the worker will see WOKEN.
	 */
	bool sleeping;
	u64 nr_run;			/* W; READ_ONCE elsewhere: tasks run */
	/*
	 * L: on pool->helpers while its task sleeps waiting for a group of
	 * this pool, with that group (ktpool_help()); empty otherwise.
	 */
	struct list_head help_node;
	struct ktpool_group *help_grp;	/* L */
	bool help_kick;			/* L to write; READ_ONCE by the worker */
	bool freezable;			/* W: set_freezable() was called */
};

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

struct ktpool {
	char name[KTPOOL_NAME_LEN];	/* I */
	struct list_head node;		/* G: on ktpool_pools */

	raw_spinlock_t lock;		/* L: the legend above */
	struct list_head idle;		/* L: LIFO, most recently idle first */
	struct list_head zombies;	/* L: surplus workers to be stopped */
	struct list_head workers;	/* L: every live worker */
	struct list_head waiters;	/* L: blocked submitters, by ticket */
	u64 waiter_ticket;		/* L: the last ticket handed out */
	struct list_head helpers;	/* L: workers asleep in a group wait */
	unsigned int capacity;		/* L to write; READ_ONCE elsewhere */
	unsigned int idle_timeout_ms;	/* L to write; READ_ONCE elsewhere */
	unsigned int nr_threads;	/* L: live workers, incl. spawning */
	/*
	 * L: the slots of nr_threads reserved for a thread being created
	 * (ktpool_reserve_locked()), not yet on pool->workers: such a spawn
	 * may still fail, so min_threads is kept by nr_threads - nr_spawning.
	 */
	unsigned int nr_spawning;
	unsigned int nr_idle;		/* L */
	unsigned int nr_busy;		/* L */
	/*
	 * L: accepted jobs that no worker has taken yet, oldest first. Never
	 * more than nr_idle + nr_woken of them (each has a worker on its way
	 * or idle), so never more than nr_threads: the FIFO is grown to that
	 * before a thread is created (ktpool_pending_grow()).
	 */
	DECLARE_KFIFO_PTR(pending, struct ktpool_job);
	unsigned int nr_woken;		/* L: workers in KTPOOL_W_WOKEN */
	/*
	 * L: idle workers that pending jobs counted on (pending - woken, the
	 * head of the idle list): such a worker is in use, though asleep, and
	 * the reaper keeps as many as were counted on at once within the last
	 * idle timeout (ktpool_backed_locked()). A window's maximum in two
	 * slots: [0] the most, [1] the most since [0], each with the last
	 * time (get_jiffies_64()) it was reached.
	 */
	unsigned int backed[2];
	u64 backed_at[2];
	unsigned int nr_waiters;	/* L: submitters inside the wait */
	/*
	 * L: waiters woken with %KTPOOL_WAIT_RETRY that have not taken L
	 * since: the room each will take is not given to another.
	 */
	unsigned int nr_retrying;
	/* L to write; READ_ONCE elsewhere: most nr_waiters, 0 = no limit */
	unsigned int max_waiters;
	/*
	 * L to write, READ_ONCE in destroy's wait condition: callers inside a
	 * submit or drain call (and tasks deferred past the inline nesting
	 * bound): ktpool_destroy() waits for them to leave.
	 */
	unsigned int nr_callers;
	unsigned int epoch;		/* L: the drain epoch, 0 or 1 */
	/* L to write, READ_ONCE in the drain and destroy wait conditions */
	unsigned long inflight[2];	/* accepted, unfinished, by epoch */
	bool dying;			/* L: ktpool_destroy() has begun */
	bool spawn_pending;		/* L: spawn_work is queued */

	/* L: the statistics of struct ktpool_stats */
	unsigned int peak_threads;
	u64 submitted, completed, inlined, rejected;
	u64 spawned, reaped, spawn_failed;
	u64 timed_out, waiters_refused, cancelled;

	/* I (initialised at create); queued only under L, while !dying */
	struct delayed_work reaper;	/* stops idle and surplus workers */
	unsigned long reap_at;		/* L: jiffies it was last queued for */
	struct work_struct spawn_work;	/* L: queued while spawn_pending */
	struct rcuwait drain_wait;	/* D: the drain waiting for an epoch */
	/* woken under L; only the one ktpool_destroy() (dying) waits on it */
	struct rcuwait destroy_wait;
	/*
	 * Woken under L when a spawn in flight ends (its thread created or
	 * the spawn failed); only ktpool_start_min_threads() waits on it,
	 * with attrs_mutex held (or at create, before anyone has the pool),
	 * so never more than one waiter.
	 */
	struct rcuwait spawn_wait;
	struct mutex drain_mutex;	/* D: serializes drains */
	struct dentry *debugfs;		/* I: debugfs/ktpool/<name>/ */

	/* The attributes (struct ktpool_attrs): A and L to write */
	struct mutex attrs_mutex;	/* A: serializes ktpool_apply_attrs() */
	int nice;			/* A+L; READ_ONCE elsewhere */
	cpumask_var_t cpumask;		/* A+L; every possible CPU for NULL */
	int numa_node;			/* I: NUMA_NO_NODE or attrs->node */
	unsigned int min_threads;	/* A+L; READ_ONCE elsewhere */
	unsigned int flags;		/* A+L; READ_ONCE elsewhere */
	/*
	 * A+L: bumped by every change of nice, cpumask or flags, and when a
	 * CPU coming online makes the cpumask apply again
	 */
	unsigned int attrs_gen;
	/* S: serializes adding and removing kobj (see the legend) */
	struct mutex sysfs_mutex;
	/* A and S to write: /sys/kernel/ktpool/<name>/ or NULL */
	struct ktpool_kobj *kobj;
};

/*
 * Reserve a thread slot below capacity, for a spawn: ktpool_spawn() turns it
 * into a thread, or the caller gives it back (ktpool_unreserve_locked()).
 */
static inline bool ktpool_reserve_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	if (pool->nr_threads >= pool->capacity)
		return false;
	pool->nr_threads++;
	pool->nr_spawning++;
	if (pool->nr_threads > pool->peak_threads)
		pool->peak_threads = pool->nr_threads;
	return true;
}

/*
 * May a created worker leave the pool (reaped, or surplus after a shrink)?
 * Only while the created ones stay at least min_threads: a slot reserved
 * for a spawn in progress is no thread yet, and that spawn may fail.
 */
static inline bool ktpool_above_min_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_threads - pool->nr_spawning > pool->min_threads;
}

/**
 * ktpool_wait_state() - how a caller sleeps while it waits for a pool
 * @flags: the pool's flags, as the caller read them while the pool was
 *	alive for it (counted in nr_callers, or with a task of it in flight)
 *
 * Every wait for a pool's workers or tasks (a blocked anyway submit, a
 * group submit at its limit, a group wait) is killable. On a
 * %KTPOOL_FREEZABLE pool it is also freezable, so that the caller does not
 * make a system freeze fail while the workers are frozen; but never while
 * the caller holds a lock that lockdep sees: the freezer must not freeze a
 * task with locks held (kernel/freezer.c warns), so such a caller sleeps
 * unfreezable, as any sleep inside a critical section does. Without
 * lockdep the locks cannot be seen: callers holding a lock that the
 * suspend path needs must not wait on a freezable pool (the rule of every
 * freezable sleep, documented in Documentation/ktpool.rst).
 *
 * Context: the caller's own locks only: none of ktpool's may be held.
 * Return: %TASK_KILLABLE, with %TASK_FREEZABLE as above.
 */
static inline unsigned int ktpool_wait_state(unsigned int flags)
{
	if ((flags & KTPOOL_FREEZABLE) && !lockdep_depth(current))
		return TASK_KILLABLE | TASK_FREEZABLE;
	return TASK_KILLABLE;
}

/* A caller enters the API: destroy waits for it (see nr_callers). */
static inline void ktpool_caller_enter_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	pool->nr_callers++;
}

/* ... and leaves it; the last one out of a dying pool wakes destroy. */
static inline void ktpool_caller_exit_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	if (!--pool->nr_callers && pool->dying)
		rcuwait_wake_up(&pool->destroy_wait);
}

/*
 * The same, taking the pool lock, for a caller that may sleep in between:
 * enter fails with -ESHUTDOWN once ktpool_destroy() has begun.
 */
static inline int ktpool_caller_enter(struct ktpool *pool)
{
	int ret = 0;

	raw_spin_lock_irq(&pool->lock);
	if (pool->dying)
		ret = -ESHUTDOWN;
	else
		ktpool_caller_enter_locked(pool);
	raw_spin_unlock_irq(&pool->lock);
	return ret;
}

static inline void ktpool_caller_exit(struct ktpool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	ktpool_caller_exit_locked(pool);
	raw_spin_unlock_irq(&pool->lock);
}

/* The most tasks woken, or workers moved, in one hold of L. */
#define KTPOOL_WAKE_BATCH	16

/*
 * Tasks to wake once L is dropped, collected under L: the pool lock's
 * interrupts-off section holds only the list work, never the wake-ups
 * (each a runqueue lock, maybe an IPI), and never more than
 * %KTPOOL_WAKE_BATCH of them. On the caller's stack.
 */
struct ktpool_wake {
	unsigned int nr;
	struct task_struct *task[KTPOOL_WAKE_BATCH];
};

static inline bool ktpool_wake_full(const struct ktpool_wake *wk)
{
	return wk->nr == KTPOOL_WAKE_BATCH;
}

/* Keep @task, seen alive under L, for ktpool_wake_unlock*(). */
static inline void ktpool_wake_add_locked(struct ktpool *pool,
					  struct ktpool_wake *wk,
					  struct task_struct *task)
	__must_hold(&pool->lock)
{
	if (!WARN_ON_ONCE(ktpool_wake_full(wk)))
		wk->task[wk->nr++] = task;
}

/*
 * Drop L and wake what was collected under it. Task structs are freed only
 * after an RCU grace period, so one that exits in between stays readable
 * inside rcu_read_lock(), taken before L is dropped; a task that has moved
 * on merely sees a spurious wake-up, which every sleep allows for.
 */
static inline void ktpool_wake_unlock_irqrestore(struct ktpool *pool,
						 struct ktpool_wake *wk,
						 unsigned long flags)
	__releases(&pool->lock)
{
	unsigned int i;

	rcu_read_lock();
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	for (i = 0; i < wk->nr; i++)
		wake_up_process(wk->task[i]);
	rcu_read_unlock();
	wk->nr = 0;
}

static inline void ktpool_wake_unlock_irq(struct ktpool *pool,
					  struct ktpool_wake *wk)
	__releases(&pool->lock)
{
	unsigned int i;

	rcu_read_lock();
	raw_spin_unlock_irq(&pool->lock);
	for (i = 0; i < wk->nr; i++)
		wake_up_process(wk->task[i]);
	rcu_read_unlock();
	wk->nr = 0;
}

/* ktpool_job.c: a job's life, and the hand-off between its two threads */
static inline unsigned long ktpool_inflight(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return pool->inflight[0] + pool->inflight[1];
}

/*
 * Idle and woken workers that no pending job has claimed yet: never below 0
 * at a lock release (the invariant of ktpool_job.c; inside
 * ktpool_take_locked() it may be -1 while the taker's own job is still
 * queued). A job may be published only while it is above 0.
 */
static inline int ktpool_free_workers_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	return (int)(pool->nr_idle + pool->nr_woken) -
	       (int)kfifo_len(&pool->pending);
}

void ktpool_accept_locked(struct ktpool *pool, struct ktpool_job *job);
bool ktpool_publish_locked(struct ktpool *pool, struct ktpool_job *job,
			   struct task_struct **wake);
bool ktpool_take_locked(struct ktpool *pool, struct ktpool_worker *w,
			struct task_struct **wake);
void ktpool_run_checked(struct ktpool *pool, struct ktpool_worker *w,
			struct ktpool_job *job);
void ktpool_run_job(struct ktpool *pool, struct ktpool_worker *w);
void ktpool_job_done_locked(struct ktpool *pool, struct ktpool_worker *w);
void ktpool_job_put(struct ktpool_job *job);
void ktpool_job_retire_locked(struct ktpool *pool, struct ktpool_job *job);
bool ktpool_kick_all_locked(struct ktpool *pool, struct ktpool_wake *wk);
bool ktpool_may_retire_idle_locked(struct ktpool *pool);
unsigned int ktpool_backed_locked(struct ktpool *pool, u64 now, u64 *until);
int ktpool_pending_init(struct ktpool *pool, unsigned int capacity);
int ktpool_pending_grow(struct ktpool *pool);
void ktpool_pending_free(struct ktpool *pool);

/* ktpool_worker.c */
bool ktpool_wake_retry_locked(struct ktpool *pool, bool all,
			      struct ktpool_wake *wk);
int ktpool_spawn(struct ktpool *pool, struct ktpool_job *job,
		 enum ktpool_mode mode);
void ktpool_spawn_workfn(struct work_struct *work);
void ktpool_reaper_workfn(struct work_struct *work);
bool ktpool_on_own_worker(struct ktpool *pool);
struct ktpool_worker *ktpool_own_worker(struct ktpool *pool);
void ktpool_kick_reaper(struct ktpool *pool, unsigned long delay);
void ktpool_retime_reaper(struct ktpool *pool);
void ktpool_retire_idle_locked(struct ktpool *pool, struct ktpool_worker *w,
			       enum ktpool_reap_reason why);
bool ktpool_retire_surplus_locked(struct ktpool *pool);
void ktpool_stop_workers(struct list_head *list);

/*
 * Give back a slot whose spawn failed, and let a blocked submitter use it:
 * otherwise nothing would serve a waiter that queued while the spawn ran.
 */
static inline void ktpool_unreserve_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	pool->nr_threads--;
	pool->nr_spawning--;
	pool->spawn_failed++;
	rcuwait_wake_up(&pool->spawn_wait);
	ktpool_wake_retry_locked(pool, false, NULL);
}

/*
 * A waiter left pool->waiters for good (a worker or a helper took its job,
 * its time ran out, it was killed), not to retry. If its own spawn had
 * failed, ktpool_wake_retry_locked() stopped at it and woke none of the
 * younger waiters behind it, which nothing else would retry: room that it
 * held back goes to them now.
 */
static inline void ktpool_waiter_left_locked(struct ktpool *pool,
					     const struct ktpool_waiter *wt)
	__must_hold(&pool->lock)
{
	if (wt->spawn_failed)
		ktpool_wake_retry_locked(pool, false, NULL);
}

/* ktpool_main.c */
unsigned long ktpool_reap_interval(void);
unsigned int ktpool_stall_warn_ms(void);
u64 ktpool_spin_ns(void);

/* ktpool_inject.c: the test hooks */
#include "ktpool_inject.h"

/* ktpool_submit.c */
bool ktpool_in_inline_task(struct ktpool *pool);
bool ktpool_deferred_in_group(const struct ktpool_group *grp);
int ktpool_submit_common(struct ktpool *pool, struct ktpool_job *job,
			 enum ktpool_mode mode, long timeout);
int ktpool_submit_inline(struct ktpool *pool, struct ktpool_job *job,
			 enum ktpool_mode mode);
void ktpool_help(struct ktpool_worker *w, struct ktpool_group *grp);
void ktpool_help_end(struct ktpool_worker *w);

/* ktpool_pool.c: every pool, for the watchdog */
typedef void (*ktpool_visit_t)(struct ktpool *pool);
void ktpool_visit_pools(ktpool_visit_t fn);
void ktpool_destroy_leaked(void);
#if IS_ENABLED(CONFIG_KUNIT)
/* Static otherwise; exported to the KUnit suites (EXPORT_SYMBOL_IF_KUNIT). */
void ktpool_wait_destroys(void);
void ktpool_destroy_refused(const char *name);
#endif

/* ktpool_attrs.c */
struct ktpool_kobj;
int ktpool_attrs_init(struct ktpool *pool, const struct ktpool_attrs *attrs);
void ktpool_attrs_free(struct ktpool *pool);
int ktpool_attrs_validate(const struct ktpool_attrs *attrs,
			  unsigned int capacity);
int ktpool_apply_worker_attrs(struct ktpool *pool, struct task_struct *task,
			      unsigned int *gen, bool fresh);
int ktpool_start_min_threads(struct ktpool *pool);
void ktpool_get_attrs(struct ktpool *pool, struct ktpool_attrs *attrs,
		      struct cpumask *mask);
int ktpool_set_nice(struct ktpool *pool, int nice);
int ktpool_set_cpumask(struct ktpool *pool, const struct cpumask *mask);
int ktpool_set_min_threads(struct ktpool *pool, unsigned int min_threads);
int ktpool_cpu_online(unsigned int cpu);
void ktpool_check_leaks(struct ktpool *pool, const void *fn, int preempt,
			int depth);
int ktpool_sysfs_init(void);
void ktpool_sysfs_exit(void);
int ktpool_sysfs_add(struct ktpool *pool);
struct ktpool_kobj *ktpool_sysfs_detach(struct ktpool *pool);
void ktpool_sysfs_remove(struct ktpool_kobj *kobj);
int ktpool_parse_cpulist(const char *buf, struct cpumask *mask);

/* ktpool_debugfs.c */
int ktpool_debugfs_init(void);
void ktpool_debugfs_exit(void);
void ktpool_debugfs_add(struct ktpool *pool);

/* ktpool_watchdog.c */
void ktpool_watchdog_start(void);
void ktpool_watchdog_stop(void);

#endif /* _KTPOOL_INTERNAL_H */
