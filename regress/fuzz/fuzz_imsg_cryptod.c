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
 * libFuzzer target for cryptod's two channels, the parent (peer 0) and
 * the relay (peer 1), both treated as hostile: records as fuzz_imsg.h
 * says, each read by cryptod's own channel_read() and dispatch table.
 * cryptod.c is compiled into this file, main() renamed, so that its
 * state can be set up and freed around each input; the key is a fixed
 * one (regress/fuzz/mkseeds_imsg.py boxes the seeds' responses to it).
 * Whatever cryptod sends back must be one of its three answers, of the
 * exact size, and name a session it was asked about.
 */
#include <stdlib.h>

#include "fuzz_imsg.h"

int	cryptod_main(int, char *[]);

#define main		cryptod_main
#define exit(status)	fuzz_exit(status)
#include "cryptod/cryptod.c"
#undef exit
#undef main

#define NPEERS	2

static struct fuzz_chan	 chans[NPEERS];	/* parent, relay */
static uint8_t		 sk[KEYFILE_SK_LEN];

static void
check_answer(const struct imsg *imsg)
{
	struct imsg_challenge	 c;
	uint64_t		 sid;

	if (imsg->fd != -1)
		abort();
	switch (imsg->hdr.type) {
	case IMSG_CHALLENGE:
		if (imsg->len != sizeof(c))
			abort();
		memcpy(&c, imsg->data, sizeof(c));
		if (memcmp(c.server_pk, cd.pk, sizeof(cd.pk)) != 0)
			abort();
		sid = c.sid;
		break;
	case IMSG_VERIFIED:
		if (imsg->len != sizeof(struct imsg_verified))
			abort();
		memcpy(&sid, imsg->data, sizeof(sid));
		break;
	case IMSG_REJECTED:
		if (imsg->len != sizeof(struct imsg_rejected))
			abort();
		memcpy(&sid, imsg->data, sizeof(sid));
		break;
	case IMSG_PONG:
		/* the relay's token back, whatever it was */
		if (imsg->len != sizeof(struct imsg_ping))
			abort();
		return;
	default:
		abort();
	}
	/* only for a session it issued a challenge to */
	if (sid == 0 || sid > cd.last_sid)
		abort();
}

/* Nothing for the parent but the answer to its ping. */
static void
check_parent(const struct imsg *imsg)
{
	if (imsg->hdr.type != IMSG_CRYPTOD_PONG || imsg->fd != -1 ||
	    imsg->len != sizeof(struct imsg_ping))
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t	 i;

	fuzz_imsg_init(argc, argv, "cryptod");
	for (i = 0; i < sizeof(sk); i++)
		sk[i] = (uint8_t)(0x40 + i);
	cd.sk = sk;
	if (crypto_scalarmult_base(cd.pk, cd.sk) != 0)
		abort();
	return 0;
}

/* One turn of cryptod's loop for the channels that have input. */
static void
turn(int only)
{
	int	 i;

	for (i = 0; i < NPEERS; i++) {
		struct imsgbuf	*ib = i == 0 ? &cd.parent : &cd.relay;

		if (only != -1 && i != only)
			continue;
		/* a channel we hung up on has its end of file to read */
		if (chans[i].fd == -1 || fuzz_pending(ib->fd) > 0)
			channel_read(ib, i == 0 ? PROC_PARENT : PROC_RELAY);
		while (fuzz_pending(ib->fd) > 0)
			channel_read(ib, i == 0 ? PROC_PARENT : PROC_RELAY);
	}
	if (imsgbuf_queued(&cd.relay) > 0 && imsgbuf_write(&cd.relay) == -1)
		fatal("write to relay");
	fuzz_chan_drain(&chans[0], check_parent);
	fuzz_chan_drain(&chans[1], check_answer);
}

static void
cryptod_reset(void)
{
	struct challenge	*c;

	while ((c = RB_MIN(challenge_tree, &cd.pending)) != NULL) {
		RB_REMOVE(challenge_tree, &cd.pending, c);
		free(c);
	}
	imsgbuf_clear(&cd.parent);
	imsgbuf_clear(&cd.relay);
	if (cd.parent.fd != -1)
		close(cd.parent.fd);
	if (cd.relay.fd != -1)
		close(cd.relay.fd);
	cd.parent.fd = cd.relay.fd = -1;
	fuzz_chan_close(&chans[0]);
	fuzz_chan_close(&chans[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rec		 r;
	const uint8_t		*p = data;
	size_t			 left = size;
	int			 died, fd;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	fuzz_fds_begin();
	/* As main() leaves it before the loop. */
	RB_INIT(&cd.pending);
	cd.npending = 0;
	cd.last_sid = 0;
	cd.timeout = 10;
	cd.max_pending = 1;
	cd.nnames = cd.nnew = 0;
	cd.configured = 0;
	fd = fuzz_chan_open(&chans[0]);
	if (imsgbuf_init(&cd.parent, fd) == -1)
		abort();
	fd = fuzz_chan_open(&chans[1]);
	if (imsgbuf_init(&cd.relay, fd) == -1)
		abort();

	fuzz_armed = 1;
	if ((died = setjmp(fuzz_jmp)) == 0) {
		while (fuzz_next(&p, &left, NPEERS, &r)) {
			if (fuzz_send(&chans[r.peer], &r) == -1)
				break;
			if (r.flags & FUZZ_CLOSE)
				fuzz_chan_close(&chans[r.peer]);
			if ((r.flags & FUZZ_HOLD) == 0)
				turn((int)r.peer);
		}
		turn(-1);
		fuzz_armed = 0;
	}
	cryptod_reset();
	fuzz_fds_end(died);
	return 0;
}
