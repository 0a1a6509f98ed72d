// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool task groups: fan out tasks on a pool, join them with the first
 * error, an optional limit of tasks in flight per group, cancellation.
 *
 * struct ktpool_group: pool, limit and magic (for a dump, never read) are I,
 * written by ktpool_group_init() alone, which reads nothing of the group.
 * lock, a spinlock_t (group calls run in process context) never held with
 * pool->lock, guards the rest; err, active and pending are written with
 * WRITE_ONCE for lockless peeks.
 */

#include <linux/debugobjects.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>

#include "ktpool_internal.h"

#define KTPOOL_GROUP_MAGIC	0x6b7470677270UL	/* "ktpgrp" */

static const struct debug_obj_descr ktpool_group_debug_descr;

/* Init of an active group, reported already: track it afresh. */
static bool ktpool_group_fixup_init(void *addr, enum debug_obj_state state)
{
	if (state != ODEBUG_STATE_ACTIVE)
		return false;
	debug_object_deactivate(addr, &ktpool_group_debug_descr);
	debug_object_init(addr, &ktpool_group_debug_descr);
	return true;
}

static const struct debug_obj_descr ktpool_group_debug_descr = {
	.name		= "ktpool_group",
	.fixup_init	= ktpool_group_fixup_init,
};

static void ktpool_group_debug_init(struct ktpool_group *grp)
{
	if (object_is_on_stack(grp))
		debug_object_init_on_stack(grp, &ktpool_group_debug_descr);
	else
		debug_object_init(grp, &ktpool_group_debug_descr);
}

/* A task of the group running on this thread, on this thread's stack. */
struct ktpool_group_frame {
	struct list_head node;		/* grp->lock: on grp->running */
	struct task_struct *task;
};

/* The fn of every group job: names it in tracepoints; never called. */
void ktpool_group_task(void *data)
{
	WARN_ON_ONCE(1);	/* a group job run without ktpool_job_run() */
}

/* Is the calling thread running a task of @grp (maybe nested)? */
static bool ktpool_group_own_task_locked(struct ktpool_group *grp)
	__must_hold(&grp->lock)
{
	struct ktpool_group_frame *f;

	list_for_each_entry(f, &grp->running, node)
		if (f->task == current)
			return true;
	return false;
}

/* The first error sticks; anyone waiting for a slot must see it. */
static void ktpool_group_set_err_locked(struct ktpool_group *grp, int err)
	__must_hold(&grp->lock)
{
	if (grp->err)
		return;
	WRITE_ONCE(grp->err, err);
	wake_up_all(&grp->room);
}

/* A task leaves the group: finished, or never run. */
static void ktpool_group_done_locked(struct ktpool_group *grp, bool slot)
	__must_hold(&grp->lock)
{
	/* Initialized again under its tasks (a caller bug). */
	if (WARN_ON_ONCE(!grp->pending))
		return;
	if (slot) {
		WRITE_ONCE(grp->active, grp->active - 1);
		if (grp->limit)
			wake_up(&grp->room);
	}
	WRITE_ONCE(grp->pending, grp->pending - 1);
	if (!grp->pending) {
		debug_object_deactivate(grp, &ktpool_group_debug_descr);
		debug_object_free(grp, &ktpool_group_debug_descr);
		wake_up_all(&grp->done);
	}
}

/* A group task's trampoline; its frame on grp->running marks its thread. */
void ktpool_group_run(struct ktpool_job *job)
{
	struct ktpool_group *grp = job->group.grp;
	struct ktpool_group_frame f = { .task = current };
	int ret;

	spin_lock(&grp->lock);
	list_add(&f.node, &grp->running);
	spin_unlock(&grp->lock);

	ret = job->group.fn(job->data);

	spin_lock(&grp->lock);
	list_del(&f.node);
	if (ret)
		ktpool_group_set_err_locked(grp, ret);
	ktpool_group_done_locked(grp, job->group.slot);
	spin_unlock(&grp->lock);
}

/**
 * ktpool_group_init() - set up a group of tasks on a pool, clear its error
 * @grp: the group, caller-owned storage, not read (may be uninitialized)
 * @pool: the pool its tasks run on
 * @limit: the most tasks of the group in flight on @pool's workers at once
 *	(a task of the pool submitting at the limit runs it inline); 0: no bound
 *
 * As with timers, a caller bug while the group has tasks in flight or
 * callers waiting: CONFIG_DEBUG_OBJECTS reports it, else at best a task
 * finishing with the group's count already at 0 warns (WARN_ON_ONCE).
 *
 * Context: process context; does not sleep.
 */
void ktpool_group_init(struct ktpool_group *grp, struct ktpool *pool, unsigned int limit)
{
	if (WARN_ON_ONCE(!grp))
		return;
	/* Reported when the group is tracked, that is busy. */
	ktpool_group_debug_init(grp);
	debug_object_free(grp, &ktpool_group_debug_descr);
	spin_lock_init(&grp->lock);
	init_waitqueue_head(&grp->room);
	init_waitqueue_head(&grp->done);
	INIT_LIST_HEAD(&grp->running);
	grp->pool = pool;
	grp->limit = limit;
	grp->active = 0;
	grp->pending = 0;
	grp->err = 0;
	grp->magic = KTPOOL_GROUP_MAGIC;
}
EXPORT_SYMBOL_GPL(ktpool_group_init);

/* wait_event_killable_timeout() in @state: time left (0: out), or -ERESTARTSYS. */
#define ktpool_wait_event_timeout(wq, cond, state, timeout)		\
({									\
	might_sleep();							\
	___wait_event(wq, ___wait_cond_timeout(cond), state, 0, timeout, \
		      __ret = schedule_timeout(__ret));			\
})

static int ktpool_group_do_submit(struct ktpool_group *grp, ktpool_group_fn_t fn, void *data,
				  struct module *owner, enum ktpool_mode mode)
{
	struct ktpool_job job = {
		.fn = ktpool_group_task,
		.data = data,
		.owner = owner,
		.group = { .grp = grp, .fn = fn },
	};
	struct ktpool *pool;
	unsigned int state;
	int ret;

	might_sleep();
	if (!grp || !fn || !grp->pool)
		return -EINVAL;
	pool = grp->pool;
	/* A counted caller from here on; a dying pool's -ESHUTDOWN comes first. */
	ret = ktpool_caller_enter(pool);
	if (ret)
		return ret;

	spin_lock(&grp->lock);
	for (;;) {
		if (grp->err) {
			ret = -ECANCELED;
			break;
		}
		if (!grp->limit || grp->active < grp->limit) {
			WRITE_ONCE(grp->active, grp->active + 1);
			job.group.slot = true;
			break;
		}
		/*
		 * Inline at the limit: try, a task of the group, a thread holding
		 * one deferred, a worker of the pool (a slot holder may wait on it).
		 */
		if (mode == KTPOOL_TRY || ktpool_group_own_task_locked(grp) ||
		    ktpool_inline_holds(NULL, grp) || ktpool_own_worker(pool))
			break;
		spin_unlock(&grp->lock);
		state = ktpool_wait_state(READ_ONCE(pool->flags));
		ret = wait_event_state(grp->room, READ_ONCE(grp->err) ||
				       READ_ONCE(grp->active) < grp->limit, state);
		spin_lock(&grp->lock);
		if (ret) {
			ret = -EINTR;
			break;
		}
	}
	if (!ret) {
		/* Tracked only while it has tasks pending: nothing left behind. */
		if (!grp->pending) {
			ktpool_group_debug_init(grp);
			debug_object_activate(grp, &ktpool_group_debug_descr);
		}
		WRITE_ONCE(grp->pending, grp->pending + 1);
	}
	spin_unlock(&grp->lock);

	if (ret == -ECANCELED) {
		raw_spin_lock_irq(&pool->lock);
		pool->cancelled++;
		raw_spin_unlock_irq(&pool->lock);
	}
	if (!ret) {
		if (job.group.slot)
			ret = ktpool_submit_common(pool, &job, mode, MAX_SCHEDULE_TIMEOUT);
		else
			ret = ktpool_submit_inline(pool, &job, mode);
		if (ret < 0) {
			spin_lock(&grp->lock);
			ktpool_group_done_locked(grp, job.group.slot);
			spin_unlock(&grp->lock);
		}
	}
	ktpool_caller_exit(pool);
	return ret;
}

/**
 * __ktpool_group_try_submit() - the function behind ktpool_group_try_submit()
 * @grp: the group
 * @fn: the task
 * @data: its argument
 * @owner: the module @fn lives in (THIS_MODULE of the caller)
 *
 * Context: process context; may sleep.
 * Return: see ktpool_group_try_submit().
 */
int __ktpool_group_try_submit(struct ktpool_group *grp, ktpool_group_fn_t fn,
			      void *data, struct module *owner)
{
	return ktpool_group_do_submit(grp, fn, data, owner, KTPOOL_TRY);
}
EXPORT_SYMBOL_GPL(__ktpool_group_try_submit);

/**
 * __ktpool_group_submit() - the function behind ktpool_group_submit()
 * @grp: the group
 * @fn: the task
 * @data: its argument
 * @owner: the module @fn lives in (THIS_MODULE of the caller)
 *
 * Context: process context; may sleep (killable).
 * Return: see ktpool_group_submit().
 */
int __ktpool_group_submit(struct ktpool_group *grp, ktpool_group_fn_t fn,
			  void *data, struct module *owner)
{
	return ktpool_group_do_submit(grp, fn, data, owner, KTPOOL_ANYWAY);
}
EXPORT_SYMBOL_GPL(__ktpool_group_submit);

static int ktpool_group_do_wait(struct ktpool_group *grp, long timeout)
{
	struct ktpool_worker *w;
	unsigned int flags;
	long left;
	int ret;

	might_sleep();
	if (!grp || !grp->pool)
		return -EINVAL;
	/* From its own task, or holding one deferred: it would wait for itself. */
	spin_lock(&grp->lock);
	ret = ktpool_group_own_task_locked(grp) || ktpool_inline_holds(NULL, grp) ? -EDEADLK : 0;
	/* A task pending (its trampoline yet to unlock) keeps the pool alive. */
	flags = grp->pending ? READ_ONCE(grp->pool->flags) : 0;
	spin_unlock(&grp->lock);
	if (ret)
		return ret;

	/*
	 * A worker of the pool serves the submitters blocked for its slot; not
	 * in a timed wait, which cannot deadlock and must end on time.
	 */
	w = timeout == MAX_SCHEDULE_TIMEOUT ? ktpool_own_worker(grp->pool) : NULL;
again:
	if (!w) {
		left = ktpool_wait_event_timeout(grp->done, !READ_ONCE(grp->pending),
						 ktpool_wait_state(flags), timeout);
	} else {
		do {
			ktpool_help(w, grp);
			left = ktpool_wait_event_timeout(grp->done,
							 !READ_ONCE(grp->pending) ||
							 READ_ONCE(w->help_kick),
							 ktpool_wait_state(flags),
							 MAX_SCHEDULE_TIMEOUT);
		} while (left > 0 && READ_ONCE(grp->pending));
		ktpool_help_end(w);
	}
	/* Also waits for the last trampoline to unlock: then @grp may be freed. */
	spin_lock(&grp->lock);
	if (grp->pending && left > 0) {
		/* A submitter at the limit took the freed slot: wait for it too. */
		spin_unlock(&grp->lock);
		timeout = left;
		goto again;
	}
	if (!grp->pending)
		ret = grp->err;
	else
		ret = left < 0 ? -EINTR : -ETIMEDOUT;
	spin_unlock(&grp->lock);
	return ret;
}

/**
 * ktpool_group_wait() - wait for a group's tasks, return the first error
 * @grp: the group
 *
 * Sleeps until every task accepted through @grp so far has finished; the
 * group may then be reused (its error stays until ktpool_group_init()) or
 * freed. On a worker of @grp's pool it meanwhile runs the tasks of @grp that
 * blocked submitters hold (its slot may be the one they wait for), nested
 * as an inline task (under the caller's locks, memalloc scope and
 * journal_info); at %KTPOOL_MAX_INLINE_DEPTH it runs none, and can then
 * wait for a blocked submitter that waits for the caller's slot.
 *
 * Context: process context; sleeps (killable, freezable on a freezable pool).
 * Not from a task of @grp.
 * Return: the first non-zero value a task of @grp returned, or the error of
 * the first ktpool_group_cancel(), whichever came first; else 0. -EINTR when
 * a fatal signal ended the wait, -EDEADLK at once from a task of @grp,
 * -EINVAL for a NULL or uninitialized @grp.
 */
int ktpool_group_wait(struct ktpool_group *grp)
{
	return ktpool_group_do_wait(grp, MAX_SCHEDULE_TIMEOUT);
}
EXPORT_SYMBOL_GPL(ktpool_group_wait);

/**
 * ktpool_group_wait_timeout() - ktpool_group_wait() for a limited time
 * @grp: the group
 * @timeout_ms: how long to wait; 0 only looks
 *
 * On timeout nothing is cancelled: the group must not be freed until a later
 * wait has returned. It runs no task on the caller's worker: it is on time.
 *
 * Context: as ktpool_group_wait().
 * Return: as ktpool_group_wait(), or -ETIMEDOUT.
 */
int ktpool_group_wait_timeout(struct ktpool_group *grp, unsigned int timeout_ms)
{
	return ktpool_group_do_wait(grp, msecs_to_jiffies(timeout_ms));
}
EXPORT_SYMBOL_GPL(ktpool_group_wait_timeout);

/**
 * ktpool_group_cancel() - refuse the later submits through a group
 * @grp: the group
 * @err: what ktpool_group_wait() will return; 0 means -ECANCELED
 *
 * As a task's first error: later submits, and those waiting at the limit,
 * return -ECANCELED; accepted tasks still run (they may poll
 * ktpool_group_cancelled()). Only the first error or cancel counts.
 *
 * Context: process context; does not sleep.
 */
void ktpool_group_cancel(struct ktpool_group *grp, int err)
{
	if (!grp || !grp->pool)
		return;
	spin_lock(&grp->lock);
	ktpool_group_set_err_locked(grp, err ?: -ECANCELED);
	spin_unlock(&grp->lock);
}
EXPORT_SYMBOL_GPL(ktpool_group_cancel);

/**
 * ktpool_group_cancelled() - has a group had an error or a cancel?
 * @grp: the group
 *
 * Context: any context; does not sleep.
 * Return: true once a task of @grp failed or ktpool_group_cancel() was
 * called, until ktpool_group_init().
 */
bool ktpool_group_cancelled(struct ktpool_group *grp)
{
	return grp && READ_ONCE(grp->err);
}
EXPORT_SYMBOL_GPL(ktpool_group_cancelled);
