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
 * The seccomp filters for real: in a child with a process's filter
 * loaded, the calls the process needs work, and a call outside its list
 * kills it with SIGSYS.  Every child runs with SWS_SANDBOX_DEBUG=1 in its
 * environment, the switch that once turned the filter into a logger: a
 * production build must ignore it.  The parent's filter is loaded too,
 * and must refuse fork, exec, ptrace and signals to anyone but the
 * children it names.  Every child starts with the descriptors of
 * test_sandbox.h, made before its filter: its channels on 3 and 4 (the
 * numbers proc_fd() gives the relay and cryptod), a spare socketpair and
 * a TCP socket; test_sandbox_args.c tries the calls narrowed by argument
 * on them.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "regress/lib/tap.h"
#include "test_sandbox.h"

/* A process the parent's filter lets us SIGKILL (its "child"). */
static pid_t	 victim;
static char	 tmpfile_path[] = "/tmp/sws-sandbox-test.XXXXXX";
static char	 creat_path[sizeof(tmpfile_path) + 8];

static void
do_nothing(void)
{
}

/* What every process does all day. */
static void
do_allowed(void)
{
	void	*p;
	char	 c = 'x';

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	munmap(p, 4096);
	free(malloc(100000));
	(void)getpid();
	if (write(STDERR_FILENO, &c, 0) == -1)
		_exit(3);
}

/*
 * What the parent does after start: read a configuration file with
 * stdio, stat files and check their owner, open a TCP listener, reach a
 * local datagram socket (syslog), and end and reap its child.
 */
static void
do_parent_allowed(void)
{
	struct sockaddr_in	 sin;
	struct stat		 st;
	FILE			*fp;
	char			 line[256];
	int			 fd, one = 1, status;

	if ((fp = fopen("/etc/passwd", "r")) == NULL ||
	    fgets(line, sizeof(line), fp) == NULL)
		_exit(2);
	fclose(fp);
	if (stat("/", &st) == -1 || geteuid() == (uid_t)-1)
		_exit(3);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		_exit(4);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		_exit(5);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 5) == -1)
		_exit(6);
	close(fd);
	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) != -1) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one)) == -1)
			_exit(7);
		close(fd);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		_exit(8);
	close(fd);
	if (kill(victim, SIGKILL) == -1)
		_exit(9);
	if (waitpid(victim, &status, 0) != victim || !WIFSIGNALED(status))
		_exit(10);
}

/* The parent: executable memory is refused with EPERM, not fatal. */
static void
do_mmap_exec_eperm(void)
{
	void	*p;

	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED || errno != EPERM)
		_exit(2);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ | PROT_EXEC) !=
	    -1 || errno != EPERM)
		_exit(3);
}

static void
do_socket(void)
{
	(void)socket(AF_INET, SOCK_STREAM, 0);
}

static void
do_socket_udp(void)
{
	(void)socket(AF_INET, SOCK_DGRAM, 0);
}

static void
do_socket_raw(void)
{
	(void)socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

static void
do_socket_netlink(void)
{
	(void)socket(AF_NETLINK, SOCK_RAW, 0);
}

static void
do_open(void)
{
	(void)open("/etc/passwd", O_RDONLY);
}

static void
do_open_write(void)
{
	(void)open(tmpfile_path, O_WRONLY);
}

static void
do_open_creat(void)
{
	/* read-only, but it would create the file */
	(void)open(creat_path, O_RDONLY | O_CREAT, 0600);
}

static void
do_open_trunc(void)
{
	(void)open(tmpfile_path, O_RDONLY | O_TRUNC);
}

static void
do_mmap_exec(void)
{
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void
do_execve(void)
{
	execl("/bin/true", "true", (char *)NULL);
}

static void
do_fork(void)
{
	if (fork() == 0)
		_exit(0);
}

static void
do_clone3(void)
{
	(void)syscall(SYS_clone3, NULL, 0);
}

static void
do_ptrace(void)
{
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static void
do_kill_other(void)
{
	/* signal 0 only checks: harmless even if it were allowed */
	(void)kill(1, 0);
}

static void
do_kill_term(void)
{
	(void)kill(victim, SIGTERM);
}

static void
do_kill_group(void)
{
	(void)kill(-victim, SIGKILL);
}

static void
do_ioctl(void)
{
	struct winsize	 ws;

	(void)ioctl(0, TIOCGWINSZ, &ws);
}

static void
do_setuid(void)
{
	if (setuid(0) == -1)
		return;
}

/* The descriptors of test_sandbox.h, non-blocking; any failure exits 1. */
static void
setup_fds(void)
{
	int	 fds[5], want[5] = { FD_CHAN_A, FD_CHAN_B, FD_SPARE,
		    FD_SPARE_PEER, FD_TCP };
	int	 i, fd;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, fds + 2) == -1 ||
	    (fds[4] = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		_exit(1);
	/* out of the way first, so that no dup2 closes another */
	for (i = 0; i < 5; i++) {
		if ((fd = fcntl(fds[i], F_DUPFD, 20)) == -1)
			_exit(1);
		close(fds[i]);
		fds[i] = fd;
	}
	for (i = 0; i < 5; i++) {
		if (dup2(fds[i], want[i]) == -1 ||
		    fcntl(want[i], F_SETFL, O_NONBLOCK) == -1)
			_exit(1);
		close(fds[i]);
	}
}

static int
run(enum proc_id id, void (*fn)(void))
{
	pid_t	 pid;
	int	 status;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		pid_t	 self = getpid();

		/* a child of its own, which dies with it */
		if ((victim = fork()) == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
			    getppid() != self)
				_exit(1);
			pause();
			_exit(0);
		}
		if (victim == -1)
			_exit(1);
		setup_fds();
		/* The old downgrade switch: it must change nothing. */
		setenv("SWS_SANDBOX_DEBUG", "1", 1);
		if (id == PROC_PARENT)
			sandbox_allow_kill(victim);
		sandbox_init(id);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		status = -1;
	/* and its victim, which the subreaper inherits */
	while (waitpid(-1, NULL, 0) > 0)
		;
	return status;
}

#define expect_killed(id, fn)	expect(id, fn, #fn, 1)
#define expect_alive(id, fn)	expect(id, fn, #fn, 0)

static void
expect(enum proc_id id, void (*fn)(void), const char *what, int killed)
{
	int	 st = run(id, fn);

	if (killed)
		ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		    "%s: %s kills the process with SIGSYS (status 0x%x)",
		    proc_table[id].name, what, st);
	else
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "%s: %s allowed (status 0x%x)", proc_table[id].name, what,
		    st);
}

int
main(void)
{
	enum proc_id	 ids[] = { PROC_RELAY, PROC_CRYPTOD };
	size_t		 i;
	int		 fd;

	log_init(LOG_TO_STDERR, 0, 0);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return 1;
	if ((fd = mkstemp(tmpfile_path)) == -1)
		return 1;
	close(fd);
	(void)snprintf(creat_path, sizeof(creat_path), "%s-creat",
	    tmpfile_path);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		expect_alive(ids[i], do_nothing);
		expect_alive(ids[i], do_allowed);
		expect_killed(ids[i], do_socket);
		expect_killed(ids[i], do_open);
		expect_killed(ids[i], do_mmap_exec);
		expect_killed(ids[i], do_execve);
		expect_killed(ids[i], do_fork);
		expect_killed(ids[i], do_ioctl);
		expect_killed(ids[i], do_kill_term);
	}

	expect_alive(PROC_PARENT, do_nothing);
	expect_alive(PROC_PARENT, do_allowed);
	expect_alive(PROC_PARENT, do_parent_allowed);
	expect_alive(PROC_PARENT, do_mmap_exec_eperm);
	expect_killed(PROC_PARENT, do_fork);
	expect_killed(PROC_PARENT, do_clone3);
	expect_killed(PROC_PARENT, do_execve);
	expect_killed(PROC_PARENT, do_ptrace);
	expect_killed(PROC_PARENT, do_setuid);
	expect_killed(PROC_PARENT, do_socket_udp);
	expect_killed(PROC_PARENT, do_socket_raw);
	expect_killed(PROC_PARENT, do_socket_netlink);
	expect_killed(PROC_PARENT, do_open_write);
	expect_killed(PROC_PARENT, do_open_creat);
	expect_killed(PROC_PARENT, do_open_trunc);
	expect_killed(PROC_PARENT, do_kill_other);
	expect_killed(PROC_PARENT, do_kill_term);
	expect_killed(PROC_PARENT, do_kill_group);
	expect_killed(PROC_PARENT, do_ioctl);

	for (i = 0; i < sandbox_narg_cases; i++)
		expect(sandbox_arg_cases[i].id, sandbox_arg_cases[i].fn,
		    sandbox_arg_cases[i].name, sandbox_arg_cases[i].killed);
	unlink(tmpfile_path);
	unlink(creat_path);
	return tap_done();
}
