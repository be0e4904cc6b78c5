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
 * Counters and their renderings (metrics.h).  The table below is the
 * whole list of series: a name, a label or none, and the help text of
 * its family, given on the family's first row.  Names follow the
 * Prometheus conventions: counters end in _total, sizes are _bytes and
 * times _seconds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "sws1.h"

struct metrics	metrics;

struct metric_row {
	const char	*name;
	const char	*label;		/* `key="value"', or NULL */
	const char	*help;		/* the family's first row only */
};

#define FAMILY(id, n, l, h)	[id] = { n, l, h }
#define SERIES(id, n, l)	[id] = { n, l, NULL }

static const struct metric_row rows[M_NCOUNTERS] = {
	FAMILY(M_ACCEPTED, "sws_connections_accepted_total", NULL,
	    "TCP connections accepted on client listeners."),
	FAMILY(M_REFUSED_CAPACITY, "sws_connections_refused_total",
	    "reason=\"capacity\"",
	    "Connections refused before a WebSocket session, by reason."),
	SERIES(M_REFUSED_PER_ADDRESS, "sws_connections_refused_total",
	    "reason=\"per_address\""),
	SERIES(M_REFUSED_PENDING, "sws_connections_refused_total",
	    "reason=\"pending\""),
	SERIES(M_REFUSED_RATE, "sws_connections_refused_total",
	    "reason=\"rate\""),
	SERIES(M_REFUSED_PROXY, "sws_connections_refused_total",
	    "reason=\"proxy_header\""),
	SERIES(M_REFUSED_TLS, "sws_connections_refused_total",
	    "reason=\"tls_handshake\""),
	FAMILY(M_PROXY_LOCAL, "sws_proxy_local_total", NULL,
	    "PROXY protocol LOCAL connections (a proxy's health checks)."),
	FAMILY(M_FORWARDED_BAD, "sws_forwarded_unusable_total", NULL,
	    "Forwarding headers from a trusted proxy that could not be used."),
	FAMILY(M_TLS_HANDSHAKES, "sws_tls_handshakes_total", NULL,
	    "TLS handshakes completed."),
	FAMILY(M_HTTP_101, "sws_http_responses_total", "status=\"101\"",
	    "HTTP responses to upgrade requests, by status."),
	SERIES(M_HTTP_400, "sws_http_responses_total", "status=\"400\""),
	SERIES(M_HTTP_403, "sws_http_responses_total", "status=\"403\""),
	SERIES(M_HTTP_404, "sws_http_responses_total", "status=\"404\""),
	SERIES(M_HTTP_426, "sws_http_responses_total", "status=\"426\""),
	SERIES(M_HTTP_429, "sws_http_responses_total", "status=\"429\""),
	SERIES(M_HTTP_431, "sws_http_responses_total", "status=\"431\""),
	SERIES(M_HTTP_500, "sws_http_responses_total", "status=\"500\""),
	SERIES(M_HTTP_503, "sws_http_responses_total", "status=\"503\""),
	FAMILY(M_REGISTERED, "sws_registrations_total", NULL,
	    "Sessions registered (REGISTER_SUCCESS sent)."),
	FAMILY(M_REGFAIL_MALFORMED, "sws_registration_failures_total",
	    "reason=\"malformed\"",
	    "Registrations failed (REGISTER_FAILURE sent), by reason."),
	SERIES(M_REGFAIL_UNAVAILABLE, "sws_registration_failures_total",
	    "reason=\"unavailable\""),
	SERIES(M_REGFAIL_BAD_PROOF, "sws_registration_failures_total",
	    "reason=\"bad-proof\""),
	SERIES(M_REGFAIL_BAD_BINDING, "sws_registration_failures_total",
	    "reason=\"bad-binding\""),
	SERIES(M_REGFAIL_TIMEOUT, "sws_registration_failures_total",
	    "reason=\"timeout\""),
	FAMILY(M_REQ_SEND, "sws_requests_total", "type=\"SEND\"",
	    "Requests of registered sessions that decoded, by type."),
	SERIES(M_REQ_JOIN, "sws_requests_total", "type=\"JOIN\""),
	SERIES(M_REQ_LEAVE, "sws_requests_total", "type=\"LEAVE\""),
	SERIES(M_REQ_PUBLISH, "sws_requests_total", "type=\"PUBLISH\""),
	FAMILY(M_REFUSE_MALFORMED, "sws_requests_refused_total",
	    "reason=\"malformed\"",
	    "Messages of registered sessions refused, by ERROR code, "
	    "answered or not."),
	SERIES(M_REFUSE_UNKNOWN_TYPE, "sws_requests_refused_total",
	    "reason=\"unknown-type\""),
	SERIES(M_REFUSE_OFFLINE, "sws_requests_refused_total",
	    "reason=\"offline\""),
	SERIES(M_REFUSE_TOO_LARGE, "sws_requests_refused_total",
	    "reason=\"too-large\""),
	SERIES(M_REFUSE_RATE_LIMITED, "sws_requests_refused_total",
	    "reason=\"rate-limited\""),
	SERIES(M_REFUSE_BUSY, "sws_requests_refused_total",
	    "reason=\"busy\""),
	SERIES(M_REFUSE_NOT_MEMBER, "sws_requests_refused_total",
	    "reason=\"not-member\""),
	SERIES(M_REFUSE_TOO_MANY_ROOMS, "sws_requests_refused_total",
	    "reason=\"too-many-rooms\""),
	SERIES(M_REFUSE_ROOM_FULL, "sws_requests_refused_total",
	    "reason=\"room-full\""),
	SERIES(M_REFUSE_UNAVAILABLE, "sws_requests_refused_total",
	    "reason=\"unavailable\""),
	FAMILY(M_SILENT_MALFORMED, "sws_requests_refused_unanswered_total",
	    "reason=\"malformed\"",
	    "Of the refused, those without an id: dropped without an "
	    "ERROR."),
	SERIES(M_SILENT_UNKNOWN_TYPE, "sws_requests_refused_unanswered_total",
	    "reason=\"unknown-type\""),
	SERIES(M_SILENT_OFFLINE, "sws_requests_refused_unanswered_total",
	    "reason=\"offline\""),
	SERIES(M_SILENT_TOO_LARGE, "sws_requests_refused_unanswered_total",
	    "reason=\"too-large\""),
	SERIES(M_SILENT_RATE_LIMITED, "sws_requests_refused_unanswered_total",
	    "reason=\"rate-limited\""),
	SERIES(M_SILENT_BUSY, "sws_requests_refused_unanswered_total",
	    "reason=\"busy\""),
	SERIES(M_SILENT_NOT_MEMBER, "sws_requests_refused_unanswered_total",
	    "reason=\"not-member\""),
	SERIES(M_SILENT_TOO_MANY_ROOMS,
	    "sws_requests_refused_unanswered_total",
	    "reason=\"too-many-rooms\""),
	SERIES(M_SILENT_ROOM_FULL, "sws_requests_refused_unanswered_total",
	    "reason=\"room-full\""),
	SERIES(M_SILENT_UNAVAILABLE, "sws_requests_refused_unanswered_total",
	    "reason=\"unavailable\""),
	FAMILY(M_DELIVERED, "sws_deliveries_total", NULL,
	    "MESSAGEs queued to a recipient (SEND and PUBLISH)."),
	FAMILY(M_PUBLISH_MISSED, "sws_publish_missed_total", NULL,
	    "Room messages (PUBLISH, PRESENCE) a member missed: its output "
	    "was full."),
	FAMILY(M_MSG_IN, "sws_messages_received_total", NULL,
	    "WebSocket data messages received."),
	FAMILY(M_MSG_OUT, "sws_messages_sent_total", NULL,
	    "WebSocket data messages queued to clients."),
	FAMILY(M_BYTES_IN, "sws_received_bytes_total", NULL,
	    "Bytes read from clients (inside TLS where it is spoken)."),
	FAMILY(M_BYTES_OUT, "sws_sent_bytes_total", NULL,
	    "Bytes written to clients (inside TLS where it is spoken)."),
	FAMILY(M_CLOSE_SENT_1000, "sws_close_frames_sent_total",
	    "code=\"1000\"", "WebSocket close frames sent, by code."),
	SERIES(M_CLOSE_SENT_1001, "sws_close_frames_sent_total",
	    "code=\"1001\""),
	SERIES(M_CLOSE_SENT_1002, "sws_close_frames_sent_total",
	    "code=\"1002\""),
	SERIES(M_CLOSE_SENT_1003, "sws_close_frames_sent_total",
	    "code=\"1003\""),
	SERIES(M_CLOSE_SENT_1007, "sws_close_frames_sent_total",
	    "code=\"1007\""),
	SERIES(M_CLOSE_SENT_1008, "sws_close_frames_sent_total",
	    "code=\"1008\""),
	SERIES(M_CLOSE_SENT_1009, "sws_close_frames_sent_total",
	    "code=\"1009\""),
	SERIES(M_CLOSE_SENT_1011, "sws_close_frames_sent_total",
	    "code=\"1011\""),
	SERIES(M_CLOSE_SENT_1013, "sws_close_frames_sent_total",
	    "code=\"1013\""),
	SERIES(M_CLOSE_SENT_4001, "sws_close_frames_sent_total",
	    "code=\"4001\""),
	SERIES(M_CLOSE_SENT_4002, "sws_close_frames_sent_total",
	    "code=\"4002\""),
	SERIES(M_CLOSE_SENT_NONE, "sws_close_frames_sent_total",
	    "code=\"none\""),
	SERIES(M_CLOSE_SENT_OTHER, "sws_close_frames_sent_total",
	    "code=\"other\""),
	FAMILY(M_CLOSE_RCVD_1000, "sws_close_frames_received_total",
	    "code=\"1000\"", "WebSocket close frames received, by code."),
	SERIES(M_CLOSE_RCVD_1001, "sws_close_frames_received_total",
	    "code=\"1001\""),
	SERIES(M_CLOSE_RCVD_1002, "sws_close_frames_received_total",
	    "code=\"1002\""),
	SERIES(M_CLOSE_RCVD_1003, "sws_close_frames_received_total",
	    "code=\"1003\""),
	SERIES(M_CLOSE_RCVD_1007, "sws_close_frames_received_total",
	    "code=\"1007\""),
	SERIES(M_CLOSE_RCVD_1008, "sws_close_frames_received_total",
	    "code=\"1008\""),
	SERIES(M_CLOSE_RCVD_1009, "sws_close_frames_received_total",
	    "code=\"1009\""),
	SERIES(M_CLOSE_RCVD_1011, "sws_close_frames_received_total",
	    "code=\"1011\""),
	SERIES(M_CLOSE_RCVD_1013, "sws_close_frames_received_total",
	    "code=\"1013\""),
	SERIES(M_CLOSE_RCVD_4001, "sws_close_frames_received_total",
	    "code=\"4001\""),
	SERIES(M_CLOSE_RCVD_4002, "sws_close_frames_received_total",
	    "code=\"4002\""),
	SERIES(M_CLOSE_RCVD_NONE, "sws_close_frames_received_total",
	    "code=\"none\""),
	SERIES(M_CLOSE_RCVD_OTHER, "sws_close_frames_received_total",
	    "code=\"other\""),
	FAMILY(M_SEND_BUFFER_CLOSED, "sws_send_buffer_closes_total", NULL,
	    "Sessions closed (1013) for output full past the idle timeout."),
	FAMILY(M_CLUSTER_BATCHES_OUT, "sws_cluster_batches_sent_total", NULL,
	    "Batches of records sent to other nodes (one NATS message "
	    "each)."),
	FAMILY(M_CLUSTER_BATCHES_IN, "sws_cluster_batches_received_total",
	    NULL, "Batches of records received from other nodes."),
	FAMILY(M_CLUSTER_BYTES_OUT, "sws_cluster_sent_bytes_total", NULL,
	    "Bytes of the batches sent to other nodes."),
	FAMILY(M_CLUSTER_BYTES_IN, "sws_cluster_received_bytes_total", NULL,
	    "Bytes of the batches received from other nodes."),
	FAMILY(M_CLUSTER_SENDS_OUT, "sws_cluster_sends_forwarded_total", NULL,
	    "SENDs forwarded to other nodes, once per node."),
	FAMILY(M_CLUSTER_SENDS_IN, "sws_cluster_sends_received_total", NULL,
	    "SENDs other nodes forwarded here."),
	FAMILY(M_CLUSTER_TIMEOUTS, "sws_cluster_send_timeouts_total", NULL,
	    "SENDs answered before every node had: the cluster timeout or "
	    "the loss of NATS."),
	FAMILY(M_CLUSTER_NODES_DOWN, "sws_cluster_nodes_down_total", NULL,
	    "Other nodes taken as down: silent for the cluster timeout, or "
	    "stopped."),
	FAMILY(M_CLUSTER_LINK_LOST, "sws_cluster_link_lost_total", NULL,
	    "Times the cluster bridge lost NATS."),
	FAMILY(M_CLUSTER_BAD_BATCHES, "sws_cluster_bad_batches_total", NULL,
	    "Batches from NATS that were not ours, or held a bad record."),
};

static const struct {
	const char	*name;
	const char	*help;
} hists[H_NHIST] = {
	[H_REGISTRATION] = { "sws_registration_duration_seconds",
	    "From the upgrade to REGISTER_SUCCESS." },
	[H_OUTPUT_WAIT] = { "sws_output_queue_wait_seconds",
	    "How long the oldest byte of a write waited in its output queue." },
};

/* Upper bounds in microseconds. */
static const uint32_t bounds_us[METRICS_NBUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000, 10000000
};

static const char *state_names[METRICS_NSTATES] = {
	"http", "wait-challenge", "challenged", "verifying", "registered",
	"echo", "closing", "refused"
};

static const unsigned int close_codes[] = {
	1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1013, 4001, 4002
};
#define NCLOSE	(sizeof(close_codes) / sizeof(close_codes[0]))

static const char *error_codes[] = {
	SWS_E_MALFORMED, SWS_E_UNKNOWN_TYPE, SWS_E_OFFLINE, SWS_E_TOO_LARGE,
	SWS_E_RATE_LIMITED, SWS_E_BUSY, SWS_E_NOT_MEMBER,
	SWS_E_TOO_MANY_ROOMS, SWS_E_ROOM_FULL, SWS_E_UNAVAILABLE
};
#define NERROR	(sizeof(error_codes) / sizeof(error_codes[0]))

static const char *regfail_reasons[] = {
	SWS_E_MALFORMED, SWS_E_UNAVAILABLE, SWS_R_BAD_PROOF,
	SWS_R_BAD_BINDING, SWS_R_TIMEOUT
};
#define NREGFAIL (sizeof(regfail_reasons) / sizeof(regfail_reasons[0]))

void
metrics_state(uint8_t from, uint8_t to)
{
	if (from < METRICS_NSTATES && metrics.state[from] > 0)
		metrics.state[from]--;
	if (to < METRICS_NSTATES)
		metrics.state[to]++;
}

uint32_t
metrics_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000000 +
	    (uint64_t)ts.tv_nsec / 1000);
}

void
metrics_observe(enum metric_hist h, uint32_t us)
{
	struct metrics_hist	*mh = &metrics.h[h];
	size_t			 i;

	for (i = 0; i < METRICS_NBUCKETS && us > bounds_us[i]; i++)
		;
	mh->bucket[i]++;
	mh->count++;
	mh->sum_us += us;
}

static size_t
close_index(unsigned int code)
{
	size_t	 i;

	for (i = 0; i < NCLOSE; i++)
		if (close_codes[i] == code)
			return i;
	return code == 0 ? NCLOSE : NCLOSE + 1;	/* none, other */
}

void
metrics_close_sent(unsigned int code)
{
	METRIC_INC(M_CLOSE_SENT_1000 + close_index(code));
}

void
metrics_close_received(unsigned int code)
{
	METRIC_INC(M_CLOSE_RCVD_1000 + close_index(code));
}

void
metrics_http(int status)
{
	switch (status) {
	case 101: METRIC_INC(M_HTTP_101); break;
	case 400: METRIC_INC(M_HTTP_400); break;
	case 403: METRIC_INC(M_HTTP_403); break;
	case 404: METRIC_INC(M_HTTP_404); break;
	case 426: METRIC_INC(M_HTTP_426); break;
	case 429: METRIC_INC(M_HTTP_429); break;
	case 431: METRIC_INC(M_HTTP_431); break;
	case 503: METRIC_INC(M_HTTP_503); break;
	default: METRIC_INC(M_HTTP_500); break;	/* as http.c answers */
	}
}

void
metrics_refused(const char *code, int answered)
{
	size_t	 i;

	for (i = 0; i < NERROR; i++)
		if (strcmp(error_codes[i], code) == 0)
			break;
	if (i == NERROR)
		i = 0;		/* a code of ours not listed: a bug, counted */
	METRIC_INC(M_REFUSE_MALFORMED + i);
	if (!answered)
		METRIC_INC(M_SILENT_MALFORMED + i);
}

void
metrics_regfail(const char *reason)
{
	size_t	 i;

	for (i = 0; i < NREGFAIL; i++)
		if (strcmp(regfail_reasons[i], reason) == 0)
			break;
	METRIC_INC(M_REGFAIL_MALFORMED + (i < NREGFAIL ? i : 0));
}

/* An output buffer that says when it is full and never overflows. */
struct out {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 full;
};

static void __attribute__((__format__(printf, 2, 3)))
out_printf(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	o->len += (size_t)n;
}

static void
prom_family(struct out *o, const char *name, const char *type,
    const char *help)
{
	out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
prom_gauge(struct out *o, const char *name, const char *help, uint64_t v)
{
	prom_family(o, name, "gauge", help);
	out_printf(o, "%s %llu\n", name, (unsigned long long)v);
}

/* Microseconds as seconds, exactly: 1234 is 0.001234. */
static void
prom_us(struct out *o, uint64_t us)
{
	out_printf(o, "%llu.%06llu", (unsigned long long)(us / 1000000),
	    (unsigned long long)(us % 1000000));
}

static void
prom_hist(struct out *o, enum metric_hist h)
{
	const struct metrics_hist	*mh = &metrics.h[h];
	uint64_t			 cum = 0;
	size_t				 i;

	prom_family(o, hists[h].name, "histogram", hists[h].help);
	for (i = 0; i < METRICS_NBUCKETS; i++) {
		cum += mh->bucket[i];
		out_printf(o, "%s_bucket{le=\"", hists[h].name);
		prom_us(o, bounds_us[i]);
		out_printf(o, "\"} %llu\n", (unsigned long long)cum);
	}
	out_printf(o, "%s_bucket{le=\"+Inf\"} %llu\n", hists[h].name,
	    (unsigned long long)mh->count);
	out_printf(o, "%s_sum ", hists[h].name);
	prom_us(o, mh->sum_us);
	out_printf(o, "\n%s_count %llu\n", hists[h].name,
	    (unsigned long long)mh->count);
}

size_t
metrics_prometheus(char *buf, size_t len, const struct metrics_gauges *g)
{
	struct out	 o = { buf, 0, len, 0 };
	size_t		 i;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < M_NCOUNTERS; i++) {
		if (rows[i].help != NULL)
			prom_family(&o, rows[i].name, "counter", rows[i].help);
		if (rows[i].label != NULL)
			out_printf(&o, "%s{%s} %llu\n", rows[i].name,
			    rows[i].label, (unsigned long long)metrics.c[i]);
		else
			out_printf(&o, "%s %llu\n", rows[i].name,
			    (unsigned long long)metrics.c[i]);
	}
	prom_family(&o, "sws_connections", "gauge",
	    "Client connections open, by session state.");
	for (i = 0; i < METRICS_NSTATES; i++)
		out_printf(&o, "sws_connections{state=\"%s\"} %llu\n",
		    state_names[i], (unsigned long long)metrics.state[i]);
	prom_gauge(&o, "sws_sessions", "Registered sessions.", g->sessions);
	prom_gauge(&o, "sws_keys", "Keys with at least one session.",
	    g->keys);
	prom_gauge(&o, "sws_rooms", "Rooms with at least one member.",
	    g->rooms);
	prom_gauge(&o, "sws_output_queued_bytes",
	    "Bytes queued to clients and not yet written.", metrics.queued);
	prom_gauge(&o, "sws_registrations_pending",
	    "Connections upgraded and not yet registered.", g->pending);
	prom_gauge(&o, "sws_cryptod_requests_inflight",
	    "Requests sent to cryptod and not yet answered.",
	    g->cryptod_inflight);
	prom_gauge(&o, "sws_cryptod_requests_queued",
	    "Requests waiting in the relay to be sent to cryptod.",
	    g->cryptod_queued);
	prom_gauge(&o, "sws_output_buffers_idle",
	    "Output buffers kept for reuse.", g->outbuf_pool);
	prom_gauge(&o, "sws_relay_heap_bytes",
	    "Bytes the relay process has allocated from malloc.", g->heap);
	prom_gauge(&o, "sws_listeners", "Client listeners open.",
	    g->listeners);
	if (g->cluster) {
		prom_gauge(&o, "sws_cluster_linked",
		    "1 while the cluster bridge is connected to NATS.",
		    g->cluster_linked);
		prom_gauge(&o, "sws_cluster_nodes",
		    "Other nodes of the cluster heard from within the "
		    "cluster timeout.", g->cluster_nodes);
		prom_gauge(&o, "sws_cluster_remote_keys",
		    "Keys with sessions on other nodes.", g->cluster_keys);
		prom_gauge(&o, "sws_cluster_sends_pending",
		    "SENDs waiting for other nodes' answers.",
		    g->cluster_pending);
	}
	prom_gauge(&o, "sws_start_time_seconds",
	    "When the relay process started, in seconds since the epoch.",
	    (uint64_t)g->start_time);
	for (i = 0; i < H_NHIST; i++)
		prom_hist(&o, (enum metric_hist)i);
	return o.full ? 0 : o.len;
}

/*
 * "sws_registration_failures_total" as "registration failures", a
 * histogram's name without its unit.
 */
static void
summary_name(struct out *o, const char *name)
{
	size_t	 len, i;
	char	 c;

	name += strlen("sws_");
	len = strlen(name);
	if (len > 6 && strcmp(name + len - 6, "_total") == 0)
		len -= 6;
	else if (len > 8 && strcmp(name + len - 8, "_seconds") == 0)
		len -= 8;
	for (i = 0; i < len; i++) {
		c = name[i] == '_' ? ' ' : name[i];
		out_printf(o, "%c", c);
	}
}

/* The counters of a family, on one line: "name: label=value ...". */
static void
summary_family(struct out *o, size_t *ip)
{
	size_t		 i = *ip, start = *ip;
	const char	*v, *q;

	summary_name(o, rows[i].name);
	if (rows[i].label == NULL) {
		out_printf(o, ": %llu\n", (unsigned long long)metrics.c[i]);
		*ip = i + 1;
		return;
	}
	out_printf(o, ":");
	for (; i < M_NCOUNTERS && (i == start || rows[i].help == NULL); i++) {
		/* `reason="busy"' shows as busy=N */
		if ((v = strchr(rows[i].label, '"')) == NULL)
			continue;
		q = strchr(v + 1, '"');
		out_printf(o, " %.*s=%llu", q != NULL ? (int)(q - v - 1) : 0,
		    v + 1, (unsigned long long)metrics.c[i]);
	}
	out_printf(o, "\n");
	*ip = i;
}

size_t
metrics_summary(char *buf, size_t len, const struct metrics_gauges *g)
{
	struct out	 o = { buf, 0, len, 0 };
	uint64_t	 nconn = 0;
	size_t		 i;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	out_printf(&o, "uptime: %lld s\n", (long long)(g->now - g->start_time));
	for (i = 0; i < METRICS_NSTATES; i++)
		nconn += metrics.state[i];
	out_printf(&o, "connections: %llu\n", (unsigned long long)nconn);
	for (i = 0; i < METRICS_NSTATES; i++)
		out_printf(&o, "  %s: %llu\n", state_names[i],
		    (unsigned long long)metrics.state[i]);
	out_printf(&o, "sessions: %llu\nkeys: %llu\nrooms: %llu\n"
	    "listeners: %llu\n", (unsigned long long)g->sessions,
	    (unsigned long long)g->keys, (unsigned long long)g->rooms,
	    (unsigned long long)g->listeners);
	if (g->cluster)
		out_printf(&o, "cluster: %s, %llu other nodes up, %llu remote "
		    "keys, %llu sends waiting\n", g->cluster_linked ? "linked" :
		    "NATS out of reach", (unsigned long long)g->cluster_nodes,
		    (unsigned long long)g->cluster_keys,
		    (unsigned long long)g->cluster_pending);
	out_printf(&o, "pending registrations: %llu\n"
	    "cryptod requests in flight: %llu\n"
	    "cryptod requests queued: %llu\n", (unsigned long long)g->pending,
	    (unsigned long long)g->cryptod_inflight,
	    (unsigned long long)g->cryptod_queued);
	out_printf(&o, "output queued: %llu bytes\noutput buffers idle: %llu\n"
	    "relay heap: %llu bytes\n", (unsigned long long)metrics.queued,
	    (unsigned long long)g->outbuf_pool, (unsigned long long)g->heap);
	for (i = 0; i < M_NCOUNTERS; )
		summary_family(&o, &i);
	for (i = 0; i < H_NHIST; i++) {
		summary_name(&o, hists[i].name);
		out_printf(&o, ": count=%llu mean=%lluus\n",
		    (unsigned long long)metrics.h[i].count,
		    (unsigned long long)(metrics.h[i].count ?
		    metrics.h[i].sum_us / metrics.h[i].count : 0));
	}
	return o.full ? 0 : o.len;
}
