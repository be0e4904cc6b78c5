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

# The directory designs of docs/ARCHITECTURE.md ("Clusters") measured on
# a 3-server NATS cluster on loopback: N subscriptions, one subject per
# key (the time until the server has them, when another server sees the
# last, and what each server's memory grew by per key) against N key
# records broadcast in 1 MiB messages (the time until a subscriber on
# another server has them all).
#
#   /usr/bin/python3 bench/natsdir.py [N]     N keys, 100000 by default
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time

os.chdir(tempfile.mkdtemp(prefix="natsdir."))
def free():
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close(); return p
N=int(sys.argv[1]) if len(sys.argv)>1 else 100000
ports=[free() for _ in range(3)]; routes=[free() for _ in range(3)]
procs=[]
for i in range(3):
    open(f"n{i}.conf","w").write(f"""port: {ports[i]}
listen: 127.0.0.1:{ports[i]}
cluster {{ name: sws; listen: 127.0.0.1:{routes[i]}; routes: [{", ".join("nats-route://127.0.0.1:%d"%r for r in routes)}] }}
""")
    procs.append(subprocess.Popen(["nats-server","-c",f"n{i}.conf"],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL))
time.sleep(1.5)
def rss(p):
    for l in open(f"/proc/{p.pid}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1])
class C:
    def __init__(s,port):
        s.s=socket.create_connection(("127.0.0.1",port)); s.buf=b""
        s.readline(); s.s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n'); s.wait(b"PONG")
    def readline(s):
        while b"\r\n" not in s.buf: s.buf+=s.s.recv(1<<20)
        l,s.buf=s.buf.split(b"\r\n",1); return l
    def wait(s,what):
        while True:
            l=s.readline()
            if l.startswith(what): return l
            if l.startswith(b"PING"): s.s.sendall(b"PONG\r\n")
    def read_msgs(s,n):
        got=0
        while got<n:
            l=s.readline()
            if l.startswith(b"MSG"):
                ln=int(l.split()[-1])
                while len(s.buf)<ln+2: s.buf+=s.s.recv(1<<20)
                s.buf=s.buf[ln+2:]; got+=1
            elif l.startswith(b"PING"): s.s.sendall(b"PONG\r\n")
keys=[base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=") for _ in range(N)]
r0=[rss(p) for p in procs]
a=C(ports[0]); b=C(ports[1])
t=time.time()
out=b"".join(b"SUB sws.c.k.%s %d\r\n"%(k,i+1) for i,k in enumerate(keys))
a.s.sendall(out+b"PING\r\n"); a.wait(b"PONG")
t1=time.time()-t
# interest at server 2: publish to last key from b until a receives
t=time.time(); n=0
while True:
    b.s.sendall(b"PUB sws.c.k.%s 1\r\nx\r\nPING\r\n"%keys[-1]); b.wait(b"PONG"); n+=1
    a.s.settimeout(0.001)
    try:
        a.read_msgs(1); break
    except socket.timeout: pass
    finally: a.s.settimeout(None)
t2=time.time()-t
time.sleep(1)
r1=[rss(p) for p in procs]
print(f"subject-per-key: {N} SUBs on server 1: {t1*1000:.0f} ms until PONG; interest at server 2 after {t2*1000:.1f} ms ({n} tries)")
print("nats-server RSS KiB before", r0, "after", r1, "per key bytes", [ (y-x)*1024//N for x,y in zip(r0,r1)])
# broadcast directory: N records of 45 B in 1 MB batches
a2=C(ports[0]); b2=C(ports[1])
b2.s.sendall(b"SUB sws.c.all 1\r\nPING\r\n"); b2.wait(b"PONG"); time.sleep(0.3)
rec=45; per=(1<<20)//rec; batches=(N+per-1)//per
t=time.time()
for i in range(batches):
    cnt=min(per,N-i*per); body=os.urandom(cnt*rec)
    a2.s.sendall(b"PUB sws.c.all %d\r\n"%len(body)+body+b"\r\n")
b2.read_msgs(batches)
t3=time.time()-t
print(f"broadcast directory: {N} key records in {batches} messages of <=1 MiB: {t3*1000:.0f} ms to reach server 2's subscriber")
for p in procs: p.kill()
