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
	/* readiness and status, for the service manager (40..44) */
	IMSG_RELAY_STATUS = 40,	/* relay -> parent: struct imsg_status */
	IMSG_CRYPTOD_PING = 41,	/* parent -> cryptod: struct imsg_ping */
	IMSG_CRYPTOD_PONG = 42,	/* cryptod -> parent: the same ping back */
	IMSG_MAX
};

#define LISTENER_PROXY	0x01	/* a PROXY protocol header comes first */
#define LISTENER_TLS	0x02	/* TLS, with the set of IMSG_TLS_* */

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

#endif /* SWS_PROTO_H */
