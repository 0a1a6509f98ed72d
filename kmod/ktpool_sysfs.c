// SPDX-License-Identifier: GPL-2.0
/*
 * ktpool sysfs: /sys/kernel/ktpool/<name>/ for the pools created with
 * KTPOOL_SYSFS (the default pool is one of them):
 *
 *   capacity         ktpool_set_capacity()
 *   idle_timeout_ms  ktpool_set_idle_timeout()
 *   max_waiters      ktpool_set_max_waiters()
 *   nice             the nice value of the workers, -20..19
 *   cpumask          the CPUs of the workers, as a cpulist ("0-1,3")
 *   min_threads      the reserve of workers, 0..capacity
 *
 * Readable by all, writable by root (0644); each write is validated
 * (-EINVAL, nothing changed) and applied live. The directory is removed
 * (kobject_del(), which waits for the readers and writers in flight)
 * before the pool is freed, and never with the pool's attrs_mutex held,
 * which the writers take. Adding and removing
 * it is serialized by the pool's sysfs_mutex, held from the change of
 * KTPOOL_SYSFS to the end of the removal: a directory being removed is
 * never added again under the same name meanwhile (that fails, -EEXIST,
 * and the old one then goes, leaving none while the flag says there is).
 *
 * The directory is a kobject of the kernel's own type
 * (kobject_create_and_add()), whose release is kernel text: a release
 * that runs late (CONFIG_DEBUG_KOBJECT_RELEASE delays it) must not call
 * into ktpool.ko, which may be gone by then. So the kobject holds no
 * pointer to its pool: the files look it up in ktpool_sysfs_dirs, where
 * it is entered once the files are created (one read or written before
 * answers -ENODEV) and left only after kobject_del() has returned.
 */

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
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
 * The pool of a directory whose file the caller reads or writes: it stays
 * valid meanwhile, as kobject_del() waits for the caller.
 */
static struct ktpool *ktpool_of(struct kobject *kobj)
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

static ssize_t capacity_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	struct ktpool *pool = ktpool_of(kobj);

	if (!pool)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", READ_ONCE(pool->capacity));
}

static ssize_t capacity_store(struct kobject *kobj, struct kobj_attribute *a,
			      const char *buf, size_t count)
{
	unsigned int v;
	int ret;

	if (kstrtouint(buf, 0, &v))
		return -EINVAL;
	ret = ktpool_set_capacity(ktpool_of(kobj), v);
	return ret ?: count;
}

static ssize_t idle_timeout_ms_show(struct kobject *kobj,
				    struct kobj_attribute *a, char *buf)
{
	struct ktpool *pool = ktpool_of(kobj);

	if (!pool)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", READ_ONCE(pool->idle_timeout_ms));
}

static ssize_t idle_timeout_ms_store(struct kobject *kobj,
				     struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	unsigned int v;
	int ret;

	if (kstrtouint(buf, 0, &v))
		return -EINVAL;
	ret = ktpool_set_idle_timeout(ktpool_of(kobj), v);
	return ret ?: count;
}

static ssize_t max_waiters_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	struct ktpool *pool = ktpool_of(kobj);

	if (!pool)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", READ_ONCE(pool->max_waiters));
}

static ssize_t max_waiters_store(struct kobject *kobj,
				 struct kobj_attribute *a,
				 const char *buf, size_t count)
{
	unsigned int v;
	int ret;

	if (kstrtouint(buf, 0, &v))
		return -EINVAL;
	ret = ktpool_set_max_waiters(ktpool_of(kobj), v);
	return ret ?: count;
}

static ssize_t nice_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	struct ktpool *pool = ktpool_of(kobj);

	if (!pool)
		return -ENODEV;
	return sysfs_emit(buf, "%d\n", READ_ONCE(pool->nice));
}

static ssize_t nice_store(struct kobject *kobj, struct kobj_attribute *a,
			  const char *buf, size_t count)
{
	int v, ret;

	if (kstrtoint(buf, 0, &v))
		return -EINVAL;
	ret = ktpool_set_nice(ktpool_of(kobj), v);
	return ret ?: count;
}

static ssize_t cpumask_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	struct ktpool *pool = ktpool_of(kobj);
	ssize_t ret;

	if (!pool)
		return -ENODEV;
	raw_spin_lock_irq(&pool->lock);
	ret = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(pool->cpumask));
	raw_spin_unlock_irq(&pool->lock);
	return ret;
}

static ssize_t cpumask_store(struct kobject *kobj, struct kobj_attribute *a,
			     const char *buf, size_t count)
{
	cpumask_var_t mask;
	int ret;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = ktpool_parse_cpulist(buf, mask);
	if (!ret)
		ret = ktpool_set_cpumask(ktpool_of(kobj), mask);
	free_cpumask_var(mask);
	return ret ?: count;
}

static ssize_t min_threads_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	struct ktpool *pool = ktpool_of(kobj);

	if (!pool)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", READ_ONCE(pool->min_threads));
}

static ssize_t min_threads_store(struct kobject *kobj,
				 struct kobj_attribute *a,
				 const char *buf, size_t count)
{
	unsigned int v;
	int ret;

	if (kstrtouint(buf, 0, &v))
		return -EINVAL;
	ret = ktpool_set_min_threads(ktpool_of(kobj), v);
	return ret ?: count;
}

static struct kobj_attribute ktpool_attr_capacity = __ATTR_RW(capacity);
static struct kobj_attribute ktpool_attr_idle_timeout_ms =
	__ATTR_RW(idle_timeout_ms);
static struct kobj_attribute ktpool_attr_max_waiters = __ATTR_RW(max_waiters);
static struct kobj_attribute ktpool_attr_nice = __ATTR_RW(nice);
static struct kobj_attribute ktpool_attr_cpumask = __ATTR_RW(cpumask);
static struct kobj_attribute ktpool_attr_min_threads = __ATTR_RW(min_threads);

static struct attribute *ktpool_pool_attrs[] = {
	&ktpool_attr_capacity.attr,
	&ktpool_attr_idle_timeout_ms.attr,
	&ktpool_attr_max_waiters.attr,
	&ktpool_attr_nice.attr,
	&ktpool_attr_cpumask.attr,
	&ktpool_attr_min_threads.attr,
	NULL,
};
ATTRIBUTE_GROUPS(ktpool_pool);

/**
 * ktpool_parse_cpulist() - parse a cpulist written by a user
 * @buf: the text, e.g. "0-1,3", NUL-terminated; white space around it and
 *	a trailing newline are allowed
 * @mask: the result
 *
 * Anything cpulist_parse() accepts, shorter than %PAGE_SIZE: a sysfs write
 * (of a module parameter too) hands its file at most a page, cut there, so
 * that a text of a page or more may be the start of a longer one.
 *
 * Return: 0, or -EINVAL when it is %PAGE_SIZE bytes or longer, not a
 * cpulist, or names no online CPU.
 */
int ktpool_parse_cpulist(const char *buf, struct cpumask *mask)
{
	if (strnlen(buf, PAGE_SIZE) >= PAGE_SIZE)
		return -EINVAL;
	buf = skip_spaces(buf);
	if (!*buf || cpulist_parse(buf, mask) ||
	    !cpumask_intersects(mask, cpu_online_mask))
		return -EINVAL;
	return 0;
}

/**
 * ktpool_sysfs_add() - create /sys/kernel/ktpool/<name>/ for a pool
 * @pool: the pool; sysfs_mutex and attrs_mutex held
 *
 * Return: 0, or a negative errno (the pool works without its directory).
 */
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
	 * The files are looked up only once all exist: a removal after a
	 * failure here, with attrs_mutex held, must not wait for a writer
	 * that waits for attrs_mutex.
	 */
	ret = sysfs_create_groups(k->kobj, ktpool_pool_groups);
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

/**
 * ktpool_sysfs_detach() - take a pool's directory from it, for removal
 * @pool: the pool, sysfs_mutex and attrs_mutex held
 *
 * Return: the directory, for ktpool_sysfs_remove() once attrs_mutex is
 * dropped (sysfs_mutex still held, so that it is not added again before
 * the old one is gone), or NULL.
 */
struct ktpool_kobj *ktpool_sysfs_detach(struct ktpool *pool)
{
	struct ktpool_kobj *k = pool->kobj;

	lockdep_assert_held(&pool->sysfs_mutex);
	lockdep_assert_held(&pool->attrs_mutex);
	pool->kobj = NULL;
	return k;
}

/**
 * ktpool_sysfs_remove() - remove a directory ktpool_sysfs_detach() gave
 * @k: the directory, or NULL
 *
 * Context: process context, attrs_mutex not held (sysfs_mutex held, when
 * detached from a pool); waits for the readers and writers of its files.
 */
void ktpool_sysfs_remove(struct ktpool_kobj *k)
{
	if (!k)
		return;
	kobject_del(k->kobj);
	/* No reader or writer is left to look the pool up. */
	mutex_lock(&ktpool_sysfs_lock);
	list_del(&k->node);
	mutex_unlock(&ktpool_sysfs_lock);
	kobject_put(k->kobj);
	kfree(k);
}

/**
 * ktpool_sysfs_init() - create /sys/kernel/ktpool/
 *
 * Return: 0 or -ENOMEM.
 */
int ktpool_sysfs_init(void)
{
	ktpool_sysfs_root = kobject_create_and_add("ktpool", kernel_kobj);
	return ktpool_sysfs_root ? 0 : -ENOMEM;
}

/**
 * ktpool_sysfs_exit() - remove /sys/kernel/ktpool/, once every pool is gone
 */
void ktpool_sysfs_exit(void)
{
	/* Gone now, not at a delayed release: a reload adds it again. */
	kobject_del(ktpool_sysfs_root);
	kobject_put(ktpool_sysfs_root);
}
