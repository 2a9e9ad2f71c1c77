#!/usr/bin/env python3
"""Summarises `perf sched timehist -w`: per thread, how long it waited for a CPU once runnable, and who ran meanwhile.

Usage: schedwait.py TIMEHIST_FILE PROXY_PID

timehist prints a line per switch-out (time, cpu, task [tid/pid], time off the CPU, sch delay = runnable until it
ran, run time; all in ms) and, with -w, a line per wake-up ("awakened: task"). The table has a row per thread of
the proxy that ran at least 5 ms, then wrk, nginx and iperf3 by name, and everything else as "other". For the
proxy's waits over 0.5 ms it then says who had woken the proxy, which tasks held its CPU during the wait, and
what the other CPUs ran meanwhile: idle time there means the proxy waited although a CPU was free.
"""
import collections
import re
import sys

path, proxy_pid = sys.argv[1], sys.argv[2]
switch_re = re.compile(r"^\s*(\d+\.\d+)\s+\[(\d+)\]\s+(.+?)\s+(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)\s*$")
wake_re = re.compile(r"^\s*\d+\.\d+\s+\[\d+\]\s+(\S.*?)\s+awakened: (.+?)\s*$")
task_re = re.compile(r"(.*)\[(\d+)(?:/(\d+))?\]$")


def parse(task):
    m = task_re.match(task)
    return (m.group(1), m.group(3) or m.group(2)) if m else (task, "")


def row_of(name, pid):
    if pid == proxy_pid:
        return "proxy " + name
    if name.startswith(("wrk", "nginx", "iperf3")):
        return name
    return "other"


switches = []  # (end s, cpu, task, delay ms, run ms)
woken_by = {}  # task -> name of the last task that woke it
long_waits = []  # (cpu, start s, end s, waker)
for line in open(path):
    w = wake_re.match(line)
    if w:
        woken_by[w.group(2)] = parse(w.group(1))[0]
        continue
    m = switch_re.match(line)
    if not m:
        continue
    end, cpu, task, delay, run = float(m.group(1)), int(m.group(2)), m.group(3), float(m.group(5)), float(m.group(6))
    switches.append((end, cpu, task, delay, run))
    name, pid = parse(task)
    if pid == proxy_pid and delay > 0.5:
        start = end - run / 1000
        long_waits.append((cpu, start - delay / 1000, start, woken_by.get(task, "?")))
    woken_by.pop(task, None)

rows = collections.defaultdict(lambda: {"runs": 0, "run": 0.0, "delay": 0.0, "over_half": 0, "over_1": 0, "max": 0.0})
for _end, _cpu, task, delay, run in switches:
    name, pid = parse(task)
    if name.startswith("<idle>"):
        continue
    r = rows[row_of(name, pid)]
    r["runs"] += 1
    r["run"] += run
    r["delay"] += delay
    r["over_half"] += delay > 0.5
    r["over_1"] += delay > 1.0
    r["max"] = max(r["max"], delay)

print(f"{'thread':<28} {'runs':>6} {'run ms':>8} {'waited ms':>10} {'>0.5ms':>7} {'>1ms':>5} {'max ms':>7}")
for key, r in sorted(rows.items(), key=lambda kv: (not kv[0].startswith("proxy"), -kv[1]["run"])):
    if r["run"] < 5 and key.startswith("proxy"):
        continue
    print(f"{key[:28]:<28} {r['runs']:>6} {r['run']:>8.1f} {r['delay']:>10.1f} {r['over_half']:>7} {r['over_1']:>5} {r['max']:>7.2f}")

by_cpu = collections.defaultdict(list)
for end, cpu, task, _delay, run in switches:
    by_cpu[cpu].append((end - run / 1000, end, task))
held = collections.Counter()  # the CPU the proxy waited for
elsewhere = collections.Counter()  # the other CPUs in the same time: idle there means the wait was not for lack of CPU
wakers = collections.Counter()
for cpu, w0, w1, waker in long_waits:
    wakers[waker] += 1
    for other, tasks in by_cpu.items():
        for s, e, task in tasks:
            overlap = min(e, w1) - max(s, w0)
            if overlap > 0:
                name, pid = parse(task)
                counter = held if other == cpu else elsewhere
                counter["proxy" if pid == proxy_pid else name.split("[")[0]] += overlap * 1000


def top(counter):
    return ", ".join(f"{k} {v:.1f}" for k, v in counter.most_common(4))


print(f"proxy waits over 0.5 ms: {len(long_waits)}; woken by: " + ", ".join(f"{k} {v}" for k, v in wakers.most_common(4)))
print(f"  meanwhile (ms) its CPU ran: {top(held)}; the other CPUs ran: {top(elsewhere)}")
