/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktpool - a capacity-bounded pool of kthreads for blocking work
 *
 * A pool owns at most @capacity kthreads, created lazily and named
 * "ktpool/<name>". Idle workers park on a LIFO list: the worker that went
 * idle last takes the next task, so cold workers age out and a delayed_work
 * reaper stops them once they have been idle longer than the idle timeout.
 *
 * A worker that leaves the pool (idle past the timeout, or above the
 * capacity after a shrink) stops counting at once, and takes no task any
 * more, but its kthread exits only when the reaper, run at once from a
 * workqueue, has stopped it. So the live "ktpool/<name>" kthreads are at
 * most the pool's threads (ktpool_get_stats(): never above the capacity,
 * but for the busy surplus of a shrink until its tasks return, and an idle
 * one kept for min_threads while a spawn is in flight) plus the
 * workers that left and are not stopped yet: a shrink followed at once by
 * a regrow can show, for that moment, up to the new capacity plus the
 * workers the shrink retired.
 *
 * Three ways to submit a task, ktpool_fn_t @fn called with @data:
 *
 *  - try (ktpool_try_submit()): hand the task to an idle worker or spawn one;
 *    when the pool is full, run it in the caller before returning.
 *  - anyway (ktpool_submit()): always asynchronous; block (killable) until a
 *    worker is free. This is the back-pressure a workqueue does not give.
 *  - nowait (ktpool_submit_nowait()): never sleeps, never runs inline; callable
 *    from any context but NMI, including hard IRQ (also on PREEMPT_RT);
 *    -EBUSY when no worker is free.
 *
 * The submit calls are macros that pass THIS_MODULE: while a task is accepted
 * and not finished, its module holds a reference and cannot be unloaded. The
 * reference is taken with try_module_get(): once a module's exit has begun,
 * its submit calls fail with -ENODEV and the task never runs. A module_init
 * that fails must drain (or destroy) what it submitted before it returns:
 * the kernel frees a module whose init failed whatever its references.
 *
 * See Documentation/ktpool.rst.
 */
#ifndef _LINUX_KTPOOL_H
#define _LINUX_KTPOOL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/cpumask.h>
#include <linux/numa.h>
#include <linux/spinlock_types.h>
#include <linux/wait.h>

/**
 * KTPOOL_MAX_CAPACITY - The largest capacity a pool may have.
 */
#define KTPOOL_MAX_CAPACITY	4096

/**
 * KTPOOL_MAX_IDLE_TIMEOUT_MS - The largest idle timeout (one hour).
 */
#define KTPOOL_MAX_IDLE_TIMEOUT_MS	3600000U

/**
 * KTPOOL_NAME_LEN - Size of a pool name, including the terminating NUL.
 */
#define KTPOOL_NAME_LEN		24

/**
 * KTPOOL_RAN_INLINE - A submit call ran the task in the caller.
 */
#define KTPOOL_RAN_INLINE	1

/**
 * KTPOOL_MAX_INLINE_DEPTH - How deeply inline runs may nest in one thread.
 *
 * A task run inline (by try on a full pool, or by a worker submitting to its
 * own full pool) may submit again and have the next task run inline inside
 * it. At this depth a task that would run inline is deferred instead: it
 * runs on the same thread right after the outermost inline task returns,
 * and its submit call returns 0. The kernel stack stays bounded, every task still runs
 * exactly once, and nothing waits for another thread. A task nested that
 * deep must therefore not wait for a task it submits to a full pool: that
 * task runs only after it returns.
 */
#define KTPOOL_MAX_INLINE_DEPTH	8

struct ktpool;

/**
 * typedef ktpool_fn_t - a task: called once, in process context, on a worker
 *	(or in the submitter when the submit call returns %KTPOOL_RAN_INLINE).
 * @data: the pointer passed to the submit call.
 *
 * A task may sleep. It may submit to any pool, including its own.
 */
typedef void (*ktpool_fn_t)(void *data);

/**
 * struct ktpool_stats - a snapshot of a pool, taken under the pool's lock
 * @capacity: the most kthreads the pool may have.
 * @idle_timeout_ms: how long a worker may stay idle before it is reaped
 *	(an idle worker that pending tasks counted on is in use: see
 *	Documentation/ktpool.rst, "The reaper").
 * @threads: the pool's kthreads (including one being created), not those
 *	that left it and are still being stopped.
 * @idle: workers parked on the idle list.
 * @busy: workers running a task, or woken to take a pending one.
 * @waiters: callers blocked in ktpool_submit().
 * @peak_threads: the largest @threads seen.
 * @submitted: tasks accepted, including those run inline.
 * @completed: tasks finished on a worker.
 * @inlined: tasks run in the caller by try (or by a worker submitting to its
 *	own full pool or to a group at its limit), including those deferred
 *	past the inline nesting bound.
 * @rejected: -EBUSY answers from ktpool_submit_nowait(), and from
 *	ktpool_submit_timeout() with a timeout of 0 ms.
 * @spawned: kthreads created.
 * @reaped: kthreads stopped for being idle too long or above capacity.
 * @spawn_failed: kthread creations that failed.
 * @timed_out: submits that returned -ETIMEDOUT (ktpool_submit_timeout()).
 * @waiters_refused: anyway submits refused with -EBUSY because
 *	ktpool_set_max_waiters() callers were already blocked.
 * @cancelled: group submits refused with -ECANCELED.
 *
 * Once the pool is quiet, @submitted == @completed + @inlined.
 */
struct ktpool_stats {
	unsigned int capacity, idle_timeout_ms;
	unsigned int threads;
	unsigned int idle;
	unsigned int busy;
	unsigned int waiters;
	unsigned int peak_threads;
	u64 submitted;
	u64 completed;
	u64 inlined;
	u64 rejected;
	u64 spawned, reaped, spawn_failed;
	u64 timed_out;
	u64 waiters_refused;
	u64 cancelled;
};

struct ktpool *ktpool_create(const char *name, unsigned int capacity,
			     unsigned int idle_timeout_ms);
/**
 * KTPOOL_FREEZABLE - The pool's workers freeze with the system.
 *
 * Across suspend and hibernation no task of the pool starts while tasks are
 * frozen; tasks submitted meanwhile start after the thaw. The callers that
 * wait for the pool (an anyway submit blocked for a worker, a group submit
 * at its limit, a group wait) sleep freezable, unless they hold a lock
 * that lockdep sees: callers must not hold locks across these waits on a
 * freezable pool, as across any freezable sleep (see "Attributes" in
 * Documentation/ktpool.rst).
 */
#define KTPOOL_FREEZABLE	0x1U

/**
 * KTPOOL_RT - The pool's workers run %SCHED_FIFO (sched_set_fifo_low()).
 */
#define KTPOOL_RT		0x2U

/**
 * KTPOOL_SYSFS - The pool's attributes are tunable under sysfs.
 *
 * /sys/kernel/ktpool/<name>/ holds capacity, idle_timeout_ms, nice, cpumask
 * (a cpulist shorter than a page) and min_threads: readable by all,
 * writable by root.
 */
#define KTPOOL_SYSFS		0x4U

/**
 * struct ktpool_attrs - how a pool's workers run
 * @nice: -20..19, the nice value of every worker; ignored with %KTPOOL_RT
 *	(but still range-checked).
 * @cpumask: the CPUs the workers may run on; NULL means every possible CPU.
 *	It must contain an online CPU, unless ktpool_apply_attrs() gives the
 *	pool's current mask again. Copied: the caller keeps its mask.
 * @node: %NUMA_NO_NODE for any node; else an online node, on which the
 *	workers' stacks and structures are allocated. Fixed at create:
 *	ktpool_apply_attrs() ignores it.
 * @min_threads: workers started at create (and when raised) and never
 *	reaped, busy or idle: the pool never has fewer threads; at most the
 *	capacity. They guarantee forward progress when no kthread can be
 *	created, as a %WQ_MEM_RECLAIM workqueue's rescuer does.
 * @flags: %KTPOOL_FREEZABLE, %KTPOOL_RT, %KTPOOL_SYSFS.
 *
 * Start from %KTPOOL_ATTRS_INIT: every field's default.
 */
struct ktpool_attrs {
	int nice;
	const struct cpumask *cpumask;
	int node;
	unsigned int min_threads;
	unsigned int flags;
};

/**
 * KTPOOL_ATTRS_INIT - The default attributes: nice 0, every CPU, any node,
 *	no reserve of workers, no flags.
 */
#define KTPOOL_ATTRS_INIT	{ .node = NUMA_NO_NODE }

struct ktpool *ktpool_create_attrs(const char *name, unsigned int capacity,
				   unsigned int idle_timeout_ms,
				   const struct ktpool_attrs *attrs);
int ktpool_apply_attrs(struct ktpool *pool, const struct ktpool_attrs *attrs);
void ktpool_destroy(struct ktpool *pool);

int __ktpool_try_submit(struct ktpool *pool, ktpool_fn_t fn, void *data,
			struct module *owner);
int __ktpool_submit(struct ktpool *pool, ktpool_fn_t fn, void *data,
		    struct module *owner);
int __ktpool_submit_nowait(struct ktpool *pool, ktpool_fn_t fn, void *data,
			   struct module *owner);

/**
 * ktpool_try_submit() - run a task on a worker, or in the caller if full
 * @pool: the pool.
 * @fn: the task.
 * @data: its argument.
 *
 * Context: process context; may sleep (to create a kthread, or in @fn).
 * Return: 0 when a worker took the task (or, past %KTPOOL_MAX_INLINE_DEPTH
 * nested inline runs, when it was deferred to run later on this thread),
 * %KTPOOL_RAN_INLINE when it ran in the caller, -EINVAL for a NULL @pool or
 * @fn, -ESHUTDOWN when @pool is being destroyed (the task is not run),
 * -ENODEV when the calling module is going away (its exit has begun: the
 * task is not run).
 */
#define ktpool_try_submit(pool, fn, data) \
	__ktpool_try_submit(pool, fn, data, THIS_MODULE)

/**
 * ktpool_submit() - run a task on a worker, waiting for one if all are busy
 * @pool: the pool.
 * @fn: the task.
 * @data: its argument.
 *
 * The "anyway" submit: the task never runs in the caller, except when the
 * caller is a worker of the same, full pool (then it runs inline, so a task
 * that submits to its own pool cannot deadlock; past
 * %KTPOOL_MAX_INLINE_DEPTH nested inline runs it is deferred to run on the
 * same thread after the outermost one, and the call returns 0).
 *
 * Context: process context; may sleep. The wait is killable, and freezable
 * on a %KTPOOL_FREEZABLE pool (see there).
 * A submitter whose own creation of a worker failed while the pool has
 * busy workers waits for one of them, and tries to create a worker again
 * every second while it waits.
 *
 * Return: 0 when a worker took the task (or it was deferred, see above),
 * %KTPOOL_RAN_INLINE (see above), -EINTR when a fatal signal ended the wait,
 * or the creation of a worker for it while the pool had none (the task is not
 * run), -ENOMEM when the pool has no worker and none can be created (not
 * run), -EINVAL for a NULL
 * @pool or @fn, -ESHUTDOWN when @pool is being destroyed (not run), -ENODEV
 * when the calling module is going away (its exit has begun: not run), and
 * -EBUSY at once, without waiting, only when the pool's max_waiters limit is
 * set (ktpool_set_max_waiters(); for the default pool the max_waiters module
 * parameter) and that many callers are already blocked (not run).
 */
#define ktpool_submit(pool, fn, data) \
	__ktpool_submit(pool, fn, data, THIS_MODULE)

/**
 * ktpool_submit_nowait() - run a task on a free worker, or refuse
 * @pool: the pool.
 * @fn: the task.
 * @data: its argument.
 *
 * Never sleeps, never allocates, never runs the task in the caller. It is
 * accepted when the pool has room and a worker is free to take it (an idle
 * one, or one already woken that no earlier task has claimed). When no
 * worker is free and the pool is below capacity, an asynchronous spawn is
 * started so that a later call can succeed.
 *
 * Context: any context except NMI: process, softirq, hard IRQ (also on
 * PREEMPT_RT, in an IRQF_NO_THREAD handler or an HRTIMER_MODE_HARD timer),
 * with interrupts or preemption disabled, under a raw spinlock. The pool lock
 * is a raw spinlock and nothing done under it sleeps on PREEMPT_RT.
 * Return: 0 when the task was accepted for a worker, -EBUSY when the pool
 * was full or no worker was free (the task is not run), -EINVAL for a NULL
 * @pool or @fn, -ESHUTDOWN when @pool is being destroyed, -ENODEV when the
 * calling module is going away (its exit
 * has begun, e.g. a submit from its module_exit or from an IRQ handler not
 * yet freed: the task is not run).
 */
#define ktpool_submit_nowait(pool, fn, data) \
	__ktpool_submit_nowait(pool, fn, data, THIS_MODULE)

struct ktpool *ktpool_default(void);

/**
 * ktpool_try_go() - ktpool_try_submit() on the default pool
 * @fn: the task.
 * @data: its argument.
 *
 * Context: process context; may sleep.
 * Return: as ktpool_try_submit().
 */
#define ktpool_try_go(fn, data) \
	__ktpool_try_submit(ktpool_default(), fn, data, THIS_MODULE)

/**
 * ktpool_anyway_go() - ktpool_submit() on the default pool
 * @fn: the task.
 * @data: its argument.
 *
 * Context: process context; may sleep (killable).
 * Return: as ktpool_submit().
 */
#define ktpool_anyway_go(fn, data) \
	__ktpool_submit(ktpool_default(), fn, data, THIS_MODULE)

int __ktpool_submit_timeout(struct ktpool *pool, ktpool_fn_t fn, void *data,
			    unsigned int timeout_ms, struct module *owner);

/**
 * ktpool_submit_timeout() - ktpool_submit() with a deadline
 * @pool: the pool.
 * @fn: the task.
 * @data: its argument.
 * @timeout_ms: how long to wait for a worker; 0 means do not wait.
 *
 * As ktpool_submit(), but a caller that would still be blocked for a worker
 * after @timeout_ms gives up: the task is not run. With a @timeout_ms of 0 it
 * never blocks for a worker: like ktpool_submit_nowait() it answers -EBUSY
 * when the pool is full, but it may create a worker first (so it may sleep).
 * The time spent creating a worker is not counted in the wait.
 *
 * Context: process context; may sleep. The wait is killable, and freezable
 * on a %KTPOOL_FREEZABLE pool (see there).
 * Return: as ktpool_submit(), and -ETIMEDOUT when no worker became free
 * within @timeout_ms (the task is not run), -EBUSY when @timeout_ms is 0 and
 * the pool is full, or when ktpool_set_max_waiters() callers are already
 * blocked on @pool (the task is not run).
 */
#define ktpool_submit_timeout(pool, fn, data, timeout_ms) \
	__ktpool_submit_timeout(pool, fn, data, timeout_ms, THIS_MODULE)

/**
 * typedef ktpool_group_fn_t - a group task: called once, as a ktpool_fn_t is
 * @data: the pointer passed to the group submit call.
 *
 * Return: 0 on success; a non-zero value (a negative errno, by convention)
 * is an error: the first one cancels the group and is what
 * ktpool_group_wait() returns.
 */
typedef int (*ktpool_group_fn_t)(void *data);

/**
 * struct ktpool_group - a set of tasks on one pool: fan out, then join
 *
 * Caller-owned storage, set up by ktpool_group_init(); its fields are
 * private to ktpool. It must stay valid until every task submitted through
 * it has finished, that is until a ktpool_group_wait() has returned
 * anything but -EINTR or -ETIMEDOUT.
 */
struct ktpool_group {
	/* private: see kmod/ktpool_group.c */
	struct ktpool *pool;		/* set by init only */
	spinlock_t lock;		/* the fields below but limit, magic */
	wait_queue_head_t room;		/* submitters waiting at the limit */
	wait_queue_head_t done;		/* waiters for pending == 0 */
	struct list_head running;	/* frames of the tasks running now */
	unsigned int limit;		/* set by init only */
	unsigned int active;		/* tasks holding a slot of the limit */
	unsigned int pending;		/* accepted, not finished */
	int err;			/* first error or cancel; 0: none */
	unsigned long magic;		/* set by init only */
};

void ktpool_group_init(struct ktpool_group *grp, struct ktpool *pool,
		       unsigned int limit);
int __ktpool_group_try_submit(struct ktpool_group *grp, ktpool_group_fn_t fn,
			      void *data, struct module *owner);
int __ktpool_group_submit(struct ktpool_group *grp, ktpool_group_fn_t fn,
			  void *data, struct module *owner);
int ktpool_group_wait(struct ktpool_group *grp);
int ktpool_group_wait_timeout(struct ktpool_group *grp,
			      unsigned int timeout_ms);
void ktpool_group_cancel(struct ktpool_group *grp, int err);
bool ktpool_group_cancelled(struct ktpool_group *grp);

/**
 * ktpool_group_try_submit() - ktpool_try_submit() through a group
 * @grp: the group.
 * @fn: the task.
 * @data: its argument.
 *
 * A try submit on the group's pool, with the group's limit as an extra
 * bound: when the group already has its limit of tasks in flight, the task
 * runs in the caller. A task run in the caller counts in the group like any
 * other, its error too.
 *
 * Context: process context; may sleep (to create a kthread, or in @fn).
 * Return: as ktpool_try_submit(), and -ECANCELED when the group is
 * cancelled (the task is not run), -EINVAL for a NULL @grp or @fn or a
 * group without a pool.
 */
#define ktpool_group_try_submit(grp, fn, data) \
	__ktpool_group_try_submit(grp, fn, data, THIS_MODULE)

/**
 * ktpool_group_submit() - ktpool_submit() through a group
 * @grp: the group.
 * @fn: the task.
 * @data: its argument.
 *
 * An anyway submit on the group's pool, with the group's limit as an extra
 * bound: when the group already has its limit of tasks in flight, the
 * caller first blocks (killable) until one of them finishes. A task of the
 * group, or any task on a worker of the group's pool, that submits to it at
 * its limit runs the task inline instead (as a task submitting to its own
 * full pool does), so it cannot deadlock.
 *
 * Context: process context; may sleep. The waits are killable, and
 * freezable on a %KTPOOL_FREEZABLE pool (see there).
 * Return: as ktpool_submit(), and -ECANCELED when the group is cancelled,
 * also while the caller waited at the limit (the task is not run), -EINVAL
 * for a NULL @grp or @fn or a group without a pool.
 */
#define ktpool_group_submit(grp, fn, data) \
	__ktpool_group_submit(grp, fn, data, THIS_MODULE)

int ktpool_drain(struct ktpool *pool);
int ktpool_set_capacity(struct ktpool *pool, unsigned int capacity);
int ktpool_set_idle_timeout(struct ktpool *pool, unsigned int idle_timeout_ms);
int ktpool_set_max_waiters(struct ktpool *pool, unsigned int max_waiters);
void ktpool_get_stats(struct ktpool *pool, struct ktpool_stats *st);

#endif /* _LINUX_KTPOOL_H */
