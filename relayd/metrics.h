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
 * The relay's counters, gauges and histograms, and their rendering in
 * the Prometheus text format (version 0.0.4) and as the lines of
 * `relayctl show summary'.  Counting is an increment of a uint64_t in
 * one array: the relay is one thread, and nothing is formatted until an
 * operator asks.  Gauges are not kept here but gathered by the caller
 * when asked (struct metrics_gauges), except the connections by state,
 * which change too often to be counted by a walk of every session.
 *
 * A bottom module: it includes no layer's header and calls no layer.
 */
#ifndef SWS_METRICS_H
#define SWS_METRICS_H

#include <stddef.h>
#include <stdint.h>

/*
 * One counter per series.  Series of a family (one metric name, told
 * apart by a label) are consecutive; metrics.c gives each its name,
 * label and help text.
 */
enum metric_id {
	M_ACCEPTED,
	/* sws_connections_refused_total{reason} */
	M_REFUSED_CAPACITY,	/* max connections, or not ready */
	M_REFUSED_PER_ADDRESS,	/* max connections per address */
	M_REFUSED_PENDING,	/* too many awaiting registration */
	M_REFUSED_RATE,		/* handshake or registration rate: 429 */
	M_REFUSED_PROXY,	/* PROXY header missing, bad, untrusted */
	M_REFUSED_TLS,		/* TLS handshake failed */
	M_PROXY_LOCAL,
	M_FORWARDED_BAD,	/* X-Forwarded-For/Forwarded not used */
	M_TLS_HANDSHAKES,
	/* sws_http_responses_total{status} */
	M_HTTP_101,
	M_HTTP_400,
	M_HTTP_403,
	M_HTTP_404,
	M_HTTP_426,
	M_HTTP_429,
	M_HTTP_431,
	M_HTTP_500,
	M_HTTP_503,
	M_REGISTERED,
	/* sws_registration_failures_total{reason} */
	M_REGFAIL_MALFORMED,
	M_REGFAIL_UNAVAILABLE,
	M_REGFAIL_BAD_PROOF,
	M_REGFAIL_BAD_BINDING,
	M_REGFAIL_TIMEOUT,
	/* sws_requests_total{type}: in the order of REQ_SEND .. REQ_PUBLISH */
	M_REQ_SEND,
	M_REQ_JOIN,
	M_REQ_LEAVE,
	M_REQ_PUBLISH,
	/* sws_requests_refused_total{reason} */
	M_REFUSE_MALFORMED,
	M_REFUSE_UNKNOWN_TYPE,
	M_REFUSE_OFFLINE,
	M_REFUSE_TOO_LARGE,
	M_REFUSE_RATE_LIMITED,
	M_REFUSE_BUSY,
	M_REFUSE_NOT_MEMBER,
	M_REFUSE_TOO_MANY_ROOMS,
	M_REFUSE_ROOM_FULL,
	M_REFUSE_UNAVAILABLE,
	/* sws_requests_refused_unanswered_total{reason}: no id, no ERROR */
	M_SILENT_MALFORMED,
	M_SILENT_UNKNOWN_TYPE,
	M_SILENT_OFFLINE,
	M_SILENT_TOO_LARGE,
	M_SILENT_RATE_LIMITED,
	M_SILENT_BUSY,
	M_SILENT_NOT_MEMBER,
	M_SILENT_TOO_MANY_ROOMS,
	M_SILENT_ROOM_FULL,
	M_SILENT_UNAVAILABLE,
	M_DELIVERED,
	M_PUBLISH_MISSED,
	M_MSG_IN,
	M_MSG_OUT,
	M_BYTES_IN,
	M_BYTES_OUT,
	/* sws_close_frames_sent_total{code}, then _received_ */
	M_CLOSE_SENT_1000,
	M_CLOSE_SENT_1001,
	M_CLOSE_SENT_1002,
	M_CLOSE_SENT_1003,
	M_CLOSE_SENT_1007,
	M_CLOSE_SENT_1008,
	M_CLOSE_SENT_1009,
	M_CLOSE_SENT_1011,
	M_CLOSE_SENT_1013,
	M_CLOSE_SENT_4001,
	M_CLOSE_SENT_4002,
	M_CLOSE_SENT_NONE,
	M_CLOSE_SENT_OTHER,
	M_CLOSE_RCVD_1000,
	M_CLOSE_RCVD_1001,
	M_CLOSE_RCVD_1002,
	M_CLOSE_RCVD_1003,
	M_CLOSE_RCVD_1007,
	M_CLOSE_RCVD_1008,
	M_CLOSE_RCVD_1009,
	M_CLOSE_RCVD_1011,
	M_CLOSE_RCVD_1013,
	M_CLOSE_RCVD_4001,
	M_CLOSE_RCVD_4002,
	M_CLOSE_RCVD_NONE,
	M_CLOSE_RCVD_OTHER,
	M_SEND_BUFFER_CLOSED,	/* full past the idle timeout: 1013 */
	/* clusters (cluster.c) */
	M_CLUSTER_BATCHES_OUT,
	M_CLUSTER_BATCHES_IN,
	M_CLUSTER_BYTES_OUT,
	M_CLUSTER_BYTES_IN,
	M_CLUSTER_SENDS_OUT,	/* SEND records to other nodes */
	M_CLUSTER_SENDS_IN,	/* SEND records from them */
	M_CLUSTER_TIMEOUTS,	/* SENDs another node did not answer */
	M_CLUSTER_NODES_DOWN,	/* nodes taken as down (silent, BYE) */
	M_CLUSTER_LINK_LOST,
	M_CLUSTER_BAD_BATCHES,
	M_NCOUNTERS
};

/* Histograms: upper bounds in microseconds (metrics.c), then +Inf. */
#define METRICS_NBUCKETS	16

enum metric_hist {
	H_REGISTRATION,		/* upgrade to REGISTER_SUCCESS */
	H_OUTPUT_WAIT,		/* output queued to written */
	H_NHIST
};

struct metrics_hist {
	uint64_t	 bucket[METRICS_NBUCKETS + 1];	/* not cumulative */
	uint64_t	 count;
	uint64_t	 sum_us;
};

/* Connections by session state (relay.h S_*), counted as they change. */
#define METRICS_NSTATES		8

struct metrics {
	uint64_t		 c[M_NCOUNTERS];
	struct metrics_hist	 h[H_NHIST];
	uint64_t		 state[METRICS_NSTATES];
	uint64_t		 queued;	/* output bytes not yet written */
};

extern struct metrics	metrics;

#define METRIC_INC(id)		(metrics.c[(id)]++)
#define METRIC_ADD(id, n)	(metrics.c[(id)] += (n))

/* What is gathered from the relay when the numbers are asked for. */
struct metrics_gauges {
	uint64_t	 sessions;
	uint64_t	 keys;
	uint64_t	 rooms;
	uint64_t	 pending;		/* awaiting registration */
	uint64_t	 cryptod_inflight;	/* requests at cryptod */
	uint64_t	 cryptod_queued;	/* requests not yet sent */
	uint64_t	 outbuf_pool;		/* idle output buffers */
	uint64_t	 heap;			/* bytes malloc has handed out */
	uint64_t	 listeners;
	/* clusters: all 0 without a cluster block */
	uint64_t	 cluster;		/* 1: a node of a cluster */
	uint64_t	 cluster_linked;	/* 1: the bridge has NATS */
	uint64_t	 cluster_nodes;		/* other nodes up */
	uint64_t	 cluster_keys;		/* keys other nodes hold */
	uint64_t	 cluster_pending;	/* SENDs waiting for them */
	int64_t		 start_time;		/* UNIX seconds */
	int64_t		 now;
};

/* A session's state changes; METRICS_NEW as from or to: it begins, ends. */
#define METRICS_NEW		255
void	metrics_state(uint8_t from, uint8_t to);
#define SET_STATE(s, st) do {						\
	metrics_state((s)->state, (st));				\
	(s)->state = (st);						\
} while (0)
void	metrics_observe(enum metric_hist, uint32_t us);
/* A microsecond clock for the histograms: it wraps in 71 minutes. */
uint32_t metrics_now_us(void);
void	metrics_close_sent(unsigned int code);
void	metrics_close_received(unsigned int code);
void	metrics_http(int status);
void	metrics_refused(const char *code, int answered);
void	metrics_regfail(const char *reason);

/*
 * Render into buf (at most len bytes, NUL-terminated): the bytes written
 * without the NUL, or 0 when they did not fit.
 */
size_t	metrics_prometheus(char *buf, size_t len,
	    const struct metrics_gauges *);
size_t	metrics_summary(char *buf, size_t len,
	    const struct metrics_gauges *);

/* The largest rendering: callers size their buffer by it. */
#define METRICS_TEXT_MAX	(64 * 1024)

#endif /* SWS_METRICS_H */
