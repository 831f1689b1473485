"""Measure each toxic of `rigor chaos serve` on loopback (driven by bench/chaos.sh).

Usage: chaos.py API_HOST:PORT. Talks to the API with plain HTTP (the Toxiproxy routes), to an
echo / source upstream it starts itself, and prints a Markdown table: setting, measured, error.
"""
import json
import socket
import statistics
import sys
import threading
import time
import urllib.request

API = "http://" + sys.argv[1]


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def server(handler):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)

    def loop():
        while True:
            c, _ = srv.accept()
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=handler, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return "127.0.0.1:%d" % srv.getsockname()[1]


def echo(c):
    with c:
        while True:
            d = c.recv(65536)
            if not d:
                return
            c.sendall(d)


def source(n):
    def h(c):
        with c:
            c.sendall(b"x" * n)
    return h


def proxy(name, upstream, toxic=None):
    p = api("POST", "/proxies", {"name": name, "upstream": upstream, "listen": "127.0.0.1:0"})
    if toxic:
        api("POST", "/proxies/%s/toxics" % name, toxic)
    h, port = p["listen"].rsplit(":", 1)
    return h, int(port)


def rtt_ms(addr, n=200):
    s = socket.create_connection(addr)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        s.sendall(b"x")
        s.recv(1)
        out.append((time.perf_counter() - t) * 1000)
    s.close()
    return out


def read_all(addr):
    s = socket.create_connection(addr)
    t = time.perf_counter()
    total, err = 0, None
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            total += len(d)
    except OSError as e:
        err = type(e).__name__
    return total, (time.perf_counter() - t), err


rows = []
ech = server(echo)
direct = rtt_ms(("127.0.0.1", int(ech.rsplit(":", 1)[1])))
plain = rtt_ms(proxy("plain", ech))
base = statistics.median(plain)
rows.append(("no toxic (proxy vs direct)", "-", "p50 +%.3f ms over direct (%.3f vs %.3f ms)" % (base - statistics.median(direct), base, statistics.median(direct)), "-"))
for ms in (10, 50, 100):
    lat = rtt_ms(proxy("lat%d" % ms, ech, {"type": "latency", "attributes": {"latency": ms}}), 100 if ms < 100 else 50)
    added = statistics.median(lat) - base
    rows.append(("latency %d ms" % ms, "%d ms" % ms, "p50 added %.2f ms" % added, "%.1f %%" % (abs(added - ms) / ms * 100)))
lat = rtt_ms(proxy("jit", ech, {"type": "latency", "attributes": {"latency": 50, "jitter": 20}}), 100)
rows.append(("latency 50 ms, jitter 20 ms", "30-70 ms", "min %.1f, p50 %.1f, max %.1f ms" % (min(lat) - base, statistics.median(lat) - base, max(lat) - base), "-"))
for rate in (100, 1000):
    n = rate * 1000 * 2
    total, secs, _ = read_all(proxy("bw%d" % rate, server(source(n)), {"type": "bandwidth", "attributes": {"rate": rate}}))
    got = total / 1000 / secs
    rows.append(("bandwidth %d KB/s (%d KB)" % (rate, n // 1000), "%d KB/s" % rate, "%.1f KB/s" % got, "%.1f %%" % (abs(got - rate) / rate * 100)))
for to in (200, 1000):
    total, secs, err = read_all(proxy("rp%d" % to, ech, {"type": "reset_peer", "attributes": {"timeout": to}}))
    rows.append(("reset_peer %d ms" % to, "RST after %d ms" % to, "%s after %.0f ms" % (err or "clean close", secs * 1000), "%.1f %%" % (abs(secs * 1000 - to) / to * 100)))
for to in (200, 1000):
    addr = proxy("to%d" % to, ech, {"type": "timeout", "attributes": {"timeout": to}})
    s = socket.create_connection(addr)
    s.sendall(b"hello")
    t = time.perf_counter()
    got = s.recv(100)
    secs = time.perf_counter() - t
    rows.append(("timeout %d ms" % to, "no data, close after %d ms" % to, "%d bytes, closed after %.0f ms" % (len(got), secs * 1000), "%.1f %%" % (abs(secs * 1000 - to) / to * 100)))
total, secs, _ = read_all(proxy("ld", server(source(100000)), {"type": "limit_data", "attributes": {"bytes": 12345}}))
rows.append(("limit_data 12345 bytes", "12345 bytes", "%d bytes" % total, "%.1f %%" % (abs(total - 12345) / 12345 * 100)))
total, secs, _ = read_all(proxy("sc", server(source(10)), {"type": "slow_close", "attributes": {"delay": 500}}))
rows.append(("slow_close 500 ms", "EOF after 500 ms", "EOF after %.0f ms" % (secs * 1000), "%.1f %%" % (abs(secs * 1000 - 500) / 5)))
addr = proxy("sl", server(source(10000)), {"type": "slicer", "attributes": {"average_size": 100, "size_variation": 50, "delay": 1000}})
s = socket.create_connection(addr)
sizes = []
while True:
    d = s.recv(65536)
    if not d:
        break
    sizes.append(len(d))
rows.append(("slicer 100±50 B, 1 ms apart (10 KB)", "~100 reads of 50-150 B", "%d reads, mean %.0f B, max %d B" % (len(sizes), statistics.mean(sizes), max(sizes)), "-"))

print("| toxic | setting | measured | error |")
print("|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %s |" % r)
