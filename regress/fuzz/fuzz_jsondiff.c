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
 * Differential libFuzzer target: relayd/json.c against jansson, the
 * library the sws.v1.json decoder used before.  For every input both
 * must give the same verdict, jansson's being json_loadb() with
 * JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, an object at the top and the
 * old decoder's depth scan (at most 8 levels of [ and { outside strings).
 * One exception, json.h's: a raw NUL byte has no place in JSON, and
 * jansson skips one that follows a number or a literal, so input with a
 * NUL byte is refused by the reference too.  For accepted input every
 * remembered top-level member must be the one jansson has under the same
 * unescaped key: the same kind, the same string bytes, the same integer,
 * and its span must load to an equal value; the member count must agree,
 * and a second parse that asks for the last of jansson's keys by name
 * must find each of them.  Any difference aborts.  Each input is also
 * tried as a value, {"v":INPUT}, as members, {INPUT}, and as the tail
 * of a real just short of the overflow limit, so that mutations land in
 * numbers, strings and key lists more often.
 * Seeds: regress/fuzz/corpus/jsondiff/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"
#include "regress/lib/json_ref.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define DIFF_CHECK(c) do {						\
	if (!(c))							\
		abort();						\
} while (0)


/* One of our members against jansson's value under the same key. */
static void
same_value(const struct json_member *m, json_t *v)
{
	json_error_t	 err;
	json_t		*alone;
	uint8_t		*buf;
	const uint8_t	*span;
	size_t		 spanlen;
	long		 n;

	switch (m->kind) {
	case JSON_K_STRING:
		DIFF_CHECK(json_is_string(v));
		buf = malloc(m->vallen + 1);
		n = json_unescape(m->val, m->vallen, buf, m->vallen);
		DIFF_CHECK(n >= 0 && (size_t)n == json_string_length(v) &&
		    memcmp(buf, json_string_value(v), (size_t)n) == 0);
		DIFF_CHECK(m->valesc || (size_t)n == m->vallen);
		free(buf);
		span = m->val - 1;
		spanlen = m->vallen + 2;
		break;
	case JSON_K_INT:
		DIFF_CHECK(json_is_integer(v) &&
		    json_integer_value(v) == m->ival);
		span = m->val;
		spanlen = m->vallen;
		break;
	case JSON_K_REAL:
		DIFF_CHECK(json_is_real(v));
		span = m->val;
		spanlen = m->vallen;
		break;
	case JSON_K_TRUE:
		DIFF_CHECK(json_is_true(v));
		span = m->val;
		spanlen = m->vallen;
		break;
	case JSON_K_FALSE:
		DIFF_CHECK(json_is_false(v));
		span = m->val;
		spanlen = m->vallen;
		break;
	case JSON_K_NULL:
		DIFF_CHECK(json_is_null(v));
		span = m->val;
		spanlen = m->vallen;
		break;
	case JSON_K_ARRAY:
		DIFF_CHECK(json_is_array(v));
		span = m->val;
		spanlen = m->vallen;
		break;
	case JSON_K_OBJECT:
		DIFF_CHECK(json_is_object(v));
		span = m->val;
		spanlen = m->vallen;
		break;
	default:
		abort();
	}
	/* The span alone is that value, nothing more or less. */
	alone = json_loadb((const char *)span, spanlen, JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	DIFF_CHECK(alone != NULL && json_equal(alone, v));
	json_decref(alone);
}

static void
same_members(const struct json_doc *d, json_t *j)
{
	const struct json_member	*m;
	uint8_t				*key;
	size_t				 i;
	long				 n;

	DIFF_CHECK(d->ntop == json_object_size(j));
	DIFF_CHECK(d->nmembers == (d->ntop < JSON_MEMBERS ? d->ntop :
	    JSON_MEMBERS));
	for (i = 0; i < d->nmembers; i++) {
		m = &d->members[i];
		DIFF_CHECK(m->want == -1);
		key = malloc(m->keylen + 1);
		n = json_unescape(m->key, m->keylen, key, m->keylen);
		DIFF_CHECK(n >= 0 && memchr(key, '\0', (size_t)n) == NULL);
		DIFF_CHECK(m->keyesc || (size_t)n == m->keylen);
		same_value(m, json_object_getn(j, (const char *)key,
		    (size_t)n));
		free(key);
	}
}

/* Ask for up to JSON_MEMBERS of jansson's keys, the last ones, by name. */
static void
same_wanted(const uint8_t *data, size_t size, uint8_t *work, json_t *j)
{
	struct json_doc			 d;
	const struct json_member	*m;
	const char			*want[JSON_MEMBERS], *k;
	json_t				*v;
	size_t				 nkeys = 0, skip, i = 0;

	skip = json_object_size(j) > JSON_MEMBERS ?
	    json_object_size(j) - JSON_MEMBERS : 0;
	json_object_foreach(j, k, v) {
		if (i++ >= skip)
			want[nkeys++] = k;
	}
	json_init(&d, want, nkeys, work, size);
	DIFF_CHECK(json_parse(&d, data, size) == JSON_OK);
	DIFF_CHECK(d.ntop == json_object_size(j) && d.nmembers == nkeys);
	for (i = 0; i < nkeys; i++) {
		m = json_get(&d, want[i]);
		DIFF_CHECK(m != NULL && m->want >= 0 &&
		    strcmp(want[m->want], want[i]) == 0);
		same_value(m, json_object_get(j, want[i]));
	}
}

static void
diff_one(const uint8_t *data, size_t size)
{
	struct json_doc	 d;
	json_error_t	 err;
	json_t		*j;
	uint8_t		*work;
	int		 rc, ref;

	work = malloc(size > 0 ? size : 1);
	json_init(&d, NULL, 0, work, size);
	rc = json_parse(&d, data, size);

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &err);
	ref = j != NULL && json_is_object(j) && depth_ok(data, size) &&
	    memchr(data, '\0', size) == NULL;
	DIFF_CHECK((rc == JSON_OK) == ref);
	/* Never out of key space with a work area of the text's size. */
	DIFF_CHECK(rc != JSON_ESPACE || j == NULL);
	if (rc == JSON_OK) {
		same_members(&d, j);
		same_wanted(data, size, work, j);
	}
	json_decref(j);
	free(work);
}

/* pre INPUT post, in a buffer of exactly that size. */
static void
diff_wrapped(const char *pre, const uint8_t *data, size_t size,
    const char *post)
{
	size_t	 a = strlen(pre), b = strlen(post);
	uint8_t	*t;

	t = malloc(a + size + b);
	memcpy(t, pre, a);
	if (size > 0)
		memcpy(t + a, data, size);
	memcpy(t + a + size, post, b);
	diff_one(t, a + size + b);
	free(t);
}

/* 2^1024 - 2^970 less its last two digits: the input may finish it. */
static const char near_limit[] = "{\"v\":0."
    "17976931348623158079372897140530341507993413271003782693617377898044"
    "49682927647509466490179775872070963302864166928879109465555478519404"
    "02630657488671505820681908902000708383676273854845817711531764475730"
    "27006985557136695962284291481986083493647529271907416844436551070434"
    "27115596995080930428801779041744977";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diff_one(data, size);
	diff_wrapped("{\"v\":", data, size, "}");
	diff_wrapped("{", data, size, "}");
	diff_wrapped(near_limit, data, size, "}");
	return 0;
}
