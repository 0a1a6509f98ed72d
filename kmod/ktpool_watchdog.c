// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool stall watchdog, as the workqueue's: one warning, with the worker's
 * stack, for a task running longer than stall_warn_ms.
 */

#include <linux/jiffies.h>
#include <linux/sched/debug.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>

#include "ktpool_internal.h"

#define KTPOOL_STALLS_PER_SCAN	8

struct ktpool_stall {
	struct task_struct *task;
	ktpool_fn_t fn;
	unsigned int ms;
	char pool[KTPOOL_NAME_LEN];
};

static void ktpool_watchdog_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ktpool_watchdog, ktpool_watchdog_fn);

/* Only the watchdog work, never concurrent with itself, touches these. */
static struct ktpool_stall ktpool_stalls[KTPOOL_STALLS_PER_SCAN];
static unsigned int ktpool_nr_stalls;

static void ktpool_watchdog_scan(struct ktpool *pool)
{
	unsigned long thresh = msecs_to_jiffies(ktpool_stall_warn_ms());
	struct ktpool_stall *s;
	struct ktpool_worker *w;

	raw_spin_lock_irq(&pool->lock);
	list_for_each_entry(w, &pool->workers, all) {
		if (ktpool_nr_stalls == KTPOOL_STALLS_PER_SCAN)
			break;
		if (w->state != KTPOOL_W_BUSY || !w->job.fn ||
		    w->stall_warned || time_before(jiffies, w->job_start + thresh))
			continue;
		w->stall_warned = true;
		s = &ktpool_stalls[ktpool_nr_stalls++];
		s->task = get_task_struct(w->task);
		s->fn = w->job.fn;
		s->ms = jiffies_to_msecs(jiffies - w->job_start);
		strscpy(s->pool, pool->name, sizeof(s->pool));
	}
	raw_spin_unlock_irq(&pool->lock);
}

static void ktpool_watchdog_fn(struct work_struct *work)
{
	unsigned int ms = ktpool_stall_warn_ms(), i;

	if (!ms)
		return;
	ktpool_nr_stalls = 0;
	ktpool_visit_pools(ktpool_watchdog_scan);
	for (i = 0; i < ktpool_nr_stalls; i++) {
		struct ktpool_stall *s = &ktpool_stalls[i];

		pr_warn("stall: pool %s: task %ps has run for %u ms (stall_warn_ms=%u)\n",
			s->pool, s->fn, s->ms, ms);
		sched_show_task(s->task);
		put_task_struct(s->task);
	}
	queue_delayed_work(system_unbound_wq, &ktpool_watchdog, max(msecs_to_jiffies(ms) / 2, 1UL));
}

/* After stall_warn_ms changed. */
void ktpool_watchdog_start(void)
{
	mod_delayed_work(system_unbound_wq, &ktpool_watchdog, 0);
}

void ktpool_watchdog_stop(void)
{
	cancel_delayed_work_sync(&ktpool_watchdog);
}
