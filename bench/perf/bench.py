#!/usr/bin/env python3
"""Side-by-side change-point benchmark: Apache Otava (`otava analyze`) vs `rigor perf detect`.

Generates Otava-layout CSV files (time, commit, value) with a seeded PRNG:
  * steps-<seed>.csv: 10,000 points, 2 % Gaussian noise, injected mean shifts at known indices
    (magnitudes ±2, ±3, ±5, ±8, ±12 %, at least 150 points apart); truth in steps-<seed>.json;
  * noise-<seed>.csv: 10,000 points of pure 2 % noise (every change point found is false).
Runs both tools end to end on the same files (each a fresh process: the timing includes start-up
and CSV parsing, as a user sees it) and prints a Markdown table: wall time and ratio, injected
steps found (within a margin of 5 points), false change points, precision / recall / F1.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

MARGIN = 5
N = 10_000
NOISE = 0.02
MAGNITUDES = [0.02, 0.03, 0.05, 0.08, 0.12]


def write_series(path, values, start=1_767_225_600):
    with open(path, "w") as f:
        f.write("time,commit,value\n")
        for i, v in enumerate(values):
            f.write(f"{start + 60 * i},c{i:05d},{v:.6f}\n")


def gen_steps(seed, n=N, count=30, min_gap=150):
    rng = random.Random(seed)
    positions = []
    while len(positions) < count:
        p = rng.randrange(min_gap, n - min_gap)
        if all(abs(p - q) >= min_gap for q in positions):
            positions.append(p)
    positions.sort()
    level, values, steps = 100.0, [], []
    mags = {p: rng.choice(MAGNITUDES) * rng.choice([-1, 1]) for p in positions}
    for i in range(n):
        if i in mags:
            level *= 1.0 + mags[i]
            steps.append({"index": i, "magnitude": mags[i]})
        values.append(level * (1.0 + NOISE * rng.gauss(0.0, 1.0)))
    return values, steps


def gen_noise(seed, n=N):
    rng = random.Random(seed)
    return [100.0 * (1.0 + NOISE * rng.gauss(0.0, 1.0)) for _ in range(n)]


def run_otava(otava, workdir, name):
    cfg = os.path.join(workdir, f"otava-{name}.yaml")
    with open(cfg, "w") as f:
        f.write(
            f"tests:\n  {name}:\n    type: csv\n    file: {os.path.join(workdir, name + '.csv')}\n"
            "    time_column: time\n    attributes: [commit]\n    metrics:\n      value:\n        direction: -1\n"
        )
    env = dict(os.environ, OTAVA_CONFIG=cfg)
    t = time.perf_counter()
    out = subprocess.run([otava, "analyze", name, "--output", "json"], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"otava failed on {name}: {out.stderr}")
    data = json.loads(out.stdout)
    found = sorted({c["index"] for group in data.get(name, []) for c in group["changes"]})
    return found, elapsed


def run_rigor(rigor, workdir, name):
    path = os.path.join(workdir, name + ".csv")
    t = time.perf_counter()
    out = subprocess.run(
        [rigor, "-C", workdir, "perf", "detect", "--input", path, "--format", "json"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"rigor failed on {name}: {out.stderr}")
    data = json.loads(out.stdout)
    found = sorted(c["index"] for s in data["series"] for c in s["change_points"])
    return found, elapsed


def match(truth, found, margin=MARGIN):
    """Greedy one-to-one matching within the margin; returns true positives."""
    used, tp = set(), 0
    for t in truth:
        best = None
        for i, f in enumerate(found):
            if i not in used and abs(f - t) <= margin and (best is None or abs(f - t) < abs(found[best] - t)):
                best = i
        if best is not None:
            used.add(best)
            tp += 1
    return tp


def f1(tp, n_truth, n_found):
    p = tp / n_found if n_found else 1.0
    r = tp / n_truth if n_truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rigor", required=True)
    ap.add_argument("--otava", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows = {"otava": [], "rigor": []}
    for seed in range(1, args.seeds + 1):
        values, steps = gen_steps(seed)
        write_series(os.path.join(args.work, f"steps-{seed}.csv"), values)
        with open(os.path.join(args.work, f"steps-{seed}.json"), "w") as f:
            json.dump(steps, f)
        write_series(os.path.join(args.work, f"noise-{seed}.csv"), gen_noise(1000 + seed))
        truth = [s["index"] for s in steps]
        for tool, fn, exe in (("otava", run_otava, args.otava), ("rigor", run_rigor, args.rigor)):
            found, t_steps = fn(exe, args.work, f"steps-{seed}")
            false_noise, t_noise = fn(exe, args.work, f"noise-{seed}")
            tp = match(truth, found)
            by_mag = {}
            for s in steps:
                m = abs(s["magnitude"])
                by_mag.setdefault(m, [0, 0])
                by_mag[m][1] += 1
                if match([s["index"]], found):
                    by_mag[m][0] += 1
            rows[tool].append(
                {
                    "seed": seed,
                    "truth": len(truth),
                    "found": len(found),
                    "tp": tp,
                    "noise_fp": len(false_noise),
                    "t_steps": t_steps,
                    "t_noise": t_noise,
                    "by_mag": by_mag,
                }
            )
            print(
                f"seed {seed} {tool}: steps found {tp}/{len(truth)} (reported {len(found)}), "
                f"false on noise {len(false_noise)}, time {t_steps:.3f}s + {t_noise:.3f}s",
                file=sys.stderr,
            )

    def agg(tool):
        r = rows[tool]
        tp = sum(x["tp"] for x in r)
        truth = sum(x["truth"] for x in r)
        found = sum(x["found"] for x in r)
        p, rec, f = f1(tp, truth, found)
        t = statistics.mean([x["t_steps"] for x in r] + [x["t_noise"] for x in r])
        fp = statistics.mean(x["noise_fp"] for x in r)
        mags = {}
        for x in r:
            for m, (hit, tot) in x["by_mag"].items():
                mags.setdefault(m, [0, 0])
                mags[m][0] += hit
                mags[m][1] += tot
        return {"tp": tp, "truth": truth, "found": found, "p": p, "r": rec, "f1": f, "t": t, "fp": fp, "mags": mags,
                "fp_list": [x["noise_fp"] for x in r]}

    o, g = agg("otava"), agg("rigor")
    print(f"\nN = {N} points per series, noise {NOISE:.0%}, {args.seeds} seeds, margin ±{MARGIN} points\n")
    print("| measure | otava analyze (defaults) | rigor perf detect (defaults) |")
    print("|---|---:|---:|")
    print(f"| mean wall time per 10,000-point file | {o['t']:.3f} s | {g['t']:.4f} s |")
    print(f"| time ratio otava / rigor | | {o['t'] / g['t']:.0f}× |")
    print(f"| injected steps found (±{MARGIN}) | {o['tp']}/{o['truth']} | {g['tp']}/{g['truth']} |")
    for m in sorted(o["mags"]):
        print(f"| … steps of ±{m:.0%} | {o['mags'][m][0]}/{o['mags'][m][1]} | {g['mags'][m][0]}/{g['mags'][m][1]} |")
    print(f"| change points reported on step series | {o['found']} | {g['found']} |")
    print(f"| precision / recall | {o['p']:.3f} / {o['r']:.3f} | {g['p']:.3f} / {g['r']:.3f} |")
    print(f"| F1 (margin {MARGIN}) | {o['f1']:.3f} | {g['f1']:.3f} |")
    print(f"| false change points on pure 2 % noise (per file: {', '.join(map(str, o['fp_list']))} vs {', '.join(map(str, g['fp_list']))}) | {o['fp']:.1f} | {g['fp']:.1f} |")


if __name__ == "__main__":
    main()
