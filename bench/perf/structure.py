#!/usr/bin/env python3
"""Trends, periods and steps: `rigor perf detect --mode steps` (the plain step detector) against
`--mode auto` (trend and period modelled first), on annotated synthetic series.

Families (each series 300 points, Gaussian noise of 1 % of the level, a seeded PRNG):
  * steps        level shifts of ±4 … ±12 % at known indices (truth: the shifts);
  * trend        a linear drift of 5 … 30 % over the series (truth: no change point, one trend);
  * trend+steps  both (truth: the shifts, and a trend);
  * seasonal     a sine of period 30 … 75 points, amplitude 3 … 8 % (truth: nothing);
  * seasonal+steps both (truth: the shifts);
  * noise        nothing at all.
Every series is a CSV in Otava's layout (time, commit, value); both modes read the same files
through the shipped binary. A change point is a hit within 5 points of a true shift (each truth
matched once). Prints a Markdown table: per family and overall, precision / recall / F1 of
change points, and for the trend families how often a trend was reported (and elsewhere how
often one was reported falsely).
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

N = 300
NOISE = 0.01
MARGIN = 5
FAMILIES = ["steps", "trend", "trend+steps", "seasonal", "seasonal+steps", "noise"]


def shifts(rng, count):
    positions = []
    while len(positions) < count:
        p = rng.randrange(30, N - 30)
        if all(abs(p - q) >= 40 for q in positions):
            positions.append(p)
    return sorted(positions), {p: rng.choice([-1, 1]) * rng.uniform(0.04, 0.12) for p in positions}


def series(family, rng):
    steps, mags = ([], {})
    if "steps" in family:
        steps, mags = shifts(rng, rng.randint(1, 4))
    drift = rng.choice([-1, 1]) * rng.uniform(0.05, 0.30) if family.startswith("trend") else 0.0
    period = rng.randint(30, 75) if family.startswith("seasonal") else 0
    amp = rng.uniform(0.03, 0.08) if period else 0.0
    level, values = 100.0, []
    for t in range(N):
        if t in mags:
            level *= 1.0 + mags[t]
        v = level * (1.0 + drift * t / N)
        if period:
            v += 100.0 * amp * math.sin(2 * math.pi * t / period)
        values.append(v + 100.0 * NOISE * rng.gauss(0.0, 1.0))
    return values, steps, drift != 0.0


def write_csv(path, values):
    with open(path, "w") as f:
        f.write("time,commit,value\n")
        for i, v in enumerate(values):
            f.write(f"{1_767_225_600 + 3600 * i},c{i:04d},{v:.6f}\n")


def detect(rigor, path, mode):
    out = subprocess.run(
        [rigor, "perf", "detect", "--input", path, "--mode", mode, "--format", "json"],
        capture_output=True, text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"rigor failed on {path}: {out.stderr}")
    s = json.loads(out.stdout)["series"][0]
    return [c["index"] for c in s["change_points"]], s.get("trend") is not None


def hits(truth, found):
    left, tp = list(truth), 0
    for f in found:
        near = [t for t in left if abs(t - f) <= MARGIN]
        if near:
            left.remove(min(near, key=lambda t: abs(t - f)))
            tp += 1
    return tp


def prf(tp, n_truth, n_found):
    p = tp / n_found if n_found else 1.0
    r = tp / n_truth if n_truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rigor", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--per-family", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261128)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rng = random.Random(a.seed)
    cases = []
    for fam in FAMILIES:
        for k in range(a.per_family):
            values, steps, trend = series(fam, rng)
            path = os.path.join(a.work, f"{fam.replace('+', '_')}-{k}.csv")
            write_csv(path, values)
            cases.append((fam, path, steps, trend))
    stats = {}
    for mode in ("steps", "auto"):
        started = time.perf_counter()
        for fam, path, steps, trend in cases:
            found, reported = detect(a.rigor, path, mode)
            st = stats.setdefault((mode, fam), {"tp": 0, "truth": 0, "found": 0, "trend": 0})
            st["tp"] += hits(steps, found)
            st["truth"] += len(steps)
            st["found"] += len(found)
            st["trend"] += reported
        stats[(mode, "time")] = time.perf_counter() - started
    print(f"{a.per_family} series per family, {N} points, noise {NOISE:.0%}; margin ±{MARGIN}\n")
    print("| family | steps: P / R / F1 | auto: P / R / F1 | trend reported (steps → auto) |")
    print("|---|---|---|---|")
    totals = {m: [0, 0, 0] for m in ("steps", "auto")}
    for fam in FAMILIES:
        row = [fam]
        for mode in ("steps", "auto"):
            st = stats[(mode, fam)]
            for i, key in enumerate(("tp", "truth", "found")):
                totals[mode][i] += st[key]
            p, r, f = prf(st["tp"], st["truth"], st["found"])
            row.append(f"{p:.2f} / {r:.2f} / {f:.2f} ({st['found']} found, {st['truth']} true)")
        row.append(f"{stats[('steps', fam)]['trend']} → {stats[('auto', fam)]['trend']} of {a.per_family}")
        print("| " + " | ".join(row) + " |")
    row = ["**all**"]
    for mode in ("steps", "auto"):
        p, r, f = prf(*totals[mode])
        row.append(f"**{p:.2f} / {r:.2f} / {f:.2f}**")
    row.append("")
    print("| " + " | ".join(row) + " |")
    print(f"\nwall time for all {len(cases)} series: steps {stats[('steps', 'time')]:.2f} s, "
          f"auto {stats[('auto', 'time')]:.2f} s (ratio {stats[('auto', 'time')] / stats[('steps', 'time')]:.2f})")


if __name__ == "__main__":
    main()
