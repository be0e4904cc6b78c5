#!/bin/sh
# t_browser.mjs again, over wss://: the demo in Chromium against a TLS
# listener of the real relay, trusted by the certificate's key.
cd "$(dirname "$0")/../.."
command -v node >/dev/null 2>&1 || exit 77
SWS_TLS=1 exec node regress/js/t_browser.mjs
