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
 *  cmwq_sem        down() on a semaphore of C, then queue_work() on the
 *                  WQ_UNBOUND workqueue; the work item ends with up()
 *  cmwq_sem_try    down_trylock(), else run the task in the submitter
 *  cmwq_percpu     alloc_workqueue(0, C)
 *  kthread_worker  one kthread_create_worker() (the serial baseline)
 *  ktpool_group    fan-out/join: each submitter sends its tasks through a
 *                  group of its own (ktpool_group_submit(), no limit but
 *                  the pool's C), then waits for them (ktpool_group_wait())
 *  cmwq_join       the workqueue equivalent: WQ_UNBOUND of C, a counter of
 *                  pending items and a completion per submitter, then
 *                  wait_for_completion()
 *
 * Every task is a request as a user makes one: kmalloc()ed by the submitter
 * (with a work item inside for the workqueue modes and a payload buffer of
 * @payload bytes that the submitter fills) and kfree()d by the task. The
 * pools and workqueues are warmed up before the start line: C tasks that
 * wait until all C run, so every thread or kworker the run may use exists,
 * as it would in a pool or workqueue that lives long.
 *
 * With latency=1 it runs the latency cases instead (bench_latency_main()):
 * the submit-to-start latency of short paced tasks on a normal, a nice -20
 * and a KTPOOL_RT pool and on four workqueues, printed as "LAT,..." lines.
 *
 * Everything runs from module init, which always returns 0: the results are
 * printed to the console as "RESULT,..." lines (see bench_report()) that
 * scripts/bench.sh turns into a table, a CSV file and a plot, and a last
 * "BENCH-DONE failures=N" line. A task that ran twice or never, a submit
 * error or a run that never completes counts as a failure.
 *
 * The memory columns are the peak rise of NR_KERNEL_STACK_KB and of the slab
 * counters over a baseline taken at the start line (so the requests in
 * flight or queued count, not the warm-up), sampled by an hrtimer every
 * sample_us and once more after the last task, before the pool or workqueue
 * is torn down; the KernelStack rise of the setup and warm-up (a pool's
 * standing threads) is reported apart. The CPU column is the busy time of
 * the guest over the run: online CPUs x wall time minus the idle (and
 * iowait) time the kernel accounts; the context switches are the "ctxt"
 * count of /proc/stat (nr_context_switches() is not exported).
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/ktpool.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/semaphore.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/tick.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#define BENCH_MAX_LIST	16
#define BENCH_MAX_SUB	8
#define BENCH_MAX_PAYLOAD	SZ_1M
#define BENCH_STAT_BUF	SZ_64K
#define BENCH_WARM_S	20	/* below the guest's hung task timeout (30 s) */

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
MODULE_PARM_DESC(submitters,
		 "numbers of submitting threads to run with (1..8 each)");

static unsigned int conc = 256;
module_param(conc, uint, 0444);
MODULE_PARM_DESC(conc, "concurrency bound C: pool capacity, max_active, semaphore");

static unsigned int spin_us = 10;
module_param(spin_us, uint, 0444);
MODULE_PARM_DESC(spin_us, "busy loop of a spin task, us");

static unsigned int sleep_us = 10000;
module_param(sleep_us, uint, 0444);
MODULE_PARM_DESC(sleep_us, "sleep of a sleep task, us");

static unsigned int payload;
module_param(payload, uint, 0444);
MODULE_PARM_DESC(payload, "bytes of buffer in every request (default 0)");

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

static bool latency;
module_param(latency, bool, 0444);
MODULE_PARM_DESC(latency,
		 "run the latency cases (lat_modes) instead of the throughput cases");

static char *lat_modes = "all";
module_param(lat_modes, charp, 0444);
MODULE_PARM_DESC(lat_modes, "comma-separated latency modes (default: all)");

static unsigned int lat_samples = 20000;
module_param(lat_samples, uint, 0444);
MODULE_PARM_DESC(lat_samples, "latency: tasks (samples) per mode");

static unsigned int lat_gap_us = 500;
module_param(lat_gap_us, uint, 0444);
MODULE_PARM_DESC(lat_gap_us,
		 "latency: the submitter sleeps this long between two tasks, us");

static unsigned int lat_spin_us = 10;
module_param(lat_spin_us, uint, 0444);
MODULE_PARM_DESC(lat_spin_us, "latency: busy loop of a task, us");

static unsigned int lat_rounds = 2;
module_param(lat_rounds, uint, 0444);
MODULE_PARM_DESC(lat_rounds,
		 "latency: rounds, each running every mode on its share of the samples");

static unsigned int lat_load;
module_param(lat_load, uint, 0444);
MODULE_PARM_DESC(lat_load,
		 "latency: busy user processes the guest started (reported only)");

enum bench_workload { BENCH_NOP, BENCH_SPIN, BENCH_SLEEP, BENCH_NR_WL };

static const char * const bench_wl_names[BENCH_NR_WL] = {
	[BENCH_NOP] = "nop",
	[BENCH_SPIN] = "spin",
	[BENCH_SLEEP] = "sleep",
};

/*
 * One task's request: allocated by the submitter, freed by the task. The
 * work item is the one its mode queues (none for no_pool and ktpool).
 */
struct bench_req {
	union {
		struct work_struct work;
		struct kthread_work kwork;
	};
	struct bench_sub *sub;	/* cmwq_join: whose counter to drop */
	unsigned long idx;
	u8 buf[];		/* payload bytes */
};

/* One submitting thread: tasks [lo, hi). */
struct bench_sub {
	struct task_struct *task;
	unsigned long lo, hi, next;
	unsigned long inlined;	/* tasks run in the submitter */
	unsigned long retries;
	int err;
	struct ktpool_group grp;	/* ktpool_group */
	atomic_t pending;		/* cmwq_join: items + 1 */
	struct completion joined;	/* cmwq_join: pending reached 0 */
};

struct bench_mode;

/* Control and results of the current run; one run at a time. */
struct bench_ctx {
	const struct bench_mode *mode;
	enum bench_workload wl;
	unsigned long n;
	unsigned int nsub;
	struct bench_sub sub[BENCH_MAX_SUB];

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
	struct semaphore wq_sem;	/* cmwq_sem, cmwq_sem_try: C */
	struct ktpool_stats st;

	/* Warm-up: C tasks that wait until all C run. */
	atomic_t warm_running;
	struct completion warm_all;	/* all C are running */
	struct completion warm_go;	/* release them */

	struct hrtimer sampler;
	long kstack0, slab0;		/* baselines, KiB */
	long kstack_max, slab_max;	/* peak during the run, KiB */
	long warm_kstack;		/* KernelStack rise of setup + warm-up */
	u64 idle0;			/* idle time of all CPUs at t0, us */
	long long ctxsw0;		/* context switches at t0 */
};

static struct bench_ctx ctx;
static char *bench_statbuf;		/* /proc/stat, BENCH_STAT_BUF bytes */

struct bench_mode {
	const char *name;
	int (*setup)(void);
	int (*warm)(void);			/* NULL: nothing to warm up */
	int (*submit)(struct bench_sub *s, struct bench_req *req);
	unsigned int (*peak_threads)(void);	/* UINT_MAX: not a thread count */
	void (*teardown)(void);
	int (*join)(struct bench_sub *s);	/* NULL: nothing to wait for */
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

/* Idle (and iowait) time of the online CPUs as the kernel accounts it, us. */
static u64 bench_idle_us(void)
{
	u64 sum = 0, v;
	int cpu;

	for_each_online_cpu(cpu) {
		v = get_cpu_idle_time_us(cpu, NULL);
		if (v == (u64)-1)	/* no NO_HZ accounting: the tick's */
			v = div_u64(kcpustat_cpu(cpu).cpustat[CPUTIME_IDLE],
				    NSEC_PER_USEC);
		sum += v;
		v = get_cpu_iowait_time_us(cpu, NULL);
		if (v == (u64)-1)
			v = div_u64(kcpustat_cpu(cpu).cpustat[CPUTIME_IOWAIT],
				    NSEC_PER_USEC);
		sum += v;
	}
	return sum;
}

/*
 * Context switches since boot: the "ctxt" line of /proc/stat, since
 * nr_context_switches() is not exported (6.1, 6.12). -1 when unknown.
 */
static long long bench_ctxsw(void)
{
	unsigned long long v;
	struct file *f;
	size_t len = 0;
	loff_t pos = 0;
	ssize_t r;
	char *p, *e;

	if (!bench_statbuf)
		return -1;
	f = filp_open("/proc/stat", O_RDONLY, 0);
	if (IS_ERR(f))
		return -1;
	while (len < BENCH_STAT_BUF - 1) {
		r = kernel_read(f, bench_statbuf + len,
				BENCH_STAT_BUF - 1 - len, &pos);
		if (r <= 0)
			break;
		len += r;
	}
	filp_close(f, NULL);
	bench_statbuf[len] = '\0';
	p = strstr(bench_statbuf, "\nctxt ");
	if (!p)
		return -1;
	p += strlen("\nctxt ");
	e = strchr(p, '\n');
	if (e)
		*e = '\0';
	if (kstrtoull(p, 10, &v) || v > LLONG_MAX)
		return -1;
	return v;
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

/* A request as a user makes one: allocated, then filled in. */
static struct bench_req *bench_req_new(unsigned long idx)
{
	struct bench_req *req;

	req = kmalloc(struct_size(req, buf, payload), GFP_KERNEL);
	if (!req)
		return NULL;
	req->idx = idx;
	memset(req->buf, 0x5a, payload);
	return req;
}

/* The body every mode runs, once per task. */
static bool diag;
module_param(diag, bool, 0444);
MODULE_PARM_DESC(diag, "count where tasks run (a DIAG line per case)");

/* diag: [0] inline in a submitter, [1] on a submitter's CPU, [2] elsewhere */
static DEFINE_PER_CPU(unsigned long[3], bench_where);

static void bench_diag_task(void)
{
	struct task_struct *st = ctx.sub[0].task;
	int k = 2;

	if (!st)	/* the reap check: no submitters */
		return;
	if (current == st || (ctx.nsub > 1 && current == ctx.sub[1].task))
		k = 0;
	else if (task_cpu(st) == raw_smp_processor_id())
		k = 1;
	this_cpu_inc(bench_where[k]);
}

static void bench_diag_report(const char *mode, enum bench_workload wl,
			      unsigned long n, unsigned int nsub,
			      unsigned int rep)
{
	unsigned long where[3] = {};
	int cpu, k;

	for_each_possible_cpu(cpu)
		for (k = 0; k < 3; k++)
			where[k] += per_cpu(bench_where, cpu)[k];
	pr_info("DIAG,%s,%s,%lu,%u,%u,inline=%lu,sub_cpu=%lu,other=%lu\n",
		mode, bench_wl_names[wl], n, nsub, rep, where[0], where[1],
		where[2]);
}

static void bench_task(unsigned long idx)
{
	if (diag)
		bench_diag_task();
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

/* A task: run it, free its request, count it. */
static void bench_req_run(struct bench_req *req)
{
	bench_task(req->idx);
	kfree(req);
	bench_task_done();
}

/* Retry policy of nowait. */
static void bench_backoff(struct bench_sub *s, unsigned int *tries)
{
	s->retries++;
	if (++*tries < 16)
		cond_resched();
	else
		usleep_range(20, 50);
}

/* Warm-up: C tasks that each wait until all C are running. */
static void bench_warm_wait(void)
{
	if (atomic_inc_return(&ctx.warm_running) == conc)
		complete(&ctx.warm_all);
	wait_for_completion_state(&ctx.warm_go, TASK_IDLE);
}

/* Wait killable (so not a hung task) for @c, at most @secs seconds. */
static bool bench_wait(struct completion *c, unsigned int secs)
{
	return wait_for_completion_killable_timeout(c, secs * HZ) > 0;
}

/* no_pool: a kthread per task */

static int bench_np_fn(void *data)
{
	struct bench_req *req = data;

	bench_task(req->idx);
	kfree(req);
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

static int bench_np_submit(struct bench_sub *s, struct bench_req *req)
{
	struct task_struct *t;
	int ret;

	ret = down_killable(&ctx.np_sem);
	if (ret)
		return ret;
	bench_max(&ctx.np_peak, atomic_inc_return(&ctx.np_live));
	__module_get(THIS_MODULE);
	t = kthread_run(bench_np_fn, req, "ktbench_np");
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
	bench_req_run(data);
}

static void bench_ktpool_warm_fn(void *data)
{
	bench_warm_wait();
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

/* Start all C threads: C tasks that wait for each other, then drain. */
static int bench_ktpool_warm(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < conc; i++) {
		ret = ktpool_submit(ctx.pool, bench_ktpool_warm_fn, NULL);
		if (ret < 0)
			break;
		ret = 0;
	}
	if (!ret && !bench_wait(&ctx.warm_all, BENCH_WARM_S))
		ret = -ETIMEDOUT;
	complete_all(&ctx.warm_go);
	ktpool_drain(ctx.pool);
	return ret;
}

/* A submit's answer: 0 or -errno; counts the tasks run in the submitter. */
static int bench_ktpool_ret(struct bench_sub *s, int ret)
{
	if (ret == KTPOOL_RAN_INLINE)
		s->inlined++;
	return ret < 0 ? ret : 0;
}

static int bench_try_submit(struct bench_sub *s, struct bench_req *req)
{
	return bench_ktpool_ret(s, ktpool_try_submit(ctx.pool, bench_ktpool_fn,
						     req));
}

static int bench_anyway_submit(struct bench_sub *s, struct bench_req *req)
{
	return bench_ktpool_ret(s, ktpool_submit(ctx.pool, bench_ktpool_fn,
						 req));
}

static int bench_nowait_submit(struct bench_sub *s, struct bench_req *req)
{
	unsigned int tries = 0;
	int ret;

	while ((ret = ktpool_submit_nowait(ctx.pool, bench_ktpool_fn,
					   req)) == -EBUSY)
		bench_backoff(s, &tries);
	return ret;
}

/* ktpool_group: fan out through a group per submitter, then join */

static int bench_group_fn(void *data)
{
	bench_req_run(data);
	return 0;
}

static int bench_group_setup(void)
{
	unsigned int i;
	int ret = bench_ktpool_setup();

	for (i = 0; !ret && i < BENCH_MAX_SUB; i++)
		ktpool_group_init(&ctx.sub[i].grp, ctx.pool, 0);
	return ret;
}

static int bench_group_submit(struct bench_sub *s, struct bench_req *req)
{
	return bench_ktpool_ret(s, ktpool_group_submit(&s->grp, bench_group_fn,
						       req));
}

static int bench_group_join(struct bench_sub *s)
{
	return ktpool_group_wait(&s->grp);
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

/* cmwq: unbound, per-CPU, and unbound behind a semaphore of C */

static void bench_work_fn(struct work_struct *work)
{
	bench_req_run(container_of(work, struct bench_req, work));
}

/* The semaphore idiom's work item: the task, then up(). */
static void bench_sem_work_fn(struct work_struct *work)
{
	struct bench_req *req = container_of(work, struct bench_req, work);

	bench_task(req->idx);
	kfree(req);
	up(&ctx.wq_sem);
	bench_task_done();
}

static void bench_warm_work_fn(struct work_struct *work)
{
	bench_warm_wait();
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

static int bench_sem_setup(void)
{
	sema_init(&ctx.wq_sem, conc);
	return bench_wq_setup(WQ_UNBOUND);
}

/* Have kworkers for C work items: C items that wait, then flush. */
static int bench_wq_warm(void)
{
	struct work_struct *w;
	unsigned int i;
	int ret = 0;

	w = kcalloc(conc, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	for (i = 0; i < conc; i++) {
		INIT_WORK(&w[i], bench_warm_work_fn);
		queue_work(ctx.wq, &w[i]);
	}
	if (!bench_wait(&ctx.warm_all, BENCH_WARM_S))
		ret = -ETIMEDOUT;
	complete_all(&ctx.warm_go);
	flush_workqueue(ctx.wq);
	kfree(w);
	return ret;
}

static int bench_wq_submit(struct bench_sub *s, struct bench_req *req)
{
	INIT_WORK(&req->work, bench_work_fn);
	queue_work(ctx.wq, &req->work);
	return 0;
}

static int bench_sem_submit(struct bench_sub *s, struct bench_req *req)
{
	down(&ctx.wq_sem);
	INIT_WORK(&req->work, bench_sem_work_fn);
	queue_work(ctx.wq, &req->work);
	return 0;
}

static int bench_sem_try_submit(struct bench_sub *s, struct bench_req *req)
{
	if (down_trylock(&ctx.wq_sem)) {
		s->inlined++;
		bench_req_run(req);
		return 0;
	}
	INIT_WORK(&req->work, bench_sem_work_fn);
	queue_work(ctx.wq, &req->work);
	return 0;
}

/* cmwq_join: items, a counter of pending items and a completion */

static void bench_join_work_fn(struct work_struct *work)
{
	struct bench_req *req = container_of(work, struct bench_req, work);
	struct bench_sub *s = req->sub;

	bench_req_run(req);
	if (atomic_dec_and_test(&s->pending))
		complete(&s->joined);
}

static int bench_join_setup(void)
{
	unsigned int i;

	for (i = 0; i < BENCH_MAX_SUB; i++) {
		atomic_set(&ctx.sub[i].pending, 1);
		init_completion(&ctx.sub[i].joined);
	}
	return bench_wq_setup(WQ_UNBOUND);
}

static int bench_join_submit(struct bench_sub *s, struct bench_req *req)
{
	req->sub = s;
	atomic_inc(&s->pending);
	INIT_WORK(&req->work, bench_join_work_fn);
	queue_work(ctx.wq, &req->work);
	return 0;
}

static int bench_join_wait(struct bench_sub *s)
{
	if (atomic_dec_and_test(&s->pending))
		complete(&s->joined);
	wait_for_completion(&s->joined);
	return 0;
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

/* kthread_worker: one worker, the serial baseline */

static void bench_kwork_fn(struct kthread_work *work)
{
	bench_req_run(container_of(work, struct bench_req, kwork));
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

static int bench_kw_submit(struct bench_sub *s, struct bench_req *req)
{
	kthread_init_work(&req->kwork, bench_kwork_fn);
	kthread_queue_work(ctx.kw, &req->kwork);
	return 0;
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
	{ .name = "no_pool", .setup = bench_np_setup,
	  .submit = bench_np_submit, .peak_threads = bench_np_peak,
	  .teardown = bench_np_teardown },
	{ .name = "ktpool_try", .setup = bench_ktpool_setup,
	  .warm = bench_ktpool_warm, .submit = bench_try_submit,
	  .peak_threads = bench_ktpool_peak, .teardown = bench_ktpool_teardown },
	{ .name = "ktpool_anyway", .setup = bench_ktpool_setup,
	  .warm = bench_ktpool_warm, .submit = bench_anyway_submit,
	  .peak_threads = bench_ktpool_peak, .teardown = bench_ktpool_teardown },
	{ .name = "ktpool_nowait", .setup = bench_ktpool_setup,
	  .warm = bench_ktpool_warm, .submit = bench_nowait_submit,
	  .peak_threads = bench_ktpool_peak, .teardown = bench_ktpool_teardown },
	{ .name = "cmwq_unbound", .setup = bench_unbound_setup,
	  .warm = bench_wq_warm, .submit = bench_wq_submit,
	  .peak_threads = bench_wq_peak, .teardown = bench_wq_teardown },
	{ .name = "cmwq_sem", .setup = bench_sem_setup,
	  .warm = bench_wq_warm, .submit = bench_sem_submit,
	  .peak_threads = bench_wq_peak, .teardown = bench_wq_teardown },
	{ .name = "cmwq_sem_try", .setup = bench_sem_setup,
	  .warm = bench_wq_warm, .submit = bench_sem_try_submit,
	  .peak_threads = bench_wq_peak, .teardown = bench_wq_teardown },
	{ .name = "cmwq_percpu", .setup = bench_percpu_setup,
	  .warm = bench_wq_warm, .submit = bench_wq_submit,
	  .peak_threads = bench_wq_peak, .teardown = bench_wq_teardown },
	{ .name = "kthread_worker", .setup = bench_kw_setup,
	  .submit = bench_kw_submit, .peak_threads = bench_kw_peak,
	  .teardown = bench_kw_teardown },
	{ .name = "ktpool_group", .setup = bench_group_setup,
	  .warm = bench_ktpool_warm, .submit = bench_group_submit,
	  .peak_threads = bench_ktpool_peak, .teardown = bench_ktpool_teardown,
	  .join = bench_group_join },
	{ .name = "cmwq_join", .setup = bench_join_setup,
	  .warm = bench_wq_warm, .submit = bench_join_submit,
	  .peak_threads = bench_wq_peak, .teardown = bench_wq_teardown,
	  .join = bench_join_wait },
};

static int bench_submitter_fn(void *arg)
{
	struct bench_sub *s = arg;
	struct bench_req *req;
	unsigned long idx;

	wait_for_completion(&ctx.go);
	for (idx = s->lo; idx < s->hi; idx++) {
		if (!((idx - s->lo) & 1023) &&
		    ktime_get_ns() > ctx.deadline) {
			s->err = -ETIMEDOUT;
			break;
		}
		req = bench_req_new(idx);
		if (!req) {
			s->err = -ENOMEM;
			break;
		}
		s->err = ctx.mode->submit(s, req);
		if (s->err) {
			kfree(req);	/* not accepted: the task never runs */
			break;
		}
	}
	s->next = idx;
	bench_give_up(s->hi - idx);
	/* Fan-out/join modes: the submitter waits for its own tasks. */
	if (ctx.mode->join) {
		int ret = ctx.mode->join(s);

		if (ret && !s->err)
			s->err = ret;
	}
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

static int bench_failures;

static unsigned int bench_arg_us(enum bench_workload wl)
{
	return wl == BENCH_SPIN ? spin_us : wl == BENCH_SLEEP ? sleep_us : 0;
}

/* One run's numbers, as bench_report() prints them; -1: not measured. */
struct bench_result {
	const char *status;
	u64 wall_ns;
	unsigned long done;
	long peak_threads;
	int peak_running;
	long kstack_kib, slab_kib, warm_kstack_kib;
	int once;
	unsigned long inlined, retries;
	long long cpu_us, window_us, ctxsw;
};

/*
 * RESULT,mode,workload,arg_us,tasks,conc,submitters,rep,status,wall_ns,
 * done,peak_threads,peak_running,kstack_kb,slab_kb,exactly_once,inlined,
 * retries,payload,cpu_us,window_us,ctxsw,cpus,warm_kstack_kb
 * status: ok, dnf (stopped by max_run_s), fail, skip (then a reason).
 * cpu_us: busy time of all online CPUs over window_us (from the start line
 * until the controller saw the last task finish); ctxsw: context switches
 * in that window; cpus: online CPUs; warm_kstack_kb: the KernelStack rise
 * of the setup and warm-up (kstack_kb is the rise from the start line on).
 */
static void bench_report(const char *mode, enum bench_workload wl,
			 unsigned long n, unsigned int nsub, unsigned int rep,
			 const struct bench_result *r)
{
	pr_info("RESULT,%s,%s,%u,%lu,%u,%u,%u,%s,%llu,%lu,%ld,%d,%ld,%ld,%d,%lu,%lu,%u,%lld,%lld,%lld,%u,%ld\n",
		mode, bench_wl_names[wl], bench_arg_us(wl), n, conc, nsub, rep,
		r->status, r->wall_ns, r->done, r->peak_threads,
		r->peak_running, r->kstack_kib, r->slab_kib, r->once,
		r->inlined, r->retries, payload, r->cpu_us, r->window_us,
		r->ctxsw, num_online_cpus(), r->warm_kstack_kib);
}

static void bench_skip(const char *mode, enum bench_workload wl,
		       unsigned long n, unsigned int nsub, const char *why)
{
	struct bench_result r = {
		.status = "skip", .peak_threads = -1, .peak_running = -1,
		.kstack_kib = -1, .slab_kib = -1, .warm_kstack_kib = -1,
		.once = -1, .cpu_us = -1,
		.window_us = -1, .ctxsw = -1,
	};

	bench_report(mode, wl, n, nsub, 0, &r);
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
	struct bench_result r = { .status = "ok" };
	unsigned long i, j, bad = 0;
	unsigned int created = 0;
	u8 *seen = ctx.seen;
	unsigned int ncpu;
	long long ctxsw1;
	u64 t1, idle1;
	long peak;
	int err = 0, ret, cpu;

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
	init_completion(&ctx.warm_all);
	init_completion(&ctx.warm_go);

	/* KernelStack from before the setup: the warm-up's threads. */
	ctx.kstack0 = bench_kstack_kb();
	ctx.kstack_max = ctx.kstack0;
	ctx.slab0 = bench_slab_kb();
	ctx.slab_max = ctx.slab0;
	ret = m->setup();
	if (ret) {
		pr_err("FAIL %s: setup: %d\n", m->name, ret);
		bench_failures++;
		return 0;
	}
	hrtimer_init(&ctx.sampler, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ctx.sampler.function = bench_sampler_fn;
	hrtimer_start(&ctx.sampler, ns_to_ktime((u64)sample_us * NSEC_PER_USEC),
		      HRTIMER_MODE_REL);

	for (i = 0; i < nsub; i++) {
		ctx.sub[i].lo = n * i / nsub;
		ctx.sub[i].hi = n * (i + 1) / nsub;
	}
	for (i = 0; i < nsub; i++) {
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
	if (!ret && m->warm) {
		ret = m->warm();
		if (ret)
			pr_err("FAIL %s: warm-up: %d (%d of %u tasks ran)\n",
			       m->name, ret, atomic_read(&ctx.warm_running),
			       conc);
	}
	if (ret) {
		/* Let the submitters already created pass with nothing. */
		for (i = 0; i < nsub; i++)
			ctx.sub[i].hi = ctx.sub[i].lo;
		for (i = 0; i < created; i++)
			wake_up_process(ctx.sub[i].task);
		complete_all(&ctx.go);
		bench_stop_subs();
		hrtimer_cancel(&ctx.sampler);
		m->teardown();
		pr_err("FAIL %s: setup of the run: %d\n", m->name, ret);
		bench_failures++;
		return 0;
	}
	for (i = 0; i < nsub; i++)
		wake_up_process(ctx.sub[i].task);

	/*
	 * The start line: the rise of the warm-up, the memory baselines of the
	 * run, the context switch count, the idle time, then go.
	 */
	bench_sample();
	ctx.warm_kstack = READ_ONCE(ctx.kstack_max) - ctx.kstack0;
	ctx.kstack0 = bench_kstack_kb();
	WRITE_ONCE(ctx.kstack_max, ctx.kstack0);
	ctx.slab0 = bench_slab_kb();
	WRITE_ONCE(ctx.slab_max, ctx.slab0);
	ctx.ctxsw0 = bench_ctxsw();
	if (diag)
		for_each_possible_cpu(cpu)
			memset(per_cpu_ptr(&bench_where, cpu), 0,
			       sizeof(bench_where));
	ncpu = num_online_cpus();
	ctx.idle0 = bench_idle_us();
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
	t1 = ktime_get_ns();
	idle1 = bench_idle_us();
	ctxsw1 = bench_ctxsw();
	bench_sample();
	peak = m->peak_threads();
	hrtimer_cancel(&ctx.sampler);
	bench_stop_subs();
	m->teardown();

	r.window_us = div_u64(t1 - ctx.t0, NSEC_PER_USEC);
	r.cpu_us = max_t(long long, 0,
			 (long long)ncpu * r.window_us -
			 (long long)(idle1 - ctx.idle0));
	r.ctxsw = ctx.ctxsw0 >= 0 && ctxsw1 >= ctx.ctxsw0 ?
		  ctxsw1 - ctx.ctxsw0 : -1;
	for (i = 0; i < nsub; i++) {
		struct bench_sub *s = &ctx.sub[i];

		for (j = s->lo; j < s->hi; j++)
			bad += seen[j] != (j < s->next);
		r.done += s->next - s->lo;
		r.retries += s->retries;
		r.inlined += s->inlined;
		if (s->err && !err)
			err = s->err;
	}
	if (err == -ETIMEDOUT) {
		r.status = "dnf";
	} else if (err || bad) {
		r.status = "fail";
		pr_err("FAIL %s %s n=%lu: submit error %d, %lu tasks not run exactly once\n",
		       m->name, bench_wl_names[wl], n, err, bad);
		bench_failures++;
	}
	r.wall_ns = ctx.t_end - ctx.t0;
	r.peak_threads = peak == UINT_MAX ? -1 : peak;
	r.peak_running = atomic_read(&ctx.peak_running);
	r.kstack_kib = ctx.kstack_max - ctx.kstack0;
	r.slab_kib = ctx.slab_max - ctx.slab0;
	r.warm_kstack_kib = ctx.warm_kstack;
	r.once = !bad;
	bench_report(m->name, wl, n, nsub, rep, &r);
	/* ktpool modes: the pool's own counters, warm-up included */
	if (ctx.st.peak_threads)
		pr_info("POOL,%s,%s,%lu,%u,%u,spawned=%llu,reaped=%llu,inlined=%llu\n",
			m->name, bench_wl_names[wl], n, nsub, rep,
			ctx.st.spawned, ctx.st.reaped, ctx.st.inlined);
	if (diag)
		bench_diag_report(m->name, wl, n, nsub, rep);
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
	struct bench_req *req;
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
	for (i = 0; i < n; i++) {
		req = bench_req_new(i);
		if (!req || ktpool_submit(pool, bench_ktpool_fn, req) < 0) {
			kfree(req);
			bench_give_up(1);
		}
	}
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

/*
 * Latency (latency=1): submit-to-start of short tasks while the guest's CPUs
 * are loaded (the guest script starts the busy user processes; lat_load
 * says how many). One submitter kthread (nice 0, not pinned) submits a task,
 * then sleeps lat_gap_us, so that one task at a time measures the
 * scheduler's answer to a wakeup, not a throughput. Each request carries
 * the ktime_get_ns() taken just before its submit (after its allocation);
 * the task's first statement takes the difference, then it spins
 * lat_spin_us. The modes run in lat_rounds rounds of lat_samples /
 * lat_rounds tasks each, every mode once per round, so that a change of the
 * host's load meanwhile is spread over all modes; every run creates its pool
 * or workqueue and warms it up as the throughput cases do (C tasks that
 * wait until all C run).
 */
struct bench_lat_mode {
	const char *name;
	bool pool;		/* a ktpool, else a workqueue */
	int nice;		/* a ktpool's attrs.nice */
	unsigned int flags;	/* a ktpool's KTPOOL_*, a workqueue's WQ_* */
};

static const struct bench_lat_mode bench_lat_modes[] = {
	{ .name = "ktpool_normal", .pool = true },
	{ .name = "ktpool_highpri", .pool = true, .nice = MIN_NICE },
	{ .name = "ktpool_rt", .pool = true, .flags = KTPOOL_RT },
	{ .name = "cmwq_unbound", .flags = WQ_UNBOUND },
	{ .name = "cmwq_highpri", .flags = WQ_UNBOUND | WQ_HIGHPRI },
	{ .name = "cmwq_percpu" },
	{ .name = "cmwq_percpu_hi", .flags = WQ_HIGHPRI },
};

#define BENCH_LAT_NR	ARRAY_SIZE(bench_lat_modes)

struct bench_lat_req {
	struct work_struct work;
	u64 t_submit;
	unsigned int idx;
};

/* Per mode: the samples of all rounds; per run: the submitter's state. */
static struct {
	u64 *ns;			/* BENCH_LAT_NR x lat_samples */
	unsigned int done[BENCH_LAT_NR];
	unsigned int bad[BENCH_LAT_NR];	/* tasks not run exactly once */
	int err[BENCH_LAT_NR];		/* first error of a run */
	u64 window_us[BENCH_LAT_NR], idle_us[BENCH_LAT_NR];

	const struct bench_lat_mode *mode;
	u64 *slot;			/* this run's samples */
	unsigned int n, next;		/* tasks of this run, submitted */
	int run_err;
	atomic_t left;			/* tasks to finish + the submitter */
	struct completion finished;
} lat;

static void bench_lat_task(struct bench_lat_req *req)
{
	u64 t = ktime_get_ns();
	u64 end = t + (u64)lat_spin_us * NSEC_PER_USEC;
	unsigned int idx = req->idx;

	lat.slot[idx] = t - req->t_submit;
	WRITE_ONCE(ctx.seen[idx], ctx.seen[idx] + 1);
	kfree(req);
	while (ktime_get_ns() < end)
		cpu_relax();
	if (atomic_dec_and_test(&lat.left))
		complete(&lat.finished);
}

static void bench_lat_pool_fn(void *data)
{
	bench_lat_task(data);
}

static void bench_lat_work_fn(struct work_struct *work)
{
	bench_lat_task(container_of(work, struct bench_lat_req, work));
}

static int bench_lat_submit(struct bench_lat_req *req)
{
	int ret;

	if (lat.mode->pool) {
		req->t_submit = ktime_get_ns();
		ret = ktpool_submit(ctx.pool, bench_lat_pool_fn, req);
		return ret < 0 ? ret : 0;
	}
	INIT_WORK(&req->work, bench_lat_work_fn);
	req->t_submit = ktime_get_ns();
	queue_work(ctx.wq, &req->work);
	return 0;
}

static int bench_lat_submitter_fn(void *arg)
{
	struct bench_lat_req *req;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < lat.n; i++) {
		if (ktime_get_ns() > ctx.deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		req = kmalloc(sizeof(*req), GFP_KERNEL);
		if (!req) {
			ret = -ENOMEM;
			break;
		}
		req->idx = i;
		ret = bench_lat_submit(req);
		if (ret) {
			kfree(req);	/* not accepted: the task never runs */
			break;
		}
		usleep_range(lat_gap_us, lat_gap_us + lat_gap_us / 4 + 1);
	}
	lat.run_err = ret;
	lat.next = i;
	/* The tasks never submitted, and the submitter's own count. */
	if (atomic_sub_and_test(lat.n - i + 1, &lat.left))
		complete(&lat.finished);

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

static void bench_lat_teardown(const struct bench_lat_mode *m)
{
	if (m->pool && ctx.pool)
		bench_ktpool_teardown();
	else if (!m->pool && ctx.wq)
		bench_wq_teardown();
}

static int bench_lat_setup(const struct bench_lat_mode *m)
{
	struct ktpool_attrs attrs = KTPOOL_ATTRS_INIT;
	int ret;

	if (!m->pool) {
		ret = bench_wq_setup(m->flags);
		return ret ? ret : bench_wq_warm();
	}
	attrs.nice = m->nice;
	attrs.flags = m->flags;
	ctx.pool = ktpool_create_attrs("bench_lat", conc, pool_idle_ms, &attrs);
	if (IS_ERR(ctx.pool)) {
		ret = PTR_ERR(ctx.pool);
		ctx.pool = NULL;
		return ret;
	}
	return bench_ktpool_warm();
}

/*
 * One run of mode @k: @n tasks, their samples after those of the earlier
 * rounds. Returns 0, or -1 when the benchmark cannot go on safely.
 */
static int bench_lat_run(unsigned int k, unsigned int n)
{
	const struct bench_lat_mode *m = &bench_lat_modes[k];
	u8 *seen = ctx.seen;
	struct task_struct *t;
	u64 t0, idle0;
	unsigned int i;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	ctx.seen = seen;
	memset(seen, 0, n);
	init_completion(&ctx.warm_all);
	init_completion(&ctx.warm_go);
	lat.mode = m;
	lat.slot = lat.ns + (size_t)k * lat_samples + lat.done[k];
	lat.n = n;
	lat.next = 0;
	lat.run_err = 0;
	atomic_set(&lat.left, n + 1);
	init_completion(&lat.finished);

	ret = bench_lat_setup(m);
	t = ret ? NULL : kthread_create(bench_lat_submitter_fn, NULL,
					"ktbench_lat");
	if (IS_ERR(t))
		ret = PTR_ERR(t);
	if (ret) {
		pr_err("FAIL latency %s: setup or warm-up: %d\n", m->name, ret);
		bench_lat_teardown(m);
		bench_failures++;
		return 0;
	}
	idle0 = bench_idle_us();
	t0 = ktime_get_ns();
	ctx.deadline = t0 + (u64)max_run_s * NSEC_PER_SEC;
	wake_up_process(t);
	if (!bench_wait(&lat.finished, max_run_s + 120)) {
		pr_err("FAIL latency %s: no completion, %d of %u tasks left; giving up\n",
		       m->name, atomic_read(&lat.left) - 1, n);
		bench_failures++;
		return -1;
	}
	lat.window_us[k] += div_u64(ktime_get_ns() - t0, NSEC_PER_USEC);
	lat.idle_us[k] += bench_idle_us() - idle0;
	kthread_stop(t);
	bench_lat_teardown(m);

	for (i = 0; i < n; i++)
		lat.bad[k] += seen[i] != (i < lat.next);
	lat.done[k] += lat.next;
	if (lat.run_err && !lat.err[k])
		lat.err[k] = lat.run_err;
	return 0;
}

static int bench_lat_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The sample at quantile @q / 10000 of the sorted @v[0..@n), nearest rank. */
static u64 bench_lat_q(const u64 *v, unsigned int n, unsigned int q)
{
	u64 r = DIV_ROUND_UP_ULL((u64)n * q, 10000);

	return v[r ? r - 1 : 0];
}

/*
 * LAT,mode,load,samples,done,gap_us,spin_us,status,busy_permille,min_ns,
 * p50_ns,p90_ns,p99_ns,p999_ns,max_ns,mean_ns,exactly_once,cpus
 * load: lat_load (busy user processes); samples: lat_samples; done: tasks
 * that ran (fewer when a run hit max_run_s: status dnf); busy_permille: the
 * guest's CPU busy time over the runs of the mode, per mille of
 * cpus x their wall time.
 */
static void bench_lat_report(unsigned int k)
{
	const struct bench_lat_mode *m = &bench_lat_modes[k];
	u64 *v = lat.ns + (size_t)k * lat_samples;
	unsigned int i, n = lat.done[k], ncpu = num_online_cpus();
	u64 sum = 0, total = (u64)ncpu * lat.window_us[k], busy = 0;
	const char *status = "ok";

	if (lat.err[k] == -ETIMEDOUT) {
		status = "dnf";
	} else if (lat.err[k] || lat.bad[k]) {
		status = "fail";
		pr_err("FAIL latency %s: submit error %d, %u tasks not run exactly once\n",
		       m->name, lat.err[k], lat.bad[k]);
		bench_failures++;
	}
	if (total > lat.idle_us[k])
		busy = div64_u64((total - lat.idle_us[k]) * 1000, total);
	for (i = 0; i < n; i++)
		sum += v[i];
	sort(v, n, sizeof(*v), bench_lat_cmp, NULL);
	if (!n) {
		v[0] = 0;	/* nothing ran: zeros */
		n = 1;
	}
	pr_info("LAT,%s,%u,%u,%u,%u,%u,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%d,%u\n",
		m->name, lat_load, lat_samples, lat.done[k], lat_gap_us,
		lat_spin_us, status, busy, v[0], bench_lat_q(v, n, 5000),
		bench_lat_q(v, n, 9000), bench_lat_q(v, n, 9900),
		bench_lat_q(v, n, 9990), v[n - 1],
		div_u64(sum, lat.done[k] ? lat.done[k] : 1), !lat.bad[k], ncpu);
}

static void bench_latency_main(void)
{
	unsigned int k, r, n;

	if (!lat_samples || !lat_rounds || lat_rounds > lat_samples || !conc ||
	    conc > KTPOOL_MAX_CAPACITY) {
		pr_err("FAIL bad parameters\n");
		bench_failures++;
		return;
	}
	ctx.seen = vmalloc(lat_samples);
	lat.ns = vmalloc(array_size(BENCH_LAT_NR, array_size(lat_samples,
							     sizeof(u64))));
	if (!ctx.seen || !lat.ns) {
		bench_failures++;
		return;
	}
	pr_info("BENCH-META,%s,%u,%u,%u,%u,%u,%u,%u,%u\n", utsname()->release,
		num_online_cpus(), HZ, conc, lat_spin_us, sleep_us, lat_rounds,
		np_max_live, payload);
	for (r = 0; r < lat_rounds; r++) {
		/* The last round takes the remainder. */
		n = lat_samples / lat_rounds;
		if (r == lat_rounds - 1)
			n = lat_samples - r * n;
		for (k = 0; k < BENCH_LAT_NR; k++)
			if (bench_listed(lat_modes, bench_lat_modes[k].name) &&
			    bench_lat_run(k, n) < 0)
				return;
	}
	for (k = 0; k < BENCH_LAT_NR; k++)
		if (bench_listed(lat_modes, bench_lat_modes[k].name))
			bench_lat_report(k);
}

static void bench_main(void)
{
	unsigned long counts[BENCH_NR_WL][BENCH_MAX_LIST];
	const char *lists[BENCH_NR_WL] = { nop_tasks, spin_tasks, sleep_tasks };
	unsigned long subs[BENCH_MAX_LIST], maxn = 2 * conc;
	int nr[BENCH_NR_WL], nsubs, w, c, k, m;
	bool any_ktpool = false;

	if (latency) {
		bench_latency_main();
		return;
	}
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
	if (nsubs <= 0 || !conc || conc > KTPOOL_MAX_CAPACITY || !reps ||
	    !sample_us || payload > BENCH_MAX_PAYLOAD) {
		pr_err("FAIL bad parameters\n");
		bench_failures++;
		return;
	}
	for (k = 0; k < nsubs; k++) {
		if (subs[k] < 1 || subs[k] > ARRAY_SIZE(ctx.sub)) {
			pr_err("FAIL submitters must be 1 to %u\n",
			       BENCH_MAX_SUB);
			bench_failures++;
			return;
		}
	}
	ctx.seen = vmalloc(maxn);
	if (!ctx.seen) {
		bench_failures++;
		return;
	}
	/* Without it the ctxsw column is -1: not a failure. */
	bench_statbuf = kvmalloc(BENCH_STAT_BUF, GFP_KERNEL);

	pr_info("BENCH-META,%s,%u,%u,%u,%u,%u,%u,%u,%u\n", utsname()->release,
		num_online_cpus(), HZ, conc, spin_us, sleep_us, reps,
		np_max_live, payload);
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
	vfree(lat.ns);
	kvfree(bench_statbuf);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool benchmark: pool, kthread per task, cmwq, cmwq+semaphore, kthread_worker");
