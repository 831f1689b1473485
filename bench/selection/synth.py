#!/usr/bin/env python3
"""Planning time of the shipped binary on a synthetic repository of Python files.

Writes a repository of FILES Python files (default 20,000): packages of 100 modules, each
importing and calling 3 others (~50 lines); one `__init__.py` per package re-exporting its
modules; one test file per 10 modules with 10 tests, each calling one of the 2 functions its
file imports. Commits it (with a rigor.toml and a pytest.ini), changes one line of one module,
then runs ``rigor plan --format json`` 1 cold and 5 warm times, then 5 times each after editing
the changed module again — inside its function body (``body_edit``: what most edits are; the
import graph cannot change) and in its imports (``import_edit``: the graph must be resolved
again) — and prints JSON.

Per run: the wall time of ``rigor plan`` (test discovery by pytest included) and, from the
binary's own ``RIGOR_SELECT_TIMING`` lines, the time of change detection and of selection.
Setup is not timed. The generator is seeded: every run builds the same repository.

Usage: bench/selection/synth.py [--files 20000] [--dir DIR] [--rigor PATH] [--python PY]
                                [--no-cache]
``--no-cache`` removes the parse cache (.rigor/cache) before every run. Without --rigor it
builds the release binary (target/release/rigor).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BENCH_PY = os.path.join(ROOT, "bench", "work", "selection", "venv", "bin", "python")
MASK = (1 << 64) - 1
PER_PKG = 100


class Rng:
    """xorshift64: tiny and deterministic."""

    def __init__(self, seed=0x9E3779B97F4A7C15):
        self.x = seed

    def next(self):
        x = self.x
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        self.x = x
        return x

    def below(self, n):
        return self.next() % n


def name(i):
    return f"pkg{i // PER_PKG}", f"m{i % PER_PKG}"


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def generate(root, files):
    """The repository; returns (modules, tests)."""
    rng = Rng()
    n_test_files = files // 11
    n_modules = files - n_test_files
    body = "".join(f"    x{k} = value + {k}\n" for k in range(40))
    inits = {}
    for i in range(n_modules):
        p, m = name(i)
        text = '"""A module."""\nimport os\nfrom typing import TYPE_CHECKING\n'
        calls = ""
        for _ in range(3):
            if i == 0:
                break
            j = rng.below(i)
            pj, mj = name(j)
            text += f"from {pj}.{mj} import func_{j}\n"
            calls += f"    value = func_{j}(value)\n"
        text += f"\n\ndef func_{i}(value):\n{body}{calls}    return value\n"
        write(os.path.join(root, p, f"{m}.py"), text)
        inits[p] = inits.get(p, "") + f"from .{m} import func_{i}\n"
    for p, text in inits.items():
        write(os.path.join(root, p, "__init__.py"), text)
    tests = 0
    for t in range(max(n_test_files - len(inits), 0)):
        text, used = "", []
        for _ in range(2):
            j = rng.below(n_modules)
            text += f"from {name(j)[0]} import func_{j}\n"
            used.append(j)
        for k in range(10):
            text += f"\ndef test_{k}():\n    assert func_{used[k % len(used)]}({k}) is not None\n"
            tests += 1
        write(os.path.join(root, "tests", f"test_{t}.py"), text)
    write(os.path.join(root, ".gitignore"), ".rigor/\n__pycache__/\n.pytest_cache/\n")
    write(os.path.join(root, "pytest.ini"), "[pytest]\npythonpath = .\n")
    write(os.path.join(root, "rigor.toml"), '[[suite]]\nname = "py"\nkind = "pytest"\nargs = ["tests"]\n')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    # The change: one line of a module in the middle.
    target = changed_module(root, n_modules)
    with open(target) as f:
        text = f.read()
    write(target, text.replace("x3 = value + 3", "x3 = value + 33"))
    return n_modules, tests


def changed_module(root, n_modules):
    p, m = name(n_modules // 2)
    return os.path.join(root, p, f"{m}.py")


def edit(target, k, imports):
    """Edit the changed module again (edit number k): its body, or its imports."""
    with open(target) as f:
        text = f.read()
    if imports:
        # Alternate between two imports, so that every edit changes what the module imports.
        mod = ["json", "re"][k % 2]
        text = re.sub(r"^import (os|json|re)$", f"import {mod}", text, count=1, flags=re.M)
    else:
        text = re.sub(r"x5 = value \+ \d+", f"x5 = value + {500 + k}", text, count=1)
    write(target, text)


UNITS = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}


def stage(stderr, what):
    """Seconds of a `select: WHAT <duration>` line of RIGOR_SELECT_TIMING, or None."""
    m = re.search(rf"^select: {re.escape(what)} ([\d.]+)(ns|µs|ms|s)$", stderr, re.M)
    return float(m[1]) * UNITS[m[2]] if m else None


def plan_once(rigor, root, python, no_cache):
    if no_cache:
        shutil.rmtree(os.path.join(root, ".rigor", "cache"), ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RIGOR_", "GITHUB_", "GITLAB_", "CI_"))}
    env.pop("CI", None)
    env.update({"RIGOR_PYTHON_INTERPRETER": python, "RIGOR_SELECT_TIMING": "1"})
    t0 = time.monotonic()
    p = subprocess.run([rigor, "plan", "--format", "json"], cwd=root, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        raise SystemExit(f"rigor plan failed ({p.returncode}):\n{p.stderr[-3000:]}")
    plan = json.loads(p.stdout)
    detect, select = stage(p.stderr, "change detected"), stage(p.stderr, "done")
    return {
        "plan_wall_s": round(wall, 3),
        "detect_s": detect,
        "select_s": select,
        "selection_s": round(detect + select, 3) if detect is not None and select is not None else None,
        "selected": plan["total"],
        "discovered": plan["discovered"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--dir", help="where to write the repository (default: a temporary directory)")
    ap.add_argument("--rigor", help="the rigor binary to measure (default: build target/release/rigor)")
    ap.add_argument("--python", help="Python with pytest for the suite (default: the selection bench's venv)")
    ap.add_argument("--no-cache", action="store_true", help="remove the parse cache before every run")
    a = ap.parse_args()
    rigor = os.path.abspath(a.rigor) if a.rigor else os.path.join(TARGET, "release", "rigor")
    if not a.rigor:
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "rigor-cli", "--bin", "rigor"], cwd=ROOT,
                       check=True)
    python = a.python or (BENCH_PY if os.path.exists(BENCH_PY) else sys.executable)
    tmp = None
    if a.dir:
        root = os.path.abspath(a.dir)
        os.makedirs(root, exist_ok=False)
    else:
        tmp = tempfile.TemporaryDirectory()
        root = tmp.name
    t0 = time.monotonic()
    modules, tests = generate(root, a.files)
    setup_s = time.monotonic() - t0
    runs = [plan_once(rigor, root, python, a.no_cache) for _ in range(6)]
    warm = runs[1:]
    target = changed_module(root, modules)
    edited = {}
    for kind in ("body_edit", "import_edit"):
        edited[kind] = []
        for k in range(5):
            edit(target, k, kind == "import_edit")
            edited[kind].append(plan_once(rigor, root, python, a.no_cache))

    def median(key, of=None):
        vals = [r[key] for r in (of or warm) if r[key] is not None]
        return round(statistics.median(vals), 3) if vals else None

    def most(key):
        vals = [r[key] for r in warm if r[key] is not None]
        return round(max(vals), 3) if vals else None

    print(json.dumps({
        "parse_cache": not a.no_cache, "python_files": a.files, "modules": modules, "tests": tests,
        "selected": runs[0]["selected"], "discovered": runs[0]["discovered"], "setup_s": round(setup_s, 1),
        "cold": runs[0],
        "warm_median": {"plan_wall_s": median("plan_wall_s"), "selection_s": median("selection_s")},
        "warm_max": {"plan_wall_s": most("plan_wall_s"), "selection_s": most("selection_s")},
        **{f"{kind}_median": {"plan_wall_s": median("plan_wall_s", rs), "selection_s": median("selection_s", rs)}
           for kind, rs in edited.items()},
    }))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
