/*
 * libFuzzer target for the sws.v1.json decoder (relayd/codec_json.c and
 * the shared rules of relayd/codec.c); the checks are in fuzz_codec.h.
 * Seeds: regress/fuzz/corpus/json/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_codec_one(PROTO_JSON, data, size);
	return 0;
}
