/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktpool tracepoints, system "ktpool": usable with tracefs, trace-cmd and
 * perf trace. Pools are named by their name, tasks by their function (%ps);
 * no kernel pointer is printed.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ktpool

#if !defined(_KTPOOL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KTPOOL_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#define KTPOOL_TRACE_MODES				\
	EM(KTPOOL_TRY, "try")				\
	EM(KTPOOL_ANYWAY, "anyway")			\
	EMe(KTPOOL_NOWAIT, "nowait")

#define KTPOOL_TRACE_OUTCOMES				\
	EM(KTPOOL_DISPATCHED, "dispatched")		\
	EM(KTPOOL_INLINE, "inline")			\
	EM(KTPOOL_BLOCKED, "blocked")			\
	EM(KTPOOL_REJECTED, "rejected")			\
	EMe(KTPOOL_FAILED, "failed")

#define KTPOOL_TRACE_REAP					\
	EM(KTPOOL_REAP_IDLE, "idle")			\
	EM(KTPOOL_REAP_SURPLUS, "surplus")		\
	EMe(KTPOOL_REAP_DESTROY, "destroy")

#undef EM
#undef EMe
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EMe(a, b)	TRACE_DEFINE_ENUM(a);
KTPOOL_TRACE_MODES
KTPOOL_TRACE_OUTCOMES
KTPOOL_TRACE_REAP
#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

TRACE_EVENT(ktpool_submit,
	TP_PROTO(const char *pool, ktpool_fn_t fn, int mode, int outcome,
		 int ret),
	TP_ARGS(pool, fn, mode, outcome, ret),
	TP_STRUCT__entry(
		__array(char, pool, KTPOOL_NAME_LEN)
		__field(void *, fn)
		__field(int, mode)
		__field(int, outcome)
		__field(int, ret)
	),
	TP_fast_assign(
		strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
		__entry->fn = fn;
		__entry->mode = mode;
		__entry->outcome = outcome;
		__entry->ret = ret;
	),
	TP_printk("pool=%s fn=%ps mode=%s outcome=%s ret=%d", __entry->pool,
		  __entry->fn,
		  __print_symbolic(__entry->mode, KTPOOL_TRACE_MODES),
		  __print_symbolic(__entry->outcome, KTPOOL_TRACE_OUTCOMES),
		  __entry->ret)
);

DECLARE_EVENT_CLASS(ktpool_execute,
	TP_PROTO(const char *pool, ktpool_fn_t fn),
	TP_ARGS(pool, fn),
	TP_STRUCT__entry(
		__array(char, pool, KTPOOL_NAME_LEN)
		__field(void *, fn)
	),
	TP_fast_assign(
		strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
		__entry->fn = fn;
	),
	TP_printk("pool=%s fn=%ps", __entry->pool, __entry->fn)
);

DEFINE_EVENT(ktpool_execute, ktpool_execute_start,
	TP_PROTO(const char *pool, ktpool_fn_t fn),
	TP_ARGS(pool, fn)
);

DEFINE_EVENT(ktpool_execute, ktpool_execute_end,
	TP_PROTO(const char *pool, ktpool_fn_t fn),
	TP_ARGS(pool, fn)
);

TRACE_EVENT(ktpool_worker_spawn,
	TP_PROTO(const char *pool, pid_t pid, unsigned int threads),
	TP_ARGS(pool, pid, threads),
	TP_STRUCT__entry(
		__array(char, pool, KTPOOL_NAME_LEN)
		__field(pid_t, pid)
		__field(unsigned int, threads)
	),
	TP_fast_assign(
		strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
		__entry->pid = pid;
		__entry->threads = threads;
	),
	TP_printk("pool=%s pid=%d threads=%u", __entry->pool, __entry->pid,
		  __entry->threads)
);

TRACE_EVENT(ktpool_worker_reap,
	TP_PROTO(const char *pool, pid_t pid, int reason),
	TP_ARGS(pool, pid, reason),
	TP_STRUCT__entry(
		__array(char, pool, KTPOOL_NAME_LEN)
		__field(pid_t, pid)
		__field(int, reason)
	),
	TP_fast_assign(
		strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
		__entry->pid = pid;
		__entry->reason = reason;
	),
	TP_printk("pool=%s pid=%d reason=%s", __entry->pool, __entry->pid,
		  __print_symbolic(__entry->reason, KTPOOL_TRACE_REAP))
);

TRACE_EVENT(ktpool_resize,
	TP_PROTO(const char *pool, unsigned int old_capacity,
		 unsigned int new_capacity, unsigned int threads),
	TP_ARGS(pool, old_capacity, new_capacity, threads),
	TP_STRUCT__entry(
		__array(char, pool, KTPOOL_NAME_LEN)
		__field(unsigned int, old_capacity)
		__field(unsigned int, new_capacity)
		__field(unsigned int, threads)
	),
	TP_fast_assign(
		strscpy(__entry->pool, pool, KTPOOL_NAME_LEN);
		__entry->old_capacity = old_capacity;
		__entry->new_capacity = new_capacity;
		__entry->threads = threads;
	),
	TP_printk("pool=%s capacity=%u->%u threads=%u", __entry->pool,
		  __entry->old_capacity, __entry->new_capacity,
		  __entry->threads)
);

#endif /* _KTPOOL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ktpool_trace
#include <trace/define_trace.h>
