// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool sysfs: /sys/kernel/ktpool/<name>/ of a pool with KTPOOL_SYSFS; its
 * files are the pool's knobs (ktpool_main.c). The kobject is of the kernel's
 * own type, whose release may run late (CONFIG_DEBUG_KOBJECT_RELEASE), after
 * ktpool.ko is gone, so it holds no pointer to its pool: the files look it up
 * in ktpool_sysfs_dirs, entered once they exist and left after kobject_del().
 */

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "ktpool_internal.h"

/* A pool's directory, on ktpool_sysfs_dirs while it has files. */
struct ktpool_kobj {
	struct list_head node;	/* ktpool_sysfs_lock */
	struct kobject *kobj;	/* I */
	struct ktpool *pool;	/* I */
};

static struct kobject *ktpool_sysfs_root;	/* I: /sys/kernel/ktpool */
/* Taken alone, for the look-up only: never across a sleep or a call. */
static DEFINE_MUTEX(ktpool_sysfs_lock);
static LIST_HEAD(ktpool_sysfs_dirs);		/* ktpool_sysfs_lock */

/* Valid while the caller reads or writes a file: kobject_del() waits. */
struct ktpool *ktpool_sysfs_pool(struct kobject *kobj)
{
	struct ktpool *pool = NULL;
	struct ktpool_kobj *k;

	mutex_lock(&ktpool_sysfs_lock);
	list_for_each_entry(k, &ktpool_sysfs_dirs, node) {
		if (k->kobj == kobj) {
			pool = k->pool;
			break;
		}
	}
	mutex_unlock(&ktpool_sysfs_lock);
	return pool;
}

/* With sysfs_mutex and attrs_mutex held; the pool works without it. */
int ktpool_sysfs_add(struct ktpool *pool)
{
	struct ktpool_kobj *k;
	int ret;

	lockdep_assert_held(&pool->sysfs_mutex);
	lockdep_assert_held(&pool->attrs_mutex);
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->pool = pool;
	/* NULL for any error, -EEXIST included, which kobject reports. */
	k->kobj = kobject_create_and_add(pool->name, ktpool_sysfs_root);
	if (!k->kobj) {
		kfree(k);
		pr_warn("%s: no sysfs directory\n", pool->name);
		return -ENOMEM;
	}
	/*
	 * Looked up only once all files exist: a removal after a failure
	 * here, with attrs_mutex held, must not wait for a writer that waits
	 * for attrs_mutex.
	 */
	ret = sysfs_create_groups(k->kobj, ktpool_knob_groups);
	if (ret) {
		kobject_put(k->kobj);
		kfree(k);
		pr_warn("%s: no sysfs files: %d\n", pool->name, ret);
		return ret;
	}
	mutex_lock(&ktpool_sysfs_lock);
	list_add(&k->node, &ktpool_sysfs_dirs);
	mutex_unlock(&ktpool_sysfs_lock);
	pool->kobj = k;
	return 0;
}

/* For ktpool_sysfs_remove() once attrs_mutex, not sysfs_mutex, is dropped. */
struct ktpool_kobj *ktpool_sysfs_detach(struct ktpool *pool)
{
	struct ktpool_kobj *k = pool->kobj;

	lockdep_assert_held(&pool->sysfs_mutex);
	lockdep_assert_held(&pool->attrs_mutex);
	pool->kobj = NULL;
	return k;
}

/* Without attrs_mutex: waits for the readers and writers of its files. */
void ktpool_sysfs_remove(struct ktpool_kobj *k)
{
	if (!k)
		return;
	kobject_del(k->kobj);
	mutex_lock(&ktpool_sysfs_lock);
	list_del(&k->node);
	mutex_unlock(&ktpool_sysfs_lock);
	kobject_put(k->kobj);
	kfree(k);
}

int ktpool_sysfs_init(void)
{
	ktpool_sysfs_root = kobject_create_and_add("ktpool", kernel_kobj);
	return ktpool_sysfs_root ? 0 : -ENOMEM;
}

/* Once every pool is gone. */
void ktpool_sysfs_exit(void)
{
	/* Gone now, not at a delayed release: a reload adds it again. */
	kobject_del(ktpool_sysfs_root);
	kobject_put(ktpool_sysfs_root);
}
