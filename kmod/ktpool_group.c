// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool task groups: fan out tasks on a pool, join them with the first
 * error, an optional limit of tasks in flight per group, cancellation.
 *
 * A group task travels as an ordinary job of its pool (no allocation per
 * task) whose group fields are set: ktpool_job_run() calls
 * ktpool_group_run(), the trampoline that runs the group's function, keeps
 * the first error and counts the task out of the group.
 *
 * Locking: struct ktpool_group's fields are protected by grp->lock (a
 * spinlock_t: every group call, and the trampoline, run in process context),
 * but pool, limit and magic, written by ktpool_group_init() only, which
 * reads nothing of the group: its storage may be garbage. grp->lock
 * and pool->lock are never held together. A thread that waits for the group
 * (ktpool_group_wait(), a submitter at the limit) takes grp->lock once more
 * before it returns, so the trampoline, which touches the group last when
 * it unlocks grp->lock, is done with it when the group's owner may free it.
 *
 * Fields of struct ktpool_group (include/linux/ktpool.h):
 *   pool, limit         I: written by ktpool_group_init() only
 *   magic               I: marks an initialized group (for a reader of a
 *                       dump); never read: storage never initialized may
 *                       hold anything, the magic too
 *   lock                protects the fields below
 *   room                waiters for a slot below the limit (or a cancel)
 *   done                waiters for pending to reach 0
 *   running             ktpool_group_frame of the tasks running now
 *   active              tasks holding a slot of the limit
 *   pending             tasks accepted through the group, not finished
 *   err                 the first error or cancel, 0 if none
 *
 * Debug objects (CONFIG_DEBUG_OBJECTS): a group is active while it has
 * pending tasks, so that ktpool_group_init() on a busy group, and freeing
 * one, are reported; the group itself cannot tell (init reads nothing).
 */

#include <linux/debugobjects.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/wait.h>

#include "ktpool_internal.h"

/* Set by ktpool_group_init(): a group that was initialized once. */
#define KTPOOL_GROUP_MAGIC	0x6b7470677270UL	/* "ktpgrp" */

#ifdef CONFIG_DEBUG_OBJECTS
static const struct debug_obj_descr ktpool_group_debug_descr;

/*
 * Init of an active group, reported already: track it afresh, as init
 * starts it over (the tasks still in flight will find it emptied).
 */
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
	/* The documented use is a group on the caller's stack. */
	if (object_is_on_stack(grp))
		debug_object_init_on_stack(grp, &ktpool_group_debug_descr);
	else
		debug_object_init(grp, &ktpool_group_debug_descr);
}

/* Tracked only while it has tasks pending: nothing is left behind. */
static void ktpool_group_debug_activate(struct ktpool_group *grp)
{
	ktpool_group_debug_init(grp);
	debug_object_activate(grp, &ktpool_group_debug_descr);
}

static void ktpool_group_debug_deactivate(struct ktpool_group *grp)
{
	debug_object_deactivate(grp, &ktpool_group_debug_descr);
	debug_object_free(grp, &ktpool_group_debug_descr);
}

/* At init: reported when the group is tracked, that is busy. */
static void ktpool_group_debug_check(struct ktpool_group *grp)
{
	ktpool_group_debug_init(grp);
	debug_object_free(grp, &ktpool_group_debug_descr);
}
#else
static inline void ktpool_group_debug_activate(struct ktpool_group *grp) { }
static inline void ktpool_group_debug_deactivate(struct ktpool_group *grp) { }
static inline void ktpool_group_debug_check(struct ktpool_group *grp) { }
#endif

/* A task of the group running on this thread, on this thread's stack. */
struct ktpool_group_frame {
	struct list_head node;		/* grp->lock: on grp->running */
	struct task_struct *task;
};

/**
 * ktpool_group_task() - the fn of every group job
 * @data: unused
 *
 * Marks a job as present (a worker's job.fn) and names group tasks in the
 * tracepoints; ktpool_job_run() calls ktpool_group_run() instead of it.
 */
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
	/* The group was initialized again under its tasks (a caller bug). */
	if (WARN_ON_ONCE(!grp->pending))
		return;
	if (slot) {
		WRITE_ONCE(grp->active, grp->active - 1);
		if (grp->limit)	/* else nobody waits for a slot */
			wake_up(&grp->room);
	}
	WRITE_ONCE(grp->pending, grp->pending - 1);
	if (!grp->pending) {
		ktpool_group_debug_deactivate(grp);
		wake_up_all(&grp->done);
	}
}

/**
 * ktpool_group_run() - the trampoline of a group task
 * @job: the job; its group fields are set
 *
 * Runs the group's function, on a worker or in a submitter, with a frame on
 * the group's running list (for -EDEADLK and the inline run of a task that
 * submits to its own group at the limit). Keeps the first error, then
 * counts the task out of the group: after that it no longer touches @grp.
 */
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
 * ktpool_group_init() - set up a group of tasks on a pool
 * @grp: the group, caller-owned storage; its contents are not read, so it
 *	may be uninitialized (e.g. on the stack)
 * @pool: the pool its tasks run on
 * @limit: the most tasks of the group in flight on @pool's workers at once
 *	(a task of the pool that submits to the group at the limit runs the
 *	task inline, on its own thread, instead); 0 = no bound but the
 *	pool's capacity
 *
 * Also clears the error of a group used before. As with timers and work
 * items, it must not be called while the group has tasks in flight or
 * callers waiting (a caller bug that corrupts the group): that is reported
 * under CONFIG_DEBUG_OBJECTS; otherwise at best a task that finishes with
 * the group's count already at 0 warns (WARN_ON_ONCE).
 *
 * Context: process context; does not sleep.
 */
void ktpool_group_init(struct ktpool_group *grp, struct ktpool *pool,
		       unsigned int limit)
{
	if (WARN_ON_ONCE(!grp))
		return;
	ktpool_group_debug_check(grp);
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

/* May a submitter waiting at the limit go on? A lockless peek. */
static bool ktpool_group_room(struct ktpool_group *grp)
{
	return READ_ONCE(grp->err) || READ_ONCE(grp->active) < grp->limit;
}

/*
 * wait_event_killable_timeout(), in @state (ktpool_wait_state() of the
 * group's pool: freezable as a blocked submitter of that pool is), built
 * from the same wait.h parts: wait.h has wait_event_state(), the untimed
 * form, but no timed one. Returns what is left of @timeout (0 when it ran
 * out, at least 1 when @cond holds), or -ERESTARTSYS.
 */
#define ktpool_wait_event_timeout(wq, cond, state, timeout)		\
({									\
	might_sleep();							\
	___wait_event(wq, ___wait_cond_timeout(cond), state, 0, timeout, \
		      __ret = schedule_timeout(__ret));			\
})

static void ktpool_group_count_cancelled(struct ktpool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	pool->cancelled++;
	raw_spin_unlock_irq(&pool->lock);
}

static int ktpool_group_do_submit(struct ktpool_group *grp,
				  ktpool_group_fn_t fn, void *data,
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
	/*
	 * Counted in the pool's callers from here on, so that destroy waits
	 * for this call (it may wait at the limit, and it touches the pool
	 * even when it refuses); and a dying pool's -ESHUTDOWN comes first.
	 */
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
		 * At the limit: try, and a task of the group, run inline; so
		 * does a thread holding a task of the group deferred past the
		 * inline nesting bound (it runs only after this call returns),
		 * and a worker of the pool: the task holding the slot may wait
		 * for it, as at the pool's own limit.
		 */
		if (mode == KTPOOL_TRY || ktpool_group_own_task_locked(grp) ||
		    ktpool_deferred_in_group(grp) || ktpool_on_own_worker(pool))
			break;
		spin_unlock(&grp->lock);
		/* Counted in @pool's callers: it is alive. */
		state = ktpool_wait_state(READ_ONCE(pool->flags));
		ret = wait_event_state(grp->room, ktpool_group_room(grp),
				       state);
		spin_lock(&grp->lock);
		if (ret) {
			ret = -EINTR;
			break;
		}
	}
	if (!ret) {
		if (!grp->pending)
			ktpool_group_debug_activate(grp);
		WRITE_ONCE(grp->pending, grp->pending + 1);
	}
	spin_unlock(&grp->lock);

	if (ret == -ECANCELED)
		ktpool_group_count_cancelled(pool);
	if (!ret) {
		if (job.group.slot)
			ret = ktpool_submit_common(pool, &job, mode,
						   MAX_SCHEDULE_TIMEOUT);
		else
			ret = ktpool_submit_inline(pool, &job, mode);
		if (ret < 0) {	/* not run: out of the group again */
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
	/*
	 * From one of its own tasks, or from a thread holding one of its
	 * tasks deferred past the inline nesting bound: it would wait for
	 * itself.
	 */
	spin_lock(&grp->lock);
	ret = ktpool_group_own_task_locked(grp) ||
	      ktpool_deferred_in_group(grp) ? -EDEADLK : 0;
	/*
	 * With a task pending (its trampoline has yet to take grp->lock), the
	 * pool cannot be freed: read its flags now.
	 */
	flags = grp->pending ? READ_ONCE(grp->pool->flags) : 0;
	spin_unlock(&grp->lock);
	if (ret)
		return ret;

	/*
	 * A worker of the pool serves the group's blocked submitters
	 * meanwhile: its slot may be the one they wait for. Not in a timed
	 * wait: it ends on time (the tasks it would run take any time), and
	 * then cannot deadlock.
	 */
	w = timeout == MAX_SCHEDULE_TIMEOUT ? ktpool_own_worker(grp->pool) :
					      NULL;
	if (!w) {
		left = ktpool_wait_event_timeout(grp->done,
						 !READ_ONCE(grp->pending),
						 ktpool_wait_state(flags),
						 timeout);
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
	/* Also waits for the last task's trampoline to unlock. */
	spin_lock(&grp->lock);
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
 * Sleeps until every task accepted through @grp so far has finished, on a
 * worker or inline. The group may then be reused (its error stays until
 * ktpool_group_init()) or freed. On a worker of @grp's pool it runs the
 * tasks of @grp that blocked submitters hold meanwhile (its slot may be the
 * one they wait for), as the worker would once its task returned: such a
 * task then runs nested in the caller's, as an inline one does (the
 * caller's held locks, its memalloc scope and journal_info are around it).
 * Nested %KTPOOL_MAX_INLINE_DEPTH deep it runs none, and can then wait
 * for a blocked submitter that waits for the caller's slot.
 *
 * Context: process context; sleeps (killable; freezable on a freezable
 * pool, see %KTPOOL_FREEZABLE). Not from a task of @grp.
 * Return: the first non-zero value a task of @grp returned, or the error of
 * the first ktpool_group_cancel(), whichever came first; else 0. -EINTR when
 * a fatal signal ended the wait, -EDEADLK at once when called from a task
 * of @grp, -EINVAL for a NULL or uninitialized @grp.
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
 * Nothing is cancelled when the time runs out: the tasks go on, and the
 * group must not be freed until a later wait has returned. Unlike
 * ktpool_group_wait(), it runs no task on the caller's worker: it returns
 * on time.
 *
 * Context: process context; sleeps (killable; freezable on a freezable
 * pool, see %KTPOOL_FREEZABLE). Not from a task of @grp.
 * Return: as ktpool_group_wait(), and -ETIMEDOUT when the tasks have not
 * all finished within @timeout_ms.
 */
int ktpool_group_wait_timeout(struct ktpool_group *grp,
			      unsigned int timeout_ms)
{
	return ktpool_group_do_wait(grp, msecs_to_jiffies(timeout_ms));
}
EXPORT_SYMBOL_GPL(ktpool_group_wait_timeout);

/**
 * ktpool_group_cancel() - refuse the later submits through a group
 * @grp: the group
 * @err: what ktpool_group_wait() will return; 0 means -ECANCELED
 *
 * As the first error of a task: later submits through @grp return
 * -ECANCELED, submitters waiting at its limit too; tasks already accepted
 * still run (they may poll ktpool_group_cancelled()). Only the first error
 * or cancel counts.
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
 * For a long task of @grp to stop early.
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
