// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_torture - randomized stress of ktpool, in the spirit of locktorture.
 *
 * On load it starts, until @max_tasks tasks were submitted and the chaos
 * thread has done its quota of each kind of work (drains, destroy rounds,
 * spawn failures), with @duration_s only as a guard
 * against a hang (sized for a machine many times slower than needed):
 *  - @nr_submitters kthreads submitting to @nr_pools pools with all three
 *    modes and ktpool_submit_timeout() at random, tasks of random kind
 *    (nop, spin, sleep); now and then a group round instead: a group of
 *    random limit fans out up to 32 tasks with try and anyway, some of
 *    which fail, sometimes cancelled from outside midway, polled with a
 *    wait of 0 ms, then waited for (the wait must return the first error,
 *    the cancel's, or 0 when there was neither);
 *  - a hard-IRQ hrtimer submitting with nowait every millisecond;
 *  - a chaos kthread that, at random, changes capacities (down to 1) and
 *    idle timeouts (down to 1 ms) and max_waiters, drains pools, makes
 *    spawns fail, samples
 *    the thread bound, and creates a victim pool, blocks submitters on it and
 *    destroys it under them.
 * Every task carries a sequence number and marks a bitmap when it runs. At the
 * end it checks that every accepted task ran exactly once and that no refused
 * task ran, prints one summary line, and exposes the counts as read-only
 * parameters for selftests/ktpool_torture.sh ("state" reads "done", and
 * "ended_by" reads "count" unless the guard stopped the run). No count
 * depends on the machine's speed: the run is as long as its work.
 */

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktpool.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/vmalloc.h>

static unsigned int duration_s = 900;
module_param(duration_s, uint, 0444);
MODULE_PARM_DESC(duration_s, "a guard against hangs: stop after this many seconds even if the work is not done");
static unsigned long max_tasks = 1000000;
module_param(max_tasks, ulong, 0444);
MODULE_PARM_DESC(max_tasks, "stop after this many tasks");
static unsigned int nr_submitters = 4;
module_param(nr_submitters, uint, 0444);
MODULE_PARM_DESC(nr_submitters, "submitting kthreads (4..16)");
static unsigned int nr_pools = 3;
module_param(nr_pools, uint, 0444);
MODULE_PARM_DESC(nr_pools, "pools under test (1..8)");
static unsigned int max_capacity = 8;
module_param(max_capacity, uint, 0444);
MODULE_PARM_DESC(max_capacity, "largest capacity the chaos thread sets");

#define TORTURE_MAX_SUBMITTERS	16
#define TORTURE_MAX_POOLS	8
#define TORTURE_VICTIMS		3

/* The least of each kind of work a run does before it may end. */
#define TORTURE_MIN_DRAINS	5
#define TORTURE_MIN_VICTIMS	2
#define TORTURE_MIN_SPAWN_FAILS	3

/* Counters, read through parameters once state is "done". */
static atomic64_t next_seq, accepted, inlined, busy, shutdown, nomem, errors;
static atomic64_t dup_runs, irq_submits, victims_ok, victim_rounds;
static atomic64_t bound_samples, bound_violations, drains, spawn_fails;
static atomic64_t timed_out, groups, group_refused, group_failed;
static unsigned long lost, ran_refused, ran;
static bool done, by_guard;
static bool exhausted;				/* READ_ONCE: max_tasks handed out */
static struct ktpool *probe_pool;		/* spawn failure probes only */

static unsigned long *ran_map, *acc_map;	/* bit per sequence number */
static struct ktpool *pools[TORTURE_MAX_POOLS];
static struct task_struct *submitters[TORTURE_MAX_SUBMITTERS];
static struct task_struct *chaos, *controller;
static struct hrtimer irq_timer;
static bool stopping;				/* READ_ONCE: the run is over */
static DECLARE_COMPLETION(controller_done);

/* get_random_u32_below() is 6.2+; this runs on 6.1 too. */
static u32 torture_rand(u32 n)
{
	return get_random_u32() % n;
}

static void torture_task(void *data)
{
	unsigned long seq = (unsigned long)data;
	u32 kind = torture_rand(100);

	if (test_and_set_bit(seq, ran_map))
		atomic64_inc(&dup_runs);
	if (kind < 5)
		udelay(1 + torture_rand(20));
	else if (kind == 5)
		usleep_range(50, 500);
}

/* Submit one task; returns false once the run is over. */
static bool torture_submit_one(struct ktpool *pool, int mode)
{
	unsigned long seq = atomic64_inc_return(&next_seq) - 1;
	void *data = (void *)seq;
	int ret;

	if (seq >= max_tasks)
		return false;
	switch (mode) {
	case 0:
		ret = ktpool_try_submit(pool, torture_task, data);
		break;
	case 1:
		ret = ktpool_submit(pool, torture_task, data);
		break;
	case 3:
		ret = ktpool_submit_timeout(pool, torture_task, data,
					    torture_rand(3));
		break;
	default:
		ret = ktpool_submit_nowait(pool, torture_task, data);
		break;
	}
	switch (ret) {
	case KTPOOL_RAN_INLINE:
		atomic64_inc(&inlined);
		fallthrough;
	case 0:
		set_bit(seq, acc_map);
		atomic64_inc(&accepted);
		break;
	case -EBUSY:
		atomic64_inc(&busy);
		break;
	case -ESHUTDOWN:
		atomic64_inc(&shutdown);
		break;
	case -ENOMEM:
		atomic64_inc(&nomem);
		break;
	case -ETIMEDOUT:
		if (mode == 3) {
			atomic64_inc(&timed_out);
			break;
		}
		fallthrough;
	default:
		atomic64_inc(&errors);
		pr_err("submit mode %d: unexpected %d\n", mode, ret);
		break;
	}
	return true;
}

/* Whether the group task of @seq fails: decided by @seq, about 1 in 32. */
static bool torture_group_fails(unsigned long seq)
{
	return hash_long(seq, 5) == 0;
}

static int torture_group_task(void *data)
{
	torture_task(data);
	return torture_group_fails((unsigned long)data) ? -EIO : 0;
}

/* What a group wait may return, given what was accepted and cancelled. */
static bool torture_group_ret_ok(int ret, bool failed, bool cancelled,
				 bool final)
{
	if (!final && ret == -ETIMEDOUT)
		return true;
	if (ret == -EIO && failed)
		return true;
	if (ret == -ESTALE && cancelled)
		return true;
	return !ret && (!final || (!failed && !cancelled));
}

/* One group round on @pool; returns false once the run is over. */
static bool torture_group_round(struct ktpool *pool)
{
	struct ktpool_group grp;
	unsigned int n = 1 + torture_rand(32), i;
	unsigned int cancel_at = torture_rand(4) ? n : torture_rand(n);
	bool failed = false, cancelled = false, more = true;
	unsigned long seq;
	int ret;

	ktpool_group_init(&grp, pool, torture_rand(5));
	for (i = 0; i < n; i++) {
		if (i == cancel_at) {
			ktpool_group_cancel(&grp, -ESTALE);
			cancelled = true;
		}
		seq = atomic64_inc_return(&next_seq) - 1;
		if (seq >= max_tasks) {
			more = false;
			break;
		}
		if (torture_rand(2))
			ret = ktpool_group_try_submit(&grp, torture_group_task,
						      (void *)seq);
		else
			ret = ktpool_group_submit(&grp, torture_group_task,
						  (void *)seq);
		switch (ret) {
		case KTPOOL_RAN_INLINE:
			atomic64_inc(&inlined);
			fallthrough;
		case 0:
			set_bit(seq, acc_map);
			atomic64_inc(&accepted);
			if (torture_group_fails(seq)) {
				failed = true;
				atomic64_inc(&group_failed);
			}
			break;
		case -ECANCELED:
			atomic64_inc(&group_refused);
			if (failed || cancelled)
				break;
			atomic64_inc(&errors);
			pr_err("group: -ECANCELED with no error and no cancel\n");
			break;
		case -EBUSY:		/* max_waiters */
			atomic64_inc(&busy);
			break;
		case -ENOMEM:
			atomic64_inc(&nomem);
			break;
		default:
			atomic64_inc(&errors);
			pr_err("group submit: unexpected %d\n", ret);
			break;
		}
		if (!torture_rand(8)) {
			ret = ktpool_group_wait_timeout(&grp, 0);
			if (!torture_group_ret_ok(ret, failed, cancelled, false)) {
				atomic64_inc(&errors);
				pr_err("group poll: unexpected %d\n", ret);
			}
		}
	}
	ret = ktpool_group_wait(&grp);
	if (!torture_group_ret_ok(ret, failed, cancelled, true)) {
		atomic64_inc(&errors);
		pr_err("group wait: %d, failed=%d cancelled=%d\n", ret, failed,
		       cancelled);
	}
	atomic64_inc(&groups);
	return more;
}

static int torture_submitter(void *arg)
{
	while (!kthread_should_stop()) {
		struct ktpool *pool = pools[torture_rand(nr_pools)];
		bool more;

		if (READ_ONCE(stopping) || READ_ONCE(exhausted))
			more = false;
		else if (!torture_rand(64))
			more = torture_group_round(pool);
		else
			more = torture_submit_one(pool, torture_rand(4));
		if (!more) {
			WRITE_ONCE(exhausted, true);
			msleep(20);
			continue;
		}
		cond_resched();
	}
	return 0;
}

/*
 * Hard IRQ, also on PREEMPT_RT (HRTIMER_MODE_REL_HARD): nothing here may
 * take a sleeping lock, and get_random_u32() does on RT, so the pool is
 * picked round-robin.
 */
static enum hrtimer_restart torture_irq(struct hrtimer *t)
{
	static unsigned int next;

	if (READ_ONCE(stopping) || READ_ONCE(exhausted))
		return HRTIMER_NORESTART;
	if (torture_submit_one(pools[next++ % nr_pools], 2))
		atomic64_inc(&irq_submits);
	hrtimer_forward_now(t, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

/* Write a file of ktpool's spawn fault attribute in debugfs, as root would. */
static bool torture_fault(const char *file, const char *val)
{
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/ktpool/fail_spawn/%s",
		 file);
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return false;
	ret = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return ret >= 0;
}

/*
 * Spawns fail only where the kernel has fault injection: every one, quietly,
 * for the next "times" (-1: all) spawns.
 */
static bool fault_injection;

static void torture_fail_spawns(const char *times)
{
	if (fault_injection)
		torture_fault("times", times);
}

/* threads never above the largest capacity; above the current one only
 * while every worker is busy (the surplus leaves as it becomes idle).
 */
static void torture_sample(struct ktpool *pool)
{
	struct ktpool_stats st;

	ktpool_get_stats(pool, &st);
	atomic64_inc(&bound_samples);
	if (st.threads > max_capacity || st.peak_threads > max_capacity ||
	    (st.threads > st.capacity && st.idle)) {
		atomic64_inc(&bound_violations);
		pr_err("bound: threads=%u idle=%u capacity=%u peak=%u\n",
		       st.threads, st.idle, st.capacity, st.peak_threads);
	}
}

struct torture_victim {
	struct ktpool *pool;
	int ret;
	bool ran;
	struct completion done;
};

static void torture_victim_task(void *data)
{
	((struct torture_victim *)data)->ran = true;
}

static int torture_victim_fn(void *arg)
{
	struct torture_victim *v = arg;

	v->ret = ktpool_submit(v->pool, torture_victim_task, v);
	kthread_complete_and_exit(&v->done, 0);
}

static void torture_gate_task(void *data)
{
	wait_for_completion(data);
}

static void torture_open_gate(struct work_struct *work);
static struct completion victim_gate;
static DECLARE_DELAYED_WORK(gate_work, torture_open_gate);

static void torture_open_gate(struct work_struct *work)
{
	complete_all(&victim_gate);
}

/*
 * A pool of capacity 1 whose worker is held, submitters blocked on it, and
 * a destroy under them: each must get -ESHUTDOWN and its task never run.
 */
static void torture_victim_round(void)
{
	struct torture_victim v[TORTURE_VICTIMS];
	struct ktpool_stats st;
	struct ktpool *pool;
	int i, ok = 1, tries;

	pool = ktpool_create("torture-victim", 1, 1);
	if (IS_ERR(pool)) {
		atomic64_inc(&errors);
		return;
	}
	init_completion(&victim_gate);
	if (ktpool_submit(pool, torture_gate_task, &victim_gate)) {
		/* Spawns may be failing on purpose: nothing to block on. */
		ktpool_destroy(pool);
		return;
	}
	for (i = 0; i < TORTURE_VICTIMS; i++) {
		v[i].pool = pool;
		v[i].ret = 0;
		v[i].ran = false;
		init_completion(&v[i].done);
		if (IS_ERR(kthread_run(torture_victim_fn, &v[i], "ktpool_victim")))
			complete(&v[i].done);
	}
	for (tries = 0; tries < 30000; tries++) {
		ktpool_get_stats(pool, &st);
		if (st.waiters == TORTURE_VICTIMS)
			break;
		usleep_range(1000, 2000);
	}
	if (st.waiters != TORTURE_VICTIMS) {
		/* Never destroy a pool a submitter may still be entering. */
		complete_all(&victim_gate);
		for (i = 0; i < TORTURE_VICTIMS; i++)
			wait_for_completion(&v[i].done);
		ktpool_destroy(pool);
		atomic64_inc(&errors);
		pr_err("victims did not block in time\n");
		return;
	}
	/* The gate opens while destroy waits for the task holding it. */
	schedule_delayed_work(&gate_work, msecs_to_jiffies(5));
	ktpool_destroy(pool);
	for (i = 0; i < TORTURE_VICTIMS; i++) {
		wait_for_completion(&v[i].done);
		if (v[i].ran || (v[i].ret != -ESHUTDOWN && v[i].ret)) {
			ok = 0;
			pr_err("victim %d: ret %d ran %d\n", i, v[i].ret, v[i].ran);
		}
	}
	flush_delayed_work(&gate_work);
	atomic64_inc(&victim_rounds);
	if (ok && st.waiters == TORTURE_VICTIMS)
		atomic64_inc(&victims_ok);
	else if (!ok)
		atomic64_inc(&errors);
}

static void torture_nop(void *data)
{
}

/*
 * Make one spawn fail for sure: with every spawn failing, a try submit on
 * the probe pool (which never has a thread) reserves a slot, fails to spawn
 * and runs the task inline. Other pools' spawns may fail meanwhile too.
 */
static void torture_spawn_fail_probe(void)
{
	struct ktpool_stats st;
	int ret;

	if (!fault_injection)
		return;
	torture_fail_spawns("-1");
	ret = ktpool_try_submit(probe_pool, torture_nop, NULL);
	torture_fail_spawns("0");
	ktpool_get_stats(probe_pool, &st);
	if (ret != KTPOOL_RAN_INLINE || st.threads) {
		atomic64_inc(&errors);
		pr_err("spawn failure probe: ret %d threads %u\n", ret, st.threads);
	}
}

/* Spawn failures so far, over every pool. */
static u64 torture_spawn_fails(void)
{
	struct ktpool_stats st;
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < nr_pools; i++) {
		ktpool_get_stats(pools[i], &st);
		n += st.spawn_failed;
	}
	ktpool_get_stats(probe_pool, &st);
	return n + st.spawn_failed;
}

/* Has the chaos thread done the least of each kind of work? */
static bool torture_quota_met(void)
{
	return atomic64_read(&drains) >= TORTURE_MIN_DRAINS &&
	       atomic64_read(&victim_rounds) >= TORTURE_MIN_VICTIMS &&
	       (!fault_injection ||
		torture_spawn_fails() >= TORTURE_MIN_SPAWN_FAILS);
}

static int torture_chaos(void *arg)
{
	char buf[16];
	unsigned int i;

	/* Runs until kthread_stop(): it must not exit before it is stopped. */
	while (!kthread_should_stop()) {
		struct ktpool *pool = pools[torture_rand(nr_pools)];

		if (READ_ONCE(stopping)) {
			msleep(20);
			continue;
		}
		switch (torture_rand(16)) {
		case 0 ... 4:
			ktpool_set_capacity(pool, 1 + torture_rand(max_capacity));
			break;
		case 5 ... 7:
			ktpool_set_idle_timeout(pool, 1 + torture_rand(20));
			break;
		case 8 ... 9:
			if (ktpool_drain(pool))
				atomic64_inc(&errors);
			atomic64_inc(&drains);
			break;
		case 10:
			if (!torture_rand(4)) {
				torture_spawn_fail_probe();
				break;
			}
			snprintf(buf, sizeof(buf), "%u", torture_rand(4));
			torture_fail_spawns(buf);
			break;
		case 11:
			if (!torture_rand(8))
				torture_victim_round();
			break;
		case 12:
			ktpool_set_max_waiters(pool, torture_rand(2) ? 0 :
					       1 + torture_rand(4));
			break;
		default:
			for (i = 0; i < nr_pools; i++)
				torture_sample(pools[i]);
			break;
		}
		usleep_range(500, 3000);
	}
	torture_fail_spawns("0");
	return 0;
}

static void torture_verify(void)
{
	unsigned long n = min_t(unsigned long, atomic64_read(&next_seq), max_tasks);
	unsigned long seq;

	for (seq = 0; seq < n; seq++) {
		bool a = test_bit(seq, acc_map), r = test_bit(seq, ran_map);

		if (r)
			ran++;
		if (a && !r)
			lost++;
		if (!a && r)
			ran_refused++;
	}
}

static int torture_controller(void *arg)
{
	unsigned long deadline = jiffies + duration_s * HZ;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr_submitters; i++) {
		submitters[i] = kthread_run(torture_submitter, NULL,
					    "ktpool_torture/%u", i);
		if (IS_ERR(submitters[i])) {
			ret = PTR_ERR(submitters[i]);
			submitters[i] = NULL;
		}
	}
	chaos = kthread_run(torture_chaos, NULL, "ktpool_chaos");
	if (IS_ERR(chaos)) {
		ret = PTR_ERR(chaos);
		chaos = NULL;
	}
	if (ret) {
		atomic64_inc(&errors);
		WRITE_ONCE(stopping, true);
	}
	hrtimer_start(&irq_timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);

	/* The work decides when the run ends; the deadline is a guard. */
	while (!READ_ONCE(stopping) && !kthread_should_stop()) {
		if (READ_ONCE(exhausted) && torture_quota_met())
			break;
		if (time_after(jiffies, deadline)) {
			by_guard = true;
			pr_err("guard: stopped after %u s with the work not done\n",
			       duration_s);
			break;
		}
		msleep(100);
	}
	WRITE_ONCE(stopping, true);

	hrtimer_cancel(&irq_timer);
	if (chaos)
		kthread_stop(chaos);
	for (i = 0; i < nr_submitters; i++)
		if (submitters[i])
			kthread_stop(submitters[i]);
	for (i = 0; i < nr_pools; i++)
		if (ktpool_drain(pools[i]))
			atomic64_inc(&errors);
	torture_verify();
	atomic64_set(&spawn_fails, torture_spawn_fails());

	pr_info("summary: submitted=%llu accepted=%llu ran=%lu inlined=%llu busy=%llu shutdown=%llu enomem=%llu timed_out=%llu groups=%llu group_failed=%llu group_refused=%llu lost=%lu duplicated=%llu ran_refused=%lu errors=%llu irq_submits=%llu drains=%llu spawn_fails=%llu victim_rounds=%llu victims_ok=%llu bound_samples=%llu bound_violations=%llu\n",
		min_t(u64, atomic64_read(&next_seq), max_tasks),
		atomic64_read(&accepted), ran, atomic64_read(&inlined),
		atomic64_read(&busy), atomic64_read(&shutdown),
		atomic64_read(&nomem), atomic64_read(&timed_out),
		atomic64_read(&groups), atomic64_read(&group_failed),
		atomic64_read(&group_refused), lost, atomic64_read(&dup_runs),
		ran_refused, atomic64_read(&errors),
		atomic64_read(&irq_submits), atomic64_read(&drains),
		atomic64_read(&spawn_fails),
		atomic64_read(&victim_rounds), atomic64_read(&victims_ok),
		atomic64_read(&bound_samples),
		atomic64_read(&bound_violations));
	WRITE_ONCE(done, true);
	kthread_complete_and_exit(&controller_done, 0);
}

static int state_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(done) ? "done" : "running");
}

static int a64_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(kp->arg));
}

static int ended_by_get(char *buf, const struct kernel_param *kp)
{
	if (!READ_ONCE(done))
		return sysfs_emit(buf, "running\n");
	return sysfs_emit(buf, "%s\n", by_guard ? "guard" : "count");
}

static const struct kernel_param_ops state_ops = { .get = state_get };
static const struct kernel_param_ops ended_by_ops = { .get = ended_by_get };
static const struct kernel_param_ops a64_ops = { .get = a64_get };
module_param_cb(state, &state_ops, NULL, 0444);
MODULE_PARM_DESC(state, "running or done");
module_param_cb(ended_by, &ended_by_ops, NULL, 0444);
MODULE_PARM_DESC(ended_by, "count (the work was done) or guard (duration_s ran out)");
module_param_cb(drains, &a64_ops, &drains, 0444);
MODULE_PARM_DESC(drains, "drains done by the chaos thread");
module_param_cb(victim_rounds, &a64_ops, &victim_rounds, 0444);
MODULE_PARM_DESC(victim_rounds, "destroy-under-blocked-submitters rounds");
module_param(fault_injection, bool, 0444);
MODULE_PARM_DESC(fault_injection, "spawns were made to fail (the kernel has fault injection)");
module_param_cb(spawn_fails, &a64_ops, &spawn_fails, 0444);
MODULE_PARM_DESC(spawn_fails, "kthread spawns that failed, over every pool");
module_param_cb(irq_submits, &a64_ops, &irq_submits, 0444);
MODULE_PARM_DESC(irq_submits, "nowait submits from the hard-IRQ hrtimer");
module_param_cb(submitted, &a64_ops, &next_seq, 0444);
MODULE_PARM_DESC(submitted, "sequence numbers handed out (may exceed max_tasks by the number of submitters)");
module_param_cb(groups, &a64_ops, &groups, 0444);
MODULE_PARM_DESC(groups, "group rounds done");
module_param_cb(group_failed, &a64_ops, &group_failed, 0444);
MODULE_PARM_DESC(group_failed, "accepted group tasks that fail");
module_param_cb(group_refused, &a64_ops, &group_refused, 0444);
MODULE_PARM_DESC(group_refused, "group submits refused with -ECANCELED");
module_param_cb(accepted, &a64_ops, &accepted, 0444);
MODULE_PARM_DESC(accepted, "tasks accepted (0 or KTPOOL_RAN_INLINE)");
module_param_cb(duplicated, &a64_ops, &dup_runs, 0444);
MODULE_PARM_DESC(duplicated, "tasks that ran more than once");
module_param_cb(errors, &a64_ops, &errors, 0444);
MODULE_PARM_DESC(errors, "unexpected results");
module_param_cb(bound_violations, &a64_ops, &bound_violations, 0444);
MODULE_PARM_DESC(bound_violations, "samples that broke the thread bound");
module_param_cb(victims_ok, &a64_ops, &victims_ok, 0444);
MODULE_PARM_DESC(victims_ok, "destroy-under-blocked-submitters rounds that passed");
module_param(lost, ulong, 0444);
MODULE_PARM_DESC(lost, "accepted tasks that never ran");
module_param(ran_refused, ulong, 0444);
MODULE_PARM_DESC(ran_refused, "refused tasks that ran");
module_param(ran, ulong, 0444);
MODULE_PARM_DESC(ran, "tasks that ran");

static int __init torture_init(void)
{
	char name[KTPOOL_NAME_LEN];
	unsigned int i;

	nr_submitters = clamp(nr_submitters, 4U, TORTURE_MAX_SUBMITTERS);
	nr_pools = clamp(nr_pools, 1U, TORTURE_MAX_POOLS);
	max_capacity = clamp(max_capacity, 1U, KTPOOL_MAX_CAPACITY);
	ran_map = vzalloc(BITS_TO_LONGS(max_tasks) * sizeof(long));
	acc_map = vzalloc(BITS_TO_LONGS(max_tasks) * sizeof(long));
	if (!ran_map || !acc_map)
		goto err_maps;
	for (i = 0; i < nr_pools; i++) {
		snprintf(name, sizeof(name), "torture%u", i);
		pools[i] = ktpool_create(name, 1 + i, 5);
		if (IS_ERR(pools[i]))
			goto err_pools;
	}
	probe_pool = ktpool_create("torture-probe", 1, 0);
	if (IS_ERR(probe_pool))
		goto err_pools;
	fault_injection = torture_fault("times", "0") &&
			  torture_fault("verbose", "0") &&
			  torture_fault("interval", "1") &&
			  torture_fault("probability", "100");
	hrtimer_init(&irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irq_timer.function = torture_irq;
	controller = kthread_run(torture_controller, NULL, "ktpool_torture");
	if (IS_ERR(controller))
		goto err_probe;
	return 0;

err_probe:
	ktpool_destroy(probe_pool);
err_pools:
	while (i--)
		ktpool_destroy(pools[i]);
err_maps:
	vfree(acc_map);
	vfree(ran_map);
	/* busybox insmod retries a failed init: report, then fail cleanly. */
	pr_err("cannot start\n");
	return -ENOMEM;
}

static void __exit torture_exit(void)
{
	unsigned int i;

	WRITE_ONCE(stopping, true);
	wait_for_completion(&controller_done);
	for (i = 0; i < nr_pools; i++)
		ktpool_destroy(pools[i]);
	ktpool_destroy(probe_pool);
	vfree(acc_map);
	vfree(ran_map);
}

module_init(torture_init);
module_exit(torture_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool torture test");
