#!/usr/bin/python3
# Copyright (c) 2026 The sws authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# The victim of bench/run.sh's flood lines: one client that registers
# over and over from its own source address, one registration at a time
# with a 20 ms pause, for SECS seconds, while another address floods.
# Prints one JSON object: registrations, failures (and the first few
# reasons), latency percentiles in milliseconds from connect to
# REGISTER_SUCCESS.
#
#   victim.py URL SERVER-KEY SOURCE SECS

import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
    "regress", "lib"))
import swstest as T


async def main(url, source, secs):
	lat, fails = [], []
	host = url.split("//", 1)[1].split("/", 1)[0]
	end = time.monotonic() + secs
	while time.monotonic() < end:
		t0 = time.monotonic()
		try:
			ws = await T.connect(url, "json", timeout=10,
			    local_addr=(source, 0))
			try:
				sk, pk = T.keypair()
				await T.register(ws, sk, pk, host, timeout=10)
				lat.append((time.monotonic() - t0) * 1000)
			finally:
				await ws.close()
		except Exception as e:
			fails.append(repr(e)[:160])
		await asyncio.sleep(0.02)
	return lat, fails


def pct(v, p):
	if not v:
		return None
	v = sorted(v)
	return round(v[min(len(v) - 1, int(len(v) * p / 100))], 2)


if len(sys.argv) != 5:
	sys.exit("usage: victim.py URL SERVER-KEY SOURCE SECS")
lat, fails = asyncio.run(main(sys.argv[1], sys.argv[3],
    float(sys.argv[4])))
json.dump({"source": sys.argv[3], "registrations": len(lat),
    "failures": len(fails), "failure_reasons": fails[:5],
    "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
    "max_ms": round(max(lat), 2) if lat else None}, sys.stdout)
print()
print("victim %s: %d registrations, %d failures, p50 %s ms, p99 %s ms" % (
    sys.argv[3], len(lat), len(fails), pct(lat, 50), pct(lat, 99)),
    file=sys.stderr)
