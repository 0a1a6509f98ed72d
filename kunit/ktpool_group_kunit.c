// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for ktpool task groups (suite "ktpool_group"): one case or
 * more for each semantic of the groups (G1..G8).
 *
 * The gates, pools and threads of a case are released by kt_exit() and the
 * actions after it (ktpool_kunit.h). No case asserts how much work fits in
 * a time: a wait ends as soon as its condition holds, and a time limit that
 * must expire (-ETIMEDOUT) only ever guards a task held by a closed gate.
 */

#include "ktpool_kunit.h"

/* Somebody sleeps at the group's limit (private field, for the tests). */
static bool kt_limit_waiter(struct ktpool_group *grp)
{
	return wq_has_sleeper(&grp->room);
}

/* ---- a worker's task waits at its group's limit ----------------------- */

/*
 * Pool of capacity 1, a plain task T on its one worker. Another thread X
 * submits to T's group: it takes the group's slot and waits for the worker
 * T holds. T then submits to the group and/or waits for it: T must not wait
 * for X (it runs its task inline, and runs X's task itself, in flight as
 * on any worker).
 */
struct kt_lw_param {
	const char *name;
	bool submit;		/* T submits to the group before it waits */
	bool wait_first;	/* T sleeps in the wait before X comes */
};

static const struct kt_lw_param kt_lw_params[] = {
	{ "submit then wait", true, false },
	{ "wait", false, false },
	{ "wait, then a task queued", false, true },
};

static void kt_lw_desc(const struct kt_lw_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_lw, kt_lw_params, kt_lw_desc);

struct kt_lw {
	struct ktpool_group *grp;
	struct kt_gate *mine;	/* T's own group task */
	struct kt_gate *other;	/* X's task, if set: its runs when T's wait ended */
	int other_runs;
	struct completion started, go, done;
	bool submit;
	unsigned int timeout_ms;	/* T's wait is timed */
	int submit_ret, wait_ret;
	pid_t pid;
};

static void kt_lw_fn(void *data)
{
	struct kt_lw *lw = data;

	lw->pid = current->pid;
	complete(&lw->started);
	wait_for_completion(&lw->go);
	if (lw->submit)
		lw->submit_ret = ktpool_group_submit(lw->grp, kt_ggate_fn,
						     lw->mine);
	lw->wait_ret = lw->timeout_ms ?
		       ktpool_group_wait_timeout(lw->grp, lw->timeout_ms) :
		       ktpool_group_wait(lw->grp);
	if (lw->other)
		lw->other_runs = atomic_read(&lw->other->runs);
	complete(&lw->done);
}

/* T on the only worker of @grp's pool, waiting for its go; let go at exit. */
static struct kt_lw *kt_lw_start(struct kunit *test, struct ktpool_group *grp,
				 bool submit, unsigned int timeout_ms)
{
	struct kt_lw *lw = kunit_kzalloc(test, sizeof(*lw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, lw);
	init_completion(&lw->started);
	init_completion(&lw->go);
	init_completion(&lw->done);
	kt_open_at_exit(test, &lw->go);
	lw->grp = grp;
	lw->submit = submit;
	lw->mine = kt_gate(test, false);
	lw->timeout_ms = timeout_ms;
	KUNIT_ASSERT_EQ(test, ktpool_submit(grp->pool, kt_lw_fn, lw), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&lw->started,
							  KT_GUARD(5)), 0);
	return lw;
}

static void ktpool_group_worker_at_limit_test(struct kunit *test)
{
	const struct kt_lw_param *p = test->param_value;
	struct ktpool *pool = kt_pool(test, "kt-g-wlimit", 1, 0);
	struct ktpool_group *grp = kt_group(test, pool, p->wait_first ? 2 : 1);
	struct kt_lw *lw = kt_lw_start(test, grp, p->submit, 0);
	struct kt_gate *xg = kt_gate(test, false), *yg = NULL;
	struct kt_call *x, *y = NULL;
	struct ktpool_stats st;
	bool done;

	if (p->wait_first) {
		/* A task of the group runs inline elsewhere: T's wait sleeps. */
		yg = kt_gate(test, true);
		y = kt_group_async(test, kt_group_try_call, grp, yg);
		kt_wait_started(test, yg);
		complete(&lw->go);
		KUNIT_ASSERT_TRUE(test, KT_WAIT(wq_has_sleeper(&grp->done), 1000));
	}
	x = kt_group_async(test, kt_group_submit_call, grp, xg);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1 ||
					atomic_read(&xg->runs), 1000));
	if (!p->wait_first)
		complete(&lw->go);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(atomic_read(&xg->runs), 1000));
	kt_gate_open(xg);
	if (yg)
		kt_gate_open(yg);

	done = wait_for_completion_timeout(&lw->done, KT_GUARD(5));
	KUNIT_EXPECT_TRUE_MSG(test, done, "T waits for X, X for T's worker");
	if (!done) {
		/* Break the deadlock: the blocked submit is killable. */
		send_sig(SIGKILL, x->task, 1);
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&lw->done,
								  KT_GUARD(5)), 0);
	}
	kt_join_ret(test, x, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&xg->runs), 1);
	/* On T's worker: the one its submitter waited for. */
	KUNIT_EXPECT_EQ(test, xg->pid, lw->pid);
	if (p->submit) {
		KUNIT_EXPECT_EQ(test, lw->submit_ret, KTPOOL_RAN_INLINE);
		KUNIT_EXPECT_EQ(test, atomic_read(&lw->mine->runs), 1);
	}
	KUNIT_EXPECT_EQ(test, lw->wait_ret, 0);
	if (y)
		kt_join_ret(test, y, KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	st = kt_stats(pool);
	KUNIT_EXPECT_EQ(test, st.submitted, st.completed + st.inlined);
	/* T's task and X's, both on the worker: X's counted in flight. */
	KUNIT_EXPECT_EQ(test, st.completed, 2);
	KUNIT_EXPECT_EQ(test, st.waiters, 0);
}

/*
 * The same, but T's wait is timed: it runs none of X's tasks (they may take
 * any time) and returns on time, -ETIMEDOUT; X's task then runs on the
 * worker T's task left. Against the pattern "wait with a timeout, then
 * cancel the group", which a served task that polls the cancel would hang.
 */
static void ktpool_group_worker_timed_wait_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-wtimed", 1, 0);
	struct ktpool_group *grp = kt_group(test, pool, 1);
	struct kt_lw *lw = kt_lw_start(test, grp, false, 200);
	struct kt_gate *xg = kt_gate(test, false);
	struct kt_call *x;
	bool done;

	/* Read by T itself: X's task may run on T's worker once T returns. */
	lw->other = xg;
	x = kt_group_async(test, kt_group_submit_call, grp, xg);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 1000));
	complete(&lw->go);

	/* X's task is held by its gate: T must not be running it. */
	done = wait_for_completion_timeout(&lw->done, KT_GUARD(5));
	KUNIT_EXPECT_TRUE_MSG(test, done, "T runs X's held task in a timed wait");
	KUNIT_EXPECT_EQ(test, lw->other_runs, 0);
	kt_gate_open(xg);
	if (!done)
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&lw->done,
								  KT_GUARD(5)), 0);
	KUNIT_EXPECT_EQ(test, lw->wait_ret, -ETIMEDOUT);
	kt_join_ret(test, x, 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&xg->runs), 1);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
}

/*
 * The room a task taken by a waiting worker held: capacity 2, T waits for
 * its group on worker W, then for a plain task B; worker X runs a held
 * task. Submitter S1 blocks with A of the group, S2 behind it with B. W
 * takes A (a third task in flight); X finishes and, finding no room,
 * parks. When A finishes, S2 must get X: T waits for B.
 */
struct kt_room {
	struct ktpool_group *grp;
	struct kt_gate *b;
	struct completion started, go, done;
	int wait_ret;
	bool saw_b;
};

static void kt_room_fn(void *data)
{
	struct kt_room *r = data;

	complete(&r->started);
	wait_for_completion(&r->go);
	r->wait_ret = ktpool_group_wait(r->grp);
	r->saw_b = wait_for_completion_timeout(&r->b->started, KT_GUARD(5));
	complete(&r->done);
}

static void ktpool_group_taken_task_frees_room_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-room", 2, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct kt_room *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct kt_gate *x = kt_gate(test, true), *a = kt_gate(test, true);
	struct kt_call *s1, *s2;

	KUNIT_ASSERT_NOT_NULL(test, r);
	init_completion(&r->started);
	init_completion(&r->go);
	init_completion(&r->done);
	r->grp = grp;
	r->b = kt_gate(test, false);
	kt_open_at_exit(test, &r->go);	/* lets T go */
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_room_fn, r), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&r->started,
							  KT_GUARD(5)), 0);
	kt_run_gate(test, pool, x);
	s1 = kt_group_async(test, kt_group_submit_call, grp, a);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 1000));
	s2 = kt_blocked_submit(test, pool, r->b, 2);
	complete(&r->go);
	kt_wait_started(test, a);		/* on W, by T's wait */
	kt_gate_open(x);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).idle == 1, 1000));
	kt_gate_open(a);
	KUNIT_EXPECT_TRUE(test, KT_WAIT(atomic_read(&r->b->runs), 1000));
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&r->done,
							  KT_GUARD(10)), 0);
	KUNIT_EXPECT_TRUE(test, r->saw_b);
	KUNIT_EXPECT_EQ(test, r->wait_ret, 0);
	kt_join_ret(test, s1, 0);
	kt_join_ret(test, s2, 0);
}

/* ---- counting tasks ---------------------------------------------------- */

struct kt_many;

struct kt_item {
	struct kt_many *m;
	unsigned int idx;
	atomic_t runs;
};

struct kt_many {
	struct kt_item *items;
	unsigned int n;
	int fail_idx;			/* this item returns -EIO; -1: none */
	atomic_t active, max_active, runs;
	unsigned int sleep_us;
};

static int kt_item_fn(void *data)
{
	struct kt_item *it = data;
	struct kt_many *m = it->m;
	int a = atomic_inc_return(&m->active), old;

	old = atomic_read(&m->max_active);
	while (a > old && !atomic_try_cmpxchg(&m->max_active, &old, a))
		;
	atomic_inc(&it->runs);
	atomic_inc(&m->runs);
	if (m->sleep_us)
		usleep_range(m->sleep_us, m->sleep_us + 100);
	atomic_dec(&m->active);
	return it->idx == m->fail_idx ? -EIO : 0;
}

static struct kt_many *kt_many(struct kunit *test, unsigned int n)
{
	struct kt_many *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->items = kunit_kcalloc(test, n, sizeof(*m->items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->items);
	m->n = n;
	m->fail_idx = -1;
	for (i = 0; i < n; i++) {
		m->items[i].m = m;
		m->items[i].idx = i;
	}
	return m;
}

/* ---- G1. groups on one pool, the limit, try at the limit -------------- */

static void ktpool_group_concurrent_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-conc", 4, 0);
	struct ktpool_group *a = kt_group(test, pool, 0);
	struct ktpool_group *b = kt_group(test, pool, 2);
	struct kt_many *ma = kt_many(test, 100), *mb = kt_many(test, 100);
	struct kt_gate *hold = kt_gate(test, true);
	unsigned int i;
	int ret;

	/* a holds one task; b's tasks still flow, and b's wait ignores a's. */
	kt_group_run_gate(test, a, hold);
	for (i = 0; i < 100; i++) {
		ret = ktpool_group_submit(b, kt_item_fn, &mb->items[i]);
		KUNIT_EXPECT_TRUE(test, ret == 0 || ret == KTPOOL_RAN_INLINE);
		ret = ktpool_group_try_submit(a, kt_item_fn, &ma->items[i]);
		KUNIT_EXPECT_TRUE(test, ret == 0 || ret == KTPOOL_RAN_INLINE);
	}
	KUNIT_EXPECT_EQ(test, kt_gwait(b), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mb->runs), 100);
	KUNIT_EXPECT_LE(test, atomic_read(&mb->max_active), 2);
	/* a still has its held task: its wait times out, nothing cancelled */
	KUNIT_EXPECT_EQ(test, ktpool_group_wait_timeout(a, 0), -ETIMEDOUT);
	KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(a));
	kt_gate_open(hold);
	KUNIT_EXPECT_EQ(test, kt_gwait(a), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ma->runs), 100);
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&ma->items[i].runs), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&mb->items[i].runs), 1);
	}
	KUNIT_EXPECT_LE(test, kt_stats(pool).peak_threads, 4U);
}

static void ktpool_group_limit_serial_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-serial", 4, 0);
	struct ktpool_group *grp = kt_group(test, pool, 1);
	struct kt_many *m = kt_many(test, 40);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false), *z = kt_gate(test, false);
	struct kt_call *c;
	unsigned int i;

	m->sleep_us = 200;
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_item_fn,
							  &m->items[i]), 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->runs), 40);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->max_active), 1);

	/* At the limit: try runs in the caller, anyway blocks (killable). */
	kt_group_run_gate(test, grp, hold);
	KUNIT_EXPECT_EQ(test, ktpool_group_try_submit(grp, kt_ggate_fn, x),
			KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, x->pid, current->pid);
	c = kt_group_async(test, kt_group_submit_call, grp, y);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_limit_waiter(grp), 2000));
	send_sig(SIGKILL, c->task, 1);
	kt_join_ret(test, c, -EINTR);
	c = kt_group_async(test, kt_group_submit_call, grp, z);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_limit_waiter(grp), 2000));
	/* Not a pool waiter: the pool has room, the group has none. */
	KUNIT_EXPECT_EQ(test, kt_stats(pool).waiters, 0U);
	KUNIT_EXPECT_FALSE(test, completion_done(&c->done));
	kt_gate_open(hold);
	kt_join_ret(test, c, 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&y->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&z->runs), 1);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).inlined, 1ULL);
}

/* ---- G2/G3. the first error, wait with a timeout, reuse --------------- */

static void ktpool_group_first_error_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-err", 4, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct kt_many *m = kt_many(test, 1000);
	unsigned int i, accepted = 0, refused = 0;
	int ret;

	m->fail_idx = 500;
	for (i = 0; i < 1000; i++) {
		ret = ktpool_group_submit(grp, kt_item_fn, &m->items[i]);
		if (i <= 500)
			KUNIT_EXPECT_TRUE(test, ret == 0 || ret == KTPOOL_RAN_INLINE);
		else
			KUNIT_EXPECT_EQ(test, ret, -ECANCELED);
		if (ret == -ECANCELED)
			refused++;
		else
			accepted++;
		/* Make the failure happen before the later submits. */
		if (i == 500)
			KUNIT_ASSERT_TRUE(test, KT_WAIT(ktpool_group_cancelled(grp),
							2000));
	}
	/* A later cancel changes nothing: the first error wins. */
	ktpool_group_cancel(grp, -EPERM);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), -EIO);
	KUNIT_EXPECT_EQ(test, accepted, 501U);
	KUNIT_EXPECT_EQ(test, refused, 499U);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&m->items[i].runs),
				    i <= 500 ? 1 : 0, "task %u", i);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).cancelled, 499ULL);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).submitted, 501ULL);
}

static void ktpool_group_wait_timeout_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-wto", 2, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct kt_gate *hold = kt_gate(test, true);
	struct kt_call *c;

	/* An empty group: nothing to wait for. */
	KUNIT_EXPECT_EQ(test, ktpool_group_wait_timeout(grp, 0), 0);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait(grp), 0);

	kt_group_run_gate(test, grp, hold);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait_timeout(grp, 0), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait_timeout(grp, 30), -ETIMEDOUT);
	/* Nothing is cancelled by a timeout: the group takes more tasks. */
	KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(grp));
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	/* The wait is killable: -EINTR, the task goes on. */
	c = kt_group_async(test, kt_group_wait_call, grp, NULL);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(wq_has_sleeper(&grp->done), 2000));
	send_sig(SIGKILL, c->task, 1);
	kt_join_ret(test, c, -EINTR);
	KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(grp));
	kt_gate_open(hold);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
}

static void ktpool_group_reuse_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-reuse", 2, 0);
	struct ktpool_group *grp = kt_group(test, pool, 1);
	struct kt_gate *a = kt_gate(test, false), *b = kt_gate(test, false);
	struct kt_gate *bad = kt_gate(test, false), *c = kt_gate(test, false);
	struct kt_gate *d = kt_gate(test, false);

	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, a), 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, b), 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->runs) + atomic_read(&b->runs), 2);

	/* The error outlives the wait; only ktpool_group_init() clears it. */
	bad->ret = -ENOSPC;
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, bad), 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), -ENOSPC);
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, c), -ECANCELED);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->runs), 0);
	ktpool_group_init(grp, pool, 1);
	KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(grp));
	kt_group_run(test, grp, d);
}

/* ---- G3. cancel from outside ------------------------------------------ */

static void ktpool_group_cancel_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-cancel", 2, 0);
	struct ktpool_group *grp = kt_group(test, pool, 1);
	struct ktpool_group *g0 = kt_group(test, pool, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false);
	struct kt_call *c;

	hold->grp = grp;
	kt_group_run_gate(test, grp, hold);
	/* A submitter blocked at the limit is refused by the cancel too. */
	c = kt_group_async(test, kt_group_submit_call, grp, x);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_limit_waiter(grp), 2000));
	KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(grp));
	ktpool_group_cancel(grp, -ESTALE);
	KUNIT_EXPECT_TRUE(test, ktpool_group_cancelled(grp));
	kt_join_ret(test, c, -ECANCELED);
	KUNIT_EXPECT_EQ(test, ktpool_group_try_submit(grp, kt_ggate_fn, y), -ECANCELED);
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, y), -ECANCELED);
	/* The running task is not interrupted: it sees the cancel, ends. */
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	kt_gate_open(hold);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), -ESTALE);
	KUNIT_EXPECT_TRUE(test, hold->saw_cancel);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs) + atomic_read(&y->runs), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).cancelled, 3ULL);

	/* cancel(grp, 0) records -ECANCELED; a later cancel changes nothing. */
	ktpool_group_cancel(g0, 0);
	ktpool_group_cancel(g0, -EIO);
	KUNIT_EXPECT_EQ(test, kt_gwait(g0), -ECANCELED);
}

/* ---- G4. a group of one task, -EDEADLK, submit to itself at the limit - */

struct kt_self {
	struct ktpool_group *grp;
	struct kt_gate *inner;
	int wait_ret, wait_to_ret, submit_ret;
	pid_t pid;
};

static int kt_self_fn(void *data)
{
	struct kt_self *s = data;

	s->pid = current->pid;
	s->wait_ret = ktpool_group_wait(s->grp);
	s->wait_to_ret = ktpool_group_wait_timeout(s->grp, KT_GUARD_MS(10));
	if (s->inner)
		s->submit_ret = ktpool_group_submit(s->grp, kt_ggate_fn, s->inner);
	return 0;
}

static struct kt_self *kt_self(struct kunit *test, struct ktpool_group *grp)
{
	struct kt_self *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->grp = grp;
	return s;
}

static void ktpool_group_deadlk_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-self", 4, 0);
	struct ktpool_group *grp = kt_group(test, pool, 1);
	struct kt_self *s = kt_self(test, grp);
	struct kt_gate *inner = kt_gate(test, false);

	s->inner = inner;
	inner->ret = -EXDEV;
	/* A group of one task is its handle: submit, wait for it alone. */
	KUNIT_ASSERT_EQ(test, ktpool_group_submit(grp, kt_self_fn, s), 0);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), -EXDEV);
	KUNIT_EXPECT_EQ(test, s->wait_ret, -EDEADLK);
	KUNIT_EXPECT_EQ(test, s->wait_to_ret, -EDEADLK);
	/* At the limit (its own slot): the nested task ran inline, its error counted. */
	KUNIT_EXPECT_EQ(test, s->submit_ret, KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, atomic_read(&inner->runs), 1);
	KUNIT_EXPECT_EQ(test, inner->pid, s->pid);
	KUNIT_EXPECT_NE(test, s->pid, current->pid);
}

/* Run inline by try (the group is at its limit): still its own task. */
static void ktpool_group_deadlk_inline_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-self2", 2, 0);
	struct ktpool_group *grp = kt_group(test, pool, 1);
	struct kt_self *s = kt_self(test, grp);
	struct kt_gate *hold = kt_gate(test, true);

	kt_group_run_gate(test, grp, hold);
	KUNIT_EXPECT_EQ(test, ktpool_group_try_submit(grp, kt_self_fn, s),
			KTPOOL_RAN_INLINE);
	KUNIT_EXPECT_EQ(test, s->pid, current->pid);
	KUNIT_EXPECT_EQ(test, s->wait_ret, -EDEADLK);
	kt_gate_open(hold);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
}

/*
 * A thread nested %KTPOOL_MAX_INLINE_DEPTH inline runs deep in its own full
 * pool submits to a group: the task is deferred to run after the outermost
 * inline run, on this thread. Waiting for the group there would wait for
 * itself: -EDEADLK, and the task still runs exactly once.
 */
struct kt_deep {
	struct ktpool *pool;
	struct ktpool_group *grp;
	struct kt_gate *g;
	int level, submit_ret, wait_ret;
	struct completion done;
};

static void kt_deep_fn(void *data)
{
	struct kt_deep *d = data;

	if (d->level++ < KTPOOL_MAX_INLINE_DEPTH) {
		/* Its own full pool (capacity 1): the next level runs inline. */
		ktpool_submit(d->pool, kt_deep_fn, d);
		return;
	}
	d->submit_ret = ktpool_group_submit(d->grp, kt_ggate_fn, d->g);
	d->wait_ret = ktpool_group_wait(d->grp);
	/* Not run yet: deferred until the outermost inline run returns. */
	if (!atomic_read(&d->g->runs))
		complete(&d->done);
}

static void ktpool_group_deferred_deadlk_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-deep", 1, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct kt_deep *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->pool = pool;
	d->grp = grp;
	d->g = kt_gate(test, false);
	init_completion(&d->done);
	KUNIT_ASSERT_EQ(test, ktpool_submit(pool, kt_deep_fn, d), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done, KT_GUARD(5)),
			0);
	KUNIT_EXPECT_EQ(test, d->level, KTPOOL_MAX_INLINE_DEPTH + 1);
	KUNIT_EXPECT_EQ(test, d->submit_ret, 0);
	KUNIT_EXPECT_EQ(test, d->wait_ret, -EDEADLK);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->g->runs), 1);
}

/* ---- G7. destroy with groups in flight --------------------------------- */

static void ktpool_group_destroy_test(struct kunit *test)
{
	struct ktpool *pool = ktpool_create("kt-g-destroy", 1, 0);
	struct ktpool_group *grp, *lim;
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false);
	struct kt_call *waiter, *atlimit, *d;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	grp = kt_group(test, pool, 0);
	lim = kt_group(test, pool, 1);
	/* One task holds the only worker for both groups. */
	kt_group_run_gate(test, lim, hold);
	waiter = kt_group_async(test, kt_group_wait_call, lim, NULL);
	atlimit = kt_group_async(test, kt_group_submit_call, lim, y);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_limit_waiter(lim), 2000));

	d = kt_async(test, kt_destroy_call, pool, NULL, NULL);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(ktpool_set_capacity(pool, 1) == -ESHUTDOWN,
					2000));
	/* A group submit after destroy began: -ESHUTDOWN, not run. */
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, kt_ggate_fn, x), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ktpool_group_try_submit(grp, kt_ggate_fn, x),
			-ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait_timeout(grp, 0), 0);
	/* The group's waiter and the destroy wait for the held task. */
	KUNIT_EXPECT_FALSE(test, completion_done(&waiter->done));
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));

	kt_gate_open(hold);
	KUNIT_ASSERT_EQ(test, kt_join(waiter), 0);
	KUNIT_ASSERT_EQ(test, kt_join(atlimit), 0);
	KUNIT_ASSERT_EQ(test, kt_join(d), 0);
	KUNIT_EXPECT_EQ(test, waiter->ret, 0);
	/* The submitter at the limit went on to a dying pool. */
	KUNIT_EXPECT_EQ(test, atlimit->ret, -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs) + atomic_read(&y->runs), 0);
}

/* ---- init on a busy group: a caller bug ------------------------------- */

/*
 * Init cannot tell a busy group (it reads nothing of the group): debug
 * objects report it, and it initializes the group all the same. The task
 * in flight warns when it finishes and is not counted out of the new
 * group. It has not started (it waits for the pool's only worker), so no
 * frame of it is on the group's lists that init empties.
 */
static void ktpool_group_init_busy_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-init", 1, 0);
	struct ktpool *other = kt_pool(test, "kt-g-init2", 2, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct kt_gate *hold = kt_gate(test, true), *x = kt_gate(test, false);
	struct kt_gate *y = kt_gate(test, false);
	struct kt_call *c;

	kt_run_gate(test, pool, hold);
	c = kt_group_async(test, kt_group_submit_call, grp, x);
	KUNIT_ASSERT_TRUE(test, KT_WAIT(kt_stats(pool).waiters == 1, 2000));

	/* For scripts/verdict.py: the reports below are on purpose. */
	if (IS_ENABLED(CONFIG_DEBUG_OBJECTS)) {
		pr_info("KTPOOL-EXPECT: WARNING lib/debugobjects.c\n");
		pr_info("KTPOOL-EXPECT: WARNING init active\n");
	}
	ktpool_group_init(grp, other, 0);
	/* Else the submit below would wait for the held worker. */
	KUNIT_ASSERT_PTR_EQ(test, grp->pool, other);
	KUNIT_ASSERT_EQ(test, grp->pending, 0U);
	/* The new group works meanwhile, on the other pool. */
	kt_group_run(test, grp, y);
	KUNIT_EXPECT_EQ(test, kt_stats(other).submitted, 1ULL);

	pr_info("KTPOOL-EXPECT: WARNING ktpool_group\n");
	kt_gate_open(hold);
	kt_join_ret(test, c, 0);
	KUNIT_EXPECT_EQ(test, ktpool_drain(pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 1);
	KUNIT_EXPECT_EQ(test, grp->pending, 0U);
	KUNIT_EXPECT_EQ(test, kt_gwait(grp), 0);
}

/*
 * ktpool_group_init() on storage that was never initialized (the
 * documented use: a group on the stack), filled with garbage that looks
 * like a busy group: the magic of an initialized group, tasks pending, an
 * error, and a lock that is unlocked, initialized or only zero. Init must
 * not believe any of it.
 */
static void ktpool_group_init_garbage_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-garbage", 2, 0);
	struct ktpool_group *grp = kunit_kmalloc(test, sizeof(*grp), GFP_KERNEL);
	struct kt_gate *g;
	int zero_lock;

	KUNIT_ASSERT_NOT_NULL(test, grp);
	for (zero_lock = 0; zero_lock < 2; zero_lock++) {
		memset(grp, 0xa5, sizeof(*grp));
		grp->magic = 0x6b7470677270UL;	/* ktpool_group.c's magic */
		grp->pending = 3;
		grp->active = 2;
		grp->err = -EIO;
		if (zero_lock)
			memset(&grp->lock, 0, sizeof(grp->lock));
		else
			spin_lock_init(&grp->lock);

		ktpool_group_init(grp, pool, 1);
		KUNIT_ASSERT_EQ_MSG(test, grp->pending, 0U, "zero_lock=%d", zero_lock);
		KUNIT_EXPECT_EQ(test, grp->active, 0U);
		KUNIT_EXPECT_EQ(test, grp->err, 0);
		KUNIT_EXPECT_PTR_EQ(test, grp->pool, pool);
		KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(grp));
		g = kt_gate(test, false);
		kt_group_run(test, grp, g);
	}
}

/* ---- bad input --------------------------------------------------------- */

static void ktpool_group_bad_calls_test(struct kunit *test)
{
	struct ktpool *pool = kt_pool(test, "kt-g-bad", 1, 0);
	struct ktpool_group *grp = kt_group(test, pool, 0);
	struct ktpool_group *none = kt_group(test, NULL, 0);
	struct kt_gate *x = kt_gate(test, false);

	KUNIT_EXPECT_EQ(test, ktpool_group_submit(NULL, kt_ggate_fn, x), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_group_try_submit(NULL, kt_ggate_fn, x), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(grp, NULL, x), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_group_submit(none, kt_ggate_fn, x), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait(none), -EINVAL);
	KUNIT_EXPECT_FALSE(test, ktpool_group_cancelled(NULL));
	ktpool_group_cancel(NULL, -EIO);
	KUNIT_EXPECT_EQ(test, ktpool_group_wait(grp), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&x->runs), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(pool).submitted, 0ULL);
}

static struct kunit_case ktpool_group_test_cases[] = {
	KUNIT_CASE(ktpool_group_concurrent_test),
	KUNIT_CASE(ktpool_group_limit_serial_test),
	KUNIT_CASE(ktpool_group_first_error_test),
	KUNIT_CASE(ktpool_group_wait_timeout_test),
	KUNIT_CASE(ktpool_group_reuse_test),
	KUNIT_CASE(ktpool_group_cancel_test),
	KUNIT_CASE(ktpool_group_deadlk_test),
	KUNIT_CASE(ktpool_group_deadlk_inline_test),
	KUNIT_CASE(ktpool_group_deferred_deadlk_test),
	KUNIT_CASE_PARAM(ktpool_group_worker_at_limit_test, kt_lw_gen_params),
	KUNIT_CASE(ktpool_group_worker_timed_wait_test),
	KUNIT_CASE(ktpool_group_taken_task_frees_room_test),
	KUNIT_CASE(ktpool_group_destroy_test),
	KUNIT_CASE(ktpool_group_init_busy_test),
	KUNIT_CASE(ktpool_group_init_garbage_test),
	KUNIT_CASE(ktpool_group_bad_calls_test),
	{}
};

static struct kunit_suite ktpool_group_test_suite = {
	.name = "ktpool_group",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = ktpool_group_test_cases,
};

kunit_test_suite(ktpool_group_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for ktpool task groups");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
