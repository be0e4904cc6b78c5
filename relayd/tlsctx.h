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
 * TLS in the relay: libtls server contexts built from what the parent
 * sends (certificates and stand-in keys, never a private key), and the
 * OpenSSL key-method hooks that send each private-key operation to
 * relayd: ca and wait for its answer.  A leaf of the relay's layers:
 * conn.c makes and ends the per-connection contexts with it; relay.c
 * hands it the parent's messages.
 */
#ifndef SWS_TLSCTX_H
#define SWS_TLSCTX_H

#include <stddef.h>
#include <stdint.h>

#include <tls.h>

#include "proto.h"

struct tlsgen;		/* one configured set, kept while in use */

/*
 * Before the sandbox: libtls and OpenSSL are set up (they read their
 * configuration now, not in the chroot), and the hooks are installed on
 * the default RSA and EC key methods, which every key the relay loads
 * gets.  cafd is the channel to relayd: ca.
 */
void	tlsctx_init(int cafd);
/* The parent's set: CONF, DATA..., END; END installs it. */
void	tlsctx_conf(const struct imsg_tls_conf *);
void	tlsctx_data(const struct imsg_tls_chunk *, const uint8_t *, size_t);
void	tlsctx_end(void);
/* 1 once a set is installed. */
int	tlsctx_ready(void);
/*
 * A server connection context of the set now installed, doing its I/O
 * through the callbacks (with arg); the set is kept until tlsctx_done().
 * -1 when there is no set or libtls fails.
 */
int	tlsctx_accept(struct tls **, struct tlsgen **, tls_read_cb,
	    tls_write_cb, void *arg);
void	tlsctx_done(struct tls *, struct tlsgen *);

#endif /* SWS_TLSCTX_H */
