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
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktpool.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
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
	/*
	 * Nothing to wait for: each accepted task, and the burst thread, holds
	 * a reference on this module, so rmmod fails while any of them runs.
	 */
}

module_init(client_init);
module_exit(client_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool selftest client: uses only the exported API");
