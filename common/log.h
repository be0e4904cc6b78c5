/*
 * Logging shared by every sws program, in the manner of the OpenBSD
 * daemons: messages name the process that wrote them, go to stderr in the
 * foreground and to syslog otherwise, and fatal()/fatalx() end the process.
 */
#ifndef SWS_LOG_H
#define SWS_LOG_H

#include <stdarg.h>

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
void	log_warn(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_warnx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_info(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_debug(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
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
