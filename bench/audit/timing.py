"""Median wall times of commands run alternately: timing.py ROUNDS NAME CMD [NAME CMD …].

The first command is the reference; each other prints its ratio to it."""
import shlex
import statistics
import subprocess
import sys
import time

rounds = int(sys.argv[1])
pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
times = {name: [] for name, _ in pairs}
for _ in range(rounds):
    for name, cmd in pairs:
        t = time.perf_counter()
        subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - t)
ref = statistics.median(times[pairs[0][0]])
for name, _ in pairs:
    m = statistics.median(times[name])
    print(f"  {name:<28} {m * 1000:8.1f} ms   ratio to {pairs[0][0]}: {m / ref:.2f}")
