# relayd/json.c, the strict JSON reader of the sws.v1.json decoder: its
# unit test, and a libFuzzer target that holds its verdicts and values to
# jansson's (the reference it replaced).
UNIT_TESTS += json
json_SRCS = regress/unit/test_json.c relayd/json.c common/utf8.c

FUZZ_TARGETS += jsondiff
fuzz_jsondiff_SRCS = regress/fuzz/fuzz_jsondiff.c relayd/json.c common/utf8.c
