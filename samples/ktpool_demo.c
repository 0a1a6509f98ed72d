// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_demo - a small client module showing the pool at work.
 *
 * On load it creates a pool "demo" of capacity 2 with a short idle timeout
 * and, from a kthread of its own, submits a burst with the try submit (the
 * third task finds both workers busy and runs inline), then a burst with the
 * anyway submit (the submitter blocks until a worker is free), then fans out
 * tasks through a group of limit 2 in which one task fails (the wait returns
 * its error, the later submits are refused), and then watches the reaper
 * shrink the pool back to zero threads. Every step is
 * printed with the pool's statistics, and a summary ends the demo.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/ktpool.h>
#include <linux/module.h>

#define DEMO_CAPACITY	2
#define DEMO_TIMEOUT_MS	1000
#define DEMO_TASK_MS	300

static struct ktpool *demo_pool;
static struct task_struct *demo_thread;
static DECLARE_COMPLETION(demo_done);

static void demo_task(void *data)
{
	pr_info("  task %lu runs on %s (pid %d)\n", (unsigned long)data,
		current->comm, task_pid_nr(current));
	msleep(DEMO_TASK_MS);
}

#define DEMO_GROUP_TASKS	6
#define DEMO_GROUP_FAILING	1

static int demo_group_task(void *data)
{
	unsigned long i = (unsigned long)data;

	if (i == DEMO_GROUP_FAILING) {
		pr_info("  group task %lu fails with -EIO\n", i);
		return -EIO;
	}
	pr_info("  group task %lu runs on %s (pid %d)\n", i, current->comm,
		task_pid_nr(current));
	msleep(DEMO_TASK_MS);
	return 0;
}

/* A group fan-out with one failing task; returns what the wait returned. */
static int demo_group(unsigned int *refused)
{
	struct ktpool_group grp;
	unsigned long i;
	int ret;

	pr_info("group: %d tasks through a group of limit 2; task %d fails\n",
		DEMO_GROUP_TASKS, DEMO_GROUP_FAILING);
	ktpool_group_init(&grp, demo_pool, 2);
	for (i = 0; i < DEMO_GROUP_TASKS; i++) {
		ret = ktpool_group_submit(&grp, demo_group_task, (void *)i);
		pr_info("  group_submit(task %lu) = %d%s\n", i, ret,
			ret == -ECANCELED ? " (the group failed: refused)" : "");
		*refused += ret == -ECANCELED;
	}
	ret = ktpool_group_wait(&grp);
	pr_info("  group_wait() = %d (the first error)\n", ret);
	return ret;
}

static void demo_stats(const char *when)
{
	struct ktpool_stats st;

	ktpool_get_stats(demo_pool, &st);
	pr_info("%s: threads=%u idle=%u busy=%u waiters=%u peak=%u submitted=%llu completed=%llu inlined=%llu spawned=%llu reaped=%llu\n",
		when, st.threads, st.idle, st.busy, st.waiters,
		st.peak_threads, st.submitted, st.completed, st.inlined,
		st.spawned, st.reaped);
}

static int demo_fn(void *unused)
{
	unsigned int inlined = 0, refused = 0, peak_threads;
	int group_ret;
	s64 waited, max_wait = 0, reap_ms;
	struct ktpool_stats st;
	unsigned long i;
	ktime_t t0;
	int ret;

	pr_info("try burst: 4 tasks of %d ms on a pool of capacity %d\n",
		DEMO_TASK_MS, DEMO_CAPACITY);
	for (i = 0; i < 4; i++) {
		ret = ktpool_try_submit(demo_pool, demo_task, (void *)i);
		pr_info("  try_submit(task %lu) = %d%s\n", i, ret,
			ret == KTPOOL_RAN_INLINE ? " (pool full: ran inline)" : "");
		inlined += ret == KTPOOL_RAN_INLINE;
	}
	ktpool_drain(demo_pool);
	demo_stats("after the try burst");

	pr_info("anyway burst: 4 tasks; the submitter blocks while both workers are busy\n");
	for (i = 4; i < 8; i++) {
		t0 = ktime_get();
		ret = ktpool_submit(demo_pool, demo_task, (void *)i);
		waited = ktime_ms_delta(ktime_get(), t0);
		pr_info("  submit(task %lu) = %d after %lld ms\n", i, ret,
			waited);
		max_wait = max(max_wait, waited);
	}
	ktpool_drain(demo_pool);
	demo_stats("after the anyway burst");

	group_ret = demo_group(&refused);
	demo_stats("after the group");
	ktpool_get_stats(demo_pool, &st);
	peak_threads = st.threads;

	pr_info("idle: the reaper stops workers idle for %d ms\n",
		DEMO_TIMEOUT_MS);
	t0 = ktime_get();
	for (i = 0; i < 300 && !kthread_should_stop(); i++) {
		ktpool_get_stats(demo_pool, &st);
		if (!st.threads)
			break;
		msleep(100);
	}
	reap_ms = ktime_ms_delta(ktime_get(), t0);
	demo_stats("after the idle timeout");
	pr_info("summary: try burst: %u of 4 tasks ran inline (the pool was full)\n",
		inlined);
	pr_info("summary: anyway burst: the submitter waited up to %lld ms for a free worker, no task ran inline\n",
		max_wait);
	pr_info("summary: group: the wait returned %d, the first error; %u later submits were refused with -ECANCELED (stats: cancelled=%llu)\n",
		group_ret, refused, st.cancelled);
	pr_info("summary: reaper: %u idle threads -> %u, %lld ms after the pool went idle (timeout %d ms)\n",
		peak_threads, st.threads, reap_ms, DEMO_TIMEOUT_MS);
	pr_info("demo finished\n");
	kthread_complete_and_exit(&demo_done, 0);
}

static int __init demo_init(void)
{
	demo_pool = ktpool_create("demo", DEMO_CAPACITY, DEMO_TIMEOUT_MS);
	if (IS_ERR(demo_pool))
		return PTR_ERR(demo_pool);

	demo_thread = kthread_run(demo_fn, NULL, "ktpool_demo");
	if (IS_ERR(demo_thread)) {
		ktpool_destroy(demo_pool);
		return PTR_ERR(demo_thread);
	}
	return 0;
}

static void __exit demo_exit(void)
{
	wait_for_completion(&demo_done);
	ktpool_destroy(demo_pool);
}

module_init(demo_init);
module_exit(demo_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool demo: try, anyway, a group and the reaper on a small pool");
