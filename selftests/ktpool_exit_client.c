// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool_exit_client - a client module that submits from its module_exit.
 *
 * Its exit function submits a task that sleeps 200 ms to the default pool
 * with each of try, anyway and nowait, and does not wait for them: by then
 * the module's exit has begun, so ktpool must refuse all three (-ENODEV) and
 * never run them (they would run freed module text). It prints
 * "exit: try=<ret> anyway=<ret> nowait=<ret>" for selftests/ktpool_exit.sh.
 *
 * On load it runs one task with ktpool_try_go() and waits for it, so that a
 * working submit path is known before the exit test. With leak_pool=1 it
 * also creates a pool "leaked", runs a task on it so that it has a worker,
 * and never destroys it: ktpool.ko must destroy it, with a warning, when it
 * is unloaded.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/ktpool.h>
#include <linux/module.h>

static bool leak_pool;
module_param(leak_pool, bool, 0444);
MODULE_PARM_DESC(leak_pool, "create a pool and never destroy it");

static DECLARE_COMPLETION(exit_client_ran);
static DECLARE_COMPLETION(exit_client_leak_ran);

static void exit_client_task(void *data)
{
	msleep(200);
	if (data)
		complete(data);
}

static int __init exit_client_init(void)
{
	int ret;

	ret = ktpool_try_go(exit_client_task, &exit_client_ran);
	if (ret < 0)
		return ret;
	wait_for_completion(&exit_client_ran);
	if (leak_pool) {
		struct ktpool *pool = ktpool_create("leaked", 1, 0);

		if (IS_ERR(pool))
			return PTR_ERR(pool);
		ret = ktpool_submit(pool, exit_client_task,
				    &exit_client_leak_ran);
		if (ret) {
			ktpool_destroy(pool);
			return ret < 0 ? ret : -EIO;
		}
		wait_for_completion(&exit_client_leak_ran);
	}
	return 0;
}

static void __exit exit_client_exit(void)
{
	int t, a, n;

	t = ktpool_try_go(exit_client_task, NULL);
	a = ktpool_anyway_go(exit_client_task, NULL);
	n = ktpool_submit_nowait(ktpool_default(), exit_client_task, NULL);
	pr_info("exit: try=%d anyway=%d nowait=%d\n", t, a, n);
}

module_init(exit_client_init);
module_exit(exit_client_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktpool selftest client that submits from its module_exit");
