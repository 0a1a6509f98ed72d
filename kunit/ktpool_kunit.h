/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites of ktpool share: the time bounds, the case context
 * (pools and gates released by kt_exit()), the gate a task blocks on, a
 * kthread that makes one blocking call, the stats snapshot, files and
 * parameters, and the test hooks of ktpool.ko.
 *
 * The bounds of KT_WAIT() are what a fast machine needs; the guard is
 * KT_SLACK times that, for TCG, debug kernels and busy hosts. No case
 * asserts how much work fits in a time: a wait ends as soon as its
 * condition holds, and a sleep only ever precedes a check that something
 * did *not* happen, which a slow machine cannot make fail.
 */
#ifndef _KTPOOL_KUNIT_H
#define _KTPOOL_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktpool.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../kmod/ktpool_inject.h"

#define KT_SLACK	10

/* A wait for something a fast machine does in @s seconds, as jiffies. */
#define KT_GUARD(s)	((s) * HZ * KT_SLACK)
/* The same in milliseconds. */
#define KT_GUARD_MS(s)	((s) * 1000 * KT_SLACK)

/* Poll @cond every 5 ms for at most KT_SLACK x @ms ms; yields its value. */
#define KT_WAIT(cond, ms) ({						\
	unsigned long __end = jiffies + msecs_to_jiffies((ms) * KT_SLACK); \
	bool __ok;							\
									\
	for (;;) {							\
		__ok = (cond);						\
		if (__ok || time_after(jiffies, __end))			\
			break;						\
		usleep_range(5000, 6000);				\
	}								\
	__ok;								\
})

/*
 * ktpool.ko's functions exported to the suites only, under CONFIG_KUNIT
 * (EXPORT_SYMBOL_IF_KUNIT, as the ktpool_test_* hooks): a suite that uses
 * one imports EXPORTED_FOR_KUNIT_TESTING.
 */
void ktpool_wait_destroys(void);
void ktpool_destroy_refused(const char *name);

static inline struct ktpool_stats kt_stats(struct ktpool *pool)
{
	struct ktpool_stats st;

	ktpool_get_stats(pool, &st);
	return st;
}

/*
 * What a case leaves for kt_exit(), which runs before KUnit frees the
 * case's memory: every gate opened, every pool destroyed, so that no task
 * touches freed memory. Threads of kt_call_start() are joined after that.
 */
struct kt_ctx {
	struct ktpool *pools[4];
	struct completion *opens[16];	/* completed by kt_exit() */
	int nr_pools, nr_opens;
};

static inline int kt_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct kt_ctx), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static inline void kt_exit(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	int i;

	/* A caller held by a failed case would keep ktpool_destroy() waiting. */
	ktpool_test_hold(0);
	ktpool_test_fail_spawn(0);
	for (i = 0; i < ctx->nr_opens; i++)
		complete_all(ctx->opens[i]);
	for (i = 0; i < ctx->nr_pools; i++)
		if (ctx->pools[i])
			ktpool_destroy(ctx->pools[i]);
}

/* Complete @c at the end of the case, if the case did not. */
static inline void kt_open_at_exit(struct kunit *test, struct completion *c)
{
	struct kt_ctx *ctx = test->priv;

	KUNIT_ASSERT_LT(test, ctx->nr_opens, ARRAY_SIZE(ctx->opens));
	ctx->opens[ctx->nr_opens++] = c;
}

/* A pool (@attrs may be NULL), destroyed by kt_exit(). */
static inline struct ktpool *kt_pool_attrs(struct kunit *test, const char *name,
					   unsigned int cap, unsigned int ms,
					   const struct ktpool_attrs *attrs)
{
	struct kt_ctx *ctx = test->priv;
	struct ktpool *pool = ktpool_create_attrs(name, cap, ms, attrs);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(pool), "create %s: %pe",
			       name, pool);
	KUNIT_ASSERT_LT(test, ctx->nr_pools, ARRAY_SIZE(ctx->pools));
	ctx->pools[ctx->nr_pools++] = pool;
	return pool;
}

static inline struct ktpool *kt_pool(struct kunit *test, const char *name,
				     unsigned int cap, unsigned int ms)
{
	return kt_pool_attrs(test, name, cap, ms, NULL);
}

/* Live threads named ktpool/<name> (comm is truncated to 15 chars). */
static inline unsigned int kt_count_threads(const char *name)
{
	char comm[TASK_COMM_LEN], want[TASK_COMM_LEN];
	struct task_struct *p;
	unsigned int n = 0;

	snprintf(want, sizeof(want), "ktpool/%s", name);
	rcu_read_lock();
	for_each_process(p) {
		get_task_comm(comm, p);
		if (!strcmp(comm, want) && !(p->flags & PF_EXITING))
			n++;
	}
	rcu_read_unlock();
	return n;
}

/* ---- the gate: a task that records where it ran, and may block -------- */

struct kt_gate {
	struct completion started;
	struct completion open;
	atomic_t runs;
	pid_t pid;
	bool wait;
	int ret;			/* what kt_ggate_fn() returns */
	struct ktpool_group *grp;	/* if set: polled for a cancel */
	bool saw_cancel;
};

static inline void kt_gate_fn(void *data)
{
	struct kt_gate *g = data;

	WRITE_ONCE(g->pid, current->pid);
	atomic_inc(&g->runs);
	complete(&g->started);
	if (g->wait)
		wait_for_completion(&g->open);
	if (g->grp)
		g->saw_cancel = ktpool_group_cancelled(g->grp);
}

static inline int kt_ggate_fn(void *data)
{
	struct kt_gate *g = data;

	kt_gate_fn(g);
	return g->ret;
}

static inline void kt_gate_open(struct kt_gate *g)
{
	complete_all(&g->open);
}

/* A gate that kt_exit() opens; with @wait its tasks block until then. */
static inline struct kt_gate *kt_gate(struct kunit *test, bool wait)
{
	struct kt_gate *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, g);
	init_completion(&g->started);
	init_completion(&g->open);
	g->wait = wait;
	kt_open_at_exit(test, &g->open);
	return g;
}

static inline void kt_wait_started(struct kunit *test, struct kt_gate *g)
{
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&g->started,
							  KT_GUARD(5)), 0);
}

/* kt_gate_fn(@g) submitted to @pool, and running. */
static inline void kt_run_gate(struct kunit *test, struct ktpool *pool,
			       struct kt_gate *g)
{
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, g), 0);
	kt_wait_started(test, g);
}

static inline void kt_count_fn(void *data)
{
	atomic_inc(data);
}

/* A counter that outlives the case's stack (late tasks may still count). */
static inline atomic_t *kt_runs(struct kunit *test)
{
	atomic_t *runs = kunit_kzalloc(test, sizeof(*runs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, runs);
	return runs;
}

/* ---- groups ---------------------------------------------------------- */

static inline struct ktpool_group *kt_group(struct kunit *test,
					    struct ktpool *pool,
					    unsigned int limit)
{
	struct ktpool_group *grp = kunit_kzalloc(test, sizeof(*grp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, grp);
	ktpool_group_init(grp, pool, limit);
	return grp;
}

/* A wait for a group whose tasks will finish: guarded against a hang. */
static inline int kt_gwait(struct ktpool_group *grp)
{
	return ktpool_group_wait_timeout(grp, KT_GUARD_MS(10));
}

/* kt_ggate_fn(@g) submitted to @grp, and running. */
static inline void kt_group_run_gate(struct kunit *test,
				     struct ktpool_group *grp,
				     struct kt_gate *g)
{
	KUNIT_ASSERT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, g), 0);
	kt_wait_started(test, g);
}

/* kt_ggate_fn(@g) submitted to @grp: it runs once, the wait returns 0. */
static inline void kt_group_run(struct kunit *test, struct ktpool_group *grp,
				struct kt_gate *g)
{
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, g), 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->runs), 1);
}

/* ---- a kthread that makes one blocking call --------------------------- */

/* The call, its arguments (each call uses those it names) and result. */
struct kt_call {
	int (*call)(struct kt_call *c);
	struct ktpool *pool;
	struct ktpool_attrs attrs;	/* kt_apply_call(), kt_create_call() */
	ktpool_fn_t fn;
	struct ktpool_group *grp;
	ktpool_group_fn_t gfn;
	void *data;
	unsigned int ms;		/* kt_submit_timeout_call() */
	const char *path, *val;		/* kt_write_call() */
	const char *name;		/* kt_create_call() */
	struct mutex *lock;		/* held around the call, or NULL */
	int ret;
	struct task_struct *task;	/* referenced until joined */
	struct completion done;
	bool stuck;			/* not joined: never freed */
};

static inline int kt_call_fn(void *arg)
{
	struct kt_call *c = arg;

	allow_signal(SIGKILL);		/* a case may kill it: send_sig() */
	if (c->lock)
		mutex_lock(c->lock);
	c->ret = c->call(c);
	if (c->lock)
		mutex_unlock(c->lock);
	/* All: the case and kt_call_join() may each wait for it. */
	complete_all(&c->done);
	return 0;
}

/*
 * After kt_exit() (pools destroyed, gates open): join the thread. One that
 * did not return still runs on @c: it is left allocated (leaked, and
 * reported) rather than freed under it.
 */
static inline void kt_call_join(void *data)
{
	struct kt_call *c = data;

	if (!wait_for_completion_timeout(&c->done, KT_GUARD(10))) {
		pr_err("kt_call: a call did not return\n");
		c->stuck = true;
	} else {
		kthread_stop(c->task);
	}
	put_task_struct(c->task);
}

/* Runs after kt_call_join() (actions run in reverse order). */
static inline void kt_call_free(void *data)
{
	struct kt_call *c = data;

	if (!c->stuck)
		kfree(c);
}

/*
 * A call of @call with @pool, @fn and @data, not started yet: the case sets
 * what else it needs. Not kunit_kzalloc(): a call that never returns must
 * not see it freed.
 */
static inline struct kt_call *kt_call_prep(struct kunit *test,
					   int (*call)(struct kt_call *c),
					   struct ktpool *pool, ktpool_fn_t fn,
					   void *data)
{
	struct kt_call *c = kzalloc(sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kt_call_free, c));
	c->call = call;
	c->pool = pool;
	c->fn = fn;
	c->data = data;
	return c;
}

/* Start @c (its call and arguments set) on a kthread of its own. */
static inline struct kt_call *kt_call_start(struct kunit *test,
					    struct kt_call *c)
{
	struct task_struct *t;

	init_completion(&c->done);
	t = kthread_create(kt_call_fn, c, "kt_call");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	c->task = get_task_struct(t);
	wake_up_process(t);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kt_call_join, c));
	return c;
}

/* Has @c returned? Waits for it up to KT_SLACK x @ms ms. */
static inline bool kt_call_done(struct kt_call *c, unsigned int ms)
{
	return KT_WAIT(completion_done(&c->done), ms);
}

/* 0 once @c has returned, -ETIMEDOUT if it does not within the guard. */
static inline int kt_join(struct kt_call *c)
{
	return wait_for_completion_timeout(&c->done, KT_GUARD(10)) ?
	       0 : -ETIMEDOUT;
}

/* @c returns @ret (within the guard). */
static inline void kt_join_ret(struct kunit *test, struct kt_call *c, int ret)
{
	KUNIT_ASSERT_EQ(test, kt_join(c), 0);
	KUNIT_EXPECT_EQ(test, c->ret, ret);
}

static inline int kt_submit_call(struct kt_call *c)
{
	return ktpool_submit(c->pool, c->fn, c->data);
}

static inline int kt_submit_timeout_call(struct kt_call *c)
{
	return ktpool_submit_timeout(c->pool, c->fn, c->data, c->ms);
}

static inline int kt_group_submit_call(struct kt_call *c)
{
	return ktpool_group_submit(c->grp, c->gfn, c->data);
}

static inline int kt_group_try_call(struct kt_call *c)
{
	return ktpool_group_try_submit(c->grp, c->gfn, c->data);
}

static inline int kt_group_wait_call(struct kt_call *c)
{
	return ktpool_group_wait(c->grp);
}

static inline int kt_drain_call(struct kt_call *c)
{
	return ktpool_drain(c->pool);
}

static inline int kt_destroy_call(struct kt_call *c)
{
	ktpool_destroy(c->pool);
	return 0;
}

/* kt_call_prep(), started. */
static inline struct kt_call *kt_async(struct kunit *test,
				       int (*call)(struct kt_call *c),
				       struct ktpool *pool, ktpool_fn_t fn,
				       void *data)
{
	return kt_call_start(test, kt_call_prep(test, call, pool, fn, data));
}

static inline struct kt_call *kt_submit_async(struct kunit *test,
					      struct ktpool *pool,
					      ktpool_fn_t fn, void *data)
{
	return kt_async(test, kt_submit_call, pool, fn, data);
}

/* kt_gate_fn(@g) submitted from a thread, blocked: @pool has @n waiters. */
static inline struct kt_call *kt_blocked_submit(struct kunit *test,
						struct ktpool *pool,
						struct kt_gate *g,
						unsigned int n)
{
	struct kt_call *c = kt_submit_async(test, pool, kt_gate_fn, g);

	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == n, 5000));
	return c;
}

/* ktpool_submit_timeout() of @ms ms; with @ms 0 ktpool_submit(). */
static inline struct kt_call *kt_submit_timeout_async(struct kunit *test,
						      struct ktpool *pool,
						      ktpool_fn_t fn,
						      void *data,
						      unsigned int ms)
{
	struct kt_call *c = kt_call_prep(test, ms ? kt_submit_timeout_call :
					 kt_submit_call, pool, fn, data);

	c->ms = ms;
	return kt_call_start(test, c);
}

/* A group call (@call) of @grp with kt_ggate_fn(@g). */
static inline struct kt_call *kt_group_async(struct kunit *test,
					     int (*call)(struct kt_call *c),
					     struct ktpool_group *grp,
					     struct kt_gate *g)
{
	struct kt_call *c = kt_call_prep(test, call, NULL, NULL, g);

	c->grp = grp;
	c->gfn = kt_ggate_fn;
	return kt_call_start(test, c);
}

/* ---- files and module parameters -------------------------------------- */

/*
 * Write @val to @path, or with @val NULL read @path into @buf (of @size
 * bytes, the trailing newline removed): 0 or -errno.
 */
static inline int kt_file_io(const char *path, const char *val, char *buf,
			     size_t size)
{
	struct file *f = filp_open(path, val ? O_WRONLY : O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	if (val)
		n = kernel_write(f, val, strlen(val), &pos);
	else
		n = kernel_read(f, buf, size - 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	if (!val) {
		buf[n] = '\0';
		strim(buf);
	}
	return 0;
}

static inline int kt_file_write(const char *path, const char *val)
{
	return kt_file_io(path, val, NULL, 0);
}

static inline int kt_file_read(const char *path, char *buf, size_t size)
{
	return kt_file_io(path, NULL, buf, size);
}

/* ---- ktpool.ko's test hooks (ktpool_inject.h) ------------------------- */

static inline void kt_restore_reap_interval(void *unused)
{
	ktpool_test_reap_interval(1000);
}

/* A reaper that runs every @ms ms for this test, 1000 again after it. */
static inline void kt_fast_reaper(struct kunit *test, unsigned int ms)
{
	KUNIT_ASSERT_EQ(test, ktpool_test_reap_interval(ms), 0);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_restore_reap_interval,
						  NULL));
}

/*
 * Fail the next @times spawns (-1: every one, 0: none). A kernel without
 * fault injection skips the case: call it before the case asserts anything.
 */
static inline void kt_fail_spawn(struct kunit *test, int times)
{
	if (ktpool_test_fail_spawn(times))
		kunit_skip(test, "spawn failure needs CONFIG_FAULT_INJECTION");
}

/* One caller held at a hold point (ktpool_test_hold()). */
static inline void kt_wait_held(struct kunit *test)
{
	KUNIT_ASSERT_TRUE(test, KT_WAIT(ktpool_test_held() == 1, 5000));
}

#endif /* _KTPOOL_KUNIT_H */
