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
 * The relay behind a proxy: the PROXY protocol header (haproxy's
 * proxy-protocol.txt, versions 1 and 2) a load balancer puts in front of
 * the bytes of a connection, the list of networks whose word is trusted,
 * and the client address a trusted HTTP proxy names in X-Forwarded-For or
 * Forwarded (RFC 7239).  Nothing here allocates, keeps state, or touches
 * a descriptor: every function works on the bytes it is given.
 *
 * Addresses are 16 bytes throughout, an IPv4 address in its IPv4-mapped
 * form ::ffff:a.b.c.d, the key the connection limits (limit.c) use.
 *
 * Every `why' argument may be NULL; when not, it is set to a static
 * string saying why a call failed, for the log, and left alone otherwise.
 */
#ifndef SWS_PROXY_H
#define SWS_PROXY_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct sockaddr;

#define PROXY_V1_MAX		107	/* the v1 line, CRLF included */
#define PROXY_V2_MAX_PAYLOAD	1024	/* our bound on v2's length field */
#define PROXY_MAX		(16 + PROXY_V2_MAX_PAYLOAD)

struct proxy_hdr {
	int		 version;	/* 1 or 2 */
	int		 local;		/* no client address: v2 LOCAL, v1
					   UNKNOWN, v2 PROXY with family
					   UNSPEC */
	uint8_t		 src[16];	/* client address, IPv4 as
					   ::ffff:a.b.c.d */
	uint16_t	 src_port;	/* host order */
	uint8_t		 dst[16];
	uint16_t	 dst_port;
};

/*
 * Read the PROXY header at the start of a connection's first len bytes.
 * Returns the header's length once it is complete and valid, 0 when the
 * bytes so far are a valid prefix of one and more are needed, -1 when it
 * is certainly invalid.  Never reads past len; the bytes after the header
 * are the caller's (HTTP or TLS follows).  *h is zeroed on every call and
 * filled only when a length is returned; when local is set the addresses
 * are all zero and the TCP peer's address stands.
 *
 * The choices, all on the side of refusing:
 *
 * - The version is told by the first byte: 'P' must go on as "PROXY "
 *   (v1), CR as the 12-byte v2 signature; anything else, or a prefix that
 *   stops matching, is -1 at once, so a client speaking HTTP or TLS
 *   straight to a proxy-only listener is refused on its first read.
 *
 * - v1 is "PROXY" SP ("TCP4" | "TCP6" | "UNKNOWN") and, for TCP4 and
 *   TCP6, SP src SP dst SP sport SP dport, then CRLF, at most 107 bytes
 *   with the CRLF.  Spaces are single, there is no trailing space, and
 *   the addresses are read with inet_pton() of the family the protocol
 *   names: TCP6 with an IPv4 address is refused (an IPv4-mapped IPv6
 *   address is an IPv6 address, and is taken).  Ports are 0..65535 in
 *   decimal without sign or leading zero ("0" itself is fine).  After
 *   "UNKNOWN" anything may come up to the CRLF and is ignored, but there
 *   must be a space or the CRLF right after the word.  The whole line is
 *   printable ASCII (0x20..0x7e): NUL, other control bytes, bytes above
 *   0x7e, a bare LF and a CR not followed by LF are refused as soon as
 *   they arrive, and so is a line with no CRLF by byte 107.  A field is
 *   refused as soon as its prefix has a byte its kind cannot hold or is
 *   longer than it can be; a prefix that may still become valid is 0.
 *
 * - v2: the version nibble must be 2 and the command LOCAL (0) or PROXY
 *   (1).  For PROXY, family INET or INET6 with transport STREAM gives the
 *   addresses (12 or 36 bytes, network order), family UNSPEC gives local
 *   (any transport but DGRAM), UNIX is refused (a client on a unix socket
 *   has no address to give), DGRAM is refused (we speak TCP), and INET or
 *   INET6 with transport UNSPEC or an unknown value is refused.  For LOCAL
 *   (the proxy's own health checks) the family byte and the whole payload
 *   are ignored, as the specification tells the receiver to do.  The
 *   length field may not exceed PROXY_V2_MAX_PAYLOAD (refused once the 16
 *   bytes of the fixed part are in) nor be shorter than the family's
 *   address block.  After the addresses of a PROXY header come TLVs
 *   (type, 2-byte big-endian length, value); they must tile the rest of
 *   the payload exactly, and a TLV running past its end is refused as
 *   soon as its 3 header bytes are in.  Their content is not looked at:
 *   nothing the relay does depends on ALPN, authority, SSL or namespace
 *   information, and the CRC32C TLV is not checked because the proxy is
 *   on a network we trust (that is why its header is believed at all)
 *   and the TCP connection carrying it is already checksummed, so the
 *   CRC would only catch what TCP already does.
 */
ssize_t	proxy_parse(const uint8_t *buf, size_t len, struct proxy_hdr *h,
	    const char **why);

struct netaddr {
	uint8_t		 addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	uint8_t		 plen;		/* 0..128; an IPv4 /N is 96 + N */
};

/*
 * A network as relayd.conf writes it: "192.0.2.1", "192.0.2.0/24",
 * "2001:db8::/32", "::1" (no prefix is a host: /32 or /128).  Returns 0,
 * or -1 when malformed: an address inet_pton() does not take (no zone, no
 * spaces), a prefix out of range (IPv4 0..32, IPv6 0..128), empty, with a
 * sign or a leading zero, or host bits set beyond the prefix.  The last
 * is refused rather than masked so that a typo such as 192.0.2.1/24 for
 * 192.0.2.1/32 is caught; *why is then "host bits set beyond the prefix"
 * and the caller prints the string beside it ("192.0.2.1/24: host bits
 * set beyond the prefix").  "::ffff:192.0.2.0/120" is 192.0.2.0/24.
 */
int	netaddr_parse(const char *, struct netaddr *, const char **why);
/* Is addr (16 bytes) inside any of the n networks?  1 or 0. */
int	netaddr_match(const struct netaddr *, size_t n, const uint8_t addr[16]);
/*
 * Format a 16-byte address for log lines, an IPv4-mapped one as a dotted
 * quad.  Returns buf, which INET6_ADDRSTRLEN bytes always suffice for;
 * too small a buffer gets "?" when it has room for it, else "".
 */
const char *addr16_ntop(const uint8_t addr[16], char *buf, size_t len);
/* "192.0.2.1:4711", "[2001:db8::1]:4711", or the address alone: port 0. */
const char *addr16_port_ntop(const uint8_t addr[16], uint16_t port, char *buf,
	    size_t len);
/*
 * The 16-byte form of an AF_INET or AF_INET6 address (an IPv4-mapped IPv6
 * address is then the same as the IPv4 one).  Any other family gives all
 * zeroes, "::", which no network but ::/0 holds.
 */
void	addr16_from_sockaddr(const struct sockaddr *, uint8_t addr[16]);

/*
 * The values of one request header, X-Forwarded-For or Forwarded, as the
 * HTTP reader collects them: a slice for each line, in the order the
 * lines came (several lines of one header are one comma-separated list,
 * RFC 7230 section 3.2.2).  n is 0 when the header is absent.
 */
#define PROXY_HDR_MAX	8	/* lines of one header */
#define PROXY_HOPS_MAX	64	/* list elements of one header */

struct hdr_values {
	const char	*p[PROXY_HDR_MAX];
	size_t		 len[PROXY_HDR_MAX];
	int		 n;
	int		 overflow;	/* more lines than PROXY_HDR_MAX:
					   counts as malformed */
};

/*
 * The client's address as the trusted proxies in front of us say, for a
 * connection whose TCP peer is itself trusted (the caller checks that).
 * Each header is a list of hops, the nearest to us last.  The walk goes
 * from the right leftwards, skipping the addresses inside `trusted': the
 * first one not trusted is the client, since everything left of it came
 * from it or from proxies we know nothing of and may be made up.  When
 * every address is trusted the leftmost is the client.
 *
 * Returns 1 and fills out, or 0 (out untouched) when:
 * - neither header is present (xff or fwd may be NULL for absent);
 * - a header present is malformed: overflow, an empty element, more than
 *   PROXY_HOPS_MAX elements, an element of neither grammar below;
 * - the hop that decides is "unknown" or obfuscated;
 * - both headers are present and name different clients: a proxy that
 *   sets one of them usually passes the other through from the client
 *   unchecked, and we cannot tell which is which.  Both must name the
 *   same address for it to be believed.
 * Every 0 leaves the TCP peer's address as the client's.
 *
 * X-Forwarded-For elements, optional whitespace around the commas
 * trimmed: IPv4, IPv6, "[IPv6]", "[IPv6]:port", "IPv4:port" (port 1 to 5
 * digits, at most 65535), or "unknown" (any case).
 *
 * Forwarded elements are pairs token "=" (token | quoted-string)
 * separated by ';' (empty pairs allowed, as RFC 7239's grammar has
 * them), with no whitespace inside an element; names are case-insensitive.
 * Each element has exactly one "for", else the header is malformed.  Its
 * value, unquoted first: IPv4, "[IPv6]" or "[IPv6]:port" (quoted, RFC
 * 7239 section 6: unquoted it is no token and is malformed), "IPv4:port"
 * (quoted), "unknown" or an obfuscated "_name", each with an optional
 * port; a port may be obfuscated ("_name") too.  An unknown or
 * obfuscated node is an unknown hop.  A bare IPv6 address is malformed.
 * The other parameters (by, proto, host, extensions) are checked for
 * syntax only; a quoted "for" value over 127 bytes is malformed.
 */
int	proxy_forwarded(const struct hdr_values *xff,
	    const struct hdr_values *fwd, const struct netaddr *trusted,
	    size_t ntrusted, uint8_t out[16], const char **why);

#endif /* SWS_PROXY_H */
