/*
 * seccomp allow-lists, one per process, in the manner of OpenSSH's
 * sandbox-seccomp-filter.c: a table gives each process its plain calls
 * and its calls narrowed by argument; the default action kills, memory
 * may never be mapped executable.  The parent gets its list once its
 * children run and the first configuration is sent: from then on it
 * only reloads, reopens listeners, passes them on, signals and reaps its
 * two children and logs, and can never fork or exec again.
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

struct sandbox_profile {
	const int			*calls;
	size_t				 ncalls;
	const struct sandbox_rule	*rules;
	size_t				 nrules;
};

/* System calls every process needs once running. */
static const int sc_common[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(getrandom), SCMP_SYS(getpid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(restart_syscall),	/* a call resumed after SIGSTOP */
};

/* Memory, never executable. */
static const struct sandbox_rule sr_common[] = {
	{ SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) } },
	{ SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    { SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) } },
};

/*
 * The parent after start, as strace(1) showed it through reloads (with
 * and without errors, adding and removing listeners), SIGTERM, a child's
 * death and the shutdown grace, in the foreground and with syslog.
 */
static const int sc_parent[] = {
	SCMP_SYS(close),
	/*
	 * parse_config(): stdio on the file and its includes, stat(2), and
	 * geteuid(2) for a file that root does not own
	 */
	SCMP_SYS(lseek), SCMP_SYS(newfstatat), SCMP_SYS(geteuid),
	/* new listeners */
	SCMP_SYS(bind), SCMP_SYS(listen),
	/* syslog(3) reconnecting to /dev/log; libc asking nscd */
	SCMP_SYS(connect), SCMP_SYS(sendto),
	/* reaping children */
	SCMP_SYS(wait4),
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
	/* fdopen(3) asks a configuration file's flags */
	{ SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
	    { SCMP_A1(SCMP_CMP_EQ, F_GETFL) } },
	/* libevent sizes its reads of the children's log pipes */
	{ SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    { SCMP_A1(SCMP_CMP_EQ, FIONREAD) } },
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

/* The relay: its sockets, and libevent's epoll loop. */
static const int sc_relay[] = {
	SCMP_SYS(accept4), SCMP_SYS(accept), SCMP_SYS(close),
	SCMP_SYS(shutdown), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(getpeername),
	SCMP_SYS(getsockname), SCMP_SYS(fcntl),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(futex), SCMP_SYS(gettid),
	SCMP_SYS(tgkill),
};

static const struct sandbox_rule sr_relay[] = {
	/* libevent asks how much a socket holds; nothing else. */
	{ SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    { SCMP_A1(SCMP_CMP_EQ, FIONREAD) } },
};

/* cryptod needs nothing beyond the common list. */
static const struct sandbox_profile sandbox_profiles[PROC_MAX] = {
	[PROC_PARENT] =	{ sc_parent, NELEM(sc_parent), sr_parent,
			    NELEM(sr_parent) },
	[PROC_RELAY] =	{ sc_relay, NELEM(sc_relay), sr_relay,
			    NELEM(sr_relay) },
	[PROC_CRYPTOD] = { NULL, 0, NULL, 0 },
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
