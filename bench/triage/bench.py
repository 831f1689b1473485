#!/usr/bin/env python3
"""Accuracy of `rigor triage` on a corpus of failures of known cause, side by side with the
categories a JUnit report alone gives (Allure's defaults: a failed test is a product defect, an
errored one a test defect), from plain pytest on the same states of the same projects.

For each pinned real project (PyPI sdists, fetched by name and version):

1. unpack it into a scratch git repository (bench/work/triage/<project>/repo) with a
   rigor.toml; commit the base; `rigor run` records the passing history;
2. regressions: seeded single-line source mutants of the package, each committed on its own
   branch from the base; `rigor run --retries 2`, then `rigor triage --format json`; every
   project test failing under a mutant is a regression (at most --per-mutant of them counted);
3. injected modules (bench/triage/injected.py) on one commit from the base: order-, state- and
   timing-dependent tests (flaky), refused/reset connections, an occupied port, DNS failure,
   a full disk, out of memory and a killed worker (infrastructure), uninstalled modules,
   APIs of other versions, a version conflict, a missing shared library and tool
   (environment), broken and missing fixtures, errors in test code and collection errors
   (test-bug); run twice on that commit, as a CI re-run would, each run triaged;
4. the peer: `pytest --junitxml` on the same commit, a failure's category from its JUnit
   element (<failure> → regression, <error> → test-bug; a test it saw pass is a miss).

Usage: bench/triage/bench.py [--mutants 14] [--per-mutant 4] [--seed 11] [--rigor PATH]
       [--projects more-itertools,boltons]; TRIAGE_BENCH_RUNS=DIR puts the scratch repositories
       and results.json there (to run projects in parallel), --merge A.json B.json reports them
       together
Writes bench/work/triage/results.json and prints the accuracy per cause and the confusion
matrix (Markdown).
"""

import argparse
import ast
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "bench", "work", "triage")
VENV = os.path.join(WORK, "venv")
# Scratch repositories and results (one per project when projects run in parallel processes).
RUNS = os.environ.get("TRIAGE_BENCH_RUNS", WORK)
PY = os.path.join(VENV, "bin", "python")
sys.path.insert(0, HERE)
import injected  # noqa: E402

PROJECTS = {
    # name: (version, package dir, tests dir, a wrong-arity call of a project function)
    "more-itertools": ("10.5.0", "more_itertools", "tests", "more_itertools.chunked([1, 2, 3], 1, 2, 3, 4)"),
    "boltons": ("24.1.0", "boltons", "tests", "boltons.iterutils.chunked([1, 2], 1, 2, 3, 4, 5)"),
}
CAUSES = ["regression", "flaky", "infrastructure", "environment", "test-bug", "unknown"]
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


def sh(cmd, cwd=None, check=True, env=None):
    return subprocess.run(cmd, cwd=cwd, check=check, capture_output=True, text=True, env=env)


def venv():
    if not os.path.exists(PY):
        os.makedirs(WORK, exist_ok=True)
        sh([sys.executable, "-m", "venv", VENV])
        sh([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pytest==8.3.4"])


def fetch(name, version):
    dl = os.path.join(WORK, "dl")
    os.makedirs(dl, exist_ok=True)
    norm = re.compile(re.sub(r"[-_]", "[-_]", name) + "-" + re.escape(version) + r"\.tar\.gz$", re.I)
    have = [f for f in os.listdir(dl) if norm.search(f)]
    if not have:
        sh([PY, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-binary", ":all:",
            "--no-deps", "-d", dl, f"{name}=={version}"])
        have = [f for f in os.listdir(dl) if norm.search(f)]
    return os.path.join(dl, have[0])


def git(repo, *args):
    return sh(GIT + list(args), cwd=repo).stdout.strip()


def setup(name, rigor):
    version, pkg, tests, call = PROJECTS[name]
    base = os.path.join(RUNS, name)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    with tarfile.open(fetch(name, version)) as t:
        t.extractall(base, filter="data")
    src = os.path.join(base, os.listdir(base)[0])
    repo = os.path.join(base, "repo")
    os.rename(src, repo)
    with open(os.path.join(repo, "rigor.toml"), "w") as f:
        f.write(f'[run]\ntimeout = "15s"\n\n[python]\ninterpreter = "{PY}"\n\n'
                f'[[suite]]\nname = "python"\nkind = "pytest"\nroot = "."\nargs = ["{tests}", "-p", "no:cacheprovider"]\n')
    with open(os.path.join(repo, ".gitignore"), "a") as f:
        f.write("\n.rigor/\n__pycache__/\n.attempt-*\n*.xml\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    out = run_rigor(rigor, repo, ["run", "--retries", "2"])
    base_failing = {t["id"] for t in out.get("tests", []) if t["outcome"] in ("failed", "error", "timeout")}
    return repo, pkg, tests, call, base_failing


def run_rigor(rigor, repo, args):
    p = sh([rigor] + args + ["--format", "json"], cwd=repo, check=False)
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"rigor {' '.join(args)} printed no JSON (exit {p.returncode}):\n{p.stderr[-3000:]}")


def triage(rigor, repo):
    return run_rigor(rigor, repo, ["triage"])


def peer(repo, tests):
    """pytest alone: category per failed test id from its JUnit report."""
    xml = os.path.join(repo, "peer-junit.xml")
    # The injected worker kill would take plain pytest (one process) down with every result:
    # the peer runs without it, and that test counts as a miss for the peer.
    sh([PY, "-m", "pytest", tests, "-q", "-p", "no:cacheprovider", f"--junitxml={xml}",
        "--deselect", f"{tests}/test_zz_infra_services.py::test_worker_killed"], cwd=repo, check=False)
    out = {}
    try:
        tree = ET.parse(xml)
    except (ET.ParseError, FileNotFoundError):
        return out  # the run died (a killed pytest writes no report)
    for case in tree.iter("testcase"):
        cls, name = case.get("classname", ""), case.get("name", "")
        tid = junit_id(repo, cls, name)
        if case.find("failure") is not None:
            out[tid] = "regression"
        elif case.find("error") is not None:
            out[tid] = "test-bug"
    return out


def junit_id(repo, cls, name):
    """pytest's node id from a JUnit classname (dotted module, then classes) and name."""
    if not cls:  # a collection error: the name is the dotted module
        return name.replace(".", "/") + ".py"
    parts = cls.split(".")
    for i in range(len(parts), 0, -1):
        path = "/".join(parts[:i]) + ".py"
        if os.path.exists(os.path.join(repo, path)):
            return "::".join([path] + parts[i:] + [name])
    return f"{cls.replace('.', '/')}.py::{name}"


MUTATIONS = [
    (r"(?<![=!<>])==(?!=)", "!="), (r"!=", "=="), (r"(?<![<>=])<(?![<=])", "<="), (r"(?<![<>=-])>(?![>=])", ">="),
    (r"\+ 1\b", "+ 2"), (r"- 1\b", "- 2"), (r"\bTrue\b", "False"), (r"\bFalse\b", "True"),
    (r"\band\b", "or"), (r"\bor\b", "and"), (r"return (\w+)$", r"return None"),
]


def mutants(repo, pkg, count, seed):
    """Seeded single-line mutants: (file, line number, new line)."""
    rng = random.Random(seed)
    files = []
    for dirpath, _, names in os.walk(os.path.join(repo, pkg)):
        files += [os.path.relpath(os.path.join(dirpath, n), repo) for n in names if n.endswith(".py")]
    files.sort()
    candidates = []
    for f in files:
        text = open(os.path.join(repo, f)).read()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        code_lines = {n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt) and not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Expr))}
        lines = text.split("\n")
        for no in sorted(code_lines):
            line = lines[no - 1]
            if line.strip().startswith(("#", "@", "def ", "class ")) or '"""' in line:
                continue
            for pat, rep in MUTATIONS:
                new = re.sub(pat, rep, line, count=1)
                if new != line:
                    candidates.append((f, no, new))
                    break
    rng.shuffle(candidates)
    return candidates[: count * 4]


def record(corpus, scenario, doc, truth_of, peer_cats):
    for f in doc.get("failures", []):
        truth = truth_of(f["test"])
        if truth is None:
            continue
        corpus.append({
            "scenario": scenario, "test": f["test"], "truth": truth, "rigor": f["cause"],
            "confidence": f["confidence"], "outcome": f["outcome"], "signature": f["signature"]["id"],
            "evidence": f["evidence"][:2], "peer": peer_cats.get(f["test"], "passed"),
        })


def regressions(name, rigor, repo, pkg, tests, base_failing, args, corpus):
    found = 0
    for i, (f, no, new) in enumerate(mutants(repo, pkg, args.mutants, args.seed)):
        if found >= args.mutants:
            break
        git(repo, "checkout", "-q", "-B", f"mutant-{i}", "main")
        path = os.path.join(repo, f)
        lines = open(path).read().split("\n")
        lines[no - 1] = new
        open(path, "w").write("\n".join(lines))
        git(repo, "commit", "-q", "-am", f"mutant {i}: {f}:{no}")
        out = run_rigor(rigor, repo, ["run", "--retries", "2"])
        failing = sorted(t["id"] for t in out.get("tests", [])
                         if t["outcome"] in ("failed", "error", "timeout", "flaky") and t["id"] not in base_failing)
        if not failing:
            continue  # an equivalent (or untested) mutant: no failure to explain
        found += 1
        keep = set(failing[: args.per_mutant])
        doc = triage(rigor, repo)
        cats = peer(repo, tests)
        before = len(corpus)
        record(corpus, f"{name} mutant {f}:{no}", doc, lambda t: "regression" if t in keep else None, cats)
        print(f"  {name} mutant {i} {f}:{no}: {len(failing)} failing, {len(corpus) - before} counted", file=sys.stderr)
    git(repo, "checkout", "-q", "main")


def injections(name, rigor, repo, pkg, tests, call, corpus, runs):
    git(repo, "checkout", "-q", "-B", "injected", "main")
    for fname, text, _ in injected.modules(pkg, call):
        with open(os.path.join(repo, tests, fname), "w") as fh:
            fh.write(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "inject failures of known cause")
    for r in range(runs):
        run_rigor(rigor, repo, ["run", "--retries", "2"])
        doc = triage(rigor, repo)
        cats = peer(repo, tests)
        before = len(corpus)
        record(corpus, f"{name} injected run {r + 1}", doc, injected.cause_of, cats)
        print(f"  {name} injected run {r + 1}: {len(corpus) - before} counted", file=sys.stderr)
    git(repo, "checkout", "-q", "main")


def oracle(c):
    """The known cause of one recorded failure. A project test failing under a mutant is a
    regression when it failed every attempt; one that passed on a retry of the same mutant
    commit is not broken by the mutant (e.g. more-itertools' DFT round trip on random inputs
    fails now and then under unrelated mutants): flaky."""
    if " mutant " in c["scenario"] and c["outcome"] == "flaky":
        return "flaky"
    return c["truth"]


def report(corpus, seconds):
    raw = [c for c in corpus if c["truth"] != oracle(c)]
    corpus = [dict(c, truth=oracle(c)) for c in corpus]
    lines = []
    n = len(corpus)
    ok = sum(c["truth"] == c["rigor"] for c in corpus)
    peer_ok = sum(c["truth"] == c["peer"] for c in corpus)
    reg = [c for c in corpus if c["truth"] == "regression"]
    reg_flaky = sum(c["rigor"] == "flaky" for c in reg)
    lines.append(f"corpus: {n} failures; rigor triage correct: {ok} ({100 * ok / max(n, 1):.1f} %); "
                 f"peer (JUnit categories): {peer_ok} ({100 * peer_ok / max(n, 1):.1f} %); "
                 f"regressions called flaky: {reg_flaky} of {len(reg)} ({100 * reg_flaky / max(len(reg), 1):.1f} %); "
                 f"{seconds:.0f} s\n")
    lines.append("| cause (truth) | failures | rigor correct | rigor accuracy | peer correct | peer accuracy |")
    lines.append("|---|---|---|---|---|---|")
    for cause in CAUSES[:-1]:
        cs = [c for c in corpus if c["truth"] == cause]
        if not cs:
            continue
        r = sum(c["rigor"] == cause for c in cs)
        p = sum(c["peer"] == cause for c in cs)
        lines.append(f"| {cause} | {len(cs)} | {r} | {100 * r / len(cs):.1f} % | {p} | {100 * p / len(cs):.1f} % |")
    lines.append("\nConfusion matrix of rigor triage (rows: known cause; columns: rigor's verdict):\n")
    lines.append("| truth \\ rigor | " + " | ".join(CAUSES) + " |")
    lines.append("|---|" + "---|" * len(CAUSES))
    m = collections.Counter((c["truth"], c["rigor"]) for c in corpus)
    for t in CAUSES[:-1]:
        if any(c["truth"] == t for c in corpus):
            lines.append(f"| {t} | " + " | ".join(str(m[(t, r)]) for r in CAUSES) + " |")
    if raw:
        lines.append(f"\nRelabelled by the oracle (mutant-run failures that passed on retry): {len(raw)}; "
                     f"counted as regressions instead, rigor's accuracy would be "
                     f"{100 * (sum(c['truth'] == c['rigor'] for c in corpus) - len(raw)) / max(len(corpus), 1):.1f} % "
                     f"and {len(raw)} regressions would be called flaky.")
    wrong = [c for c in corpus if c["truth"] != c["rigor"]]
    if wrong:
        lines.append("\nMisclassified:\n")
        for c in wrong:
            lines.append(f"- {c['scenario']}: `{c['test']}` is {c['truth']}, rigor said {c['rigor']} ({c['outcome']}): {c['evidence'][0] if c['evidence'] else ''}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutants", type=int, default=14)
    ap.add_argument("--per-mutant", type=int, default=4)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--runs", type=int, default=2, help="runs of the injected commit")
    ap.add_argument("--projects", default="more-itertools,boltons")
    ap.add_argument("--merge", nargs="+", metavar="RESULTS_JSON",
                    help="only print the report of results files written by earlier runs (e.g. one per project)")
    ap.add_argument("--rigor", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "rigor"))
    args = ap.parse_args()
    if args.merge:
        docs = [json.load(open(p)) for p in args.merge]
        print(report([c for d in docs for c in d["corpus"]], max(d["seconds"] for d in docs)))
        return
    if not os.path.exists(args.rigor):
        sh(["cargo", "build", "--release", "--quiet", "-p", "rigor-cli"], cwd=ROOT)
    venv()
    start = time.time()
    corpus = []
    for name in args.projects.split(","):
        print(f"{name} {PROJECTS[name][0]}", file=sys.stderr)
        repo, pkg, tests, call, base_failing = setup(name, args.rigor)
        regressions(name, args.rigor, repo, pkg, tests, base_failing, args, corpus)
        injections(name, args.rigor, repo, pkg, tests, call, corpus, args.runs)
    seconds = time.time() - start
    os.makedirs(RUNS, exist_ok=True)
    with open(os.path.join(RUNS, "results.json"), "w") as f:
        json.dump({"projects": {p: PROJECTS[p][0] for p in args.projects.split(",")}, "corpus": corpus, "seconds": seconds}, f, indent=1)
    print(report(corpus, seconds))


if __name__ == "__main__":
    main()
