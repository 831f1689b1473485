"""Compare the packaging oracle's findings with rigor's (per package==version, advisory ids).

rigor merges advisories sharing an alias into one finding; its ids are the finding's id and
aliases, restricted to ids the oracle knows as record ids."""
import json
import re
import sys

oracle = json.load(open(sys.argv[1]))
rigor = json.load(open(sys.argv[2]))
record_ids = {i for ids in oracle.values() for i in ids}


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


ours = {}
for f in rigor["findings"] + rigor["informational"] + [i for i in rigor["ignored"]]:
    key = f"{norm(f['package'])}=={f['version']}"
    ids = {f["id"], *f["aliases"]}
    ours.setdefault(key, set()).update(i for i in ids if i.startswith("PYSEC-") or i in record_ids)
# ids that are aliases of matched records but not records themselves are left out above only
# when the oracle does not know them; restrict both sides to record-like ids.
theirs = {k: set(v) for k, v in oracle.items()}
ours = {k: {i for i in v if i in record_ids or i.startswith("PYSEC-")} for k, v in ours.items()}
ok = True
for k in sorted(set(theirs) | set(ours)):
    a, b = theirs.get(k, set()), ours.get(k, set())
    if a != b:
        ok = False
        print(f"  {k}: oracle {sorted(a)} rigor {sorted(b)}")
n_pairs = sum(len(v) for v in theirs.values())
print(f"oracle: {len(theirs)} vulnerable pins, {n_pairs} (pin, advisory) pairs; rigor: {len(ours)} vulnerable pins, "
      f"{len(rigor['findings'])} findings after merging aliases; unpinned {len(rigor['unpinned'])}")
print("findings IDENTICAL" if ok else "findings DIFFER")
sys.exit(0 if ok else 1)
