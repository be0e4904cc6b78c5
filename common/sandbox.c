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
 * seccomp allow-lists, one per process, in the manner of OpenSSH's
 * sandbox-seccomp-filter.c: a table gives each process its plain calls,
 * its calls narrowed by argument, and the calls it may make on its own
 * channels only (the descriptors proc_fd() gives it); the default action
 * kills, memory may never be mapped executable.  Each list is what
 * strace(1) showed the process doing once sandboxed (scripts/trace-parent.py
 * and scripts/trace-children.py measure it again):
 *
 *	cryptod: recvmsg and sendmsg on its two channels, write on stderr
 *	(its log), poll, getrandom, anonymous memory and exit.
 *	relayd: ca: the same, and futex FUTEX_WAKE_PRIVATE (libcrypto's
 *	pthread_once).
 *	the relay: read and write on any socket (its clients), recvmsg and
 *	sendmsg on its two channels, setsockopt with TCP_NODELAY, SO_SNDBUF
 *	and SO_RCVBUF only, fcntl F_SETFL O_NONBLOCK only, accept, shutdown,
 *	close, libevent's epoll loop, anonymous memory.
 *	the parent: once its children run and the first configuration is
 *	sent, it only reloads, reopens listeners, passes them on, signals and
 *	reaps its two children and logs, and can never fork or exec again.
 *
 * No process may call prctl(2) after its filter, nor ioctl(2) but the
 * parent's FIONREAD.
 *
 * Only the sanitizer build (SANDBOX_LOGONLY) has a debug mode, which
 * traps and logs the offending call instead of killing, because that
 * runtime needs calls the real lists refuse.  It is compiled out of the
 * production build, so nothing at run time can downgrade the filter.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __OpenBSD__
#include "log.h"
#include "sandbox.h"

/*
 * pledge(2) has no promise that signals without allowing fork: the
 * parent's "proc" is both.  It still cannot exec ("exec" is not given).
 */
static const char *const sandbox_promises[PROC_MAX] = {
	[PROC_PARENT] =		"stdio rpath inet sendfd proc getpw",
	[PROC_RELAY] =		"stdio inet recvfd",
	[PROC_CRYPTOD] =	"stdio",
	[PROC_CA] =		"stdio",
};

void
sandbox_allow_kill(pid_t pid)
{
	(void)pid;
}

void
sandbox_init(enum proc_id id)
{
	/* The parent reads its file and includes wherever they are. */
	if (id != PROC_PARENT && unveil(NULL, NULL) == -1)
		fatal("unveil");
	if (pledge(sandbox_promises[id], NULL) == -1)
		fatal("pledge");
}
#else /* Linux */
#include <sys/prctl.h>

#include <linux/futex.h>
#include <seccomp.h>
#ifdef SANDBOX_LOGONLY
#include <ucontext.h>
#endif

#include "log.h"
#include "sandbox.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define SOCK_TYPE_BITS	0xf	/* socket(2) type without the SOCK_ flags */
#define KILL_MAX	4

/* A call allowed (or refused some other way) only with these arguments. */
struct sandbox_rule {
	uint32_t		 action;
	int			 nr;
	unsigned int		 ncmp;
	struct scmp_arg_cmp	 cmp[2];
};

/*
 * A process's plain calls, its calls narrowed by argument, and the calls
 * it may make on its own channels only: the descriptors proc_fd() gives
 * it, whatever they are.
 */
struct sandbox_profile {
	const int			*calls;
	size_t				 ncalls;
	const struct sandbox_rule	*rules;
	size_t				 nrules;
	const int			*chan;
	size_t				 nchan;
};

/*
 * imsg.c, a child's only use of the message calls: on its channels (the
 * relay's with the parent and cryptod, cryptod's with the parent and the
 * relay), never on a client's socket.
 */
static const int sc_imsg[] = {
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
};

/* System calls every process needs once running. */
static const int sc_common[] = {
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(getrandom), SCMP_SYS(getpid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(restart_syscall),	/* a call resumed after SIGSTOP */
};

/* Memory is never made executable. */
static const struct sandbox_rule sr_common[] = {
	{ SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) } },
};

/*
 * The children allocate (malloc(3), sodium_malloc(3), libevent) and map
 * nothing else: anonymous memory only, never executable.  No file or
 * socket of theirs can be mapped, a TCP socket's zero-copy receive
 * included.
 */
#define SR_MMAP_ANON							\
	{ SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2,				\
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),		\
	    SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS) } }

/*
 * The parent after start, as strace(1) showed it through reloads (with
 * and without errors, adding and removing listeners), SIGTERM, a child's
 * death and the shutdown grace, in the foreground and with syslog.
 */
static const int sc_parent[] = {
	/*
	 * its channels and the children's log pipes (socketpair(2) and
	 * pipe(2) numbers, not fixed), the configuration files, stderr
	 */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(close),
	/*
	 * parse_config(): stdio on the file and its includes, stat(2), and
	 * geteuid(2) for a file that root does not own
	 */
	SCMP_SYS(lseek), SCMP_SYS(newfstatat), SCMP_SYS(geteuid),
	/* sd_notify(3) asks whether to send credentials */
	SCMP_SYS(getuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	/* new listeners */
	SCMP_SYS(bind), SCMP_SYS(listen),
	/* syslog(3) reconnecting to /dev/log; libc asking nscd */
	SCMP_SYS(connect), SCMP_SYS(sendto),
	/* reaping children */
	SCMP_SYS(wait4),
	/* relayctl's clients on the control socket (control.c) */
	SCMP_SYS(accept4),
	/* libevent */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
};

static const struct sandbox_rule sr_parent[] = {
	/* Files are read, never written or created. */
	{ SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC |
	    O_APPEND, O_RDONLY) } },
	/* syslog(3) and nscd: local datagram or stream sockets */
	{ SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
	    { SCMP_A0(SCMP_CMP_EQ, AF_UNIX),
	    SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS, SOCK_DGRAM) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
	    { SCMP_A0(SCMP_CMP_EQ, AF_UNIX),
	    SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS, SOCK_STREAM) } },
	/* listeners: TCP only */
	{ SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
	    { SCMP_A0(SCMP_CMP_EQ, AF_INET),
	    SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS, SOCK_STREAM) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
	    { SCMP_A0(SCMP_CMP_EQ, AF_INET6),
	    SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS, SOCK_STREAM) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_REUSEADDR) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, IPPROTO_IPV6),
	    SCMP_A2(SCMP_CMP_EQ, IPV6_V6ONLY) } },
	/* control.c: who a relayctl client is; no other option */
	{ SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_PEERCRED) } },
	/*
	 * sd_notify(3) tries to grow its datagram socket's send buffer
	 * (getsockopt, then SO_SNDBUF and SO_SNDBUFFORCE); refused, it
	 * sends its short line through the default one.
	 */
	{ SCMP_ACT_ERRNO(EPERM), SCMP_SYS(getsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_SNDBUF) } },
	{ SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_SNDBUF) } },
	{ SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_SNDBUFFORCE) } },
	/* fdopen(3) asks a configuration file's flags */
	{ SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
	    { SCMP_A1(SCMP_CMP_EQ, F_GETFL) } },
	/* libevent sizes its reads of the children's log pipes */
	{ SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    { SCMP_A1(SCMP_CMP_EQ, FIONREAD) } },
	/*
	 * Memory, and files too: the C library maps nscd's database, and
	 * the NSS module below, read-only; never executable.
	 */
	{ SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) } },
	/*
	 * A user name missing from /etc/passwd makes getpwnam(3) dlopen()
	 * the next NSS module (nss_systemd) during a reload.  Refusing its
	 * executable mapping with EPERM fails the load, so the reload
	 * reports an unknown user instead of killing the daemon; no code
	 * is mapped either way.
	 */
	{ SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC) } },
	{ SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC) } },
};

/*
 * The relay: its sockets, and libevent's epoll loop, as strace(1) showed
 * it through the relayd, client and reload tests (scripts/trace-children.py).
 */
static const int sc_relay[] = {
	/*
	 * any client socket (conn.c, outq.c), libevent's signal socketpair
	 * and the log on stderr
	 */
	SCMP_SYS(read), SCMP_SYS(write),
	SCMP_SYS(accept4), SCMP_SYS(accept), SCMP_SYS(close),
	SCMP_SYS(shutdown), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(getpeername), SCMP_SYS(getsockname),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(futex), SCMP_SYS(gettid),
	SCMP_SYS(tgkill),
};

static const struct sandbox_rule sr_relay[] = {
	/*
	 * conn_accept(): no Nagle delay, and fixed kernel buffers so that
	 * a client cannot make the kernel hold megabytes for it.  Nothing
	 * else: no SO_*FORCE, no device binding, no socket filters.
	 */
	{ SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP),
	    SCMP_A2(SCMP_CMP_EQ, TCP_NODELAY) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_SNDBUF) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
	    { SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
	    SCMP_A2(SCMP_CMP_EQ, SO_RCVBUF) } },
	/*
	 * relay_listener_add(): a listener passed at a reload is made
	 * non-blocking, and that is all fcntl(2) ever does here; no
	 * F_DUPFD, F_SETOWN (SIGIO), O_ASYNC or leases.
	 */
	{ SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 2,
	    { SCMP_A1(SCMP_CMP_EQ, F_SETFL),
	    SCMP_A2(SCMP_CMP_EQ, O_NONBLOCK) } },
	SR_MMAP_ANON,
};

/*
 * cryptod and relayd: ca: a poll loop reads and writes the two channels
 * with imsg.c (recvmsg, sendmsg) and nothing else; neither calls read(2).
 * Beside it, libsodium's or libcrypto's arithmetic, which needs nothing
 * but memory and getrandom(2) (and, for libcrypto, see sr_ca).
 */
/* log.c: one line per write, to stderr or the parent's pipe on 2 */
#define SR_LOG_STDERR							\
	{ SCMP_ACT_ALLOW, SCMP_SYS(write), 1,				\
	    { SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO) } }

static const struct sandbox_rule sr_keyholder[] = {
	SR_LOG_STDERR,
	SR_MMAP_ANON,
};

/*
 * relayd: ca, beside the above: libcrypto guards the first use of each
 * of its parts (decoders, providers, error strings) with pthread_once(3),
 * and glibc ends every first run of one with a FUTEX_WAKE, waking no
 * one in a process of one thread.  That and nothing else of futex(2):
 * never a wait, never another process's futex.
 */
static const struct sandbox_rule sr_ca[] = {
	SR_LOG_STDERR,
	SR_MMAP_ANON,
	{ SCMP_ACT_ALLOW, SCMP_SYS(futex), 1,
	    { SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE_PRIVATE) } },
};

static const struct sandbox_profile sandbox_profiles[PROC_MAX] = {
	[PROC_PARENT] =	{ sc_parent, NELEM(sc_parent), sr_parent,
			    NELEM(sr_parent), NULL, 0 },
	[PROC_RELAY] =	{ sc_relay, NELEM(sc_relay), sr_relay,
			    NELEM(sr_relay), sc_imsg,
			    NELEM(sc_imsg) },
	[PROC_CRYPTOD] = { NULL, 0, sr_keyholder, NELEM(sr_keyholder),
			    sc_imsg, NELEM(sc_imsg) },
	[PROC_CA] =	{ NULL, 0, sr_ca, NELEM(sr_ca),
			    sc_imsg, NELEM(sc_imsg) },
};

static pid_t	 sandbox_kill_pids[KILL_MAX];
static size_t	 sandbox_nkill;

#ifdef SANDBOX_LOGONLY
static const int sc_sanitizer[] = {
	SCMP_SYS(sigaltstack), SCMP_SYS(gettid), SCMP_SYS(futex),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(tgkill),
	SCMP_SYS(sched_yield), SCMP_SYS(prctl),
};

static const char *sandbox_procname = "?";

static void
sandbox_violation(int signo, siginfo_t *info, void *vctx)
{
	char	 msg[128];
	int	 n;

	(void)signo;
	n = snprintf(msg, sizeof(msg),
	    "%s: sandbox: forbidden system call %d (debug mode: failed)\n",
	    sandbox_procname, info->si_syscall);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) == -1)
		n = 0;	/* nowhere left to say it */
#if defined(__x86_64__)
	((ucontext_t *)vctx)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	((ucontext_t *)vctx)->uc_mcontext.regs[0] = (unsigned long)-ENOSYS;
#else
	(void)vctx;
#endif
}
#endif /* SANDBOX_LOGONLY */

static void
sandbox_add(scmp_filter_ctx ctx, const int *list, size_t n)
{
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, list[i], 0)) < 0)
			fatalx("seccomp_rule_add %d: %s", list[i], strerror(-r));
}

static void
sandbox_add_rules(scmp_filter_ctx ctx, const struct sandbox_rule *rules,
    size_t n)
{
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++)
		if ((r = seccomp_rule_add_array(ctx, rules[i].action,
		    rules[i].nr, rules[i].ncmp, rules[i].cmp)) < 0)
			fatalx("seccomp rule for %d: %s", rules[i].nr,
			    strerror(-r));
}

/* The calls in list, on each of the channels proc.c gives process id. */
static void
sandbox_add_channels(scmp_filter_ctx ctx, enum proc_id id, const int *list,
    size_t n)
{
	enum proc_id	 peer;
	size_t		 i;
	int		 fd, r;

	for (peer = 0; peer < PROC_MAX; peer++) {
		if ((fd = proc_fd(id, peer)) == -1)
			continue;
		for (i = 0; i < n; i++)
			if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, list[i],
			    1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd))) < 0)
				fatalx("seccomp rule for %d on %d: %s",
				    list[i], fd, strerror(-r));
	}
}

void
sandbox_allow_kill(pid_t pid)
{
	if (pid <= 0 || sandbox_nkill == KILL_MAX)
		fatalx("sandbox_allow_kill %ld", (long)pid);
	sandbox_kill_pids[sandbox_nkill++] = pid;
}

void
sandbox_init(enum proc_id id)
{
	const struct sandbox_profile	*p = &sandbox_profiles[id];
	scmp_filter_ctx			 ctx;
	uint32_t			 deny = SCMP_ACT_KILL_PROCESS;
	size_t				 i;
	int				 r;

#ifdef SANDBOX_LOGONLY
	struct sigaction		 sa;

	sandbox_procname = proc_table[id].name;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_violation;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("sigaction SIGSYS");
	deny = SCMP_ACT_TRAP;
	log_warnx("sandbox in debug mode (sanitizer build): violations are "
	    "logged, not fatal");
#endif
	if ((ctx = seccomp_init(deny)) == NULL)
		fatalx("seccomp_init failed");
	sandbox_add(ctx, sc_common, NELEM(sc_common));
	sandbox_add_rules(ctx, sr_common, NELEM(sr_common));
	sandbox_add(ctx, p->calls, p->ncalls);
	sandbox_add_rules(ctx, p->rules, p->nrules);
	sandbox_add_channels(ctx, id, p->chan, p->nchan);
	/* Fail closed: the parent can end its own children, nobody else. */
	if (id == PROC_PARENT)
		for (i = 0; i < sandbox_nkill; i++)
			if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			    SCMP_SYS(kill), 2,
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sandbox_kill_pids[i]),
			    SCMP_A1(SCMP_CMP_EQ, SIGKILL))) < 0)
				fatalx("seccomp kill rule: %s", strerror(-r));
#ifdef SANDBOX_LOGONLY
	/*
	 * The sanitizer runtime (this build only) sets up signal stacks,
	 * locks and its reports with these; the real build never needs them.
	 */
	sandbox_add(ctx, sc_sanitizer, NELEM(sc_sanitizer));
#endif
	/* The children have it from proc_drop(); the parent gets it here. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl PR_SET_NO_NEW_PRIVS");
	if ((r = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-r));
	seccomp_release(ctx);
}
#endif
