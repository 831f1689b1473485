"""Side-by-side changed-line coverage of rigor and diff-cover for one scenario's output dir.

usage: compare.py OUT_DIR LABEL   (exit 1 when the tools disagree)
"""
import json
import sys

out, label = sys.argv[1:3]


def load(name):
    try:
        return json.load(open(f"{out}/{name}"))
    except Exception:
        return None


rows = []
same = True
for fmt, dc_name, rigor_name in [
    ("Cobertura XML", "diffcover-xml.json", "gate.json"),
    ("LCOV", "diffcover-lcov.json", "gate-from-lcov.json"),
    ("coverage.py JSON", None, "gate-from-json.json"),
]:
    ch = load(rigor_name)["coverage"]["changed"]
    d = load(dc_name) if dc_name else None
    for f in sorted(ch["files"], key=lambda f: f["path"]):
        s = d["src_stats"].get(f["path"]) if d else None
        dm = len(s["covered_lines"]) + len(s["violation_lines"]) if s else None
        rows.append((fmt, f["path"], f["measured"], dm, f["percent"], s and s["percent_covered"],
                     f["uncovered_lines"], s and s["violation_lines"]))
    rows.append((fmt, "TOTAL", ch["measured"], d and d["total_num_lines"], ch["percent"],
                 d and d["total_percent_covered"], ch["measured"] - ch["covered"], d and d["total_num_violations"]))
    if d:
        same &= d["num_changed_lines"] == ch["changed_lines"]

print(f"\nchanged-line coverage, {label}: rigor vs diff-cover")
print("| input | file | measured (rigor) | measured (diff-cover) | covered % (rigor) | covered % (diff-cover) "
      "| missing lines (rigor) | missing lines (diff-cover) |")
print("|---|---|---|---|---|---|---|---|")
for fmt, path, rm, dm, rp, dp, rmiss, dmiss in rows:
    num = lambda v: "n/a" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
    miss = lambda v: "n/a" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v))
    print(f"| {fmt} | {path} | {rm} | {num(dm)} | {num(rp)} | {num(dp)} | {miss(rmiss)} | {miss(dmiss)} |")
    if dm is not None:
        # diff-cover truncates its total to an integer; counts and lines must match exactly
        same &= rm == dm and rmiss == dmiss and (int(rp) == int(dp) if path == "TOTAL" else abs(rp - dp) < 0.01)
overall = {fmt: load(name)["coverage"] for fmt, name in
           [("Cobertura XML", "gate.json"), ("LCOV", "gate-from-lcov.json"), ("coverage.py JSON", "gate-from-json.json")]}
for fmt, c in overall.items():
    print(f"overall line coverage from {fmt}: {c['covered']}/{c['measured']} = {c['percent']:.2f}%")
same &= len({(c["covered"], c["measured"]) for c in overall.values()}) == 1
print("rigor and diff-cover agree, and the three formats give the same overall coverage:", "yes" if same else "NO")
sys.exit(0 if same else 1)
