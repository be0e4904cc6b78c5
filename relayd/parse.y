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
 * The relayd.conf(5) grammar.  A hand-written lexer feeds byacc: words are
 * looked up in a sorted keyword table, "$name" is replaced by the text of
 * a macro and lexed again, and "include" pushes another file with its own
 * line numbers.  Errors name the file and line, parsing goes on to report
 * as many as it can, and any error makes parse_config() return NULL.
 * Values that belong to one statement are checked here, where the line is
 * known; checks that involve several settings or the file system are in
 * conf_check() (config.c).
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include "log.h"
#include "config.h"
#include "limit.h"
#include "sws1.h"

#define TOKEN_MAX	8192	/* longest word or quoted string */
#define INCLUDE_DEPTH	16	/* nested include files */
#define UNGET_MAX	4	/* characters pushed back per file */
#define LISTEN_TLS	0x01	/* listener options */
#define LISTEN_PROXY	0x02
#define LISTEN_METRICS	0x04	/* "metrics listen on" */
#define TLS_F_CERT	1	/* tls_file() */
#define TLS_F_KEY	2
#define TLS_F_OCSP	3

/* byacc's destructor is handed a debug message that we do not print. */
#define YYDESTRUCT_DECL() \
	yydestruct(__attribute__((__unused__)) const char *msg, int psymb, \
	    YYSTYPE *val)

/* One file being read: the main file or an included one. */
struct input {
	TAILQ_ENTRY(input)	 entry;
	FILE			*fp;
	char			*name;
	int			 lineno;
	int			 nextline;	/* a '\n' was returned */
	int			 startnl;	/* return '\n' first */
	int			 eofnl;		/* '\n' returned at EOF */
	int			 ungot[UNGET_MAX];
	int			 nungot;
};
TAILQ_HEAD(input_stack, input);

/* A macro: "-D name=value" ones persist across parse_config() calls. */
struct macro {
	TAILQ_ENTRY(macro)	 entry;
	char			*name;
	char			*value;
	int			 persist;
};
TAILQ_HEAD(macro_list, macro);

static struct input_stack	 inputs = TAILQ_HEAD_INITIALIZER(inputs);
static struct macro_list	 macros = TAILQ_HEAD_INITIALIZER(macros);
static struct input		*cur;		/* file being read */
static int			 ninputs;
static int			 parse_errors;
static int			 lex_failed;	/* the lexer reported this token */
static struct relayd_conf	*conf;

/* The text of the macro being expanded; no expansion nests in another. */
static char			*expand_buf;
static size_t			 expand_pos, expand_len;

int		 yylex(void);
void		 yyerror(const char *);
int		 yyparse(void);

static void	 parse_warnx(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static struct input *input_open(const char *, char *, size_t);
static void	 input_close(struct input *);
static void	 input_push(const char *);
static void	 inputs_clear(void);
static int	 lgetc(void);
static void	 lungetc(int);
static int	 is_word_char(int);
static int	 is_macro_name(const char *);
static const char *macro_get(const char *);
static int	 macro_set(const char *, const char *, int);
static void	 macros_clear(void);
static int	 get_u32(int64_t, const char *, uint32_t *);
static int	 parse_size(const char *, int64_t *);
static int	 set_string(char *, size_t, const char *, const char *);
static void	 listen_add(const char *, int64_t, int);
static void	 trusted_add(const char *);
static void	 tls_file(int, const char *);
static void	 tls_keypair(const char *, const char *, const char *);
static void	 control_set(const char *, const char *);
static void	 rate_set(uint32_t *, uint32_t *, int64_t, int64_t,
		    const char *);
static int	 str_add(struct str_list *, const char *, const char *);
static void	 conf_defaults(struct relayd_conf *);
static void	 cluster_begin(const char *);
static void	 cluster_end(void);
static int	 cluster_name_ok(const char *, const char *);
static void	 cluster_url_add(const char *);
static int	 cluster_auth_set(uint32_t, const char *, const char *);
static int	 check_key_owner(const struct relayd_conf *, const char *);
%}

%union {
	int64_t		 number;
	char		*string;
}

%token	ADDRESS BUFFER BURST CERTIFICATE CHROOT CONNECTIONS ECHO HANDSHAKE
%token	IDLE INCLUDE INTERVAL IPV4 IPV6 KEY LIMIT LISTEN MAX MEMBERS MESSAGE
%token	NAME OFF ON ORIGIN PATH PENDING PER PING PORT PREFIX PROTOCOL PROXY
%token	RATE REGISTRATION REGISTRATIONS ROOM ROOMS SECOND SEND SERVER SESSION
%token	SESSIONS SIZE TIMEOUT TLS TRUSTED USER KEYPAIR OCSP PROTOCOLS CIPHERS
%token	CONTROL SOCKET GROUP
%token	LOG KEYS FULL SHORT
%token	ERROR METRICS
%token	CLUSTER NODE NATS PASSWORD TOKEN NKEY CREDENTIALS CA
%token	<string>	STRING
%token	<number>	NUMBER
%type	<number>	size onoff number32 listenopts listenopt
%type	<string>	tlsocsp ctlgroup
%destructor		{ free($$); } <string>

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar cluster '\n'
		| grammar error '\n'		{ yyerrok; }
		;

include		: INCLUDE STRING		{
			input_push($2);
			free($2);
		}
		;

varset		: STRING '=' STRING		{
			if (!is_macro_name($1))
				parse_warnx("invalid macro name \"%s\"", $1);
			else if (macro_set($1, $3, 0) == -1)
				parse_warnx("cannot define macro \"%s\"", $1);
			free($1);
			free($3);
		}
		| STRING '=' NUMBER		{
			char	 buf[32];

			(void)snprintf(buf, sizeof(buf), "%lld",
			    (long long)$3);
			if (!is_macro_name($1))
				parse_warnx("invalid macro name \"%s\"", $1);
			else if (macro_set($1, buf, 0) == -1)
				parse_warnx("cannot define macro \"%s\"", $1);
			free($1);
		}
		;

main		: LISTEN ON STRING PORT NUMBER listenopts {
			listen_add($3, $5, $6);
			free($3);
		}
		| METRICS LISTEN ON STRING PORT NUMBER {
			listen_add($4, $6, LISTEN_METRICS);
			free($4);
		}
		| TRUSTED PROXY STRING		{
			trusted_add($3);
			free($3);
		}
		| IPV4 PREFIX number32		{
			if ($3 < 1 || $3 > 32)
				parse_warnx("ipv4 prefix %lld is out of range "
				    "(1-32)", (long long)$3);
			else
				conf->lim.v4_prefix = (uint32_t)$3;
		}
		| IPV6 PREFIX number32		{
			if ($3 < 1 || $3 > 128)
				parse_warnx("ipv6 prefix %lld is out of range "
				    "(1-128)", (long long)$3);
			else
				conf->lim.v6_prefix = (uint32_t)$3;
		}
		| HANDSHAKE RATE number32 PER SECOND BURST number32 {
			rate_set(&conf->lim.hs_rate, &conf->lim.hs_burst,
			    $3, $7, "handshake rate");
		}
		| HANDSHAKE RATE OFF		{
			conf->lim.hs_rate = conf->lim.hs_burst = 0;
		}
		| REGISTRATION RATE number32 PER SECOND BURST number32 {
			rate_set(&conf->lim.reg_rate, &conf->lim.reg_burst,
			    $3, $7, "registration rate");
		}
		| REGISTRATION RATE OFF		{
			conf->lim.reg_rate = conf->lim.reg_burst = 0;
		}
		| MAX PENDING REGISTRATIONS number32 {
			conf->lim.max_pending = (uint32_t)$4;
		}
		| MAX PENDING REGISTRATIONS PER ADDRESS number32 {
			conf->lim.max_pending_per_addr = (uint32_t)$6;
		}
		| PATH STRING			{
			if ($2[0] != '/')
				parse_warnx("path must start with '/'");
			else
				(void)set_string(conf->lim.path,
				    sizeof(conf->lim.path), $2, "path");
			free($2);
		}
		| ECHO PATH STRING		{
			if ($3[0] != '/')
				parse_warnx("echo path must start with '/'");
			else
				(void)set_string(conf->lim.echo_path,
				    sizeof(conf->lim.echo_path), $3,
				    "echo path");
			free($3);
		}
		| KEY STRING			{
			(void)set_string(conf->keyfile, sizeof(conf->keyfile),
			    $2, "key file name");
			free($2);
		}
		| SERVER NAME STRING		{
			(void)str_add(&conf->server_names, $3, "server name");
			free($3);
		}
		| ORIGIN STRING			{
			(void)str_add(&conf->origins, $2, "origin");
			free($2);
		}
		| USER STRING			{
			(void)set_string(conf->user, sizeof(conf->user), $2,
			    "user name");
			free($2);
		}
		| CHROOT STRING			{
			(void)set_string(conf->chroot, sizeof(conf->chroot),
			    $2, "chroot directory");
			free($2);
		}
		| MAX CONNECTIONS number32	{
			conf->lim.max_conn = (uint32_t)$3;
		}
		| MAX CONNECTIONS PER ADDRESS number32 {
			conf->lim.max_conn_per_addr = (uint32_t)$5;
		}
		| MAX MESSAGE SIZE size		{
			conf->lim.max_message = (uint32_t)$4;
		}
		| MAX SESSIONS PER KEY number32	{
			conf->lim.max_sessions_per_key = (uint32_t)$5;
		}
		| RATE LIMIT number32 PER SECOND BURST number32 {
			if ((uint64_t)$3 > RATE_MAX)
				parse_warnx("rate limit %lld per second is "
				    "above %u", (long long)$3, RATE_MAX);
			if ((uint64_t)$7 > BURST_MAX)
				parse_warnx("rate limit burst %lld is above %u",
				    (long long)$7, BURST_MAX);
			conf->lim.rate = (uint32_t)$3;
			conf->lim.burst = (uint32_t)$7;
		}
		| SEND BUFFER size		{
			conf->lim.send_buffer = (uint32_t)$3;
		}
		| ROOMS onoff			{
			conf->lim.rooms = (uint32_t)$2;
		}
		| MAX ROOMS PER SESSION number32 {
			conf->lim.max_rooms = (uint32_t)$5;
		}
		| MAX ROOM MEMBERS number32	{
			conf->lim.max_room_members = (uint32_t)$4;
		}
		| HANDSHAKE TIMEOUT number32	{
			conf->lim.handshake_timeout = (uint32_t)$3;
		}
		| REGISTRATION TIMEOUT number32	{
			conf->lim.registration_timeout = (uint32_t)$3;
		}
		| PING INTERVAL number32	{
			conf->lim.ping_interval = (uint32_t)$3;
		}
		| LOG KEYS FULL			{
			conf->lim.log_keys_full = 1;
		}
		| LOG KEYS SHORT		{
			conf->lim.log_keys_full = 0;
		}
		| IDLE TIMEOUT number32		{
			conf->lim.idle_timeout = (uint32_t)$3;
		}
		| TLS CERTIFICATE STRING	{
			tls_file(TLS_F_CERT, $3);
			free($3);
		}
		| TLS KEY STRING		{
			tls_file(TLS_F_KEY, $3);
			free($3);
		}
		| TLS OCSP STRING		{
			tls_file(TLS_F_OCSP, $3);
			free($3);
		}
		| TLS KEYPAIR CERTIFICATE STRING KEY STRING tlsocsp {
			tls_keypair($4, $6, $7);
			free($4);
			free($6);
			free($7);
		}
		| TLS PROTOCOLS STRING		{
			uint32_t	 p;

			if (tls_config_parse_protocols(&p, $3) == -1 ||
			    p == 0)
				parse_warnx("invalid tls protocols \"%s\"", $3);
			else
				conf->tls_protocols = p;
			free($3);
		}
		| CONTROL SOCKET STRING ctlgroup {
			control_set($3, $4);
			free($3);
			free($4);
		}
		| TLS CIPHERS STRING		{
			(void)set_string(conf->tls_ciphers,
			    sizeof(conf->tls_ciphers), $3, "tls ciphers");
			free($3);
		}
		;

/*
 * cluster "name" {
 *	node "a"
 *	nats "nats://10.0.0.1:4222"
 *	...
 * }
 */
cluster		: CLUSTER STRING '{' {
			cluster_begin($2);
			free($2);
		} '\n' clusterbody '}' {
			cluster_end();
		}
		;

clusterbody	: /* empty */
		| clusterbody '\n'
		| clusterbody clusteropt '\n'
		| clusterbody error '\n'	{ yyerrok; }
		;

clusteropt	: NODE STRING			{
			if (cluster_name_ok($2, "node name"))
				(void)set_string(conf->cluster.node,
				    sizeof(conf->cluster.node), $2,
				    "node name");
			free($2);
		}
		| NATS STRING			{
			cluster_url_add($2);
			free($2);
		}
		| USER STRING PASSWORD STRING	{
			if (cluster_auth_set(CLUSTER_AUTH_USER, $4, NULL))
				(void)set_string(conf->cluster.user,
				    sizeof(conf->cluster.user), $2,
				    "NATS user");
			free($2);
			free($4);
		}
		| TOKEN STRING			{
			(void)cluster_auth_set(CLUSTER_AUTH_TOKEN, $2, NULL);
			free($2);
		}
		| NKEY STRING			{
			(void)cluster_auth_set(CLUSTER_AUTH_NKEY, NULL, $2);
			free($2);
		}
		| CREDENTIALS STRING		{
			(void)cluster_auth_set(CLUSTER_AUTH_CREDS, NULL, $2);
			free($2);
		}
		| TLS CA STRING			{
			if (set_string(conf->cluster.ca_file,
			    sizeof(conf->cluster.ca_file), $3, "CA file") == 0)
				(void)snprintf(conf->cluster.ca_at,
				    sizeof(conf->cluster.ca_at), "%s:%d",
				    cur->name, cur->lineno);
			conf->cluster.tls = 1;
			free($3);
		}
		| TLS NAME STRING		{
			(void)set_string(conf->cluster.tls_name,
			    sizeof(conf->cluster.tls_name), $3,
			    "tls name");
			conf->cluster.tls = 1;
			free($3);
		}
		| TIMEOUT number32		{
			if ($2 < 1 || $2 > 60)
				parse_warnx("cluster timeout %lld is out of "
				    "range (1-60 seconds)", (long long)$2);
			else
				conf->cluster.timeout_ms = (uint32_t)$2 * 1000;
		}
		;

ctlgroup	: /* empty */			{ $$ = NULL; }
		| GROUP STRING			{ $$ = $2; }
		;

tlsocsp		: /* empty */			{ $$ = NULL; }
		| OCSP STRING			{ $$ = $2; }
		;

listenopts	: /* empty */			{ $$ = 0; }
		| listenopts listenopt		{
			if ($1 & $2)
				parse_warnx("listener option given twice");
			$$ = $1 | $2;
		}
		;

listenopt	: PROXY PROTOCOL		{ $$ = LISTEN_PROXY; }
		| TLS				{ $$ = LISTEN_TLS; }
		;

onoff		: ON				{ $$ = 1; }
		| OFF				{ $$ = 0; }
		;

/* An unsigned 32-bit count or number of seconds. */
number32	: NUMBER			{
			uint32_t	 v = 0;

			(void)get_u32($1, "number", &v);
			$$ = v;
		}
		;

/* A byte count, with an optional K (1024) or M (1048576) suffix. */
size		: NUMBER			{
			uint32_t	 v = 0;

			(void)get_u32($1, "size", &v);
			$$ = v;
		}
		| STRING			{
			int64_t	 v = 0;

			if (parse_size($1, &v) == -1)
				v = 0;
			free($1);
			$$ = v;
		}
		;

%%

static const struct keyword {
	const char	*k_name;
	int		 k_val;
} keywords[] = {
	/* sorted by strcmp(3): looked up with bsearch(3) */
	{ "address",		ADDRESS },
	{ "buffer",		BUFFER },
	{ "burst",		BURST },
	{ "ca",			CA },
	{ "certificate",	CERTIFICATE },
	{ "chroot",		CHROOT },
	{ "ciphers",		CIPHERS },
	{ "cluster",		CLUSTER },
	{ "connections",	CONNECTIONS },
	{ "control",		CONTROL },
	{ "credentials",	CREDENTIALS },
	{ "echo",		ECHO },
	{ "full",		FULL },
	{ "group",		GROUP },
	{ "handshake",		HANDSHAKE },
	{ "idle",		IDLE },
	{ "include",		INCLUDE },
	{ "interval",		INTERVAL },
	{ "ipv4",		IPV4 },
	{ "ipv6",		IPV6 },
	{ "key",		KEY },
	{ "keypair",		KEYPAIR },
	{ "keys",		KEYS },
	{ "limit",		LIMIT },
	{ "listen",		LISTEN },
	{ "log",		LOG },
	{ "max",		MAX },
	{ "members",		MEMBERS },
	{ "message",		MESSAGE },
	{ "metrics",		METRICS },
	{ "name",		NAME },
	{ "nats",		NATS },
	{ "nkey",		NKEY },
	{ "node",		NODE },
	{ "ocsp",		OCSP },
	{ "off",		OFF },
	{ "on",			ON },
	{ "origin",		ORIGIN },
	{ "password",		PASSWORD },
	{ "path",		PATH },
	{ "pending",		PENDING },
	{ "per",		PER },
	{ "ping",		PING },
	{ "port",		PORT },
	{ "prefix",		PREFIX },
	{ "protocol",		PROTOCOL },
	{ "protocols",		PROTOCOLS },
	{ "proxy",		PROXY },
	{ "rate",		RATE },
	{ "registration",	REGISTRATION },
	{ "registrations",	REGISTRATIONS },
	{ "room",		ROOM },
	{ "rooms",		ROOMS },
	{ "second",		SECOND },
	{ "send",		SEND },
	{ "server",		SERVER },
	{ "session",		SESSION },
	{ "sessions",		SESSIONS },
	{ "short",		SHORT },
	{ "size",		SIZE },
	{ "socket",		SOCKET },
	{ "timeout",		TIMEOUT },
	{ "tls",		TLS },
	{ "token",		TOKEN },
	{ "trusted",		TRUSTED },
	{ "user",		USER },
};

static int
keyword_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct keyword *)e)->k_name);
}

static int
keyword_lookup(const char *s)
{
	const struct keyword	*kw;

	kw = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), keyword_cmp);
	return kw != NULL ? kw->k_val : STRING;
}

static void
parse_warnx(const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d: %s", cur->name, cur->lineno, msg);
	parse_errors++;
}

void
yyerror(const char *msg)
{
	/* The lexer has already said what was wrong with this token. */
	if (lex_failed) {
		lex_failed = 0;
		return;
	}
	parse_warnx("%s", msg);
}

/*
 * Open a configuration file.  It must be a regular file (opened without
 * blocking, so a FIFO cannot stall the parser) that only its owner, root
 * or the user running us, can change.  On failure, err says why.
 */
static struct input *
input_open(const char *name, char *err, size_t errlen)
{
	struct input	*in;
	struct stat	 st;
	int		 fd;

	if ((fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		(void)snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "not a regular file");
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		(void)snprintf(err, errlen, "writable by group or others");
		goto fail;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		(void)snprintf(err, errlen, "owned by uid %lu, neither root "
		    "nor the current user", (unsigned long)st.st_uid);
		goto fail;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL ||
	    (in->name = strdup(name)) == NULL) {
		(void)snprintf(err, errlen, "%s", strerror(errno));
		free(in);
		goto fail;
	}
	if ((in->fp = fdopen(fd, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s", strerror(errno));
		free(in->name);
		free(in);
		goto fail;
	}
	in->lineno = 1;
	return in;
 fail:
	(void)close(fd);
	return NULL;
}

static void
input_close(struct input *in)
{
	if (in->fp != NULL)
		(void)fclose(in->fp);
	free(in->name);
	free(in);
}

/*
 * "include": a relative name is taken from the directory of the file
 * that includes it, so a configuration does not depend on the directory
 * the daemon was started from.
 */
static void
input_push(const char *name)
{
	struct input	*in;
	char		 path[PATH_MAX], dir[PATH_MAX], err[256];
	int		 n;

	if (ninputs >= INCLUDE_DEPTH) {
		parse_warnx("include \"%s\": more than %d nested files", name,
		    INCLUDE_DEPTH);
		return;
	}
	if (name[0] == '\0') {
		parse_warnx("include: empty file name");
		return;
	}
	if (name[0] == '/')
		n = snprintf(path, sizeof(path), "%s", name);
	else if (strlcpy(dir, cur->name, sizeof(dir)) >= sizeof(dir))
		n = -1;
	else
		n = snprintf(path, sizeof(path), "%s/%s", dirname(dir), name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		parse_warnx("include \"%s\": file name too long", name);
		return;
	}
	if ((in = input_open(path, err, sizeof(err))) == NULL) {
		parse_warnx("include \"%s\": %s", path, err);
		return;
	}
	/* The '\n' that ends the include statement comes from the new file. */
	in->startnl = 1;
	TAILQ_INSERT_TAIL(&inputs, in, entry);
	cur = in;
	ninputs++;
}

static void
inputs_clear(void)
{
	struct input	*in;

	while ((in = TAILQ_FIRST(&inputs)) != NULL) {
		TAILQ_REMOVE(&inputs, in, entry);
		input_close(in);
	}
	cur = NULL;
	ninputs = 0;
	free(expand_buf);
	expand_buf = NULL;
	expand_pos = expand_len = 0;
	lex_failed = 0;
}

static int
lgetc(void)
{
	int	 c;

	if (expand_buf != NULL) {
		if (expand_pos < expand_len)
			return (unsigned char)expand_buf[expand_pos++];
		free(expand_buf);
		expand_buf = NULL;
		expand_pos = expand_len = 0;
	}
	if (cur->nungot > 0)
		return cur->ungot[--cur->nungot];
	c = getc(cur->fp);
	return c;
}

/* Push back the character that lgetc() returned last. */
static void
lungetc(int c)
{
	if (c == EOF)
		return;
	if (expand_buf != NULL && expand_pos > 0) {
		expand_pos--;
		return;
	}
	if (cur->nungot < UNGET_MAX)
		cur->ungot[cur->nungot++] = c;
}

static int
is_word_char(int c)
{
	if (c == EOF)
		return 0;
	if (isascii(c) && isalnum(c))
		return 1;
	return c != '\0' && strchr("_-.:*[]%+@/~", c) != NULL;
}

static int
is_macro_name(const char *s)
{
	const char	*p;

	if (*s == '\0')
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!isascii((unsigned char)*p) ||
		    (!isalnum((unsigned char)*p) && *p != '_'))
			return 0;
	return 1;
}

static const char *
macro_get(const char *name)
{
	struct macro	*m;

	TAILQ_FOREACH(m, &macros, entry)
		if (strcmp(m->name, name) == 0)
			return m->value;
	return NULL;
}

/*
 * Define or redefine a macro.  A definition from the command line wins
 * over one in the file, so "-D" can override a default set there.
 */
static int
macro_set(const char *name, const char *value, int persist)
{
	struct macro	*m;
	char		*n, *v;

	TAILQ_FOREACH(m, &macros, entry)
		if (strcmp(m->name, name) == 0)
			break;
	if (m != NULL && m->persist && !persist)
		return 0;
	if ((v = strdup(value)) == NULL)
		return -1;
	if (m != NULL) {
		free(m->value);
		m->value = v;
		m->persist = persist;
		return 0;
	}
	if ((n = strdup(name)) == NULL || (m = calloc(1, sizeof(*m))) == NULL) {
		free(n);
		free(v);
		return -1;
	}
	m->name = n;
	m->value = v;
	m->persist = persist;
	TAILQ_INSERT_TAIL(&macros, m, entry);
	return 0;
}

/* Forget the macros the file defined; those of "-D" stay for a reload. */
static void
macros_clear(void)
{
	struct macro	*m, *next;

	for (m = TAILQ_FIRST(&macros); m != NULL; m = next) {
		next = TAILQ_NEXT(m, entry);
		if (m->persist)
			continue;
		TAILQ_REMOVE(&macros, m, entry);
		free(m->name);
		free(m->value);
		free(m);
	}
}

int
cmdline_symset(const char *s)
{
	char	*name;
	const char *eq;
	int	 rv;

	if ((eq = strchr(s, '=')) == NULL || eq == s)
		return -1;
	if ((name = strndup(s, (size_t)(eq - s))) == NULL)
		return -1;
	if (!is_macro_name(name) || strlen(eq + 1) >= TOKEN_MAX) {
		free(name);
		return -1;
	}
	rv = macro_set(name, eq + 1, 1);
	free(name);
	return rv;
}

/*
 * The lexer.  A token's line is that of its first character: the line
 * count moves on only when the token after a newline is read, so an
 * action run with '\n' as look-ahead still reports its own line.
 */
int
yylex(void)
{
	char		 buf[TOKEN_MAX];
	const char	*val;
	size_t		 len;
	int		 c, next, tok;

	lex_failed = 0;
top:
	if (cur->nextline) {
		cur->nextline = 0;
		cur->lineno++;
	}
	if (cur->startnl) {
		cur->startnl = 0;
		return '\n';
	}

	c = lgetc();
	for (;;) {
		if (c == ' ' || c == '\t')
			c = lgetc();
		else if (c == '\\') {
			if ((next = lgetc()) != '\n') {
				lungetc(next);
				break;
			}
			cur->lineno++;
			c = lgetc();
		} else
			break;
	}
	if (c == '#')
		while ((c = lgetc()) != '\n' && c != EOF)
			;

	if (c == '$') {
		if (expand_buf != NULL) {
			parse_warnx("a macro value cannot use another macro");
			goto fail;
		}
		len = 0;
		while ((c = lgetc()) != EOF && isascii(c) &&
		    (isalnum(c) || c == '_')) {
			if (len + 1 >= sizeof(buf)) {
				parse_warnx("macro name too long");
				goto fail;
			}
			buf[len++] = (char)c;
		}
		lungetc(c);
		buf[len] = '\0';
		if (len == 0) {
			parse_warnx("'$' without a macro name");
			goto fail;
		}
		if ((val = macro_get(buf)) == NULL) {
			parse_warnx("macro \"%s\" is not defined", buf);
			goto fail;
		}
		if (*val != '\0') {
			if ((expand_buf = strdup(val)) == NULL) {
				parse_warnx("out of memory");
				goto fail;
			}
			expand_len = strlen(val);
			expand_pos = 0;
		}
		goto top;
	}

	if (c == '"') {
		len = 0;
		for (;;) {
			if ((c = lgetc()) == EOF || c == '\n') {
				lungetc(c);
				parse_warnx("unterminated string");
				goto fail;
			}
			if (c == '"')
				break;
			if (c == '\\') {
				next = lgetc();
				if (next == '"' || next == '\\')
					c = next;
				else
					lungetc(next);
			}
			if (c < 0x20 || c == 0x7f) {
				parse_warnx("control character 0x%02x in string",
				    c);
				goto fail;
			}
			if (len + 1 >= sizeof(buf)) {
				parse_warnx("string too long");
				goto fail;
			}
			buf[len++] = (char)c;
		}
		buf[len] = '\0';
		if ((yylval.string = strdup(buf)) == NULL) {
			parse_warnx("out of memory");
			goto fail;
		}
		return STRING;
	}

	if (c == '\n') {
		cur->nextline = 1;
		return '\n';
	}

	if (c == EOF) {
		struct input	*prev;

		if (!cur->eofnl) {
			/* End a last line that has no newline. */
			cur->eofnl = 1;
			return '\n';
		}
		if ((prev = TAILQ_PREV(cur, input_stack, entry)) == NULL)
			return 0;
		TAILQ_REMOVE(&inputs, cur, entry);
		input_close(cur);
		ninputs--;
		cur = prev;
		goto top;
	}

	if (is_word_char(c)) {
		len = 0;
		do {
			if (len + 1 >= sizeof(buf)) {
				parse_warnx("word too long");
				goto fail;
			}
			buf[len++] = (char)c;
		} while (is_word_char(c = lgetc()));
		lungetc(c);
		buf[len] = '\0';

		if ((tok = keyword_lookup(buf)) != STRING)
			return tok;
		if (isdigit((unsigned char)buf[0]) ||
		    (buf[0] == '-' && isdigit((unsigned char)buf[1]))) {
			char	*ep;

			for (ep = buf + 1; isdigit((unsigned char)*ep); ep++)
				;
			if (*ep == '\0') {
				errno = 0;
				yylval.number = strtoll(buf, &ep, 10);
				if (errno == ERANGE) {
					parse_warnx("number %s is too large",
					    buf);
					goto fail;
				}
				return NUMBER;
			}
		}
		if ((yylval.string = strdup(buf)) == NULL) {
			parse_warnx("out of memory");
			goto fail;
		}
		return STRING;
	}

	if (c == '=' || c == '{' || c == '}')
		return c;
	if (isascii(c) && isprint(c))
		parse_warnx("unexpected character '%c'", c);
	else
		parse_warnx("unexpected byte 0x%02x", c);
 fail:
	lex_failed = 1;
	return ERROR;
}

static int
get_u32(int64_t v, const char *what, uint32_t *out)
{
	if (v < 0 || v > UINT32_MAX) {
		parse_warnx("%s %lld is out of range", what, (long long)v);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "64K", "1M": the result must fit in 32 bits. */
static int
parse_size(const char *s, int64_t *out)
{
	const char	*p;
	uint64_t	 v = 0, mult;

	for (p = s; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX) {
			parse_warnx("size %s is too large", s);
			return -1;
		}
	}
	if (p == s)
		goto bad;
	switch (*p) {
	case 'K':
	case 'k':
		mult = 1024;
		break;
	case 'M':
	case 'm':
		mult = 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (p[1] != '\0')
		goto bad;
	if (v > UINT32_MAX / mult) {
		parse_warnx("size %s is too large", s);
		return -1;
	}
	*out = (int64_t)(v * mult);
	return 0;
 bad:
	parse_warnx("invalid size \"%s\": a number with an optional K or M "
	    "suffix", s);
	return -1;
}

static int
set_string(char *dst, size_t dstlen, const char *s, const char *what)
{
	if (strlen(s) >= dstlen) {
		parse_warnx("%s too long (at most %zu bytes)", what,
		    dstlen - 1);
		return -1;
	}
	(void)strlcpy(dst, s, dstlen);
	return 0;
}

static int
str_add(struct str_list *list, const char *s, const char *what)
{
	struct conf_str	*cs;

	if (strlen(s) >= sizeof(cs->s)) {
		parse_warnx("%s too long (at most %zu bytes)", what,
		    sizeof(cs->s) - 1);
		return -1;
	}
	if ((cs = calloc(1, sizeof(*cs))) == NULL) {
		parse_warnx("out of memory");
		return -1;
	}
	(void)strlcpy(cs->s, s, sizeof(cs->s));
	TAILQ_INSERT_TAIL(list, cs, entry);
	return 0;
}

static int
listen_one(int af, const void *addr, uint16_t port, int opts)
{
	struct listen_conf	*lc;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	char			 a[INET6_ADDRSTRLEN];

	if ((lc = calloc(1, sizeof(*lc))) == NULL) {
		parse_warnx("out of memory");
		return -1;
	}
	if (inet_ntop(af, addr, a, sizeof(a)) == NULL)
		a[0] = '\0';
	if (af == AF_INET) {
		sin = (struct sockaddr_in *)&lc->ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		lc->sslen = sizeof(*sin);
		(void)snprintf(lc->name, sizeof(lc->name), "%s port %u", a,
		    port);
	} else {
		sin6 = (struct sockaddr_in6 *)&lc->ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		lc->sslen = sizeof(*sin6);
		(void)snprintf(lc->name, sizeof(lc->name), "[%s] port %u", a,
		    port);
	}
	lc->tls = (opts & LISTEN_TLS) != 0;
	lc->proxy = (opts & LISTEN_PROXY) != 0;
	lc->metrics = (opts & LISTEN_METRICS) != 0;
	(void)snprintf(lc->at, sizeof(lc->at), "%s:%d", cur->name,
	    cur->lineno);
	if (lc->metrics)
		(void)strlcat(lc->name, " (metrics)", sizeof(lc->name));
	if (lc->tls)
		(void)strlcat(lc->name, " (tls)", sizeof(lc->name));
	if (lc->proxy)
		(void)strlcat(lc->name, " (proxy protocol)", sizeof(lc->name));
	lc->id = 0;		/* the parent numbers the sockets it opens */
	TAILQ_INSERT_TAIL(&conf->listeners, lc, entry);
	return 0;
}

/*
 * "listen on ADDRESS port N": ADDRESS is an IPv4 address in dotted
 * decimal, an IPv6 address with or without brackets, or "*" for both
 * wildcard addresses, 0.0.0.0 and ::.  No host names: the parent must
 * not depend on a resolver, and a name can stand for several addresses.
 */
static void
listen_add(const char *addr, int64_t port, int opts)
{
	struct in_addr	 in4;
	struct in6_addr	 in6;
	char		 a[INET6_ADDRSTRLEN + 2];
	size_t		 len;

	if (port < 1 || port > 65535) {
		parse_warnx("port %lld is out of range (1-65535)",
		    (long long)port);
		return;
	}
	if (strcmp(addr, "*") == 0) {
		in4.s_addr = htonl(INADDR_ANY);
		if (listen_one(AF_INET, &in4, (uint16_t)port, opts) == 0)
			(void)listen_one(AF_INET6, &in6addr_any,
			    (uint16_t)port, opts);
		return;
	}
	if (inet_pton(AF_INET, addr, &in4) == 1) {
		(void)listen_one(AF_INET, &in4, (uint16_t)port, opts);
		return;
	}
	len = strlen(addr);
	if (len >= 2 && len < sizeof(a) && addr[0] == '[' &&
	    addr[len - 1] == ']') {
		memcpy(a, addr + 1, len - 2);
		a[len - 2] = '\0';
	} else if (strlcpy(a, addr, sizeof(a)) >= sizeof(a))
		a[0] = '\0';
	if (a[0] != '\0' && strchr(a, '[') == NULL &&
	    inet_pton(AF_INET6, a, &in6) == 1) {
		(void)listen_one(AF_INET6, &in6, (uint16_t)port, opts);
		return;
	}
	parse_warnx("invalid listen address \"%s\": need an IPv4 or IPv6 "
	    "address or \"*\"", addr);
}

/* The default pair: the one "tls certificate/key/ocsp" set. */
static struct tls_pair_conf *
tls_default_pair(void)
{
	struct tls_pair_conf	*tp;

	if ((tp = TAILQ_FIRST(&conf->tls_pairs)) != NULL && tp->is_default)
		return tp;
	if ((tp = calloc(1, sizeof(*tp))) == NULL) {
		parse_warnx("out of memory");
		return NULL;
	}
	tp->is_default = 1;
	TAILQ_INSERT_HEAD(&conf->tls_pairs, tp, entry);
	conf->ntls_pairs++;
	return tp;
}

static int
tls_set_file(char *dst, char *at, const char *file, const char *what)
{
	if (dst[0] != '\0') {
		parse_warnx("%s given twice", what);
		return -1;
	}
	if (file[0] != '/') {
		parse_warnx("%s \"%s\" is not an absolute path", what, file);
		return -1;
	}
	if (set_string(dst, PATH_MAX, file, what) == -1)
		return -1;
	(void)snprintf(at, CONF_WHERE_MAX, "%s:%d", cur->name, cur->lineno);
	return 0;
}

/* "tls certificate FILE", "tls key FILE", "tls ocsp FILE" */
static void
tls_file(int which, const char *file)
{
	struct tls_pair_conf	*tp;

	if ((tp = tls_default_pair()) == NULL)
		return;
	switch (which) {
	case TLS_F_CERT:
		(void)tls_set_file(tp->cert, tp->cert_at, file,
		    "tls certificate");
		break;
	case TLS_F_KEY:
		(void)tls_set_file(tp->key, tp->key_at, file, "tls key");
		break;
	default:
		(void)tls_set_file(tp->ocsp, tp->ocsp_at, file, "tls ocsp");
		break;
	}
}

/*
 * "tls keypair certificate FILE key FILE [ocsp FILE]": a further pair,
 * served to clients whose SNI names its certificate.
 */
static void
tls_keypair(const char *cert, const char *key, const char *ocsp)
{
	struct tls_pair_conf	*tp;

	if (conf->ntls_pairs >= TLS_PAIRS_MAX) {
		parse_warnx("more than %d tls key pairs", TLS_PAIRS_MAX);
		return;
	}
	if ((tp = calloc(1, sizeof(*tp))) == NULL) {
		parse_warnx("out of memory");
		return;
	}
	TAILQ_INSERT_TAIL(&conf->tls_pairs, tp, entry);
	conf->ntls_pairs++;
	(void)tls_set_file(tp->cert, tp->cert_at, cert, "tls certificate");
	(void)tls_set_file(tp->key, tp->key_at, key, "tls key");
	if (ocsp != NULL)
		(void)tls_set_file(tp->ocsp, tp->ocsp_at, ocsp, "tls ocsp");
}

/*
 * "control socket PATH [group NAME]": the socket relayctl(8) talks to,
 * owned by root and the group (root's when none is given), mode 0660.
 */
static void
control_set(const char *path, const char *group)
{
	struct sockaddr_un	 sun;
	struct group		*gr;

	if (path[0] != '/') {
		parse_warnx("control socket \"%s\" is not an absolute path",
		    path);
		return;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		parse_warnx("control socket \"%s\": name too long (at most "
		    "%zu bytes)", path, sizeof(sun.sun_path) - 1);
		return;
	}
	if (group != NULL) {
		if (group[0] == '\0' || (gr = getgrnam(group)) == NULL) {
			parse_warnx("control socket group \"%s\": unknown "
			    "group", group);
			return;
		}
		conf->ctl_gid = gr->gr_gid;
		(void)set_string(conf->ctl_group, sizeof(conf->ctl_group),
		    group, "group name");
	} else {
		conf->ctl_gid = 0;
		conf->ctl_group[0] = '\0';
	}
	(void)set_string(conf->ctl_path, sizeof(conf->ctl_path), path,
	    "control socket");
}

/*
 * "trusted proxy ADDRESS[/PREFIX]": a peer whose X-Forwarded-For or
 * Forwarded header is believed, and on a proxy protocol listener the
 * only peers whose header is (when any is configured).
 */
static void
trusted_add(const char *s)
{
	const char	*why = NULL;

	if (conf->lim.ntrusted >= CONF_TRUSTED_MAX) {
		parse_warnx("too many trusted proxy lines (at most %d)",
		    CONF_TRUSTED_MAX);
		return;
	}
	if (netaddr_parse(s, &conf->lim.trusted[conf->lim.ntrusted], &why)
	    == -1) {
		parse_warnx("trusted proxy \"%s\": %s", s,
		    why != NULL ? why : "not an address or network");
		return;
	}
	conf->lim.ntrusted++;
}

/* "handshake rate" and "registration rate": N per second burst M. */
static void
rate_set(uint32_t *rate, uint32_t *burst, int64_t r, int64_t b,
    const char *what)
{
	if (r < 1 || (uint64_t)r > RATE_MAX) {
		parse_warnx("%s %lld per second is out of range (1-%u; "
		    "\"%s off\" turns it off)", what, (long long)r, RATE_MAX,
		    what);
		return;
	}
	if (b < 1 || (uint64_t)b > BURST_MAX) {
		parse_warnx("%s burst %lld is out of range (1-%u)", what,
		    (long long)b, BURST_MAX);
		return;
	}
	*rate = (uint32_t)r;
	*burst = (uint32_t)b;
}

/* "cluster NAME {": one block per file. */
static void
cluster_begin(const char *name)
{
	struct cluster_conf	*cc = &conf->cluster;

	if (cc->on) {
		parse_warnx("a second cluster block (the first is at %s)",
		    cc->at);
		return;
	}
	cc->on = 1;
	(void)snprintf(cc->at, sizeof(cc->at), "%s:%d", cur->name,
	    cur->lineno);
	if (cluster_name_ok(name, "cluster name"))
		(void)strlcpy(cc->name, name, sizeof(cc->name));
}

/* "}": what the block must hold. */
static void
cluster_end(void)
{
	struct cluster_conf	*cc = &conf->cluster;

	if (cc->node[0] == '\0')
		parse_warnx("cluster block without a node name");
	if (TAILQ_EMPTY(&cc->urls))
		parse_warnx("cluster block without a nats server");
}

/* Cluster and node names go into NATS subjects as they are. */
static int
cluster_name_ok(const char *s, const char *what)
{
	size_t	 len = strlen(s);

	if (len == 0 || len >= CLUSTER_NAME_MAX ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != len) {
		parse_warnx("%s \"%s\": 1-%d letters, digits, '_' or '-'",
		    what, s, CLUSTER_NAME_MAX - 1);
		return 0;
	}
	return 1;
}

/*
 * "nats URL": nats://HOST[:PORT] or tls://HOST[:PORT], HOST a name, an
 * IPv4 address or an IPv6 one in brackets; the port is 4222 by default.
 * Credentials go in their own lines, never in the URL.
 */
static void
cluster_url_add(const char *url)
{
	struct cluster_conf	*cc = &conf->cluster;
	struct cluster_url	*u;
	const char		*p, *hend, *port = NULL;
	char			*ep;
	long			 n;
	int			 count = 0;

	TAILQ_FOREACH(u, &cc->urls, entry)
		count++;
	if (count >= CLUSTER_URLS_MAX) {
		parse_warnx("more than %d nats servers", CLUSTER_URLS_MAX);
		return;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		parse_warnx("out of memory");
		return;
	}
	if (strncmp(url, "nats://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "tls://", 6) == 0) {
		p = url + 6;
		u->tls = 1;
	} else {
		parse_warnx("nats server \"%s\": the URL starts with "
		    "nats:// or tls://", url);
		goto bad;
	}
	if (strchr(p, '@') != NULL || strchr(p, '/') != NULL ||
	    strchr(p, '?') != NULL) {
		parse_warnx("nats server \"%s\": host and port only (the "
		    "credentials have their own lines)", url);
		goto bad;
	}
	if (*p == '[') {
		if ((hend = strchr(p, ']')) == NULL) {
			parse_warnx("nats server \"%s\": no ']'", url);
			goto bad;
		}
		if (hend[1] == ':')
			port = hend + 2;
		else if (hend[1] != '\0') {
			parse_warnx("nats server \"%s\": junk after ']'",
			    url);
			goto bad;
		}
		p++;
	} else {
		hend = strchr(p, ':');
		if (hend != NULL)
			port = hend + 1;
		else
			hend = p + strlen(p);
	}
	if (hend == p || (size_t)(hend - p) >= sizeof(u->host)) {
		parse_warnx("nats server \"%s\": bad host", url);
		goto bad;
	}
	memcpy(u->host, p, (size_t)(hend - p));
	u->port = 4222;
	if (port != NULL) {
		errno = 0;
		n = strtol(port, &ep, 10);
		if (*port == '\0' || *ep != '\0' || errno != 0 || n < 1 ||
		    n > 65535) {
			parse_warnx("nats server \"%s\": bad port", url);
			goto bad;
		}
		u->port = (uint16_t)n;
	}
	if (set_string(u->url, sizeof(u->url), url, "nats server") != 0)
		goto bad;
	(void)snprintf(u->at, sizeof(u->at), "%s:%d", cur->name,
	    cur->lineno);
	if (u->tls)
		cc->tls = 1;
	TAILQ_INSERT_TAIL(&cc->urls, u, entry);
	return;
 bad:
	free(u);
}

/*
 * One way to log in to NATS: user and password, a token, an NKey seed
 * file or a credentials file (read by conf_check()).
 */
static int
cluster_auth_set(uint32_t auth, const char *secret, const char *file)
{
	struct cluster_conf	*cc = &conf->cluster;

	if (cc->auth != CLUSTER_AUTH_NONE) {
		parse_warnx("a second NATS credential in the cluster block");
		return 0;
	}
	if (secret != NULL) {
		if (*secret == '\0' || strlen(secret) >= CLUSTER_SECRET_MAX) {
			parse_warnx("NATS password or token: 1-%d bytes",
			    CLUSTER_SECRET_MAX - 1);
			return 0;
		}
		if ((cc->secret = strdup(secret)) == NULL) {
			parse_warnx("out of memory");
			return 0;
		}
		cc->secret_len = strlen(secret);
	} else {
		if (set_string(cc->secret_file, sizeof(cc->secret_file), file,
		    "credential file name") != 0)
			return 0;
		(void)snprintf(cc->secret_at, sizeof(cc->secret_at), "%s:%d",
		    cur->name, cur->lineno);
	}
	cc->auth = auth;
	return 1;
}

static void
conf_defaults(struct relayd_conf *c)
{
	memset(c, 0, sizeof(*c));
	TAILQ_INIT(&c->listeners);
	TAILQ_INIT(&c->origins);
	TAILQ_INIT(&c->server_names);
	TAILQ_INIT(&c->tls_pairs);
	TAILQ_INIT(&c->cluster.urls);
	c->cluster.timeout_ms = CLUSTER_TIMEOUT_DEFAULT;
	c->tls_protocols = TLS_PROTOCOLS_DEFAULT;
	(void)strlcpy(c->tls_ciphers, "secure", sizeof(c->tls_ciphers));
	c->lim.max_conn = SWS_DEFAULT_MAX_CONN;
	c->lim.max_conn_per_addr = SWS_DEFAULT_MAX_CONN_PER_ADDR;
	c->lim.max_message = SWS_DEFAULT_MAX_MESSAGE;
	c->lim.max_sessions_per_key = SWS_DEFAULT_SESSIONS_PER_KEY;
	c->lim.rate = SWS_DEFAULT_RATE;
	c->lim.burst = SWS_DEFAULT_BURST;
	c->lim.send_buffer = SWS_DEFAULT_SEND_BUFFER;
	c->lim.rooms = 1;
	c->lim.max_rooms = SWS_DEFAULT_MAX_ROOMS;
	c->lim.max_room_members = SWS_DEFAULT_ROOM_MEMBERS;
	c->lim.handshake_timeout = SWS_DEFAULT_HANDSHAKE_TIMEOUT;
	c->lim.registration_timeout = SWS_DEFAULT_REG_TIMEOUT;
	c->lim.ping_interval = SWS_DEFAULT_PING_INTERVAL;
	c->lim.idle_timeout = SWS_DEFAULT_IDLE_TIMEOUT;
	c->lim.hs_rate = SWS_DEFAULT_HS_RATE;
	c->lim.hs_burst = SWS_DEFAULT_HS_BURST;
	c->lim.reg_rate = SWS_DEFAULT_REG_RATE;
	c->lim.reg_burst = SWS_DEFAULT_REG_BURST;
	c->lim.max_pending = SWS_DEFAULT_MAX_PENDING;
	c->lim.max_pending_per_addr = SWS_DEFAULT_PENDING_PER_ADDR;
	c->lim.v4_prefix = SWS_DEFAULT_V4_PREFIX;
	c->lim.v6_prefix = SWS_DEFAULT_V6_PREFIX;
	(void)strlcpy(c->lim.path, DEFAULT_PATH, sizeof(c->lim.path));
	c->lim.echo_path[0] = '\0';
	(void)strlcpy(c->keyfile, DEFAULT_KEYFILE, sizeof(c->keyfile));
	(void)strlcpy(c->user, DEFAULT_USER, sizeof(c->user));
	(void)strlcpy(c->chroot, DEFAULT_CHROOT, sizeof(c->chroot));
	(void)strlcpy(c->ctl_path, DEFAULT_CONTROL, sizeof(c->ctl_path));
	c->ctl_gid = 0;
}

/*
 * The parent reads the key file as root; a key file owned by anybody else
 * could be replaced by that user.  conf_check() has checked the rest.
 */
static int
check_key_owner(const struct relayd_conf *c, const char *filename)
{
	struct stat	 st;

	if (stat(c->keyfile, &st) == -1)
		return 0;	/* reported by conf_check() */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		log_warnx("%s: key file %s is owned by uid %lu, not by root",
		    filename, c->keyfile, (unsigned long)st.st_uid);
		return 1;
	}
	return 0;
}

struct relayd_conf *
parse_config(const char *filename, int flags)
{
	struct relayd_conf	*c;
	struct input		*in;
	char			 err[256];
	int			 errors;

	if ((in = input_open(filename, err, sizeof(err))) == NULL) {
		log_warnx("%s: %s", filename, err);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s", filename);
		input_close(in);
		return NULL;
	}
	conf_defaults(c);
	conf = c;
	parse_errors = 0;
	TAILQ_INSERT_TAIL(&inputs, in, entry);
	cur = in;
	ninputs = 1;

	(void)yyparse();
	errors = parse_errors;

	inputs_clear();
	macros_clear();
	conf = NULL;

#ifndef FUZZING
	/* Certificates and keys: after the parse, which may name them late. */
	if (errors == 0)
		errors = certs_load(c);
	if (errors == 0)
		errors = cluster_conf_load(c);
#endif
	if (errors == 0) {
		errors = conf_check(c, filename);
		if ((flags & PARSE_NOCHECK_FILES) == 0)
			errors += check_key_owner(c, filename);
	}
	if (errors != 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}
