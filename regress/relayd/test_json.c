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
 * relayd/json.c against RFC 8259 and against jansson, the library it
 * replaced: every case states the exact result code, and jansson's
 * verdict on the same bytes (json_loadb with JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL, a top-level object, at most 8 levels) is checked to
 * agree with it, so the expectations themselves are held to a reference.
 * Then the values: kinds, spans, integers, unescaping, the wanted-key
 * table, and the duplicate check on large objects (the sorted path).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "regress/lib/json_ref.h"
#include "regress/lib/tap.h"
#include "json.h"

static uint8_t	*last_text, *last_work;

/*
 * Parse from an exactly-sized heap copy with a work area as large as the
 * text, as the codec does, so that ASan sees any read past the end.
 */
static int
parse_want(struct json_doc *d, const void *s, size_t n,
    const char *const *want, size_t nwant)
{
	free(last_text);
	free(last_work);
	last_text = malloc(n ? n : 1);
	last_work = malloc(n ? n : 1);
	if (n > 0)
		memcpy(last_text, s, n);
	json_init(d, want, nwant, last_work, n);
	return json_parse(d, last_text, n);
}

static int
parse(struct json_doc *d, const void *s, size_t n)
{
	return parse_want(d, s, n, NULL, 0);
}

#define PARSE(d, lit)	parse((d), (lit), sizeof(lit) - 1)


static int
jansson_accepts(const void *s, size_t n)
{
	json_error_t	 err;
	json_t		*j;
	int		 good;

	if (!depth_ok(s, n))
		return 0;
	j = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	good = j != NULL && json_is_object(j);
	json_decref(j);
	return good;
}

/*
 * One document: our code and jansson's verdict.  quirk marks the one
 * known disagreement (jansson skips a raw NUL after a number or literal).
 */
static void
tcase(const char *name, const void *s, size_t n, int want, int quirk)
{
	struct json_doc	 d;
	int		 rc, ja;

	rc = parse(&d, s, n);
	ok(rc == want, "%s: %s (want %s)", name, json_strerror(rc),
	    json_strerror(want));
	ja = jansson_accepts(s, n);
	if (quirk)
		ok(ja && want != JSON_OK, "%s: jansson accepts, we do not",
		    name);
	else
		ok(ja == (want == JSON_OK), "%s: jansson %s too", name,
		    ja ? "accepts" : "refuses");
}

#define GOOD(name, lit) tcase(name, lit, sizeof(lit) - 1, JSON_OK, 0)
#define BAD(name, lit, e) tcase(name, lit, sizeof(lit) - 1, e, 0)

static void
test_grammar(void)
{
	GOOD("empty object", "{}");
	GOOD("whitespace SP HTAB LF CR everywhere",
	    " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n1 \t\r\n, \t\r\n\"b\""
	    ":[ 1 , 2 ] \t\r\n} \t\r\n");
	GOOD("every kind of value",
	    "{\"s\":\"x\",\"i\":-12,\"r\":1.5e-3,\"t\":true,\"f\":false,"
	    "\"n\":null,\"a\":[],\"o\":{},\"aa\":[[],{},\"\",0,[true]]}");
	GOOD("empty key", "{\"\":0}");
	GOOD("raw DEL and UTF-8 in strings",
	    "{\"a\":\"\x7f \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
	GOOD("every escape", "{\"a\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t "
	    "\\u0041 \\u00e9 \\u20AC \\ud83d\\ude00 \\uFFFF\"}");
	GOOD("\\u0000 in a value", "{\"a\":\"x\\u0000y\"}");

	BAD("empty text", "", JSON_ESYNTAX);
	BAD("whitespace only", " \n", JSON_ESYNTAX);
	BAD("array at the top", "[]", JSON_ENOTOBJ);
	BAD("array of an object at the top", "[{}]", JSON_ENOTOBJ);
	BAD("string at the top", "\"a\"", JSON_ESYNTAX);
	BAD("number at the top", "1", JSON_ESYNTAX);
	BAD("null at the top", "null", JSON_ESYNTAX);
	BAD("unterminated object", "{\"a\":1", JSON_ESYNTAX);
	BAD("lone close", "}", JSON_ESYNTAX);
	BAD("key without value", "{\"a\"}", JSON_ESYNTAX);
	BAD("key and colon only", "{\"a\":}", JSON_ESYNTAX);
	BAD("no colon", "{\"a\" 1}", JSON_ESYNTAX);
	BAD("two colons", "{\"a\"::1}", JSON_ESYNTAX);
	BAD("trailing comma in object", "{\"a\":1,}", JSON_ESYNTAX);
	BAD("trailing comma in array", "{\"a\":[1,]}", JSON_ESYNTAX);
	BAD("leading comma", "{,\"a\":1}", JSON_ESYNTAX);
	BAD("empty element", "{\"a\":[1,,2]}", JSON_ESYNTAX);
	BAD("missing comma", "{\"a\":1 \"b\":2}", JSON_ESYNTAX);
	BAD("mismatched close", "{\"a\":[1}", JSON_ESYNTAX);
	BAD("mismatched close of object", "{\"a\":{]}", JSON_ESYNTAX);
	BAD("single quotes", "{'a':1}", JSON_ESYNTAX);
	BAD("single-quoted value", "{\"a\":'x'}", JSON_ESYNTAX);
	BAD("bare key", "{a:1}", JSON_ESYNTAX);
	BAD("number as key", "{1:1}", JSON_ESYNTAX);
	BAD("block comment", "{/* c */\"a\":1}", JSON_ESYNTAX);
	BAD("line comment", "{\"a\":1 // c\n}", JSON_ESYNTAX);
	BAD("trailing garbage", "{} x", JSON_ESYNTAX);
	BAD("two objects", "{}{}", JSON_ESYNTAX);
	BAD("object then comma", "{},", JSON_ESYNTAX);
	BAD("form feed is not whitespace", "\f{}", JSON_ESYNTAX);
	BAD("vertical tab is not whitespace", "{\v}", JSON_ESYNTAX);
	BAD("NBSP is not whitespace", "{}\xc2\xa0", JSON_ESYNTAX);
	BAD("byte order mark", "\xef\xbb\xbf{}", JSON_ESYNTAX);
	BAD("true misspelt", "{\"a\":tru}", JSON_ESYNTAX);
	BAD("True", "{\"a\":True}", JSON_ESYNTAX);
	BAD("nul", "{\"a\":nul}", JSON_ESYNTAX);
	BAD("truex", "{\"a\":truex}", JSON_ESYNTAX);
	BAD("null1", "{\"a\":null1}", JSON_ESYNTAX);
	BAD("literal cut off", "{\"a\":fals", JSON_ESYNTAX);
	BAD("NaN", "{\"a\":NaN}", JSON_ESYNTAX);
	BAD("Infinity", "{\"a\":Infinity}", JSON_ESYNTAX);
	BAD("-Infinity", "{\"a\":-Infinity}", JSON_ESYNTAX);
	BAD("non-ASCII outside a string", "{\"a\":1\xc3\xa9}", JSON_ESYNTAX);
	/* A raw NUL has no place in JSON; jansson skips one after 1/true. */
	tcase("raw NUL after a number", "{\"a\":1\0}", 8, JSON_ESYNTAX, 1);
	tcase("raw NUL after a literal", "{\"a\":true\0}", 11, JSON_ESYNTAX,
	    1);
	tcase("raw NUL after a real", "{\"a\":1.5\0}", 10, JSON_ESYNTAX, 1);
	tcase("raw NUL between members", "{\"a\":\"x\"\0}", 10,
	    JSON_ESYNTAX, 0);
	tcase("raw NUL before the object", "\0{}", 3, JSON_ESYNTAX, 0);
	tcase("raw NUL after the object", "{}\0", 3, JSON_ESYNTAX, 0);
}

/*
 * The scan of a string skips runs of plain bytes 16 (SSE2) and 8 at a
 * time: a quote, a backslash or a control byte at any offset of a long
 * string must still be seen, and bytes from 0x80 up are plain.
 */
static void
test_string_runs(void)
{
	struct json_doc			 d;
	const struct json_member	*m;
	char				 s[128], v[80];
	size_t				 pos, n, bad = 0;

	for (pos = 0; pos < 70; pos++) {
		/* an escaped quote at pos: the value runs to the end */
		memset(v, 'x', sizeof(v));
		memcpy(v + pos, "\\\"", 2);
		n = (size_t)snprintf(s, sizeof(s), "{\"a\":\"%.*s\"}", 72, v);
		if (parse(&d, s, n) != JSON_OK ||
		    (m = json_get(&d, "a")) == NULL || m->vallen != 72 ||
		    !m->valesc)
			bad++;
		/* a raw control byte at pos */
		memset(v, 'x', sizeof(v));
		v[pos] = 0x1f;
		n = (size_t)snprintf(s, sizeof(s), "{\"a\":\"%.*s\"}", 72, v);
		if (parse(&d, s, n) != JSON_ESYNTAX)
			bad++;
		/* the closing quote at pos, then more members */
		memset(v, 'x', sizeof(v));
		n = (size_t)snprintf(s, sizeof(s), "{\"a\":\"%.*s\",\"b\":1}",
		    (int)pos, v);
		if (parse(&d, s, n) != JSON_OK ||
		    (m = json_get(&d, "a")) == NULL || m->vallen != pos ||
		    json_get(&d, "b") == NULL)
			bad++;
		/* a two-byte character at pos: plain bytes, valid UTF-8 */
		memset(v, 'x', sizeof(v));
		memcpy(v + pos, "\xc3\xa9", 2);
		n = (size_t)snprintf(s, sizeof(s), "{\"a\":\"%.*s\"}", 72, v);
		if (parse(&d, s, n) != JSON_OK ||
		    (m = json_get(&d, "a")) == NULL || m->vallen != 72 ||
		    m->valesc)
			bad++;
	}
	ok(bad == 0, "a quote, escape, control byte or UTF-8 character at "
	    "each of 70 offsets of a long string is read right (%zu wrong)",
	    bad);
}

static void
test_strings(void)
{
	BAD("unterminated string", "{\"a\":\"x}", JSON_ESYNTAX);
	BAD("unterminated key", "{\"a", JSON_ESYNTAX);
	BAD("raw tab in a string", "{\"a\":\"x\ty\"}", JSON_ESYNTAX);
	BAD("raw newline in a string", "{\"a\":\"x\ny\"}", JSON_ESYNTAX);
	BAD("raw U+0001 in a string", "{\"a\":\"\x01\"}", JSON_ESYNTAX);
	BAD("raw U+001F in a key", "{\"\x1f\":1}", JSON_ESYNTAX);
	tcase("raw NUL in a string", "{\"a\":\"\0\"}", 9, JSON_ESYNTAX, 0);
	BAD("escape \\x", "{\"a\":\"\\x41\"}", JSON_ESYNTAX);
	BAD("escape \\U", "{\"a\":\"\\U0041\"}", JSON_ESYNTAX);
	BAD("escape \\'", "{\"a\":\"\\'\"}", JSON_ESYNTAX);
	BAD("escape \\0", "{\"a\":\"\\0\"}", JSON_ESYNTAX);
	BAD("backslash at the end", "{\"a\":\"\\", JSON_ESYNTAX);
	BAD("escaped closing quote only", "{\"a\":\"\\\"}", JSON_ESYNTAX);
	BAD("\\u with three digits", "{\"a\":\"\\u123\"}", JSON_ESYNTAX);
	BAD("\\u with a non-hex digit", "{\"a\":\"\\u12G4\"}", JSON_ESYNTAX);
	BAD("\\u cut off", "{\"a\":\"\\u12", JSON_ESYNTAX);
	BAD("lone high surrogate", "{\"a\":\"\\ud800\"}", JSON_ESYNTAX);
	BAD("high surrogate at the end", "{\"a\":\"x\\udbff\"}",
	    JSON_ESYNTAX);
	BAD("high surrogate then text", "{\"a\":\"\\ud800abcdef\"}",
	    JSON_ESYNTAX);
	BAD("high surrogate then \\n", "{\"a\":\"\\ud800\\n\"}",
	    JSON_ESYNTAX);
	BAD("high surrogate then non-surrogate", "{\"a\":\"\\ud800\\u0041\"}",
	    JSON_ESYNTAX);
	BAD("two high surrogates", "{\"a\":\"\\ud800\\ud800\"}",
	    JSON_ESYNTAX);
	BAD("lone low surrogate", "{\"a\":\"\\udc00\"}", JSON_ESYNTAX);
	BAD("reversed pair", "{\"a\":\"\\udc00\\ud800\"}", JSON_ESYNTAX);
	BAD("lone surrogate in a key", "{\"\\udfff\":1}", JSON_ESYNTAX);
	BAD("invalid UTF-8", "{\"a\":\"\xc3\x28\"}", JSON_EUTF8);
	BAD("lone continuation byte", "{\"a\":\"\x80\"}", JSON_EUTF8);
	BAD("overlong NUL", "{\"a\":\"\xc0\x80\"}", JSON_EUTF8);
	BAD("overlong slash", "{\"a\":\"\xe0\x80\xaf\"}", JSON_EUTF8);
	BAD("UTF-8 surrogate", "{\"a\":\"\xed\xa0\x80\"}", JSON_EUTF8);
	BAD("above U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}", JSON_EUTF8);
	BAD("byte FF", "{\"a\":\"\xff\"}", JSON_EUTF8);
	BAD("sequence cut by the quote", "{\"a\":\"\xe2\x82\"}", JSON_EUTF8);
	BAD("sequence cut by the end", "{\"a\":\"\xe2\x82", JSON_EUTF8);
	BAD("\\u0000 in a key", "{\"a\\u0000\":1}", JSON_EKEYNUL);
	BAD("\\u0000 in a nested key", "{\"x\":[{\"\\u0000\":1}]}",
	    JSON_EKEYNUL);
	GOOD("U+0001 escaped in a key", "{\"\\u0001\":1}");
}

static void
test_numbers(void)
{
	GOOD("zero", "{\"a\":0}");
	GOOD("-0", "{\"a\":-0}");
	GOOD("-0.0", "{\"a\":-0.0}");
	GOOD("fraction", "{\"a\":1.0}");
	GOOD("exponent", "{\"a\":1e2}");
	GOOD("exponent E+", "{\"a\":1E+2}");
	GOOD("exponent e-", "{\"a\":1e-2}");
	GOOD("exponent with leading zeros", "{\"a\":1e007}");
	GOOD("zero fraction", "{\"a\":0.5}");
	GOOD("int64 max", "{\"a\":9223372036854775807}");
	GOOD("int64 min", "{\"a\":-9223372036854775808}");
	GOOD("real beyond int64", "{\"a\":9223372036854775808.0}");
	GOOD("real of 25 digits", "{\"a\":1234567890123456789012345e0}");
	GOOD("underflow is not an error", "{\"a\":1e-400}");
	GOOD("huge negative exponent",
	    "{\"a\":1e-99999999999999999999999999}");
	GOOD("zero with a huge exponent",
	    "{\"a\":0e99999999999999999999999999}");
	GOOD("0.000e400", "{\"a\":0.000e400}");
	GOOD("DBL_MAX", "{\"a\":1.7976931348623157e308}");
	GOOD("rounds to DBL_MAX", "{\"a\":1.7976931348623158e308}");
	GOOD("just below the overflow midpoint",
	    "{\"a\":179769313486231580793728971405303415079934132710037826"
	    "936173778980444968292764750946649017977587207096330286416692"
	    "887910946555547851940402630657488671505820681908902000708383"
	    "676273854845817711531764475730270069855571366959622842914819"
	    "860834936475292719074168444365510704342711559699508093042880"
	    "177904174497791.999e0}");
	GOOD("leading zeros in the fraction shift the exponent",
	    "{\"a\":0.0000000001e318}");
	GOOD("many integer digits, large negative exponent",
	    "{\"a\":100000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "0e-300}");

	BAD("leading zero", "{\"a\":01}", JSON_ESYNTAX);
	BAD("leading zero negative", "{\"a\":-01}", JSON_ESYNTAX);
	BAD("00", "{\"a\":00}", JSON_ESYNTAX);
	BAD("plus sign", "{\"a\":+1}", JSON_ESYNTAX);
	BAD("bare minus", "{\"a\":-}", JSON_ESYNTAX);
	BAD("minus minus", "{\"a\":--1}", JSON_ESYNTAX);
	BAD("leading dot", "{\"a\":.5}", JSON_ESYNTAX);
	BAD("trailing dot", "{\"a\":1.}", JSON_ESYNTAX);
	BAD("dot then exponent", "{\"a\":1.e5}", JSON_ESYNTAX);
	BAD("exponent without digits", "{\"a\":1e}", JSON_ESYNTAX);
	BAD("exponent sign without digits", "{\"a\":1e+}", JSON_ESYNTAX);
	BAD("two dots", "{\"a\":1.2.3}", JSON_ESYNTAX);
	BAD("hex", "{\"a\":0x10}", JSON_ESYNTAX);
	BAD("minus space digit", "{\"a\":- 1}", JSON_ESYNTAX);
	BAD("int64 max + 1", "{\"a\":9223372036854775808}", JSON_ERANGE);
	BAD("int64 min - 1", "{\"a\":-9223372036854775809}", JSON_ERANGE);
	BAD("20 digits", "{\"a\":10000000000000000000}", JSON_ERANGE);
	BAD("UINT64_MAX", "{\"a\":18446744073709551615}", JSON_ERANGE);
	BAD("big integer nested", "{\"x\":[99999999999999999999]}",
	    JSON_ERANGE);
	BAD("1e400", "{\"a\":1e400}", JSON_ERANGE);
	BAD("-1e400", "{\"a\":-1e400}", JSON_ERANGE);
	BAD("1e309", "{\"a\":1e309}", JSON_ERANGE);
	BAD("huge exponent", "{\"a\":1e99999999999999999999999999}",
	    JSON_ERANGE);
	BAD("the overflow midpoint itself",
	    "{\"a\":179769313486231580793728971405303415079934132710037826"
	    "936173778980444968292764750946649017977587207096330286416692"
	    "887910946555547851940402630657488671505820681908902000708383"
	    "676273854845817711531764475730270069855571366959622842914819"
	    "860834936475292719074168444365510704342711559699508093042880"
	    "177904174497792.0}", JSON_ERANGE);
	BAD("the midpoint as 0.x e309",
	    "{\"a\":0.1797693134862315807937289714053034150799341327100378"
	    "269361737789804449682927647509466490179775872070963302864166"
	    "928879109465555478519404026306574886715058206819089020007083"
	    "836762738548458177115317644757302700698555713669596228429148"
	    "198608349364752927190741684443655107043427115596995080930428"
	    "80177904174497792e309}", JSON_ERANGE);
	BAD("1.7976931348623159e308", "{\"a\":1.7976931348623159e308}",
	    JSON_ERANGE);
	BAD("leading fraction zeros do not save it",
	    "{\"a\":0.0000000001e319}", JSON_ERANGE);
}

static void
test_depth(void)
{
	char	*deep;

	GOOD("depth 8 of arrays", "{\"x\":[[[[[[[1]]]]]]]}");
	GOOD("depth 8 of objects",
	    "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}}}");
	GOOD("depth 8, mixed", "{\"x\":[{\"y\":[{\"z\":[{}]}]}]}");
	GOOD("brackets in strings do not count",
	    "{\"[[[[[[[[[\":\"{{{{{{{{{{\",\"x\":[[[[[[[\"]]]]]]]\"]]]]]]]}");
	BAD("depth 9 of arrays", "{\"x\":[[[[[[[[1]]]]]]]]}", JSON_EDEPTH);
	BAD("depth 9 of objects",
	    "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}}}}",
	    JSON_EDEPTH);
	BAD("depth 9, mixed", "{\"x\":[{\"y\":[{\"z\":[{\"w\":[{}]}]}]}]}",
	    JSON_EDEPTH);
	BAD("depth 9, empty", "{\"x\":[[[[[[[[]]]]]]]]}", JSON_EDEPTH);
	BAD("depth 9 after depth 8",
	    "{\"a\":[[[[[[[1]]]]]]],\"b\":[[[[[[[[1]]]]]]]]}", JSON_EDEPTH);

	deep = malloc(200006);
	deep[0] = '{';
	memcpy(deep + 1, "\"x\":", 4);
	memset(deep + 5, '[', 100000);
	memset(deep + 100005, ']', 100000);
	deep[200005] = '}';
	tcase("depth 100001", deep, 200006, JSON_EDEPTH, 0);
	free(deep);
}

/* {"k<perm>":i,...} of n keys; key number at is replaced by repl. */
static size_t
many_keys(char *buf, size_t n, size_t at, const char *repl)
{
	size_t	 len = 0, i;

	buf[len++] = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf[len++] = ',';
		if (i == at)
			len += (size_t)sprintf(buf + len, "\"%s\":0", repl);
		else
			len += (size_t)sprintf(buf + len, "\"k%zu\":%zu",
			    (i * 7919) % n, i);
	}
	buf[len++] = '}';
	return len;
}

static void
test_duplicates(void)
{
	char	*big;
	size_t	 n;

	BAD("duplicate at the top", "{\"a\":1,\"a\":1}", JSON_EDUP);
	BAD("duplicate of another type", "{\"a\":1,\"b\":2,\"a\":\"1\"}",
	    JSON_EDUP);
	BAD("duplicate nested", "{\"x\":{\"k\":1,\"k\":2}}", JSON_EDUP);
	BAD("duplicate in an array's object", "{\"x\":[{\"k\":1,\"k\":2}]}",
	    JSON_EDUP);
	BAD("duplicate at depth 8",
	    "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"a\":1,"
	    "\"a\":2}}}}}}}}", JSON_EDUP);
	BAD("\"a\" and \"\\u0061\"", "{\"a\":1,\"\\u0061\":2}", JSON_EDUP);
	BAD("\"\\u0061\" and \"a\"", "{\"\\u0061\":1,\"a\":2}", JSON_EDUP);
	BAD("\"ab\" and \"a\\u0062\"", "{\"ab\":1,\"a\\u0062\":2}",
	    JSON_EDUP);
	BAD("\"/\" and \"\\/\"", "{\"/\":1,\"\\/\":2}", JSON_EDUP);
	BAD("raw and escaped e-acute", "{\"\xc3\xa9\":1,\"\\u00e9\":2}",
	    JSON_EDUP);
	BAD("raw and escaped U+1F600",
	    "{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}", JSON_EDUP);
	BAD("\\n and \\u000a", "{\"\\n\":1,\"\\u000a\":2}", JSON_EDUP);
	BAD("\\u00E9 and \\u00e9", "{\"\\u00E9\":1,\"\\u00e9\":2}",
	    JSON_EDUP);
	BAD("empty keys", "{\"\":1,\"\":2}", JSON_EDUP);
	GOOD("prefix keys differ", "{\"a\":1,\"ab\":2,\"\":3,\"abc\":4}");
	GOOD("\\\" and \\\\ differ", "{\"\\\"\":1,\"\\\\\":2}");
	GOOD("escaped keys that differ", "{\"\\u0061\":1,\"\\u0062\":2}");
	GOOD("same key in sibling objects",
	    "{\"a\":{\"a\":1},\"b\":{\"a\":2},\"c\":[{\"a\":1},{\"a\":1}]}");
	GOOD("same key at two depths", "{\"a\":{\"a\":{\"a\":1}}}");
	GOOD("nine distinct keys (sorted check)",
	    "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
	    "\"h\":1,\"i\":1}");
	BAD("ninth key repeats the first (sorted check)",
	    "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
	    "\"h\":1,\"a\":1}", JSON_EDUP);
	BAD("escaped repeat among many (sorted check)",
	    "{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,"
	    "\"k8\":1,\"k9\":1,\"k10\":1,\"\\u006b5\":1,\"k11\":1}", JSON_EDUP);
	BAD("nested repeat among many, outer many too",
	    "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
	    "\"h\":1,\"i\":1,\"x\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,"
	    "\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1,\"e\":0},\"j\":1}",
	    JSON_EDUP);
	GOOD("many keys inside and out, distinct",
	    "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
	    "\"h\":1,\"i\":1,\"x\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,"
	    "\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1,\"k\":0},\"j\":1}");

	/* 5000 keys (7919 is prime: a permutation), then one repeat. */
	big = malloc(5000 * 24);
	n = many_keys(big, 5000, 5000, NULL);
	tcase("5000 distinct keys", big, n, JSON_OK, 0);
	n = many_keys(big, 5000, 4000, "k1234");
	tcase("5000 keys, one repeated", big, n, JSON_EDUP, 0);
	n = many_keys(big, 5000, 17, "\\u006b1234");
	tcase("5000 keys, one repeated escaped", big, n, JSON_EDUP, 0);
	n = many_keys(big, 5000, 17, "k\\u0031234x");
	tcase("5000 keys, an escaped one distinct", big, n, JSON_OK, 0);
	free(big);
}

static void
test_values(void)
{
	static const char *const want[] = { "type", "id", "body", "none" };
	const struct json_member	*m;
	struct json_doc			 d;
	uint8_t				 out[64];
	char				 buf[2048];
	long				 n;
	size_t				 i, len;
	int				 rc;

	rc = PARSE(&d, "{\"s\":\"a\\\"b\",\"i\":-0,\"j\":12345,\"r\":1.0,"
	    "\"e\":1e2,\"t\":true,\"f\":false,\"n\":null,\"a\":[1, 2],"
	    "\"o\":{\"k\":[]},\"big\":-9223372036854775808}");
	ok(rc == JSON_OK && d.ntop == 11 && d.nmembers == 11,
	    "every kind: parsed, 11 members (%s)", json_strerror(rc));
	m = json_get(&d, "s");
	ok(m != NULL && m->kind == JSON_K_STRING && m->vallen == 4 &&
	    memcmp(m->val, "a\\\"b", 4) == 0 && m->valesc && !m->keyesc,
	    "string: raw span between the quotes, escape flagged");
	n = m != NULL ? json_unescape(m->val, m->vallen, out, sizeof(out)) :
	    -1;
	ok(n == 3 && memcmp(out, "a\"b", 3) == 0, "string unescaped");
	m = json_get(&d, "i");
	ok(m != NULL && m->kind == JSON_K_INT && m->ival == 0, "-0 is int 0");
	m = json_get(&d, "j");
	ok(m != NULL && m->kind == JSON_K_INT && m->ival == 12345 &&
	    m->vallen == 5 && memcmp(m->val, "12345", 5) == 0, "int 12345");
	m = json_get(&d, "r");
	ok(m != NULL && m->kind == JSON_K_REAL && m->vallen == 3, "1.0 is real");
	m = json_get(&d, "e");
	ok(m != NULL && m->kind == JSON_K_REAL, "1e2 is real");
	ok((m = json_get(&d, "t")) != NULL && m->kind == JSON_K_TRUE &&
	    (m = json_get(&d, "f")) != NULL && m->kind == JSON_K_FALSE &&
	    (m = json_get(&d, "n")) != NULL && m->kind == JSON_K_NULL &&
	    m->vallen == 4, "true, false, null");
	m = json_get(&d, "a");
	ok(m != NULL && m->kind == JSON_K_ARRAY && m->vallen == 6 &&
	    memcmp(m->val, "[1, 2]", 6) == 0, "array spans its brackets");
	m = json_get(&d, "o");
	ok(m != NULL && m->kind == JSON_K_OBJECT && m->vallen == 8 &&
	    memcmp(m->val, "{\"k\":[]}", 8) == 0, "object spans its braces");
	m = json_get(&d, "big");
	ok(m != NULL && m->kind == JSON_K_INT && m->ival == INT64_MIN,
	    "int64 min");
	ok(json_get(&d, "k") == NULL && json_get(&d, "") == NULL &&
	    json_get(&d, "ss") == NULL, "nested and absent keys not found");

	rc = PARSE(&d, "{\"\\u0074ype\":\"SEND\",\"\":1}");
	ok(rc == JSON_OK && (m = json_get(&d, "type")) != NULL &&
	    m->keyesc && m->vallen == 4 && json_get(&d, "") != NULL &&
	    json_get(&d, "typ") == NULL, "escaped key found by its value");

	/* Unescaping. */
	rc = PARSE(&d, "{\"a\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 "
	    "\\u00e9 \\u20AC \\ud83d\\ude00 \\u0000!\"}");
	m = rc == JSON_OK ? json_get(&d, "a") : NULL;
	n = m != NULL ? json_unescape(m->val, m->vallen, out, sizeof(out)) :
	    -1;
	ok(n == 32 && memcmp(out, "\" \\ / \b \f \n \r \t A \xc3\xa9 "
	    "\xe2\x82\xac \xf0\x9f\x98\x80 \0!", 32) == 0,
	    "every escape unescaped, surrogate pair combined, NUL kept "
	    "(%ld bytes)", n);
	ok(m != NULL && json_unescape(m->val, m->vallen, out, 31) == -1 &&
	    json_unescape(m->val, m->vallen, out, 32) == 32,
	    "unescape: exact room fits, one byte less does not");
	ok(json_unescape((const uint8_t *)"abc", 3, out, 3) == 3 &&
	    json_unescape((const uint8_t *)"abc", 0, out, 0) == 0 &&
	    json_unescape((const uint8_t *)"a\\", 2, out, 8) == -1 &&
	    json_unescape((const uint8_t *)"\\ud800", 6, out, 8) == -1,
	    "unescape: plain, empty, cut-off and lone-surrogate inputs");

	/* The wanted list: found wherever it stands, nothing else kept. */
	len = 0;
	buf[len++] = '{';
	for (i = 0; i < 40; i++)
		len += (size_t)snprintf(buf + len, 32, "\"x%zu\":[%zu],", i, i);
	len += (size_t)snprintf(buf + len, 64,
	    "\"body\":\"QUJD\",\"\\u0069d\":7,\"type\":\"JOIN\"}");
	rc = parse_want(&d, buf, len, want, 4);
	ok(rc == JSON_OK && d.ntop == 43 && d.nmembers == 3,
	    "wanted keys after 40 others: 43 members, 3 kept (%zu)",
	    d.nmembers);
	ok((m = json_get(&d, "type")) != NULL && m->want == 0 &&
	    m->vallen == 4 && (m = json_get(&d, "id")) != NULL &&
	    m->want == 1 && m->ival == 7 &&
	    (m = json_get(&d, "body")) != NULL && m->want == 2 &&
	    json_get(&d, "none") == NULL && json_get(&d, "x3") == NULL,
	    "wanted keys found, escaped id too, others not kept");
	rc = parse(&d, buf, len);
	ok(rc == JSON_OK && d.ntop == 43 && d.nmembers == JSON_MEMBERS &&
	    json_get(&d, "x15") != NULL && json_get(&d, "x16") == NULL &&
	    json_get(&d, "type") == NULL,
	    "no wanted list: the first %d kept, all counted", JSON_MEMBERS);
}

static void
test_work(void)
{
	struct json_doc	 d;
	char		 buf[8192];
	uint8_t		 work[8192];
	size_t		 len, i;
	int		 rc;

	/* 100 keys of one object: more than the inline key stack. */
	len = 0;
	buf[len++] = '{';
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(buf + len, 32, "%s\"%zu\":0",
		    i ? "," : "", i);
	buf[len++] = '}';
	json_init(&d, NULL, 0, NULL, 0);
	rc = json_parse(&d, (const uint8_t *)buf, len);
	ok(rc == JSON_ESPACE, "100 keys, no work area: %s",
	    json_strerror(rc));
	json_init(&d, NULL, 0, work + 1, len);
	rc = json_parse(&d, (const uint8_t *)buf, len);
	ok(rc == JSON_OK && d.ntop == 100,
	    "100 keys, unaligned work area of the text's size: %s",
	    json_strerror(rc));
	/* Short keys, the innermost of 8 objects holding most of them. */
	len = 0;
	for (i = 0; i < 7; i++)
		len += (size_t)snprintf(buf + len, 8, "{\"\":");
	buf[len++] = '{';
	for (i = 0; i < 800; i++) {
		if (i > 0)
			buf[len++] = ',';
		len += (size_t)snprintf(buf + len, 32, "\"%zu\":0", i);
	}
	for (i = 0; i < 8; i++)
		buf[len++] = '}';
	json_init(&d, NULL, 0, work + 3, len);
	rc = json_parse(&d, (const uint8_t *)buf, len);
	ok(rc == JSON_OK, "dense keys, nested: work of the text's size "
	    "suffices (%s)", json_strerror(rc));
	/* Length guard: nothing is read for a text beyond UINT32_MAX. */
	json_init(&d, NULL, 0, NULL, 0);
	ok(json_parse(&d, (const uint8_t *)"{}", (size_t)UINT32_MAX + 1) ==
	    JSON_ETOOBIG, "text longer than UINT32_MAX refused");
	for (i = JSON_OK; i <= JSON_ETOOBIG; i++)
		ok(json_strerror((int)i) != NULL &&
		    strcmp(json_strerror((int)i), "unknown error") != 0,
		    "json_strerror(%zu): %s", i, json_strerror((int)i));
}

int
main(void)
{
	test_grammar();
	test_strings();
	test_string_runs();
	test_numbers();
	test_depth();
	test_duplicates();
	test_values();
	test_work();
	free(last_text);
	free(last_work);
	return tap_done();
}
