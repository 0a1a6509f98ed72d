// SPDX-License-Identifier: GPL-2.0
/* ktpool's test hooks (see ktpool_inject.h). */

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/wait.h>

#include "ktpool_inject.h"

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(ktpool_fail_spawn);

bool ktpool_should_fail_spawn(void)
{
	return should_fail(&ktpool_fail_spawn, 1);
}

/* Removed with debugfs/ktpool/. */
void ktpool_inject_init(struct dentry *root)
{
	fault_create_debugfs_attr("fail_spawn", root, &ktpool_fail_spawn);
}
#endif

#if IS_ENABLED(CONFIG_KUNIT)
static unsigned int ktpool_hold_mask;	/* ONCE; a writer wakes ktpool_hold_wq */
static atomic_t ktpool_held = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(ktpool_hold_wq);

bool ktpool_debug_holding(unsigned int where)
{
	return READ_ONCE(ktpool_hold_mask) & where;
}

/* Return: 0, or -EINTR. */
int ktpool_debug_hold(unsigned int where)
{
	int ret;

	if (!ktpool_debug_holding(where))
		return 0;
	atomic_inc(&ktpool_held);
	ret = wait_event_killable(ktpool_hold_wq, !ktpool_debug_holding(where));
	atomic_dec(&ktpool_held);
	return ret ? -EINTR : 0;
}

/**
 * ktpool_test_hold() - hold the callers that reach the given points
 * @where: KTPOOL_HOLD_* bits; the points not in it let their callers go
 *
 * Context: process context.
 */
void ktpool_test_hold(unsigned int where)
{
	WRITE_ONCE(ktpool_hold_mask, where);
	wake_up_all(&ktpool_hold_wq);
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_test_hold);

/**
 * ktpool_test_held() - how many callers a hold point holds now
 *
 * Context: any context.
 * Return: the number of callers waiting in ktpool_debug_hold().
 */
unsigned int ktpool_test_held(void)
{
	return atomic_read(&ktpool_held);
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_test_held);

/**
 * ktpool_test_fail_spawn() - fail the next spawns, quietly
 * @times: how many: -1 every one, 0 none
 *
 * Context: process context.
 * Return: 0; -EOPNOTSUPP in a kernel without fault injection.
 */
int ktpool_test_fail_spawn(int times)
{
#ifdef CONFIG_FAULT_INJECTION
	ktpool_fail_spawn.verbose = 0;
	ktpool_fail_spawn.interval = 1;
	atomic_set(&ktpool_fail_spawn.space, 0);
	atomic_set(&ktpool_fail_spawn.times, times);
	WRITE_ONCE(ktpool_fail_spawn.probability, times ? 100 : 0);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}
EXPORT_SYMBOL_IF_KUNIT(ktpool_test_fail_spawn);
#endif
