#!/usr/bin/env python3
# Per-request latency through a proxy, from a loopback capture of keep-alive HTTP (benchmarks/profile.sh,
# PROFILES=residence): the latency the client sees (request in -> last byte of the response out, on the client's
# connection) and the proxy's own residence time, for the request (in from the client -> out to the backend) and
# the response (last byte in from the backend -> last byte out to the client). Separates what the proxy adds from
# what the client and the backend add, which wrk's percentiles cannot.
#
#   tcpdump -nn -tt -r CAPTURE | benchmarks/residence.py PROXY_PORT BACKEND_PORT RESPONSE_BYTES
#
# Client and backend connections are paired in the order of their SYNs (a proxy connects to the backend in the
# order it accepts); requests on a pair are matched in order, and a pair whose timings do not nest is left out.
import sys, re, collections, statistics as st
pport, bport, rlen = sys.argv[1], sys.argv[2], int(sys.argv[3])
pat = re.compile(r'^(\d+\.\d+) IP 127\.0\.0\.1\.(\d+) > 127\.0\.0\.1\.(\d+): Flags \[([^\]]+)\](?:, seq (\d+):(\d+))?.*length (\d+)')
syn_c, syn_b = [], []
ev = collections.defaultdict(list)   # (side, port) -> [(t, dir, len)]
for line in sys.stdin:
    m = pat.match(line)
    if not m: continue
    t, s, d, f, a, b, n = m.groups(); t = float(t); n = int(n)
    if d == pport: key, dr = ('c', s), 'in'
    elif s == pport: key, dr = ('c', d), 'out'
    elif d == bport: key, dr = ('b', s), 'out'
    elif s == bport: key, dr = ('b', d), 'in'
    else: continue
    if f == 'S':
        (syn_c if key[0] == 'c' else syn_b).append((t, key[1]))
    if n > 0: ev[key].append((t, dr, n))
def requests(events, req_dir):
    # returns list of (t_request, t_response_complete, response_segments)
    out = []
    cur = None
    got = 0
    segs = 0
    for t, dr, n in events:
        if dr == req_dir:
            cur = t; got = 0; segs = 0
        elif cur is not None:
            got += n; segs += 1
            if got >= rlen:
                out.append((cur, t, segs)); cur = None
    return out
lat = []
split = 0
total = 0
res_req = []
res_resp = []
slow = []  # (residence, when the response came in, its segments to the client)
syn_c.sort(); syn_b.sort()
for (tc, cp), (tb, bp) in zip(syn_c, syn_b):
    cr = requests(ev[('c', cp)], 'in')   # client side: request comes in, response goes out
    br = requests(ev[('b', bp)], 'out')  # backend side: request goes out, response comes in
    for i, (t0, t1, segs) in enumerate(cr):
        lat.append(t1 - t0); total += 1; split += segs > 1
        if i < len(br):
            b0, b1, _ = br[i]
            if b0 >= t0 and b1 <= t1:
                res_req.append(b0 - t0)
                res_resp.append(t1 - b1)
                slow.append((t1 - b1, b1, segs))
def q(v, p): v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))] * 1e6
print(f"requests {total}, responses in >1 segment to the client {100.0 * split / max(total, 1):.1f}%, matched {len(res_req)}")
for name, v in (("client latency", lat), ("proxy residence, request", res_req), ("proxy residence, response", res_resp)):
    if v: print(f"  {name:28s} p50 {q(v, .5):8.0f} us  p90 {q(v, .9):8.0f}  p99 {q(v, .99):8.0f}  mean {st.mean(v) * 1e6:8.0f}")
# Are the slowest responses spread out or bunched (the proxy not running for a while holds everything it has)?
slow.sort(reverse=True)
top = slow[:max(1, len(slow) // 100)]
if top:
    windows = collections.Counter(int(b * 500) for _, b, _ in top)  # 2 ms windows
    print(f"  slowest 1 % of responses: {len(top)}, in {len(windows)} separate 2 ms windows (at most {max(windows.values())}"
          f" in one); {sum(1 for _, _, n in top if n > 1)} of them sent in two segments")
