// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the pool attributes of ktpool (suite ktpool_attrs):
 * validation, nice and SCHED_FIFO, cpumask, node, min_threads and forward
 * progress without kthread creation, the sysfs directory, and the checks a
 * worker makes after each task (leaked preemption, IRQs, RCU, locks).
 *
 * A task records the context it ran in (its pid, nice, policy, CPUs,
 * preempt count, ...) in a struct kt_probe; the cases look at that rather
 * than at the pool's internals. As in ktpool_kunit.c, no case asserts how
 * much work fits in a time: waits end as soon as their condition holds,
 * with KT_SLACK times what a fast machine needs as a guard.
 */

#include <linux/cpumask.h>
#include <linux/lockdep.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "ktpool_kunit.h"

/* What a task saw of its own context. */
struct kt_probe {
	struct completion ran;
	struct kt_gate *gate;		/* waited for after recording, or NULL */
	struct task_struct *task;	/* the worker, referenced */
	pid_t pid;
	int nice, policy, rt_priority;
	int preempt, irqs_off, rcu_depth, lock_depth;
	bool on_mask;			/* current's CPUs equal want_mask */
	const struct cpumask *want_mask;
};

static void kt_probe_fn(void *data)
{
	struct kt_probe *p = data;

	p->task = get_task_struct(current);
	p->pid = current->pid;
	p->nice = task_nice(current);
	p->policy = current->policy;
	p->rt_priority = current->rt_priority;
	p->preempt = preempt_count();
	p->irqs_off = irqs_disabled();
	p->rcu_depth = IS_ENABLED(CONFIG_PREEMPT_RCU) ? rcu_preempt_depth() : 0;
	p->lock_depth = lockdep_depth(current);
	if (p->want_mask)
		p->on_mask = cpumask_equal(current->cpus_ptr, p->want_mask);
	complete(&p->ran);
	if (p->gate)
		wait_for_completion(&p->gate->open);
}

static void kt_probe_put(void *data)
{
	struct kt_probe *p = data;

	if (p->task)
		put_task_struct(p->task);
}

static struct kt_probe *kt_probe(struct kunit *test, struct kt_gate *gate,
				 const struct cpumask *want_mask)
{
	struct kt_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Runs after the exit hook has destroyed the pools: p->task is set. */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kt_probe_put, p));
	init_completion(&p->ran);
	p->gate = gate;
	p->want_mask = want_mask;
	return p;
}

/* Submit a probe (anyway) and wait until it has recorded its context. */
static struct kt_probe *kt_run_probe(struct kunit *test, struct ktpool *pool,
				     struct kt_gate *gate,
				     const struct cpumask *want_mask)
{
	struct kt_probe *p = kt_probe(test, gate, want_mask);

	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_probe_fn, p), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&p->ran, KT_GUARD(5)), 0);
	return p;
}

static int kt_apply_call(struct kt_call *a)
{
	return ktpool_apply_attrs(a->pool, &a->attrs);
}

static int kt_write_call(struct kt_call *a)
{
	return kt_file_write(a->path, a->val);
}

/* Create a pool of capacity 1 with @a->attrs: a->pool, or the errno. */
static int kt_create_call(struct kt_call *a)
{
	struct ktpool *pool = ktpool_create_attrs(a->name, 1, 0, &a->attrs);

	if (IS_ERR(pool))
		return PTR_ERR(pool);
	a->pool = pool;
	return 0;
}

/*
 * Wait until @a sleeps, blocked in its call, and return the state it sleeps
 * in (one read: TASK_FREEZABLE goes with TASK_UNINTERRUPTIBLE).
 */
static unsigned int kt_sleep_state(struct kunit *test, struct kt_call *a)
{
	unsigned int st = 0;

	KUNIT_EXPECT_TRUE(test, KT_WAIT((st = READ_ONCE(a->task->__state)) &
					TASK_UNINTERRUPTIBLE, 500));
	KUNIT_EXPECT_FALSE(test, completion_done(&a->done));
	return st;
}

/* ---- 1. validation ------------------------------------------------------ */

/* Attributes that create and, where @apply, ktpool_apply_attrs() refuse. */
static const struct kt_bad_attrs {
	const char *desc;
	int nice;
	unsigned int flags, min_threads;	/* of a pool of capacity 2 */
	bool empty_mask;
	int node;
	bool apply;
} kt_bad_attrs[] = {
	{ "nice -21", .nice = -21, .node = NUMA_NO_NODE, .apply = true },
	{ "nice 20", .nice = 20, .node = NUMA_NO_NODE, .apply = true },
	/* range-checked even with RT */
	{ "nice 20, RT", .nice = 20, .flags = KTPOOL_RT, .node = NUMA_NO_NODE },
	{ "unknown flag", .flags = 1U << 7, .node = NUMA_NO_NODE, .apply = true },
	{ "min_threads 3", .min_threads = 3, .node = NUMA_NO_NODE, .apply = true },
	{ "empty cpumask", .empty_mask = true, .node = NUMA_NO_NODE,
	  .apply = true },
	{ "node MAX_NUMNODES", .node = MAX_NUMNODES },
	{ "node -2", .node = -2 },
};

static void kt_bad_attrs_desc(const struct kt_bad_attrs *b, char *desc)
{
	strscpy(desc, b->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_bad_attrs, kt_bad_attrs, kt_bad_attrs_desc);

/* The rows of kt_bad_attrs that apply refuses too. */
static const void *kt_bad_apply_gen_params(const void *prev, char *desc)
{
	const struct kt_bad_attrs *b = prev;

	for (b = b ? b + 1 : kt_bad_attrs;
	     b < kt_bad_attrs + ARRAY_SIZE(kt_bad_attrs); b++) {
		if (b->apply) {
			kt_bad_attrs_desc(b, desc);
			return b;
		}
	}
	return NULL;
}

/* @a as @base with the bad values of @b; @empty: an empty cpumask. */
static void kt_bad_attrs_set(struct ktpool_attrs *a,
			     const struct ktpool_attrs *base,
			     const struct kt_bad_attrs *b,
			     const struct cpumask *empty)
{
	*a = *base;
	a->nice = b->nice ?: base->nice;
	a->flags = b->flags ?: base->flags;
	a->min_threads = b->min_threads ?: base->min_threads;
	if (b->empty_mask)
		a->cpumask = empty;
	if (b->node != NUMA_NO_NODE)
		a->node = b->node;
}

static void ktpool_attrs_bad_create_test(struct kunit *test)
{
	const struct ktpool_attrs init = KTPOOL_ATTRS_INIT;
	struct ktpool_attrs a;
	struct ktpool *p;
	cpumask_var_t empty;

	KUNIT_ASSERT_TRUE(test, zalloc_cpumask_var(&empty, GFP_KERNEL));
	kt_bad_attrs_set(&a, &init, test->param_value, empty);
	p = ktpool_create_attrs("kt-abad", 2, 0, &a);
	free_cpumask_var(empty);
	KUNIT_EXPECT_TRUE(test, IS_ERR(p));
	if (IS_ERR(p))
		KUNIT_EXPECT_EQ(test, PTR_ERR(p), -EINVAL);
	else if (p)
		ktpool_destroy(p);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-abad"), 0U);

	/* NULL attrs are the defaults; node 0 and NUMA_NO_NODE are valid. */
	p = ktpool_create_attrs("kt-anull", 2, 0, NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(p));
	if (!IS_ERR_OR_NULL(p))
		ktpool_destroy(p);
	a = init;
	a.node = first_online_node;
	p = ktpool_create_attrs("kt-anode", 2, 0, &a);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(p));
	if (!IS_ERR_OR_NULL(p))
		ktpool_destroy(p);
}

static void ktpool_attrs_bad_apply_test(struct kunit *test)
{
	struct ktpool_attrs good = KTPOOL_ATTRS_INIT, a;
	struct kt_gate *gate = kt_gate(test, true);
	struct ktpool *pool;
	struct kt_probe *before, *after;
	cpumask_var_t empty;

	good.nice = 3;
	good.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-abadapply", 2, 0, &good);
	KUNIT_ASSERT_TRUE(test, zalloc_cpumask_var(&empty, GFP_KERNEL));
	before = kt_run_probe(test, pool, NULL, NULL);

	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(NULL, &good), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, NULL), -EINVAL);
	kt_bad_attrs_set(&a, &good, test->param_value, empty);
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), -EINVAL);
	free_cpumask_var(empty);
	/* min_threads 1: capacity 0 is invalid anyway, 1 is fine. */
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 1), 0);
	good.min_threads = 1;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &good), 0);
	good.min_threads = 2;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &good), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 2), 0);
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &good), 0);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).capacity, 2U);

	/* Nothing changed by the bad calls: same worker, same nice. */
	after = kt_run_probe(test, pool, gate, NULL);
	KUNIT_EXPECT_EQ(test, before->nice, 3);
	KUNIT_EXPECT_EQ(test, after->nice, 3);
	KUNIT_EXPECT_EQ(test, after->policy, SCHED_NORMAL);
	kt_gate_open(gate);
}

/* ---- 1. nice, SCHED_FIFO, cpumask: from the first task on, and live ------ */

static void ktpool_attrs_nice_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	struct kt_probe *p, *busy;
	struct ktpool *pool;

	a.nice = 5;
	pool = kt_pool_attrs(test, "kt-anice", 2, 0, &a);
	p = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, p->nice, 5);
	KUNIT_EXPECT_EQ(test, p->policy, SCHED_NORMAL);
	KUNIT_EXPECT_NE(test, p->pid, current->pid);

	/* Busy: a worker held in its task; idle: the other, after a drain. */
	busy = kt_run_probe(test, pool, gate, NULL);
	a.nice = -3;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), 0);
	KUNIT_EXPECT_EQ(test, task_nice(busy->task), -3);
	kt_gate_open(gate);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	p = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, p->nice, -3);
}

static void ktpool_attrs_rt_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	struct kt_probe *p, *busy;
	struct ktpool *pool;

	a.flags = KTPOOL_RT;
	a.nice = 7;	/* ignored with KTPOOL_RT */
	pool = kt_pool_attrs(test, "kt-art", 2, 0, &a);
	p = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, p->policy, SCHED_FIFO);
	KUNIT_EXPECT_EQ(test, p->rt_priority, 1);

	/* Back to SCHED_NORMAL with the nice, for a busy worker too. */
	busy = kt_run_probe(test, pool, gate, NULL);
	KUNIT_EXPECT_EQ(test, busy->policy, SCHED_FIFO);
	a.flags = 0;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), 0);
	KUNIT_EXPECT_EQ(test, busy->task->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(busy->task), 7);
	kt_gate_open(gate);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	p = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, p->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, p->nice, 7);
}

static void ktpool_attrs_cpumask_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	unsigned int cpu = cpumask_last(cpu_online_mask);
	struct kt_probe *p;
	struct ktpool *pool;

	a.cpumask = cpumask_of(cpu);
	pool = kt_pool_attrs(test, "kt-amask", 2, 0, &a);
	p = kt_run_probe(test, pool, NULL, cpumask_of(cpu));
	KUNIT_EXPECT_TRUE(test, p->on_mask);

	/* NULL: every possible CPU, live, for the idle worker. */
	a.cpumask = NULL;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), 0);
	p = kt_run_probe(test, pool, NULL, cpu_possible_mask);
	KUNIT_EXPECT_TRUE(test, p->on_mask);
}

/* ---- 2. min_threads ----------------------------------------------------- */

static void ktpool_attrs_min_threads_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	struct ktpool *pool;
	int i;

	kt_fast_reaper(test, 10);
	a.min_threads = 2;
	pool = kt_pool_attrs(test, "kt-amin", 4, 50, &a);
	/* Started before create returned. */
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 2U);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-amin"), 2U);

	/* Four busy, then the two above the reserve are reaped. */
	for (i = 0; i < 4; i++)
		kt_run_probe(test, pool, gate, NULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 4U);
	kt_gate_open(gate);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 2, 200));
	/* ... and the reserve never is (a sleep before a "did not happen"). */
	msleep(300);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 2U);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-amin"), 2U);

	/* Raised: started before apply returns; lowered: aged out. */
	a.min_threads = 3;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 3U);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 2), -EINVAL);
	a.min_threads = 0;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), 0);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 0, 200));
}

/*
 * Submit kt_count_fn(@runs) from a kthread, held at KTPOOL_HOLD_SPAWN before
 * its spawn (its slot reserved): the pool then counts @threads threads.
 */
static struct kt_call *kt_hold_spawn(struct kunit *test, struct ktpool *pool,
				     atomic_t *runs, unsigned int threads)
{
	struct kt_call *s;

	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	s = kt_submit_async(test, pool, kt_count_fn, runs);
	kt_wait_held(test);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, threads);
	return s;
}

/*
 * ktpool_apply_attrs(@attrs with min_threads 1 and @nice) from a kthread,
 * for a pool of capacity 1 whose slot a held spawn reserves: it waits.
 */
static struct kt_call *kt_raise_min_threads(struct kunit *test,
					    struct ktpool *pool,
					    const struct ktpool_attrs *attrs,
					    int nice)
{
	struct kt_call *ap = kt_call_prep(test, kt_apply_call, pool, NULL, NULL);

	ap->attrs = *attrs;
	ap->attrs.min_threads = 1;
	ap->attrs.nice = nice;
	return kt_call_start(test, ap);
}

/* Hold a second task's spawn (the reserve is busy with a probe). */
static struct kt_call *kt_held_spawn(struct kunit *test, struct ktpool *pool,
				     struct kt_gate *gate, atomic_t *runs)
{
	kt_run_probe(test, pool, gate, NULL);
	return kt_hold_spawn(test, pool, runs, 2);
}

/* The spawn held by kt_held_spawn() fails; its task runs on the reserve. */
static void kt_held_spawn_fails(struct kunit *test, struct ktpool *pool,
				const char *name, struct kt_call *s)
{
	ktpool_test_hold(0);
	KUNIT_ASSERT_TRUE(test, kt_call_done(s, 5000));
	KUNIT_EXPECT_EQ(test, s->ret, 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_GT(test, kt_stats(pool).spawn_failed, 0ULL);
	KUNIT_EXPECT_EQ(test, kt_count_threads(name), 1U);
}

/*
 * A spawn in progress is no thread yet: it may fail. The reserve of
 * min_threads workers must not be reaped while one is counted in the
 * threads, or the pool falls to 0 when it fails. The spawn is held at
 * KTPOOL_HOLD_SPAWN and then fails (injected); its submitter must still
 * get its task run by the reserve worker.
 */
static void ktpool_attrs_min_threads_spawn_reap_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	atomic_t *runs = kt_runs(test);
	struct ktpool *pool;
	struct kt_call *s;

	kt_fast_reaper(test, 10);
	a.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-aminreap", 2, 20, &a);
	KUNIT_ASSERT_EQ(test, kt_count_threads("kt-aminreap"), 1U);

	/* The reserve busy: a second task spawns a worker, held there. */
	kt_fail_spawn(test, -1);
	s = kt_held_spawn(test, pool, gate, runs);

	/* The reserve goes idle, and stays past its idle timeout. */
	kt_gate_open(gate);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 500));
	msleep(300);	/* a sleep before a "did not happen" */
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 0ULL);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-aminreap"), 1U);

	/* The spawn fails: the task still runs, on the reserve. */
	kt_held_spawn_fails(test, pool, "kt-aminreap", s);
	KUNIT_EXPECT_EQ(test, atomic_read(runs), 1);
}

/*
 * The same for a shrink below the threads that a spawn in progress counts
 * in: neither the idle reserve (stopped at once by ktpool_set_capacity())
 * nor a busy one (leaving when its task returns) is surplus.
 */
static void ktpool_attrs_min_threads_spawn_shrink_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	atomic_t *runs = kt_runs(test);
	struct kt_gate *gate;
	struct ktpool *pool;
	struct kt_call *s;

	a.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-aminshrink", 2, 0, &a);
	kt_fail_spawn(test, -1);

	/* Idle when the capacity shrinks. */
	gate = kt_gate(test, true);
	s = kt_held_spawn(test, pool, gate, runs);
	kt_gate_open(gate);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 500));
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 0ULL);
	kt_held_spawn_fails(test, pool, "kt-aminshrink", s);
	KUNIT_EXPECT_EQ(test, atomic_read(runs), 1);

	/* Busy when it shrinks: it must not leave when its task returns. */
	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 2), 0);
	gate = kt_gate(test, true);
	s = kt_held_spawn(test, pool, gate, runs);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 1), 0);
	kt_gate_open(gate);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1 ||
					kt_stats(pool).reaped, 500));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 0ULL);
	kt_held_spawn_fails(test, pool, "kt-aminshrink", s);
	KUNIT_EXPECT_EQ(test, atomic_read(runs), 2);
}

/*
 * Raising min_threads while the only slot is reserved for a spawn in
 * progress: that spawn may fail, so it is no thread, and the apply must
 * not return before the pool has min_threads created ones. The spawn is
 * held (KTPOOL_HOLD_SPAWN) and then fails (one injected failure, its own);
 * afterwards, with every spawn failing, the reserve runs anyway submits.
 */
static void ktpool_attrs_min_threads_raise_spawn_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	atomic_t *runs = kt_runs(test);
	struct kt_call *s, *ap;
	struct ktpool *pool;

	pool = kt_pool_attrs(test, "kt-aminraise", 1, 0, &a);
	KUNIT_ASSERT_EQ(test, kt_stats(pool).threads, 0U);
	s = kt_hold_spawn(test, pool, runs, 1);

	ap = kt_raise_min_threads(test, pool, &a, 0);
	/* It waits for the spawn in flight (a sleep before a "did not happen"). */
	msleep(100);
	KUNIT_EXPECT_FALSE(test, completion_done(&ap->done));

	/* The held spawn fails; the apply's own one does not. */
	kt_fail_spawn(test, 1);
	ktpool_test_hold(0);
	KUNIT_ASSERT_TRUE(test, kt_call_done(ap, 5000));
	KUNIT_EXPECT_EQ(test, ap->ret, 0);
	KUNIT_ASSERT_TRUE(test, kt_call_done(s, 5000));
	/* Its task ran on the new reserve, or it was refused with none yet. */
	KUNIT_EXPECT_TRUE(test, s->ret == 0 || s->ret == -ENOMEM);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawn_failed, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-aminraise"), 1U);

	/* Every spawn failing now: the reserve keeps anyway submits going. */
	kt_fail_spawn(test, -1);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_count_fn, runs), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(runs), s->ret ? 1 : 2);
}

/*
 * A fatal signal ends a raise of min_threads that waits for a spawn in
 * flight (the only slot reserved for it, held at KTPOOL_HOLD_SPAWN), and a
 * create whose own spawn for min_threads is held: -EINTR, not the -ENOMEM
 * of a worker that could not be created. Neither leaves a thread, a slot
 * or a pool behind; the raise keeps the attributes it applied (as after
 * -ENOMEM), and the held spawn goes on once released.
 */
static void ktpool_attrs_min_threads_killed_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	atomic_t *runs = kt_runs(test);
	struct kt_call *s, *ap, *c;
	struct ktpool *pool;

	pool = kt_pool_attrs(test, "kt-aminkill", 1, 0, &a);
	s = kt_hold_spawn(test, pool, runs, 1);

	/* The raise waits for that spawn, killable; it is killed there. */
	ap = kt_raise_min_threads(test, pool, &a, 5);
	KUNIT_EXPECT_TRUE(test, kt_sleep_state(test, ap) & TASK_WAKEKILL);
	send_sig(SIGKILL, ap->task, 1);
	KUNIT_ASSERT_TRUE(test, kt_call_done(ap, 5000));
	KUNIT_EXPECT_EQ(test, ap->ret, -EINTR);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawned, 0ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawn_failed, 0ULL);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-aminkill"), 0U);
	KUNIT_EXPECT_FALSE(test, completion_done(&s->done));

	/* Released, the held spawn makes the one worker, with nice 5. */
	ktpool_test_hold(0);
	KUNIT_ASSERT_TRUE(test, kt_call_done(s, 5000));
	KUNIT_EXPECT_EQ(test, s->ret, 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(runs), 1);
	KUNIT_EXPECT_EQ(test, kt_run_probe(test, pool, NULL, NULL)->nice, 5);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-aminkill"), 1U);

	/* A create killed in its own spawn for min_threads: no pool. */
	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	c = kt_call_prep(test, kt_create_call, NULL, NULL, NULL);
	c->name = "kt-akillc";
	c->attrs = a;
	c->attrs.min_threads = 1;
	kt_call_start(test, c);
	kt_wait_held(test);
	send_sig(SIGKILL, c->task, 1);
	KUNIT_ASSERT_TRUE(test, kt_call_done(c, 5000));
	KUNIT_EXPECT_EQ(test, c->ret, -EINTR);
	if (c->pool)
		ktpool_destroy(c->pool);
	ktpool_test_hold(0);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-akillc"), 0U);
	/* Its name is free again. */
	kt_pool_attrs(test, "kt-akillc", 1, 0, NULL);
}

/*
 * An idle worker that pending tasks counted on is in use, though never
 * woken: the reaper keeps it for an idle timeout after. Four SCHED_FIFO
 * workers on one CPU, idle since long; the test thread, on that CPU with
 * preemption off, submits four tasks: the first wakes the head of the idle
 * list (A), the other three are counted against the three idle workers
 * behind it. A takes all four without being preempted (FIFO, one priority)
 * and wakes one more (B) on the way, which finds nothing; C and D are never
 * woken. With a timeout shorter than C's and D's idle time, the reaper
 * stops D, not C: three idle workers were counted on, within the timeout.
 * All go once the timeout has passed since the burst. The check that C is
 * not stopped yet must come within that timeout (2 s) of the burst: the
 * burst, the reaper's first pass and a stats read, a few ms here, so a
 * hundred times this machine's time.
 */
static void ktpool_attrs_reaper_keeps_backing_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	atomic_t *runs = kt_runs(test);
	struct ktpool *pool;
	unsigned int cpu;
	int i, ret[4];

	kt_fast_reaper(test, 10);
	/* This case runs in a kthread of its own: no need to undo the pin. */
	cpu = raw_smp_processor_id();
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	a.cpumask = cpumask_of(cpu);
	a.flags = KTPOOL_RT;
	pool = kt_pool_attrs(test, "kt-abacked", 4, KTPOOL_MAX_IDLE_TIMEOUT_MS, &a);

	for (i = 0; i < 4; i++)
		kt_run_probe(test, pool, gate, NULL);
	kt_gate_open(gate);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 4, 2000));
	/* Idle for longer than the timeout below. */
	msleep(2500);

	preempt_disable();
	for (i = 0; i < 4; i++)
		ret[i] = ktpool_submit_nowait(pool, kt_count_fn, runs);
	preempt_enable();
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, ret[i], 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(runs) == 4 &&
					kt_stats(pool).idle == 4, 2000));

	/* C and D are idle for 2.5 s, A and B just went idle. */
	KUNIT_ASSERT_EQ(test, ktpool_set_idle_timeout(pool, 2000), 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).reaped >= 1, 500));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 3U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 1ULL);

	/* Then all of them, a timeout after the burst. */
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 0, 5000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 4ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawned, 4ULL);
}

/*
 * The reserve stays while a spawn may fail, past its idle timeout; once
 * that spawn has created its thread, the reserve is surplus and must be
 * reaped even though the new worker stays busy (nothing else runs the
 * reaper then: it did not re-arm while the reserve had to stay).
 */
static void ktpool_attrs_min_threads_spawn_then_reap_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate1 = kt_gate(test, true), *gate2 = kt_gate(test, true);
	struct kt_probe *p2;
	struct ktpool *pool;
	struct kt_call *s;

	kt_fast_reaper(test, 10);
	a.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-aminspawnreap", 2, 20, &a);
	/* Parked first: a reserve still starting would make the probe spawn. */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 500));

	/* The reserve busy: a second task spawns a worker, held there. */
	kt_run_probe(test, pool, gate1, NULL);
	KUNIT_ASSERT_EQ(test, kt_stats(pool).threads, 1U);
	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	p2 = kt_probe(test, gate2, NULL);
	s = kt_submit_async(test, pool, kt_probe_fn, p2);
	kt_wait_held(test);

	/* The reserve idle past its timeout, kept (a "did not happen"). */
	kt_gate_open(gate1);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 500));
	msleep(200);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 0ULL);

	/* The spawn succeeds; its worker stays busy: the reserve goes. */
	ktpool_test_hold(0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&p2->ran,
							  KT_GUARD(5)), 0);
	KUNIT_EXPECT_TRUE(test, kt_call_done(s, 500));
	KUNIT_EXPECT_EQ(test, s->ret, 0);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).reaped == 1, 500));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).busy, 1U);
	kt_gate_open(gate2);
}

static void ktpool_attrs_progress_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	struct ktpool *pool, *p;
	struct kt_probe *busy;
	atomic_t runs = ATOMIC_INIT(0);
	int i;

	a.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-aprog", 4, 0, &a);
	kt_fail_spawn(test, -1);

	/* A create whose reserve cannot start: -ENOMEM, nothing left. */
	p = ktpool_create_attrs("kt-anomem", 4, 0, &a);
	KUNIT_EXPECT_TRUE(test, IS_ERR(p) && PTR_ERR(p) == -ENOMEM);
	if (!IS_ERR_OR_NULL(p))
		ktpool_destroy(p);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-anomem"), 0U);

	/* No kthread can be created: every anyway submit still completes. */
	for (i = 0; i < 50; i++)
		KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_count_fn, &runs), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 50);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);

	/* Also when the reserve is busy: the submitter waits for it. */
	busy = kt_run_probe(test, pool, gate, NULL);
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, kt_count_fn, &runs),
			-EBUSY);
	kt_gate_open(gate);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_count_fn, &runs), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 51);

	/* Raising min_threads that cannot spawn: -ENOMEM, the rest applied. */
	a.min_threads = 2;
	a.nice = 4;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), -ENOMEM);
	busy = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, busy->nice, 4);
}

/* ---- 3. KTPOOL_FREEZABLE: how callers sleep -------------------------------- */

/* One per caller: a second caller would sleep on the first one's. */
static DEFINE_MUTEX(kt_frz_mutex1);
static DEFINE_MUTEX(kt_frz_mutex2);

static int kt_count_gfn(void *data)
{
	atomic_inc(data);
	return 0;
}

/* @call started with @lock held (or not) on a kthread; see kt_sleep_state(). */
static struct kt_call *kt_async_call(struct kunit *test,
				     int (*call)(struct kt_call *a),
				     struct ktpool *pool,
				     struct ktpool_group *grp, atomic_t *runs,
				     struct mutex *lock)
{
	struct kt_call *a = kt_call_prep(test, call, pool, kt_count_fn, runs);

	a->grp = grp;
	a->gfn = kt_count_gfn;
	a->lock = lock;
	return kt_call_start(test, a);
}

/*
 * On a freezable pool, a caller that waits for the pool sleeps freezable
 * (a blocked anyway submit, a group submit at its limit, a group wait, all
 * alike), so that it does not make a system freeze fail; but not while it
 * holds a lock: the freezer must not freeze a task holding locks (with
 * lockdep it warns, "freezing with locks held"). Looked at through the
 * state the caller sleeps in: UML has no freezer to run.
 */
static void ktpool_attrs_freezable_wait_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_gate *gate = kt_gate(test, true);
	struct ktpool_group *grp;
	struct kt_call *s;
	struct ktpool *pool;
	atomic_t *runs = kt_runs(test);
	bool lockdep = IS_ENABLED(CONFIG_LOCKDEP);

	a.flags = KTPOOL_FREEZABLE;
	a.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-afrz", 2, 0, &a);
	grp = kunit_kzalloc(test, sizeof(*grp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, grp);
	ktpool_group_init(grp, pool, 1);

	/* A group task holds the group's limit and a worker; a probe the other. */
	KUNIT_ASSERT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, gate), 0);
	kt_run_probe(test, pool, gate, NULL);

	/* A blocked anyway submit: freezable without a lock, not with one. */
	s = kt_async_call(test, kt_submit_call, pool, NULL, runs, NULL);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 500));
	KUNIT_EXPECT_TRUE(test, kt_sleep_state(test, s) & TASK_FREEZABLE);
	if (lockdep) {
		s = kt_async_call(test, kt_submit_call, pool, NULL, runs,
				  &kt_frz_mutex1);
		KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 2, 500));
		KUNIT_EXPECT_FALSE(test, kt_sleep_state(test, s) & TASK_FREEZABLE);
	}

	/* A group submit at the limit: as freezable as the submit. */
	s = kt_async_call(test, kt_group_submit_call, pool, grp, runs, NULL);
	KUNIT_EXPECT_TRUE(test, kt_sleep_state(test, s) & TASK_FREEZABLE);

	/* A group wait: the same. */
	s = kt_async_call(test, kt_group_wait_call, pool, grp, runs, NULL);
	KUNIT_EXPECT_TRUE(test, kt_sleep_state(test, s) & TASK_FREEZABLE);
	if (lockdep) {
		s = kt_async_call(test, kt_group_wait_call, pool, grp, runs,
				  &kt_frz_mutex2);
		KUNIT_EXPECT_FALSE(test, kt_sleep_state(test, s) & TASK_FREEZABLE);
	}

	/* Not freezable: never. */
	a.flags = 0;
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &a), 0);
	s = kt_async_call(test, kt_group_wait_call, pool, grp, runs, NULL);
	KUNIT_EXPECT_FALSE(test, kt_sleep_state(test, s) & TASK_FREEZABLE);

	/* Everything goes on: the submits' tasks and the group's run. */
	kt_gate_open(gate);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(atomic_read(runs) == (lockdep ? 3 : 2),
					1000));
	KUNIT_EXPECT_EQ(test, ktpool_group_wait(grp), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
}

/* ---- 5. sysfs ----------------------------------------------------------- */

static struct kt_call *kt_apply_async(struct kunit *test,
				      struct ktpool *pool, unsigned int flags)
{
	struct kt_call *s = kt_call_prep(test, kt_apply_call, pool, NULL, NULL);

	s->attrs = (struct ktpool_attrs)KTPOOL_ATTRS_INIT;
	s->attrs.flags = flags;
	return kt_call_start(test, s);
}

/*
 * KTPOOL_SYSFS off and on at once: the directory must be there at the end,
 * as the last change's flag says. The first change is held (KTPOOL_HOLD_SYSFS)
 * between taking the directory from the pool and removing it: a second
 * change must wait for the removal, or it adds the directory again under
 * a name still taken (-EEXIST), and then the old one goes. A writer of the
 * old directory's files, meanwhile, must not wait (the removal waits for
 * it).
 */
static void ktpool_attrs_sysfs_toggle_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	const char *cap = "/sys/kernel/ktpool/kt-atoggle/capacity";
	struct kt_call *off, *on, *w;
	struct ktpool *pool;
	char buf[16];

	a.flags = KTPOOL_SYSFS;
	pool = kt_pool_attrs(test, "kt-atoggle", 2, 0, &a);
	KUNIT_ASSERT_EQ(test, kt_file_read(cap, buf, sizeof(buf)), 0);

	ktpool_test_hold(KTPOOL_HOLD_SYSFS);
	off = kt_apply_async(test, pool, 0);
	kt_wait_held(test);

	/* A writer of the directory being removed goes through. */
	w = kt_call_prep(test, kt_write_call, NULL, NULL, NULL);
	w->path = "/sys/kernel/ktpool/kt-atoggle/nice";
	w->val = "2";
	kt_call_start(test, w);
	KUNIT_EXPECT_TRUE(test, kt_call_done(w, 500));

	/* The flag on again: waits for the removal (a sleep before "not"). */
	on = kt_apply_async(test, pool, KTPOOL_SYSFS);
	KUNIT_EXPECT_FALSE(test, kt_call_done(on, 100));

	ktpool_test_hold(0);
	KUNIT_ASSERT_TRUE(test, kt_call_done(off, 1000));
	KUNIT_ASSERT_TRUE(test, kt_call_done(on, 1000));
	KUNIT_EXPECT_EQ(test, off->ret, 0);
	KUNIT_EXPECT_EQ(test, on->ret, 0);
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	/*
	 * The last change said KTPOOL_SYSFS: the directory is there, and is
	 * the live pool's (a write through it reaches the pool).
	 */
	KUNIT_EXPECT_EQ(test, kt_file_read(cap, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, kt_file_write(cap, "3"), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).capacity, 3U);
	KUNIT_EXPECT_EQ(test, kt_file_read(cap, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "3");

	/* And off for good: gone. */
	KUNIT_EXPECT_EQ(test, ktpool_apply_attrs(pool, &off->attrs), 0);
	KUNIT_EXPECT_EQ(test, kt_file_read(cap, buf, sizeof(buf)), -ENOENT);
}

/* ---- 4. leak checks ----------------------------------------------------- */

/*
 * An apply that begins while ktpool_destroy() runs gets -ESHUTDOWN at
 * once: it must not sleep on the pool's mutexes uncounted, where destroy,
 * finding the pool quiet, would free it under the sleeper. One apply holds
 * sysfs_mutex (KTPOOL_HOLD_SYSFS, its directory detached), destroy waits for
 * that mutex, and a third call begins.
 */
static void ktpool_attrs_apply_destroy_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct kt_call *held, *late, *d;
	struct ktpool *pool;

	a.flags = KTPOOL_SYSFS;
	pool = ktpool_create_attrs("kt-aapplydestroy", 1, 0, &a);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));

	ktpool_test_hold(KTPOOL_HOLD_SYSFS);
	held = kt_apply_async(test, pool, 0);
	kt_wait_held(test);

	/* Dying once it sleeps: it sets that before it takes sysfs_mutex. */
	d = kt_async(test, kt_destroy_call, pool, NULL, NULL);
	kt_sleep_state(test, d);

	late = kt_apply_async(test, pool, 0);
	KUNIT_EXPECT_TRUE(test, kt_call_done(late, 500));
	KUNIT_EXPECT_EQ(test, late->ret, -ESHUTDOWN);

	/* The held one finishes, then destroy. */
	ktpool_test_hold(0);
	KUNIT_EXPECT_TRUE(test, kt_call_done(held, 5000));
	KUNIT_EXPECT_EQ(test, held->ret, 0);
	KUNIT_EXPECT_TRUE(test, kt_call_done(d, 5000));
	KUNIT_EXPECT_TRUE(test, completion_done(&late->done));
}

static DEFINE_MUTEX(kt_leak_mutex);

static void kt_leak_preempt_fn(void *data)
{
	preempt_disable();
}

static void kt_leak_irq_fn(void *data)
{
	local_irq_disable();
}

static void kt_leak_rcu_fn(void *data)
{
	rcu_read_lock();
}

static void kt_leak_lock_fn(void *data)
{
	mutex_lock(&kt_leak_mutex);
}

static void kt_unleak_lock_fn(void *data)
{
	mutex_unlock(&kt_leak_mutex);
}

/*
 * One worker (capacity 1, min_threads 1): the bad task, then a probe on the
 * same worker, which must find a clean context.
 */
static struct kt_probe *kt_leak_case(struct kunit *test, const char *name,
				     ktpool_fn_t bad)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct ktpool *pool;
	struct kt_probe *first, *p;

	a.min_threads = 1;
	pool = kt_pool_attrs(test, name, 1, 0, &a);
	first = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, bad, NULL), 0);
	p = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, p->pid, first->pid);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).completed, 3ULL);
	return p;
}

static void ktpool_attrs_leak_preempt_test(struct kunit *test)
{
	struct kt_probe *p;

	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT))
		kunit_skip(test, "no CONFIG_PREEMPT_COUNT: a preempt leak is invisible");
	p = kt_leak_case(test, "kt-leakpre", kt_leak_preempt_fn);
	KUNIT_EXPECT_EQ(test, p->preempt, 0);
	KUNIT_EXPECT_EQ(test, p->irqs_off, 0);
}

static void ktpool_attrs_leak_irq_test(struct kunit *test)
{
	struct kt_probe *p = kt_leak_case(test, "kt-leakirq", kt_leak_irq_fn);

	KUNIT_EXPECT_EQ(test, p->irqs_off, 0);
	KUNIT_EXPECT_EQ(test, p->preempt, 0);
}

static void ktpool_attrs_leak_rcu_test(struct kunit *test)
{
	struct kt_probe *p;

	if (!IS_ENABLED(CONFIG_PREEMPT_RCU) && !IS_ENABLED(CONFIG_PREEMPT_COUNT))
		kunit_skip(test, "no preemptible RCU, no preempt count: invisible");
	p = kt_leak_case(test, "kt-leakrcu", kt_leak_rcu_fn);
	KUNIT_EXPECT_EQ(test, p->rcu_depth, 0);
	KUNIT_EXPECT_EQ(test, p->preempt, 0);
	KUNIT_EXPECT_EQ(test, p->lock_depth, 0);
}

static void ktpool_attrs_leak_lock_test(struct kunit *test)
{
	struct ktpool_attrs a = KTPOOL_ATTRS_INIT;
	struct ktpool *pool;
	struct kt_probe *p;

	if (!IS_ENABLED(CONFIG_LOCKDEP))
		kunit_skip(test, "no lockdep: held locks are invisible");
	a.min_threads = 1;
	pool = kt_pool_attrs(test, "kt-leaklock", 1, 0, &a);
	/*
	 * The lock is reported, not released: the next task on the same
	 * worker releases it (a mutex must be released by its owner).
	 */
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_leak_lock_fn, NULL), 0);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_unleak_lock_fn, NULL), 0);
	p = kt_run_probe(test, pool, NULL, NULL);
	KUNIT_EXPECT_EQ(test, p->lock_depth, 0);
	KUNIT_EXPECT_EQ(test, p->preempt, 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&kt_leak_mutex));
}

static struct kunit_case ktpool_attrs_test_cases[] = {
	KUNIT_CASE_PARAM(ktpool_attrs_bad_create_test, kt_bad_attrs_gen_params),
	KUNIT_CASE_PARAM(ktpool_attrs_bad_apply_test, kt_bad_apply_gen_params),
	KUNIT_CASE(ktpool_attrs_nice_test),
	KUNIT_CASE(ktpool_attrs_rt_test),
	KUNIT_CASE(ktpool_attrs_cpumask_test),
	KUNIT_CASE(ktpool_attrs_min_threads_test),
	KUNIT_CASE(ktpool_attrs_min_threads_spawn_reap_test),
	KUNIT_CASE(ktpool_attrs_min_threads_spawn_shrink_test),
	KUNIT_CASE(ktpool_attrs_min_threads_raise_spawn_test),
	KUNIT_CASE(ktpool_attrs_min_threads_killed_test),
	KUNIT_CASE(ktpool_attrs_min_threads_spawn_then_reap_test),
	KUNIT_CASE_SLOW(ktpool_attrs_reaper_keeps_backing_test),
	KUNIT_CASE(ktpool_attrs_progress_test),
	KUNIT_CASE(ktpool_attrs_freezable_wait_test),
	KUNIT_CASE(ktpool_attrs_sysfs_toggle_test),
	KUNIT_CASE(ktpool_attrs_apply_destroy_test),
	KUNIT_CASE(ktpool_attrs_leak_preempt_test),
	KUNIT_CASE(ktpool_attrs_leak_irq_test),
	KUNIT_CASE(ktpool_attrs_leak_rcu_test),
	KUNIT_CASE(ktpool_attrs_leak_lock_test),
	{}
};

static struct kunit_suite ktpool_attrs_test_suite = {
	.name = "ktpool_attrs",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = ktpool_attrs_test_cases,
};

kunit_test_suite(ktpool_attrs_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for ktpool's pool attributes");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
