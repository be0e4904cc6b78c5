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
 * The calls the filters allow only with some arguments (common/sandbox.c):
 * each one made with the arguments its process uses survives, and made
 * with any other argument kills the process with SIGSYS.  cryptod sends
 * and receives on its two channels only and writes nothing but its log
 * on stderr; the relay's message calls are on its channels too, its
 * setsockopt(2) has the three options conn_accept() sets, its fcntl(2)
 * makes a descriptor non-blocking and nothing else; neither child has
 * ioctl(2), getsockopt(2), prctl(2), readv(2) or writev(2), or maps
 * anything but anonymous memory.  The parent is the control where its
 * list differs.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "test_sandbox.h"

static char	 byte = 'x';

static void
msg_one(struct msghdr *msg, struct iovec *iov)
{
	memset(msg, 0, sizeof(*msg));
	iov->iov_base = &byte;
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
}

/* One byte each way over the channels, with imsg.c's calls and flags. */
static void
do_channels(void)
{
	struct msghdr	 msg;
	struct iovec	 iov;

	msg_one(&msg, &iov);
	if (sendmsg(FD_CHAN_A, &msg, MSG_NOSIGNAL) != 1 ||
	    recvmsg(FD_CHAN_B, &msg, MSG_CMSG_CLOEXEC) != 1)
		_exit(2);
	if (sendmsg(FD_CHAN_B, &msg, MSG_NOSIGNAL) != 1 ||
	    recvmsg(FD_CHAN_A, &msg, MSG_CMSG_CLOEXEC) != 1)
		_exit(3);
}

static void
do_recvmsg_spare(void)
{
	struct msghdr	 msg;
	struct iovec	 iov;

	msg_one(&msg, &iov);
	(void)recvmsg(FD_SPARE, &msg, 0);
}

static void
do_sendmsg_spare(void)
{
	struct msghdr	 msg;
	struct iovec	 iov;

	msg_one(&msg, &iov);
	(void)sendmsg(FD_SPARE, &msg, MSG_NOSIGNAL);
}

static void
do_write_stdout(void)
{
	if (write(STDOUT_FILENO, &byte, 0) == -1)
		return;
}

static void
do_write_spare(void)
{
	if (write(FD_SPARE, &byte, 1) == -1)
		return;
}

/* cryptod's channels take sendmsg(2), not write(2) */
static void
do_write_channel(void)
{
	if (write(FD_CHAN_A, &byte, 1) == -1)
		return;
}

static void
do_read_channel(void)
{
	char	 c;

	if (read(FD_CHAN_A, &c, 1) == -1)
		return;
}

/* The relay reads and writes any socket, as it does a client's. */
static void
do_read_write_spare(void)
{
	char	 c;

	if (write(FD_SPARE, &byte, 1) != 1 || read(FD_SPARE_PEER, &c, 1) != 1)
		_exit(2);
}

static void
do_readv_spare(void)
{
	struct iovec	 iov = { &byte, 1 };

	if (readv(FD_SPARE, &iov, 1) == -1)
		return;
}

static void
do_writev_spare(void)
{
	struct iovec	 iov = { &byte, 1 };

	if (writev(FD_SPARE, &iov, 1) == -1)
		return;
}

static void
setsockopt_int(int level, int name)
{
	int	 v = 65536;

	(void)setsockopt(FD_TCP, level, name, &v, sizeof(v));
}

/* conn_accept()'s three, which must also work */
static void
do_setsockopt_used(void)
{
	int	 one = 1, buf = 65536;

	if (setsockopt(FD_TCP, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1 ||
	    setsockopt(FD_TCP, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf)) ==
	    -1 ||
	    setsockopt(FD_TCP, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) == -1)
		_exit(2);
}

static void
do_setsockopt_tos(void)
{
	setsockopt_int(IPPROTO_IP, IP_TOS);
}

/* TCP_NODELAY's number at the socket level: the pairs are checked */
static void
do_setsockopt_debug(void)
{
	setsockopt_int(SOL_SOCKET, SO_DEBUG);
}

/* SO_SNDBUF's number at the TCP level */
static void
do_setsockopt_syncnt(void)
{
	setsockopt_int(IPPROTO_TCP, TCP_SYNCNT);
}

static void
do_setsockopt_sndbufforce(void)
{
	setsockopt_int(SOL_SOCKET, SO_SNDBUFFORCE);
}

static void
do_getsockopt_error(void)
{
	socklen_t	 len;
	int		 v;

	len = sizeof(v);
	(void)getsockopt(FD_TCP, SOL_SOCKET, SO_ERROR, &v, &len);
}

/* relay_listener_add(), which must also work */
static void
do_fcntl_nonblock(void)
{
	if (fcntl(FD_TCP, F_SETFL, O_NONBLOCK) == -1)
		_exit(2);
}

static void
do_fcntl_getfl(void)
{
	if (fcntl(FD_TCP, F_GETFL) == -1)
		_exit(2);
}

static void
do_fcntl_dupfd(void)
{
	(void)fcntl(FD_TCP, F_DUPFD, 20);
}

static void
do_fcntl_setown(void)
{
	(void)fcntl(FD_TCP, F_SETOWN, getpid());
}

static void
do_fcntl_async(void)
{
	(void)fcntl(FD_TCP, F_SETFL, O_NONBLOCK | O_ASYNC);
}

static void
do_fcntl_setfd(void)
{
	(void)fcntl(FD_TCP, F_SETFD, 0);
}

static void
do_ioctl_fionread(void)
{
	int	 n;

	if (ioctl(FD_SPARE, FIONREAD, &n) == -1)
		_exit(2);
}

static void
do_ioctl_fionbio(void)
{
	int	 one = 1;

	(void)ioctl(FD_SPARE, FIONBIO, &one);
}

static void
do_prctl_name(void)
{
	(void)prctl(PR_SET_NAME, "sws-test", 0, 0, 0);
}

/* what would undo proc_drop()'s no-core-dump setting */
static void
do_prctl_dumpable(void)
{
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static void
do_mprotect_exec(void)
{
	void	*p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
}

/* a socket's pages (TCP zero-copy receive): no mapping without a file */
static void
do_mmap_socket(void)
{
	(void)mmap(NULL, 4096, PROT_READ, MAP_SHARED, FD_TCP, 0);
}

const struct sandbox_case sandbox_arg_cases[] = {
	/* the relay */
	CASE_ALIVE(PROC_RELAY, do_channels),
	CASE_ALIVE(PROC_RELAY, do_read_write_spare),
	CASE_ALIVE(PROC_RELAY, do_setsockopt_used),
	CASE_ALIVE(PROC_RELAY, do_fcntl_nonblock),
	CASE_KILLED(PROC_RELAY, do_recvmsg_spare),
	CASE_KILLED(PROC_RELAY, do_sendmsg_spare),
	CASE_KILLED(PROC_RELAY, do_readv_spare),
	CASE_KILLED(PROC_RELAY, do_writev_spare),
	CASE_KILLED(PROC_RELAY, do_setsockopt_tos),
	CASE_KILLED(PROC_RELAY, do_setsockopt_debug),
	CASE_KILLED(PROC_RELAY, do_setsockopt_syncnt),
	CASE_KILLED(PROC_RELAY, do_setsockopt_sndbufforce),
	CASE_KILLED(PROC_RELAY, do_getsockopt_error),
	CASE_KILLED(PROC_RELAY, do_fcntl_getfl),
	CASE_KILLED(PROC_RELAY, do_fcntl_dupfd),
	CASE_KILLED(PROC_RELAY, do_fcntl_setown),
	CASE_KILLED(PROC_RELAY, do_fcntl_async),
	CASE_KILLED(PROC_RELAY, do_fcntl_setfd),
	CASE_KILLED(PROC_RELAY, do_ioctl_fionread),
	CASE_KILLED(PROC_RELAY, do_ioctl_fionbio),
	CASE_KILLED(PROC_RELAY, do_prctl_name),
	CASE_KILLED(PROC_RELAY, do_prctl_dumpable),
	CASE_KILLED(PROC_RELAY, do_mprotect_exec),
	CASE_KILLED(PROC_RELAY, do_mmap_socket),

	/* cryptod (its write to stderr: do_allowed) */
	CASE_ALIVE(PROC_CRYPTOD, do_channels),
	CASE_KILLED(PROC_CRYPTOD, do_recvmsg_spare),
	CASE_KILLED(PROC_CRYPTOD, do_sendmsg_spare),
	CASE_KILLED(PROC_CRYPTOD, do_write_stdout),
	CASE_KILLED(PROC_CRYPTOD, do_write_spare),
	CASE_KILLED(PROC_CRYPTOD, do_write_channel),
	CASE_KILLED(PROC_CRYPTOD, do_read_channel),
	CASE_KILLED(PROC_CRYPTOD, do_readv_spare),
	CASE_KILLED(PROC_CRYPTOD, do_writev_spare),
	CASE_KILLED(PROC_CRYPTOD, do_setsockopt_used),
	CASE_KILLED(PROC_CRYPTOD, do_getsockopt_error),
	CASE_KILLED(PROC_CRYPTOD, do_fcntl_nonblock),
	CASE_KILLED(PROC_CRYPTOD, do_ioctl_fionread),
	CASE_KILLED(PROC_CRYPTOD, do_prctl_name),
	CASE_KILLED(PROC_CRYPTOD, do_prctl_dumpable),
	CASE_KILLED(PROC_CRYPTOD, do_mprotect_exec),
	CASE_KILLED(PROC_CRYPTOD, do_mmap_socket),

	/* the parent, where its list differs: the controls */
	CASE_ALIVE(PROC_PARENT, do_channels),
	CASE_ALIVE(PROC_PARENT, do_sendmsg_spare),
	CASE_ALIVE(PROC_PARENT, do_fcntl_getfl),
	CASE_ALIVE(PROC_PARENT, do_ioctl_fionread),
	CASE_KILLED(PROC_PARENT, do_ioctl_fionbio),
	CASE_KILLED(PROC_PARENT, do_prctl_name),
};

const size_t sandbox_narg_cases = sizeof(sandbox_arg_cases) /
    sizeof(sandbox_arg_cases[0]);
