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
	IMSG_MAX
};

#define LISTENER_PROXY	0x01	/* a PROXY protocol header comes first */

struct imsg_listener {
	int32_t		 id;
	uint32_t	 flags;			/* LISTENER_* */
	char		 name[256];
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

#endif /* SWS_PROTO_H */
