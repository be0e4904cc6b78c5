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
 * The parent's side of TLS: read each key pair's files, check that they
 * are what the relay and relayd: ca will be given, and make the stand-in
 * private key the relay loads in place of the real one.
 *
 * A stand-in has the certificate's public key and private numbers that
 * are all 1: libtls and OpenSSL accept it (they compare public parts),
 * and every operation on it goes through the relay's key-method hooks
 * to relayd: ca, which holds the real key.  Nothing of the real key is
 * in it.
 *
 * Errors name the statement that gave the file, "file:line: ...".
 */
#define OPENSSL_API_COMPAT	0x10101000L	/* RSA_set0_key and kin */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "log.h"
#include "config.h"

#define EXPIRY_WARN_DAYS	14

static int	 load_pair(struct tls_pair_conf *);
static int	 check_key(const struct tls_pair_conf *, EVP_PKEY *);
static int	 make_stand_in(struct tls_pair_conf *, X509 *);
static int	 no_password(char *, int, int, void *);
static const char *ossl_err(void);

int
conf_tls_listeners(const struct relayd_conf *conf)
{
	const struct listen_conf	*lc;
	int				 n = 0;

	TAILQ_FOREACH(lc, &conf->listeners, entry)
		if (lc->tls)
			n++;
	return n;
}

int
certs_load(struct relayd_conf *conf)
{
	struct tls_pair_conf	*tp;
	int			 errors = 0;

	TAILQ_FOREACH(tp, &conf->tls_pairs, entry) {
		if (tp->cert[0] == '\0') {
			log_warnx("%s: tls key without tls certificate",
			    tp->key_at[0] != '\0' ? tp->key_at : tp->ocsp_at);
			errors++;
			continue;
		}
		if (tp->key[0] == '\0') {
			log_warnx("%s: tls certificate without tls key",
			    tp->cert_at);
			errors++;
			continue;
		}
		if (load_pair(tp) == -1)
			errors++;
	}
	return errors;
}

void
certs_free(struct tls_pair_conf *tp)
{
	if (tp->key_pem != NULL) {
		explicit_bzero(tp->key_pem, tp->key_len);
		free(tp->key_pem);
	}
	free(tp->cert_pem);
	free(tp->stand_pem);
	free(tp->ocsp_der);
	tp->key_pem = tp->cert_pem = tp->stand_pem = tp->ocsp_der = NULL;
	tp->key_len = tp->cert_len = tp->stand_len = tp->ocsp_len = 0;
}

/* Log, once per start or reload, when each certificate stops being valid. */
void
certs_expiry(const struct relayd_conf *conf)
{
	const struct tls_pair_conf	*tp;
	struct tm			 tm;
	char				 date[64];
	time_t				 t, now = time(NULL);
	long long			 days;

	TAILQ_FOREACH(tp, &conf->tls_pairs, entry) {
		t = (time_t)tp->not_after;
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC",
		    &tm) == 0)
			(void)strlcpy(date, "?", sizeof(date));
		days = (tp->not_after - (long long)now) / 86400;
		if (tp->not_after <= (long long)now)
			log_warnx("tls certificate %s (%s) expired on %s",
			    tp->cert, tp->subject, date);
		else if (days < EXPIRY_WARN_DAYS)
			log_warnx("tls certificate %s (%s) expires in %lld "
			    "day%s, on %s", tp->cert, tp->subject, days,
			    days == 1 ? "" : "s", date);
		else
			log_info("tls certificate %s (%s) is valid until %s",
			    tp->cert, tp->subject, date);
	}
}

static const char *
ossl_err(void)
{
	static char	 buf[256];
	unsigned long	 e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last == 0)
		return "unknown error";
	ERR_error_string_n(last, buf, sizeof(buf));
	return buf;
}

/* A key file that asks for a password is refused, not prompted for. */
static int
no_password(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/*
 * Read a whole regular file of at most max bytes.  With secret set, the
 * file must not be accessible by others, and its bytes are wiped from
 * every buffer they pass through.
 */
int
conf_read_file(const char *at, const char *path, size_t max, int secret,
    uint8_t **out, size_t *outlen)
{
	struct stat	 st;
	uint8_t		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	*out = NULL;
	*outlen = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_warnx("%s: %s: %s", at, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("%s: %s is not a regular file", at, path);
		close(fd);
		return -1;
	}
	if (secret && (st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
		log_warnx("%s: %s is accessible by others (chmod o-rw)", at,
		    path);
		close(fd);
		return -1;
	}
	if (st.st_size <= 0 || (uintmax_t)st.st_size > max) {
		log_warnx("%s: %s: size %lld is out of range (1-%zu)", at,
		    path, (long long)st.st_size, max);
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_warnx("%s: %s: out of memory", at, path);
		close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warnx("%s: %s: %s", at, path, n == 0 ?
			    "file shrank while read" : strerror(errno));
			if (secret)
				explicit_bzero(buf, (size_t)st.st_size);
			free(buf);
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static int
load_pair(struct tls_pair_conf *tp)
{
	BIO			*bio = NULL;
	X509			*leaf = NULL, *x;
	EVP_PKEY		*pkey = NULL;
	OCSP_RESPONSE		*resp;
	const unsigned char	*p;
	const ASN1_TIME		*na;
	struct tm		 tm;
	int			 n, rv = -1;

	certs_free(tp);
	if (conf_read_file(tp->cert_at, tp->cert, TLS_PEM_MAX, 0, &tp->cert_pem,
	    &tp->cert_len) == -1 ||
	    conf_read_file(tp->key_at, tp->key, TLS_KEY_PEM_MAX, 1, &tp->key_pem,
	    &tp->key_len) == -1)
		goto done;
	if (tp->ocsp[0] != '\0' && conf_read_file(tp->ocsp_at, tp->ocsp,
	    TLS_OCSP_MAX, 0, &tp->ocsp_der, &tp->ocsp_len) == -1)
		goto done;

	/* The chain: the leaf, then whatever intermediates follow. */
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(tp->cert_pem, (int)tp->cert_len)) == NULL)
		fatalx("BIO_new_mem_buf");
	for (n = 0; (x = PEM_read_bio_X509(bio, NULL, no_password, NULL)) !=
	    NULL; n++) {
		if (leaf == NULL)
			leaf = x;
		else
			X509_free(x);
	}
	if (n == 0) {
		log_warnx("%s: certificate %s does not parse: %s", tp->cert_at,
		    tp->cert, ossl_err());
		goto done;
	}
	ERR_clear_error();		/* the end of the chain */
	BIO_free(bio);

	if ((bio = BIO_new_mem_buf(tp->key_pem, (int)tp->key_len)) == NULL)
		fatalx("BIO_new_mem_buf");
	if ((pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL)) ==
	    NULL) {
		log_warnx("%s: key %s does not parse (an encrypted key needs "
		    "decrypting first): %s", tp->key_at, tp->key, ossl_err());
		goto done;
	}
	if (check_key(tp, pkey) == -1)
		goto done;
	if (X509_check_private_key(leaf, pkey) != 1) {
		ERR_clear_error();
		log_warnx("%s: key %s does not match certificate %s",
		    tp->key_at, tp->key, tp->cert);
		goto done;
	}

	if (tp->ocsp_der != NULL) {
		p = tp->ocsp_der;
		if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)tp->ocsp_len)) ==
		    NULL || p != tp->ocsp_der + tp->ocsp_len) {
			log_warnx("%s: ocsp response %s does not parse (DER "
			    "expected)", tp->ocsp_at, tp->ocsp);
			OCSP_RESPONSE_free(resp);
			ERR_clear_error();
			goto done;
		}
		OCSP_RESPONSE_free(resp);
	}

	if ((na = X509_get0_notAfter(leaf)) == NULL ||
	    ASN1_TIME_to_tm(na, &tm) != 1) {
		log_warnx("%s: certificate %s: unreadable expiry date",
		    tp->cert_at, tp->cert);
		goto done;
	}
	tp->not_after = (long long)timegm(&tm);
	if (X509_NAME_oneline(X509_get_subject_name(leaf), tp->subject,
	    sizeof(tp->subject)) == NULL)
		(void)strlcpy(tp->subject, "?", sizeof(tp->subject));

	if (make_stand_in(tp, leaf) == -1)
		goto done;
	rv = 0;
 done:
	BIO_free(bio);
	X509_free(leaf);
	EVP_PKEY_free(pkey);
	if (rv == -1)
		certs_free(tp);
	ERR_clear_error();
	return rv;
}

/* The key types relayd: ca signs with: RSA 2048-8192, EC P-256, P-384. */
static int
check_key(const struct tls_pair_conf *tp, EVP_PKEY *pkey)
{
	char	 group[64];
	size_t	 len;
	int	 bits;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < 2048 || bits > 8192) {
			log_warnx("%s: key %s: RSA with %d bits (2048-8192 "
			    "are accepted)", tp->key_at, tp->key, bits);
			return -1;
		}
		return 0;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &len) != 1) {
			log_warnx("%s: key %s: EC key of an unnamed curve",
			    tp->key_at, tp->key);
			return -1;
		}
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0 ||
		    strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0)
			return 0;
		log_warnx("%s: key %s: EC curve %s (P-256 and P-384 are "
		    "accepted)", tp->key_at, tp->key, group);
		return -1;
	default:
		log_warnx("%s: key %s: unsupported key type %s (RSA, EC P-256 "
		    "and P-384 are accepted)", tp->key_at, tp->key,
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
		return -1;
	}
}

static BIGNUM *
bn_one(void)
{
	BIGNUM	*b;

	if ((b = BN_new()) == NULL || BN_one(b) != 1)
		fatalx("BN_one");
	return b;
}

/* The certificate's public key with private numbers that are all 1. */
static int
make_stand_in(struct tls_pair_conf *tp, X509 *leaf)
{
	EVP_PKEY	*pub;
	const RSA	*rsa;
	const EC_KEY	*ec;
	const BIGNUM	*n, *e;
	RSA		*srsa;
	EC_KEY		*sec;
	BIGNUM		*one;
	BIO		*bio;
	BUF_MEM		*mem;
	int		 ok = 0;

	if ((pub = X509_get_pubkey(leaf)) == NULL)
		fatalx("X509_get_pubkey: %s", ossl_err());
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		fatalx("BIO_new");
	if ((rsa = EVP_PKEY_get0_RSA(pub)) != NULL) {
		RSA_get0_key(rsa, &n, &e, NULL);
		if ((srsa = RSA_new()) == NULL ||
		    RSA_set0_key(srsa, BN_dup(n), BN_dup(e), bn_one()) != 1 ||
		    RSA_set0_factors(srsa, bn_one(), bn_one()) != 1 ||
		    RSA_set0_crt_params(srsa, bn_one(), bn_one(), bn_one())
		    != 1)
			fatalx("stand-in RSA key");
		ok = PEM_write_bio_RSAPrivateKey(bio, srsa, NULL, NULL, 0,
		    NULL, NULL);
		RSA_free(srsa);
	} else if ((ec = EVP_PKEY_get0_EC_KEY(pub)) != NULL) {
		one = bn_one();
		if ((sec = EC_KEY_new()) == NULL ||
		    EC_KEY_set_group(sec, EC_KEY_get0_group(ec)) != 1 ||
		    EC_KEY_set_public_key(sec, EC_KEY_get0_public_key(ec)) != 1
		    || EC_KEY_set_private_key(sec, one) != 1)
			fatalx("stand-in EC key");
		ok = PEM_write_bio_ECPrivateKey(bio, sec, NULL, NULL, 0, NULL,
		    NULL);
		EC_KEY_free(sec);
		BN_free(one);
	}
	EVP_PKEY_free(pub);
	if (ok != 1) {
		log_warnx("%s: certificate %s: cannot make a stand-in for its "
		    "key: %s", tp->cert_at, tp->cert, ossl_err());
		BIO_free(bio);
		return -1;
	}
	BIO_get_mem_ptr(bio, &mem);
	if ((tp->stand_pem = malloc(mem->length + 1)) == NULL)
		fatal("malloc");
	memcpy(tp->stand_pem, mem->data, mem->length);
	tp->stand_pem[mem->length] = '\0';
	tp->stand_len = mem->length;
	BIO_free(bio);
	return 0;
}
