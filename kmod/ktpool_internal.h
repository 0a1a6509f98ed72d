/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktpool internals, shared by the files of kmod/.
 *
 * Locking legend of the shared fields:
 *  L: pool->lock, raw, taken with interrupts off (nowait may run in hard
 *     IRQ, also on PREEMPT_RT). Nothing under it sleeps: it only wakes tasks
 *     (never a wait queue) and queues work; never held across a task or spawn.
 *  G: ktpool_pools_mutex (the list of all pools).
 *  A: pool->attrs_mutex (one attribute change at a time; what workers and
 *     spawns read is written under L too).
 *  S: pool->sysfs_mutex (from a change of KTPOOL_SYSFS to the end of the
 *     directory's removal, which waits for its writers; taken before A,
 *     never by those writers).
 *  D: pool->drain_mutex (one drain at a time flips the epoch).
 *  I: set once before the object is published, read-only afterwards.
 *  W: written only by the worker's own thread.
 *
 * ktpool_spawn() takes neither A nor S: it reads the attributes under L with
 * attrs_gen and applies them again when a change moved it.
 *
 * Lifetime rules:
 *  - Worker threads exit only through kthread_stop(), once off every list:
 *    no thread code runs after ktpool.ko is gone.
 *  - Tasks are woken after L is dropped inside rcu_read_lock(), taken
 *    before: task_structs are freed after a grace period. Only single
 *    wake-ups happen under L; more go through a struct ktpool_wake.
 *  - Every submit call that may drop L (to spawn, wait or run inline), and
 *    every drain, is counted in nr_callers until it returns: destroy never
 *    frees the pool under it. Publish and nowait never drop L.
 *  - A blocked submitter's struct ktpool_waiter is on its stack: whoever
 *    takes it off pool->waiters sets its state under L, and it takes L once
 *    more before it returns. Waiters are served oldest first, by ticket.
 *  - Walks under L that wake or move drop L every %KTPOOL_WAKE_BATCH, the
 *    state consistent. Others do a few loads and stores per step, over at
 *    most %KTPOOL_MAX_CAPACITY workers, nr_threads jobs or nr_waiters waiters.
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
#include <linux/workqueue.h>
#include <kunit/visibility.h>
/* KUnit static stubs: none without CONFIG_KUNIT, nor before 6.3. */
#ifdef KTPOOL_HAVE_STATIC_STUB
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)
#endif

#define KTPOOL_ALL_FLAGS	(KTPOOL_FREEZABLE | KTPOOL_RT | KTPOOL_SYSFS)

enum ktpool_mode { KTPOOL_TRY, KTPOOL_ANYWAY, KTPOOL_NOWAIT };

/* What became of a submission (the ktpool_submit tracepoint). */
enum ktpool_outcome {
	KTPOOL_DISPATCHED,	/* a worker took it at once */
	KTPOOL_INLINE,		/* ran in the caller */
	KTPOOL_BLOCKED,		/* a worker took it after the caller waited */
	KTPOOL_REJECTED,	/* nowait: -EBUSY */
	KTPOOL_FAILED,		/* any other error */
};

/* Why a worker was stopped (the ktpool_worker_reap tracepoint). */
enum ktpool_reap_reason { KTPOOL_REAP_IDLE, KTPOOL_REAP_SURPLUS, KTPOOL_REAP_DESTROY };

/* What a group task adds to its job (ktpool_group.c). */
struct ktpool_job_group {
	struct ktpool_group *grp;	/* NULL: not a group task */
	ktpool_group_fn_t fn;		/* called instead of job->fn */
	bool slot;			/* holds one of the group's limit */
};

/* One task, copied whole wherever it goes; run by ktpool_job_run(). */
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
	/* L: fn NULL for none; only it, or spawn before it runs, writes it */
	struct ktpool_job job;
	/* L to write; the worker polls its own with READ_ONCE (IDLE->WOKEN) */
	enum ktpool_worker_state state;
	u64 idle_since;			/* L: get_jiffies_64() when it went idle */
	unsigned long job_start;	/* L: jiffies when it took its job */
	bool stall_warned;		/* L: the stall warning was given */
	/*
	 * W; read by the waker under L. The worker writes it, then (full
	 * barrier) reads state; the waker writes WOKEN, then (smp_mb()) reads
	 * it: a waker that reads false may skip the wake-up.
	 */
	bool sleeping;
	u64 nr_run;			/* W; READ_ONCE elsewhere: tasks run */
	struct list_head help_node;	/* L: on pool->helpers while helping */
	struct ktpool_group *help_grp;	/* L */
	bool help_kick;			/* L to write; READ_ONCE by the worker */
	bool freezable;			/* W: set_freezable() was called */
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
	unsigned int nr_spawning;	/* L: of nr_threads, spawns that may fail */
	unsigned int nr_idle;		/* L */
	unsigned int nr_busy;		/* L */
	/* L: jobs no worker took, oldest first; at most nr_threads, its size */
	DECLARE_KFIFO_PTR(pending, struct ktpool_job);
	unsigned int nr_woken;		/* L: workers in KTPOOL_W_WOKEN */
	/* L: for the reaper to keep, the most idle workers pending jobs counted on */
	unsigned int backed[2];		/* in two slots of an idle timeout each */
	u64 backed_at[2];		/* L: when each was reached (get_jiffies_64()) */
	unsigned int nr_waiters;	/* L: submitters inside the wait */
	unsigned int nr_retrying;	/* L: woken to retry, not back under L */
	unsigned int max_waiters;	/* L to write; READ_ONCE elsewhere; 0: none */
	/* L, WRITE_ONCE; READ_ONCE in destroy's wait: calls that may drop L, deferred tasks */
	unsigned int nr_callers;
	unsigned int epoch;		/* L: the drain epoch, 0 or 1 */
	/* L, WRITE_ONCE; READ_ONCE in the drain and destroy wait conditions */
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
	struct rcuwait destroy_wait;	/* L to wake; the one destroy waits */
	/* L to wake; one waiter, ktpool_start_min_threads() under A or at create */
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
	unsigned int attrs_gen;		/* A+L: bumped by a change or a CPU online */
	struct mutex sysfs_mutex;	/* S: adds and removes kobj */
	struct ktpool_kobj *kobj;	/* A and S to write; NULL: no directory */
};

/* A thread slot below capacity for a spawn, or false. */
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
 * A %KTPOOL_FREEZABLE pool's waits must not fail a system freeze, but the
 * freezer must not freeze a task holding locks: without lockdep, a caller
 * holding a lock suspend needs must not wait on such a pool.
 */
static inline unsigned int ktpool_wait_state(unsigned int flags)
{
	if ((flags & KTPOOL_FREEZABLE) && !lockdep_depth(current))
		return TASK_KILLABLE | TASK_FREEZABLE;
	return TASK_KILLABLE;
}

/* Callers inside the API (nr_callers); the last out wakes destroy. */
static inline void ktpool_caller_enter_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	WRITE_ONCE(pool->nr_callers, pool->nr_callers + 1);
}

static inline void ktpool_caller_exit_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	WRITE_ONCE(pool->nr_callers, pool->nr_callers - 1);
	if (!pool->nr_callers && pool->dying)
		rcuwait_wake_up(&pool->destroy_wait);
}

/* With L taken; -ESHUTDOWN once destroy has begun. */
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

/* Tasks woken once L is dropped, not with interrupts off; on the stack. */
struct ktpool_wake {
	unsigned int nr;
	struct task_struct *task[KTPOOL_WAKE_BATCH];
};

static inline bool ktpool_wake_full(const struct ktpool_wake *wk)
{
	return wk->nr == KTPOOL_WAKE_BATCH;
}

static inline void ktpool_wake_add_locked(struct ktpool *pool, struct ktpool_wake *wk,
					  struct task_struct *task)
	__must_hold(&pool->lock)
{
	if (!WARN_ON_ONCE(ktpool_wake_full(wk)))
		wk->task[wk->nr++] = task;
}

/* A task that moved on meanwhile sees a spurious wake-up, allowed for. */
static inline void ktpool_wake_unlock_irqrestore(struct ktpool *pool, struct ktpool_wake *wk,
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

/* ktpool_core.c: a task's path */
bool ktpool_inline_holds(struct ktpool *pool, const struct ktpool_group *grp);
int ktpool_submit_common(struct ktpool *pool, struct ktpool_job *job,
			 enum ktpool_mode mode, long timeout);
int ktpool_submit_inline(struct ktpool *pool, struct ktpool_job *job, enum ktpool_mode mode);
void ktpool_help(struct ktpool_worker *w, struct ktpool_group *grp);
void ktpool_help_end(struct ktpool_worker *w);
bool ktpool_kick_all_locked(struct ktpool *pool, struct ktpool_wake *wk);
int ktpool_pending_init(struct ktpool *pool, unsigned int capacity);
void ktpool_pending_free(struct ktpool *pool);
bool ktpool_wake_retry_locked(struct ktpool *pool, bool all, struct ktpool_wake *wk);
int ktpool_spawn(struct ktpool *pool, struct ktpool_job *job, enum ktpool_mode mode);
void ktpool_spawn_workfn(struct work_struct *work);
void ktpool_reaper_workfn(struct work_struct *work);
struct ktpool_worker *ktpool_own_worker(struct ktpool *pool);
void ktpool_kick_reaper(struct ktpool *pool, unsigned long delay);
void ktpool_retime_reaper(struct ktpool *pool);
bool ktpool_retire_surplus_locked(struct ktpool *pool);
void ktpool_stop_workers(struct list_head *list);
void ktpool_shutdown_waiters(struct ktpool *pool);

/* A spawn failed: its slot goes back, to a waiter that queued meanwhile. */
static inline void ktpool_unreserve_locked(struct ktpool *pool)
	__must_hold(&pool->lock)
{
	pool->nr_threads--;
	pool->nr_spawning--;
	pool->spawn_failed++;
	rcuwait_wake_up(&pool->spawn_wait);
	ktpool_wake_retry_locked(pool, false, NULL);
}

/* ktpool_main.c */
extern const struct attribute_group *ktpool_knob_groups[];
unsigned long ktpool_reap_interval(void);
unsigned int ktpool_stall_warn_ms(void);
u64 ktpool_spin_ns(void);

#include "ktpool_inject.h"

/* ktpool_pool.c: every pool, for the watchdog */
typedef void (*ktpool_visit_t)(struct ktpool *pool);
void ktpool_visit_pools(ktpool_visit_t fn);
void ktpool_destroy_leaked(void);
#if IS_ENABLED(CONFIG_KUNIT)
void ktpool_wait_destroys(void);
void ktpool_destroy_refused(const char *name);
#endif

/* ktpool_attrs.c */
int ktpool_attrs_init(struct ktpool *pool, const struct ktpool_attrs *attrs);
void ktpool_attrs_free(struct ktpool *pool);
int ktpool_attrs_validate(const struct ktpool_attrs *attrs, unsigned int capacity);
int ktpool_apply_worker_attrs(struct ktpool *pool, struct task_struct *task,
			      unsigned int *gen, bool fresh);
int ktpool_start_min_threads(struct ktpool *pool);
void ktpool_get_attrs(struct ktpool *pool, struct ktpool_attrs *attrs, struct cpumask *mask);
int ktpool_update_attrs(struct ktpool *pool,
			void (*edit)(struct ktpool_attrs *attrs, s64 v, const struct cpumask *mask),
			s64 v, const struct cpumask *mask);
int ktpool_cpu_online(unsigned int cpu);
int ktpool_sysfs_init(void);
void ktpool_sysfs_exit(void);
int ktpool_sysfs_add(struct ktpool *pool);
struct ktpool_kobj *ktpool_sysfs_detach(struct ktpool *pool);
void ktpool_sysfs_remove(struct ktpool_kobj *kobj);
struct ktpool *ktpool_sysfs_pool(struct kobject *kobj);

/* ktpool_debugfs.c */
void ktpool_debugfs_init(void);
void ktpool_debugfs_exit(void);
void ktpool_debugfs_add(struct ktpool *pool);

/* ktpool_watchdog.c */
void ktpool_watchdog_start(void);
void ktpool_watchdog_stop(void);

#endif /* _KTPOOL_INTERNAL_H */
