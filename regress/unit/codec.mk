# The sws/1 message codecs (JSON and msgpack): unit test and fuzz targets.
UNIT_TESTS += codec
codec_SRCS = regress/unit/test_codec.c relayd/codec.c relayd/codec_json.c \
	relayd/codec_msgpack.c relayd/json.c common/b64.c common/utf8.c

FUZZ_TARGETS += json msgpack
fuzz_json_SRCS = regress/fuzz/fuzz_json.c relayd/codec.c relayd/codec_json.c \
	relayd/codec_msgpack.c relayd/json.c common/b64.c common/utf8.c
fuzz_msgpack_SRCS = regress/fuzz/fuzz_msgpack.c relayd/codec.c \
	relayd/codec_json.c relayd/codec_msgpack.c relayd/json.c common/b64.c \
	common/utf8.c
