// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_extclient - a client built out of tree against an installed ktpool:
 * its header and Module.symvers only (scripts/packaging.sh builds it for each
 * stock kernel; selftests/ktpool_extclient.sh loads it).
 *
 * On load it runs EXT_TASKS tasks with ktpool_try_go() on the default pool
 * and EXT_TASKS with ktpool_submit() on a small pool of its own, waits for
 * them all and prints how many ran. The load fails if one did not run.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/ktpool.h>
#include <linux/module.h>

#define EXT_TASKS	8

static atomic_t ext_ran = ATOMIC_INIT(0);

static void ext_task(void *data)
{
	msleep(20);
	atomic_inc(&ext_ran);
}

static int __init ext_init(void)
{
	struct ktpool_stats st;
	struct ktpool *pool;
	int i, ret = 0;

	pool = ktpool_create("extclient", 2, 1000);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	for (i = 0; i < EXT_TASKS && ret >= 0; i++)
		ret = ktpool_try_go(ext_task, NULL);
	for (i = 0; i < EXT_TASKS && ret >= 0; i++)
		ret = ktpool_submit(pool, ext_task, NULL);
	ktpool_drain(ktpool_default());
	ktpool_get_stats(pool, &st);
	ktpool_destroy(pool);

	if (ret < 0 || atomic_read(&ext_ran) != 2 * EXT_TASKS) {
		pr_err("%d of %d tasks ran (last submit: %d)\n",
		       atomic_read(&ext_ran), 2 * EXT_TASKS, ret);
		return ret < 0 ? ret : -EIO;
	}
	pr_info("%d tasks ran, own pool peak %u threads\n",
		atomic_read(&ext_ran), st.peak_threads);
	return 0;
}

static void __exit ext_exit(void)
{
}

module_init(ext_init);
module_exit(ext_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool out-of-tree client, built against an installed ktpool");
