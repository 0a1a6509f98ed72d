// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_latload - the loads of scripts/latency-rt.sh: the long walks that
 * ktpool does under its pool lock (a raw spinlock, interrupts off), so that
 * a timerlat run beside them shows the latency they cause.
 *
 * Driven by its parameters, each write returning when its step is done:
 *
 *   waiters  write N: create the pool "latw" (capacity 1, no bound on the
 *            waiters), fill it with one task that waits on a gate, and
 *            start N kthreads that each submit to it with the anyway
 *            submit; returns once all N are blocked
 *   destroy  write 1: destroy "latw" (its gate opens 200 ms later, from a
 *            kthread, so that the destroy can finish), and wait for the N
 *            submitters to return
 *   idle     write N: create the pool "lats" (capacity N, no idle timeout)
 *            and make N idle workers (N gated tasks, then the gate opens)
 *   shrink   write C: set the capacity of "lats" to C, wait until it has C
 *            threads, and destroy it
 *   result   read: what the last step saw: shutdown (submitters that got
 *            -ESHUTDOWN), other (any other result), threads, ms (how long
 *            the destroy or the shrink took until the last thread left)
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktpool.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#define LAT_MAX	4096

/* A task that waits for the gate of its pool. */
static DECLARE_COMPLETION(gate);
static atomic_t ran = ATOMIC_INIT(0);

static void lat_gate_fn(void *unused)
{
	atomic_inc(&ran);
	wait_for_completion(&gate);
}

static void lat_nop_fn(void *unused)
{
	atomic_inc(&ran);
}

/* Everything below: under the param lock (one write at a time). */
static struct ktpool *latw, *lats;
static unsigned int nr_subs;
static atomic_t subs_left = ATOMIC_INIT(0);
static atomic_t nr_shutdown = ATOMIC_INIT(0);
static atomic_t nr_other = ATOMIC_INIT(0);
static unsigned int last_threads, last_ms;

static int lat_submitter_fn(void *pool)
{
	int ret = ktpool_submit(pool, lat_nop_fn, NULL);

	atomic_inc(ret == -ESHUTDOWN ? &nr_shutdown : &nr_other);
	if (atomic_dec_and_test(&subs_left))
		wake_up_var(&subs_left);
	module_put_and_kthread_exit(0);
}

static unsigned int lat_stat_waiters(struct ktpool *pool)
{
	struct ktpool_stats st;

	ktpool_get_stats(pool, &st);
	return st.waiters;
}

static int waiters_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *t;
	unsigned int n, i;
	int ret;

	if (kstrtouint(val, 0, &n) || !n || n > LAT_MAX || latw)
		return -EINVAL;
	latw = ktpool_create("latw", 1, 0);
	if (IS_ERR(latw)) {
		ret = PTR_ERR(latw);
		latw = NULL;
		return ret;
	}
	reinit_completion(&gate);
	ret = ktpool_submit(latw, lat_gate_fn, NULL);
	if (ret)
		return ret;
	atomic_set(&nr_shutdown, 0);
	atomic_set(&nr_other, 0);
	atomic_set(&subs_left, 0);
	for (i = 0; i < n; i++) {
		__module_get(THIS_MODULE);
		atomic_inc(&subs_left);
		t = kthread_run(lat_submitter_fn, latw, "latsub");
		if (IS_ERR(t)) {
			module_put(THIS_MODULE);
			atomic_dec(&subs_left);
			break;
		}
	}
	nr_subs = i;
	while (lat_stat_waiters(latw) < nr_subs)
		msleep(20);
	pr_info("%u submitters blocked\n", nr_subs);
	return 0;
}

static int lat_opener_fn(void *unused)
{
	msleep(200);
	complete_all(&gate);
	module_put_and_kthread_exit(0);
}

static int destroy_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *t;
	u64 start;

	if (!latw)
		return -EINVAL;
	__module_get(THIS_MODULE);
	t = kthread_run(lat_opener_fn, NULL, "latopen");
	if (IS_ERR(t)) {
		module_put(THIS_MODULE);
		return PTR_ERR(t);
	}
	start = ktime_get_ns();
	ktpool_destroy(latw);
	latw = NULL;
	wait_var_event(&subs_left, !atomic_read(&subs_left));
	last_ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);
	last_threads = 0;
	pr_info("destroy: %d of %u submitters got -ESHUTDOWN, %d another result, %u ms\n",
		atomic_read(&nr_shutdown), nr_subs, atomic_read(&nr_other),
		last_ms);
	return 0;
}

static int idle_set(const char *val, const struct kernel_param *kp)
{
	struct ktpool_stats st;
	unsigned int n, i;
	int ret;

	if (kstrtouint(val, 0, &n) || !n || n > KTPOOL_MAX_CAPACITY || lats)
		return -EINVAL;
	lats = ktpool_create("lats", n, 0);
	if (IS_ERR(lats)) {
		ret = PTR_ERR(lats);
		lats = NULL;
		return ret;
	}
	reinit_completion(&gate);
	for (i = 0; i < n; i++) {
		ret = ktpool_submit(lats, lat_gate_fn, NULL);
		if (ret) {
			pr_err("idle: submit %u: %d\n", i, ret);
			break;
		}
	}
	complete_all(&gate);
	ktpool_drain(lats);
	ktpool_get_stats(lats, &st);
	pr_info("idle: %u threads, %u idle\n", st.threads, st.idle);
	return 0;
}

static int shrink_set(const char *val, const struct kernel_param *kp)
{
	struct ktpool_stats st;
	unsigned int c;
	u64 start;
	int ret;

	if (kstrtouint(val, 0, &c) || !lats)
		return -EINVAL;
	start = ktime_get_ns();
	ret = ktpool_set_capacity(lats, c);
	for (;;) {
		ktpool_get_stats(lats, &st);
		if (ret || st.threads <= c)
			break;
		msleep(20);
	}
	last_ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);
	last_threads = st.threads;
	pr_info("shrink to %u: %d, %u threads, %u reaped, %u ms\n", c, ret,
		st.threads, (unsigned int)st.reaped, last_ms);
	ktpool_destroy(lats);
	lats = NULL;
	return ret;
}

static int result_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "shutdown=%d other=%d threads=%u ms=%u\n",
			  atomic_read(&nr_shutdown), atomic_read(&nr_other),
			  last_threads, last_ms);
}

static const struct kernel_param_ops waiters_ops = { .set = waiters_set };
static const struct kernel_param_ops destroy_ops = { .set = destroy_set };
static const struct kernel_param_ops idle_ops = { .set = idle_set };
static const struct kernel_param_ops shrink_ops = { .set = shrink_set };
static const struct kernel_param_ops result_ops = { .get = result_get };
module_param_cb(waiters, &waiters_ops, NULL, 0200);
MODULE_PARM_DESC(waiters, "create latw and block N submitters on it");
module_param_cb(destroy, &destroy_ops, NULL, 0200);
MODULE_PARM_DESC(destroy, "destroy latw and wait for its submitters");
module_param_cb(idle, &idle_ops, NULL, 0200);
MODULE_PARM_DESC(idle, "create lats with N idle workers");
module_param_cb(shrink, &shrink_ops, NULL, 0200);
MODULE_PARM_DESC(shrink, "shrink lats to C, wait for it, destroy it");
module_param_cb(result, &result_ops, NULL, 0400);
MODULE_PARM_DESC(result, "what the last step saw");

static int __init lat_init(void)
{
	return 0;
}

static void __exit lat_exit(void)
{
	/* A step left half done: let its tasks finish, then destroy. */
	complete_all(&gate);
	if (latw)
		ktpool_destroy(latw);
	wait_var_event(&subs_left, !atomic_read(&subs_left));
	if (lats)
		ktpool_destroy(lats);
}

module_init(lat_init);
module_exit(lat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool: loads for the interrupts-off latency runs");
