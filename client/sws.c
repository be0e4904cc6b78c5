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
 * sws: the command-line client of the relay, on libsws.  It makes and
 * shows keys, and listens, sends, chats and talks in rooms, one line per
 * message.  Every failure ends with one line "sws: ..." on stderr and exit
 * status 1; received text is escaped so that one message is always one
 * line and never a terminal control sequence.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <sodium.h>

#include "keyfile.h"
#include "utf8.h"
#include "sws.h"

#define DEFAULT_URL	"ws://127.0.0.1:8080/"
#define ANSWER_WAIT	10	/* seconds to wait for an ACK */
#define MAX_INFLIGHT	16	/* requests from stdin not yet answered */
#define STDIN_MAX	(1024 * 1024)

enum command { CMD_LISTEN, CMD_SEND, CMD_CHAT, CMD_ROOM };

struct app {
	struct event_base	*base;
	struct sws_client	*c;
	enum command		 cmd;
	int			 verbose;
	int			 failed;
	uint8_t			 peer[SWS_KEY_LEN];
	char			 peer_b64[SWS_KEY_B64LEN + 1];
	const char		*room;
	uint64_t		 join_id;
	int			 joined;
	uint8_t			*text;		/* send */
	size_t			 textlen;
	uint64_t		 send_id;
	struct event		*answer_timer;
	struct event		*sigint;
	struct event		*sigterm;
	int			 closing;
	int			 offline;	/* -r: reconnecting */
	/* lines from stdin (chat, room) */
	struct event		*stdin_ev;
	struct evbuffer		*inbuf;
	int			 stdin_poll;	/* else just read */
	int			 stdin_on;
	int			 stdin_eof;
	int			 skipping;	/* in an overlong line */
	int			 inflight;
	size_t			 maxline;
	struct sws_limits	 limits;
};

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr, "usage: sws [-mrVv] [-C cafile] [-k keyfile] "
	    "[-s serverkey] [-u url] command [arg ...]\n"
	    "commands: keygen | pubkey | listen | send key [text ...] | "
	    "chat key | room name\n");
	exit(1);
}

/* ---- output ---- */

/*
 * Write text with C-style escapes for backslash, controls (C0, DEL, C1),
 * invalid UTF-8 and, when asked, spaces: one message, one line.
 */
static void
put_escaped(FILE *f, const uint8_t *p, size_t len, int esc_space)
{
	size_t	 i = 0, n, k;
	uint8_t	 b;

	while (i < len) {
		b = p[i];
		if (b < 0x80) {
			if (b == '\\')
				fputs("\\\\", f);
			else if (b == '\n')
				fputs("\\n", f);
			else if (b == '\t')
				fputs("\\t", f);
			else if (b == '\r')
				fputs("\\r", f);
			else if (b < 0x20 || b == 0x7f ||
			    (b == ' ' && esc_space))
				fprintf(f, "\\x%02x", b);
			else
				fputc(b, f);
			i++;
			continue;
		}
		n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		/* C1 controls are U+0080..U+009F: c2 80 .. c2 9f */
		if (n == 1 || n > len - i || !utf8_valid(p + i, n) ||
		    (b == 0xc2 && p[i + 1] < 0xa0)) {
			n = (n > 1 && n <= len - i && utf8_valid(p + i, n)) ?
			    n : 1;
			for (k = 0; k < n; k++)
				fprintf(f, "\\x%02x", p[i + k]);
		} else
			fwrite(p + i, 1, n, f);
		i += n;
	}
}

static void
print_message(const struct sws_event *ev)
{
	char	 from[SWS_KEY_B64LEN + 1];

	sws_key_encode(from, ev->key);
	if (ev->room != NULL) {
		fputc('#', stdout);
		put_escaped(stdout, (const uint8_t *)ev->room,
		    strlen(ev->room), 1);
		fputc(' ', stdout);
	}
	printf("%s ", from);
	put_escaped(stdout, ev->data, ev->len, 0);
	fputc('\n', stdout);
	fflush(stdout);
}

static void
note(const char *fmt, ...) __attribute__((__format__ (printf, 1, 2)));

static void
note(const char *fmt, ...)
{
	va_list	 ap;

	fputs("sws: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "#room" for messages, escaped into buf */
static const char *
room_label(const char *room, char *buf, size_t len)
{
	FILE	*f;

	if (room == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	if ((f = fmemopen(buf, len, "w")) == NULL) {
		snprintf(buf, len, "#?");
		return buf;
	}
	fputc('#', f);
	put_escaped(f, (const uint8_t *)room, strlen(room), 1);
	fclose(f);
	buf[len - 1] = '\0';
	return buf;
}

/* ---- closing ---- */

static void
app_close(struct app *a)
{
	if (a->closing)
		return;
	a->closing = 1;
	if (a->stdin_ev != NULL)
		event_del(a->stdin_ev);
	sws_close(a->c);
}

static void
app_fail(struct app *a)
{
	a->failed = 1;
	app_close(a);
}

static void
answer_wait(struct app *a)
{
	struct timeval	 tv = { ANSWER_WAIT, 0 };

	evtimer_add(a->answer_timer, &tv);
}

static void
answer_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct app	*a = arg;

	(void)fd;
	(void)what;
	note("no answer from the relay within %d seconds", ANSWER_WAIT);
	app_fail(a);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct app	*a = arg;

	(void)what;
	if (a->closing) {
		/* a second signal: do not wait for the relay */
		note("interrupted");
		exit(1);
	}
	(void)sig;
	app_close(a);
}

/* ---- stdin ---- */

static void	stdin_resume(struct app *);

static void
send_line(struct app *a, char *line, size_t len)
{
	uint64_t	 id;
	int		 rv;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0)
		return;
	if (a->cmd == CMD_ROOM)
		rv = sws_publish(a->c, a->room, line, len, &id);
	else
		rv = sws_send(a->c, a->peer, line, len, &id);
	if (rv != 0) {
		if (errno == EMSGSIZE)
			note("line of %zu bytes too long, not sent", len);
		else
			note("cannot send: %s", strerror(errno));
		a->failed = 1;
		return;
	}
	a->inflight++;
}

static void
stdin_lines(struct app *a)
{
	char	*line;
	size_t	 len;

	while (!a->closing && !a->offline && a->inflight < MAX_INFLIGHT) {
		line = evbuffer_readln(a->inbuf, &len, EVBUFFER_EOL_LF);
		if (line == NULL) {
			if (evbuffer_get_length(a->inbuf) > a->maxline) {
				if (!a->skipping) {
					note("line too long, not sent");
					a->failed = 1;
				}
				a->skipping = 1;
				evbuffer_drain(a->inbuf,
				    evbuffer_get_length(a->inbuf));
			}
			if (!a->stdin_eof ||
			    evbuffer_get_length(a->inbuf) == 0)
				break;
			/* a last line without a newline */
			len = evbuffer_get_length(a->inbuf);
			if ((line = malloc(len + 1)) == NULL)
				break;
			evbuffer_remove(a->inbuf, line, len);
			line[len] = '\0';
		}
		if (a->skipping)
			a->skipping = 0;
		else
			send_line(a, line, len);
		free(line);
	}
	if (a->stdin_eof && evbuffer_get_length(a->inbuf) == 0 &&
	    a->inflight == 0)
		app_close(a);
}

static void
stdin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app	*a = arg;
	int		 n;

	(void)what;
	a->stdin_on = 0;
	n = evbuffer_read(a->inbuf, fd, 16384);
	if (n == 0)
		a->stdin_eof = 1;
	else if (n < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			stdin_resume(a);
			return;
		}
		note("standard input: %s", strerror(errno));
		a->failed = 1;
		a->stdin_eof = 1;
	}
	if (a->stdin_eof) {
		event_del(a->stdin_ev);
		answer_wait(a);
	}
	stdin_lines(a);
	stdin_resume(a);
}

/* Read more from stdin while there is room for more requests. */
static void
stdin_resume(struct app *a)
{
	if (a->closing || a->offline || a->stdin_eof ||
	    a->inflight >= MAX_INFLIGHT) {
		if (a->stdin_poll && a->stdin_on) {
			event_del(a->stdin_ev);
			a->stdin_on = 0;
		}
		return;
	}
	if (a->stdin_on)
		return;
	a->stdin_on = 1;
	if (a->stdin_poll)
		event_add(a->stdin_ev, NULL);
	else
		event_active(a->stdin_ev, EV_READ, 0);
}

static void
stdin_start(struct app *a)
{
	struct stat	 st;

	/* longer lines cannot be sent; do not buffer them either */
	a->maxline = a->limits.max_body > 41 ?
	    (size_t)a->limits.max_body - 41 + 2 : 2;
	if ((a->inbuf = evbuffer_new()) == NULL)
		errx(1, "out of memory");
	/* epoll cannot watch regular files or /dev/null: just read those */
	a->stdin_poll = fstat(STDIN_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    isatty(STDIN_FILENO));
	if ((a->stdin_ev = event_new(a->base, STDIN_FILENO,
	    a->stdin_poll ? EV_READ | EV_PERSIST : EV_READ, stdin_cb,
	    a)) == NULL)
		errx(1, "out of memory");
	stdin_resume(a);
}

/* ---- events ---- */

static void
on_ready(struct app *a, const struct sws_event *ev)
{
	char	 me[SWS_KEY_B64LEN + 1], relay[SWS_KEY_B64LEN + 1];

	a->limits = *ev->limits;
	sws_key_encode(me, sws_client_key(a->c));
	sws_key_encode(relay, ev->key);
	if (a->verbose || a->offline)
		note("registered as %s with relay %s", me, relay);
	a->offline = 0;
	/* registered again (-r): the library joined the room again */
	if (a->inbuf != NULL) {
		stdin_lines(a);
		stdin_resume(a);
		return;
	}
	if (a->cmd == CMD_ROOM && a->joined)
		return;
	switch (a->cmd) {
	case CMD_LISTEN:
		break;
	case CMD_SEND:
		if (sws_send(a->c, a->peer, a->text, a->textlen,
		    &a->send_id) != 0) {
			if (errno == EMSGSIZE)
				note("message of %zu bytes too long (at most "
				    "%llu)", a->textlen,
				    (unsigned long long)(ev->limits->max_body
				    > 41 ? ev->limits->max_body - 41 : 0));
			else
				note("cannot send: %s", strerror(errno));
			app_fail(a);
			return;
		}
		answer_wait(a);
		break;
	case CMD_CHAT:
		stdin_start(a);
		break;
	case CMD_ROOM:
		if (sws_join(a->c, a->room, &a->join_id) != 0) {
			note("cannot join: %s", strerror(errno));
			app_fail(a);
			return;
		}
		break;
	}
}

static void
on_answer(struct app *a, const struct sws_event *ev)
{
	char	 label[SWS_ROOM_MAX * 4 + 2];

	if (ev->type == SWS_EV_ERROR && ev->id == 0) {
		note("relay reported an error: %s%s%s%s", ev->code,
		    ev->text[0] != '\0' ? " (" : "", ev->text,
		    ev->text[0] != '\0' ? ")" : "");
		return;
	}
	if ((a->cmd == CMD_ROOM && ev->id == a->join_id) ||
	    (ev->type == SWS_EV_ERROR && ev->room != NULL)) {
		note("cannot join %s: %s (%s)",
		    room_label(a->room, label, sizeof(label)), ev->code,
		    ev->text);
		app_fail(a);
		return;
	}
	if (ev->type == SWS_EV_ERROR) {
		if (strcmp(ev->code, "offline") == 0 && a->cmd != CMD_ROOM)
			note("%s is offline", a->peer_b64);
		else
			note("%s failed: %s%s%s%s", a->cmd == CMD_ROOM ?
			    "publish" : "send", ev->code,
			    ev->text[0] != '\0' ? " (" : "", ev->text,
			    ev->text[0] != '\0' ? ")" : "");
		a->failed = 1;
	}
	if (a->cmd == CMD_SEND) {
		if (ev->id == a->send_id)
			app_close(a);
		return;
	}
	if (a->inflight > 0)
		a->inflight--;
	if (a->stdin_ev != NULL) {
		stdin_lines(a);
		stdin_resume(a);
	}
}

static void
on_event(struct sws_client *c, const struct sws_event *ev, void *arg)
{
	struct app	*a = arg;
	char		 key[SWS_KEY_B64LEN + 1];
	char		 label[SWS_ROOM_MAX * 4 + 2];

	(void)c;
	switch (ev->type) {
	case SWS_EV_READY:
		on_ready(a, ev);
		break;
	case SWS_EV_MESSAGE:
		/* send only sends; listen, chat and room show */
		if (a->cmd != CMD_SEND)
			print_message(ev);
		break;
	case SWS_EV_ACK:
	case SWS_EV_ERROR:
		on_answer(a, ev);
		break;
	case SWS_EV_DROPPED:
		sws_key_encode(key, ev->key);
		note("dropped a message from %s%s%s: %s", key,
		    ev->room != NULL ? " in " : "", ev->room != NULL ?
		    room_label(ev->room, label, sizeof(label)) : "", ev->text);
		break;
	case SWS_EV_JOINED:
		if (a->cmd != CMD_ROOM || ev->id != a->join_id)
			break;
		if (a->verbose)
			note("joined %s with %zu members", room_label(ev->room,
			    label, sizeof(label)), ev->nmembers);
		if (!a->joined) {
			a->joined = 1;
			stdin_start(a);
		}
		break;
	case SWS_EV_PRESENCE:
		if (a->verbose) {
			sws_key_encode(key, ev->key);
			note("%s %s %s", key, ev->joined ? "joined" : "left",
			    room_label(ev->room, label, sizeof(label)));
		}
		break;
	case SWS_EV_SENDER_KEY:
		if (a->verbose) {
			sws_key_encode(key, ev->key);
			note("room key from %s for %s", key,
			    room_label(ev->room, label, sizeof(label)));
		}
		break;
	case SWS_EV_DEBUG:
		if (a->verbose)
			note("%s", ev->text);
		break;
	case SWS_EV_RECONNECTING:
		/* what was in flight is lost: no answer will come */
		note("%s; reconnecting in %d.%d s", ev->text,
		    ev->delay / 1000, ev->delay % 1000 / 100);
		a->offline = 1;
		a->inflight = 0;
		stdin_resume(a);
		break;
	case SWS_EV_CLOSED:
		if (strcmp(ev->code, "closed") != 0) {
			note("%s", ev->text);
			a->failed = 1;
		}
		event_base_loopexit(a->base, NULL);
		break;
	}
}

/* ---- keys ---- */

static void
default_key_path(char *buf, size_t len, int make_dirs)
{
	const char	*xdg = getenv("XDG_CONFIG_HOME"), *home;
	char		 dir[PATH_MAX];

	if (xdg != NULL && xdg[0] == '/') {
		if ((size_t)snprintf(dir, sizeof(dir), "%s", xdg) >=
		    sizeof(dir))
			errx(1, "XDG_CONFIG_HOME too long");
	} else {
		if ((home = getenv("HOME")) == NULL || home[0] != '/')
			errx(1, "neither XDG_CONFIG_HOME nor HOME is set; "
			    "use -k");
		if ((size_t)snprintf(dir, sizeof(dir), "%s/.config", home) >=
		    sizeof(dir))
			errx(1, "HOME too long");
	}
	if (make_dirs && mkdir(dir, 0700) == -1 && errno != EEXIST)
		err(1, "%s", dir);
	if ((size_t)snprintf(buf, len, "%s/sws", dir) >= len)
		errx(1, "key path too long");
	if (make_dirs && mkdir(buf, 0700) == -1 && errno != EEXIST)
		err(1, "%s", buf);
	if ((size_t)snprintf(buf, len, "%s/sws/key", dir) >= len)
		errx(1, "key path too long");
}

static void
load_key(const char *path, uint8_t *sk)
{
	char	 errbuf[PATH_MAX + 128];

	if (keyfile_read(path, sk, errbuf, sizeof(errbuf)) != 0) {
		if (access(path, F_OK) == -1 && errno == ENOENT)
			errx(1, "%s: no key; make one with sws keygen", path);
		errx(1, "%s", errbuf);
	}
}

static int
cmd_keygen(const char *path)
{
	uint8_t	 pk[SWS_KEY_LEN];
	char	 b64[SWS_KEY_B64LEN + 1];
	char	 errbuf[PATH_MAX + 128];

	if (access(path, F_OK) == 0)
		errx(1, "%s exists; not overwriting it", path);
	if (keyfile_generate(path, pk, errbuf, sizeof(errbuf)) != 0)
		errx(1, "%s", errbuf);
	sws_key_encode(b64, pk);
	printf("%s\n", b64);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return 0;
}

static int
cmd_pubkey(const char *path)
{
	uint8_t	 sk[SWS_KEY_LEN], pk[SWS_KEY_LEN];
	char	 b64[SWS_KEY_B64LEN + 1];

	load_key(path, sk);
	crypto_scalarmult_base(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	sws_key_encode(b64, pk);
	printf("%s\n", b64);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return 0;
}

static void
decode_key_arg(uint8_t *key, const char *s, const char *what)
{
	if (sws_key_decode(key, s) != 0)
		errx(1, "bad %s \"%s\": expected %d characters of base64url",
		    what, s, SWS_KEY_B64LEN);
}

/* The text of "send": the arguments joined by spaces, or stdin. */
static void
send_text(struct app *a, int argc, char **argv)
{
	size_t	 len = 0, n;
	int	 i;

	if (argc == 0) {
		if ((a->text = malloc(STDIN_MAX + 1)) == NULL)
			err(1, NULL);
		while (len <= STDIN_MAX && (n = fread(a->text + len, 1,
		    STDIN_MAX + 1 - len, stdin)) > 0)
			len += n;
		if (ferror(stdin))
			err(1, "standard input");
		if (len > STDIN_MAX)
			errx(1, "standard input over %d bytes", STDIN_MAX);
		/* like a line: drop one final newline */
		if (len > 0 && a->text[len - 1] == '\n')
			len--;
		a->textlen = len;
		return;
	}
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((a->text = malloc(len)) == NULL)
		err(1, NULL);
	len = 0;
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		memcpy(a->text + len, argv[i], n);
		len += n;
		if (i + 1 < argc)
			a->text[len++] = ' ';
	}
	a->textlen = len;
}

int
main(int argc, char *argv[])
{
	struct sws_config	 cfg;
	struct app		 a;
	uint8_t			 sk[SWS_KEY_LEN], pin[SWS_KEY_LEN];
	char			 keypath[PATH_MAX], errbuf[512];
	const char		*keyfile = NULL, *url = DEFAULT_URL;
	const char		*serverkey = NULL, *cafile = NULL, *cmd;
	int			 ch, msgpack = 0, reconnect = 0;

	memset(&a, 0, sizeof(a));
	while ((ch = getopt(argc, argv, "+C:hk:mrs:u:Vv")) != -1) {
		switch (ch) {
		case 'C':
			cafile = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'm':
			msgpack = 1;
			break;
		case 'r':
			reconnect = 1;
			break;
		case 's':
			serverkey = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		case 'V':
			printf("sws %s\n", SWS_VERSION);
			exit(0);
		case 'v':
			a.verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	argc--;
	argv++;

	if (sodium_init() < 0)
		errx(1, "libsodium cannot start");
	if (keyfile == NULL) {
		default_key_path(keypath, sizeof(keypath),
		    strcmp(cmd, "keygen") == 0);
		keyfile = keypath;
	}

	if (strcmp(cmd, "keygen") == 0) {
		if (argc != 0)
			usage();
		return cmd_keygen(keyfile);
	}
	if (strcmp(cmd, "pubkey") == 0) {
		if (argc != 0)
			usage();
		return cmd_pubkey(keyfile);
	}
	if (strcmp(cmd, "listen") == 0) {
		if (argc != 0)
			usage();
		a.cmd = CMD_LISTEN;
	} else if (strcmp(cmd, "send") == 0) {
		if (argc < 1)
			usage();
		a.cmd = CMD_SEND;
		decode_key_arg(a.peer, argv[0], "key");
	} else if (strcmp(cmd, "chat") == 0) {
		if (argc != 1)
			usage();
		a.cmd = CMD_CHAT;
		decode_key_arg(a.peer, argv[0], "key");
	} else if (strcmp(cmd, "room") == 0) {
		if (argc != 1)
			usage();
		a.cmd = CMD_ROOM;
		a.room = argv[0];
		if (strlen(a.room) < 1 || strlen(a.room) > SWS_ROOM_MAX ||
		    !utf8_valid((const uint8_t *)a.room, strlen(a.room)) ||
		    strpbrk(a.room, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
		    "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
		    "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") != NULL)
			errx(1, "bad room name: 1 to %d bytes of UTF-8 "
			    "without control characters", SWS_ROOM_MAX);
	} else {
		warnx("unknown command %s", cmd);
		usage();
	}
	if (reconnect && a.cmd == CMD_SEND)
		errx(1, "-r is for listen, chat and room");
	if (a.cmd == CMD_SEND || a.cmd == CMD_CHAT)
		sws_key_encode(a.peer_b64, a.peer);
	if (serverkey != NULL)
		decode_key_arg(pin, serverkey, "relay key");
	load_key(keyfile, sk);
	if (a.cmd == CMD_SEND)
		send_text(&a, argc - 1, argv + 1);

	signal(SIGPIPE, SIG_IGN);
	if ((a.base = event_base_new()) == NULL)
		errx(1, "cannot start libevent");
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = url;
	cfg.secret_key = sk;
	cfg.server_key = serverkey != NULL ? pin : NULL;
	cfg.msgpack = msgpack;
	cfg.debug = a.verbose;
	cfg.ca_file = cafile;
	cfg.reconnect = reconnect;
	if ((a.c = sws_client_new(a.base, &cfg, on_event, &a, errbuf,
	    sizeof(errbuf))) == NULL)
		errx(1, "%s", errbuf);
	sodium_memzero(sk, sizeof(sk));
	a.answer_timer = evtimer_new(a.base, answer_timeout, &a);
	a.sigint = evsignal_new(a.base, SIGINT, signal_cb, &a);
	a.sigterm = evsignal_new(a.base, SIGTERM, signal_cb, &a);
	if (a.answer_timer == NULL || a.sigint == NULL || a.sigterm == NULL)
		errx(1, "out of memory");
	evsignal_add(a.sigint, NULL);
	evsignal_add(a.sigterm, NULL);

	sws_client_connect(a.c);
	event_base_dispatch(a.base);

	sws_client_free(a.c);
	if (a.stdin_ev != NULL)
		event_free(a.stdin_ev);
	if (a.inbuf != NULL)
		evbuffer_free(a.inbuf);
	event_free(a.answer_timer);
	event_free(a.sigint);
	event_free(a.sigterm);
	event_base_free(a.base);
	free(a.text);
	return a.failed ? 1 : 0;
}
