// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for ktpool: one case (or more) for each semantic of the core
 * pool, run under the debug UML kernel (lockdep, kmemleak, debugobjects).
 *
 * Tasks that must stay busy block on a "gate" the test opens. Every gate,
 * pool and thread of a case is released by kt_exit() and the actions after
 * it (ktpool_kunit.h), so a failed assertion never leaves a thread behind
 * or a task touching freed memory.
 */

#include <kunit/static_stub.h>
#include <linux/hrtimer.h>

#include "ktpool_kunit.h"

/* ---- 12. bad input ---------------------------------------------------- */

static void ktpool_bad_create_test(struct kunit *test)
{
	static const struct {
		const char *name;
		unsigned int cap, timeout;
		int err;
	} cases[] = {
		{ NULL, 4, 0, -EINVAL },
		{ "", 4, 0, -EINVAL },
		{ "this-name-is-far-too-long-for-ktpool", 4, 0, -EINVAL },
		{ "a/b", 4, 0, -EINVAL },
		{ "a b", 4, 0, -EINVAL },
		{ "kt-bad", 0, 0, -EINVAL },
		{ "kt-bad", KTPOOL_MAX_CAPACITY + 1, 0, -EINVAL },
		{ "kt-bad", 4, KTPOOL_MAX_IDLE_TIMEOUT_MS + 1, -EINVAL },
		{ "kt-dup", 4, 0, -EEXIST },
		{ "default", 4, 0, -EEXIST },
	};
	struct ktpool *dup = kt_pool(test, "kt-dup", 2, 0);
	struct ktpool_stats before = kt_stats(dup);
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ktpool *p = ktpool_create(cases[i].name, cases[i].cap,
						 cases[i].timeout);

		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(p), "case %d", i);
		if (!IS_ERR(p)) {
			ktpool_destroy(p);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(p), cases[i].err, "case %d", i);
	}
	/* The pool whose name was duplicated is untouched. */
	KUNIT_EXPECT_EQ(test, before.capacity, 2U);
	KUNIT_EXPECT_EQ(test, kt_stats(dup).capacity, 2U);
	KUNIT_EXPECT_EQ(test, kt_stats(dup).threads, 0U);
}

static void ktpool_bad_calls_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-badcall", 3, 100);
	struct ktpool_stats st;
	atomic_t runs = ATOMIC_INIT(0);

	KUNIT_EXPECT_EQ(test, ktpool_try_submit(NULL, kt_count_fn, &runs), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_submit(NULL, kt_count_fn, &runs), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(NULL, kt_count_fn, &runs), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, NULL, &runs), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, NULL, &runs), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, NULL, &runs), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(pool, KTPOOL_MAX_CAPACITY + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_set_capacity(NULL, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_set_idle_timeout(pool, KTPOOL_MAX_IDLE_TIMEOUT_MS + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_set_idle_timeout(NULL, 10), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_drain(NULL), -EINVAL);
	ktpool_destroy(NULL);
	ktpool_get_stats(NULL, &st);
	KUNIT_EXPECT_EQ(test, st.capacity, 0U);

	st = kt_stats(pool);
	KUNIT_EXPECT_EQ(test, st.capacity, 3U);
	KUNIT_EXPECT_EQ(test, st.idle_timeout_ms, 100U);
	KUNIT_EXPECT_EQ(test, st.submitted, 0ULL);
	KUNIT_EXPECT_EQ(test, st.threads, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 0);
}

/* ---- 1. bound and lazy creation --------------------------------------- */

static void ktpool_lazy_threads_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-lazy", 4, 0);
	struct kt_gate *g = kt_gate(test, false);

	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 0U);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-lazy"), 0U);
	kt_run_gate(test, pool, g);
	KUNIT_EXPECT_NE(test, g->pid, current->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-lazy"), 1U);
}

struct kt_storm {
	struct ktpool *pool;
	atomic_t runs;
	atomic_t inline_runs;
	atomic_t rejected;
	atomic_t errors;
	int per_thread;
	struct completion done[4];
	atomic_t next;
};

static void kt_storm_task(void *data)
{
	struct kt_storm *s = data;

	if (!(atomic_inc_return(&s->runs) % 7))
		usleep_range(100, 200);
}

static int kt_storm_fn(void *arg)
{
	struct kt_storm *s = arg;
	int me = atomic_inc_return(&s->next) - 1;
	int i, ret;

	for (i = 0; i < s->per_thread; i++) {
		switch ((i + me) % 3) {
		case 0:
			ret = ktpool_try_submit(s->pool, kt_storm_task, s);
			break;
		case 1:
			ret = ktpool_submit(s->pool, kt_storm_task, s);
			break;
		default:
			ret = ktpool_submit_nowait(s->pool, kt_storm_task, s);
			break;
		}
		if (ret == KTPOOL_RAN_INLINE)
			atomic_inc(&s->inline_runs);
		else if (ret == -EBUSY)
			atomic_inc(&s->rejected);
		else if (ret)
			atomic_inc(&s->errors);
	}
	kthread_complete_and_exit(&s->done[me], 0);
}

static void ktpool_bound_concurrent_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-bound", 3, 0);
	struct kt_storm *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct task_struct *t;
	struct ktpool_stats st;
	int i, accepted;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->pool = pool;
	s->per_thread = 600;
	for (i = 0; i < ARRAY_SIZE(s->done); i++)
		init_completion(&s->done[i]);
	for (i = 0; i < ARRAY_SIZE(s->done); i++) {
		t = kthread_run(kt_storm_fn, s, "kt_storm");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < ARRAY_SIZE(s->done); i++)
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&s->done[i],
								  KT_GUARD(30)), 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);

	st = kt_stats(pool);
	accepted = 4 * s->per_thread - atomic_read(&s->rejected);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->runs), accepted);
	KUNIT_EXPECT_LE(test, st.peak_threads, 3U);
	KUNIT_EXPECT_LE(test, st.threads, 3U);
	KUNIT_EXPECT_LE(test, kt_count_threads("kt-bound"), 3U);
	KUNIT_EXPECT_EQ(test, st.submitted, (u64)accepted);
	KUNIT_EXPECT_EQ(test, st.inlined, (u64)atomic_read(&s->inline_runs));
	KUNIT_EXPECT_EQ(test, st.rejected, (u64)atomic_read(&s->rejected));
	KUNIT_EXPECT_EQ(test, st.submitted, st.completed + st.inlined);
	KUNIT_EXPECT_EQ(test, st.waiters, 0U);
	/*
	 * Busy settles to 0 after the drain, not with it: a spawn that a
	 * nowait started may still be creating a worker, which counts as
	 * busy until it parks, and a worker woken for a task another one
	 * took is on its way to park.
	 */
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).busy == 0, 1000));
}

/*
 * More threads than the FIFO of pending tasks has slots at first (64): it
 * grows as threads are created, and every accepted task gets a thread of its
 * own even while all the others block.
 */
static void ktpool_many_threads_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-many", 150, 0);
	struct kt_gate *g = kt_gate(test, true);
	atomic_t runs = ATOMIC_INIT(0);
	int i;

	for (i = 0; i < 150; i++)
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, g), 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&g->runs) == 150, 10000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 150U);
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, kt_count_fn, &runs),
			KTPOOL_RAN_INLINE);

	kt_gate_open(g);
	for (i = 0; i < 5000; i++)
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_count_fn, &runs), 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->runs), 150);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 5001);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).peak_threads, 150U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).submitted,
			kt_stats(pool).completed + kt_stats(pool).inlined);
}

/* ---- 2. LIFO ---------------------------------------------------------- */

static void ktpool_lifo_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-lifo", 2, 0);
	struct kt_gate *a = kt_gate(test, true), *b = kt_gate(test, true);
	struct kt_gate *c = kt_gate(test, false), *d = kt_gate(test, false);

	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, a), 0);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, b), 0);
	kt_wait_started(test, a);
	kt_wait_started(test, b);
	KUNIT_ASSERT_NE(test, a->pid, b->pid);

	/* a's worker goes idle first, then b's: b's must take the next task. */
	kt_gate_open(a);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));
	kt_gate_open(b);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 2, 2000));
	kt_run_gate(test, pool, c);
	KUNIT_EXPECT_EQ(test, c->pid, b->pid);

	/* And again: now b's worker is the most recent idle one once more. */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 2, 2000));
	KUNIT_ASSERT_EQ(test, ktpool_try_submit(pool, kt_gate_fn, d), 0);
	kt_wait_started(test, d);
	KUNIT_EXPECT_EQ(test, d->pid, b->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawned, 2ULL);
}

/* ---- 3. try ----------------------------------------------------------- */

static void ktpool_try_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-try", 1, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false);
	struct ktpool_stats st;

	/* Below capacity: a worker is spawned and takes it. */
	KUNIT_ASSERT_EQ(test, ktpool_try_submit(pool, kt_gate_fn, hold), 0);
	kt_wait_started(test, hold);
	KUNIT_EXPECT_NE(test, hold->pid, current->pid);

	/* Full: runs in the caller before returning. */
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, kt_gate_fn, x),
			KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 1);
	KUNIT_EXPECT_EQ(test, x->pid, current->pid);

	/* An idle worker takes it again. */
	kt_gate_open(hold);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, kt_gate_fn, y), 0);
	kt_wait_started(test, y);
	KUNIT_EXPECT_EQ(test, y->pid, hold->pid);

	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	st = kt_stats(pool);
	KUNIT_EXPECT_EQ(test, st.inlined, 1ULL);
	KUNIT_EXPECT_EQ(test, st.submitted, 3ULL);
	KUNIT_EXPECT_EQ(test, st.completed, 2ULL);
}

/* ---- 4. anyway -------------------------------------------------------- */

static void ktpool_anyway_blocks_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-anyway", 1, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *s;

	kt_run_gate(test, pool, hold);

	s = kt_blocked_submit(test, pool, x, 1);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&s->done));
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 0);

	kt_gate_open(hold);
	kt_join_ret(test, s, 0);
	kt_wait_started(test, x);
	KUNIT_EXPECT_EQ(test, x->pid, hold->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).inlined, 0ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);
}

static void ktpool_anyway_killable_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-kill", 1, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *s;

	kt_run_gate(test, pool, hold);
	s = kt_blocked_submit(test, pool, x, 1);

	send_sig(SIGKILL, s->task, 1);
	kt_join_ret(test, s, -EINTR);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);

	kt_gate_open(hold);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).submitted, 1ULL);
}

/* ---- 4d. a scheduling point between two tasks ------------------------- */

struct kt_resched {
	struct kt_gate gate;
	struct completion t2_done;
	bool resched_left;
};

/*
 * t1 ends asking for a reschedule; t2, the next task of the same worker,
 * sees whether the request is still pending. Only a scheduling point
 * between the two tasks (cond_resched(), or preemption on a kernel that
 * has it) clears it: on a PREEMPT_NONE or PREEMPT_VOLUNTARY kernel nothing
 * else on that path schedules. Deterministic on any machine.
 */
static void kt_resched_t1(void *data)
{
	struct kt_resched *k = data;

	kt_gate_fn(&k->gate);
	set_tsk_need_resched(current);
	set_preempt_need_resched();
}

static void kt_resched_t2(void *data)
{
	struct kt_resched *k = data;

	k->resched_left = test_tsk_need_resched(current);
	complete(&k->t2_done);
}

static void ktpool_resched_between_tasks_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-resched", 1, 0);
	struct kt_resched *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	struct kt_call *s;

	KUNIT_ASSERT_NOT_NULL(test, k);
	init_completion(&k->gate.started);
	init_completion(&k->gate.open);
	k->gate.wait = true;
	init_completion(&k->t2_done);

	/* t2 waits as a blocked submitter: the worker goes straight to it. */
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_resched_t1, k), 0);
	kt_wait_started(test, &k->gate);
	s = kt_submit_async(test, pool, kt_resched_t2, k);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 5000));
	kt_gate_open(&k->gate);
	KUNIT_EXPECT_EQ(test, kt_join(s), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&k->t2_done, KT_GUARD(10)), 0);
	KUNIT_EXPECT_FALSE_MSG(test, k->resched_left,
			       "no scheduling point between two tasks");
}

/* ---- 5. nowait -------------------------------------------------------- */

struct kt_irq {
	struct hrtimer timer;
	struct ktpool *pool;
	atomic_t runs;
	int ret;
	bool in_hardirq;
	struct completion fired;
};

static enum hrtimer_restart kt_irq_fn(struct hrtimer *t)
{
	struct kt_irq *k = container_of(t, struct kt_irq, timer);

	k->in_hardirq = in_hardirq();
	k->ret = ktpool_submit_nowait(k->pool, kt_count_fn, &k->runs);
	complete(&k->fired);
	return HRTIMER_NORESTART;
}

static void ktpool_nowait_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-nowait", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_irq *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	atomic_t runs = ATOMIC_INIT(0);
	unsigned long flags;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, k);
	/* No worker yet: refused, but an asynchronous spawn starts one. */
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, kt_count_fn, &runs), -EBUSY);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).rejected, 1ULL);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));

	/* From an atomic context with interrupts off. */
	local_irq_save(flags);
	ret = ktpool_submit_nowait(pool, kt_count_fn, &runs);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&runs) == 1, 2000));

	/* From a hard IRQ (a hard hrtimer callback). */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));
	k->pool = pool;
	init_completion(&k->fired);
	hrtimer_init(&k->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	k->timer.function = kt_irq_fn;
	hrtimer_start(&k->timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&k->fired, KT_GUARD(2)), 0);
	hrtimer_cancel(&k->timer);
	KUNIT_EXPECT_TRUE(test, k->in_hardirq);
	KUNIT_EXPECT_EQ(test, k->ret, 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&k->runs) == 1, 2000));

	/* Full: refused, never run inline. */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));
	kt_run_gate(test, pool, hold);
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, kt_count_fn, &runs), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).rejected, 2ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).inlined, 0ULL);
	KUNIT_EXPECT_LE(test, kt_stats(pool).peak_threads, 1U);
}

/* ---- 6. reaper -------------------------------------------------------- */

static void ktpool_reaper_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-reap", 2, 300);
	struct kt_gate *a = kt_gate(test, false);
	unsigned long t0, waited;

	kt_fast_reaper(test, 20);
	kt_run_gate(test, pool, a);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));
	t0 = jiffies;
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 0, 5000));
	waited = jiffies_to_msecs(jiffies - t0);
	/* No sooner than the timeout (it went idle before t0). */
	KUNIT_EXPECT_GE(test, waited + 10, 300UL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 1ULL);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_count_threads("kt-reap") == 0, 2000));
}

static void ktpool_reaper_spares_busy_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-busy", 2, 20);
	struct kt_gate *hold = kt_gate(test, true), *b = kt_gate(test, true);

	kt_fast_reaper(test, 20);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, hold), 0);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, b), 0);
	kt_wait_started(test, hold);
	kt_wait_started(test, b);
	kt_gate_open(b);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 1, 3000));
	msleep(200);
	/* The busy worker is still there, long past the timeout. */
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).busy, 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-busy"), 1U);
}

static void ktpool_reaper_never_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-never", 2, 0);
	struct kt_gate *a = kt_gate(test, false);

	kt_fast_reaper(test, 20);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, a), 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 2000));
	msleep(300);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 0ULL);

	/* 7. A new timeout applies to workers already idle. */
	KUNIT_ASSERT_EQ(test, ktpool_set_idle_timeout(pool, 30), 0);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 0, 2000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).idle_timeout_ms, 30U);
}

/*
 * Idle timeout 1 h: the worker idles (reaper queued 1 h out), takes a task,
 * the timeout becomes 200 ms while it is busy, it idles again: it must be
 * reaped no later than timeout + reap interval, not an hour later. The
 * bound has the slack of a machine far slower than this one.
 */
static void ktpool_reaper_retimed_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-hour", 1,
				      KTPOOL_MAX_IDLE_TIMEOUT_MS);
	struct kt_gate *a = kt_gate(test, false), *b = kt_gate(test, true);

	kt_fast_reaper(test, 20);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, a), 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 5000));
	kt_run_gate(test, pool, b);
	KUNIT_ASSERT_EQ(test, kt_stats(pool).idle, 0U);
	KUNIT_ASSERT_EQ(test, ktpool_set_idle_timeout(pool, 200), 0);
	kt_gate_open(b);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 0, 10000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 1ULL);
}

/* ---- 7. runtime tuning ------------------------------------------------ */

static void ktpool_grow_wakes_waiters_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-grow", 1, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *s;

	kt_run_gate(test, pool, hold);
	s = kt_blocked_submit(test, pool, x, 1);

	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 2), 0);
	kt_join_ret(test, s, 0);
	kt_wait_started(test, x);
	/* It ran on a new worker while the first one is still held. */
	KUNIT_EXPECT_NE(test, x->pid, hold->pid);
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).capacity, 2U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 2U);
}

static void ktpool_shrink_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-shrink", 4, 0);
	struct kt_gate *g[4];
	int i;

	for (i = 0; i < 4; i++) {
		g[i] = kt_gate(test, true);
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, g[i]), 0);
	}
	for (i = 0; i < 4; i++)
		kt_wait_started(test, g[i]);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 4U);

	/* Shrink while all are busy: nobody is interrupted. */
	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 4U);
	kt_gate_open(g[0]);
	kt_gate_open(g[1]);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 2, 2000));
	kt_gate_open(g[2]);
	kt_gate_open(g[3]);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).threads == 1, 2000));
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_count_threads("kt-shrink") == 1, 2000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, 3ULL);

	/* Shrinking an idle pool stops the surplus at once. */
	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 3), 0);
	for (i = 0; i < 3; i++) {
		g[i] = kt_gate(test, true);
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, g[i]), 0);
		kt_wait_started(test, g[i]);
	}
	for (i = 0; i < 3; i++)
		kt_gate_open(g[i]);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 3, 2000));
	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_count_threads("kt-shrink") == 1, 2000));
}

/* ---- ktpool_submit_timeout() ------------------------------------------ */

static void ktpool_submit_timeout_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-subto", 1, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false), *z = kt_gate(test, false);
	struct kt_gate *w = kt_gate(test, false);
	struct kt_call *c;

	/* No thread yet: 0 ms may still spawn one. */
	KUNIT_ASSERT_EQ(test, ktpool_submit_timeout(pool, kt_gate_fn, hold, 0), 0);
	kt_wait_started(test, hold);
	/* Full: 0 ms answers -EBUSY at once, as nowait does. */
	KUNIT_EXPECT_EQ(test, ktpool_submit_timeout(pool, kt_gate_fn, x, 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).rejected, 1ULL);
	/* The worker stays held: the deadline passes. */
	KUNIT_EXPECT_EQ(test, ktpool_submit_timeout(pool, kt_gate_fn, y, 30),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).timed_out, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);
	KUNIT_EXPECT_EQ(test, ktpool_submit_timeout(NULL, kt_gate_fn, y, 30), -EINVAL);
	/* A long deadline: served when the worker comes back. */
	c = kt_submit_timeout_async(test, pool, kt_gate_fn, z,
				    KT_GUARD_MS(10));
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 2000));
	kt_gate_open(hold);
	kt_join_ret(test, c, 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	/* An idle worker: 0 ms hands it over. */
	KUNIT_EXPECT_EQ(test, ktpool_submit_timeout(pool, kt_gate_fn, w, 0), 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs) + atomic_read(&y->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&z->runs) + atomic_read(&w->runs), 2);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).timed_out, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).submitted, 3ULL);
}

/* ---- max_waiters ------------------------------------------------------ */

static void ktpool_max_waiters_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-maxw", 1, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false), *z = kt_gate(test, false);
	struct kt_call *c1, *c2;
	struct ktpool_stats st;

	KUNIT_EXPECT_EQ(test, ktpool_set_max_waiters(NULL, 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, ktpool_set_max_waiters(pool, 1), 0);
	kt_run_gate(test, pool, hold);
	c1 = kt_blocked_submit(test, pool, x, 1);

	/* One more: refused at once, from every kind of blocking submit. */
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_gate_fn, y), -EBUSY);
	KUNIT_EXPECT_EQ(test, ktpool_submit_timeout(pool, kt_gate_fn, y,
						    KT_GUARD_MS(10)), -EBUSY);
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, y), -EBUSY);
	/* try and nowait never wait: not counted */
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, kt_gate_fn, y), -EBUSY);
	st = kt_stats(pool);
	KUNIT_EXPECT_EQ(test, st.waiters_refused, 3ULL);
	KUNIT_EXPECT_EQ(test, st.rejected, 1ULL);
	KUNIT_EXPECT_EQ(test, st.waiters, 1U);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait_timeout(grp, 0), 0);

	/* 0 = no bound: a second waiter (a group submit) blocks. */
	KUNIT_ASSERT_EQ(test, ktpool_set_max_waiters(pool, 0), 0);
	c2 = kt_group_async(test, kt_group_submit_call, grp, z);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 2, 2000));
	kt_gate_open(hold);
	kt_join_ret(test, c1, 0);
	kt_join_ret(test, c2, 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&y->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs) + atomic_read(&z->runs), 2);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters_refused, 3ULL);
}

/* ---- 8. drain --------------------------------------------------------- */

/* Pools for bad calls; a call made by a task on a worker of @pool. */
struct kt_bad {
	struct ktpool *pool;	/* healthy, capacity 3, timeout 100 */
	struct ktpool *dying;	/* ktpool_destroy() in progress */
	atomic_t runs;
	int ret;
	struct completion done;
};

static void kt_drain_self_fn(void *data)
{
	struct kt_bad *b = data;

	b->ret = ktpool_drain(b->pool);
	complete(&b->done);
}

/* Run @fn on a worker of b->pool and return what it recorded. */
static int kt_on_worker(struct kt_bad *b, ktpool_fn_t fn)
{
	int ret;

	b->ret = -ETIMEDOUT;
	reinit_completion(&b->done);
	ret = ktpool_submit(b->pool, fn, b);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&b->done, KT_GUARD(5)))
		return -ETIMEDOUT;
	return b->ret;
}

static void kt_sleep_fn(void *data)
{
	msleep(20);
	atomic_inc(data);
}

static void ktpool_drain_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-drain", 4, 0);
	struct kt_bad *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	atomic_t runs = ATOMIC_INIT(0);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, d);
	for (i = 0; i < 12; i++)
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_sleep_fn, &runs), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 12);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).completed, 12ULL);

	/* From a worker of the same pool: refused, not a deadlock. */
	d->pool = pool;
	init_completion(&d->done);
	KUNIT_EXPECT_EQ(test, kt_on_worker(d, kt_drain_self_fn), -EDEADLK);
}

/* ---- 9. destroy ------------------------------------------------------- */

static void ktpool_destroy_test(struct kunit *test)
{
	struct ktpool *pool = ktpool_create("kt-destroy", 1, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *d, *s1, *s2;
	atomic_t runs = ATOMIC_INIT(0);

	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	kt_run_gate(test, pool, hold);
	s1 = kt_submit_async(test, pool, kt_gate_fn, x);
	s2 = kt_blocked_submit(test, pool, x, 2);

	d = kt_async(test, kt_destroy_call, pool, NULL, NULL);
	/* Blocked submitters are sent away; the running task is waited for. */
	KUNIT_EXPECT_EQ(test, kt_join(s1), 0);
	KUNIT_EXPECT_EQ(test, kt_join(s2), 0);
	KUNIT_EXPECT_EQ(test, s1->ret, -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, s2->ret, -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, kt_count_fn, &runs), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_count_fn, &runs), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, kt_count_fn, &runs), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-destroy"), 1U);

	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));

	kt_gate_open(hold);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done, KT_GUARD(10)), 0);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-destroy"), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 0);
	/* The name is free again once destroy has returned. */
	pool = ktpool_create("kt-destroy", 1, 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR(pool));
	ktpool_destroy(pool);
}

/* ---- 9b. destroy waits for every caller inside the API ---------------- */

/*
 * Start ktpool_destroy(@pool) in a thread; returns once it has begun. From
 * then on the pool is the thread's: kt_exit() leaves it alone, and the
 * thread is joined after it.
 */
static struct kt_call *kt_destroy_async(struct kunit *test,
					struct ktpool *pool)
{
	struct kt_call *d = kt_async(test, kt_destroy_call, pool, NULL, NULL);
	struct kt_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < ctx->nr_pools; i++)
		if (ctx->pools[i] == pool)
			ctx->pools[i] = NULL;
	/* The pools here have no idle timeout: a probe that changes nothing. */
	KUNIT_EXPECT_TRUE(test, KT_WAIT(ktpool_set_idle_timeout(pool, 0) ==
					-ESHUTDOWN, 5000));
	return d;
}

/*
 * The destroy must still be waiting for the held caller: with the caller
 * counted it cannot return, so this is no race (the wait is only how long
 * the test gives a wrong destroy to show itself).
 */
static void kt_destroy_still_waits(struct kunit *test, struct kt_call *d)
{
	msleep(500);
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));
}

/* The destroy started by kt_destroy_async() returns. */
static void kt_destroy_finished(struct kunit *test, struct kt_call *d)
{
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done, KT_GUARD(30)), 0);
}

/* ---- 9c. a second destroy, and module exit, while the first runs ------ */

/* Where ktpool_destroy_refused() held the second destroy, and what it saw. */
struct kt_twice {
	struct kt_call *first;
	struct kt_gate *hold;
	const char *pool_start, *pool_end;	/* the pool's memory */
	bool first_was_waiting;	/* when the refusal was reported */
	bool first_returned;	/* the first destroy returned meanwhile */
	bool name_in_pool;	/* the name reported was read from the pool */
	char name[KTPOOL_NAME_LEN];
	int reports;
};

/* A static stub has no argument for its context. */
static struct kt_twice *kt_twice_cur;

/*
 * The refusal of the second destroy, held: the first one frees the pool
 * meanwhile. What is reported must not come from the pool.
 */
static void kt_twice_refused(const char *name)
{
	struct kt_twice *t = kt_twice_cur;

	t->reports++;
	t->first_was_waiting = !completion_done(&t->first->done);
	kt_gate_open(t->hold);
	/* Not a wait that takes the completion: the case waits for it too. */
	t->first_returned = KT_WAIT(completion_done(&t->first->done), 10000);
	t->name_in_pool = name >= t->pool_start && name < t->pool_end;
	if (!t->name_in_pool)
		strscpy(t->name, name, sizeof(t->name));
}

/*
 * A second destroy while the first waits for a held task: refused at once,
 * with the pool left to the first. It reports the pool's name after it has
 * let go of the pool (held there by a static stub until the first destroy
 * has freed it), so the name must be its own copy.
 */
static void ktpool_destroy_twice_test(struct kunit *test)
{
	struct kt_twice *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct ktpool *pool = kt_pool(test, "kt-twice", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_call *d;

	KUNIT_ASSERT_NOT_NULL(test, t);
	kt_run_gate(test, pool, hold);
	d = kt_destroy_async(test, pool);

	/* Refused: it returns while the first still waits. */
	ktpool_destroy(pool);
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));
	KUNIT_EXPECT_EQ(test, ktpool_set_idle_timeout(pool, 0), -ESHUTDOWN);

	t->first = d;
	t->hold = hold;
	t->pool_start = (const char *)pool;
	t->pool_end = t->pool_start + ksize(pool);
	kt_twice_cur = t;
	kunit_activate_static_stub(test, ktpool_destroy_refused,
				   kt_twice_refused);
	ktpool_destroy(pool);
	kunit_deactivate_static_stub(test, ktpool_destroy_refused);
	KUNIT_EXPECT_EQ(test, t->reports, 1);
	KUNIT_EXPECT_TRUE(test, t->first_was_waiting);
	KUNIT_EXPECT_TRUE(test, t->first_returned);
	KUNIT_EXPECT_FALSE(test, t->name_in_pool);
	KUNIT_EXPECT_STREQ(test, t->name, "kt-twice");
	kt_destroy_finished(test, d);
}

static int kt_wait_destroys_call(struct kt_call *c)
{
	ktpool_wait_destroys();
	return 0;
}

/*
 * Module exit finds a pool that another thread is destroying (the first
 * destroy waits for a held task): ktpool_destroy_leaked() leaves it to that
 * destroy, and must wait for it before the module's state goes.
 */
static void ktpool_destroy_leaked_waits_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-exitwait", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_call *d, *w;

	kt_run_gate(test, pool, hold);
	d = kt_destroy_async(test, pool);
	w = kt_async(test, kt_wait_destroys_call, NULL, NULL, NULL);
	/* Bounded: how long a wrong wait gets to show itself. */
	msleep(500);
	KUNIT_EXPECT_FALSE(test, completion_done(&w->done));
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));
	kt_gate_open(hold);
	if (!wait_for_completion_timeout(&w->done, KT_GUARD(30)))
		KUNIT_FAIL(test, "the wait for the destroys never ended");
	kt_destroy_finished(test, d);
}

/*
 * A submitter that found no free worker, with the pool lock dropped (held
 * there at KTPOOL_HOLD_POLL), before it spawns or waits.
 */
static void ktpool_destroy_waits_poller_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-dpoll", 2, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *s;
	struct kt_call *d;

	kt_run_gate(test, pool, hold);
	ktpool_test_hold(KTPOOL_HOLD_POLL);
	s = kt_submit_async(test, pool, kt_gate_fn, x);
	kt_wait_held(test);

	d = kt_destroy_async(test, pool);
	kt_gate_open(hold);		/* nothing in flight any more */
	kt_destroy_still_waits(test, d);
	ktpool_test_hold(0);
	kt_join_ret(test, s, -ESHUTDOWN);
	kt_destroy_finished(test, d);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 0);
}

/* A submitter creating a worker for its task. */
static void ktpool_destroy_waits_spawner_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-dspawn", 1, 0);
	struct kt_gate *x = kt_gate(test, false);
	struct kt_call *s;
	struct kt_call *d;

	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	s = kt_submit_async(test, pool, kt_gate_fn, x);
	kt_wait_held(test);

	d = kt_destroy_async(test, pool);
	kt_destroy_still_waits(test, d);
	ktpool_test_hold(0);
	/* Accepted before destroy began: it runs, and destroy waits for it. */
	kt_join_ret(test, s, 0);
	kt_destroy_finished(test, d);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 1);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-dspawn"), 0U);
}

/* A drain that has seen its tasks finish but still holds drain_mutex. */
static void ktpool_destroy_waits_drainer_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-ddrain", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_call *d, *dc;

	kt_run_gate(test, pool, hold);
	ktpool_test_hold(KTPOOL_HOLD_DRAIN);
	dc = kt_async(test, kt_drain_call, pool, NULL, NULL);
	kt_gate_open(hold);
	kt_wait_held(test);

	d = kt_destroy_async(test, pool);
	kt_destroy_still_waits(test, d);
	ktpool_test_hold(0);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&dc->done, KT_GUARD(10)), 0);
	KUNIT_EXPECT_EQ(test, dc->ret, 0);
	kt_destroy_finished(test, d);
}

/* ---- 4b. self-submission to a full pool ------------------------------- */

struct kt_self {
	struct ktpool *pool;
	atomic_t inner;
	int ret;
	pid_t outer_pid, inner_pid;
	struct completion done;
};

static void kt_self_inner(void *data)
{
	struct kt_self *s = data;

	s->inner_pid = current->pid;
	atomic_inc(&s->inner);
}

static void kt_self_outer(void *data)
{
	struct kt_self *s = data;

	s->outer_pid = current->pid;
	s->ret = ktpool_submit(s->pool, kt_self_inner, s);
	complete(&s->done);
}

static void ktpool_self_submit_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-self", 1, 0);
	struct kt_self *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->pool = pool;
	init_completion(&s->done);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_self_outer, s), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&s->done, KT_GUARD(5)), 0);
	KUNIT_EXPECT_EQ(test, s->ret, KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->inner), 1);
	KUNIT_EXPECT_EQ(test, s->inner_pid, s->outer_pid);
}

/* ---- 4c. bounded inline nesting --------------------------------------- */

#define KT_CHAIN_LEN	10000

/* A chain of tasks, each submitting the next one to its own full pool. */
struct kt_chain {
	struct ktpool *pool;
	bool try;		/* try, else anyway */
	atomic_t runs, dups, errors, active, max_active;
	unsigned long start, end;	/* jiffies, for the log */
	struct completion done;
};

static void kt_chain_fn(void *data)
{
	struct kt_chain *c = data;
	int i = atomic_inc_return(&c->runs) - 1;
	int depth = atomic_inc_return(&c->active), max, ret;

	max = atomic_read(&c->max_active);
	while (depth > max && !atomic_try_cmpxchg(&c->max_active, &max, depth))
		;
	if (i >= KT_CHAIN_LEN) {
		atomic_inc(&c->dups);
	} else if (i == KT_CHAIN_LEN - 1) {
		c->end = jiffies;
		complete_all(&c->done);	/* waited for twice by the cap4 case */
	} else {
		ret = c->try ? ktpool_try_submit(c->pool, kt_chain_fn, c) :
			       ktpool_submit(c->pool, kt_chain_fn, c);
		if (ret < 0)
			atomic_inc(&c->errors);
	}
	atomic_dec(&c->active);
}

static struct kt_chain *kt_chain(struct kunit *test, struct ktpool *pool,
				 bool try)
{
	struct kt_chain *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->pool = pool;
	c->try = try;
	init_completion(&c->done);
	c->start = jiffies;
	return c;
}

static void kt_chain_check(struct kunit *test, struct kt_chain *c)
{
	struct ktpool_stats st;

	KUNIT_ASSERT_GT_MSG(test, wait_for_completion_timeout(&c->done, 120 * HZ),
			    0, "runs %d errors %d dups %d max depth %d",
			    atomic_read(&c->runs), atomic_read(&c->errors),
			    atomic_read(&c->dups), atomic_read(&c->max_active));
	kunit_info(test, "%d tasks in %u ms", KT_CHAIN_LEN,
		   jiffies_to_msecs(c->end - c->start));
	KUNIT_ASSERT_EQ(test, ktpool_drain(c->pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->runs), KT_CHAIN_LEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->dups), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->errors), 0);
	/* The task on the worker (or the caller's) plus the bounded nesting. */
	KUNIT_EXPECT_LE(test, atomic_read(&c->max_active),
			KTPOOL_MAX_INLINE_DEPTH + 1);
	st = kt_stats(c->pool);
	KUNIT_EXPECT_GE(test, st.inlined, (u64)KT_CHAIN_LEN - 1);
	KUNIT_EXPECT_EQ(test, st.submitted, st.completed + st.inlined);
}

/* Capacity 1: each task submits the next with anyway from its own worker. */
static void ktpool_inline_chain_cap1_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-chain1", 1, 0);
	struct kt_chain *c = kt_chain(test, pool, false);

	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_chain_fn, c), 0);
	kt_chain_check(test, c);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).peak_threads, 1U);
}

/* Capacity 4, three workers held: try from the fourth worker runs inline. */
static void ktpool_inline_chain_cap4_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-chain4", 4, 0);
	struct kt_chain *c = kt_chain(test, pool, true);
	struct kt_gate *g[3];
	int i;

	for (i = 0; i < 3; i++) {
		g[i] = kt_gate(test, true);
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, g[i]), 0);
		kt_wait_started(test, g[i]);
	}
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_chain_fn, c), 0);
	KUNIT_ASSERT_GT_MSG(test, wait_for_completion_timeout(&c->done, 120 * HZ),
			    0, "runs %d errors %d dups %d max depth %d, %u ms",
			    atomic_read(&c->runs), atomic_read(&c->errors),
			    atomic_read(&c->dups), atomic_read(&c->max_active),
			    jiffies_to_msecs(jiffies - c->start));
	for (i = 0; i < 3; i++)
		kt_gate_open(g[i]);
	kt_chain_check(test, c);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).peak_threads, 4U);
}

/*
 * A caller that is not a worker: try on a full pool runs the chain in the
 * caller, and every task has run once the outermost call returns.
 */
static void ktpool_inline_chain_caller_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-chainc", 1, 0);
	struct kt_chain *c = kt_chain(test, pool, true);
	struct kt_gate *hold = kt_gate(test, true);

	kt_run_gate(test, pool, hold);
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, kt_chain_fn, c),
			KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->runs), KT_CHAIN_LEN);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).inlined, (u64)KT_CHAIN_LEN);
	kt_gate_open(hold);
	kt_chain_check(test, c);
}

/* ---- 11. client unload safety ----------------------------------------- */

static void ktpool_module_ref_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-ref", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	int base = module_refcount(THIS_MODULE);

	kt_run_gate(test, pool, hold);
	/* An accepted, unfinished task pins its module. */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), base + 1);
	kt_gate_open(hold);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), base);
}

/* ---- 11b. no task of a module that is going away -------------------- */

/*
 * A stand-in for a client module: try_module_get() reads only its state and
 * refcount (and its name, for the tracepoint).
 */
static struct module *kt_fake_module(struct kunit *test, enum module_state st)
{
	struct module *mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mod);
	strscpy(mod->name, "kt_fake", sizeof(mod->name));
	mod->state = st;
	atomic_set(&mod->refcnt, 1);	/* MODULE_REF_BASE: no user */
	return mod;
}

static void ktpool_going_module_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-going", 2, 0);
	struct module *mod = kt_fake_module(test, MODULE_STATE_GOING);
	struct kt_gate *warm = kt_gate(test, false);
	atomic_t runs = ATOMIC_INIT(0);
	struct ktpool_stats st;

	/* An idle worker is waiting, so that every mode could be accepted. */
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, warm), 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 5000));
	st = kt_stats(pool);

	KUNIT_EXPECT_EQ(test, __ktpool_try_submit(pool, kt_count_fn, &runs, mod),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, __ktpool_submit(pool, kt_count_fn, &runs, mod),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, __ktpool_submit_nowait(pool, kt_count_fn, &runs, mod),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).submitted, st.submitted);
	KUNIT_EXPECT_EQ(test, atomic_read(&mod->refcnt), 1);

	/* The same module while live: accepted, its reference dropped after. */
	mod->state = MODULE_STATE_LIVE;
	KUNIT_EXPECT_EQ(test, __ktpool_submit(pool, kt_count_fn, &runs, mod), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&mod->refcnt), 1);
}

/* A task that reads its module's refcount while it runs. */
struct kt_ref_seen {
	struct module *mod;
	int seen;
};

static void kt_ref_seen_fn(void *data)
{
	struct kt_ref_seen *r = data;

	r->seen = atomic_read(&r->mod->refcnt);
}

/*
 * Every task holds a reference on its own module from its submit call until
 * it has run, on a worker or inline; a module marked going meanwhile gets
 * no more task in, and each reference is dropped when its task finishes.
 */
static void ktpool_module_ref_per_task_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-refs", 3, 0);
	struct module *a = kt_fake_module(test, MODULE_STATE_LIVE);
	struct module *b = kt_fake_module(test, MODULE_STATE_LIVE);
	struct kt_gate *ga1 = kt_gate(test, true), *ga2 = kt_gate(test, true);
	struct kt_gate *gb = kt_gate(test, true);
	struct kt_ref_seen inl = { .mod = a }, last = { .mod = b };
	atomic_t runs = ATOMIC_INIT(0);

	KUNIT_ASSERT_EQ(test, __ktpool_submit(pool, kt_gate_fn, ga1, a), 0);
	KUNIT_ASSERT_EQ(test, __ktpool_submit(pool, kt_gate_fn, ga2, a), 0);
	KUNIT_ASSERT_EQ(test, __ktpool_submit(pool, kt_gate_fn, gb, b), 0);
	kt_wait_started(test, ga1);
	kt_wait_started(test, ga2);
	kt_wait_started(test, gb);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->refcnt), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->refcnt), 2);

	/* The pool is full: a's task runs inline, on a reference of its own. */
	KUNIT_EXPECT_EQ(test, __ktpool_try_submit(pool, kt_ref_seen_fn, &inl, a),
			KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, inl.seen, 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->refcnt), 3);

	/* Going while its tasks are in flight: refused, nothing taken. */
	a->state = MODULE_STATE_GOING;
	KUNIT_EXPECT_EQ(test, __ktpool_submit_nowait(pool, kt_count_fn, &runs, a),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, __ktpool_try_submit(pool, kt_count_fn, &runs, a),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->refcnt), 3);
	a->state = MODULE_STATE_LIVE;

	/* Each task drops its own reference when it finishes. */
	kt_gate_open(ga1);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_stats(pool).completed == 1, 5000));
	KUNIT_EXPECT_TRUE(test, KT_WAIT(atomic_read(&a->refcnt) == 2, 5000));
	kt_gate_open(ga2);
	KUNIT_ASSERT_EQ(test, __ktpool_submit(pool, kt_ref_seen_fn, &last, b), 0);
	kt_gate_open(gb);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	/* At least its own reference on top of the base one while it ran. */
	KUNIT_EXPECT_GE(test, last.seen, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->refcnt), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->refcnt), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 0);
}

/* ---- faults: failing spawns ------------------------------------------- */

static void ktpool_spawn_failure_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-fail", 2, 0);
	struct kt_gate *x = kt_gate(test, false);
	atomic_t runs = ATOMIC_INIT(0);

	kt_fail_spawn(test, -1);

	/* try still runs the task, inline. */
	KUNIT_EXPECT_EQ(test, ktpool_try_submit(pool, kt_count_fn, &runs),
			KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
	/* anyway with no worker at all: -ENOMEM, not run. */
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_count_fn, &runs), -ENOMEM);
	/* nowait: -EBUSY. */
	KUNIT_EXPECT_EQ(test, ktpool_submit_nowait(pool, kt_count_fn, &runs), -EBUSY);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
	KUNIT_EXPECT_GE(test, kt_stats(pool).spawn_failed, 2ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 0U);

	/* It recovers when spawning works again. */
	kt_fail_spawn(test, 0);
	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_gate_fn, x), 0);
	kt_wait_started(test, x);
	KUNIT_EXPECT_NE(test, x->pid, current->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
}

/* ---- faults: a failed spawn gives its slot to a waiter ---------------- */

/*
 * Capacity 1, no thread: A reserves the slot and is held before its spawn;
 * B finds nothing idle, nothing busy, no room, and blocks. A's spawn fails
 * (@kill: A is killed, -EINTR; else an injected -ENOMEM): B must be woken to
 * spawn a worker itself, and A returns the errno of its spawn.
 */
static void kt_stranded_case(struct kunit *test, const char *name, bool kill)
{
	struct ktpool *pool = kt_pool(test, name, 1, 0);
	struct kt_gate *x = kt_gate(test, false);
	struct kt_call *a, *b;
	atomic_t runs = ATOMIC_INIT(0);

	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	if (!kill)
		kt_fail_spawn(test, 1);
	a = kt_submit_async(test, pool, kt_count_fn, &runs);
	kt_wait_held(test);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	b = kt_blocked_submit(test, pool, x, 1);

	if (kill)
		send_sig(SIGKILL, a->task, 1);
	else
		ktpool_test_hold(0);
	kt_join_ret(test, a, kill ? -EINTR : -ENOMEM);
	ktpool_test_hold(0);

	/* B was given the slot back: it spawned a worker for its task. */
	kt_join_ret(test, b, 0);
	kt_wait_started(test, x);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawn_failed, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);
}

static void ktpool_spawn_fail_wakes_waiter_test(struct kunit *test)
{
	kt_stranded_case(test, "kt-strand", false);
}

static void ktpool_spawn_killed_wakes_waiter_test(struct kunit *test)
{
	kt_stranded_case(test, "kt-strandk", true);
}

/*
 * Capacity 2, one worker held; B's own spawn fails, so B waits behind the
 * held worker with a slot free. B must not wait for that worker (whose task
 * might wait for B's): it tries to spawn again after the cooldown, and its
 * task runs on a second worker while the first is still held.
 */
static void ktpool_spawn_failed_waiter_retries_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-retry", 2, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *b;

	kt_run_gate(test, pool, hold);
	kt_fail_spawn(test, 1);
	b = kt_submit_async(test, pool, kt_gate_fn, x);
	/* the cooldown is a second: the guard is ten times what that needs */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&x->runs) == 1, 3000));
	kt_join_ret(test, b, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	KUNIT_EXPECT_EQ(test, completion_done(&hold->open), false);
	KUNIT_EXPECT_NE(test, x->pid, hold->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawn_failed, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 2U);
	kt_gate_open(hold);
}

/* ---- faults: a failed spawn finds the worker that went idle -------- */

/* Has @x run, or has @pool queued a waiter (*@queued) first? */
static bool kt_ran_or_queued(struct ktpool *pool, struct kt_gate *x,
			     bool *queued)
{
	if (atomic_read(&x->runs))
		return true;
	*queued = kt_stats(pool).waiters != 0;
	return *queued;
}

/*
 * Capacity 2, one worker busy: S (anyway) finds no worker free, reserves
 * the second slot and is held in its spawn, which is to fail. Meanwhile
 * the worker finishes and parks idle, with no waiter to serve. S's spawn
 * fails: S must give its task to that idle worker, never queue as a
 * waiter behind it, where nothing would wake S before its cooldown: a
 * parked worker does not look at the waiters again.
 */
static void ktpool_spawn_failed_takes_idle_worker_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-fidle", 2, 0);
	struct kt_gate *busy = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *s;
	bool queued = false;

	kt_run_gate(test, pool, busy);
	kt_fail_spawn(test, 1);
	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	s = kt_submit_async(test, pool, kt_gate_fn, x);
	kt_wait_held(test);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 2U);

	kt_gate_open(busy);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 5000));
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 0);
	ktpool_test_hold(0);

	/* A waiter would stay queued for its cooldown: a second of polls. */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_ran_or_queued(pool, x, &queued),
					5000));
	KUNIT_EXPECT_FALSE_MSG(test, queued,
			       "S queued as a waiter with a worker idle");
	kt_join_ret(test, s, 0);
	kt_wait_started(test, x);
	/* Its task ran on the worker that was busy, the only thread. */
	KUNIT_EXPECT_EQ(test, x->pid, busy->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawn_failed, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);
}

/* ---- faults: a failed waiter that leaves gives back what it held ---- */

/*
 * Capacity 2, one worker held, every spawn failing. A's spawn fails: A
 * waits, marked failed, with the second slot free. C takes that slot and
 * is held before its spawn, so B finds the pool full and queues behind A.
 * C's spawn fails: the slot is free again, but the waiters are not woken
 * past A, which will try again itself. Then A leaves (@kill: killed; else
 * its timeout runs out) before its cooldown has passed. B is now the
 * oldest waiter: it must get the free slot, and its task a new worker,
 * while the held worker is still held: B, never failed itself, must not
 * wait for that worker, whose task might wait for B's.
 */
static void kt_left_case(struct kunit *test, const char *name, bool kill)
{
	struct ktpool *pool = kt_pool(test, name, 2, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_call *a, *b, *c;
	atomic_t runs = ATOMIC_INIT(0);

	kt_run_gate(test, pool, hold);
	kt_fail_spawn(test, -1);

	/*
	 * A's time is shorter than its cooldown (a second), so that it leaves
	 * without a retry of its own; what comes first is a few polls.
	 */
	a = kt_submit_timeout_async(test, pool, kt_count_fn, &runs,
				    kill ? 0 : 800);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 5000));
	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	c = kt_submit_async(test, pool, kt_count_fn, &runs);
	kt_wait_held(test);
	b = kt_submit_async(test, pool, kt_gate_fn, x);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 2 ||
					completion_done(&a->done), 5000));
	/* C's spawn fails; C waits too, behind B. */
	ktpool_test_hold(0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 3 ||
					completion_done(&a->done), 5000));
	if (completion_done(&a->done))
		kunit_skip(test, "A's time ran out before C's spawn failed");

	if (kill)
		send_sig(SIGKILL, a->task, 1);
	kt_join_ret(test, a, kill ? -EINTR : -ETIMEDOUT);
	/* Spawns work again; B may have tried (and failed) once already. */
	kt_fail_spawn(test, 0);

	/* the cooldown is a second: the guard is ten times what that needs */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&x->runs) == 1, 3000));
	kt_join_ret(test, b, 0);
	KUNIT_EXPECT_EQ(test, completion_done(&hold->open), false);
	KUNIT_EXPECT_NE(test, x->pid, hold->pid);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 2U);

	kt_gate_open(hold);
	kt_join_ret(test, c, 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	/* C's task, never A's. */
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
}

static void ktpool_failed_waiter_killed_frees_slot_test(struct kunit *test)
{
	kt_left_case(test, "kt-leftk", true);
}

static void ktpool_failed_waiter_timeout_frees_slot_test(struct kunit *test)
{
	kt_left_case(test, "kt-leftt", false);
}

/* ---- waiters: oldest first across a retry ---------------------------- */

/* A task that records in which order it ran, of those sharing @seq. */
struct kt_order_task {
	atomic_t *seq;
	int at;			/* 1 for the first to run, 0 until it runs */
};

static void kt_order_fn(void *data)
{
	struct kt_order_task *t = data;

	t->at = atomic_inc_return(t->seq);
}

/*
 * Capacity 2, one busy worker, every spawn failing: A and B block, A first,
 * each after its own spawn failed. When A's cooldown has passed it tries
 * again (and fails): it must keep its place ahead of B, so that the worker,
 * once free, serves A first, not behind B.
 */
static void ktpool_waiter_keeps_place_on_retry_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-fifo", 2, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_order_task *ta = kunit_kzalloc(test, sizeof(*ta), GFP_KERNEL);
	struct kt_order_task *tb = kunit_kzalloc(test, sizeof(*tb), GFP_KERNEL);
	struct kt_call *a, *b;
	u64 failed;

	KUNIT_ASSERT_NOT_NULL(test, ta);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	ta->seq = kt_runs(test);
	tb->seq = ta->seq;
	kt_run_gate(test, pool, hold);
	kt_fail_spawn(test, -1);

	a = kt_submit_async(test, pool, kt_order_fn, ta);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 5000));
	/*
	 * B queues well after A, so that A's cooldown ends first and A's
	 * retry comes before B's: a queue that put a retrier at its tail
	 * would then serve B first.
	 */
	msleep(300);
	b = kt_submit_async(test, pool, kt_order_fn, tb);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 2, 5000));
	/* Each failed its own spawn on the way in (A maybe a retry more). */
	failed = kt_stats(pool).spawn_failed;
	KUNIT_EXPECT_GE(test, failed, 2ULL);

	/* A retry failed; it is back in the queue in the same lock hold. */
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).spawn_failed > failed,
					3000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 2U);
	kt_gate_open(hold);
	kt_join_ret(test, a, 0);
	kt_join_ret(test, b, 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, ta->at, 1);
	KUNIT_EXPECT_EQ(test, tb->at, 2);
}

/*
 * A waiter whose spawn failed is woken again and again before its cooldown
 * ends (wake_up_process() from here, as any spurious wake-up): it still
 * tries again once the cooldown has passed, counted by spawn_failed: a
 * cooldown that each wake-up restarted would never pass.
 */
static void ktpool_spurious_wake_keeps_cooldown_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-cool", 2, 0);
	struct kt_gate *hold = kt_gate(test, true);
	unsigned long end = jiffies + KT_GUARD(2);
	struct kt_call *a;
	atomic_t runs = ATOMIC_INIT(0);
	u64 failed;

	kt_run_gate(test, pool, hold);
	kt_fail_spawn(test, -1);
	a = kt_submit_async(test, pool, kt_count_fn, &runs);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 5000));
	failed = kt_stats(pool).spawn_failed;

	/* A wake-up every 20 ms, far more often than the one-second cooldown. */
	while (kt_stats(pool).spawn_failed == failed &&
	       time_before(jiffies, end)) {
		wake_up_process(a->task);
		msleep(20);
	}
	KUNIT_EXPECT_GT(test, kt_stats(pool).spawn_failed, failed);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 1U);

	kt_gate_open(hold);
	kt_join_ret(test, a, 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
}

/* ---- batches: destroy and shrink with many of each -------------------- */

/* More than a few batches of the pool lock (KTPOOL_WAKE_BATCH, 16). */
#define KT_CROWD	40

/* KT_CROWD kthreads, each blocked in one ktpool_submit(). */
struct kt_crowd {
	struct ktpool *pool;
	atomic_t runs;
	atomic_t left, shutdown, other;
	struct completion done;		/* the last one has returned */
};

static int kt_crowd_fn(void *arg)
{
	struct kt_crowd *c = arg;
	int ret = ktpool_submit(c->pool, kt_count_fn, &c->runs);

	atomic_inc(ret == -ESHUTDOWN ? &c->shutdown : &c->other);
	kthread_complete_and_exit(atomic_dec_and_test(&c->left) ? &c->done :
				  NULL, 0);
}

/* At the end of the case, after its pools are gone: the crowd has left. */
static void kt_crowd_wait(void *arg)
{
	struct kt_crowd *c = arg;

	if (atomic_read(&c->left))
		wait_for_completion_timeout(&c->done, KT_GUARD(10));
}

/* A task on @hold holds the pool's only worker; KT_CROWD block behind it. */
static struct kt_crowd *kt_crowd(struct kunit *test, struct ktpool *pool,
				 struct kt_gate *hold)
{
	struct kt_crowd *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *t;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->pool = pool;
	init_completion(&c->done);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kt_crowd_wait, c));
	kt_run_gate(test, pool, hold);
	for (i = 0; i < KT_CROWD; i++) {
		atomic_inc(&c->left);
		t = kthread_run(kt_crowd_fn, c, "kt_crowd");
		if (IS_ERR(t))
			atomic_dec(&c->left);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == KT_CROWD,
					5000));
	return c;
}

static void ktpool_destroy_many_waiters_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-dcrowd", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_crowd *c;
	struct kt_call *d;

	c = kt_crowd(test, pool, hold);

	/* Every blocked submitter is sent away while the task still runs. */
	d = kt_destroy_async(test, pool);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&c->done, KT_GUARD(10)), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->shutdown), KT_CROWD);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->other), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->runs), 0);
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));
	kt_gate_open(hold);
	kt_destroy_finished(test, d);
	KUNIT_EXPECT_EQ(test, kt_count_threads("kt-dcrowd"), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->runs), 0);
}

/*
 * KT_CROWD blocked submitters, a grow by as many slots: the grow wakes them
 * in batches, and each one woken reserves a slot and is held before its
 * spawn. Every one must be woken, however many of the woken ones have
 * reserved their slot between two batches: one that has must not be
 * subtracted from the room twice. Only a machine where they run between
 * the batches, with more than one CPU or preemption, can show it.
 */
static void ktpool_grow_in_batches_wakes_all_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-gcrowd", 1, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_crowd *c;

	c = kt_crowd(test, pool, hold);

	ktpool_test_hold(KTPOOL_HOLD_SPAWN);
	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 1 + KT_CROWD), 0);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(ktpool_test_held() == KT_CROWD, 5000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U + KT_CROWD);

	ktpool_test_hold(0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&c->done, KT_GUARD(10)), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->other), KT_CROWD);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&c->runs) == KT_CROWD,
					5000));
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	kt_gate_open(hold);
}

/*
 * KT_CROWD idle workers: a shrink to 1 retires every surplus one, in
 * batches, before it returns; the pool still works afterwards. (The
 * debugfs workers file, which kernel_read() cannot read through debugfs's
 * proxy, is read by selftests/ktpool_observe.sh.)
 */
static void ktpool_shrink_many_idle_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-scrowd", KT_CROWD, 0);
	struct kt_gate *hold = kt_gate(test, true);
	atomic_t runs = ATOMIC_INIT(0);
	int i;

	for (i = 0; i < KT_CROWD; i++)
		KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_gate_fn, hold), 0);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(atomic_read(&hold->runs) == KT_CROWD,
					5000));
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, KT_CROWD);
	kt_gate_open(hold);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == KT_CROWD, 5000));
	KUNIT_ASSERT_EQ(test, ktpool_set_capacity(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).threads, 1U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).idle, 1U);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).reaped, (u64)KT_CROWD - 1);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(kt_count_threads("kt-scrowd") == 1, 5000));

	KUNIT_EXPECT_EQ(test, ktpool_submit(pool, kt_count_fn, &runs), 0);
	KUNIT_ASSERT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&runs), 1);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).spawned, (u64)KT_CROWD);
}

/* ---- 12b. the bad-input table ---------------------------------------- */

static void kt_bad_destroy_fn(void *data)
{
	struct kt_bad *b = data;

	/* For scripts/verdict.py: the WARN_ON_ONCE below is on purpose. */
	pr_info("KTPOOL-EXPECT: WARNING ktpool_destroy\n");
	ktpool_destroy(b->pool);	/* refused: its own worker */
	b->ret = 0;
	complete(&b->done);
}

static int kt_bad_create(const char *name, unsigned int cap, unsigned int ms)
{
	struct ktpool *p = ktpool_create(name, cap, ms);

	if (!IS_ERR(p)) {
		ktpool_destroy(p);
		return 0;
	}
	return PTR_ERR(p);
}

static const struct {
	const char *desc;
	int err;
	int submits;		/* tasks the case itself gets accepted */
} kt_bad_cases[] = {
	{ "create: NULL name", -EINVAL },
	{ "create: empty name", -EINVAL },
	{ "create: overlong name", -EINVAL },
	{ "create: name with '/'", -EINVAL },
	{ "create: capacity 0", -EINVAL },
	{ "create: capacity max+1", -EINVAL },
	{ "create: idle timeout max+1", -EINVAL },
	{ "create: duplicate name", -EEXIST },
	{ "try_submit: NULL pool", -EINVAL },
	{ "submit: NULL fn", -EINVAL },
	{ "submit_nowait: NULL fn", -EINVAL },
	{ "set_capacity: 0", -EINVAL },
	{ "set_capacity: max+1", -EINVAL },
	{ "set_capacity: NULL pool", -EINVAL },
	{ "set_idle_timeout: max+1", -EINVAL },
	{ "drain: NULL pool", -EINVAL },
	{ "drain: from its own worker", -EDEADLK, 1 },
	{ "destroy: from its own worker (refused, pool intact)", 0, 1 },
	{ "try_submit: destroy has begun", -ESHUTDOWN },
	{ "submit: destroy has begun", -ESHUTDOWN },
	{ "submit_nowait: destroy has begun", -ESHUTDOWN },
	{ "set_capacity: destroy has begun", -ESHUTDOWN },
	{ "drain: destroy has begun", -ESHUTDOWN },
	{ "destroy: a second time while the first runs (refused)", 0 },
};

KUNIT_ARRAY_PARAM_DESC(kt_bad, kt_bad_cases, desc);

static int kt_bad_op(struct kt_bad *b, int i)
{
	switch (i) {
	case 0: return kt_bad_create(NULL, 1, 0);
	case 1: return kt_bad_create("", 1, 0);
	case 2: return kt_bad_create("abcdefghijklmnopqrstuvwxyz", 1, 0);
	case 3: return kt_bad_create("a/b", 1, 0);
	case 4: return kt_bad_create("kt-b0", 0, 0);
	case 5: return kt_bad_create("kt-b1", KTPOOL_MAX_CAPACITY + 1, 0);
	case 6: return kt_bad_create("kt-b2", 1, KTPOOL_MAX_IDLE_TIMEOUT_MS + 1);
	case 7: return kt_bad_create("kt-bad", 1, 0);
	case 8: return ktpool_try_submit(NULL, kt_count_fn, &b->runs);
	case 9: return ktpool_submit(b->pool, NULL, &b->runs);
	case 10: return ktpool_submit_nowait(b->pool, NULL, &b->runs);
	case 11: return ktpool_set_capacity(b->pool, 0);
	case 12: return ktpool_set_capacity(b->pool, KTPOOL_MAX_CAPACITY + 1);
	case 13: return ktpool_set_capacity(NULL, 2);
	case 14: return ktpool_set_idle_timeout(b->pool, KTPOOL_MAX_IDLE_TIMEOUT_MS + 1);
	case 15: return ktpool_drain(NULL);
	case 16: return kt_on_worker(b, kt_drain_self_fn);
	case 17: return kt_on_worker(b, kt_bad_destroy_fn);
	case 18: return ktpool_try_submit(b->dying, kt_count_fn, &b->runs);
	case 19: return ktpool_submit(b->dying, kt_count_fn, &b->runs);
	case 20: return ktpool_submit_nowait(b->dying, kt_count_fn, &b->runs);
	case 21: return ktpool_set_capacity(b->dying, 2);
	case 22: return ktpool_drain(b->dying);
	default:
		ktpool_destroy(b->dying);
		return 0;
	}
}

static void ktpool_bad_input_table_test(struct kunit *test)
{
	struct kt_bad *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct kt_gate *hold = kt_gate(test, true);
	int i = (typeof(kt_bad_cases[0]) *)test->param_value - kt_bad_cases;
	struct ktpool_stats before, after, dbefore, dafter, def0, def1;
	struct kt_call *d;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_GE(test, ARRAY_SIZE(kt_bad_cases), 15);
	init_completion(&b->done);
	b->pool = kt_pool(test, "kt-bad", 3, 100);

	/* A pool whose destroy is waiting for a held task. */
	b->dying = ktpool_create("kt-dying", 1, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b->dying));
	KUNIT_ASSERT_EQ(test, ktpool_submit(b->dying, kt_gate_fn, hold), 0);
	kt_wait_started(test, hold);
	d = kt_async(test, kt_destroy_call, b->dying, NULL, NULL);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(ktpool_set_capacity(b->dying, 1) ==
					-ESHUTDOWN, 2000));

	def0 = kt_stats(ktpool_default());
	before = kt_stats(b->pool);
	dbefore = kt_stats(b->dying);
	KUNIT_EXPECT_EQ(test, kt_bad_op(b, i), kt_bad_cases[i].err);
	KUNIT_ASSERT_EQ(test, ktpool_drain(b->pool), 0);
	after = kt_stats(b->pool);
	dafter = kt_stats(b->dying);
	/* Nothing created, changed or run by a bad call. */
	KUNIT_EXPECT_EQ(test, after.capacity, 3U);
	KUNIT_EXPECT_EQ(test, after.idle_timeout_ms, 100U);
	KUNIT_EXPECT_EQ(test, after.submitted,
			before.submitted + kt_bad_cases[i].submits);
	KUNIT_EXPECT_EQ(test, dafter.submitted, dbefore.submitted);
	KUNIT_EXPECT_EQ(test, dafter.capacity, 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->runs), 0);
	def1 = kt_stats(ktpool_default());
	KUNIT_EXPECT_EQ(test, def1.capacity, def0.capacity);
	KUNIT_EXPECT_EQ(test, def1.idle_timeout_ms, def0.idle_timeout_ms);
	/* The healthy pool still works after its worker refused to destroy it. */
	KUNIT_EXPECT_EQ(test, ktpool_submit(b->pool, kt_count_fn, &b->runs), 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(b->pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->runs), 1);

	/* The first destroy still completes once its task is released. */
	kt_gate_open(hold);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&d->done, KT_GUARD(10)), 0);
}

static struct kunit_case ktpool_test_cases[] = {
	KUNIT_CASE(ktpool_bad_create_test),
	KUNIT_CASE(ktpool_bad_calls_test),
	KUNIT_CASE(ktpool_lazy_threads_test),
	KUNIT_CASE(ktpool_bound_concurrent_test),
	KUNIT_CASE(ktpool_many_threads_test),
	KUNIT_CASE(ktpool_lifo_test),
	KUNIT_CASE(ktpool_try_test),
	KUNIT_CASE(ktpool_anyway_blocks_test),
	KUNIT_CASE(ktpool_anyway_killable_test),
	KUNIT_CASE(ktpool_nowait_test),
	KUNIT_CASE(ktpool_reaper_test),
	KUNIT_CASE(ktpool_reaper_spares_busy_test),
	KUNIT_CASE(ktpool_reaper_never_test),
	KUNIT_CASE(ktpool_reaper_retimed_test),
	KUNIT_CASE(ktpool_grow_wakes_waiters_test),
	KUNIT_CASE(ktpool_shrink_test),
	KUNIT_CASE(ktpool_submit_timeout_test),
	KUNIT_CASE(ktpool_max_waiters_test),
	KUNIT_CASE(ktpool_drain_test),
	KUNIT_CASE(ktpool_destroy_test),
	KUNIT_CASE(ktpool_destroy_waits_poller_test),
	KUNIT_CASE(ktpool_destroy_waits_spawner_test),
	KUNIT_CASE(ktpool_destroy_waits_drainer_test),
	KUNIT_CASE(ktpool_destroy_twice_test),
	KUNIT_CASE(ktpool_destroy_leaked_waits_test),
	KUNIT_CASE(ktpool_self_submit_test),
	KUNIT_CASE(ktpool_resched_between_tasks_test),
	KUNIT_CASE(ktpool_inline_chain_cap1_test),
	KUNIT_CASE(ktpool_inline_chain_cap4_test),
	KUNIT_CASE(ktpool_inline_chain_caller_test),
	KUNIT_CASE(ktpool_module_ref_test),
	KUNIT_CASE(ktpool_going_module_test),
	KUNIT_CASE(ktpool_module_ref_per_task_test),
	KUNIT_CASE(ktpool_spawn_failure_test),
	KUNIT_CASE(ktpool_spawn_fail_wakes_waiter_test),
	KUNIT_CASE(ktpool_spawn_killed_wakes_waiter_test),
	KUNIT_CASE_SLOW(ktpool_spawn_failed_waiter_retries_test),
	KUNIT_CASE(ktpool_spawn_failed_takes_idle_worker_test),
	KUNIT_CASE_SLOW(ktpool_failed_waiter_killed_frees_slot_test),
	KUNIT_CASE_SLOW(ktpool_failed_waiter_timeout_frees_slot_test),
	KUNIT_CASE_SLOW(ktpool_waiter_keeps_place_on_retry_test),
	KUNIT_CASE_SLOW(ktpool_spurious_wake_keeps_cooldown_test),
	KUNIT_CASE(ktpool_destroy_many_waiters_test),
	KUNIT_CASE(ktpool_grow_in_batches_wakes_all_test),
	KUNIT_CASE(ktpool_shrink_many_idle_test),
	KUNIT_CASE_PARAM(ktpool_bad_input_table_test, kt_bad_gen_params),
	{}
};

static struct kunit_suite ktpool_test_suite = {
	.name = "ktpool",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = ktpool_test_cases,
};

kunit_test_suite(ktpool_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for ktpool");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
