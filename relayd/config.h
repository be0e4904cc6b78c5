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
 * The configuration of relayd as parsed from relayd.conf (parse.y), with
 * its defaults and semantic checks (config.c).  The parent owns a struct
 * relayd_conf; the relay is sent the fixed-size struct relay_limits and
 * the origin strings over imsg, cryptod the server names.
 */
#ifndef SWS_CONFIG_H
#define SWS_CONFIG_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>

#include "proto.h"	/* TLS_* sizes */
#include "proxy.h"	/* struct netaddr */

#define CONF_PATH_MAX		256	/* URL paths and names */
#define CONF_NAME_MAX		256	/* server names, origins */
#define CONF_TRUSTED_MAX	64	/* trusted proxy lines */
#define CONF_WHERE_MAX		(PATH_MAX + 16)	/* "file:line" */

/* Defaults (relayd.conf(5) documents the same values). */
#define DEFAULT_CONFIG		SWS_SYSCONFDIR "/relayd.conf"
#define DEFAULT_KEYFILE		SWS_SYSCONFDIR "/relayd/server.key"
#define DEFAULT_USER		"_relayd"
#define DEFAULT_CHROOT		"/var/empty"
#define DEFAULT_PATH		"/"
#define DEFAULT_CONTROL		"/run/relayd/relayd.sock"
#define CONF_CTL_PATH_MAX	108	/* sun_path */

/* Fixed-size settings, sent as one imsg to the relay. */
struct relay_limits {
	uint32_t	 max_conn;		/* max connections */
	uint32_t	 max_conn_per_addr;	/* max connections per address */
	uint32_t	 max_message;		/* max message size, bytes */
	uint32_t	 max_sessions_per_key;
	uint32_t	 rate;			/* rate limit N per second */
	uint32_t	 burst;			/* ... burst M */
	uint32_t	 send_buffer;		/* bytes per session */
	uint32_t	 rooms;			/* rooms on|off: 1|0 */
	uint32_t	 max_rooms;		/* max rooms per session */
	uint32_t	 max_room_members;
	uint32_t	 handshake_timeout;	/* seconds */
	uint32_t	 registration_timeout;	/* seconds */
	uint32_t	 ping_interval;		/* seconds */
	uint32_t	 idle_timeout;		/* seconds */
	/* admission control: rates per address, 0 is off */
	uint32_t	 hs_rate;		/* handshake rate N per second */
	uint32_t	 hs_burst;		/* ... burst M */
	uint32_t	 reg_rate;		/* registration rate N ... */
	uint32_t	 reg_burst;
	uint32_t	 max_pending;		/* max pending registrations */
	uint32_t	 max_pending_per_addr;	/* ... per address */
	uint32_t	 v4_prefix;		/* ipv4 prefix, 1..32 */
	uint32_t	 v6_prefix;		/* ipv6 prefix, 1..128 */
	uint32_t	 log_keys_full;		/* log keys full|short: 1|0 */
	uint32_t	 ntrusted;		/* trusted proxy lines */
	struct netaddr	 trusted[CONF_TRUSTED_MAX];
	char		 path[CONF_PATH_MAX];	/* relay path, "/" */
	char		 echo_path[CONF_PATH_MAX];	/* "" when off */
};

struct listen_conf {
	TAILQ_ENTRY(listen_conf) entry;
	struct sockaddr_storage	 ss;	/* address with port set */
	socklen_t		 sslen;
	int			 tls;
	int			 proxy;	/* PROXY protocol header first */
	int			 metrics;	/* the admin endpoint (admin.h) */
	char			 at[PATH_MAX + 16];	/* "file:line" */
	char			 name[CONF_NAME_MAX];	/* "127.0.0.1 port 8080" */
	int			 id;	/* parent: stable across reloads */
};
TAILQ_HEAD(listen_list, listen_conf);

/*
 * A TLS key pair: the first is served unless the client's SNI names
 * another's certificate.  The parser fills in the file names and where
 * each was given ("file:line", for errors); certs_load() (certs.c) reads
 * and checks the files and fills in the rest.
 */

struct tls_pair_conf {
	TAILQ_ENTRY(tls_pair_conf) entry;
	int			 is_default;	/* "tls certificate" etc. */
	char			 cert[PATH_MAX];
	char			 key[PATH_MAX];
	char			 ocsp[PATH_MAX];	/* "" for none */
	char			 cert_at[CONF_WHERE_MAX];
	char			 key_at[CONF_WHERE_MAX];
	char			 ocsp_at[CONF_WHERE_MAX];
	uint8_t			*cert_pem;	/* the chain, leaf first */
	size_t			 cert_len;
	uint8_t			*key_pem;	/* the private key: ca only */
	size_t			 key_len;
	uint8_t			*stand_pem;	/* its stand-in: the relay */
	size_t			 stand_len;
	uint8_t			*ocsp_der;
	size_t			 ocsp_len;
	long long		 not_after;	/* seconds since the epoch */
	char			 subject[CONF_NAME_MAX];
};
TAILQ_HEAD(tls_pair_list, tls_pair_conf);

struct conf_str {
	TAILQ_ENTRY(conf_str)	 entry;
	char			 s[CONF_NAME_MAX];
};
TAILQ_HEAD(str_list, conf_str);

/*
 * A cluster block.  The parser keeps the URLs as written; conf_check()
 * resolves each host to the addresses relayd-cluster connects to (it
 * has no resolver in its chroot) and reads the credential and CA files.
 */
#define CLUSTER_TIMEOUT_DEFAULT	3000	/* ms */

struct cluster_url {
	TAILQ_ENTRY(cluster_url) entry;
	char			 url[CLUSTER_URL_MAX];	/* as written */
	char			 host[CONF_NAME_MAX];
	uint16_t		 port;
	int			 tls;		/* tls:// */
	char			 at[CONF_WHERE_MAX];
};
TAILQ_HEAD(cluster_url_list, cluster_url);

struct cluster_conf {
	int			 on;
	char			 at[CONF_WHERE_MAX];	/* the block's line */
	char			 name[CLUSTER_NAME_MAX];
	char			 node[CLUSTER_NAME_MAX];
	uint32_t		 timeout_ms;
	uint32_t		 auth;		/* CLUSTER_AUTH_* */
	char			 user[CLUSTER_NAME_MAX * 4];
	char			 secret_file[PATH_MAX];	/* nkey, credentials */
	char			 secret_at[CONF_WHERE_MAX];
	char			*secret;	/* password, token, file text */
	size_t			 secret_len;
	char			 ca_file[PATH_MAX];	/* "" for none */
	char			 ca_at[CONF_WHERE_MAX];
	uint8_t			*ca_pem;
	size_t			 ca_len;
	char			 tls_name[CONF_NAME_MAX];
	int			 tls;
	struct cluster_url_list	 urls;
	/* conf_check(): the servers, resolved */
	struct imsg_cluster_url	 addrs[CLUSTER_URLS_MAX];
	size_t			 naddrs;
};

struct relayd_conf {
	struct relay_limits	 lim;
	struct cluster_conf	 cluster;
	struct listen_list	 listeners;
	struct str_list		 origins;
	struct str_list		 server_names;
	struct tls_pair_list	 tls_pairs;	/* the default first */
	int			 ntls_pairs;
	uint32_t		 tls_protocols;	/* TLS_PROTOCOL_* of tls.h */
	char			 tls_ciphers[TLS_CIPHERS_MAX];
	char			 keyfile[PATH_MAX];
	char			 user[64];
	char			 chroot[PATH_MAX];
	char			 ctl_path[CONF_CTL_PATH_MAX];	/* control socket */
	char			 ctl_group[64];	/* "" for root's */
	gid_t			 ctl_gid;
};

#define PARSE_NOCHECK_FILES	0x01	/* -n as non-root: skip key owner */

/*
 * Parse filename into a new configuration with defaults for everything
 * not set, then check it.  Errors are printed as "file:line: message"
 * (through log_warnx) and make it return NULL.  Macros given with -D are
 * added with cmdline_symset() before.
 */
struct relayd_conf	*parse_config(const char *filename, int flags);
int			 cmdline_symset(const char *);
void			 conf_free(struct relayd_conf *);
/* Semantic checks (config.c); log each problem, return the count. */
int			 conf_check(struct relayd_conf *, const char *filename);
/*
 * The part of them about the limits, which the relay applies again to
 * what the parent sends it: the relay sizes its buffers by them.
 */
int			 conf_check_limits(const struct relay_limits *,
			    const char *filename);
/* The limits a client is told in REGISTER_SUCCESS: maxBody per SPEC. */
uint32_t		 conf_max_body(const struct relay_limits *);

/*
 * certs.c: read and check every TLS key pair of conf (errors "file:line:
 * message", as the parser's), and log how soon each certificate
 * expires.  Returns the number of problems.
 */
int			 certs_load(struct relayd_conf *);
void			 certs_free(struct tls_pair_conf *);
void			 certs_expiry(const struct relayd_conf *);
/*
 * Read a whole regular file of 1 .. max bytes into a NUL-terminated
 * buffer; secret: refused when others may read it, wiped on failure.
 * Errors are logged as "at: path: why".
 */
int			 conf_read_file(const char *at, const char *path,
			    size_t max, int secret, uint8_t **, size_t *);
/*
 * clusterconf.c: the cluster block's files and servers: read the
 * credential and the CA, resolve every server.  Returns the number of
 * problems, logged.
 */
int			 cluster_conf_load(struct relayd_conf *);
void			 cluster_conf_free(struct cluster_conf *);
/* The number of listeners with tls. */
int			 conf_tls_listeners(const struct relayd_conf *);

#endif /* SWS_CONFIG_H */
