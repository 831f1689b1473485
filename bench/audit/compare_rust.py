"""Compare cargo-audit JSON with rigor.audit/1 JSON, finding by finding.

Vulnerabilities are (advisory id, crate, version); informational warnings are
(kind, advisory id, crate, version). Exits 1 when they differ."""
import json
import sys

cargo = json.load(open(sys.argv[1]))
rigor = json.load(open(sys.argv[2]))

c_vulns = {(v["advisory"]["id"], v["package"]["name"], v["package"]["version"])
           for v in cargo["vulnerabilities"]["list"]}
r_vulns = {(f["id"], f["package"], f["version"]) for f in rigor["findings"]}

c_info = set()
for kind, items in cargo.get("warnings", {}).items():
    for w in items:
        adv = w.get("advisory") or {}
        if adv.get("id"):
            c_info.add((kind, adv["id"], w["package"]["name"], w["package"]["version"]))
r_info = {(f["kind"], f["id"], f["package"], f["version"]) for f in rigor["informational"]}

ok = True
for label, c, r in [("vulnerabilities", c_vulns, r_vulns), ("informational", c_info, r_info)]:
    both = c & r
    print(f"{label}: cargo-audit {len(c)}, rigor {len(r)}, identical {len(both)}")
    for x in sorted(c - r):
        print(f"  only cargo-audit: {x}")
        ok = False
    for x in sorted(r - c):
        print(f"  only rigor:       {x}")
        ok = False
yanked = cargo.get("warnings", {}).get("yanked", [])
print(f"cargo-audit yanked warnings: {len(yanked)} (offline, neither tool can know yanked crates)")
print("findings IDENTICAL" if ok else "findings DIFFER")
sys.exit(0 if ok else 1)
