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
 * Who the client is when the relay sits behind a proxy.  Three readers
 * of things a proxy tells us: the PROXY protocol header in front of a
 * connection's bytes, the networks relayd.conf trusts, and the client
 * address in an X-Forwarded-For or Forwarded request header.  All of
 * them are strict for the same reason the HTTP reader is: what one
 * reader lets through and the next one understands differently is how
 * an address gets spoofed.  Everything is read in place from the
 * caller's bytes, with every length checked before the byte is looked
 * at; the only copies are into small stack buffers for inet_pton(),
 * after the characters have been checked.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxy.h"

#define V1_ADDR4_MAX	15	/* "255.255.255.255" */
#define V1_ADDR6_MAX	(INET6_ADDRSTRLEN - 1)
#define V1_PORT_MAX	5	/* "65535" */

#define V2_SIG_LEN	12
#define V2_HDR_LEN	16	/* signature, ver_cmd, fam, len */
#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_FAM_UNSPEC	0x0
#define V2_FAM_INET	0x1
#define V2_FAM_INET6	0x2
#define V2_FAM_UNIX	0x3
#define V2_TR_UNSPEC	0x0
#define V2_TR_STREAM	0x1
#define V2_TR_DGRAM	0x2
#define V2_INET_LEN	12	/* 2 addresses of 4 bytes, 2 ports */
#define V2_INET6_LEN	36	/* 2 addresses of 16 bytes, 2 ports */
#define V2_TLV_HDR	3	/* type, 16-bit length */

/* A node of X-Forwarded-For or Forwarded, copied to parse. */
#define NODE_MAX	127

/* Spelled out: as a string literal it would carry a 13th byte, the NUL. */
static const uint8_t v2_sig[V2_SIG_LEN] = {
	'\r', '\n', '\r', '\n', '\0', '\r', '\n', 'Q', 'U', 'I', 'T', '\n'
};

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
fail(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

/* The same for the answers that are 0, not -1: nothing found. */
static int
none(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return 0;
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Decimal 0..max without sign or leading zero, all len bytes of it.
 * Returns the value or -1.
 */
static long
dec_strict(const char *p, size_t len, size_t maxdigits, long max)
{
	long	 v = 0;
	size_t	 i;

	if (len == 0 || len > maxdigits || (len > 1 && p[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v <= max ? v : -1;
}

/* May c be part of an address of family af in text? */
static int
addr_char(unsigned char c, int af)
{
	if (is_digit(c) || c == '.')
		return 1;
	return af == AF_INET6 && (is_hex(c) || c == ':');
}

/*
 * An address of family af in len bytes (no NUL among them), into the
 * 16-byte form.  The characters are checked before the copy, so that a
 * NUL cannot cut the string short for inet_pton() and make a prefix of
 * the slice the address.
 */
static int
addr_parse(const char *p, size_t len, int af, uint8_t out[16])
{
	char		 s[INET6_ADDRSTRLEN];
	struct in_addr	 a4;
	size_t		 i;

	if (len == 0 || len >= sizeof(s))
		return -1;
	for (i = 0; i < len; i++)
		if (!addr_char((unsigned char)p[i], af))
			return -1;
	memcpy(s, p, len);
	s[len] = '\0';
	if (af == AF_INET) {
		if (inet_pton(AF_INET, s, &a4) != 1)
			return -1;
		memcpy(out, v4mapped, sizeof(v4mapped));
		memcpy(out + 12, &a4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

/*
 * Could the len bytes at p begin a v1 field of this kind?  For a field
 * not yet ended by SP or CR: the characters it may hold, and no more of
 * them than it may have.  Whatever can still become valid passes.
 */
static int
v1_field_prefix(const char *p, size_t len, int af, int port)
{
	size_t	 i;

	if (port) {
		if (len > V1_PORT_MAX || (len > 1 && p[0] == '0'))
			return 0;
		for (i = 0; i < len; i++)
			if (!is_digit((unsigned char)p[i]))
				return 0;
		/* Every digit only makes it larger. */
		return len < V1_PORT_MAX || dec_strict(p, len, V1_PORT_MAX,
		    65535) != -1;
	}
	if (len > (af == AF_INET ? V1_ADDR4_MAX : V1_ADDR6_MAX))
		return 0;
	for (i = 0; i < len; i++)
		if (!addr_char((unsigned char)p[i], af))
			return 0;
	return 1;
}

/* The protocol words of v1, and whether an open field may become one. */
static const char *const v1_protos[] = { "TCP4", "TCP6", "UNKNOWN" };

static int
v1_proto_prefix(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(v1_protos) / sizeof(v1_protos[0]); i++)
		if (len <= strlen(v1_protos[i]) &&
		    memcmp(p, v1_protos[i], len) == 0)
			return 1;
	return 0;
}

/*
 * v1: the line is found first (with every byte of it checked, so that no
 * field needs to think about control bytes), then its fields are read
 * up to the CRLF or, when it has not come yet, up to len.  A field ended
 * by SP or CR is checked whole; the open last one only as a prefix.
 */
static ssize_t
proxy_v1(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    const char **why)
{
	const char	*s = (const char *)buf;
	size_t		 i, end, pos, n, flen, f;
	int		 complete = 0, af = AF_UNSPEC, closed;
	long		 port;
	unsigned char	 c;

	for (i = 0; i < len && i < PROXY_V1_MAX; i++) {
		c = buf[i];
		if (c == '\r') {
			if (i + 1 >= PROXY_V1_MAX)
				return fail(why, "PROXY v1: oversized");
			if (i + 1 >= len)
				break;
			if (buf[i + 1] != '\n')
				return fail(why, "PROXY v1: bare CR");
			complete = 1;
			break;
		}
		if (c == '\n')
			return fail(why, "PROXY v1: bare LF");
		if (c < 0x20 || c > 0x7e)
			return fail(why, "PROXY v1: control or non-ASCII byte");
	}
	if (i >= PROXY_V1_MAX)
		return fail(why, "PROXY v1: oversized");
	end = i;	/* the CR, or len */

	/* Fields after "PROXY ": 1 protocol, 2 src, 3 dst, 4 sport, 5 dport. */
	pos = strlen("PROXY ");
	for (f = 1;; f++) {
		for (n = pos; n < end && s[n] != ' '; n++)
			;
		flen = n - pos;
		/* Ended by SP or by the CR, rather than by the end of data. */
		closed = n < len;
		if (f > 5)
			return fail(why, "PROXY v1: trailing bytes");
		if (closed && flen == 0)
			return fail(why, "PROXY v1: empty field");

		if (f == 1 && !closed) {
			if (!v1_proto_prefix(s + pos, flen))
				return fail(why, "PROXY v1: unknown protocol");
			return 0;
		}
		if (f == 1) {
			if (flen == 4 && memcmp(s + pos, "TCP4", 4) == 0)
				af = AF_INET;
			else if (flen == 4 && memcmp(s + pos, "TCP6", 4) == 0)
				af = AF_INET6;
			else if (flen == 7 && memcmp(s + pos, "UNKNOWN", 7) ==
			    0) {
				/* The rest of the line is ignored. */
				if (!complete)
					return 0;
				h->version = 1;
				h->local = 1;
				return (ssize_t)(end + 2);
			} else
				return fail(why, "PROXY v1: unknown protocol");
		} else if (!closed) {
			if (!v1_field_prefix(s + pos, flen, af, f >= 4))
				return fail(why, f >= 4 ? "PROXY v1: bad port" :
				    "PROXY v1: bad address");
			return 0;
		} else if (f == 2 || f == 3) {
			if (addr_parse(s + pos, flen, af,
			    f == 2 ? h->src : h->dst) == -1)
				return fail(why, "PROXY v1: bad address");
		} else {
			if ((port = dec_strict(s + pos, flen, V1_PORT_MAX,
			    65535)) == -1)
				return fail(why, "PROXY v1: bad port");
			if (f == 4)
				h->src_port = (uint16_t)port;
			else
				h->dst_port = (uint16_t)port;
		}

		if (n == end)
			break;
		pos = n + 1;
	}
	/* The last field read was ended by the CR (closed), or by len. */
	if (f < 5)
		return fail(why, "PROXY v1: missing fields");
	if (!complete)
		return 0;	/* the CR is the last byte so far */
	h->version = 1;
	return (ssize_t)(end + 2);
}

/*
 * v2: the fixed part is checked byte by byte as it arrives, then the
 * address block and the TLVs, each as soon as it is in.
 */
static ssize_t
proxy_v2(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    const char **why)
{
	size_t		 plen, total, alen, pos, tlen;
	unsigned int	 cmd, fam, tr;

	if (len <= V2_SIG_LEN)
		return 0;
	if ((buf[12] >> 4) != 2)
		return fail(why, "PROXY v2: bad version");
	cmd = buf[12] & 0x0f;
	if (cmd != V2_CMD_LOCAL && cmd != V2_CMD_PROXY)
		return fail(why, "PROXY v2: bad command");
	if (len <= 13)
		return 0;
	fam = buf[13] >> 4;
	tr = buf[13] & 0x0f;
	alen = 0;
	if (cmd == V2_CMD_PROXY) {
		if (fam > V2_FAM_UNIX || tr > V2_TR_DGRAM)
			return fail(why, "PROXY v2: unknown family or "
			    "transport");
		if (fam == V2_FAM_UNIX)
			return fail(why, "PROXY v2: unix socket client: "
			    "no address");
		if (tr == V2_TR_DGRAM)
			return fail(why, "PROXY v2: datagram transport");
		if (fam != V2_FAM_UNSPEC && tr != V2_TR_STREAM)
			return fail(why, "PROXY v2: no transport");
		if (fam == V2_FAM_INET)
			alen = V2_INET_LEN;
		else if (fam == V2_FAM_INET6)
			alen = V2_INET6_LEN;
	}
	if (len < V2_HDR_LEN)
		return 0;
	plen = (size_t)buf[14] << 8 | buf[15];
	if (plen > PROXY_V2_MAX_PAYLOAD)
		return fail(why, "PROXY v2: oversized");
	if (plen < alen)
		return fail(why, "PROXY v2: short address block");
	total = V2_HDR_LEN + plen;

	if (cmd == V2_CMD_LOCAL) {
		/* The payload is discarded unread, family and all. */
		if (len < total)
			return 0;
		h->version = 2;
		h->local = 1;
		return (ssize_t)total;
	}

	/* TLVs after the addresses, each header checked once it is in. */
	for (pos = V2_HDR_LEN + alen; pos < total; pos += tlen) {
		if (total - pos < V2_TLV_HDR)
			return fail(why, "PROXY v2: bad TLV");
		if (len < pos + V2_TLV_HDR)
			return 0;	/* pos may be past len */
		tlen = V2_TLV_HDR + ((size_t)buf[pos + 1] << 8 | buf[pos + 2]);
		if (tlen > total - pos)
			return fail(why, "PROXY v2: bad TLV");
	}
	if (len < total)
		return 0;

	h->version = 2;
	pos = V2_HDR_LEN;
	if (fam == V2_FAM_INET) {
		memcpy(h->src, v4mapped, sizeof(v4mapped));
		memcpy(h->src + 12, buf + pos, 4);
		memcpy(h->dst, v4mapped, sizeof(v4mapped));
		memcpy(h->dst + 12, buf + pos + 4, 4);
		pos += 8;
	} else if (fam == V2_FAM_INET6) {
		memcpy(h->src, buf + pos, 16);
		memcpy(h->dst, buf + pos + 16, 16);
		pos += 32;
	} else {
		h->local = 1;
		return (ssize_t)total;
	}
	h->src_port = (uint16_t)(buf[pos] << 8 | buf[pos + 1]);
	h->dst_port = (uint16_t)(buf[pos + 2] << 8 | buf[pos + 3]);
	return (ssize_t)total;
}

ssize_t
proxy_parse(const uint8_t *buf, size_t len, struct proxy_hdr *h,
    const char **why)
{
	static const char	 v1_start[] = "PROXY ";
	size_t			 n;
	ssize_t			 r;

	memset(h, 0, sizeof(*h));
	if (len == 0)
		return 0;
	if (buf[0] == 'P') {
		n = len < strlen(v1_start) ? len : strlen(v1_start);
		if (memcmp(buf, v1_start, n) != 0)
			return fail(why, "not a PROXY header");
		if (n < strlen(v1_start))
			return 0;
		r = proxy_v1(buf, len, h, why);
	} else if (buf[0] == v2_sig[0]) {
		n = len < V2_SIG_LEN ? len : V2_SIG_LEN;
		if (memcmp(buf, v2_sig, n) != 0)
			return fail(why, "not a PROXY header");
		r = proxy_v2(buf, len, h, why);
	} else
		return fail(why, "not a PROXY header");
	/* The readers fill h as they go; only a whole header may show. */
	if (r <= 0)
		memset(h, 0, sizeof(*h));
	return r;
}

int
netaddr_parse(const char *s, struct netaddr *na, const char **why)
{
	const char	*slash;
	size_t		 alen, i;
	long		 plen;
	int		 v4, max;
	uint8_t		 mask;

	memset(na, 0, sizeof(*na));
	slash = strchr(s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (addr_parse(s, alen, AF_INET, na->addr) == 0)
		v4 = 1;
	else if (addr_parse(s, alen, AF_INET6, na->addr) == 0)
		v4 = 0;
	else
		return fail(why, "bad address");
	max = v4 ? 32 : 128;
	if (slash == NULL)
		plen = max;
	else if ((plen = dec_strict(slash + 1, strlen(slash + 1), 3, max)) ==
	    -1)
		return fail(why, "bad prefix length");
	na->plen = (uint8_t)(v4 ? 96 + plen : plen);

	/* Refused, not masked: 192.0.2.1/24 is more likely a typo. */
	for (i = na->plen / 8; i < 16; i++) {
		mask = i == na->plen / 8 ? (uint8_t)(0xff >> (na->plen % 8)) :
		    0xff;
		if ((na->addr[i] & mask) != 0)
			return fail(why, "host bits set beyond the prefix");
	}
	return 0;
}

int
netaddr_match(const struct netaddr *nets, size_t n, const uint8_t addr[16])
{
	size_t	 i, full;
	uint8_t	 mask;

	for (i = 0; i < n; i++) {
		if (nets[i].plen > 128)
			continue;	/* not from netaddr_parse() */
		full = nets[i].plen / 8;
		if (memcmp(nets[i].addr, addr, full) != 0)
			continue;
		if (full < 16) {
			mask = (uint8_t)(0xff00 >> (nets[i].plen % 8));
			if (((nets[i].addr[full] ^ addr[full]) & mask) != 0)
				continue;
		}
		return 1;
	}
	return 0;
}

const char *
addr16_ntop(const uint8_t addr[16], char *buf, size_t len)
{
	const char	*r;

	if (memcmp(addr, v4mapped, sizeof(v4mapped)) == 0)
		r = inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		r = inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
	if (r == NULL && len > 0) {
		if (len >= 2) {
			buf[0] = '?';
			buf[1] = '\0';
		} else
			buf[0] = '\0';
	}
	return buf;
}

const char *
addr16_port_ntop(const uint8_t addr[16], uint16_t port, char *buf,
    size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	addr16_ntop(addr, a, sizeof(a));
	if (port == 0)
		(void)snprintf(buf, len, "%s", a);
	else if (strchr(a, ':') != NULL)
		(void)snprintf(buf, len, "[%s]:%u", a, port);
	else
		(void)snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

void
addr16_from_sockaddr(const struct sockaddr *sa, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET6)
		memcpy(addr, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
	else if (sa->sa_family == AF_INET) {
		memcpy(addr, v4mapped, sizeof(v4mapped));
		memcpy(addr + 12, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	}
}

/*
 * The forwarding headers.  Each present header is read into its list of
 * hops, left to right over its lines, then walked from the right.
 */
struct hop {
	int		 known;		/* 0: "unknown" or obfuscated */
	uint8_t		 addr[16];
};

struct hops {
	struct hop	 h[PROXY_HOPS_MAX];
	size_t		 n;
};

/* What one header says. */
#define FWD_ABSENT	0
#define FWD_CLIENT	1	/* a client address was found */
#define FWD_MALFORMED	2
#define FWD_UNKNOWN	3	/* the deciding hop is unknown */

static int
ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 section 3.2.6 tchar. */
static int
tchar(unsigned char c)
{
	if (is_alpha(c) || is_digit(c))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
lit_caseeq(const char *p, size_t len, const char *lit)
{
	return len == strlen(lit) && strncasecmp(p, lit, len) == 0;
}

/* RFC 7239 obfnode and obfport: "_" 1*(ALPHA / DIGIT / "." / "_" / "-"). */
static int
obf_ident(const char *p, size_t len)
{
	size_t	 i;
	unsigned char	 c;

	if (len < 2 || p[0] != '_')
		return 0;
	for (i = 1; i < len; i++) {
		c = (unsigned char)p[i];
		if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '_' &&
		    c != '-')
			return 0;
	}
	return 1;
}

/* A port after a node: 1 to 5 digits, at most 65535, or obfuscated. */
static int
node_port(const char *p, size_t len, int obf_ok)
{
	long	 v = 0;
	size_t	 i;

	if (obf_ok && obf_ident(p, len))
		return 1;
	if (len == 0 || len > 5)
		return 0;
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v <= 65535;
}

static const char *
mem_rchr(const char *p, size_t len, char c)
{
	while (len > 0)
		if (p[--len] == c)
			return p + len;
	return NULL;
}

/*
 * One node, either header's: fills hop, returns 0 or -1.  fwd selects
 * RFC 7239's grammar (no bare IPv6, an optional port after "unknown",
 * obfuscated names and ports) over X-Forwarded-For's customs.
 */
static int
node_parse(const char *p, size_t len, int fwd, struct hop *hop)
{
	const char	*colon, *close;
	size_t		 nlen;

	memset(hop, 0, sizeof(*hop));
	if (len == 0)
		return -1;
	if (p[0] == '[') {
		if ((close = memchr(p, ']', len)) == NULL)
			return -1;
		nlen = (size_t)(close - p) + 1;		/* through ']' */
		if (nlen < len && (p[nlen] != ':' ||
		    !node_port(p + nlen + 1, len - nlen - 1, fwd)))
			return -1;
		if (addr_parse(p + 1, nlen - 2, AF_INET6, hop->addr) == -1)
			return -1;
		hop->known = 1;
		return 0;
	}
	if (addr_parse(p, len, AF_INET, hop->addr) == 0 ||
	    (!fwd && addr_parse(p, len, AF_INET6, hop->addr) == 0)) {
		hop->known = 1;
		return 0;
	}
	if (lit_caseeq(p, len, "unknown") || (fwd && obf_ident(p, len)))
		return 0;

	/* Only a name with a port is left. */
	if ((colon = mem_rchr(p, len, ':')) == NULL)
		return -1;
	nlen = (size_t)(colon - p);
	if (!node_port(colon + 1, len - nlen - 1, fwd))
		return -1;
	if (addr_parse(p, nlen, AF_INET, hop->addr) == 0) {
		hop->known = 1;
		return 0;
	}
	if (fwd && (lit_caseeq(p, nlen, "unknown") || obf_ident(p, nlen)))
		return 0;
	return -1;
}

static int
hops_add(struct hops *hs, const struct hop *hop)
{
	if (hs->n >= PROXY_HOPS_MAX)
		return -1;
	hs->h[hs->n++] = *hop;
	return 0;
}

/* One line of X-Forwarded-For: nodes separated by commas. */
static int
xff_line(const char *p, size_t len, struct hops *hs)
{
	struct hop	 hop;
	size_t		 i = 0, start, end;

	for (;;) {
		for (start = i; i < len && p[i] != ','; i++)
			;
		end = i;
		while (start < end && ows(p[start]))
			start++;
		while (end > start && ows(p[end - 1]))
			end--;
		if (node_parse(p + start, end - start, 0, &hop) == -1 ||
		    hops_add(hs, &hop) == -1)
			return -1;
		if (i == len)
			return 0;
		i++;	/* the comma */
	}
}

/*
 * A quoted-string (RFC 7230 section 3.2.6) at p[*i], which is the DQUOTE.
 * Its unescaped content goes to out (up to outsz bytes, *outlen set) when
 * out is not NULL; returns -1 when it is malformed, or too long for out.
 */
static int
quoted_string(const char *p, size_t len, size_t *i, char *out,
    size_t outsz, size_t *outlen)
{
	size_t		 n = 0;
	unsigned char	 c;

	for ((*i)++; *i < len; (*i)++) {
		c = (unsigned char)p[*i];
		if (c == '"') {
			(*i)++;
			if (outlen != NULL)
				*outlen = n;
			return 0;
		}
		if (c == '\\') {
			if (++(*i) >= len)
				return -1;
			c = (unsigned char)p[*i];
			/* quoted-pair: HTAB, SP, VCHAR, obs-text */
			if (c != '\t' && (c < 0x20 || c == 0x7f))
				return -1;
		} else if (c != '\t' && (c < 0x20 || c == 0x7f))
			return -1;	/* qdtext excludes CTLs, '"', '\' */
		if (out != NULL) {
			if (n >= outsz)
				return -1;
			out[n++] = (char)c;
		}
	}
	return -1;
}

/*
 * One line of Forwarded: elements separated by commas (with optional
 * whitespace around them), each pairs separated by ';', a pair being
 * token "=" (token | quoted-string).  A comma inside a quoted-string is
 * no separator, so the line is read a character at a time rather than
 * cut at commas first.
 */
static int
fwd_line(const char *p, size_t len, struct hops *hs)
{
	struct hop	 hop;
	char		 val[NODE_MAX];
	const char	*name, *v;
	size_t		 i = 0, nlen, vlen;
	int		 nfor, isfor;

	for (;;) {
		/* An element. */
		while (i < len && ows(p[i]))
			i++;
		nfor = 0;
		for (;;) {
			/* A pair, or an empty one before ';' ',' or the end. */
			if (i < len && p[i] != ';' && p[i] != ',' &&
			    !ows(p[i])) {
				for (name = p + i; i < len &&
				    tchar((unsigned char)p[i]); i++)
					;
				nlen = (size_t)(p + i - name);
				if (nlen == 0 || i >= len || p[i] != '=')
					return -1;
				i++;
				isfor = lit_caseeq(name, nlen, "for");
				if (i < len && p[i] == '"') {
					/* Only the value of for is kept. */
					if (quoted_string(p, len, &i,
					    isfor ? val : NULL, sizeof(val),
					    &vlen) == -1)
						return -1;
					v = val;
				} else {
					for (v = p + i; i < len &&
					    tchar((unsigned char)p[i]); i++)
						;
					vlen = (size_t)(p + i - v);
					if (vlen == 0)
						return -1;
				}
				if (isfor && (nfor++ > 0 ||
				    node_parse(v, vlen, 1, &hop) == -1))
					return -1;
			}
			if (i < len && p[i] == ';') {
				i++;
				continue;
			}
			break;
		}
		if (nfor == 0 || hops_add(hs, &hop) == -1)
			return -1;
		while (i < len && ows(p[i]))
			i++;
		if (i == len)
			return 0;
		if (p[i] != ',')
			return -1;
		i++;
	}
}

/*
 * Read one header and walk its hops from the right.  Returns FWD_*;
 * out is filled for FWD_CLIENT.
 */
static int
fwd_header(const struct hdr_values *hv, int forwarded,
    const struct netaddr *trusted, size_t ntrusted, uint8_t out[16])
{
	struct hops	 hs;
	size_t		 i;
	int		 l;

	if (hv == NULL || (hv->n == 0 && !hv->overflow))
		return FWD_ABSENT;
	if (hv->overflow || hv->n < 0 || hv->n > PROXY_HDR_MAX)
		return FWD_MALFORMED;
	hs.n = 0;
	for (l = 0; l < hv->n; l++) {
		if (hv->p[l] == NULL)
			return FWD_MALFORMED;
		if ((forwarded ? fwd_line(hv->p[l], hv->len[l], &hs) :
		    xff_line(hv->p[l], hv->len[l], &hs)) == -1)
			return FWD_MALFORMED;
	}
	/* n > 0 here: each line holds at least one element, or failed. */
	for (i = hs.n; i-- > 0;) {
		if (!hs.h[i].known)
			return FWD_UNKNOWN;
		if (!netaddr_match(trusted, ntrusted, hs.h[i].addr) || i == 0) {
			memcpy(out, hs.h[i].addr, 16);
			return FWD_CLIENT;
		}
	}
	return FWD_MALFORMED;	/* not reached */
}

int
proxy_forwarded(const struct hdr_values *xff, const struct hdr_values *fwd,
    const struct netaddr *trusted, size_t ntrusted, uint8_t out[16],
    const char **why)
{
	uint8_t	 a_xff[16], a_fwd[16];
	int	 r_xff, r_fwd;

	r_xff = fwd_header(xff, 0, trusted, ntrusted, a_xff);
	r_fwd = fwd_header(fwd, 1, trusted, ntrusted, a_fwd);

	if (r_xff == FWD_ABSENT && r_fwd == FWD_ABSENT)
		return none(why, "no forwarding header");
	if (r_xff == FWD_MALFORMED)
		return none(why, "malformed X-Forwarded-For");
	if (r_fwd == FWD_MALFORMED)
		return none(why, "malformed Forwarded");
	if (r_xff == FWD_UNKNOWN)
		return none(why, "X-Forwarded-For: the client is unknown");
	if (r_fwd == FWD_UNKNOWN)
		return none(why, "Forwarded: the client is unknown");
	if (r_xff == FWD_CLIENT && r_fwd == FWD_CLIENT &&
	    memcmp(a_xff, a_fwd, 16) != 0)
		return none(why, "X-Forwarded-For and Forwarded disagree");
	memcpy(out, r_xff == FWD_CLIENT ? a_xff : a_fwd, 16);
	return 1;
}
