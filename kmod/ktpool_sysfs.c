// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool sysfs: the directory /sys/kernel/ktpool/<name>/ of a pool created
 * with KTPOOL_SYSFS; its files are the pool's knobs (ktpool_main.c).
 *
 * It is removed (kobject_del(), which waits for the readers and writers in
 * flight) before the pool is freed, and never with the pool's attrs_mutex
 * held, which the writers take. Adding and removing it is serialized by the
 * pool's sysfs_mutex, held from the change of KTPOOL_SYSFS to the end of the
 * removal: a directory being removed is never added again under the same
 * name meanwhile (that fails, -EEXIST, and the old one then goes, leaving
 * none while the flag says there is).
 *
 * The directory is a kobject of the kernel's own type, whose release is
 * kernel text: a release that runs late (CONFIG_DEBUG_KOBJECT_RELEASE) must
 * not call into ktpool.ko, which may be gone by then. So the kobject holds
 * no pointer to its pool: the files look it up in ktpool_sysfs_dirs, where
 * it is entered once the files exist and left only after kobject_del().
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

/*
 * The pool of a directory whose file the caller reads or writes: valid
 * meanwhile, as kobject_del() waits for the caller.
 */
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
	if (!ktpool_sysfs_root)
		return -ENOENT;
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->pool = pool;
	/* NULL for any error, -EEXIST included (reported by kobject itself). */
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

/*
 * Take the directory from its pool (sysfs_mutex and attrs_mutex held), for
 * ktpool_sysfs_remove() once attrs_mutex is dropped: sysfs_mutex stays
 * held, so that it is not added again before the old one is gone.
 */
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
