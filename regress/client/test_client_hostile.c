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
 * libsws against a hostile relay: every bad input must end in the exact
 * CLOSED event, with the exact close code sent back.  Helpers in
 * test_client.h.
 */
#include "test_client.h"

static void
test_hostile(void)
{
	static const char *const bad_json[] = {
		"not json",
		"[1,2]",
		"{\"id\":1}",
		"{\"type\":7}",
		"{\"type\":\"ACK\"}",
		"{\"type\":\"ACK\",\"id\":-1}",
		"{\"type\":\"ACK\",\"id\":1.5}",
		"{\"type\":\"ACK\",\"id\":9007199254740992}",
		"{\"type\":\"ACK\",\"id\":1,\"id\":2}",
		"{\"type\":\"ACK\",\"type\":\"ACK\",\"id\":1}",
		"{\"type\":\"ERROR\",\"code\":5}",
		"{\"type\":\"ERROR\",\"code\":\"\"}",
		"{\"type\":\"MESSAGE\",\"from\":\"AAAA\",\"body\":\"\"}",
		"{\"type\":\"MESSAGE\",\"from\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\","
		    "\"body\":\"A\"}",
		"{\"type\":\"MESSAGE\",\"from\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\","
		    "\"body\":\"AA==\"}",
		"{\"type\":\"MESSAGE\",\"from\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\"}",
		"{\"type\":\"JOINED\",\"room\":\"r\",\"members\":[\"x\"]}",
		"{\"type\":\"JOINED\",\"room\":\"\",\"members\":[]}",
		"{\"type\":\"JOINED\",\"room\":\"a\\nb\",\"members\":[]}",
		"{\"type\":\"PRESENCE\",\"room\":\"r\",\"publicKey\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\","
		    "\"state\":\"gone\"}",
		"{\"type\":\"ACK\",\"id\":1,\"x\":[[[[[[[[[1]]]]]]]]]}",
	};
	struct fake	*f;
	size_t		 i;
	int		 good;

	for (i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		f = registered(0);
		srv_raw(f, WS_OP_TEXT, bad_json[i], strlen(bad_json[i]));
		good = last(f)->type == SWS_EV_CLOSED &&
		    strcmp(last(f)->code, "protocol") == 0 &&
		    f->close_code == 1002 && count_recs(f, SWS_EV_ACK) == 0 &&
		    count_recs(f, SWS_EV_ERROR) == 0;
		ok(good, "malformed %s: CLOSED protocol, close 1002 (%s)",
		    bad_json[i], last(f)->text);
		fake_free(f);
	}

	/* frames */
	f = registered(0);
	srv_raw(f, WS_OP_BINARY, "\x81\xa4type", 6);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1003,
	    "binary on JSON: close 1003");
	fake_free(f);
	f = registered(1);
	srv_raw(f, WS_OP_TEXT, "{}", 2);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1003,
	    "text on msgpack: close 1003");
	fake_free(f);
	f = registered(0);
	srv_raw(f, WS_OP_TEXT, "\xff", 1);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1007,
	    "invalid UTF-8: close 1007: %s", last(f)->text);
	fake_free(f);
	f = registered(0);
	srv_bytes(f, "\x81\x82\x00\x00\x00\x00{}", 8);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1002,
	    "a masked frame from the relay: close 1002");
	fake_free(f);
	f = registered(0);
	srv_bytes(f, "\x83\x00", 2);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1002,
	    "an unknown opcode: close 1002");
	fake_free(f);
	f = registered(0);
	{
		uint8_t	 hdr[WS_MAX_HEADER];
		size_t	 l = ws_header(hdr, WS_OP_TEXT,
			    (uint64_t)SWS_MAX_INPUT + 1);

		srv_bytes(f, hdr, l);
	}
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1009,
	    "a message over 1 MiB: close 1009: %s", last(f)->text);
	fake_free(f);

	/* a 1 MiB JOINED is accepted */
	f = registered(0);
	{
		size_t	 nm = (SWS_MAX_INPUT - 100) / 46, i2, o;
		char	*s = malloc(SWS_MAX_INPUT), *k = b64(bob_pk, 32);

		o = (size_t)sprintf(s, "{\"type\":\"JOINED\",\"room\":\"big\","
		    "\"members\":[");
		for (i2 = 0; i2 < nm; i2++)
			o += (size_t)sprintf(s + o, "%s\"%s\"", i2 ? "," : "",
			    k);
		o += (size_t)sprintf(s + o, "]}");
		srv_raw(f, WS_OP_TEXT, s, o);
		ok(o > 1000000 && last(f)->type == SWS_EV_JOINED &&
		    last(f)->nmembers == nm, "a JOINED of %zu bytes is read",
		    o);
		free(s);
		free(k);
	}
	fake_free(f);

	/* msgpack: sizes beyond the bytes */
	{
		static const struct {
			const char	*b;
			size_t		 len;
			const char	*what;
		} mp[] = {
			{ "\xdf\xff\xff\xff\xff", 5, "map of 2^32-1 entries" },
			{ "\xdd\xff\xff\xff\xff", 5, "array of 2^32-1" },
			{ "\x81\xa4type\xdb\xff\xff\xff\xff", 11,
			    "str32 beyond the end" },
			{ "\x82\xa4type\xa3\x41\x43\x4b\xa2id\xa1x", 15,
			    "id as str" },
			{ "\x81\xa4type\xc1", 7, "byte 0xc1" },
			{ "\x81\xa4type", 6, "map cut short" },
			{ "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x80", 10,
			    "nested 9 deep" },
			{ "\x83\xa4type\xa7MESSAGE\xa4""from\xa3xyz\xa4""body"
			    "\xc4\x00", 28, "from as str" },
		};

		for (i = 0; i < sizeof(mp) / sizeof(mp[0]); i++) {
			f = registered(1);
			srv_raw(f, WS_OP_BINARY, mp[i].b, mp[i].len);
			ok(last(f)->type == SWS_EV_CLOSED &&
			    strcmp(last(f)->code, "protocol") == 0 &&
			    f->close_code == 1002, "msgpack %s: CLOSED "
			    "protocol (%s)", mp[i].what, last(f)->text);
			fake_free(f);
		}
	}
}

int
main(void)
{
	if (client_setup() < 0)
		return 1;
	test_hostile();
	return tap_done();
}
