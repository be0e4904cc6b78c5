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
 * The messages our processes exchange over imsg, and their payloads.
 * Every payload is a fixed-size struct (or a fixed struct followed by a
 * bounded string, where said), checked for its exact size by the reader.
 */
#ifndef SWS_PROTO_H
#define SWS_PROTO_H

#include <stdint.h>

/* Numbered explicitly: the messages are a wire format between programs. */
enum imsg_type {
	IMSG_NONE = 0,
	/* parent -> relay */
	IMSG_CONF_LIMITS = 1,	/* struct relay_limits; starts a new set */
	IMSG_CONF_ORIGIN = 2,	/* NUL-terminated string, < 256 bytes */
	IMSG_CONF_END = 3,		/* no payload: apply the set */
	IMSG_LISTENER_ADD = 4,	/* struct imsg_listener + descriptor */
	IMSG_LISTENER_DEL = 5,	/* struct imsg_listener (id only) */
	IMSG_SHUTDOWN = 6,		/* no payload: close every session, exit */
	/* parent -> cryptod */
	IMSG_CRYPTOD_CONF = 7,	/* struct imsg_cryptod_conf; starts a set */
	IMSG_CRYPTOD_NAME = 8,	/* NUL-terminated server name, < 256 bytes */
	IMSG_CRYPTOD_CONF_END = 9,	/* no payload */
	/* relay -> cryptod */
	IMSG_CHALLENGE_REQ = 10,	/* struct imsg_sid */
	IMSG_VERIFY = 11,		/* struct imsg_verify */
	IMSG_FORGET = 12,		/* struct imsg_sid */
	/* cryptod -> relay */
	IMSG_CHALLENGE = 13,		/* struct imsg_challenge */
	IMSG_VERIFIED = 14,		/* struct imsg_verified */
	IMSG_REJECTED = 15,		/* struct imsg_rejected */
	/* relay -> parent */
	IMSG_RELAY_READY = 16,	/* no payload: settings applied */
	/* parent -> relay */
	IMSG_LISTENER_SET = 17,	/* struct imsg_listener: new options */
	/* parent -> relay: a TLS set, before CONF_END (see below) */
	IMSG_TLS_CONF = 18,		/* struct imsg_tls_conf; starts a set */
	IMSG_TLS_DATA = 19,		/* struct imsg_tls_chunk + bytes */
	IMSG_TLS_END = 20,		/* no payload: the set is complete */
	/* parent -> ca: the private keys */
	IMSG_CA_KEYS = 21,		/* no payload: starts a key set */
	IMSG_CA_KEY_DATA = 22,	/* 1 .. 16384 bytes of a PEM key */
	IMSG_CA_KEY_END = 23,	/* no payload: that key is complete */
	IMSG_CA_KEYS_END = 24,	/* no payload: the set is complete */
	/* relay -> ca, and its answer */
	IMSG_CA_SIGN = 25,		/* struct imsg_ca_req */
	IMSG_CA_SIGNATURE = 26,	/* struct imsg_ca_res */
	/* ca -> parent */
	IMSG_CA_READY = 27,		/* no payload: the key set is installed */
	/*
	 * The control socket (relayctl(8)): relayctl -> parent -> relay,
	 * and the answers back; the same framing on the socket as here.
	 */
	IMSG_CTL_REQ = 30,		/* struct imsg_ctl_req */
	IMSG_CTL_LINE = 31,		/* struct imsg_ctl_line: one row */
	IMSG_CTL_END = 32,		/* struct imsg_ctl_end: page done */
	/* parent -> every child */
	IMSG_CTL_VERBOSE = 33,	/* struct imsg_ctl_verbose */
	/* readiness and status, for the service manager (40..44) */
	IMSG_RELAY_STATUS = 40,	/* relay -> parent: struct imsg_status */
	IMSG_CRYPTOD_PING = 41,	/* parent -> cryptod: struct imsg_ping */
	IMSG_CRYPTOD_PONG = 42,	/* cryptod -> parent: the same ping back */
	/* relay -> cryptod, and its answer: /healthz on the admin listener */
	IMSG_PING = 45,			/* struct imsg_ping */
	IMSG_PONG = 46,			/* struct imsg_ping, the same token */
	/*
	 * Clusters (docs/ARCHITECTURE.md, "Clusters"): the parent gives
	 * relayd-cluster its settings; relay and bridge trade batches of
	 * node records, each split into IMSG_CLUSTER_CHUNK pieces.
	 */
	IMSG_CLUSTER_CONF = 50,	/* parent -> cluster: imsg_cluster_conf */
	IMSG_CLUSTER_URL = 51,	/* parent -> cluster: imsg_cluster_url */
	IMSG_CLUSTER_SECRET = 52,	/* parent -> cluster: the credential */
	IMSG_CLUSTER_CA = 53,	/* parent -> cluster: PEM, in chunks */
	IMSG_CLUSTER_CONF_END = 54,	/* parent -> cluster: connect now */
	IMSG_CLUSTER_NODE = 55,	/* parent -> relay: imsg_cluster_node */
	IMSG_CLUSTER_PUB = 56,	/* relay -> cluster: hdr + bytes */
	IMSG_CLUSTER_MSG = 57,	/* cluster -> relay: hdr + bytes */
	IMSG_CLUSTER_LINK = 58,	/* cluster -> relay: imsg_cluster_link */
	IMSG_MAX
};

#define LISTENER_PROXY	0x01	/* a PROXY protocol header comes first */
#define LISTENER_TLS	0x02	/* TLS, with the set of IMSG_TLS_* */
#define LISTENER_METRICS 0x04	/* the admin endpoint, not clients (admin.h) */

struct imsg_listener {
	int32_t		 id;
	uint32_t	 flags;			/* LISTENER_* */
	char		 name[256];
};

/* Every STATUS_SECS seconds while the relay runs. */
#define STATUS_SECS		2
struct imsg_status {
	uint32_t	 sessions;		/* connections open */
	uint32_t	 registered;		/* of them, registered */
	uint64_t	 delivered;		/* messages delivered, in total */
};

struct imsg_ping {
	uint64_t	 seq;			/* echoed as it came */
};

struct imsg_cryptod_conf {
	uint32_t	 registration_timeout;	/* seconds */
	uint32_t	 max_pending;		/* challenges held at once */
};

struct imsg_sid {
	uint64_t	 sid;
};

struct imsg_challenge {
	uint64_t	 sid;
	uint8_t		 challenge[32];
	uint8_t		 server_pk[32];
};

struct imsg_verify {
	uint64_t	 sid;
	uint8_t		 client_pk[32];
	uint8_t		 nonce[24];
	uint16_t	 box_len;		/* 48 .. 303 */
	uint8_t		 box[303];
};

struct imsg_verified {
	uint64_t	 sid;
	uint8_t		 proof[104];		/* nonce2 || box */
};

#define REJECT_BAD_PROOF	1
#define REJECT_BAD_BINDING	2
#define REJECT_TIMEOUT		3

struct imsg_rejected {
	uint64_t	 sid;
	uint32_t	 reason;		/* REJECT_* */
};

/*
 * TLS.  The parent reads certificates and keys.  The relay gets each
 * certificate chain, a stand-in private key built from the certificate's
 * public key alone, and an optional OCSP response, as chunks of
 * IMSG_TLS_DATA between TLS_CONF and TLS_END; the private keys go to
 * relayd: ca alone.  The relay's OpenSSL hooks send every private-key
 * operation to ca as one IMSG_CA_SIGN naming the key by the SHA-256 of
 * its DER SubjectPublicKeyInfo, and wait for the IMSG_CA_SIGNATURE.
 */
#define TLS_PAIRS_MAX		16	/* key pairs: the first, then by SNI */
#define TLS_PEM_MAX		(256 * 1024)	/* one certificate chain */
#define TLS_OCSP_MAX		(64 * 1024)	/* one OCSP response (DER) */
#define TLS_KEY_PEM_MAX		(64 * 1024)	/* one private key (PEM) */
#define TLS_CIPHERS_MAX		512
#define TLS_CHUNK_MAX		16384	/* bytes of one IMSG_TLS_DATA */

struct imsg_tls_conf {
	uint32_t	 protocols;		/* TLS_PROTOCOL_* of tls.h */
	uint32_t	 npairs;		/* 1 .. TLS_PAIRS_MAX */
	char		 ciphers[TLS_CIPHERS_MAX];	/* NUL-terminated */
};

#define TLS_DATA_CERT		1	/* PEM chain, leaf first */
#define TLS_DATA_KEY		2	/* the stand-in key, PEM */
#define TLS_DATA_OCSP		3	/* DER OCSP response */

struct imsg_tls_chunk {
	uint32_t	 pair;			/* 0 .. npairs - 1 */
	uint32_t	 what;			/* TLS_DATA_* */
};

#define CA_OP_RSA_PRIV_ENC	1	/* RSA_METHOD priv_enc */
#define CA_OP_ECDSA_SIGN	2	/* EC_KEY_METHOD sign */
#define CA_IO_MAX		1024	/* RSA up to 8192 bits */

struct imsg_ca_req {
	uint8_t		 keyid[32];
	uint32_t	 op;			/* CA_OP_* */
	uint32_t	 padding;		/* RSA_*_PADDING, RSA only */
	uint32_t	 len;			/* bytes of data used */
	uint8_t		 data[CA_IO_MAX];
};

struct imsg_ca_res {
	uint32_t	 ok;			/* 1 signed, 0 refused */
	uint32_t	 len;			/* bytes of sig used */
	uint8_t		 sig[CA_IO_MAX];
};

/*
 * The control socket.  relayctl sends one CTL_REQ at a time and reads
 * CTL_LINEs until a CTL_END; a listing comes in pages of at most
 * CTL_PAGE_MAX rows, and relayctl asks again with the cursor of the
 * CTL_END while its "more" is set.  The parent puts its own client id in
 * id, forwards what is the relay's to the relay, and copies the answers
 * (which carry the id back) to that client.
 */
#define CTL_SUMMARY		1	/* show summary */
#define CTL_SESSIONS		2	/* show sessions [KEY] */
#define CTL_ROOMS		3	/* show rooms */
#define CTL_LISTENERS		4	/* show listeners */
#define CTL_RELOAD		5	/* parent: what SIGHUP does */
#define CTL_LOG_VERBOSE		6	/* parent and every child */
#define CTL_LOG_BRIEF		7
#define CTL_KICK		8	/* close the key's sessions, 4002 */

#define CTL_PAGE_MAX		256	/* rows per CTL_END */
#define CTL_LINE_MAX		512	/* bytes of a row, NUL included */
#define CTL_ERROR_MAX		256

struct imsg_ctl_req {
	uint32_t	 id;			/* the parent's client id */
	uint32_t	 cmd;			/* CTL_* */
	uint64_t	 cursor;		/* 0 first, then CTL_END's */
	uint32_t	 haskey;		/* key is set (sessions, kick) */
	uint32_t	 limit;			/* rows wanted, 1 .. CTL_PAGE_MAX */
	uint8_t		 key[32];
};

struct imsg_ctl_line {
	uint32_t	 id;
	uint32_t	 pad;
	char		 line[CTL_LINE_MAX];	/* NUL-terminated */
};

#define CTL_OK			0
#define CTL_FAIL		1

struct imsg_ctl_end {
	uint32_t	 id;
	uint32_t	 status;		/* CTL_OK, CTL_FAIL */
	uint64_t	 cursor;		/* for the next page */
	uint32_t	 more;			/* 1: ask again with cursor */
	uint32_t	 pad;
	char		 error[CTL_ERROR_MAX];	/* NUL-terminated */
};

struct imsg_ctl_verbose {
	int32_t		 verbose;		/* log_setverbose() */
};

/*
 * Clusters.  Names (cluster and node) are 1 .. CLUSTER_NAME_MAX - 1
 * bytes of [A-Za-z0-9_-]: they go into NATS subjects as they are.
 */
#define CLUSTER_NAME_MAX	64
#define CLUSTER_URL_MAX		256
#define CLUSTER_URLS_MAX	16
#define CLUSTER_SECRET_MAX	8192	/* password, token, seed, creds */
#define CLUSTER_CA_MAX		(256 * 1024)
#define CLUSTER_BATCH_MAX	(1024 * 1024)	/* one NATS message */
/* bytes of a batch per imsg: with its header, below IMSG_MAX_PAYLOAD */
#define CLUSTER_CHUNK		16000

#define CLUSTER_AUTH_NONE	0
#define CLUSTER_AUTH_USER	1	/* user, secret = password */
#define CLUSTER_AUTH_TOKEN	2	/* secret = token */
#define CLUSTER_AUTH_NKEY	3	/* secret = the seed, "SU..." */
#define CLUSTER_AUTH_CREDS	4	/* secret = a .creds file (JWT, seed) */

struct imsg_cluster_conf {
	char		 name[CLUSTER_NAME_MAX];	/* the cluster's */
	char		 node[CLUSTER_NAME_MAX];	/* this node's */
	uint32_t	 timeout_ms;		/* the cluster timeout */
	uint32_t	 auth;			/* CLUSTER_AUTH_* */
	uint32_t	 tls;			/* 1: TLS to NATS */
	uint32_t	 pad;
	char		 user[CLUSTER_NAME_MAX * 4];	/* AUTH_USER */
	char		 tls_name[256];		/* expected in the certificate */
};

/* One server: nats://ADDRESS:PORT with the address resolved. */
struct imsg_cluster_url {
	char		 url[CLUSTER_URL_MAX];	/* NUL-terminated */
	uint32_t	 port;			/* for Landlock's rule */
	uint32_t	 pad;
};

/* What the relay needs: its node name and the timeout. */
struct imsg_cluster_node {
	char		 name[CLUSTER_NAME_MAX];
	char		 node[CLUSTER_NAME_MAX];
	uint32_t	 timeout_ms;
	uint32_t	 pad;
};

#define CLUSTER_DEST_ALL	1	/* every other node */
#define CLUSTER_DEST_NODE	2	/* the node named in hdr.node */
#define CLUSTER_MORE		0x01	/* more chunks of this batch follow */

/*
 * A chunk of a batch: PUB from the relay (dest and node say where it
 * goes), MSG to the relay (dest says which subject it came on).
 */
struct imsg_cluster_hdr {
	uint32_t	 dest;			/* CLUSTER_DEST_* */
	uint32_t	 flags;			/* CLUSTER_MORE */
	char		 node[CLUSTER_NAME_MAX];	/* DEST_NODE */
};

#define CLUSTER_LINK_DOWN	0	/* no NATS server: remote state gone */
#define CLUSTER_LINK_UP		1	/* connected (again): announce */

struct imsg_cluster_link {
	uint32_t	 state;			/* CLUSTER_LINK_* */
	uint32_t	 pad;
	char		 server[CLUSTER_URL_MAX];	/* the one in use */
};

#endif /* SWS_PROTO_H */
