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
 * Unit tests of relayd/proxy.c: every form of the PROXY protocol header
 * both versions allow, each cut short at every byte, each malformation
 * refused (as early as can be told), the trusted networks, and the
 * client address read from X-Forwarded-For and Forwarded.  Inputs are
 * copied to buffers of exactly their length so that ASan sees a read
 * one byte past them.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress/lib/tap.h"
#include "proxy.h"

/* proxy_parse() on a copy of exactly len bytes. */
static ssize_t
pp(const void *buf, size_t len, struct proxy_hdr *h, const char **why)
{
	struct proxy_hdr	 tmp;
	const char		*w = NULL;
	uint8_t			*b;
	ssize_t			 r;

	if ((b = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(b, buf, len);
	r = proxy_parse(b, len, h != NULL ? h : &tmp, &w);
	free(b);
	if (r == -1 && w == NULL)
		r = -2;		/* every refusal says why */
	if (why != NULL)
		*why = w;
	return r;
}

static ssize_t
pps(const char *s)
{
	return pp(s, strlen(s), NULL, NULL);
}

/*
 * A whole header: every proper prefix needs more, the whole gives its
 * length, and bytes after it (an HTTP request, a TLS record) are left.
 */
static int
whole(const void *buf, size_t len)
{
	uint8_t	*b;
	size_t	 i;
	int	 good = 1;

	for (i = 0; i < len; i++)
		if (pp(buf, i, NULL, NULL) != 0)
			good = 0;
	if (pp(buf, len, NULL, NULL) != (ssize_t)len)
		good = 0;
	if ((b = malloc(len + 5)) == NULL)
		abort();
	memcpy(b, buf, len);
	memcpy(b + len, "GET /", 5);
	if (pp(b, len + 5, NULL, NULL) != (ssize_t)len)
		good = 0;
	memcpy(b + len, "\x16\x03\x01\x02\x00", 5);
	if (pp(b, len + 5, NULL, NULL) != (ssize_t)len)
		good = 0;
	free(b);
	return good;
}

static int
is_addr(const uint8_t a[16], const char *s)
{
	uint8_t		 want[16];
	struct in_addr	 a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(want, 0, 10);
		want[10] = want[11] = 0xff;
		memcpy(want + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, s, want) != 1)
		return 0;
	return memcmp(a, want, 16) == 0;
}

static void
test_v1_good(void)
{
	static const struct {
		const char	*line;
		int		 local;
		const char	*src, *dst;
		uint16_t	 sport, dport;
	} t[] = {
		{ "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n", 0,
		  "192.0.2.1", "198.51.100.2", 56324, 443 },
		{ "PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", 0,
		  "0.0.0.0", "255.255.255.255", 0, 65535 },
		{ "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", 0,
		  "2001:db8::1", "2001:db8::2", 1, 65535 },
		{ "PROXY TCP6 ::ffff:192.0.2.1 ::1 10 20\r\n", 0,
		  "192.0.2.1", "::1", 10, 20 },
		{ "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
		  "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF 65535 65535\r\n", 0,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, 65535 },
		{ "PROXY UNKNOWN\r\n", 1, "::", "::", 0, 0 },
		{ "PROXY UNKNOWN ffff:f::1 x y z w v\r\n", 1, "::", "::", 0, 0 },
		{ "PROXY UNKNOWN \r\n", 1, "::", "::", 0, 0 },
	};
	struct proxy_hdr	 h;
	size_t			 i, len;
	char			 buf[PROXY_V1_MAX + 1];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = strlen(t[i].line);
		ok(pp(t[i].line, len, &h, NULL) == (ssize_t)len &&
		    h.version == 1 && h.local == t[i].local &&
		    is_addr(h.src, t[i].src) && is_addr(h.dst, t[i].dst) &&
		    h.src_port == t[i].sport && h.dst_port == t[i].dport &&
		    whole(t[i].line, len),
		    "v1 %.*s: fields, every prefix 0, trailing bytes left",
		    (int)len - 2, t[i].line);
	}

	/* 107 bytes with the CRLF is the most; 108 is refused. */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "PROXY UNKNOWN ", 14);
	memcpy(buf + 105, "\r\n", 2);
	ok(pp(buf, 107, &h, NULL) == 107 && h.local && whole(buf, 107),
	    "v1 UNKNOWN line of exactly 107 bytes");
	memcpy(buf + 105, "x\r", 2);
	buf[107] = '\n';
	ok(pp(buf, 106, NULL, NULL) == 0 && pp(buf, 107, NULL, NULL) == -1,
	    "v1 CR at byte 107: refused as soon as it comes (oversized)");
	memset(buf + 14, 'x', sizeof(buf) - 14);
	ok(pp(buf, 106, NULL, NULL) == 0 && pp(buf, 107, NULL, NULL) == -1 &&
	    pp(buf, 108, NULL, NULL) == -1,
	    "v1 of 108 bytes without CRLF: refused by byte 107 (oversized)");
}

static void
test_v1_bad(void)
{
	static const struct {
		const char	*in;
		const char	*what;
	} t[] = {
		{ "G", "\"G\" (HTTP): at once" },
		{ "\x16", "a TLS record: at once" },
		{ "PROXX", "PROXX" },
		{ "PROXY\r\n", "PROXY without a space" },
		{ "PROXY  TCP4", "two spaces after PROXY" },
		{ "PROXY tcp4 ", "lowercase tcp4" },
		{ "PROXY TCP5", "TCP5" },
		{ "PROXY UDP4", "UDP4" },
		{ "PROXY UNKNOWNX\r\n", "UNKNOWNX" },
		{ "PROXY UNKNOWN\n", "UNKNOWN then bare LF" },
		{ "PROXY UNKNOWN\rX", "UNKNOWN then CR not followed by LF" },
		{ "PROXY TCP4\r\n", "TCP4 without addresses" },
		{ "PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n", "missing dport" },
		{ "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n", "extra field" },
		{ "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 \r\n",
		  "trailing space" },
		{ "PROXY TCP4 192.0.2.1  198.51.100.2 1 2\r\n", "double space" },
		{ "PROXY TCP4 192.0.2.1\t198.51.100.2 1 2\r\n", "tab" },
		{ "PROXY TCP4 2001:db8::1 ", "IPv6 under TCP4: at its first ':'" },
		{ "PROXY TCP6 192.0.2.1 198.51.100.2 1 2\r\n", "IPv4 under TCP6" },
		{ "PROXY TCP4 192.0.2.256 198.51.100.2 1 2\r\n", "octet 256" },
		{ "PROXY TCP4 192.0.2.01 198.51.100.2 1 2\r\n",
		  "octet with a leading zero" },
		{ "PROXY TCP4 192.0.2 198.51.100.2 1 2\r\n", "three octets" },
		{ "PROXY TCP4 192.0.2.1.5 ", "five octets" },
		{ "PROXY TCP4 192.0.2.x", "a letter in an IPv4 address, early" },
		{ "PROXY TCP6 2001:db8::g", "g in an IPv6 address, early" },
		{ "PROXY TCP6 fe80::1%eth0 ", "an IPv6 zone" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 0443 ", "port 0443, early" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 00\r\n", "port 00" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 65536", "port 65536, early" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 123456", "port of 6 digits" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "port +1" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "port -1" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 0x1 2\r\n", "port 0x1" },
		{ "PROXY UNKNOWN \x01\r\n", "a control byte after UNKNOWN" },
		{ "PROXY UNKNOWN \x7f\r\n", "DEL after UNKNOWN" },
		{ "PROXY UNKNOWN \xc3\xa9\r\n", "non-ASCII after UNKNOWN" },
	};
	static const char	 nul[] = "PROXY UNKNOWN \0\r\n";
	const char		*why;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(pps(t[i].in) == -1, "v1 refused: %s", t[i].what);
	ok(pp(nul, sizeof(nul) - 1, NULL, &why) == -1 && why != NULL,
	    "v1 refused: NUL (\"%s\")", why);
	ok(pps("") == 0 && pps("P") == 0 && pps("PROXY") == 0 &&
	    pps("PROXY ") == 0 && pps("PROXY UNK") == 0 &&
	    pps("PROXY TCP6 2001:db8:") == 0 &&
	    pps("PROXY TCP4 1.2.3.4 5.6.7.8 6553") == 0,
	    "v1 prefixes that may still be good: 0");
}

/* A v2 header: signature, ver_cmd, fam, length, then the payload. */
static size_t
v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const void *payload,
    size_t plen)
{
	memcpy(out, "\r\n\r\n\0\r\nQUIT\n", 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(plen >> 8);
	out[15] = (uint8_t)plen;
	if (plen > 0)
		memcpy(out + 16, payload, plen);
	return 16 + plen;
}

static const uint8_t inet_block[12] = {
	192, 0, 2, 1,  198, 51, 100, 2,  0xdc, 0x04,  0x01, 0xbb
};

static void
test_v2_good(void)
{
	struct proxy_hdr	 h;
	uint8_t			 b[PROXY_MAX + 16], p[PROXY_V2_MAX_PAYLOAD];
	size_t			 n;

	n = v2(b, 0x21, 0x11, inet_block, sizeof(inet_block));
	ok(pp(b, n, &h, NULL) == 28 && h.version == 2 && !h.local &&
	    is_addr(h.src, "192.0.2.1") && is_addr(h.dst, "198.51.100.2") &&
	    h.src_port == 56324 && h.dst_port == 443 && whole(b, n),
	    "v2 PROXY TCP over IPv4");

	memset(p, 0, 36);
	inet_pton(AF_INET6, "2001:db8::1", p);
	inet_pton(AF_INET6, "2001:db8::2", p + 16);
	p[32] = 0xff; p[33] = 0xff; p[34] = 0; p[35] = 80;
	n = v2(b, 0x21, 0x21, p, 36);
	ok(pp(b, n, &h, NULL) == 52 && !h.local &&
	    is_addr(h.src, "2001:db8::1") && is_addr(h.dst, "2001:db8::2") &&
	    h.src_port == 65535 && h.dst_port == 80 && whole(b, n),
	    "v2 PROXY TCP over IPv6");

	/* ALPN "h2", an empty NOOP, a CRC32C nobody checks. */
	memcpy(p, inet_block, 12);
	memcpy(p + 12, "\x01\x00\x02h2\x04\x00\x00\x03\x00\x04\xde\xad\xbe\xef",
	    15);
	n = v2(b, 0x21, 0x11, p, 27);
	ok(pp(b, n, &h, NULL) == 43 && is_addr(h.src, "192.0.2.1") &&
	    whole(b, n), "v2 with TLVs after the addresses");

	/* One TLV of 1009 bytes fills the rest. */
	memcpy(p + 12, "\x30\x03\xf1", 3);
	memset(p + 15, 'a', PROXY_V2_MAX_PAYLOAD - 15);
	n = v2(b, 0x21, 0x11, p, PROXY_V2_MAX_PAYLOAD);
	ok(pp(b, n, &h, NULL) == PROXY_MAX && whole(b, n),
	    "v2 with a payload of PROXY_V2_MAX_PAYLOAD (%d)",
	    PROXY_V2_MAX_PAYLOAD);

	n = v2(b, 0x20, 0x00, NULL, 0);
	ok(pp(b, n, &h, NULL) == 16 && h.version == 2 && h.local &&
	    is_addr(h.src, "::") && whole(b, n), "v2 LOCAL: local");
	n = v2(b, 0x20, 0x11, inet_block, sizeof(inet_block));
	ok(pp(b, n, &h, NULL) == 28 && h.local && is_addr(h.src, "::") &&
	    whole(b, n), "v2 LOCAL with addresses: local, addresses ignored");
	n = v2(b, 0x20, 0xff, "\x01\x02\x03", 3);
	ok(pp(b, n, &h, NULL) == 19 && h.local && whole(b, n),
	    "v2 LOCAL with an unknown family and no TLVs: payload ignored");
	n = v2(b, 0x21, 0x00, NULL, 0);
	ok(pp(b, n, &h, NULL) == 16 && h.local && whole(b, n),
	    "v2 PROXY with family UNSPEC: local");
	n = v2(b, 0x21, 0x01, "\x04\x00\x01z", 4);
	ok(pp(b, n, &h, NULL) == 20 && h.local && whole(b, n),
	    "v2 PROXY UNSPEC with a TLV: local");
}

static void
test_v2_bad(void)
{
	static const struct {
		uint8_t		 ver_cmd, fam;
		size_t		 plen;
		size_t		 early;	/* refused once this many are in */
		const char	*what;
	} t[] = {
		{ 0x11, 0x11, 12, 13, "version 1 in a v2 signature" },
		{ 0x31, 0x11, 12, 13, "version 3" },
		{ 0x22, 0x11, 12, 13, "command 2" },
		{ 0x2f, 0x11, 12, 13, "command 15" },
		{ 0x21, 0x31, 216, 14, "PROXY from a unix socket" },
		{ 0x21, 0x32, 216, 14, "PROXY unix datagram" },
		{ 0x21, 0x12, 12, 14, "PROXY UDP over IPv4" },
		{ 0x21, 0x22, 36, 14, "PROXY UDP over IPv6" },
		{ 0x21, 0x02, 0, 14, "PROXY UNSPEC datagram" },
		{ 0x21, 0x41, 12, 14, "family 4" },
		{ 0x21, 0x13, 12, 14, "transport 3" },
		{ 0x21, 0x10, 12, 14, "IPv4 with transport UNSPEC" },
		{ 0x21, 0x11, 11, 16, "IPv4 with an 11-byte payload" },
		{ 0x21, 0x21, 35, 16, "IPv6 with a 35-byte payload" },
		{ 0x21, 0x11, 1025, 16, "length 1025 (oversized)" },
		{ 0x20, 0x00, 0xffff, 16, "LOCAL with length 65535" },
	};
	uint8_t		 b[16 + 1100], p[1100];
	const char	*why;
	size_t		 i, n;

	memset(p, 0, sizeof(p));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = v2(b, t[i].ver_cmd, t[i].fam, p, t[i].plen > 1100 ? 0 :
		    t[i].plen);
		b[14] = (uint8_t)(t[i].plen >> 8);
		b[15] = (uint8_t)t[i].plen;
		ok(pp(b, t[i].early - 1, NULL, NULL) == 0 &&
		    pp(b, t[i].early, NULL, &why) == -1 &&
		    pp(b, n, NULL, NULL) == -1,
		    "v2 refused: %s, by byte %zu (\"%s\")", t[i].what,
		    t[i].early, why);
	}

	/* TLVs that do not tile the rest of the payload. */
	memcpy(p, inet_block, 12);
	memcpy(p + 12, "\x01\x00\x02h2\x04\x00", 7);
	n = v2(b, 0x21, 0x11, p, 19);
	ok(pp(b, n, NULL, &why) == -1, "v2 refused: 2 bytes after the last "
	    "TLV (\"%s\")", why);
	memcpy(p + 12, "\x01\x00\x03h2", 5);
	n = v2(b, 0x21, 0x11, p, 17);
	ok(pp(b, n, NULL, NULL) == -1, "v2 refused: a TLV past the payload");
	memcpy(p + 12, "\x01\x01\x00", 3);
	n = v2(b, 0x21, 0x11, p, 100);
	ok(pp(b, 30, NULL, NULL) == 0 && pp(b, 31, NULL, NULL) == -1,
	    "v2 refused: a TLV longer than the payload, once its header is in");
	n = v2(b, 0x21, 0x00, "\x01", 1);
	ok(pp(b, n, NULL, NULL) == -1, "v2 refused: UNSPEC with 1 stray byte");

	ok(pp("\r\n\r\n\0", 5, NULL, NULL) == 0 &&
	    pp("\r\n\r\n\0\r\nQUIT", 11, NULL, NULL) == 0 &&
	    pp("\r\n\r\n\0\r\nQUIT\n", 12, NULL, NULL) == 0,
	    "v2 signature prefixes: 0");
	ok(pp("\r\n\r\n\0\n", 6, NULL, NULL) == -1 &&
	    pp("\r\nGET", 3, NULL, NULL) == -1 &&
	    pp("\r\n\r\n\0\r\nQUIT\r", 12, NULL, NULL) == -1,
	    "v2 signature mismatch: -1 at the first wrong byte");
}

static int
na(const char *s, const char *addr, int plen)
{
	struct netaddr	 n;
	const char	*why = NULL;

	if (netaddr_parse(s, &n, &why) == -1)
		return addr == NULL && why != NULL;
	return addr != NULL && is_addr(n.addr, addr) && n.plen == plen;
}

static void
test_netaddr(void)
{
	static const char *const bad[] = {
		"", "/24", "192.0.2", "192.0.2.0/33", "::/129", "192.0.2.0/024",
		"192.0.2.0/00", "192.0.2.0/+24", "192.0.2.0/-1", "192.0.2.0/",
		"192.0.2.0/ 24", "192.0.2.0/24 ", " 192.0.2.0", "192.0.2.0/2a",
		"192.0.2.0/24/8", "fe80::1%eth0", "[::1]", "localhost",
		"2001:db8::/1280", "192.0.2.1/31",
	};
	struct netaddr	 nets[3];
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr_un	 sock_un;
	uint8_t		 a[16];
	char		 buf[INET6_ADDRSTRLEN];
	const char	*why;
	size_t		 i;

	ok(na("192.0.2.1", "192.0.2.1", 128), "192.0.2.1 is a host (128)");
	ok(na("192.0.2.1/32", "192.0.2.1", 128), "192.0.2.1/32: 128");
	ok(na("192.0.2.0/24", "192.0.2.0", 120), "192.0.2.0/24: 96 + 24");
	ok(na("192.0.2.128/25", "192.0.2.128", 121), "192.0.2.128/25");
	ok(na("0.0.0.0/0", "0.0.0.0", 96), "0.0.0.0/0: 96");
	ok(na("::/0", "::", 0), "::/0: 0");
	ok(na("::1", "::1", 128), "::1: 128");
	ok(na("2001:db8::/32", "2001:db8::", 32), "2001:db8::/32");
	ok(na("2001:db8::1/128", "2001:db8::1", 128), "2001:db8::1/128");
	ok(na("::ffff:192.0.2.0/120", "192.0.2.0", 120),
	    "::ffff:192.0.2.0/120 is 192.0.2.0/24");
	ok(netaddr_parse("192.0.2.1/24", &nets[0], &why) == -1 &&
	    strstr(why, "host bits") != NULL,
	    "192.0.2.1/24: \"%s\"", why);
	ok(na("2001:db8::1/64", NULL, 0), "2001:db8::1/64: host bits set");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(na(bad[i], NULL, 0), "netaddr \"%s\" refused", bad[i]);

	netaddr_parse("192.0.2.128/25", &nets[0], NULL);
	netaddr_parse("2001:db8::/32", &nets[1], NULL);
	netaddr_parse("::1", &nets[2], NULL);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.0.2.200", &sin6.sin6_addr);
	addr16_from_sockaddr((struct sockaddr *)&sin6, a);
	ok(netaddr_match(nets, 3, a) && is_addr(a, "192.0.2.200"),
	    "a v4-mapped peer is inside an IPv4 network");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.127", &sin.sin_addr);
	addr16_from_sockaddr((struct sockaddr *)&sin, a);
	ok(!netaddr_match(nets, 3, a) && is_addr(a, "192.0.2.127"),
	    "192.0.2.127 is outside 192.0.2.128/25");
	inet_pton(AF_INET6, "2001:db8:ffff::1", a);
	ok(netaddr_match(nets, 3, a), "2001:db8:ffff::1 in 2001:db8::/32");
	inet_pton(AF_INET6, "2001:db9::", a);
	ok(!netaddr_match(nets, 3, a), "2001:db9:: outside");
	inet_pton(AF_INET6, "::1", a);
	ok(netaddr_match(nets, 3, a) && !netaddr_match(nets, 2, a) &&
	    !netaddr_match(nets, 0, a), "::1 in ::1/128, and only there");
	inet_pton(AF_INET6, "::2", a);
	ok(!netaddr_match(nets, 3, a), "::2 outside ::1/128");
	netaddr_parse("0.0.0.0/0", &nets[0], NULL);
	ok(netaddr_match(nets, 1, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0"
	    "\xff\xff\1\2\3\4") && !netaddr_match(nets, 1, a),
	    "0.0.0.0/0 holds every IPv4 address and no IPv6 one");
	netaddr_parse("::/0", &nets[0], NULL);
	ok(netaddr_match(nets, 1, a), "::/0 holds everything");

	memset(&sock_un, 0, sizeof(sock_un));
	sock_un.sun_family = AF_UNIX;
	memset(a, 0xaa, sizeof(a));
	addr16_from_sockaddr((struct sockaddr *)&sock_un, a);
	ok(is_addr(a, "::"), "a unix socket peer is ::");

	inet_pton(AF_INET6, "::ffff:192.0.2.1", a);
	ok(strcmp(addr16_ntop(a, buf, sizeof(buf)), "192.0.2.1") == 0,
	    "addr16_ntop: v4-mapped as a dotted quad");
	inet_pton(AF_INET6, "2001:db8::1", a);
	ok(strcmp(addr16_ntop(a, buf, sizeof(buf)), "2001:db8::1") == 0,
	    "addr16_ntop: IPv6");
	ok(strcmp(addr16_ntop(a, buf, 4), "?") == 0,
	    "addr16_ntop: too small a buffer gives \"?\"");
}

/* Headers given as NULL-separated lists of lines. */
#define LINES(...)	(const char *const []){ __VA_ARGS__, NULL }

static struct hdr_values *
hv(struct hdr_values *v, const char *const *lines)
{
	memset(v, 0, sizeof(*v));
	if (lines == NULL)
		return NULL;
	for (; *lines != NULL; lines++) {
		if (v->n == PROXY_HDR_MAX) {
			v->overflow = 1;
			break;
		}
		v->p[v->n] = *lines;
		v->len[v->n++] = strlen(*lines);
	}
	return v;
}

static struct netaddr	 trusted[3];

/* 1 when the answer is want (NULL: 0 with a reason, out untouched). */
static int
fw(const char *const *xff, const char *const *fwd, const char *want)
{
	struct hdr_values	 vx, vf;
	uint8_t			 out[16];
	const char		*why = NULL;
	int			 r;

	memset(out, 0x55, sizeof(out));
	r = proxy_forwarded(hv(&vx, xff), hv(&vf, fwd), trusted, 3, out, &why);
	if (want == NULL)
		return r == 0 && why != NULL && out[0] == 0x55 &&
		    out[15] == 0x55;
	return r == 1 && is_addr(out, want);
}

static void
test_xff(void)
{
	static const char *const bad[] = {
		"", " ", "203.0.113.5,", ",203.0.113.5", "203.0.113.5,,10.0.0.1",
		"203.0.113.5 10.0.0.1", "203.0.113.5:", "203.0.113.5:123456",
		"203.0.113.5:65536", "203.0.113.5:-1", "[2001:db8::5",
		"[2001:db8::5]:", "[2001:db8::5]x", "[203.0.113.5]", "localhost",
		"_hidden", "unknown:80", "203.0.113.5;", "\"203.0.113.5\"",
		"2001:db8::5]:80", "[]", "203.0.113",
	};
	char		 big[64 * 10 + 1];
	size_t		 i, n;

	ok(fw(NULL, NULL, NULL), "no headers: 0");
	ok(fw(LINES("203.0.113.5"), NULL, "203.0.113.5"),
	    "XFF of one address");
	ok(fw(LINES(" 203.0.113.5 ,\t10.0.0.2, 192.0.2.9\t"), NULL,
	    "203.0.113.5"), "XFF through two trusted hops, OWS trimmed");
	ok(fw(LINES("10.0.0.1, 10.0.0.2, 192.0.2.3"), NULL, "10.0.0.1"),
	    "XFF all trusted: the leftmost");
	ok(fw(LINES("10.0.0.1, 198.51.100.7"), NULL, "198.51.100.7"),
	    "XFF with an untrusted rightmost hop: that hop is the client");
	ok(fw(LINES("1.1.1.1, 10.0.0.9, 198.51.100.7, 10.0.0.3"), NULL,
	    "198.51.100.7"), "spoofing: what the client put on the left loses");
	ok(fw(LINES("[2001:db8::5]:443, 10.0.0.1"), NULL, "2001:db8::5"),
	    "XFF [IPv6]:port");
	ok(fw(LINES("[2001:db8::5]"), NULL, "2001:db8::5"), "XFF [IPv6]");
	ok(fw(LINES("2001:db8::5, 2001:db8:f::1"), NULL, "2001:db8::5"),
	    "XFF bare IPv6 through a trusted IPv6 hop");
	ok(fw(LINES("203.0.113.5:8080"), NULL, "203.0.113.5"),
	    "XFF IPv4:port");
	ok(fw(LINES("::ffff:203.0.113.5"), NULL, "203.0.113.5"),
	    "XFF v4-mapped IPv6 is the IPv4 address");
	ok(fw(LINES("198.51.100.7, unknown, 10.0.0.1"), NULL, NULL),
	    "XFF: an unknown hop decides: 0");
	ok(fw(LINES("UNKNOWN, 198.51.100.7"), NULL, "198.51.100.7"),
	    "XFF: an unknown hop left of the client does not matter");
	ok(fw(LINES("unknown, 10.0.0.1"), NULL, NULL),
	    "XFF: the leftmost is unknown and all else trusted: 0");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(fw(LINES("198.51.100.1", bad[i], "10.0.0.1"), NULL, NULL),
		    "XFF element \"%s\": malformed", bad[i]);
	ok(fw(LINES("198.51.100.1", "10.0.0.1, 10.0.0.2"), NULL,
	    "198.51.100.1"), "XFF of two lines, read as one list in order");
	ok(fw(LINES("198.51.100.1, 10.0.0.5", "203.0.113.9"), NULL,
	    "203.0.113.9"), "XFF: the last line holds the nearest hop");
	ok(fw(LINES("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1",
	    "10.0.0.1", "10.0.0.1", "10.0.0.1", "198.51.100.1"), NULL,
	    "198.51.100.1"), "XFF of 8 lines");
	ok(fw(LINES("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1",
	    "10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1", "198.51.100.1"),
	    NULL, NULL), "XFF of 9 lines: overflow, 0");

	n = (size_t)snprintf(big, sizeof(big), "198.51.100.9");
	for (i = 1; i < 64; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, ",10.0.0.1");
	ok(fw(LINES(big), NULL, "198.51.100.9"), "XFF of 64 hops");
	snprintf(big + n, sizeof(big) - n, ",10.0.0.1");
	ok(fw(LINES(big), NULL, NULL), "XFF of 65 hops: 0");
}

static void
test_fwd(void)
{
	static const char *const bad[] = {
		"", "for=", "for=\"\"", "proto=http", "for=[2001:db8::1]",
		"for=2001:db8::1", "for=\"2001:db8::1\"", "for=198.51.100.7:80",
		"for=1.2.3.4;for=5.6.7.8", "for=1.2.3.4 ;proto=http",
		"for=1.2.3.4; proto=http", "for =1.2.3.4", "for= 1.2.3.4",
		"for=1.2.3.4;=x", "for=1.2.3.4;proto=", "for=1.2.3.4,",
		",for=1.2.3.4", "for=1.2.3.4;host=\"a", "for=\"1.2.3.4",
		"for=\"1.2.3.4\"x", "for=\"[2001:db8::1]:65536\"",
		"for=\"[2001:db8::1]:_\"", "for=\"_\"", "for=\"_a b\"",
		"for=\"[2001:db8::1]\x01\"", "for=localhost", "for=1.2.3.4 5",
		"for=1.2.3.4;by=\"x\\", "for=1.2.3.4 for=5.6.7.8",
	};
	char		 big[200];
	size_t		 i;

	ok(fw(NULL, LINES("for=198.51.100.17"), "198.51.100.17"),
	    "Forwarded for=IPv4");
	ok(fw(NULL, LINES("For=\"[2001:db8:cafe::17]:4711\""),
	    "2001:db8:cafe::17"), "Forwarded quoted [IPv6]:port, For in "
	    "capitals");
	ok(fw(NULL, LINES("for=\"[2001:db8::1]\";proto=https"),
	    "2001:db8::1"), "Forwarded quoted [IPv6]");
	ok(fw(NULL, LINES("for=\"198.51.100.17:8080\""), "198.51.100.17"),
	    "Forwarded quoted IPv4:port");
	ok(fw(NULL, LINES("for=\"198.51.100.17\""), "198.51.100.17"),
	    "Forwarded quoted IPv4");
	ok(fw(NULL, LINES("for=\"[2001:db8::\\1]:_p-1\""), "2001:db8::1"),
	    "Forwarded: quoted-pair and an obfuscated port");
	ok(fw(NULL, LINES("for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;"
	    "proto=http;host=example.com, for=10.0.0.1"), "198.51.100.17"),
	    "Forwarded chain (RFC 7239's example) through a trusted hop");
	ok(fw(NULL, LINES("proto=http;for=198.51.100.17;;host=\"a,b;c\";"
	    "x-ext=\"q\\\"\";"), "198.51.100.17"),
	    "Forwarded: empty pairs, quoted commas, extensions");
	ok(fw(NULL, LINES("for=192.0.2.60", "for=10.0.0.1"), "192.0.2.60"),
	    "Forwarded of two lines, all trusted: the leftmost");
	ok(fw(NULL, LINES("for=\"_gazonk\""), NULL),
	    "Forwarded obfuscated node decides: 0");
	ok(fw(NULL, LINES("for=unknown, for=10.0.0.2"), NULL),
	    "Forwarded unknown decides: 0");
	ok(fw(NULL, LINES("for=\"unknown:80\", for=198.51.100.3"),
	    "198.51.100.3"), "Forwarded: unknown:port left of the client");
	ok(fw(NULL, LINES("for=\"_x:_y\""), NULL),
	    "Forwarded obfuscated node and port: unknown, 0");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(fw(NULL, LINES("for=198.51.100.1", bad[i]), NULL),
		    "Forwarded element \"%s\": malformed", bad[i]);
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "for=\"_", 6);
	memcpy(big + sizeof(big) - 2, "\"", 2);
	ok(fw(NULL, LINES(big), NULL), "Forwarded for of 193 bytes: 0");

	ok(fw(LINES("198.51.100.1, 10.0.0.1"),
	    LINES("for=198.51.100.1, for=10.0.0.1"), "198.51.100.1"),
	    "XFF and Forwarded agreeing: 1");
	ok(fw(LINES("198.51.100.1"), LINES("for=\"[::ffff:198.51.100.1]\""),
	    "198.51.100.1"), "agreeing in different spellings: 1");
	ok(fw(LINES("198.51.100.1, 10.0.0.1"), LINES("for=198.51.100.2"),
	    NULL), "XFF and Forwarded disagreeing: 0");
	ok(fw(LINES("198.51.100.1"), LINES("for=[::1]"), NULL),
	    "XFF good, Forwarded malformed: 0");
	ok(fw(LINES("198.51.100.1;"), LINES("for=198.51.100.1"), NULL),
	    "XFF malformed, Forwarded good: 0");
	ok(fw(LINES("unknown"), LINES("for=198.51.100.1"), NULL),
	    "XFF unknown, Forwarded good: 0");
}

int
main(void)
{
	if (netaddr_parse("10.0.0.0/8", &trusted[0], NULL) == -1 ||
	    netaddr_parse("192.0.2.0/24", &trusted[1], NULL) == -1 ||
	    netaddr_parse("2001:db8:f::/48", &trusted[2], NULL) == -1)
		abort();
	test_v1_good();
	test_v1_bad();
	test_v2_good();
	test_v2_bad();
	test_netaddr();
	test_xff();
	test_fwd();
	return tap_done();
}
