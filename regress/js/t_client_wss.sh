#!/bin/sh
# t_client.mjs again, over wss://: the JavaScript client under node (ws)
# against a TLS listener of the real relay, every case the same.
cd "$(dirname "$0")/../.."
command -v node >/dev/null 2>&1 || exit 77
SWS_TLS=1 exec node regress/js/t_client.mjs
