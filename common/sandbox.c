/*
 * seccomp allow-lists, one per process, in the manner of OpenSSH's
 * sandbox-seccomp-filter.c: the default action kills, and memory may never
 * be mapped executable.  Only the sanitizer build (SANDBOX_LOGONLY, whose
 * runtime needs calls the real filter refuses) traps instead and logs the
 * offending call.  Nothing at run time can switch a normal build to that
 * mode: an environment variable would let whoever writes the daemon's
 * unit file or wrapper turn every filter off.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __OpenBSD__
#include "log.h"
#include "sandbox.h"

void
sandbox_init(enum proc_id id)
{
	const char	*promises = id == PROC_RELAY ? "stdio inet recvfd" :
	    "stdio";

	if (unveil(NULL, NULL) == -1)
		fatal("unveil");
	if (pledge(promises, NULL) == -1)
		fatal("pledge");
}
#else /* Linux */
#include <seccomp.h>
#include <ucontext.h>

#include "log.h"
#include "sandbox.h"

/* System calls every child needs once running. */
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
#endif

static void
sandbox_add(scmp_filter_ctx ctx, const int *list, size_t n)
{
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, list[i], 0)) < 0)
			fatalx("seccomp_rule_add %d: %s", list[i], strerror(-r));
}

void
sandbox_init(enum proc_id id)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 deny = SCMP_ACT_KILL_PROCESS;
	int		 r;
#ifdef SANDBOX_LOGONLY
	struct sigaction	 sa;

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
	sandbox_add(ctx, sc_common, sizeof(sc_common) / sizeof(sc_common[0]));
	/* Memory, never executable. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))) < 0)
		fatalx("seccomp mmap rule: %s", strerror(-r));
	if (id == PROC_RELAY) {
		sandbox_add(ctx, sc_relay, sizeof(sc_relay) / sizeof(sc_relay[0]));
		/* libevent asks how much a socket holds; nothing else. */
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_EQ, FIONREAD))) < 0)
			fatalx("seccomp ioctl rule: %s", strerror(-r));
	}
#ifdef SANDBOX_LOGONLY
	/*
	 * The sanitizer runtime (this build only) sets up signal stacks,
	 * locks and its reports with these; the real build never needs them.
	 */
	sandbox_add(ctx, sc_sanitizer, sizeof(sc_sanitizer) /
	    sizeof(sc_sanitizer[0]));
#endif
	if ((r = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-r));
	seccomp_release(ctx);
}
#endif
