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
 * swsbench: load for the sws relay, and what it costs.
 *
 *   pairs     N pairs of registered clients send each other messages:
 *             closed loop (W in flight per client, each arrival answered
 *             with a new message) or open loop at a fixed total rate;
 *             relayed messages/s, MB/s of body, latency from a send time
 *             carried in each body.
 *   register  C connections connect, register, close (RST), again;
 *             registrations/s, latency, cryptod CPU per registration next
 *             to one X25519 scalar multiplication measured here.
 *   idle      N registered connections that say nothing; the relay's
 *             memory per connection (VmRSS, RssAnon) once they are all
 *             registered, and again after -W seconds of quiet (3 by
 *             default), when the relay gave back what the handshakes
 *             used.
 *   fanout    R rooms of M members, one publisher per room keeping W
 *             messages in flight; deliveries/s.
 *
 * One JSON object on stdout, one line of summary on stderr.  Loopback
 * only, every phase bounded in time.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "swsbench.h"

#define MODE_PAIRS	0
#define MODE_REGISTER	1
#define MODE_IDLE	2
#define MODE_FANOUT	3

static const char *const mode_names[] = { "pairs", "register", "idle",
    "fanout" };

static struct {
	int		 mode;
	double		 secs;		/* -t: measured time */
	double		 warmup;	/* -W */
	double		 setup_secs;	/* -T: bound of the setup phase */
	size_t		 n;		/* -n: pairs or idle connections */
	size_t		 window;	/* -w */
	double		 rate;		/* -r: total msgs/s, 0: closed loop */
	size_t		 batch;		/* -b: open loop msgs per conn */
	size_t		 body;		/* -s */
	size_t		 conc;		/* -c */
	size_t		 rooms;		/* -R */
	size_t		 members;	/* -M */
	pid_t		 cryptod_pid;	/* -p */
	pid_t		 relay_pid;	/* -P */
	int		 fresh_keys;	/* -K */
	const char	*url;
} opt;

static struct {
	struct conn	*conns;
	size_t		 nconns;
	size_t		 next;		/* setup: next to start */
	size_t		 pending;	/* setup: started, not live */
	size_t		 failed;
	size_t		 joined;
	int		 sending;	/* closed loop running */
	uint64_t	 t_load;	/* load began */
	uint64_t	 issued;	/* open loop: messages sent so far */
	size_t		 cursor;
	size_t		 in_batch;
	struct conn	**restart;	/* register: slots to start again */
	size_t		 nrestart;
} S;

/* The body: send time, then filler that is the same for every message. */
static uint8_t	*body_raw;
static char	*body_rest_b64;	/* JSON: base64url of body_raw[TS_SPAN..] */
static size_t	 body_rest_len;
static size_t	 body_enc_len;
static uint8_t	 suffix[4];
static size_t	 suffix_len;

static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: swsbench [-Kmv] [-b batch] [-C cafile] [-c conns] "
	    "[-k server-key]\n"
	    "\t[-M members] [-n count] [-P relay-pid] [-p cryptod-pid]\n"
	    "\t[-R rooms] [-r rate] [-s body-bytes] [-T setup-secs] "
	    "[-t secs]\n"
	    "\t[-u url] [-W warmup-secs] [-w window] "
	    "pairs | register | idle | fanout\n");
	exit(2);
}

/* ------------------------------------------------------------------ */
/* messages with a send time in the body */

static void
body_init(void)
{
	if ((body_raw = malloc(opt.body)) == NULL)
		exit(1);
	randombytes_buf(body_raw, opt.body);
	body_enc_len = wire_body_enc_len(B.proto, opt.body);
	if (B.proto == PROTO_JSON) {
		/* 9 bytes encode to 12 characters on their own (9 = 3 * 3),
		 * so the rest is encoded once, here. */
		body_rest_len = B64_ENCODED_LEN(opt.body - TS_SPAN);
		if ((body_rest_b64 = malloc(body_rest_len + 1)) == NULL)
			exit(1);
		b64url_encode(body_rest_b64, body_rest_len + 1,
		    body_raw + TS_SPAN, opt.body - TS_SPAN);
	}
	suffix_len = wire_suffix(B.proto, suffix, sizeof(suffix));
}

static void
send_one(struct conn *c, uint64_t ts)
{
	uint8_t	 span[TS_SPAN], *q;
	size_t	 plen = c->pfx_len + body_enc_len + suffix_len;
	int	 i;

	if ((q = conn_frame_begin(c, plen)) == NULL) {
		B.c.overflow++;
		return;
	}
	memcpy(q, c->pfx, c->pfx_len);
	q += c->pfx_len;
	for (i = 0; i < TS_LEN; i++)
		span[i] = (uint8_t)(ts >> (8 * i));
	span[TS_LEN] = body_raw[TS_LEN];
	if (B.proto == PROTO_JSON) {
		/* writes a NUL after the 12 characters: there is room */
		b64url_encode((char *)q, TS_SPAN_B64 + 1, span, TS_SPAN);
		memcpy(q + TS_SPAN_B64, body_rest_b64, body_rest_len);
	} else {
		memcpy(q, span, TS_LEN);
		memcpy(q + TS_LEN, body_raw + TS_LEN, opt.body - TS_LEN);
	}
	q += body_enc_len;
	memcpy(q, suffix, suffix_len);
	conn_frame_end(c, plen);
	B.c.sent++;
	B.all_sent++;
}

static int
from_is(const struct conn *c, const struct wmsg *m, const struct conn *who)
{
	if (m->f[F_FROM] == NULL)
		return 0;
	if (B.proto == PROTO_JSON)
		return m->flen[F_FROM] == KEY_B64_LEN &&
		    memcmp(m->f[F_FROM], who->pk_b64, KEY_B64_LEN) == 0;
	(void)c;
	return m->flen[F_FROM] == KEY_LEN &&
	    memcmp(m->f[F_FROM], who->pk, KEY_LEN) == 0;
}

/* An arrival: count it and its latency. */
static void
arrival(const struct wmsg *m)
{
	uint64_t	 ts;
	long		 blen;

	B.c.rcvd++;
	B.all_rcvd++;
	if ((blen = wire_body_len(m)) > 0)
		B.c.body_bytes += (uint64_t)blen;
	ts = wire_body_ts(m);
	if (ts != 0 && ts <= B.now)
		hist_add(&B.c.lat, B.now - ts);
}

/* ------------------------------------------------------------------ */
/* setup: connect and register a set of connections, a few at a time */

static void
setup_registered(struct conn *c, const struct wmsg *m)
{
	(void)c;
	(void)m;
	if (S.pending > 0)
		S.pending--;
}

static void
setup_closed(struct conn *c, int code)
{
	(void)c;
	if (code == -1) {
		/* never got live */
		if (S.pending > 0)
			S.pending--;
		S.failed++;
	}
}

/* Returns when every connection is live or failed, or at the deadline. */
static void
setup_run(size_t n, size_t conc, uint64_t deadline, size_t (*done)(void))
{
	while (done() + S.failed < n) {
		while (S.next < n && S.pending < conc) {
			if (conn_start(&S.conns[S.next++]) == 0)
				S.pending++;
			else
				S.failed++;
		}
		if (B.now >= deadline)
			break;
		net_turn(20);
		net_flush();
	}
}

static size_t
live_count(void)
{
	return B.nlive;
}

/* ------------------------------------------------------------------ */
/* pairs */

static void
pairs_message(struct conn *c, const struct wmsg *m)
{
	if (m->type != W_MESSAGE) {
		B.c.other++;
		return;
	}
	if (!from_is(c, m, c->peer))
		B.c.wrong++;
	arrival(m);
	if (S.sending && opt.rate == 0)
		send_one(c, B.now);
}

static void
pairs_closed(struct conn *c, int code)
{
	setup_closed(c, code);
}

static const struct mode_ops pairs_ops = {
	setup_registered, pairs_message, pairs_closed
};

/*
 * Open loop: the messages due by now, spread round robin.  Each client's
 * batch is written as soon as it is made, as independent clients would,
 * and each message is stamped just before: the turn's other writes are
 * not counted as the relay's latency.
 */
static void
pace(void)
{
	uint64_t	 now = now_ns(), target;
	struct conn	*c;

	B.now = now;
	target = (uint64_t)((double)(now - S.t_load) * opt.rate / 1e9);
	while (S.issued < target) {
		c = &S.conns[S.cursor];
		if (c->state == C_LIVE)
			send_one(c, now_ns());
		S.issued++;
		if (++S.in_batch >= opt.batch) {
			S.in_batch = 0;
			if (c->state == C_LIVE)
				net_send_now(c);
			if (++S.cursor == S.nconns)
				S.cursor = 0;
		}
	}
}

/* ------------------------------------------------------------------ */
/* fanout */

static char *
room_name(size_t r)
{
	static char	 buf[32];

	snprintf(buf, sizeof(buf), "bench-%zu", r);
	return buf;
}

static void
fanout_registered(struct conn *c, const struct wmsg *m)
{
	uint8_t	 out[256];
	size_t	 n;

	setup_registered(c, m);
	n = wire_join(B.proto, out, sizeof(out), room_name(c->room), 1);
	conn_queue(c, B.proto == PROTO_JSON ? WS_OP_TEXT : WS_OP_BINARY, out,
	    n);
}

static void
fanout_message(struct conn *c, const struct wmsg *m)
{
	switch (m->type) {
	case W_JOINED:
		if (!c->joined) {
			c->joined = 1;
			S.joined++;
		}
		break;
	case W_MESSAGE:
		if (m->f[F_ROOM] == NULL || !from_is(c, m, c->peer))
			B.c.wrong++;
		arrival(m);
		if (c->is_acker && S.sending)
			send_one(c->peer, B.now);
		break;
	default:
		B.c.other++;
		break;
	}
}

static const struct mode_ops fanout_ops = {
	fanout_registered, fanout_message, pairs_closed
};

/* ------------------------------------------------------------------ */
/* register */

static void
reg_again(struct conn *c)
{
	S.restart[S.nrestart++] = c;
}

static void
reg_registered(struct conn *c, const struct wmsg *m)
{
	(void)m;
	hist_add(&B.c.lat, B.now - c->t_start);
	conn_close(c);
	reg_again(c);
}

static void
reg_message(struct conn *c, const struct wmsg *m)
{
	(void)c;
	(void)m;
	B.c.other++;
}

static void
reg_closed(struct conn *c, int code)
{
	(void)code;
	reg_again(c);
}

static const struct mode_ops reg_ops = {
	reg_registered, reg_message, reg_closed
};

static void
reg_restart(void)
{
	size_t	 i, keep = 0;

	for (i = 0; i < S.nrestart; i++)
		if (conn_start(S.restart[i]) == -1)
			S.restart[keep++] = S.restart[i];
	S.nrestart = keep;
}

/*
 * One X25519 scalar multiplication, measured here in CPU time (as
 * cryptod's is), so that other processes on the machine do not make it
 * look slower; in microseconds.  Also crypto_box_beforenm, which is the
 * multiplication and an HSalsa20.
 */
static uint64_t
cpu_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median over batches of 50, so that a batch that shared its
 * processor with somebody else's work does not count; the fastest batch
 * goes in *min_us.
 */
static double
x25519_us(double *min_us, double *beforenm_us)
{
	uint8_t		 n[32], p[32], q[32], k[32], pk[32], sk[32];
	double		 batch[400];
	uint64_t	 t0, t1, start;
	size_t		 i, nb = 0;

	randombytes_buf(n, sizeof(n));
	crypto_box_keypair(p, sk);
	crypto_box_keypair(pk, sk);
	start = cpu_ns();
	do {
		t0 = cpu_ns();
		for (i = 0; i < 50; i++) {
			if (crypto_scalarmult(q, n, p) != 0)
				exit(1);
			n[0] ^= q[0];
		}
		t1 = cpu_ns();
		batch[nb++] = (double)(t1 - t0) / 1e3 / 50;
	} while (t1 - start < 200000000ULL && nb < 400);
	qsort(batch, nb, sizeof(batch[0]), dbl_cmp);
	*min_us = batch[0];
	t0 = cpu_ns();
	for (i = 0; i < 1000; i++)
		if (crypto_box_beforenm(k, pk, sk) != 0)
			exit(1);
	*beforenm_us = (double)(cpu_ns() - t0) / 1e3 / 1000;
	return batch[nb / 2];
}

/* ------------------------------------------------------------------ */

static double
self_cpu(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
raise_nofile(size_t need)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("getrlimit");
		exit(1);
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("setrlimit");
		exit(1);
	}
	if (rl.rlim_cur != RLIM_INFINITY && need + 16 > rl.rlim_cur) {
		fprintf(stderr, "swsbench: %zu connections need %zu "
		    "descriptors; the limit is %llu\n", need, need + 16,
		    (unsigned long long)rl.rlim_cur);
		exit(1);
	}
}

static void
conns_alloc(size_t n)
{
	size_t	 i;

	if ((S.conns = calloc(n, sizeof(*S.conns))) == NULL) {
		perror("calloc");
		exit(1);
	}
	S.nconns = n;
	for (i = 0; i < n; i++)
		conn_init(&S.conns[i], (uint32_t)i);
}

static void
set_prefix(struct conn *c, const char *room, const struct conn *to)
{
	uint8_t	 buf[512];
	size_t	 n;

	if (room != NULL)
		n = wire_publish_prefix(B.proto, buf, sizeof(buf), room,
		    opt.body);
	else
		n = wire_send_prefix(B.proto, buf, sizeof(buf), to->pk,
		    opt.body);
	if (n == 0 || (c->pfx = malloc(n)) == NULL) {
		fprintf(stderr, "swsbench: prefix\n");
		exit(1);
	}
	memcpy(c->pfx, buf, n);
	c->pfx_len = n;
}

static void
write_errors(struct jout *j, const struct counters *c, const char *key)
{
	size_t	 i;

	jo_obj(j, key);
	for (i = 0; i < MAX_ERRNAMES && c->err[i].name[0] != '\0'; i++)
		jo_u64(j, c->err[i].name, c->err[i].n);
	jo_close(j);
}

static uint64_t
err_total(const struct counters *c)
{
	uint64_t	 n = 0;
	size_t		 i;

	for (i = 0; i < MAX_ERRNAMES; i++)
		n += c->err[i].n;
	return n;
}

static void
first_errors(const struct counters *c, char *buf, size_t len)
{
	size_t	 i, off = 0;
	int	 k;

	buf[0] = '\0';
	for (i = 0; i < MAX_ERRNAMES && c->err[i].name[0] != '\0'; i++) {
		k = snprintf(buf + off, len - off, "%s%s x%llu",
		    i > 0 ? ", " : "", c->err[i].name,
		    (unsigned long long)c->err[i].n);
		if (k < 0 || (size_t)k >= len - off)
			break;
		off += (size_t)k;
	}
}

static void
run_window(uint64_t t_end)
{
	int	 timeout;

	while (B.now < t_end) {
		timeout = opt.rate > 0 ? 1 : 20;
		if (S.nrestart > 0)
			timeout = 1;
		net_turn(timeout);
		if (opt.rate > 0 && S.sending)
			pace();
		if (S.nrestart > 0)
			reg_restart();
		net_flush();
	}
}

/* What one run measured; CPU figures are over the window, -1 unknown. */
struct meas {
	pid_t		 relay_pid;
	pid_t		 cryptod_pid;
	long		 relay_nofile;
	uint64_t	 t_setup0, t_setup1;
	uint64_t	 t0, t_end;
	double		 secs;
	double		 rcpu, ccpu, gcpu, busy, others;
	double		 x_us, xmin_us, bnm_us;
	long		 rss0, rss1, anon0, anon1;
	long		 rss_setup, anon_setup;	/* idle: before the quiet */
	int64_t		 dropped;	/* -1: not counted */
	struct counters	 setup;
};

static double
cpu_delta(double a, double b)
{
	return a >= 0 && b >= 0 ? b - a : -1;
}

static void
find_procs(struct meas *m)
{
	pid_t	 ppid;

	m->relay_pid = opt.relay_pid > 0 ? opt.relay_pid :
	    find_relay(B.port, B.family);
	m->relay_nofile = m->relay_pid > 0 ? proc_nofile(m->relay_pid) : -1;
	m->cryptod_pid = opt.cryptod_pid;
	if (m->cryptod_pid <= 0 && m->relay_pid > 0 &&
	    (ppid = proc_ppid(m->relay_pid)) > 0)
		m->cryptod_pid = find_child(ppid, "cryptod");
}

/* Keys, partners, rooms and the fixed part of each client's messages. */
static void
conns_prepare(size_t nconns)
{
	struct conn	*c;
	size_t		 i;

	conns_alloc(nconns);
	for (i = 0; i < nconns; i++) {
		c = &S.conns[i];
		switch (opt.mode) {
		case MODE_PAIRS:
			c->peer = &S.conns[i ^ 1];
			break;
		case MODE_FANOUT:
			c->room = (uint32_t)(i / opt.members);
			c->peer = &S.conns[c->room * opt.members];
			c->is_pub = (i % opt.members) == 0;
			c->is_acker = (i % opt.members) == opt.members - 1;
			break;
		case MODE_REGISTER:
			c->fresh_key = (uint8_t)opt.fresh_keys;
			break;
		}
	}
	for (i = 0; i < nconns; i++) {
		c = &S.conns[i];
		if (opt.mode == MODE_PAIRS)
			set_prefix(c, NULL, c->peer);
		else if (opt.mode == MODE_FANOUT && c->is_pub)
			set_prefix(c, room_name(c->room), NULL);
	}
}

/* Connect, register (and join); -1 when the load cannot start. */
static int
conns_setup(size_t nconns, struct meas *m)
{
	uint64_t	 deadline;
	char		 errs[256];
	size_t		 i;

	B.now = m->t_setup0 = now_ns();
	if (opt.mode == MODE_REGISTER) {
		/* the slots start here and never stop */
		if ((S.restart = calloc(nconns, sizeof(*S.restart))) == NULL)
			return -1;
		for (i = 0; i < nconns; i++)
			reg_again(&S.conns[i]);
		reg_restart();
		net_flush();
		m->t_setup1 = B.now;
		return 0;
	}
	deadline = m->t_setup0 + (uint64_t)((opt.mode == MODE_IDLE ?
	    opt.secs : opt.setup_secs) * 1e9);
	setup_run(nconns, opt.conc, deadline, live_count);
	while (opt.mode == MODE_FANOUT && S.joined < B.nlive &&
	    B.now < deadline) {
		net_turn(20);
		net_flush();
	}
	m->t_setup1 = B.now;
	if (opt.mode == MODE_IDLE)
		return 0;	/* the report says how many made it */
	if (B.nlive < nconns || (opt.mode == MODE_FANOUT &&
	    S.joined < nconns)) {
		first_errors(&B.c, errs, sizeof(errs));
		fprintf(stderr, "swsbench: setup: %zu of %zu connections "
		    "registered%s in %.1f s (%s)\n", B.nlive, nconns,
		    opt.mode == MODE_FANOUT ? " and joined" : "",
		    (B.now - m->t_setup0) / 1e9,
		    errs[0] != '\0' ? errs : "timeout");
		return -1;
	}
	if (B.max_body > 0 && opt.body > B.max_body) {
		fprintf(stderr, "swsbench: -s %zu is above the relay's "
		    "maxBody %llu\n", opt.body, (unsigned long long)B.max_body);
		return -1;
	}
	return 0;
}

/* Closed loop: W messages from each sender; open loop: the pacer. */
static int
load_start(size_t nconns)
{
	struct itimerspec	 its;
	struct epoll_event	 ev;
	struct conn		*c;
	size_t			 i, w;

	S.t_load = B.now;
	if (opt.mode != MODE_PAIRS && opt.mode != MODE_FANOUT)
		return 0;
	S.sending = 1;
	if (opt.rate == 0) {
		for (i = 0; i < nconns; i++) {
			c = &S.conns[i];
			if (opt.mode == MODE_FANOUT && !c->is_pub)
				continue;
			for (w = 0; w < opt.window; w++)
				send_one(c, B.now);
		}
		net_flush();
		return 0;
	}
	/* a tick every 200 us; each turn sends what is due by then */
	B.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC);
	if (B.timerfd == -1) {
		perror("timerfd_create");
		return -1;
	}
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = 200000;
	its.it_value.tv_nsec = 200000;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (timerfd_settime(B.timerfd, 0, &its, NULL) == -1 ||
	    epoll_ctl(B.ep, EPOLL_CTL_ADD, B.timerfd, &ev) == -1) {
		perror("timerfd");
		return -1;
	}
	return 0;
}

/*
 * After the window: send nothing more and wait (at most a second) for
 * what is in flight.  What never arrives was dropped by the relay without
 * a word: a SEND without an id that was rate-limited or met a full
 * queue (busy), or a PUBLISH a member could not take.  A closed loop
 * loses that message for good, so a relay with tight limits shows up
 * here and not as a mystery in the rate.
 */
static void
drain(struct meas *m)
{
	struct counters	*win;
	uint64_t	 per, end;

	m->dropped = -1;
	if (opt.mode != MODE_PAIRS && opt.mode != MODE_FANOUT)
		return;
	if ((win = malloc(sizeof(*win))) == NULL)
		return;
	memcpy(win, &B.c, sizeof(*win));	/* the report is the window's */
	S.sending = 0;
	per = opt.mode == MODE_FANOUT ? opt.members - 1 : 1;
	end = now_ns() + 1000000000ULL;
	while (B.all_rcvd < B.all_sent * per && B.now < end) {
		net_turn(10);
		net_flush();
	}
	m->dropped = B.all_rcvd < B.all_sent * per ?
	    (int64_t)(B.all_sent * per - B.all_rcvd) : 0;
	memcpy(&B.c, win, sizeof(*win));
	free(win);
}

/* The measured window: counters from zero, CPU read around it. */
static void
measure(struct meas *m)
{
	double	 r0, c0, g0, b0;

	memset(&B.c, 0, sizeof(B.c));
	m->t0 = B.now = now_ns();
	r0 = proc_cpu(m->relay_pid);
	c0 = proc_cpu(m->cryptod_pid);
	g0 = self_cpu();
	b0 = machine_busy();
	if (opt.mode != MODE_IDLE)
		run_window(m->t0 + (uint64_t)(opt.secs * 1e9));
	m->t_end = now_ns();
	m->rcpu = cpu_delta(r0, proc_cpu(m->relay_pid));
	m->ccpu = cpu_delta(c0, proc_cpu(m->cryptod_pid));
	m->gcpu = cpu_delta(g0, self_cpu());
	m->busy = cpu_delta(b0, machine_busy());
	m->secs = (double)(m->t_end - m->t0) / 1e9;
	if (opt.mode == MODE_IDLE) {
		m->secs = (double)(m->t_end - m->t_setup0) / 1e9;
		m->rss_setup = proc_status_kb(m->relay_pid, "VmRSS");
		m->anon_setup = proc_status_kb(m->relay_pid, "RssAnon");
		/* the quiet: the connections stay, answering pings */
		run_window(B.now + (uint64_t)(opt.warmup * 1e9));
		m->rss1 = proc_status_kb(m->relay_pid, "VmRSS");
		m->anon1 = proc_status_kb(m->relay_pid, "RssAnon");
	}
	drain(m);
	/* On a shared machine the others' share says how far to trust it. */
	m->others = -1;
	if (opt.mode != MODE_IDLE && m->busy >= 0) {
		m->others = m->busy - (m->gcpu > 0 ? m->gcpu : 0) -
		    (m->rcpu > 0 ? m->rcpu : 0) - (m->ccpu > 0 ? m->ccpu : 0);
		m->others = m->others > 0 ? m->others / m->secs : 0;
	}
}

static void
report_params(struct jout *j)
{
	jo_obj(j, "params");
	switch (opt.mode) {
	case MODE_PAIRS:
		jo_u64(j, "pairs", opt.n);
		jo_u64(j, "window", opt.rate > 0 ? 0 : opt.window);
		jo_num(j, "rate", opt.rate, 0);
		jo_u64(j, "batch", opt.batch);
		jo_u64(j, "body_bytes", opt.body);
		break;
	case MODE_REGISTER:
		jo_u64(j, "concurrency", opt.conc);
		jo_bool(j, "fresh_keys", opt.fresh_keys);
		break;
	case MODE_IDLE:
		jo_u64(j, "connections", opt.n);
		break;
	case MODE_FANOUT:
		jo_u64(j, "rooms", opt.rooms);
		jo_u64(j, "members", opt.members);
		jo_u64(j, "window", opt.window);
		jo_u64(j, "body_bytes", opt.body);
		break;
	}
	jo_close(j);
}

static const char *
proto_name(void)
{
	return B.proto == PROTO_JSON ? "json" : "msgpack";
}

/* The results of the mode; the summary line goes to line. */
static void
report_mode(struct jout *j, const struct meas *m, char *line, size_t len)
{
	const struct counters	*c = &B.c;
	double			 rate, us, per, anon;

	switch (opt.mode) {
	case MODE_PAIRS:
	case MODE_FANOUT:
		rate = (double)c->rcvd / m->secs;
		if (opt.mode == MODE_PAIRS) {
			jo_u64(j, "messages", c->rcvd);
			jo_num(j, "msgs_per_sec", rate, 0);
		} else {
			jo_u64(j, "deliveries", c->rcvd);
			jo_num(j, "deliveries_per_sec", rate, 0);
			jo_u64(j, "publishes", c->sent);
			jo_num(j, "publishes_per_sec", (double)c->sent /
			    m->secs, 0);
		}
		jo_u64(j, "sent", c->sent);
		jo_num(j, "body_mb_per_sec", (double)c->body_bytes / m->secs /
		    1e6, 2);
		jo_hist_us(j, "latency_us", &c->lat);
		jo_u64(j, "wrong_sender", c->wrong);
		jo_u64(j, "overflow", c->overflow);
		if (m->dropped >= 0)
			jo_i64(j, "dropped", m->dropped);
		else
			jo_null(j, "dropped");
		if (opt.rate > 0)
			jo_num(j, "offered_per_sec", opt.rate, 0);
		snprintf(line, len, "%s %s %zu B%s: %.0f %s/s, %.1f MB/s "
		    "body, latency p50 %.0f us p99 %.0f us p99.9 %.0f us",
		    mode_names[opt.mode], proto_name(), opt.body,
		    opt.rate > 0 ? " (open loop)" : "", rate,
		    opt.mode == MODE_PAIRS ? "msg" : "deliveries",
		    (double)c->body_bytes / m->secs / 1e6,
		    hist_quantile(&c->lat, 0.5) / 1e3,
		    hist_quantile(&c->lat, 0.99) / 1e3,
		    hist_quantile(&c->lat, 0.999) / 1e3);
		break;
	case MODE_REGISTER:
		rate = (double)c->regs / m->secs;
		jo_u64(j, "registrations", c->regs);
		jo_num(j, "registrations_per_sec", rate, 0);
		jo_u64(j, "register_failures", c->reg_fail);
		jo_hist_us(j, "latency_us", &c->lat);
		jo_num(j, "x25519_us", m->x_us, 2);
		jo_num(j, "x25519_us_min", m->xmin_us, 2);
		jo_num(j, "box_beforenm_us", m->bnm_us, 2);
		us = m->ccpu >= 0 && c->regs > 0 ? m->ccpu * 1e6 /
		    (double)c->regs : -1;
		jo_obj(j, "cryptod");
		if (us >= 0) {
			jo_i64(j, "pid", m->cryptod_pid);
			jo_num(j, "cpu_s", m->ccpu, 2);
			jo_num(j, "cpu_util", m->ccpu / m->secs, 3);
			jo_num(j, "cpu_us_per_registration", us, 2);
			jo_num(j, "ratio_to_x25519", us / m->x_us, 3);
		} else {
			jo_null(j, "pid");
			jo_null(j, "cpu_us_per_registration");
		}
		jo_close(j);
		if (m->rcpu >= 0 && c->regs > 0)
			jo_num(j, "relay_cpu_us_per_registration", m->rcpu *
			    1e6 / (double)c->regs, 2);
		snprintf(line, len, "register %s: %.0f reg/s, latency p50 "
		    "%.0f us p99 %.0f us; cryptod %.1f us/reg, X25519 %.1f us",
		    proto_name(), rate, hist_quantile(&c->lat, 0.5) / 1e3,
		    hist_quantile(&c->lat, 0.99) / 1e3, us, m->x_us);
		break;
	case MODE_IDLE:
		per = anon = -1;
		if (B.nlive > 0 && m->rss0 >= 0 && m->rss1 >= 0) {
			per = (double)(m->rss1 - m->rss0) * 1024 /
			    (double)B.nlive;
			anon = (double)(m->anon1 - m->anon0) * 1024 /
			    (double)B.nlive;
		}
		jo_u64(j, "connections", B.nlive);
		jo_u64(j, "failed", S.failed);
		jo_num(j, "setup_s", (m->t_setup1 - m->t_setup0) / 1e9, 3);
		jo_obj(j, "relay_memory");
		if (per != -1) {
			jo_i64(j, "vmrss_kb_before", m->rss0);
			jo_i64(j, "vmrss_kb_after", m->rss1);
			jo_i64(j, "rssanon_kb_before", m->anon0);
			jo_i64(j, "rssanon_kb_after", m->anon1);
			jo_num(j, "vmrss_bytes_per_conn", per, 1);
			jo_num(j, "rssanon_bytes_per_conn", anon, 1);
			jo_num(j, "quiet_s", opt.warmup, 1);
			jo_num(j, "vmrss_bytes_per_conn_at_setup",
			    m->rss_setup >= 0 ? (double)(m->rss_setup -
			    m->rss0) * 1024 / (double)B.nlive : -1, 1);
		} else
			jo_null(j, "vmrss_bytes_per_conn");
		jo_close(j);
		if (m->relay_nofile >= 0) {
			jo_i64(j, "relay_nofile", m->relay_nofile);
			/* the relay needs one per connection and a few */
			jo_bool(j, "relay_nofile_short",
			    (size_t)m->relay_nofile < opt.n + 32);
		} else
			jo_null(j, "relay_nofile");
		snprintf(line, len, "idle: %zu connections (%zu failed), "
		    "relay VmRSS +%.0f B/conn, RssAnon +%.0f B/conn after "
		    "%.0f s of quiet (VmRSS +%.0f B/conn at the end of the "
		    "setup)", B.nlive, S.failed, per, anon, opt.warmup,
		    m->rss_setup >= 0 && B.nlive > 0 ? (double)(m->rss_setup -
		    m->rss0) * 1024 / (double)B.nlive : -1);
		break;
	}
}

static void
report_cpu(struct jout *j, const char *key, pid_t pid, double cpu,
    double secs)
{
	jo_obj(j, key);
	if (pid > 0 && cpu >= 0) {
		jo_i64(j, "pid", pid);
		jo_num(j, "cpu_s", cpu, 2);
		jo_num(j, "cpu_util", opt.mode == MODE_IDLE ? 0 : cpu / secs,
		    3);
	} else
		jo_null(j, "pid");
	jo_close(j);
}

static void
report(const struct meas *m)
{
	struct jout	 j;
	char		 line[512], errs[256];

	jo_begin(&j);
	jo_str(&j, "tool", "swsbench");
	jo_str(&j, "mode", mode_names[opt.mode]);
	jo_str(&j, "proto", proto_name());
	jo_str(&j, "url", opt.url);
	jo_num(&j, "duration_s", m->secs, 3);
	jo_num(&j, "warmup_s", opt.warmup, 3);
	jo_u64(&j, "cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	report_params(&j);
	report_mode(&j, m, line, sizeof(line));
	jo_u64(&j, "closed_by_relay", B.c.closed);
	jo_u64(&j, "connect_failures", B.c.conn_fail);
	write_errors(&j, &B.c, "errors");
	report_cpu(&j, "relay", m->relay_pid, m->rcpu, m->secs);
	report_cpu(&j, "cryptod_cpu", m->cryptod_pid, m->ccpu, m->secs);
	jo_obj(&j, "generator");
	jo_num(&j, "cpu_s", m->gcpu, 2);
	jo_num(&j, "cpu_util", opt.mode == MODE_IDLE ? 0 : m->gcpu / m->secs,
	    3);
	jo_u64(&j, "writes", B.c.writes);
	jo_u64(&j, "reads", B.c.reads);
	jo_close(&j);
	jo_obj(&j, "machine");
	if (m->others >= 0) {
		jo_num(&j, "busy_cores", m->busy / m->secs, 3);
		jo_num(&j, "others_cores", m->others, 3);
	} else {
		jo_null(&j, "busy_cores");
		jo_null(&j, "others_cores");
	}
	jo_close(&j);
	jo_obj(&j, "setup");
	jo_num(&j, "seconds", (m->t_setup1 - m->t_setup0) / 1e9, 3);
	jo_u64(&j, "registrations", m->setup.regs);
	jo_u64(&j, "failed", S.failed);
	write_errors(&j, &m->setup, "errors");
	jo_close(&j);
	jo_end(&j);

	fprintf(stderr, "%s", line);
	if (m->rcpu >= 0 && opt.mode != MODE_IDLE)
		fprintf(stderr, "; relay cpu %.0f%%, generator cpu %.0f%%",
		    m->rcpu / m->secs * 100, m->gcpu / m->secs * 100);
	if (m->others >= 0.05)
		fprintf(stderr, "; other processes used %.2f cores",
		    m->others);
	if (err_total(&B.c) > 0) {
		first_errors(&B.c, errs, sizeof(errs));
		fprintf(stderr, "; errors: %s", errs);
	}
	if (m->dropped > 0)
		fprintf(stderr, "; %lld %s never arrived (dropped by the "
		    "relay: its rate limit or send buffer?)",
		    (long long)m->dropped, opt.mode == MODE_FANOUT ?
		    "deliveries" : "messages");
	fputc('\n', stderr);
}

int
main(int argc, char *argv[])
{
	struct meas	 m;
	const char	*keyb64 = getenv("SWS_SERVER_KEY");
	size_t		 nconns = 0;
	int		 ch, warmup_given = 0;

	opt.secs = 10;
	opt.warmup = -1;
	opt.setup_secs = 60;
	opt.window = 16;
	opt.body = 64;
	opt.batch = 1;
	opt.rooms = 10;
	opt.members = 100;
	opt.url = getenv("SWS_URL");
	B.proto = PROTO_JSON;
	B.timerfd = -1;
	B.out_limit = 8 * 1024 * 1024;

	while ((ch = getopt(argc, argv, "b:C:c:Kk:M:mn:P:p:R:r:s:T:t:u:vW:w:"))
	    != -1) {
		switch (ch) {
		case 'b':
			opt.batch = (size_t)arg_num(optarg, 1, 1024, "batch");
			break;
		case 'C':
			B.cafile = optarg;
			break;
		case 'c':
			opt.conc = (size_t)arg_num(optarg, 1, 20000, "conns");
			break;
		case 'K':
			opt.fresh_keys = 1;
			break;
		case 'k':
			keyb64 = optarg;
			break;
		case 'M':
			opt.members = (size_t)arg_num(optarg, 2, 20000,
			    "members");
			break;
		case 'm':
			B.proto = PROTO_MSGPACK;
			break;
		case 'n':
			opt.n = (size_t)arg_num(optarg, 1, 1000000, "count");
			break;
		case 'P':
			opt.relay_pid = (pid_t)arg_num(optarg, 1, 1e9, "pid");
			break;
		case 'p':
			opt.cryptod_pid = (pid_t)arg_num(optarg, 1, 1e9,
			    "pid");
			break;
		case 'R':
			opt.rooms = (size_t)arg_num(optarg, 1, 10000, "rooms");
			break;
		case 'r':
			opt.rate = arg_num(optarg, 1, 1e8, "rate");
			break;
		case 's':
			opt.body = (size_t)arg_num(optarg, TS_SPAN, 16 << 20,
			    "body bytes");
			break;
		case 'T':
			opt.setup_secs = arg_num(optarg, 1, 3600, "seconds");
			break;
		case 't':
			opt.secs = arg_num(optarg, 0.1, 3600, "seconds");
			break;
		case 'u':
			opt.url = optarg;
			break;
		case 'v':
			B.verbose = 1;
			break;
		case 'W':
			opt.warmup = arg_num(optarg, 0, 3600, "seconds");
			warmup_given = 1;
			break;
		case 'w':
			opt.window = (size_t)arg_num(optarg, 1, 100000,
			    "window");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	for (opt.mode = 0; opt.mode < 4; opt.mode++)
		if (strcmp(argv[0], mode_names[opt.mode]) == 0)
			break;
	if (opt.mode == 4)
		usage();
	if (opt.warmup < 0)
		opt.warmup = opt.secs >= 4 ? 1 : opt.secs / 4;
	if (opt.mode == MODE_IDLE && !warmup_given)
		opt.warmup = 3;

	if (sodium_init() == -1) {
		fprintf(stderr, "swsbench: sodium_init\n");
		return 1;
	}
	if (opt.url == NULL)
		opt.url = "ws://127.0.0.1:8080/";
	if (net_parse_url(opt.url) == -1)
		return 2;
	if (keyb64 != NULL && *keyb64 != '\0') {
		if (b64url_decode(B.server_pk, sizeof(B.server_pk), keyb64,
		    strlen(keyb64)) != KEY_LEN) {
			fprintf(stderr, "swsbench: bad server key\n");
			return 2;
		}
		B.server_pk_known = 1;
	}

	switch (opt.mode) {
	case MODE_PAIRS:
		if (opt.n == 0)
			opt.n = 1000;
		nconns = opt.n * 2;
		B.ops = &pairs_ops;
		break;
	case MODE_REGISTER:
		if (opt.conc == 0)
			opt.conc = 64;
		nconns = opt.conc;
		B.ops = &reg_ops;
		B.linger0 = 1;
		break;
	case MODE_IDLE:
		if (opt.n == 0)
			opt.n = 15000;
		nconns = opt.n;
		B.ops = &pairs_ops;
		break;
	case MODE_FANOUT:
		nconns = opt.rooms * opt.members;
		B.ops = &fanout_ops;
		break;
	}
	if (opt.conc == 0)
		opt.conc = 256;
	raise_nofile(nconns);
	net_init();
	body_init();

	memset(&m, 0, sizeof(m));
	m.rss0 = m.rss1 = m.anon0 = m.anon1 = -1;
	m.rss_setup = m.anon_setup = -1;
	find_procs(&m);
	if (opt.mode == MODE_REGISTER)
		m.x_us = x25519_us(&m.xmin_us, &m.bnm_us);
	if (opt.mode == MODE_IDLE) {
		if (m.relay_pid <= 0)
			fprintf(stderr, "swsbench: relay process not found; "
			    "no memory figures (give -P)\n");
		if (m.relay_nofile > 0 && (size_t)m.relay_nofile < nconns + 32)
			fprintf(stderr, "swsbench: the relay may open %ld "
			    "descriptors: fewer than the %zu connections "
			    "asked for\n", m.relay_nofile, nconns);
		m.rss0 = proc_status_kb(m.relay_pid, "VmRSS");
		m.anon0 = proc_status_kb(m.relay_pid, "RssAnon");
	}

	conns_prepare(nconns);
	if (conns_setup(nconns, &m) == -1)
		return 1;
	m.setup = B.c;
	memset(&B.c, 0, sizeof(B.c));
	if (load_start(nconns) == -1)
		return 1;
	if (opt.warmup > 0)
		run_window(S.t_load + (uint64_t)(opt.warmup * 1e9));
	if (opt.mode == MODE_IDLE)
		run_window(B.now + 1000000000ULL);	/* let the relay settle */
	measure(&m);
	report(&m);
	return 0;
}
