// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_bench - ktpool against a kthread per task, cmwq and kthread_worker
 *
 * In the style of lib/test_objpool.c: a table of cases, a start line that
 * every submitter thread waits at, and a completion that the last task
 * fires. Every mode runs the same tasks with the same concurrency bound C:
 *
 *  no_pool         kthread_run() per task (live threads capped, see below)
 *  ktpool_try      ktpool_try_submit() (runs inline when the pool is full)
 *  ktpool_anyway   ktpool_submit() (blocks until a worker is free)
 *  ktpool_nowait   ktpool_submit_nowait(), retried on -EBUSY (bench_backoff)
 *  cmwq_unbound    alloc_workqueue(WQ_UNBOUND, C)
 *  cmwq_percpu     alloc_workqueue(0, C)
 *  kthread_worker  one kthread_create_worker() (the serial baseline)
 *
 * Everything runs from module init, which always returns 0: the results are
 * printed to the console as "RESULT,..." lines (see bench_report()) that
 * scripts/bench.sh turns into a table, a CSV file and a plot, and a last
 * "BENCH-DONE failures=N" line. A task that ran twice or never, a submit
 * error or a run that never completes counts as a failure.
 *
 * The memory columns are the rise of NR_KERNEL_STACK_KB and of the slab
 * counters over the run, sampled by an hrtimer every sample_us and once more
 * after the last task (before the pool or workqueue is torn down).
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/ktpool.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/semaphore.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#define BENCH_MAX_LIST	16

static char *modes = "all";
module_param(modes, charp, 0444);
MODULE_PARM_DESC(modes, "comma-separated modes to run (default: all)");

static char *workloads = "nop,spin,sleep";
module_param(workloads, charp, 0444);
MODULE_PARM_DESC(workloads, "comma-separated workloads: nop, spin, sleep");

static char *nop_tasks = "10000,100000,1000000";
module_param(nop_tasks, charp, 0444);
MODULE_PARM_DESC(nop_tasks, "task counts of the nop workload");

static char *spin_tasks = "10000,50000";
module_param(spin_tasks, charp, 0444);
MODULE_PARM_DESC(spin_tasks, "task counts of the spin workload");

static char *sleep_tasks = "20000";
module_param(sleep_tasks, charp, 0444);
MODULE_PARM_DESC(sleep_tasks, "task counts of the sleep workload");

static char *submitters = "1,2";
module_param(submitters, charp, 0444);
MODULE_PARM_DESC(submitters, "numbers of submitting threads to run with");

static unsigned int conc = 256;
module_param(conc, uint, 0444);
MODULE_PARM_DESC(conc, "concurrency bound C: pool capacity and max_active");

static unsigned int spin_us = 10;
module_param(spin_us, uint, 0444);
MODULE_PARM_DESC(spin_us, "busy loop of a spin task, us");

static unsigned int sleep_us = 10000;
module_param(sleep_us, uint, 0444);
MODULE_PARM_DESC(sleep_us, "sleep of a sleep task, us");

static unsigned int reps = 3;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of every case");

static unsigned int np_max_live = 4096;
module_param(np_max_live, uint, 0444);
MODULE_PARM_DESC(np_max_live, "no_pool: most live task threads at once");

static unsigned long np_max_tasks = 1000000;
module_param(np_max_tasks, ulong, 0444);
MODULE_PARM_DESC(np_max_tasks, "no_pool: skip task counts above this (0 = none)");

static unsigned int serial_max_ms = 5000;
module_param(serial_max_ms, uint, 0444);
MODULE_PARM_DESC(serial_max_ms,
		 "kthread_worker: skip cases whose serial sleep time is above this");

static unsigned int max_run_s = 30;
module_param(max_run_s, uint, 0444);
MODULE_PARM_DESC(max_run_s,
		 "stop submitting after this many seconds (run reported as dnf)");

static unsigned int ring = 4096;
module_param(ring, uint, 0444);
MODULE_PARM_DESC(ring, "cmwq/kthread_worker: work items per submitter, reused");

static unsigned int pool_idle_ms = 1000;
module_param(pool_idle_ms, uint, 0444);
MODULE_PARM_DESC(pool_idle_ms, "idle timeout of the benchmark pools, ms");

static unsigned int reap_wait_ms = 2200;
module_param(reap_wait_ms, uint, 0444);
MODULE_PARM_DESC(reap_wait_ms,
		 "reap check: wait this long (idle timeout + reap interval + slack)");

static unsigned int sample_us = 500;
module_param(sample_us, uint, 0444);
MODULE_PARM_DESC(sample_us, "memory sampling period, us");

enum bench_workload { BENCH_NOP, BENCH_SPIN, BENCH_SLEEP, BENCH_NR_WL };

static const char * const bench_wl_names[BENCH_NR_WL] = {
	[BENCH_NOP] = "nop",
	[BENCH_SPIN] = "spin",
	[BENCH_SLEEP] = "sleep",
};

/* A reusable work item of the cmwq and kthread_worker modes. */
struct bench_item {
	struct work_struct work;
	struct kthread_work kwork;
	unsigned long idx;
	int busy;		/* set by the submitter, cleared by the task */
};

/* One submitting thread: tasks [lo, hi). */
struct bench_sub {
	struct task_struct *task;
	unsigned long lo, hi, next;
	struct bench_item *items;
	unsigned int pos;
	unsigned long retries;
	int err;
};

struct bench_mode;

/* Control and results of the current run; one run at a time. */
struct bench_ctx {
	const struct bench_mode *mode;
	enum bench_workload wl;
	unsigned long n;
	unsigned int nsub;
	struct bench_sub sub[2];

	struct completion go;		/* the start line */
	struct completion done;		/* fired by the last task */
	atomic_t subs_left;
	struct completion subs_done;

	atomic_long_t ran ____cacheline_aligned_in_smp;
	atomic_t running ____cacheline_aligned_in_smp;
	atomic_t peak_running;
	atomic_t np_live;
	atomic_t np_peak;
	u64 t0, t_end;
	u64 deadline;

	u8 *seen;			/* per task: how many times it ran */

	struct ktpool *pool;
	struct workqueue_struct *wq;
	struct kthread_worker *kw;
	struct semaphore np_sem;
	struct ktpool_stats st;

	struct hrtimer sampler;
	long kstack0, slab0;		/* baseline, KiB */
	long kstack_max, slab_max;	/* peak during the run, KiB */
};

static struct bench_ctx ctx;

struct bench_mode {
	const char *name;
	int (*setup)(void);
	int (*submit)(struct bench_sub *s, unsigned long idx);
	unsigned int (*peak_threads)(void);	/* UINT_MAX: not a thread count */
	void (*teardown)(void);
};

static long bench_kstack_kb(void)
{
	return global_node_page_state(NR_KERNEL_STACK_KB);
}

static long bench_slab_kb(void)
{
	return (global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B)) <<
	       (PAGE_SHIFT - 10);
}

static void bench_sample(void)
{
	long v;

	v = bench_kstack_kb();
	if (v > READ_ONCE(ctx.kstack_max))
		WRITE_ONCE(ctx.kstack_max, v);
	v = bench_slab_kb();
	if (v > READ_ONCE(ctx.slab_max))
		WRITE_ONCE(ctx.slab_max, v);
}

static enum hrtimer_restart bench_sampler_fn(struct hrtimer *t)
{
	bench_sample();
	hrtimer_forward_now(t, ns_to_ktime((u64)sample_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void bench_max(atomic_t *peak, int v)
{
	int old = atomic_read(peak);

	while (v > old && !atomic_try_cmpxchg(peak, &old, v))
		;
}

/* Tasks [from, to) will never run: count them as finished. */
static void bench_give_up(unsigned long nr)
{
	if (nr && atomic_long_add_return(nr, &ctx.ran) == ctx.n) {
		WRITE_ONCE(ctx.t_end, ktime_get_ns());
		complete(&ctx.done);
	}
}

/* The body every mode runs, once per task. */
static void bench_task(unsigned long idx)
{
	bench_max(&ctx.peak_running, atomic_inc_return(&ctx.running));
	switch (ctx.wl) {
	case BENCH_NOP:
		break;	/* the task is the atomic increment of ctx.ran */
	case BENCH_SPIN: {
		u64 end = ktime_get_ns() + (u64)spin_us * NSEC_PER_USEC;

		while (ktime_get_ns() < end)
			cpu_relax();
		break;
	}
	case BENCH_SLEEP:
		if (sleep_us < 20000)
			usleep_range(sleep_us, sleep_us + sleep_us / 100 + 1);
		else
			msleep(sleep_us / 1000);
		break;
	default:
		break;
	}
	WRITE_ONCE(ctx.seen[idx], ctx.seen[idx] + 1);
	atomic_dec(&ctx.running);
}

/* The last access to ctx of a task: may release the controller. */
static void bench_task_done(void)
{
	if (atomic_long_inc_return(&ctx.ran) == ctx.n) {
		WRITE_ONCE(ctx.t_end, ktime_get_ns());
		complete(&ctx.done);
	}
}

/* Retry policy of nowait and of a full work item ring. */
static void bench_backoff(struct bench_sub *s, unsigned int *tries)
{
	s->retries++;
	if (++*tries < 16)
		cond_resched();
	else
		usleep_range(20, 50);
}

/* no_pool: a kthread per task */

static int bench_np_fn(void *data)
{
	bench_task((unsigned long)data);
	atomic_dec(&ctx.np_live);
	up(&ctx.np_sem);
	bench_task_done();
	module_put_and_kthread_exit(0);
}

static int bench_np_setup(void)
{
	sema_init(&ctx.np_sem, np_max_live);
	return 0;
}

static int bench_np_submit(struct bench_sub *s, unsigned long idx)
{
	struct task_struct *t;
	int ret;

	ret = down_killable(&ctx.np_sem);
	if (ret)
		return ret;
	bench_max(&ctx.np_peak, atomic_inc_return(&ctx.np_live));
	__module_get(THIS_MODULE);
	t = kthread_run(bench_np_fn, (void *)idx, "ktbench_np");
	if (IS_ERR(t)) {
		module_put(THIS_MODULE);
		atomic_dec(&ctx.np_live);
		up(&ctx.np_sem);
		return PTR_ERR(t);
	}
	return 0;
}

static unsigned int bench_np_peak(void)
{
	return atomic_read(&ctx.np_peak);
}

static void bench_np_teardown(void)
{
}

/* ktpool: try, anyway, nowait */

static void bench_ktpool_fn(void *data)
{
	bench_task((unsigned long)data);
	bench_task_done();
}

static int bench_ktpool_setup(void)
{
	ctx.pool = ktpool_create("bench", conc, pool_idle_ms);
	if (IS_ERR(ctx.pool)) {
		int ret = PTR_ERR(ctx.pool);

		ctx.pool = NULL;
		return ret;
	}
	return 0;
}

static int bench_try_submit(struct bench_sub *s, unsigned long idx)
{
	int ret = ktpool_try_submit(ctx.pool, bench_ktpool_fn, (void *)idx);

	return ret < 0 ? ret : 0;
}

static int bench_anyway_submit(struct bench_sub *s, unsigned long idx)
{
	int ret = ktpool_submit(ctx.pool, bench_ktpool_fn, (void *)idx);

	return ret < 0 ? ret : 0;
}

static int bench_nowait_submit(struct bench_sub *s, unsigned long idx)
{
	unsigned int tries = 0;
	int ret;

	while ((ret = ktpool_submit_nowait(ctx.pool, bench_ktpool_fn,
					   (void *)idx)) == -EBUSY)
		bench_backoff(s, &tries);
	return ret;
}

static unsigned int bench_ktpool_peak(void)
{
	ktpool_get_stats(ctx.pool, &ctx.st);
	return ctx.st.peak_threads;
}

static void bench_ktpool_teardown(void)
{
	ktpool_destroy(ctx.pool);
	ctx.pool = NULL;
}

/* cmwq and kthread_worker: a ring of reusable work items per submitter */

static struct bench_item *bench_next_item(struct bench_sub *s,
					  unsigned long idx)
{
	struct bench_item *it = &s->items[s->pos];
	unsigned int tries = 0;

	if (++s->pos == ring)
		s->pos = 0;
	/* Pairs with the release in bench_item_run(): it->idx was read. */
	while (smp_load_acquire(&it->busy))
		bench_backoff(s, &tries);
	it->idx = idx;
	WRITE_ONCE(it->busy, 1);
	return it;
}

static void bench_item_run(struct bench_item *it)
{
	unsigned long idx = it->idx;

	/* The item may be reused once idx is read: see bench_next_item(). */
	smp_store_release(&it->busy, 0);
	bench_task(idx);
	bench_task_done();
}

static void bench_work_fn(struct work_struct *work)
{
	bench_item_run(container_of(work, struct bench_item, work));
}

static void bench_kwork_fn(struct kthread_work *work)
{
	bench_item_run(container_of(work, struct bench_item, kwork));
}

static int bench_wq_setup(unsigned int flags)
{
	ctx.wq = alloc_workqueue("ktbench_wq", flags, conc);
	return ctx.wq ? 0 : -ENOMEM;
}

static int bench_unbound_setup(void)
{
	return bench_wq_setup(WQ_UNBOUND);
}

static int bench_percpu_setup(void)
{
	return bench_wq_setup(0);
}

static int bench_wq_submit(struct bench_sub *s, unsigned long idx)
{
	struct bench_item *it = bench_next_item(s, idx);

	return queue_work(ctx.wq, &it->work) ? 0 : -EALREADY;
}

static unsigned int bench_wq_peak(void)
{
	return UINT_MAX;
}

static void bench_wq_teardown(void)
{
	destroy_workqueue(ctx.wq);
	ctx.wq = NULL;
}

static int bench_kw_setup(void)
{
	ctx.kw = kthread_create_worker(0, "ktbench_kw");
	if (IS_ERR(ctx.kw)) {
		int ret = PTR_ERR(ctx.kw);

		ctx.kw = NULL;
		return ret;
	}
	return 0;
}

static int bench_kw_submit(struct bench_sub *s, unsigned long idx)
{
	struct bench_item *it = bench_next_item(s, idx);

	return kthread_queue_work(ctx.kw, &it->kwork) ? 0 : -EALREADY;
}

static unsigned int bench_kw_peak(void)
{
	return 1;
}

static void bench_kw_teardown(void)
{
	kthread_destroy_worker(ctx.kw);
	ctx.kw = NULL;
}

static const struct bench_mode bench_modes[] = {
	{ "no_pool", bench_np_setup, bench_np_submit, bench_np_peak,
	  bench_np_teardown },
	{ "ktpool_try", bench_ktpool_setup, bench_try_submit,
	  bench_ktpool_peak, bench_ktpool_teardown },
	{ "ktpool_anyway", bench_ktpool_setup, bench_anyway_submit,
	  bench_ktpool_peak, bench_ktpool_teardown },
	{ "ktpool_nowait", bench_ktpool_setup, bench_nowait_submit,
	  bench_ktpool_peak, bench_ktpool_teardown },
	{ "cmwq_unbound", bench_unbound_setup, bench_wq_submit, bench_wq_peak,
	  bench_wq_teardown },
	{ "cmwq_percpu", bench_percpu_setup, bench_wq_submit, bench_wq_peak,
	  bench_wq_teardown },
	{ "kthread_worker", bench_kw_setup, bench_kw_submit, bench_kw_peak,
	  bench_kw_teardown },
};

static bool bench_uses_items(const struct bench_mode *m)
{
	return m->submit == bench_wq_submit || m->submit == bench_kw_submit;
}

static int bench_submitter_fn(void *arg)
{
	struct bench_sub *s = arg;
	unsigned long idx;

	wait_for_completion(&ctx.go);
	for (idx = s->lo; idx < s->hi; idx++) {
		if (!((idx - s->lo) & 1023) &&
		    ktime_get_ns() > ctx.deadline) {
			s->err = -ETIMEDOUT;
			break;
		}
		s->err = ctx.mode->submit(s, idx);
		if (s->err)
			break;
	}
	s->next = idx;
	bench_give_up(s->hi - idx);
	if (atomic_dec_and_test(&ctx.subs_left))
		complete(&ctx.subs_done);

	/* Wait for kthread_stop(), so that the controller owns our exit. */
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void bench_stop_subs(void)
{
	unsigned int i;

	for (i = 0; i < ctx.nsub; i++) {
		if (ctx.sub[i].task)
			kthread_stop(ctx.sub[i].task);
		ctx.sub[i].task = NULL;
	}
}

static void bench_free_items(void)
{
	unsigned int i;

	for (i = 0; i < ctx.nsub; i++) {
		kvfree(ctx.sub[i].items);
		ctx.sub[i].items = NULL;
	}
}

/* Wait killable (so not a hung task) for @c, at most @secs seconds. */
static bool bench_wait(struct completion *c, unsigned int secs)
{
	return wait_for_completion_killable_timeout(c, secs * HZ) > 0;
}

static int bench_failures;

static unsigned int bench_arg_us(enum bench_workload wl)
{
	return wl == BENCH_SPIN ? spin_us : wl == BENCH_SLEEP ? sleep_us : 0;
}

/*
 * RESULT,mode,workload,arg_us,tasks,conc,submitters,rep,status,wall_ns,
 * done,peak_threads,peak_running,kstack_kb,slab_kb,exactly_once,inlined,
 * retries
 * status: ok, dnf (stopped by max_run_s), fail, skip (then a reason).
 */
static void bench_report(const char *mode, enum bench_workload wl,
			 unsigned long n, unsigned int nsub, unsigned int rep,
			 const char *status, u64 wall, unsigned long done,
			 long peak, int peak_running, long kstack, long slab,
			 int once, u64 inlined, unsigned long retries)
{
	pr_info("RESULT,%s,%s,%u,%lu,%u,%u,%u,%s,%llu,%lu,%ld,%d,%ld,%ld,%d,%llu,%lu\n",
		mode, bench_wl_names[wl], bench_arg_us(wl), n, conc, nsub, rep,
		status, wall, done, peak, peak_running, kstack, slab, once,
		inlined, retries);
}

static void bench_skip(const char *mode, enum bench_workload wl,
		       unsigned long n, unsigned int nsub, const char *why)
{
	bench_report(mode, wl, n, nsub, 0, "skip", 0, 0, -1, -1, -1, -1, -1,
		     0, 0);
	pr_info("SKIP,%s,%s,%lu,%u,%s\n", mode, bench_wl_names[wl], n, nsub,
		why);
}

/*
 * Run one case. Returns 0, 1 when it hit max_run_s (no point repeating it),
 * or -1 when the benchmark cannot go on safely.
 */
static int bench_run(const struct bench_mode *m, enum bench_workload wl,
		     unsigned long n, unsigned int nsub, unsigned int rep)
{
	unsigned long i, j, bad = 0, done = 0, retries = 0;
	unsigned int created = 0;
	const char *status = "ok";
	u8 *seen = ctx.seen;
	long peak;
	int err = 0, ret;

	memset(&ctx, 0, sizeof(ctx));
	ctx.seen = seen;
	memset(seen, 0, n);
	ctx.mode = m;
	ctx.wl = wl;
	ctx.n = n;
	ctx.nsub = nsub;
	init_completion(&ctx.go);
	init_completion(&ctx.done);
	init_completion(&ctx.subs_done);

	ret = m->setup();
	if (ret) {
		pr_err("FAIL %s: setup: %d\n", m->name, ret);
		bench_failures++;
		return 0;
	}
	for (i = 0; i < nsub && !ret; i++) {
		struct bench_sub *s = &ctx.sub[i];

		s->lo = n * i / nsub;
		s->hi = n * (i + 1) / nsub;
		if (!bench_uses_items(m))
			continue;
		s->items = kvcalloc(ring, sizeof(*s->items), GFP_KERNEL);
		if (!s->items) {
			ret = -ENOMEM;
			break;
		}
		for (j = 0; j < ring; j++) {
			INIT_WORK(&s->items[j].work, bench_work_fn);
			kthread_init_work(&s->items[j].kwork, bench_kwork_fn);
		}
	}
	for (i = 0; i < nsub && !ret; i++) {
		struct task_struct *t;

		t = kthread_create(bench_submitter_fn, &ctx.sub[i],
				   "ktbench_sub/%lu", i);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
		ctx.sub[i].task = t;
		created++;
	}
	atomic_set(&ctx.subs_left, created);
	if (ret) {
		/* Let the submitters already created pass with nothing. */
		for (i = 0; i < nsub; i++)
			ctx.sub[i].hi = ctx.sub[i].lo;
		for (i = 0; i < created; i++)
			wake_up_process(ctx.sub[i].task);
		complete_all(&ctx.go);
		bench_stop_subs();
		m->teardown();
		bench_free_items();
		pr_err("FAIL %s: submitter setup: %d\n", m->name, ret);
		bench_failures++;
		return 0;
	}
	for (i = 0; i < nsub; i++)
		wake_up_process(ctx.sub[i].task);

	/* The start line: baseline, sampler, then go. */
	ctx.kstack0 = bench_kstack_kb();
	ctx.slab0 = bench_slab_kb();
	ctx.kstack_max = ctx.kstack0;
	ctx.slab_max = ctx.slab0;
	hrtimer_init(&ctx.sampler, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ctx.sampler.function = bench_sampler_fn;
	hrtimer_start(&ctx.sampler, ns_to_ktime((u64)sample_us * NSEC_PER_USEC),
		      HRTIMER_MODE_REL);
	ctx.t0 = ktime_get_ns();
	ctx.deadline = ctx.t0 + (u64)max_run_s * NSEC_PER_SEC;
	complete_all(&ctx.go);

	if (!bench_wait(&ctx.done, max_run_s + 120) ||
	    !bench_wait(&ctx.subs_done, 120)) {
		hrtimer_cancel(&ctx.sampler);
		pr_err("FAIL %s %s n=%lu: no completion, %ld of %lu tasks done; giving up\n",
		       m->name, bench_wl_names[wl], n,
		       atomic_long_read(&ctx.ran), n);
		bench_failures++;
		return -1;
	}
	bench_sample();
	peak = m->peak_threads();
	hrtimer_cancel(&ctx.sampler);
	bench_stop_subs();
	m->teardown();
	bench_free_items();

	for (i = 0; i < nsub; i++) {
		struct bench_sub *s = &ctx.sub[i];

		for (j = s->lo; j < s->hi; j++)
			bad += seen[j] != (j < s->next);
		done += s->next - s->lo;
		retries += s->retries;
		if (s->err && !err)
			err = s->err;
	}
	if (err == -ETIMEDOUT) {
		status = "dnf";
	} else if (err || bad) {
		status = "fail";
		pr_err("FAIL %s %s n=%lu: submit error %d, %lu tasks not run exactly once\n",
		       m->name, bench_wl_names[wl], n, err, bad);
		bench_failures++;
	}
	bench_report(m->name, wl, n, nsub, rep, status, ctx.t_end - ctx.t0,
		     done, peak == UINT_MAX ? -1 : peak,
		     atomic_read(&ctx.peak_running),
		     ctx.kstack_max - ctx.kstack0, ctx.slab_max - ctx.slab0,
		     !bad, ctx.st.inlined, retries);
	return err == -ETIMEDOUT;
}

/*
 * After the idle timeout plus one reap interval, a pool that was full must be
 * back to zero threads: REAP,threads_busy,threads_after,kstack_kb_busy,
 * kstack_kb_after,waited_ms
 */
static void bench_reap_check(void)
{
	unsigned long i, n = 2 * conc;
	struct ktpool *pool;
	long k0, kbusy, kafter;
	unsigned int busy;
	u8 *seen = ctx.seen;

	memset(&ctx, 0, sizeof(ctx));
	ctx.seen = seen;
	memset(seen, 0, n);
	ctx.wl = BENCH_SLEEP;
	ctx.n = n;
	init_completion(&ctx.done);

	pool = ktpool_create("bench_reap", conc, pool_idle_ms);
	if (IS_ERR(pool)) {
		pr_err("FAIL reap check: create: %pe\n", pool);
		bench_failures++;
		return;
	}
	k0 = bench_kstack_kb();
	for (i = 0; i < n; i++)
		if (ktpool_submit(pool, bench_ktpool_fn, (void *)i) < 0)
			bench_give_up(1);
	if (!bench_wait(&ctx.done, 120)) {
		pr_err("FAIL reap check: tasks did not finish\n");
		bench_failures++;
		return;
	}
	ktpool_drain(pool);
	ktpool_get_stats(pool, &ctx.st);
	busy = ctx.st.threads;
	kbusy = bench_kstack_kb() - k0;
	msleep(reap_wait_ms);
	ktpool_get_stats(pool, &ctx.st);
	kafter = bench_kstack_kb() - k0;
	pr_info("REAP,%u,%u,%ld,%ld,%u\n", busy, ctx.st.threads, kbusy, kafter,
		reap_wait_ms);
	if (ctx.st.threads) {
		pr_err("FAIL reap check: %u threads left after %u ms\n",
		       ctx.st.threads, reap_wait_ms);
		bench_failures++;
	}
	ktpool_destroy(pool);
}

/* Parse a comma-separated list of numbers; returns how many, or -EINVAL. */
static int bench_parse_list(const char *str, unsigned long *v, int max)
{
	char *buf, *p, *tok;
	int nr = 0, ret = 0;

	buf = kstrdup(str, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while ((tok = strsep(&p, ",")) && nr < max) {
		if (!*tok)
			continue;
		ret = kstrtoul(tok, 0, &v[nr]);
		if (ret)
			break;
		nr++;
	}
	kfree(buf);
	return ret ? ret : nr;
}

static bool bench_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	if (!strcmp(list, "all"))
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') &&
		    (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* All repetitions of one case; false when the benchmark must stop. */
static bool bench_case(const struct bench_mode *bm, enum bench_workload w,
		       unsigned long n, unsigned int nsub, bool *any_ktpool)
{
	unsigned int r;
	int ret;

	if (!bench_listed(modes, bm->name))
		return true;
	if (bm->setup == bench_ktpool_setup)
		*any_ktpool = true;
	if (bm->setup == bench_np_setup && np_max_tasks && n > np_max_tasks) {
		bench_skip(bm->name, w, n, nsub, "above np_max_tasks");
		return true;
	}
	if (bm->setup == bench_kw_setup && w == BENCH_SLEEP &&
	    (u64)n * sleep_us / 1000 > serial_max_ms) {
		bench_skip(bm->name, w, n, nsub,
			   "serial time above serial_max_ms");
		return true;
	}
	for (r = 0; r < reps; r++) {
		ret = bench_run(bm, w, n, nsub, r);
		if (ret < 0)
			return false;
		if (ret) {
			pr_info("NOTE,%s,%s,%lu,%u,stopped at max_run_s=%u: not repeated\n",
				bm->name, bench_wl_names[w], n, nsub, max_run_s);
			break;
		}
	}
	return true;
}

static void bench_main(void)
{
	unsigned long counts[BENCH_NR_WL][BENCH_MAX_LIST];
	const char *lists[BENCH_NR_WL] = { nop_tasks, spin_tasks, sleep_tasks };
	unsigned long subs[2], maxn = 2 * conc;
	int nr[BENCH_NR_WL], nsubs, w, c, k, m;
	bool any_ktpool = false;

	nsubs = bench_parse_list(submitters, subs, ARRAY_SIZE(subs));
	for (w = 0; w < BENCH_NR_WL; w++) {
		nr[w] = bench_parse_list(lists[w], counts[w], BENCH_MAX_LIST);
		if (nr[w] < 0) {
			pr_err("FAIL bad %s_tasks list: %d\n", bench_wl_names[w],
			       nr[w]);
			bench_failures++;
			return;
		}
		if (!bench_listed(workloads, bench_wl_names[w]))
			nr[w] = 0;
		for (c = 0; c < nr[w]; c++)
			maxn = max(maxn, counts[w][c]);
	}
	if (nsubs <= 0 || !conc || conc > KTPOOL_MAX_CAPACITY || !ring ||
	    !reps || !sample_us) {
		pr_err("FAIL bad parameters\n");
		bench_failures++;
		return;
	}
	for (k = 0; k < nsubs; k++) {
		if (subs[k] < 1 || subs[k] > ARRAY_SIZE(ctx.sub)) {
			pr_err("FAIL submitters must be 1 or 2\n");
			bench_failures++;
			return;
		}
	}
	ctx.seen = vmalloc(maxn);
	if (!ctx.seen) {
		bench_failures++;
		return;
	}

	pr_info("BENCH-META,%s,%u,%u,%u,%u,%u,%u,%u\n", utsname()->release,
		num_online_cpus(), HZ, conc, spin_us, sleep_us, reps,
		np_max_live);
	for (w = 0; w < BENCH_NR_WL; w++)
		for (c = 0; c < nr[w]; c++)
			for (k = 0; k < nsubs; k++)
				for (m = 0; m < ARRAY_SIZE(bench_modes); m++)
					if (!bench_case(&bench_modes[m], w,
							counts[w][c], subs[k],
							&any_ktpool))
						return;
	if (any_ktpool)
		bench_reap_check();
}

static int __init bench_init(void)
{
	u64 t0 = ktime_get_ns();

	bench_main();
	pr_info("BENCH-DONE failures=%d seconds=%llu\n", bench_failures,
		div_u64(ktime_get_ns() - t0, NSEC_PER_SEC));
	return 0;
}

static void __exit bench_exit(void)
{
	vfree(ctx.seen);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool benchmark: pool, kthread per task, cmwq, kthread_worker");
