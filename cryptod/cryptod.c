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
 * cryptod: the only process that holds the relay's secret key.  It issues
 * a fresh challenge for each connection the relay asks about, remembers
 * it until the connection registers, times out or ends, verifies the one
 * response it allows per challenge, and proves the server's identity to
 * the client.  It trusts the relay with nothing: every request must have
 * its exact size and name a session it knows; anything else ends cryptod
 * and so the whole daemon.  No network, no libevent, no msgpack: a poll
 * loop over two socketpairs and libsodium.
 */
#include <sys/types.h>
#include <sys/tree.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "dispatch.h"
#include "imsg.h"
#include "keyfile.h"
#include "log.h"
#include "proc.h"
#include "proto.h"
#include "reg.h"

#define MAX_NAMES	64
#define NAME_MAX_LEN	255

struct challenge {
	RB_ENTRY(challenge)	 entry;
	uint64_t		 sid;
	struct timespec		 issued;
	uint8_t			 bytes[32];
};
RB_HEAD(challenge_tree, challenge);

int		challenge_cmp(struct challenge *, struct challenge *);
RB_PROTOTYPE(challenge_tree, challenge, entry, challenge_cmp)
RB_GENERATE(challenge_tree, challenge, entry, challenge_cmp)

extern char **environ;

static struct {
	uint8_t			*sk;		/* sodium_malloc'd, read-only */
	uint8_t			 pk[32];
	struct challenge_tree	 pending;
	size_t			 npending;
	uint64_t		 last_sid;
	uint32_t		 timeout;	/* registration timeout, s */
	uint32_t		 max_pending;
	char			 names[MAX_NAMES][NAME_MAX_LEN + 1];
	size_t			 nnames;
	char			 new_names[MAX_NAMES][NAME_MAX_LEN + 1];
	size_t			 nnew;
	int			 configured;
	struct imsgbuf		 parent;
	struct imsgbuf		 relay;
} cd;

static __dead void	usage(void);
static void		channel_read(struct imsgbuf *, enum proc_id);
static void		msg_conf(struct imsg *, void *);
static void		msg_name(struct imsg *, void *);
static void		msg_conf_end(struct imsg *, void *);
static void		msg_challenge_req(struct imsg *, void *);
static void		msg_verify(struct imsg *, void *);
static void		msg_forget(struct imsg *, void *);
static void		msg_ping(struct imsg *, void *);
static struct challenge	*challenge_take(uint64_t);
static void		reply(struct imsgbuf *, uint32_t, const void *, size_t);
static void		rnd(void *, size_t);

/* Everything cryptod accepts; whatever else comes ends it. */
static const struct imsg_handler cryptod_imsg[] = {
	{ IMSG_CTL_VERBOSE, "CTL_VERBOSE", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_ctl_verbose), sizeof(struct imsg_ctl_verbose),
	    IMSG_FD_NO, imsg_ctl_verbose },
	{ IMSG_CRYPTOD_CONF, "CRYPTOD_CONF", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_cryptod_conf), sizeof(struct imsg_cryptod_conf),
	    IMSG_FD_NO, msg_conf },
	{ IMSG_CRYPTOD_NAME, "CRYPTOD_NAME", IMSG_PEER(PROC_PARENT),
	    2, NAME_MAX_LEN + 1, IMSG_FD_NO, msg_name },
	{ IMSG_CRYPTOD_CONF_END, "CRYPTOD_CONF_END", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_conf_end },
	{ IMSG_CRYPTOD_PING, "CRYPTOD_PING", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_ping), sizeof(struct imsg_ping),
	    IMSG_FD_NO, msg_ping },
	{ IMSG_CHALLENGE_REQ, "CHALLENGE_REQ", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_sid), sizeof(struct imsg_sid),
	    IMSG_FD_NO, msg_challenge_req },
	{ IMSG_VERIFY, "VERIFY", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_verify), sizeof(struct imsg_verify),
	    IMSG_FD_NO, msg_verify },
	{ IMSG_FORGET, "FORGET", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_sid), sizeof(struct imsg_sid),
	    IMSG_FD_NO, msg_forget },
	{ IMSG_PING, "PING", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_ping), sizeof(struct imsg_ping),
	    IMSG_FD_NO, msg_ping },
};

int
challenge_cmp(struct challenge *a, struct challenge *b)
{
	return a->sid < b->sid ? -1 : a->sid > b->sid;
}

static __dead void
usage(void)
{
	fprintf(stderr, "usage: cryptod -g keyfile\n"
	    "       cryptod [-dv] [-u user] [-t chroot] keyfile\n");
	exit(1);
}

static int
generate(const char *path)
{
	uint8_t	 pk[32];
	char	 err[512], text[64];

	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (keyfile_generate(path, pk, err, sizeof(err)) == -1) {
		fprintf(stderr, "cryptod: %s\n", err);
		return 1;
	}
	b64url_encode(text, sizeof(text), pk, sizeof(pk));
	printf("%s\n", text);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[2];
	const char	*user = "_relayd", *dir = "/var/empty";
	char		 err[512];
	int		 ch, debug = 0, verbose = 0, i;

	proc_title_init(argc, argv, environ);
	log_init(LOG_TO_STDERR, 0, 0);
	log_procinit("cryptod");
	while ((ch = getopt(argc, argv, "dg:t:u:v")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'g':
			return generate(optarg);
		case 't':
			dir = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	/* Started by relayd with its two socketpairs on fixed descriptors. */
	if (proc_check_fds(PROC_CRYPTOD) == -1)
		fatalx("descriptors 3 to %d are not all sockets: cryptod is "
		    "started by relayd", 2 + proc_nfds(PROC_CRYPTOD));
	log_init(debug ? LOG_TO_STDERR : LOG_TO_PIPE, verbose, 0);

	proc_init(PROC_CRYPTOD);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if ((cd.sk = sodium_malloc(KEYFILE_SK_LEN)) == NULL)
		fatal("sodium_malloc");
	if (keyfile_read(argv[0], cd.sk, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (crypto_scalarmult_base(cd.pk, cd.sk) != 0)
		fatalx("bad server key");
	if (sodium_mprotect_readonly(cd.sk) == -1)
		fatal("sodium_mprotect_readonly");
	RB_INIT(&cd.pending);
	cd.timeout = 10;
	cd.max_pending = 1;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);	/* the parent decides when we stop */
	signal(SIGTERM, SIG_IGN);
	proc_title(proc_table[PROC_CRYPTOD].title);

	if (imsgbuf_init(&cd.parent, PROC_FD_PARENT) == -1 ||
	    imsgbuf_init(&cd.relay, proc_fd(PROC_CRYPTOD, PROC_RELAY)) == -1)
		fatal("imsgbuf_init");
	proc_drop(PROC_CRYPTOD, user, dir);
	log_debug("started, server key loaded");

	for (;;) {
		pfd[0].fd = cd.parent.fd;
		pfd[1].fd = cd.relay.fd;
		pfd[0].events = pfd[1].events = POLLIN;
		if (imsgbuf_queued(&cd.parent) > 0)
			pfd[0].events |= POLLOUT;
		if (imsgbuf_queued(&cd.relay) > 0)
			pfd[1].events |= POLLOUT;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < 2; i++) {
			struct imsgbuf	*ib = i == 0 ? &cd.parent : &cd.relay;
			enum proc_id	 peer = i == 0 ? PROC_PARENT : PROC_RELAY;

			if (pfd[i].revents & POLLOUT &&
			    imsgbuf_write(ib) == -1)
				fatal("write to %s", imsg_peer_name(peer));
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				channel_read(ib, peer);
		}
		/* Every answer to what was read goes out in one write. */
		if (imsgbuf_queued(&cd.relay) > 0 &&
		    imsgbuf_write(&cd.relay) == -1)
			fatal("write to relay");
	}
}

static void
channel_read(struct imsgbuf *ib, enum proc_id peer)
{
	ssize_t	 n;

	n = imsgbuf_read(ib);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n == -1)
		fatal("read from %s", imsg_peer_name(peer));
	if (n == 0) {
		log_debug("%s closed its channel, exiting",
		    imsg_peer_name(peer));
		exit(0);
	}
	imsg_dispatch(ib, peer, cryptod_imsg, IMSG_NHANDLERS(cryptod_imsg),
	    NULL);
}

/* The parent asks whether we run, the relay whether we answer: the same
 * payload back. */
static void
msg_ping(struct imsg *imsg, void *arg)
{
	struct imsg_ping	 p;

	(void)arg;
	memcpy(&p, imsg->data, sizeof(p));
	/* the parent's at start, the relay's for /healthz: in turn */
	if (imsg->hdr.type == IMSG_CRYPTOD_PING)
		reply(&cd.parent, IMSG_CRYPTOD_PONG, &p, sizeof(p));
	else
		reply(&cd.relay, IMSG_PONG, &p, sizeof(p));
}

static void
msg_conf(struct imsg *imsg, void *arg)
{
	struct imsg_cryptod_conf	 conf;

	(void)arg;
	memcpy(&conf, imsg->data, sizeof(conf));
	if (conf.registration_timeout == 0 || conf.max_pending == 0)
		fatalx("parent: bad CONF values");
	cd.timeout = conf.registration_timeout;
	cd.max_pending = conf.max_pending;
	cd.nnew = 0;
}

static void
msg_name(struct imsg *imsg, void *arg)
{
	const char	*name = imsg->data;

	(void)arg;
	if (name[imsg->len - 1] != '\0' || strlen(name) != imsg->len - 1)
		fatalx("parent: bad server name");
	if (cd.nnew == MAX_NAMES)
		fatalx("parent: more than %d server names", MAX_NAMES);
	memcpy(cd.new_names[cd.nnew++], name, imsg->len);
}

static void
msg_conf_end(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	memcpy(cd.names, cd.new_names, sizeof(cd.names));
	cd.nnames = cd.nnew;
	cd.configured = 1;
	log_debug("%zu server names, registration timeout %us",
	    cd.nnames, cd.timeout);
}

static void
msg_challenge_req(struct imsg *imsg, void *arg)
{
	struct imsg_challenge	 out;
	struct challenge	*c;
	struct imsg_sid		 sid;

	(void)arg;
	if (!cd.configured)
		fatalx("relay: request before configuration");
	memcpy(&sid, imsg->data, sizeof(sid));
	/* Session ids only grow: a repeated one is a replay attempt. */
	if (sid.sid <= cd.last_sid)
		fatalx("relay: session id %llu not fresh",
		    (unsigned long long)sid.sid);
	if (cd.npending >= cd.max_pending)
		fatalx("relay: more than %u challenges outstanding",
		    cd.max_pending);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	c->sid = sid.sid;
	cd.last_sid = sid.sid;
	clock_gettime(CLOCK_MONOTONIC, &c->issued);
	rnd(c->bytes, sizeof(c->bytes));
	RB_INSERT(challenge_tree, &cd.pending, c);
	cd.npending++;

	memset(&out, 0, sizeof(out));
	out.sid = c->sid;
	memcpy(out.challenge, c->bytes, sizeof(out.challenge));
	memcpy(out.server_pk, cd.pk, sizeof(out.server_pk));
	reply(&cd.relay, IMSG_CHALLENGE, &out, sizeof(out));
}

static struct challenge *
challenge_take(uint64_t sid)
{
	struct challenge	 key, *c;

	key.sid = sid;
	if ((c = RB_FIND(challenge_tree, &cd.pending, &key)) == NULL)
		fatalx("relay: session %llu has no challenge",
		    (unsigned long long)sid);
	RB_REMOVE(challenge_tree, &cd.pending, c);
	cd.npending--;
	return c;
}

static void
msg_forget(struct imsg *imsg, void *arg)
{
	struct imsg_sid		 sid;

	(void)arg;
	if (!cd.configured)
		fatalx("relay: request before configuration");
	memcpy(&sid, imsg->data, sizeof(sid));
	free(challenge_take(sid.sid));
}

static void
msg_verify(struct imsg *imsg, void *arg)
{
	struct imsg_verify	 req;
	struct imsg_rejected	 rej;
	struct imsg_verified	 ok;
	struct challenge	*c;
	struct timespec		 now;
	uint8_t			 k[crypto_box_BEFORENMBYTES];
	uint8_t			 plain[sizeof(((struct imsg_verify *)0)->box)];
	uint8_t			 nonce2[REG_NONCE_LEN];
	size_t			 plen;

	(void)arg;
	if (!cd.configured)
		fatalx("relay: request before configuration");
	memcpy(&req, imsg->data, sizeof(req));
	if (req.box_len < crypto_box_MACBYTES + 32 ||
	    req.box_len > sizeof(req.box))
		fatalx("relay: box length %u out of range", req.box_len);
	/* One verify per challenge: it is gone whatever the outcome. */
	c = challenge_take(req.sid);

	memset(&rej, 0, sizeof(rej));
	rej.sid = req.sid;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - c->issued.tv_sec > (time_t)cd.timeout ||
	    (now.tv_sec - c->issued.tv_sec == (time_t)cd.timeout &&
	    now.tv_nsec > c->issued.tv_nsec)) {
		rej.reason = REJECT_TIMEOUT;
		goto reject;
	}
	if (reg_open(k, req.client_pk, cd.sk, req.nonce, req.box, req.box_len,
	    plain) != 0 ||
	    sodium_memcmp(plain, c->bytes, sizeof(c->bytes)) != 0) {
		rej.reason = REJECT_BAD_PROOF;
		goto reject;
	}
	plen = req.box_len - crypto_box_MACBYTES;
	if (!reg_binding_ok(plain + 32, plen - 32,
	    (const char (*)[256])cd.names, cd.nnames)) {
		rej.reason = REJECT_BAD_BINDING;
		goto reject;
	}

	memset(&ok, 0, sizeof(ok));
	ok.sid = req.sid;
	rnd(nonce2, sizeof(nonce2));
	reg_proof(ok.proof, k, c->bytes, req.client_pk, nonce2);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(plain, sizeof(plain));
	free(c);
	reply(&cd.relay, IMSG_VERIFIED, &ok, sizeof(ok));
	return;
 reject:
	sodium_memzero(k, sizeof(k));
	sodium_memzero(plain, sizeof(plain));
	free(c);
	reply(&cd.relay, IMSG_REJECTED, &rej, sizeof(rej));
}

static void
reply(struct imsgbuf *ib, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(ib, type, 0, -1, data, len) == -1)
		fatal("imsg_compose");
}

/*
 * Challenges and proof nonces, from the kernel's generator 4 KiB at a
 * time: one getrandom(2) for about 70 registrations rather than two for
 * each (2-3% of cryptod).  What is handed out is wiped from the pool;
 * what is left at a refill is overwritten.
 */
static void
rnd(void *out, size_t n)
{
	static uint8_t	 pool[4096];
	static size_t	 left;
	uint8_t		*p;

	if (n > sizeof(pool))
		fatalx("rnd: %zu bytes", n);
	if (n > left) {
		randombytes_buf(pool, sizeof(pool));
		left = sizeof(pool);
	}
	p = pool + sizeof(pool) - left;
	memcpy(out, p, n);
	sodium_memzero(p, n);
	left -= n;
}

