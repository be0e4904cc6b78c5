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
 * What the three codec files share and nothing else includes.  codec.c
 * holds the rules common to both encodings (which keys a request type
 * uses, their sizes, room names, ids) and the shape of every server
 * message; codec_json.c and codec_msgpack.c only know their own bytes.
 * A decoder exposes its parsed top-level object through struct codec_src,
 * an encoding its decoder and writers through one struct codec_ops, so
 * that each rule and each message layout is written once for both
 * encodings and codec.c alone picks the table for a subprotocol.
 */
#ifndef SWS_CODEC_LOCAL_H
#define SWS_CODEC_LOCAL_H

#include <stddef.h>
#include <stdint.h>

struct sws_req;

/* What a decoder found under one key. */
#define CF_ABSENT	0	/* no such key */
#define CF_OK		1
#define CF_BAD		2	/* present, but of the wrong type or form */

/*
 * The top-level object of one decoded message, read key by key.  text()
 * wants a JSON string or msgpack str; with keep set the bytes must outlive
 * the decoder's parse tree.  bytes() wants a JSON base64url string or a
 * msgpack bin.  uint() wants a non-negative integer written as one.
 */
struct codec_src {
	void	*arg;
	int	(*text)(void *, const char *, int, const uint8_t **, size_t *);
	int	(*bytes)(void *, const char *, const uint8_t **, size_t *);
	int	(*uint)(void *, const char *, uint64_t *);
};

int	codec_fields(const struct codec_src *, struct sws_req *, int,
	    const char **);
int	codec_room_valid(const uint8_t *, size_t);

/* codec_decode_frame()'s promises and deferrals, for codec_json_decode() */
#define CODEC_F_UTF8_KNOWN	0x01	/* the text is valid UTF-8 */
#define CODEC_F_LAZY_BODY	0x02	/* check "body", decode it later */
#define CODEC_F_REGISTERED	0x04	/* phase CODEC_REGISTERED */


/*
 * An output buffer.  With out NULL nothing is written and only the length
 * is counted (the *_size functions); then string and byte arguments may be
 * NULL, and a NULL string is counted at its longest JSON escaping.  Once
 * fail is set the message is lost and the encoder returns 0.
 */
#define CBUF_DEPTH	4	/* server messages nest two levels */

struct codec_ops;

struct cbuf {
	uint8_t		*out;
	size_t		 cap;
	size_t		 len;
	int		 fail;
	const struct codec_ops *ops;
	int		 depth;
	uint8_t		 array[CBUF_DEPTH];	/* JSON: level is an array */
	uint8_t		 more[CBUF_DEPTH];	/* JSON: level has an item */
};

uint8_t	*cbuf_reserve(struct cbuf *, size_t);
void	 cbuf_put(struct cbuf *, const void *, size_t);

/*
 * One encoding.  decode() reads a client message (flags CODEC_F_*);
 * the writers append one item; end() closes a map or array (a no-op
 * where the encoding counts items up front); body_text(), when set,
 * writes a byte field from its canonical wire text as it came.
 */
struct codec_ops {
	int		 opcode;	/* WebSocket opcode of its messages */
	const char	*wrong_opcode;	/* ERROR text for the other one */
	int	(*decode)(const uint8_t *, size_t, struct sws_req *,
		    uint8_t *, size_t, int, const char **);
	void	(*map)(struct cbuf *, size_t);
	void	(*array)(struct cbuf *, size_t);
	void	(*end)(struct cbuf *);
	void	(*key)(struct cbuf *, const char *);
	void	(*str)(struct cbuf *, const char *, size_t);
	void	(*bytes)(struct cbuf *, const uint8_t *, size_t);
	void	(*uint)(struct cbuf *, uint64_t);
	void	(*body_text)(struct cbuf *, const char *, size_t);
};

extern const struct codec_ops codec_json_ops;
extern const struct codec_ops codec_msgpack_ops;

#endif /* SWS_CODEC_LOCAL_H */
