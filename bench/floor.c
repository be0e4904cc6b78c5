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
 * swsfloor: what the kernel alone costs for swsbench's open-loop traffic.
 *
 * The same shape as "swsbench -r RATE -n PAIRS pairs", with the relay
 * replaced by a forwarder that does nothing but move bytes: no HTTP, no
 * framing, no registration, no routing table.  It has the relay's loop
 * (level-triggered epoll, a read per ready descriptor, one write per
 * connection at the end of the turn) and the generator has swsbench's
 * pacing (a 200 us timer, round robin, each message written when it is
 * made and stamped just before).  Its latency is the floor under any
 * relay on this machine for that load; docs/BENCHMARKS.md sets the two
 * side by side.
 *
 *   swsfloor [-n pairs] [-r rate] [-s frame-bytes] [-t secs] [-W secs]
 *
 * Loopback only (it listens on 127.0.0.1 and connects to itself), bounded
 * by -W + -t; one JSON object on stdout, one summary line on stderr.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swsbench.h"

#define FLOOR_EVENTS	256
#define FLOOR_RBUF	(256 * 1024)
#define FLOOR_OUTMAX	(1024 * 1024)	/* waiting for one connection */
#define FLOOR_TICK_NS	200000
#define FLOOR_HDR	12		/* stamp (8) and sender index (4) */

struct fconn {
	int		 fd;
	uint8_t		*out;
	size_t		 out_len;
	size_t		 out_cap;
	size_t		 part;		/* bytes of the current frame seen */
	int		 dirty;
};

static struct {
	uint64_t	 pairs;
	double		 rate;
	size_t		 frame;
	double		 secs;
	double		 warm;
} opt = { 1000, 100000, 168, 10, 1 };

static void
usage(void)
{
	fprintf(stderr, "usage: swsfloor [-n pairs] [-r rate] "
	    "[-s frame-bytes] [-t secs] [-W warmup-secs]\n");
	exit(2);
}

static void
sock_tune(int fd)
{
	int	 one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		err(1, "TCP_NODELAY");
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		err(1, "O_NONBLOCK");
}

static void
ep_add(int ep, int fd, uint32_t tag)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = tag;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(1, "epoll_ctl");
}

/* Write what a connection holds; what the socket refuses stays. */
static void
fconn_flush(struct fconn *c)
{
	ssize_t	 n;

	if (c->out_len == 0)
		return;
	n = write(c->fd, c->out, c->out_len);
	if (n <= 0)
		return;
	memmove(c->out, c->out + n, c->out_len - (size_t)n);
	c->out_len -= (size_t)n;
}

/*
 * The forwarder: connection 2k and 2k + 1 are partners (the generator
 * connects them in that order, one at a time).  Ends with the generator.
 */
static void
forwarder(int ls, size_t nconn)
{
	struct epoll_event	 evs[FLOOR_EVENTS];
	struct fconn		*c, *p, **dirty;
	uint8_t			*buf;
	size_t			 i, nd = 0, need;
	ssize_t			 n;
	int			 ep, k, nev;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((c = calloc(nconn, sizeof(*c))) == NULL ||
	    (dirty = calloc(nconn, sizeof(*dirty))) == NULL ||
	    (buf = malloc(FLOOR_RBUF)) == NULL)
		err(1, "forwarder");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	for (i = 0; i < nconn; i++) {
		if ((c[i].fd = accept(ls, NULL, NULL)) == -1)
			err(1, "accept");
		sock_tune(c[i].fd);
		ep_add(ep, c[i].fd, (uint32_t)i);
	}
	close(ls);
	for (;;) {
		nev = epoll_wait(ep, evs, FLOOR_EVENTS, nd > 0 ? 1 : -1);
		if (nev == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (k = 0; k < nev; k++) {
			i = evs[k].data.u32;
			if ((n = read(c[i].fd, buf, FLOOR_RBUF)) == 0)
				_exit(0);
			if (n < 0)
				continue;
			p = &c[i ^ 1];
			need = p->out_len + (size_t)n;
			if (need > FLOOR_OUTMAX)
				errx(1, "forwarder: over %d bytes wait for "
				    "connection %zu: the load is more than this "
				    "machine moves", FLOOR_OUTMAX, i ^ 1);
			if (need > p->out_cap) {
				uint8_t	*o = realloc(p->out, need * 2);

				if (o == NULL)
					err(1, "forwarder");
				p->out = o;
				p->out_cap = need * 2;
			}
			memcpy(p->out + p->out_len, buf, (size_t)n);
			p->out_len = need;
			if (!p->dirty) {
				p->dirty = 1;
				dirty[nd++] = p;
			}
		}
		/* One write per connection; a full socket is tried again. */
		for (i = 0, k = 0; i < nd; i++) {
			fconn_flush(dirty[i]);
			if (dirty[i]->out_len > 0)
				dirty[k++] = dirty[i];
			else
				dirty[i]->dirty = 0;
		}
		nd = (size_t)k;
	}
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[FLOOR_EVENTS];
	struct sockaddr_in	 sin;
	struct itimerspec	 its;
	struct rlimit		 rl;
	struct jout		 j;
	struct hist		*h;
	struct fconn		*c;
	socklen_t		 slen = sizeof(sin);
	uint64_t		 t_load, t0, t_end, now, issued = 0, rcvd = 0;
	uint64_t		 wrong = 0, unsent = 0, ticks, st;
	uint32_t		 from;
	double			 f0, g0, b0, fcpu, gcpu, busy, others;
	uint8_t			*msg, *buf;
	size_t			 nconn, i, cursor = 0, off, take;
	ssize_t			 n;
	pid_t			 pid;
	int			 ch, ls, ep, tfd, k, nev, one = 1;

	while ((ch = getopt(argc, argv, "n:r:s:t:W:")) != -1) {
		switch (ch) {
		case 'n':
			opt.pairs = (uint64_t)arg_num(optarg, 1, 9000, "pairs");
			break;
		case 'r':
			opt.rate = arg_num(optarg, 1, 1e8, "rate");
			break;
		case 's':
			opt.frame = (size_t)arg_num(optarg, FLOOR_HDR, 65536,
			    "frame bytes");
			break;
		case 't':
			opt.secs = arg_num(optarg, 1, 3600, "seconds");
			break;
		case 'W':
			opt.warm = arg_num(optarg, 0, 600, "warm-up seconds");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	nconn = 2 * opt.pairs;

	/* One descriptor per connection in each process, and a few more. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    nconn + 16 > rl.rlim_cur)
		errx(2, "%zu connections need %zu descriptors; the limit is %llu",
		    nconn, nconn + 16, (unsigned long long)rl.rlim_cur);

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (c = calloc(nconn, sizeof(*c))) == NULL ||
	    (msg = calloc(1, opt.frame)) == NULL ||
	    (buf = malloc(FLOOR_RBUF)) == NULL)
		err(1, NULL);
	memset(msg + FLOOR_HDR, 'x', opt.frame - FLOOR_HDR);

	if ((ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(ls, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(ls, 4096) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &slen) == -1)
		err(1, "listen on 127.0.0.1");
	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		forwarder(ls, nconn);
	close(ls);

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	for (i = 0; i < nconn; i++) {
		if ((c[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1 || connect(c[i].fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == -1)
			err(1, "connection %zu", i);
		sock_tune(c[i].fd);
		ep_add(ep, c[i].fd, (uint32_t)i);
	}
	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1)
		err(1, "timerfd_create");
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = its.it_value.tv_nsec = FLOOR_TICK_NS;
	if (timerfd_settime(tfd, 0, &its, NULL) == -1)
		err(1, "timerfd_settime");
	ep_add(ep, tfd, UINT32_MAX);

	t_load = now_ns();
	t0 = t_load + (uint64_t)(opt.warm * 1e9);
	t_end = t0 + (uint64_t)(opt.secs * 1e9);
	f0 = g0 = b0 = -1;
	for (;;) {
		if ((nev = epoll_wait(ep, evs, FLOOR_EVENTS, 1)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		now = now_ns();
		if (now >= t0 && f0 < 0) {
			f0 = proc_cpu(pid);
			g0 = proc_cpu(getpid());
			b0 = machine_busy();
		}
		if (now >= t_end)
			break;
		for (k = 0; k < nev; k++) {
			i = evs[k].data.u32;
			if (i == UINT32_MAX) {
				if (read(tfd, &ticks, sizeof(ticks)) == -1 &&
				    errno != EAGAIN)
					err(1, "timerfd");
				continue;
			}
			if ((n = read(c[i].fd, buf, FLOOR_RBUF)) <= 0) {
				if (n == 0)
					errx(1, "the forwarder closed "
					    "connection %zu", i);
				continue;
			}
			/* Fixed-size frames; a stamp is read whole. */
			for (off = 0; off < (size_t)n; off += take) {
				take = opt.frame - c[i].part;
				if (take > (size_t)n - off)
					take = (size_t)n - off;
				if (c[i].part == 0 && take >= FLOOR_HDR) {
					memcpy(&st, buf + off, sizeof(st));
					memcpy(&from, buf + off + 8,
					    sizeof(from));
					if (from != (i ^ 1))
						wrong++;
					else if (st >= t0 && now < t_end) {
						hist_add(h, now - st);
						rcvd++;
					}
				}
				c[i].part = (c[i].part + take) % opt.frame;
			}
		}
		/* The messages due by now, each written as it is made. */
		now = now_ns();
		while (issued < (uint64_t)((double)(now - t_load) *
		    opt.rate / 1e9)) {
			st = now_ns();
			from = (uint32_t)cursor;
			memcpy(msg, &st, sizeof(st));
			memcpy(msg + 8, &from, sizeof(from));
			n = write(c[cursor].fd, msg, opt.frame);
			if (n == -1)
				unsent++;	/* the socket is full */
			else if ((size_t)n != opt.frame)
				errx(1, "connection %zu took %zd bytes of a "
				    "frame: the load is more than this machine "
				    "moves", cursor, n);
			issued++;
			if (++cursor == nconn)
				cursor = 0;
		}
	}
	fcpu = f0 >= 0 ? proc_cpu(pid) - f0 : -1;
	gcpu = g0 >= 0 ? proc_cpu(getpid()) - g0 : -1;
	busy = b0 >= 0 ? machine_busy() - b0 : -1;
	others = busy >= 0 ? (busy - fcpu - gcpu) / opt.secs : -1;
	if (others < 0 && busy >= 0)
		others = 0;
	kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);

	jo_begin(&j);
	jo_str(&j, "mode", "floor");
	jo_obj(&j, "params");
	jo_u64(&j, "pairs", opt.pairs);
	jo_num(&j, "rate", opt.rate, 0);
	jo_u64(&j, "frame_bytes", opt.frame);
	jo_num(&j, "secs", opt.secs, 1);
	jo_close(&j);
	jo_num(&j, "msgs_per_sec", (double)rcvd / opt.secs, 0);
	jo_num(&j, "offered_per_sec", opt.rate, 0);
	jo_u64(&j, "unsent", unsent);
	jo_u64(&j, "misrouted", wrong);
	jo_hist_us(&j, "latency_us", h);
	jo_obj(&j, "forwarder");
	jo_num(&j, "cpu_util", fcpu / opt.secs, 3);
	jo_close(&j);
	jo_obj(&j, "generator");
	jo_num(&j, "cpu_util", gcpu / opt.secs, 3);
	jo_close(&j);
	jo_obj(&j, "machine");
	jo_num(&j, "others_cores", others, 2);
	jo_close(&j);
	jo_end(&j);
	fprintf(stderr, "floor %zu B frames, %llu pairs (open loop): %.0f "
	    "msg/s, latency p50 %.0f us p99 %.0f us p99.9 %.0f us; forwarder "
	    "cpu %.0f%%, generator cpu %.0f%%%s\n", opt.frame,
	    (unsigned long long)opt.pairs, (double)rcvd / opt.secs,
	    hist_quantile(h, 0.5) / 1e3, hist_quantile(h, 0.99) / 1e3,
	    hist_quantile(h, 0.999) / 1e3, 100 * fcpu / opt.secs,
	    100 * gcpu / opt.secs, unsent || wrong ? "; UNSENT OR MISROUTED" :
	    "");
	return wrong == 0 && unsent == 0 ? 0 : 1;
}
