/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites of ktpool share: the time bounds and the stats
 * snapshot.
 *
 * The bounds of KT_WAIT() are what a fast machine needs; the guard is
 * KT_SLACK times that, for TCG, debug kernels and busy hosts. No case
 * asserts how much work fits in a time: a wait ends as soon as its
 * condition holds, and a sleep only ever precedes a check that something
 * did *not* happen, which a slow machine cannot make fail.
 */
#ifndef _KTPOOL_KUNIT_H
#define _KTPOOL_KUNIT_H

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktpool.h>

#define KT_SLACK	10

/* A wait for something a fast machine does in @s seconds, as jiffies. */
#define KT_GUARD(s)	((s) * HZ * KT_SLACK)
/* The same in milliseconds. */
#define KT_GUARD_MS(s)	((s) * 1000 * KT_SLACK)

/* Poll @cond every 5 ms for at most KT_SLACK x @ms ms; yields its value. */
#define KT_WAIT(cond, ms) ({						\
	unsigned long __end = jiffies + msecs_to_jiffies((ms) * KT_SLACK); \
	bool __ok;							\
									\
	for (;;) {							\
		__ok = (cond);						\
		if (__ok || time_after(jiffies, __end))			\
			break;						\
		usleep_range(5000, 6000);				\
	}								\
	__ok;								\
})

/*
 * ktpool.ko's functions exported to the suites only, under CONFIG_KUNIT
 * (EXPORT_SYMBOL_IF_KUNIT): a suite that uses one imports
 * EXPORTED_FOR_KUNIT_TESTING.
 */
void ktpool_wait_destroys(void);
void ktpool_destroy_refused(const char *name);

static inline struct ktpool_stats kt_stats(struct ktpool *pool)
{
	struct ktpool_stats st;

	ktpool_get_stats(pool, &st);
	return st;
}

#endif /* _KTPOOL_KUNIT_H */
