/*
 * The seccomp filters for real: in a child with a process's filter
 * loaded, the calls the process needs work, and a call outside its list
 * kills it with SIGSYS.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

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

#define DO_NOTHING	0
#define DO_SOCKET	1
#define DO_OPEN		2
#define DO_MMAP_EXEC	3
#define DO_EXECVE	4
#define DO_IOCTL	5
#define DO_ALLOWED	6

static const char *what_names[] = {
	"nothing", "socket(2)", "open(2)", "mmap(PROT_EXEC)", "execve(2)",
	"ioctl(TIOCGWINSZ)", "allowed calls"
};

static int
run(enum proc_id id, int what)
{
	pid_t	 pid;
	int	 status;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		/* a production build: the environment changes nothing */
		setenv("SWS_SANDBOX_DEBUG", "1", 1);
		sandbox_init(id);
		switch (what) {
		case DO_SOCKET:
			(void)socket(AF_INET, SOCK_STREAM, 0);
			break;
		case DO_OPEN:
			(void)open("/etc/passwd", O_RDONLY);
			break;
		case DO_MMAP_EXEC:
			(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			break;
		case DO_EXECVE:
			execl("/bin/true", "true", (char *)NULL);
			break;
		case DO_IOCTL: {
			struct winsize	 ws;

			(void)ioctl(0, TIOCGWINSZ, &ws);
			break;
		}
		case DO_ALLOWED: {
			void	*p;
			char	 c = 'x';
			int	 sp[2] = { -1, -1 };

			/* what every process does all day */
			p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(2);
			munmap(p, 4096);
			free(malloc(100000));
			(void)getpid();
			if (write(STDOUT_FILENO, &c, 0) == -1)
				_exit(3);
			(void)sp;
			break;
		}
		default:
			break;
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	return status;
}

static void
expect_killed(enum proc_id id, int what)
{
	int	 st = run(id, what);

	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "%s: %s kills the process (status 0x%x)", proc_table[id].name,
	    what_names[what], st);
}

static void
expect_alive(enum proc_id id, int what)
{
	int	 st = run(id, what);

	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: %s allowed (status 0x%x)", proc_table[id].name,
	    what_names[what], st);
}

int
main(void)
{
	enum proc_id	 ids[] = { PROC_RELAY, PROC_CRYPTOD };
	size_t		 i;

	log_init(LOG_TO_STDERR, 0, 0);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		expect_alive(ids[i], DO_NOTHING);
		expect_alive(ids[i], DO_ALLOWED);
		expect_killed(ids[i], DO_SOCKET);
		expect_killed(ids[i], DO_OPEN);
		expect_killed(ids[i], DO_MMAP_EXEC);
		expect_killed(ids[i], DO_EXECVE);
		expect_killed(ids[i], DO_IOCTL);
	}
	return tap_done();
}
