/* SPDX-License-Identifier: GPL-2.0 */
/* ktpool tracepoints: tasks are named by their function; no pointer is printed. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ktpool

#if !defined(_KTPOOL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KTPOOL_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(KTPOOL_TRY);
TRACE_DEFINE_ENUM(KTPOOL_ANYWAY);
TRACE_DEFINE_ENUM(KTPOOL_NOWAIT);
TRACE_DEFINE_ENUM(KTPOOL_DISPATCHED);
TRACE_DEFINE_ENUM(KTPOOL_INLINE);
TRACE_DEFINE_ENUM(KTPOOL_BLOCKED);
TRACE_DEFINE_ENUM(KTPOOL_REJECTED);
TRACE_DEFINE_ENUM(KTPOOL_FAILED);
TRACE_DEFINE_ENUM(KTPOOL_REAP_IDLE);
TRACE_DEFINE_ENUM(KTPOOL_REAP_SURPLUS);
TRACE_DEFINE_ENUM(KTPOOL_REAP_DESTROY);

#define ktpool_show_mode(m)					\
	__print_symbolic(m, { KTPOOL_TRY, "try" },		\
			 { KTPOOL_ANYWAY, "anyway" },		\
			 { KTPOOL_NOWAIT, "nowait" })

#define ktpool_show_outcome(o)					\
	__print_symbolic(o, { KTPOOL_DISPATCHED, "dispatched" },	\
			 { KTPOOL_INLINE, "inline" },		\
			 { KTPOOL_BLOCKED, "blocked" },		\
			 { KTPOOL_REJECTED, "rejected" },	\
			 { KTPOOL_FAILED, "failed" })

#define ktpool_show_reason(r)					\
	__print_symbolic(r, { KTPOOL_REAP_IDLE, "idle" },	\
			 { KTPOOL_REAP_SURPLUS, "surplus" },	\
			 { KTPOOL_REAP_DESTROY, "destroy" })

TRACE_EVENT(ktpool_submit,
	    TP_PROTO(const char *pool, ktpool_fn_t fn, int mode, int outcome, int ret),
	    TP_ARGS(pool, fn, mode, outcome, ret),
	    TP_STRUCT__entry(__array(char, pool, KTPOOL_NAME_LEN)
			     __field(void *, fn)
			     __field(int, mode)
			     __field(int, outcome)
			     __field(int, ret)),
	    TP_fast_assign(strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
			   __entry->fn = fn;
			   __entry->mode = mode;
			   __entry->outcome = outcome;
			   __entry->ret = ret;),
	    TP_printk("pool=%s fn=%ps mode=%s outcome=%s ret=%d", __entry->pool, __entry->fn,
		      ktpool_show_mode(__entry->mode), ktpool_show_outcome(__entry->outcome),
		      __entry->ret));

DECLARE_EVENT_CLASS(ktpool_execute,
		    TP_PROTO(const char *pool, ktpool_fn_t fn),
		    TP_ARGS(pool, fn),
		    TP_STRUCT__entry(__array(char, pool, KTPOOL_NAME_LEN)
				     __field(void *, fn)),
		    TP_fast_assign(strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
				   __entry->fn = fn;),
		    TP_printk("pool=%s fn=%ps", __entry->pool, __entry->fn));

DEFINE_EVENT(ktpool_execute, ktpool_execute_start,
	     TP_PROTO(const char *pool, ktpool_fn_t fn),
	     TP_ARGS(pool, fn));

DEFINE_EVENT(ktpool_execute, ktpool_execute_end,
	     TP_PROTO(const char *pool, ktpool_fn_t fn),
	     TP_ARGS(pool, fn));

TRACE_EVENT(ktpool_worker_spawn,
	    TP_PROTO(const char *pool, pid_t pid, unsigned int threads),
	    TP_ARGS(pool, pid, threads),
	    TP_STRUCT__entry(__array(char, pool, KTPOOL_NAME_LEN)
			     __field(pid_t, pid)
			     __field(unsigned int, threads)),
	    TP_fast_assign(strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
			   __entry->pid = pid;
			   __entry->threads = threads;),
	    TP_printk("pool=%s pid=%d threads=%u", __entry->pool, __entry->pid, __entry->threads));

TRACE_EVENT(ktpool_worker_reap,
	    TP_PROTO(const char *pool, pid_t pid, int reason),
	    TP_ARGS(pool, pid, reason),
	    TP_STRUCT__entry(__array(char, pool, KTPOOL_NAME_LEN)
			     __field(pid_t, pid)
			     __field(int, reason)),
	    TP_fast_assign(strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
			   __entry->pid = pid;
			   __entry->reason = reason;),
	    TP_printk("pool=%s pid=%d reason=%s", __entry->pool, __entry->pid,
		      ktpool_show_reason(__entry->reason)));

TRACE_EVENT(ktpool_resize,
	    TP_PROTO(const char *pool, unsigned int old_capacity,
		     unsigned int new_capacity, unsigned int threads),
	    TP_ARGS(pool, old_capacity, new_capacity, threads),
	    TP_STRUCT__entry(__array(char, pool, KTPOOL_NAME_LEN)
			     __field(unsigned int, old_capacity)
			     __field(unsigned int, new_capacity)
			     __field(unsigned int, threads)),
	    TP_fast_assign(strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
			   __entry->old_capacity = old_capacity;
			   __entry->new_capacity = new_capacity;
			   __entry->threads = threads;),
	    TP_printk("pool=%s capacity=%u->%u threads=%u", __entry->pool,
		      __entry->old_capacity, __entry->new_capacity, __entry->threads));

#endif /* _KTPOOL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ktpool_trace
#include <trace/define_trace.h>
