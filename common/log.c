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
 * Process-tagged logging.  In the foreground every line goes to stderr as
 * "procname: message".  As a daemon the parent logs to syslog; a sandboxed
 * child cannot reopen a syslog socket from its chroot, so it writes tagged
 * lines to a pipe the parent reads and passes on.  fatal() appends
 * strerror(errno); both fatal forms exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		 log_foreground = 1;
int			 log_verbose;
static const char	*log_procname = "sws";

#ifdef FUZZING
void			(*log_fatal_hook)(void);
#endif

void
log_init(int dest, int verbose, int facility)
{
	log_foreground = dest;
	log_verbose = verbose;
	if (dest == LOG_TO_SYSLOG)
		openlog(log_procname, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

/*
 * Info and debug lines held for one write (log_hold()): at most this
 * much, then written at once.
 */
static char	 log_held[16384];
static size_t	 log_nheld;
static int	 log_holding;

void
log_flush(void)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < log_nheld) {
		n = write(STDERR_FILENO, log_held + off, log_nheld - off);
		if (n <= 0)
			break;		/* nowhere left to say it */
		off += (size_t)n;
	}
	log_nheld = 0;
}

void
log_hold(void)
{
	if (log_holding || log_foreground == LOG_TO_SYSLOG)
		return;
	log_holding = 1;
	(void)atexit(log_flush);
}

/*
 * One write(2) per line, or per log_flush() of held lines: no stdio,
 * whose first use on a descriptor calls fstat(2) and lseek(2), which the
 * sandboxes do not allow.  A warning or worse goes at once, after what
 * was held, so that nothing is out of order.
 */
static void
log_emit(int pri, const char *msg)
{
	char	 line[1200];
	int	 n;

	switch (log_foreground) {
	case LOG_TO_STDERR:
		n = snprintf(line, sizeof(line), "%s: %s\n", log_procname, msg);
		break;
	case LOG_TO_PIPE:
		n = snprintf(line, sizeof(line), "<%d>%s: %s\n", pri,
		    log_procname, msg);
		break;
	default:
		syslog(pri, "%s", msg);
		return;
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (log_holding && pri >= LOG_INFO) {
		if (log_nheld + (size_t)n > sizeof(log_held))
			log_flush();
		memcpy(log_held + log_nheld, line, (size_t)n);
		log_nheld += (size_t)n;
		return;
	}
	log_flush();
	if (write(STDERR_FILENO, line, (size_t)n) == -1)
		return;		/* nowhere left to say it */
}

void
log_procinit(const char *procname)
{
	if (procname != NULL)
		log_procname = procname;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024];
	int	 saved_errno = errno;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	log_emit(pri, msg);
	errno = saved_errno;
}

static void
vlog_errno(int pri, const char *emsg, va_list ap)
{
	char	 buf[1024];
	int	 saved_errno = errno;

	if (emsg == NULL) {
		(void)snprintf(buf, sizeof(buf), "%s", strerror(saved_errno));
	} else {
		char	 m[900];

		(void)vsnprintf(m, sizeof(m), emsg, ap);
		(void)snprintf(buf, sizeof(buf), "%s: %s", m,
		    strerror(saved_errno));
	}
	log_emit(pri, buf);
	errno = saved_errno;
}

void
log_warn(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog_errno(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_warnx(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_info(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_INFO, emsg, ap);
	va_end(ap);
}

/* Through log_debug() and log_debug2(), which test the level first. */
void
log_debug_(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_DEBUG, emsg, ap);
	va_end(ap);
}

static void
log_rl_end(struct log_rl *rl, uint64_t now)
{
	if (rl->dropped > 0)
		log_info("%u more %s suppressed", rl->dropped, rl->kind);
	rl->start = now;
	rl->n = 0;
	rl->dropped = 0;
}

int
log_rl_take(struct log_rl *rl, uint64_t now)
{
	if (now - rl->start >= LOG_RL_WINDOW || now < rl->start)
		log_rl_end(rl, now);
	if (rl->n >= LOG_RL_LINES) {
		rl->dropped++;
		return 0;
	}
	rl->n++;
	return 1;
}

void
log_rl_flush(struct log_rl *rl, uint64_t now)
{
	if (rl->dropped > 0 && (now - rl->start >= LOG_RL_WINDOW ||
	    now < rl->start))
		log_rl_end(rl, now);
}

/*
 * A fuzz target feeds messages whose documented answer is the death of
 * the process; its hook takes control back (longjmp) so that the answer
 * is not reported as a crash, and the next input starts afresh.
 */
static __dead void
log_fatal_exit(void)
{
#ifdef FUZZING
	if (log_fatal_hook != NULL)
		log_fatal_hook();
#endif
	exit(1);
}

void
fatal(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog_errno(LOG_CRIT, emsg, ap);
	va_end(ap);
	log_fatal_exit();
}

void
fatalx(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_CRIT, emsg, ap);
	va_end(ap);
	log_fatal_exit();
}
