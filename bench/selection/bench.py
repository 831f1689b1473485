#!/usr/bin/env python3
"""Mutation-based evaluation of rigor's test selection, side by side with pytest-testmon.

Everything rigor decides here comes from the shipped binary: ``rigor run`` records the history
and ``rigor plan --base BASE --format json`` plans each mutant (the plan's ``tests`` in run order).

For each pinned real project (PyPI sdists with pytest suites):

1. unpack it into a scratch git repository (bench/work/selection/<project>/repo) with a
   rigor.toml, commit the base;
2. run the full suite at the base with pytest (ground truth and durations), with
   ``rigor run`` (rigor's history; with ``[select] coverage_map = "auto"``, the default, it
   records the per-test coverage map on its own — timed against a run with the map off), and with
   pytest-testmon (its baseline database);
3. generate single-line mutants of the package's source files (seeded: reproducible), each
   committed on top of the base;
4. per mutant: ground truth = tests failing in the full suite; ``rigor plan`` in three modes
   (files only, static graph with symbols — the map turned off through ``RIGOR_SELECT_*``
   variables — and the default, which uses the recorded map); pytest-testmon's selection (``pytest --testmon`` from the
   baseline database);
5. safety = share of detectable mutants (≥ 1 failing test) for which the selection contains a
   failing test; selection ratio = selected / all (count, and share of summed test time);
   APFD of the run order (the plan's order, then the unselected tests in collection order).

Usage: bench/selection/bench.py [--mutants 50] [--seed 7] [--projects more-itertools,boltons]
                                [--crates semver] [--rigor PATH]
Writes bench/work/selection/results.json and prints a Markdown table. Without --rigor it builds
the release binary (target/release/rigor).
"""

import argparse
import ast
import collections
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "bench", "work", "selection")
VENV = os.path.join(WORK, "venv")
PY = os.path.join(VENV, "bin", "python")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
RIGOR = os.path.join(TARGET, "release", "rigor")
OVERHEAD_ROUNDS = 1
PARTIAL = None

# rigor plan's modes: RIGOR_SELECT_* overrides of the [select] keys in the bench's rigor.toml.
# `rigor-default` changes nothing: the map `rigor run` recorded on its own (`coverage_map = "auto"`,
# the default) is used — the former `rigor-coverage` mode (`--coverage-map`) is now the default.
MODES = {
    "rigor-files": {"RIGOR_SELECT_COVERAGE_MAP": "off", "RIGOR_SELECT_SYMBOLS": "false"},
    "rigor-static": {"RIGOR_SELECT_COVERAGE_MAP": "off", "RIGOR_SELECT_SYMBOLS": "true"},
    "rigor-default": {},
}

PIP_PINS = ["pytest==8.3.4", "coverage==7.6.10", "pytest-testmon==2.2.0", "pytest-timeout==2.4.0",
            # python-dateutil's test suite needs these (its own runtime dependency six included).
            "six==1.16.0", "freezegun==1.5.1", "hypothesis==6.112.0"]

# name: (version, package dir inside the sdist, pytest args)
PROJECTS = {
    "more-itertools": ("10.5.0", "more_itertools", ["tests"]),
    "boltons": ("24.1.0", "boltons", ["tests"]),
    # Interconnected packages: a re-exporting `__init__` and imports inside function bodies
    # (click: `from .shell_completion import …` in functions; dateutil: a lazy module
    # `__getattr__`, rrule ↔ tz ↔ parser). src layouts: `pythonpath=src` puts the unpacked
    # sources first (an installed copy — freezegun pulls one for dateutil — must not win).
    "click": ("8.1.7", "src/click", ["-o", "pythonpath=src", "tests"]),
    "python-dateutil": ("2.9.0.post0", "src/dateutil",
                        ["-o", "pythonpath=src", "-W", "ignore::pytest.PytestUnknownMarkWarning", "tests"]),
}


def _limit_memory():
    # A mutant can make a test allocate without bound; keep the shared machine safe (1.5 GiB).
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))


def sh(cmd, cwd=None, env=None, timeout=900, check=True, limit=False):
    p = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, capture_output=True, text=True,
                       preexec_fn=_limit_memory if limit else None)
    if check and p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p


def setup(build, python=True):
    os.makedirs(WORK, exist_ok=True)
    if python and not os.path.exists(PY):
        sh([sys.executable, "-m", "venv", VENV])
        sh([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PIP_PINS])
    if build:
        sh(["cargo", "build", "--release", "--quiet", "-p", "rigor-cli", "--bin", "rigor"], cwd=ROOT,
           env={**os.environ, "CARGO_TARGET_DIR": TARGET}, timeout=1800)


def rigor_env(extra=None):
    """The environment of a rigor command: the bench's Python, no CI variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RIGOR_", "GITHUB_", "GITLAB_", "CI_")) and k != "CI"}
    env["RIGOR_PYTHON_INTERPRETER"] = PY
    env.update(extra or {})
    return env


def write_rigor_toml(repo, suite, kind, args=(), rust_coverage=False):
    """The project's rigor.toml: one suite, and the [select] keys the modes override."""
    with open(os.path.join(repo, "rigor.toml"), "w") as f:
        f.write(f'[[suite]]\nname = "{suite}"\nkind = "{kind}"\nargs = {json.dumps(list(args))}\n\n'
                "[select]\ncoverage_map = \"auto\"\nsymbols = true\n"
                + ("rust_coverage = true\n" if rust_coverage else ""))


def rigor_record(repo, extra_args=(), env=None):
    """``rigor run`` at the base: the history selection reads; returns its stderr."""
    p = sh([RIGOR, "run", "--format", "json", *extra_args], cwd=repo, env=rigor_env(env), check=False,
           timeout=1800)
    if p.returncode not in (0, 1):
        raise SystemExit(f"rigor run failed ({p.returncode}) in {repo}:\n{p.stderr[-3000:]}")
    return p.stderr


def rigor_plan(repo, base, env=None):
    """``rigor plan --base BASE --format json``: (plan, seconds)."""
    t0 = time.monotonic()
    p = sh([RIGOR, "plan", "--base", base, "--format", "json"], cwd=repo, env=rigor_env(env), check=False)
    secs = time.monotonic() - t0
    if p.returncode not in (0, 4):
        raise SystemExit(f"rigor plan failed ({p.returncode}) in {repo}:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout), secs


def plan_row(plan, plan_s, failing, dur, total_time, all_ids):
    order = [t["id"] for t in plan["tests"]]
    # A test file the plan reports as not collectable is run and reported as an error by
    # `rigor run` / `rigor ci`: its failing tests are caught.
    broken = {e["file"] for e in plan.get("collection_errors", [])}
    return {
        "selected": len(order),
        "time_share": sum(dur.get(i, 0) for i in order) / total_time if total_time else 0,
        "caught": bool(failing & set(order)) or any(f.split("::")[0] in broken for f in failing),
        "apfd": apfd(full_order(order, all_ids), failing),
        "plan_s": plan_s,
        "full_run": plan["full_run"],
    }


def fetch(name, version):
    src = os.path.join(WORK, "src", f"{name}-{version}")
    if not os.path.isdir(src):
        dl = os.path.join(WORK, "dl")
        os.makedirs(dl, exist_ok=True)
        sh([PY, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-binary", ":all:",
            "--no-deps", "-d", dl, f"{name}=={version}"])
        archive = [f for f in os.listdir(dl) if f.lower().replace("_", "-").startswith(f"{name}-{version}")][0]
        with tarfile.open(os.path.join(dl, archive)) as t:
            t.extractall(os.path.join(WORK, "src"), filter="data")
        unpacked = os.path.join(WORK, "src", archive[: -len(".tar.gz")])
        if unpacked != src:
            os.rename(unpacked, src)
    return src


def git(repo, *args):
    return sh(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=repo).stdout.strip()


def pytest_env(out=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_CORE", "RIGORBENCH"))}
    env["PYTHONPATH"] = HERE
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if out:
        env["RIGORBENCH_OUT"] = out
    return env


def run_pytest(repo, args, out, extra=(), timeout=600):
    if os.path.exists(out):
        os.remove(out)
    # testmon needs the cache provider (it reads --lf); the other runs do without it.
    nocache = [] if "--testmon" in extra else ["-p", "no:cacheprovider"]
    cmd = [PY, "-m", "pytest", "-q", "-p", "rigorbench", *nocache, "--timeout=30", *extra, *args]
    t0 = time.monotonic()
    try:
        sh(cmd, cwd=repo, env=pytest_env(out), timeout=timeout, check=False, limit=True)
    except subprocess.TimeoutExpired:
        pass
    wall = time.monotonic() - t0
    recs = []
    if os.path.exists(out):
        with open(out) as f:
            recs = [json.loads(line) for line in f if line.strip()]
    return recs, wall


def failing_ids(recs, all_ids):
    """Tests that fail; a collection error of a file fails all its (base) tests."""
    bad = set()
    for r in recs:
        if r["outcome"] in ("failed", "error"):
            if r.get("collect"):
                prefix = r["id"]
                bad.update(i for i in all_ids if i == prefix or i.startswith(prefix + "::") or not prefix)
            else:
                bad.add(r["id"])
    # Tests that never reported (killed by the timeout) count as failing.
    seen = {r["id"] for r in recs}
    if recs and not any(r.get("collect") for r in recs):
        missing = set(all_ids) - seen
        if len(missing) < len(all_ids):
            bad |= missing
    return bad


# ---------------------------------------------------------------- mutants

SWAP_CMP = {ast.Eq: "!=", ast.NotEq: "==", ast.Lt: ">=", ast.GtE: "<", ast.Gt: "<=", ast.LtE: ">",
            ast.Is: "is not", ast.IsNot: "is", ast.In: "not in", ast.NotIn: "in"}
CMP_TEXT = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=",
            ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
SWAP_BIN = {ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "+"), ast.FloorDiv: ("//", "*"),
            ast.Mod: ("%", "//"), ast.BitAnd: ("&", "|"), ast.BitOr: ("|", "&")}


def candidates(src):
    """(line, start_col, end_col, replacement, description) of single-line mutations."""
    tree = ast.parse(src)
    lines = src.splitlines(keepends=True)
    out = []

    def seg(node):
        return node.lineno == node.end_lineno

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and seg(node) and len(node.ops) == 1:
            op = type(node.ops[0])
            if op in SWAP_CMP:
                a, b = node.left, node.comparators[0]
                if a.end_lineno == b.lineno == node.lineno:
                    out.append((node.lineno, a.end_col_offset, b.col_offset, f" {SWAP_CMP[op]} ",
                                f"{CMP_TEXT[op]} → {SWAP_CMP[op]}"))
        elif isinstance(node, ast.BinOp) and seg(node) and type(node.op) in SWAP_BIN:
            a, b = node.left, node.right
            old, new = SWAP_BIN[type(node.op)]
            if a.end_lineno == b.lineno == node.lineno:
                out.append((node.lineno, a.end_col_offset, b.col_offset, f" {new} ", f"{old} → {new}"))
        elif isinstance(node, ast.BoolOp) and seg(node) and len(node.values) >= 2:
            a, b = node.values[0], node.values[1]
            new = "or" if isinstance(node.op, ast.And) else "and"
            out.append((node.lineno, a.end_col_offset, b.col_offset, f" {new} ", f"boolean → {new}"))
        elif isinstance(node, ast.Constant) and seg(node) and type(node.value) in (int, bool):
            if isinstance(node.value, bool):
                rep = "False" if node.value else "True"
            else:
                rep = str(node.value + 1)
            out.append((node.lineno, node.col_offset, node.end_col_offset, rep, f"constant {node.value!r} → {rep}"))
        elif isinstance(node, ast.Return) and node.value is not None and seg(node) and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            out.append((node.lineno, node.value.col_offset, node.value.end_col_offset, "None", "return value → None"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and seg(node):
            out.append((node.lineno, node.col_offset, node.operand.col_offset, "", "not removed"))
    # Byte offsets (ast) → str offsets on the line.
    res = []
    for (ln, a, b, rep, desc) in out:
        raw = lines[ln - 1].encode()
        line = raw[:a].decode(errors="replace") + rep + raw[b:].decode(errors="replace")
        res.append((ln, line, desc))
    return res


def make_mutants(repo, pkg, n, seed):
    rng = random.Random(seed)
    files = []
    for dirpath, _, names in os.walk(os.path.join(repo, pkg)):
        for nm in sorted(names):
            if nm.endswith(".py"):
                files.append(os.path.relpath(os.path.join(dirpath, nm), repo))
    files.sort()
    pool = []
    for f in files:
        with open(os.path.join(repo, f), encoding="utf-8") as fh:
            src = fh.read()
        try:
            for (ln, line, desc) in candidates(src):
                pool.append((f, ln, line, desc))
        except SyntaxError:
            continue
    rng.shuffle(pool)
    mutants, seen_lines = [], set()
    for (f, ln, line, desc) in pool:
        if (f, ln) in seen_lines:
            continue
        path = os.path.join(repo, f)
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines(keepends=True)
        if lines[ln - 1] == line:
            continue
        new = lines[:]
        new[ln - 1] = line
        try:
            compile("".join(new), f, "exec")
        except SyntaxError:
            continue
        seen_lines.add((f, ln))
        mutants.append({"file": f, "line": ln, "desc": desc, "new_line": line.rstrip("\n")})
        if len(mutants) >= n:
            break
    return mutants


# ---------------------------------------------------------------- metrics

def apfd(order, failing):
    n = len(order)
    if not n or not failing:
        return None
    tf = next((i + 1 for i, t in enumerate(order) if t in failing), n + 1)
    return 1 - tf / n + 1 / (2 * n)


def full_order(first, all_ids):
    s = set(first)
    return list(first) + [t for t in all_ids if t not in s]


def evaluate(project, n_mutants, seed):
    version, pkg, args = PROJECTS[project]
    src = fetch(project, version)
    base_dir = os.path.join(WORK, project)
    repo = os.path.join(base_dir, "repo")
    if os.path.exists(base_dir):
        shutil.rmtree(base_dir)
    os.makedirs(base_dir)
    shutil.copytree(src, repo)
    with open(os.path.join(repo, ".gitignore"), "a") as f:
        f.write("\n.rigor/\n.testmondata*\n__pycache__/\n.pytest_cache/\n*.egg-info/\n.coverage*\n")
    write_rigor_toml(repo, "python", "pytest", args)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    out = os.path.join(base_dir, "out.jsonl")

    # Baseline: ground truth and durations; rigor's history and coverage map; testmon's database.
    recs, base_wall = run_pytest(repo, args, out)
    all_ids = [r["id"] for r in recs if not r.get("collect")]
    dur = {r["id"]: r["duration_s"] for r in recs}
    base_fail = {r["id"] for r in recs if r["outcome"] in ("failed", "error")}
    total_time = sum(dur.values())
    # The map's recording cost: `rigor run` with the map off, with coverage.py's tracer as the
    # recorder, then with the default (auto, rigor's probes), alternating; the last run (the
    # default) is the history the plans use.
    recorders = {"off": {"RIGOR_SELECT_COVERAGE_MAP": "off"},
                 "coverage": {"RIGOR_SELECT_MAP_RECORDER": "coverage"}, "auto": None}
    walls = {mode: [] for mode in recorders}
    for _ in range(OVERHEAD_ROUNDS):
        for mode, env in recorders.items():
            t0 = time.monotonic()
            stderr = rigor_record(repo, env=env)
            walls[mode].append(time.monotonic() - t0)
    rigor_wall = statistics.median(walls["auto"])
    off_wall = statistics.median(walls["off"])
    cov_wall = statistics.median(walls["coverage"])
    print(f"  rigor run: map off {off_wall:.1f} s, probes (default) {rigor_wall:.1f} s: "
          f"{rigor_wall / off_wall:.2f}x, coverage.py {cov_wall:.1f} s: {cov_wall / off_wall:.2f}x",
          flush=True)
    m = re.search(r"coverage map of suite python: recorded (\d+) tests × (\d+) files from (\d+) data files", stderr)
    imp = {"tests": int(m[1]), "files": int(m[2]), "data_files": int(m[3])} if m else None
    _, tm_wall = run_pytest(repo, args, os.path.join(base_dir, "tm.jsonl"), extra=["--testmon"])
    shutil.copy(os.path.join(repo, ".testmondata"), os.path.join(base_dir, "testmondata.base"))

    mutants = make_mutants(repo, pkg, n_mutants, seed)
    rows = []
    for k, m in enumerate(mutants):
        git(repo, "reset", "-q", "--hard", base)
        path = os.path.join(repo, m["file"])
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines(keepends=True)
        lines[m["line"] - 1] = m["new_line"] + "\n"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(lines))
        git(repo, "commit", "-q", "-am", f"mutant {k}: {m['file']}:{m['line']} {m['desc']}")

        recs, _ = run_pytest(repo, args, out, timeout=300)
        failing = failing_ids(recs, all_ids) - base_fail
        row = {"mutant": k, **m, "failing": sorted(failing)}
        for mode, env in MODES.items():
            plan, plan_s = rigor_plan(repo, base, env)
            row[mode] = plan_row(plan, plan_s, failing, dur, total_time, all_ids)
        shutil.copy(os.path.join(base_dir, "testmondata.base"), os.path.join(repo, ".testmondata"))
        t0 = time.monotonic()
        # A mutant can leave a thread waiting forever (seen once: a futex wait pytest-timeout's
        # signal cannot break); the run is then stopped after 180 s with the results it reported.
        trecs, _ = run_pytest(repo, args, os.path.join(base_dir, "tm.jsonl"), extra=["--testmon"], timeout=180)
        tm_s = time.monotonic() - t0
        ran = [r["id"] for r in trecs if not r.get("collect")]
        tm_collect_err = any(r.get("collect") for r in trecs)
        row["testmon"] = {
            "selected": len(ran),
            "time_share": sum(dur.get(i, 0) for i in ran) / total_time if total_time else 0,
            "caught": bool(failing & set(ran)) or (tm_collect_err and bool(failing)),
            # A collection error fails the run before any test: the failure shows first.
            "apfd": (1 - 1 / len(all_ids) + 1 / (2 * len(all_ids))) if (tm_collect_err and failing)
            else apfd(full_order(ran, all_ids), failing),
            "run_s": tm_s,
        }
        rows.append(row)
        status = " ".join(f"{t}:{'ok' if row[t]['caught'] else 'MISS'}/{row[t]['selected']}"
                          for t in (*MODES, "testmon") if t in row) if failing else "undetectable"
        print(f"  [{project} {k + 1}/{len(mutants)}] {m['file']}:{m['line']} {m['desc']}: "
              f"{len(failing)} failing; {status}", flush=True)
        result = {
            "project": project, "version": version, "tests": len(all_ids), "base_wall_s": base_wall,
            "rigor_baseline_wall_s": rigor_wall, "rigor_run_walls": walls, "testmon_baseline_wall_s": tm_wall,
            "coverage_import": imp, "mutants": rows,
        }
        if PARTIAL:
            # Results so far (a long run stopped early keeps what it measured).
            with open(PARTIAL, "w") as f:
                json.dump({"summary": summarize([result]), "projects": [result]}, f, indent=1)
    return result


# ---------------------------------------------------------------- Rust (cargo nextest)

# semver: 6 test binaries (the largest, test_version_req, 20 tests); strsim: 88 unit tests in one
# binary (the library's), no dependencies.
RUST_CRATES = {"semver": "1.0.23", "strsim": "0.11.1"}

# rigor plan's modes on a Rust crate: per test binary, and per test from the Rust coverage map
# (`[select] rust_coverage = true`, recorded by the baseline `rigor run`).
RUST_MODES = {
    "rigor-static": {"RIGOR_SELECT_COVERAGE_MAP": "off", "RIGOR_SELECT_RUST_COVERAGE": "false"},
    "rigor-rustcov": {"RIGOR_SELECT_COVERAGE_MAP": "off"},
}

RUST_SWAPS = [(" == ", " != "), (" != ", " == "), (" < ", " >= "), (" > ", " <= "), (" <= ", " > "),
              (" >= ", " < "), (" + ", " - "), (" - ", " + "), (" && ", " || "), (" || ", " && ")]


def fetch_crate(name, version):
    dest = os.path.join(WORK, "src", f"{name}-{version}")
    if os.path.isdir(dest):
        return dest
    probe = os.path.join(WORK, f"crate-probe-{name}")
    os.makedirs(os.path.join(probe, "src"), exist_ok=True)
    with open(os.path.join(probe, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n'
                f'[dependencies]\n{name} = "={version}"\n[workspace]\n')
    open(os.path.join(probe, "src", "lib.rs"), "w").close()
    sh(["cargo", "fetch", "--quiet"], cwd=probe)
    reg = os.path.expanduser("~/.cargo/registry/src")
    src = next(os.path.join(reg, d, f"{name}-{version}") for d in sorted(os.listdir(reg))
               if os.path.isdir(os.path.join(reg, d, f"{name}-{version}")))
    shutil.copytree(src, dest)
    return dest


def rust_mutants(repo, n, seed):
    rng = random.Random(seed)
    pool = []
    src_dir = os.path.join(repo, "src")
    for dirpath, _, names in os.walk(src_dir):
        for nm in sorted(names):
            if not nm.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, nm), repo)
            with open(os.path.join(repo, rel), encoding="utf-8") as fh:
                lines = fh.read().splitlines()
            in_tests = False
            for i, line in enumerate(lines):
                t = line.strip()
                if t.startswith("#[cfg(test)]"):
                    in_tests = True
                if in_tests or t.startswith(("//", "#[", "///", "//!")) or '"' in t:
                    continue
                for old, new in RUST_SWAPS:
                    if old in line:
                        pool.append((rel, i + 1, line.replace(old, new, 1), f"{old.strip()} → {new.strip()}"))
    pool.sort()
    rng.shuffle(pool)
    return pool


def nextest(repo, target, junit_name):
    env = {**os.environ, "CARGO_TARGET_DIR": target, "CARGO_TERM_COLOR": "never"}
    p = sh(["cargo", "nextest", "run", "--offline", "--no-fail-fast", "--profile", "bench"], cwd=repo, env=env,
           check=False, timeout=900, limit=False)
    junit = os.path.join(target, "nextest", "bench", "junit.xml")
    if not os.path.exists(junit):
        return None, p.stderr[-1500:]
    import xml.etree.ElementTree as ET
    res = {}
    for suite in ET.parse(junit).getroot().iter("testsuite"):
        for case in suite.iter("testcase"):
            tid = f"{suite.get('name')} {case.get('name')}"
            failed = case.find("failure") is not None or case.find("error") is not None
            res[tid] = (failed, float(case.get("time") or 0))
    os.remove(junit)
    return res, p.stderr[-1500:]


def evaluate_rust(name, n_mutants, seed):
    version = RUST_CRATES[name]
    src = fetch_crate(name, version)
    base_dir = os.path.join(WORK, name)
    repo = os.path.join(base_dir, "repo")
    target = os.path.join(repo, "target")  # nextest keeps its junit under the workspace's target dir
    if os.path.exists(repo):
        shutil.rmtree(repo)
    os.makedirs(base_dir, exist_ok=True)
    shutil.copytree(src, repo, ignore=shutil.ignore_patterns("target"))
    os.makedirs(os.path.join(repo, ".config"), exist_ok=True)
    with open(os.path.join(repo, ".config", "nextest.toml"), "w") as f:
        f.write('[profile.bench]\nfail-fast = false\n[profile.bench.junit]\npath = "junit.xml"\n')
    with open(os.path.join(repo, ".gitignore"), "a") as f:
        f.write("\n/target\n.rigor/\n")
    write_rigor_toml(repo, "rust", "nextest", rust_coverage=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    t0 = time.monotonic()
    baseline, err = nextest(repo, target, "base")
    base_wall = time.monotonic() - t0
    if baseline is None:
        raise SystemExit(f"baseline nextest run failed for {name}:\n{err}")
    all_ids = sorted(baseline)
    base_fail = {t for t, (f, _) in baseline.items() if f}
    dur = {t: d for t, (_, d) in baseline.items()}
    total_time = sum(dur.values())
    cargo_env = {"CARGO_TARGET_DIR": target, "CARGO_TERM_COLOR": "never"}
    # The recording's cost: `rigor run` without, then with the Rust coverage map (the instrumented
    # build, one process per test, the profiles read); the last run's map is the one the plans use.
    walls = {}
    for mode, flag in (("off", "false"), ("rustcov", "true")):
        t0 = time.monotonic()
        stderr = rigor_record(repo, env={**cargo_env, "RIGOR_SELECT_RUST_COVERAGE": flag})
        walls[mode] = time.monotonic() - t0
    m = re.search(r"Rust coverage map of suite rust: (.*)", stderr)
    recorded = m[1] if m else None
    print(f"  rigor run: {walls['off']:.1f} s; with the Rust coverage map recorded {walls['rustcov']:.1f} s"
          f" ({recorded})", flush=True)
    rows, tried = [], 0
    for (rel, ln, new_line, desc) in rust_mutants(repo, n_mutants, seed):
        if len(rows) >= n_mutants or tried >= 3 * n_mutants:
            break
        tried += 1
        git(repo, "reset", "-q", "--hard", base)
        path = os.path.join(repo, rel)
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines(keepends=True)
        lines[ln - 1] = new_line + "\n"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(lines))
        git(repo, "commit", "-q", "-am", f"mutant: {rel}:{ln} {desc}")
        res, _ = nextest(repo, target, "mutant")
        if res is None:
            print(f"  [{name}] {rel}:{ln} {desc}: does not compile, skipped", flush=True)
            continue
        failing = {t for t, (f, _) in res.items() if f} - base_fail
        row = {"mutant": len(rows), "file": rel, "line": ln, "desc": desc, "failing": sorted(failing)}
        for mode, env in RUST_MODES.items():
            plan, plan_s = rigor_plan(repo, base, {**cargo_env, **env})
            row[mode] = plan_row(plan, plan_s, failing, dur, total_time, all_ids)
        rows.append(row)
        status = " ".join(f"{t}:{'ok' if row[t]['caught'] else 'MISS'}/{row[t]['selected']}"
                          for t in RUST_MODES) if failing else "undetectable"
        print(f"  [{name} {len(rows)}/{n_mutants}] {rel}:{ln} {desc}: {len(failing)} failing; {status}", flush=True)
    return {"project": name, "version": version, "tests": len(all_ids), "base_wall_s": base_wall, "mutants": rows,
            "kind": "rust", "rigor_run_walls": walls, "rust_coverage_recorded": recorded,
            "largest_binary": max(collections.Counter(t.split(" ")[0] for t in all_ids).values())}


def summarize(res):
    out = []
    for p in res:
        det = [r for r in p["mutants"] if r["failing"]]
        for tool in ("rigor-files", "rigor-static", "rigor-rustcov", "rigor-default", "testmon"):
            if not det or tool not in det[0]:
                continue
            caught = sum(r[tool]["caught"] for r in det)
            apfds = [r[tool]["apfd"] for r in det if r[tool]["apfd"] is not None]
            out.append({
                "project": f"{p['project']} {p['version']}", "tests": p["tests"], "tool": tool,
                "mutants": len(p["mutants"]), "detectable": len(det),
                "safety": caught / len(det),
                "missed": [f"{r['file']}:{r['line']}" for r in det if not r[tool]["caught"]],
                "median_selected": statistics.median(r[tool]["selected"] for r in p["mutants"]),
                "median_ratio": statistics.median(r[tool]["selected"] / p["tests"] for r in p["mutants"]),
                "median_time_share": statistics.median(r[tool]["time_share"] for r in p["mutants"]),
                "mean_time_share": statistics.mean(r[tool]["time_share"] for r in p["mutants"]),
                "mean_apfd": statistics.mean(apfds) if apfds else None,
                "median_apfd": statistics.median(apfds) if apfds else None,
                "median_plan_s": statistics.median(r[tool].get("plan_s", r[tool].get("run_s", 0)) for r in p["mutants"]),
            })
    return out


def table(summary):
    lines = ["| project | tests | tool | mutants (detectable) | safety | median selected (ratio) | median share of test time | mean share of test time | mean APFD | median APFD | median planning s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in summary:
        lines.append(
            f"| {s['project']} | {s['tests']} | {s['tool']} | {s['mutants']} ({s['detectable']}) | "
            f"{100 * s['safety']:.1f} % | {s['median_selected']:g} ({100 * s['median_ratio']:.1f} %) | "
            f"{100 * s['median_time_share']:.2f} % | {100 * s['mean_time_share']:.2f} % | "
            f"{s['mean_apfd']:.3f} | {s['median_apfd']:.3f} | {s['median_plan_s']:.1f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mutants", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--projects", default=",".join(PROJECTS))
    ap.add_argument("--crates", default=",".join(RUST_CRATES), help="crates.io crates (empty: none)")
    ap.add_argument("--rust-mutants", type=int, default=15)
    ap.add_argument("--out", default=os.path.join(WORK, "results.json"))
    ap.add_argument("--rigor", help="the rigor binary to measure (default: build target/release/rigor)")
    ap.add_argument("--modes", default=",".join(MODES), help="rigor plan modes to measure")
    ap.add_argument("--overhead-rounds", type=int, default=1,
                    help="alternating `rigor run` rounds with the map off / auto at the base")
    a = ap.parse_args()
    global OVERHEAD_ROUNDS, PARTIAL
    OVERHEAD_ROUNDS = a.overhead_rounds
    PARTIAL = a.out + ".partial"
    for m in set(MODES) - set(a.modes.split(",")):
        del MODES[m]
    t0 = time.monotonic()
    global RIGOR
    if a.rigor:
        RIGOR = os.path.abspath(a.rigor)
    setup(build=not a.rigor, python=bool(a.projects))
    res = []
    for p in filter(None, a.projects.split(",")):
        print(f"== {p}", flush=True)
        res.append(evaluate(p, a.mutants, a.seed))
    for c in filter(None, a.crates.split(",")):
        print(f"== {c} (cargo nextest)", flush=True)
        res.append(evaluate_rust(c, a.rust_mutants, a.seed))
    summary = summarize(res)
    with open(a.out, "w") as f:
        json.dump({"seed": a.seed, "mutants_per_project": a.mutants, "summary": summary, "projects": res}, f, indent=1)
    print(table(summary))
    for s in summary:
        if s["missed"]:
            print(f"missed by {s['tool']} on {s['project']}: {', '.join(s['missed'])}")
    print(f"bench wall time: {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
