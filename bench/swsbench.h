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
 * swsbench: a load generator for the sws relay.  One process, one epoll
 * loop, many WebSocket clients that register with real X25519 crypto and
 * then speak sws/1 (docs/WIRE.md) on loopback.  This header is what the parts
 * share: the connection engine (net.c), the sws/1 encodings (wire.c),
 * the measurements (stats.c) and the modes (swsbench.c).
 *
 * Its wire constants below are its own on purpose, not common/sws1.h's:
 * the benchmark is a second, independent reading of the protocol, so a
 * mistake in the relay's constants cannot hide in both ends.  Only the
 * RFC 6455 framing (common/ws.c) is shared.
 */
#ifndef SWSBENCH_H
#define SWSBENCH_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "ws.h"

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

#define PROTO_JSON	0
#define PROTO_MSGPACK	1

#define KEY_LEN		32
#define NONCE_LEN	24
#define CHAL_LEN	32
#define PROOF_LEN	104	/* nonce 24 + tag 16 + challenge 32 + key 32 */
#define KEY_B64_LEN	43

#define TS_LEN		8	/* send time, ns, little endian, body start */
#define TS_SPAN		9	/* bytes encoded per message: 3 | 9 */
#define TS_SPAN_B64	12

#define MAX_RELAY_MSG	(1024 * 1024)	/* clients accept up to 1 MiB */

/* ------------------------------------------------------------------ */
/* wire.c: the parts of sws/1 a client needs, both encodings */

enum wtype {
	W_OTHER = 0,
	W_CHALLENGE,
	W_REGISTER_SUCCESS,
	W_REGISTER_FAILURE,
	W_MESSAGE,
	W_ACK,
	W_ERROR,
	W_JOINED,
	W_PRESENCE
};

enum wfield {
	F_TYPE = 0,
	F_SERVER,
	F_CHALLENGE,
	F_PUBLICKEY,
	F_PROOF,
	F_FROM,
	F_BODY,
	F_ROOM,
	F_CODE,
	F_REASON,
	F_LIMITS,
	F_MAX
};

/*
 * One decoded server message.  Spans point into the message: for JSON
 * the text between the quotes (base64url for byte fields, no escape
 * undone), for msgpack the str/bin bytes; F_LIMITS spans the raw value.
 */
struct wmsg {
	int		 proto;
	enum wtype	 type;
	const uint8_t	*f[F_MAX];
	size_t		 flen[F_MAX];
	int		 has_id;
	uint64_t	 id;
};

int	wire_decode(int, const uint8_t *, size_t, struct wmsg *);
/* Byte field to bytes; returns the length or -1. */
long	wire_bytes(const struct wmsg *, enum wfield, uint8_t *, size_t);
/* Length of the body in bytes (decoded), or -1 when absent. */
long	wire_body_len(const struct wmsg *);
/* The send time carried at the body's start; 0 when there is none. */
uint64_t wire_body_ts(const struct wmsg *);
/* limits.maxBody of REGISTER_SUCCESS, 0 when absent. */
uint64_t wire_max_body(const struct wmsg *);

size_t	wire_challenge_response(int, uint8_t *, size_t, const uint8_t *,
	    const uint8_t *, const uint8_t *, size_t);
size_t	wire_join(int, uint8_t *, size_t, const char *, uint64_t);
/*
 * A SEND to `to` or a PUBLISH to `room` is cut in three: a fixed prefix
 * (everything up to the body's bytes), the body, a fixed suffix.  The
 * prefix depends on the body's length (msgpack bin header).
 */
size_t	wire_send_prefix(int, uint8_t *, size_t, const uint8_t *, size_t);
size_t	wire_publish_prefix(int, uint8_t *, size_t, const char *, size_t);
size_t	wire_suffix(int, uint8_t *, size_t);
/* Bytes of a body of n bytes on the wire in this encoding. */
size_t	wire_body_enc_len(int, size_t);

/* ------------------------------------------------------------------ */
/* stats.c: latency histogram, /proc readings, output */

#define HIST_SUB_BITS	6
#define HIST_SUB	(1 << HIST_SUB_BITS)
#define HIST_BUCKETS	(HIST_SUB * 2 + HIST_SUB * 40)

struct hist {
	uint64_t	 n;
	uint64_t	 max;
	uint64_t	 sum;
	uint64_t	 b[HIST_BUCKETS];
};

void	hist_add(struct hist *, uint64_t);
/* The value below which a fraction q of the samples lie, in ns. */
uint64_t hist_quantile(const struct hist *, double);

uint64_t now_ns(void);
/* A number option in [lo, hi]; else a message and exit status 2. */
double	arg_num(const char *, double, double, const char *);
/* utime + stime of a process in seconds; -1 when unreadable. */
double	proc_cpu(pid_t);
/* CPU seconds all processors were busy since boot, from /proc/stat. */
double	machine_busy(void);
/* A field of /proc/PID/status in KiB ("VmRSS", "RssAnon"); -1 if none. */
long	proc_status_kb(pid_t, const char *);
/* The soft "Max open files" of a process; -1 when unreadable. */
long	proc_nofile(pid_t);
/* The process whose title starts with "relayd: relay" and that holds
 * the listening TCP socket of port; -1 when not found. */
pid_t	find_relay(int, int);
/* The child named "cryptod" of ppid; -1 when not found. */
pid_t	find_child(pid_t, const char *);
pid_t	proc_ppid(pid_t);

/* A small JSON writer for the report on stdout. */
struct jout {
	int		 first;
	int		 depth;
};
void	jo_begin(struct jout *);
void	jo_end(struct jout *);
void	jo_obj(struct jout *, const char *);
void	jo_close(struct jout *);
void	jo_str(struct jout *, const char *, const char *);
void	jo_u64(struct jout *, const char *, uint64_t);
void	jo_i64(struct jout *, const char *, int64_t);
void	jo_num(struct jout *, const char *, double, int);
void	jo_null(struct jout *, const char *);
void	jo_bool(struct jout *, const char *, int);
void	jo_hist_us(struct jout *, const char *, const struct hist *);

/* ------------------------------------------------------------------ */
/* net.c: the connection engine */

enum cstate {
	C_IDLE = 0,	/* no socket */
	C_CONNECTING,
	C_TLS,		/* wss://: the TLS handshake */
	C_HTTP,		/* upgrade sent, waiting for 101 */
	C_WAIT_CHAL,
	C_WAIT_REG,
	C_LIVE		/* registered */
};

struct ssl_st;

struct conn {
	int		 fd;
	struct ssl_st	*ssl;		/* wss:// */
	enum cstate	 state;
	uint32_t	 idx;
	uint8_t		 dirty;
	uint8_t		 want_out;	/* EPOLLOUT registered */
	uint8_t		 joined;
	uint8_t		 fresh_key;	/* new key pair per registration */
	struct ws_rx	 rx;

	uint8_t		*out;
	size_t		 out_off, out_len, out_cap;
	char		*head;		/* partial HTTP answer */
	size_t		 head_len;

	uint8_t		 pk[KEY_LEN];
	char		 pk_b64[KEY_B64_LEN + 1];
	uint8_t		 sk[KEY_LEN];
	uint8_t		 k[KEY_LEN];	/* crypto_box_beforenm(server, sk) */
	uint8_t		 k_ok;
	uint8_t		 challenge[CHAL_LEN];
	uint64_t	 t_start;	/* connect time, ns */

	/* mode data */
	struct conn	*peer;		/* pairs: partner; fanout: publisher */
	uint8_t		*pfx;		/* SEND or PUBLISH prefix */
	size_t		 pfx_len;
	uint32_t	 room;
	uint32_t	 is_pub;
	uint32_t	 is_acker;
};

/* The callbacks of a mode. */
struct mode_ops {
	void	(*registered)(struct conn *, const struct wmsg *);
	void	(*message)(struct conn *, const struct wmsg *);
	void	(*closed)(struct conn *, int);
};

struct errcount {
	char		 name[40];
	uint64_t	 n;
};
#define MAX_ERRNAMES	32

struct counters {
	uint64_t	 sent;		/* SEND / PUBLISH frames queued */
	uint64_t	 rcvd;		/* MESSAGE arrivals */
	uint64_t	 body_bytes;	/* body bytes of those */
	uint64_t	 wrong;		/* MESSAGE from the wrong sender */
	uint64_t	 regs;		/* REGISTER_SUCCESS */
	uint64_t	 reg_fail;
	uint64_t	 conn_fail;
	uint64_t	 closed;	/* live connections the relay closed */
	uint64_t	 other;		/* PRESENCE, ACK, JOINED, ... */
	uint64_t	 writes;
	uint64_t	 reads;
	uint64_t	 overflow;	/* messages not queued: output full */
	struct hist	 lat;
	struct errcount	 err[MAX_ERRNAMES];
};

struct bench {
	int		 proto;
	int		 family;
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	char		 host[96];	/* authority: binding and Host */
	char		 path[256];
	int		 port;
	uint8_t		 server_pk[KEY_LEN];
	int		 server_pk_known;
	int		 linger0;	/* close with RST */
	int		 tls;		/* wss:// */
	const char	*cafile;	/* -C: the CA to verify the relay by */
	struct ssl_ctx_st *ssl_ctx;
	uint64_t	 tls_handshakes;
	char		 req[1024];	/* the upgrade request */
	size_t		 req_len;
	char		 accept[32];	/* expected Sec-WebSocket-Accept */

	int		 ep;
	int		 timerfd;	/* pacing, or -1 */
	uint8_t		*rbuf;
	size_t		 rbuf_size;
	struct conn	**dirtyq;
	size_t		 ndirty;
	size_t		 ndirty_cap;
	uint64_t	 now;		/* ns, set after each epoll_wait */
	size_t		 out_limit;	/* per connection */
	uint64_t	 max_body;	/* from REGISTER_SUCCESS */
	uint64_t	 all_sent;	/* whole run, never reset */
	uint64_t	 all_rcvd;

	const struct mode_ops *ops;
	int		 verbose;

	size_t		 nlive;
	struct counters	 c;
};

extern struct bench	 B;

void	net_init(void);
int	net_parse_url(const char *);
void	conn_init(struct conn *, uint32_t);
int	conn_start(struct conn *);
void	conn_close(struct conn *);
void	conn_queue(struct conn *, int, const uint8_t *, size_t);
uint8_t	*conn_frame_begin(struct conn *, size_t);
void	conn_frame_end(struct conn *, size_t);
void	net_turn(int timeout_ms);
void	net_flush(void);
void	net_send_now(struct conn *);

#endif /* SWSBENCH_H */
