/*
 * Strict base64url.  libsodium does the work; this file only pins the
 * variant and refuses what libsodium would otherwise let through: a NULL
 * end pointer makes it reject any character outside the alphabet, and
 * length 4n+1 is checked here since no byte string encodes to it.
 */
#include <sodium.h>
#include <string.h>

#include "b64.h"

size_t
b64url_encode(char *out, size_t outlen, const uint8_t *in, size_t len)
{
	if (outlen < B64_ENCODED_LEN(len) + 1)
		return 0;
	sodium_bin2base64(out, outlen, in, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return B64_ENCODED_LEN(len);
}

long
b64url_decode(uint8_t *out, size_t outlen, const char *in, size_t len)
{
	size_t	 binlen;

	if (len % 4 == 1)
		return -1;
	if (B64_DECODED_MAX(len) > outlen)
		return -1;
	if (sodium_base642bin(out, outlen, in, len, NULL, &binlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return (long)binlen;
}
