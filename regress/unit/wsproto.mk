# The wire parsers: UTF-8 DFA, WebSocket framing, HTTP upgrade.
UNIT_TESTS += utf8 ws http
utf8_SRCS = regress/unit/test_utf8.c common/utf8.c
ws_SRCS = regress/unit/test_ws.c common/ws.c common/utf8.c
http_SRCS = regress/unit/test_http.c relayd/http.c common/ws.c common/utf8.c

FUZZ_TARGETS += ws http utf8
fuzz_ws_SRCS = regress/fuzz/fuzz_ws.c common/ws.c common/utf8.c
fuzz_http_SRCS = regress/fuzz/fuzz_http.c relayd/http.c common/ws.c common/utf8.c
fuzz_utf8_SRCS = regress/fuzz/fuzz_utf8.c common/utf8.c
