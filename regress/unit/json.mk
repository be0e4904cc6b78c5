# relayd/json.c, the strict JSON reader of the sws.v1.json decoder: its
# unit test, and a libFuzzer target that holds its verdicts and values to
# jansson's (the reference it replaced).
UNIT_TESTS += json
json_SRCS = regress/unit/test_json.c relayd/json.c common/utf8.c

FUZZ_TARGETS += jsondiff
fuzz_jsondiff_SRCS = regress/fuzz/fuzz_jsondiff.c relayd/json.c common/utf8.c

# codec_json.c decodes with json.c: link it wherever the codec is linked
# (codec.mk is included first; filter-out keeps one copy should it list
# json.c itself one day).
codec_SRCS := $(filter-out relayd/json.c,$(codec_SRCS)) relayd/json.c
fuzz_json_SRCS := $(filter-out relayd/json.c,$(fuzz_json_SRCS)) relayd/json.c
fuzz_msgpack_SRCS := $(filter-out relayd/json.c,$(fuzz_msgpack_SRCS)) \
	relayd/json.c
