// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_test_client - a client module for the ktpool selftests.
 *
 * It uses only ktpool's exported API (so loading it proves the symbol
 * linkage) and is driven from the selftest scripts through its parameters:
 *
 *   task_ms  how long each task sleeps (default 200)
 *   hold     write 1: tasks, once their sleep is over, wait until 0 is
 *            written (so a test sees them busy for as long as it needs,
 *            on a machine of any speed)
 *   burst    write N: a kthread of the client submits N tasks to the default
 *            pool with the "anyway" submit (the write returns at once;
 *            -EBUSY while a burst is still being submitted)
 *   tryburst write N: the same with the "try" submit
 *   bursting read: 1 while a burst is being submitted
 *   syncburst write N: submit N tasks with "anyway" from the writing process
 *            itself (the write blocks; kill -9 ends the wait with -EINTR)
 *   eintr    read: submit calls that a fatal signal interrupted
 *   done     read: tasks of this module that have finished
 *   inlined  read: tasks the try submit ran in the writer
 *   errors   read: submit calls that failed
 *   stats    read: the default pool's ktpool_stats, "name=value" pairs
 *   group    write "N F L": from the writer, fan out N tasks through a group
 *            of limit L on the default pool, task F failing with -EIO (none
 *            if F >= N); once F was accepted, wait for the group to see the
 *            failure, so the later submits are refused; then wait for it
 *   group_ret      read: what the last group's wait returned
 *   group_refused  read: its submits that returned -ECANCELED
 *   group_ran      read: its tasks that ran
 *   submit_timeout write MS: ktpool_submit_timeout() of one task from the
 *            writer, with a deadline of MS ms
 *   last_ret read: what the last submit_timeout returned
 *   rtpool   write 1: create the pool "client-rt" (capacity 2, KTPOOL_RT,
 *            KTPOOL_SYSFS, min_threads 1); 2: apply nice 3 without
 *            KTPOOL_RT to it; 3: the same without KTPOOL_SYSFS too;
 *            0: destroy it
 *   frztest  write 1: create the pool "client-frz" (capacity 1,
 *            min_threads 1, KTPOOL_FREEZABLE) and watch the next system
 *            freeze (a PM notifier starts a watcher kthread, which releases
 *            "hold" 1 s after the freeze began, then looks at the worker);
 *            0: destroy it
 *   frzsync  write N: submit N tasks to client-frz with the anyway submit
 *            from a freezable client kthread that holds no lock (the
 *            write only starts it; its result is sync_ret in frzresult)
 *   numapool write N: create the pool "client-numa" with node N and
 *            min_threads 1 (the errno of the create is the write's), and
 *            run a task on it; -1 destroys it
 *   numaseen read: the node of that task's worker's task_struct, -1 if none
 *   frzresult read: what the watcher saw: seen_frozen (the worker of
 *            client-frz frozen), started_frozen (its tasks started when
 *            it was last seen frozen), default_ran_frozen (a task on the
 *            default pool ran while it was frozen), frz_started,
 *            sync_ret (what the frzsync submits returned, -EINPROGRESS
 *            while they run)
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/freezer.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktpool.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/task.h>
#include <linux/suspend.h>
#include <linux/wait.h>

static unsigned int task_ms = 200;
module_param(task_ms, uint, 0644);
MODULE_PARM_DESC(task_ms, "how long each task sleeps, in ms");

static atomic_t done = ATOMIC_INIT(0);
static atomic_t inlined = ATOMIC_INIT(0);
static atomic_t errors = ATOMIC_INIT(0);
static atomic_t eintr = ATOMIC_INIT(0);

static bool hold;			/* READ_ONCE; written under the param lock */
static DECLARE_WAIT_QUEUE_HEAD(hold_wq);

static void client_task(void *data)
{
	msleep(READ_ONCE(task_ms));
	wait_event(hold_wq, !READ_ONCE(hold));
	atomic_inc(&done);
}

static int hold_set(const char *val, const struct kernel_param *kp)
{
	bool v;

	if (kstrtobool(val, &v))
		return -EINVAL;
	WRITE_ONCE(hold, v);
	if (!v)
		wake_up_all(&hold_wq);
	return 0;
}

static int hold_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(hold));
}

static atomic_t bursting = ATOMIC_INIT(0);
static unsigned int burst_n;			/* bursting */
static bool burst_try;				/* bursting */

static int client_burst_fn(void *unused)
{
	unsigned int i;
	int ret;

	for (i = 0; i < burst_n; i++) {
		if (burst_try)
			ret = ktpool_try_go(client_task, NULL);
		else
			ret = ktpool_anyway_go(client_task, NULL);
		if (ret == KTPOOL_RAN_INLINE) {
			atomic_inc(&inlined);
		} else if (ret) {
			atomic_inc(&errors);
			pr_err("submit failed: %d\n", ret);
			break;
		}
	}
	atomic_set(&bursting, 0);
	/* The thread pins the module while it runs module code. */
	module_put_and_kthread_exit(0);
}

static int client_burst(const char *val, bool try)
{
	struct task_struct *t;
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n > 100000)
		return -EINVAL;
	if (atomic_cmpxchg(&bursting, 0, 1))
		return -EBUSY;
	burst_n = n;
	burst_try = try;
	__module_get(THIS_MODULE);
	t = kthread_run(client_burst_fn, NULL, "ktpool_client");
	if (IS_ERR(t)) {
		module_put(THIS_MODULE);
		atomic_set(&bursting, 0);
		return PTR_ERR(t);
	}
	return 0;
}

static int burst_set(const char *val, const struct kernel_param *kp)
{
	return client_burst(val, false);
}

static int tryburst_set(const char *val, const struct kernel_param *kp)
{
	return client_burst(val, true);
}

static int syncburst_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n, i;
	int ret;

	if (kstrtouint(val, 0, &n) || n > 100000)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		ret = ktpool_anyway_go(client_task, NULL);
		if (ret == -EINTR)
			atomic_inc(&eintr);
		if (ret)
			return ret;
	}
	return 0;
}

static int group_ret, group_refused, last_ret;	/* the param lock */
static atomic_t group_ran = ATOMIC_INIT(0);
static unsigned int group_fail;			/* the param lock */

static int client_group_task(void *data)
{
	atomic_inc(&group_ran);
	return (unsigned long)data == group_fail ? -EIO : 0;
}

static int group_set(const char *val, const struct kernel_param *kp)
{
	struct ktpool_group grp;
	unsigned int n, limit, i, t;
	int ret;

	if (sscanf(val, "%u %u %u", &n, &group_fail, &limit) != 3 ||
	    n > 100000)
		return -EINVAL;
	atomic_set(&group_ran, 0);
	group_refused = 0;
	ktpool_group_init(&grp, ktpool_default(), limit);
	for (i = 0; i < n; i++) {
		ret = ktpool_group_submit(&grp, client_group_task,
					  (void *)(unsigned long)i);
		if (ret == -ECANCELED)
			group_refused++;
		else if (ret < 0)
			atomic_inc(&errors);
		/* A guard of 200 s: the failing task only has to run. */
		for (t = 0; i == group_fail && t < 10000 &&
		     !ktpool_group_cancelled(&grp); t++)
			msleep(20);
	}
	group_ret = ktpool_group_wait(&grp);
	/* Killed: the group lives on this stack, so its tasks must end first. */
	for (ret = group_ret; ret == -EINTR || ret == -ETIMEDOUT;
	     ret = ktpool_group_wait_timeout(&grp, 0))
		msleep(20);
	return 0;
}

static int submit_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms))
		return -EINVAL;
	last_ret = ktpool_submit_timeout(ktpool_default(), client_task, NULL,
					 ms);
	if (last_ret > 0)
		atomic_inc(&inlined);
	return 0;
}

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static int stats_get(char *buf, const struct kernel_param *kp)
{
	struct ktpool_stats st;

	ktpool_get_stats(ktpool_default(), &st);
	return sysfs_emit(buf,
			  "capacity=%u idle_timeout_ms=%u threads=%u idle=%u busy=%u waiters=%u peak_threads=%u submitted=%llu completed=%llu inlined=%llu rejected=%llu spawned=%llu reaped=%llu spawn_failed=%llu timed_out=%llu waiters_refused=%llu cancelled=%llu\n",
			  st.capacity, st.idle_timeout_ms, st.threads, st.idle,
			  st.busy, st.waiters, st.peak_threads, st.submitted,
			  st.completed, st.inlined, st.rejected, st.spawned,
			  st.reaped, st.spawn_failed, st.timed_out,
			  st.waiters_refused, st.cancelled);
}

static struct ktpool *rt_pool;		/* under the param lock */

static int rtpool_set(const char *val, const struct kernel_param *kp)
{
	struct ktpool_attrs attrs = KTPOOL_ATTRS_INIT;
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v > 3)
		return -EINVAL;
	attrs.min_threads = 1;
	attrs.flags = KTPOOL_SYSFS;
	switch (v) {
	case 0:
		ktpool_destroy(rt_pool);
		rt_pool = NULL;
		return 0;
	case 1:
		if (rt_pool)
			return -EBUSY;
		attrs.flags |= KTPOOL_RT;
		rt_pool = ktpool_create_attrs("client-rt", 2, 0, &attrs);
		if (IS_ERR(rt_pool)) {
			int ret = PTR_ERR(rt_pool);

			rt_pool = NULL;
			return ret;
		}
		return 0;
	default:
		if (!rt_pool)
			return -ENOENT;
		attrs.nice = 3;
		if (v == 3)
			attrs.flags = 0;
		return ktpool_apply_attrs(rt_pool, &attrs);
	}
}

static const struct kernel_param_ops rtpool_ops = { .set = rtpool_set };

/* The freezer test; under the param lock but for the watcher's fields. */
static struct ktpool *frz_pool;
static struct task_struct *frz_worker;	/* its only worker, referenced */
static atomic_t frz_started = ATOMIC_INIT(0);
static atomic_t frz_default_ran = ATOMIC_INIT(0);
static bool frz_post;			/* READ_ONCE: the thaw is over */
static int frz_seen, frz_started_frozen = -1, frz_default_ran_frozen;
static struct task_struct *frz_watcher;
static DECLARE_COMPLETION(frz_watcher_done);
static struct task_struct *frz_sync;	/* the frzsync kthread, referenced */
static unsigned int frz_sync_n;		/* written before it starts */
static int frz_sync_ret;		/* READ_ONCE: its submits' result */

static bool frz_worker_frozen(void)
{
	return READ_ONCE(frz_worker->__state) & TASK_FROZEN;
}

static void frz_record_fn(void *data)
{
	frz_worker = get_task_struct(current);
}

static void frz_task(void *data)
{
	atomic_inc(&frz_started);
	client_task(data);
}

static void frz_default_fn(void *data)
{
	atomic_inc(&frz_default_ran);
}

/* Not freezable (a kthread's default): it watches the freeze. */
static int frz_watch_fn(void *unused)
{
	bool submitted = false;

	msleep(1000);
	WRITE_ONCE(hold, false);
	wake_up_all(&hold_wq);
	while (!READ_ONCE(frz_post) && !kthread_should_stop()) {
		if (frz_worker_frozen()) {
			frz_seen = 1;
			frz_started_frozen = atomic_read(&frz_started);
			if (!submitted) {
				submitted = true;
				if (ktpool_submit(ktpool_default(),
						  frz_default_fn, NULL))
					pr_err("freezer test: default submit failed\n");
			}
			if (atomic_read(&frz_default_ran) &&
			    frz_worker_frozen())
				frz_default_ran_frozen = 1;
		}
		usleep_range(5000, 6000);
	}
	complete(&frz_watcher_done);
	return 0;
}

static int frz_pm_notify(struct notifier_block *nb, unsigned long action,
			 void *unused)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
		if (frz_watcher)
			break;
		WRITE_ONCE(frz_post, false);
		reinit_completion(&frz_watcher_done);
		frz_watcher = kthread_run(frz_watch_fn, NULL, "ktpool_frzwatch");
		if (IS_ERR(frz_watcher))
			frz_watcher = NULL;
		break;
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
		WRITE_ONCE(frz_post, true);
		if (frz_watcher) {
			wait_for_completion(&frz_watcher_done);
			frz_watcher = NULL;
		}
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block frz_nb = { .notifier_call = frz_pm_notify };

/*
 * Freezable, holding no lock: the blocked submitter the freeze must freeze
 * (a param setter would sleep in it with the param lock held).
 */
static int frz_sync_fn(void *unused)
{
	unsigned int i;
	int ret = 0;

	set_freezable();
	for (i = 0; i < frz_sync_n && !ret; i++)
		ret = ktpool_submit(frz_pool, frz_task, NULL);
	WRITE_ONCE(frz_sync_ret, ret);
	return 0;
}

/* Wait for the frzsync kthread to return. */
static void frz_sync_join(void)
{
	if (!frz_sync)
		return;
	kthread_stop(frz_sync);
	put_task_struct(frz_sync);
	frz_sync = NULL;
}

static void frz_stop(void)
{
	if (!frz_pool)
		return;
	/* Its submits wait for held tasks: release them first. */
	if (frz_sync) {
		WRITE_ONCE(hold, false);
		wake_up_all(&hold_wq);
	}
	frz_sync_join();
	unregister_pm_notifier(&frz_nb);
	ktpool_destroy(frz_pool);
	frz_pool = NULL;
	if (frz_worker)
		put_task_struct(frz_worker);
	frz_worker = NULL;
}

static int frztest_set(const char *val, const struct kernel_param *kp)
{
	struct ktpool_attrs attrs = KTPOOL_ATTRS_INIT;
	unsigned int v;
	int ret;

	if (kstrtouint(val, 0, &v) || v > 1)
		return -EINVAL;
	if (!v) {
		frz_stop();
		return 0;
	}
	if (frz_pool)
		return -EBUSY;
	attrs.min_threads = 1;
	attrs.flags = KTPOOL_FREEZABLE;
	frz_pool = ktpool_create_attrs("client-frz", 1, 0, &attrs);
	if (IS_ERR(frz_pool)) {
		ret = PTR_ERR(frz_pool);
		frz_pool = NULL;
		return ret;
	}
	/* Capacity 1: the task runs on the one worker every task runs on. */
	ret = ktpool_submit(frz_pool, frz_record_fn, NULL);
	if (!ret)
		ret = ktpool_drain(frz_pool);
	if (!ret && !frz_worker)
		ret = -EIO;
	if (!ret)
		ret = register_pm_notifier(&frz_nb);
	if (ret) {
		ktpool_destroy(frz_pool);
		frz_pool = NULL;
	}
	return ret;
}

static int frzsync_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *t;
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n > 100000)
		return -EINVAL;
	if (!frz_pool)
		return -ENOENT;
	if (frz_sync && READ_ONCE(frz_sync_ret) == -EINPROGRESS)
		return -EBUSY;
	frz_sync_join();
	frz_sync_n = n;
	WRITE_ONCE(frz_sync_ret, -EINPROGRESS);
	t = kthread_create(frz_sync_fn, NULL, "ktpool_frzsync");
	if (IS_ERR(t)) {
		WRITE_ONCE(frz_sync_ret, 0);
		return PTR_ERR(t);
	}
	frz_sync = get_task_struct(t);
	wake_up_process(t);
	return 0;
}

static int frzresult_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf,
			  "seen_frozen=%d started_frozen=%d default_ran_frozen=%d frz_started=%d sync_ret=%d\n",
			  frz_seen, frz_started_frozen, frz_default_ran_frozen,
			  atomic_read(&frz_started), READ_ONCE(frz_sync_ret));
}

static struct ktpool *numa_pool;	/* under the param lock */
static int numa_seen = -1;

/*
 * The node of the worker's task_struct, which kthread_create_on_node()
 * allocates on the node (its stack may be a cached one, from any node).
 */
static void numa_task(void *data)
{
	WRITE_ONCE(numa_seen, page_to_nid(virt_to_page(current)));
}

static int numapool_set(const char *val, const struct kernel_param *kp)
{
	struct ktpool_attrs attrs = KTPOOL_ATTRS_INIT;
	int v, ret;

	if (kstrtoint(val, 0, &v))
		return -EINVAL;
	ktpool_destroy(numa_pool);
	numa_pool = NULL;
	WRITE_ONCE(numa_seen, -1);
	if (v == -1)
		return 0;
	attrs.node = v;
	attrs.min_threads = 1;
	numa_pool = ktpool_create_attrs("client-numa", 1, 0, &attrs);
	if (IS_ERR(numa_pool)) {
		ret = PTR_ERR(numa_pool);
		numa_pool = NULL;
		return ret;
	}
	ret = ktpool_submit(numa_pool, numa_task, NULL);
	return ret ?: ktpool_drain(numa_pool);
}

static int numaseen_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(numa_seen));
}

static const struct kernel_param_ops numapool_ops = { .set = numapool_set };
static const struct kernel_param_ops numaseen_ops = { .get = numaseen_get };
static const struct kernel_param_ops frztest_ops = { .set = frztest_set };
static const struct kernel_param_ops frzsync_ops = { .set = frzsync_set };
static const struct kernel_param_ops frzresult_ops = { .get = frzresult_get };
static const struct kernel_param_ops burst_ops = { .set = burst_set };
static const struct kernel_param_ops tryburst_ops = { .set = tryburst_set };
static const struct kernel_param_ops syncburst_ops = { .set = syncburst_set };
static const struct kernel_param_ops counter_ops = { .get = counter_get };
static const struct kernel_param_ops stats_ops = { .get = stats_get };
static const struct kernel_param_ops group_ops = { .set = group_set };
static const struct kernel_param_ops submit_timeout_ops = { .set = submit_timeout_set };
static const struct kernel_param_ops hold_ops = { .set = hold_set, .get = hold_get };

module_param_cb(hold, &hold_ops, NULL, 0644);
MODULE_PARM_DESC(hold, "1: finished tasks wait until 0 is written");
module_param_cb(burst, &burst_ops, NULL, 0200);
MODULE_PARM_DESC(burst, "write N: submit N tasks with ktpool_anyway_go()");
module_param_cb(tryburst, &tryburst_ops, NULL, 0200);
MODULE_PARM_DESC(tryburst, "write N: submit N tasks with ktpool_try_go()");
module_param_cb(syncburst, &syncburst_ops, NULL, 0200);
MODULE_PARM_DESC(syncburst, "write N: submit N tasks from the writer itself");
module_param_cb(eintr, &counter_ops, &eintr, 0444);
MODULE_PARM_DESC(eintr, "submits interrupted by a fatal signal");
module_param_cb(bursting, &counter_ops, &bursting, 0444);
MODULE_PARM_DESC(bursting, "1 while a burst is being submitted");
module_param_cb(done, &counter_ops, &done, 0444);
MODULE_PARM_DESC(done, "tasks finished");
module_param_cb(inlined, &counter_ops, &inlined, 0444);
MODULE_PARM_DESC(inlined, "tasks run inline by the try submit");
module_param_cb(errors, &counter_ops, &errors, 0444);
MODULE_PARM_DESC(errors, "submit calls that failed");
module_param_cb(group, &group_ops, NULL, 0200);
MODULE_PARM_DESC(group, "write \"N F L\": a group fan-out of N tasks, F failing, limit L");
module_param(group_ret, int, 0444);
MODULE_PARM_DESC(group_ret, "what the last group's wait returned");
module_param(group_refused, int, 0444);
MODULE_PARM_DESC(group_refused, "the last group's submits refused with -ECANCELED");
module_param_cb(group_ran, &counter_ops, &group_ran, 0444);
MODULE_PARM_DESC(group_ran, "the last group's tasks that ran");
module_param_cb(submit_timeout, &submit_timeout_ops, NULL, 0200);
MODULE_PARM_DESC(submit_timeout, "write MS: ktpool_submit_timeout() of one task");
module_param(last_ret, int, 0444);
MODULE_PARM_DESC(last_ret, "what the last submit_timeout returned");
module_param_cb(rtpool, &rtpool_ops, NULL, 0200);
MODULE_PARM_DESC(rtpool, "1: create the KTPOOL_RT pool client-rt, 2: make it nice 3, not RT, 3: and not KTPOOL_SYSFS, 0: destroy it");
module_param_cb(numapool, &numapool_ops, NULL, 0200);
MODULE_PARM_DESC(numapool, "write N: create client-numa on node N and run a task, -1: destroy it");
module_param_cb(numaseen, &numaseen_ops, NULL, 0444);
MODULE_PARM_DESC(numaseen, "the node of the client-numa worker's task_struct");
module_param_cb(frztest, &frztest_ops, NULL, 0200);
MODULE_PARM_DESC(frztest, "1: create the freezable pool client-frz and watch the next freeze, 0: destroy it");
module_param_cb(frzsync, &frzsync_ops, NULL, 0200);
MODULE_PARM_DESC(frzsync, "write N: submit N tasks to client-frz from a freezable kthread");
module_param_cb(frzresult, &frzresult_ops, NULL, 0444);
MODULE_PARM_DESC(frzresult, "what the freeze watcher saw");
module_param_cb(stats, &stats_ops, NULL, 0444);
MODULE_PARM_DESC(stats, "the default pool's statistics");

static int __init client_init(void)
{
	if (!ktpool_default())
		return -ENODEV;
	return 0;
}

static void __exit client_exit(void)
{
	ktpool_destroy(rt_pool);
	frz_stop();
	ktpool_destroy(numa_pool);
	/*
	 * Nothing to wait for: each accepted task, and the burst thread, holds
	 * a reference on this module, so rmmod fails while any of them runs.
	 */
}

module_init(client_init);
module_exit(client_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool selftest client: uses only the exported API");
