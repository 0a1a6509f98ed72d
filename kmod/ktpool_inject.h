/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktpool's test hooks, none in a release build: debugfs/ktpool/fail_spawn/
 * fails ktpool_spawn(); KUnit suites hold callers to widen race windows.
 */
#ifndef _KTPOOL_INJECT_H
#define _KTPOOL_INJECT_H

#include <linux/types.h>

struct dentry;

#define KTPOOL_HOLD_SPAWN	1	/* ktpool_spawn(), before kthread_create() */
#define KTPOOL_HOLD_POLL	2	/* a submitter that found no worker free */
#define KTPOOL_HOLD_DRAIN	4	/* ktpool_drain(), done, before returning */
#define KTPOOL_HOLD_SYSFS	8	/* a sysfs directory detached, not removed */

#ifdef CONFIG_FAULT_INJECTION
bool ktpool_should_fail_spawn(void);
void ktpool_inject_init(struct dentry *root);
#else
static inline bool ktpool_should_fail_spawn(void)
{
	return false;
}

static inline void ktpool_inject_init(struct dentry *root)
{
}
#endif

#if IS_ENABLED(CONFIG_KUNIT)
bool ktpool_debug_holding(unsigned int where);
int ktpool_debug_hold(unsigned int where);
void ktpool_test_hold(unsigned int where);
unsigned int ktpool_test_held(void);
int ktpool_test_fail_spawn(int times);
int ktpool_test_reap_interval(unsigned int ms);
#else
static inline bool ktpool_debug_holding(unsigned int where)
{
	return false;
}

static inline int ktpool_debug_hold(unsigned int where)
{
	return 0;
}
#endif

#endif /* _KTPOOL_INJECT_H */
