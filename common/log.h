/*
 * Copyright (c) 2026 The sws authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Logging shared by every sws program, in the manner of the OpenBSD
 * daemons: messages name the process that wrote them, go to stderr in the
 * foreground and to syslog otherwise, and fatal()/fatalx() end the process.
 */
#ifndef SWS_LOG_H
#define SWS_LOG_H

#include <stdarg.h>
#include <stdint.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

/* where log lines go */
#define LOG_TO_STDERR	1	/* "proc: message" on stderr (foreground) */
#define LOG_TO_SYSLOG	0	/* syslog(3) (parent as a daemon) */
#define LOG_TO_PIPE	2	/* "<pri>proc: message" on stderr, read by the
				   parent, which hands it to syslog */

void	log_init(int dest, int verbose, int facility);
void	log_procinit(const char *procname);
void	log_setverbose(int verbose);
/*
 * From now on info and debug lines wait in a buffer until log_flush()
 * (and are written at exit): the relay writes a turn's lines at once.
 * Warnings and worse flush and go at once.  A process killed by a signal
 * loses what was held.
 */
void	log_hold(void);
void	log_flush(void);
void	log_warn(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_warnx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_info(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
/*
 * -v shows log_debug(), -vv log_debug2() as well: the per-request and
 * per-frame trace.  Both are macros that test the level first, so that
 * a line not shown costs one comparison: no call, no formatting, and
 * its arguments are not evaluated.
 */
extern int	log_verbose;
#define log_debug(...)	do {						\
	if (log_verbose >= 1)						\
		log_debug_(__VA_ARGS__);				\
} while (0)
#define log_debug2(...)	do {						\
	if (log_verbose >= 2)						\
		log_debug_(__VA_ARGS__);				\
} while (0)
#define log_on(level)	(log_verbose >= (level))
void	log_debug_(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));

/*
 * Lines of one kind (refusals of some sort) at info level, at most
 * LOG_RL_LINES a second; the rest are counted, and the end of the
 * window says "N more <kind> suppressed".  log_rl_flush(), on a timer,
 * says it for a window that ended without another line of its kind.
 * now is any millisecond clock that only grows.
 */
#define LOG_RL_LINES	5
#define LOG_RL_WINDOW	1000	/* ms */
struct log_rl {
	const char	*kind;		/* "HTTP refusals" */
	uint64_t	 start;		/* ms: the window began */
	uint32_t	 n;		/* lines in the window */
	uint32_t	 dropped;	/* not shown in it */
};
/*
 * A macro, so that a line suppressed costs no formatting: its arguments
 * (addresses to print, names) are not evaluated.
 */
#define log_rl(rl, now, ...) do {					\
	if (log_rl_take((rl), (now)))					\
		log_info(__VA_ARGS__);					\
} while (0)
int	log_rl_take(struct log_rl *, uint64_t now);	/* 1: log it */
void	log_rl_flush(struct log_rl *, uint64_t now);
void	vlog(int, const char *, va_list)
	    __attribute__((__format__ (printf, 2, 0)));
__dead void fatal(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
__dead void fatalx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));

#ifdef FUZZING
/* Called by fatal() and fatalx() after the line is logged, if set. */
extern void	(*log_fatal_hook)(void);
#endif

#endif /* SWS_LOG_H */
