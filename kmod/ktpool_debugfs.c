// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool debugfs, root only: /sys/kernel/debug/ktpool/<pool>/stats (struct
 * ktpool_stats, "name value" per line, then the attributes) and workers (pid,
 * state, ms since active, tasks run per worker). ktpool_destroy() removes
 * them before it frees the workers; debugfs waits for readers in flight.
 */

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/pid.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "ktpool_internal.h"

static struct dentry *ktpool_debugfs_root;	/* I */

static int ktpool_stats_show(struct seq_file *m, void *unused)
{
	struct ktpool_attrs attrs;
	struct ktpool_stats st;
	cpumask_var_t mask;

	ktpool_get_stats(m->private, &st);
	seq_printf(m, "capacity %u\n", st.capacity);
	seq_printf(m, "idle_timeout_ms %u\n", st.idle_timeout_ms);
	seq_printf(m, "threads %u\n", st.threads);
	seq_printf(m, "idle %u\n", st.idle);
	seq_printf(m, "busy %u\n", st.busy);
	seq_printf(m, "waiters %u\n", st.waiters);
	seq_printf(m, "peak_threads %u\n", st.peak_threads);
	seq_printf(m, "submitted %llu\n", st.submitted);
	seq_printf(m, "completed %llu\n", st.completed);
	seq_printf(m, "inlined %llu\n", st.inlined);
	seq_printf(m, "rejected %llu\n", st.rejected);
	seq_printf(m, "spawned %llu\n", st.spawned);
	seq_printf(m, "reaped %llu\n", st.reaped);
	seq_printf(m, "spawn_failed %llu\n", st.spawn_failed);
	seq_printf(m, "timed_out %llu\n", st.timed_out);
	seq_printf(m, "waiters_refused %llu\n", st.waiters_refused);
	seq_printf(m, "cancelled %llu\n", st.cancelled);

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ktpool_get_attrs(m->private, &attrs, mask);
	seq_printf(m, "nice %d\n", attrs.nice);
	seq_printf(m, "cpumask %*pbl\n", cpumask_pr_args(mask));
	seq_printf(m, "node %d\n", attrs.node);
	seq_printf(m, "min_threads %u\n", attrs.min_threads);
	seq_printf(m, "flags%s%s%s%s\n", attrs.flags & KTPOOL_FREEZABLE ? " freezable" : "",
		   attrs.flags & KTPOOL_RT ? " rt" : "",
		   attrs.flags & KTPOOL_SYSFS ? " sysfs" : "",
		   attrs.flags ? "" : " none");
	free_cpumask_var(mask);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ktpool_stats);

static const char *const ktpool_state_names[] = {
	[KTPOOL_W_BUSY] = "busy",
	[KTPOOL_W_IDLE] = "idle",
	[KTPOOL_W_DYING] = "dying",
	[KTPOOL_W_WOKEN] = "woken",
};

struct ktpool_worker_snap {
	pid_t pid;
	enum ktpool_worker_state state;
	unsigned long ago;
	u64 nr_run;
};

/* A line of the workers file at most: pid, state, ms and tasks run. */
#define KTPOOL_WORKER_LINE	48

/* Only the copy with interrupts off: how many, or more than @max. */
static unsigned int ktpool_workers_snap(struct ktpool *pool, struct ktpool_worker_snap *snap,
					unsigned int max)
{
	struct ktpool_worker *w;
	unsigned int n = 0;

	raw_spin_lock_irq(&pool->lock);
	/* Surplus workers not yet stopped are on the list, not in the count. */
	if (pool->nr_threads > max) {
		n = pool->nr_threads;
		goto out;
	}
	list_for_each_entry(w, &pool->workers, all) {
		if (n == max) {
			n = max + KTPOOL_WAKE_BATCH;
			break;
		}
		snap[n].pid = task_pid_nr(w->task);
		snap[n].state = w->state;
		snap[n].ago = w->state == KTPOOL_W_BUSY ? jiffies - w->job_start :
			      (unsigned long)(get_jiffies_64() - w->idle_since);
		snap[n].nr_run = READ_ONCE(w->nr_run);
		n++;
	}
out:
	raw_spin_unlock_irq(&pool->lock);
	return n;
}

static int ktpool_workers_show(struct seq_file *m, void *unused)
{
	struct ktpool *pool = m->private;
	struct ktpool_worker_snap *snap;
	unsigned int max, n, i;

	max = READ_ONCE(pool->nr_threads) + KTPOOL_WAKE_BATCH;
	for (;;) {
		snap = kvmalloc_array(max, sizeof(*snap), GFP_KERNEL);
		if (!snap)
			return -ENOMEM;
		n = ktpool_workers_snap(pool, snap, max);
		if (n <= max)
			break;
		kvfree(snap);
		max = n + KTPOOL_WAKE_BATCH;
	}

	seq_puts(m, "pid state ms_since_active tasks_run\n");
	for (i = 0; i < n; i++)
		seq_printf(m, "%d %s %u %llu\n", snap[i].pid, ktpool_state_names[snap[i].state],
			   jiffies_to_msecs(snap[i].ago), snap[i].nr_run);
	kvfree(snap);
	return 0;
}

/* Room for every line, so that seq_file does not run the show twice. */
static int ktpool_workers_open(struct inode *inode, struct file *file)
{
	struct ktpool *pool = inode->i_private;
	size_t size = (READ_ONCE(pool->nr_threads) + KTPOOL_WAKE_BATCH + 1) * KTPOOL_WORKER_LINE;

	return single_open_size(file, ktpool_workers_show, pool, size);
}

static const struct file_operations ktpool_workers_fops = {
	.owner = THIS_MODULE,
	.open = ktpool_workers_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* debugfs/ktpool/<name>/ for a new pool; the pool works without it. */
void ktpool_debugfs_add(struct ktpool *pool)
{
	if (IS_ERR_OR_NULL(ktpool_debugfs_root))
		return;
	pool->debugfs = debugfs_create_dir(pool->name, ktpool_debugfs_root);
	debugfs_create_file("stats", 0400, pool->debugfs, pool, &ktpool_stats_fops);
	debugfs_create_file("workers", 0400, pool->debugfs, pool, &ktpool_workers_fops);
}

/* A kernel without debugfs just has no files. */
void ktpool_debugfs_init(void)
{
	ktpool_debugfs_root = debugfs_create_dir("ktpool", NULL);
	ktpool_inject_init(ktpool_debugfs_root);
}

/* Once every pool is gone. */
void ktpool_debugfs_exit(void)
{
	debugfs_remove_recursive(ktpool_debugfs_root);
}
