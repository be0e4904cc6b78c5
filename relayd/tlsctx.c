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
 * TLS contexts of the relay, and the hooks that keep private keys out of
 * it.  The parent sends each key pair as its certificate chain and a
 * stand-in key: the certificate's public key with private numbers of 1
 * (certs.c).  libtls loads the stand-in like any key; OpenSSL then signs
 * through the default RSA_METHOD and EC_KEY_METHOD, which this file
 * replaces before any key exists, so every signature of a handshake is
 * a round trip to relayd: ca, naming the key by the SHA-256 of its
 * SubjectPublicKeyInfo.  The stand-in's private numbers are never used.
 *
 * The round trip blocks the relay for the time ca takes to sign (well
 * under a millisecond for P-256, about one for RSA 2048): the loop is
 * single-threaded and OpenSSL's hooks are synchronous.  A ca that does
 * not answer within CA_TIMEOUT_MS, or that is gone, ends the relay:
 * without it no handshake can complete, and the parent's rule is that a
 * child's death ends the daemon (fail closed).
 */
#define OPENSSL_API_COMPAT	0x10101000L	/* RSA_METHOD, EC_KEY_METHOD */

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "dispatch.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "tlsctx.h"

#define CA_TIMEOUT_MS	5000

struct tlsgen {
	struct tls	*ctx;
	unsigned int	 refs;		/* connections, and 1 while current */
};

struct tls_pending {
	uint8_t		*buf;
	size_t		 len;
	size_t		 max;
};

static struct imsgbuf	 ca_ib;
static struct tlsgen	*cur;

/* The set being received. */
static struct {
	int			 open;
	struct imsg_tls_conf	 conf;
	struct tls_pending	 part[TLS_PAIRS_MAX][3];	/* TLS_DATA_* - 1 */
} set;

static RSA_METHOD	*rsa_meth;
static EC_KEY_METHOD	*ec_meth;

static int	 ca_sign(const uint8_t *, uint32_t, uint32_t, const uint8_t *,
		    size_t, uint8_t *, size_t);
static int	 hook_rsa_priv_enc(int, const unsigned char *, unsigned char *,
		    RSA *, int);
static int	 hook_rsa_priv_dec(int, const unsigned char *, unsigned char *,
		    RSA *, int);
static int	 hook_ec_sign(int, const unsigned char *, int, unsigned char *,
		    unsigned int *, const BIGNUM *, const BIGNUM *, EC_KEY *);
static ECDSA_SIG *hook_ec_sign_sig(const unsigned char *, int, const BIGNUM *,
		    const BIGNUM *, EC_KEY *);
static void	 gen_put(struct tlsgen *);
static void	 set_clear(void);

void
tlsctx_init(int cafd)
{
	int	(*sign)(int, const unsigned char *, int, unsigned char *,
		    unsigned int *, const BIGNUM *, const BIGNUM *, EC_KEY *);
	int	(*setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **);
	ECDSA_SIG *(*sign_sig)(const unsigned char *, int, const BIGNUM *,
		    const BIGNUM *, EC_KEY *);

	/* No clean-up at exit: the process ends, its memory goes with it. */
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT, NULL) != 1 || tls_init() == -1)
		fatalx("tls_init");
	if (imsgbuf_init(&ca_ib, cafd) == -1)
		fatal("imsgbuf_init");

	if ((rsa_meth = RSA_meth_dup(RSA_PKCS1_OpenSSL())) == NULL ||
	    RSA_meth_set1_name(rsa_meth, "relayd-ca") != 1 ||
	    RSA_meth_set_priv_enc(rsa_meth, hook_rsa_priv_enc) != 1 ||
	    RSA_meth_set_priv_dec(rsa_meth, hook_rsa_priv_dec) != 1)
		fatalx("RSA_METHOD");
	RSA_set_default_method(rsa_meth);

	if ((ec_meth = EC_KEY_METHOD_new(EC_KEY_OpenSSL())) == NULL)
		fatalx("EC_KEY_METHOD_new");
	EC_KEY_METHOD_get_sign(ec_meth, &sign, &setup, &sign_sig);
	EC_KEY_METHOD_set_sign(ec_meth, hook_ec_sign, setup, hook_ec_sign_sig);
	EC_KEY_set_default_method(ec_meth);
}

int
tlsctx_ready(void)
{
	return cur != NULL;
}

/* ---- the parent's set ---- */

static void
set_clear(void)
{
	size_t	 i, j;

	for (i = 0; i < TLS_PAIRS_MAX; i++)
		for (j = 0; j < 3; j++) {
			free(set.part[i][j].buf);
			set.part[i][j].buf = NULL;
			set.part[i][j].len = 0;
		}
	set.open = 0;
}

void
tlsctx_conf(const struct imsg_tls_conf *c)
{
	size_t	 i;

	set_clear();
	memcpy(&set.conf, c, sizeof(set.conf));
	set.conf.ciphers[sizeof(set.conf.ciphers) - 1] = '\0';
	if (set.conf.npairs < 1 || set.conf.npairs > TLS_PAIRS_MAX)
		fatalx("TLS_CONF: %u key pairs", set.conf.npairs);
	for (i = 0; i < TLS_PAIRS_MAX; i++) {
		set.part[i][TLS_DATA_CERT - 1].max = TLS_PEM_MAX;
		set.part[i][TLS_DATA_KEY - 1].max = TLS_KEY_PEM_MAX;
		set.part[i][TLS_DATA_OCSP - 1].max = TLS_OCSP_MAX;
	}
	set.open = 1;
}

void
tlsctx_data(const struct imsg_tls_chunk *ch, const uint8_t *p, size_t len)
{
	struct tls_pending	*tp;
	uint8_t			*n;

	if (!set.open || ch->pair >= set.conf.npairs || ch->what < 1 ||
	    ch->what > 3)
		fatalx("TLS_DATA out of place (pair %u, part %u)", ch->pair,
		    ch->what);
	tp = &set.part[ch->pair][ch->what - 1];
	if (len > tp->max - tp->len)
		fatalx("TLS_DATA: part %u of pair %u over %zu bytes",
		    ch->what, ch->pair, tp->max);
	if ((n = realloc(tp->buf, tp->len + len + 1)) == NULL)
		fatal("realloc");
	memcpy(n + tp->len, p, len);
	tp->buf = n;
	tp->len += len;
	tp->buf[tp->len] = '\0';
}

/*
 * The set is complete: a new server context for new connections.  The
 * first set must work (the daemon would serve nothing on its TLS
 * listeners); a later one that libtls refuses leaves the one in use.
 */
void
tlsctx_end(void)
{
	struct tls_config	*cfg;
	struct tls_pending	*c, *k, *o;
	struct tlsgen		*g;
	struct tls		*ctx;
	uint32_t		 i;
	int			 rv;

	if (!set.open)
		fatalx("TLS_END without TLS_CONF");
	if ((cfg = tls_config_new()) == NULL)
		fatalx("tls_config_new");
	if (tls_config_set_protocols(cfg, set.conf.protocols) == -1 ||
	    tls_config_set_ciphers(cfg, set.conf.ciphers) == -1 ||
	    tls_config_set_alpn(cfg, "http/1.1") == -1)
		goto bad;
	for (i = 0; i < set.conf.npairs; i++) {
		c = &set.part[i][TLS_DATA_CERT - 1];
		k = &set.part[i][TLS_DATA_KEY - 1];
		o = &set.part[i][TLS_DATA_OCSP - 1];
		if (c->len == 0 || k->len == 0)
			fatalx("TLS_END: pair %u incomplete", i);
		if (i == 0)
			rv = tls_config_set_keypair_ocsp_mem(cfg, c->buf,
			    c->len, k->buf, k->len, o->buf, o->len);
		else
			rv = tls_config_add_keypair_ocsp_mem(cfg, c->buf,
			    c->len, k->buf, k->len, o->buf, o->len);
		if (rv == -1)
			goto bad;
	}
	if ((ctx = tls_server()) == NULL)
		fatalx("tls_server");
	if (tls_configure(ctx, cfg) == -1) {
		log_warnx("tls: %s", tls_error(ctx));
		tls_free(ctx);
		tls_config_free(cfg);
		if (cur == NULL)
			fatalx("no usable tls configuration");
		log_warnx("tls: the new certificates are not used; the old "
		    "stay in service");
		set_clear();
		return;
	}
	tls_config_free(cfg);
	set_clear();
	if ((g = calloc(1, sizeof(*g))) == NULL)
		fatal("calloc");
	g->ctx = ctx;
	g->refs = 1;
	if (cur != NULL)
		gen_put(cur);
	cur = g;
	log_debug("tls: %u key pair%s in service", i, i == 1 ? "" : "s");
	return;
 bad:
	log_warnx("tls: %s", tls_config_error(cfg));
	tls_config_free(cfg);
	if (cur == NULL)
		fatalx("no usable tls configuration");
	set_clear();
}

static void
gen_put(struct tlsgen *g)
{
	if (--g->refs > 0)
		return;
	tls_free(g->ctx);
	free(g);
}

int
tlsctx_accept(struct tls **out, struct tlsgen **gen, tls_read_cb rd,
    tls_write_cb wr, void *arg)
{
	*out = NULL;
	*gen = NULL;
	if (cur == NULL)
		return -1;
	if (tls_accept_cbs(cur->ctx, out, rd, wr, arg) == -1) {
		log_warnx("tls_accept_cbs: %s", tls_error(cur->ctx));
		return -1;
	}
	cur->refs++;
	*gen = cur;
	return 0;
}

void
tlsctx_done(struct tls *t, struct tlsgen *g)
{
	if (t != NULL)
		tls_free(t);
	if (g != NULL)
		gen_put(g);
}

/* ---- the hooks ---- */

/* The key's name for ca: SHA-256 of its DER SubjectPublicKeyInfo. */
static int
keyid_of(int (*i2d)(const void *, unsigned char **), const void *key,
    uint8_t id[32])
{
	unsigned char	*der = NULL;
	int		 len;

	if ((len = i2d(key, &der)) <= 0)
		return -1;
	SHA256(der, (size_t)len, id);
	OPENSSL_free(der);
	return 0;
}

static int
i2d_rsa_pub(const void *k, unsigned char **out)
{
	return i2d_RSA_PUBKEY((RSA *)(uintptr_t)k, out);
}

static int
i2d_ec_pub(const void *k, unsigned char **out)
{
	return i2d_EC_PUBKEY((EC_KEY *)(uintptr_t)k, out);
}

/*
 * One request to ca, one answer: the signature in sig (at most siglen
 * bytes), its length returned, -1 when ca refused.  Anything else from
 * ca, or nothing in time, is fatal.
 */
static int
ca_sign(const uint8_t *keyid, uint32_t op, uint32_t padding,
    const uint8_t *data, size_t len, uint8_t *sig, size_t siglen)
{
	struct imsg_ca_req	 req;
	struct imsg_ca_res	 res;
	struct imsg		 imsg;
	struct pollfd		 pfd;
	ssize_t			 n;
	int			 r;

	if (len > sizeof(req.data))
		return -1;
	memset(&req, 0, sizeof(req));
	memcpy(req.keyid, keyid, sizeof(req.keyid));
	req.op = op;
	req.padding = padding;
	req.len = (uint32_t)len;
	memcpy(req.data, data, len);
	if (imsg_compose(&ca_ib, IMSG_CA_SIGN, 0, -1, &req, sizeof(req)) ==
	    -1 || imsgbuf_flush(&ca_ib) == -1)
		fatal("request to ca");
	for (;;) {
		if ((r = imsg_get(&ca_ib, &imsg)) == -1)
			fatalx("bad message from ca");
		if (r == 1)
			break;
		pfd.fd = ca_ib.fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, CA_TIMEOUT_MS)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (r == 0)
			fatalx("ca did not answer within %d ms",
			    CA_TIMEOUT_MS);
		if ((n = imsgbuf_read(&ca_ib)) == -1 && errno != EAGAIN &&
		    errno != EINTR)
			fatal("read from ca");
		if (n == 0)
			fatalx("ca went away");
	}
	if (imsg.hdr.type != IMSG_CA_SIGNATURE || imsg.len != sizeof(res))
		fatalx("unexpected message %u of %zu bytes from ca",
		    imsg.hdr.type, imsg.len);
	memcpy(&res, imsg.data, sizeof(res));
	imsg_free(&imsg);
	if (!res.ok)
		return -1;
	if (res.len == 0 || res.len > sizeof(res.sig) || res.len > siglen)
		fatalx("ca: signature of %u bytes", res.len);
	memcpy(sig, res.sig, res.len);
	return (int)res.len;
}

static int
hook_rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	uint8_t	 id[32];

	if (flen < 0 || keyid_of(i2d_rsa_pub, rsa, id) == -1)
		return -1;
	return ca_sign(id, CA_OP_RSA_PRIV_ENC, (uint32_t)padding, from,
	    (size_t)flen, to, (size_t)RSA_size(rsa));
}

/* RSA key exchange would decrypt: not offered, never done here. */
static int
hook_rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	(void)flen;
	(void)from;
	(void)to;
	(void)rsa;
	(void)padding;
	return -1;
}

static int
hook_ec_sign(int type, const unsigned char *dgst, int dlen,
    unsigned char *sig, unsigned int *siglen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *ec)
{
	uint8_t	 id[32];
	int	 n;

	(void)type;
	(void)kinv;
	(void)r;
	*siglen = 0;
	if (dlen < 0 || keyid_of(i2d_ec_pub, ec, id) == -1)
		return 0;
	if ((n = ca_sign(id, CA_OP_ECDSA_SIGN, 0, dgst, (size_t)dlen, sig,
	    (size_t)ECDSA_size(ec))) == -1)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

static ECDSA_SIG *
hook_ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *ec)
{
	unsigned char		 der[CA_IO_MAX];
	const unsigned char	*p = der;
	unsigned int		 len;

	if (ECDSA_size(ec) > (int)sizeof(der) ||
	    hook_ec_sign(0, dgst, dlen, der, &len, kinv, r, ec) != 1)
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, (long)len);
}
