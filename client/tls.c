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
 * wss://: TLS under the WebSocket, with OpenSSL through libevent's
 * bufferevent_openssl.  The relay's certificate chain is verified against
 * the system's CA store, or against the CA file of sws_config.ca_file
 * instead, and the certificate must name the host of the URL: a DNS name
 * (also sent as SNI), or the address of an IP literal.  TLS 1.2 at
 * least, ALPN "http/1.1".  The connection ends with a close_notify once
 * the WebSocket close handshake is over.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sws_local.h"

/* ALPN: one protocol, length-prefixed */
static const unsigned char alpn[] = "\010http/1.1";

/* The reason of the first system error, else of the last OpenSSL error. */
static const char *
tls_errstr(void)
{
	unsigned long	 e, last = 0;
	const char	*s;

	while ((e = ERR_get_error()) != 0) {
		if (ERR_SYSTEM_ERROR(e)) {
			ERR_clear_error();
			return strerror(ERR_GET_REASON(e));
		}
		last = e;
	}
	if (last == 0 || (s = ERR_reason_error_string(last)) == NULL)
		return "unknown error";
	return s;
}

/* 1 when the host of the URL is an IPv4 or IPv6 address. */
static int
host_is_ip(const char *host)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	return inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
}

/* The TLS context of a wss:// client; -1 with a message in err. */
int
tls_init(struct sws_client *c, const char *cafile, char *err, size_t errlen)
{
	SSL_CTX	*ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "cannot start TLS: %s", tls_errstr());
		return -1;
	}
	c->tls_ctx = ctx;
	c->tls_ip = host_is_ip(c->host);
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0) {
		snprintf(err, errlen, "cannot set up TLS: %s", tls_errstr());
		return -1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (cafile != NULL) {
		if (cafile[0] == '\0') {
			snprintf(err, errlen, "empty CA file name");
			return -1;
		}
		if (SSL_CTX_load_verify_file(ctx, cafile) != 1) {
			snprintf(err, errlen, "%s: cannot load CA file: %s",
			    cafile, tls_errstr());
			return -1;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(err, errlen, "cannot load the system's CA "
		    "certificates: %s", tls_errstr());
		return -1;
	}
	return 0;
}

void
tls_free(struct sws_client *c)
{
	SSL_CTX_free(c->tls_ctx);
	c->tls_ctx = NULL;
}

/*
 * A bufferevent for bufferevent_socket_connect() that does the TLS
 * handshake once connected (BEV_EVENT_CONNECTED follows the handshake),
 * or NULL.
 */
struct bufferevent *
tls_bev_new(struct sws_client *c)
{
	struct bufferevent	*bev;
	X509_VERIFY_PARAM	*vp;
	SSL			*ssl;

	ERR_clear_error();
	if ((ssl = SSL_new(c->tls_ctx)) == NULL)
		return NULL;
	vp = SSL_get0_param(ssl);
	if (c->tls_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, c->host) != 1) {
			SSL_free(ssl);
			return NULL;
		}
	} else {
		X509_VERIFY_PARAM_set_hostflags(vp,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (X509_VERIFY_PARAM_set1_host(vp, c->host, 0) != 1 ||
		    SSL_set_tlsext_host_name(ssl, c->host) != 1) {
			SSL_free(ssl);
			return NULL;
		}
	}
	/*
	 * With BEV_OPT_CLOSE_ON_FREE, libevent 2.1 frees the SSL itself
	 * when it fails here: not freed again.
	 */
	bev = bufferevent_openssl_socket_new(c->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;
	/* a relay that closes without close_notify is an EOF, not an error */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/*
 * The handshake failed or the connection broke: when TLS says why, set
 * the result and return 1; 0 when it was the socket (connect refused,
 * reset, ...).
 */
int
tls_failed(struct sws_client *c, int handshake)
{
	SSL		*ssl;
	unsigned long	 e, first = 0;
	long		 vr;
	const char	*s;

	if (c->tls_ctx == NULL || c->bev == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(c->bev)) == NULL)
		return 0;
	if (handshake && (vr = SSL_get_verify_result(ssl)) != X509_V_OK) {
		conn_set_result(c, "tls", "wss://%s: certificate verify "
		    "failed: %s", c->dialname,
		    X509_verify_cert_error_string(vr));
		return 1;
	}
	/*
	 * libevent queues OpenSSL's errors and also bare SSL_get_error()
	 * codes (SSL_ERROR_SYSCALL when the socket failed), of no library:
	 * only the first error of a library counts, system errors are the
	 * socket's.
	 */
	while ((e = bufferevent_get_openssl_error(c->bev)) != 0)
		if (first == 0 && !ERR_SYSTEM_ERROR(e) && ERR_GET_LIB(e) != 0)
			first = e;
	if (first == 0)
		return 0;
	if ((s = ERR_reason_error_string(first)) == NULL)
		s = "unknown error";
	if (handshake)
		conn_set_result(c, "tls", "wss://%s: TLS handshake failed: "
		    "%s", c->dialname, s);
	else
		conn_set_result(c, "lost", "connection to %s lost: TLS: %s",
		    c->dialname, s);
	return 1;
}

/* The handshake is done: note what was agreed. */
void
tls_connected(struct sws_client *c)
{
	const unsigned char	*proto;
	unsigned int		 plen;
	SSL			*ssl;

	if (c->tls_ctx == NULL || c->bev == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(c->bev)) == NULL)
		return;
	c->tls_open = 1;
	SSL_get0_alpn_selected(ssl, &proto, &plen);
	conn_debug(c, "%s, %s, certificate verified for %s%s%.*s",
	    SSL_get_version(ssl), SSL_get_cipher_name(ssl), c->host,
	    plen > 0 ? ", ALPN " : "", (int)plen, plen > 0 ?
	    (const char *)proto : "");
}

/*
 * Send close_notify, once, when everything before it has gone out (the
 * output buffer is empty once SSL_write took it all).  Best effort: the
 * socket is non-blocking and about to be closed.
 */
void
tls_close(struct sws_client *c)
{
	SSL	*ssl;

	if (!c->tls_open || c->bev == NULL)
		return;
	c->tls_open = 0;
	if ((ssl = bufferevent_openssl_get_ssl(c->bev)) == NULL ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) != 0)
		return;
	/* no DEBUG event here: the application may be our caller */
	ERR_clear_error();
	(void)SSL_shutdown(ssl);
	ERR_clear_error();
}
