/*
 * libFuzzer target for the sws.v1.msgpack decoder (its bounds scan,
 * msgpack-c behind it, and the shared rules of relayd/codec.c); the
 * checks are in fuzz_codec.h.  Seeds: regress/fuzz/corpus/msgpack/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_codec_one(PROTO_MSGPACK, data, size);
	return 0;
}
