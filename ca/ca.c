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
 * relayd: ca, the only process that holds the TLS private keys.  The
 * parent hands it the keys as PEM; the relay, which has the certificates
 * and a stand-in key made of their public halves, sends it each
 * private-key operation of a handshake and gets the result back.  It
 * trusts the relay with nothing: a request must have its exact size and
 * is signed only when its input has the shape a TLS 1.2 or 1.3 signature
 * has (a DigestInfo of SHA-2, an EMSA-PSS block, an ECDSA digest), so that
 * the relay cannot use it to decrypt or to sign what it likes.  Anything
 * else from the parent, or a message that fits no row, ends ca and so the
 * whole daemon.  No network, no libevent, no libssl: a poll loop over two
 * socketpairs and libcrypto.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dispatch.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "proto.h"

#define KEYID_LEN	32		/* SHA-256 of the SubjectPublicKeyInfo */
#define RSA_BITS_MIN	2048
#define RSA_BITS_MAX	8192
#define MD5_SHA1_LEN	36		/* TLS 1.0 and 1.1 RSA signatures */

struct ca_key {
	uint8_t		 keyid[KEYID_LEN];
	EVP_PKEY	*pkey;
	int		 type;		/* EVP_PKEY_RSA or EVP_PKEY_EC */
	int		 bits;
	size_t		 size;		/* RSA: the modulus, bytes */
};

struct ca_keyset {
	struct ca_key	 keys[TLS_PAIRS_MAX];
	size_t		 nkeys;
};

extern char **environ;

static struct {
	struct ca_keyset	*cur;		/* the set of the last reload */
	struct ca_keyset	*old;		/* the one before: handshakes
						   begun before the reload */
	struct ca_keyset	*next;		/* being received */
	uint8_t			*pem;		/* the key being received */
	size_t			 pemlen;
	struct imsgbuf		 parent;
	struct imsgbuf		 relay;
	int			 open[2];	/* parent, relay */
} ca;

static __dead void	usage(void);
static void		channel_read(struct imsgbuf *, enum proc_id, int);
static void		msg_keys(struct imsg *, void *);
static void		msg_key_data(struct imsg *, void *);
static void		msg_key_end(struct imsg *, void *);
static void		msg_keys_end(struct imsg *, void *);
static void		msg_sign(struct imsg *, void *);
static void		keyset_free(struct ca_keyset *);
static void		pem_free(void);
static const struct ca_key *key_find(const uint8_t *);
static int		rsa_sign(const struct ca_key *,
			    const struct imsg_ca_req *, struct imsg_ca_res *);
static int		ecdsa_sign(const struct ca_key *,
			    const struct imsg_ca_req *, struct imsg_ca_res *);
static int		pkcs1_shape_ok(const uint8_t *, size_t);
static int		pss_shape_ok(const uint8_t *, size_t, int);
static int		pss_decode(const uint8_t *, size_t, size_t,
			    const EVP_MD *);
static int		mgf1_xor(uint8_t *, size_t, const uint8_t *, size_t,
			    const EVP_MD *);
static int		pkey_sign(EVP_PKEY *, int, const uint8_t *, size_t,
			    struct imsg_ca_res *);
static void		reply(struct imsgbuf *, uint32_t, const void *, size_t);

/* Everything ca accepts; whatever else comes ends it. */
static const struct imsg_handler ca_imsg[] = {
	{ IMSG_CTL_VERBOSE, "CTL_VERBOSE", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_ctl_verbose), sizeof(struct imsg_ctl_verbose),
	    IMSG_FD_NO, imsg_ctl_verbose },
	{ IMSG_CA_KEYS, "CA_KEYS", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_keys },
	{ IMSG_CA_KEY_DATA, "CA_KEY_DATA", IMSG_PEER(PROC_PARENT),
	    1, IMSG_MAX_PAYLOAD, IMSG_FD_NO, msg_key_data },
	{ IMSG_CA_KEY_END, "CA_KEY_END", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_key_end },
	{ IMSG_CA_KEYS_END, "CA_KEYS_END", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_keys_end },
	{ IMSG_CA_SIGN, "CA_SIGN", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_ca_req), sizeof(struct imsg_ca_req),
	    IMSG_FD_NO, msg_sign },
};

/*
 * The DER DigestInfo prefixes of RFC 8017 section 9.2, note 1: what an
 * RSASSA-PKCS1-v1_5 signature of TLS 1.2 covers, the digest following.
 */
static const struct {
	const char	*name;
	size_t		 hlen;
	uint8_t		 prefix[19];
} digestinfo[] = {
	{ "SHA-256", 32, { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
	    0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
	    0x20 } },
	{ "SHA-384", 48, { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
	    0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04,
	    0x30 } },
	{ "SHA-512", 64, { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
	    0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04,
	    0x40 } },
};

static __dead void
usage(void)
{
	fprintf(stderr, "usage: relayd-ca [-dv] [-u user] [-t chroot]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[2];
	const char	*user = "_relayd", *dir = "/var/empty";
	uint8_t		 seed[32];
	int		 ch, debug = 0, verbose = 0, i;

	proc_title_init(argc, argv, environ);
	log_init(LOG_TO_STDERR, 0, 0);
	log_procinit(proc_table[PROC_CA].name);
	while ((ch = getopt(argc, argv, "dt:u:v")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
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
	if (argc != 0)
		usage();
	/* Started by relayd with its two socketpairs on fixed descriptors. */
	if (proc_check_fds(PROC_CA) == -1)
		fatalx("descriptors 3 to %d are not all sockets: relayd-ca is "
		    "started by relayd", 2 + proc_nfds(PROC_CA));
	log_init(debug ? LOG_TO_STDERR : LOG_TO_PIPE, verbose, 0);

	proc_init(PROC_CA);
	/*
	 * No openssl.cnf (nothing is read from the file system), and the
	 * generator seeded from getrandom(2) now: the sandbox has no file
	 * to seed it from, and blinding and ECDSA nonces need it.
	 */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		fatalx("OPENSSL_init_crypto failed");
	if (RAND_bytes(seed, sizeof(seed)) != 1)
		fatalx("RAND_bytes: the generator cannot be seeded");
	explicit_bzero(seed, sizeof(seed));

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);	/* the parent decides when we stop */
	signal(SIGTERM, SIG_IGN);
	proc_title(proc_table[PROC_CA].title);

	if (imsgbuf_init(&ca.parent, PROC_FD_PARENT) == -1 ||
	    imsgbuf_init(&ca.relay, proc_fd(PROC_CA, PROC_RELAY)) == -1)
		fatal("imsgbuf_init");
	ca.open[0] = ca.open[1] = 1;
	proc_drop(PROC_CA, user, dir);
	log_debug("started, waiting for the keys");

	for (;;) {
		/* A closed channel is -1: poll(2) skips it. */
		pfd[0].fd = ca.open[0] ? ca.parent.fd : -1;
		pfd[1].fd = ca.open[1] ? ca.relay.fd : -1;
		pfd[0].events = pfd[1].events = POLLIN;
		if (imsgbuf_queued(&ca.parent) > 0)
			pfd[0].events |= POLLOUT;
		if (imsgbuf_queued(&ca.relay) > 0)
			pfd[1].events |= POLLOUT;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < 2; i++) {
			struct imsgbuf	*ib = i == 0 ? &ca.parent : &ca.relay;
			enum proc_id	 peer = i == 0 ? PROC_PARENT : PROC_RELAY;

			if (pfd[i].fd == -1)
				continue;
			if (pfd[i].revents & POLLOUT &&
			    imsgbuf_write(ib) == -1)
				fatal("write to %s", imsg_peer_name(peer));
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				channel_read(ib, peer, i);
		}
		if (!ca.open[0] && !ca.open[1]) {
			log_debug("both channels closed, exiting");
			exit(0);
		}
		/* Every answer to what was read goes out in one write. */
		if (ca.open[1] && imsgbuf_queued(&ca.relay) > 0 &&
		    imsgbuf_write(&ca.relay) == -1)
			fatal("write to relay");
	}
}

/*
 * The relay stops before ca (PROC_STOP_LAST), and the parent closes ca's
 * channel once it has: ca serves until both are closed.
 */
static void
channel_read(struct imsgbuf *ib, enum proc_id peer, int slot)
{
	ssize_t	 n;

	n = imsgbuf_read(ib);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n == -1)
		fatal("read from %s", imsg_peer_name(peer));
	if (n == 0) {
		log_debug("%s closed its channel", imsg_peer_name(peer));
		ca.open[slot] = 0;
		return;
	}
	imsg_dispatch(ib, peer, ca_imsg, IMSG_NHANDLERS(ca_imsg), NULL);
}

static void
msg_keys(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	if (ca.next != NULL)
		fatalx("parent: CA_KEYS inside a key set");
	if ((ca.next = calloc(1, sizeof(*ca.next))) == NULL)
		fatal("calloc");
}

static void
msg_key_data(struct imsg *imsg, void *arg)
{
	(void)arg;
	if (ca.next == NULL)
		fatalx("parent: CA_KEY_DATA outside a key set");
	if (ca.next->nkeys == TLS_PAIRS_MAX)
		fatalx("parent: more than %d keys", TLS_PAIRS_MAX);
	if (imsg->len > TLS_KEY_PEM_MAX - ca.pemlen)
		fatalx("parent: a key of more than %d bytes", TLS_KEY_PEM_MAX);
	if (ca.pem == NULL && (ca.pem = malloc(TLS_KEY_PEM_MAX)) == NULL)
		fatal("malloc");
	memcpy(ca.pem + ca.pemlen, imsg->data, imsg->len);
	ca.pemlen += imsg->len;
}

/* Passphrases are the parent's business: an encrypted key is refused. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * The parent checked the key and its certificate already: a key that
 * does not parse or is not one ca serves is a broken parent, fatal.
 */
static void
msg_key_end(struct imsg *imsg, void *arg)
{
	struct ca_key	*k;
	BIO		*bio;
	EVP_PKEY	*pkey;
	uint8_t		*der = NULL;
	char		 group[64];
	size_t		 glen;
	int		 dlen;

	(void)imsg;
	(void)arg;
	if (ca.next == NULL)
		fatalx("parent: CA_KEY_END outside a key set");
	if (ca.pemlen == 0)
		fatalx("parent: CA_KEY_END without a key");
	if ((bio = BIO_new_mem_buf(ca.pem, (int)ca.pemlen)) == NULL)
		fatalx("BIO_new_mem_buf failed");
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	pem_free();
	if (pkey == NULL)
		fatalx("parent: key %zu is not a PEM private key",
		    ca.next->nkeys);
	ERR_clear_error();

	k = &ca.next->keys[ca.next->nkeys];
	k->pkey = pkey;
	k->type = EVP_PKEY_get_base_id(pkey);
	k->bits = EVP_PKEY_get_bits(pkey);
	switch (k->type) {
	case EVP_PKEY_RSA:
		if (k->bits < RSA_BITS_MIN || k->bits > RSA_BITS_MAX)
			fatalx("parent: key %zu: RSA of %d bits, not %d to %d",
			    ca.next->nkeys, k->bits, RSA_BITS_MIN,
			    RSA_BITS_MAX);
		k->size = (size_t)EVP_PKEY_get_size(pkey);
		if (k->size > CA_IO_MAX)
			fatalx("parent: key %zu: RSA of %zu bytes",
			    ca.next->nkeys, k->size);
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &glen) != 1)
			fatalx("parent: key %zu: EC key without a named curve",
			    ca.next->nkeys);
		if (strcmp(group, SN_X9_62_prime256v1) != 0 &&
		    strcmp(group, SN_secp384r1) != 0)
			fatalx("parent: key %zu: EC on %s, not P-256 or P-384",
			    ca.next->nkeys, group);
		break;
	default:
		fatalx("parent: key %zu: type %s, not RSA or EC",
		    ca.next->nkeys, OBJ_nid2sn(k->type));
	}
	/* Named as the relay names it: by its DER SubjectPublicKeyInfo. */
	if ((dlen = i2d_PUBKEY(pkey, &der)) <= 0)
		fatalx("parent: key %zu: no public key encoding",
		    ca.next->nkeys);
	if (EVP_Digest(der, (size_t)dlen, k->keyid, NULL, EVP_sha256(),
	    NULL) != 1)
		fatalx("EVP_Digest failed");
	OPENSSL_free(der);
	ca.next->nkeys++;
}

static void
msg_keys_end(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	if (ca.next == NULL)
		fatalx("parent: CA_KEYS_END outside a key set");
	if (ca.pemlen != 0)
		fatalx("parent: CA_KEYS_END inside a key");
	/* Handshakes begun before this reload still find their key. */
	keyset_free(ca.old);
	ca.old = ca.cur;
	ca.cur = ca.next;
	ca.next = NULL;
	log_debug("%zu keys installed", ca.cur->nkeys);
	reply(&ca.parent, IMSG_CA_READY, NULL, 0);
}

static void
keyset_free(struct ca_keyset *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nkeys; i++)
		EVP_PKEY_free(set->keys[i].pkey);
	free(set);
}

static void
pem_free(void)
{
	if (ca.pem == NULL)
		return;
	explicit_bzero(ca.pem, TLS_KEY_PEM_MAX);
	free(ca.pem);
	ca.pem = NULL;
	ca.pemlen = 0;
}

static const struct ca_key *
key_find(const uint8_t *keyid)
{
	struct ca_keyset	*sets[2] = { ca.cur, ca.old };
	size_t			 i, j;

	for (i = 0; i < 2; i++) {
		if (sets[i] == NULL)
			continue;
		for (j = 0; j < sets[i]->nkeys; j++)
			if (memcmp(sets[i]->keys[j].keyid, keyid,
			    KEYID_LEN) == 0)
				return &sets[i]->keys[j];
	}
	return NULL;
}

/*
 * A refusal is the relay's own handshake failing: logged, answered with
 * ok 0, and ca serves on.
 */
static void
msg_sign(struct imsg *imsg, void *arg)
{
	struct imsg_ca_req	 req;
	struct imsg_ca_res	 res;
	const struct ca_key	*k;

	(void)arg;
	memcpy(&req, imsg->data, sizeof(req));
	memset(&res, 0, sizeof(res));
	if ((k = key_find(req.keyid)) == NULL)
		log_warnx("relay: sign with an unknown key");
	else if (req.len == 0 || req.len > sizeof(req.data))
		log_warnx("relay: sign %u bytes", req.len);
	else if (req.op == CA_OP_RSA_PRIV_ENC) {
		if (k->type != EVP_PKEY_RSA)
			log_warnx("relay: RSA operation with an EC key");
		else
			res.ok = rsa_sign(k, &req, &res) == 0;
	} else if (req.op == CA_OP_ECDSA_SIGN) {
		if (k->type != EVP_PKEY_EC)
			log_warnx("relay: ECDSA operation with an RSA key");
		else
			res.ok = ecdsa_sign(k, &req, &res) == 0;
	} else
		log_warnx("relay: unknown operation %u", req.op);
	if (!res.ok) {
		res.len = 0;
		explicit_bzero(res.sig, sizeof(res.sig));
	}
	explicit_bzero(&req, sizeof(req));
	reply(&ca.relay, IMSG_CA_SIGNATURE, &res, sizeof(res));
}

static int
rsa_sign(const struct ca_key *k, const struct imsg_ca_req *req,
    struct imsg_ca_res *res)
{
	switch (req->padding) {
	case RSA_PKCS1_PADDING:
		if (req->len == MD5_SHA1_LEN) {
			log_warnx("relay: RSA signature of MD5 and SHA-1 "
			    "(TLS 1.0 or 1.1), not served");
			return -1;
		}
		if (!pkcs1_shape_ok(req->data, req->len)) {
			log_warnx("relay: PKCS#1 signature of %u bytes that "
			    "are not a SHA-2 DigestInfo", req->len);
			return -1;
		}
		break;
	case RSA_NO_PADDING:
		if (req->len != k->size) {
			log_warnx("relay: raw RSA block of %u bytes, key of "
			    "%zu", req->len, k->size);
			return -1;
		}
		if (!pss_shape_ok(req->data, req->len, k->bits)) {
			log_warnx("relay: raw RSA block that is not an "
			    "EMSA-PSS encoding");
			return -1;
		}
		break;
	default:
		log_warnx("relay: RSA padding %u", req->padding);
		return -1;
	}
	return pkey_sign(k->pkey, (int)req->padding, req->data, req->len, res);
}

static int
ecdsa_sign(const struct ca_key *k, const struct imsg_ca_req *req,
    struct imsg_ca_res *res)
{
	if (req->padding != 0) {
		log_warnx("relay: ECDSA with padding %u", req->padding);
		return -1;
	}
	if (req->len != 32 && req->len != 48 && req->len != 64) {
		log_warnx("relay: ECDSA of %u bytes, not a SHA-2 digest",
		    req->len);
		return -1;
	}
	return pkey_sign(k->pkey, 0, req->data, req->len, res);
}

/* A DigestInfo of SHA-256, SHA-384 or SHA-512 with its digest, exactly. */
static int
pkcs1_shape_ok(const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(digestinfo) / sizeof(digestinfo[0]); i++)
		if (len == sizeof(digestinfo[i].prefix) + digestinfo[i].hlen &&
		    memcmp(p, digestinfo[i].prefix,
		    sizeof(digestinfo[i].prefix)) == 0)
			return 1;
	return 0;
}

/*
 * The block is EM of EMSA-PSS (RFC 8017 section 9.1) for a modulus of
 * bits bits, with SHA-256, SHA-384 or SHA-512 both as the hash and in
 * MGF1, and a salt as long as the hash: what TLS 1.3 and TLS 1.2's
 * rsa_pss_rsae schemes sign.  The message digest is the relay's and
 * cannot be checked here; the shape is what keeps ca from being a raw
 * RSA oracle.
 */
static int
pss_shape_ok(const uint8_t *block, size_t len, int bits)
{
	const EVP_MD	*md[3];
	size_t		 embits = (size_t)bits - 1, i;

	/* emLen is one byte short of the modulus when emBits % 8 is 0. */
	if (embits % 8 == 0) {
		if (block[0] != 0)
			return 0;
		block++;
		len--;
	}
	md[0] = EVP_sha256();
	md[1] = EVP_sha384();
	md[2] = EVP_sha512();
	for (i = 0; i < 3; i++)
		if (pss_decode(block, len, embits, md[i]))
			return 1;
	return 0;
}

/* EMSA-PSS-VERIFY steps 3 to 10, mHash aside, with sLen = hLen. */
static int
pss_decode(const uint8_t *em, size_t emlen, size_t embits, const EVP_MD *md)
{
	uint8_t		 db[CA_IO_MAX];
	size_t		 hlen = (size_t)EVP_MD_get_size(md), dblen, i;
	unsigned int	 topmask = 0xff >> (8 * emlen - embits);
	int		 ok = 0;

	if (emlen < 2 * hlen + 2 || emlen > sizeof(db))
		return 0;
	if (em[emlen - 1] != 0xbc || (em[0] & ~topmask) != 0)
		return 0;
	dblen = emlen - hlen - 1;
	memcpy(db, em, dblen);
	if (mgf1_xor(db, dblen, em + dblen, hlen, md) == -1)
		goto done;
	db[0] &= topmask;
	/* PS, zeros, then 0x01, then a salt of hlen bytes */
	for (i = 0; i < dblen - hlen - 1; i++)
		if (db[i] != 0)
			goto done;
	ok = db[i] == 0x01;
 done:
	explicit_bzero(db, sizeof(db));
	return ok;
}

/* out ^= MGF1(seed, outlen) over md (RFC 8017 appendix B.2.1). */
static int
mgf1_xor(uint8_t *out, size_t outlen, const uint8_t *seed, size_t seedlen,
    const EVP_MD *md)
{
	EVP_MD_CTX	*ctx;
	uint8_t		 h[EVP_MAX_MD_SIZE], c[4];
	size_t		 done, i, n;
	uint32_t	 counter;
	unsigned int	 hlen;
	int		 rv = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	for (done = 0, counter = 0; done < outlen; counter++) {
		c[0] = counter >> 24;
		c[1] = counter >> 16;
		c[2] = counter >> 8;
		c[3] = counter;
		if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, seed, seedlen) != 1 ||
		    EVP_DigestUpdate(ctx, c, sizeof(c)) != 1 ||
		    EVP_DigestFinal_ex(ctx, h, &hlen) != 1)
			goto done;
		n = outlen - done < hlen ? outlen - done : hlen;
		for (i = 0; i < n; i++)
			out[done + i] ^= h[i];
		done += n;
	}
	rv = 0;
 done:
	EVP_MD_CTX_free(ctx);
	return rv;
}

/*
 * The private operation on input as it is: no digest is set, so RSA pads
 * (PKCS#1 type 1) or not as padding says, and ECDSA signs the bytes as a
 * digest and gives the DER ECDSA-Sig-Value.
 */
static int
pkey_sign(EVP_PKEY *pkey, int padding, const uint8_t *in, size_t inlen,
    struct imsg_ca_res *res)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 siglen = 0;
	int		 rv = -1;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL)
		goto done;
	if (EVP_PKEY_sign_init(ctx) != 1)
		goto done;
	if (padding != 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, padding) != 1)
		goto done;
	if (EVP_PKEY_sign(ctx, NULL, &siglen, in, inlen) != 1 ||
	    siglen > sizeof(res->sig))
		goto done;
	siglen = sizeof(res->sig);
	if (EVP_PKEY_sign(ctx, res->sig, &siglen, in, inlen) != 1)
		goto done;
	res->len = (uint32_t)siglen;
	rv = 0;
 done:
	if (rv == -1)
		log_warnx("private key operation failed: %s",
		    ERR_error_string(ERR_get_error(), NULL));
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

static void
reply(struct imsgbuf *ib, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(ib, type, 0, -1, data, len) == -1)
		fatal("imsg_compose");
}
