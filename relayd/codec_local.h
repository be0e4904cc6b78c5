/*
 * What the three codec files share and nothing else includes.  codec.c
 * holds the rules common to both encodings (which keys a request type
 * uses, their sizes, room names, ids) and the shape of every server
 * message; codec_json.c and codec_msgpack.c only know their own bytes.
 * A decoder exposes its parsed top-level object through struct codec_src,
 * an encoder its primitives through the cbuf writers below, so that each
 * rule and each message layout is written once for both encodings.
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

int	codec_json_decode(const uint8_t *, size_t, struct sws_req *,
	    uint8_t *, size_t, int, const char **);
int	codec_mp_decode(const uint8_t *, size_t, struct sws_req *, int,
	    const char **);

/*
 * An output buffer.  With out NULL nothing is written and only the length
 * is counted (the *_size functions); then string and byte arguments may be
 * NULL, and a NULL string is counted at its longest JSON escaping.  Once
 * fail is set the message is lost and the encoder returns 0.
 */
#define CBUF_DEPTH	4	/* server messages nest two levels */

struct cbuf {
	uint8_t		*out;
	size_t		 cap;
	size_t		 len;
	int		 fail;
	int		 proto;
	int		 depth;
	uint8_t		 array[CBUF_DEPTH];	/* JSON: level is an array */
	uint8_t		 more[CBUF_DEPTH];	/* JSON: level has an item */
};

uint8_t	*cbuf_reserve(struct cbuf *, size_t);
void	 cbuf_put(struct cbuf *, const void *, size_t);

void	 jw_map(struct cbuf *, size_t);
void	 jw_array(struct cbuf *, size_t);
void	 jw_end(struct cbuf *);
void	 jw_key(struct cbuf *, const char *);
void	 jw_str(struct cbuf *, const char *, size_t);
void	 jw_bytes(struct cbuf *, const uint8_t *, size_t);
void	 jw_b64text(struct cbuf *, const char *, size_t);
void	 jw_uint(struct cbuf *, uint64_t);

void	 mw_map(struct cbuf *, size_t);
void	 mw_array(struct cbuf *, size_t);
void	 mw_key(struct cbuf *, const char *);
void	 mw_str(struct cbuf *, const char *, size_t);
void	 mw_bytes(struct cbuf *, const uint8_t *, size_t);
void	 mw_uint(struct cbuf *, uint64_t);

#endif /* SWS_CODEC_LOCAL_H */
